"""The engine (sync/core/engine.py) with a feature written for the test, on Azurite state and queues.

Fast on purpose: `make mutation` runs these for every mutant of the engine. The product features go through the
same engine end to end in tests/integration; here each step of a cycle and each way a message can end is pinned:
what is reported, what is sent (how packed), what is written and when, and what goes to poison.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from pydantic import Field

from sync.core import clock, engine
from sync.core.changefeed import FeedWindow
from sync.core.diff import diff
from sync.core.engine import apply_message, run_cycle
from sync.core.errors import (
    ContentionError,
    FatalError,
    LeaseHeldError,
    RetriableError,
    SettingsError,
    StaleChangeError,
)
from sync.core.feature import ApplyOutcome, Feature, Notification, SetupStep, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind, ChangeMessage, Queues, iter_messages
from sync.core.report import find_report
from sync.core.settings import Settings, SettingsGroup, env
from sync.core.state import StateStore, SyncObject, new_run_id
from sync.core.storage import QueueSender

QUEUE = Queues.CLUEDIN.value


class Toy(Feature):
    """Desired objects from a dict; applying records what it was asked and answers as told."""

    name: ClassVar[str] = "toy"
    object_kind: ClassVar[str] = "toy"
    queue: ClassVar[Queues] = Queues.CLUEDIN
    max_changes_per_message: ClassVar[int] = 2

    def __init__(self) -> None:
        self.desired: dict[str, dict[str, Any]] = {}
        self.steps: list[str] = []
        self.written: list[str] = []
        self.applied: list[tuple[str, str]] = []
        self.fail_with: Exception | None = None
        self.outcome = ApplyOutcome("applied")
        self.snapshot_error: Exception | None = None
        self.windows: list[FeedWindow] = []
        self.takes = 0.0
        self.states: list[Mapping[str, SyncObject]] = []

    def enabled(self, settings: Settings) -> bool:
        return True

    def prepare(self, ctx: SyncContext) -> list[SetupStep]:
        assert isinstance(ctx, SyncContext)
        return [SetupStep("register toy types", lambda: self.steps.append("ran"))]

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        assert isinstance(ctx, SyncContext)
        if self.snapshot_error is not None:
            raise self.snapshot_error
        if self.change_feeds:
            self.windows.append(ctx.feed("cluedin"))
        clock.sleep(self.takes)
        return Snapshot(
            desired=dict(self.desired),
            before_send=[lambda: self.written.append("before")],
            after_send=[lambda: self.written.append("after")],
            notes=["noticed something"],
        )

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        assert isinstance(settings, Settings)
        self.states.append(state)
        return diff(snapshot, state, lambda kind, key, desired: self.change(kind, key, desired, f"{kind} toy {key}"))

    def check_change(self, change: Change) -> str:
        return "no bad toys" if change.desired.get("bad") else ""

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        assert isinstance(ctx, SyncContext)
        self.applied.append((change.key, owner))
        if self.fail_with is not None:
            raise self.fail_with
        return self.outcome


def context(state: StateStore, queues: QueueSender, **settings: str) -> SyncContext:
    environ = {"SYNC_DELETE_POLICY": "soft-delete", "SYNC_DELETE_FAILSAFE_PERCENT": "50", **settings}
    return SyncContext(Settings(environ), state, queues)


def received(queues: QueueSender, queue: str = QUEUE) -> list[ChangeMessage]:
    client = queues._client(queue)
    return [ChangeMessage.model_validate_json(m.content) for m in client.receive_messages(max_messages=32)]


def owned(state: StateStore, *keys: str) -> None:
    for key in keys:
        state.save(SyncObject(kind="toy", key=key, status="active", fingerprint="old"))


def test_a_cycle_runs_setup_reads_plans_sends_packed_messages_then_commits_pending_state(state, queues):
    toy = Toy()
    toy.desired = {"a": {"n": 1}, "b": {"n": 2}, "c": {"n": 3}}
    report = run_cycle(toy, context(state, queues), now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))

    assert (report.status, report.dry_run, report.error_type, report.errors) == ("enqueued", False, "", [])
    assert "-toy-" in report.run_id and report.feature == "toy"
    assert (report.source_objects, report.owned_objects, report.unchanged, report.enqueued) == (3, 0, 0, 3)
    assert report.planned == {"create": 3}
    assert report.setup == ["register toy types"]
    assert report.changes == ["register toy types", "create toy a", "create toy b", "create toy c"]
    assert report.events == ["noticed something"]
    assert toy.steps == ["ran"] and toy.written == ["before", "after"]
    messages = received(queues)
    assert sorted([c.key for c in m.changes] for m in messages) == [["a", "b"], ["c"]]  # two changes a message
    assert {m.run_id for m in messages} == {report.run_id}
    stored = find_report(state.runs, report.run_id)
    assert stored is not None and stored.status == "enqueued" and stored.finished_at is not None


def test_an_unchanged_estate_sends_nothing_and_completes(state, queues):
    toy = Toy()
    toy.desired = {"a": {"n": 1}}
    run_cycle(toy, context(state, queues))
    received(queues)
    from sync.core.state import fingerprint

    state.save(SyncObject(kind="toy", key="a", status="active", fingerprint=fingerprint({"n": 1})))
    report = run_cycle(toy, context(state, queues))
    assert (report.status, report.unchanged, report.enqueued, report.planned) == ("completed", 1, 0, {})
    assert received(queues) == []
    toy.desired = {"a": {"n": 1}, "b": {"n": 2}, "c": {"n": 3}}
    assert run_cycle(toy, context(state, queues)).unchanged == 1  # two of three to create


def test_a_dry_run_reports_the_same_plan_and_writes_nothing_but_its_report(state, queues):
    toy = Toy()
    toy.desired = {"a": {"n": 1}}
    owned(state, "gone")
    report = run_cycle(toy, context(state, queues, SYNC_DRY_RUN="true"))
    assert (report.status, report.dry_run, report.enqueued) == ("dry-run", True, 0)
    assert report.planned == {"create": 1, "delete": 1} and report.owned_objects == 1
    assert toy.steps == [] and toy.written == [] and queues.sent == 0
    row = state.get_object("toy", "gone")
    assert row is not None and row.status == "active"


def test_deletions_within_the_fail_safe_are_sent_after_the_upserts(state, queues):
    toy = Toy()
    toy.desired = {"keep": {"n": 1}}
    owned(state, "gone", "keep")
    report = run_cycle(toy, context(state, queues))
    assert report.planned == {"update": 1, "delete": 1} and report.enqueued == 2
    [message] = received(queues)
    assert [(c.kind, c.key) for c in message.changes] == [(ChangeKind.UPDATE, "keep"), (ChangeKind.DELETE, "gone")]


def test_refused_deletions_are_reported_and_neither_sent_nor_marked(state, queues, caplog):
    toy = Toy()
    owned(state, "a", "b", "c")
    report = run_cycle(toy, context(state, queues, SYNC_DELETE_FAILSAFE_PERCENT="50"))  # 3 owned → 1 allowed
    assert report.deletes_refused and report.deletes_refused_reason.startswith("refused to delete 3 of 3")
    [guard] = [r for r in caplog.records if getattr(r, "event", "") == "DeleteFailSafe"]
    assert (guard.feature, guard.run_id) == ("toy", report.run_id)
    assert (report.enqueued, report.orphaned, report.status) == (0, 0, "completed")
    assert report.planned == {}
    assert {o.status for o in state.iter_objects("toy")} == {"active"}


def test_retained_deletions_are_marked_orphaned_by_the_planner(state, queues):
    toy = Toy()
    toy.desired = {"a": {"n": 1}}
    owned(state, "a", "gone")
    report = run_cycle(toy, context(state, queues, SYNC_DELETE_POLICY="retain"))
    assert (report.orphaned, report.planned, report.enqueued) == (1, {"update": 1}, 1)
    row = state.get_object("toy", "gone")
    assert row is not None and row.status == "orphaned" and row.last_run_id == report.run_id


def _sent_in_batches(state: Any, queues: Any, monkeypatch: Any, keys: str) -> tuple[list[int], Any]:
    """Plan one change per key, one change per message; (messages per `send_many`, the run report)."""
    sent: list[int] = []
    original = queues.send_many

    def counting(queue: str, texts: Any) -> int:
        count: int = original(queue, texts)
        sent.append(count)
        return count

    monkeypatch.setattr(queues, "send_many", counting)
    toy = Toy()
    toy.max_changes_per_message = 1  # type: ignore[misc]
    toy.desired = {k: {"n": 1} for k in keys}
    return sent, run_cycle(toy, context(state, queues))


def test_a_plan_larger_than_a_chunk_is_sent_as_it_is_made(state, queues, monkeypatch):
    monkeypatch.setattr(engine, "SEND_CHUNK_CHANGES", 2)
    monkeypatch.setattr(engine, "PREVIEW_CHANGES", 3)
    sent, report = _sent_in_batches(state, queues, monkeypatch, "abcde")
    assert sent == [2, 2, 1] and report.enqueued == 5
    assert report.changes == ["register toy types", "create toy a", "create toy b"]  # the preview is capped


def test_a_plan_s_first_changes_go_out_before_a_whole_chunk_is_planned(state, queues, monkeypatch):
    monkeypatch.setattr(engine, "FIRST_SEND_CHANGES", 2)
    monkeypatch.setattr(engine, "SEND_CHUNK_CHANGES", 4)
    sent, report = _sent_in_batches(state, queues, monkeypatch, "abcdefghi")
    assert sent == [2, 4, 3] and report.enqueued == 9  # the listeners start on two while the rest is planned


@pytest.mark.parametrize(
    ("error", "status", "detail"),
    [
        (SettingsError("SYNC_TOY_URL is not set"), "not-configured", "SYNC_TOY_URL is not set"),
        (RetriableError("purview is busy"), "failed", "RetriableError: purview is busy"),
        (KeyError("boom"), "failed", "KeyError: 'boom'"),
    ],
)
def test_a_cycle_that_cannot_plan_reports_why_and_sends_nothing(state, queues, caplog, error, status, detail):  # noqa: PLR0917
    toy = Toy()
    toy.snapshot_error = error
    report = run_cycle(toy, context(state, queues))
    assert (report.status, report.error_type, report.errors) == (status, type(error).__name__, [detail])
    assert not report.ok and queues.sent == 0 and toy.written == []
    unexpected = [r for r in caplog.records if r.name == "sync.engine" and r.exc_info]
    assert len(unexpected) == (1 if isinstance(error, KeyError) else 0)  # a traceback only for a defect
    [planned] = [r for r in caplog.records if getattr(r, "event", "") == "RunPlanned"]
    assert planned.levelno == logging.WARNING and planned.status == status


def test_a_feature_without_its_client_is_not_configured(state, queues):
    toy = Toy()
    toy.needs = ("purview",)  # type: ignore[misc]
    report = run_cycle(toy, context(state, queues))
    assert (report.status, report.errors) == ("not-configured", ["no client factory registered for 'purview'"])


def test_the_run_report_log_line_counts_what_was_planned(state, queues, caplog):
    toy = Toy()
    toy.desired = {"a": {"n": 1}}
    owned(state, "b", "c")
    report = run_cycle(toy, context(state, queues, SYNC_DELETE_FAILSAFE_PERCENT="100"))
    [record] = [r for r in caplog.records if getattr(r, "event", "") == "RunPlanned"]
    fields = {k: getattr(record, k) for k in ("creates", "updates", "deletes", "planned", "source_objects")}
    assert fields == {"creates": 1, "updates": 0, "deletes": 2, "planned": 3, "source_objects": 1}
    assert record.levelno == logging.INFO and record.run_id == report.run_id
    assert record.getMessage().startswith("toy run enqueued [RunPlanned")


def raising(error: Exception) -> Callable[..., list[ApplyOutcome]]:
    """An apply_batch that fails as a whole with `error`."""

    def apply_batch(*args: object, **kwargs: object) -> list[ApplyOutcome]:
        raise error

    return apply_batch


def message_text(*changes: Change, requeued: int = 0, run_id: str = "toy-run") -> str:
    return ChangeMessage(run_id=run_id, changes=list(changes), requeued=requeued).to_json()


def toy_change(key: str, **desired: Any) -> Change:
    return Toy().change(ChangeKind.CREATE, key, desired, f"create toy {key}")


def apply(toy: Toy, ctx: SyncContext, text: str | bytes, dequeue_count: int = 1) -> list[ApplyOutcome]:
    return apply_message(text, queue=QUEUE, features={"toy": toy}, ctx=ctx, message_id="m", dequeue_count=dequeue_count)


def poisoned(queues: QueueSender) -> list[bytes]:
    client = queues._client(f"{QUEUE}-poison", binary=True)
    return [m.content for m in client.receive_messages(max_messages=32)]


def test_applied_changes_are_recorded_with_their_notifications(state, queues, caplog):
    toy = Toy()
    toy.outcome = ApplyOutcome("applied", "done", [Notification(event="ToyMade", text="made a toy")])
    results = apply(toy, context(state, queues), message_text(toy_change("a"), toy_change("b")))
    assert [o.result for o in results] == ["applied", "applied"]
    assert [k for k, _ in toy.applied] == ["a", "b"]
    [owner] = {o for _, o in toy.applied}
    assert owner.endswith("@toy-run")  # a fresh owner per invocation, naming its planning run
    recorded = list(state.runs.iter_outcomes("toy-run"))
    assert len(recorded) == 2
    assert {(r["kind"], r["result"], r["detail"]) for r in recorded} == {("create", "applied", "done")}
    assert recorded[0]["notifications"] == [{"event": "ToyMade", "text": "made a toy"}]
    assert poisoned(queues) == []
    assert all(datetime.fromisoformat(r["at"]).utcoffset() is not None for r in recorded)
    applied = [r for r in caplog.records if getattr(r, "event", "") == "ChangeApplied"]
    assert [r.getMessage().split(" [")[0] for r in applied] == ["toy create a: applied", "toy create b: applied"]
    fields = [(r.feature, r.run_id, r.kind, r.key, r.result, r.detail) for r in applied]
    assert fields == [("toy", "toy-run", "create", k, "applied", "done") for k in "ab"]
    notes = [r for r in caplog.records if getattr(r, "event", "") == "ToyMade"]
    assert [r.getMessage().split(" [")[0] for r in notes] == ["made a toy", "made a toy"]
    assert {(r.feature, r.key, r.run_id) for r in notes} == {("toy", "a", "toy-run"), ("toy", "b", "toy-run")}


def test_a_second_invocation_of_the_same_message_gets_another_owner(state, queues):
    toy = Toy()
    text = message_text(toy_change("a"))
    apply(toy, context(state, queues), text)
    apply(toy, context(state, queues), text)
    assert len({owner for _, owner in toy.applied}) == 2


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff\xfe", "not UTF-8"),
        ("[]", "not a JSON object"),
        (json.dumps({"v": 1, "run_id": "r", "changes": [{**toy_change("a").model_dump(), "feature": "nope"}]}), "nope"),
        (message_text(toy_change("a", bad=True)), "toy change create a: no bad toys"),
    ],
)
def test_malformed_messages_go_to_poison_once_as_they_came_and_nothing_is_applied(state, queues, body, reason):
    toy = Toy()
    [outcome] = apply(toy, context(state, queues), body)
    assert outcome.result == "failed" and outcome.fatal and reason in outcome.detail
    assert toy.applied == []
    assert poisoned(queues) == [body if isinstance(body, bytes) else body.encode()]


def test_a_message_mixing_features_is_malformed(state, queues):
    other = toy_change("b").model_copy(update={"feature": "other"})
    [outcome] = apply(Toy(), context(state, queues), message_text(toy_change("a"), other))
    assert outcome.fatal and "unknown or mixed feature(s) ['other', 'toy']" in outcome.detail


@pytest.mark.parametrize("error", [FatalError("never", service="toy"), SettingsError("SYNC_TOY_URL is not set")])
def test_a_change_that_fails_for_good_is_recorded_and_poisoned_with_its_reason(state, queues, error, caplog):
    toy = Toy()
    text = message_text(toy_change("a"))
    if isinstance(error, FatalError):
        toy.fail_with = error
    else:
        toy.apply_batch = raising(error)  # type: ignore[method-assign]
    [outcome] = apply(toy, context(state, queues), text)
    assert (outcome.result, outcome.fatal) == ("failed", True)
    assert poisoned(queues) == [text.encode()]
    [row] = state.runs.iter_outcomes("toy-run")
    assert (row["result"], row["detail"]) == ("failed", str(error))
    [poison] = [r for r in caplog.records if getattr(r, "event", "") == "MessagePoisoned"]
    assert poison.reason == f"toy: a: {error}"


def test_a_stale_change_is_skipped_not_failed(state, queues):
    toy = Toy()
    toy.apply_batch = raising(StaleChangeError("newer run"))  # type: ignore[method-assign]
    [outcome] = apply(toy, context(state, queues), message_text(toy_change("a")))
    assert (outcome.result, outcome.detail, outcome.fatal) == ("skipped", "newer run", False)
    assert poisoned(queues) == []


@pytest.mark.parametrize(
    ("requeued", "retry_after", "delay"),
    [(0, None, 1), (0, 30.0, 1), (3, None, 8), (3, 2.5, 3), (3, 0.2, 1), (6, None, 60), (19, 600.0, 60)],
)
def test_contention_sends_the_message_again_after_backoff_bounded_by_the_lease(  # noqa: PLR0917
    state, queues, caplog, requeued, retry_after, delay
):
    toy = Toy()
    toy.fail_with = LeaseHeldError("held by another invocation", retry_after=retry_after)
    [outcome] = apply(toy, context(state, queues), message_text(toy_change("a"), requeued=requeued))
    assert outcome.result == "skipped" and outcome.detail.startswith("deferred: ")
    [(queue, text, visibility)] = queues.delayed
    assert (queue, visibility) == (QUEUE, delay)
    [deferred] = [r for r in caplog.records if getattr(r, "event", "") == "ChangeDeferred"]
    assert deferred.feature == "toy"
    assert deferred.getMessage().startswith("toy: held by another invocation; sent again in ")
    assert ChangeMessage.model_validate_json(text).requeued == requeued + 1


def test_contention_that_outlasts_the_requeues_is_left_to_the_host(state, queues):
    toy = Toy()
    toy.fail_with = ContentionError("still busy")
    with pytest.raises(ContentionError):
        apply(toy, context(state, queues), message_text(toy_change("a"), requeued=engine.MAX_REQUEUES))
    toy.applied.clear()
    apply(toy, context(state, queues), message_text(toy_change("a"), requeued=engine.MAX_REQUEUES - 1))
    assert len(queues.delayed) == 1


@pytest.mark.parametrize(("dequeue_count", "recorded"), [(4, False), (5, True), (6, True)])
def test_a_transient_failure_raises_for_redelivery_and_is_recorded_at_the_last_attempt(
    state, queues, dequeue_count, recorded
):
    toy = Toy()
    toy.fail_with = RetriableError("purview is busy")
    with pytest.raises(RetriableError):
        apply(toy, context(state, queues), message_text(toy_change("a")), dequeue_count=dequeue_count)
    rows = list(state.runs.iter_outcomes("toy-run"))
    if recorded:
        [row] = rows
        assert (row["result"], row["detail"]) == ("failed", f"gave up after {dequeue_count} attempts: purview is busy")
    else:
        assert rows == []
    assert poisoned(queues) == []


def test_an_untyped_error_poisons_the_message_once_with_a_bounded_detail(state, queues, caplog):
    toy = Toy()
    toy.fail_with = ValueError("x" * 2000)
    text = message_text(toy_change("a"), toy_change("b"))
    outcomes = apply(toy, context(state, queues), text)
    assert [(o.result, o.fatal) for o in outcomes] == [("failed", True), ("failed", True)]
    detail = ("unexpected ValueError: " + "x" * 2000)[: engine.MAX_DETAIL_CHARS]
    assert outcomes[0].detail == detail
    assert poisoned(queues) == [text.encode()]
    [traceback] = [r for r in caplog.records if r.exc_info]
    assert traceback.getMessage() == "toy: message m failed with an unexpected error; it goes to poison"
    [poison] = [r for r in caplog.records if getattr(r, "event", "") == "MessagePoisoned"]
    assert poison.reason.startswith(f"toy: a: {detail}; b: ")


def returning_nothing(*args: object, **kwargs: object) -> list[ApplyOutcome]:
    return []


def test_an_applier_that_loses_outcomes_is_a_defect_not_a_silent_success(state, queues):
    toy = Toy()
    toy.apply_batch = returning_nothing  # type: ignore[method-assign]
    with pytest.raises(ValueError, match="zip"):
        apply(toy, context(state, queues), message_text(toy_change("a")))


def test_only_fatal_outcomes_poison_a_message(state, queues):
    toy = Toy()
    toy.outcome = ApplyOutcome("failed", "not fatal")
    apply(toy, context(state, queues), message_text(toy_change("a")))
    assert poisoned(queues) == []


def test_messages_keep_the_feature_s_packing(state, queues):
    changes = [toy_change(k) for k in "abc"]
    assert [len(json.loads(t)["changes"]) for t in iter_messages("r", changes, max_changes=2)] == [2, 1]


def test_invalid_engine_settings_end_the_cycle_not_configured_and_reports_keep_30_days(
    state, queues, clock, monkeypatch
):
    from datetime import timedelta

    from sync.core import report as reports

    monkeypatch.setattr(reports, "_last_prune", {})
    kept: dict[int, str] = {}
    for age in (29, 30):
        started = clock.now() - timedelta(days=age, hours=1)
        kept[age] = new_run_id("toy", started)
        old = reports.RunReport(run_id=kept[age], feature="toy", started_at=started, status="completed")
        state.runs.save("toy", old.run_id, old.started_at, old.model_dump(mode="json"))
    report = run_cycle(Toy(), context(state, queues, SYNC_RUN_RETENTION_DAYS="0"))
    assert (report.status, report.error_type) == ("not-configured", "SettingsError")
    assert "SYNC_RUN_RETENTION_DAYS" in report.errors[0]
    listed = {r.run_id for r in reports.newest_reports(state.runs, "toy")}
    assert listed == {report.run_id, kept[29]}  # the default retention of 30 days applied


class ToySettings(SettingsGroup):
    toy_url: str = Field(validation_alias=env("TOY_URL"))


def test_the_feature_s_own_invalid_setting_is_named_and_nothing_is_planned(state, queues):
    toy = Toy()
    toy.settings_model = ToySettings  # type: ignore[misc]
    toy.desired = {"a": {}}
    report = run_cycle(toy, context(state, queues))
    assert (report.status, report.error_type) == ("not-configured", "SettingsError")
    assert "TOY_URL" in report.errors[0] and toy.states == []


def test_the_planner_reads_only_the_state_columns_it_declares_and_the_feed_it_subscribed(state, queues):
    toy = Toy()
    toy.state_fields = frozenset({"target"})  # type: ignore[misc]
    toy.change_feeds = {"cluedin": frozenset()}  # type: ignore[misc]
    state.save(SyncObject(kind="toy", key="a", status="active", target={"t": 1}, data={"big": "x" * 100}))
    source = type("Feed", (), {"key": "org", "read": lambda self, since, until: []})()
    ctx = SyncContext(context(state, queues).settings, state, queues, feed_sources={"cluedin": lambda c: source})
    run_cycle(toy, ctx)
    [rows] = toy.states
    assert (rows["a"].target, rows["a"].data) == ({"t": 1}, {})
    assert [w.first for w in toy.windows] == [True]


def test_every_figure_of_a_cycle_is_in_its_log_line(state, queues, caplog, clock):
    toy = Toy()
    toy.takes = 1.5
    toy.desired = {"a": {"n": 1}, "b": {"n": 2}}
    state.save(SyncObject(kind="toy", key="a", status="active", fingerprint="stale"))
    state.save(SyncObject(kind="toy", key="gone", status="active"))
    report = run_cycle(toy, context(state, queues, SYNC_DELETE_POLICY="retain", SYNC_DELETE_FAILSAFE_PERCENT="100"))
    assert report.duration_ms == 1500
    [record] = [r for r in caplog.records if getattr(r, "event", "") == "RunPlanned"]
    fields = {k: getattr(record, k, None) for k in ("dry_run", "creates", "updates", "deletes", "unchanged")}
    assert fields == {"dry_run": False, "creates": 1, "updates": 1, "deletes": 0, "unchanged": 0}
    others = {k: getattr(record, k, None) for k in ("orphaned", "deletes_refused", "duration_ms", "errors", "feature")}
    assert others == {"orphaned": 1, "deletes_refused": False, "duration_ms": 1500, "errors": 0, "feature": "toy"}
    assert getattr(record, "error_type", None) is None


def test_a_failed_orphan_mark_is_reported_in_the_run_and_its_log_line(state, queues, caplog, monkeypatch):
    toy = Toy()
    state.save(SyncObject(kind="toy", key="gone", status="active"))
    state.save(SyncObject(kind="toy", key="lost", status="active"))
    state.save(SyncObject(kind="toy", key="kept", status="active"))
    original = state.save

    def busy(obj: SyncObject) -> SyncObject:
        if obj.status == "orphaned":
            raise RetriableError("state storage is busy")
        saved: SyncObject = original(obj)
        return saved

    monkeypatch.setattr(state, "save", busy)
    toy.desired = {"kept": {}}
    report = run_cycle(toy, context(state, queues, SYNC_DELETE_POLICY="retain", SYNC_DELETE_FAILSAFE_PERCENT="100"))
    marks = [f"could not mark toy/{key} orphaned: state storage is busy" for key in ("gone", "lost")]
    assert report.errors == marks
    [record] = [r for r in caplog.records if getattr(r, "event", "") == "RunPlanned"]
    assert record.getMessage().startswith(f"toy run enqueued: {marks[0]}; {marks[1]} [")
    assert (record.levelno, getattr(record, "errors", None)) == (logging.WARNING, 2)


def test_a_defect_in_planning_is_logged_with_the_feature_s_name(state, queues, caplog):
    toy = Toy()
    toy.snapshot_error = ZeroDivisionError("oops")
    report = run_cycle(toy, context(state, queues))
    [traceback] = [r for r in caplog.records if r.exc_info]
    assert traceback.getMessage() == "planning toy failed with an unexpected error"
    assert getattr(next(r for r in caplog.records if getattr(r, "event", "") == "RunPlanned"), "error_type", None) == (
        "ZeroDivisionError"
    )
    assert report.errors == ["ZeroDivisionError: oops"]
