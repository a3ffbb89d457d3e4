"""Purview Data Map client: a thin layer over the REST API (2023-09-01) and the Account API for collections.

Why not the official `azure-purview-datamap` SDK (docs/decisions/0001-purview-client.md): it is a beta, has no
search pager and no collections API, refuses bearer auth over plain http (the emulators), and its azure-core
pipeline will not retry a POST on 429 without Retry-After. The app needs one retry/throttle behaviour for every
call, so it speaks REST through the shared transport; the SDK stays in the emulator tests as an independent
witness of the wire format.

Conventions (Azure SDK guidelines): `list_*`/`iter_*` return lazy iterators, `get_*` return None when the object
does not exist, `delete_*` succeed when it is already gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sync.core.errors import NotFoundError
from sync.core.telemetry import current_run
from sync.services.http import AuthProvider, HttpTransport, RateLimiter, RetryPolicy
from sync.services.purview.glossary_calls import GlossaryCalls

DATAMAP_API_VERSION = "2023-09-01"
ACCOUNT_API_VERSION = "2019-11-01-preview"
SEARCH_PAGE_LIMIT = 1000
BULK_GET_CHUNK = 100
PURVIEW_SCOPE = "https://purview.azure.net/.default"
MAX_ATTRIBUTE_BYTES = 32 * 1024
"""Purview's documented limit on one attribute value (Purview quotas: "maximum size of an asset property")."""
MAX_ENTITIES_PER_CALL = 1000
"""Largest bulk call Purview is relied on to accept: no documented maximum; ~4,000 are reported to fail and
pyapacheatlas batches by 1,000 against live Purview (the emulator enforces the same default)."""
RUN_ID_ATTRIBUTE = "cluedinSyncRunId"
"""Custom attribute naming the run that last wrote an entity (`customAttributes`, a string map every entity has)."""


def stamped(entities: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entities, each carrying the run in scope (if any) in its custom attributes.

    So an operator sees in Purview which run wrote an entity, and `rollback` knows what it may undo.
    """
    scope = current_run()
    if scope is None:
        return list(entities)
    return [
        {**entity, "customAttributes": {**(entity.get("customAttributes") or {}), RUN_ID_ATTRIBUTE: scope.run_id}}
        for entity in entities
    ]


@dataclass
class MutationResult:
    """What a bulk upsert or delete did, with placeholder GUIDs resolved."""

    guid_assignments: dict[str, str] = field(default_factory=dict)
    created: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)
    partial_updated: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> MutationResult:
        """Parse an `EntityMutationResult`."""
        mutated = body.get("mutatedEntities") or {}
        return cls(
            guid_assignments={str(k): str(v) for k, v in (body.get("guidAssignments") or {}).items()},
            created=list(mutated.get("CREATE") or []),
            updated=list(mutated.get("UPDATE") or []) + list(mutated.get("PARTIAL_UPDATE") or []),
            deleted=list(mutated.get("DELETE") or []) + list(mutated.get("PURGE") or []),
            partial_updated=list(body.get("partialUpdatedEntities") or []),
        )

    def guid_by_qualified_name(self) -> dict[tuple[str, str], str]:
        """Map (typeName, qualifiedName) → guid for every entity the mutation touched."""
        out: dict[tuple[str, str], str] = {}
        for header in [*self.created, *self.updated, *self.partial_updated]:
            qualified_name = (header.get("attributes") or {}).get("qualifiedName")
            if qualified_name and header.get("guid"):
                out[(str(header.get("typeName")), str(qualified_name))] = str(header["guid"])
        return out


class PurviewClient(GlossaryCalls):
    """Calls to one Purview account (glossary writes: `glossary_calls.py`)."""

    def __init__(
        self,
        base_url: str,
        auth: AuthProvider,
        *,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.transport = HttpTransport("purview", base_url, auth=auth, rate_limiter=rate_limiter, retry=retry)
        self.base_url = base_url.rstrip("/")

    # --- discovery ------------------------------------------------------------------------------------------
    def iter_search(
        self,
        *,
        filter: dict[str, Any] | None = None,
        keywords: str | None = None,
        page_size: int = SEARCH_PAGE_LIMIT,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield search result pages, following `continuationToken` until the last page.

        Search is eventually consistent in Purview: use it to discover assets, never to check that something
        the app just wrote exists (read by guid or qualifiedName for that).
        """
        body: dict[str, Any] = {"keywords": keywords, "limit": min(page_size, SEARCH_PAGE_LIMIT)}
        if filter is not None:
            body["filter"] = filter
        while True:
            response = self.transport.request(
                "POST",
                "/datamap/api/search/query",
                params={"api-version": DATAMAP_API_VERSION},
                json=body,
                idempotent=True,
                write=False,
                operation="search.query",
            )
            page = response.json()
            values = list(page.get("value") or [])
            if values:
                yield values
            token = page.get("continuationToken")
            if not token or not values:
                return
            body = {**body, "continuationToken": token}

    # --- entities ---------------------------------------------------------------------------------------------
    def get_entity(self, guid: str, *, min_ext_info: bool = False) -> dict[str, Any] | None:
        """`{entity, referredEntities}` of one entity, or None when it does not exist."""
        try:
            response = self.transport.request(
                "GET",
                f"/datamap/api/atlas/v2/entity/guid/{quote(guid)}",
                params={"minExtInfo": str(min_ext_info).lower()},
                operation="entity.get",
            )
        except NotFoundError:
            return None
        body: dict[str, Any] = response.json()
        return body

    def get_entities(self, guids: Sequence[str], *, min_ext_info: bool = True) -> list[dict[str, Any]]:
        """Entities by guid, in bulk calls; unknown guids are simply absent from the result."""
        out: list[dict[str, Any]] = []
        for chunk in _chunks(list(guids), BULK_GET_CHUNK):
            params: list[tuple[str, Any]] = [("guid", g) for g in chunk]
            params += [("minExtInfo", str(min_ext_info).lower()), ("api-version", DATAMAP_API_VERSION)]
            try:
                response = self.transport.request(
                    "GET", "/datamap/api/atlas/v2/entity/bulk", params=params, operation="entity.get_by_ids"
                )
            except NotFoundError:
                continue
            out.extend(response.json().get("entities") or [])
        return out

    def get_entities_by_qualified_names(
        self, type_name: str, qualified_names: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """Map qualifiedName → entity for those that exist (bulk lookups answer `{}` when none match)."""
        found: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(list(qualified_names), BULK_GET_CHUNK):
            # Built by hand: Purview does not decode '+' as a space in these parameters, and requests' `params=`
            # encodes spaces as '+', so a qualifiedName with a space would never be found.
            query = "&".join(f"attr_{i}:qualifiedName={quote(qn, safe='')}" for i, qn in enumerate(chunk))
            response = self.transport.request(
                "GET",
                f"/datamap/api/atlas/v2/entity/bulk/uniqueAttribute/type/{quote(type_name)}?{query}&minExtInfo=true",
                operation="entity.get_by_unique_attributes",
            )
            for entity in response.json().get("entities") or []:
                qualified_name = (entity.get("attributes") or {}).get("qualifiedName")
                if qualified_name:
                    found[str(qualified_name)] = entity
        return found

    def upsert_entities(
        self, entities: Sequence[dict[str, Any]], *, collection_id: str | None = None
    ) -> MutationResult:
        """Create or update entities in one bulk call, matched by guid or typeName + qualifiedName.

        Upserts keyed by qualifiedName are idempotent, so the call is retried like a PUT. Every entity carries the
        run in scope (`RUN_ID_ATTRIBUTE`).
        """
        params: dict[str, str] = {"api-version": DATAMAP_API_VERSION}
        if collection_id:
            params["collectionId"] = collection_id
        response = self.transport.request(
            "POST",
            "/datamap/api/atlas/v2/entity/bulk",
            params=params,
            json={"entities": stamped(entities), "referredEntities": {}},
            idempotent=True,
            operation="entity.bulk_upsert",
        )
        return MutationResult.from_body(response.json())

    def update_entity_attribute(self, guid: str, name: str, value: Any) -> None:
        """Set one primitive attribute of an entity (partial update by guid)."""
        self.transport.request(
            "PUT",
            f"/datamap/api/atlas/v2/entity/guid/{quote(guid)}",
            params={"name": name},
            json=value,
            operation="entity.update_attribute",
        )

    def delete_entities(self, guids: Sequence[str]) -> MutationResult:
        """Soft-delete entities (Purview keeps them with status DELETED). Already-deleted guids are fine."""
        result = MutationResult()
        for chunk in _chunks(list(guids), BULK_GET_CHUNK):
            try:
                response = self.transport.request(
                    "DELETE",
                    "/datamap/api/atlas/v2/entity/bulk",
                    params=[("guid", g) for g in chunk],
                    operation="entity.bulk_delete",
                )
            except NotFoundError:
                continue
            part = MutationResult.from_body(response.json() if response.content else {})
            result.deleted.extend(part.deleted)
        return result

    def move_entities(self, guids: Sequence[str], collection_id: str) -> None:
        """Move entities into a collection (POST /entity/moveTo)."""
        for chunk in _chunks(list(guids), BULK_GET_CHUNK):
            self.transport.request(
                "POST",
                "/datamap/api/entity/moveTo",
                params={"api-version": DATAMAP_API_VERSION, "collectionId": collection_id},
                json={"entityGuids": chunk},
                idempotent=True,
                operation="entity.move_to",
            )

    # --- type definitions ---------------------------------------------------------------------------------------
    def get_typedef(self, name: str) -> dict[str, Any] | None:
        """One type definition by name, or None."""
        try:
            response = self.transport.request(
                "GET", f"/datamap/api/atlas/v2/types/typedef/name/{quote(name)}", operation="types.get"
            )
        except NotFoundError:
            return None
        body: dict[str, Any] = response.json()
        return body

    def create_typedefs(self, typedefs: dict[str, Any]) -> dict[str, Any]:
        """Create new type definitions (409 ATLAS-409-00-001 if one exists: use update for those)."""
        response = self.transport.request(
            "POST", "/datamap/api/atlas/v2/types/typedefs", json=typedefs, idempotent=False, operation="types.create"
        )
        body: dict[str, Any] = response.json()
        return body

    def update_typedefs(self, typedefs: dict[str, Any]) -> dict[str, Any]:
        """Update existing type definitions."""
        response = self.transport.request(
            "PUT", "/datamap/api/atlas/v2/types/typedefs", json=typedefs, operation="types.update"
        )
        body: dict[str, Any] = response.json()
        return body

    # --- glossary -----------------------------------------------------------------------------------------------
    def list_glossaries(self) -> list[dict[str, Any]]:
        """Every glossary without embedded terms (embedding them can time out with 408 on big glossaries)."""
        response = self.transport.request(
            "GET",
            "/datamap/api/atlas/v2/glossary",
            params={"ignoreTermsAndCategories": "true", "limit": "-1"},
            operation="glossary.list",
        )
        body: list[dict[str, Any]] = response.json()
        return body

    def iter_glossary_terms(self, glossary_guid: str, *, page_size: int = 500) -> Iterator[dict[str, Any]]:
        """Terms of one glossary, paged with limit/offset."""
        offset = 0
        while True:
            response = self.transport.request(
                "GET",
                f"/datamap/api/atlas/v2/glossary/{quote(glossary_guid)}/terms",
                params={"limit": str(page_size), "offset": str(offset), "includeTermHierarchy": "true"},
                operation="glossary.list_terms",
            )
            terms = response.json() or []
            yield from terms
            if len(terms) < page_size:
                return
            offset += page_size

    # --- lineage --------------------------------------------------------------------------------------------------
    def get_lineage(self, guid: str, *, direction: str = "BOTH", depth: int = 3) -> dict[str, Any]:
        """`AtlasLineageInfo` around an entity."""
        response = self.transport.request(
            "GET",
            f"/datamap/api/atlas/v2/lineage/{quote(guid)}",
            params={"direction": direction, "depth": str(depth)},
            operation="lineage.get",
        )
        body: dict[str, Any] = response.json()
        return body

    # --- collections (Account API) ----------------------------------------------------------------------------
    def iter_collections(self) -> Iterator[dict[str, Any]]:
        """Every collection of the account, following `nextLink`."""
        url: str | None = f"{self.base_url}/account/collections?api-version={ACCOUNT_API_VERSION}"
        while url:
            response = self.transport.request("GET", url, operation="collections.list")
            body = response.json()
            yield from body.get("value") or []
            url = body.get("nextLink")

    def get_collection(self, name: str) -> dict[str, Any] | None:
        """One collection by its (lower-case) name, or None."""
        try:
            response = self.transport.request(
                "GET",
                f"/account/collections/{quote(name)}",
                params={"api-version": ACCOUNT_API_VERSION},
                operation="collections.get",
            )
        except NotFoundError:
            return None
        body: dict[str, Any] = response.json()
        return body

    def create_or_update_collection(self, name: str, friendly_name: str, parent: str) -> dict[str, Any]:
        """Create (or update) a collection under `parent` (needs the Collection Admin role)."""
        response = self.transport.request(
            "PUT",
            f"/account/collections/{quote(name)}",
            params={"api-version": ACCOUNT_API_VERSION},
            json={"friendlyName": friendly_name, "parentCollection": {"referenceName": parent}},
            operation="collections.create_or_update",
        )
        body: dict[str, Any] = response.json()
        return body


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
