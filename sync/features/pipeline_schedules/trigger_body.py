"""The body of a pipeline's schedule trigger (ADF ScheduleTrigger), built with the pinned SDK's models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync.services.datafactory.bodies import ANNOTATION, m, resource_json

UTC_ZONE = "UTC"


@dataclass(frozen=True)
class Recurrence:
    """An ADF ScheduleTriggerRecurrence in ADF's own terms (frequency names, Windows time zone, local times)."""

    frequency: str
    interval: int
    start: datetime
    """Local wall-clock time in `time_zone` (naive)."""
    end: datetime | None
    time_zone: str
    hours: tuple[int, ...] = ()
    minutes: tuple[int, ...] = ()
    week_days: tuple[str, ...] = ()
    month_days: tuple[int, ...] = ()


def _local_time(value: datetime, time_zone: str) -> str:
    """ADF wants `yyyy-MM-ddTHH:mm:ssZ` for UTC and `yyyy-MM-ddTHH:mm:ss` (no offset) for other zones."""
    text = value.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}Z" if time_zone == UTC_ZONE else text


def schedule_trigger(recurrence: Recurrence, pipeline_name: str, *, description: str) -> dict[str, Any]:
    """A ScheduleTrigger starting one pipeline on the recurrence."""
    schedule = None
    if recurrence.hours or recurrence.minutes or recurrence.week_days or recurrence.month_days:
        schedule = m.RecurrenceSchedule(
            hours=list(recurrence.hours) or None,
            minutes=list(recurrence.minutes) or None,
            week_days=list(recurrence.week_days) or None,
            month_days=list(recurrence.month_days) or None,
        )
    trigger = m.ScheduleTrigger(
        description=description,
        annotations=[ANNOTATION],
        pipelines=[
            m.TriggerPipelineReference(
                pipeline_reference=m.PipelineReference(type="PipelineReference", reference_name=pipeline_name)
            )
        ],
        recurrence=m.ScheduleTriggerRecurrence(
            frequency=recurrence.frequency,
            interval=recurrence.interval,
            start_time=recurrence.start,
            end_time=recurrence.end,
            time_zone=recurrence.time_zone,
            schedule=schedule,
        ),
    )
    body = resource_json(m.TriggerResource(properties=trigger))
    serialized = body["properties"]["typeProperties"]["recurrence"]
    serialized["startTime"] = _local_time(recurrence.start, recurrence.time_zone)
    if recurrence.end is not None:
        serialized["endTime"] = _local_time(recurrence.end, recurrence.time_zone)
    return body
