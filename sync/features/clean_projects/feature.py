"""F16 — Sync Clean Projects to Purview: clean projects in the processing-pipeline lineage.

    Processed Entities ─Clean (one per project)─▶ "Clean Projects" ─Generate Clue─▶ Processing Pipeline

A clean project works on processed entities and its results go back into the pipeline as clues (CluedIn's
documentation of the feature). Each project is one Clean process (its name, status, condition summary and the keys
it cleans) into the one "Clean Projects" asset, whose columns are the keys all projects clean and whose Generate
Clue process leads back to the Processing Pipeline. The backbone is held jointly (`sync/core/ownership.py`).
Notification per project: "Clean Project '<name>' synced to Purview". Projects come from a listing every cycle
(ids, names, status: the listing has no modification time), details for new projects and for those the shared
CluedIn change feed names (audit object type `CleanProject`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sync.features.clean_projects.settings import CleanProjectsSettings
from sync.features.clean_projects.types import CLEAN_PROCESS_TYPE, CLEAN_PROJECTS_TYPE, CLEAN_TYPES
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
from sync.services.cluedin.processing import CleanProjectFacts, iter_clean_projects, read_clean_project
from sync.services.purview import qualified_names as names

ASSET_KEY = "asset|clean-projects"
ASSET_NAME = "Clean Projects"
CLEAN = "Clean"


def clean_projects_asset(org: str, cluedin: str, *, stub: bool = False) -> Node:
    """The one asset every clean project feeds (a stub carries the same attributes, columns aside)."""
    attributes = {"name": ASSET_NAME, "description": "CluedIn's clean projects", "organization": org}
    if cluedin:
        attributes["cluedinUrl"] = links.clean_projects_link(cluedin)
    return Node(CLEAN_PROJECTS_TYPE.name, names.object_name(org, "clean-projects", "all"), attributes, stub=stub)


class CleanProjectsFeature(PipelineObjectsFeature):
    """CluedIn clean projects → Clean processes and the "Clean Projects" asset in Purview."""

    name: ClassVar[str] = "clean_projects"
    title: ClassVar[str] = "Sync Clean Projects to Purview"
    settings_model = CleanProjectsSettings
    object_kind: ClassVar[str] = "clean-projects"
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": frozenset({"CleanProject"})}
    own_types = CLEAN_TYPES
    object_label: ClassVar[str] = "Clean Project"
    event_stem: ClassVar[str] = "CleanProject"
    toggle: ClassVar[str] = "sync_clean_projects_to_purview"
    lister = iter_clean_projects
    reader = read_clean_project

    def records(self, facts: Mapping[str, dict[str, Any]], ctx: RecordContext) -> dict[str, dict[str, Any]]:
        """A record per project, the "Clean Projects" asset and the backbone hold (when there are projects)."""
        out: dict[str, dict[str, Any]] = {}
        keys: dict[str, None] = {}
        for ident, found in sorted(facts.items()):
            project = CleanProjectFacts.from_json(found)
            out[object_key(ident)] = {**ctx.base(), "name": project.name, "facts": found}
            keys.update(dict.fromkeys(project.keys))
        if facts:
            out[ASSET_KEY] = {**ctx.base(), "name": ASSET_NAME, "columns": sorted(keys)}
            out[BACKBONE_KEY] = self.backbone_record(ctx)
        return out

    def build(self, key: str, desired: Mapping[str, Any]) -> list[Node]:
        """The nodes of a project or of the "Clean Projects" asset."""
        org, cluedin = str(desired["org"]), str(desired.get("cluedin") or "")
        if key == ASSET_KEY:
            return self._asset_nodes(clean_projects_asset(org, cluedin), org, cluedin, desired)
        project = CleanProjectFacts.from_json(desired["facts"])
        processed = processed_node(org, cluedin, stub=True)
        target = clean_projects_asset(org, cluedin, stub=True)
        attributes: dict[str, Any] = {
            "name": CLEAN,
            "description": f"Clean project '{project.name}' ({project.status or 'status unknown'}): "
            f"{project.condition}",
            "organization": org,
            "projectId": project.id,
            "projectName": project.name,
            "status": project.status,
            "conditionSummary": project.condition,
            "properties": ", ".join(project.keys),
        }
        if cluedin:
            attributes["cluedinUrl"] = links.clean_project_link(cluedin, project.id)
        qualified_name = names.object_name(org, "clean-project", project.id.lower())
        process = Node(
            CLEAN_PROCESS_TYPE.name, qualified_name, attributes, inputs=[processed.ref], outputs=[target.ref]
        )
        return [processed, target, process]

    @staticmethod
    def _asset_nodes(asset: Node, org: str, cluedin: str, desired: Mapping[str, Any]) -> list[Node]:
        keys = [str(k) for k in desired.get("columns") or []]
        ref = (CLUE_PROCESS_TYPE.name, f"{asset.qualified_name}/generate-clue")
        clue, _ = clue_node(
            ref, asset.ref, org, cluedin, what=ASSET_NAME, url=str(asset.attributes.get("cluedinUrl") or ""), keys=keys
        )
        columns = column_nodes(asset.ref, CLEAN_PROJECTS_TYPE.columns_parent_attribute, [[k, ""] for k in keys], org)
        return [asset, pipeline_node(org, cluedin, stub=True), clue, *columns]
