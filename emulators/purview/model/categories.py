"""Glossary categories: create/update/delete, the parent/child hierarchy and term categorization.

Follows Apache Atlas's `GlossaryService` and `GlossaryCategoryUtils`, which Purview's classic glossary
runs on: a category's qualifiedName is `<name>@<glossary>`, or `<name>.<parent qualifiedName>` under a
parent (the official examples show `ExampleCategory1.ExampleCategory2@Glossary`), so names may contain
neither `@` nor `.`; a full update (PUT) replaces the parent, children and terms it is given (absent
means none), a partial update changes only the descriptions (the spec says so); deleting a category lifts its
children to the top level and uncategorizes its terms. Categorization is one record seen from both
sides: the category's `terms` and each term's `categories`.
"""

from __future__ import annotations

from typing import Any

from emulators.purview import errors
from emulators.purview.model.clock import new_guid, now_ms
from emulators.purview.model.glossary import CategoryRecord, GlossaryRecord, GlossaryStore, TermRecord

CATEGORY_TEXT_FIELDS = ("shortDescription", "longDescription")
PARTIAL_FIELDS = CATEGORY_TEXT_FIELDS
"""The spec: "So far we only supports partial updating shortDescription and longDescription for category"."""


class CategoryService:
    """Category writes, reads and listings on top of GlossaryStore."""

    def __init__(self, glossary: GlossaryStore) -> None:
        self.glossary = glossary

    # ----- lookups and rendering -----------------------------------------------------------------------

    def require(self, guid: str) -> CategoryRecord:
        """A category by guid, else 404 ATLAS-404-00-005."""
        found = self.glossary.categories.get(guid)
        if found is None:
            raise errors.INSTANCE_GUID_NOT_FOUND(guid)
        return found

    def qualified_name(self, category: CategoryRecord) -> str:
        """`<name>@<glossary>` at the top, `<name>.<parent qualifiedName>` below a parent."""
        parent = self.glossary.categories.get(category.parent_guid) if category.parent_guid else None
        if parent is not None:
            return f"{category.name}.{self.qualified_name(parent)}"
        return f"{category.name}@{self.glossary.glossaries[category.glossary_guid].name}"

    def children(self, category: CategoryRecord) -> list[CategoryRecord]:
        """Direct child categories, in creation order."""
        return [c for c in self.glossary.categories.values() if c.parent_guid == category.guid]

    def render(self, category: CategoryRecord) -> dict[str, Any]:
        """AtlasGlossaryCategory."""
        glossary = self.glossary.glossaries[category.glossary_guid]
        out: dict[str, Any] = {
            "guid": category.guid,
            "qualifiedName": self.qualified_name(category),
            "name": category.name,
            **{k: v for k, v in category.fields.items() if v is not None},
            "lastModifiedTS": str(category.modified),
            "createdBy": category.created_by,
            "updatedBy": category.updated_by,
            "createTime": category.create_time,
            "updateTime": category.update_time,
            "anchor": {
                "glossaryGuid": glossary.guid,
                "relationGuid": category.anchor_relation,
                "displayText": glossary.name,
            },
        }
        parent = self.glossary.categories.get(category.parent_guid) if category.parent_guid else None
        if parent is not None:
            out["parentCategory"] = {
                "categoryGuid": parent.guid,
                "relationGuid": category.parent_relation,
                "displayText": parent.name,
            }
        children = self.children(category)
        if children:
            out["childrenCategories"] = [self.related_header(c) for c in children]
        if category.terms:
            out["terms"] = self.term_headers(category)
        return out

    def related_header(self, category: CategoryRecord) -> dict[str, Any]:
        """AtlasRelatedCategoryHeader as a parent or child sees it (relation = the hierarchy link)."""
        out = {"categoryGuid": category.guid, "relationGuid": category.parent_relation, "displayText": category.name}
        if category.parent_guid is not None:
            out["parentCategoryGuid"] = category.parent_guid
        return out

    def term_headers(self, category: CategoryRecord) -> list[dict[str, Any]]:
        """AtlasRelatedTermHeader of each categorized term."""
        out = []
        for term_guid, relation in category.terms.items():
            term = self.glossary.terms.get(term_guid)
            if term is not None:
                item = {"termGuid": term_guid, "relationGuid": relation, "displayText": term.name}
                if term.fields.get("shortDescription"):
                    item["description"] = term.fields["shortDescription"]
                out.append(item)
        return out

    def related(self, category: CategoryRecord) -> dict[str, list[dict[str, Any]]]:
        """GET /category/{guid}/related: `parent` and `children` headers (keys only when non-empty)."""
        out: dict[str, list[dict[str, Any]]] = {}
        parent = self.glossary.categories.get(category.parent_guid) if category.parent_guid else None
        if parent is not None:
            out["parent"] = [self.related_header(parent)]
        children = self.children(category)
        if children:
            out["children"] = [self.related_header(c) for c in children]
        return out

    # ----- writes --------------------------------------------------------------------------------------

    def create(self, body: Any, principal: str) -> CategoryRecord:
        """POST /glossary/category: validated completely before anything is stored."""
        if not isinstance(body, dict):
            raise errors.INVALID_PARAMETERS("invalid payload, expected an AtlasGlossaryCategory object")
        anchor = body.get("anchor")
        glossary_guid = anchor.get("glossaryGuid") if isinstance(anchor, dict) else None
        if not isinstance(glossary_guid, str):
            raise errors.MISSING_MANDATORY_ANCHOR()
        glossary = self.glossary.require_glossary(glossary_guid)
        name = self._name(body.get("name"), creating=True)
        plan = self._relations(body, glossary, None)
        stamp = now_ms()
        category = CategoryRecord(
            guid=new_guid(),
            name=name,
            glossary_guid=glossary.guid,
            anchor_relation=new_guid(),
            fields=_text_fields(body),
            created_by=principal,
            create_time=stamp,
            updated_by=principal,
            update_time=stamp,
        )
        self._check_unique(category, plan["parent"], None)
        self.glossary.categories[category.guid] = category
        self._apply_relations(category, plan)
        return category

    def create_many(self, body: Any, principal: str) -> list[CategoryRecord]:
        """POST /glossary/categories: created one by one in order."""
        if not isinstance(body, list):
            raise errors.INVALID_PARAMETERS("invalid payload, expected a list of categories")
        return [self.create(item, principal) for item in body]

    def update(self, category: CategoryRecord, body: Any, principal: str) -> CategoryRecord:
        """PUT /glossary/category/{guid}: full update, relations included (absent ones are removed)."""
        if not isinstance(body, dict):
            raise errors.INVALID_PARAMETERS("invalid payload, expected an AtlasGlossaryCategory object")
        anchor = body.get("anchor")
        anchor_guid = anchor.get("glossaryGuid") if isinstance(anchor, dict) else None
        if anchor_guid is not None and anchor_guid != category.glossary_guid:
            raise errors.INVALID_PARAMETERS("Anchor(glossary) change not supported")
        name = self._name(body.get("name", category.name), creating=False)
        glossary = self.glossary.glossaries[category.glossary_guid]
        plan = self._relations(body, glossary, category)
        text = _text_fields(body)
        renamed = CategoryRecord(**{**_record_data(category), "name": name})
        self._check_unique(renamed, plan["parent"], category.guid)
        category.name = name
        category.fields = text
        self._apply_relations(category, plan)
        self._touch(category, principal)
        return category

    def partial_update(self, category: CategoryRecord, body: Any, principal: str) -> CategoryRecord:
        """PUT /glossary/category/{guid}/partial: only the descriptions (string values) change."""
        if not isinstance(body, dict):
            raise errors.INVALID_PARAMETERS("invalid payload, expected a map of field names to values")
        for key, value in body.items():
            if key not in PARTIAL_FIELDS:
                raise errors.INVALID_PARTIAL_UPDATE_ATTR(key, category.guid)
            if value is not None and not isinstance(value, str):
                raise errors.INVALID_PARAMETERS(f"invalid payload, {key} must be a string")
        for key in CATEGORY_TEXT_FIELDS:
            if key in body:
                category.fields[key] = body[key]
        self._touch(category, principal)
        return category

    def delete(self, category: CategoryRecord) -> None:
        """DELETE /glossary/category/{guid}: children move to the top level, terms are uncategorized."""
        for child in self.children(category):
            child.parent_guid = None
            child.parent_relation = None
        del self.glossary.categories[category.guid]

    def remove_glossary(self, glossary_guid: str) -> None:
        """Drop every category of a deleted glossary."""
        for guid in [c.guid for c in self.glossary.glossary_categories(glossary_guid)]:
            del self.glossary.categories[guid]

    def forget_term(self, term_guid: str) -> None:
        """A term was deleted: it is no longer in any category."""
        for category in self.glossary.categories.values():
            category.terms.pop(term_guid, None)

    # ----- term side -----------------------------------------------------------------------------------

    def parse_term_categories(self, body: Any, glossary_guid: str | None) -> list[str] | None:
        """Category guids of a term payload's `categories` (None when the key is absent)."""
        if not isinstance(body, dict) or body.get("categories") is None:
            return None
        items = body["categories"]
        if not isinstance(items, list):
            raise errors.INVALID_PARAMETERS("invalid payload, categories must be a list of category headers")
        guids = []
        for item in items:
            guid = item.get("categoryGuid") if isinstance(item, dict) else None
            if not isinstance(guid, str):
                raise errors.INVALID_PARAMETERS("invalid payload, every category needs a categoryGuid")
            category = self.require(guid)
            if glossary_guid is not None and category.glossary_guid != glossary_guid:
                raise errors.INVALID_PARAMETERS(f"category {guid} belongs to another glossary than the term")
            guids.append(guid)
        return list(dict.fromkeys(guids))

    def set_term_categories(self, term: TermRecord, guids: list[str]) -> None:
        """Make a term belong to exactly these categories (keeping existing categorization records)."""
        wanted = set(guids)
        for category in self.glossary.categories.values():
            if category.guid in wanted:
                category.terms.setdefault(term.guid, new_guid())
            else:
                category.terms.pop(term.guid, None)

    # ----- helpers -------------------------------------------------------------------------------------

    def _name(self, value: Any, *, creating: bool) -> str:
        if not isinstance(value, str) or not value.strip():
            raise (errors.CATEGORY_NAME_CANT_BE_DERIVED if creating else errors.MISSING_CATEGORY_DISPLAY_NAME)()
        name = value.strip()
        if "@" in name or "." in name:
            raise errors.INVALID_DISPLAY_NAME()
        return name

    def _relations(
        self, body: dict[str, Any], glossary: GlossaryRecord, current: CategoryRecord | None
    ) -> dict[str, Any]:
        """Validated parent, children and terms of a create or full-update payload."""
        parent = body.get("parentCategory")
        parent_guid = parent.get("categoryGuid") if isinstance(parent, dict) else None
        if parent is not None and not isinstance(parent_guid, str):
            raise errors.INVALID_PARAMETERS("invalid payload, parentCategory needs a categoryGuid")
        if parent_guid is not None:
            self._same_glossary(self.require(parent_guid), glossary)
            self._not_below(parent_guid, current)
        above = self._ancestors(parent_guid) | ({current.guid} if current is not None else set())
        children = []
        for item in _list(body, "childrenCategories"):
            guid = item.get("categoryGuid") if isinstance(item, dict) else None
            if not isinstance(guid, str):
                raise errors.INVALID_PARAMETERS("invalid payload, every child category needs a categoryGuid")
            self._same_glossary(self.require(guid), glossary)
            if guid in above:
                raise errors.INVALID_PARAMETERS(f"category {guid} cannot be its own ancestor")
            children.append(guid)
        terms = []
        for item in _list(body, "terms"):
            guid = item.get("termGuid") if isinstance(item, dict) else None
            if not isinstance(guid, str):
                raise errors.MISSING_TERM_ID_FOR_CATEGORIZATION()
            term = self.glossary.require_term(guid)
            if term.glossary_guid != glossary.guid:
                raise errors.INVALID_PARAMETERS(f"term {guid} belongs to another glossary than the category")
            terms.append(guid)
        return {"parent": parent_guid, "children": list(dict.fromkeys(children)), "terms": list(dict.fromkeys(terms))}

    def _same_glossary(self, other: CategoryRecord, glossary: GlossaryRecord) -> None:
        if other.glossary_guid != glossary.guid:
            raise errors.INVALID_CHILD_CATEGORY_DIFFERENT_GLOSSARY(other.guid)

    def _ancestors(self, guid: str | None) -> set[str]:
        """`guid` and every category above it."""
        out: set[str] = set()
        cursor = self.glossary.categories.get(guid) if guid else None
        while cursor is not None and cursor.guid not in out:
            out.add(cursor.guid)
            cursor = self.glossary.categories.get(cursor.parent_guid) if cursor.parent_guid else None
        return out

    def _not_below(self, ancestor_guid: str, category: CategoryRecord | None) -> None:
        """Refuse making `category` an ancestor of itself through `ancestor_guid`."""
        if category is None:
            return
        cursor: CategoryRecord | None = self.glossary.categories.get(ancestor_guid)
        seen: set[str] = set()
        while cursor is not None and cursor.guid not in seen:
            if cursor.guid == category.guid:
                raise errors.INVALID_PARAMETERS(f"category {category.guid} cannot be its own ancestor")
            seen.add(cursor.guid)
            cursor = self.glossary.categories.get(cursor.parent_guid) if cursor.parent_guid else None

    def _check_unique(self, category: CategoryRecord, parent_guid: str | None, own_guid: str | None) -> None:
        probe = CategoryRecord(**{**_record_data(category), "parent_guid": parent_guid})
        wanted = self.qualified_name(probe)
        for other in self.glossary.categories.values():
            if other.guid != own_guid and self.qualified_name(other) == wanted:
                raise errors.GLOSSARY_CATEGORY_ALREADY_EXISTS(wanted)

    def _apply_relations(self, category: CategoryRecord, plan: dict[str, Any]) -> None:
        if plan["parent"] != category.parent_guid:
            category.parent_guid = plan["parent"]
            category.parent_relation = new_guid() if plan["parent"] else None
        for child in self.children(category):
            if child.guid not in plan["children"]:
                child.parent_guid = None
                child.parent_relation = None
        for guid in plan["children"]:
            child = self.glossary.categories[guid]
            if child.parent_guid != category.guid:
                child.parent_guid = category.guid
                child.parent_relation = new_guid()
        category.terms = {guid: category.terms.get(guid) or new_guid() for guid in plan["terms"]}

    def _touch(self, category: CategoryRecord, principal: str) -> None:
        category.modified += 1
        category.updated_by = principal
        category.update_time = now_ms()


def _list(body: dict[str, Any], key: str) -> list[Any]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise errors.INVALID_PARAMETERS(f"invalid payload, {key} must be a list")
    return value


def _text_fields(body: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in CATEGORY_TEXT_FIELDS:
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise errors.INVALID_PARAMETERS(f"invalid payload, {key} must be a string")
        if value is not None:
            out[key] = value
    return out


def _record_data(category: CategoryRecord) -> dict[str, Any]:
    return {name: getattr(category, name) for name in CategoryRecord.__dataclass_fields__}
