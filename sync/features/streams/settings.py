"""Settings of "Sync CluedIn Streams" (F8), with CluedIn's own labels."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import SettingsGroup, env


class StreamsSettings(SettingsGroup):
    """Whether streams and export targets are drawn in Purview, and how many golden records a preview reads."""

    title: ClassVar[str] = "Sync streams and export targets (F8)"

    sync_cluedin_streams: bool = Field(
        False,
        validation_alias=env("SYNC_CLUEDIN_STREAMS"),
        description="CluedIn label 'Sync CluedIn Streams': each stream becomes a Cluedin Stream Process from the "
        "Cluedin Entity of every entity type it exports to a Cluedin Connector Entity (its export target).",
    )
    sync_streams_preview_condition_sample_size: int = Field(
        100,
        ge=1,
        le=10_000,
        validation_alias=env("SYNC_STREAMS_PREVIEW_CONDITION_SAMPLE_SIZE"),
        description="CluedIn label 'Sync Streams Preview Condition Sample Size': how many golden records a "
        "stream's condition is previewed on to find its entity type(s).",
    )
