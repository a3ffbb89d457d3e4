"""Run reports (sync/core/report.py) on Azurite: folding outcomes in, finding reports, retention to the millisecond."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from azure.data.tables import TableServiceClient

from sync.core import report as reports
from sync.core.report import RunReport, find_report, fold, newest_reports, save_report
from sync.core.state import StateStore, new_run_id


def run(status: str = "enqueued", enqueued: int = 3, **fields: Any) -> RunReport:
    started = fields.pop("started_at", datetime(2026, 5, 1, 8, 0, tzinfo=UTC))
    return RunReport(
        run_id=new_run_id("toy", started), feature="toy", started_at=started, status=status, enqueued=enqueued, **fields
    )


def outcome(result: str, kind: str = "create", detail: str = "", **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "result": result, "detail": detail, **extra}


def test_outcomes_fold_into_counts_by_kind_notifications_and_errors():
    note = {"event": "Made", "text": "made it"}
    folded = fold(
        run(enqueued=5),
        [
            outcome("applied", notifications=[note]),
            outcome("applied", "update"),
            outcome("skipped", "delete", "gone already"),
            outcome("failed", detail="refused"),
            outcome("lost in transit", "update"),  # an unknown result counts as failed
        ],
    )
    assert (folded.applied, folded.skipped, folded.failed) == (
        {"create": 1, "update": 1},
        {"delete": 1},
        {"create": 1, "update": 1},
    )
    assert [n.text for n in folded.notifications] == ["made it"]
    assert folded.errors == ["refused"]  # failures without a detail add no error line
    assert folded.status == "completed-with-failures"


@pytest.mark.parametrize(
    ("status", "enqueued", "results", "after"),
    [
        ("enqueued", 2, ["applied"], "enqueued"),  # one still to come
        ("enqueued", 2, ["applied", "skipped"], "completed"),
        ("enqueued", 2, ["applied", "applied", "applied"], "completed"),  # a redelivery counted twice
        ("enqueued", 1, ["failed"], "completed-with-failures"),
        ("dry-run", 0, [], "dry-run"),
        ("failed", 2, ["applied", "applied"], "failed"),
    ],
)
def test_a_report_is_completed_when_every_enqueued_change_has_an_outcome(status, enqueued, results, after):
    assert fold(run(status, enqueued), [outcome(r) for r in results]).status == after


def test_reports_are_found_by_id_and_listed_newest_first_with_outcomes_folded_in(state: StateStore):
    older, newer = run(), run(started_at=datetime(2026, 5, 2, 8, 0, tzinfo=UTC), enqueued=0, status="completed")
    for item in (older, newer):
        save_report(state.runs, item, retention_days=3650)
    state.runs.record_outcomes(older.run_id, [("toy/a", outcome("applied")), ("toy/b", outcome("applied"))])
    found = find_report(state.runs, older.run_id)
    assert found is not None and (found.status, found.applied) == ("enqueued", {"create": 2})
    assert find_report(state.runs, older.run_id, feature="other") is None
    assert find_report(state.runs, "no-such-run") is None
    assert [r.run_id for r in newest_reports(state.runs, "toy")] == [newer.run_id, older.run_id]
    assert [r.run_id for r in newest_reports(state.runs, "toy", limit=1)] == [newer.run_id]


def test_a_report_that_enqueued_nothing_reads_no_outcomes(state: StateStore):
    quiet = run(status="completed", enqueued=0)
    save_report(state.runs, quiet, retention_days=3650)
    state.runs.record_outcomes(quiet.run_id, [("toy/a", outcome("failed", detail="stray"))])
    found = find_report(state.runs, quiet.run_id)
    assert found is not None and found.failed == {} and found.errors == []


def test_retention_keeps_a_report_exactly_at_the_limit_and_drops_an_older_one(state: StateStore, clock, monkeypatch):
    monkeypatch.setattr(reports, "_last_prune", {})
    now = clock.now()
    limit = now - timedelta(days=30)
    at_limit = run(started_at=limit)
    just_older = run(started_at=limit - timedelta(milliseconds=1))
    for item in (at_limit, just_older):
        state.runs.save(item.feature, item.run_id, item.started_at, item.model_dump(mode="json"))
    state.runs.record_outcomes(just_older.run_id, [(f"toy/{n}", outcome("applied")) for n in range(150)])

    writes = state.runs.writes
    save_report(state.runs, run(started_at=now, enqueued=0, status="completed"), retention_days=30)
    assert state.runs.writes - writes == 1 + 150 + 1  # the report, the old run's outcomes, the old report
    kept = {r.run_id for r in newest_reports(state.runs, "toy")}
    assert at_limit.run_id in kept and just_older.run_id not in kept
    assert list(state.runs.iter_outcomes(just_older.run_id)) == []


def test_reports_are_pruned_at_most_once_an_hour_per_feature(state: StateStore, clock, monkeypatch):
    monkeypatch.setattr(reports, "_last_prune", {})
    save_report(state.runs, run(started_at=clock.now(), enqueued=0), retention_days=1)  # prunes (first time)
    stale = run(started_at=clock.now() - timedelta(days=2))
    state.runs.save(stale.feature, stale.run_id, stale.started_at, stale.model_dump(mode="json"))

    clock.advance(reports.PRUNE_INTERVAL_SECONDS - 1)
    save_report(state.runs, run(started_at=clock.now(), enqueued=0), retention_days=1)
    assert find_report(state.runs, stale.run_id) is not None  # within the hour: not pruned again

    clock.advance(1)
    save_report(state.runs, run(started_at=clock.now(), enqueued=0), retention_days=1)
    assert find_report(state.runs, stale.run_id) is None


def test_an_outcome_without_a_kind_is_counted_under_a_question_mark():
    assert fold(run(enqueued=1), [{"result": "applied"}]).applied == {"?": 1}


def test_ok_is_false_only_for_cycles_that_did_not_run_to_their_end():
    assert [run(status).ok for status in ("failed", "not-configured", "enqueued", "dry-run", "completed")] == [
        False,
        False,
        True,
        True,
        True,
    ]


def test_a_saved_report_is_stored_in_its_json_form(state: StateStore):
    """The stored row is what the status API and the CLI return: times in ISO form, as the report's JSON has them."""
    saved = run(started_at=datetime(2026, 5, 1, 8, 0, 0, 250000, tzinfo=UTC))
    save_report(state.runs, saved, retention_days=3650)
    raw = state.runs.find(saved.run_id)
    assert raw is not None and raw["started_at"] == "2026-05-01T08:00:00.250000Z"
    assert raw == json.loads(saved.model_dump_json())


def test_the_newest_twenty_reports_are_listed_by_default(state: StateStore):
    started = datetime(2026, 5, 1, tzinfo=UTC)
    saved = [run(started_at=started + timedelta(minutes=n)) for n in range(21)]
    for item in saved:
        state.runs.save(item.feature, item.run_id, item.started_at, item.model_dump(mode="json"))
    assert [r.run_id for r in newest_reports(state.runs, "toy")] == [r.run_id for r in reversed(saved[1:])]


def test_pruning_is_timed_per_feature_and_per_store(state: StateStore, azurite, clock, monkeypatch):
    monkeypatch.setattr(reports, "_last_prune", {})
    other_store = StateStore(TableServiceClient.from_connection_string(azurite.connection_string), state.prefix + "b")
    other_store.ensure_tables()

    def of(feature: str, started_at: datetime) -> RunReport:
        return RunReport(run_id=new_run_id(feature, started_at), feature=feature, started_at=started_at, enqueued=0)

    stale = {feature: of(feature, clock.now() - timedelta(days=2)) for feature in ("toy", "other")}
    for store in (state, other_store):
        for item in stale.values():
            store.runs.save(item.feature, item.run_id, item.started_at, item.model_dump(mode="json"))
    save_report(state.runs, of("toy", clock.now()), retention_days=1)
    save_report(state.runs, of("other", clock.now()), retention_days=1)
    save_report(other_store.runs, of("toy", clock.now()), retention_days=1)
    assert find_report(state.runs, stale["toy"].run_id) is None
    assert find_report(state.runs, stale["other"].run_id) is None  # another feature: its own hour
    assert find_report(other_store.runs, stale["toy"].run_id) is None  # another store: its own hour
    assert find_report(other_store.runs, stale["other"].run_id) is not None  # not saved there: not pruned
