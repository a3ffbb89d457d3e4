"""F13 — pipeline run schedules: one ADF schedule trigger per generated pipeline.

Every generated pipeline's trigger follows its own override (set through the HTTP function) or the F13 setting
("Data Factory Create Run Schedule" + "Data Factory Run Schedule Value"). The feature runs whenever a factory is
configured, so turning the toggle off or clearing the value removes the triggers ("Pipeline Schedule Disabled
for '<pipeline>'"). Removal is planned as an update to "no schedule", not a delete: the pipeline still exists,
only its schedule setting changed, so the mass-delete fail-safe does not apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sync.core.diff import diff
from sync.core.errors import FatalError, SettingsError
from sync.core.feature import ApplyOutcome, Feature, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.features.pipeline_schedules.grammar import ScheduleError, validate_run_schedule
from sync.features.pipeline_schedules.settings import ScheduleSettings
from sync.features.pipeline_schedules.triggers import (
    SCHEDULE_KIND,
    apply_schedule,
    effective_schedule,
    schedule_desired,
)
from sync.features.pipelines.api import iter_generated_pipelines
from sync.services.datafactory.settings import DataFactorySettings

KEPT_STATUSES = frozenset({"active", "disabled"})


class PipelineSchedulesFeature(Feature):
    """F13: one schedule trigger per generated pipeline, following its override or the F13 setting."""

    name: ClassVar[str] = "pipeline_schedules"
    title: ClassVar[str] = "Data Factory Create Run Schedule"
    settings_model = ScheduleSettings
    schedule: ClassVar[str] = "PIPELINE_AUTOMATION_SCHEDULE"
    depends_on: ClassVar[tuple[str, ...]] = ("pipelines",)
    needs: ClassVar[tuple[str, ...]] = ("datafactory",)
    object_kind: ClassVar[str] = SCHEDULE_KIND
    state_fields: ClassVar[frozenset[str] | None] = frozenset({"target"})
    queue: ClassVar[Queues] = Queues.DATA_FACTORY
    deletes_on_target: ClassVar[bool] = True
    max_changes_per_message: ClassVar[int] = 1

    def enabled(self, settings: Settings) -> bool:
        """Whenever a factory is configured: turning the toggle off must still remove triggers."""
        return bool(settings.get(DataFactorySettings).data_factory_base_url)

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """Every active generated pipeline with its override; the F13 setting is validated here."""
        schedule = ctx.settings.get(ScheduleSettings)
        if schedule.data_factory_create_run_schedule and schedule.data_factory_run_schedule_value.strip():
            try:
                validate_run_schedule(schedule.data_factory_run_schedule_value)
            except ScheduleError as exc:
                raise SettingsError(
                    f"DATA_FACTORY_RUN_SCHEDULE_VALUE is invalid: {exc}", settings=["DATA_FACTORY_RUN_SCHEDULE_VALUE"]
                ) from None
        pipelines = {
            p.names.pipeline: {
                "pipeline": p.names.pipeline,
                "trigger": p.names.trigger,
                "override": p.schedule_override,
            }
            for p in iter_generated_pipelines(ctx.state)
        }
        return Snapshot(pipelines)

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        """Schedules that differ from what was applied → create/update (an empty value removes the trigger)."""
        wanted = {
            name: schedule_desired(item["pipeline"], item["trigger"], effective_schedule(item["override"], settings))
            for name, item in snapshot.items()
        }
        wanted = {name: d for name, d in wanted.items() if d["value"] or name in state}  # nothing to disable yet

        def make(kind: ChangeKind, name: str, desired: dict[str, Any]) -> Change:
            if kind == ChangeKind.DELETE:
                return self.change(kind, name, desired, f"remove trigger of gone pipeline {name}")
            value = desired["value"]
            return self.change(
                kind, name, desired, f"schedule {name}: {value}" if value else f"disable schedule of {name}"
            )

        return diff(
            wanted,
            state,
            make,
            in_place=lambda obj: obj.status in KEPT_STATUSES,
            removal=lambda name, obj: {"pipeline": name, "trigger": obj.target.get("trigger", ""), "value": ""},
        )

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """Write, start, stop or delete the pipeline's trigger."""
        desired = change.desired
        value = "" if change.kind == ChangeKind.DELETE else str(desired.get("value") or "")
        try:
            note, detail = apply_schedule(
                ctx, pipeline=str(desired["pipeline"]), trigger=str(desired["trigger"]), value=value, owner=owner
            )
        except FatalError as exc:
            return ApplyOutcome("failed", str(exc), fatal=True)
        if detail == "unchanged":
            return ApplyOutcome("skipped", "already applied")
        return ApplyOutcome("applied", detail, [note] if note else [])
