"""Purview's classic glossary writes and the reads around them (reference purview-datamap.md §2.3).

Glossaries, terms (one, or many in one bulk call), term templates and the entities a term is assigned to.

A mixin of `PurviewClient` so the glossary calls live beside the other glossary code instead of growing the client
module. Every term write sends `includeTermHierarchy=true`: Purview refuses writes of terms with a parent or a
term template without it (`TermHierarchyQueryParameterMissing`), and it is harmless otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import quote

from sync.core.errors import NotFoundError
from sync.services.http import HttpTransport

GLOSSARY = "/datamap/api/atlas/v2/glossary"
HIERARCHY = {"includeTermHierarchy": "true"}
ASSIGNED_PAGE = 1000


class GlossaryCalls:
    """Glossary calls of one Purview account (mixed into `PurviewClient`, which provides the transport)."""

    transport: HttpTransport

    def get_glossary(self, guid: str) -> dict[str, Any] | None:
        """One glossary without its terms, or None."""
        try:
            response = self.transport.request(
                "GET",
                f"{GLOSSARY}/{quote(guid)}",
                params={"ignoreTermsAndCategories": "true"},
                operation="glossary.get",
            )
        except NotFoundError:
            return None
        body: dict[str, Any] = response.json()
        return body

    def create_glossary(self, name: str, *, short_description: str = "") -> dict[str, Any]:
        """Create a classic glossary (409 ATLAS-409-00-007 when the name is taken)."""
        body: dict[str, Any] = {"name": name}
        if short_description:
            body["shortDescription"] = short_description
        response = self.transport.request("POST", GLOSSARY, json=body, idempotent=False, operation="glossary.create")
        created: dict[str, Any] = response.json()
        return created

    def create_terms(self, terms: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Create many terms in one call (`POST /glossary/terms`), answered in the order sent.

        Not idempotent: a term name is unique within its glossary, so a repeated call fails with 409
        (ATLAS-409-00-009) for the terms that exist, and the caller adopts them.
        """
        response = self.transport.request(
            "POST",
            f"{GLOSSARY}/terms",
            params=HIERARCHY,
            json=list(terms),
            idempotent=False,
            operation="glossary.create_terms",
        )
        created: list[dict[str, Any]] = response.json()
        return created

    def get_term(self, guid: str) -> dict[str, Any] | None:
        """One term, or None."""
        try:
            response = self.transport.request("GET", f"{GLOSSARY}/term/{quote(guid)}", operation="glossary.get_term")
        except NotFoundError:
            return None
        body: dict[str, Any] = response.json()
        return body

    def update_term(self, guid: str, term: dict[str, Any]) -> dict[str, Any]:
        """Replace a term (`PUT /glossary/term/{guid}`): every field not sent is cleared, so send the term as read."""
        response = self.transport.request(
            "PUT", f"{GLOSSARY}/term/{quote(guid)}", params=HIERARCHY, json=term, operation="glossary.update_term"
        )
        body: dict[str, Any] = response.json()
        return body

    def partial_update_term(self, guid: str, fields: dict[str, str]) -> dict[str, Any]:
        """Change some text fields of a term (name, longDescription, status...) and leave the others as they are."""
        response = self.transport.request(
            "PUT",
            f"{GLOSSARY}/term/{quote(guid)}/partial",
            params=HIERARCHY,
            json=fields,
            operation="glossary.partial_update_term",
        )
        body: dict[str, Any] = response.json()
        return body

    def delete_term(self, guid: str) -> bool:
        """Delete a term; False when it was already gone. Purview refuses (400) while entities are assigned to it."""
        try:
            self.transport.request("DELETE", f"{GLOSSARY}/term/{quote(guid)}", operation="glossary.delete_term")
        except NotFoundError:
            return False
        return True

    def iter_assigned_entities(self, guid: str) -> Iterator[dict[str, Any]]:
        """The entities a term is assigned to (`AtlasRelatedObjectId`s with the assignment's relationshipGuid)."""
        offset = 0
        while True:
            response = self.transport.request(
                "GET",
                f"{GLOSSARY}/terms/{quote(guid)}/assignedEntities",
                params={"limit": str(ASSIGNED_PAGE), "offset": str(offset)},
                operation="glossary.assigned_entities",
            )
            items = response.json() or []
            yield from items
            if len(items) < ASSIGNED_PAGE:
                return
            offset += ASSIGNED_PAGE

    def list_term_templates(self) -> list[dict[str, Any]]:
        """Every term template definition (custom term attributes such as a boolean `CluedInVocab`)."""
        response = self.transport.request(
            "GET",
            "/datamap/api/atlas/v2/types/typedefs",
            params={"type": "TERM_TEMPLATE", "includeTermTemplate": "true"},
            operation="types.list_term_templates",
        )
        body = response.json() or {}
        templates: list[dict[str, Any]] = list(body.get("termTemplateDefs") or [])
        return templates
