"""CluedIn reads for stream lineage (F8): streams, export targets, and the preview of a stream's condition.

A stream selects golden records with a filter tree and exports chosen properties to an export target (a
connector configuration). Which entity types a stream carries is not configuration: like CluedIn's own
integration ("Sync Streams Preview Condition Sample Size"), the app previews the condition on a sample of golden
records and reads their entity types. Listings are one paged call each; the preview is one search call per 500
sampled records, made only for streams whose condition may select something new.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.services.cluedin import filters
from sync.services.cluedin.client import PAGENO_ITEMSPERPAGE, PAGENUMBER_ITEMSPERPAGE, CluedInClient

LISTING_PAGE_SIZE = 100
SAMPLE_PAGE_SIZE = 500
"""Largest search page the preview asks for (CluedIn's own clients page search in hundreds)."""
MODE_LABELS = {"sync": "Synchronized stream", "0": "Synchronized stream", "eventstream": "Event log stream",
               "1": "Event log stream"}  # fmt: skip
"""The UI's names of the two stream modes (code names `StreamMode.Sync` / `EventStream`, REST 0 / 1)."""
VOCABULARY_KEY_TYPES = {"vocabkey", "vocabularykey", "vocabulary", "1"}
"""`sourceObjectType` values of an exported vocabulary key (REST `MappingTypeEnum` 1; a guess for GraphQL)."""


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class ExportedProperty:
    """One exported property of a stream: what it reads (a vocabulary key or an entity property) and its column."""

    source: str
    column: str
    vocabulary_key: bool


@dataclass
class StreamFacts:
    """A stream as the listing shows it."""

    id: str
    name: str
    status: str = ""
    mode: str = ""
    condition: str = ""
    """The filter tree as compact JSON text ('' when the stream has none)."""
    container: str = ""
    target_id: str = ""
    description: str = ""
    exported: list[ExportedProperty] = field(default_factory=list)
    modified_at: str = ""

    @property
    def mode_label(self) -> str:
        """The UI's name of the mode ('' when the stream has no export target set up)."""
        return MODE_LABELS.get(self.mode.lower(), self.mode)

    def vocabulary_keys(self) -> list[str]:
        """Exported vocabulary keys, in mapping order."""
        return list(dict.fromkeys(p.source for p in self.exported if p.vocabulary_key))


@dataclass(frozen=True)
class ExportTargetFacts:
    """A configured export target (connector configuration)."""

    id: str
    account_display: str
    connector: str = ""
    active: bool = True
    updated_at: str = ""


def _condition_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _exported(mapping: Any) -> list[ExportedProperty]:
    items = json.loads(mapping) if isinstance(mapping, str) and mapping else mapping
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping) or not item.get("sourceDataType"):
            continue
        source = str(item["sourceDataType"])
        kind = str(item.get("sourceObjectType") or "").lower()
        out.append(ExportedProperty(source, str(item.get("destDataType") or source), kind in VOCABULARY_KEY_TYPES))
    return out


def stream_from(node: Mapping[str, Any]) -> StreamFacts:
    """Facts from one item of the streams listing."""
    return StreamFacts(
        id=_text(node.get("id")).lower(),
        name=_text(node.get("name")),
        status=_text(node.get("status")),
        mode=_text(node.get("mode")),
        condition=_condition_text(node.get("condition")),
        container=_text(node.get("containerName")),
        target_id=_text((node.get("connector") or {}).get("id")).lower(),
        description=_text(node.get("description")),
        exported=_exported(node.get("mappingConfiguration")),
        modified_at=_text(node.get("modifiedAt")),
    )


def iter_streams(cluedin: CluedInClient, *, page_size: int = LISTING_PAGE_SIZE) -> Iterator[StreamFacts]:
    """Every stream (`consume.streams`, paged by pageNumber + itemsPerPage)."""
    for node in cluedin.iter_pages("streams", ("consume", "streams"), PAGENUMBER_ITEMSPERPAGE, page_size=page_size):
        yield stream_from(node)


def iter_export_targets(cluedin: CluedInClient, *, page_size: int = LISTING_PAGE_SIZE) -> Iterator[ExportTargetFacts]:
    """Every configured export target (`inbound.connectorConfigurations`, paged by pageNo + itemsPerPage)."""
    path = ("inbound", "connectorConfigurations")
    for node in cluedin.iter_pages("export_targets", path, PAGENO_ITEMSPERPAGE, page_size=page_size):
        yield ExportTargetFacts(
            id=_text(node.get("id")).lower(),
            account_display=_text(node.get("accountDisplay")).strip(),
            connector=_text((node.get("connector") or {}).get("name") or node.get("name")),
            active=node.get("active") is not False,
            updated_at=_text(node.get("updatedAt")),
        )


@dataclass
class ConditionSample:
    """What previewing a condition found: entity type → the exported vocabulary keys its sampled records hold."""

    entity_types: dict[str, list[str]] = field(default_factory=dict)
    records: int = 0
    calls: int = 0


def sample_condition(
    cluedin: CluedInClient, condition: str, size: int, keys: Sequence[str] = (), *, page_size: int = SAMPLE_PAGE_SIZE
) -> ConditionSample:
    """Up to `size` golden records the condition selects: their entity types and which of `keys` they hold.

    An empty condition selects every golden record (the stream reference). Costs ceil(size / page_size) search
    calls at most, whatever the estate.

    Raises:
        GraphQLError: CluedIn could not evaluate the condition.
        ValueError: the condition is not a filter tree.
    """
    tree = filters.parse(condition)
    rule = json.dumps(tree) if tree is not None else None
    sample = ConditionSample()
    found: dict[str, set[str]] = {}
    cursor: str | None = None
    wanted = {f"property-{k}": k for k in keys}
    page = min(page_size, size)  # one size for every page: a cursor carries the size it was made with
    while sample.records < size:
        variables: dict[str, Any] = {"rule": rule, "pageSize": page}
        if cursor:
            variables["cursor"] = cursor
        if keys:
            variables["propertyNames"] = list(keys)
        data = cluedin.graphql("stream_sample", variables, data_api=True)
        sample.calls += 1
        result = (data or {}).get("search") or {}
        entries = result.get("entries") or []
        entries = entries[: size - sample.records]
        for entry in entries:
            entity_type = _text(entry.get("entityType"))
            if not entity_type:
                continue
            held = found.setdefault(entity_type, set())
            properties = entry.get("properties") or {}
            if isinstance(properties, str):
                properties = json.loads(properties or "{}")
            held |= {wanted[k] for k, v in properties.items() if k in wanted and v not in (None, "")}
        sample.records += len(entries)
        cursor = result.get("cursor")
        if not entries or not cursor or len(entries) < page:
            break
    sample.entity_types = {t: [k for k in keys if k in held] for t, held in sorted(found.items())}
    return sample
