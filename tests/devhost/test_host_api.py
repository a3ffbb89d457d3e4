"""The programmatic API the demo uses: loading by name, drains while serving, summaries, backoff."""

from __future__ import annotations

import json
import os
import uuid

import pytest
import requests

from devhost.host import LocalHost
from devhost.queues import MIN_POLLING_INTERVAL, _Backoff
from devhost.summary import FunctionCounts, Summary
from tests.devhost.conftest import FAST_QUEUES
from tests.devhost.sample_app import send_base64


def test_load_exports_settings_before_importing_the_app(azurite):
    settings = {
        "AzureWebJobsStorage": azurite.connection_string,
        "SEED_SCHEDULE": "0 */5 * * * *",
        "WORK_QUEUE": f"work-{uuid.uuid4().hex[:8]}",
        "DONE_QUEUE": f"done-{uuid.uuid4().hex[:8]}",
    }
    with LocalHost.load("tests.devhost.cli_app:app", settings, host_json=FAST_QUEUES) as host:
        assert os.environ["WORK_QUEUE"] == settings["WORK_QUEUE"]
        assert sorted(spec.name for spec in host.functions) == ["seed", "status", "work"]
        host.fire_all_timers()
        summary = host.drain(timeout=30)
    assert summary.ok and summary.functions["work"].succeeded == 2


def test_drain_while_http_is_served(make_host):
    target = make_host()
    target.host.start(timers=False, queues=False)  # HTTP only; drain runs the listeners itself
    target.host.ensure_queues()
    send_base64(target.azurite.connection_string, target.work_queue, json.dumps({"id": "x"}))

    summary = target.host.drain(timeout=30)

    assert summary.ok and summary.functions["work"].succeeded == 1
    assert requests.get(f"{target.host.http_url}/api/hello", timeout=5).text == "hello world"


def test_long_running_listeners_process_messages_and_drain_waits_for_them(make_host):
    target = make_host()
    target.host.start(http=False, timers=False)
    send_base64(target.azurite.connection_string, target.work_queue, json.dumps({"id": "live"}))

    summary = target.host.drain(timeout=30)

    assert [s["id"] for s in target.recorder.of("work")] == ["live"]
    assert summary.idle


def test_functions_can_be_disabled_by_setting(make_host):
    target = make_host(settings={"AzureWebJobs.work.Disabled": "true"})
    assert "work" not in {spec.name for spec in target.host.functions}
    assert "work" not in target.host.listeners


def test_summary_table_and_verdict():
    summary = Summary(
        functions={"tick": FunctionCounts("timer", 1, 1, 0, 0), "work": FunctionCounts("queue", 4, 2, 2, 1)},
        idle=True,
        remaining={"work-q": 0},
    )
    text = summary.format_table()
    assert "work" in text and "result: FAILED" in text
    assert summary.invocations == 5 and summary.poisoned == 1 and not summary.ok
    assert Summary(functions={"tick": FunctionCounts("timer", 1, 1, 0, 0)}).ok


def test_polling_backs_off_to_the_maximum_and_resets_on_messages():
    backoff = _Backoff(maximum=2.0)
    delays = [backoff.next_delay(found_messages=False) for _ in range(10)]
    assert delays[0] < 0.3
    assert max(delays) <= 2.0
    assert delays[-1] == 2.0
    assert backoff.next_delay(found_messages=True) == MIN_POLLING_INTERVAL
    assert backoff.next_delay(found_messages=False) < 0.3


@pytest.mark.slow
def test_listener_survives_storage_outage_and_resumes(caplog):
    import logging
    import time
    from urllib.parse import urlparse

    from devhost.azurite import start_azurite
    from tests.devhost.sample_app import Recorder, build_app

    caplog.set_level(logging.WARNING, logger="devhost.queues")
    private = start_azurite()
    ports = {
        name: int(urlparse(url).port or 0)
        for name, url in (("blob", private.blob_url), ("queue", private.queue_url), ("table", private.table_url))
    }
    settings = {
        "AzureWebJobsStorage": private.connection_string,
        "TICK_SCHEDULE": "0 0 * * * *",
        "WORK_QUEUE": "outage-work",
        "ASYNC_QUEUE": "outage-async",
    }
    recorder = Recorder()
    host = LocalHost(build_app(recorder), settings, host_json=FAST_QUEUES)
    try:
        host.start(http=False, timers=False)
        private.stop()
        deadline = time.monotonic() + 20
        while "Polling queue 'outage-work' failed" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "Polling queue 'outage-work' failed" in caplog.text
        assert host.listeners["work"].running

        private = start_azurite(blob_port=ports["blob"], queue_port=ports["queue"], table_port=ports["table"])
        # Azurite came back empty; the listener re-creates its queue and carries on.
        deadline = time.monotonic() + 30
        sent = False
        while not recorder.of("work") and time.monotonic() < deadline:
            if not sent:
                try:
                    send_base64(private.connection_string, "outage-work", json.dumps({"id": "after"}))
                    sent = True
                except Exception:
                    pass
            time.sleep(0.2)
        assert [s["id"] for s in recorder.of("work")] == ["after"]
    finally:
        host.close()
        private.stop()
