"""The engine's less travelled paths (sync/core/engine.py) with test_engine.py's toy feature, on Azurite state and
queues: planning in storage order, a plan held for a hook, message groups split across messages, a two-sided
plan's conflicts, the fail-safe's preview, change-feed positions, outcomes and telemetry (pushed feeds:
test_engine_targeted.py).

Fast on purpose, like test_engine.py: `make mutation` runs these for every mutant of the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any, ClassVar

from sync.core import engine
from sync.core.diff import storage_order
from sync.core.engine import run_cycle, run_tick
from sync.core.errors import FatalError
from sync.core.feature import ApplyOutcome, Feature, Snapshot, SyncContext
from sync.core.messages import Change, ChangeMessage
from sync.core.settings import Settings
from sync.core.state import StateStore, SyncObject, fingerprint
from sync.core.twoway import Conflict, ConflictPolicy, Planned
from tests.support.otel import capture
from tests.support.stack import RecordingQueueSender
from tests.unit.test_engine import QUEUE, Toy, apply, context, message_text, owned, received, toy_change


class OrderedToy(Toy):
    """Plans in storage order from lazily produced pairs, as a feature too large to hold does."""

    plans_in_order: ClassVar[bool] = True
    state_fields: ClassVar[frozenset[str] | None] = frozenset({"target"})

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, bool, SyncObject | None]] = []
        self.sending: list[list[str]] = []

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        whole = super().snapshot(ctx)
        ordered = sorted(self.desired.items(), key=lambda item: storage_order(item[0]))
        return Snapshot(
            ordered=iter(ordered),
            before_send=whole.before_send,
            after_send=whole.after_send,
            before_sending=lambda batch: self.sending.append([c.key for c in batch]),
        )

    def plan_ordered(
        self,
        pairs: Iterable[tuple[str, dict[str, Any] | None, SyncObject | None]],
        settings: Settings,
        *,
        seen: Mapping[str, dict[str, Any]] | None = None,
    ) -> Iterator[Change]:
        for key, desired, row in pairs:
            self.pairs.append((key, desired is not None, row))
            wanted = {key: desired} if desired is not None else {}
            yield from self.plan(wanted, {key: row} if row is not None else {}, settings)


def test_an_ordered_plan_counts_both_sides_and_marks_only_what_is_gone(state, queues):
    toy = OrderedToy()
    toy.desired = {"same": {"n": 1}, "new": {"n": 2}}
    state.save(SyncObject(kind="toy", key="same", status="active", fingerprint=fingerprint({"n": 1})))
    state.save(SyncObject(kind="toy", key="gone", status="active", data={"big": "x"}, target={"t": 1}))
    state.save(SyncObject(kind="toy", key="old", status="orphaned"))
    report = run_cycle(toy, context(state, queues, SYNC_DELETE_POLICY="retain", SYNC_DELETE_FAILSAFE_PERCENT="100"))
    assert (report.status, report.source_objects, report.owned_objects, report.unchanged) == ("enqueued", 2, 2, 1)
    assert (report.planned, report.orphaned, report.enqueued) == ({"create": 1}, 1, 1)
    assert [(key, desired, row is not None) for key, desired, row in toy.pairs] == [
        ("gone", False, True),
        ("new", True, False),
        ("old", False, True),
        ("same", True, True),
    ]
    gone_row = toy.pairs[0][2]
    assert gone_row is not None and (gone_row.target, gone_row.data) == ({"t": 1}, {})  # only declared columns
    assert toy.sending == [["new"]]  # the claim-check writes of exactly the batch sent
    [message] = received(queues)
    assert [c.key for c in message.changes] == ["new"]
    marks = {o.key: o.status for o in state.iter_objects("toy")}
    assert marks == {"same": "active", "gone": "orphaned", "old": "orphaned"}


def test_an_ordered_dry_run_makes_none_of_the_writes_messages_rely_on(state, queues):
    toy = OrderedToy()
    toy.desired = {"new": {"n": 2}}
    report = run_cycle(toy, context(state, queues, SYNC_DRY_RUN="true"))
    assert (report.status, report.planned, report.source_objects) == ("dry-run", {"create": 1}, 1)
    assert toy.sending == [] and queues.sent == 0


def test_a_plan_hook_sees_the_whole_plan_before_anything_is_sent(state, queues, monkeypatch):
    monkeypatch.setattr(engine, "SEND_CHUNK_CHANGES", 2)
    toy = Toy()
    toy.desired = {k: {"n": 1} for k in "abcde"}
    seen: list[tuple[str, list[str], int]] = []
    ctx = context(state, queues)
    ctx.plan_hook = lambda feature, report, changes: seen.append(
        (f"{feature.name} {report.run_id}", [c.key for c in changes], queues.sent)
    )
    report = run_cycle(toy, ctx)
    assert seen == [(f"toy {report.run_id}", list("abcde"), 0)]
    assert report.enqueued == 5 and sorted(c.key for m in received(queues) for c in m.changes) == list("abcde")


def test_a_plan_hook_that_refuses_the_plan_stops_the_cycle_before_it_sends(state, queues):
    toy = Toy()
    toy.desired = {"a": {"n": 1}}
    ctx = context(state, queues)

    def refuse(feature: Feature, report: Any, changes: list[Change]) -> None:
        raise FatalError("the plan differs from the one reviewed")

    ctx.plan_hook = refuse
    report = run_cycle(toy, ctx)
    assert (report.status, report.errors) == ("failed", ["FatalError: the plan differs from the one reviewed"])
    assert queues.sent == 0 and toy.written == ["before"]


class GroupedToy(Toy):
    """Changes grouped by their desired `g`: a group stays in one message when it fits."""

    def message_group(self, change: Change) -> str | None:
        group = change.desired.get("g")
        return str(group) if group is not None else None


def test_a_group_is_never_cut_by_a_chunk_and_its_later_parts_are_sent_a_moment_later(state, queues, monkeypatch):
    monkeypatch.setattr(engine, "SEND_CHUNK_CHANGES", 3)
    batches: list[list[list[str]]] = []
    original = queues.send_many

    def recording(queue: str, texts: Sequence[str]) -> int:
        batches.append([[c.key for c in ChangeMessage.model_validate_json(t).changes] for t in texts])
        sent: int = original(queue, texts)
        return sent

    monkeypatch.setattr(queues, "send_many", recording)
    toy = GroupedToy()
    groups = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 2, "f": 3, "g": 4}
    toy.desired = {key: {"g": group} for key, group in groups.items()}
    report = run_cycle(toy, context(state, queues))
    assert report.enqueued == 7
    # A chunk of 3 ends inside group 2: the group waits for the next flush; the group of 3 is larger than a message
    # of 2, so its third change is sent a moment after the first two. The last flush sends every group left.
    assert batches == [[["a", "b"]], [["c", "d"]], [["f", "g"]]]
    [(queue, text, visibility)] = queues.delayed
    assert (queue, visibility) == (QUEUE, engine.CONTINUATION_DELAY_SECONDS) and visibility == 2
    assert [c.key for c in ChangeMessage.model_validate_json(text).changes] == ["e"]


def test_a_group_larger_than_a_chunk_goes_as_it_is(state, queues, monkeypatch):
    monkeypatch.setattr(engine, "SEND_CHUNK_CHANGES", 2)
    toy = GroupedToy()
    toy.max_changes_per_message = 5  # type: ignore[misc]
    toy.desired = {key: {"g": 1} for key in "abc"}
    run_cycle(toy, context(state, queues))
    assert [[c.key for c in m.changes] for m in received(queues)] == [["a", "b"], ["c"]]


class TwoSidedToy(Toy):
    """A plan that also found an edit on the target side."""

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> Planned:
        edited = Conflict("toy 'a'", "n", 1, 2, 1, ConflictPolicy.REPORT)
        return Planned(super().plan(snapshot, state, settings), conflicts=[edited], notes=["toy b was renamed"])


def test_a_two_sided_plan_reports_its_conflicts_and_notes(state, queues, caplog):
    toy = TwoSidedToy()
    toy.desired = {"a": {"n": 1}}
    report = run_cycle(toy, context(state, queues))
    [record] = [r for r in caplog.records if getattr(r, "event", "") == "RunPlanned"]
    assert record.conflicts == 1
    assert report.conflicts == [Conflict("toy 'a'", "n", 1, 2, 1, ConflictPolicy.REPORT).text]
    assert report.events == ["noticed something", "toy b was renamed"]
    assert report.planned == {"create": 1}


def test_what_the_fail_safe_held_back_is_shown_in_the_plan(state, queues, caplog):
    toy = Toy()
    toy.desired = {"kept": {"n": 1}}
    owned(state, "kept", "x", "y")
    report = run_cycle(toy, context(state, queues, SYNC_DELETE_FAILSAFE_PERCENT="10"))
    assert report.deletes_refused
    [record] = [r for r in caplog.records if getattr(r, "event", "") == "RunPlanned"]
    counts = {k: getattr(record, k) for k in ("creates", "updates", "deletes", "deletes_refused", "conflicts")}
    assert counts == {"creates": 0, "updates": 1, "deletes": 0, "deletes_refused": True, "conflicts": 0}
    assert report.changes == [
        "register toy types",
        "update toy kept",
        "held back by the fail-safe: delete toy x",
        "held back by the fail-safe: delete toy y",
    ]
    assert [[c.key for c in m.changes] for m in received(queues)] == [["kept"]]


class FeedToy(Toy):
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": frozenset()}


def feed_context(state: StateStore, queues: RecordingQueueSender, **settings: str) -> SyncContext:
    source = type("Feed", (), {"key": "org", "read": lambda self, since, until: []})()
    base = context(state, queues, **settings)
    return SyncContext(base.settings, state, queues, feed_sources={"cluedin": lambda c: source})


def test_a_cycle_advances_its_change_feed_position_and_a_dry_run_does_not(state, queues):
    dry = FeedToy()
    for _ in range(2):
        run_cycle(dry, feed_context(state, queues, SYNC_DRY_RUN="true"))
    assert [w.first for w in dry.windows] == [True, True]
    toy = FeedToy()
    for _ in range(2):
        run_cycle(toy, feed_context(state, queues))
    assert [w.first for w in toy.windows] == [True, False]


def test_a_tick_plans_each_feature_once_in_order(state, queues):
    first, second = FeedToy(), FeedToy()
    second.name = "toy2"  # type: ignore[misc]
    reports = run_tick([first, second], feed_context(state, queues))
    assert [r.feature for r in reports] == ["toy", "toy2"]
    assert all(r.started_at.utcoffset() == timedelta(0) for r in reports)  # in UTC, like every time the app keeps
    assert len({r.run_id for r in reports}) == 2
    run_tick([first, second], feed_context(state, queues))
    assert [w.first for w in first.windows + second.windows] == [True, False, True, False]


class WritingToy(Toy):
    """Applies a change by writing its state row (stamped with the message's run)."""

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        row = ctx.state.get_object("toy", change.key) or SyncObject(kind="toy", key=change.key)
        row.status = "active"
        ctx.state.save(row)
        return ApplyOutcome("applied")


def test_an_outcome_names_the_run_that_had_written_the_row_before(state, queues):
    state.save(SyncObject(kind="toy", key="a", status="active", last_run_id="run-before"))
    apply(WritingToy(), context(state, queues), message_text(toy_change("a"), toy_change("b"), run_id="run-now"))
    recorded = {r["key"]: r["previous_run"] for r in state.runs.iter_outcomes("run-now")}
    assert recorded == {"a": "run-before", "b": ""}  # what a rollback of run-now restores each row to
    first = next(iter(state.runs.iter_outcomes("run-now")))
    assert {k: v for k, v in first.items() if k != "at"} == {
        "kind": "create",
        "result": "applied",
        "detail": "",
        "notifications": [],
        "object_kind": "toy",
        "key": "a",
        "desired": {},
        "previous_run": "run-before",
    }
    row = state.get_object("toy", "a")
    assert row is not None and (row.last_run_id, row.previous_run_id) == ("run-now", "run-before")


def test_applied_changes_are_counted_per_feature_and_kind_on_the_message_s_span(state, queues):
    counted = (("change_kind", "create"), ("feature", "toy"))
    with capture() as telemetry:
        before = telemetry.metric("sync.changes.applied").get(counted, 0)
        apply(Toy(), context(state, queues), message_text(toy_change("a"), toy_change("b")))
        after = telemetry.metric("sync.changes.applied").get(counted, 0)
    assert after - before == 2
    [span] = telemetry.spans("sync.apply")
    assert (span["outcome"], span["changes.applied"], span["feature"]) == ("applied", 2, "toy")
    assert (span["run_id"], span["queue"], span["change_kind"]) == ("toy-run", QUEUE, "create")


def test_a_malformed_message_is_poisoned_with_its_reason(state, queues, caplog):
    apply(Toy(), context(state, queues), b"\xff\xfe")
    [poison] = [r for r in caplog.records if getattr(r, "event", "") == "MessagePoisoned"]
    assert poison.reason.startswith("message is not UTF-8")


def test_a_cycle_s_span_names_its_feature_run_and_outcome(state, queues):
    toy = Toy()
    toy.desired = {"a": {"n": 1}}
    counted = (("change_kind", "create"), ("feature", "toy"))
    with capture() as telemetry:
        before = telemetry.metric("sync.changes.planned").get(counted, 0)
        report = run_cycle(toy, context(state, queues))
        after = telemetry.metric("sync.changes.planned").get(counted, 0)
    [span] = telemetry.spans("sync.plan")
    assert (span["feature"], span["run_id"], span["outcome"], span["changes"]) == ("toy", report.run_id, "enqueued", 1)
    assert span["dry_run"] is False and after - before == 1
    assert report.finished_at is not None and report.finished_at.utcoffset() == timedelta(0)


def test_a_cycle_s_duration_is_the_time_it_took_whenever_it_starts(state, queues, clock):
    clock.advance(600)  # the process has been up for a while
    toy = Toy()
    toy.takes = 1.5
    assert run_cycle(toy, context(state, queues)).duration_ms == 1500
