"""Settings of "Sync CluedIn Data Sources" (F1), with CluedIn's own labels."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import SettingsGroup, env


class DataSourcesSettings(SettingsGroup):
    """Which Purview assets become CluedIn data sources."""

    title: ClassVar[str] = "Sync data sources (F1) and data-set lineage (F2)"

    sync_cluedin_data_sources: bool = Field(
        False,
        validation_alias=env("SYNC_CLUEDIN_DATA_SOURCES"),
        description="CluedIn label 'Sync CluedIn Data Sources': Purview assets → CluedIn data source groups and "
        "data sources, and their data sets → lineage in Purview.",
    )
    sync_cluedin_data_sources_keywords: str = Field(
        "",
        validation_alias=env("SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS"),
        description="CluedIn label 'Sync CluedIn Data Sources Keywords': the glossary term name(s) assigned to the "
        "assets to sync, comma-separated ('Term' or 'Term@Glossary'), or '*' for every asset.",
    )

    def keyword_terms(self) -> list[str]:
        """The keyword setting split into term names; `["*"]` means every asset."""
        return [k.strip().strip('"') for k in self.sync_cluedin_data_sources_keywords.split(",") if k.strip()]
