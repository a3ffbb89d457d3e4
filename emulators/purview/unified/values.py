"""Known values of the Unified Catalog model and the normalisers that accept every spelling clients send.

Sources: the generated `purviewunifiedcatalog` SDK (2026-03-20-preview TypeSpec output) for the enums;
pvw-cli and unifiedcatalogpy for the spellings they send. Clients disagree on casing (`PUBLISHED` in the
SDK model and Learn samples, `Published` in both community clients, `Term` vs `TERM`), so every enum is
matched case-insensitively and stored in the SDK's canonical spelling.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from emulators.purview.unified.errors import invalid

API_VERSIONS = ("2026-03-20-preview", "2025-09-15-preview")
"""Accepted api-version values: the current preview and the older `purviewdatagovernance` one PVW cites."""

STATUSES = ("DRAFT", "PUBLISHED", "EXPIRED")
"""Resource status (CatalogModelStatus). Query filters use `Draft|Published|Expired`; both casings accepted."""

DOMAIN_TYPES = ("FunctionalUnit", "LineOfBusiness", "DataDomain", "Regulatory", "Project")

DATA_PRODUCT_TYPES = (
    "Master", "Reference", "Analytical", "AI", "MasterDataAndReferenceData", "BusinessSystemOrApplication",
    "ModelTypes", "DashboardsOrReports", "Operational", "MLAITrainingDataSet", "MLAITestingDataSet",
    "TransactionalDataset", "AnalyticsModel", "SemanticModel",
    "Dataset",  # GUESS: legacy value sent by pvw-cli (its default) and unifiedcatalogpy; absent from the SDK.
)  # fmt: skip

UPDATE_FREQUENCIES = ("Hourly", "Daily", "Weekly", "Monthly", "Quarterly", "Yearly")

ENTITY_CATEGORIES = (
    "DOMAIN", "DATAPRODUCT", "TERM", "DATAASSET", "OBJECTIVE", "KEYRESULT", "CRITICALDATAELEMENT", "DATACOLUMN",
    "CUSTOMMETADATA", "ATTRIBUTE", "ATTRIBUTEINSTANCE", "WORKFLOW", "CATALOGSNAPSHOT", "WORKFLOWRUN",
    "CRITICALDATACOLUMN",  # pvw-cli's choice list; not in the 2026-03-20-preview SDK.
)  # fmt: skip
"""`entityType` of relationship calls (EntityCategory). unifiedcatalogpy sends `Term`; matched case-insensitively."""

RELATIONSHIP_TYPES = ("Related", "Synonym", "Parent")
ZERO_GUID = "00000000-0000-0000-0000-000000000000"


def canonical(value: Any, allowed: Iterable[str], field: str) -> str:
    """`value` matched case-insensitively against `allowed`, returned in the canonical spelling (400 otherwise)."""
    if isinstance(value, str):
        for known in allowed:
            if known.lower() == value.strip().lower():
                return known
    raise invalid(f"{field} must be one of {', '.join(allowed)}; got {value!r}", target=field)


def status(value: Any, field: str = "status") -> str:
    """A status in any casing (`Published`, `PUBLISHED`, `published`) as the canonical upper-case value."""
    return canonical(value, STATUSES, field)


def entity_category(value: Any) -> str:
    """An `entityType` query value (`DATAASSET`, `DataAsset`, `Term`, ...) as the upper-case category."""
    return canonical(value, ENTITY_CATEGORIES, "entityType")


def relationship_type(value: Any) -> str:
    """`relationshipType`: the documented values in canonical case, any other non-empty string kept as sent.

    GUESS: the service's accepted set is not documented (pvw-cli's own tests send `Primary`), so unknown
    values are stored rather than refused.
    """
    if value is None:
        return "Related"
    if not isinstance(value, str) or not value.strip():
        raise invalid("relationshipType must be a non-empty string", target="relationshipType")
    for known in RELATIONSHIP_TYPES:
        if known.lower() == value.strip().lower():
            return known
    return value.strip()


def guid(value: Any, field: str) -> str:
    """A GUID string in its canonical lower-case form (400 when it does not parse)."""
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value.strip()))
        except ValueError:
            pass
    raise invalid(f"{field} must be a GUID; got {value!r}", target=field)


def text(body: Mapping[str, Any], field: str, *, required: bool = False) -> str | None:
    """An optional (or required, non-blank) string field."""
    value = body.get(field)
    if value is None:
        if required:
            raise invalid(f"{field} is required", target=field)
        return None
    if not isinstance(value, str):
        raise invalid(f"{field} must be a string", target=field)
    if required and not value.strip():
        raise invalid(f"{field} must not be empty", target=field)
    return value


def boolean(body: Mapping[str, Any], field: str) -> bool | None:
    """A boolean field; the strings `true`/`false` are accepted too (pvw-cli sends `endorsed` as a string)."""
    value = body.get(field)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise invalid(f"{field} must be a boolean", target=field)


def string_list(body: Mapping[str, Any], field: str) -> list[str] | None:
    """A list of strings (e.g. `audience`, `acronyms`)."""
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(f"{field} must be a list of strings", target=field)
    return list(value)


def contacts(body: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]] | None:
    """ContactsMap: role (`owner`, `expert`, `databaseAdmin`, ...) -> `[{id, description?}]`."""
    value = body.get("contacts")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid("contacts must be an object keyed by contact type", target="contacts")
    out: dict[str, list[dict[str, Any]]] = {}
    for role, people in value.items():
        if people is None:
            continue
        if not isinstance(people, list):
            raise invalid(f"contacts.{role} must be a list", target="contacts")
        out[role] = [_contact(role, person) for person in people]
    return out


def _contact(role: str, person: Any) -> dict[str, Any]:
    if not isinstance(person, dict) or not isinstance(person.get("id"), str):
        raise invalid(f"each contacts.{role} entry needs an id (Entra object id)", target="contacts")
    description = person.get("description")
    if description is not None and not isinstance(description, str):
        raise invalid(f"contacts.{role}[].description must be a string", target="contacts")
    return {"id": person["id"], "description": description or ""}


def links(body: Mapping[str, Any], field: str) -> list[dict[str, Any]] | None:
    """`termsOfUse` / `documentation`: ExternalLink objects `{url, name, dataAssetId?}`.

    GUESS: plain strings (what unifiedcatalogpy's and pvw-cli's signatures suggest) become `{name, url}`.
    """
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid(f"{field} must be a list", target=field)
    out = []
    for item in value:
        if isinstance(item, str):
            out.append({"name": item, "url": item})
        elif isinstance(item, dict) and all(isinstance(item.get(k, ""), str) for k in ("url", "name", "dataAssetId")):
            out.append({k: item[k] for k in ("url", "name", "dataAssetId") if k in item})
        else:
            raise invalid(f"{field} entries must be strings or {{url, name, dataAssetId}} objects", target=field)
    return out


def objects(body: Mapping[str, Any], field: str, keys: tuple[str, ...]) -> list[dict[str, Any]] | None:
    """A list of small objects whose known keys are kept (managedAttributes, resources)."""
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise invalid(f"{field} must be a list of objects", target=field)
    return [{k: item[k] for k in keys if k in item} for item in value]


def now_iso() -> str:
    """UTC timestamp as the service writes systemData times (RFC 3339, milliseconds, `Z`)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
