"""The Purview types of stream lineage (F8), declared as rows of the shared type table.

CluedIn shows a stream in Purview as a "Cluedin Stream Process" from the Cluedin Entity of each entity type it
exports to a "Cluedin Connector Entity" named by the export target's account display (reference cluedin.md §1.3;
the screenshots' "V1"/"V2" suffixes are environment labels and are left out). The type names follow the labels,
so the label is also what `cluedin_<label in snake case>` reads as.
"""

from __future__ import annotations

from sync.services.purview.typedefs import TYPES, Attribute, CluedInType

_ORGANIZATION = Attribute("organization", description="CluedIn organization that owns the object")
_COLUMN_MAPPING = Attribute(
    "columnMapping", description="Column-level lineage (JSON string, Purview's columnMapping format)"
)

STREAM_PROCESS_TYPE = CluedInType(
    "cluedin_stream_process",
    "Cluedin Stream Process",
    "process",
    (
        _ORGANIZATION,
        Attribute("streamId", description="CluedIn stream id"),
        Attribute("status", description="Stream status in CluedIn: New, Streaming, Paused or Stopped"),
        Attribute("mode", description="Stream mode: Synchronized stream or Event log stream"),
        Attribute("condition", description="The stream's filter (which golden records it exports)"),
        Attribute("exportTarget", description="Account display of the export target the stream writes to"),
        Attribute("exportTargetId", description="CluedIn export target (connector configuration) id"),
        Attribute("containerName", description="Table, container or topic the stream writes to"),
        Attribute("entityTypes", description="Entity types found by previewing the stream's condition"),
        Attribute("lastReprocessedAt", "date", "When the stream was last reprocessed in CluedIn"),
        _COLUMN_MAPPING,
    ),
)
CONNECTOR_ENTITY_TYPE = CluedInType(
    "cluedin_connector_entity",
    "Cluedin Connector Entity",
    "asset",
    (
        _ORGANIZATION,
        Attribute("exportTargetId", description="CluedIn export target (connector configuration) id"),
        Attribute("connector", description="The export target's connector, e.g. Sql Server Connector"),
        Attribute("active", "boolean", description="Whether the export target is active in CluedIn"),
    ),
    columns_parent_attribute="exportTarget",
)
STREAM_TYPES: tuple[CluedInType, ...] = (*TYPES, CONNECTOR_ENTITY_TYPE, STREAM_PROCESS_TYPE)
"""What stream lineage registers: the shared types (columns, Cluedin Entity) and its own."""
