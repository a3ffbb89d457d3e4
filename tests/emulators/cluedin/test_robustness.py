"""Bad input never yields a 500 or a stack trace: generated GraphQL documents and garbage bodies everywhere."""

from __future__ import annotations

import json

import hypothesis_graphql
import pytest
import requests
from graphql import print_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from emulators.cluedin.graphql.schema import data_schema, ui_schema
from tests.emulators.cluedin import toolkit as tk

SCALARS = {
    "JSON": st.sampled_from([{}, {"a": 1}, "text", 5]).map(lambda v: nodes.String(str(v))),
    "Long": st.integers(min_value=0, max_value=2**40).map(nodes.Int),
    "PagingCursor": st.sampled_from(["", "ewAiAHAAYQBnAGUAIgA6ADEAfQA=", "%%%"]).map(nodes.String),
    "Guid": st.uuids().map(lambda u: nodes.String(str(u))),
}
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def _check(response: requests.Response) -> None:
    assert response.status_code in (200, 400), response.text
    body = response.json()
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
    assert "INTERNAL_SERVER_ERROR" not in codes, body
    assert "Traceback" not in response.text


@SETTINGS
@given(query=hypothesis_graphql.queries(print_schema(ui_schema()), custom_scalars=SCALARS))
def test_generated_ui_queries(seeded, query):
    _check(seeded.post("/graphql", query))


@SETTINGS
@given(query=hypothesis_graphql.mutations(print_schema(ui_schema()), custom_scalars=SCALARS))
def test_generated_ui_mutations(seeded, query):
    _check(seeded.post("/graphql", query))


@SETTINGS
@given(query=hypothesis_graphql.queries(print_schema(data_schema()), custom_scalars=SCALARS))
def test_generated_data_queries(seeded, query):
    _check(seeded.post("/api/api/graphql", query))


@SETTINGS
@given(
    query=hypothesis_graphql.from_schema(
        print_schema(ui_schema()), custom_scalars=SCALARS, mode=hypothesis_graphql.Mode.NEGATIVE
    )
)
def test_generated_invalid_documents(seeded, query):
    _check(seeded.post("/graphql", query))


ROUTES = [
    ("POST", "/graphql"),
    ("POST", "/api/api/graphql"),
    ("POST", "/auth/connect/token"),
    ("POST", "/upload/api/endpoint/{data_set}"),
    ("PUT", "/api/v1/glossary"),
    ("POST", "/api/v1/glossary"),
    ("POST", "/api/v1/glossary/category"),
    ("PUT", "/api/v1/organization/configurationvalue/{org}"),
    ("GET", "/api/v1/auditLog/getByObjectTypeIds?page=-1&take=x"),
    ("GET", "/api/v1/glossary?page=abc"),
    ("GET", "/api/v1/glossary/not-a-guid"),
    ("GET", "/api/api/entity?id=zzz"),
    ("GET", "/api/v1/entity/history?id=zzz"),
    ("GET", "/api/v1/entity/historydetails?id={entity}&partId="),
    ("GET", "/api/v1/entity/historysummary?id={entity}&dateFrom=yesterday"),
    ("GET", "/api/entityhistory/list/{entity}?includeDetail=maybe&keys=&dateTo=x"),
    ("GET", "/api/entityhistory/details/{entity}/999"),
    ("GET", "/api/entityhistory/zzz/changedkeys"),
    ("GET", "/api/entitysource/zzz"),
    ("GET", "/api/v1/entityedges?id="),
    ("GET", "/api/v1/configuration/providers?id=zzz"),
    ("GET", "/api/v1/configuration/providers/count?status=x&includeTypes=,,"),
    ("GET", "/api/v1/configuration/providers/history?id=zzz&page=-1"),
    ("GET", "/api/v1/integration/enricher/zzz/details"),
    ("POST", "/api/v1/integration/enricher/{entity}/enrich"),
    ("DELETE", "/api/v1/integration/enricher/zzz/delete"),
    ("GET", "/api/v1/rules/operators"),
    ("GET", "/api/v1/streams?filterStreamStatus=9&page=x"),
    ("POST", "/api/v1/streams/zzz/pause"),
    ("GET", "/api/v1/streammapping/zzz"),
    ("POST", "/api/v1/glossary/stream?id=zzz"),
    ("POST", "/api/v1/glossary/clean"),
    ("GET", "/api/v1/glossarysearch/entities?id="),
    ("PUT", "/_emulator/state"),
    ("POST", "/_emulator/activity/data-set"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("payload", [b"", b"{", b"null", b"[]", b'{"query": 5}', b"\xff\xfe\x00", b'"x"', b"1e999"])
def test_garbage_bodies_are_4xx_never_5xx(seeded, method, path, payload):
    data_set = next(iter(seeded.emulator.services.store.data_sets))
    entity = next(iter(seeded.emulator.services.store.entities))
    store = seeded.emulator.services.store
    url = seeded.url + path.format(data_set=data_set, org=store.org["id"], entity=entity)
    response = seeded.http.request(method, url, data=payload, headers={"Content-Type": "application/json"})
    assert 200 <= response.status_code < 500, (response.status_code, response.text)
    assert "Traceback" not in response.text
    if response.status_code != 204:
        response.json()


BAD_MUTATIONS = [
    (tk.SAVE_RULE, {"rule": {"id": "{rule}", "rules": [1, 2]}}),
    (tk.SAVE_RULE, {"rule": {"id": "{rule}", "rules": [{"conditions": "x"}]}}),
    (tk.SAVE_RULE, {"rule": {"id": "{rule}", "rules": [{"actions": "x"}]}}),
    (tk.SAVE_RULE, {"rule": {"id": "{rule}", "name": " ", "scope": "x"}}),
    (tk.CREATE_DEDUP_PROJECT, {"dedupProject": {"name": "x", "querySizeLimit": -1}}),
    (tk.CREATE_DEDUP_PROJECT, {"dedupProject": {"name": "x", "deduplicationScopeFilter": 5}}),
    (
        tk.CREATE_DEDUP_PROJECT,
        {"dedupProject": {"name": "x", "deduplicationScopeFilterType": 1, "deduplicationScopeFilter": "[1]"}},
    ),
    (tk.CREATE_DEDUP_PROJECT, {"dedupProject": {"name": "x", "deduplicationScopeFilterType": 7}}),
    (tk.UPDATE_DEDUP_RULE, {"id": "{dedup}", "ruleId": "nope", "rule": {"name": "x"}}),
    (tk.CREATE_MDE_PROJECT, {"manualDataEntryProject": {"title": "x", "entityType": "/X"}}),
    (
        tk.CREATE_MDE_PROJECT,
        {"manualDataEntryProject": {"title": "x", "entityType": "bad", "vocabularyConfiguration": {"new": True}}},
    ),
    (
        tk.ADD_FORM_FIELD,
        {"projectId": "{mde}", "formField": {"vocabularyKeyConfiguration": {"new": True, "vocabularyKeyName": "a b"}}},
    ),
    (tk.ADD_FORM_FIELD, {"projectId": "{mde}", "formField": {}}),
    (tk.SAVE_FORM_FIELD, {"projectId": "{mde}", "formField": {"label": "x"}}),
    (tk.CREATE_CLEAN_PROJECT, {"cleanProject": {"name": "x", "fields": [{"property": ""}]}}),
    (
        tk.CREATE_CLEAN_PROJECT,
        {"cleanProject": {"name": "x", "query": '(("', "condition": {"rules": [{"operator": "x"}]}}},
    ),
    (tk.GENERATE_RESULT, {"id": "nope"}),
    (tk.CREATE_PRE_PROCESS_RULE, {"rule": {"annotationId": "abc", "displayName": "x"}}),
    (
        tk.CREATE_PRE_PROCESS_RULE,
        {"rule": {"annotationId": "1", "displayName": "x", "transformations": {"filters": "x"}}},
    ),
    (tk.SAVE_PRE_PROCESS_RULE, {"rule": {"id": None}}),
    (tk.EDIT_ANNOTATION_CODE, {"id": None, "annotationCode": {}}),
    (tk.CREATE_ANNOTATION_CODE, {"annotationCode": {"annotationId": "1"}}),
    (tk.ADD_EDGE_MAPPING, {"annotationId": "1", "key": "", "edgeConfiguration": {"edgeType": "/X"}}),
    (
        tk.ADD_EDGE_MAPPING,
        {"annotationId": "1", "key": "x", "edgeConfiguration": {"edgeType": "/X", "direction": "Up"}},
    ),
    (
        tk.ADD_EDGE_MAPPING,
        {
            "annotationId": "1",
            "key": "x",
            "edgeConfiguration": {"edgeType": "/X", "edgeProperties": [{"vocabularyKeyConfiguration": {}}]},
        },
    ),
    (
        tk.BATCH_PROPERTY_MAPPINGS,
        {"annotationId": "1", "batchPropertyMappings": {"propertyMappingSettings": [{"useAsEntityCode": True}]}},
    ),
    (tk.SAVE_DATABASE_CONFIGURATION, {"id": "1", "configuration": "x"}),
    (tk.GRANT_USERS_PERMISSION, {"connectorId": None, "userIds": [None]}),
]


@pytest.mark.parametrize(("query", "variables"), BAD_MUTATIONS)
def test_new_operations_refuse_bad_input_as_field_errors(seeded, query, variables):
    store = seeded.emulator.services.store
    ids = {
        "rule": next(iter(store.rules)),
        "dedup": next(iter(store.dedup_projects)),
        "mde": next(iter(store.mde_projects)),
    }
    filled = json.loads(
        json.dumps(variables)
        .replace("{rule}", ids["rule"])
        .replace("{dedup}", ids["dedup"])
        .replace("{mde}", ids["mde"])
    )
    body = seeded.raw(query, filled)
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert codes <= {"BAD_USER_INPUT", "NOT_FOUND"}, body
