"""Timers that plan: one per schedule setting, each planning its features in dependency order (the registry's).

A feature added to the registry with an existing schedule needs no new function. A tick whose feature could not
run (failed or not configured) is recorded in that feature's run report and then fails the invocation, so the
host sees a failure and alerts on failed executions fire; the other features of the tick still run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import azure.functions as func

from sync import runtime
from sync.core.engine import run_tick
from sync.core.errors import SettingsError, SyncError
from sync.core.feature import Feature
from sync.core.settings import Settings
from sync.core.telemetry import log_event
from sync.features.registry import by_schedule

bp = func.Blueprint()  # type: ignore[no-untyped-call]
log = logging.getLogger("sync.timers")


class TickFailedError(SyncError):
    """A feature of the tick could not plan (its run report says why)."""


def timer_function_name(schedule_setting: str) -> str:
    """The function name of the timer reading a schedule setting (`SYNC_SCHEDULE` → `plan_sync_schedule`)."""
    return f"plan_{schedule_setting.lower()}"


def wanted(feature: Feature, settings: Settings) -> bool:
    """Enabled features, and those whose toggle cannot be read (their report names the invalid setting)."""
    try:
        return feature.enabled(settings)
    except SettingsError:
        return True


def plan_schedule(schedule_setting: str) -> None:
    """One tick: plan every enabled feature of the schedule, then fail if any of them could not run."""
    try:
        ctx = runtime.context()
    except SettingsError as exc:
        log_event(log, "NotConfigured", str(exc), level=logging.ERROR, settings=",".join(exc.settings))
        raise
    features = [f for f in by_schedule()[schedule_setting] if wanted(f, ctx.settings)]
    if not features:
        log.debug("no feature of %s is enabled", schedule_setting)
        return
    reports = run_tick(features, ctx)
    failed = [r for r in reports if not r.ok]
    if failed:
        summary = "; ".join(f"{r.feature} {r.status} (run {r.run_id}): {'; '.join(r.errors)}" for r in failed)
        raise TickFailedError(f"{len(failed)} of {len(reports)} feature(s) could not plan: {summary}")


def _timer(schedule_setting: str) -> Callable[[func.TimerRequest], None]:
    def timer(timer: func.TimerRequest) -> None:
        plan_schedule(schedule_setting)

    timer.__doc__ = f"Plans the features on %{schedule_setting}%: " + ", ".join(
        f.name for f in by_schedule()[schedule_setting]
    )
    return timer


for _setting in by_schedule():
    bp.function_name(name=timer_function_name(_setting))(
        bp.timer_trigger(arg_name="timer", schedule=f"%{_setting}%", run_on_startup=False, use_monitor=False)(
            _timer(_setting)
        )
    )
