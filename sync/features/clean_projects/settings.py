"""Settings of "Sync Clean Projects to Purview" (F16)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import SettingsGroup, env


class CleanProjectsSettings(SettingsGroup):
    """Whether clean projects appear in the processing-pipeline lineage."""

    title: ClassVar[str] = "Clean projects (F16)"

    sync_clean_projects_to_purview: bool = Field(
        False,
        validation_alias=env("SYNC_CLEAN_PROJECTS_TO_PURVIEW"),
        description="CluedIn label 'Sync Clean Projects to Purview': create assets and lineage for clean projects "
        '(Processed Entities → Clean → "Clean Projects" → Generate Clue → Processing Pipeline).',
    )
