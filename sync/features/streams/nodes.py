"""Pure builders: a stream or export-target record → the Purview entities that make it true.

A stream process carries stubs of what it references (the Cluedin Entity of each entity type, the Cluedin
Connector Entity), so any message applies in any order; within a bulk call a stub merges into the full entity.
Column-level lineage is Purview's `columnMapping` (docs/purview-types.md): one dataset mapping per entity type,
from its vocabulary keys to the exported columns, kept within Purview's 32 KB attribute limit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sync.features.lineage.api import Node, Ref, column_nodes, entity_node
from sync.features.streams.records import RecordKind
from sync.features.streams.types import CONNECTOR_ENTITY_TYPE, STREAM_PROCESS_TYPE
from sync.services.purview import qualified_names as names
from sync.services.purview.client import MAX_ATTRIBUTE_BYTES


def stream_ref(org: str, stream_id: str) -> Ref:
    """The Cluedin Stream Process of a stream."""
    return STREAM_PROCESS_TYPE.name, names.stream_process_name(org, stream_id)


def target_ref(org: str, target_id: str) -> Ref:
    """The Cluedin Connector Entity of an export target."""
    return CONNECTOR_ENTITY_TYPE.name, names.export_target_name(org, target_id)


def epoch_millis(text: str) -> int | None:
    """An ISO-8601 time as Atlas `date` (epoch milliseconds); None when empty or unreadable."""
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000) if text else None
    except ValueError:
        return None


def column_mappings(groups: Sequence[tuple[str, str, Sequence[Sequence[str]]]]) -> tuple[str, int, int]:
    """Purview's `columnMapping` for several (source, sink, pairs) groups, the pairs kept and the pairs given.

    Pairs are dropped from the end when the value would exceed Purview's 32 KB attribute limit.
    """
    flat = [(source, sink, pair) for source, sink, pairs in groups for pair in pairs]
    kept = len(flat)
    while True:
        merged: dict[tuple[str, str], list[dict[str, str]]] = {}
        for source, sink, (a, b) in flat[:kept]:
            merged.setdefault((source, sink), []).append({"Source": str(a), "Sink": str(b)})
        value = [
            {"DatasetMapping": {"Source": source, "Sink": sink}, "ColumnMapping": pairs}
            for (source, sink), pairs in merged.items()
        ]
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        if len(text.encode()) <= MAX_ATTRIBUTE_BYTES or not kept:
            return text, kept, len(flat)
        size = len(text.encode())
        average = max(1, size // kept)
        kept = max(0, kept - max(1, (size - MAX_ATTRIBUTE_BYTES) // average + 1))


def stream_nodes(desired: Mapping[str, Any]) -> list[Node]:
    """The stream process, stubs of its entity types and of its export target."""
    org = str(desired["org"])
    entities = [entity_node(org, t, stub=True) for t in desired.get("entityTypes") or []]
    target = desired.get("exportTarget") or None
    outputs: list[Node] = []
    if target is not None:
        ref = target_ref(org, str(target["id"]))
        outputs.append(Node(ref[0], ref[1], {"name": str(target["name"])}, stub=True))
    groups: dict[str, list[list[str]]] = {}
    for entity_type, key, column in desired.get("mapping") or []:
        groups.setdefault(str(entity_type), []).append([key, column])
    sink = outputs[0].qualified_name if outputs else ""
    mapping, kept, total = column_mappings(
        [(names.entity_name(org, t), sink, pairs) for t, pairs in groups.items()] if sink else []
    )
    attributes: dict[str, Any] = {
        "name": desired["name"],
        "description": f"CluedIn stream '{desired['name']}' ({desired.get('status') or 'New'})",
        "organization": org,
        "streamId": desired["id"],
        "status": desired.get("status") or "",
        "mode": desired.get("mode") or "",
        "condition": desired.get("condition") or "",
        "exportTarget": str(target["name"]) if target else "",
        "exportTargetId": str(target["id"]) if target else "",
        "containerName": desired.get("containerName") or "",
        "entityTypes": ", ".join(desired.get("entityTypes") or []),
        "columnMapping": mapping,
    }
    reprocessed = epoch_millis(str(desired.get("lastReprocessedAt") or ""))
    if reprocessed is not None:
        attributes["lastReprocessedAt"] = reprocessed
    ref = stream_ref(org, str(desired["id"]))
    notes = [f"column mapping keeps {kept} of {total} column pairs (Purview's 32 KB limit)"] if kept < total else []
    process = Node(ref[0], ref[1], attributes, inputs=[e.ref for e in entities], outputs=[n.ref for n in outputs])
    process.notes = notes
    return [process, *entities, *outputs]


def target_nodes(desired: Mapping[str, Any]) -> list[Node]:
    """The Cluedin Connector Entity with the exported columns."""
    org = str(desired["org"])
    ref = target_ref(org, str(desired["id"]))
    attributes = {
        "name": desired["name"],
        "description": f"CluedIn export target '{desired['name']}' ({desired.get('connector') or 'connector'})",
        "organization": org,
        "exportTargetId": desired["id"],
        "connector": desired.get("connector") or "",
        "active": bool(desired.get("active", True)),
    }
    columns = column_nodes(ref, CONNECTOR_ENTITY_TYPE.columns_parent_attribute, desired.get("columns") or [], org)
    return [Node(ref[0], ref[1], attributes), *columns]


STREAM_KINDS = {
    "stream": RecordKind(main=stream_ref, build=stream_nodes),
    "target": RecordKind(main=target_ref, build=target_nodes),
}
