"""A stale redelivered CREATE must not re-activate a row a later cycle marked orphaned (case 6 of issue 10)."""

from __future__ import annotations

import pytest

from sync.core.messages import Queues
from tests.support.stack import SYNC_TERM, build_stack

pytestmark = pytest.mark.chaos
QUEUE = Queues.CLUEDIN.value


def test_a_stale_redelivered_create_does_not_reactivate_an_orphaned_row(azurite, purview, fresh_cluedin_emulator):
    stack = build_stack(azurite, purview, fresh_cluedin_emulator)
    identity = stack.add_file("Account.csv", terms=[SYNC_TERM])
    first = stack.plan("datasources")
    [message] = stack.receive(QUEUE)
    stack.apply(QUEUE, message)  # applied, but the host never got to delete it (e.g. it crashed right after)
    stack.unassign(identity["guid"], SYNC_TERM)
    later = stack.plan("datasources")  # the asset lost its term: the row is marked orphaned
    [row] = stack.state.iter_objects("datasource")
    assert row.status == "orphaned" and row.last_run_id == later.run_id
    stack.redeliver(QUEUE, message)
    [again] = stack.receive(QUEUE)
    [outcome] = stack.apply(QUEUE, again)  # the stale CREATE of the first cycle comes back
    assert outcome.result == "skipped" and "superseded" in outcome.detail and first.run_id in outcome.detail
    [row] = stack.state.iter_objects("datasource")
    assert row.status == "orphaned" and row.last_run_id == later.run_id
    assert stack.poison(QUEUE) == []


def test_a_newer_cycle_still_applies_after_an_orphan_mark(azurite, purview, fresh_cluedin_emulator):
    stack = build_stack(azurite, purview, fresh_cluedin_emulator)
    identity = stack.add_file("Account.csv", terms=[SYNC_TERM])
    stack.cycle("datasources")
    stack.unassign(identity["guid"], SYNC_TERM)
    stack.cycle("datasources")
    stack.assign(identity["guid"], SYNC_TERM)  # tagged again: a newer run re-activates it, as it should
    report, outcomes = stack.cycle("datasources")
    assert [o.result for o in outcomes] == ["applied"]
    [row] = stack.state.iter_objects("datasource")
    assert row.active and row.last_run_id == report.run_id
    assert len(stack.cluedin_groups()) == 1
