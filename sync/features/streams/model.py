"""What stream lineage should look like in Purview: one desired record per object (pure, deterministic).

- `stream|<streamId>`: the Cluedin Stream Process — inputs: the Cluedin Entity of every entity type the preview
  found; output: the export target's Cluedin Connector Entity; column mapping vocabulary key → exported column.
- `target|<exportTargetId>`: the Cluedin Connector Entity, named by the target's account display; columns: every
  property its streams export.
- `entity|/<EntityType>`: this feature's hold on the shared Cluedin Entity, the exported keys as columns.

An exported vocabulary key maps from an entity type when the previewed records of that type hold it, or when the
preview found only that one entity type (sparse records still come from it). Entity properties (name, codes...)
are exported columns too, without a column-level source: they are not vocabulary keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sync.features.streams.facts import Preview
from sync.features.streams.records import ENTITY, entity_record, fit, record_key
from sync.services.cluedin import filters
from sync.services.cluedin.consume import ExportTargetFacts, StreamFacts
from sync.services.purview import qualified_names as names

STREAM, TARGET = "stream", "target"


@dataclass(frozen=True)
class Context:
    """Settings-derived values every record carries."""

    organization: str
    collection: str | None = None


def target_name(target: ExportTargetFacts) -> str:
    """The name of a target's entity: its account display, as the product names it.

    A target whose configuration hides its account gets its connector's name and the start of its id instead,
    so it can still be told apart.
    """
    if target.account_display:
        return target.account_display
    return f"{target.connector or 'Export target'} ({target.id[:8]})"


def condition_text(stream: StreamFacts) -> str:
    """The stream's filter as readable text (the raw tree when it cannot be read)."""
    try:
        return filters.describe(stream.condition)
    except ValueError:
        return stream.condition


@dataclass
class Desired:
    """Every record that should exist, and what the records could not say (for the run report)."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _pairs(stream: StreamFacts, preview: Preview | None) -> list[list[str]]:
    """(entity type, vocabulary key, exported column) for every exported key an entity type provides."""
    types = preview.entity_types if preview is not None else {}
    only = len(types) == 1
    out = []
    for entity_type, held in sorted(types.items()):
        display = names.display_entity_type(entity_type)
        for prop in stream.exported:
            if prop.vocabulary_key and (only or prop.source in held):
                out.append([display, prop.source, prop.column])
    return out


def desired_records(
    streams: list[StreamFacts],
    targets: list[ExportTargetFacts],
    previews: Mapping[str, Preview],
    reprocessed: Mapping[str, str],
    ctx: Context,
) -> Desired:
    """Records of every stream, export target and held entity type."""
    out = Desired()
    base = {"org": ctx.organization, "collection": ctx.collection}
    by_target = {t.id: t for t in targets}
    columns: dict[str, dict[str, None]] = {t.id: {} for t in targets}
    held: dict[str, dict[str, None]] = {}
    for stream in sorted(streams, key=lambda s: s.id):
        preview = previews.get(stream.id)
        pairs = _pairs(stream, preview)
        target = by_target.get(stream.target_id)
        if stream.target_id and target is None:
            out.notes.append(f"Stream '{stream.name}': its export target {stream.target_id} is not listed; "
                             "synced without one")  # fmt: skip
        if target is not None:
            columns[target.id].update(dict.fromkeys(p.column for p in stream.exported))
        for entity_type, key, _ in pairs:
            held.setdefault(entity_type, {})[key] = None
        types = sorted(names.display_entity_type(t) for t in (preview.entity_types if preview else {}))
        for entity_type in types:
            held.setdefault(entity_type, {})
        record, note = fit(
            {
                **base,
                "id": stream.id,
                "name": stream.name,
                "description": stream.description,
                "status": stream.status,
                "mode": stream.mode_label,
                "condition": condition_text(stream),
                "containerName": stream.container,
                "exportTarget": {"id": target.id, "name": target_name(target)} if target is not None else None,
                "entityTypes": types,
                "mapping": pairs,
                "lastReprocessedAt": reprocessed.get(stream.id, ""),
            }
        )
        out.records[record_key(STREAM, stream.id)] = {**record, **({"note": note} if note else {})}
    for target in sorted(targets, key=lambda t: t.id):
        if not target.account_display:
            out.notes.append(f"Export target {target.id} shows no account; named '{target_name(target)}'")
        record, note = fit(
            {
                **base,
                "id": target.id,
                "name": target_name(target),
                "connector": target.connector,
                "active": target.active,
                "columns": [[c, ""] for c in columns[target.id]],
            }
        )
        out.records[record_key(TARGET, target.id)] = {**record, **({"note": note} if note else {})}
    for entity_type, keys in sorted(held.items()):
        record, note = fit(entity_record(ctx.organization, ctx.collection, entity_type, sorted(keys)))
        out.records[record_key(ENTITY, entity_type)] = {**record, **({"note": note} if note else {})}
    return out
