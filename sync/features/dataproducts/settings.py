"""Settings of "Sync Data Products DataSources" (F10), with CluedIn's own labels."""

from __future__ import annotations

import re
from typing import ClassVar

from pydantic import Field

from sync.core.settings import SettingsGroup, env

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class DataProductsSettings(SettingsGroup):
    """Which Unified Catalog data products become CluedIn data source groups, and whether entities go back."""

    title: ClassVar[str] = "Sync data products (F10)"

    sync_data_products_datasources: bool = Field(
        False,
        validation_alias=env("SYNC_DATA_PRODUCTS_DATASOURCES"),
        description="CluedIn label 'Sync Data Products DataSources': published master/reference data products "
        "linked to a matching Unified Catalog term → one CluedIn data source group each, one endpoint data source "
        "per data asset; the Data Factory automation (DATA_FACTORY_PIPELINE_AUTOMATION) then loads the assets.",
    )
    sync_data_products_term_pattern: str = Field(
        "",
        validation_alias=env("SYNC_DATA_PRODUCTS_TERM_PATTERN"),
        description="CluedIn label 'Sync Data Products Term Pattern': Unified Catalog glossary term names or ids, "
        "comma-separated; data products linked to any of them are synced.",
    )
    append_asset_to_data_product: bool = Field(
        False,
        validation_alias=env("APPEND_ASSET_TO_DATA_PRODUCT"),
        description="CluedIn label 'Append Asset to Data Product': add the Cluedin Entity (golden-record entity "
        "type) the product's data sets are mapped to back to the data product's data assets, once. Needs data-set "
        "lineage (SYNC_CLUEDIN_DATA_SOURCES), which writes that entity.",
    )

    def term_references(self) -> tuple[list[str], list[str]]:
        """(term ids, term names) named by the term pattern; ids are GUIDs, anything else is a name."""
        entries = [e.strip().strip('"') for e in self.sync_data_products_term_pattern.split(",")]
        ids = sorted({e.lower() for e in entries if _GUID.match(e)})
        names = sorted({e for e in entries if e and not _GUID.match(e)}, key=str.lower)
        return ids, names
