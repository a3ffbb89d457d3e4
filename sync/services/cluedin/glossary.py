"""CluedIn's glossary: categories holding terms, where a term is a saved filter (rule set) over golden records.

GraphQL documents are the Product Toolkit's (`graphql/*glossary*.graphql`, reference cluedin-more.md §1.2); deleting
a term has no GraphQL mutation, only REST `DELETE /api/v1/glossary/{id}` (CluedIn's Swagger). Term names are not
unique in CluedIn, so creating a term is not idempotent by itself: callers record their intent first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sync.core.errors import NotFoundError
from sync.services.cluedin.client import PAGENUMBER_PAGESIZE, CluedInClient, GraphQLError

TERM_PAGE = 1000
SAVED_FIELDS = ("name", "categoryId", "active", "shortDescription", "description", "certificationLevel", "isObsolete")


@dataclass(frozen=True)
class GlossaryTerm:
    """A CluedIn glossary term."""

    id: str
    name: str
    category_id: str
    active: bool = False
    short_description: str = ""
    description: str = ""
    raw: Mapping[str, Any] | None = None

    @classmethod
    def from_graphql(cls, node: Mapping[str, Any]) -> GlossaryTerm:
        """From a `GlossaryTerm` selection."""
        return cls(
            id=str(node["id"]),
            name=str(node.get("name") or ""),
            category_id=str(node.get("categoryId") or ""),
            active=bool(node.get("active")),
            short_description=str(node.get("shortDescription") or ""),
            description=str(node.get("description") or ""),
            raw=dict(node),
        )


def categories(cluedin: CluedInClient) -> dict[str, str]:
    """Glossary category name → id."""
    data = cluedin.graphql("glossary_categories")
    nodes = (data.get("management") or {}).get("glossaryCategories") or []
    return {str(n.get("name")): str(n.get("id")) for n in nodes if n and n.get("id")}


def ensure_category(cluedin: CluedInClient, name: str, known: Mapping[str, str] | None = None) -> tuple[str, bool]:
    """The id of the category named `name`, created if there is none (True) or found (False).

    CluedIn refuses a second category of the same name, so a create that fails is answered by reading again.
    """
    found = (known or {}).get(name)
    if found:
        return found, False
    try:
        data = cluedin.graphql("create_glossary_category", {"category": {"name": name}})
    except GraphQLError:
        again = {k.lower(): v for k, v in categories(cluedin).items()}.get(name.lower())
        if again is None:
            raise
        return again, False
    return str(data["management"]["createGlossaryCategory"]["id"]), True


def iter_terms(
    cluedin: CluedInClient, *, search_name: str | None = None, category_id: str | None = None
) -> Iterator[GlossaryTerm]:
    """Glossary terms (all, or those whose name contains `search_name` in one category)."""
    variables: dict[str, Any] = {}
    if search_name:
        variables["searchName"] = search_name
    if category_id:
        variables["categoryId"] = category_id
    for node in cluedin.iter_pages(
        "glossary_terms", ("management", "glossaryTerms"), PAGENUMBER_PAGESIZE, variables=variables, page_size=TERM_PAGE
    ):
        yield GlossaryTerm.from_graphql(node)


def get_term(cluedin: CluedInClient, term_id: str) -> GlossaryTerm | None:
    """One term with everything a save sends back, or None.

    Raises:
        GraphQLError: CluedIn refused the read (an unknown id is answered with an error too).
    """
    data = cluedin.graphql("glossary_term", {"id": term_id})
    node = (data.get("management") or {}).get("glossaryTerm")
    return GlossaryTerm.from_graphql(node) if node else None


def create_term(cluedin: CluedInClient, name: str, category_id: str, rule_set: Mapping[str, Any]) -> str:
    """Create a term (CluedIn creates it inactive); returns its id."""
    term = {"name": name, "categoryId": category_id, "ruleSet": dict(rule_set)}
    data = cluedin.graphql("create_glossary_term", {"term": term})
    return str(data["management"]["createGlossaryTerm"]["id"])


def save_term(cluedin: CluedInClient, term: GlossaryTerm, changes: Mapping[str, Any]) -> GlossaryTerm:
    """Save a term as read with some fields changed; everything else (activation, filter, tags) is sent back as is."""
    raw = dict(term.raw or {})
    body: dict[str, Any] = {k: raw.get(k) for k in SAVED_FIELDS if k in raw}
    body["ruleSet"] = raw.get("ruleSet") or {"rules": []}
    body["relatedTags"] = [{"id": t.get("id"), "name": t.get("name")} for t in raw.get("relatedTags") or [] if t]
    body.update({"id": term.id, **changes})
    data = cluedin.graphql("save_glossary_term", {"term": body})
    return GlossaryTerm.from_graphql(data["management"]["saveGlossaryTerm"])


def delete_term(cluedin: CluedInClient, term_id: str) -> bool:
    """Delete a term (REST); False when it was already gone."""
    try:
        cluedin.ui.request(
            "DELETE",
            f"{cluedin.rest_path_prefix}/v1/glossary/{quote(term_id)}",
            operation="rest:glossary.delete",
        )
    except NotFoundError:
        return False
    return True
