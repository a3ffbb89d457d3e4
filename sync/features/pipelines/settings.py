"""Settings of "Data Factory Pipeline Automation" (F12), with CluedIn's own labels."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import Ncrontab, Regex, SettingsGroup, env


class PipelinesSettings(SettingsGroup):
    """Which assets get a copy pipeline to CluedIn without being asked for over HTTP."""

    title: ClassVar[str] = "Data Factory pipeline automation (F12)"

    data_factory_pipeline_automation: bool = Field(
        False,
        validation_alias=env("DATA_FACTORY_PIPELINE_AUTOMATION"),
        description="CluedIn label 'Data Factory Pipeline Automation': create a copy pipeline to CluedIn for "
        "every asset whose glossary terms match the term pattern, and for the assets of synced data products.",
    )
    pipeline_automation_term_pattern: Regex = Field(
        "",
        validation_alias=env("PIPELINE_AUTOMATION_TERM_PATTERN"),
        description="CluedIn label 'Pipeline Automation Term Pattern': regex on glossary term names (may stay "
        "empty when only data products' assets are automated).",
    )
    pipeline_automation_schedule: Ncrontab = Field(
        "15 */1 * * * *",
        validation_alias=env("PIPELINE_AUTOMATION_SCHEDULE"),
        description="NCRONTAB of the Data Factory automation timer (pipelines, then their run schedules).",
    )
