"""What data-set lineage publishes to other features.

- Which data sets have their Cluedin Dataset in Purview. Rows (kind `lineage`): `dataset|<dataSetId>` (the
  Cluedin Dataset, its columns and processes) and `entity|/<EntityType>` (lineage's hold on a shared Cluedin
  Entity); docs/state.md has the layout. Polling reads them only through `iter_synced_data_sets`.
- The shared Cluedin Entity node and the lineage toolkit other lineage features build on (streams, crawlers and
  enrichers): the node itself (`entity_node`, `entity_nodes`: one definition, so every holder writes the same
  attributes), holding and releasing it through `sync/core/ownership.py` under the holder's own name
  (`hold_entity`, `release_entity`, `entity_shared_key`), nodes with stubs and columns (`Node`, `column_nodes`),
  Purview's `columnMapping` value (`column_mapping`) and bulk-call assembly (`Batch`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sync.core.state import StateStore
from sync.features.lineage.batch import Batch
from sync.features.lineage.entities import entity_shared_key
from sync.features.lineage.entities import hold as hold_entity
from sync.features.lineage.entities import release as release_entity
from sync.features.lineage.graph import Node, Ref, column_mapping, entity_node, entity_nodes
from sync.features.lineage.graph import _columns as _column_nodes
from sync.features.lineage.model import DATASET, split_key

__all__ = [
    "LINEAGE_KIND",
    "Batch",
    "Node",
    "Ref",
    "SyncedDataSet",
    "column_mapping",
    "column_nodes",
    "entity_node",
    "entity_nodes",
    "entity_shared_key",
    "hold_entity",
    "iter_synced_data_sets",
    "release_entity",
]

LINEAGE_KIND = "lineage"


@dataclass(frozen=True)
class SyncedDataSet:
    """A CluedIn data set whose Cluedin Dataset exists in Purview."""

    id: str
    name: str
    url: str
    """Link back to the data set in CluedIn's UI ('' when unknown)."""


def iter_synced_data_sets(state: StateStore) -> Iterator[SyncedDataSet]:
    """Every data set whose lineage is active in Purview."""
    for obj in state.iter_objects(LINEAGE_KIND):
        kind, ident = split_key(obj.key)
        if kind == DATASET and obj.active:
            yield SyncedDataSet(ident, str(obj.data.get("name") or ident), str(obj.data.get("url") or ""))


def column_nodes(parent: Ref, attribute: str, columns: Sequence[Sequence[str]], org: str) -> list[Node]:
    """Column entities (`cluedin_column`) of a node, attached through `attribute`: (name, data type) pairs."""
    return _column_nodes(parent, attribute, columns, org)
