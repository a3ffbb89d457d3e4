"""Vocabularies, vocabulary keys, entity types (business domains) and the glossary (`management` namespace).

A vocabulary key's full name (`<keyPrefix>.<name>`) is what mappings, golden-record properties and streams
refer to, so key creation validates names and data types the way the product's UI does, and entity types are
created on demand when a data set or vocabulary asks for a new one.
"""

from __future__ import annotations

import json
import re
from typing import Any

from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, matches_search, new_guid, parse_guid

DATA_TYPES = (
    "Text", "DateTime", "Time", "Duration", "Boolean", "Integer", "Number", "Uri", "Guid", "Email", "PhoneNumber",
    "TimeZone", "GeographyCity", "GeographyState", "GeographyCountry", "GeographyCoordinates", "GeographyLocation",
    "Json", "Xml", "Html", "IPAddress", "Color", "Money", "Currency", "PersonName", "OrganizationName",
    "Identifier", "Lookup",
)  # fmt: skip
STORAGE_KINDS = ("Keyword", "Typed", "Untyped")
VOCABULARY_FIELDS = ("vocabularyName", "keyPrefix", "description", "providerId", "grouping")
KEY_FIELDS = (
    "displayName", "groupName", "dataType", "storage", "description", "isVisible", "glossaryTermId",
    "dataClassificationCode", "mapsToOtherKeyId", "isValueChangeInsignificant", "isObsolete",
    "dataAnnotationsIsPrimaryKey", "dataAnnotationsIsEditable", "dataAnnotationsIsNullable",
    "dataAnnotationsIsRequired", "dataAnnotationsMinimumLength", "dataAnnotationsMaximumLength",
)  # fmt: skip
_KEY_NAME = re.compile(r"^[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*$")


# ---------------------------------------------------------------------- entity types


def ensure_entity_type(
    store: CluedInStore, entity_type: str, display_name: str | None, icon: str | None, author_id: str
) -> dict[str, Any]:
    """The entity type configuration for `entity_type`, created if it does not exist yet."""
    existing = find_entity_type(store, entity_type)
    if existing is not None:
        return existing
    return create_entity_type(store, {"type": entity_type, "displayName": display_name, "icon": icon}, author_id)


def find_entity_type(store: CluedInStore, entity_type: str) -> dict[str, Any] | None:
    """An entity type configuration by its type code (`/Customer`), case-insensitively."""
    wanted = entity_type.lower()
    return next((t for t in store.entity_types.values() if str(t["entityType"]).lower() == wanted), None)


def create_entity_type(store: CluedInStore, spec: dict[str, Any], author_id: str) -> dict[str, Any]:
    """`createEntityTypeConfigurationV2`: the argument is a JSON string, parsed here."""
    code = str(spec.get("type") or spec.get("entityType") or "").strip()
    if not code.startswith("/") or len(code) < 2:
        raise EmulatorError(f"entity type must start with '/', got {code!r}")
    if find_entity_type(store, code) is not None:
        raise EmulatorError(f"entity type {code} already exists")
    display = str(spec.get("displayName") or code.rsplit("/", 1)[-1])
    route = str(spec.get("route") or display.lower().replace(" ", ""))
    ident = new_guid()
    record = store.stamp_new(
        {
            "id": ident,
            "entityType": code,
            "type": code,
            "displayName": display,
            "icon": spec.get("icon") or "Circle",
            "route": route,
            "path": f"/{route}",
            "active": bool(spec.get("active", True)),
            "pageTemplateId": spec.get("pageTemplateId") or None,
            "pageTemplate": None,
            "layoutConfiguration": None,
            "template": None,
            "source": "CluedIn",
            "authorId": author_id,
        }
    )
    store.entity_types[ident] = record
    store.audit("EntityType", ident, "Created", author_id, name=code)
    return record


def parse_entity_type_argument(raw: str) -> dict[str, Any]:
    """The JSON-string argument of `createEntityTypeConfigurationV2`."""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise EmulatorError(f"entityTypeConfiguration is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise EmulatorError("entityTypeConfiguration must be a JSON object")
    return value


# ---------------------------------------------------------------------- vocabularies


def create_vocabulary(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`createVocabulary`: name and key prefix must be unique; a new entity type may be created with it."""
    spec = spec or {}
    name = str(spec.get("vocabularyName") or "").strip()
    if not name:
        raise EmulatorError("vocabulary.vocabularyName is required")
    prefix = str(spec.get("keyPrefix") or re.sub(r"[^A-Za-z0-9_.]", "", name).lower())
    _check_prefix(store, prefix, None)
    type_config = _entity_type_config(store, spec.get("entityTypeConfiguration"), author_id)
    ident = new_guid()
    vocabulary = store.stamp_new(
        {
            "vocabularyId": ident,
            "vocabularyName": name,
            "keyPrefix": prefix,
            "isCluedInCore": False,
            "isDynamic": False,
            "isProvider": False,
            "isActive": True,
            "grouping": type_config.get("entityType") if type_config else spec.get("grouping"),
            "entityTypeConfiguration": type_config,
            "providerId": spec.get("providerId") or None,
            "description": spec.get("description") or "",
            "connectorId": None,
            "authorId": author_id,
            "ownerIds": [author_id],
        }
    )
    store.vocabularies[ident] = vocabulary
    store.audit("Vocabulary", ident, "Created", author_id, name=name)
    return vocabulary


def _check_prefix(store: CluedInStore, prefix: str, own_id: str | None) -> None:
    if not _KEY_NAME.match(prefix):
        raise EmulatorError(f"invalid key prefix {prefix!r}")
    for other in store.vocabularies.values():
        if other["vocabularyId"] != own_id and str(other["keyPrefix"]).lower() == prefix.lower():
            raise EmulatorError(f"a vocabulary with key prefix '{prefix}' already exists")


def _entity_type_config(store: CluedInStore, config: object, author_id: str) -> dict[str, Any] | None:
    if not isinstance(config, dict) or not config.get("entityType"):
        return None
    code = str(config["entityType"])
    if config.get("new"):
        ensure_entity_type(store, code, config.get("displayName"), config.get("icon"), author_id)
    return {"icon": config.get("icon"), "entityType": code, "displayName": config.get("displayName")}


def get_vocabulary(store: CluedInStore, ident: object) -> dict[str, Any]:
    """A vocabulary by GUID, or NotFoundError."""
    vocabulary = store.vocabularies.get(parse_guid(ident, "Vocabulary"))
    if vocabulary is None:
        raise NotFoundError("Vocabulary", ident)
    return vocabulary


def save_vocabulary(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`saveVocabulary`: update name, prefix, description, entity type of an existing vocabulary."""
    spec = spec or {}
    vocabulary = get_vocabulary(store, spec.get("vocabularyId"))
    changes = {f: spec[f] for f in VOCABULARY_FIELDS if spec.get(f) is not None and spec[f] != vocabulary.get(f)}
    if "keyPrefix" in changes:
        _check_prefix(store, str(changes["keyPrefix"]), vocabulary["vocabularyId"])
    type_config = _entity_type_config(store, spec.get("entityTypeConfiguration"), author_id)
    if type_config and type_config != vocabulary.get("entityTypeConfiguration"):
        changes["entityTypeConfiguration"] = type_config
        changes["grouping"] = type_config["entityType"]
    if changes:
        vocabulary.update(changes)
        if "keyPrefix" in changes:
            for key in keys_of(store, vocabulary["vocabularyId"]):
                key["key"] = f"{vocabulary['keyPrefix']}.{key['name']}"
        store.touch(vocabulary)
        store.audit("Vocabulary", vocabulary["vocabularyId"], "Updated", author_id, name=vocabulary["vocabularyName"])
    return vocabulary


def activate_vocabulary(store: CluedInStore, ident: object, author_id: str) -> dict[str, Any]:
    """`activateVocabulary`."""
    vocabulary = get_vocabulary(store, ident)
    if not vocabulary["isActive"]:
        vocabulary["isActive"] = True
        store.touch(vocabulary)
        store.audit("Vocabulary", vocabulary["vocabularyId"], "Updated", author_id, details={"isActive": True})
    return vocabulary


def find_vocabulary(store: CluedInStore, name_or_prefix: str) -> dict[str, Any] | None:
    """A vocabulary by exact name or key prefix."""
    return next(
        (v for v in store.vocabularies.values() if name_or_prefix in (v["vocabularyName"], v["keyPrefix"])), None
    )


def vocabulary_in_use(store: CluedInStore, vocabulary_id: str) -> bool:
    """Whether any mapping uses one of the vocabulary's keys (`filterIsUsed`, `isUsed`)."""
    keys = {k["key"] for k in keys_of(store, vocabulary_id)}
    return any(m.get("key") in keys for ds in store.data_sets.values() for m in ds["fieldMappings"])


# ---------------------------------------------------------------------- vocabulary keys


def keys_of(store: CluedInStore, vocabulary_id: str) -> list[dict[str, Any]]:
    """Keys of one vocabulary, in creation order."""
    return [k for k in store.vocabulary_keys.values() if k["vocabularyId"] == vocabulary_id]


def create_vocabulary_key(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`createVocabularyKey`: name unique within its vocabulary; data type and storage from CluedIn's lists."""
    spec = spec or {}
    vocabulary = get_vocabulary(store, spec.get("vocabularyId"))
    name = str(spec.get("name") or "").strip()
    if not name or not _KEY_NAME.match(name):
        raise EmulatorError(f"invalid vocabulary key name {name!r}")
    if any(k["name"].lower() == name.lower() for k in keys_of(store, vocabulary["vocabularyId"])):
        raise EmulatorError(f"vocabulary key '{vocabulary['keyPrefix']}.{name}' already exists")
    ident = new_guid()
    key = store.stamp_new(
        {
            "vocabularyKeyId": ident,
            "vocabularyId": vocabulary["vocabularyId"],
            "name": name,
            "key": f"{vocabulary['keyPrefix']}.{name}",
            "displayName": spec.get("displayName") or name,
            "groupName": spec.get("groupName") or "Metadata",
            "dataType": "Text",
            "storage": "Keyword",
            "description": spec.get("description") or "",
            "isVisible": True,
            "isCluedInCore": False,
            "isDynamic": False,
            "isProvider": False,
            "isObsolete": False,
            "dataClassificationCode": None,
            "dataAnnotationsIsPrimaryKey": False,
            "dataAnnotationsIsEditable": True,
            "dataAnnotationsIsNullable": True,
            "dataAnnotationsIsRequired": False,
            "dataAnnotationsMinimumLength": None,
            "dataAnnotationsMaximumLength": None,
            "providerId": vocabulary.get("providerId"),
            "compositeVocabularyId": None,
            "mapsToOtherKeyId": None,
            "glossaryTermId": None,
            "createdBy": author_id,
            "mappedKey": None,
            "isValueChangeInsignificant": False,
            "authorId": author_id,
        }
    )
    _apply_key_fields(key, spec)
    store.vocabulary_keys[ident] = key
    store.audit("VocabularyKey", ident, "Created", author_id, name=key["key"])
    return key


def _apply_key_fields(key: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    changes = {f: spec[f] for f in KEY_FIELDS if spec.get(f) is not None and spec[f] != key.get(f)}
    if "dataType" in changes and changes["dataType"] not in DATA_TYPES:
        raise EmulatorError(f"unknown data type {changes['dataType']!r}; expected one of {', '.join(DATA_TYPES)}")
    if "storage" in changes and changes["storage"] not in STORAGE_KINDS:
        raise EmulatorError(f"unknown storage {changes['storage']!r}; expected one of {', '.join(STORAGE_KINDS)}")
    key.update(changes)
    return changes


def get_vocabulary_key(store: CluedInStore, ident: object) -> dict[str, Any]:
    """A vocabulary key by GUID, or NotFoundError."""
    key = store.vocabulary_keys.get(parse_guid(ident, "VocabularyKey"))
    if key is None:
        raise NotFoundError("VocabularyKey", ident)
    return key


def find_key(store: CluedInStore, full_key: str) -> dict[str, Any] | None:
    """A vocabulary key by full name (`customer.firstName`); case-sensitive like `vocabularyPerKey`."""
    return next((k for k in store.vocabulary_keys.values() if k["key"] == full_key), None)


def save_vocabulary_key(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`saveVocabularyKey`: update a key's display name, data type, visibility, ..."""
    spec = spec or {}
    key = get_vocabulary_key(store, spec.get("vocabularyKeyId"))
    changes = _apply_key_fields(key, spec)
    if changes:
        store.touch(key)
        store.audit("VocabularyKey", key["vocabularyKeyId"], "Updated", author_id, name=key["key"], details=changes)
    return key


def rename_vocabulary_key(store: CluedInStore, key_id: object, new_name: str, author_id: str) -> dict[str, Any]:
    """`renameVocabularyKey`: a new name (and so full key) for an existing key."""
    key = get_vocabulary_key(store, key_id)
    if not _KEY_NAME.match(new_name):
        raise EmulatorError(f"invalid vocabulary key name {new_name!r}")
    vocabulary = get_vocabulary(store, key["vocabularyId"])
    if any(k is not key and k["name"].lower() == new_name.lower() for k in keys_of(store, vocabulary["vocabularyId"])):
        raise EmulatorError(f"vocabulary key '{vocabulary['keyPrefix']}.{new_name}' already exists")
    old = key["key"]
    key["name"] = new_name
    key["key"] = f"{vocabulary['keyPrefix']}.{new_name}"
    store.touch(key)
    store.audit(
        "VocabularyKey", key["vocabularyKeyId"], "Updated", author_id, name=key["key"], details={"renamedFrom": old}
    )
    return key


def map_vocabulary_key(store: CluedInStore, key_id: object, target_id: object, author_id: str) -> dict[str, Any]:
    """`mapVocabularyKey`: make a key an alias of another (`mapsToOtherKeyId`, `mappedKey`)."""
    key = get_vocabulary_key(store, key_id)
    target = get_vocabulary_key(store, target_id)
    key["mapsToOtherKeyId"] = target["vocabularyKeyId"]
    key["mappedKey"] = target["key"]
    store.touch(key)
    store.audit("VocabularyKey", key["vocabularyKeyId"], "Updated", author_id, details={"mapsTo": target["key"]})
    return key


def filter_keys(
    keys: list[dict[str, Any]], args: dict[str, Any], *, default_hide_obsolete: bool = True
) -> list[dict[str, Any]]:
    """The filters shared by `vocabularyKeys` and `vocabularyKeysFromVocabularyId`."""
    search = args.get("searchName")
    result = [k for k in keys if matches_search(k["key"], search) or matches_search(k["displayName"], search)]
    if args.get("dataType"):
        result = [k for k in result if k["dataType"] == args["dataType"]]
    if args.get("classification"):
        result = [k for k in result if k.get("dataClassificationCode") == args["classification"]]
    for flag in ("isCluedInCore", "isDynamic", "isProvider"):
        if args.get(flag) is not None:
            result = [k for k in result if bool(k.get(flag)) == args[flag]]
    obsolete = str(args.get("filterIsObsolete") or "").lower()
    if obsolete == "obsolete":
        result = [k for k in result if k["isObsolete"]]
    elif obsolete != "all" and default_hide_obsolete:
        result = [k for k in result if not k["isObsolete"]]
    if not args.get("skipFilterVisibility"):
        result = [k for k in result if k["isVisible"]]
    return result


# ---------------------------------------------------------------------- deletes (REST only)


def key_in_use(store: CluedInStore, key: dict[str, Any]) -> bool:
    """Whether a mapping uses the key."""
    return any(m.get("key") == key["key"] for ds in store.data_sets.values() for m in ds["fieldMappings"])


def delete_vocabulary_key(store: CluedInStore, vocabulary_id: object, key_id: object, author_id: str) -> str:
    """`DELETE vocabs/vocabulary/{vid}/key/{kid}`: `Deleted`, or `Obsolete` for a key a mapping uses.

    CluedIn documents that deleting a key in use leaves it obsolete instead.
    """
    vocabulary = get_vocabulary(store, vocabulary_id)
    key = get_vocabulary_key(store, key_id)
    if key["vocabularyId"] != vocabulary["vocabularyId"]:
        raise NotFoundError("VocabularyKey", key_id)
    if key_in_use(store, key):
        if not key["isObsolete"]:
            key["isObsolete"] = True
            store.touch(key)
            store.audit("VocabularyKey", key["vocabularyKeyId"], "Updated", author_id, name=key["key"])
        return "Obsolete"
    del store.vocabulary_keys[key["vocabularyKeyId"]]
    store.version += 1
    store.audit("VocabularyKey", key["vocabularyKeyId"], "Deleted", author_id, name=key["key"])
    return "Deleted"


def delete_vocabulary(store: CluedInStore, vocabulary_id: object, author_id: str) -> None:
    """`DELETE vocabs/vocabulary/{vid}`: the vocabulary with all its keys.

    Refused while a mapping uses one of its keys **(guess: the documented rule for keys, applied to their
    vocabulary)**.
    """
    vocabulary = get_vocabulary(store, vocabulary_id)
    keys = keys_of(store, vocabulary["vocabularyId"])
    if any(key_in_use(store, k) for k in keys):
        raise EmulatorError(f"vocabulary '{vocabulary['vocabularyName']}' has keys in use by a mapping")
    for key in keys:
        del store.vocabulary_keys[key["vocabularyKeyId"]]
        store.audit("VocabularyKey", key["vocabularyKeyId"], "Deleted", author_id, name=key["key"])
    del store.vocabularies[vocabulary["vocabularyId"]]
    store.version += 1
    store.audit("Vocabulary", vocabulary["vocabularyId"], "Deleted", author_id, name=vocabulary["vocabularyName"])
