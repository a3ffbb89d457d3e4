"""What CluedIn's clients set on a mapping after creating it: edges, identifiers, origin, pre-process rules.

The Product Toolkit restores these on import (`addEdgeMapping`, `create/editAnnotationCode`,
`modifyBatchVocabularyClueMappingConfiguration`, `saveCustomOriginClueMappingConfiguration`,
`create/savePreProcessDataSetRule`), and processing honours them: annotation codes and properties marked
`useAsEntityCode` add entity codes (`/Type#<origin>:<value>`), edge mappings give golden records outgoing edges,
the custom origin becomes the origin of new entity codes. Pre-process rules are stored, not executed. Every
change is an `Updated` audit entry on the annotation, like the other mapping changes.
"""

from __future__ import annotations

from typing import Any

from emulators.cluedin.catalog import find_key, get_vocabulary_key
from emulators.cluedin.mapping import get_annotation
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, new_guid, parse_guid

DIRECTIONS = ("Outgoing", "Incoming")


def _changed(store: CluedInStore, annotation: dict[str, Any], author_id: str, details: dict[str, Any]) -> None:
    store.touch(annotation)
    store.audit("Annotation", annotation["id"], "Updated", author_id, name=annotation["name"], details=details)


# ---------------------------------------------------------------------- pre-process data set rules


def _transformations(value: object) -> dict[str, Any]:
    if value is None:
        return {"filters": [], "operations": []}
    if not isinstance(value, dict):
        raise EmulatorError("rule.transformations must be an object {filters, operations}")
    result = {}
    for part in ("filters", "operations"):
        items = value.get(part) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise EmulatorError(f"rule.transformations.{part} must be a list of objects")
        result[part] = [{k: v for k, v in i.items() if k != "__typename"} for i in items]
    return result


def create_pre_process_rule(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`createPreProcessDataSetRule(rule: {annotationId, displayName, transformations})`."""
    spec = spec or {}
    annotation = get_annotation(store, spec.get("annotationId"))
    name = str(spec.get("displayName") or "").strip()
    if not name:
        raise EmulatorError("rule.displayName is required")
    own = annotation.setdefault("preProcessRules", [])
    rule = store.stamp_new(
        {
            "id": new_guid(),
            "annotationId": annotation["id"],
            "displayName": name,
            "orderNumber": len(own) + 1,
            "isActive": True if spec.get("isActive") is None else bool(spec["isActive"]),
            "author": author_id,
            "lastModifiedBy": author_id,
            "transformations": _transformations(spec.get("transformations")),
        }
    )
    own.append(rule)
    _changed(store, annotation, author_id, {"preProcessRuleCreated": name})
    return rule


def save_pre_process_rule(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`savePreProcessDataSetRule(rule: {id, displayName, isActive, transformations})`."""
    spec = spec or {}
    wanted = parse_guid(spec.get("id"), "PreProcessDataSetRule")
    for annotation in store.annotations.values():
        rule: dict[str, Any] | None = next(
            (r for r in annotation.get("preProcessRules", []) if r["id"] == wanted), None
        )
        if rule is None:
            continue
        if spec.get("displayName") is not None:
            if not str(spec["displayName"]).strip():
                raise EmulatorError("rule.displayName must not be empty")
            rule["displayName"] = str(spec["displayName"]).strip()
        if spec.get("isActive") is not None:
            rule["isActive"] = bool(spec["isActive"])
        if spec.get("transformations") is not None:
            rule["transformations"] = _transformations(spec["transformations"])
        rule["lastModifiedBy"] = author_id
        store.touch(rule)
        _changed(store, annotation, author_id, {"preProcessRuleUpdated": rule["displayName"]})
        return rule
    raise NotFoundError("PreProcessDataSetRule", spec.get("id"))


# ---------------------------------------------------------------------- annotation codes (identifiers)

CODE_FIELDS = ("key", "vocabKey", "entityCodeOrigin", "sourceCode", "type")


def create_code(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`createAnnotationCode(annotationCode: {annotationId, vocabKey, entityCodeOrigin, key, type, sourceCode})`."""
    spec = spec or {}
    annotation = get_annotation(store, spec.get("annotationId"))
    if not spec.get("vocabKey") and not spec.get("key"):
        raise EmulatorError("annotationCode needs a vocabKey (or a key)")
    code = {"id": new_guid(), "annotationId": annotation["id"], **{f: spec.get(f) for f in CODE_FIELDS}}
    annotation.setdefault("codes", []).append(code)
    _changed(store, annotation, author_id, {"annotationCodeCreated": code["vocabKey"] or code["key"]})
    return code


def edit_code(store: CluedInStore, ident: object, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`editAnnotationCode(id, annotationCode)`: the Toolkit changes `entityCodeOrigin` and `sourceCode`."""
    wanted = parse_guid(ident, "AnnotationCode")
    for annotation in store.annotations.values():
        code: dict[str, Any] | None = next((c for c in annotation.get("codes", []) if c["id"] == wanted), None)
        if code is not None:
            code.update({f: v for f, v in (spec or {}).items() if f in CODE_FIELDS and v is not None})
            _changed(store, annotation, author_id, {"annotationCodeUpdated": code["vocabKey"] or code["key"]})
            return code
    raise NotFoundError("AnnotationCode", ident)


# ---------------------------------------------------------------------- edges, batch settings, origin


def add_edge(
    store: CluedInStore, annotation_id: object, key: str, spec: dict[str, Any] | None, author_id: str
) -> dict[str, Any]:
    """`addEdgeMapping(annotationId, key, edgeConfiguration)`: the column `key` points at another golden record."""
    annotation = get_annotation(store, annotation_id)
    spec = spec or {}
    if not str(key or "").strip():
        raise EmulatorError("key (the column the edge is read from) is required")
    edge_type = str(spec.get("edgeType") or "").strip()
    if not edge_type:
        raise EmulatorError("edgeConfiguration.edgeType is required")
    direction = str(spec.get("direction") or "Outgoing")
    if direction not in DIRECTIONS:
        raise EmulatorError(f"edgeConfiguration.direction must be one of {', '.join(DIRECTIONS)}")
    type_config = spec.get("entityTypeConfiguration") or {}
    edge_id = new_guid()
    edge = {
        "id": edge_id,
        "key": key,
        "edgeType": edge_type,
        "entityTypeConfiguration": {f: type_config.get(f) for f in ("icon", "displayName", "entityType")},
        "origin": spec.get("origin"),
        "dataSourceGroupId": spec.get("dataSourceGroupId"),
        "dataSourceId": spec.get("dataSourceId"),
        "dataSetId": spec.get("dataSetId"),
        "direction": direction,
        "edgeProperties": [_edge_property(store, p, edge_id) for p in spec.get("edgeProperties") or [] if p],
    }
    prop: dict[str, Any] | None = next((p for p in annotation["annotationProperties"] if p["key"] == key), None)
    if prop is None:
        prop = {"key": key, "vocabKey": None, "vocabularyKeyId": None, "useAsEntityCode": False, "useAsAlias": False,
                "useSourceCode": False, "entityCodeOrigin": None, "coreVocab": None, "type": "edge",
                "annotationEdges": [], "validations": [],
                "transformations": {"filters": [], "operations": []}}  # fmt: skip
        annotation["annotationProperties"].append(prop)
    prop["annotationEdges"].append(edge)
    _changed(store, annotation, author_id, {"edgeAdded": {"key": key, "edgeType": edge_type}})
    return edge


def _edge_property(store: CluedInStore, spec: dict[str, Any], edge_id: str) -> dict[str, Any]:
    config = spec.get("vocabularyKeyConfiguration") or {}
    key: dict[str, Any] | None
    if config.get("vocabularyKeyId"):
        key = get_vocabulary_key(store, config["vocabularyKeyId"])
    else:
        key = find_key(store, str(config.get("key") or config.get("vocabularyKeyName") or ""))
    if key is None:
        raise NotFoundError("VocabularyKey", config.get("key") or config.get("vocabularyKeyName"))
    return {"id": new_guid(), "annotationEdgeId": edge_id, "originalField": spec.get("originalField"),
            "vocabularyKeyId": key["vocabularyKeyId"], "vocabKey": key["key"]}  # fmt: skip


def batch_property_mappings(
    store: CluedInStore, annotation_id: object, spec: dict[str, Any] | None, author_id: str
) -> dict[str, Any]:
    """`modifyBatchVocabularyClueMappingConfiguration`: identifier settings per mapped vocabulary key.

    A setting naming a key the mapping does not use is an error **(guess: the service may ignore it)**.
    """
    annotation = get_annotation(store, annotation_id)
    settings = (spec or {}).get("propertyMappingSettings") or []
    by_key = {p["vocabKey"]: p for p in annotation["annotationProperties"] if p.get("vocabKey")}
    unknown = [s.get("vocabKey") for s in settings if s and s.get("vocabKey") not in by_key]
    if unknown:
        raise EmulatorError(f"the mapping has no property for vocabulary key(s): {', '.join(map(str, unknown))}")
    for setting in settings:
        if setting:
            prop = by_key[setting["vocabKey"]]
            prop.update({f: setting[f] for f in ("entityCodeOrigin", "useAsEntityCode", "useSourceCode")
                         if setting.get(f) is not None})  # fmt: skip
    _changed(store, annotation, author_id, {"propertyMappingSettings": len(settings)})
    return annotation


def save_custom_origin(
    store: CluedInStore, annotation_id: object, origin: str | None, author_id: str
) -> dict[str, Any]:
    """`saveCustomOriginClueMappingConfiguration(annotationId, customOrigin)`: the origin of new entity codes."""
    annotation = get_annotation(store, annotation_id)
    value = str(origin).strip() if origin else None
    if value != annotation.get("origin"):
        annotation["origin"] = value
        _changed(store, annotation, author_id, {"origin": value})
    return annotation


# ---------------------------------------------------------------------- what processing uses


def identifier_columns(annotation: dict[str, Any], columns: dict[str, str]) -> list[tuple[str, str | None]]:
    """(column, origin override) of every identifier: annotation codes and properties used as entity codes."""
    by_key = {key: column for column, key in columns.items()}
    found: list[tuple[str, str | None]] = []
    for code in annotation.get("codes", []):
        column = code.get("key") if code.get("key") in columns else by_key.get(code.get("vocabKey") or "")
        if column:
            found.append((column, code.get("entityCodeOrigin") or code.get("sourceCode")))
    for prop in annotation["annotationProperties"]:
        if prop.get("useAsEntityCode") and prop["key"] in columns:
            found.append((prop["key"], prop.get("entityCodeOrigin")))
    return found


def record_codes(
    identifiers: list[tuple[str, str | None]], record: dict[str, Any], entity_type: str, origin: str
) -> list[str]:
    """The extra entity codes one record gives its golden record."""
    return [
        f"{entity_type}#{override or origin}:{record[column]}"
        for column, override in identifiers
        if record.get(column) not in (None, "")
    ]


def edge_columns(annotation: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(column, edge mapping) pairs of an annotation."""
    return [(p["key"], e) for p in annotation["annotationProperties"] for e in p.get("annotationEdges") or []]


def record_edges(mappings: list[tuple[str, dict[str, Any]]], record: dict[str, Any]) -> list[dict[str, Any]]:
    """The edges one record gives its golden record (targets are resolved when read: see edges.py)."""
    edges = []
    for column, edge in mappings:
        value = record.get(column)
        if value in (None, ""):
            continue
        properties = {p["vocabKey"]: record.get(p["originalField"]) for p in edge["edgeProperties"]
                      if p.get("originalField") in record}  # fmt: skip
        edges.append({"edgeType": edge["edgeType"], "direction": edge["direction"],
                      "entityType": edge["entityTypeConfiguration"].get("entityType"),
                      "origin": edge.get("origin"), "value": str(value),
                      "properties": properties})  # fmt: skip
    return edges
