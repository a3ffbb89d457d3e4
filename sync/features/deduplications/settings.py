"""Settings of "Sync Deduplications to Purview" (F17)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import SettingsGroup, env


class DeduplicationsSettings(SettingsGroup):
    """Whether deduplication projects appear in the processing-pipeline lineage."""

    title: ClassVar[str] = "Deduplication projects (F17)"

    sync_deduplications_to_purview: bool = Field(
        False,
        validation_alias=env("SYNC_DEDUPLICATIONS_TO_PURVIEW"),
        description="CluedIn label 'Sync Deduplications to Purview': create assets and lineage for deduplication "
        "projects (Processed Entities → Deduplication → the project → Generate Clue → Processing Pipeline).",
    )
