"""Resolvers for the `inbound` namespace: data source groups, data sources, data sets, export targets."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from emulators.cluedin import consume, inbound, mapping, processing
from emulators.cluedin.graphql.context import Info, ctx, requires
from emulators.cluedin.graphql.shared import author_id, resolve_author, resolve_is_owner
from emulators.cluedin.providers import get_provider_definition, grant_users
from emulators.cluedin.util import matches_search, page_slice, sort_items

GROUPS = "integration.datasourcegroups"
EXPORT_TARGETS = "consume.exporttargets"
ANNOTATION = "management.annotation"

query = ObjectType("InboundQuery")
mutation = ObjectType("InboundMutation")
data_source_set = ObjectType("DataSourceSet")
data_source = ObjectType("DataSource")
data_set = ObjectType("DataSet")


# ---------------------------------------------------------------------- queries


@query.field("dataSourceSets")
@requires(GROUPS)
def _data_source_sets(
    _obj: Any,
    info: Info,
    page: int | None = None,
    pageSize: int | None = None,
    searchName: str | None = None,
) -> dict[str, Any]:
    groups = [g for g in ctx(info).store.data_source_sets.values() if matches_search(g["name"], searchName)]
    return {"total": len(groups), "data": page_slice(groups, page, pageSize, first_page=0)}


@query.field("dataSourceSet")
@requires(GROUPS)
def _data_source_set(_obj: Any, info: Info, id: object) -> dict[str, Any]:
    return inbound.get_data_source_set(ctx(info).store, id)


@query.field("dataSource")
@requires(GROUPS)
def _data_source(_obj: Any, info: Info, id: object) -> dict[str, Any]:
    return inbound.get_data_source(ctx(info).store, id)


@query.field("dataSet")
@requires(GROUPS)
def _data_set(_obj: Any, info: Info, id: object) -> dict[str, Any]:
    return inbound.get_data_set(ctx(info).store, id)


@query.field("dataSetContent")
@requires(GROUPS)
def _data_set_content(
    _obj: Any,
    info: Info,
    id: object,
    page: int | None = None,
    pageSize: int | None = None,
    terms: str | None = None,
    **_ignored: Any,
) -> dict[str, Any]:
    store = ctx(info).store
    found = inbound.get_data_set(store, id)
    rows = store.records.get(found["id"], [])
    if terms:
        needle = terms.lower()
        rows = [r for r in rows if any(needle in str(v).lower() for v in r.values())]
    return {"total": len(rows), "data": page_slice(rows, page, pageSize, first_page=0)}


@query.field("connectorConfigurations")
@requires(EXPORT_TARGETS)
def _connector_configurations(
    _obj: Any,
    info: Info,
    *,
    searchName: str | None = None,
    itemsPerPage: int | None = None,
    pageNo: int | None = None,
    sortBy: str | None = None,
    sortDirection: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    items = [t for t in consume.export_targets(ctx(info).store) if matches_search(t["accountDisplay"], searchName)]
    wanted = (status or "All").lower()
    if wanted in {"active", "inactive"}:
        items = [t for t in items if t["active"] == (wanted == "active")]
    items = sort_items(items, sortBy, sortDirection, default=lambda t: t["createdAt"])
    return {"total": len(items), "configurations": page_slice(items, pageNo, itemsPerPage, first_page=1)}


@query.field("connectorConfiguration")
@requires(EXPORT_TARGETS)
def _connector_configuration(_obj: Any, info: Info, id: object = None) -> dict[str, Any]:
    return get_provider_definition(ctx(info).store, id)


@query.field("connectors")
@requires(EXPORT_TARGETS)
def _connectors(_obj: Any, info: Info) -> list[dict[str, Any]]:
    return list(ctx(info).store.connectors.values())


# ---------------------------------------------------------------------- mutations


@mutation.field("createDataSourceSet")
@requires(GROUPS, write=True)
def _create_data_source_set(_obj: Any, info: Info, dataSourceSet: dict[str, Any] | None = None) -> int:
    context = ctx(info)
    spec = dataSourceSet or {}
    group = inbound.create_data_source_set(context.store, spec.get("name"), author_id(context, spec.get("author")))
    return int(group["id"])


@mutation.field("createDataSource")
@requires(GROUPS, write=True)
def _create_data_source(
    _obj: Any, info: Info, dataSourceSetId: object = None, dataSource: dict[str, Any] | None = None
) -> dict[str, Any]:
    context = ctx(info)
    author = author_id(context, (dataSource or {}).get("author"))
    return inbound.create_data_source(context.store, dataSourceSetId, dataSource, author)


@mutation.field("createDataSets")
@requires(GROUPS, write=True)
def _create_data_sets(
    _obj: Any,
    info: Info,
    dataSourceId: object = None,
    dataSets: list[dict[str, Any] | None] | None = None,
    existingAnnotationId: object = None,
    existingDataSetId: object = None,
) -> list[dict[str, Any]]:
    context = ctx(info)
    first = next((d for d in dataSets or [] if d), {})
    author = author_id(context, first.get("author"))
    return inbound.create_data_sets(
        context.store,
        dataSourceId,
        dataSets,
        author,
        existing_annotation_id=existingAnnotationId,
        existing_data_set_id=existingDataSetId,
    )


@mutation.field("saveDataSet")
@requires(GROUPS, write=True)
def _save_data_set(_obj: Any, info: Info, dataSet: dict[str, Any] | None = None) -> dict[str, Any]:
    return inbound.save_data_set(ctx(info).store, dataSet, ctx(info).user_id)


@mutation.field("modifyDataSetAutoSubmit")
@requires(GROUPS, write=True)
def _modify_auto_submit(_obj: Any, info: Info, dataSetId: object, autoSubmit: bool | None = None) -> bool:
    inbound.set_auto_submit(ctx(info).store, dataSetId, bool(autoSubmit), ctx(info).user_id)
    return True


@mutation.field("commitDataSet")
@requires(GROUPS, write=True)
def _commit_data_set(_obj: Any, info: Info, dataSetId: object = None, purgeQuarantine: bool | None = None) -> bool:
    processing.process_data_set(ctx(info).store, dataSetId, ctx(info).user_id)
    return True


@mutation.field("addAnnotationMappingToDataSet")
@mutation.field("updateAnnotationMappingInDataSet")
@requires(ANNOTATION, write=True)
def _set_field_mappings(
    _obj: Any, info: Info, dataSetId: object = None, fieldMappings: list[Any] | None = None
) -> bool:
    return mapping.set_field_mappings(ctx(info).store, dataSetId, fieldMappings, ctx(info).user_id)


@mutation.field("deleteAnnotationMappingInDataSet")
@requires(ANNOTATION, write=True)
def _delete_field_mapping(_obj: Any, info: Info, dataSetId: object = None, propertyId: object = None) -> bool:
    return mapping.delete_field_mapping(ctx(info).store, dataSetId, propertyId, ctx(info).user_id)


@mutation.field("createConnection")
@requires(EXPORT_TARGETS, write=True)
def _create_connection(
    _obj: Any,
    info: Info,
    connectorId: object = None,
    authInfo: object = None,
    accountDisplay: str | None = None,
) -> dict[str, Any]:
    return consume.create_export_target(ctx(info).store, connectorId, authInfo, accountDisplay, ctx(info).user_id)


@mutation.field("saveConnectorConfiguration")
@requires(EXPORT_TARGETS, write=True)
def _save_connector_configuration(
    _obj: Any, info: Info, connectorConfiguration: dict[str, Any] | None = None
) -> dict[str, Any]:
    return consume.save_export_target(ctx(info).store, connectorConfiguration, ctx(info).user_id)


@mutation.field("testConnection")
@requires(EXPORT_TARGETS, write=True)
def _test_connection(_obj: Any, info: Info, providerId: object = None, connection: object = None) -> dict[str, Any]:
    store = ctx(info).store
    known = str(providerId) in store.connectors or str(providerId) in store.provider_definitions
    if not known:
        return {"success": False, "errorMessage": f"unknown provider '{providerId}'"}
    if connection is not None and not isinstance(connection, dict):
        return {"success": False, "errorMessage": "connection must be a JSON object"}
    return {"success": True, "errorMessage": None}


@mutation.field("saveDataBaseConfigurationForDataSource")
@requires(GROUPS, write=True)
def _save_database_configuration(_obj: Any, info: Info, id: object, configuration: object = None) -> bool:
    """A JSON scalar result; `true` is a guess."""
    inbound.save_database_configuration(ctx(info).store, id, configuration, ctx(info).user_id)
    return True


@mutation.field("grantUsersPermission")
@requires(EXPORT_TARGETS, write=True)
def _grant_users_permission(
    _obj: Any, info: Info, connectorId: object = None, userIds: list[object] | None = None
) -> dict[str, Any]:
    return grant_users(ctx(info).store, connectorId, [u for u in userIds or [] if u is not None], ctx(info).user_id)


# ---------------------------------------------------------------------- object fields


@data_source.field("sql")
def _source_sql(obj: dict[str, Any], _info: Info) -> dict[str, Any] | None:
    """A SQL data source's connection without its password (the Toolkit re-sends `password: null` on import)."""
    sql = obj.get("sql")
    return {k: v for k, v in sql.items() if k.lower() != "password"} if isinstance(sql, dict) else None


@data_source_set.field("dataSources")
def _group_sources(obj: dict[str, Any], info: Info) -> list[dict[str, Any]]:
    sources = ctx(info).store.data_sources
    return [sources[i] for i in obj["dataSourceIds"] if i in sources]


@data_source.field("dataSourceSet")
def _source_group(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return ctx(info).store.data_source_sets.get(obj["dataSourceSetId"])


@data_source.field("dataSets")
def _source_sets(obj: dict[str, Any], info: Info) -> list[dict[str, Any]]:
    data_sets = ctx(info).store.data_sets
    return [data_sets[i] for i in obj["dataSetIds"] if i in data_sets]


@data_source.field("connectorConfiguration")
def _source_configuration(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return ctx(info).store.provider_definitions.get(obj["connectorConfigurationId"])


@data_set.field("annotation")
def _set_annotation(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    ident = obj.get("annotationId")
    return ctx(info).store.annotations.get(ident) if ident is not None else None


@data_set.field("dataSource")
def _set_source(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return ctx(info).store.data_sources.get(obj["dataSourceId"])


for _type in (data_source_set, data_source, data_set):
    _type.set_field("author", resolve_author)
data_set.set_field("isOwner", resolve_is_owner)

BINDABLES = [query, mutation, data_source_set, data_source, data_set]
