"""A tick plans its features side by side, except where one depends on another (sync/core/tick.py), and a
feature's set-up may run beside its snapshot (`Feature.setup_beside_snapshot`, sync/core/engine.py).

Concurrency is shown, not assumed: two independent features meet at a barrier inside their snapshots, which only
works if both are planning at the same moment; a feature that depends on another starts only after it finished.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, ClassVar

from sync.core.diff import diff
from sync.core.engine import run_tick
from sync.core.errors import RetriableError
from sync.core.feature import ApplyOutcome, Feature, SetupStep, Snapshot, SyncContext
from sync.core.messages import Change, Queues
from sync.core.settings import Settings
from sync.core.state import StateStore, SyncObject
from sync.core.storage import QueueSender


class Step(Feature):
    """A feature whose snapshot records when it ran, optionally meeting the others at a barrier."""

    queue: ClassVar[Queues] = Queues.CLUEDIN

    def __init__(self, name: str, log: list[str], *, barrier: threading.Barrier | None = None, after=()) -> None:
        self.name = name  # type: ignore[misc]
        self.object_kind = name  # type: ignore[misc]
        self.depends_on = tuple(after)  # type: ignore[misc]
        self.log = log
        self.barrier = barrier
        self.seen_feature = ""
        self.shared: list[str] = []

    def enabled(self, settings: Settings) -> bool:
        return True

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        self.log.append(f"{self.name} started")
        self.seen_feature = ctx.feature
        self.shared.append(ctx.once_per_tick("glossary", self.read_glossary))
        if self.barrier is not None:
            self.barrier.wait()  # raises (and fails the cycle) unless the other feature is here too
        self.log.append(f"{self.name} finished")
        return Snapshot(desired={"x": {"n": 1}})

    def read_glossary(self) -> str:
        self.log.append("read once")
        return "terms"

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        return diff(snapshot, state, lambda kind, key, desired: self.change(kind, key, desired, f"{kind} {key}"))

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        return ApplyOutcome("applied")


def context(state: StateStore, queues: QueueSender, **settings: str) -> SyncContext:
    return SyncContext(Settings(settings), state, queues)


def test_independent_features_plan_at_the_same_time(state: StateStore, queues: QueueSender) -> None:
    log: list[str] = []
    barrier = threading.Barrier(2, timeout=10)
    a, b = Step("a", log, barrier=barrier), Step("b", log, barrier=barrier)
    reports = run_tick([a, b], context(state, queues))
    assert [(r.feature, r.status) for r in reports] == [("a", "enqueued"), ("b", "enqueued")]
    assert log.index("b started") < log.index("a finished")  # both were inside their snapshots at once
    assert (a.seen_feature, b.seen_feature) == ("a", "b")  # each plans under its own name
    assert log.count("read once") == 1 and a.shared == b.shared == ["terms"]  # a shared read is still made once


def test_a_feature_starts_after_the_features_it_depends_on(state: StateStore, queues: QueueSender) -> None:
    log: list[str] = []
    first, free = Step("first", log), Step("free", log)
    later = Step("later", log, after=("first",))
    reports = run_tick([first, free, later], context(state, queues))
    assert [r.status for r in reports] == ["enqueued"] * 3
    assert log.index("later started") > log.index("first finished")


def test_one_at_a_time_when_configured_or_when_an_operator_reviews_plans(
    state: StateStore, queues: QueueSender
) -> None:
    log: list[str] = []
    reports = run_tick([Step("a", log), Step("b", log)], context(state, queues, SYNC_TICK_PARALLEL_FEATURES="1"))
    assert [r.status for r in reports] == ["enqueued"] * 2
    assert log == ["a started", "read once", "a finished", "b started", "b finished"]

    log.clear()
    reviewed: list[str] = []
    ctx = context(state, queues)
    ctx.plan_hook = lambda feature, report, changes: reviewed.append(feature.name)
    run_tick([Step("c", log), Step("d", log)], ctx)
    assert log == ["c started", "read once", "c finished", "d started", "d finished"] and reviewed == ["c", "d"]


class Beside(Step):
    """Set-up steps that write nothing the snapshot reads: run while it reads, finished before anything is sent."""

    setup_beside_snapshot: ClassVar[bool] = True

    def __init__(self, name: str, log: list[str], *, fail: bool = False) -> None:
        super().__init__(name, log, barrier=threading.Barrier(2, timeout=10))
        self.fail = fail

    def prepare(self, ctx: SyncContext) -> list[SetupStep]:
        return [SetupStep("register types", self.register)]

    def register(self) -> None:
        assert self.barrier is not None
        self.barrier.wait()  # only passes while the snapshot is reading at the same time
        self.log.append("registered")
        if self.fail:
            raise RetriableError("Purview answered 503")

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        self.log.append("planned")
        return super().plan(snapshot, state, settings)


def test_set_up_runs_beside_the_snapshot_and_ends_before_anything_is_sent(
    state: StateStore, queues: QueueSender
) -> None:
    log: list[str] = []
    [report] = run_tick([Beside("types", log)], context(state, queues))
    assert report.status == "enqueued" and report.setup == ["register types"]
    assert log.index("registered") < log.index("planned")


def test_a_failed_set_up_beside_the_snapshot_fails_the_cycle_and_sends_nothing(
    state: StateStore, queues: QueueSender
) -> None:
    log: list[str] = []
    [report] = run_tick([Beside("types", log, fail=True)], context(state, queues))
    assert report.status == "failed" and "Purview answered 503" in report.errors[0]
    assert "planned" not in log and report.enqueued == 0
