"""One ADF schedule trigger per generated pipeline (F13), with CluedIn's notifications.

The schedule a pipeline should have is its own override (set through the HTTP function) or else the F13 setting
("Data Factory Create Run Schedule" + "Data Factory Run Schedule Value"); an empty value means no trigger.
State rows: kind `adf_schedule`, key = pipeline name; `fingerprint` of {pipeline, trigger, value} (the setting
text, not the resolved recurrence, whose defaults depend on the moment it is applied); `target` = {trigger,
recurrence}; status `active` (trigger started) or `disabled` (no trigger).

ADF refuses to change or delete a started trigger, so an existing one is stopped first; a trigger is started
after every write, so the factory always runs what the state says.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from sync.core.errors import FatalError
from sync.core.feature import Notification, SyncContext
from sync.core.settings import Settings
from sync.core.state import fingerprint
from sync.features.pipeline_schedules.grammar import (
    ScheduleError,
    describe_recurrence,
    parse_run_schedule,
    resolve_recurrence,
)
from sync.features.pipeline_schedules.settings import ScheduleSettings
from sync.features.pipeline_schedules.trigger_body import Recurrence, schedule_trigger
from sync.services.datafactory.client import DataFactoryClient

SCHEDULE_KIND = "adf_schedule"


def effective_schedule(override: str | None, settings: Settings) -> str:
    """The schedule text a pipeline should run on ("" = none): its own override, else the F13 setting."""
    if override is not None:
        return override.strip()
    schedule = settings.get(ScheduleSettings)
    if not schedule.data_factory_create_run_schedule:
        return ""
    return schedule.data_factory_run_schedule_value.strip()


def schedule_desired(pipeline: str, trigger: str, value: str) -> dict[str, Any]:
    """Desired state of one pipeline's schedule (what the planner compares)."""
    return {"pipeline": pipeline, "trigger": trigger, "value": value}


def created_text(pipeline: str, details: str) -> str:
    """CluedIn's "Pipeline Schedule Created" notification."""
    return f"Pipeline Schedule Created for '{pipeline}'. Status: Started; {details}"


def disabled_text(pipeline: str) -> str:
    """CluedIn's "Pipeline Schedule Disabled" notification."""
    return f"Pipeline Schedule Disabled for '{pipeline}'"


def _runtime_state(entity: dict[str, Any] | None) -> str:
    return str(((entity or {}).get("properties") or {}).get("runtimeState") or "")


def apply_schedule(
    ctx: SyncContext, *, pipeline: str, trigger: str, value: str, owner: str, now: datetime | None = None
) -> tuple[Notification | None, str]:
    """Make the pipeline's trigger match `value`; returns the notification (if any) and a short detail.

    Raises:
        FatalError: the schedule cannot be applied (e.g. its window already ended).
    """
    desired_fingerprint = fingerprint(schedule_desired(pipeline, trigger, value))
    adf: DataFactoryClient = ctx.client("datafactory")
    with ctx.state.leased(SCHEDULE_KIND, pipeline, owner=owner) as obj:
        if obj.fingerprint == desired_fingerprint and obj.status in {"active", "disabled"}:
            ctx.state.release(obj)
            return None, "unchanged"
        existing = adf.get_entity("triggers", trigger)
        note: Notification | None = None
        if value:
            try:
                recurrence = resolve_recurrence(parse_run_schedule(value), now or datetime.now(UTC))
            except ScheduleError as exc:
                raise FatalError(f"the run schedule {value!r} cannot be applied: {exc}") from None
            body = schedule_trigger(
                recurrence, pipeline, description=f"Run schedule of {pipeline} ({value}), from CluedIn F13 settings"
            )
            if _runtime_state(existing) == "Started":
                adf.stop_trigger(trigger)
            adf.put_entity("triggers", trigger, body)
            adf.start_trigger(trigger)
            details = describe_recurrence(recurrence)
            obj.target = {"trigger": trigger, "pipeline": pipeline, "recurrence": _recurrence_json(recurrence)}
            obj.status = "active"
            note = Notification(event="PipelineScheduleCreated", text=created_text(pipeline, details))
            detail = f"trigger {trigger} started ({details})"
        else:
            had_trigger = existing is not None or obj.status == "active"
            if existing is not None:
                if _runtime_state(existing) == "Started":
                    adf.stop_trigger(trigger)
                adf.delete_entity("triggers", trigger)
            obj.target = {"trigger": trigger, "pipeline": pipeline}
            obj.status = "disabled"
            if had_trigger:
                note = Notification(event="PipelineScheduleDisabled", text=disabled_text(pipeline))
            detail = f"trigger {trigger} removed" if had_trigger else "no schedule"
        obj.data = {"value": value}
        obj.fingerprint = desired_fingerprint
        ctx.state.release(obj)
    return note, detail


def remove_schedule(ctx: SyncContext, *, pipeline: str, trigger: str, owner: str) -> Notification | None:
    """Stop and delete a pipeline's trigger because the pipeline itself goes away; forget the state row."""
    note, _ = apply_schedule(ctx, pipeline=pipeline, trigger=trigger, value="", owner=owner)
    ctx.state.delete_object(SCHEDULE_KIND, pipeline)
    return note


def _recurrence_json(recurrence: Recurrence) -> dict[str, Any]:
    data = asdict(recurrence)
    data["start"] = recurrence.start.isoformat()
    data["end"] = recurrence.end.isoformat() if recurrence.end else None
    return data
