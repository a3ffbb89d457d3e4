"""Settings of "Auto-Map CluedIn Data Sets" (F3), with CluedIn's own labels."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import SettingsGroup, env


class AutoMapSettings(SettingsGroup):
    """Whether data sets of Purview-synced data sources are mapped to the vocabularies of their glossary terms."""

    title: ClassVar[str] = "Auto-map data sets (F3)"

    auto_map_cluedin_data_sets: bool = Field(
        False,
        validation_alias=env("AUTO_MAP_CLUEDIN_DATA_SETS"),
        description="CluedIn label 'Auto-Map CluedIn Data Sets': map the columns of data sets in data sources "
        "synced from Purview assets (F1, F10) to the vocabularies made from the glossary terms of the asset or its "
        "columns (F6); a user's own mapping is never overwritten. Reads CluedIn's data sets through data-set "
        "lineage (SYNC_CLUEDIN_DATA_SOURCES).",
    )
    auto_map_data_sets_fetch_vocabulary_keys_size: int = Field(
        9999,
        gt=0,
        validation_alias=env("AUTO_MAP_DATA_SETS_FETCH_VOCABULARY_KEYS_SIZE"),
        description="CluedIn label 'Auto Map Data Sets Fetch Vocabulary Keys Size': how many vocabulary keys are "
        "read ('take') to compare with a data set's columns.",
    )
