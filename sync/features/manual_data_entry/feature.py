"""F14 — Sync Manual Data Entry to Purview: manual-data-entry projects in the processing-pipeline lineage.

    "<title>" (Cluedin Manual Data Entry Project) ─Generate Clue─▶ Processing Pipeline ─…─▶ Processed Entities
        ─Golden Record─▶ the project's entity type

Records typed into a project are clues like any data set's (CluedIn's documentation of the feature): each project
is an asset named after it, its form fields' vocabulary keys as columns, with a Generate Clue process into the
Processing Pipeline. Its records end as golden records of the project's entity type, so the feature holds — jointly
with data-set lineage and the other features — the backbone (with the projects' keys as columns) and, per entity
type, the entity-type asset (with those keys) and its Golden Record process. Notification per project: "Manual Data
Entry '<title> - <id>' synced to Purview". The listing carries every fact needed (title, entity type, form fields,
`modifiedAt`), so no detail reads; the shared CluedIn change feed (audit object type `ManualDataEntryProject`)
only adds what the listing cannot show.

The product syncs projects "with processed data"; the app draws every project (an empty project still shows
where its records will go), which costs no extra search per project per cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sync.features.lineage.api import (
    BACKBONE_KEY,
    CLUE_PROCESS_TYPE,
    Node,
    PipelineObjectsFeature,
    RecordContext,
    clue_node,
    column_nodes,
    entity_type_nodes,
    golden_record_nodes,
    links,
    object_key,
    pipeline_node,
)
from sync.features.manual_data_entry.settings import ManualDataEntrySettings
from sync.features.manual_data_entry.types import MDE_PROJECT_TYPE, MDE_TYPES
from sync.services.cluedin.client import CluedInClient
from sync.services.cluedin.processing import Listed, MdeProjectFacts, iter_mde_projects
from sync.services.purview import qualified_names as names

ENTITY_PREFIX = "entity|"


class ManualDataEntryFeature(PipelineObjectsFeature):
    """CluedIn manual-data-entry projects → project assets feeding the Processing Pipeline in Purview."""

    name: ClassVar[str] = "manual_data_entry"
    title: ClassVar[str] = "Sync Manual Data Entry to Purview"
    settings_model = ManualDataEntrySettings
    object_kind: ClassVar[str] = "manual-data-entry"
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": frozenset({"ManualDataEntryProject"})}
    own_types = MDE_TYPES
    object_label: ClassVar[str] = "Manual Data Entry"
    event_stem: ClassVar[str] = "ManualDataEntryProject"
    toggle: ClassVar[str] = "sync_manual_data_entry_to_purview"

    def list_objects(self, cluedin: CluedInClient) -> list[Listed]:
        """Every project; the listing is the whole read (facts travel with it)."""
        return [Listed(p.id, p.title, p.modified_at, p.to_json()) for p in iter_mde_projects(cluedin)]

    def display_name(self, desired: Mapping[str, Any]) -> str:
        """'<title> - <id>', as the product's notification names a project."""
        facts = desired.get("facts") or {}
        return f"{facts.get('title', desired.get('name', ''))} - {facts.get('id', '')}"

    def records(self, facts: Mapping[str, dict[str, Any]], ctx: RecordContext) -> dict[str, dict[str, Any]]:
        """A record per project, per entity type of the projects, and the backbone hold with every project key."""
        out: dict[str, dict[str, Any]] = {}
        by_type: dict[str, dict[str, str]] = {}
        for ident, found in sorted(facts.items()):
            project = MdeProjectFacts.from_json(found)
            out[object_key(ident)] = {**ctx.base(), "name": project.title, "facts": found}
            if project.entity_type:
                keys = by_type.setdefault(names.display_entity_type(project.entity_type), {})
                keys.update({k: t or keys.get(k, "") for k, t in project.fields})
        every: dict[str, str] = {}
        for entity_type, keys in sorted(by_type.items()):
            out[f"{ENTITY_PREFIX}{entity_type}"] = {
                **ctx.base(),
                "name": f"{entity_type} and its Golden Record (shared)",
                "entityType": entity_type,
                "columns": [[k, keys[k]] for k in sorted(keys)],
            }
            every.update({k: t or every.get(k, "") for k, t in keys.items()})
        if facts:
            out[BACKBONE_KEY] = self.backbone_record(ctx, [[k, every[k]] for k in sorted(every)])
        return out

    def build(self, key: str, desired: Mapping[str, Any]) -> list[Node]:
        """The nodes of a project or of an entity type (with its Golden Record)."""
        org, cluedin = str(desired["org"]), str(desired.get("cluedin") or "")
        if key.startswith(ENTITY_PREFIX):
            entity_type = str(desired["entityType"])
            columns = desired.get("columns") or []
            return [
                *entity_type_nodes(org, cluedin, entity_type, columns),
                *golden_record_nodes(org, cluedin, entity_type),
            ]
        project = MdeProjectFacts.from_json(desired["facts"])
        url = links.mde_project_link(cluedin, project.id)
        qualified_name = names.object_name(org, "manual-data-entry-project", project.id.lower())
        attributes: dict[str, Any] = {
            "name": project.title,
            "description": project.description
            or f"Manual data entry project '{project.title}' ({project.entity_type})",
            "organization": org,
            "projectId": project.id,
            "entityType": project.entity_type,
            **({"cluedinUrl": url} if url else {}),
        }
        asset = Node(MDE_PROJECT_TYPE.name, qualified_name, attributes)
        keys = [k for k, _ in project.fields]
        clue, _ = clue_node(
            (CLUE_PROCESS_TYPE.name, f"{qualified_name}/generate-clue"), asset.ref, org, cluedin,
            what=f"manual data entry project '{project.title}'", url=url, keys=keys,
        )  # fmt: skip
        columns = column_nodes(asset.ref, MDE_PROJECT_TYPE.columns_parent_attribute, project.fields, org)
        return [asset, pipeline_node(org, cluedin, stub=True), clue, *columns]
