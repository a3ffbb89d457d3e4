"""What stream lineage publishes to other features: the node-record toolkit crawler/enricher lineage builds on.

Both features describe Purview the same way (`records.py`): desired records keyed `<kind>|<id>`, each owning one
main entity and its columns, plus `entity|<EntityType>` holds on the shared Cluedin Entity, written by lineage's
`RecordWriter` per message; `NodeRecordFeature` (`record_feature.py`) is what both features do alike besides
their records. State rows of kind `streams` are this feature's own; nothing else reads them.
"""

from __future__ import annotations

from sync.features.streams.nodes import column_mappings, epoch_millis
from sync.features.streams.record_feature import NodeRecordFeature, target_collection
from sync.features.streams.records import (
    ENTITY,
    RecordKind,
    entity_record,
    fit,
    record_key,
    split_key,
)

__all__ = [
    "ENTITY",
    "NodeRecordFeature",
    "RecordKind",
    "column_mappings",
    "entity_record",
    "epoch_millis",
    "fit",
    "record_key",
    "split_key",
    "target_collection",
]
