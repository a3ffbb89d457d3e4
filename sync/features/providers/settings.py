"""Settings of "Sync CluedIn Crawlers and Enrichers" (F9), with CluedIn's own labels."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from sync.core.settings import SettingsGroup, env


class ProvidersSettings(SettingsGroup):
    """Whether crawlers and enrichers are drawn in Purview, and how much golden-record history is sampled."""

    title: ClassVar[str] = "Sync crawlers and enrichers (F9)"

    sync_cluedin_crawlers_and_enrichers: bool = Field(
        False,
        validation_alias=env("SYNC_CLUEDIN_CRAWLERS_AND_ENRICHERS"),
        description="CluedIn label 'Sync CluedIn Crawlers and Enrichers': each crawler and enricher becomes a "
        "Cluedin Organization Provider with a Crawl or Enrich process to every entity type it contributed to "
        "(data-source providers are left to data-set lineage).",
    )
    sync_cluedin_organization_providers_query_entity_type_sample_size: int = Field(
        100,
        ge=1,
        le=10_000,
        validation_alias=env("SYNC_CLUEDIN_ORGANIZATION_PROVIDERS_QUERY_ENTITY_TYPE_SAMPLE_SIZE"),
        description="CluedIn label 'Sync CluedIn Organization Providers Query Entity Type Sample Size': how many "
        "entity types (of those golden records use) are sampled.",
    )
    sync_cluedin_organization_providers_query_sample_size_per_entity_type: int = Field(
        1000,
        ge=1,
        le=10_000,
        validation_alias=env("SYNC_CLUEDIN_ORGANIZATION_PROVIDERS_QUERY_SAMPLE_SIZE_PER_ENTITY_TYPE"),
        description="CluedIn label 'Sync CluedIn Organization Providers Query Sample Size Per Entity Type': how "
        "many golden records per entity type have their history read to find which provider contributed what.",
    )
