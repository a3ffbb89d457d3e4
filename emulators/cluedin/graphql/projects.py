"""Resolvers for deduplication and manual-data-entry projects (`management`) and clean projects (`preparation`).

Paging follows what CluedIn's own clients send for each field: `manualDataEntryProjects` from pageNumber 0 (the
Product Toolkit), `deDuplicateProjectRules` from 1 (the Toolkit), `allCleanProjects` and `allCleanProjectRules`
from page 1 (the Toolkit, the Fabric workload); `deDupProjects` from 1 is a guess.
"""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from emulators.cluedin import clean, dedup, mde, rules
from emulators.cluedin.graphql.administration import prep_mutation, prep_query
from emulators.cluedin.graphql.context import Info, ctx, requires
from emulators.cluedin.graphql.management import mutation, query
from emulators.cluedin.graphql.shared import resolve_author, resolve_is_owner, user_ref
from emulators.cluedin.util import matches_search, page_slice

DEDUP = "management.deduplicationprojectmanagement"
MDE = "integration.manualdataentryprojectmanagement"
CLEAN = "preparation.clean"

dedup_project = ObjectType("DeDupProject")
mde_project = ObjectType("ManualDataEntryProject")
form_field = ObjectType("ManualDataEntryFormField")
clean_project = ObjectType("CleanProject")


# ---------------------------------------------------------------------- deduplication


@query.field("deDupProjects")
@requires(DEDUP)
def _dedup_projects(
    _obj: Any, info: Info, pageNumber: int | None = None, itemsPerPage: int | None = None, **args: Any
) -> dict[str, Any]:
    items = list(ctx(info).store.dedup_projects.values())
    if args.get("includeProjectStages"):
        items = [p for p in items if p.get("status") in args["includeProjectStages"]]
    if args.get("excludeProjectStages"):
        items = [p for p in items if p.get("status") not in args["excludeProjectStages"]]
    return {"total": len(items), "data": page_slice(items, pageNumber, itemsPerPage, first_page=1)}


@query.field("deDupProject")
@requires(DEDUP)
def _dedup_project(_obj: Any, info: Info, id: object) -> dict[str, Any]:
    return dedup.get_project(ctx(info).store, id)


@query.field("deDuplicateProjectRules")
@requires(DEDUP)
def _dedup_rules(
    _obj: Any, info: Info, id: object, pageNumber: int | None = None, itemsPerPage: int | None = None
) -> dict[str, Any]:
    items = dedup.get_project(ctx(info).store, id)["matchingRules"]
    return {"total": len(items), "data": page_slice(items, pageNumber, itemsPerPage, first_page=1)}


@mutation.field("createDedupProject")
@requires(DEDUP, write=True)
def _create_dedup(_obj: Any, info: Info, dedupProject: dict[str, Any] | None = None) -> dict[str, Any]:
    return dedup.create_project(ctx(info).store, dedupProject, ctx(info).user_id)


@mutation.field("saveDedupProject")
@requires(DEDUP, write=True)
def _save_dedup(_obj: Any, info: Info, id: object, dedupProject: dict[str, Any] | None = None) -> dict[str, Any]:
    return dedup.save_project(ctx(info).store, id, dedupProject, ctx(info).user_id)


@mutation.field("createDedupRule")
@requires(DEDUP, write=True)
def _create_dedup_rule(_obj: Any, info: Info, id: object, rule: dict[str, Any] | None = None) -> dict[str, Any]:
    return dedup.create_rule(ctx(info).store, id, rule, ctx(info).user_id)


@mutation.field("updateDedupRule")
@requires(DEDUP, write=True)
def _update_dedup_rule(
    _obj: Any, info: Info, id: object, ruleId: object, rule: dict[str, Any] | None = None
) -> dict[str, Any]:
    return dedup.update_rule(ctx(info).store, id, ruleId, rule, ctx(info).user_id)


# ---------------------------------------------------------------------- manual data entry


@query.field("manualDataEntryProjects")
@requires(MDE)
def _mde_projects(_obj: Any, info: Info, pageNumber: int | None = None, pageSize: int | None = None) -> dict[str, Any]:
    items = list(ctx(info).store.mde_projects.values())
    return {"total": len(items), "data": page_slice(items, pageNumber, pageSize, first_page=0)}


@query.field("manualDataEntryProject")
@requires(MDE)
def _mde_project(_obj: Any, info: Info, id: object) -> dict[str, Any]:
    return mde.get_project(ctx(info).store, id)


@mutation.field("createManualDataEntryProject")
@requires(MDE, write=True)
def _create_mde(_obj: Any, info: Info, manualDataEntryProject: dict[str, Any] | None = None) -> dict[str, Any]:
    return mde.create_project(ctx(info).store, manualDataEntryProject, ctx(info).user_id)


@mutation.field("saveManualDataEntryProject")
@requires(MDE, write=True)
def _save_mde(
    _obj: Any, info: Info, id: object, manualDataEntryProject: dict[str, Any] | None = None
) -> dict[str, Any]:
    return mde.save_project(ctx(info).store, id, manualDataEntryProject, ctx(info).user_id)


@mutation.field("addManualDataEntryProjectFormField")
@requires(MDE, write=True)
def _add_form_field(_obj: Any, info: Info, projectId: object, formField: dict[str, Any] | None = None) -> Any:
    return mde.add_form_field(ctx(info).store, projectId, formField, ctx(info).user_id)


@mutation.field("saveManualDataEntryProjectFormField")
@requires(MDE, write=True)
def _save_form_field(_obj: Any, info: Info, projectId: object, formField: dict[str, Any] | None = None) -> Any:
    return mde.save_form_field(ctx(info).store, projectId, formField, ctx(info).user_id)


@mde_project.field("createdByUser")
@form_field.field("createdByUser")
def _created_by_user(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return user_ref(ctx(info).store, obj.get("createdBy"))


@mde_project.field("connectorConfiguration")
def _mde_connector(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return ctx(info).store.provider_definitions.get(obj.get("connectorConfigurationId") or "")


@mde_project.field("vocabulary")
def _mde_vocabulary(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return ctx(info).store.vocabularies.get(obj.get("vocabularyId") or "")


@mde_project.field("fieldMappings")
def _mde_field_mappings(obj: dict[str, Any], _info: Info) -> list[dict[str, Any]]:
    return mde.field_mappings(obj)


@form_field.field("vocabularyKeyObject")
def _form_field_key(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return ctx(info).store.vocabulary_keys.get(obj.get("vocabularyKeyId") or "")


# ---------------------------------------------------------------------- clean


@prep_query.field("allCleanProjects")
@requires(CLEAN)
def _clean_projects(
    _obj: Any, info: Info, page: int | None = None, pageSize: int | None = None, searchName: str | None = None
) -> dict[str, Any]:
    items = [p for p in ctx(info).store.clean_projects.values() if matches_search(p["name"], searchName)]
    return {"total": len(items), "projects": page_slice(items, page, pageSize, first_page=1)}


@prep_query.field("cleanProjectDetail")
@requires(CLEAN)
def _clean_project(_obj: Any, info: Info, id: object) -> dict[str, Any]:
    return clean.get_project(ctx(info).store, id)


@prep_query.field("allCleanProjectRules")
@requires(CLEAN)
def _clean_rules(
    _obj: Any, info: Info, id: object, page: int | None = None, pageSize: int | None = None
) -> dict[str, Any]:
    items = clean.project_rules(ctx(info).store, id)
    return {"total": len(items), "rules": page_slice(items, page, pageSize, first_page=1)}


@prep_mutation.field("createNewCleanProject")
@requires(CLEAN, write=True)
def _create_clean(_obj: Any, info: Info, cleanProject: dict[str, Any]) -> dict[str, Any]:
    return clean.create_project(ctx(info).store, cleanProject, ctx(info).user_id)


@prep_mutation.field("updateNewCleanProject")
@requires(CLEAN, write=True)
def _update_clean(_obj: Any, info: Info, id: object, cleanProject: dict[str, Any]) -> dict[str, Any]:
    return clean.update_project(ctx(info).store, id, cleanProject, ctx(info).user_id)


@prep_mutation.field("generateResult")
@requires(CLEAN, write=True)
def _generate_result(_obj: Any, info: Info, id: object) -> bool:
    """A JSON scalar; the Fabric workload ignores it, so `true` is a guess."""
    clean.generate_result(ctx(info).store, id, ctx(info).user_id)
    return True


@clean_project.field("lastCommittedByUser")
def _last_committed_by(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return user_ref(ctx(info).store, obj.get("lastCommittedBy"))


@clean_project.field("hasRules")
def _clean_has_rules(obj: dict[str, Any], info: Info) -> bool:
    return bool(rules.rules_from_source(ctx(info).store, obj["id"]))


for _type in (dedup_project, clean_project):
    _type.set_field("author", resolve_author)
for _type in (dedup_project, mde_project, clean_project):
    _type.set_field("isOwner", resolve_is_owner)

BINDABLES = [dedup_project, mde_project, form_field, clean_project]
