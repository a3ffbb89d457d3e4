"""The delete allowance change-feed runs share (sync/core/targeted.py), on Azurite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync.core.state import SyncObject
from sync.core.targeted import DELETE_WINDOW, DeleteAllowance
from sync.features.datasources.feature import DataSourcesFeature


def own(state, count: int) -> None:
    state.upsert_many(
        [SyncObject(kind="datasource", key=f"t|{i}", status="active", fingerprint="f") for i in range(count)]
    )


def test_concurrent_runs_cannot_both_spend_the_last_of_the_allowance(state):
    own(state, 10)  # 20 % of 10: two deletions per window
    now = datetime.now(UTC)
    first, second = DeleteAllowance(state, DataSourcesFeature(), now), DeleteAllowance(state, DataSourcesFeature(), now)
    assert first.used() == second.used() == 0  # both read the same window
    assert first.take(1, 20.0)
    assert second.take(1, 20.0)  # its stale ETag fails once; it re-reads and still fits
    assert not DeleteAllowance(state, DataSourcesFeature(), now).take(1, 20.0)


def test_the_window_keeps_its_owned_count_and_a_new_window_starts_afresh(state):
    own(state, 10)
    now = datetime.now(UTC)
    assert DeleteAllowance(state, DataSourcesFeature(), now).take(2, 20.0)
    state.remove_many("datasource", [f"t|{i}" for i in range(5)])
    same_window = DeleteAllowance(state, DataSourcesFeature(), now + timedelta(minutes=5))
    assert same_window.owned() == 10 and same_window.used() == 2
    later = DeleteAllowance(state, DataSourcesFeature(), now + DELETE_WINDOW)
    assert later.owned() == 5 and later.used() == 0
    assert later.take(1, 20.0)


def test_a_window_opened_by_a_run_that_started_later_binds_an_earlier_run_too(state):
    """Overlapping runs: the later-started one opens the window first; the earlier one must spend from it."""
    own(state, 4)  # 50 % of 4: two deletions per window
    now = datetime.now(UTC)
    later = DeleteAllowance(state, DataSourcesFeature(), now + timedelta(seconds=2))
    assert later.take(1, 50.0)
    earlier = DeleteAllowance(state, DataSourcesFeature(), now)
    assert earlier.used() == 1 and earlier.owned() == 4
    assert earlier.take(1, 50.0) and not earlier.take(1, 50.0)
    assert not DeleteAllowance(state, DataSourcesFeature(), now).take(1, 50.0)


def test_a_window_from_more_than_a_window_ahead_is_not_trusted(state):
    own(state, 4)
    now = datetime.now(UTC)
    assert DeleteAllowance(state, DataSourcesFeature(), now + DELETE_WINDOW).take(2, 50.0)  # a clock an hour ahead
    behind = DeleteAllowance(state, DataSourcesFeature(), now)
    assert behind.used() == 0 and behind.take(2, 50.0)
    within = DeleteAllowance(state, DataSourcesFeature(), now + DELETE_WINDOW - timedelta(seconds=1))
    assert within.used() == 2  # the window the run behind opened (from `now`) is the current one
