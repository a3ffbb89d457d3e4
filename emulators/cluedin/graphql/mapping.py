"""Resolvers for mapping details: edge mappings, batch identifier settings, custom origin, pre-process rules, codes.

Mutations whose result type the sources show only as a scalar (`addEdgeMapping`,
`modifyBatchVocabularyClueMappingConfiguration`, `saveCustomOriginClueMappingConfiguration`) answer `true`
**(guess)**, like the emulator's other scalar mapping mutations.
"""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType

from emulators.cluedin import mapping_extras
from emulators.cluedin.graphql.administration import prep_mutation, prep_query
from emulators.cluedin.graphql.context import Info, ctx, requires
from emulators.cluedin.graphql.management import mutation
from emulators.cluedin.mapping import get_annotation
from emulators.cluedin.util import page_slice

ANNOTATION = "management.annotation"

edge_property = ObjectType("AnnotationEdgeProperty")


@mutation.field("addEdgeMapping")
@requires(ANNOTATION, write=True)
def _add_edge(_obj: Any, info: Info, annotationId: object, key: str, edgeConfiguration: Any = None) -> bool:
    mapping_extras.add_edge(ctx(info).store, annotationId, key, edgeConfiguration, ctx(info).user_id)
    return True


@mutation.field("modifyBatchVocabularyClueMappingConfiguration")
@requires(ANNOTATION, write=True)
def _batch(_obj: Any, info: Info, annotationId: object, batchPropertyMappings: Any = None) -> bool:
    mapping_extras.batch_property_mappings(ctx(info).store, annotationId, batchPropertyMappings, ctx(info).user_id)
    return True


@mutation.field("saveCustomOriginClueMappingConfiguration")
@requires(ANNOTATION, write=True)
def _custom_origin(_obj: Any, info: Info, annotationId: object, customOrigin: str | None = None) -> bool:
    mapping_extras.save_custom_origin(ctx(info).store, annotationId, customOrigin, ctx(info).user_id)
    return True


@prep_query.field("getAllPreProcessDataSetRules")
@requires(ANNOTATION)
def _pre_process_rules(
    _obj: Any, info: Info, annotationId: object, page: int | None = None, pageSize: int | None = None
) -> dict[str, Any]:
    items = get_annotation(ctx(info).store, annotationId).get("preProcessRules", [])
    return {"total": len(items), "data": page_slice(items, page, pageSize, first_page=0)}


@prep_query.field("getAnnotationCodes")
@requires(ANNOTATION)
def _codes(_obj: Any, info: Info, annotationId: object) -> list[dict[str, Any]]:
    return list(get_annotation(ctx(info).store, annotationId).get("codes", []))


@prep_mutation.field("createPreProcessDataSetRule")
@requires(ANNOTATION, write=True)
def _create_pre_process(_obj: Any, info: Info, rule: dict[str, Any] | None = None) -> dict[str, Any]:
    return mapping_extras.create_pre_process_rule(ctx(info).store, rule, ctx(info).user_id)


@prep_mutation.field("savePreProcessDataSetRule")
@requires(ANNOTATION, write=True)
def _save_pre_process(_obj: Any, info: Info, rule: dict[str, Any] | None = None) -> dict[str, Any]:
    return mapping_extras.save_pre_process_rule(ctx(info).store, rule, ctx(info).user_id)


@prep_mutation.field("createAnnotationCode")
@requires(ANNOTATION, write=True)
def _create_code(_obj: Any, info: Info, annotationCode: dict[str, Any] | None = None) -> dict[str, Any]:
    return mapping_extras.create_code(ctx(info).store, annotationCode, ctx(info).user_id)


@prep_mutation.field("editAnnotationCode")
@requires(ANNOTATION, write=True)
def _edit_code(_obj: Any, info: Info, id: object = None, annotationCode: dict[str, Any] | None = None) -> Any:
    return mapping_extras.edit_code(ctx(info).store, id, annotationCode, ctx(info).user_id)


@edge_property.field("vocabularyKey")
def _edge_property_key(obj: dict[str, Any], info: Info) -> dict[str, Any] | None:
    return ctx(info).store.vocabulary_keys.get(obj.get("vocabularyKeyId") or "")


BINDABLES = [edge_property]
