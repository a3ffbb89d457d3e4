"""F12 — Data Factory pipeline automation.

Every Purview asset carrying a glossary term whose name matches "Pipeline Automation Term Pattern" (a
regular expression, searched anywhere in the term name as .NET's Regex.IsMatch does) gets its copy pipeline
once; the pipeline is the one the HTTP function would make (provision.py), in the same state row.
Assets of unsupported kinds are reported and skipped. An asset that loses its term is handled by the delete
policy: `retain` keeps the pipeline (orphaned), `soft-delete` removes its trigger, pipeline and datasets (shared
linked services and the CluedIn data set stay). Pipelines created on request are never removed by automation.
Notifications, one per message batch, as CluedIn words them: "N Ingestion Endpoints created for purview
assets. (Account.csv)" and "N ADF Pipelines created for purview assets. (AccountCsvPipeline_…)".
Between timer cycles, Purview's entity notifications plan only the assets they name (`snapshot_of`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from sync.core.changefeed import FeedEntry
from sync.core.diff import diff
from sync.core.errors import FatalError, SettingsError, StaleChangeError
from sync.core.feature import ApplyOutcome, Feature, Notification, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.settings import DeletePolicy, Settings
from sync.core.state import SyncObject
from sync.core.telemetry import log_event
from sync.features.pipeline_schedules.api import remove_schedule
from sync.features.pipelines.names import PipelineNames
from sync.features.pipelines.provision import PIPELINE_KIND, pipeline_desired, provision_pipeline, require_settings
from sync.features.pipelines.settings import PipelinesSettings
from sync.features.pipelines.stores import UnsupportedAssetError, is_supported_type, resolve_source
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


def _unsupported_reason(type_name: str, qualified_name: str) -> str | None:
    """Why no pipeline can be made for a search hit (from its type and qualifiedName alone), or None."""
    if not is_supported_type(type_name):
        return f"type {type_name} is not supported"
    try:
        resolve_source(type_name, qualified_name)
    except UnsupportedAssetError as exc:
        return str(exc)
    return None


def _candidate(guid: str, type_name: str, qualified_name: str, name: str) -> tuple[str, dict[str, Any]] | None:
    """(key, desired asset) of a tagged asset a pipeline can be made for; None (and a warning) otherwise."""
    problem = _unsupported_reason(type_name, qualified_name)
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


def _add_created_notifications(outcome: ApplyOutcome, pipelines: list[str], endpoints: list[str]) -> None:
    if endpoints:
        outcome.notifications.append(
            Notification(event="IngestionEndpointsCreated", text=endpoints_created_text(endpoints))
        )
    if pipelines:
        outcome.notifications.append(Notification(event="AdfPipelinesCreated", text=pipelines_created_text(pipelines)))


class PipelinesFeature(Feature):
    """F12: tagged Purview assets → CluedIn ingestion endpoint + ADF copy pipeline."""

    name: ClassVar[str] = "pipelines"
    title: ClassVar[str] = "Data Factory Pipeline Automation"
    settings_model = PipelinesSettings
    schedule: ClassVar[str] = "PIPELINE_AUTOMATION_SCHEDULE"
    depends_on: ClassVar[tuple[str, ...]] = ("datasources",)
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin", "datafactory")
    object_kind: ClassVar[str] = PIPELINE_KIND
    queue: ClassVar[Queues] = Queues.DATA_FACTORY
    deletes_on_target: ClassVar[bool] = True
    max_changes_per_message: ClassVar[int] = 10
    pushed_feeds: ClassVar[frozenset[str]] = frozenset({PURVIEW_FEED})

    def enabled(self, settings: Settings) -> bool:
        """Toggle 'Data Factory Pipeline Automation'."""
        return settings.get(PipelinesSettings).data_factory_pipeline_automation

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """Assets tagged with a matching term (one search per batch of terms), of supported kinds only.

        Every setting a pipeline needs (the Key Vault among them) is checked first: a missing one ends the cycle
        as not-configured, naming it, instead of planning changes that could only fail when applied.
        """
        pattern = self._pattern(ctx)
        purview: PurviewClient = ctx.client("purview")
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
        return Snapshot(assets)

    def snapshot_of(self, ctx: SyncContext, entries: Sequence[FeedEntry]) -> Snapshot:
        """The notified assets carrying a matching term, read by guid (search may not have indexed them yet)."""
        pattern = self._pattern(ctx)
        purview: PurviewClient = ctx.client("purview")
        notified = read_notified_assets(purview, entries)
        tagged = pattern_matcher(pattern)
        assets: dict[str, dict[str, Any]] = {}
        for entity in notified.entities:
            if tagged(entity):
                found = _candidate(*entity_identity(entity))
                if found is not None:
                    assets[found[0]] = found[1]
        return Snapshot(assets, scope=notified.scope)

    @staticmethod
    def _pattern(ctx: SyncContext) -> str:
        """The term pattern, after every setting a pipeline needs (the Key Vault among them) is checked."""
        require_settings(ctx.settings)
        pattern = ctx.settings.get(PipelinesSettings).pipeline_automation_term_pattern
        if not pattern:
            raise SettingsError(
                "Data Factory Pipeline Automation needs PIPELINE_AUTOMATION_TERM_PATTERN (a regular expression)",
                settings=["PIPELINE_AUTOMATION_TERM_PATTERN"],
            )
        return pattern

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        """New tagged assets → create; changed settings/asset → update; untagged automated ones → delete.

        Under soft-delete, pipelines orphaned earlier (while the policy was `retain`) are removed too. Pipelines
        created on request are never removed by automation.
        """
        soft = settings.engine.sync_delete_policy == DeletePolicy.SOFT_DELETE
        removable = {"active", "orphaned"} if soft else {"active"}

        def make(kind: ChangeKind, key: str, desired: dict[str, Any]) -> Change:
            if kind == ChangeKind.DELETE:
                return self.change(kind, key, desired, f"remove pipeline of {key}")
            return self.change(kind, key, desired, f"{kind} pipeline for '{desired['name']}'")

        return diff(
            snapshot,
            state,
            make,
            desired=lambda key, asset, obj: pipeline_desired(asset, settings),
            kind_for=lambda obj: ChangeKind.UPDATE if obj is not None and obj.active else ChangeKind.CREATE,
            removable=lambda obj: (
                obj.status in removable and bool(obj.data.get("automated")) and not obj.data.get("requested")
            ),
            removal=lambda key, obj: {**obj.source, "names": obj.target.get("names") or {}},
        )

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
            result = provision_pipeline(ctx, asset, owner=owner, origin="automated")
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
