"""A missing DATA_FACTORY_KEY_VAULT_URL is found when planning, not when applying (case 5 of issue 10)."""

from __future__ import annotations

import pytest

from sync.core.messages import Queues
from tests.support.adf import adf_stack

pytestmark = pytest.mark.chaos


def test_a_missing_key_vault_stops_the_automation_at_plan_time(
    azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator
):
    stack = adf_stack(
        azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator, DATA_FACTORY_KEY_VAULT_URL=""
    )
    stack.add_asset("Account.csv")
    stack.reset_counters()
    factory_writes = stack.factory_writes()
    report = stack.plan("pipelines")
    assert report.status == "not-configured"
    assert "DATA_FACTORY_KEY_VAULT_URL" in " ".join(report.errors)
    assert report.enqueued == 0
    queue = Queues.DATA_FACTORY.value
    assert stack.queued(queue) == [] and stack.poison(queue) == []
    assert stack.factory_writes() == factory_writes and stack.cluedin_writes() == 0
