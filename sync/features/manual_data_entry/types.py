"""Purview type of manual-data-entry projects: one asset per project, its form fields' keys as columns."""

from __future__ import annotations

from sync.features.lineage.api import ORGANIZATION
from sync.services.purview.typedefs import LINK, Attribute, CluedInType

MDE_PROJECT_TYPE = CluedInType(
    "cluedin_manual_data_entry_project",
    "Cluedin Manual Data Entry Project",
    "asset",
    (
        ORGANIZATION,
        Attribute("projectId", description="CluedIn manual data entry project id"),
        Attribute("entityType", description="Entity type of the records entered"),
        LINK,
    ),
    columns_parent_attribute="manualDataEntryProject",
)
MDE_TYPES = (MDE_PROJECT_TYPE,)
