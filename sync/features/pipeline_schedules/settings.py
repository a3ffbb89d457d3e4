"""Settings of "Data Factory Create Run Schedule" (F13), with CluedIn's own labels."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import SettingsGroup, env


class ScheduleSettings(SettingsGroup):
    """The run schedule every generated pipeline follows unless it has its own."""

    title: ClassVar[str] = "Data Factory run schedules (F13)"

    data_factory_create_run_schedule: bool = Field(
        False,
        validation_alias=env("DATA_FACTORY_CREATE_RUN_SCHEDULE"),
        description="CluedIn label 'Data Factory Create Run Schedule'.",
    )
    data_factory_run_schedule_value: str = Field(
        "",
        validation_alias=env("DATA_FACTORY_RUN_SCHEDULE_VALUE"),
        description="CluedIn label 'Data Factory Run Schedule Value', e.g. "
        "'Daily:Interval=1&Hours=[0,12]&Minutes=[0,30]'. Empty = schedules are removed.",
    )
