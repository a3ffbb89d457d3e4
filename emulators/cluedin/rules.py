"""Processing rules: data part, survivorship and golden record ("Entity") rules.

A rule is a filter tree (`condition`, which golden records it applies to) plus processing rules (`rules[]`, each
with its own `conditions` and `actions`). CluedIn's own clients create a rule by name and scope (`createRule`),
then save its whole definition (`saveRule`); clean projects generate rules that point back at them through
`sourceDetail`. Rule actions are stored, not executed: the emulator does not re-run processing.
"""

from __future__ import annotations

from typing import Any

from emulators.cluedin import filters
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, new_guid, parse_guid

SCOPES = ("DataPart", "Survivorship", "Entity")
"""`RuleScope` in the `cluedin` SDK and the Product Toolkit's ValidateSet; "Entity" is the golden record scope."""
RULE_FIELDS = ("name", "description", "isActive", "scope", "condition", "rules")


def scope_name(value: object) -> str:
    """A scope as CluedIn spells it (matched case-insensitively), or an error listing the three."""
    found = next((s for s in SCOPES if s.lower() == str(value or "").strip().lower()), None)
    if found is None:
        raise EmulatorError(f"scope must be one of {', '.join(SCOPES)}, got {value!r}")
    return found


def create_rule(
    store: CluedInStore,
    spec: dict[str, Any] | None,
    author_id: str,
    *,
    source: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`createRule(rule: {name, scope})`: a new, inactive rule with an empty filter, last in its scope's order.

    Starting inactive is a guess (the UI activates rules with a toggle after configuring them).
    """
    spec = spec or {}
    name = str(spec.get("name") or "").strip()
    if not name:
        raise EmulatorError("rule.name is required")
    scope = scope_name(spec.get("scope"))
    order = 1 + max((int(r.get("order") or 0) for r in store.rules.values() if r.get("scope") == scope), default=0)
    ident = new_guid()
    rule = store.stamp_new(
        {
            "id": ident,
            "name": name,
            "description": spec.get("description"),
            "isActive": False,
            "scope": scope,
            "order": order,
            "condition": filters.group([]),
            "actions": None,
            "rules": [],
            "sourceDetail": source,
            "createdBy": author_id,
            "modifiedBy": author_id,
            "ownedBy": author_id,
            "authorId": author_id,
            "isReprocessing": False,
            "requiresAttention": False,
            "hasFailed": False,
        },
        modified_field="modifiedAt",
    )
    store.rules[ident] = rule
    store.audit("Rule", ident, "Created", author_id, name=name, details={"scope": scope})
    return rule


def get_rule(store: CluedInStore, ident: object) -> dict[str, Any]:
    """A rule by GUID, or NotFoundError."""
    rule = store.rules.get(parse_guid(ident, "Rule"))
    if rule is None:
        raise NotFoundError("Rule", ident)
    return rule


def save_rule(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`saveRule(rule: {id, name, isActive, description, scope, condition, rules})`: the whole definition."""
    spec = spec or {}
    rule = get_rule(store, spec.get("id"))
    given = {f: spec[f] for f in RULE_FIELDS if spec.get(f) is not None}
    if "name" in given and not str(given["name"]).strip():
        raise EmulatorError("rule.name must not be empty")
    if "scope" in given:
        given["scope"] = scope_name(given["scope"])
    if "condition" in given:
        given["condition"] = filters.normalize(given["condition"], "rule.condition")
    if "rules" in given:
        given["rules"] = [_processing_rule(r, i) for i, r in enumerate(_list(given["rules"], "rule.rules"))]
    changes = {k: v for k, v in given.items() if v != rule.get(k)}
    if changes:
        rule.update(changes)
        rule["modifiedBy"] = author_id
        store.touch(rule)
        details = {k: v for k, v in changes.items() if k not in {"condition", "rules"}}
        store.audit("Rule", rule["id"], "Updated", author_id, name=rule["name"], details=details)
    return rule


def remove_rule(store: CluedInStore, ident: object, author_id: str) -> None:
    """REST `DELETE rules/{id}` (Swagger: 200 without a body); the audit log records the deletion."""
    rule = get_rule(store, ident)
    del store.rules[rule["id"]]
    store.version += 1
    store.audit("Rule", rule["id"], "Deleted", author_id, name=rule["name"], details={"scope": rule["scope"]})


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise EmulatorError(f"{where} must be a list")
    return value


def _processing_rule(spec: object, index: int) -> dict[str, Any]:
    """One `rules[]` element (SDK fixture shape): its own `conditions` tree and `actions` list."""
    where = f"rule.rules[{index}]"
    if not isinstance(spec, dict):
        raise EmulatorError(f"{where} must be an object")
    item = dict(spec)
    if not item.get("id") or item["id"] == filters.ZERO_GUID:
        item["id"] = new_guid()
    item["conditions"] = filters.normalize(item.get("conditions") or filters.group([]), f"{where}.conditions")
    item["actions"] = list(_list(item.get("actions") or [], f"{where}.actions"))
    if not all(isinstance(a, dict) for a in item["actions"]):
        raise EmulatorError(f"{where}.actions must be a list of objects")
    item.setdefault("type", "ProcessingRule")
    item.setdefault("order", index + 1)
    item.setdefault("isActive", True)
    return item


def affected_records(store: CluedInStore, rule: dict[str, Any]) -> int:
    """How many golden records the rule's filter selects (the same evaluator terms and streams use)."""
    return filters.count(store.entities.values(), rule.get("condition"))


def rules_from_source(store: CluedInStore, source_id: str) -> list[dict[str, Any]]:
    """Rules a clean project (or other source) generated, in creation order."""
    return [r for r in store.rules.values() if (r.get("sourceDetail") or {}).get("id") == source_id]


def operator_models() -> dict[str, dict[str, Any]]:
    """`ruleOperators` / REST `rules/operators`: `RuleOperatorModel` per operator GUID.

    The map key, `appliesToTypes` and `inputLabels` are guesses; ids, names and input counts follow the SDK.
    """
    models = {}
    for op in filters.OPERATORS.values():
        labels = {0: [], 1: ["Value"], 2: ["From", "To"]}[op.inputs]
        models[op.id] = {
            "id": op.id,
            "friendlyName": op.name,
            "noOfInputs": op.inputs,
            "multiple": op.multiple,
            "appliesToTypes": list(filters.OPERATOR_TYPES.get(op.name, filters.ALL_TYPES)),
            "appliesToVocabularyKeyTypes": [],
            "appliesToScopes": list(SCOPES),
            "inputLabels": labels,
        }
    return models


def seed_rule(store: CluedInStore, spec: dict[str, Any], author_id: str, source: dict[str, Any] | None = None) -> None:
    """A rule from a seed: created, then saved with its condition (operator names allowed) and processing rules."""
    rule = create_rule(store, spec, author_id, source=source)
    saved: dict[str, Any] = {"id": rule["id"], "isActive": bool(spec.get("isActive", True))}
    if spec.get("condition") is not None:
        saved["condition"] = filters.from_seed(spec["condition"], f"rule {rule['name']!r} condition")
    if spec.get("rules") is not None:
        saved["rules"] = [
            {**r, "conditions": filters.from_seed(r.get("conditions"), f"rule {rule['name']!r} rules")}
            for r in spec["rules"]
        ]
    save_rule(store, saved, author_id)
