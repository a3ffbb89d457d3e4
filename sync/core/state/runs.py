"""Run reports and the outcomes of their changes, found by their keys and kept for a limited time.

| Table | PartitionKey | RowKey | Holds |
|---|---|---|---|
| `<p>Runs` | feature | `(10^13 - start epoch ms)-<run id>` (newest first) | the run report (JSON) |
| `<p>RunChanges` | run id | `<object kind>/<key>` | what applying one change did |

A run id carries its start time and feature (`20261203T083522123Z-lineage-3f2a9c1b2d4e`), so the report's row key
is computed from the id and read with one point read — Table Storage has no secondary index, and a filter on a
non-key column scans the whole table. Reports older than SYNC_RUN_RETENTION_DAYS are deleted with their outcomes
(a minute timer writes ~1,500 reports a day per feature).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableClient, TableServiceClient, UpdateMode

from sync.core.azure_errors import STORAGE_SETTINGS, typed_azure_errors
from sync.core.state.rows import encode_key, get_json, put_json, quoted

RUN_ID = re.compile(r"^(?P<stamp>\d{8}T\d{9}Z)-(?P<feature>[a-z][a-z0-9_]*)-(?P<suffix>[0-9a-f]{12})$")
INVERT_BASE = 10**13
typed = typed_azure_errors("state storage", STORAGE_SETTINGS)


def new_run_id(feature: str, started_at: datetime) -> str:
    """A unique run id that names its feature and start time (to the millisecond, UTC)."""
    moment = started_at.astimezone(UTC)
    stamp = f"{moment:%Y%m%dT%H%M%S}{moment.microsecond // 1000:03d}Z"
    return f"{stamp}-{feature}-{uuid.uuid4().hex[:12]}"


def parse_run_id(run_id: str) -> tuple[str, datetime] | None:
    """(feature, start time) of a run id made by `new_run_id`; None for anything else."""
    match = RUN_ID.match(run_id)
    if match is None:
        return None
    stamp = match["stamp"]
    moment = datetime.strptime(stamp[:15], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return match["feature"], moment + timedelta(milliseconds=int(stamp[15:18]))


def _row_key(run_id: str, started_at: datetime) -> str:
    inverted = INVERT_BASE - int(started_at.timestamp() * 1000)
    return f"{inverted:013d}-{run_id}"


class RunLog:
    """The run report tables."""

    def __init__(self, service: TableServiceClient, prefix: str) -> None:
        self.service = service
        self.reports: TableClient = service.get_table_client(f"{prefix}Runs")
        self.outcomes: TableClient = service.get_table_client(f"{prefix}RunChanges")
        self.writes = 0

    @typed
    def ensure_tables(self) -> None:
        """Create the tables if they do not exist yet."""
        for table in (self.reports, self.outcomes):
            self.service.create_table_if_not_exists(table.table_name)

    @typed
    def save(self, feature: str, run_id: str, started_at: datetime, report: dict[str, Any]) -> None:
        """Persist (or overwrite) a run report."""
        entity: dict[str, Any] = {
            "PartitionKey": encode_key(feature),
            "RowKey": _row_key(run_id, started_at),
            "RunId": run_id,
        }
        put_json(entity, "Report", report)
        self.reports.upsert_entity(entity, mode=UpdateMode.REPLACE)
        self.writes += 1

    @typed
    def newest(self, feature: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """The newest run reports of a feature, newest first."""
        pk = quoted(encode_key(feature))
        out: list[dict[str, Any]] = []
        for entity in self.reports.query_entities(f"PartitionKey eq '{pk}'", results_per_page=limit):
            out.append(get_json(entity, "Report", {}))
            if len(out) >= limit:
                break
        return out

    @typed
    def find(self, run_id: str, *, feature: str | None = None) -> dict[str, Any] | None:
        """A run report by id: one point read (ids of older versions of the app: a filtered scan)."""
        parsed = parse_run_id(run_id)
        if parsed is not None:
            run_feature, started_at = parsed
            if feature is not None and feature != run_feature:
                return None
            try:
                entity = self.reports.get_entity(encode_key(run_feature), _row_key(run_id, started_at))
            except ResourceNotFoundError:
                return None
            report: dict[str, Any] = get_json(entity, "Report", {})
            return report
        if not re.fullmatch(r"[0-9a-f]{32}", run_id):
            return None
        for entity in self.reports.query_entities(f"RunId eq '{quoted(run_id)}'"):
            legacy: dict[str, Any] = get_json(entity, "Report", {})
            if feature is None or legacy.get("feature") == feature:
                return legacy
        return None

    @typed
    def record_outcomes(self, run_id: str, outcomes: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Remember what applying each change of a message did, in one transaction (they share the run's partition).

        Upserts: a redelivered message overwrites its own rows. One round trip per message instead of one per change
        (a lineage message carries several data sets; per-change writes were ~30% of a backfill's apply time).
        """
        operations: dict[str, tuple[Any, ...]] = {}
        for change_key, outcome in outcomes:
            entity: dict[str, Any] = {"PartitionKey": encode_key(run_id), "RowKey": encode_key(change_key)}
            put_json(entity, "Outcome", outcome)
            operations[entity["RowKey"]] = ("upsert", entity, {"mode": UpdateMode.REPLACE})  # last outcome wins
        batch = list(operations.values())
        for start in range(0, len(batch), 100):
            self.outcomes.submit_transaction(batch[start : start + 100])
            self.writes += len(batch[start : start + 100])

    @typed
    def get_outcome(self, run_id: str, change_key: str) -> dict[str, Any] | None:
        """What applying one change (`<object kind>/<key>`) of a run did: one point read; None if not recorded."""
        try:
            entity = self.outcomes.get_entity(encode_key(run_id), encode_key(change_key))
        except ResourceNotFoundError:
            return None
        outcome: dict[str, Any] = get_json(entity, "Outcome", {})
        return outcome

    @typed
    def iter_outcomes(self, run_id: str) -> Iterator[dict[str, Any]]:
        """Outcomes recorded for a run's changes."""
        pk = quoted(encode_key(run_id))
        for entity in self.outcomes.query_entities(f"PartitionKey eq '{pk}'"):
            yield get_json(entity, "Outcome", {})

    @typed
    def prune(self, feature: str, *, older_than: datetime) -> int:
        """Delete the feature's reports started before `older_than`, and their outcomes. Returns how many."""
        pk = quoted(encode_key(feature))
        # Row keys are `<inverted start ms>-<run id>`: one started a millisecond before `older_than` has the next
        # inverted number, so it and every older one sort at or after that bare number (one started at `older_than`
        # itself sorts before it and is kept).
        boundary = f"{INVERT_BASE - int(older_than.timestamp() * 1000) + 1:013d}"
        old = list(
            self.reports.query_entities(
                f"PartitionKey eq '{pk}' and RowKey ge '{boundary}'", select=["RowKey", "RunId"]
            )
        )
        for entity in old:
            run_id = str(entity.get("RunId") or "")
            if run_id:
                self._drop_outcomes(run_id)
        partition = encode_key(feature)
        deletes = [("delete", {"PartitionKey": partition, "RowKey": str(e["RowKey"])}) for e in old]
        for start in range(0, len(deletes), 100):
            self.reports.submit_transaction(deletes[start : start + 100])
            self.writes += len(deletes[start : start + 100])
        return len(old)

    def _drop_outcomes(self, run_id: str) -> None:
        partition = encode_key(run_id)
        rows = list(self.outcomes.query_entities(f"PartitionKey eq '{quoted(partition)}'", select=["RowKey"]))
        deletes = [("delete", {"PartitionKey": partition, "RowKey": str(r["RowKey"])}) for r in rows]
        for start in range(0, len(deletes), 100):
            self.outcomes.submit_transaction(deletes[start : start + 100])
            self.writes += len(deletes[start : start + 100])
