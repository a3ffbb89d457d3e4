"""Resolvers for the `management` namespace: vocabularies, keys, entity types and the mapping mutations.

Glossary, rules, projects and mapping extras live in their own modules and add fields to the same namespace.
"""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from emulators.cluedin import catalog, mapping
from emulators.cluedin.graphql.context import Info, ctx, requires
from emulators.cluedin.graphql.shared import resolve_author, user_ref
from emulators.cluedin.inbound import get_data_set
from emulators.cluedin.providers import provider_type
from emulators.cluedin.util import EmulatorError, NotFoundError, matches_search, page_slice, parse_guid, sort_items

CATALOG = "management.datacatalog"
ENTITY_TYPES = "admin.entitytypes"
ANNOTATION = "management.annotation"

query = ObjectType("ManagementQuery")
mutation = ObjectType("ManagementMutation")
vocabulary = ObjectType("Vocabulary")
vocabulary_key = ObjectType("VocabularyKey")


# ---------------------------------------------------------------------- vocabularies and keys


@query.field("vocabularies")
@requires(CATALOG)
def _vocabularies(_obj: Any, info: Info, **args: Any) -> dict[str, Any]:
    store = ctx(info).store
    items = [
        v
        for v in store.vocabularies.values()
        if matches_search(v["vocabularyName"], args.get("searchName"))
        or matches_search(v["keyPrefix"], args.get("searchName"))
    ]
    if args.get("isActive") is not None:
        items = [v for v in items if v["isActive"] == args["isActive"]]
    if args.get("entityType"):
        items = [v for v in items if v.get("grouping") == args["entityType"]]
    if args.get("connectorId"):
        items = [v for v in items if v.get("connectorId") == str(args["connectorId"])]
    if args.get("filterIsUsed") is not None:
        items = [v for v in items if catalog.vocabulary_in_use(store, v["vocabularyId"]) == args["filterIsUsed"]]
    items = sort_items(items, args.get("sortBy"), args.get("sortDirection"), default=lambda v: v["createdAt"])
    return {"total": len(items), "data": page_slice(items, args.get("pageNumber"), args.get("pageSize"), first_page=1)}


@query.field("vocabulary")
@requires(CATALOG)
def _vocabulary(_obj: Any, info: Info, id: object) -> dict[str, Any]:
    return catalog.get_vocabulary(ctx(info).store, id)


@query.field("vocabularyKeys")
@requires(CATALOG)
def _vocabulary_keys(_obj: Any, info: Info, **args: Any) -> dict[str, Any]:
    store = ctx(info).store
    items = catalog.filter_keys(list(store.vocabulary_keys.values()), args)
    if args.get("connectorId"):
        items = [k for k in items if k.get("providerId") == str(args["connectorId"])]
    if args.get("hasNoProvider"):
        items = [k for k in items if not k.get("providerId")]
    return {"total": len(items), "data": page_slice(items, args.get("pageNumber"), args.get("pageSize"), first_page=1)}


@query.field("vocabularyKeysFromVocabularyId")
@requires(CATALOG)
def _keys_of_vocabulary(_obj: Any, info: Info, id: object, **args: Any) -> dict[str, Any]:
    store = ctx(info).store
    owner = catalog.get_vocabulary(store, id)
    items = catalog.filter_keys(catalog.keys_of(store, owner["vocabularyId"]), args)
    return {"total": len(items), "data": items}


@query.field("vocabularyPerKey")
@requires(CATALOG)
def _vocabulary_per_key(_obj: Any, info: Info, key: str) -> dict[str, Any] | None:
    return catalog.find_key(ctx(info).store, key)


@mutation.field("createVocabulary")
@requires(CATALOG, write=True)
def _create_vocabulary(_obj: Any, info: Info, vocabulary: dict[str, Any] | None = None) -> dict[str, Any]:
    return catalog.create_vocabulary(ctx(info).store, vocabulary, ctx(info).user_id)


@mutation.field("saveVocabulary")
@requires(CATALOG, write=True)
def _save_vocabulary(_obj: Any, info: Info, vocabulary: dict[str, Any]) -> dict[str, Any]:
    return catalog.save_vocabulary(ctx(info).store, vocabulary, ctx(info).user_id)


@mutation.field("activateVocabulary")
@requires(CATALOG, write=True)
def _activate_vocabulary(_obj: Any, info: Info, vocabularyId: object) -> dict[str, Any]:
    return catalog.activate_vocabulary(ctx(info).store, vocabularyId, ctx(info).user_id)


@mutation.field("createVocabularyKey")
@requires(CATALOG, write=True)
def _create_key(_obj: Any, info: Info, vocabularyKey: dict[str, Any] | None = None) -> dict[str, Any]:
    return catalog.create_vocabulary_key(ctx(info).store, vocabularyKey, ctx(info).user_id)


@mutation.field("saveVocabularyKey")
@requires(CATALOG, write=True)
def _save_key(_obj: Any, info: Info, vocabularyKey: dict[str, Any]) -> dict[str, Any]:
    return catalog.save_vocabulary_key(ctx(info).store, vocabularyKey, ctx(info).user_id)


@mutation.field("renameVocabularyKey")
@requires(CATALOG, write=True)
def _rename_key(_obj: Any, info: Info, vocabularyId: object, vocabularyKeyId: object, newName: str) -> dict[str, Any]:
    key = catalog.get_vocabulary_key(ctx(info).store, vocabularyKeyId)
    if key["vocabularyId"] != parse_guid(vocabularyId, "Vocabulary"):
        raise EmulatorError(f"vocabulary key {vocabularyKeyId} does not belong to vocabulary {vocabularyId}")
    renamed = catalog.rename_vocabulary_key(ctx(info).store, vocabularyKeyId, newName, ctx(info).user_id)
    return {"vocabularyKeyId": renamed["vocabularyKeyId"], "key": renamed["key"], "name": renamed["name"]}


@mutation.field("mapVocabularyKey")
@requires(CATALOG, write=True)
def _map_key(_obj: Any, info: Info, vocabularyKeyId: object, mapToVocabularyKeyId: object) -> dict[str, Any]:
    return catalog.map_vocabulary_key(ctx(info).store, vocabularyKeyId, mapToVocabularyKeyId, ctx(info).user_id)


@vocabulary.field("isUsed")
def _vocabulary_used(obj: dict[str, Any], info: Info) -> bool:
    return catalog.vocabulary_in_use(ctx(info).store, obj["vocabularyId"])


@vocabulary.field("isVocabularyOwner")
def _vocabulary_owner(obj: dict[str, Any], info: Info) -> bool:
    return ctx(info).user_id in obj.get("ownerIds", [])


@vocabulary.field("owners")
def _vocabulary_owners(obj: dict[str, Any], info: Info) -> list[dict[str, Any]]:
    return [u for u in (user_ref(ctx(info).store, i) for i in obj.get("ownerIds", [])) if u]


@vocabulary.field("connector")
def _vocabulary_connector(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return _connector(info, obj.get("connectorId"))


def _connector(info: Info, ident: object) -> dict[str, Any] | None:
    """An installed connector, or a crawler/enricher type (the source of a provider vocabulary or key)."""
    if not ident:
        return None
    found = ctx(info).store.connectors.get(str(ident))
    if found is not None:
        return found
    ptype = provider_type(str(ident))
    return None if ptype is None else {**ptype, "icon": None, "about": None, "streamModes": []}


@vocabulary_key.field("vocabulary")
def _key_vocabulary(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return ctx(info).store.vocabularies.get(obj["vocabularyId"])


@vocabulary_key.field("isVocabularyOwner")
def _key_owner(obj: dict[str, Any], info: Info) -> bool:
    owner = ctx(info).store.vocabularies.get(obj["vocabularyId"]) or {}
    return ctx(info).user_id in owner.get("ownerIds", [])


@vocabulary_key.field("connector")
def _key_connector(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return _connector(info, obj.get("providerId"))


# ---------------------------------------------------------------------- entity types


@query.field("entityTypeConfigurations")
@requires(ENTITY_TYPES)
def _entity_types(_obj: Any, info: Info, **args: Any) -> dict[str, Any]:
    store = ctx(info).store
    search = args.get("searchName")
    items = [
        t
        for t in store.entity_types.values()
        if matches_search(t["displayName"], search) or matches_search(t["entityType"], search)
    ]
    if args.get("filterIsUsed") is not None:
        used = {e["entityType"] for e in store.entities.values()}
        items = [t for t in items if (t["entityType"] in used) == args["filterIsUsed"]]
    return {"total": len(items), "data": page_slice(items, args.get("pageNumber"), args.get("pageSize"), first_page=1)}


@query.field("entityTypeConfiguration")
@requires(ENTITY_TYPES)
def _entity_type(_obj: Any, info: Info, entityType: object) -> dict[str, Any]:
    found = catalog.find_entity_type(ctx(info).store, str(entityType))
    if found is None:
        raise NotFoundError("EntityTypeConfiguration", entityType)
    return found


@query.field("getEntityTypeInfo")
@requires(ENTITY_TYPES)
def _entity_type_info(_obj: Any, info: Info, type: str, **_: Any) -> dict[str, Any] | None:
    return catalog.find_entity_type(ctx(info).store, type)


@mutation.field("createEntityTypeConfigurationV2")
@requires(ENTITY_TYPES, write=True)
def _create_entity_type(_obj: Any, info: Info, entityTypeConfiguration: str) -> dict[str, Any]:
    spec = catalog.parse_entity_type_argument(entityTypeConfiguration)
    created = catalog.create_entity_type(ctx(info).store, spec, ctx(info).user_id)
    fields = ("id", "type", "displayName", "icon", "route", "path", "active", "pageTemplateId")
    return {k: created[k] for k in fields}


# ---------------------------------------------------------------------- mapping (annotation building)


@mutation.field("createAutoAnnotation")
@requires(ANNOTATION, write=True)
def _create_auto_annotation(_obj: Any, info: Info, **args: Any) -> dict[str, Any]:
    return _create_annotation(info, args, auto=True)


@mutation.field("createManualAnnotation")
@requires(ANNOTATION, write=True)
def _create_manual_annotation(_obj: Any, info: Info, **args: Any) -> dict[str, Any]:
    return _create_annotation(info, args, auto=False)


def _create_annotation(info: Info, args: dict[str, Any], *, auto: bool) -> dict[str, Any]:
    return mapping.create_annotation(
        ctx(info).store,
        args["dataSetId"],
        str(args["type"]),
        args.get("mappingConfiguration"),
        ctx(info).user_id,
        is_dynamic_vocab=args.get("isDynamicVocab"),
        auto=auto,
    )


@mutation.field("createPartialAutoAnnotation")
@requires(ANNOTATION, write=True)
def _create_partial(_obj: Any, info: Info, dataSetId: object, originalFields: list[str] | None = None) -> Any:
    store = ctx(info).store
    data_set = get_data_set(store, dataSetId)
    vocab = catalog.find_vocabulary(store, str(data_set.get("entityType") or "").strip("/").lower())
    configuration = {
        "entityTypeConfiguration": {"entityType": data_set.get("entityType")},
        "vocabularyConfiguration": {"vocabularyId": vocab["vocabularyId"]} if vocab else None,
    }
    annotation = mapping.create_annotation(
        store,
        dataSetId,
        "endpoint",
        configuration,
        ctx(info).user_id,
        auto=vocab is not None,
        only_fields=[f for f in originalFields or [] if f],
    )
    return annotation["id"]


@mutation.field("addPropertyMappingToCluedMappingConfiguration")
@mutation.field("updatePropertyMappingInClueMappingConfig")
@requires(ANNOTATION, write=True)
def _map_property(
    _obj: Any, info: Info, dataSetId: object, propertyMappingConfiguration: Any = None, extra: Any = None
) -> bool:
    mapping.map_property(ctx(info).store, dataSetId, propertyMappingConfiguration, ctx(info).user_id)
    return True


for _type in (vocabulary, vocabulary_key):
    _type.set_field("author", resolve_author)

BINDABLES = [query, mutation, vocabulary, vocabulary_key]
