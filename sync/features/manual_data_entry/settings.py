"""Settings of "Sync Manual Data Entry to Purview" (F14)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import SettingsGroup, env


class ManualDataEntrySettings(SettingsGroup):
    """Whether manual-data-entry projects appear in the processing-pipeline lineage."""

    title: ClassVar[str] = "Manual data entry projects (F14)"

    sync_manual_data_entry_to_purview: bool = Field(
        False,
        validation_alias=env("SYNC_MANUAL_DATA_ENTRY_TO_PURVIEW"),
        description="CluedIn label 'Sync Manual Data Entry to Purview': create an asset and lineage per manual data "
        "entry project (the project → Generate Clue → Processing Pipeline → … → its entity type).",
    )
