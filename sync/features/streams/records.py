"""Node records: desired Purview objects keyed `<kind>|<id>`, planned with the core diff, applied by lineage's writer.

Stream lineage (F8) and crawler/enricher lineage (F9) describe what they want in Purview the same way: one small
desired record per object, each owning one main entity (a process, a Cluedin Connector Entity, a Cluedin
Organization Provider) and its columns, plus `entity|<EntityType>` records that *hold* the shared Cluedin Entity
of an entity type with the columns the feature needs on it (`sync/core/ownership.py`, through lineage's API).

Applying a message is lineage's `RecordWriter` (one bulk upsert per target collection, one bulk delete, shared
rows then the feature's rows committed under ETags); what is particular to these features is a `RecordKind` per
kind of record and how their rows are laid out (`KindRows`): a record's row keeps its main entity's guid and its
columns' guids by column name, an entity record's row only the organization (the hold itself is in the shared row).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sync.core.feature import SyncContext
from sync.features.lineage.api import Node, Notify, RecordWriter, Ref, RowLayout, entity_node, entity_nodes
from sync.services.purview import qualified_names as names
from sync.services.purview.typedefs import COLUMN_TYPE, CluedInType

ENTITY = "entity"
RECORD_LIMIT = 40_000
"""Largest record (JSON characters) a change carries: a 48 KB queue message must hold it (see `fit`)."""


def record_key(kind: str, ident: str) -> str:
    """`<kind>|<id>`: the state key of one record."""
    return f"{kind}|{ident}"


def split_key(key: str) -> tuple[str, str]:
    """Inverse of `record_key`."""
    kind, _, ident = key.partition("|")
    if not kind or not ident:
        raise ValueError(f"not a record key: {key!r}")
    return kind, ident


@dataclass(frozen=True)
class RecordKind:
    """How one kind of record becomes Purview entities: its main entity and every node it writes (stubs too)."""

    main: Callable[[str, str], Ref]
    """(organization, record id) → the entity the record owns."""
    build: Callable[[Mapping[str, Any]], list[Node]]


def entity_record(org: str, collection: str | None, entity_type: str, columns: Sequence[str]) -> dict[str, Any]:
    """A feature's hold on the Cluedin Entity of an entity type, with the columns (vocabulary keys) it needs."""
    return {"org": org, "collection": collection, "entityType": entity_type, "columns": [[c, ""] for c in columns]}


def fit(desired: dict[str, Any], lists: Sequence[str] = ("mapping", "columns")) -> tuple[dict[str, Any], str]:
    """The record, its longest lists cut so that it fits a queue message, and a note when something was cut.

    Purview keeps a `columnMapping` within 32 KB anyway; a record this large would need several hundred exported
    properties. The first entries (mapping order) are kept.
    """
    size = len(json.dumps(desired, separators=(",", ":"), default=str))
    if size <= RECORD_LIMIT:
        return desired, ""
    out = dict(desired)
    notes = []
    for name in lists:
        items = list(out.get(name) or [])
        if not items:
            continue
        per_item = max(1, len(json.dumps(items, separators=(",", ":"), default=str)) // len(items))
        excess = len(json.dumps(out, separators=(",", ":"), default=str)) - RECORD_LIMIT
        if excess <= 0:
            break
        keep = max(0, len(items) - (excess // per_item + 1))
        out[name] = items[:keep]
        notes.append(f"{name} keeps {keep} of {len(items)} entries (a queue message holds 48 KB)")
    return out, "; ".join(notes)


class KindRows(RowLayout):
    """Rows of node records: a `RecordKind` per kind, and `entity|<EntityType>` holds on the shared Cluedin Entity.

    A record's row keeps `{org, guid, columns: {name: guid}}` of the main entity it owns; an entity record's row
    keeps `{org}` (its hold and the entity's guids live in the shared row).
    """

    def __init__(self, kinds: Mapping[str, RecordKind]) -> None:
        self.kinds = kinds

    def build(self, key: str, desired: Mapping[str, Any]) -> list[Node]:
        """The record's nodes: its main entity with columns and stubs, or the held Cluedin Entity with columns."""
        kind, _ = split_key(key)
        return entity_nodes(desired) if kind == ENTITY else self.kinds[kind].build(desired)

    def owned(self, key: str, target: Mapping[str, Any]) -> dict[Ref, str]:
        """The main entity and the columns a row names (an entity record owns nothing)."""
        kind, ident = split_key(key)
        org = str(target.get("org") or "")
        if kind == ENTITY or not org:
            return {}
        main = self.kinds[kind].main(org, ident)
        columns = {_column(main, str(c)): str(g or "") for c, g in (target.get("columns") or {}).items()}
        return {main: str(target.get("guid") or ""), **columns}

    def held(self, key: str, target: Mapping[str, Any]) -> list[Ref]:
        """An entity record's Cluedin Entity."""
        kind, ident = split_key(key)
        org = str(target.get("org") or "")
        return [entity_node(org, ident, stub=True).ref] if kind == ENTITY and org else []

    def target(
        self, key: str, desired: Mapping[str, Any], owned: Mapping[Ref, str], held: Sequence[Ref]
    ) -> dict[str, Any]:
        """`{org}` for an entity record; else the main entity's guid and its wanted columns' guids."""
        kind, ident = split_key(key)
        org = str(desired["org"])
        if kind == ENTITY:
            return {"org": org}
        main = self.kinds[kind].main(org, ident)
        wanted = [str(c[0]) for c in desired.get("columns") or []]
        return {
            "org": org,
            "guid": owned.get(main, ""),
            "columns": {c: owned.get(_column(main, c), "") for c in wanted},
        }

    def data(self, key: str, desired: Mapping[str, Any]) -> dict[str, Any]:
        """The record's name (an entity record's entity type) and, for a provider, its kind."""
        name = str(desired.get("name") or desired.get("entityType") or split_key(key)[1])
        return {"name": name, **({"kind": str(desired["kind"])} if desired.get("kind") else {})}

    def removed(self, key: str) -> str:
        """An entity record only lets go of a node other features may still hold."""
        if split_key(key)[0] == ENTITY:
            return "released (removed from Purview unless another feature holds it)"
        return "removed from Purview"


def _column(main: Ref, name: str) -> Ref:
    return COLUMN_TYPE.name, names.column_name(main[1], name)


def record_writer(
    ctx: SyncContext,
    *,
    holder: str,
    object_kind: str,
    kinds: Mapping[str, RecordKind],
    types: tuple[CluedInType, ...],
    notify: Notify,
) -> RecordWriter:
    """Lineage's writer for one message of a node-record feature."""
    rows = KindRows(kinds)
    return RecordWriter(
        ctx, object_kind=object_kind, holder=holder, types=types, build=rows.build, notify=notify, rows=rows
    )
