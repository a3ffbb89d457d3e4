"""Settings of "Sync Processing Rules to Purview" (F15)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import SettingsGroup, env


class ProcessingRulesSettings(SettingsGroup):
    """Whether data part, survivorship and golden record rules appear in the processing-pipeline lineage."""

    title: ClassVar[str] = "Processing rules (F15)"

    sync_processing_rules_to_purview: bool = Field(
        False,
        validation_alias=env("SYNC_PROCESSING_RULES_TO_PURVIEW"),
        description="CluedIn label 'Sync Processing Rules to Purview': create assets and lineage for processing "
        'rules ("Data Part Rules", "Survivorship Rules", "Golden Record Rules", one Processing Rule process '
        "per rule from the Processing Pipeline).",
    )
