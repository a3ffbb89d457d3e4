"""Purview types of clean projects: the "Clean Projects" asset and a Clean process per project."""

from __future__ import annotations

from sync.features.lineage.api import ORGANIZATION
from sync.services.purview.typedefs import LINK, Attribute, CluedInType

CLEAN_PROJECTS_TYPE = CluedInType(
    "cluedin_clean_projects",
    "Cluedin Clean Projects",
    "asset",
    (ORGANIZATION, LINK),
    columns_parent_attribute="cleanProjects",
)
CLEAN_PROCESS_TYPE = CluedInType(
    "cluedin_clean_process",
    "Cluedin Clean Process",
    "process",
    (
        ORGANIZATION,
        Attribute("projectId", description="CluedIn clean project id"),
        Attribute("projectName", description="The clean project's name in CluedIn"),
        Attribute("status", description="The project's status in CluedIn"),
        Attribute("conditionSummary", description="Which golden records the project cleans"),
        Attribute("properties", description="The vocabulary keys the project cleans, comma-separated"),
        LINK,
    ),
)
CLEAN_TYPES = (CLEAN_PROJECTS_TYPE, CLEAN_PROCESS_TYPE)
