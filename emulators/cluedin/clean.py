"""Clean projects (`preparation` namespace): a filter (and query) over golden records plus the properties to clean.

Created and updated the way CluedIn's own clients do (`createNewCleanProject` / `updateNewCleanProject` with
`{name, query, includeDataParts, fields, description, condition}`), then `generateResult` loads the matching
records: the emulator counts them with the shared filter evaluator into `rowCount`. Cleaning itself and committing
are not emulated; the rules a clean project generates (`allCleanProjectRules`) come from seeds, as processing
rules whose `sourceDetail` names the project.

Statuses follow CluedIn's documentation ("New", then "Ready for clean" once results are generated), written
without spaces as the GraphQL `status` string **(guess: the spelling)**.
"""

from __future__ import annotations

from typing import Any

from emulators.cluedin import filters, rules
from emulators.cluedin.catalog import find_key
from emulators.cluedin.entities import parse_query
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, new_guid, parse_guid

NEW = "New"
READY_FOR_CLEAN = "ReadyForClean"
SOURCE_TYPE = "CleanProject"
"""`sourceDetail.type` of the rules a clean project generates **(guess: the value is unpublished)**."""
PROJECT_FIELDS = ("name", "query", "includeDataParts", "description", "fields", "condition")


def create_project(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`createNewCleanProject(cleanProject: InputNewCleanProject!)`."""
    spec = spec or {}
    name = str(spec.get("name") or "").strip()
    if not name:
        raise EmulatorError("cleanProject.name is required")
    ident = new_guid()
    project = store.stamp_new(
        {
            "id": ident,
            "name": name,
            "description": None,
            "query": "",
            "includeDataParts": False,
            "fields": [],
            "condition": filters.group([]),
            "status": NEW,
            "rowCount": 0,
            "lastCommittedDate": None,
            "lastCommittedBy": None,
            "autoGenerateRules": False,
            "staleDataStrategy": None,
            "hasCleanChanges": False,
            "hasBeenCommitted": False,
            "providerProjectId": None,
            "requiresAttention": False,
            "createdBy": author_id,
            "authorId": author_id,
        }
    )
    project["createdDate"] = project["createdAt"]
    _apply(store, project, spec)
    store.clean_projects[ident] = project
    store.audit("CleanProject", ident, "Created", author_id, name=name)
    return project


def _apply(store: CluedInStore, project: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    given = {f: spec[f] for f in PROJECT_FIELDS if spec.get(f) is not None}
    if "name" in given and not str(given["name"]).strip():
        raise EmulatorError("cleanProject.name must not be empty")
    if "condition" in given:
        given["condition"] = filters.normalize(given["condition"], "cleanProject.condition")
    if "fields" in given:
        given["fields"] = [_field(store, f) for f in given["fields"] if f]
    if "query" in given:
        parse_query(str(given["query"]))
    changes = {k: v for k, v in given.items() if v != project.get(k)}
    project.update(changes)
    return changes


def _field(store: CluedInStore, spec: dict[str, Any]) -> dict[str, Any]:
    """A property to clean: `{property, type: "vocabulary"}` gains the display name CluedIn shows for it."""
    prop = str(spec.get("property") or "").strip()
    if not prop:
        raise EmulatorError("each clean project field needs a property")
    kind = str(spec.get("type") or "vocabulary")
    key = find_key(store, prop) if kind.lower() == "vocabulary" else None
    return {"type": kind, "property": prop, "displayName": key["displayName"] if key else prop, "icon": None}


def get_project(store: CluedInStore, ident: object) -> dict[str, Any]:
    """A clean project by GUID, or NotFoundError."""
    project = store.clean_projects.get(parse_guid(ident, "CleanProject"))
    if project is None:
        raise NotFoundError("CleanProject", ident)
    return project


def update_project(store: CluedInStore, ident: object, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`updateNewCleanProject(id, cleanProject)`: the same input as create replaces the configuration."""
    project = get_project(store, ident)
    changes = _apply(store, project, spec or {})
    if changes:
        store.touch(project)
        details = {k: v for k, v in changes.items() if k not in {"condition", "fields"}}
        store.audit("CleanProject", project["id"], "Updated", author_id, name=project["name"], details=details)
    return project


def matching_records(store: CluedInStore, project: dict[str, Any]) -> list[dict[str, Any]]:
    """Golden records the project's filter and query select (what `generateResult` loads)."""
    query = parse_query(str(project.get("query") or ""))
    return [e for e in store.entities.values() if filters.matches(e, project.get("condition")) and query(e)]


def generate_result(store: CluedInStore, ident: object, author_id: str) -> dict[str, Any]:
    """`generateResult(id)`: load the matching records; the project is then ready for cleaning."""
    project = get_project(store, ident)
    project["rowCount"] = len(matching_records(store, project))
    project["status"] = READY_FOR_CLEAN
    store.touch(project)
    store.audit(
        "CleanProject", project["id"], "Updated", author_id, name=project["name"],
        details={"activity": "Generate results", "rowCount": project["rowCount"]},
    )  # fmt: skip
    return project


def remove_project(store: CluedInStore, ident: object, author_id: str) -> None:
    """REST `DELETE v2/clean/{projectId}` (Swagger: 200 without a body).

    The rules the project generated stay: they are processing rules of their own, still naming the project in
    `sourceDetail` **(guess: what CluedIn does with them is undocumented)**.
    """
    project = get_project(store, ident)
    del store.clean_projects[project["id"]]
    store.version += 1
    store.audit("CleanProject", project["id"], "Deleted", author_id, name=project["name"])


def project_rules(store: CluedInStore, ident: object) -> list[dict[str, Any]]:
    """`allCleanProjectRules(id)`: the processing rules this project generated."""
    return rules.rules_from_source(store, get_project(store, ident)["id"])


def seed_project(store: CluedInStore, spec: dict[str, Any], author_id: str) -> dict[str, Any]:
    """A clean project from a seed: `condition` may use operator names; `rules` become generated data part rules."""
    given = {k: v for k, v in spec.items() if k in PROJECT_FIELDS}
    if spec.get("condition") is not None:
        given["condition"] = filters.from_seed(spec["condition"], f"clean project {spec.get('name')!r} condition")
    if spec.get("entityType") and "condition" not in given:
        given["condition"] = filters.entity_type_filter(str(spec["entityType"]))
    project = create_project(store, given, author_id)
    for key in ("status", "rowCount", "autoGenerateRules"):
        if key in spec:
            project[key] = spec[key]
    source = {"id": project["id"], "name": project["name"], "type": SOURCE_TYPE}
    for rule in spec.get("rules") or []:
        rules.seed_rule(store, {"scope": "DataPart", **rule}, author_id, source=source)
    return project
