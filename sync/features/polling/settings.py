"""Settings of "Poll CluedIn Data Sources" (F4)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import Ncrontab, SettingsGroup, env


class PollingSettings(SettingsGroup):
    """Whether and how often record counts and metrics are refreshed on the Cluedin Dataset entities."""

    title: ClassVar[str] = "Poll data sources (F4)"

    poll_cluedin_data_sources: bool = Field(
        False,
        validation_alias=env("POLL_CLUEDIN_DATA_SOURCES"),
        description="CluedIn label 'Poll CluedIn Data Sources': refresh record counts and data-quality metrics "
        "on the Cluedin Dataset entities in Purview.",
    )
    poll_schedule: Ncrontab = Field(
        "30 */5 * * * *", validation_alias=env("POLL_SCHEDULE"), description="NCRONTAB of the metrics poll."
    )
    poll_submission_reads_per_poll: int = Field(
        1000,
        ge=1,
        validation_alias=env("POLL_SUBMISSION_READS_PER_POLL"),
        description="How many data sets whose records are still waiting for processing have their submissions "
        "re-read per poll, in turn (one CluedIn call each); new data sets and data sets whose record count moved "
        "are always read.",
    )
