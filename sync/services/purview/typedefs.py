"""The app's own Purview types (`cluedin_*`) and their idempotent registration.

CluedIn's integration shows its objects in Purview under the labels "Cluedin Dataset", "Cluedin Entity",
"Cluedin Ingest Process" and "Cluedin Map Process". Atlas has no display-name field on a type, so the type names
are stable `cluedin_*` identifiers (F1 never syncs types with that prefix back to CluedIn) and the product's label
travels in the type's `description`. docs/purview-types.md documents every type and attribute.

Types are declared as a table of `CluedInType` rows: a later feature (stream process, export target,
organization provider, crawl/enrich process, processing pipeline) adds one row, and the relationship that
attaches columns to a new asset type is derived from the row, so every feature follows the same scheme.

Registration runs at the start of every cycle but costs nothing when nothing changed: a fingerprint of the
whole type set is kept in a state cursor (and in process memory), so Purview is only asked when the app's
definitions changed or the account is new. Then each type is read, missing ones are created, changed ones are
updated (our attributes merged into whatever the account already has, never removed), and a 409 "already
exists" from a concurrent registration is answered with an update instead of a failure.

Purview's validation is stricter than Apache Atlas': `options` values must be strings, and
`options.schemaAttributes` must be a JSON *string* holding a list of strings (ADB accelerator issue #239).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from sync.core.errors import ConflictError, FatalError, RetriableError
from sync.core.feature import SetupStep
from sync.core.state import StateStore, fingerprint
from sync.core.telemetry import counted_by_caller, log_event
from sync.services.purview.client import PurviewClient

log = logging.getLogger("sync.services.purview.typedefs")

SERVICE_TYPE = "CluedIn"
TYPE_VERSION = "1.0"
CURSOR_FEATURE = "purview-types"
LOOKUP_THREADS = 4
"""Type definitions looked up at once before a registration (each lookup is one Purview read)."""
TypeKind = Literal["asset", "process", "column"]
SUPER_TYPES: dict[str, list[str]] = {"asset": ["DataSet"], "column": ["DataSet"], "process": ["Process"]}


@dataclass(frozen=True)
class Attribute:
    """One optional attribute of a custom type (all are optional, so partial updates never fail validation)."""

    name: str
    type_name: str = "string"
    description: str = ""

    def definition(self) -> dict[str, Any]:
        """AtlasAttributeDef."""
        return {
            "name": self.name,
            "typeName": self.type_name,
            "description": self.description,
            "isOptional": True,
            "cardinality": "SINGLE",
            "valuesMinCount": 0,
            "valuesMaxCount": 1,
            "isUnique": False,
            "isIndexable": False,
            "includeInNotification": False,
        }


@dataclass(frozen=True)
class CluedInType:
    """One custom entity type.

    `columns_parent_attribute` set means the type holds columns of `COLUMN_TYPE`: a COMPOSITION relationship
    `<name>_columns` is derived, with `columns` on this side and `columns_parent_attribute` on the column side,
    and the type's schema tab lists them (`options.schemaElementsAttribute`).
    """

    name: str
    display_name: str
    kind: TypeKind
    attributes: tuple[Attribute, ...] = ()
    columns_parent_attribute: str = ""
    extra_options: Mapping[str, str] = field(default_factory=dict)

    def definition(self) -> dict[str, Any]:
        """AtlasEntityDef as sent to Purview."""
        options = dict(self.extra_options)
        if self.columns_parent_attribute:
            options["schemaElementsAttribute"] = "columns"
        body: dict[str, Any] = {
            "category": "ENTITY",
            "name": self.name,
            "description": self.display_name,
            "serviceType": SERVICE_TYPE,
            "typeVersion": TYPE_VERSION,
            "superTypes": SUPER_TYPES[self.kind],
            "attributeDefs": [a.definition() for a in self.attributes],
        }
        if options:
            body["options"] = options
        return body

    def relationship(self) -> dict[str, Any] | None:
        """The derived columns relationship, if the type has columns."""
        if not self.columns_parent_attribute:
            return None
        return {
            "category": "RELATIONSHIP",
            "name": f"{self.name}_columns",
            "description": f"Columns of a {self.display_name}",
            "serviceType": SERVICE_TYPE,
            "typeVersion": TYPE_VERSION,
            "relationshipCategory": "COMPOSITION",
            "propagateTags": "NONE",
            "endDef1": {
                "type": self.name,
                "name": "columns",
                "isContainer": True,
                "cardinality": "SET",
                "isLegacyAttribute": False,
            },
            "endDef2": {
                "type": COLUMN_TYPE.name,
                "name": self.columns_parent_attribute,
                "isContainer": False,
                "cardinality": "SINGLE",
                "isLegacyAttribute": False,
            },
        }


_COMMON = (Attribute("organization", description="CluedIn organization that owns the object"),)

COLUMN_TYPE = CluedInType(
    "cluedin_column",
    "Cluedin Column",
    "column",
    (Attribute("data_type", description="Data type of the field or vocabulary key"),),
    extra_options={"schemaAttributes": json.dumps(["data_type"])},
)
DATASET_TYPE = CluedInType(
    "cluedin_dataset",
    "Cluedin Dataset",
    "asset",
    (
        *_COMMON,
        Attribute("dataSetId", description="CluedIn data set (ingestion endpoint) id"),
        Attribute("dataSourceId", description="CluedIn data source id"),
        Attribute("dataSourceName", description="CluedIn data source name"),
        Attribute("dataSourceGroupName", description="CluedIn data source group name"),
        Attribute("entityType", description="Entity type the data set is mapped to"),
        Attribute("cluedinUrl", description="Link to the data set in CluedIn"),
        Attribute("recordsReceived", "long", "Records received by the data set (Poll Data Sources)"),
        Attribute("recordsProcessed", "long", "Records processed into golden records (Poll Data Sources)"),
        Attribute("recordsFailed", "long", "Records that failed (Poll Data Sources)"),
        Attribute("lastIngestedAt", "date", "When the data set last received data (Poll Data Sources)"),
        Attribute(
            "dataQualityMetrics",
            "map<string,double>",
            "CluedIn data-quality metrics of the data source, by metric name (Poll Data Sources)",
        ),
    ),
    columns_parent_attribute="dataset",
)
LINK = Attribute("cluedinUrl", description="Link to the object in CluedIn")
"""Every node of the processing-pipeline lineage links back to its object in CluedIn."""
ENTITY_TYPE = CluedInType(
    "cluedin_entity",
    "Cluedin MDM Entity",
    "asset",
    (*_COMMON, Attribute("entityType", description="CluedIn entity type, e.g. /Customer"), LINK),
    columns_parent_attribute="entity",
)
INGEST_PROCESS_TYPE = CluedInType(
    "cluedin_ingest_process",
    "Cluedin Ingest Process",
    "process",
    (
        *_COMMON,
        Attribute("dataSetId", description="CluedIn data set fed by this process"),
        Attribute("columnMapping", description="Column-level lineage (JSON string, Purview's columnMapping format)"),
        LINK,
    ),
)
MAP_PROCESS_TYPE = CluedInType(
    "cluedin_map_process",
    "Cluedin Map Process",
    "process",
    (
        *_COMMON,
        Attribute("dataSetId", description="CluedIn data set whose mapping this is"),
        Attribute("entityType", description="Entity type the data set is mapped to"),
        Attribute("columnMapping", description="Column-level lineage (JSON string, Purview's columnMapping format)"),
    ),
)

TYPES: tuple[CluedInType, ...] = (COLUMN_TYPE, DATASET_TYPE, ENTITY_TYPE, INGEST_PROCESS_TYPE, MAP_PROCESS_TYPE)
"""Every custom type, in dependency order (the column type before the types that hold columns)."""


def typedefs(types: tuple[CluedInType, ...] = TYPES) -> dict[str, list[dict[str, Any]]]:
    """The AtlasTypesDef of our types: entity defs and the derived relationship defs."""
    relationships = [r for r in (t.relationship() for t in types) if r is not None]
    return {"entityDefs": [t.definition() for t in types], "relationshipDefs": relationships}


def display_names(types: tuple[CluedInType, ...] = TYPES) -> dict[str, str]:
    """Map typeName → the product's label (for reports)."""
    return {t.name: t.display_name for t in types}


# --- comparing with what the account has ----------------------------------------------------------------------


def _attribute_signature(attribute: Mapping[str, Any]) -> tuple[str, str]:
    return str(attribute.get("typeName")), str(attribute.get("cardinality", "SINGLE"))


def entity_def_update(wanted: Mapping[str, Any], existing: Mapping[str, Any]) -> dict[str, Any] | None:
    """The def to PUT when `existing` lacks something of `wanted`, else None (nothing to do).

    Attributes the account has and we do not (added by someone else, or by a newer app version) are kept:
    Atlas refuses to remove attributes, and they are not ours to remove.

    Raises:
        FatalError: the change cannot be made by an update (different super types or attribute types).
    """
    name = str(wanted["name"])
    if sorted(existing.get("superTypes") or []) != sorted(wanted["superTypes"]):
        raise FatalError(
            f"Purview type {name} exists with super types {existing.get('superTypes')}, expected "
            f"{wanted['superTypes']}; it was created by something else: delete it or rename ours"
        )
    have = {str(a.get("name")): a for a in existing.get("attributeDefs") or []}
    missing = []
    for attribute in wanted["attributeDefs"]:
        current = have.get(attribute["name"])
        if current is None:
            missing.append(attribute)
        elif _attribute_signature(current) != _attribute_signature(attribute):
            raise FatalError(
                f"Purview type {name} has attribute {attribute['name']} as {_attribute_signature(current)}, "
                f"expected {_attribute_signature(attribute)}; Purview cannot change an attribute's type"
            )
    options_differ = any((existing.get("options") or {}).get(k) != v for k, v in (wanted.get("options") or {}).items())
    text_differs = existing.get("description") != wanted["description"] or existing.get("serviceType") != wanted.get(
        "serviceType"
    )
    if not missing and not options_differ and not text_differs:
        return None
    ours = {a["name"] for a in wanted["attributeDefs"]}
    kept = [a for a in existing.get("attributeDefs") or [] if a.get("name") not in ours]
    merged = dict(wanted)
    merged["attributeDefs"] = [*wanted["attributeDefs"], *kept]
    merged["options"] = {**(existing.get("options") or {}), **(wanted.get("options") or {})}
    return merged


def relationship_def_update(wanted: Mapping[str, Any], existing: Mapping[str, Any]) -> dict[str, Any] | None:
    """The relationship def to PUT when only its description differs; None when equal.

    Raises:
        FatalError: the ends or category differ (Atlas cannot change them).
    """

    def ends(body: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            (str((body.get(e) or {}).get("type")), str((body.get(e) or {}).get("name"))) for e in ("endDef1", "endDef2")
        )

    if ends(existing) != ends(wanted) or existing.get("relationshipCategory") != wanted["relationshipCategory"]:
        raise FatalError(
            f"Purview relationship type {wanted['name']} exists with other ends or category; "
            "it was created by something else: delete it or rename ours"
        )
    if existing.get("description") == wanted["description"]:
        return None
    return dict(wanted)


# --- registration ---------------------------------------------------------------------------------------------

_ensured: set[tuple[str, str]] = set()
_ensured_lock = threading.Lock()
_registering: dict[str, threading.Lock] = {}
"""One registration at a time per Purview endpoint in this process: features planning side by side share types
(the Cluedin Entity), and the second must see what the first registered rather than look it up again."""


def _registration_lock(base_url: str) -> threading.Lock:
    with _ensured_lock:
        return _registering.setdefault(base_url, threading.Lock())


def _register_if_still_missing(purview: PurviewClient, state: StateStore, types: tuple[CluedInType, ...]) -> bool:
    with _registration_lock(purview.base_url):
        pending = _pending(purview, state, types)  # again: another feature may have registered them meanwhile
        return pending is not None and _register(purview, state, pending)


KEEP_STAMPS = 20
"""Fingerprints of type sets remembered per account (features register different sets); each definition's own
fingerprint is kept too, so a feature whose set overlaps one already registered checks only what is new to it."""


def _stamps(cursor: Any) -> list[str]:
    if not isinstance(cursor, dict):
        return []
    if cursor.get("fingerprint"):  # written by earlier versions: one set for the whole app
        return [str(cursor["fingerprint"])]
    return [str(s) for s in cursor.get("ensured") or []]


@dataclass
class _Pending:
    """Definitions the account may lack (the cursor does not know their fingerprint yet)."""

    wanted: dict[str, list[dict[str, Any]]]
    stamp: str
    memo_key: tuple[str, str]
    cursor: Any
    etag: str | None


def _definition_stamps(cursor: Any) -> dict[str, str]:
    """Fingerprint of every single definition registered (name → stamp), so overlapping sets cost no re-check."""
    found = cursor.get("definitions") if isinstance(cursor, dict) else None
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _unregistered(wanted: dict[str, list[dict[str, Any]]], known: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The definitions of `wanted` whose exact content the cursor does not record as registered."""
    return {
        section: [d for d in definitions if known.get(str(d["name"])) != fingerprint(d)]
        for section, definitions in wanted.items()
    }


def _pending(purview: PurviewClient, state: StateStore, types: tuple[CluedInType, ...]) -> _Pending | None:
    wanted = typedefs(types)
    stamp = fingerprint(wanted)
    memo_key = (purview.base_url, stamp)
    with _ensured_lock:
        if memo_key in _ensured:
            return None
    cursor, etag = state.get_cursor(CURSOR_FEATURE, purview.base_url)
    missing = _unregistered(wanted, _definition_stamps(cursor))
    if stamp in _stamps(cursor) or not any(missing.values()):
        with _ensured_lock:
            _ensured.add(memo_key)
        return None
    return _Pending(missing, stamp, memo_key, cursor, etag)


def _register(purview: PurviewClient, state: StateStore, pending: _Pending) -> bool:
    wrote = register(purview, pending.wanted)
    definitions = _definition_stamps(pending.cursor)
    definitions.update({str(d["name"]): fingerprint(d) for section in pending.wanted.values() for d in section})
    value = {
        "ensured": [pending.stamp, *[s for s in _stamps(pending.cursor) if s != pending.stamp]][:KEEP_STAMPS],
        "definitions": definitions,
    }
    with contextlib.suppress(RetriableError):  # another instance registered at the same time
        state.set_cursor(CURSOR_FEATURE, purview.base_url, value, etag=pending.etag)
    with _ensured_lock:
        _ensured.add(pending.memo_key)
    return wrote


def registration_step(
    purview: PurviewClient, state: StateStore, types: tuple[CluedInType, ...] = TYPES
) -> SetupStep | None:
    """The set-up write that registers our current type definitions, or None when the account has them.

    Only reads: free when this process, or the state cursor, already recorded the fingerprint of these definitions
    for this Purview endpoint. The returned step registers them and records the fingerprint.
    """
    pending = _pending(purview, state, types)
    if pending is None:
        return None
    missing = {str(d["name"]) for d in pending.wanted.get("entityDefs") or []}
    names = ", ".join(t.display_name for t in types if t.name in missing) or "relationships of " + ", ".join(
        t.display_name for t in types if t.columns_parent_attribute
    )
    return SetupStep(f"register the Purview types {names}", lambda: _register_if_still_missing(purview, state, types))


def ensure_types(purview: PurviewClient, state: StateStore, types: tuple[CluedInType, ...] = TYPES) -> bool:
    """Make sure the account has our types (appliers' safety net). True when Purview was written to."""
    if _pending(purview, state, types) is None:
        return False
    return _register_if_still_missing(purview, state, types)


def forget_registrations() -> None:
    """Drop the in-process memo (tests, or after someone deleted our types in Purview)."""
    with _ensured_lock:
        _ensured.clear()


def register(
    purview: PurviewClient, wanted: Mapping[str, list[dict[str, Any]]], *, retry_on_conflict: bool = True
) -> bool:
    """Create missing and update changed definitions. Returns True when anything was written."""
    create: dict[str, list[dict[str, Any]]] = {"entityDefs": [], "relationshipDefs": []}
    update: dict[str, list[dict[str, Any]]] = {"entityDefs": [], "relationshipDefs": []}
    sections = (("entityDefs", entity_def_update), ("relationshipDefs", relationship_def_update))
    names = [str(d["name"]) for section, _ in sections for d in wanted.get(section) or []]
    with ThreadPoolExecutor(max_workers=LOOKUP_THREADS) as pool:  # a first registration looks up each one
        lookups = [pool.submit(counted_by_caller(purview.get_typedef), name) for name in names]
        try:
            found = {name: lookup.result() for name, lookup in zip(names, lookups, strict=True)}
        except BaseException:
            for lookup in lookups:  # a refusal (401, 403, throttling) stops the lookups not yet sent
                lookup.cancel()
            raise
    for section, differ in sections:
        for definition in wanted.get(section) or []:
            existing = found[str(definition["name"])]
            if existing is None:
                create[section].append(definition)
                continue
            changed = differ(definition, existing)
            if changed is not None:
                update[section].append(changed)
    wrote = False
    if create["entityDefs"] or create["relationshipDefs"]:
        try:
            purview.create_typedefs({k: v for k, v in create.items() if v})
        except ConflictError:
            if not retry_on_conflict:
                raise
            # Someone registered them between our read and our create: compare again and update what differs.
            register(purview, wanted, retry_on_conflict=False)
            return True
        wrote = True
    if update["entityDefs"] or update["relationshipDefs"]:
        purview.update_typedefs({k: v for k, v in update.items() if v})
        wrote = True
    if wrote:
        names = [d["name"] for section in (create, update) for defs in section.values() for d in defs]
        log_event(log, "PurviewTypesRegistered", f"registered Purview types {', '.join(names)}", types=names)
    return wrote
