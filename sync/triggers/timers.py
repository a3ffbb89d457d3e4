"""Timers that plan a sync cycle per feature (schedules from app settings, NCRONTAB, UTC)."""

from __future__ import annotations

import logging

import azure.functions as func

from sync import runtime
from sync.core.engine import run_cycle
from sync.core.errors import SettingsError
from sync.core.telemetry import log_event

bp = func.Blueprint()  # type: ignore[no-untyped-call]
log = logging.getLogger("sync.timers")


def plan_feature(name: str) -> None:
    """Run one planning cycle of a feature if its toggle is on."""
    try:
        ctx = runtime.context()
    except SettingsError as exc:
        log_event(log, "NotConfigured", str(exc), level=logging.ERROR, feature=name, settings=",".join(exc.settings))
        return
    feature = runtime.features()[name]
    if not feature.enabled(ctx.settings):
        log.debug("feature %s is disabled", name)
        return
    run_cycle(feature, ctx)


@bp.timer_trigger(arg_name="timer", schedule="%SYNC_SCHEDULE%", run_on_startup=False, use_monitor=False)
def plan_datasources(timer: func.TimerRequest) -> None:
    """F1: Purview assets tagged with the keyword term → CluedIn data sources."""
    plan_feature("datasources")


@bp.timer_trigger(arg_name="timer", schedule="%SYNC_SCHEDULE%", run_on_startup=False, use_monitor=False)
def plan_lineage(timer: func.TimerRequest) -> None:
    """F2 + F11: CluedIn data sets (and what changed in CluedIn since the last cycle) → lineage in Purview."""
    plan_feature("lineage")


@bp.timer_trigger(arg_name="timer", schedule="%POLL_SCHEDULE%", run_on_startup=False, use_monitor=False)
def plan_polling(timer: func.TimerRequest) -> None:
    """F4: record counts and data-quality metrics → the Cluedin Dataset entities."""
    plan_feature("polling")


@bp.timer_trigger(arg_name="timer", schedule="%PIPELINE_AUTOMATION_SCHEDULE%", run_on_startup=False, use_monitor=False)
def plan_pipelines(timer: func.TimerRequest) -> None:
    """F12 then F13: tagged assets → ADF copy pipelines; every generated pipeline's run schedule."""
    plan_feature("pipelines")
    plan_feature("pipeline_schedules")
