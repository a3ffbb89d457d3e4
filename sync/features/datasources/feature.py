"""F1 — Sync data sources: Purview assets tagged with a glossary term → CluedIn data source groups and sources.

As in CluedIn's own integration, each asset becomes one data source group named after the asset, holding one
endpoint data source of the same name; only metadata moves (data flows through the Data Factory feature).
The group name is fixed when the group is created, stays stable across runs, and gets a short suffix derived
from the asset's qualifiedName when another asset (or a group the app did not create) already has that name.

Keys are `<typeName>|<qualifiedName>`: Purview's own identity of an asset, which survives a re-scan that gives
the asset a new guid. The asset's schema is kept in state for the lineage and pipeline features.

CluedIn offers no API to delete data source groups, so a removed or untagged asset never deletes anything in
CluedIn: under either delete policy its state is marked orphaned and the report lists it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, ClassVar

from sync.core.engine import ApplyOutcome, Feature, Notification, SyncContext
from sync.core.errors import FatalError, SettingsError
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.settings import AppSettings
from sync.core.state import SyncObject, fingerprint
from sync.services.cluedin.client import CluedInClient
from sync.services.purview.assets import read_asset
from sync.services.purview.client import PurviewClient

OWN_TYPE_PREFIX = "cluedin_"
GLOSSARY_TYPES = frozenset({"AtlasGlossary", "AtlasGlossaryTerm", "AtlasGlossaryCategory"})
NON_ASSET_TYPES = ("column", "azure_sql_column", "tabular_schema", "Process")


def asset_key(type_name: str, qualified_name: str) -> str:
    """Deterministic key of an asset."""
    return f"{type_name}|{qualified_name}"


def name_suffix(qualified_name: str) -> str:
    """Short stable suffix distinguishing assets that share a name."""
    return hashlib.sha256(qualified_name.encode()).hexdigest()[:6]


def search_filter(keywords: list[str]) -> dict[str, Any]:
    """Purview search filter for the assets to sync: a term assignment (or everything for '*'), minus non-assets."""
    exclusions: list[dict[str, Any]] = [{"entityType": t, "includeSubTypes": True} for t in NON_ASSET_TYPES]
    clauses: list[dict[str, Any]] = [{"not": {"or": exclusions}}]
    if keywords and "*" not in keywords:
        terms: list[dict[str, Any]] = []
        for keyword in keywords:
            term, _, glossary = keyword.partition("@")
            terms.append({"term": term, "glossary": glossary} if glossary else {"term": term})
        clauses.insert(0, terms[0] if len(terms) == 1 else {"or": terms})
    return {"and": clauses}


def is_syncable_hit(hit: Mapping[str, Any]) -> bool:
    """Post-filter on search hits: never our own types, glossary objects or columns (search is fuzzy)."""
    entity_type = str(hit.get("entityType") or "")
    if not entity_type or entity_type.startswith(OWN_TYPE_PREFIX) or entity_type in GLOSSARY_TYPES:
        return False
    if hit.get("glossaryType") or entity_type.endswith("_column") or entity_type in NON_ASSET_TYPES:
        return False
    return bool(hit.get("qualifiedName") and hit.get("id"))


class DataSourcesFeature(Feature):
    """Purview assets → CluedIn data source groups and data sources."""

    name: ClassVar[str] = "datasources"
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin")
    object_kind: ClassVar[str] = "datasource"
    queue: ClassVar[Queues] = Queues.CLUEDIN
    deletes_on_target: ClassVar[bool] = False

    def enabled(self, settings: AppSettings) -> bool:
        """Toggle 'Sync CluedIn Data Sources'."""
        return settings.sync_cluedin_data_sources

    def snapshot(self, ctx: SyncContext) -> dict[str, dict[str, Any]]:
        """Every asset carrying the keyword term(s), from Purview search (streamed page by page)."""
        keywords = ctx.settings.keyword_terms()
        if not keywords:
            raise SettingsError(
                "Sync CluedIn Data Sources needs SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS (a glossary term name, or '*')",
                settings=["SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS"],
            )
        purview: PurviewClient = ctx.client("purview")
        assets: dict[str, dict[str, Any]] = {}
        for page in purview.iter_search(filter=search_filter(keywords)):
            for hit in page:
                if not is_syncable_hit(hit):
                    continue
                key = asset_key(str(hit["entityType"]), str(hit["qualifiedName"]))
                assets[key] = {
                    "guid": str(hit["id"]),
                    "typeName": str(hit["entityType"]),
                    "qualifiedName": str(hit["qualifiedName"]),
                    "name": str(hit.get("name") or hit["qualifiedName"]),
                    "updateTime": hit.get("updateTime"),
                }
        return assets

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: AppSettings
    ) -> list[Change]:
        """New assets → create; assets whose Purview record changed → update (refresh schema); gone → delete."""
        changes: list[Change] = []
        taken = {str(obj.target.get("group_name")) for obj in state.values() if obj.target.get("group_name")}
        for key in sorted(snapshot):
            asset = snapshot[key]
            obj = state.get(key)
            if obj is None or not obj.target.get("group_name"):
                group_name = asset["name"]
                if group_name in taken:
                    group_name = f"{asset['name']} ({name_suffix(asset['qualifiedName'])})"
                taken.add(group_name)
                desired = {**asset, "group_name": group_name}
                changes.append(self.change(ChangeKind.CREATE, key, desired, f"create data source '{group_name}'"))
                continue
            desired = {**asset, "group_name": obj.target["group_name"]}
            if obj.fingerprint != fingerprint(desired) or not obj.active:
                changes.append(self.change(ChangeKind.UPDATE, key, desired, f"refresh data source '{asset['name']}'"))
        for key, obj in sorted(state.items()):
            if key not in snapshot and obj.active:
                changes.append(
                    self.change(ChangeKind.DELETE, key, {"guid": obj.source.get("guid")}, f"orphan data source {key}")
                )
        return changes

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """Ensure the group and data source exist in CluedIn and record them, with the asset's schema, in state."""
        obj = ctx.state.claim(self.object_kind, change.key, owner=owner)
        if change.kind == ChangeKind.DELETE:
            obj.status = "orphaned"
            ctx.state.release(obj)
            return ApplyOutcome("applied", "marked orphaned (CluedIn data sources are never deleted by the app)")
        if obj.fingerprint == change.fingerprint and obj.active:
            ctx.state.release(obj)
            return ApplyOutcome("skipped", "already applied")
        desired = change.desired
        purview: PurviewClient = ctx.client("purview")
        asset = read_asset(purview, str(desired["guid"]))
        if asset is None:
            ctx.state.release(obj)
            return ApplyOutcome("skipped", "asset no longer exists in Purview")
        cluedin: CluedInClient = ctx.client("cluedin")
        notes: list[Notification] = []
        obj.source = {"guid": asset.guid, "typeName": asset.type_name, "qualifiedName": asset.qualified_name}
        created = self._ensure_group(cluedin, ctx, obj, str(desired["group_name"]), asset.qualified_name)
        created_source = self._ensure_source(cluedin, ctx, obj, asset.name)
        if created or created_source:
            notes.append(
                Notification(event="DataSourceCreated", text=f"Data source '{asset.name}' created for purview asset")
            )
        obj.data = {"schema": asset.schema(), "name": asset.name, "terms": asset.terms}
        obj.fingerprint = change.fingerprint
        obj.status = "active"
        ctx.state.release(obj)
        detail = "created" if notes else "refreshed"
        return ApplyOutcome("applied", detail, notes)

    def _ensure_group(
        self, cluedin: CluedInClient, ctx: SyncContext, obj: SyncObject, name: str, qualified_name: str
    ) -> bool:
        """Find or create the data source group. Returns True when this call created it.

        The intended name is written to state before the create call: if the process dies after CluedIn created
        the group but before its id was saved, the retry adopts the group of that name instead of creating another.
        A group of that name that the app never intended to create belongs to someone else: the app then uses the
        suffixed name.
        """
        if obj.target.get("group_id"):
            return False
        for candidate in (name, f"{name} ({name_suffix(qualified_name)})"):
            existing = cluedin.find_data_source_set(candidate)
            if existing is not None and obj.data.get("creating_group") == candidate:
                obj.target.update(group_id=str(existing["id"]), group_name=candidate)
                ctx.state.save(obj)
                return False
            if existing is None:
                obj.data["creating_group"] = candidate
                ctx.state.save(obj)
                group_id = cluedin.create_data_source_set(candidate)
                obj.target.update(group_id=group_id, group_name=candidate)
                ctx.state.save(obj)
                return True
        raise FatalError(
            f"data source group names '{name}' and its suffixed form are taken by groups the app did not create"
        )

    def _ensure_source(self, cluedin: CluedInClient, ctx: SyncContext, obj: SyncObject, name: str) -> bool:
        """Create the endpoint data source inside the group, adopting one a crashed attempt already created."""
        if obj.target.get("source_id"):
            return False
        if obj.data.get("creating_source") == name:
            # A previous attempt may have created it and died before saving its id: adopt it if so.
            group = cluedin.find_data_source_set(str(obj.target["group_name"]))
            existing = next((s for s in (group or {}).get("dataSources") or [] if s.get("name") == name), None)
            if existing is not None:
                obj.target["source_id"] = str(existing["id"])
                ctx.state.save(obj)
                return False
        obj.data["creating_source"] = name
        ctx.state.save(obj)
        obj.target["source_id"] = cluedin.create_data_source(str(obj.target["group_id"]), name)
        ctx.state.save(obj)
        return True
