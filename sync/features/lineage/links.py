"""Links from Purview back to CluedIn's UI: every node of the processing-pipeline lineage carries one.

CluedIn does not document its UI routes, so every route below is a **guess**, kept in this one place so that a
live instance can correct them at once. A link is '' when the CluedIn URL is unknown.
"""

from __future__ import annotations

from urllib.parse import quote

from sync.services.purview import qualified_names as names


def _link(base: str, path: str) -> str:
    return f"{base.rstrip('/')}/{path}" if base else ""


def data_set_link(base: str, data_source_id: str, data_set_id: str) -> str:
    """A data set (its page shows its mapping too)."""
    return _link(base, f"admin/inbound/datasources/{data_source_id}/datasets/{data_set_id}")


def mapping_link(base: str, data_source_id: str, data_set_id: str) -> str:
    """A data set's mapping tab."""
    found = data_set_link(base, data_source_id, data_set_id)
    return f"{found}/mapping" if found else ""


def entity_type_link(base: str, entity_type: str) -> str:
    """An entity type (business domain) and its golden records."""
    return _link(base, f"admin/management/entity-types/{quote(names.entity_type_path(entity_type))}")


def processing_link(base: str) -> str:
    """What stands for the processing pipeline in CluedIn's UI: the processing rules overview."""
    return _link(base, "admin/management/rules")


def golden_records_link(base: str) -> str:
    """Golden records (what processing produces): CluedIn's search."""
    return _link(base, "search")


def rule_link(base: str, rule_id: str) -> str:
    """One processing rule."""
    return _link(base, f"admin/management/rules/{quote(rule_id)}")


def rules_link(base: str, scope: str) -> str:
    """The rules of one scope."""
    return _link(base, f"admin/management/rules?scope={quote(scope)}")


def clean_project_link(base: str, project_id: str) -> str:
    """One clean project."""
    return _link(base, f"admin/preparation/clean/{quote(project_id)}")


def clean_projects_link(base: str) -> str:
    """Every clean project."""
    return _link(base, "admin/preparation/clean")


def dedup_project_link(base: str, project_id: str) -> str:
    """One deduplication project."""
    return _link(base, f"admin/management/deduplication/{quote(project_id)}")


def mde_project_link(base: str, project_id: str) -> str:
    """One manual-data-entry project."""
    return _link(base, f"admin/integrations/manual-data-entry/{quote(project_id)}")
