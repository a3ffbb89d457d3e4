"""F3 — Auto-map CluedIn data sets: columns of Purview-synced data sets → the vocabularies of their glossary terms.

As in CluedIn's integration (2023 and 2024 docs): for a data set in a data source synced from a Purview asset (by
"Sync data sources" or "Sync data products"), each column is mapped to the vocabulary made from the glossary term
assigned to the asset or to that schema column ("Sync Purview glossaries to CluedIn vocabularies", F6). An
existing key named like the column is used with its data type; otherwise a key is created with the data type of
the Purview schema column (Text by default). A mapping a user made is never overwritten: it is kept and
reported (`mapper.py`).

The planner reads no service but CluedIn's vocabulary listing: CluedIn's data sets come from data-set lineage's
facts cache (`lineage/api.py`), which lineage keeps current every sync tick, and the links to Purview assets from
F1's and F10's `api.py`. A data set is planned when its columns or a user's part of its mapping change, or when a
vocabulary made from a term appears — so a data set that waited for F6 is tried again then.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from itertools import chain
from typing import Any, ClassVar

from sync.core.compared import ComparedFeature
from sync.core.diff import storage_order
from sync.core.errors import SettingsError
from sync.core.feature import ApplyOutcome, Notification, Snapshot, SyncContext, apply_each
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.settings import Settings
from sync.core.state import StateStore, SyncObject
from sync.features.automap.mapper import auto_map
from sync.features.automap.settings import AutoMapSettings
from sync.features.automap.vocabularies import TermVocabularies
from sync.features.dataproducts.api import ProductAsset, iter_product_assets
from sync.features.datasources.api import LinkedAsset, iter_linked_assets
from sync.features.lineage.api import cluedin_data_sets, writes_lineage
from sync.services.cluedin.client import CluedInClient
from sync.services.cluedin.datasets import DataSetFacts, read_source_facts
from sync.services.purview.assets import Asset, read_asset
from sync.services.purview.client import PurviewClient

AUTOMAP_KIND = "automap"
MAPPED_EVENT = "DataSetAutoMapped"


def mapped_text(data_set: str, columns: int, vocabularies: list[str]) -> str:
    """Notification for an auto-mapped data set (CluedIn documents none for this feature)."""
    return f"Data Set '{data_set}' auto-mapped: {columns} column(s) to vocabulary {', '.join(vocabularies)}"


def _asset(purview: PurviewClient, link: Mapping[str, Any]) -> Asset | None:
    """The Purview asset a data source came from, by guid, or by typeName + qualifiedName when it changed."""
    asset = read_asset(purview, str(link["guid"])) if link.get("guid") else None
    if asset is not None:
        return asset
    found = purview.get_entities_by_qualified_names(str(link["typeName"]), [str(link["qualifiedName"])])
    guid = str((found.get(str(link["qualifiedName"])) or {}).get("guid") or "")
    return read_asset(purview, guid) if guid else None


def _asset_links(state: StateStore, data_source_ids: Collection[str]) -> dict[str, dict[str, str]]:
    """CluedIn data source id → the identity of the Purview asset it came from (F1's links win over F10's).

    Only for the data sources given: F1 may link 100,000 assets while a few thousand have data sets.
    """
    links: dict[str, dict[str, str]] = {}
    found: Iterable[ProductAsset | LinkedAsset] = chain(iter_product_assets(state), iter_linked_assets(state))
    for link in found:
        if link.data_source_id in data_source_ids:
            identity = {"guid": link.guid, "typeName": link.type_name, "qualifiedName": link.qualified_name}
            links[link.data_source_id] = identity
    return links


def _desired(facts: DataSetFacts, asset: dict[str, str], vocabularies: Any) -> dict[str, Any]:
    """A data set's desired state as CluedIn shows it now; `currentMapping` becomes `userMapped` when planned."""
    return {
        "dataSetId": facts.id,
        "name": facts.name,
        "dataSourceId": facts.data_source_id,
        "asset": asset,
        "fields": facts.fields(),
        "currentMapping": [[m.original, m.key] for m in facts.mappings if m.key],
        "vocabularies": vocabularies,
    }


def _with_users(key: str, desired: dict[str, Any], row: SyncObject | None) -> dict[str, Any]:
    """The desired state to compare and send: the mapping's fields the app did not map itself are the user's."""
    ours = (row.data.get("mapped") or {}) if row is not None else {}
    wanted = {name: value for name, value in desired.items() if name != "currentMapping"}
    wanted["userMapped"] = {
        original: mapped for original, mapped in desired.get("currentMapping") or [] if ours.get(original) != mapped
    }
    return wanted


class AutoMapFeature(ComparedFeature):
    """Data sets of Purview-synced data sources → mappings to the vocabularies of their glossary terms."""

    name: ClassVar[str] = "automap"
    title: ClassVar[str] = "Auto-Map CluedIn Data Sets"
    settings_model = AutoMapSettings
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin")
    depends_on: ClassVar[tuple[str, ...]] = ("datasources", "dataproducts", "lineage", "glossary_to_vocabularies")
    object_kind: ClassVar[str] = AUTOMAP_KIND
    queue: ClassVar[Queues] = Queues.CLUEDIN
    deletes_on_target: ClassVar[bool] = False
    state_fields: ClassVar[frozenset[str] | None] = frozenset({"data"})
    plans_in_order: ClassVar[bool] = True
    max_changes_per_message: ClassVar[int] = 10

    def enabled(self, settings: Settings) -> bool:
        """Toggle 'Auto-Map CluedIn Data Sets'."""
        return settings.get(AutoMapSettings).auto_map_cluedin_data_sets

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """Every data set with columns in a data source synced from a Purview asset, in storage order.

        Produced as the plan consumes it: lineage's facts cache is held packed, the links to assets only for the
        data sources that have data sets, and one data set's desired state is built at a time. Which part of the
        mapping is the user's depends on the state row, so the planner works it out (`_with_users`).
        """
        if not writes_lineage(ctx.settings):
            raise SettingsError(
                "Auto-Map CluedIn Data Sets sees CluedIn's data sets through data-set lineage: turn on "
                "SYNC_CLUEDIN_DATA_SOURCES",
                settings=["SYNC_CLUEDIN_DATA_SOURCES"],
            )
        facts = cluedin_data_sets(ctx.state)
        order: list[tuple[str, str]] = []
        sources: set[str] = set()
        for ident in facts:
            found = facts[ident]
            if found.fields():
                order.append((storage_order(found.id), ident))
                sources.add(found.data_source_id)
        links = _asset_links(ctx.state, sources)
        vocabularies = TermVocabularies.read(ctx.client("cluedin"), ctx.state).digest()

        def desired() -> Iterator[tuple[str, dict[str, Any]]]:
            for _, ident in sorted(order):
                found = facts[ident]
                link = links.get(found.data_source_id)
                if link is not None:
                    yield found.id, _desired(found, link, vocabularies)

        return Snapshot(ordered=desired())

    def diff_options(self, settings: Settings) -> dict[str, Any]:
        """New data sets, new columns, a user's mapping changed, or new vocabularies → map (again).

        The user's part of each mapping is worked out from its row (`_with_users`).
        """
        return {"desired": _with_users}

    def make_change(self, kind: ChangeKind, key: str, desired: dict[str, Any]) -> Change:
        """Auto-map a data set (again), or forget one that is gone or no longer linked."""
        summary = f"forget data set {key}" if kind == ChangeKind.DELETE else f"auto-map data set '{desired['name']}'"
        return self.change(kind, key, desired, summary)

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """The data sets of one message, one by one, with one listing of the vocabularies made from terms.

        Auto-mapping creates keys, never vocabularies, so the listing read for the first data set holds for the
        others (keys are read per data set).
        """
        listing: list[TermVocabularies] = []

        def vocabularies() -> TermVocabularies:
            if not listing:
                listing.append(TermVocabularies.read(ctx.client("cluedin"), ctx.state))
            return listing[0]

        return apply_each(changes, lambda change: self._apply(change, ctx, owner, vocabularies))

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """Map the data set's columns as they are in CluedIn now; record what the app mapped."""
        return self._apply(change, ctx, owner, lambda: TermVocabularies.read(ctx.client("cluedin"), ctx.state))

    def _apply(
        self, change: Change, ctx: SyncContext, owner: str, vocabularies: Callable[[], TermVocabularies]
    ) -> ApplyOutcome:
        if change.kind == ChangeKind.DELETE:
            with ctx.state.leased(self.object_kind, change.key, owner=owner) as obj:
                obj.status = "orphaned"
                ctx.state.release(obj)
            return ApplyOutcome("applied", "the data set is gone or no longer linked: nothing to map")
        current = ctx.state.get_object(self.object_kind, change.key)
        if current is not None and current.active and current.fingerprint == change.fingerprint:
            return ApplyOutcome("skipped", "already applied")
        desired = change.desired
        cluedin: CluedInClient = ctx.client("cluedin")
        found = read_source_facts(cluedin, str(desired["dataSourceId"])) or []
        facts = next((f for f in found if f.id == change.key), None)
        if facts is None:
            return ApplyOutcome("skipped", "the data set no longer exists in CluedIn")
        asset = _asset(ctx.client("purview"), desired["asset"])
        if asset is None:
            return ApplyOutcome("skipped", "the Purview asset no longer exists")
        take = ctx.settings.get(AutoMapSettings).auto_map_data_sets_fetch_vocabulary_keys_size
        with ctx.state.leased(self.object_kind, change.key, owner=owner) as obj:
            ours = dict(obj.data.get("mapped") or {})
            result = auto_map(cluedin, facts, asset, vocabularies(), ours=ours, take=take)
            obj.source = {"dataSetId": change.key, "name": facts.name, "asset": desired["asset"]}
            obj.data = {"mapped": result.mapped}
            obj.fingerprint = change.fingerprint
            obj.status = "active"
            ctx.state.release(obj)
        notes = []
        if result.newly:
            text = mapped_text(facts.name, len(result.newly), result.vocabularies)
            notes.append(Notification(event=MAPPED_EVENT, text=text))
        detail = [f"mapped {len(result.newly)} column(s)"]
        detail += [f"created keys {', '.join(result.created_keys)}"] if result.created_keys else []
        detail += [f"kept the user's mapping of {', '.join(result.kept)}"] if result.kept else []
        detail += [f"no vocabulary for {', '.join(result.unmapped)}"] if result.unmapped else []
        return ApplyOutcome("applied" if result.newly else "skipped", "; ".join(detail), notes)
