"""CluedIn reads for crawler and enricher lineage (F9): configured providers, used entity types, provenance.

Which provider contributed which property is not configuration: CluedIn's integration finds it by reading the
history of a sample of golden records per entity type ("Sync CluedIn Organization Providers Query Entity Type
Sample Size" / "… Query Sample Size Per Entity Type", reference cluedin.md §1.2 F9). Here: the used entity types
are listed once (at most `T`); per entity type one search finds up to `S` golden records the given providers
contributed to (the documented `providerDefinitionIds_v2` filter), and each record's history (one call, the data
parts with their changed properties) says which provider brought which vocabulary keys.

Reads per scan ≤ 1 (entity types) + T * ceil(S / 500) (searches) + T * S (histories).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sync.core.telemetry import counted_by_caller
from sync.services.cluedin.client import CluedInClient

SEARCH_PAGE_SIZE = 500
HISTORY_WORKERS = 4
"""History reads in flight at once (the client's rate limiter still caps the rate)."""
CONTRIBUTING_KINDS = ("Crawler", "Enricher")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class ProviderFacts:
    """A configured provider (provider definition): a crawler, an enricher, a data source or an export target."""

    id: str
    name: str
    account_display: str
    kind: str
    """`Crawler`, `Enricher`, `DataSource`, `ExportTarget`, or '' when CluedIn did not say."""
    provider_type: str = ""
    """The installed provider's id (`providerId`)."""
    active: bool = True
    updated_at: str = ""

    @property
    def display(self) -> str:
        """How the product names a provider in Purview: its account display, else its name."""
        return self.account_display or self.name or self.id


def list_providers(cluedin: CluedInClient) -> list[ProviderFacts]:
    """Every configured provider, active or paused (`GET /api/v1/organization/providers`, one call).

    CluedIn does not publish the `IntegrationType` enum; a provider whose answer has no `type` is an enricher
    when the enricher catalogue (`integration/enricher/all`) lists it, else of unknown kind.
    """
    response = cluedin.ui.request(
        "GET", f"{cluedin.rest_path_prefix}/v1/organization/providers", operation="rest:organization.providers"
    )
    body = response.json()
    items = body.get("data") if isinstance(body, dict) else body
    providers = []
    enrichers: set[str] | None = None
    for item in items or []:
        kind = _text(item.get("type"))
        if not kind:
            enrichers = _configured_enrichers(cluedin) if enrichers is None else enrichers
            kind = "Enricher" if _text(item.get("id")).lower() in enrichers else ""
        providers.append(
            ProviderFacts(
                id=_text(item.get("id")).lower(),
                name=_text(item.get("name")),
                account_display=_text(item.get("accountDisplay")).strip(),
                kind=kind,
                provider_type=_text(item.get("providerId")),
                active=item.get("active", item.get("isEnabled")) is not False,
                updated_at=_text(item.get("updatedAt")),
            )
        )
    return providers


def _configured_enrichers(cluedin: CluedInClient) -> set[str]:
    response = cluedin.ui.request(
        "GET", f"{cluedin.rest_path_prefix}/v1/integration/enricher/all", operation="rest:integration.enrichers"
    )
    ids: set[str] = set()
    for enricher in response.json() or []:
        ids |= {_text(c.get("id")).lower() for c in enricher.get("configured") or [] if isinstance(c, Mapping)}
    return ids


def used_entity_types(cluedin: CluedInClient, limit: int) -> tuple[list[str], int]:
    """The first `limit` entity types golden records use, and how many there are in all (one call)."""
    data = cluedin.graphql("entity_types_used", {"pageSize": limit})
    page = ((data or {}).get("management") or {}).get("entityTypeConfigurations") or {}
    types = [_text(t.get("entityType")) for t in page.get("data") or [] if t.get("entityType")]
    return types[:limit], int(page.get("total") or len(types))


@dataclass
class ContributionSample:
    """Provider id → the vocabulary keys its data parts changed, on the sampled records of one entity type."""

    keys: dict[str, set[str]] = field(default_factory=dict)
    records: int = 0
    searches: int = 0
    histories: int = 0


def sample_contributions(
    cluedin: CluedInClient, entity_type: str, provider_ids: Iterable[str], size: int
) -> ContributionSample:
    """Read the history of up to `size` golden records of `entity_type` the providers contributed to."""
    wanted = sorted({p.lower() for p in provider_ids})
    sample = ContributionSample()
    if not wanted or size <= 0:
        return sample
    filters = [
        {"aggregationName": "entityType", "operator": "OR", "values": [entity_type]},
        {"aggregationName": "providerDefinitionIds_v2", "operator": "OR", "values": wanted},
    ]
    records: list[str] = []
    cursor: str | None = None
    page = min(SEARCH_PAGE_SIZE, size)  # one size for every page: a cursor carries the size it was made with
    while len(records) < size:
        variables: dict[str, Any] = {"filters": filters, "pageSize": page, **({"cursor": cursor} if cursor else {})}
        result = ((cluedin.graphql("provider_sample", variables, data_api=True) or {}).get("search")) or {}
        sample.searches += 1
        entries = result.get("entries") or []
        records += [_text(e.get("id")) for e in entries[: size - len(records)] if e.get("id")]
        cursor = result.get("cursor")
        if not entries or not cursor or len(entries) < page:
            break
    sample.records = len(records)
    with ThreadPoolExecutor(max_workers=HISTORY_WORKERS) as pool:
        for parts in pool.map(counted_by_caller(lambda ident: read_history(cluedin, ident)), records):
            sample.histories += 1
            for provider_id, keys in parts.items():
                if provider_id in wanted:
                    sample.keys.setdefault(provider_id, set()).update(keys)
    return sample


def read_history(cluedin: CluedInClient, entity_id: str) -> dict[str, set[str]]:
    """Provider definition id → vocabulary keys its data parts changed on one golden record (one call).

    `GET /api/entityhistory/list/{id}?includeDetail=true`: the record's data parts, each with the provider
    definition that brought it and the properties it changed. Metadata items (the record's name) are not
    vocabulary keys, which always carry their vocabulary's prefix (`<prefix>.<key>`).
    """
    response = cluedin.ui.request(
        "GET",
        f"{cluedin.rest_path_prefix}/entityhistory/list/{quote(entity_id, safe='')}",
        params={"includeDetail": "true"},
        operation="rest:entityhistory.list",
    )
    body = response.json()
    parts = body.get("data") if isinstance(body, dict) else body
    found: dict[str, set[str]] = {}
    for part in parts or []:
        provider_id = _text(part.get("providerDefinitionId")).lower()
        if not provider_id:
            continue
        keys = {_text(d.get("property")) for d in part.get("details") or [] if "." in _text(d.get("property"))}
        found.setdefault(provider_id, set()).update(keys)
    return found
