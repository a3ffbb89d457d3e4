"""REST routes about golden records: the record, its history and sources, its edges, the schema, rule operators.

History routes follow Swagger (`EntityHistory`, `EntityHistoryItem` under `/api/v1/entity/history*`; the newer
`/api/entityhistory/*` and `/api/entitysource/{id}` have no response schema, so they reuse those shapes — a guess).
`entity?id=` and `entity/schema` answer in the shapes the `cluedin-client` reads (`{entity: {attribute-id,
processedData}}`; `VocabularyKeyResponse` rows); `entityedges?id=` likewise.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from emulators.cluedin import edges, history, rules
from emulators.cluedin.auth import Principal
from emulators.cluedin.rest import rest
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, iso_to_datetime, parse_guid

APP_VERSION = "2.17.0.0"
"""`attribute-appVersion` of CluedIn's clue samples (documentation, "Clue reference")."""


def _entity(store: CluedInStore, ident: object) -> dict[str, Any]:
    entity = store.entities.get(parse_guid(ident, "Entity"))
    if entity is None:
        raise NotFoundError("Entity", ident)
    return entity


def _keys(request: Request) -> set[str]:
    return {k.strip() for raw in request.query_params.getlist("keys") for k in raw.split(",") if k.strip()}


def _between(request: Request, parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = parts
    for name, later in (("dateFrom", True), ("dateTo", False)):
        raw = request.query_params.get(name)
        if not raw:
            continue
        try:
            bound = iso_to_datetime(raw)
        except ValueError:
            raise EmulatorError(f"{name} must be an ISO-8601 date-time, got {raw!r}") from None
        found = [p for p in found if (iso_to_datetime(p["changedAt"]) >= bound) == later]
    source_name = request.query_params.get("sourceName")
    if source_name:
        found = [p for p in found if str(p["sourceName"]).lower() == source_name.lower()]
    return found


def _part(entity: dict[str, Any], part_id: object) -> dict[str, Any]:
    wanted = str(part_id)
    found: dict[str, Any] | None = next((p for p in entity.get("history", []) if p["partId"] == wanted), None)
    if found is None:
        raise NotFoundError("DataPart", part_id)
    return found


async def entity_view(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET entity?id=&full=true`: the golden record as CluedIn's entity model (`processedData`)."""
    entity = _entity(store, request.query_params.get("id"))
    outgoing = [
        {"attribute-from": f"C:{entity['originEntityCode']}", "attribute-type": link["edgeType"],
         "attribute-to": f"C:{link['other']['originEntityCode']}"}
        for link in edges.links(store, entity) if link["direction"] == "Outgoing"
    ]  # fmt: skip
    processed = {
        "name": entity["name"],
        "description": entity["description"],
        "entityType": entity["entityType"],
        "attribute-origin": entity["originEntityCode"],
        "attribute-appVersion": APP_VERSION,
        "codes": list(entity["codes"]),
        "aliases": list(entity.get("aliases", [])),
        "tags": list(entity["tags"]),
        "edges": {"outgoing": outgoing},
        "properties": dict(entity["properties"]),
        "createdDate": entity["createdDate"],
        "modifiedDate": entity["modifiedDate"],
        "discoveryDate": entity["discoveryDate"],
        "sortDate": entity["sortDate"],
        "isShadowEntity": "False",
    }
    return {"entity": {"attribute-id": entity["id"], "attribute-origin": entity["originEntityCode"],
                       "attribute-appVersion": APP_VERSION, "processedData": processed}}  # fmt: skip


async def entity_schema(_request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET entity/schema`: every vocabulary key (what the SDK's `vocab.get_vocab_keys` returns)."""
    rows = []
    for key in store.vocabulary_keys.values():
        vocabulary = store.vocabularies.get(key["vocabularyId"]) or {}
        mapped = store.vocabulary_keys.get(key.get("mapsToOtherKeyId") or "") or {}
        rows.append(
            {
                "Key": key["key"],
                "VocabularyName": vocabulary.get("vocabularyName"),
                "DisplayName": key["displayName"],
                "ShowInApplication": bool(key.get("isVisible", True)),
                "Visibility": "Visible" if key.get("isVisible", True) else "Hidden",
                "DataType": key["dataType"],
                "Grouping": key.get("groupName"),
                "VocabularySource": "Custom" if not vocabulary.get("isCluedInCore") else "Core",
                "Editable": True,
                "Removable": True,
                "PersonallyIdentifying": False,
                "UsedInProcessing": True,
                "IsCore": bool(vocabulary.get("isCluedInCore")),
                "MapsToOtherKey": mapped.get("key"),
            }
        )
    return rows


async def entity_history(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET entity/history?id=` and `entity/historysummary?id&dateFrom&dateTo`: data parts by day."""
    entity = _entity(store, request.query_params.get("id"))
    return history.entity_history(_between(request, entity.get("history", [])))


async def entity_history_details(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET entity/historydetails?id=&partId=`: what one data part changed."""
    entity = _entity(store, request.query_params.get("id"))
    return history.details(_part(entity, request.query_params.get("partId")))


async def history_by_id(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET entityhistory/{id}` and `entityhistory/summary/{id}?sourceName&dateFrom&dateTo`."""
    entity = _entity(store, request.path_params["id"])
    return history.entity_history(_between(request, entity.get("history", [])))


async def history_list(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET entityhistory/list/{id}?sourceName&origin&keys&includeDetail`: data parts, newest first."""
    entity = _entity(store, request.path_params["id"])
    keys = _keys(request)
    origin = request.query_params.get("origin")
    parts = [
        p for p in _between(request, entity.get("history", [])) if not origin or origin == p["providerDefinitionId"]
    ]
    if keys:
        parts = [p for p in parts if any(i["property"] in keys for i in p["items"])]
    detail = str(request.query_params.get("includeDetail") or "").lower() == "true"
    result = []
    for part in sorted(parts, key=lambda p: str(p["changedAt"]), reverse=True):
        row = history.source_set(part)
        if detail:
            row["details"] = history.details(part, keys or None)
        result.append(row)
    return result


async def history_details(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET entityhistory/details/{id}/{partId}?keys`."""
    entity = _entity(store, request.path_params["id"])
    return history.details(_part(entity, request.path_params["partId"]), _keys(request) or None)


async def changed_keys(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET entityhistory/{id}/changedkeys`."""
    return history.changed_keys(_entity(store, request.path_params["id"]).get("history", []))


async def entity_sources(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET entitysource/{id}`: the providers contributing to a golden record and the properties each holds."""
    entity = _entity(store, request.path_params["id"])
    return history.sources(entity, entity.get("history", []))


async def entity_edges(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET entityedges?id=`: the record's relations."""
    return edges.summary(store, _entity(store, request.query_params.get("id")))


async def rule_operators(_request: Request, _store: CluedInStore, _p: Principal) -> Any:
    """`GET rules/operators`: `RuleOperatorModel` per operator id (the same map as GraphQL `ruleOperators`)."""
    return rules.operator_models()


def entity_routes() -> list[BaseRoute]:
    """Golden-record routes (specific paths before `{id}` ones)."""
    table: list[BaseRoute] = []
    table += rest("entity/schema", ["GET"], entity_schema)
    table += rest("entity/history", ["GET"], entity_history)
    table += rest("entity/historysummary", ["GET"], entity_history)
    table += rest("entity/historydetails", ["GET"], entity_history_details)
    table += rest("entity", ["GET"], entity_view)
    table += rest("entityhistory/summary/{id}", ["GET"], history_by_id)
    table += rest("entityhistory/list/{id}", ["GET"], history_list)
    table += rest("entityhistory/details/{id}/{partId}", ["GET"], history_details)
    table += rest("entityhistory/{id}/changedkeys", ["GET"], changed_keys)
    table += rest("entityhistory/{id}", ["GET"], history_by_id)
    table += rest("entitysource/{id}", ["GET"], entity_sources)
    table += rest("entityedges", ["GET"], entity_edges)
    table += rest("rules/operators", ["GET"], rule_operators)
    return table
