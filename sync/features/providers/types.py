"""The Purview types of crawler and enricher lineage (F9), declared as rows of the shared type table.

CluedIn shows a crawler or an enricher as a "Cluedin Organization Provider" named by the provider's account
display, with a "Crawl" ("Cluedin Crawl Process") or "Enrich" ("Cluedin Enrich Process") process to the Cluedin
Entity of each entity type it contributed to (reference cluedin.md §1.2 F9, §1.3).
"""

from __future__ import annotations

from sync.services.purview.typedefs import TYPES, Attribute, CluedInType

_ORGANIZATION = Attribute("organization", description="CluedIn organization that owns the object")
_PROVIDER_ID = Attribute("providerDefinitionId", description="CluedIn provider definition (configured provider) id")
_PROCESS_ATTRIBUTES = (
    _ORGANIZATION,
    _PROVIDER_ID,
    Attribute("entityType", description="Entity type the provider contributed to, e.g. /Organization"),
    Attribute("columnMapping", description="Column-level lineage (JSON string, Purview's columnMapping format)"),
)

PROVIDER_TYPE = CluedInType(
    "cluedin_organization_provider",
    "Cluedin Organization Provider",
    "asset",
    (
        _ORGANIZATION,
        _PROVIDER_ID,
        Attribute("providerKind", description="Crawler or Enricher"),
        Attribute("providerTypeId", description="The installed provider's id (CluedIn providerId)"),
        Attribute("active", "boolean", description="Whether the provider is active (not paused) in CluedIn"),
    ),
    columns_parent_attribute="provider",
)
CRAWL_PROCESS_TYPE = CluedInType("cluedin_crawl_process", "Cluedin Crawl Process", "process", _PROCESS_ATTRIBUTES)
ENRICH_PROCESS_TYPE = CluedInType("cluedin_enrich_process", "Cluedin Enrich Process", "process", _PROCESS_ATTRIBUTES)
PROVIDER_TYPES: tuple[CluedInType, ...] = (*TYPES, PROVIDER_TYPE, CRAWL_PROCESS_TYPE, ENRICH_PROCESS_TYPE)
"""What crawler and enricher lineage registers: the shared types (columns, Cluedin Entity) and its own."""
