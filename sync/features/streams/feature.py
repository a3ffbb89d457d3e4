"""F8 — Sync CluedIn Streams: streams and export targets as lineage in Purview, with their F11 monitor events.

Per stream a Cluedin Stream Process (named after the stream; status, mode, condition and export target as
attributes) from the Cluedin Entity of each entity type its condition selects — found by previewing the condition
on up to "Sync Streams Preview Condition Sample Size" golden records, as the product does — to the Cluedin
Connector Entity of its export target (named by the target's account display; columns = the exported
properties), with column-level lineage vocabulary key → exported column. Stopped and paused streams stay, with
their status; removed streams and targets follow the delete policy. The Cluedin Entity nodes are shared with
data-set lineage and the other lineage features (`sync/core/ownership.py`): this feature holds the ones its
streams read from, with the exported keys as columns.

- `prepare`: register the types and create the target collection when needed (skipped in dry-run);
- `snapshot`: listings every cycle, previews only for streams that may have changed (`facts.py`); the facts
  cache is pending state the engine writes after enqueueing;
- `plan`: the core diff, ordered entity holds → export targets → streams, so one changed stream, its target and
  its entity types share a message (one bulk call);
- `apply_batch` (and `prepare`, shared with crawlers and enrichers in `record_feature.py`): lineage's record
  writer — one bulk upsert, one bulk delete and one state commit per message.

Notifications: the product's "Stream 'X' synced to Purview" for every stream written; "Export target 'X' synced
to Purview" and the removal texts are the app's own (the product publishes none).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sync.core.diff import diff
from sync.core.feature import Notification, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.features.streams.facts import FEED_TYPES, refresh_streams
from sync.features.streams.model import STREAM, TARGET, Context, desired_records
from sync.features.streams.nodes import STREAM_KINDS
from sync.features.streams.record_feature import NodeRecordFeature, target_collection
from sync.features.streams.records import ENTITY, split_key
from sync.features.streams.settings import StreamsSettings
from sync.features.streams.types import STREAM_TYPES
from sync.services.cluedin.client import CluedInClient

ORDER = {ENTITY: 0, TARGET: 1, STREAM: 2}
DELETE_ORDER = {STREAM: 0, TARGET: 1, ENTITY: 2}
LABELS = {STREAM: "Stream", TARGET: "Export target"}


def order(changes: list[Change]) -> list[Change]:
    """Holds, targets, streams; then deletions of streams, targets, holds (a stream goes before what it used)."""

    def rank(change: Change) -> tuple[int, int, str]:
        kind = split_key(change.key)[0]
        if change.kind == ChangeKind.DELETE:
            return 1, DELETE_ORDER.get(kind, 9), change.key
        return 0, ORDER.get(kind, 9), change.key

    return sorted(changes, key=rank)


def summary(kind: ChangeKind, key: str, desired: Mapping[str, Any]) -> str:
    """What a change does, for plans and reports."""
    record, ident = split_key(key)
    if record == ENTITY:
        return f"{kind.value} Cluedin Entity '{ident}' (hold)"
    return f"{kind.value} {LABELS[record]} '{desired.get('name') or ident}'"


class StreamsFeature(NodeRecordFeature):
    """CluedIn streams and export targets → lineage in Purview."""

    name: ClassVar[str] = "streams"
    title: ClassVar[str] = "Sync CluedIn Streams"
    settings_model = StreamsSettings
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": FEED_TYPES}
    purview_types = STREAM_TYPES
    record_kinds = STREAM_KINDS
    object_kind: ClassVar[str] = "streams"

    def enabled(self, settings: Settings) -> bool:
        """The toggle 'Sync CluedIn Streams'."""
        return settings.get(StreamsSettings).sync_cluedin_streams

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """Desired records of every stream, export target and entity type the streams read from."""
        cluedin: CluedInClient = ctx.client("cluedin")
        settings = ctx.settings.get(StreamsSettings)
        collection, _ = target_collection(ctx)
        refresh = refresh_streams(
            cluedin, ctx.state, ctx.feed("cluedin"), settings.sync_streams_preview_condition_sample_size
        )
        desired = desired_records(
            refresh.streams,
            refresh.targets,
            refresh.previews,
            refresh.reprocessed,
            Context(organization=cluedin.organization, collection=collection),
        )
        notes = [event.text for event in refresh.events] + refresh.notes + desired.notes
        return Snapshot(desired.records, after_send=[refresh.store], notes=notes)

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        """Creates, updates and deletes of records (the engine applies the delete policy and the fail-safe)."""

        def make(kind: ChangeKind, key: str, desired: dict[str, Any]) -> Change:
            return self.change(kind, key, desired, summary(kind, key, desired))

        def removal(key: str, row: SyncObject) -> dict[str, Any]:
            return {"name": str(row.data.get("name") or "")}

        return order(diff(snapshot, state, make, removal=removal))

    def notify(self, change: Change, removed: bool) -> Notification | None:
        """The product's notification for a stream written to Purview (the others are the app's own texts)."""
        record, ident = split_key(change.key)
        if record == ENTITY:
            return None
        name = str(change.desired.get("name") or ident)
        verb = "removed from" if removed else "synced to"
        subject = "Stream" if record == STREAM else "ExportTarget"
        event = f"{subject}{'RemovedFromPurview' if removed else 'SyncedToPurview'}"
        return Notification(event=event, text=f"{LABELS[record]} '{name}' {verb} Purview")
