"""F1 — Sync data sources: Purview assets tagged with a glossary term → CluedIn data source groups and sources.

As in CluedIn's own integration, each asset becomes one data source group named after the asset, holding one
endpoint data source of the same name; only metadata moves (data flows through the Data Factory feature).
The group name is fixed when the group is created, stays stable across runs, and gets a short suffix derived
from the asset's qualifiedName when another asset (or a group the app did not create) already has that name.

Keys are `<typeName>|<qualifiedName>`: Purview's own identity of an asset, which survives a re-scan that gives
the asset a new guid. The asset's schema is kept in state for the lineage and pipeline features (`api.py`).

CluedIn offers no API to delete data source groups, so a removed or untagged asset never deletes anything in
CluedIn: under either delete policy its state is marked orphaned and the report lists it.

Between timer cycles, Purview's entity notifications plan only the assets they name (`snapshot_of`): the same
desired state read from the entity itself, its terms matched by name as search matches them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

from sync.core.changefeed import FeedEntry
from sync.core.diff import iter_diff, storage_order
from sync.core.errors import SettingsError
from sync.core.feature import ApplyOutcome, Feature, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.settings import Settings
from sync.core.state import SyncObject, fingerprint
from sync.core.state.leases import superseded
from sync.features.datasources.api import DATASOURCE_KIND, ensure_data_source, name_suffix
from sync.features.datasources.settings import DataSourcesSettings
from sync.services.purview.assets import (
    asset_key,
    is_syncable_hit,
    read_asset,
    search_filter,
)
from sync.services.purview.client import PurviewClient
from sync.services.purview.notified import PURVIEW_FEED, entity_identity, read_notified_assets
from sync.services.purview.terms import keyword_matcher


def _desired(guid: str, type_name: str, qualified_name: str, name: str, update_time: Any) -> dict[str, Any]:
    """One asset's desired state, the same whether it was found by search or read by guid."""
    return {
        "guid": guid,
        "typeName": type_name,
        "qualifiedName": qualified_name,
        "name": name,
        "updateTime": update_time,
    }


def _kind_for(obj: SyncObject | None) -> ChangeKind:
    """An update when the row names its group already; else a create."""
    return ChangeKind.UPDATE if obj is not None and obj.target.get("group_name") else ChangeKind.CREATE


class _GroupNames:
    """The CluedIn group name of each asset: kept from its row, else its name, made unique among those taken."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken

    def desired(self, key: str, asset: dict[str, Any], obj: SyncObject | None) -> dict[str, Any]:
        """The asset's desired state with its group name."""
        if obj is not None and obj.target.get("group_name"):
            return {**asset, "group_name": obj.target["group_name"]}
        group_name = asset["name"]
        if group_name in self.taken:
            group_name = f"{asset['name']} ({name_suffix(asset['qualifiedName'])})"
        self.taken.add(group_name)
        return {**asset, "group_name": group_name}


class DataSourcesFeature(Feature):
    """Purview assets → CluedIn data source groups and data sources."""

    name: ClassVar[str] = "datasources"
    title: ClassVar[str] = "Sync CluedIn Data Sources"
    settings_model = DataSourcesSettings
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin")
    object_kind: ClassVar[str] = DATASOURCE_KIND
    state_fields: ClassVar[frozenset[str] | None] = frozenset({"source", "target"})
    queue: ClassVar[Queues] = Queues.CLUEDIN
    deletes_on_target: ClassVar[bool] = False
    pushed_feeds: ClassVar[frozenset[str]] = frozenset({PURVIEW_FEED})
    plans_in_order: ClassVar[bool] = True

    def enabled(self, settings: Settings) -> bool:
        """Toggle 'Sync CluedIn Data Sources'."""
        return settings.get(DataSourcesSettings).sync_cluedin_data_sources

    @staticmethod
    def _keywords(ctx: SyncContext) -> list[str]:
        keywords = ctx.settings.get(DataSourcesSettings).keyword_terms()
        if not keywords:
            raise SettingsError(
                "Sync CluedIn Data Sources needs SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS (a glossary term name, or '*')",
                settings=["SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS"],
            )
        return keywords

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """Every asset carrying the keyword term(s), from Purview search (streamed page by page), in storage order.

        Search answers in its own order, so the assets are held and sorted; the state rows, twice their size, are
        then read as the plan goes (`plan_ordered`).
        """
        keywords = self._keywords(ctx)
        purview: PurviewClient = ctx.client("purview")
        assets: dict[str, dict[str, Any]] = {}
        for page in purview.iter_search(filter=search_filter(keywords)):
            for hit in page:
                if not is_syncable_hit(hit):
                    continue
                type_name, qualified_name = str(hit["entityType"]), str(hit["qualifiedName"])
                name = str(hit.get("name") or qualified_name)
                assets[asset_key(type_name, qualified_name)] = _desired(
                    str(hit["id"]), type_name, qualified_name, name, hit.get("updateTime")
                )
        return Snapshot(ordered=sorted(assets.items(), key=lambda item: storage_order(item[0])))

    def snapshot_of(self, ctx: SyncContext, entries: Sequence[FeedEntry]) -> Snapshot:
        """The notified assets that carry a keyword term, read by guid (search may not have indexed them yet)."""
        keywords = self._keywords(ctx)
        purview: PurviewClient = ctx.client("purview")
        notified = read_notified_assets(purview, entries)
        tagged = keyword_matcher(purview, keywords) if notified.entities and "*" not in keywords else None
        assets: dict[str, dict[str, Any]] = {}
        for entity in notified.entities:
            if tagged is not None and not tagged(entity):
                continue
            guid, type_name, qualified_name, name = entity_identity(entity)
            assets[asset_key(type_name, qualified_name)] = _desired(
                guid, type_name, qualified_name, name, entity.get("updateTime")
            )
        return Snapshot(assets, scope=notified.scope)

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> Iterator[Change]:
        """New assets → create; assets whose Purview record changed → update (refresh schema); gone → delete.

        Yielded one at a time: at 100,000 assets the changes of a first sync would outweigh the snapshot twice.
        """
        naming = _GroupNames(
            {str(obj.target.get("group_name")) for obj in state.values() if obj.target.get("group_name")}
        )
        return iter_diff(
            snapshot,
            state,
            self._make,
            desired=naming.desired,
            kind_for=_kind_for,
            removal=lambda key, obj: {"guid": obj.source.get("guid")},
        )

    def plan_ordered(
        self,
        pairs: Iterable[tuple[str, dict[str, Any] | None, SyncObject | None]],
        settings: Settings,
        *,
        seen: Mapping[str, dict[str, Any]] | None = None,
    ) -> Iterator[Change]:
        """`plan`, from assets and state rows paired in storage order: the rows are never held whole.

        An asset without a group name yet is named after every row was seen (a new group name must differ from
        all of them), in the key order `plan` names them in, so both plans choose the same names.
        """
        naming = _GroupNames(set())
        unnamed: list[tuple[str, dict[str, Any], SyncObject | None]] = []
        for key, asset, obj in pairs:
            if obj is not None and obj.target.get("group_name"):
                naming.taken.add(str(obj.target["group_name"]))
            if asset is None:
                if obj is not None and obj.active:
                    yield self._make(ChangeKind.DELETE, key, {"guid": obj.source.get("guid")})
            elif obj is None or not obj.target.get("group_name"):
                unnamed.append((key, asset, obj))
            else:
                yield from self._compare(key, naming.desired(key, asset, obj), obj)
        for key, asset, obj in sorted(unnamed, key=lambda item: item[0]):
            yield from self._compare(key, naming.desired(key, asset, obj), obj)

    def _compare(self, key: str, wanted: dict[str, Any], obj: SyncObject | None) -> Iterator[Change]:
        """What `iter_diff` decides for one asset that is still desired."""
        if obj is None or not obj.active or obj.fingerprint != fingerprint(wanted):
            yield self._make(_kind_for(obj), key, wanted)

    def _make(self, kind: ChangeKind, key: str, wanted: dict[str, Any]) -> Change:
        summary = {
            ChangeKind.CREATE: f"create data source '{wanted.get('group_name')}'",
            ChangeKind.UPDATE: f"refresh data source '{wanted.get('name')}'",
            ChangeKind.DELETE: f"orphan data source {key}",
        }[kind]
        return self.change(kind, key, wanted, summary)

    def check_change(self, change: Change) -> str:
        """A create or update needs the asset's guid and the group name the planner chose."""
        if change.kind == ChangeKind.DELETE:
            return ""
        missing = [
            f for f in ("guid", "group_name") if not isinstance(change.desired.get(f), str) or not change.desired[f]
        ]
        return f"desired state lacks {', '.join(missing)} (text)" if missing else ""

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """Ensure the group and data source exist in CluedIn and record them, with the asset's schema, in state.

        A change planned before a later cycle wrote the row (e.g. marked it orphaned) is skipped, not re-applied.
        """
        if change.kind == ChangeKind.DELETE:
            with ctx.state.leased(self.object_kind, change.key, owner=owner) as obj:
                obj.status = "orphaned"
                ctx.state.release(obj)
            return ApplyOutcome("applied", "marked orphaned (CluedIn data sources are never deleted by the app)")
        current = ctx.state.get_object(self.object_kind, change.key)
        if current is not None and current.fingerprint == change.fingerprint and current.active:
            return ApplyOutcome("skipped", "already applied")
        stale = superseded(current, owner) if current is not None else ""
        if stale:
            return ApplyOutcome("skipped", stale)
        purview: PurviewClient = ctx.client("purview")
        asset = read_asset(purview, str(change.desired["guid"]))
        if asset is None:
            return ApplyOutcome("skipped", "asset no longer exists in Purview")
        ensured = ensure_data_source(
            ctx,
            asset,
            owner=owner,
            group_name=str(change.desired["group_name"]),
            fingerprint=change.fingerprint,
            known=current,
        )
        return ApplyOutcome("applied", "created" if ensured.created else "refreshed", ensured.notifications)
