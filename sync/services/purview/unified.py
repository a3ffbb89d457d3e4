"""Purview Unified Catalog client (data governance API, `api-version=2026-03-20-preview`).

The Unified Catalog lives under `/datagovernance/catalog` of the same Purview endpoint as the Data Map, with the
same `purview.azure.net` token scope, but it is a separate API with its own rate limit (Learn: "200 requests per
20-second window") and its own conventions, so it gets its own client, transport and limiter:

- every call carries `api-version`; lists answer `{value, nextLink?}` and are followed to the end. A `nextLink`
  is absolute and opaque and is fetched with a GET — also for `POST …/query`, exactly as the generated SDK does —
  with `api-version` added only when the link lacks it;
- status and type values come back upper-case (`PUBLISHED`) in the SDK's resource model but title-case in its
  filters and in community clients: they are compared case-insensitively here and normalised to upper case;
- 429s are retried after `Retry-After` by the shared transport, whose limiter for this API is separate from the
  Data Map's, so a busy lineage backfill never starves the catalog calls (or the other way round).

Reads return the client's own small types; only the fields the sync needs are kept (`raw` keeps the rest).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from sync.core.errors import ConflictError, NotFoundError
from sync.services.http import AuthProvider, HttpTransport, RateLimiter, RetryPolicy

UNIFIED_API_VERSION = "2026-03-20-preview"
CATALOG_PATH = "/datagovernance/catalog"
REQUESTS_PER_SECOND = 200 / 20
"""The documented limit (200 requests per 20-second window), as the client-side rate."""
QUERY_IDS_PER_CALL = 100
"""Ids sent in one `…/query` body (one page of the service's page size; keeps nextLinks short)."""

DATA_ASSET = "DATAASSET"
TERM = "TERM"
DATA_PRODUCT = "DATAPRODUCT"
RELATED = "Related"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class DataProduct:
    """A data product as lists and queries show it."""

    id: str
    name: str
    status: str
    """Upper case: DRAFT, PUBLISHED, EXPIRED."""
    type: str
    domain: str
    last_modified_at: str
    asset_count: int | None
    """`additionalProperties.assetCount` (None when the service did not say)."""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> DataProduct:
        """Parse a product record."""
        extra = body.get("additionalProperties") or {}
        count = extra.get("assetCount") if isinstance(extra, Mapping) else None
        return cls(
            id=_text(body.get("id")).lower(),
            name=_text(body.get("name")),
            status=_text(body.get("status")).upper(),
            type=_text(body.get("type")),
            domain=_text(body.get("domain")).lower(),
            last_modified_at=_text((body.get("systemData") or {}).get("lastModifiedAt")),
            asset_count=int(count) if isinstance(count, int | float) and not isinstance(count, bool) else None,
            raw=dict(body),
        )


@dataclass(frozen=True)
class CatalogTerm:
    """A glossary term of the Unified Catalog."""

    id: str
    name: str
    domain: str
    status: str

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> CatalogTerm:
        """Parse a term record."""
        return cls(
            id=_text(body.get("id")).lower(),
            name=_text(body.get("name")),
            domain=_text(body.get("domain")).lower(),
            status=_text(body.get("status")).upper(),
        )


@dataclass(frozen=True)
class CatalogAsset:
    """A catalog data asset: its own id, and the Data Map entity it points at (`source`)."""

    id: str
    name: str
    type: str
    source_asset_id: str
    """The Data Map entity guid."""
    source_asset_type: str
    """The Data Map typeName (e.g. `azure_datalake_gen2_path`)."""
    qualified_name: str
    """`source.fqn`: the Data Map qualifiedName."""

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> CatalogAsset:
        """Parse a data asset record."""
        source = body.get("source") or {}
        return cls(
            id=_text(body.get("id")).lower(),
            name=_text(body.get("name")),
            type=_text(body.get("type")),
            source_asset_id=_text(source.get("assetId")).lower(),
            source_asset_type=_text(source.get("assetType")),
            qualified_name=_text(source.get("fqn")),
        )


@dataclass(frozen=True)
class Relationship:
    """One relationship as its owner lists it: the other end's id and the relationship type."""

    entity_id: str
    relationship_type: str
    description: str = ""

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Relationship:
        """Parse a relationship record."""
        return cls(
            entity_id=_text(body.get("entityId")).lower(),
            relationship_type=_text(body.get("relationshipType")),
            description=_text(body.get("description")),
        )


def _chunks(items: Sequence[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class UnifiedCatalogClient:
    """Calls to the Unified Catalog of one Purview endpoint."""

    def __init__(
        self,
        base_url: str,
        auth: AuthProvider,
        *,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.base_url = f"{base_url.rstrip('/')}{CATALOG_PATH}"
        self.transport = HttpTransport("unified", self.base_url, auth=auth, rate_limiter=rate_limiter, retry=retry)

    @property
    def reads(self) -> int:
        """Read requests this client has sent so far (for callers that keep to a read budget)."""
        return self.transport.stats.calls - self.transport.stats.writes

    # --- paging -------------------------------------------------------------------------------------------------
    def _pages(
        self, method: str, path: str, operation: str, *, params: Mapping[str, str] | None = None, body: Any = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Every page of a list or query, following `nextLink` with GETs until it is absent."""
        response = self.transport.request(
            method,
            path,
            params={**(params or {}), "api-version": UNIFIED_API_VERSION},
            json=body,
            idempotent=True,
            write=False,
            operation=operation,
        )
        while True:
            page = response.json() or {}
            yield [item for item in page.get("value") or [] if isinstance(item, dict)]
            link = page.get("nextLink")
            if not link:
                return
            response = self.transport.request("GET", _with_api_version(str(link)), write=False, operation=operation)

    def _all(self, method: str, path: str, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        for page in self._pages(method, path, operation, **kwargs):
            yield from page

    # --- data products ------------------------------------------------------------------------------------------
    def iter_data_products(self, ids: Sequence[str] | None = None) -> Iterator[DataProduct]:
        """Data products: every one (`GET /dataProducts`), or those with the given ids (`POST …/query`)."""
        if ids is None:
            for body in self._all("GET", "/dataProducts", "DataProducts_List"):
                yield DataProduct.from_body(body)
            return
        for chunk in _chunks(sorted({i.lower() for i in ids}), QUERY_IDS_PER_CALL):
            for body in self._all("POST", "/dataProducts/query", "DataProducts_Query", body={"ids": chunk}):
                yield DataProduct.from_body(body)

    def list_product_relationships(self, product_id: str, entity_type: str) -> list[Relationship]:
        """A product's relationships to entities of one type (`DATAASSET`, `TERM`); [] when the product is gone."""
        path = f"/dataProducts/{quote(product_id)}/relationships"
        try:
            items = list(self._all("GET", path, "DataProducts_ListRelationships", params={"entityType": entity_type}))
        except NotFoundError:
            return []
        return [Relationship.from_body(item) for item in items]

    def add_product_relationship(
        self, product_id: str, entity_type: str, entity_id: str, *, description: str = ""
    ) -> bool:
        """Relate an entity to a product (body at the root, as the service reads it). False: it already was.

        A create is not idempotent on the wire, but a duplicate answers 409, so a retry after a lost answer is
        harmless: the caller sees `False` and moves on.
        """
        try:
            self.transport.request(
                "POST",
                f"/dataProducts/{quote(product_id)}/relationships",
                params={"entityType": entity_type, "api-version": UNIFIED_API_VERSION},
                json={"entityId": entity_id, "relationshipType": RELATED, "description": description},
                idempotent=True,
                operation="DataProducts_CreateRelationship",
            )
        except ConflictError:
            return False
        return True

    # --- terms --------------------------------------------------------------------------------------------------
    def get_term(self, term_id: str) -> CatalogTerm | None:
        """One term by id, or None."""
        try:
            response = self.transport.request(
                "GET",
                f"/terms/{quote(term_id)}",
                params={"api-version": UNIFIED_API_VERSION},
                write=False,
                operation="Terms_Get",
            )
        except NotFoundError:
            return None
        return CatalogTerm.from_body(response.json() or {})

    def find_terms(self, name: str) -> list[CatalogTerm]:
        """Terms whose name is `name` (case-insensitive; one per governance domain may share it)."""
        wanted = name.strip().lower()
        found = self._all("POST", "/terms/query", "Terms_Query", body={"nameKeyword": name.strip()})
        return [t for t in map(CatalogTerm.from_body, found) if t.name.strip().lower() == wanted]

    def list_term_relationships(self, term_id: str, entity_type: str) -> list[Relationship] | None:
        """A term's related entities of one type (e.g. its data products); None when the term does not exist."""
        path = f"/terms/{quote(term_id)}/relationships"
        try:
            items = list(self._all("GET", path, "Terms_ListRelatedEntities", params={"entityType": entity_type}))
        except NotFoundError:
            return None
        return [Relationship.from_body(item) for item in items]

    # --- data assets --------------------------------------------------------------------------------------------
    def query_data_assets(
        self, *, ids: Sequence[str] | None = None, source_asset_ids: Sequence[str] | None = None
    ) -> list[CatalogAsset]:
        """Data assets by catalog id or by Data Map guid (`POST /dataAssets/query`, chunked)."""
        field_name, values = ("ids", ids) if ids is not None else ("sourceAssetIds", source_asset_ids or [])
        found: list[CatalogAsset] = []
        for chunk in _chunks(sorted({v.lower() for v in values}), QUERY_IDS_PER_CALL):
            bodies = self._all("POST", "/dataAssets/query", "DataAssets_Query", body={field_name: chunk})
            found += map(CatalogAsset.from_body, bodies)
        return found

    def create_data_asset(self, source_asset_id: str) -> CatalogAsset:
        """Register a Data Map entity as a catalog data asset (the service fills name, type, schema from it).

        Raises:
            ConflictError: the entity already is a data asset (find it with `query_data_assets`).
        """
        response = self.transport.request(
            "POST",
            "/dataAssets",
            params={"api-version": UNIFIED_API_VERSION},
            json={"source": {"type": "DataMap", "assetId": source_asset_id}},
            idempotent=False,
            operation="DataAssets_Create",
        )
        return CatalogAsset.from_body(response.json() or {})

    def ensure_data_asset(self, source_asset_id: str) -> tuple[CatalogAsset, bool]:
        """The catalog data asset of a Data Map entity, created when missing; True when this call created it.

        Looking up first and treating a 409 as "someone created it meanwhile" makes a retried or concurrent call
        end with the one asset the service allows per Data Map guid.
        """
        existing = self.query_data_assets(source_asset_ids=[source_asset_id])
        if existing:
            return existing[0], False
        try:
            return self.create_data_asset(source_asset_id), True
        except ConflictError:
            again = self.query_data_assets(source_asset_ids=[source_asset_id])
            if not again:
                raise
            return again[0], False


def _with_api_version(link: str) -> str:
    """A nextLink with `api-version` added when the service left it out (the SDK re-sets it the same way)."""
    names = {name.lower() for name, _ in parse_qsl(urlsplit(link).query, keep_blank_values=True)}
    if "api-version" in names:
        return link
    return f"{link}{'&' if urlsplit(link).query else '?'}api-version={UNIFIED_API_VERSION}"
