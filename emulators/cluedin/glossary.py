"""CluedIn's glossary: categories holding terms, where a term is a saved filter (rule set) over golden records.

Shared by the `management` GraphQL fields and the REST routes under `/api/v1/glossary`, which accept slightly
different shapes (REST terms may carry a `parentId`).
"""

from __future__ import annotations

from typing import Any

from emulators.cluedin import filters
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, new_guid, parse_guid

TERM_FIELDS = (
    "name", "categoryId", "ruleSet", "active", "shortDescription", "description", "certificationLevel",
    "isObsolete", "parentId",
)  # fmt: skip


def create_category(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """A new glossary category; names are unique (case-insensitive)."""
    name = str((spec or {}).get("name") or "").strip()
    if not name:
        raise EmulatorError("category.name is required")
    if any(c["name"].lower() == name.lower() for c in store.glossary_categories.values()):
        raise EmulatorError(f"glossary category '{name}' already exists")
    ident = new_guid()
    category = store.stamp_new({"id": ident, "name": name, "authorId": author_id, "organizationId": store.org["id"]})
    store.glossary_categories[ident] = category
    store.audit("GlossaryCategory", ident, "Created", author_id, name=name)
    return category


def get_category(store: CluedInStore, ident: object) -> dict[str, Any]:
    """A glossary category by GUID, or NotFoundError."""
    category = store.glossary_categories.get(parse_guid(ident, "GlossaryCategory"))
    if category is None:
        raise NotFoundError("GlossaryCategory", ident)
    return category


def save_category(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """Rename a category (REST `PUT /glossary/category`)."""
    spec = spec or {}
    category = get_category(store, spec.get("id"))
    name = str(spec.get("name") or "").strip()
    if name and name != category["name"]:
        category["name"] = name
        store.touch(category)
        store.audit("GlossaryCategory", category["id"], "Updated", author_id, name=name)
    return category


def terms_in(store: CluedInStore, category_id: str, active: bool | None = None) -> list[dict[str, Any]]:
    """Terms of a category, optionally only active or inactive ones."""
    return [
        t
        for t in store.glossary_terms.values()
        if t["categoryId"] == category_id and (active is None or t["active"] == active)
    ]


def create_term(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`createGlossaryTerm`: terms start inactive, version 1, in an existing category."""
    spec = spec or {}
    name = str(spec.get("name") or "").strip()
    if not name:
        raise EmulatorError("term.name is required")
    category = get_category(store, spec.get("categoryId"))
    if spec.get("parentId") is not None:
        get_term(store, spec["parentId"])
    ident = new_guid()
    term = store.stamp_new(
        {
            "id": ident,
            "name": name,
            "categoryId": category["id"],
            "parentId": spec.get("parentId"),
            "active": bool(spec.get("active", False)),
            "shortDescription": spec.get("shortDescription"),
            "description": spec.get("description"),
            "certificationLevel": spec.get("certificationLevel"),
            "version": 1,
            "ruleSet": filters.normalize_optional(spec.get("ruleSet"), "term.ruleSet"),
            "isObsolete": False,
            "relatedTags": [],
            "endorsedBy": [],
            "createdBy": author_id,
            "modifiedBy": author_id,
            "ownedBy": author_id,
            "requiresAttention": False,
            "rating": 0,
            "userRating": 0,
        },
        modified_field="modifiedAt",
    )
    store.glossary_terms[ident] = term
    store.touch(category)
    store.audit("GlossaryTerm", ident, "Created", author_id, name=name, details={"categoryId": category["id"]})
    return term


def get_term(store: CluedInStore, ident: object) -> dict[str, Any]:
    """A glossary term by GUID, or NotFoundError."""
    term = store.glossary_terms.get(parse_guid(ident, "GlossaryTerm"))
    if term is None:
        raise NotFoundError("GlossaryTerm", ident)
    return term


def save_term(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`saveGlossaryTerm`: update a term; each save increments its version."""
    spec = spec or {}
    term = get_term(store, spec.get("id"))
    given = dict(spec)
    if given.get("ruleSet") is not None:
        given["ruleSet"] = filters.normalize(given["ruleSet"], "term.ruleSet")
    changes = {f: given[f] for f in TERM_FIELDS if f in given and given[f] is not None and given[f] != term.get(f)}
    if "categoryId" in changes:
        changes["categoryId"] = get_category(store, changes["categoryId"])["id"]
    if spec.get("relatedTags") is not None:
        changes["relatedTags"] = [_tag(store, t, author_id) for t in spec["relatedTags"] or [] if t]
    if changes:
        term.update(changes)
        term["version"] = int(term["version"]) + 1
        term["modifiedBy"] = author_id
        store.touch(term)
        store.audit("GlossaryTerm", term["id"], "Updated", author_id, name=term["name"], details=_describe(changes))
    return term


def _describe(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in changes.items() if k not in {"ruleSet", "relatedTags"}}


def _tag(store: CluedInStore, spec: dict[str, Any], author_id: str) -> dict[str, Any]:
    if spec.get("id"):
        tag = store.glossary_tags.get(parse_guid(spec["id"], "GlossaryTag"))
        if tag is None:
            raise NotFoundError("GlossaryTag", spec["id"])
        return {"id": tag["id"], "name": tag["name"]}
    name = str(spec.get("name") or "").strip()
    if not name:
        raise EmulatorError("a related tag needs an id or a name")
    existing = next((t for t in store.glossary_tags.values() if t["name"].lower() == name.lower()), None)
    if existing is None:
        existing = store.stamp_new({"id": new_guid(), "name": name, "authorId": author_id})
        store.glossary_tags[existing["id"]] = existing
    return {"id": existing["id"], "name": existing["name"]}


def endorse_term(store: CluedInStore, ident: object, status: bool | None, author_id: str) -> dict[str, Any]:
    """`endorseGlossaryTerm`: add (status true) or remove the caller's endorsement."""
    term = get_term(store, ident)
    endorsed = [u for u in term["endorsedBy"] if u != author_id]
    if status is None or status:
        endorsed.append(author_id)
    if endorsed != term["endorsedBy"]:
        term["endorsedBy"] = endorsed
        store.touch(term)
        store.audit("GlossaryTerm", term["id"], "Updated", author_id, name=term["name"], details={"endorsed": status})
    return term


def delete_term(store: CluedInStore, ident: object, author_id: str) -> None:
    """REST `DELETE /glossary/{id}`."""
    term = get_term(store, ident)
    del store.glossary_terms[term["id"]]
    store.version += 1
    store.audit("GlossaryTerm", term["id"], "Deleted", author_id, name=term["name"])


def delete_category(store: CluedInStore, ident: object, author_id: str) -> None:
    """REST `DELETE /glossary/category/{id}`: refused while the category still has terms."""
    category = get_category(store, ident)
    if terms_in(store, category["id"]):
        raise EmulatorError(f"glossary category '{category['name']}' still has terms")
    del store.glossary_categories[category["id"]]
    store.version += 1
    store.audit("GlossaryCategory", category["id"], "Deleted", author_id, name=category["name"])
