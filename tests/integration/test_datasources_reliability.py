"""F1 under at-least-once delivery, crashes half-way, throttling and error storms, and malformed messages.

Each scenario must end in the same state as a clean run: one data source group with one source per asset in
CluedIn, an active state row pointing at them, and nothing left to do on the next cycle.
"""

from __future__ import annotations

import base64
import json

import pytest

from sync.core.messages import Queues
from sync.core.state.leases import CLOCK_SKEW_SECONDS, LEASE_SECONDS
from tests.support.crash import CallCounter, SimulatedCrash, crashing_context
from tests.support.stack import SYNC_TERM, build_stack

QUEUE = Queues.CLUEDIN.value
LEASE_RUNS_OUT = LEASE_SECONDS + CLOCK_SKEW_SECONDS + 1
pytestmark = pytest.mark.chaos


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator):
    return build_stack(azurite, purview, fresh_cluedin_emulator)


def assert_converged(stack, names: set[str]) -> None:
    groups = stack.cluedin_groups()  # fails on duplicate names
    assert set(groups) == names
    for name in names:
        assert [s["name"] for s in groups[name]["dataSources"]] == [name.split(" (")[0]]
    rows = list(stack.state.iter_objects("datasource"))
    assert len(rows) == len(names) and all(r.active and not r.lease_owner for r in rows)
    assert {r.target["group_id"] for r in rows} == {str(g["id"]) for g in groups.values()}
    report, _ = stack.cycle("datasources")
    assert report.planned == {}, report.changes


def test_every_message_delivered_twice(stack):
    for name in ("Account.csv", "Contact.csv", "Orders.csv"):
        stack.add_file(name, terms=[SYNC_TERM])
    stack.plan("datasources")
    outcomes = stack.drain(QUEUE, twice=True)
    assert [o.result for o in outcomes].count("skipped") == 3
    assert_converged(stack, {"Account.csv", "Contact.csv", "Orders.csv"})


def test_the_same_change_planned_twice_by_overlapping_cycles(stack):
    stack.add_file("Account.csv", terms=[SYNC_TERM])
    stack.plan("datasources")
    stack.plan("datasources")  # a second timer run before the first messages were applied
    stack.drain(QUEUE)
    assert_converged(stack, {"Account.csv"})


def normal_call_count(azurite, purview, cluedin) -> int:
    stack = build_stack(azurite, purview, cluedin)
    stack.add_file("Account.csv", ["Id", "Name"], terms=[SYNC_TERM])
    stack.plan("datasources")
    counter = CallCounter(crash_after=None)
    [message] = stack.receive(QUEUE)
    stack.apply(QUEUE, message, crashing_context(stack.context(), counter))
    return len(counter.calls)


def test_a_crash_after_any_step_of_an_apply_then_redelivery_converges(azurite, purview, fresh_cluedin_emulator, clock):
    steps = normal_call_count(azurite, purview, fresh_cluedin_emulator)
    assert steps >= 8
    for crash_after in range(1, steps + 1):
        fresh_cluedin_emulator.reset()
        stack = build_stack(azurite, purview, fresh_cluedin_emulator)
        stack.add_file("Account.csv", ["Id", "Name"], terms=[SYNC_TERM])
        stack.plan("datasources")
        counter = CallCounter(crash_after=crash_after)
        [message] = stack.receive(QUEUE)
        with pytest.raises(SimulatedCrash):
            stack.apply(QUEUE, message, crashing_context(stack.context(), counter))
        # The host redelivers the same message (same id, higher dequeue count) after its visibility timeout; by
        # then the dead invocation's lease, no longer renewed, has run out.
        clock.advance(LEASE_RUNS_OUT)
        stack.redeliver(QUEUE, message)
        [again] = stack.receive(QUEUE)
        assert again.id == message.id and again.dequeue_count == 2
        stack.apply(QUEUE, again)
        stack.delete(QUEUE, again)
        assert_converged(stack, {"Account.csv"})


def test_a_duplicate_message_waits_quietly_for_the_lease_of_the_first(stack, clock):
    stack.add_file("Account.csv", terms=[SYNC_TERM])
    stack.plan("datasources")
    stack.plan("datasources")
    first, second = stack.receive(QUEUE)
    counter = CallCounter(None, crash_at="cluedin.create_data_source_set")  # dies holding the lease
    with pytest.raises(SimulatedCrash):
        stack.apply(QUEUE, first, crashing_context(stack.context(), counter))
    [deferred] = stack.apply(QUEUE, second)  # contention is not a failure: the message is sent again, delayed
    assert deferred.result == "skipped" and "being applied by another invocation" in deferred.detail
    stack.delete(QUEUE, second)
    assert stack.receive(QUEUE) == []  # the copy is invisible until the lease could have ended
    [copy] = stack.queued_later(QUEUE)
    assert json.loads(copy)["requeued"] == 1
    [still_held] = stack.apply(QUEUE, first)  # a redelivery is another invocation: it waits for the lease too
    assert still_held.result == "skipped" and "being applied by another invocation" in still_held.detail
    clock.advance(LEASE_RUNS_OUT)  # the dead holder renews nothing: its lease runs out
    stack.apply(QUEUE, first)
    stack.apply_text(QUEUE, copy)
    stack.delete(QUEUE, first)
    assert_converged(stack, {"Account.csv"})


def test_throttling_and_error_storms_from_both_services(stack):
    for name in ("Account.csv", "Contact.csv", "Orders.csv", "Invoices.csv"):
        stack.add_file(name, terms=[SYNC_TERM])
    stack.purview.set_faults(throttle_ops_per_sec=40, throttle_burst=3, retry_after_seconds=0, error_rate=0.2, seed=1)
    stack.cluedin.set_faults(error_rate=0.25, drop_rate=0.05, lose_response_rate=0.1, seed=2, retry_after_seconds=0)
    stack.plan("datasources")
    attempts = 0
    while (messages := stack.receive(QUEUE)) and attempts < 100:  # the host keeps redelivering failures
        for message in messages:
            attempts += 1
            try:
                stack.apply(QUEUE, message)
            except Exception:
                stack.redeliver(QUEUE, message)
                continue
            stack.delete(QUEUE, message)
    stack.purview.clear_faults()
    stack.cluedin.clear_faults()
    assert stack.poison(QUEUE) == []
    assert_converged(stack, {"Account.csv", "Contact.csv", "Orders.csv", "Invoices.csv"})


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{not json", "not JSON"),
        (json.dumps({"v": 7, "run_id": "r", "changes": []}), "unknown message version"),
        (json.dumps({"v": 1, "run_id": "r", "changes": [{"feature": "nope"}]}), "does not match"),
    ],
)
def test_malformed_messages_go_to_poison_once_with_their_reason(stack, caplog, body, reason):
    caplog.set_level("WARNING")
    stack.queues.send(QUEUE, body)
    outcomes = stack.drain(QUEUE)
    assert [o.result for o in outcomes] == ["failed"] and reason in outcomes[0].detail
    assert stack.poison(QUEUE) == [body]
    assert any(reason in r.getMessage() for r in caplog.records if "poison" in r.getMessage())


def test_a_message_the_host_could_not_decode_is_not_the_apps_problem(stack):
    # The host moves non-base64 messages to poison itself; the app only ever sees decoded text.
    raw = base64.b64encode(b"\xff\xfe").decode()
    stack.queues.send(QUEUE, raw)
    outcomes = stack.drain(QUEUE)
    assert outcomes[0].result == "failed" and len(stack.poison(QUEUE)) == 1
