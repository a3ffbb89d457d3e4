"""Resolvers for types several namespaces return (users, connector configurations) and the namespace roots.

CluedIn nests every UI field under a namespace (`inbound { ... }`), each with an `id`; the namespace objects carry
no data, so their resolvers just return a marker.
"""

from __future__ import annotations

from typing import Any

from ariadne import MutationType, ObjectType, QueryType, ScalarType

from emulators.cluedin.graphql.context import Info, RequestContext, ctx
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError

NAMESPACES = ("administration", "inbound", "management", "preparation", "consume")

query = QueryType()
mutation = MutationType()
connector_configuration = ObjectType("ConnectorConfiguration")
json_scalar = ScalarType("JSON")
long_scalar = ScalarType("Long")


def _namespace(name: str) -> Any:
    def resolve(_obj: Any, _info: Info) -> dict[str, str]:
        return {"id": name}

    return resolve


for _name in NAMESPACES:
    query.set_field(_name, _namespace(_name))
    mutation.set_field(_name, _namespace(_name))


@json_scalar.serializer
def _serialize_json(value: Any) -> Any:
    return value


@json_scalar.value_parser
def _parse_json(value: Any) -> Any:
    return value


@long_scalar.serializer
def _serialize_long(value: Any) -> int:
    return int(value)


@long_scalar.value_parser
def _parse_long(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"Long cannot represent {value!r}")
    return int(value)


def user_ref(store: CluedInStore, user_id: object) -> dict[str, Any] | None:
    """The `{id username email roles}` shape CluedIn returns for authors and owners."""
    user = store.users.get(str(user_id)) if user_id else None
    if user is None:
        return None
    return {"id": user["id"], "username": user["username"], "email": user["username"], "roles": user["roles"]}


def resolve_author(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    """`author { id username }` of any stored object (its `authorId`)."""
    return user_ref(ctx(info).store, obj.get("authorId"))


def resolve_is_owner(obj: dict[str, Any], info: Info) -> bool:
    """`isOwner`: whether the caller created the object."""
    return bool(obj.get("authorId") == ctx(info).user_id)


def author_id(context: RequestContext, given: object) -> str:
    """The author of a create mutation: the `author` argument when it names a user, else the caller."""
    if given in (None, ""):
        return context.user_id
    if str(given) not in context.store.users:
        raise EmulatorError(f"author '{given}' is not a user of this organization")
    return str(given)


@connector_configuration.field("connector")
def _resolve_connector(obj: dict[str, Any], info: Info) -> dict[str, Any]:
    connector = ctx(info).store.connectors.get(obj["providerId"])
    if connector is not None:
        return connector
    return {"id": obj["providerId"], "name": obj["name"], "type": obj["kind"], "icon": None, "streamModes": []}


@connector_configuration.field("connectorStatus")
def _resolve_connector_status(obj: dict[str, Any], _info: Info) -> dict[str, Any]:
    return {
        "status": "Active" if obj["active"] else "Inactive",
        "connectorStatusDetails": [{"providerDefinitionId": obj["id"], "hasError": False, "errorMessage": None}],
    }


@connector_configuration.field("users")
def _resolve_connector_users(obj: dict[str, Any], info: Info) -> list[dict[str, Any]]:
    """The owner and every user granted access (`grantUsersPermission`)."""
    ids = dict.fromkeys([obj.get("authorId"), *obj.get("userIds", [])])
    return [u for u in (user_ref(ctx(info).store, i) for i in ids) if u]


@connector_configuration.field("permissions")
def _resolve_connector_permissions(_obj: dict[str, Any], _info: Info) -> list[dict[str, Any]]:
    return []


connector_configuration.set_field("isOwner", resolve_is_owner)

BINDABLES = [query, mutation, connector_configuration, json_scalar, long_scalar]
