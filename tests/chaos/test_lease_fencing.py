"""Leases cannot double-create (case 2 of issue 10): renewed while the holder works, fenced before every create,
short when the holder dies — with time moved by the test, never slept through."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sync.core.errors import LeaseHeldError
from sync.core.messages import Queues
from sync.core.state.leases import CLOCK_SKEW_SECONDS, LEASE_SECONDS, RENEW_EVERY_SECONDS
from tests.support.crash import CallCounter, SimulatedCrash, crashing_context
from tests.support.stack import SYNC_TERM, RecordingQueueSender, Stack, build_stack
from tests.support.waiting import wait_until

pytestmark = pytest.mark.chaos
QUEUE = Queues.CLUEDIN.value
REPO = Path(__file__).resolve().parents[2]


def one_group(stack: Stack, name: str) -> None:
    """Exactly one CluedIn group of that name, with its one data source, and the row pointing at it."""
    groups = stack.cluedin_groups()  # fails on duplicate names
    assert list(groups) == [name]
    assert [s["name"] for s in groups[name]["dataSources"]] == [name]
    [row] = stack.state.iter_objects("datasource")
    assert row.active and not row.lease_owner and row.target["group_id"] == str(groups[name]["id"])


def wait_stopped(process: subprocess.Popen[bytes]) -> None:
    """Wait until the child stopped itself (SIGSTOP)."""

    def stopped() -> bool:
        pid, status = os.waitpid(process.pid, os.WUNTRACED | os.WNOHANG)
        if pid and not os.WIFSTOPPED(status):
            raise AssertionError(f"the holder exited instead of freezing: {process.stderr.read()!r}")  # type: ignore[union-attr]
        return bool(pid)

    wait_until(stopped, "the holder to reach its create", 120)


def test_a_holder_frozen_past_its_lease_does_not_create_a_second_group(
    azurite, purview, fresh_cluedin_emulator, clock, tmp_path
):
    stack = build_stack(azurite, purview, fresh_cluedin_emulator)
    stack.add_file("Account.csv", terms=[SYNC_TERM])
    stack.plan("datasources")
    [message] = stack.receive(QUEUE)
    job = tmp_path / "job.json"
    job.write_text(json.dumps({"environment": stack.environment, "body": message.content, "message_id": message.id}))
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.chaos.frozen_holder", str(job)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_stopped(holder)  # frozen, heartbeat and all, with the create intent written and the lease held
        [row] = stack.state.iter_objects("datasource")
        assert row.lease_owner and row.data["creating_group"] == "Account.csv" and row.lease_until is not None
        clock.advance((row.lease_until - clock.now()).total_seconds() + CLOCK_SKEW_SECONDS + 1)
        [taken_over] = stack.apply(QUEUE, message)  # the host redelivers it: the lease ran out, this one creates
        assert taken_over.result == "applied"
        os.kill(holder.pid, signal.SIGCONT)
        out, err = holder.communicate(timeout=120)
    finally:
        if holder.poll() is None:
            holder.kill()
    assert holder.returncode == 0, err.decode()
    one_group(stack, "Account.csv")  # the resumed holder did not send its create
    [resumed] = json.loads(out)
    assert resumed["result"] == "skipped" and "lease" in resumed["detail"] and "lost" in resumed["detail"]


def test_a_live_holder_keeps_its_lease_however_long_it_works(state, clock):
    entered, finish = threading.Event(), threading.Event()

    def holder() -> None:
        with state.leased("datasource", "slow", owner="holder") as obj:
            entered.set()
            finish.wait(120)
            obj.status = "active"
            state.release(obj)

    worker = threading.Thread(target=holder)
    worker.start()
    entered.wait(60)
    try:
        for _ in range(math.ceil(3 * LEASE_SECONDS / RENEW_EVERY_SECONDS)):  # three leases' worth of time
            before = state.get_object("datasource", "slow").lease_until
            wait_until(lambda: clock.waiting() == 1, "the heartbeat to wait for its next beat")
            clock.advance(RENEW_EVERY_SECONDS)
            wait_until(lambda before=before: state.get_object("datasource", "slow").lease_until > before, "renewal")
            with pytest.raises(LeaseHeldError):
                state.claim("datasource", "slow", owner="duplicate")
    finally:
        finish.set()
        worker.join(60)
    row = state.get_object("datasource", "slow")
    assert row.active and not row.lease_owner
    assert state.claim("datasource", "slow", owner="duplicate").lease_owner == "duplicate"


def test_a_crash_redelivery_waits_for_the_dead_lease_and_no_longer(azurite, purview, fresh_cluedin_emulator, clock):
    stack = build_stack(azurite, purview, fresh_cluedin_emulator)
    stack.add_file("Account.csv", terms=[SYNC_TERM])
    stack.plan("datasources")
    [message] = stack.receive(QUEUE)
    counter = CallCounter(None, crash_at="cluedin.create_data_source_set")  # the group exists; its id is unsaved
    with pytest.raises(SimulatedCrash):
        stack.apply(QUEUE, message, crashing_context(stack.context(), counter))
    [row] = stack.state.iter_objects("datasource")
    assert row.lease_until is not None
    lease_left = (row.lease_until - clock.now()).total_seconds() + CLOCK_SKEW_SECONDS
    text, waited, deferrals = message.content, 0.0, 0
    while True:
        [outcome] = stack.apply_text(QUEUE, text)  # each redelivery is a new invocation
        if outcome.result != "skipped":
            break
        assert "being applied by another invocation" in outcome.detail
        assert isinstance(stack.queues, RecordingQueueSender)
        _, text, delay = stack.queues.delayed[-1]
        assert delay <= math.ceil(max(1.0, lease_left - waited))  # never deferred past the lease's end
        clock.advance(delay)
        waited += delay
        deferrals += 1
    assert outcome.result == "applied" and deferrals >= 1
    assert lease_left <= waited <= lease_left + 1  # taken over within a second of the dead lease's end
    one_group(stack, "Account.csv")  # the group the dead holder created was adopted by its name, not made again
