"""Settings of data-set lineage (F2): CluedIn turns it on with the same toggle as "Sync CluedIn Data Sources"."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator

from sync.core.settings import SettingsGroup, env
from sync.features.lineage.shape import LineageShape


class LineageSettings(SettingsGroup):
    """Data-set lineage follows F1's toggle (one setting in CluedIn covers both directions)."""

    title: ClassVar[str] = "Data-set lineage (F2)"

    sync_cluedin_data_sources: bool = Field(
        False,
        validation_alias=env("SYNC_CLUEDIN_DATA_SOURCES"),
        description="CluedIn label 'Sync CluedIn Data Sources': also turns on data-set lineage in Purview.",
    )
    purview_lineage_shape: LineageShape | None = Field(
        None,
        validation_alias=env("PURVIEW_LINEAGE_SHAPE"),
        description="'pipeline' draws CluedIn's 2025 lineage (data set → Annotation → mapping → Generate Clue → "
        "Processing Pipeline → Process Entities → Processed Entities → Golden Record → entity type); 'classic' the "
        "2023/24 shape (data set → Map to Entity → entity type). Empty: keep what the deployment has — 'pipeline' "
        "for a new deployment, 'classic' for one whose lineage was written before this setting existed. Changing "
        "it redraws every data set (the plan lists what goes and what comes; the delete fail-safe applies).",
    )

    @field_validator("purview_lineage_shape", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """An empty app setting (what the generated deployment settings hold) means 'keep the current shape'."""
        if isinstance(value, str):
            return value.strip().lower() or None
        return value
