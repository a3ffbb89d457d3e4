"""Deduplication projects and their matching rules (`management` namespace).

A project selects golden records either by business domain (scope filter type 0: a list of entity types) or by
an advanced filter (type 1: a filter tree, checked and normalised like every other tree); matching rules list the
criteria that make two records duplicates. Generating and merging groups of duplicates is not emulated: `groupCount`
stays 0 **(guess: what a fresh project reports)**.

Project statuses follow CluedIn's documentation ("Requires configuration" until a matching rule exists, then
"Ready to generate"), written without spaces as the GraphQL `status` string **(guess: the spelling)**.
"""

from __future__ import annotations

import json
from typing import Any

from emulators.cluedin import filters
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, new_guid, parse_guid

REQUIRES_CONFIGURATION = "RequiresConfiguration"
READY_TO_GENERATE = "ReadyToGenerate"
BY_BUSINESS_DOMAIN, BY_FILTER = 0, 1
PROJECT_FIELDS = (
    "name", "description", "deduplicationScopeFilterType", "deduplicationScopeFilter", "shouldLimitQuerySize",
    "querySizeLimit",
)  # fmt: skip
CRITERIA_FIELDS = (
    "name", "objectType", "fieldName", "matchingTypeId", "comparisonConfiguration", "normalizationConfiguration",
)  # fmt: skip


def create_project(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`createDedupProject(dedupProject: InputDedupProject)`."""
    spec = spec or {}
    name = str(spec.get("name") or "").strip()
    if not name:
        raise EmulatorError("dedupProject.name is required")
    ident = new_guid()
    project = store.stamp_new(
        {
            "id": ident,
            "name": name,
            "description": spec.get("description"),
            "status": REQUIRES_CONFIGURATION,
            "deduplicationScopeFilterType": BY_BUSINESS_DOMAIN,
            "deduplicationScopeFilter": None,
            "shouldLimitQuerySize": False,
            "querySizeLimit": None,
            "groupCount": 0,
            "requiresAttention": False,
            "createdBy": author_id,
            "authorId": author_id,
            "matchingRules": [],
        }
    )
    project["createdDate"] = project["createdAt"]
    _apply(project, spec)
    store.dedup_projects[ident] = project
    store.audit("DeduplicationProject", ident, "Created", author_id, name=name)
    return project


def _apply(project: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    given = {f: spec[f] for f in PROJECT_FIELDS if spec.get(f) is not None}
    if "name" in given and not str(given["name"]).strip():
        raise EmulatorError("dedupProject.name must not be empty")
    kind = given.get("deduplicationScopeFilterType", project["deduplicationScopeFilterType"])
    if kind not in (BY_BUSINESS_DOMAIN, BY_FILTER):
        raise EmulatorError("deduplicationScopeFilterType must be 0 (business domains) or 1 (advanced filter)")
    if given.get("querySizeLimit") is not None and int(given["querySizeLimit"]) < 0:
        raise EmulatorError("querySizeLimit must not be negative")
    if "deduplicationScopeFilter" in given:
        scope = _scope(kind, given["deduplicationScopeFilter"])
        if not isinstance(given["deduplicationScopeFilter"], str):
            given["deduplicationScopeFilter"] = scope
    changes = {k: v for k, v in given.items() if v != project.get(k)}
    project.update(changes)
    return changes


def _scope(kind: int, value: object) -> Any:
    """The scope filter as data: a filter tree (type 1) or entity types (type 0), JSON text or not."""
    if isinstance(value, str) and value.strip()[:1] in {"{", "["}:
        try:
            value = json.loads(value)
        except ValueError:
            raise EmulatorError("deduplicationScopeFilter is not valid JSON") from None
    if kind == BY_FILTER:
        return filters.normalize(value, "deduplicationScopeFilter")
    types = value if isinstance(value, list) else [value]
    if not all(isinstance(t, str) for t in types):
        raise EmulatorError("deduplicationScopeFilter must name entity types for scope filter type 0")
    return types


def get_project(store: CluedInStore, ident: object) -> dict[str, Any]:
    """A deduplication project by GUID, or NotFoundError."""
    project = store.dedup_projects.get(parse_guid(ident, "DeDupProject"))
    if project is None:
        raise NotFoundError("DeDupProject", ident)
    return project


def save_project(store: CluedInStore, ident: object, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`saveDedupProject(id, dedupProject)`."""
    project = get_project(store, ident)
    changes = _apply(project, spec or {})
    if changes:
        store.touch(project)
        details = {k: v for k, v in changes.items() if k != "deduplicationScopeFilter"}
        store.audit("DeduplicationProject", project["id"], "Updated", author_id, name=project["name"], details=details)
    return project


def remove_project(store: CluedInStore, ident: object, author_id: str) -> None:
    """REST `DELETE deduplication/projects/{projectId}` (Swagger: 200 without a body), matching rules included."""
    project = get_project(store, ident)
    del store.dedup_projects[project["id"]]
    store.version += 1
    store.audit("DeduplicationProject", project["id"], "Deleted", author_id, name=project["name"])


def _criteria(items: object) -> list[dict[str, Any]]:
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(c, dict) for c in items):
        raise EmulatorError("rule.matchingCriteria must be a list of criteria")
    criteria = []
    for item in items:
        if not item.get("fieldName") and not item.get("name"):
            raise EmulatorError("each matching criterion needs a fieldName (or a name)")
        criterion = {f: item.get(f) for f in CRITERIA_FIELDS}
        criterion["matchingTypeDisplayName"] = None
        criteria.append(criterion)
    return criteria


def create_rule(store: CluedInStore, ident: object, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`createDedupRule(id, rule: {name, matchingCriteria})`: an enabled matching rule, last in order."""
    project = get_project(store, ident)
    spec = spec or {}
    name = str(spec.get("name") or "").strip()
    if not name:
        raise EmulatorError("rule.name is required")
    rule = {
        "id": new_guid(),
        "name": name,
        "enabled": True,
        "order": len(project["matchingRules"]) + 1,
        "createdBy": author_id,
        "creationDate": store.clock.iso(),
        "matchingCriteria": _criteria(spec.get("matchingCriteria")),
    }
    project["matchingRules"].append(rule)
    if project["status"] == REQUIRES_CONFIGURATION:
        project["status"] = READY_TO_GENERATE
    store.touch(project)
    store.audit(
        "DeduplicationProject", project["id"], "Updated", author_id, name=project["name"],
        details={"activity": "Create a deduplication rule", "ruleId": rule["id"], "ruleName": name},
    )  # fmt: skip
    return rule


def update_rule(
    store: CluedInStore, ident: object, rule_id: object, spec: dict[str, Any] | None, author_id: str
) -> dict[str, Any]:
    """`updateDedupRule(id, ruleId, rule)`: rename it or replace its criteria."""
    project = get_project(store, ident)
    wanted = parse_guid(rule_id, "DeDupProjectRule")
    rule: dict[str, Any] | None = next((r for r in project["matchingRules"] if r["id"] == wanted), None)
    if rule is None:
        raise NotFoundError("DeDupProjectRule", rule_id)
    spec = spec or {}
    if spec.get("name") is not None:
        if not str(spec["name"]).strip():
            raise EmulatorError("rule.name must not be empty")
        rule["name"] = str(spec["name"]).strip()
    if spec.get("matchingCriteria") is not None:
        rule["matchingCriteria"] = _criteria(spec["matchingCriteria"])
    store.touch(project)
    store.audit(
        "DeduplicationProject", project["id"], "Updated", author_id, name=project["name"],
        details={"activity": "Update a deduplication rule", "ruleId": rule["id"], "ruleName": rule["name"]},
    )  # fmt: skip
    return rule


def seed_project(store: CluedInStore, spec: dict[str, Any], author_id: str) -> dict[str, Any]:
    """A project from a seed: `entityTypes` (business domains) or `filter` (operator names allowed), and `rules`."""
    given = dict(spec)
    if given.get("filter") is not None:
        given["deduplicationScopeFilterType"] = BY_FILTER
        given["deduplicationScopeFilter"] = filters.from_seed(given.pop("filter"), "dedup project filter")
    elif given.get("entityTypes") is not None:
        given["deduplicationScopeFilter"] = list(given.pop("entityTypes"))
    project = create_project(store, given, author_id)
    for rule in spec.get("rules") or []:
        create_rule(store, project["id"], rule, author_id)
    return project
