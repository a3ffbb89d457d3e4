"""End to end through the local Functions host: the real function_app.app, its timers and queue functions,
against Azurite and the emulators — the way `make demo` and `func start` run it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import requests

from devhost.host import LocalHost
from tests.support.stack import build_stack

SEEDS = Path(__file__).resolve().parents[2] / "devhost" / "seeds"


@pytest.fixture()
def restore_environment():
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator, restore_environment):
    seed = json.loads((SEEDS / "purview-estate.json").read_text())
    return build_stack(azurite, purview, fresh_cluedin_emulator, seed=seed)


def host_settings(stack) -> dict[str, str]:
    return {
        **stack.environment,
        "FUNCTIONS_WORKER_RUNTIME": "python",
        "SYNC_SCHEDULE": "0 */1 * * * *",
        "POLL_SCHEDULE": "30 */5 * * * *",
        "PIPELINE_AUTOMATION_SCHEDULE": "15 */1 * * * *",
        "DEVHOST_FUNCTION_KEY": "e2e-key",
        "AzureFunctionsJobHost__extensions__queues__visibilityTimeout": "00:00:01",
    }


def test_two_cycles_through_the_local_host(stack):
    host = LocalHost.load("function_app:app", host_settings(stack))
    with host:
        host.fire_all_timers()
        first = host.drain(timeout=120)
        assert first.ok and first.idle, first.format_table()
        groups = stack.cluedin_groups()
        assert {"Account.csv", "Contact.csv", "Orders.csv", "Customers", "Invoices", "Products"} <= set(groups)
        assert sum(1 for name in groups if name.startswith("Customers.csv")) == 2  # erp + demostore
        assert "WebClicks.csv" not in groups and "Employees.json" not in groups

        stack.reset_counters()
        host.fire_all_timers()
        second = host.drain(timeout=120)
        assert second.ok, second.format_table()
        assert stack.cluedin_writes() == 0
        assert stack.purview_writes() == 0

        host.start(http=True, timers=False, queues=False)
        headers = {"x-functions-key": "e2e-key"}
        runs = requests.get(f"{host.http_url}/api/runs/datasources", headers=headers, timeout=30).json()["value"]
        assert runs[0]["planned"] == {} and runs[1]["planned"] == {"create": 9}
        report = requests.get(
            f"{host.http_url}/api/runs/datasources/{runs[1]['run_id']}", headers=headers, timeout=30
        ).json()
        assert report["status"] == "completed" and report["applied"] == {"create": 9}
        assert len(report["notifications"]) == 9
        unauthorised = requests.get(f"{host.http_url}/api/runs/datasources", timeout=30)
        assert unauthorised.status_code == 401
        assert stack.purview.violations() == []


def test_a_missing_setting_stops_planning_and_is_named(stack, caplog):
    caplog.set_level("WARNING")
    settings = {**host_settings(stack), "CLUEDIN_PASSWORD": "", "PURVIEW_CLIENT_SECRET": "s3cr3t-value"}
    with LocalHost.load("function_app:app", settings) as host:
        host.run_timer("plan_datasources")
        summary = host.drain(timeout=20)
    assert summary.ok
    named = [r.getMessage() for r in caplog.records if "CLUEDIN_PASSWORD" in r.getMessage()]
    assert named and "not-configured" in named[0]
    assert stack.queued("sync-cluedin") == [] and stack.poison("sync-cluedin") == []
    assert stack.cluedin_groups() == {}
    assert "s3cr3t-value" not in caplog.text
