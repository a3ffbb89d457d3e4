"""F10 — Sync data products: Unified Catalog data products → CluedIn data source groups, and entities back.

As in CluedIn's integration: every *published* data product of type master/reference data that is linked to a
term named by "Sync Data Products Term Pattern" (names or ids, comma-separated) becomes one CluedIn data source
group named after the product, with one endpoint data source per data asset. The Data Factory automation then
creates an ingestion endpoint and a copy pipeline for each of those assets without needing a glossary term: it
reads them from this feature's `api.py` (docs/decisions/0910-data-products.md). With "Append Asset to Data
Product", the Cluedin Entity the product's data sets are mapped to is added to the product's data assets, once.

Unpublished products, other types, assets a generated pipeline cannot copy and terms that match nothing are
reported in the run report with the reason, and nothing is created for them. CluedIn cannot delete data source
groups, so a product that leaves the selection is marked orphaned (its assets stop being automated).

Notifications, in CluedIn's words: "Datasource Sets 'Customer Journey' created for purview Data Product" and
"2 data sources have been created. (Employee, Customer)".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sync.core.diff import diff
from sync.core.errors import SettingsError
from sync.core.feature import ApplyOutcome, Feature, Notification, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.features.dataproducts.api import DATAPRODUCT_KIND
from sync.features.dataproducts.append import APPENDED_EVENT, append_entities, appended_text, entries_to_append
from sync.features.dataproducts.catalog import MemberAsset, read_catalog
from sync.features.dataproducts.settings import DataProductsSettings
from sync.features.dataproducts.sources import ensure_sources
from sync.features.lineage.api import MappedEntity, iter_mapped_entities, writes_lineage
from sync.features.pipelines.api import automation_enabled, copy_problem
from sync.services.purview.assets import OWN_TYPE_PREFIX, asset_key

DETECTED_EVENT = "DataProductDetected"
SOURCES_EVENT = "DataProductDataSourcesCreated"


def detected_text(group: str) -> str:
    """CluedIn's "Data Product Detected" notification."""
    return f"Datasource Sets '{group}' created for purview Data Product"


def sources_text(names: list[str]) -> str:
    """CluedIn's "Data source created for Purview Data Product '<name>'" notification."""
    return f"{len(names)} data sources have been created. ({', '.join(names)})"


def copyable(product: str, members: list[MemberAsset], notes: list[str]) -> list[dict[str, str]]:
    """The desired form of the assets a generated pipeline can copy; the others are noted with the reason."""
    assets = []
    for member in members:
        if member.type_name.startswith(OWN_TYPE_PREFIX):
            continue  # the app's own node (an appended Cluedin Entity), never a source of data
        problem = "it points at no Data Map asset" if not member.guid or not member.qualified_name else ""
        problem = problem or copy_problem(member.type_name, member.qualified_name) or ""
        if problem:
            notes.append(f"Data product '{product}': asset '{member.name}' is skipped: {problem}")
            continue
        assets.append(
            {
                "key": asset_key(member.type_name, member.qualified_name),
                "catalogId": member.id,
                "guid": member.guid,
                "typeName": member.type_name,
                "qualifiedName": member.qualified_name,
                "name": member.name,
            }
        )
    return sorted(assets, key=lambda a: a["key"])


def mapped_entities(ctx: SyncContext, rows: Mapping[str, SyncObject]) -> dict[str, list[MappedEntity]]:
    """Product id → the Cluedin Entities its data sources' data sets are mapped to (lineage's published rows)."""
    product_of = {
        str(source.get("id")): key
        for key, row in rows.items()
        if row.active
        for source in (row.target.get("sources") or {}).values()
        if source.get("id")
    }
    found: dict[str, list[MappedEntity]] = {}
    for entity in iter_mapped_entities(ctx.state, set(product_of)):
        found.setdefault(product_of[entity.data_source_id], []).append(entity)
    return found


class DataProductsFeature(Feature):
    """Purview data products → CluedIn data source groups (and their Cluedin Entity back to the product)."""

    name: ClassVar[str] = "dataproducts"
    title: ClassVar[str] = "Sync Data Products DataSources"
    settings_model = DataProductsSettings
    needs: ClassVar[tuple[str, ...]] = ("unified", "purview", "cluedin")
    object_kind: ClassVar[str] = DATAPRODUCT_KIND
    queue: ClassVar[Queues] = Queues.CLUEDIN
    deletes_on_target: ClassVar[bool] = False
    state_fields: ClassVar[frozenset[str] | None] = frozenset({"target"})
    """The planner needs the group only; the assets' schemas and appended entities stay in the store."""

    def enabled(self, settings: Settings) -> bool:
        """Toggle 'Sync Data Products DataSources'."""
        return settings.get(DataProductsSettings).sync_data_products_datasources

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """Linked, published master/reference products with their copyable assets (and entities to append)."""
        settings = ctx.settings.get(DataProductsSettings)
        term_ids, term_names = settings.term_references()
        if not term_ids and not term_names:
            raise SettingsError(
                "Sync Data Products DataSources needs SYNC_DATA_PRODUCTS_TERM_PATTERN (term names or ids)",
                settings=["SYNC_DATA_PRODUCTS_TERM_PATTERN"],
            )
        read = read_catalog(ctx.client("unified"), ctx.state, term_ids=term_ids, term_names=term_names)
        notes = list(read.notes)
        if not automation_enabled(ctx.settings):
            notes.append(
                "Data Factory Pipeline Automation (DATA_FACTORY_PIPELINE_AUTOMATION) is off: the data products' "
                "assets get data sources, but nothing loads them"
            )
        rows: dict[str, SyncObject] = {}
        entities: dict[str, list[MappedEntity]] = {}
        if settings.append_asset_to_data_product:
            if not writes_lineage(ctx.settings):
                notes.append(
                    "Append Asset to Data Product needs data-set lineage (SYNC_CLUEDIN_DATA_SOURCES), which writes "
                    "the Cluedin Entity to append"
                )
            rows = {obj.key: obj for obj in ctx.state.iter_objects(DATAPRODUCT_KIND)}
            entities = mapped_entities(ctx, rows)
        desired: dict[str, dict[str, Any]] = {}
        for product_id, product in read.products.items():
            assets = copyable(product.name, read.members.get(product_id, []), notes)
            if not assets:
                notes.append(f"Data product '{product.name}' has no data asset Data Factory can copy: nothing created")
                continue
            desired[product_id] = {"id": product_id, "name": product.name, "assets": assets}
            append = entries_to_append(entities.get(product_id, []), rows.get(product_id)) if rows else []
            if append:  # only then: turning the setting on or off changes nothing until there is an entity
                desired[product_id]["append"] = append
        return Snapshot(desired, after_send=[lambda: read.store(ctx.state)], notes=notes)

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        """New products → create; changed membership, name or entities to append → update; gone → orphan."""

        def make(kind: ChangeKind, key: str, wanted: dict[str, Any]) -> Change:
            summary = {
                ChangeKind.CREATE: f"create data source group for data product '{wanted.get('name')}' "
                f"({len(wanted.get('assets') or [])} data sources)",
                ChangeKind.UPDATE: f"update data product '{wanted.get('name')}'",
                ChangeKind.DELETE: f"orphan data product {key}",
            }[kind]
            return self.change(kind, key, wanted, summary)

        return diff(
            snapshot,
            state,
            make,
            kind_for=lambda obj: (
                ChangeKind.UPDATE if obj is not None and obj.target.get("group_id") else ChangeKind.CREATE
            ),
        )

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """Ensure the product's group and data sources, then append its entities; recorded in its state row."""
        if change.kind == ChangeKind.DELETE:
            with ctx.state.leased(self.object_kind, change.key, owner=owner) as obj:
                obj.status = "orphaned"
                ctx.state.release(obj)
            return ApplyOutcome("applied", "marked orphaned (CluedIn data sources are never deleted by the app)")
        current = ctx.state.get_object(self.object_kind, change.key)
        if current is not None and current.active and current.fingerprint == change.fingerprint:
            return ApplyOutcome("skipped", "already applied")
        desired = change.desired
        with ctx.state.leased(self.object_kind, change.key, owner=owner) as obj:
            obj.source = {"productId": change.key, "name": desired["name"]}
            made = ensure_sources(ctx, obj, change.key, desired)
            if made.created:
                ctx.state.save(obj)  # the data sources are recorded before anything else can fail
            appended, append_problems = append_entities(
                ctx.client("unified"), obj, change.key, desired.get("append") or []
            )
            problems = made.problems + append_problems
            if not problems:
                obj.fingerprint = change.fingerprint  # otherwise the next cycle tries the rest again
            obj.status = "active"
            ctx.state.release(obj)
        group = str(obj.target.get("group_name"))
        notes: list[Notification] = []
        if made.group_created:
            notes.append(Notification(event=DETECTED_EVENT, text=detected_text(group)))
        if made.created:
            notes.append(Notification(event=SOURCES_EVENT, text=sources_text(made.created)))
        notes += [Notification(event=APPENDED_EVENT, text=appended_text(t, desired["name"])) for t in appended]
        done = [f"group '{group}'", f"{len(made.created)} data source(s) created"]
        done += [f"{len(appended)} entity(ies) appended"] if appended else []
        return ApplyOutcome("applied", "; ".join(done + problems), notes)
