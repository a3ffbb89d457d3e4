"""Reading a Purview asset the way every feature needs it: identity, glossary terms and schema columns (with theirs).

Purview keeps a schema in two shapes: tables point at their columns directly (`columns` relationship), files
point at a `tabular_schema` entity that holds the columns. Column types live in `data_type` (SQL columns) or
`type` (file schema columns). This module hides those differences behind one `Asset` value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sync.services.purview.client import PurviewClient

OWN_TYPE_PREFIX = "cluedin_"
GLOSSARY_TYPES = frozenset({"AtlasGlossary", "AtlasGlossaryTerm", "AtlasGlossaryCategory"})
NON_ASSET_TYPES = ("column", "azure_sql_column", "tabular_schema", "Process")
SCHEMA_RELATIONSHIPS = ("tabular_schema", "schema", "attachedSchema")
COLUMN_RELATIONSHIPS = ("columns",)
COLUMN_TYPE_ATTRIBUTES = ("data_type", "dataType", "type")


def asset_key(type_name: str, qualified_name: str) -> str:
    """`<typeName>|<qualifiedName>`: Purview's own identity of an asset, which survives a re-scan's new guid."""
    return f"{type_name}|{qualified_name}"


def search_filter(keywords: list[str]) -> dict[str, Any]:
    """Search filter for assets carrying one of the glossary terms (everything for '*'), minus non-assets.

    A keyword is 'Term' or 'Term@Glossary'.
    """
    exclusions: list[dict[str, Any]] = [{"entityType": t, "includeSubTypes": True} for t in NON_ASSET_TYPES]
    clauses: list[dict[str, Any]] = [{"not": {"or": exclusions}}]
    if keywords and "*" not in keywords:
        terms: list[dict[str, Any]] = []
        for keyword in keywords:
            term, _, glossary = keyword.partition("@")
            terms.append({"term": term, "glossary": glossary} if glossary else {"term": term})
        clauses.insert(0, terms[0] if len(terms) == 1 else {"or": terms})
    return {"and": clauses}


def is_asset_type(type_name: str) -> bool:
    """Whether entities of a type can be synced: never the app's own types, glossary objects, columns or schemas."""
    if not type_name or type_name.startswith(OWN_TYPE_PREFIX) or type_name in GLOSSARY_TYPES:
        return False
    return not (type_name.endswith("_column") or type_name in NON_ASSET_TYPES)


def is_syncable_hit(hit: Mapping[str, Any]) -> bool:
    """Post-filter on search hits: never the app's own types, glossary objects or columns (search is fuzzy)."""
    if hit.get("glossaryType") or not is_asset_type(str(hit.get("entityType") or "")):
        return False
    return bool(hit.get("qualifiedName") and hit.get("id"))


def is_syncable_entity(entity: Mapping[str, Any]) -> bool:
    """The same rule for an entity read by guid (a deleted entity is not syncable)."""
    if str(entity.get("status", "ACTIVE")).upper() != "ACTIVE" or not is_asset_type(str(entity.get("typeName") or "")):
        return False
    return bool((entity.get("attributes") or {}).get("qualifiedName") and entity.get("guid"))


def assigned_terms(entity: dict[str, Any]) -> list[tuple[str, str]]:
    """(guid, name) of the glossary terms assigned to an entity (its active `meanings`).

    The name is the reference's displayText, the term's name: what search's `term` filter matches.
    """
    return [
        (str(ref.get("guid") or ""), str(ref.get("displayText") or ""))
        for ref in _related(entity, ("meanings",))
        if _active(ref)
    ]


@dataclass(frozen=True)
class TermRef:
    """A glossary term assigned to an asset or a column (its guid, and the name Purview displays)."""

    guid: str
    name: str


@dataclass(frozen=True)
class Column:
    """One schema column."""

    name: str
    type: str = ""
    terms: tuple[TermRef, ...] = ()
    """Glossary terms assigned to the column itself."""


@dataclass
class Asset:
    """A Purview asset with what the sync needs of it."""

    guid: str
    type_name: str
    qualified_name: str
    name: str
    collection_id: str = ""
    terms: list[str] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    term_refs: list[TermRef] = field(default_factory=list)
    """The asset's glossary terms with their guids (`terms` has their names)."""

    def schema(self) -> list[dict[str, str]]:
        """Columns as JSON-able data (for state)."""
        return [{"name": c.name, "type": c.type} for c in self.columns]


def _related(entity: dict[str, Any], names: tuple[str, ...]) -> list[dict[str, Any]]:
    """Related-object references under relationshipAttributes (or attributes), whatever their cardinality."""
    out: list[dict[str, Any]] = []
    for container in (entity.get("relationshipAttributes") or {}, entity.get("attributes") or {}):
        for name in names:
            value = container.get(name)
            if isinstance(value, dict):
                out.append(value)
            elif isinstance(value, list):
                out.extend(v for v in value if isinstance(v, dict))
        if out:
            return out
    return out


def _active(ref: dict[str, Any]) -> bool:
    return (
        str(ref.get("relationshipStatus", "ACTIVE")).upper() == "ACTIVE"
        and str(ref.get("entityStatus", "ACTIVE")).upper() == "ACTIVE"
    )


def _column_of(entity: dict[str, Any]) -> Column:
    attributes = entity.get("attributes") or {}
    column_type = next((str(attributes[a]) for a in COLUMN_TYPE_ATTRIBUTES if attributes.get(a)), "")
    name = str(attributes.get("name") or entity.get("displayText") or "")
    return Column(name=name, type=column_type, terms=tuple(_term_refs(entity)))


def read_asset(purview: PurviewClient, guid: str) -> Asset | None:
    """Read an asset with its schema (one call for tables; two for files with a tabular schema)."""
    found = purview.get_entity(guid)
    if found is None:
        return None
    entity = found.get("entity") or {}
    if str(entity.get("status", "ACTIVE")).upper() == "DELETED":
        return None
    referred: dict[str, Any] = dict(found.get("referredEntities") or {})
    columns = _columns(purview, entity, referred)
    attributes = entity.get("attributes") or {}
    term_refs = _term_refs(entity)
    return Asset(
        guid=str(entity.get("guid", guid)),
        type_name=str(entity.get("typeName", "")),
        qualified_name=str(attributes.get("qualifiedName", "")),
        name=str(attributes.get("name") or attributes.get("qualifiedName", "")),
        collection_id=str(entity.get("collectionId") or ""),
        terms=[t.name for t in term_refs],
        columns=columns,
        attributes=attributes,
        term_refs=term_refs,
    )


def _term_refs(entity: dict[str, Any]) -> list[TermRef]:
    """The active glossary terms assigned to an entity (its `meanings`)."""
    return [
        TermRef(str(m.get("guid") or ""), str(m.get("displayText")))
        for m in _related(entity, ("meanings",))
        if m.get("displayText") and _active(m)
    ]


def _columns(purview: PurviewClient, entity: dict[str, Any], referred: dict[str, Any]) -> list[Column]:
    refs = [r for r in _related(entity, COLUMN_RELATIONSHIPS) if _active(r)]
    if not refs:
        schemas = [r for r in _related(entity, SCHEMA_RELATIONSHIPS) if _active(r) and r.get("guid")]
        if not schemas:
            return []
        schema = purview.get_entity(str(schemas[0]["guid"]))
        if schema is None:
            return []
        referred.update(schema.get("referredEntities") or {})
        refs = [r for r in _related(schema.get("entity") or {}, COLUMN_RELATIONSHIPS) if _active(r)]
    missing = [str(r["guid"]) for r in refs if r.get("guid") and str(r["guid"]) not in referred]
    for column in purview.get_entities(missing) if missing else []:
        referred[str(column.get("guid"))] = column
    columns = []
    for ref in refs:
        column_entity = referred.get(str(ref.get("guid")))
        columns.append(_column_of(column_entity) if column_entity else Column(name=str(ref.get("displayText", ""))))
    return [c for c in columns if c.name]
