"""What the run-schedule feature offers others: the operations on a pipeline's trigger and its current schedule.

The pipeline automation removes a pipeline's trigger before the pipeline itself (ADF refuses to delete a pipeline a
trigger references), and the HTTP function applies a requested schedule at once, through the same code F13's
applier runs. Rows: kind `adf_schedule`, key = pipeline name (see `triggers.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.core.state import StateStore
from sync.features.pipeline_schedules.grammar import ScheduleError, validate_run_schedule
from sync.features.pipeline_schedules.triggers import SCHEDULE_KIND, apply_schedule, effective_schedule, remove_schedule

__all__ = [
    "SCHEDULE_KIND",
    "CurrentSchedule",
    "ScheduleError",
    "apply_schedule",
    "current_schedule",
    "effective_schedule",
    "remove_schedule",
    "validate_run_schedule",
]


@dataclass(frozen=True)
class CurrentSchedule:
    """A pipeline's trigger as last applied."""

    schedule: str | None
    started: bool


def current_schedule(state: StateStore, pipeline: str) -> CurrentSchedule | None:
    """The pipeline's schedule as last applied (None when it never had one)."""
    row = state.get_object(SCHEDULE_KIND, pipeline)
    if row is None:
        return None
    return CurrentSchedule(schedule=str(row.data.get("value") or "") or None, started=row.active)
