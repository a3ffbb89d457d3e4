"""CluedIn reads for the processing-pipeline lineage: rules, clean, deduplication and manual-data-entry projects.

Each kind has a cheap listing, read every cycle (ids, names and, where the product has one, a modification time),
and a detail read for the objects the listing or the change feed shows changed (reference cluedin-more.md
§1.8-1.11; the documents are shaped like the Product Toolkit's). Manual-data-entry projects list their form fields
already, so they need no detail read. Facts are plain dataclasses with a JSON form, kept in state between cycles.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from sync.services.cluedin import filters
from sync.services.cluedin.client import CluedInClient, Paging

RULES_PAGING = Paging("pageNumber", "pageSize")
"""`rules` takes pageNumber only (1-based); the server pages by 20 and ignores the undeclared size variable."""
CLEAN_PAGING = Paging("page", "pageSize", items_key="projects", first_page=1)
DEDUP_PAGING = Paging("pageNumber", "itemsPerPage", first_page=1)
MDE_PAGING = Paging("pageNumber", "pageSize", first_page=0)
SCOPE_LABELS = {"DataPart": "Data Part", "Survivorship": "Survivorship", "Entity": "Golden Record"}
"""CluedIn's rule scopes and how its UI names them ("Entity" is the golden record scope)."""
FIELD_NAME_PROPERTY = "FieldName"
"""The property of a rule action that names the vocabulary key it writes (Set Value and its kin)."""


@dataclass(frozen=True)
class Listed:
    """An object as a cheap listing shows it."""

    id: str
    name: str
    stamp: str = ""
    """What changes whenever the object does ('' when the listing has nothing of the kind)."""
    facts: Mapping[str, Any] | None = field(default=None, compare=False, hash=False)
    """The object's whole facts, when the listing carries them (manual-data-entry projects)."""


class _Facts:
    """JSON round trip for the facts dataclasses below."""

    def to_json(self) -> dict[str, Any]:
        """JSON form for state."""
        return dataclasses.asdict(self)  # type: ignore[call-overload, no-any-return]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Parse what `to_json` produced (unknown keys ignored, so older rows still read)."""
        known = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        values = {k: v for k, v in data.items() if k in known}
        return cls(**values)


@dataclass
class RuleFacts(_Facts):
    """A processing rule: what its Processing Rule process in Purview says about it."""

    id: str
    name: str
    scope: str
    is_active: bool = False
    modified_at: str = ""
    description: str = ""
    condition: str = ""
    """The condition summary (`filters.summary`)."""
    actions: list[str] = field(default_factory=list)
    """Names of its processing rules' actions, in order."""
    keys: list[str] = field(default_factory=list)
    """Vocabulary keys the rule tests or writes."""


@dataclass
class CleanProjectFacts(_Facts):
    """A clean project."""

    id: str
    name: str
    status: str = ""
    description: str = ""
    condition: str = ""
    keys: list[str] = field(default_factory=list)
    """The vocabulary keys the project cleans (its fields)."""


@dataclass
class DedupProjectFacts(_Facts):
    """A deduplication project."""

    id: str
    name: str
    status: str = ""
    description: str = ""
    scope: str = ""
    """Which golden records it looks at: business domains, or an advanced filter's summary."""
    matching_rules: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    """The vocabulary keys its matching criteria compare."""


@dataclass
class MdeProjectFacts(_Facts):
    """A manual-data-entry project with its form fields (vocabulary key, type)."""

    id: str
    title: str
    entity_type: str = ""
    modified_at: str = ""
    description: str = ""
    fields: list[list[str]] = field(default_factory=list)


def _json(value: Any) -> Any:
    """A JSON scalar's value (GraphQL may hand it over as text)."""
    if isinstance(value, str) and value.strip()[:1] in {"{", "["}:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


# --- rules --------------------------------------------------------------------------------------------------------


def iter_rules(cluedin: CluedInClient) -> Iterator[Listed]:
    """Every rule of every scope: id, name and a stamp of modification time, scope and activity."""
    for item in cluedin.iter_pages("processing_rules", ("management", "rules"), RULES_PAGING, page_size=20):
        stamp = f"{_text(item.get('modifiedAt'))}|{_text(item.get('scope'))}|{bool(item.get('isActive'))}"
        yield Listed(_text(item.get("id")), _text(item.get("name")), stamp)


def read_rule(cluedin: CluedInClient, rule_id: str) -> RuleFacts | None:
    """One rule's facts, or None when it no longer exists."""
    data = cluedin.graphql("processing_rule", {"id": rule_id}, allow_missing=True)
    rule = ((data or {}).get("management") or {}).get("rule")
    if not rule:
        return None
    processing = [r for r in (_json(rule.get("rules")) or []) if isinstance(r, Mapping)]
    actions = [a for r in processing for a in (_json(r.get("actions")) or []) if isinstance(a, Mapping)]
    written = [
        _text(p.get("value"))
        for a in actions
        for p in (a.get("properties") or [])
        if isinstance(p, Mapping) and p.get("name") == FIELD_NAME_PROPERTY
    ]
    tested = filters.keys_named(rule.get("condition")) + [
        k for r in processing for k in filters.keys_named(r.get("conditions"))
    ]
    return RuleFacts(
        id=_text(rule.get("id")),
        name=_text(rule.get("name")),
        scope=_text(rule.get("scope")),
        is_active=bool(rule.get("isActive")),
        modified_at=_text(rule.get("modifiedAt")),
        description=_text(rule.get("description")),
        condition=filters.summary(rule.get("condition")),
        actions=_unique([_text(a.get("name")) for a in actions]),
        keys=_unique(tested + [filters.property_key(k) or k for k in written]),
    )


# --- clean projects -----------------------------------------------------------------------------------------------


def iter_clean_projects(cluedin: CluedInClient) -> Iterator[Listed]:
    """Every clean project: id, name and status."""
    for item in cluedin.iter_pages("clean_projects", ("preparation", "allCleanProjects"), CLEAN_PAGING):
        yield Listed(_text(item.get("id")), _text(item.get("name")), _text(item.get("status")))


def read_clean_project(cluedin: CluedInClient, project_id: str) -> CleanProjectFacts | None:
    """One clean project's facts, or None when it no longer exists."""
    data = cluedin.graphql("clean_project", {"id": project_id}, allow_missing=True)
    project = ((data or {}).get("preparation") or {}).get("cleanProjectDetail")
    if not project:
        return None
    fields = [f for f in project.get("fields") or [] if isinstance(f, Mapping)]
    return CleanProjectFacts(
        id=_text(project.get("id")),
        name=_text(project.get("name")),
        status=_text(project.get("status")),
        description=_text(project.get("description")),
        condition=filters.summary(project.get("condition")),
        keys=_unique([_text(f.get("property")) for f in fields]),
    )


# --- deduplication projects ---------------------------------------------------------------------------------------


def iter_dedup_projects(cluedin: CluedInClient) -> Iterator[Listed]:
    """Every deduplication project: id, name and status."""
    for item in cluedin.iter_pages("dedup_projects", ("management", "deDupProjects"), DEDUP_PAGING):
        yield Listed(_text(item.get("id")), _text(item.get("name")), _text(item.get("status")))


def _dedup_scope(kind: Any, value: Any) -> str:
    value = _json(value)
    if str(kind) == "1":
        return filters.summary(value)
    types = value if isinstance(value, list) else ([value] if value else [])
    return "business domains " + ", ".join(str(t) for t in types) if types else filters.EVERYTHING


def read_dedup_project(cluedin: CluedInClient, project_id: str) -> DedupProjectFacts | None:
    """One deduplication project's facts (with its matching rules), or None when it no longer exists."""
    data = cluedin.graphql("dedup_project", {"id": project_id}, allow_missing=True)
    management = (data or {}).get("management") or {}
    project = management.get("deDupProject")
    if not project:
        return None
    rules = [r for r in ((management.get("deDuplicateProjectRules") or {}).get("data") or []) if r]
    criteria = [c for r in rules for c in r.get("matchingCriteria") or [] if isinstance(c, Mapping)]
    return DedupProjectFacts(
        id=_text(project.get("id")),
        name=_text(project.get("name")),
        status=_text(project.get("status")),
        description=_text(project.get("description")),
        scope=_dedup_scope(project.get("deduplicationScopeFilterType"), project.get("deduplicationScopeFilter")),
        matching_rules=_unique([_text(r.get("name")) for r in rules]),
        keys=_unique([filters.property_key(c.get("fieldName")) or _text(c.get("fieldName")) for c in criteria]),
    )


# --- manual data entry --------------------------------------------------------------------------------------------


def iter_mde_projects(cluedin: CluedInClient) -> Iterator[MdeProjectFacts]:
    """Every manual-data-entry project with its (not archived) form fields, from the listing alone."""
    for item in cluedin.iter_pages("mde_projects", ("management", "manualDataEntryProjects"), MDE_PAGING):
        fields = [
            [_text(f.get("vocabularyKey")), _text(f.get("type"))]
            for f in item.get("formFields") or []
            if isinstance(f, Mapping) and f.get("vocabularyKey") and not f.get("isArchived")
        ]
        yield MdeProjectFacts(
            id=_text(item.get("id")),
            title=_text(item.get("title")),
            entity_type=_text(item.get("entityType")),
            modified_at=_text(item.get("modifiedAt")),
            description=_text(item.get("description")),
            fields=list({k: [k, t] for k, t in fields}.values()),
        )
