"""Purview types of deduplication projects: an asset per project and its Deduplication process."""

from __future__ import annotations

from sync.features.lineage.api import ORGANIZATION
from sync.services.purview.typedefs import LINK, Attribute, CluedInType

DEDUP_PROJECT_TYPE = CluedInType(
    "cluedin_deduplication_project",
    "Cluedin Deduplication Project",
    "asset",
    (
        ORGANIZATION,
        Attribute("projectId", description="CluedIn deduplication project id"),
        Attribute("status", description="The project's status in CluedIn"),
        Attribute("scope", description="Which golden records the project compares"),
        Attribute("matchingRules", description="The project's matching rules, comma-separated"),
        LINK,
    ),
    columns_parent_attribute="deduplicationProject",
)
DEDUP_PROCESS_TYPE = CluedInType(
    "cluedin_deduplication_process",
    "Cluedin Deduplication Process",
    "process",
    (ORGANIZATION, Attribute("projectId", description="CluedIn deduplication project id"), LINK),
)
DEDUP_TYPES = (DEDUP_PROJECT_TYPE, DEDUP_PROCESS_TYPE)
