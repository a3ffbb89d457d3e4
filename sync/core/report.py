"""Run reports: what one planning cycle decided and, once its messages are applied, what happened (DataHub-style).

A report is written when its cycle ends; the outcome of every change is written by the queue function that
applied it. Reading a report folds the outcomes in, the same way for the runs list and for one run, so both say
`completed` once the last change is applied.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from sync.core import clock
from sync.core.feature import Notification
from sync.core.state import RunLog

PREVIEW_CHANGES = 50
PREVIEW_EVENTS = 1000
"""Events a run report keeps (each is also logged): a backfill of 30,000 CluedIn data sets notices 60,000, whose
text would outgrow the report's Table row (1 MB)."""
PRUNE_INTERVAL_SECONDS = 3600.0


class RunReport(BaseModel):
    """What one planning cycle decided and, once its messages are applied, what happened."""

    run_id: str
    feature: str
    trigger: str = ""
    """What started the cycle: '' for a full cycle (its timer, or a plan request); '<source>-change-feed' for a plan
    of only the objects a pushed change feed named (e.g. 'purview-change-feed')."""
    targets: list[str] = Field(default_factory=list)
    """For a change-feed run: the keys it compared (the first few)."""
    started_at: datetime
    finished_at: datetime | None = None
    duration_ms: int = 0
    dry_run: bool = False
    source_objects: int = 0
    owned_objects: int = 0
    setup: list[str] = Field(default_factory=list)
    """Set-up writes the cycle needed (registering types, creating the collection): done, or planned in dry-run."""
    planned: dict[str, int] = Field(default_factory=dict)
    unchanged: int = 0
    orphaned: int = 0
    enqueued: int = 0
    deletes_refused: bool = False
    deletes_refused_reason: str = ""
    applied: dict[str, int] = Field(default_factory=dict)
    failed: dict[str, int] = Field(default_factory=dict)
    skipped: dict[str, int] = Field(default_factory=dict)
    notifications: list[Notification] = Field(default_factory=list)
    events: list[str] = Field(default_factory=list)
    """What the cycle noticed in the source (e.g. monitor events: "Data set 'X' changed in CluedIn")."""
    conflicts: list[str] = Field(default_factory=list)
    """Two-sided features: fields edited on the target side since the app wrote them, and what the conflict
    policy did about each (docs/decisions/0804)."""
    errors: list[str] = Field(default_factory=list)
    error_type: str = ""
    """The class of the error that stopped the cycle, when one did."""
    calls: dict[str, dict[str, Any]] = Field(default_factory=dict)
    changes: list[str] = Field(default_factory=list)
    status: str = "planned"

    @property
    def ok(self) -> bool:
        """Whether the cycle ran to its end (what it enqueued may still fail when applied)."""
        return self.status not in {"failed", "not-configured"}


def fold(report: RunReport, outcomes: list[dict[str, Any]]) -> RunReport:
    """The report with the outcomes applied so far folded in (applied/failed/skipped, notifications, status)."""
    applied: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for outcome in outcomes:
        bucket = {"applied": applied, "failed": failed, "skipped": skipped}.get(outcome.get("result", ""), failed)
        bucket[str(outcome.get("kind", "?"))] += 1
        report.notifications.extend(Notification.model_validate(n) for n in outcome.get("notifications") or [])
        if outcome.get("result") == "failed" and outcome.get("detail"):
            report.errors.append(str(outcome["detail"]))
    report.applied, report.failed, report.skipped = dict(applied), dict(failed), dict(skipped)
    done = sum(applied.values()) + sum(failed.values()) + sum(skipped.values())
    if report.status == "enqueued" and done >= report.enqueued:
        report.status = "completed" if not failed else "completed-with-failures"
    return report


def load_report(runs: RunLog, raw: dict[str, Any]) -> RunReport:
    """A stored report with its outcomes folded in (only reports still waiting for outcomes are read further)."""
    report = RunReport.model_validate(raw)
    if report.enqueued:
        fold(report, list(runs.iter_outcomes(report.run_id)))
    return report


def find_report(runs: RunLog, run_id: str, *, feature: str | None = None) -> RunReport | None:
    """One run report by id, outcomes folded in."""
    raw = runs.find(run_id, feature=feature)
    return None if raw is None else load_report(runs, raw)


def newest_reports(runs: RunLog, feature: str, *, limit: int = 20) -> list[RunReport]:
    """The newest run reports of a feature, outcomes folded in as in `find_report`."""
    return [load_report(runs, raw) for raw in runs.newest(feature, limit=limit)]


_last_prune: dict[tuple[int, str], float] = {}
_prune_lock = threading.Lock()


def preview_events(events: Sequence[str]) -> list[str]:
    """The events a run report keeps: the first `PREVIEW_EVENTS`, then how many more there were."""
    if len(events) <= PREVIEW_EVENTS:
        return list(events)
    return [*events[:PREVIEW_EVENTS], f"… and {len(events) - PREVIEW_EVENTS} more events (each one logged)"]


def save_report(runs: RunLog, report: RunReport, *, retention_days: int) -> None:
    """Persist a report; at most once an hour per feature and process, delete reports past their retention."""
    runs.save(report.feature, report.run_id, report.started_at, report.model_dump(mode="json"))
    key = (id(runs.reports), report.feature)
    with _prune_lock:
        due = clock.monotonic() - _last_prune.get(key, float("-inf")) >= PRUNE_INTERVAL_SECONDS
        if due:
            _last_prune[key] = clock.monotonic()
    if due:
        runs.prune(report.feature, older_than=clock.now() - timedelta(days=retention_days))
