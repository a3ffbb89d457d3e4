"""The lineage snapshot as a stream: desired records derived a chunk of data sets at a time, in storage order.

The engine pairs this stream with the lineage state rows read in the same order (`sync/core/diff.py`
`merge_ordered`) and `plan.plan_lineage_ordered` turns the pairs into changes as they come, so a cycle never
holds every data set's records, nor every state row (docs/decisions/0903-bounded-memory-planning.md).

What is held for the whole cycle: every current data set's facts and every linked asset, packed (a few hundred
bytes each, `sync/core/packed.py`), the entity types' keys (one pass over the facts first: the backbone sorts
before every data set and lists every mapped key), and the data set ids in order. What is held for one chunk:
`chunk` data sets' facts and records. The records are those `model.desired_rows` derives, grouped by
`model.group_records` and offloaded as `payloads.offload` would (the equivalence tests compare both).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Mapping
from typing import Any

from sync.core.diff import storage_order
from sync.core.packed import PackedMap
from sync.core.state import StateStore
from sync.features.datasources.api import LinkedAsset, iter_linked_assets
from sync.features.lineage.model import DATASET, AssetLink, Context, EntityKeys, data_set_rows, group_records, row_key
from sync.features.lineage.payloads import Offloader
from sync.services.cluedin.datasets import DataSetFacts

PLAN_CHUNK = 500
"""Data sets whose records are derived at once (and the window the planner reorders by entity type)."""

Record = dict[str, dict[str, Any]]


def asset_link(link: LinkedAsset) -> AssetLink:
    """The lineage model's view of an asset published by "Sync data sources" (or "Sync data products")."""
    return AssetLink(type_name=link.type_name, qualified_name=link.qualified_name, name=link.name, columns=link.columns)


def _link_document(link: AssetLink) -> list[Any]:
    return [link.type_name, link.qualified_name, link.name, [list(c) for c in link.columns]]


def _link_from(document: list[Any]) -> AssetLink:
    type_name, qualified_name, name, columns = document
    return AssetLink(type_name, qualified_name, name, tuple((str(n), str(t)) for n, t in columns))


def packed_links(products: Mapping[str, LinkedAsset], state: StateStore) -> PackedMap[AssetLink]:
    """CluedIn data source id → the asset it came from: data products' assets, then F1's (which win), packed."""
    links: PackedMap[AssetLink] = PackedMap(_link_document, _link_from)
    for source_id, link in products.items():
        links.put(source_id, asset_link(link))
    for link in iter_linked_assets(state):
        links.put(link.data_source_id, asset_link(link))
    return links


class OrderedRecords:
    """(owner row key, its records) of every lineage row that should exist, in storage order, derived lazily."""

    def __init__(
        self,
        facts: Mapping[str, DataSetFacts],
        links: Mapping[str, AssetLink],
        context: Context,
        offloader: Offloader,
        *,
        chunk: int = PLAN_CHUNK,
    ) -> None:
        self.facts, self.links, self.context, self.offloader = facts, links, context, offloader
        self.chunk = max(1, chunk)

    def __iter__(self) -> Iterator[tuple[str, Record]]:
        keys = EntityKeys()
        for ident in sorted(self.facts):  # id order, as desired_rows gathers them
            keys.add(self.facts[ident])
        shared = group_records(keys.rows(self.context))
        del keys
        shared_rows = ((key, self.offloader.offload(shared[key])) for key in sorted(shared, key=storage_order))
        return heapq.merge(self._data_sets(), shared_rows, key=lambda pair: storage_order(pair[0]))

    def _data_sets(self) -> Iterator[tuple[str, Record]]:
        ids = sorted(self.facts, key=lambda ident: storage_order(row_key(DATASET, ident)))
        for start in range(0, len(ids), self.chunk):
            rows: dict[str, dict[str, Any]] = {}
            for ident in ids[start : start + self.chunk]:
                facts = self.facts[ident]
                rows.update(data_set_rows(facts, self.links.get(facts.data_source_id), self.context))
            grouped = group_records(rows)
            del rows
            for key in sorted(grouped, key=storage_order):
                yield key, self.offloader.offload(grouped.pop(key))
