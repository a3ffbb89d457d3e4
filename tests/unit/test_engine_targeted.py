"""Plans of only what a pushed change feed named (sync/core/engine.py `run_targeted`, sync/core/targeted.py), with
test_engine.py's toy feature on Azurite: which features plan, what they read, and the delete allowance every
change-feed run of a feature shares.

Fast on purpose, like test_engine.py: `make mutation` runs these for every mutant of the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest

from sync.core.changefeed import FeedEntry
from sync.core.engine import run_cycle, run_targeted
from sync.core.feature import Snapshot, SyncContext
from sync.core.guards import guard_deletes as judge
from sync.core.targeted import ALLOWANCE_CURSOR
from tests.unit.test_engine import Toy, context, owned, received


class PushedToy(Toy):
    """Plans from Purview's pushed notifications: an entry names an object; a `delete` entry says it is gone."""

    pushed_feeds: ClassVar[frozenset[str]] = frozenset({"purview"})

    def snapshot_of(self, ctx: SyncContext, entries: Sequence[FeedEntry]) -> Snapshot:
        desired = {e.object_id: {"n": 1} for e in entries if e.action != "delete"}
        return Snapshot(desired=desired, scope={e.object_id for e in entries})


def entry(key: str, action: str = "update") -> FeedEntry:
    return FeedEntry(id=f"{action}-{key}", object_type="toy", object_id=key, action=action, at="2026-01-01T00:00:00Z")


def test_a_pushed_feed_plans_only_the_named_objects_of_the_features_subscribed_to_it(state, queues):
    pushed, other = PushedToy(), Toy()
    other.name = "other"  # type: ignore[misc]
    owned(state, "a", "b", "untouched")
    named = [entry("b"), entry("a"), entry("n")]
    reports = run_targeted([other, pushed], context(state, queues), named, source="purview")
    [report] = reports
    assert (report.feature, report.trigger, report.targets) == ("toy", "purview-change-feed", ["a", "b", "n"])
    assert report.planned == {"create": 1, "update": 2} and report.status == "enqueued"
    assert (report.source_objects, report.owned_objects) == (3, 2)  # the rows it looked at, not the whole estate
    assert run_targeted([other], context(state, queues), [entry("a")], source="purview") == []


@pytest.mark.parametrize("dry_run", ["false", "true"])
def test_pushed_deletions_share_one_allowance_with_every_change_feed_run(state, queues, dry_run):
    owned(state, "a", "b", "c", "d")  # 50% of 4: two deletions per window
    ctx = context(state, queues, SYNC_DRY_RUN=dry_run)
    gone = [entry("a", "delete"), entry("b", "delete")]
    first = run_targeted([PushedToy()], ctx, gone, source="purview")[0]
    # Judged against the whole owned count (4), not the two rows this run looked at.
    assert (first.planned, first.deletes_refused, first.owned_objects) == ({"delete": 2}, False, 2)
    cursor, _ = state.get_cursor("toy", ALLOWANCE_CURSOR)
    if dry_run == "true":
        assert cursor is None  # a dry run spends nothing
        return
    assert cursor is not None and (cursor["owned"], cursor["deleted"]) == (4, 2)
    second = run_targeted([PushedToy()], ctx, [entry("c", "delete")], source="purview")[0]
    assert second.deletes_refused and second.enqueued == 0
    assert second.deletes_refused_reason.startswith("refused to delete 1 of 4")  # two already spent
    assert state.get_cursor("toy", ALLOWANCE_CURSOR)[0]["deleted"] == 2


def test_a_full_cycle_neither_spends_nor_is_limited_by_the_change_feed_allowance(state, queues):
    owned(state, "a", "b", "c", "d")
    ctx = context(state, queues)
    run_targeted([PushedToy()], ctx, [entry("a", "delete"), entry("b", "delete")], source="purview")
    toy = PushedToy()
    toy.desired = {"a": {"n": 1}, "b": {"n": 1}, "c": {"n": 1}}
    report = run_cycle(toy, ctx)  # deletes d: one of four, within the full cycle's own fail-safe
    assert (report.deletes_refused, report.planned.get("delete")) == (False, 1)
    assert state.get_cursor("toy", ALLOWANCE_CURSOR)[0]["deleted"] == 2


class RecordingFeed:
    """A pull feed's source that remembers the context it was built with and how far each read went."""

    key = "org"

    def __init__(self) -> None:
        self.contexts: list[SyncContext] = []
        self.untils: list[datetime] = []

    def build(self, ctx: SyncContext) -> RecordingFeed:
        self.contexts.append(ctx)
        return self

    def read(self, since: datetime, until: datetime) -> list[FeedEntry]:
        self.untils.append(until)
        return []


class PushedFeedToy(PushedToy):
    """A pushed-feed planner that also reads a pull feed."""

    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": frozenset()}

    def snapshot_of(self, ctx: SyncContext, entries: Sequence[FeedEntry]) -> Snapshot:
        self.windows.append(ctx.feed("cluedin"))
        return super().snapshot_of(ctx, entries)


def test_a_pushed_feed_run_reads_pull_feeds_from_state_up_to_its_own_start(state, queues):
    feed = RecordingFeed()
    ctx = SyncContext(context(state, queues).settings, state, queues, feed_sources={"cluedin": feed.build})
    toy = PushedFeedToy()
    started = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    run_cycle(toy, ctx, now=started)  # the full cycle takes the feed's first position
    later = started + timedelta(minutes=5)
    [report] = run_targeted([toy], ctx, [entry("a")], source="purview", now=later)
    assert report.status == "enqueued" and [w.first for w in toy.windows] == [True, False]
    assert feed.untils[-1] == later and feed.contexts and all(c is ctx for c in feed.contexts)
    latest = later + timedelta(minutes=5)
    run_cycle(toy, ctx, now=latest)
    assert feed.untils[-1] == latest  # a full cycle reads up to the tick it was given


def test_deletions_another_change_feed_run_spent_meanwhile_are_left_to_the_full_cycle(state, queues, monkeypatch):
    """Two partitions' runs judge the same allowance at once: the one that writes it second must not overspend.

    The other run is made to happen exactly between this run's judgement and its spending (the real fail-safe
    wrapped, not replaced): no emulator can time two threads that precisely.
    """
    owned(state, "a", "b", "c", "d")  # two deletions per window
    run_targeted([PushedToy()], context(state, queues), [entry("d", "delete")], source="purview")  # opens the window

    def judged_then_another_run_spends_it(*args: Any, **kwargs: Any) -> Any:
        verdict = judge(*args, **kwargs)
        monkeypatch.setattr("sync.core.engine.guard_deletes", judge)
        run_targeted([PushedToy()], context(state, queues), [entry("a", "delete")], source="purview")
        return verdict

    monkeypatch.setattr("sync.core.engine.guard_deletes", judged_then_another_run_spends_it)
    [report] = run_targeted([PushedToy()], context(state, queues), [entry("c", "delete"), entry("n")], source="purview")
    assert report.deletes_refused and report.deletes_refused_reason == (
        "the change feed's delete allowance for this hour ran out meanwhile; left to the full cycle"
    )
    assert (report.planned, report.orphaned) == ({"create": 1}, 0)  # the create still goes, the deletion does not
    sent = sorted((str(c.kind), c.key) for m in received(queues) for c in m.changes)
    assert sent == [("create", "n"), ("delete", "a"), ("delete", "d")]
    assert state.get_cursor("toy", ALLOWANCE_CURSOR)[0]["deleted"] == 2
