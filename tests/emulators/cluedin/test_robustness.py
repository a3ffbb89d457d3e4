"""Bad input never yields a 500 or a stack trace: generated GraphQL documents and garbage bodies everywhere."""

from __future__ import annotations

import hypothesis_graphql
import pytest
import requests
from graphql import print_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from emulators.cluedin.graphql.schema import data_schema, ui_schema

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
    ("PUT", "/_emulator/state"),
    ("POST", "/_emulator/activity/data-set"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("payload", [b"", b"{", b"null", b"[]", b'{"query": 5}', b"\xff\xfe\x00", b'"x"', b"1e999"])
def test_garbage_bodies_are_4xx_never_5xx(seeded, method, path, payload):
    data_set = next(iter(seeded.emulator.services.store.data_sets))
    url = seeded.url + path.format(data_set=data_set, org=seeded.emulator.services.store.org["id"])
    response = seeded.http.request(method, url, data=payload, headers={"Content-Type": "application/json"})
    assert 200 <= response.status_code < 500, (response.status_code, response.text)
    assert "Traceback" not in response.text
    if response.status_code != 204:
        response.json()
