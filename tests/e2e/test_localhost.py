"""End to end through the local Functions host: the real function_app.app, its timers and queue functions,
against Azurite and the emulators — the way `make demo` and `func start` run it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import requests

from devhost.host import LocalHost
from sync.core.messages import Queues
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


def test_a_missing_setting_stops_planning_is_named_and_fails_the_timer(stack, caplog):
    caplog.set_level("WARNING")
    settings = {**host_settings(stack), "CLUEDIN_PASSWORD": "", "PURVIEW_CLIENT_SECRET": "s3cr3t-value"}
    with LocalHost.load("function_app:app", settings) as host:
        result = host.run_timer("plan_sync_schedule")
        summary = host.drain(timeout=20)
    assert not result.succeeded  # the host sees a failure, so alerts on failed executions fire
    assert "CLUEDIN_PASSWORD" in str(result.error)
    assert summary.idle
    named = [r.getMessage() for r in caplog.records if "CLUEDIN_PASSWORD" in r.getMessage()]
    assert named and "not-configured" in named[0]
    assert stack.queued(Queues.CLUEDIN) == [] and stack.poison(Queues.CLUEDIN) == []
    assert stack.cluedin_groups() == {}
    assert "s3cr3t-value" not in caplog.text


def test_a_bad_setting_of_one_feature_stops_only_that_feature(stack):
    settings = {
        **host_settings(stack),
        "DATA_FACTORY_PIPELINE_AUTOMATION": "true",
        "PIPELINE_AUTOMATION_TERM_PATTERN": "CluedIn(ADF",  # an ADF-only setting, invalid
    }
    with LocalHost.load("function_app:app", settings) as host:
        sync_tick = host.run_timer("plan_sync_schedule")
        automation_tick = host.run_timer("plan_pipeline_automation_schedule")
        drained = host.drain(timeout=120)
        assert drained.idle and drained.timer_failures == ("plan_pipeline_automation_schedule",)
        assert all(c.failed == 0 and c.poisoned == 0 for n, c in drained.functions.items() if n.startswith("apply_"))
        host.start(http=True, timers=False, queues=False)
        headers = {"x-functions-key": "e2e-key"}
        runs = requests.get(f"{host.http_url}/api/runs/datasources", headers=headers, timeout=30)
        plan = requests.post(f"{host.http_url}/api/plan/pipelines", headers=headers, timeout=30)
    assert sync_tick.succeeded and runs.status_code == 200  # data sources, lineage and the runs API still work
    assert runs.json()["value"][0]["status"] == "completed"  # the list folds the outcomes in, as the detail does
    assert not automation_tick.succeeded and "PIPELINE_AUTOMATION_TERM_PATTERN" in str(automation_tick.error)
    assert plan.status_code == 503
    assert plan.json()["error"]["code"] == "NotConfigured"
    assert "PIPELINE_AUTOMATION_TERM_PATTERN" in plan.json()["error"]["message"]


@pytest.fixture()
def login_page():
    """A server answering every request with 200 and an HTML page, as a proxy's sign-in page does."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = b"<html><body>Please sign in</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_an_unexpected_planning_error_is_a_failed_report_a_failed_timer_and_a_502(stack, login_page):
    settings = {**host_settings(stack), "PURVIEW_BASE_URL": login_page}
    with LocalHost.load("function_app:app", settings) as host:
        tick = host.run_timer("plan_sync_schedule")
        host.start(http=True, timers=False, queues=False)
        headers = {"x-functions-key": "e2e-key"}
        plan = requests.post(f"{host.http_url}/api/plan/datasources", headers=headers, timeout=30)
        runs = requests.get(f"{host.http_url}/api/runs/datasources", headers=headers, timeout=30).json()["value"]
    assert not tick.succeeded
    assert plan.status_code == 502
    body = plan.json()
    assert body["status"] == "failed" and body["error"]["code"] == "PlanFailed" and body["error_type"]
    assert body["error_type"] in body["errors"][0]
    assert [r["status"] for r in runs] == ["failed", "failed"]  # the plan request's and the timer's


def test_two_deployments_sharing_one_storage_account_never_take_each_others_messages(stack, tmp_path, azurite):
    """Two hosts, one Azurite: one syncs data sources, the other has nothing on. They run at the same time; the
    idle one must not apply (or poison) a single message of the busy one, whose state must be complete."""
    import subprocess
    import sys

    busy = {**host_settings(stack), "AzureFunctionsJobHost__extensions__queues__maxPollingInterval": "00:00:00.5"}
    idle = {
        **busy,
        "SYNC_TABLE_PREFIX": "idle" + stack.environment["SYNC_TABLE_PREFIX"][1:9],
        "SYNC_QUEUE_PREFIX": "idle-" + stack.environment["SYNC_QUEUE_PREFIX"][1:9],
        "SYNC_CLUEDIN_DATA_SOURCES": "false",
    }
    processes = []
    for name, values in (("busy", busy), ("idle", idle)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"IsEncrypted": False, "Values": values}))
        command = [sys.executable, "-m", "devhost", "--settings", str(path), "--once", "--no-http", "--timeout", "120"]
        environment = {k: v for k, v in os.environ.items() if not k.startswith("AzureFunctionsJobHost")}
        processes.append(
            subprocess.Popen(
                command,
                cwd=SEEDS.parents[1],
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    outputs = [p.communicate(timeout=300)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    rows = [r for r in stack.state.iter_objects("datasource") if r.active]
    assert len(rows) == 9  # everything the busy deployment planned was applied by the busy deployment
    idle_lines = [line for line in outputs[1].splitlines() if line.strip().startswith("apply_")]
    assert idle_lines and all(line.split()[2] == "0" for line in idle_lines), outputs[1]  # no invocation
