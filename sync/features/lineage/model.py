"""What the lineage sync knows about a CluedIn data set, and what it should look like in Purview.

`DataSetFacts` is what was read from CluedIn (kept in state between cycles, so an unchanged data set is never
read again). `AssetLink` is the Purview asset a data set's data source came from (F1's state). From the two,
`desired_rows` derives one small desired-state record per lineage object, keyed deterministically:

| Key | Purview objects it owns |
|---|---|
| `dataset|<dataSetId>` | the Cluedin Dataset and its columns (the original fields) |
| `ingest|<dataSetId>` | the Ingest Data process from the source asset (only for data sets linked to an asset) |
| `map|<dataSetId>` | the Map to Entity process (only when at least one field is mapped to a vocabulary key) |
| `entity|/<EntityType>` | the Cluedin Entity of an entity type and its columns (vocabulary keys), shared |

Under the pipeline shape (`pipeline.py`) a mapped data set has `annotation|<dataSetId>` instead of `map|…` (its
Annotation process, "<data set> - mapping" asset and Generate Clue process), an entity type has
`golden|/<EntityType>` (its Golden Record process, shared), and `backbone|processing-pipeline` holds the shared
Processing Pipeline → Process Entities → Processed Entities with every mapped key as columns.

Each record can disappear on its own (a mapping removed, a link lost, the last data set of an entity type
gone), and its key names that deletion. The snapshot groups a data set's records under its `dataset|` key
(`group_records`): a data set is one state row and one change, however many of its records changed
(docs/decisions/0501-lineage-batches.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sync.features.lineage import links as ui_links
from sync.features.lineage.shape import LineageShape
from sync.services.cluedin.datasets import DataSetFacts
from sync.services.purview import qualified_names as names

DATASET, INGEST, MAP, ENTITY = "dataset", "ingest", "map", "entity"
ANNOTATION, GOLDEN, BACKBONE = "annotation", "golden", "backbone"
ROW_KINDS = (DATASET, INGEST, MAP, ENTITY, ANNOTATION, GOLDEN, BACKBONE)
PART_OWNERS = {INGEST: DATASET, MAP: DATASET, ANNOTATION: DATASET, GOLDEN: ENTITY}
"""Records that are parts of another record's row (and change with it), by the row kind that holds them."""
BACKBONE_ID = "processing-pipeline"


def row_key(kind: str, ident: str) -> str:
    """`<kind>|<id>`: the state key of one lineage object."""
    return f"{kind}|{ident}"


def split_key(key: str) -> tuple[str, str]:
    """Inverse of `row_key`."""
    kind, _, ident = key.partition("|")
    if kind not in ROW_KINDS or not ident:
        raise ValueError(f"not a lineage key: {key!r}")
    return kind, ident


@dataclass(frozen=True)
class AssetLink:
    """The Purview asset a CluedIn data source was created from (F1 state row `datasource`)."""

    type_name: str
    qualified_name: str
    name: str = ""
    columns: tuple[tuple[str, str], ...] = ()
    """(name, type) of the asset's schema columns, as F1 last read them."""


@dataclass(frozen=True)
class Context:
    """Settings-derived values every desired record carries."""

    organization: str
    collection: str | None = None
    cluedin_url: str = ""
    shape: LineageShape = LineageShape.CLASSIC


def data_set_url(cluedin_url: str, facts: DataSetFacts) -> str:
    """Link back to the data set in CluedIn's UI (`links.py`: the route is a guess)."""
    return ui_links.data_set_link(cluedin_url, facts.data_source_id, facts.id)


def _field_types(facts: DataSetFacts, link: AssetLink | None) -> dict[str, str]:
    """Best known type of each original field: the source asset's schema first, then CluedIn's column type."""
    types = {m.original: m.data_type for m in facts.mappings if m.data_type}
    if link is not None:
        by_name = {name.lower(): kind for name, kind in link.columns if kind}
        for name in facts.fields():
            if name.lower() in by_name:
                types[name] = by_name[name.lower()]
    return types


def _ingest_pairs(facts: DataSetFacts, link: AssetLink) -> list[list[str]]:
    """(source column, data set field) pairs: matched by name (case-insensitive) when the asset's schema is known.

    An asset without a known schema still gets field-by-field lineage under the field names, which is what
    the ingestion pipeline copies one-to-one (CluedIn's documented assumption for ADF ingestion).
    """
    fields = facts.fields()
    if not link.columns:
        return [[f, f] for f in fields]
    by_name = {name.lower(): name for name, _ in link.columns}
    return [[by_name[f.lower()], f] for f in fields if f.lower() in by_name]


def data_set_rows(facts: DataSetFacts, link: AssetLink | None, ctx: Context) -> dict[str, dict[str, Any]]:
    """The records of one data set: its Cluedin Dataset, its ingest process and its mapping (pure)."""
    rows: dict[str, dict[str, Any]] = {}
    base = {"org": ctx.organization, "collection": ctx.collection}
    types = _field_types(facts, link)
    entity_type = names.display_entity_type(facts.entity_type) if facts.entity_type else ""
    rows[row_key(DATASET, facts.id)] = {
        **base,
        "id": facts.id,
        "name": facts.name,
        "dataSource": {"id": facts.data_source_id, "name": facts.data_source_name, "group": facts.group_name},
        "columns": [[f, types.get(f, "")] for f in facts.fields()],
        "entityType": entity_type,
        "url": data_set_url(ctx.cluedin_url, facts),
    }
    pipeline = ctx.shape == LineageShape.PIPELINE
    if link is not None:
        rows[row_key(INGEST, facts.id)] = {
            **base,
            "id": facts.id,
            "name": facts.name,
            "asset": {"typeName": link.type_name, "qualifiedName": link.qualified_name},
            "columns": _ingest_pairs(facts, link),
            **({"url": data_set_url(ctx.cluedin_url, facts)} if pipeline else {}),
        }
    pairs = facts.mapped_pairs()
    if entity_type and pairs:
        mapped = {
            **base,
            "id": facts.id,
            "name": facts.name,
            "entityType": entity_type,
            "columns": [list(p) for p in pairs],
        }
        if pipeline:
            used = dict.fromkeys(key for _, key in pairs)
            mapping = {
                "keys": [[key, facts.key_types.get(key, "")] for key in used],
                "url": ui_links.mapping_link(ctx.cluedin_url, facts.data_source_id, facts.id),
                "cluedin": ctx.cluedin_url,
            }
            rows[row_key(ANNOTATION, facts.id)] = {**mapped, **mapping}
        else:
            rows[row_key(MAP, facts.id)] = mapped
    return rows


class EntityKeys:
    """The vocabulary keys (and their types) mapped to each entity type, gathered data set by data set.

    Data sets must be added in id order: when two of them give a key different types, the later one wins.
    """

    def __init__(self) -> None:
        self.by_type: dict[str, dict[str, str]] = {}

    def add(self, facts: DataSetFacts) -> None:
        """Count a data set's mapped keys under its entity type."""
        pairs = facts.mapped_pairs()
        entity_type = names.display_entity_type(facts.entity_type) if facts.entity_type else ""
        if not entity_type or not pairs:
            return
        keys = self.by_type.setdefault(entity_type, {})
        for _, key in pairs:
            kind = facts.key_types.get(key, "")
            if kind or key not in keys:
                keys[key] = kind or keys.get(key, "")

    def rows(self, ctx: Context) -> dict[str, dict[str, Any]]:
        """The shared records: each entity type's Cluedin Entity (and Golden Record), and the pipeline backbone."""
        rows: dict[str, dict[str, Any]] = {}
        base = {"org": ctx.organization, "collection": ctx.collection}
        pipeline = ctx.shape == LineageShape.PIPELINE
        every_key: dict[str, str] = {}
        for entity_type, keys in sorted(self.by_type.items()):
            rows[row_key(ENTITY, entity_type)] = {
                **base,
                "entityType": entity_type,
                "columns": [[key, keys[key]] for key in sorted(keys)],
                **({"cluedin": ctx.cluedin_url} if pipeline else {}),
            }
            if pipeline:
                rows[row_key(GOLDEN, entity_type)] = {**base, "entityType": entity_type, "cluedin": ctx.cluedin_url}
                every_key.update({k: t or every_key.get(k, "") for k, t in keys.items()})
        if every_key:
            rows[row_key(BACKBONE, BACKBONE_ID)] = {
                **base,
                "cluedin": ctx.cluedin_url,
                "columns": [[key, every_key[key]] for key in sorted(every_key)],
            }
        return rows


def desired_rows(
    all_facts: Iterable[DataSetFacts], links: Mapping[str, AssetLink], ctx: Context
) -> dict[str, dict[str, Any]]:
    """Every lineage object that should exist, keyed as in the module docstring (pure, deterministic)."""
    rows: dict[str, dict[str, Any]] = {}
    keys = EntityKeys()
    for facts in sorted(all_facts, key=lambda f: f.id):
        rows.update(data_set_rows(facts, links.get(facts.data_source_id), ctx))
        keys.add(facts)
    rows.update(keys.rows(ctx))
    return rows


def owner_row(kind: str, ident: str) -> str:
    """The state row (and change) a record belongs to: a part goes with its owner's row, others are their own."""
    return row_key(PART_OWNERS.get(kind, kind), ident)


def group_records(rows: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Records by the change they belong to.

    `dataset|<id>` → {dataset, ingest?, map? or annotation?}; `entity|<type>` → {entity, golden?};
    `backbone|processing-pipeline` → {backbone}.
    """
    grouped: dict[str, dict[str, dict[str, Any]]] = {}
    for key, desired in rows.items():
        kind, ident = split_key(key)
        grouped.setdefault(owner_row(kind, ident), {})[kind] = desired
    return grouped
