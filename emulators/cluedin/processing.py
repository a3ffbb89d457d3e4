"""Receiving records into a data set and processing them into golden records.

Ingestion stores records in the data set's temporary storage, learns `originalFields` from the keys it sees and
counts `stats`. Processing (automatic when the data set's auto-submit is on and it has a mapping, otherwise on
`commitDataSet` or the `/_emulator/` process action) turns waiting records into golden records: entity type from
the annotation, properties named by the mapped vocabulary keys, origin code from the origin-code column.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from emulators.cluedin import history
from emulators.cluedin import mapping_extras as extras
from emulators.cluedin.golden import as_text, upsert_entity
from emulators.cluedin.inbound import get_data_set
from emulators.cluedin.mapping import AUTO_GENERATED, IGNORE, annotation_of
from emulators.cluedin.store import OBJECT_TYPE_IDS, CluedInStore
from emulators.cluedin.util import EmulatorError, new_guid

MAX_COLUMNS = 490


@dataclass
class IngestResult:
    """What a POST to the ingestion endpoint produced: warnings about fixed column names, the receipt."""

    received: int
    receipt_id: str
    warnings: list[dict[str, Any]] = field(default_factory=list)


def ingest_records(
    store: CluedInStore, data_set_id: object, records: list[dict[str, Any]], byte_count: int, author_id: str
) -> IngestResult:
    """Store records in a data set (fixing column names with spaces or dots) and count them.

    Raises EmulatorError (status 400) when the records would give the data set more than 490 columns.
    """
    data_set = get_data_set(store, data_set_id)
    receipt = new_guid()
    renames, warnings = _column_fixes(records, data_set["id"], receipt)
    if renames:
        records = [{renames.get(k, k): v for k, v in r.items()} for r in records]
    known = data_set["originalFields"]
    seen = set(known)
    new_fields: list[str] = []
    for record in records:
        for key in record:
            if key not in seen:
                seen.add(key)
                new_fields.append(key)
    if len(seen) > MAX_COLUMNS:
        raise EmulatorError(
            f"too many columns: the data set would have {len(seen)} columns, the maximum is {MAX_COLUMNS}",
            code="too-many-columns",
        )
    if new_fields:
        known.extend(new_fields)
    for original, fixed in renames.items():
        if not any(k["original"] == original for k in data_set["invalidKeys"]):
            data_set["invalidKeys"].append({"key": fixed, "original": original, "generatedName": fixed})
    stats = data_set["stats"]
    stats["total"] += len(records)
    stats["successful"] += len(records)
    stats["bytes"] += byte_count
    data_set["currentLoadedSize"] = stats["total"]
    data_set["expectedTotal"] = stats["total"]
    data_set["fileSize"] = stats["bytes"]
    data_set["hasReceivedData"] = True
    data_set["lastReceivedAt"] = store.clock.iso()
    data_set["hasParsingWarnings"] = data_set["hasParsingWarnings"] or bool(warnings)
    if data_set["store"] and not data_set["isBridge"]:
        store.records.setdefault(data_set["id"], []).extend(records)
    store.version += 1
    if (data_set["autoSubmit"] or data_set["isBridge"]) and data_set["annotationId"] is not None:
        if data_set["isBridge"] or not data_set["store"]:
            _process(store, data_set, records, author_id)
        else:
            process_data_set(store, data_set["id"], author_id)
    return IngestResult(received=len(records), receipt_id=receipt, warnings=warnings)


def _column_fixes(
    records: list[dict[str, Any]], data_set_id: str, receipt: str
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    renames: dict[str, str] = {}
    warnings: list[dict[str, Any]] = []
    checked: set[str] = set()
    for row, record in enumerate(records):
        for key in record:
            if key in checked:
                continue
            checked.add(key)
            if " " not in key and "." not in key:
                continue
            fixed = key.replace(" ", "_").replace(".", "_")
            renames[key] = fixed
            problem = "space" if " " in key else "dot"
            warnings.append(
                {
                    "rowIndex": str(row),
                    "property": key,
                    "dataSetId": data_set_id.upper(),
                    "exception": "",
                    "domain": "storing",
                    "messageId": f"{problem}-in-property",
                    "level": "warning",
                    "errorMessage": (
                        f"{'Spaces' if problem == 'space' else 'Dots'} found in {key} and is not allowed. "
                        f"Column has been replaced with a value without {'spaces' if problem == 'space' else 'dots'}"
                    ),
                    "receiptId": receipt,
                }
            )
    return renames, warnings


def process_data_set(store: CluedInStore, data_set_id: object, author_id: str) -> dict[str, Any]:
    """Process a data set's waiting records into golden records; answers the submission it recorded."""
    data_set = get_data_set(store, data_set_id)
    annotation_of(store, data_set)
    records = store.records.get(data_set["id"], [])
    pending = records[data_set["processedCount"] :]
    submission = _process(store, data_set, pending, author_id)
    data_set["processedCount"] = len(records)
    return submission


def _process(
    store: CluedInStore, data_set: dict[str, Any], records: list[dict[str, Any]], author_id: str
) -> dict[str, Any]:
    annotation = annotation_of(store, data_set)
    source = store.data_sources[data_set["dataSourceId"]]
    provider_id = source["connectorConfigurationId"]
    columns = {m["originalField"]: m["key"] for m in data_set["fieldMappings"] if m["key"] and m["key"] != IGNORE}
    origin_column = _column_for(annotation.get("originEntityCodeKey"), columns)
    name_column = _column_for(annotation.get("nameKey"), columns)
    entity_type = str(annotation["entityType"])
    user = store.users.get(author_id) or {}
    origin = history.source(
        provider_id, source["name"], display_name=data_set["name"], object_id=data_set["id"],
        object_type_id=OBJECT_TYPE_IDS["DataSet"], changed_by=str(user.get("username") or ""),
    )  # fmt: skip
    identifiers = extras.identifier_columns(annotation, columns)
    edge_mappings = extras.edge_columns(annotation)
    origin_name = annotation.get("origin") or default_origin(data_set["name"])
    now = store.clock.iso()
    failed = 0
    for record in records:
        code_value = record.get(origin_column) if origin_column else None
        if origin_column and code_value in (None, ""):
            failed += 1
            continue
        code = str(code_value) if origin_column else _record_hash(record)
        properties = {key: as_text(record[column]) for column, key in columns.items() if column in record}
        name = record.get(name_column) if name_column else None
        upsert_entity(
            store,
            entity_type=entity_type,
            provider_id=provider_id,
            code=code,
            name=as_text(name) if name not in (None, "") else None,
            properties=properties,
            data_set_id=data_set["id"],
            now=now,
            origin=origin,
            origin_name=origin_name,
            codes=extras.record_codes(identifiers, record, entity_type, origin_name),
            edges=extras.record_edges(edge_mappings, record) if edge_mappings else None,
        )
    submission = store.stamp_new(
        {
            "id": new_guid(),
            "dataSetId": data_set["id"],
            "annotationId": annotation["id"],
            "total": len(records),
            "expectedTotal": len(records),
            "success": len(records) - failed,
            "failed": failed,
            "status": "Completed",
            "quarantine": 0,
            "cleanProjectId": None,
            "authorId": author_id,
        }
    )
    store.submissions[submission["id"]] = submission
    data_set["hasSubmissions"] = True
    data_set["elasticTotal"] = sum(1 for e in store.entities.values() if data_set["id"] in e["dataSetIds"])
    return submission


def default_origin(data_set_name: str) -> str:
    """The origin of a data set's entity codes when the mapping sets none: its name without punctuation.

    CluedIn's clue sample shows data set `customers_smallcopy.csv` giving `/Customer#customers_smallcopycsv:1`.
    """
    return re.sub(r"[^A-Za-z0-9_]", "", data_set_name) or "dataset"


def _column_for(vocab_key: object, columns: dict[str, str]) -> str | None:
    if not vocab_key or vocab_key == AUTO_GENERATED:
        return None
    for column, key in columns.items():
        if key == vocab_key:
            return column
    return str(vocab_key)


def _record_hash(record: dict[str, Any]) -> str:
    digest = hashlib.sha1(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()  # noqa: S324
    return f"CluedIn(hash-sha1):{digest}"
