"""Entity and relationship routes of the Data Map API (operation names are the spec's operationIds)."""

from __future__ import annotations

from typing import Any

from emulators.purview import errors
from emulators.purview.api.router import MISSING, Ctx, Reply, RouteTable
from emulators.purview.limits import check_entities
from emulators.purview.model.access import CURATOR, READER
from emulators.purview.model.entities import Entity

TEMPLATE_CSV = (
    b"EntityType,EntityUniqueAttributeValue,BusinessAttributeName,BusinessAttributeValue,"
    b"EntityUniqueAttributeName[optional]"
)


def require_api_version(ctx: Ctx) -> str:
    """Operations whose spec marks api-version as required answer 400 without it."""
    version = ctx.q("api-version")
    if not version:
        raise errors.INVALID_PARAMETERS("the api-version query parameter is required")
    return version


def _readable(ctx: Ctx, entity: Entity) -> Entity:
    ctx.require(READER, entity.collection_id)
    return entity


def _writable(ctx: Ctx, entity: Entity) -> Entity:
    ctx.require(CURATOR, entity.collection_id)
    return entity


def _read_options(ctx: Ctx) -> dict[str, bool]:
    return {"min_ext_info": ctx.q_bool("minExtInfo"), "ignore_relationships": ctx.q_bool("ignoreRelationships")}


def _business_behavior(ctx: Ctx) -> str | None:
    value = ctx.q("businessAttributeUpdateBehavior")
    if value is not None and value not in ("ignore", "replace", "merge"):
        raise errors.INVALID_PARAMETERS("businessAttributeUpdateBehavior must be ignore, replace or merge")
    return value


def _upsert(ctx: Ctx, entities: list[Any]) -> dict[str, Any]:
    check_entities(ctx.emulator.limits(), entities, len(ctx.raw_body))
    collection = ctx.q("collectionId")
    ctx.require(CURATOR, collection or ctx.store.collections.root)
    for raw in (
        entities if ctx.emulator.access.enforcing_roles else ()
    ):  # updates need curator rights where the entity lives now
        qualified_name = (raw.get("attributes") or {}).get("qualifiedName") if isinstance(raw, dict) else None
        existing = ctx.store.entities.entities.get(str(raw.get("guid"))) if isinstance(raw, dict) else None
        if existing is None and isinstance(qualified_name, str) and isinstance(raw.get("typeName"), str):
            existing = ctx.store.entities.find_unique(raw["typeName"], qualified_name)
        if existing is not None:
            ctx.require(CURATOR, existing.collection_id)
    return ctx.store.writer.upsert(
        entities, principal=ctx.principal, collection_id=collection, business_behavior=_business_behavior(ctx)
    )


def create_or_update(ctx: Ctx) -> Any:
    """POST /atlas/v2/entity."""
    body = ctx.json()
    if not isinstance(body, dict) or not isinstance(body.get("entity"), dict):
        raise errors.INVALID_PARAMETERS("invalid payload, expected AtlasEntityWithExtInfo with an entity")
    referred = body.get("referredEntities") or {}
    extra = list(referred.values()) if isinstance(referred, dict) else []
    return _upsert(ctx, [body["entity"], *extra])


def bulk_create_or_update(ctx: Ctx) -> Any:
    """POST /atlas/v2/entity/bulk."""
    body = ctx.json()
    entities = body.get("entities") if isinstance(body, dict) else None
    if not isinstance(entities, list):
        raise errors.INVALID_PARAMETERS("invalid payload, expected AtlasEntitiesWithExtInfo with an entities list")
    referred = body.get("referredEntities") or {}
    extra = list(referred.values()) if isinstance(referred, dict) else []
    return _upsert(ctx, [*entities, *extra])


def list_by_guids(ctx: Ctx) -> Any:
    """GET /atlas/v2/entity/bulk?guid=...&guid=..."""
    guids = ctx.q_list("guid")
    if not guids:
        raise errors.INVALID_PARAMETERS("at least one guid is required")
    for guid in guids:
        _readable(ctx, ctx.store.entities.require(guid))
    return ctx.store.entity_service.get_many(guids, **_read_options(ctx))


def bulk_delete(ctx: Ctx) -> Any:
    """DELETE /atlas/v2/entity/bulk?guid=..."""
    guids = ctx.q_list("guid")
    if not guids:
        raise errors.INVALID_PARAMETERS("at least one guid is required")
    for guid in guids:
        _writable(ctx, ctx.store.entities.require(guid))
    return ctx.store.entity_service.delete(guids, ctx.principal)


def get(ctx: Ctx) -> Any:
    """GET /atlas/v2/entity/guid/{guid}."""
    _readable(ctx, ctx.store.entities.require(ctx.params["guid"]))
    return ctx.store.entity_service.get(ctx.params["guid"], **_read_options(ctx))


def partial_update_attribute(ctx: Ctx) -> Any:
    """PUT /atlas/v2/entity/guid/{guid}?name=attr."""
    name = ctx.q("name")
    if not name:
        raise errors.INVALID_PARAMETERS("the name query parameter (attribute name) is required")
    _writable(ctx, ctx.store.entities.require_active(ctx.params["guid"]))
    return ctx.store.entity_service.update_attribute(ctx.params["guid"], name, ctx.json(), ctx.principal)


def delete(ctx: Ctx) -> Any:
    """DELETE /atlas/v2/entity/guid/{guid}."""
    _writable(ctx, ctx.store.entities.require(ctx.params["guid"]))
    return ctx.store.entity_service.delete([ctx.params["guid"]], ctx.principal)


def header(ctx: Ctx) -> Any:
    """GET /atlas/v2/entity/guid/{guid}/header."""
    _readable(ctx, ctx.store.entities.require(ctx.params["guid"]))
    return ctx.store.entity_service.header(ctx.params["guid"])


def _by_guid(ctx: Ctx) -> Entity:
    return ctx.store.entities.require(ctx.params["guid"])


def _by_unique(ctx: Ctx) -> Entity:
    return ctx.store.entities.require_unique(ctx.params["typeName"], ctx.attr())


def get_unique(ctx: Ctx) -> Any:
    """GET /atlas/v2/entity/uniqueAttribute/type/{typeName}?attr:qualifiedName=..."""
    _readable(ctx, _by_unique(ctx))
    return ctx.store.entity_service.get_unique(ctx.params["typeName"], ctx.attr(), **_read_options(ctx))


def update_unique(ctx: Ctx) -> Any:
    """PUT /atlas/v2/entity/uniqueAttribute/type/{typeName}."""
    _writable(ctx, _by_unique(ctx))
    body = ctx.json()
    if isinstance(body, dict) and isinstance(body.get("entity"), dict):
        check_entities(ctx.emulator.limits(), [body["entity"]], len(ctx.raw_body))
    return ctx.store.entity_service.update_unique(ctx.params["typeName"], ctx.attr(), body, ctx.principal)


def delete_unique(ctx: Ctx) -> Any:
    """DELETE /atlas/v2/entity/uniqueAttribute/type/{typeName}."""
    _writable(ctx, _by_unique(ctx))
    return ctx.store.entity_service.delete_unique(ctx.params["typeName"], ctx.attr(), ctx.principal)


def list_by_unique(ctx: Ctx) -> Any:
    """GET /atlas/v2/entity/bulk/uniqueAttribute/type/{typeName}?attr_0:qualifiedName=..."""
    result = ctx.store.entity_service.get_unique_many(ctx.params["typeName"], ctx.attrs(), **_read_options(ctx))
    for entity in result.get("entities", []):
        ctx.require(READER, entity["collectionId"])
    return result


def labels(mode: str, locate: Any) -> Any:
    """Handler factory for the six label routes (add / set / remove, by guid or unique attribute)."""

    def handler(ctx: Ctx) -> Any:
        entity = _writable(ctx, locate(ctx))
        body = ctx.json(required=False)
        ctx.store.entity_service.labels(entity, None if body is MISSING else body, mode, ctx.principal)
        return Reply(204)

    return handler


def classifications_write(update: bool, locate: Any) -> Any:
    """Handler factory for adding (POST) or updating (PUT) classifications."""

    def handler(ctx: Ctx) -> Any:
        entity = _writable(ctx, locate(ctx))
        ctx.store.entity_service.add_classifications(entity, ctx.json(), ctx.principal, update=update)
        return Reply(204)

    return handler


def remove_classification(locate: Any) -> Any:
    """Handler factory for removing one classification."""

    def handler(ctx: Ctx) -> Any:
        entity = _writable(ctx, locate(ctx))
        ctx.store.entity_service.remove_classification(entity, ctx.params["classificationName"], ctx.principal)
        return Reply(204)

    return handler


def get_classification(ctx: Ctx) -> Any:
    """GET /atlas/v2/entity/guid/{guid}/classification/{classificationName}."""
    entity = _readable(ctx, _by_guid(ctx))
    return ctx.store.entity_service.classification(entity, ctx.params["classificationName"])


def get_classifications(ctx: Ctx) -> Any:
    """GET /atlas/v2/entity/guid/{guid}/classifications."""
    return ctx.store.entity_service.classifications(_readable(ctx, _by_guid(ctx)))


def bulk_classify(ctx: Ctx) -> Any:
    """POST /atlas/v2/entity/bulk/classification."""
    body = ctx.json()
    for guid in body.get("entityGuids") or [] if isinstance(body, dict) else []:
        if isinstance(guid, str) and guid in ctx.store.entities.entities:
            _writable(ctx, ctx.store.entities.entities[guid])
    ctx.store.entity_service.bulk_classify(body, ctx.principal)
    return Reply(204)


def bulk_set_classifications(ctx: Ctx) -> Any:
    """POST /atlas/v2/entity/bulk/setClassifications."""
    ctx.require(CURATOR, ctx.store.collections.root)
    return ctx.store.entity_service.bulk_set_classifications(ctx.json(), ctx.principal)


def business_metadata(remove: bool, named: bool) -> Any:
    """Handler factory for the four business metadata routes."""

    def handler(ctx: Ctx) -> Any:
        entity = _writable(ctx, ctx.store.entities.require_active(ctx.params["guid"]))
        ctx.store.entity_service.business_metadata(
            entity,
            ctx.json(),
            ctx.principal,
            remove=remove,
            overwrite=ctx.q_bool("isOverwrite"),
            name=ctx.params.get("businessMetadataName") if named else None,
        )
        return Reply(204)

    return handler


def business_metadata_template(ctx: Ctx) -> Any:
    """GET /atlas/v2/entity/businessmetadata/import/template: the CSV header line."""
    return Reply(200, TEMPLATE_CSV, {"content-type": "application/octet-stream"})


def not_emulated(ctx: Ctx) -> Any:
    """Operations the emulator does not implement answer 501 with an Atlas body."""
    raise errors.NOT_IMPLEMENTED(ctx.route.operation)


def move_to(ctx: Ctx) -> Any:
    """POST /entity/moveTo?collectionId=... (api-version required)."""
    require_api_version(ctx)
    collection = ctx.q("collectionId")
    if not collection:
        raise errors.INVALID_PARAMETERS("the collectionId query parameter is required")
    body = ctx.json()
    guids = body.get("entityGuids") if isinstance(body, dict) else None
    if not isinstance(guids, list) or not all(isinstance(g, str) for g in guids):
        raise errors.INVALID_PARAMETERS("invalid payload, entityGuids must be a list of guids")
    ctx.require(CURATOR, collection)
    for guid in guids:
        _writable(ctx, ctx.store.entities.require_active(guid))
    return ctx.store.entity_service.move(guids, collection, ctx.principal)


def relationship_create(ctx: Ctx) -> Any:
    """POST /atlas/v2/relationship."""
    ctx.require(CURATOR, ctx.store.collections.root)
    return ctx.store.relationships.create(ctx.json(), ctx.principal)


def relationship_update(ctx: Ctx) -> Any:
    """PUT /atlas/v2/relationship."""
    ctx.require(CURATOR, ctx.store.collections.root)
    return ctx.store.relationships.update(ctx.json(), ctx.principal)


def relationship_get(ctx: Ctx) -> Any:
    """GET /atlas/v2/relationship/guid/{guid}."""
    ctx.require(READER)
    return ctx.store.relationships.get(ctx.params["guid"], ctx.q_bool("extendedInfo"))


def relationship_delete(ctx: Ctx) -> Any:
    """DELETE /atlas/v2/relationship/guid/{guid}."""
    ctx.require(CURATOR, ctx.store.collections.root)
    ctx.store.relationships.delete(ctx.params["guid"], ctx.principal)
    return Reply(204)


def register(table: RouteTable) -> None:
    """Add the entity and relationship routes."""
    e = "/atlas/v2/entity"
    u = f"{e}/uniqueAttribute/type/{{typeName}}"
    g = f"{e}/guid/{{guid}}"
    routes: list[tuple[str, str, str, Any, bool]] = [
        ("POST", e, "Entity_CreateOrUpdate", create_or_update, True),
        ("GET", f"{e}/bulk", "Entity_ListByGuids", list_by_guids, False),
        ("POST", f"{e}/bulk", "Entity_BulkCreateOrUpdate", bulk_create_or_update, True),
        ("DELETE", f"{e}/bulk", "Entity_BulkDelete", bulk_delete, True),
        ("POST", f"{e}/bulk/classification", "Entity_AddClassification", bulk_classify, True),
        ("POST", f"{e}/bulk/setClassifications", "Entity_BulkSetClassifications", bulk_set_classifications, True),
        ("GET", f"{e}/bulk/uniqueAttribute/type/{{typeName}}", "Entity_ListByUniqueAttributes", list_by_unique, False),
        ("POST", f"{e}/businessmetadata/import", "Entity_ImportBusinessMetadata", not_emulated, True),
        (
            "GET",
            f"{e}/businessmetadata/import/template",
            "Entity_GetSampleBusinessMetadataTemplate",
            business_metadata_template,
            False,
        ),
        ("GET", g, "Entity_Get", get, False),
        ("PUT", g, "Entity_PartialUpdateAttributeByGuid", partial_update_attribute, True),
        ("DELETE", g, "Entity_Delete", delete, True),
        ("POST", f"{g}/businessmetadata", "Entity_AddOrUpdateBusinessMetadata", business_metadata(False, False), True),
        ("DELETE", f"{g}/businessmetadata", "Entity_RemoveBusinessMetadata", business_metadata(True, False), True),
        (
            "POST",
            f"{g}/businessmetadata/{{businessMetadataName}}",
            "Entity_AddOrUpdateBusinessMetadataAttributes",
            business_metadata(False, True),
            True,
        ),
        (
            "DELETE",
            f"{g}/businessmetadata/{{businessMetadataName}}",
            "Entity_RemoveBusinessMetadataAttributes",
            business_metadata(True, True),
            True,
        ),
        ("GET", f"{g}/classification/{{classificationName}}", "Entity_GetClassification", get_classification, False),
        (
            "DELETE",
            f"{g}/classification/{{classificationName}}",
            "Entity_RemoveClassification",
            remove_classification(_by_guid),
            True,
        ),
        ("GET", f"{g}/classifications", "Entity_GetClassifications", get_classifications, False),
        ("PUT", f"{g}/classifications", "Entity_UpdateClassifications", classifications_write(True, _by_guid), True),
        ("POST", f"{g}/classifications", "Entity_AddClassifications", classifications_write(False, _by_guid), True),
        ("GET", f"{g}/header", "Entity_GetHeader", header, False),
        ("PUT", f"{g}/labels", "Entity_AddLabel", labels("add", _by_guid), True),
        ("POST", f"{g}/labels", "Entity_SetLabels", labels("set", _by_guid), True),
        ("DELETE", f"{g}/labels", "Entity_RemoveLabels", labels("remove", _by_guid), True),
        ("GET", u, "Entity_GetByUniqueAttributes", get_unique, False),
        ("PUT", u, "Entity_PartialUpdateByUniqueAttributes", update_unique, True),
        ("DELETE", u, "Entity_DeleteByUniqueAttribute", delete_unique, True),
        (
            "DELETE",
            f"{u}/classification/{{classificationName}}",
            "Entity_RemoveClassificationByUniqueAttribute",
            remove_classification(_by_unique),
            True,
        ),
        (
            "PUT",
            f"{u}/classifications",
            "Entity_UpdateClassificationsByUniqueAttribute",
            classifications_write(True, _by_unique),
            True,
        ),
        (
            "POST",
            f"{u}/classifications",
            "Entity_AddClassificationsByUniqueAttribute",
            classifications_write(False, _by_unique),
            True,
        ),
        ("PUT", f"{u}/labels", "Entity_AddLabelsByUniqueAttribute", labels("add", _by_unique), True),
        ("POST", f"{u}/labels", "Entity_SetLabelsByUniqueAttribute", labels("set", _by_unique), True),
        ("DELETE", f"{u}/labels", "Entity_RemoveLabelsByUniqueAttribute", labels("remove", _by_unique), True),
        ("POST", "/entity/moveTo", "Entity_MoveEntitiesToCollection", move_to, True),
        ("POST", "/atlas/v2/relationship", "Relationship_Create", relationship_create, True),
        ("PUT", "/atlas/v2/relationship", "Relationship_Update", relationship_update, True),
        ("GET", "/atlas/v2/relationship/guid/{guid}", "Relationship_Get", relationship_get, False),
        ("DELETE", "/atlas/v2/relationship/guid/{guid}", "Relationship_Delete", relationship_delete, True),
    ]
    for method, template, operation, handler, write in routes:
        table.add("datamap", method, template, operation, handler, write=write)
