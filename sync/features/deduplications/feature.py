"""F17 — Sync Deduplications to Purview: deduplication projects in the processing-pipeline lineage.

    Processed Entities ─Deduplication─▶ <project> ─Generate Clue─▶ Processing Pipeline

A deduplication project compares processed entities and its merges go back into the pipeline as clues (CluedIn's
documentation of the feature). Each project is an asset named after it (its status, scope and matching rules;
columns = the vocabulary keys its matching criteria compare) between a Deduplication process from the shared
Processed Entities and a Generate Clue process back into the Processing Pipeline. The backbone is held jointly
(`sync/core/ownership.py`). Notification per project: "Deduplication '<name>' synced to Purview". Projects come from
a listing every cycle (ids, names, status: no modification time), details (with matching rules) for new projects
and for those the shared CluedIn change feed names (audit object type `DeduplicationProject`; matching-rule
changes are entries on their project).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sync.features.deduplications.settings import DeduplicationsSettings
from sync.features.deduplications.types import DEDUP_PROCESS_TYPE, DEDUP_PROJECT_TYPE, DEDUP_TYPES
from sync.features.lineage.api import (
    BACKBONE_KEY,
    CLUE_PROCESS_TYPE,
    Node,
    PipelineObjectsFeature,
    RecordContext,
    clue_node,
    column_nodes,
    links,
    object_key,
    pipeline_node,
    processed_node,
)
from sync.services.cluedin.processing import DedupProjectFacts, iter_dedup_projects, read_dedup_project
from sync.services.purview import qualified_names as names

DEDUPLICATION = "Deduplication"


class DeduplicationsFeature(PipelineObjectsFeature):
    """CluedIn deduplication projects → project assets between Deduplication and Generate Clue in Purview."""

    name: ClassVar[str] = "deduplications"
    title: ClassVar[str] = "Sync Deduplications to Purview"
    settings_model = DeduplicationsSettings
    object_kind: ClassVar[str] = "deduplications"
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": frozenset({"DeduplicationProject"})}
    own_types = DEDUP_TYPES
    object_label: ClassVar[str] = "Deduplication"
    event_stem: ClassVar[str] = "DeduplicationProject"
    toggle: ClassVar[str] = "sync_deduplications_to_purview"
    lister = iter_dedup_projects
    reader = read_dedup_project

    def records(self, facts: Mapping[str, dict[str, Any]], ctx: RecordContext) -> dict[str, dict[str, Any]]:
        """A record per project and the backbone hold (when there are projects)."""
        out: dict[str, dict[str, Any]] = {
            object_key(ident): {**ctx.base(), "name": str(found.get("name") or ident), "facts": found}
            for ident, found in sorted(facts.items())
        }
        if facts:
            out[BACKBONE_KEY] = self.backbone_record(ctx)
        return out

    def build(self, key: str, desired: Mapping[str, Any]) -> list[Node]:
        """The nodes of a project (asset, Deduplication, Generate Clue)."""
        org, cluedin = str(desired["org"]), str(desired.get("cluedin") or "")
        project = DedupProjectFacts.from_json(desired["facts"])
        url = links.dedup_project_link(cluedin, project.id)
        qualified_name = names.object_name(org, "deduplication-project", project.id.lower())
        attributes: dict[str, Any] = {
            "name": project.name,
            "description": project.description or f"Deduplication project '{project.name}' over {project.scope}",
            "organization": org,
            "projectId": project.id,
            "status": project.status,
            "scope": project.scope,
            "matchingRules": ", ".join(project.matching_rules),
            **({"cluedinUrl": url} if url else {}),
        }
        asset = Node(DEDUP_PROJECT_TYPE.name, qualified_name, attributes)
        processed = processed_node(org, cluedin, stub=True)
        dedup = Node(
            DEDUP_PROCESS_TYPE.name,
            f"{qualified_name}/deduplication",
            {"name": DEDUPLICATION, "description": f"Deduplication project '{project.name}'", "organization": org,
             "projectId": project.id, **({"cluedinUrl": url} if url else {})},
            inputs=[processed.ref],
            outputs=[asset.ref],
        )  # fmt: skip
        clue, _ = clue_node(
            (CLUE_PROCESS_TYPE.name, f"{qualified_name}/generate-clue"), asset.ref, org, cluedin,
            what=f"deduplication project '{project.name}'", url=url, keys=project.keys,
        )  # fmt: skip
        columns = column_nodes(
            asset.ref, DEDUP_PROJECT_TYPE.columns_parent_attribute, [[k, ""] for k in project.keys], org
        )
        return [asset, processed, pipeline_node(org, cluedin, stub=True), dedup, clue, *columns]
