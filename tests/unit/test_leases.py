"""Leases (sync/core/state/leases.py) on Azurite with a manual clock: expiry to the second, renewal, fences, waits.

The real holder process frozen past its lease is tests/chaos/test_lease_fencing.py; these pin each rule quickly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync.core import fencing
from sync.core.errors import ContentionError, LeaseHeldError, RetriableError, StaleChangeError
from sync.core.state import StateStore, SyncObject, new_run_id
from sync.core.state.leases import (
    CLAIM_POLL_SECONDS,
    CLOCK_SKEW_SECONDS,
    LEASE_SECONDS,
    RENEW_EVERY_SECONDS,
    new_owner,
    planning_run,
    superseded,
)
from tests.support.waiting import wait_until

EARLY = new_run_id("toy", datetime(2026, 1, 1, tzinfo=UTC))
LATE = new_run_id("toy", datetime(2026, 1, 2, tzinfo=UTC))
OTHER_FEATURE_LATE = new_run_id("other", datetime(2026, 1, 3, tzinfo=UTC))
EARLY_TOO = new_run_id("toy", datetime(2026, 1, 1, tzinfo=UTC))
"""Another run of the feature started in the same millisecond as EARLY (two hosts' timers)."""


def test_an_owner_is_unique_per_invocation_and_names_its_planning_run():
    first, second = new_owner("run-1"), new_owner("run-1")
    assert first != second and first.endswith("@run-1") and len(first) == 32 + len("@run-1")
    assert planning_run(first) == "run-1" and planning_run(new_owner()) == "" and "@" not in new_owner()


@pytest.mark.parametrize(
    ("last", "planned", "stale"),
    [
        ("", EARLY, False),
        (EARLY, EARLY, False),
        (EARLY, LATE, False),
        (LATE, EARLY, True),  # a later run of the same feature already wrote the row
        (OTHER_FEATURE_LATE, EARLY, False),  # other features' runs say nothing
        (EARLY_TOO, EARLY, False),  # started in the same millisecond: not later
        ("not-a-run-id", EARLY, False),
        (LATE, "", False),
    ],
)
def test_a_change_is_stale_only_behind_a_later_run_of_its_own_feature(last, planned, stale):
    row = SyncObject(kind="toy", key="a", last_run_id=last)
    reason = superseded(row, new_owner(planned))
    assert bool(reason) is stale
    if stale:
        assert reason == f"superseded: run {LATE} wrote toy/a after run {EARLY} planned this change"


def test_another_owner_waits_until_the_lease_and_the_skew_have_passed_to_the_second(state: StateStore, clock):
    state.claim("toy", "a", owner="first")
    with pytest.raises(LeaseHeldError) as err:
        state.claim("toy", "a", owner="second")
    assert err.value.retry_after == LEASE_SECONDS + CLOCK_SKEW_SECONDS
    clock.advance(LEASE_SECONDS + CLOCK_SKEW_SECONDS - 1)
    with pytest.raises(LeaseHeldError) as again:
        state.claim("toy", "a", owner="second")
    assert again.value.retry_after == 1.0
    clock.advance(1)  # exactly at its end: free
    taken = state.claim("toy", "a", owner="second")
    assert taken.lease_owner == "second" and taken.lease_until == clock.now() + timedelta(seconds=LEASE_SECONDS)


def test_the_same_invocation_claims_again_and_a_stale_change_is_refused(state: StateStore):
    state.claim("toy", "a", owner="me")
    assert state.claim("toy", "a", owner="me").lease_owner == "me"
    state.save(SyncObject(kind="toy", key="b", last_run_id=LATE))
    with pytest.raises(StaleChangeError):
        state.claim("toy", "b", owner=new_owner(EARLY))


def test_a_held_lease_is_renewed_by_its_heartbeat(state: StateStore, clock):
    lease = state.lease("toy", "a", owner="me")
    with lease.held():
        start = state.get_object("toy", "a")
        assert start is not None and start.lease_until is not None
        wait_until(lambda: clock.waiting() == 1, "the heartbeat to wait")
        clock.advance(RENEW_EVERY_SECONDS)
        expected = start.lease_until + timedelta(seconds=RENEW_EVERY_SECONDS)

        def renewed() -> bool:
            row = state.get_object("toy", "a")
            return row is not None and row.lease_until == expected

        wait_until(renewed, "the heartbeat's renewal")
    row = state.get_object("toy", "a")
    assert row is not None and (row.lease_owner, row.lease_until) == ("", None)  # released on leaving the block


def test_a_fence_extends_the_lease_and_refuses_once_another_invocation_took_over(state: StateStore, clock):
    lease = state.lease("toy", "a", owner="me")
    clock.advance(10)
    lease.obj.lease_owner, lease.obj.lease_until = "", None
    assert lease.fence() == LEASE_SECONDS
    until = clock.now() + timedelta(seconds=LEASE_SECONDS)
    row = state.get_object("toy", "a")
    assert row is not None and (row.lease_owner, row.lease_until) == ("me", until)
    assert (lease.obj.lease_owner, lease.obj.lease_until, lease.obj.etag) == ("me", until, row.etag)
    clock.advance(LEASE_SECONDS + CLOCK_SKEW_SECONDS)
    state.claim("toy", "a", owner="other")
    with pytest.raises(ContentionError) as err:
        lease.fence()
    assert str(err.value) == (
        "the lease on toy/a was lost (another invocation took the object over); the call was not sent"
    )
    assert err.value.service == "state storage" and "changed concurrently" in lease.lost
    with pytest.raises(ContentionError, match="was lost"):
        lease.write(lease.obj)


def test_the_transport_s_fence_is_the_held_lease_while_the_block_runs(state: StateStore, clock):
    assert fencing.check() is None
    with state.leased("toy", "a", owner="me"):
        assert fencing.check() == LEASE_SECONDS
    assert fencing.check() is None


def test_release_saves_the_final_state_drops_the_lease_and_records_the_planning_run(state: StateStore):
    owner = new_owner(EARLY)
    lease = state.lease("toy", "a", owner=owner)
    lease.obj.status = "active"
    assert state.release(lease.obj).status == "active"
    with pytest.raises(ContentionError, match="already released"):
        lease.release(lease.obj)
    row = state.get_object("toy", "a")
    assert row is not None and (row.status, row.lease_owner, row.last_run_id) == ("active", "", EARLY)


def test_an_error_in_the_block_releases_the_lease_and_keeps_what_was_saved(state: StateStore):
    with pytest.raises(RuntimeError), state.leased("toy", "a", owner="me") as obj:
        obj.status = "half-done"
        state.save(obj)
        raise RuntimeError("applier failed")
    row = state.get_object("toy", "a")
    assert row is not None and (row.status, row.lease_owner) == ("half-done", "")
    state.claim("toy", "a", owner="next")  # free at once


def test_a_waiting_lease_polls_until_the_holder_s_lease_ends_and_no_longer(state: StateStore, clock):
    state.claim("toy", "a", owner="holder")
    with pytest.raises(LeaseHeldError):
        state.lease("toy", "a", owner="waiter", wait=1.2)
    assert clock.slept == [CLAIM_POLL_SECONDS, CLAIM_POLL_SECONDS, 0.2]  # the wait, cut at its end
    clock.slept.clear()
    lease = state.lease("toy", "a", owner="waiter", wait=LEASE_SECONDS * 2)
    assert lease.owner == "waiter"
    waited = sum(clock.slept)
    assert LEASE_SECONDS + CLOCK_SKEW_SECONDS - 1.2 <= waited <= LEASE_SECONDS + CLOCK_SKEW_SECONDS - 1.2 + 1e-6


def test_releasing_a_row_that_is_not_leased_writes_it_without_a_lease(state: StateStore):
    obj = state.claim("toy", "a", owner="me")
    obj.holder = None
    obj.status = "active"
    saved = state.release(obj)
    assert (saved.lease_owner, saved.lease_until) == ("", None)


def test_a_write_through_the_lease_extends_it_and_a_lost_lease_says_why(state: StateStore, clock):
    lease = state.lease("toy", "a", owner="me")
    clock.advance(20)
    obj = lease.obj
    obj.lease_owner, obj.lease_until = "", None
    saved = lease.write(obj)
    assert (saved.lease_owner, saved.lease_until) == ("me", clock.now() + timedelta(seconds=LEASE_SECONDS))
    clock.advance(LEASE_SECONDS + CLOCK_SKEW_SECONDS)
    state.claim("toy", "a", owner="other")
    with pytest.raises(ContentionError):
        lease.write(obj)
    assert "changed concurrently" in lease.lost
    with pytest.raises(ContentionError, match="was lost: state row toy/a changed concurrently") as err:
        lease.release(obj)
    assert err.value.service == "state storage"


def test_a_release_that_finds_the_row_taken_over_records_why(state: StateStore, clock):
    lease = state.lease("toy", "a", owner="me")
    clock.advance(LEASE_SECONDS + CLOCK_SKEW_SECONDS)
    state.claim("toy", "a", owner="other")
    with pytest.raises(ContentionError):
        lease.release(lease.obj)
    assert "changed concurrently" in lease.lost and not lease.released


def test_a_released_lease_refuses_further_writes_naming_state_storage(state: StateStore):
    lease = state.lease("toy", "a", owner="me")
    saved = lease.release(lease.obj)
    assert (saved.lease_owner, saved.lease_until, saved.holder) == ("", None, None)
    with pytest.raises(ContentionError, match="the lease on toy/a was already released") as err:
        lease.fence()
    assert err.value.service == "state storage"


def test_a_heartbeat_that_cannot_reach_storage_warns_and_tries_again(state: StateStore, clock, caplog, monkeypatch):
    lease = state.lease("toy", "a", owner="me")
    renew = state.renew_lease
    calls: list[int] = []

    def flaky(obj: SyncObject, owner: str, until: datetime) -> str:
        calls.append(1)
        if len(calls) == 1:
            raise RetriableError("state storage is unreachable", service="state storage")
        etag: str = renew(obj, owner, until)
        return etag

    monkeypatch.setattr(state, "renew_lease", flaky)
    with lease.held():
        for _ in range(2):
            wait_until(lambda: clock.waiting() == 1, "the heartbeat to wait")
            beats = len(calls)
            clock.advance(RENEW_EVERY_SECONDS)
            wait_until(lambda beats=beats: len(calls) > beats, "a beat")
    warnings = [r.getMessage() for r in caplog.records if r.name == "sync.core.state.leases"]
    assert warnings == ["could not renew the lease on toy/a: state storage is unreachable"]
    assert not lease.lost


def test_a_claim_on_the_callers_read_skips_its_own_read_and_is_guarded_by_it(state: StateStore, monkeypatch):
    """`known` saves a read; a row written since that read (or created, when the caller saw none) is contention."""
    state.save(SyncObject(kind="k", key="a", data={"v": 1}))
    read = state.get_object("k", "a")
    reads: list[str] = []
    real = state.get_object

    def counted(kind: str, key: str) -> SyncObject | None:
        reads.append(key)
        return real(kind, key)

    monkeypatch.setattr(state, "get_object", counted)
    held = state.claim("k", "a", owner="o1", known=read)
    assert reads == [] and held is read and held.lease_owner == "o1" and held.data == {"v": 1}
    state.release(held)

    stale = real("k", "a")
    assert stale is not None
    state.save(SyncObject(kind="k", key="a", data={"v": 2}, etag=stale.etag))  # written after the caller's read
    with pytest.raises(LeaseHeldError, match="claimed at the same moment"):
        state.claim("k", "a", owner="o2", known=stale)
    state.save(SyncObject(kind="k", key="b"))  # created after the caller read that there was no such row
    with pytest.raises(LeaseHeldError, match="claimed at the same moment"):
        state.claim("k", "b", owner="o2", known=None)
    assert reads == []


def test_a_waiting_lease_reads_the_row_again_after_its_first_claim_on_the_callers_read_failed(state: StateStore, clock):
    """The caller's read is used once: after contention the wait goes on with fresh reads, and then succeeds."""
    state.save(SyncObject(kind="k", key="a"))
    stale = state.get_object("k", "a")
    assert stale is not None
    state.save(SyncObject(kind="k", key="a", data={"v": 2}, etag=stale.etag))
    lease = state.lease("k", "a", owner="o1", wait=5, known=stale)
    assert lease.obj.data == {"v": 2} and lease.obj.lease_owner == "o1"
