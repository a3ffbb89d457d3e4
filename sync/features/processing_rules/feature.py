"""F15 — Sync Processing Rules to Purview: data part, survivorship and golden record rules in the pipeline lineage.

    Processing Pipeline ─Processing Rule (one per rule)─▶ "Data Part Rules" / "Survivorship Rules" /
    "Golden Record Rules" ─Process Entities─▶ Processed Entities ─Golden Record─▶ …

Each rule is one Processing Rule process (its name, scope, whether it is active, a summary of its condition and
its actions) into the asset of its scope; each scope with a rule is one asset whose columns are the vocabulary
keys its rules test or write, followed by a Process Entities process into the shared Processed Entities. The
feature holds the backbone (Processing Pipeline → Process Entities → Processed Entities) through ownership, as
data-set lineage and the project features do. Notification per rule: "Processing Rule '<name>' synced to Purview".
Rules come from a listing every cycle (`modifiedAt`, scope, activity), details only for changed rules, and the
shared CluedIn change feed (audit object type `Rule`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sync.features.lineage.api import (
    BACKBONE_KEY,
    PROCESS_ENTITIES,
    PROCESS_ENTITIES_TYPE,
    Node,
    PipelineObjectsFeature,
    RecordContext,
    column_nodes,
    links,
    object_key,
    pipeline_node,
    processed_node,
)
from sync.features.processing_rules.settings import ProcessingRulesSettings
from sync.features.processing_rules.types import RULE_PROCESS_TYPE, RULE_TYPES, SCOPE_ASSET_TYPE
from sync.services.cluedin.processing import SCOPE_LABELS, RuleFacts, iter_rules, read_rule
from sync.services.purview import qualified_names as names

SCOPE_PREFIX = "scope|"
PROCESSING_RULE = "Processing Rule"


def scope_asset_name(scope: str) -> str:
    """'Data Part Rules', 'Survivorship Rules', 'Golden Record Rules' (the product's asset names)."""
    return f"{SCOPE_LABELS.get(scope, scope)} Rules"


def scope_asset(org: str, cluedin: str, scope: str, *, stub: bool = False) -> Node:
    """The asset of one rule scope (a stub carries the same attributes, columns aside)."""
    attributes = {
        "name": scope_asset_name(scope),
        "description": f"CluedIn's {SCOPE_LABELS.get(scope, scope).lower()} rules",
        "organization": org,
        "scope": scope,
    }
    if cluedin:
        attributes["cluedinUrl"] = links.rules_link(cluedin, scope)
    return Node(SCOPE_ASSET_TYPE.name, names.object_name(org, "rules", scope), attributes, stub=stub)


class ProcessingRulesFeature(PipelineObjectsFeature):
    """CluedIn processing rules → Processing Rule processes and rule-scope assets in Purview."""

    name: ClassVar[str] = "processing_rules"
    title: ClassVar[str] = "Sync Processing Rules to Purview"
    settings_model = ProcessingRulesSettings
    object_kind: ClassVar[str] = "processing-rules"
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": frozenset({"Rule"})}
    own_types = RULE_TYPES
    object_label: ClassVar[str] = "Processing Rule"
    event_stem: ClassVar[str] = "ProcessingRule"
    toggle: ClassVar[str] = "sync_processing_rules_to_purview"
    lister = iter_rules
    reader = read_rule

    def records(self, facts: Mapping[str, dict[str, Any]], ctx: RecordContext) -> dict[str, dict[str, Any]]:
        """A record per rule, per scope that has rules, and the backbone hold."""
        out: dict[str, dict[str, Any]] = {}
        keys_by_scope: dict[str, dict[str, None]] = {}
        for ident, found in sorted(facts.items()):
            rule = RuleFacts.from_json(found)
            out[object_key(ident)] = {**ctx.base(), "name": rule.name, "facts": found}
            keys_by_scope.setdefault(rule.scope, {}).update(dict.fromkeys(rule.keys))
        for scope, keys in sorted(keys_by_scope.items()):
            out[f"{SCOPE_PREFIX}{scope}"] = {
                **ctx.base(),
                "name": scope_asset_name(scope),
                "scope": scope,
                "columns": sorted(keys),
            }
        if facts:
            out[BACKBONE_KEY] = self.backbone_record(ctx)
        return out

    def build(self, key: str, desired: Mapping[str, Any]) -> list[Node]:
        """The nodes of a rule or of a rule scope."""
        org, cluedin = str(desired["org"]), str(desired.get("cluedin") or "")
        if key.startswith(SCOPE_PREFIX):
            asset = scope_asset(org, cluedin, str(desired["scope"]))
            processed = processed_node(org, cluedin, stub=True)
            ref = (PROCESS_ENTITIES_TYPE.name, f"{asset.qualified_name}/process-entities")
            process = Node(
                ref[0],
                ref[1],
                {
                    "name": PROCESS_ENTITIES,
                    "description": f"Entities processed with the {asset.attributes['name'].lower()}",
                    "organization": org,
                    **({"cluedinUrl": asset.attributes["cluedinUrl"]} if cluedin else {}),
                },
                inputs=[asset.ref],
                outputs=[processed.ref],
            )
            columns = [[k, ""] for k in desired.get("columns") or []]
            return [asset, processed, process, *column_nodes(asset.ref, "processingRules", columns, org)]
        rule = RuleFacts.from_json(desired["facts"])
        pipeline = pipeline_node(org, cluedin, stub=True)
        target = scope_asset(org, cluedin, rule.scope, stub=True)
        attributes: dict[str, Any] = {
            "name": PROCESSING_RULE,
            "description": f"Processing rule '{rule.name}' ({SCOPE_LABELS.get(rule.scope, rule.scope)}, "
            f"{'active' if rule.is_active else 'inactive'}): {rule.condition}",
            "organization": org,
            "ruleId": rule.id,
            "ruleName": rule.name,
            "scope": rule.scope,
            "isActive": rule.is_active,
            "conditionSummary": rule.condition,
            "actions": ", ".join(rule.actions),
        }
        if cluedin:
            attributes["cluedinUrl"] = links.rule_link(cluedin, rule.id)
        qualified_name = names.object_name(org, "rule", rule.id.lower())
        process = Node(RULE_PROCESS_TYPE.name, qualified_name, attributes, inputs=[pipeline.ref], outputs=[target.ref])
        return [pipeline, target, process]
