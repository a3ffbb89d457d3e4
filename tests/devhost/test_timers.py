"""Timer triggers: fired once for a cycle, on schedule without overlap, run_on_startup, past-due monitor."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime

import azure.functions as func
import pytest

from devhost.host import LocalHost
from devhost.ncrontab import ScheduleError, parse_schedule
from devhost.settings import SettingsError
from devhost.timer_monitor import ScheduleMonitor, ScheduleStatus


def test_fire_all_timers_then_drain_processes_what_the_timer_enqueued(make_host):
    target = make_host(settings={"TICK_MESSAGES": "3"})

    [result] = target.host.fire_all_timers()
    summary = target.host.drain(timeout=30)

    assert result.succeeded and result.trigger == "timer"
    assert target.recorder.of("tick") == [{"past_due": False}]
    assert sorted(s["id"] for s in target.recorder.of("work")) == ["t0", "t1", "t2"]
    assert summary.ok
    assert summary.functions["tick"].invocations == 1 and summary.functions["work"].succeeded == 3


def test_each_drain_reports_its_own_cycle(make_host):
    target = make_host(settings={"TICK_MESSAGES": "1"})

    target.host.fire_all_timers()
    first = target.host.drain(timeout=30)
    target.host.fire_all_timers()
    target.host.fire_all_timers()
    second = target.host.drain(timeout=30)

    assert first.functions["tick"].invocations == 1 and first.functions["work"].invocations == 1
    assert second.functions["tick"].invocations == 2 and second.functions["work"].invocations == 2
    assert target.host.totals()["work"].invocations == 3


def test_failed_timer_run_fails_the_cycle(make_host):
    # TICK_MESSAGES is not an integer: the timer raises.
    target = make_host(settings={"TICK_MESSAGES": "many"})

    [result] = target.host.fire_all_timers()
    summary = target.host.drain(timeout=30)

    assert not result.succeeded and isinstance(result.error, ValueError)
    assert summary.timer_failures == ("tick",) and not summary.ok


def test_schedule_setting_that_is_missing_is_named(make_host):
    with pytest.raises(SettingsError, match="schedule of timer 'tick': '%TICK_SCHEDULE%' does not resolve"):
        make_host(without=("TICK_SCHEDULE",))


def test_five_field_cron_is_refused_like_the_host(make_host):
    with pytest.raises(ScheduleError, match="was not recognized as a valid cron expression"):
        make_host(settings={"TICK_SCHEDULE": "*/5 * * * *"})


def test_schedule_runs_never_overlap_and_late_runs_are_past_due(make_host):
    target = make_host(settings={"TICK_SCHEDULE": "* * * * * *"})  # every second
    target.recorder.timer_sleep = 2.2  # each run outlasts the period

    target.host.start(http=False, queues=False)
    deadline = time.monotonic() + 8
    while len(target.recorder.of("tick")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    target.host.stop()

    runs = target.recorder.of("tick")
    assert len(runs) >= 2
    assert target.recorder.max_running == 1
    # The run after an overrun starts at once, more than a second after its scheduled time.
    assert runs[0] == {"past_due": False}
    assert runs[1] == {"past_due": True}


def _single_timer_app(record: list[tuple[bool, dict[str, object]]], **trigger: object) -> func.FunctionApp:
    app = func.FunctionApp()

    @app.timer_trigger(arg_name="timer", **trigger)  # type: ignore[arg-type]
    def nightly(timer: func.TimerRequest) -> None:
        record.append((timer.past_due, dict(timer.schedule_status)))  # type: ignore[attr-defined]

    return app


def test_run_on_startup_fires_once_at_start(azurite):
    record: list[tuple[bool, dict[str, object]]] = []
    app = _single_timer_app(record, schedule="0 0 0 1 1 *", run_on_startup=True, use_monitor=False)
    host = LocalHost(app, {"AzureWebJobsStorage": azurite.connection_string}, host_json={})
    try:
        host.start(http=False)
        deadline = time.monotonic() + 5
        while not record and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        host.close()
    assert record == [(False, {})]


def test_monitor_runs_a_missed_occurrence_at_start_as_past_due(azurite):
    record: list[tuple[bool, dict[str, object]]] = []
    app = _single_timer_app(record, schedule="0 0 0 1 1 *", use_monitor=True)
    host_id = f"test-{uuid.uuid4().hex[:12]}"
    schedule = parse_schedule("0 0 0 1 1 *")
    last = datetime(2020, 1, 1, tzinfo=UTC)
    monitor = ScheduleMonitor(azurite.connection_string, host_id)
    monitor.write("nightly", ScheduleStatus(last=last, next=schedule.next_after(last), last_updated=last))

    settings = {"AzureWebJobsStorage": azurite.connection_string, "AzureFunctionsWebHost__hostid": host_id}
    host = LocalHost(app, settings, host_json={})
    try:
        host.start(http=False)
        deadline = time.monotonic() + 5
        while not record and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        host.close()

    [(past_due, status)] = record
    assert past_due is True
    assert status["Next"] == "2021-01-01T00:00:00+00:00"
    stored = monitor.read("nightly")
    assert stored is not None and stored.last is not None and stored.last.year >= 2026
    assert stored.next == schedule.next_after(stored.last)


def test_monitor_without_stored_status_does_not_fire(azurite):
    record: list[tuple[bool, dict[str, object]]] = []
    app = _single_timer_app(record, schedule="0 0 0 1 1 *", use_monitor=True)
    settings = {"AzureWebJobsStorage": azurite.connection_string, "AzureFunctionsWebHost__hostid": "fresh-host"}
    host = LocalHost(app, settings, host_json={})
    try:
        host.start(http=False)
        time.sleep(0.5)
    finally:
        host.close()
    assert record == []
    status = ScheduleMonitor(azurite.connection_string, "fresh-host").read("nightly")
    assert status is not None and json.dumps(status.to_json())
