"""Mappings: a data set's annotation (entity type, origin code, vocabulary) and its field mappings.

CluedIn keeps "which column maps to which vocabulary key" in two places a client reads separately: the data
set's `fieldMappings` (`originalField` -> vocabulary key or `--ignore--`) and the annotation's
`annotationProperties` (`key` = column, `vocabKey` = vocabulary key). Every change here updates both, bumps the
data set's and annotation's `updatedAt`, and writes an audit entry for the annotation.
"""

from __future__ import annotations

import re
from typing import Any

from emulators.cluedin.catalog import (
    create_vocabulary,
    create_vocabulary_key,
    ensure_entity_type,
    find_key,
    get_vocabulary,
    get_vocabulary_key,
    keys_of,
)
from emulators.cluedin.inbound import get_data_set
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, new_guid, parse_guid, parse_int_id

IGNORE = "--ignore--"
AUTO_GENERATED = "--auto-generated--"
ANNOTATION_FIELDS = (
    "originEntityCodeKey", "nameKey", "descriptionKey", "origin", "createdDateMap", "modifiedDateMap", "cultureKey",
    "versionKey", "useDefaultSourceCode", "useStrictEdgeCode", "beforeCreatingClue", "beforeSendingClue",
    "isDynamicVocab", "previewImageKey", "entityType",
)  # fmt: skip


def create_annotation(
    store: CluedInStore,
    data_set_id: object,
    annotation_type: str,
    configuration: dict[str, Any] | None,
    author_id: str,
    *,
    is_dynamic_vocab: bool | None = None,
    auto: bool,
    only_fields: list[str] | None = None,
) -> dict[str, Any]:
    """`createAutoAnnotation` / `createManualAnnotation` / `createPartialAutoAnnotation`.

    Auto mapping maps every received column (or `only_fields`) to a key `<keyPrefix>.<column>` of the chosen
    vocabulary, creating missing keys as Text; manual mapping creates the annotation with no column mapped.
    """
    data_set = get_data_set(store, data_set_id)
    if data_set["annotationId"] is not None and data_set["annotationId"] in store.annotations:
        raise EmulatorError(f"data set {data_set['id']} already has a mapping (annotation {data_set['annotationId']})")
    configuration = configuration or {}
    type_config = configuration.get("entityTypeConfiguration") or {}
    entity_type = type_config.get("entityType") or data_set.get("entityType")
    if not entity_type:
        raise EmulatorError("mappingConfiguration.entityTypeConfiguration.entityType is required")
    ensure_entity_type(store, str(entity_type), type_config.get("displayName"), type_config.get("icon"), author_id)
    vocabulary = _vocabulary_for(store, configuration.get("vocabularyConfiguration") or {}, type_config, author_id)
    if auto and vocabulary is None:
        raise EmulatorError("auto mapping needs a vocabulary (vocabularyConfiguration)")
    annotation = new_annotation(
        store,
        name=f"{data_set['name']} - mapping",
        annotation_type=annotation_type,
        entity_type=str(entity_type),
        type_config=type_config,
        vocabulary_id=vocabulary["vocabularyId"] if vocabulary else None,
        author_id=author_id,
        data_set_id=data_set["id"],
    )
    annotation["isDynamicVocab"] = bool(is_dynamic_vocab)
    ident = annotation["id"]
    data_set["annotationId"] = ident
    data_set["entityType"] = annotation["entityType"]
    if auto and vocabulary is not None:
        ignored = set(configuration.get("ignoredFields") or [])
        for field in only_fields if only_fields is not None else data_set["originalFields"]:
            if field in ignored:
                _set_mapping(data_set, annotation, field, IGNORE, None)
            else:
                key = _ensure_key(store, vocabulary, field, author_id)
                _set_mapping(data_set, annotation, field, key["key"], key["vocabularyKeyId"])
    store.touch(data_set)
    store.audit(
        "Annotation", ident, "Created", author_id, name=annotation["name"], details={"dataSetId": data_set["id"]}
    )
    return annotation


def new_annotation(
    store: CluedInStore,
    *,
    name: str,
    annotation_type: str,
    entity_type: str,
    type_config: dict[str, Any],
    vocabulary_id: str | None,
    author_id: str,
    data_set_id: str | None,
) -> dict[str, Any]:
    """A new, empty annotation (int id) for a data set or a manual-data-entry project; callers audit it."""
    ident = store.next_int_id("annotation")
    annotation = store.stamp_new(
        {
            "id": ident,
            "name": name,
            "type": annotation_type,
            "entityType": entity_type,
            "entityTypeConfiguration": {
                "icon": type_config.get("icon"),
                "displayName": type_config.get("displayName") or entity_type.rsplit("/", 1)[-1],
                "entityType": entity_type,
            },
            "vocabularyId": vocabulary_id,
            "isDynamicVocab": False,
            "annotationProperties": [],
            "authorId": author_id,
            "dataSetId": data_set_id,
            "preProcessRules": [],
            "codes": [],
        }
    )
    for field in ANNOTATION_FIELDS:
        annotation.setdefault(field, None)
    annotation["useDefaultSourceCode"] = False
    annotation["useStrictEdgeCode"] = False
    store.annotations[ident] = annotation
    return annotation


def _vocabulary_for(
    store: CluedInStore, config: dict[str, Any], type_config: dict[str, Any], author_id: str
) -> dict[str, Any] | None:
    if config.get("new"):
        return create_vocabulary(
            store,
            {
                "vocabularyName": config.get("vocabularyName"),
                "keyPrefix": config.get("keyPrefix"),
                "entityTypeConfiguration": {**type_config, "new": False},
            },
            author_id,
        )
    if config.get("vocabularyId"):
        return get_vocabulary(store, config["vocabularyId"])
    return None


def column_key_name(column: str) -> str:
    """The vocabulary key name auto mapping derives from a column name."""
    return re.sub(r"[^A-Za-z0-9_\-]", "", column.replace(" ", "_").replace(".", "_")) or "field"


def _ensure_key(store: CluedInStore, vocabulary: dict[str, Any], column: str, author_id: str) -> dict[str, Any]:
    name = column_key_name(column)
    existing = next((k for k in keys_of(store, vocabulary["vocabularyId"]) if k["name"].lower() == name.lower()), None)
    if existing is not None:
        return existing
    return create_vocabulary_key(
        store, {"vocabularyId": vocabulary["vocabularyId"], "name": name, "displayName": column}, author_id
    )


def _set_mapping(
    data_set: dict[str, Any],
    annotation: dict[str, Any] | None,
    column: str,
    key: str,
    key_id: str | None,
    *,
    use_as_entity_code: bool = False,
    use_as_alias: bool = False,
) -> None:
    mappings = [m for m in data_set["fieldMappings"] if m["originalField"] != column]
    previous = next((m for m in data_set["fieldMappings"] if m["originalField"] == column), None)
    mappings.append(
        {
            "id": previous["id"] if previous else new_guid(),
            "originalField": column,
            "key": key,
            "columnType": "string",
            "columnSubType": None,
        }
    )
    data_set["fieldMappings"] = mappings
    if annotation is None:
        return
    kept = next((p for p in annotation["annotationProperties"] if p["key"] == column), None)
    props = [p for p in annotation["annotationProperties"] if p["key"] != column]
    edges = kept["annotationEdges"] if kept else []
    if kept is not None and key == IGNORE and edges:
        props.append({**kept, "vocabKey": None, "vocabularyKeyId": None, "type": "edge"})
    if key != IGNORE:
        props.append(
            {
                "key": column,
                "vocabKey": key,
                "vocabularyKeyId": key_id,
                "useAsEntityCode": use_as_entity_code,
                "useAsAlias": use_as_alias,
                "useSourceCode": False,
                "entityCodeOrigin": None,
                "coreVocab": None,
                "type": "vocabularyKey",
                "annotationEdges": edges,
                "validations": [],
                "transformations": {"filters": [], "operations": []},
            }
        )
    annotation["annotationProperties"] = props
    if use_as_entity_code and not annotation.get("originEntityCodeKey"):
        annotation["originEntityCodeKey"] = key


def annotation_of(store: CluedInStore, data_set: dict[str, Any]) -> dict[str, Any]:
    """The data set's annotation, or an error saying it has no mapping yet."""
    annotation = store.annotations.get(data_set["annotationId"]) if data_set["annotationId"] is not None else None
    if annotation is None:
        raise EmulatorError(f"data set {data_set['id']} has no mapping yet")
    return annotation


def map_property(
    store: CluedInStore, data_set_id: object, config: dict[str, Any] | None, author_id: str
) -> dict[str, Any]:
    """`addPropertyMappingToCluedMappingConfiguration` / `updatePropertyMappingInClueMappingConfig`."""
    data_set = get_data_set(store, data_set_id)
    annotation = annotation_of(store, data_set)
    config = config or {}
    column = config.get("originalField")
    if not column:
        raise EmulatorError("propertyMappingConfiguration.originalField is required")
    key_config = config.get("vocabularyKeyConfiguration") or {}
    if key_config.get("new"):
        vocabulary = get_vocabulary(store, key_config.get("vocabularyId") or annotation.get("vocabularyId"))
        key = create_vocabulary_key(
            store,
            {
                "vocabularyId": vocabulary["vocabularyId"],
                "name": key_config.get("name") or column_key_name(str(column)),
                "displayName": key_config.get("displayName") or column,
                "dataType": key_config.get("dataType"),
                "groupName": key_config.get("groupName"),
            },
            author_id,
        )
    elif key_config.get("vocabularyKeyId"):
        key = get_vocabulary_key(store, key_config["vocabularyKeyId"])
    else:
        raise EmulatorError("vocabularyKeyConfiguration needs vocabularyKeyId (or new: true)")
    _set_mapping(
        data_set,
        annotation,
        str(column),
        key["key"],
        key["vocabularyKeyId"],
        use_as_entity_code=bool(config.get("useAsEntityCode")),
        use_as_alias=bool(config.get("useAsAlias")),
    )
    _changed(store, data_set, annotation, author_id, {"originalField": column, "key": key["key"]})
    return annotation


def set_field_mappings(
    store: CluedInStore, data_set_id: object, mappings: list[dict[str, Any] | None] | None, author_id: str
) -> bool:
    """`addAnnotationMappingToDataSet` / `updateAnnotationMappingInDataSet`: column -> key or `--ignore--`."""
    data_set = get_data_set(store, data_set_id)
    annotation = store.annotations.get(data_set["annotationId"]) if data_set["annotationId"] is not None else None
    changed = []
    for item in mappings or []:
        if not item or not item.get("originalField"):
            raise EmulatorError("each field mapping needs an originalField")
        key = str(item.get("key") or IGNORE)
        key_id = None
        if key != IGNORE:
            found = find_key(store, key)
            if found is None:
                raise NotFoundError("VocabularyKey", key)
            key_id = found["vocabularyKeyId"]
        _set_mapping(data_set, annotation, str(item["originalField"]), key, key_id)
        changed.append({"originalField": item["originalField"], "key": key})
    if changed:
        _changed(store, data_set, annotation, author_id, {"fieldMappings": changed})
    return True


def delete_field_mapping(store: CluedInStore, data_set_id: object, property_id: object, author_id: str) -> bool:
    """`deleteAnnotationMappingInDataSet`: drop one field mapping by its id."""
    data_set = get_data_set(store, data_set_id)
    wanted = parse_guid(property_id, "FieldMapping")
    mapping = next((m for m in data_set["fieldMappings"] if m["id"] == wanted), None)
    if mapping is None:
        raise NotFoundError("FieldMapping", property_id)
    data_set["fieldMappings"] = [m for m in data_set["fieldMappings"] if m is not mapping]
    annotation = store.annotations.get(data_set["annotationId"]) if data_set["annotationId"] is not None else None
    if annotation is not None:
        annotation["annotationProperties"] = [
            p for p in annotation["annotationProperties"] if p["key"] != mapping["originalField"]
        ]
    _changed(store, data_set, annotation, author_id, {"removed": mapping["originalField"]})
    return True


def get_annotation(store: CluedInStore, ident: object) -> dict[str, Any]:
    """An annotation by int id, or NotFoundError."""
    annotation = store.annotations.get(parse_int_id(ident, "Annotation"))
    if annotation is None:
        raise NotFoundError("Annotation", ident)
    return annotation


def modify_annotation(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`modifyAnnotation`: origin code key, name key, and the other annotation-level settings."""
    spec = spec or {}
    annotation = get_annotation(store, spec.get("id"))
    changes = {f: spec[f] for f in ANNOTATION_FIELDS if f in spec and spec[f] != annotation.get(f)}
    if changes:
        annotation.update(changes)
        data_set = store.data_sets.get(annotation.get("dataSetId") or "")
        _changed(store, data_set, annotation, author_id, changes)
    return annotation


def _changed(
    store: CluedInStore,
    data_set: dict[str, Any] | None,
    annotation: dict[str, Any] | None,
    author_id: str,
    details: dict[str, Any],
) -> None:
    if data_set is not None:
        store.touch(data_set)
    if annotation is not None:
        store.touch(annotation)
        store.audit("Annotation", annotation["id"], "Updated", author_id, name=annotation["name"], details=details)
    elif data_set is not None:
        store.audit("DataSet", data_set["id"], "Updated", author_id, name=data_set["name"], details=details)
