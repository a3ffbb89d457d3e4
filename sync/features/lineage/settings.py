"""Settings of data-set lineage (F2): CluedIn turns it on with the same toggle as "Sync CluedIn Data Sources"."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import SettingsGroup, env


class LineageSettings(SettingsGroup):
    """Data-set lineage follows F1's toggle (one setting in CluedIn covers both directions)."""

    title: ClassVar[str] = "Data-set lineage (F2)"

    sync_cluedin_data_sources: bool = Field(
        False,
        validation_alias=env("SYNC_CLUEDIN_DATA_SOURCES"),
        description="CluedIn label 'Sync CluedIn Data Sources': also turns on data-set lineage in Purview.",
    )
