"""The delete policy and the mass-delete fail-safe (sync/core/guards.py), at and around every boundary.

`SYNC_DELETE_FAILSAFE_PERCENT` allows floor(owned * percent / 100) deletions per cycle, and always at least one:
each case checks the count exactly at, just below and just above the limit, and that it rounds down.
"""

from __future__ import annotations

import logging

import pytest

from sync.core.errors import RetriableError
from sync.core.guards import allowed_deletes, guard_deletes, mark_orphaned, refusal
from sync.core.messages import Change, ChangeKind
from sync.core.settings import EngineSettings, Settings
from sync.core.state import StateStore, SyncObject


def engine(**values: object) -> EngineSettings:
    environ = {f"SYNC_{k.upper()}": str(v) for k, v in values.items()}
    return Settings(environ).engine


def change(key: str, kind: ChangeKind = ChangeKind.DELETE) -> Change:
    return Change(feature="f", object_kind="thing", key=key, kind=kind)


@pytest.mark.parametrize(
    ("owned", "percent", "allowed"),
    [
        (10, 20.0, 2),  # exactly 2.0
        (9, 20.0, 1),  # 1.8 rounds down, not up
        (14, 20.0, 2),  # 2.8 rounds down
        (15, 20.0, 3),  # exactly 3.0
        (3, 20.0, 1),  # 0.6: at least one
        (0, 20.0, 1),  # nothing owned: still one
        (10, 0.0, 1),  # 0 %: still one
        (10, 100.0, 10),
        (200, 50.5, 101),
    ],
)
def test_allowed_deletes_is_the_floor_of_the_share_and_at_least_one(owned, percent, allowed):
    assert allowed_deletes(owned, percent) == allowed


@pytest.mark.parametrize(("deletes", "refused"), [(1, False), (2, False), (3, True)])
def test_the_fail_safe_at_just_below_and_just_above_its_limit(deletes, refused):
    settings = engine(delete_failsafe_percent=20)  # 10 owned → 2 allowed
    assert bool(refusal(deletes, 10, settings)) is refused


def test_a_share_that_is_not_whole_rounds_down_for_the_fail_safe():
    settings = engine(delete_failsafe_percent=20)  # 9 owned → 1.8 → 1 allowed
    assert refusal(1, 9, settings) == ""
    assert refusal(2, 9, settings) == (
        "refused to delete 2 of 9 owned objects (fail-safe allows 1: SYNC_DELETE_FAILSAFE_PERCENT=20); "
        "nothing was deleted. If this is intended, raise the setting for one cycle."
    )


@pytest.mark.parametrize(("deletes", "already", "refused"), [(1, 1, False), (2, 1, True), (1, 2, True)])
def test_change_feed_deletes_earlier_in_the_hour_share_the_allowance(deletes, already, refused):
    settings = engine(delete_failsafe_percent=20)  # 10 owned → 2 allowed in all, this cycle's and earlier ones'
    assert bool(refusal(deletes, 10, settings, already=already)) is refused


def test_a_refusal_names_what_the_change_feed_already_deleted_this_hour():
    assert refusal(2, 10, engine(delete_failsafe_percent=20), already=1) == (
        "refused to delete 2 of 10 owned objects (fail-safe allows 2, 1 already deleted by the change feed this "
        "hour: SYNC_DELETE_FAILSAFE_PERCENT=20); nothing was deleted. If this is intended, raise the setting for "
        "one cycle."
    )


def test_guarding_a_plan_counts_the_hour_s_earlier_deletes():
    settings = engine(delete_failsafe_percent=20, delete_policy="soft-delete")
    kept, orphans, refused = guard_deletes(
        [change("a"), change("b")], owned=10, settings=settings, deletes_on_target=True, feature="f", run_id="r",
        already=1,
    )  # fmt: skip
    assert kept == [] and orphans == [] and "1 already deleted by the change feed" in refused


def test_a_refusal_names_the_fractional_setting_as_given():
    assert "allows 5: SYNC_DELETE_FAILSAFE_PERCENT=12.5)" in refusal(6, 40, engine(delete_failsafe_percent=12.5))


def test_a_refused_plan_sends_everything_but_its_deletions_and_marks_nothing(caplog):
    caplog.set_level(logging.WARNING, logger="sync.engine")
    changes = [change("a", ChangeKind.CREATE), change("b"), change("c"), change("d", ChangeKind.UPDATE), change("e")]
    settings = engine(delete_failsafe_percent=20, delete_policy="soft-delete")
    kept, orphans, refused = guard_deletes(
        changes, owned=10, settings=settings, deletes_on_target=True, feature="f", run_id="run-1"
    )
    assert [c.key for c in kept] == ["a", "d"] and orphans == []
    assert refused.startswith("refused to delete 3 of 10 owned objects (fail-safe allows 2")
    [record] = [r for r in caplog.records if r.name == "sync.engine"]
    assert record.getMessage().startswith(refused + " [DeleteFailSafe")
    assert record.levelno == logging.WARNING and record.event == "DeleteFailSafe"
    assert (record.feature, record.run_id) == ("f", "run-1")


def test_soft_delete_sends_deletions_the_target_can_make():
    changes = [change("a", ChangeKind.CREATE), change("b")]
    settings = engine(delete_failsafe_percent=50, delete_policy="soft-delete")
    assert guard_deletes(changes, owned=2, settings=settings, deletes_on_target=True, feature="f", run_id="r") == (
        changes,
        [],
        "",
    )


@pytest.mark.parametrize(("policy", "on_target"), [("retain", True), ("retain", False), ("soft-delete", False)])
def test_retain_or_a_target_without_deletes_marks_orphans_instead(policy, on_target):
    changes = [change("a", ChangeKind.CREATE), change("b")]
    settings = engine(delete_failsafe_percent=50, delete_policy=policy)
    kept, orphans, refused = guard_deletes(
        changes, owned=2, settings=settings, deletes_on_target=on_target, feature="f", run_id="r"
    )
    assert (kept, orphans, refused) == ([changes[0]], [changes[1]], "")


def test_a_plan_without_deletions_passes_untouched_whatever_is_owned():
    changes = [change("a", ChangeKind.CREATE)]
    settings = engine(delete_failsafe_percent=0)
    assert guard_deletes(changes, owned=0, settings=settings, deletes_on_target=True, feature="f", run_id="r") == (
        changes,
        [],
        "",
    )


def test_mark_orphaned_reads_each_row_whole_and_marks_it_with_the_run(state: StateStore):
    full = SyncObject(
        kind="thing",
        key="a",
        source={"id": 1},
        target={"guid": "g-1"},
        data={"n": 2},
        fingerprint="fp",
        status="active",
    )
    state.save(full)
    state.save(SyncObject(kind="thing", key="gone-already", status="orphaned", last_run_id="old"))
    partial = {"a": SyncObject(kind="thing", key="a"), "gone-already": SyncObject(kind="thing", key="gone-already")}
    errors: list[str] = []
    mark_orphaned([change("a"), change("gone-already"), change("no-row")], partial, state, "run-2", errors.append)
    row = state.get_object("thing", "a")
    assert row is not None and errors == []
    assert (row.status, row.last_run_id, row.source, row.target, row.data, row.fingerprint) == (
        "orphaned",
        "run-2",
        {"id": 1},
        {"guid": "g-1"},
        {"n": 2},
        "fp",
    )
    untouched = state.get_object("thing", "gone-already")
    assert untouched is not None and untouched.last_run_id == "old"


def test_mark_orphaned_leaves_a_row_another_cycle_already_orphaned_or_removed(state: StateStore):
    state.save(SyncObject(kind="thing", key="a", status="orphaned", last_run_id="other"))
    state.save(SyncObject(kind="thing", key="c", status="active"))
    known = {key: SyncObject(kind="thing", key=key) for key in "abc"}  # b: its row was deleted meanwhile
    known["d"] = SyncObject(kind="thing", key="d", status="orphaned")
    mark_orphaned([change("d"), change("a"), change("b"), change("c")], known, state, "run-3", pytest.fail)
    marked = state.get_object("thing", "c")
    assert marked is not None and (marked.status, marked.last_run_id) == ("orphaned", "run-3")  # the loop went on
    row = state.get_object("thing", "a")
    assert row is not None and row.last_run_id == "other"
    assert state.get_object("thing", "b") is None


def test_mark_orphaned_reports_a_failed_write_and_goes_on(state: StateStore, monkeypatch):
    for key in ("a", "b"):
        state.save(SyncObject(kind="thing", key=key))
    saved: list[str] = []

    def flaky_save(obj: SyncObject) -> SyncObject:
        if obj.key == "a":
            raise RetriableError("state storage is busy", service="state storage")
        saved.append(obj.key)
        return obj

    monkeypatch.setattr(state, "save", flaky_save)
    errors: list[str] = []
    rows = {key: SyncObject(kind="thing", key=key) for key in ("a", "b")}
    mark_orphaned([change("a"), change("b")], rows, state, "run-4", errors.append)
    assert errors == ["could not mark thing/a orphaned: state storage is busy"]
    assert saved == ["b"]
