"""F12 — Data Factory pipeline automation.

Every Purview asset carrying a glossary term whose name matches "Pipeline Automation Term Pattern" (a
regular expression, searched anywhere in the term name as .NET's Regex.IsMatch does) gets its copy pipeline
once; the pipeline is the one the HTTP function would make (provision.py), in the same state row. The assets
of data products synced by "Sync Data Products DataSources" are automated too, without a term, into their
product's data source (read through that feature's `api.py`; docs/decisions/0910-data-products.md).
Assets of unsupported kinds are reported and skipped. An asset that loses its term is handled by the delete
policy: `retain` keeps the pipeline (orphaned), `soft-delete` removes its trigger, pipeline and datasets (shared
linked services and the CluedIn data set stay). Pipelines created on request are never removed by automation.
Notifications, one per message batch, as CluedIn words them: "N Ingestion Endpoints created for purview
assets. (Account.csv)" and "N ADF Pipelines created for purview assets. (AccountCsvPipeline_…)".
Between timer cycles, Purview's entity notifications plan only the assets they name (`snapshot_of`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, ClassVar

from sync.core.changefeed import FeedEntry
from sync.core.compared import ComparedFeature
from sync.core.diff import storage_order
from sync.core.errors import FatalError, SettingsError, StaleChangeError
from sync.core.feature import ApplyOutcome, Notification, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.settings import DeletePolicy, Settings
from sync.core.telemetry import log_event
from sync.features.dataproducts.api import assets_to_automate, syncs_data_products
from sync.features.pipeline_schedules.api import remove_schedule
from sync.features.pipelines.names import PipelineNames
from sync.features.pipelines.provision import PIPELINE_KIND, pipeline_desired, provision_pipeline, require_settings
from sync.features.pipelines.settings import PipelinesSettings
from sync.features.pipelines.stores import UnsupportedAssetError, unsupported_reason
from sync.services.datafactory.client import DataFactoryClient
from sync.services.purview.assets import asset_key, is_syncable_hit, read_asset, search_filter
from sync.services.purview.client import PurviewClient
from sync.services.purview.notified import PURVIEW_FEED, entity_identity, read_notified_assets
from sync.services.purview.terms import iter_terms, pattern_matcher, pattern_rule

log = logging.getLogger("sync.features.pipelines.feature")
TERMS_PER_SEARCH = 20


def pipelines_created_text(pipelines: list[str]) -> str:
    """CluedIn's "ADF Pipelines Created" notification."""
    return f"{len(pipelines)} ADF Pipelines created for purview assets. ({', '.join(pipelines)})"


def endpoints_created_text(assets: list[str]) -> str:
    """CluedIn's "Ingestion Endpoints created for Azure Data Factory" notification."""
    return f"{len(assets)} Ingestion Endpoints created for purview assets. ({', '.join(assets)})"


def matching_terms(purview: PurviewClient, pattern: str) -> list[tuple[str, str]]:
    """(term name, glossary name) of every glossary term whose name matches the pattern."""
    accepts = pattern_rule(pattern)
    return [(term.name, term.glossary) for term in iter_terms(purview) if accepts(term)]


def tagged_assets(purview: PurviewClient, pattern: str) -> dict[str, dict[str, Any]]:
    """Assets carrying a term matching the pattern (one search per batch of terms), of supported kinds only."""
    terms = matching_terms(purview, pattern)
    assets: dict[str, dict[str, Any]] = {}
    for start in range(0, len(terms), TERMS_PER_SEARCH):
        keywords = [
            f"{term}@{glossary}" if glossary else term for term, glossary in terms[start : start + TERMS_PER_SEARCH]
        ]
        for page in purview.iter_search(filter=search_filter(keywords)):
            for hit in page:
                if not is_syncable_hit(hit):
                    continue
                qualified_name = str(hit["qualifiedName"])
                name = str(hit.get("name") or qualified_name)
                found = _candidate(str(hit["id"]), str(hit["entityType"]), qualified_name, name)
                if found is not None:
                    assets[found[0]] = found[1]
    return assets


def _candidate(guid: str, type_name: str, qualified_name: str, name: str) -> tuple[str, dict[str, Any]] | None:
    """(key, desired asset) of a tagged asset a pipeline can be made for; None (and a warning) otherwise."""
    problem = unsupported_reason(type_name, qualified_name)
    if problem:
        log_event(
            log,
            "PipelineAssetUnsupported",
            f"asset {qualified_name} carries an automation term but is not supported: {problem}",
            level=logging.WARNING,
            type_name=type_name,
        )
        return None
    return asset_key(type_name, qualified_name), {
        "guid": guid,
        "typeName": type_name,
        "qualifiedName": qualified_name,
        "name": name,
    }


def _product_assets(ctx: SyncContext) -> dict[str, dict[str, Any]]:
    """Desired state of the assets of synced data products (loaded into their product's data source)."""
    return {
        key: {
            "guid": asset.guid,
            "typeName": asset.type_name,
            "qualifiedName": asset.qualified_name,
            "name": asset.name,
            "dataSourceId": asset.data_source_id,
        }
        for key, asset in assets_to_automate(ctx.state).items()
    }


def _add_created_notifications(outcome: ApplyOutcome, pipelines: list[str], endpoints: list[str]) -> None:
    if endpoints:
        outcome.notifications.append(
            Notification(event="IngestionEndpointsCreated", text=endpoints_created_text(endpoints))
        )
    if pipelines:
        outcome.notifications.append(Notification(event="AdfPipelinesCreated", text=pipelines_created_text(pipelines)))


class PipelinesFeature(ComparedFeature):
    """F12: tagged Purview assets → CluedIn ingestion endpoint + ADF copy pipeline."""

    name: ClassVar[str] = "pipelines"
    title: ClassVar[str] = "Data Factory Pipeline Automation"
    settings_model = PipelinesSettings
    schedule: ClassVar[str] = "PIPELINE_AUTOMATION_SCHEDULE"
    depends_on: ClassVar[tuple[str, ...]] = ("datasources", "dataproducts")
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin", "datafactory")
    object_kind: ClassVar[str] = PIPELINE_KIND
    queue: ClassVar[Queues] = Queues.DATA_FACTORY
    deletes_on_target: ClassVar[bool] = True
    max_changes_per_message: ClassVar[int] = 10
    pushed_feeds: ClassVar[frozenset[str]] = frozenset({PURVIEW_FEED})
    plans_in_order: ClassVar[bool] = True

    def enabled(self, settings: Settings) -> bool:
        """Toggle 'Data Factory Pipeline Automation'."""
        return settings.get(PipelinesSettings).data_factory_pipeline_automation

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """Assets tagged with a matching term, and the assets of synced data products (no term needed).

        A data product's asset is loaded into its product's data source (published by the data-product sync), so
        when an asset is both tagged and in a product, the product's data source wins: one automation path per
        asset, as CluedIn's documentation asks. Every setting a pipeline needs (the Key Vault among them) is
        checked first: a missing one ends the cycle as not-configured, naming it, instead of planning changes that
        could only fail when applied.
        """
        pattern, products = self._sources(ctx)
        assets = tagged_assets(ctx.client("purview"), pattern) if pattern else {}
        if products:
            assets.update(_product_assets(ctx))
        return Snapshot(ordered=sorted(assets.items(), key=lambda item: storage_order(item[0])))

    def snapshot_of(self, ctx: SyncContext, entries: Sequence[FeedEntry]) -> Snapshot:
        """The notified assets carrying a matching term, or belonging to a synced data product.

        Assets are read by guid (search may not have indexed them yet); a product's data source wins, as in the full
        snapshot.
        """
        pattern, products = self._sources(ctx)
        notified = read_notified_assets(ctx.client("purview"), entries)
        in_products = _product_assets(ctx) if products and notified.scope else {}
        tagged = pattern_matcher(pattern) if pattern else None
        assets: dict[str, dict[str, Any]] = {}
        for entity in notified.entities:
            found = _candidate(*entity_identity(entity)) if tagged is not None and tagged(entity) else None
            if found is not None:
                assets[found[0]] = found[1]
        assets.update({key: asset for key, asset in in_products.items() if key in notified.scope})
        return Snapshot(assets, scope=notified.scope)

    @staticmethod
    def _sources(ctx: SyncContext) -> tuple[str, bool]:
        """(term pattern, whether data products are automated), after every setting a pipeline needs is checked."""
        require_settings(ctx.settings)
        pattern = ctx.settings.get(PipelinesSettings).pipeline_automation_term_pattern
        products = syncs_data_products(ctx.settings)
        if not pattern and not products:
            raise SettingsError(
                "Data Factory Pipeline Automation needs PIPELINE_AUTOMATION_TERM_PATTERN (a regular expression)",
                settings=["PIPELINE_AUTOMATION_TERM_PATTERN"],
            )
        return pattern, products

    def make_change(self, kind: ChangeKind, key: str, desired: dict[str, Any]) -> Change:
        """Create or update an asset's pipeline, or remove the pipeline of an asset no longer automated."""
        if kind == ChangeKind.DELETE:
            return self.change(kind, key, desired, f"remove pipeline of {key}")
        return self.change(kind, key, desired, f"{kind} pipeline for '{desired['name']}'")

    def diff_options(self, settings: Settings) -> dict[str, Any]:
        """New tagged assets → create; changed settings/asset → update; untagged automated ones → delete.

        Under soft-delete, pipelines orphaned earlier (while the policy was `retain`) are removed too. Pipelines
        created on request are never removed by automation.
        """
        soft = settings.engine.sync_delete_policy == DeletePolicy.SOFT_DELETE
        removable = {"active", "orphaned"} if soft else {"active"}
        return {
            "desired": lambda key, asset, obj: pipeline_desired(asset, settings),
            "kind_for": lambda obj: ChangeKind.UPDATE if obj is not None and obj.active else ChangeKind.CREATE,
            "removable": lambda obj: (
                obj.status in removable and bool(obj.data.get("automated")) and not obj.data.get("requested")
            ),
            "removal": lambda key, obj: {**obj.source, "names": obj.target.get("names") or {}},
        }

    def check_change(self, change: Change) -> str:
        """A create or update needs the asset's guid; a removal, the names of what to remove."""
        if change.kind == ChangeKind.DELETE:
            names = change.desired.get("names")
            return "" if isinstance(names, dict) else "desired state lacks names (an object)"
        guid = change.desired.get("guid")
        return "" if isinstance(guid, str) and guid else "desired state lacks guid (text)"

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """Provision (create/update) or remove one asset's pipeline."""
        outcome, pipeline, endpoint = self._apply_one(change, ctx, owner)
        _add_created_notifications(outcome, [pipeline] if pipeline else [], [endpoint] if endpoint else [])
        return outcome

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """Apply one message's changes; CluedIn's two "created" notifications are summed over the batch."""
        outcomes: list[ApplyOutcome] = []
        pipelines: list[str] = []
        endpoints: list[str] = []
        for change in changes:
            try:
                outcome, pipeline, endpoint = self._apply_one(change, ctx, owner)
            except FatalError as exc:
                outcome, pipeline, endpoint = ApplyOutcome("failed", str(exc), fatal=True), None, None
            except StaleChangeError as exc:
                outcome, pipeline, endpoint = ApplyOutcome("skipped", str(exc)), None, None
            outcomes.append(outcome)
            pipelines += [pipeline] if pipeline else []
            endpoints += [endpoint] if endpoint else []
        applied = next((o for o in outcomes if o.result == "applied"), None)
        if applied is not None:
            _add_created_notifications(applied, pipelines, endpoints)
        return outcomes

    def _apply_one(self, change: Change, ctx: SyncContext, owner: str) -> tuple[ApplyOutcome, str | None, str | None]:
        """One change; also returns the pipeline and endpoint (asset) names it created, if any."""
        if change.kind == ChangeKind.DELETE:
            return self._remove(change, ctx, owner), None, None
        current = ctx.state.get_object(self.object_kind, change.key)
        if current is not None and current.active and current.fingerprint == change.fingerprint:
            return ApplyOutcome("skipped", "already applied"), None, None
        asset = read_asset(ctx.client("purview"), str(change.desired["guid"]))
        if asset is None:
            return ApplyOutcome("skipped", "asset no longer exists in Purview"), None, None
        try:
            data_source = change.desired.get("dataSource")
            result = provision_pipeline(
                ctx, asset, owner=owner, origin="automated", data_source_id=str(data_source) if data_source else None
            )
        except UnsupportedAssetError as exc:
            return ApplyOutcome("failed", str(exc), fatal=True), None, None
        detail = f"pipeline {result.names.pipeline}: wrote {len(result.written)} entities"
        outcome = ApplyOutcome("applied", detail, list(result.notifications))
        return (
            outcome,
            result.names.pipeline if result.pipeline_created else None,
            asset.name if result.endpoint_created else None,
        )

    def _remove(self, change: Change, ctx: SyncContext, owner: str) -> ApplyOutcome:
        obj = ctx.state.get_object(self.object_kind, change.key)
        if obj is None or not obj.target.get("names") or obj.status == "deleted":
            return ApplyOutcome("skipped", "already removed")
        names = PipelineNames.from_dict(obj.target["names"])
        notes: list[Notification] = []
        note = remove_schedule(ctx, pipeline=names.pipeline, trigger=names.trigger, owner=owner)
        if note is not None:
            notes.append(note)
        adf: DataFactoryClient = ctx.client("datafactory")
        adf.delete_entity("pipelines", names.pipeline)
        adf.delete_entity("datasets", names.source_dataset)
        adf.delete_entity("datasets", names.sink_dataset)
        with ctx.state.leased(self.object_kind, change.key, owner=owner) as obj:
            obj.status = "deleted"
            obj.data["entities"] = {}
            ctx.state.release(obj)
        return ApplyOutcome("applied", f"removed pipeline {names.pipeline} and its datasets", notes)
