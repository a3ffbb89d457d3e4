"""F10 under at-least-once delivery and crashes half-way: every scenario ends as a clean run does.

One data source group per product, one data source per asset, an active state row pointing at them, at most one
appended Cluedin Entity relationship per product, and nothing left to do on the next cycle.
"""

from __future__ import annotations

import pytest

from sync.core.messages import Queues
from sync.core.state.leases import CLOCK_SKEW_SECONDS, LEASE_SECONDS
from tests.support.crash import CallCounter, SimulatedCrash, crashing_context
from tests.support.dataproducts import MASTER_TERM, ProductStack, product_stack

QUEUE = Queues.CLUEDIN.value
CLIENTS = ("unified", "purview", "cluedin")
LEASE_RUNS_OUT = LEASE_SECONDS + CLOCK_SKEW_SECONDS + 1
pytestmark = pytest.mark.chaos


def curate(stack: ProductStack) -> str:
    domain = stack.domain()
    assets = [stack.add_asset(name, terms=()) for name in ("customers.csv", "contacts.csv")]
    return stack.product("Customer Master", domain, terms=[stack.term(MASTER_TERM, domain)], assets=assets)


def assert_converged(stack: ProductStack) -> None:
    groups = stack.cluedin_groups()  # fails on duplicate group names
    assert list(groups) == ["Customer Master"]
    assert sorted(s["name"] for s in groups["Customer Master"]["dataSources"]) == ["contacts.csv", "customers.csv"]
    [row] = stack.state.iter_objects("dataproduct")
    assert row.active and not row.lease_owner and len(row.target["sources"]) == 2
    report, _ = stack.cycle("dataproducts")
    assert report.planned == {}, report.changes


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator) -> ProductStack:
    return product_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)


def test_every_message_delivered_twice_and_planned_twice(stack):
    curate(stack)
    stack.plan("dataproducts")
    stack.plan("dataproducts")  # a second timer run before the first messages were applied
    outcomes = stack.drain(QUEUE, twice=True)
    assert [o.result for o in outcomes].count("applied") == 1
    assert_converged(stack)


def test_a_crash_after_any_step_of_an_apply_then_redelivery_converges(
    azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator, clock
):
    stack = product_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)
    curate(stack)
    stack.plan("dataproducts")
    counter = CallCounter(crash_after=None)
    [message] = stack.receive(QUEUE)
    stack.apply(QUEUE, message, crashing_context(stack.context(), counter, CLIENTS))
    steps = len(counter.calls)
    assert steps >= 8, counter.calls
    for crash_after in range(1, steps + 1):
        fresh_cluedin_emulator.reset()
        stack = product_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)
        curate(stack)
        stack.plan("dataproducts")
        counter = CallCounter(crash_after=crash_after)
        [message] = stack.receive(QUEUE)
        with pytest.raises(SimulatedCrash):
            stack.apply(QUEUE, message, crashing_context(stack.context(), counter, CLIENTS))
        clock.advance(LEASE_RUNS_OUT)  # the dead invocation renews nothing: its lease runs out before redelivery
        stack.redeliver(QUEUE, message)
        [again] = stack.receive(QUEUE)
        stack.apply(QUEUE, again)
        stack.delete(QUEUE, again)
        assert_converged(stack)


def test_a_crash_after_the_entity_was_related_records_it_once(stack, clock):
    loaded = stack.load_and_map()
    stack.cycle("lineage")
    stack.plan("dataproducts")
    [message] = stack.receive(QUEUE)
    counter = CallCounter(None, crash_at="unified.add_product_relationship")
    with pytest.raises(SimulatedCrash):
        stack.apply(QUEUE, message, crashing_context(stack.context(), counter, CLIENTS))
    clock.advance(LEASE_RUNS_OUT)
    stack.redeliver(QUEUE, message)
    [again] = stack.receive(QUEUE)
    [outcome] = stack.apply(QUEUE, again)
    stack.delete(QUEUE, again)
    assert outcome.result == "applied" and "1 entity(ies) appended" in outcome.detail
    assert len(stack.product_asset_ids(loaded["product"])) == 2
    assert stack.cycle("dataproducts")[0].planned == {}
