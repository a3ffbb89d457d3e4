"""What data-set lineage publishes to other features: which data sets have their Cluedin Dataset in Purview.

Rows (kind `lineage`): `dataset|<dataSetId>` (the Cluedin Dataset, its columns and processes) and
`entity|/<EntityType>` (lineage's hold on a shared Cluedin Entity); docs/state.md has the layout. Polling reads
them only through `iter_synced_data_sets`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sync.core.state import StateStore
from sync.features.lineage.model import DATASET, split_key

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
