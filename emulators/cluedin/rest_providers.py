"""REST routes for configured providers (crawlers, enrichers, data sources, export targets) and enrichers.

Routes and parameters from CluedIn's Swagger (`Configuration`, `OrganizationProviders`, `Enricher` controllers)
and Postman collection; Swagger gives no response schemas for most of them, so each answer is the
`ProviderDefinition` fields Swagger does list, plus `name`/`type`/`entityType` so a client can tell a crawler
from an enricher without the unpublished `IntegrationType` enum **(guess: shape)**.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from emulators.cluedin import providers
from emulators.cluedin.auth import Principal
from emulators.cluedin.golden import enrich_entities
from emulators.cluedin.inbound import ENDPOINT_PROVIDER_ID
from emulators.cluedin.rest import bool_param, paged, rest
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, matches_search, new_guid, parse_guid

VIEW_KEYS = (
    "id", "providerId", "name", "accountDisplay", "accountId", "active", "autoSync", "createdDate", "userId",
    "userName", "entityType", "sourceQuality", "source", "failingAuthentication", "createdAt", "updatedAt",
)  # fmt: skip


def provider_view(record: dict[str, Any], organization_id: str | None = None) -> dict[str, Any]:
    """A configured provider as the configuration/providers routes list it (Swagger `ProviderDefinition` fields)."""
    return {
        **{k: record.get(k) for k in VIEW_KEYS},
        "organizationId": organization_id,
        "type": record["kind"],
        "isEnabled": record["active"],
        "approved": not record.get("isUnApproved", False),
        "authType": None,
        "schedule": None,
        "planLevel": None,
        "lastAuthenticationError": None,
        "webHooks": record.get("webhooks"),
        "agentId": None,
        "agentGroupId": None,
        "lastCrawlFinishTime": record.get("lastCrawlFinishTime"),
        "lastJobRunId": record.get("lastJobRunId"),
    }


def _view(store: CluedInStore, record: dict[str, Any]) -> dict[str, Any]:
    return provider_view(record, store.org["id"])


async def _providers(request: Request, store: CluedInStore, *, active: bool | None) -> Any:
    wanted = request.query_params.get("id")
    items = [r for r in store.provider_definitions.values() if active is None or r["active"] == active]
    if wanted:
        found = next((r for r in items if r["id"] == parse_guid(wanted, "Provider")), None)
        if found is None:
            raise NotFoundError("Provider", wanted)
        return _view(store, found)
    return [_view(store, r) for r in items]


async def active_providers(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET configuration/providers[?id=]`: active configured providers."""
    return await _providers(request, store, active=True)


async def inactive_providers(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET configuration/inactiveproviders[?id=]`: paused providers."""
    return await _providers(request, store, active=False)


async def all_providers(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET organization/providers`: every configured provider."""
    return await _providers(request, store, active=None)


async def provider_count(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET configuration/providers/count?status&searchName&includeTypes&excludeTypes`: how many match (a number)."""
    query = request.query_params
    include = {t for raw in query.getlist("includeTypes") for t in raw.split(",") if t}
    exclude = {t for raw in query.getlist("excludeTypes") for t in raw.split(",") if t}
    status = (query.get("status") or "").lower()
    items = [
        r
        for r in store.provider_definitions.values()
        if matches_search(r["accountDisplay"], query.get("searchName"))
        and (not include or r["kind"] in include)
        and r["kind"] not in exclude
        and (status not in {"active", "inactive"} or r["active"] == (status == "active"))
    ]
    return len(items)


async def provider_history(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET configuration/providers/history?id&take&page`: the provider's audit entries, newest first (guess)."""
    record = providers.get_provider_definition(store, request.query_params.get("id"))
    entries = [e for e in reversed(store.audit_log) if e["objectId"] == record["id"]]
    return paged(entries, request)


async def provider_list(_request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET configuration/providerlist`: the catalogue of provider types that can be configured."""
    endpoint = {"id": ENDPOINT_PROVIDER_ID, "name": "Ingestion Endpoint", "type": "DataSource"}
    connectors = [{"id": c["id"], "name": c["name"], "type": "Connector"} for c in store.connectors.values()]
    return [endpoint, *providers.PROVIDER_TYPES, *connectors]


async def pause_play_provider(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`PUT organization/providers?id&active`: pause or resume a provider."""
    active = bool_param(request, "active")
    if active is None:
        raise EmulatorError("query parameter active is required")
    record = providers.set_provider_active(store, request.query_params.get("id"), active, principal.user_id)
    return _view(store, record)


# ---------------------------------------------------------------------- enrichers


def _enricher(store: CluedInStore, ident: str) -> dict[str, Any]:
    record = store.provider_definitions.get(parse_guid(ident, "Enricher"))
    if record is None or record["kind"] != "Enricher":
        raise NotFoundError("Enricher", ident)
    return record


async def enrichers(_request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET integration/enricher/all`: enricher types with their configured instances."""
    configured = [r for r in store.provider_definitions.values() if r["kind"] == "Enricher"]
    return [
        {**t, "isEnabled": True, "configured": [_view(store, r) for r in configured if r["providerId"] == t["id"]]}
        for t in providers.PROVIDER_TYPES
        if t["type"] == "Enricher"
    ]


async def enricher(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET integration/enricher/{id}`: a configured enricher (or an enricher type) by id."""
    ident = parse_guid(request.path_params["id"], "Enricher")
    record = store.provider_definitions.get(ident)
    if record is not None and record["kind"] == "Enricher":
        return _view(store, record)
    found = next((t for t in providers.PROVIDER_TYPES if t["id"] == ident and t["type"] == "Enricher"), None)
    if found is None:
        raise NotFoundError("Enricher", ident)
    return {**found, "isEnabled": True}


async def enricher_details(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET integration/enricher/{id}/details`: the enricher with what it adds (guess: shape)."""
    record = _enricher(store, request.path_params["id"])
    enriched = sum(1 for e in store.entities.values() if record["id"] in e["providerDefinitionIds"])
    return {**_view(store, record), "properties": sorted(record["enrichedProperties"]), "enrichedEntities": enriched}


async def active_jobs(request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET integration/enricher/{providerDefinitionId}/activeJobs`: none — enrichment runs at once here."""
    _enricher(store, request.path_params["providerDefinitionId"])
    return []


async def enrich(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`POST integration/enricher/{providerDefinitionId}/enrich`: enrich every record of its type again.

    Answers Swagger's `TriggerEnrichmentResponse{jobId}`; records that arrived since the enricher was added get
    its properties (and a data part in their history).
    """
    record = _enricher(store, request.path_params["providerDefinitionId"])
    enrich_entities(store, record, dict(record["enrichedProperties"]), principal.user_id)
    store.version += 1
    return {"jobId": new_guid()}


async def delete_enricher(request: Request, store: CluedInStore, principal: Principal) -> Any:
    """`DELETE integration/enricher/{providerDefinitionId}/delete`: remove it and what it contributed."""
    record = _enricher(store, request.path_params["providerDefinitionId"])
    providers.remove_provider(store, record["id"], principal.user_id)
    return {"success": True}


async def connectors_all(_request: Request, store: CluedInStore, _p: Principal) -> Any:
    """`GET integration/connector/all`: installed connector and provider types."""
    return [*store.connectors.values(), *providers.PROVIDER_TYPES]


def provider_routes() -> list[BaseRoute]:
    """Provider, enricher and connector routes (specific paths before `{id}` ones)."""
    table: list[BaseRoute] = []
    table += rest("configuration/providers/count", ["GET"], provider_count)
    table += rest("configuration/providers/history", ["GET"], provider_history)
    table += rest("configuration/providers", ["GET"], active_providers)
    table += rest("configuration/inactiveproviders", ["GET"], inactive_providers)
    table += rest("configuration/providerlist", ["GET"], provider_list)
    table += rest("organization/providers", ["GET"], all_providers)
    table += rest("organization/providers", ["PUT"], pause_play_provider)
    table += rest("integration/enricher/all", ["GET"], enrichers)
    table += rest("integration/enricher/{providerDefinitionId}/activeJobs", ["GET"], active_jobs)
    table += rest("integration/enricher/{providerDefinitionId}/enrich", ["POST"], enrich)
    table += rest("integration/enricher/{providerDefinitionId}/delete", ["DELETE"], delete_enricher)
    table += rest("integration/enricher/{id}/details", ["GET"], enricher_details)
    table += rest("integration/enricher/{id}", ["GET"], enricher)
    table += rest("integration/connector/all", ["GET"], connectors_all)
    return table
