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
