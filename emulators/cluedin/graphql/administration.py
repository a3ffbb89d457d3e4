"""Resolvers for `administration` (me, organization, settings, tokens, users) and `preparation` (annotations)."""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from emulators.cluedin import mapping
from emulators.cluedin.graphql.context import Info, RequestContext, ctx, requires
from emulators.cluedin.util import EmulatorError, NotFoundError, page_slice, parse_guid

TENANT = "admin.tenantmanagement"
API_TOKENS = "admin.apitokens"
ANNOTATION = "management.annotation"
FEATURES = (
    ("Purview", "Microsoft Purview integration"),
    ("SchemaDrift", "Schema protection for ingestion endpoints"),
    ("DataSetBridgeMode", "Bridge mode for ingestion endpoints"),
)

admin_query = ObjectType("AdministrationQuery")
admin_mutation = ObjectType("AdministrationMutation")
prep_query = ObjectType("PreparationQuery")
prep_mutation = ObjectType("PreparationMutation")
annotation = ObjectType("Annotation")
annotation_property = ObjectType("AnnotationProperty")


# ---------------------------------------------------------------------- administration


@admin_query.field("me")
def _me(_obj: Any, info: Info) -> dict[str, Any]:
    context = ctx(info)
    user, org = context.principal.user, context.store.org
    return {
        "client": {
            "id": user["id"],
            "username": user["username"],
            "email": user["username"],
            "roles": user["roles"],
            "clientId": org["name"],
            "organizationId": org["id"],
            "organizationName": org["name"],
        },
        "entity": {"id": user["entityId"], "name": user["username"], "entityType": "/Infrastructure/User"},
    }


@admin_query.field("organization")
def _organization(_obj: Any, info: Info) -> dict[str, Any]:
    org = ctx(info).store.org
    return {
        "Id": org["id"],
        "ClientId": org["name"],
        "OrganizationName": org["displayName"],
        "Description": None,
        "Domain": None,
        "AllowEmailDomainSignup": False,
        "Theme": "default",
    }


def _check_org(context: RequestContext, ident: object) -> None:
    if parse_guid(ident, "Organization") != context.store.org["id"]:
        raise NotFoundError("Organization", ident)


@admin_query.field("configurationSettings")
@requires(TENANT)
def _configuration_settings(
    _obj: Any, info: Info, id: object, includeHiddenFromUi: bool | None = None
) -> dict[str, Any]:
    _check_org(ctx(info), id)
    return dict(ctx(info).store.settings)


@admin_query.field("apiTokens")
@requires(API_TOKENS)
def _api_tokens(_obj: Any, info: Info) -> list[dict[str, Any]]:
    context = ctx(info)
    return [_token_view(context, t) for t in context.store.api_tokens.values()]


def _token_view(context: RequestContext, token: dict[str, Any]) -> dict[str, Any]:
    days = max(0, int((token["expiresAtEpoch"] - context.store.clock.epoch()) // 86400))
    return {**token, "expiresInDays": days}


@admin_query.field("users")
@requires(TENANT)
def _users(_obj: Any, info: Info) -> list[dict[str, Any]]:
    return [
        {
            "id": u["id"],
            "roles": u["roles"],
            "logoUrl": None,
            "accountId": u["id"],
            "entityId": u["entityId"],
            "lockoutEnabled": not u.get("active", True),
            "Account": {"Id": u["id"], "UserName": u["username"], "Email": u["username"]},
            "Entity": {"Id": u["entityId"], "Name": u["username"], "EntityType": "/Infrastructure/User"},
        }
        for u in ctx(info).store.users.values()
    ]


@admin_query.field("organizationFeatures")
def _features(_obj: Any, _info: Info) -> list[dict[str, Any]]:
    return [
        {
            "id": n,
            "name": n,
            "displayName": n,
            "description": d,
            "status": "Enabled",
            "isEnabled": True,
            "isTrial": False,
        }
        for n, d in FEATURES
    ]


@admin_mutation.field("createToken")
@requires(API_TOKENS, write=True)
def _create_token(_obj: Any, info: Info, token: dict[str, Any]) -> dict[str, Any]:
    context = ctx(info)
    created = context.auth.create_api_token(
        context.principal.user, token.get("name"), token.get("expiredInHours"), context.issuer
    )
    return _token_view(context, created)


@admin_mutation.field("changeConfigurationSettings")
@requires(TENANT, write=True)
def _change_setting(_obj: Any, info: Info, organizationId: object, key: str, value: str) -> bool:
    _check_org(ctx(info), organizationId)
    if not key.strip():
        raise EmulatorError("key must not be empty")
    ctx(info).store.settings[key] = value
    ctx(info).store.version += 1
    return True


@admin_mutation.field("updateConfigurationSettings")
@requires(TENANT, write=True)
def _update_settings(_obj: Any, info: Info, organizationId: object, model: dict[str, Any]) -> dict[str, Any]:
    _check_org(ctx(info), organizationId)
    settings = ctx(info).store.settings
    errors = []
    for item in model.get("settings") or []:
        key = (item or {}).get("configurationKey")
        if not key:
            errors.append({"groupName": "settings", "messages": ["configurationKey is required"], "keys": []})
        elif item.get("useDefault"):
            settings.pop(key, None)
        else:
            settings[key] = item.get("value")
    ctx(info).store.version += 1
    return {"errors": errors}


# ---------------------------------------------------------------------- preparation


@prep_query.field("annotation")
@requires(ANNOTATION)
def _annotation(_obj: Any, info: Info, id: object = None) -> dict[str, Any]:
    return mapping.get_annotation(ctx(info).store, id)


@prep_query.field("annotations")
@requires(ANNOTATION)
def _annotations(_obj: Any, info: Info, pageSize: int | None = None, page: int | None = None) -> dict[str, Any]:
    items = list(ctx(info).store.annotations.values())
    return {"total": len(items), "data": page_slice(items, page, pageSize, first_page=0)}


@prep_query.field("getAnnotationSubmissions")
@requires(ANNOTATION)
def _submissions(_obj: Any, info: Info, **args: Any) -> dict[str, Any]:
    items = list(ctx(info).store.submissions.values())
    if args.get("dataSetId"):
        data_set_id = parse_guid(args["dataSetId"], "DataSet")
        items = [s for s in items if s["dataSetId"] == data_set_id]
    if args.get("id") not in (None, ""):
        annotation_id = mapping.get_annotation(ctx(info).store, args["id"])["id"]
        items = [s for s in items if s["annotationId"] == annotation_id]
    items.reverse()
    return {"total": len(items), "data": page_slice(items, args.get("page"), args.get("pageSize"), first_page=0)}


@prep_mutation.field("modifyAnnotation")
@requires(ANNOTATION, write=True)
def _modify_annotation(_obj: Any, info: Info, annotation: dict[str, Any] | None = None) -> bool:
    mapping.modify_annotation(ctx(info).store, annotation, ctx(info).user_id)
    return True


@annotation.field("author")
def _annotation_author(obj: dict[str, Any], _info: Info) -> Any:
    return obj.get("authorId")


@annotation.field("vocabulary")
def _annotation_vocabulary(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return ctx(info).store.vocabularies.get(obj.get("vocabularyId") or "")


@annotation_property.field("vocabularyKey")
def _property_key(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return ctx(info).store.vocabulary_keys.get(obj.get("vocabularyKeyId") or "")


BINDABLES = [admin_query, admin_mutation, prep_query, prep_mutation, annotation, annotation_property]
