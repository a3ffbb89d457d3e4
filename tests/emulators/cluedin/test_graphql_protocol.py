"""GraphQL over HTTP: validation and request errors, media types, GET, counters, and the fast read path."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from emulators._common import running
from emulators.cluedin import build_cluedin_app
from tests.emulators.cluedin import documents as doc
from tests.emulators.cluedin import toolkit as tk


def test_unknown_field_is_a_validation_error_with_http_200(client):
    body = client.raw("{ inbound { dataSourceSets { total nope } } }")
    assert "data" not in body
    [error] = body["errors"]
    assert "Cannot query field 'nope'" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["locations"]


def test_wrong_argument_type_is_a_validation_error(client):
    body = client.raw('{ inbound { dataSourceSets(page: "zero") { total } } }')
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "Int cannot represent" in body["errors"][0]["message"]


def test_wrong_variable_type_is_a_request_error(client):
    body = client.raw(doc.DATA_SOURCE_SETS, {"page": "zero"})
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = client.raw(doc.CREATE_DATA_SOURCE_SET, {"dataSourceSet": {"name": "x", "colour": "red"}})
    assert "colour" in body["errors"][0]["message"]


def test_syntax_error_is_a_parse_error(client):
    body = client.raw("{ inbound { ")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_graphql_response_media_type_gets_400_for_request_errors(client):
    headers = {"Accept": "application/graphql-response+json"}
    response = client.http.post(f"{client.url}/graphql", json={"query": "{ nope }"}, headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    ok = client.http.post(f"{client.url}/graphql", json={"query": doc.ME}, headers=headers)
    assert ok.status_code == 200


def test_resolver_failure_is_a_field_error_next_to_data(client):
    body = client.raw(doc.DATA_SET, {"id": "0f8fad5b-d9cb-469f-a165-70867728950e"})
    assert body["data"] == {"inbound": {"id": "inbound", "dataSet": None}}
    [error] = body["errors"]
    assert error["path"] == ["inbound", "dataSet"]
    assert error["extensions"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "JSON object"),
        (b'{"variables": {}}', "'query'"),
        (b'{"query": "{ x }", "variables": [1]}', "'variables'"),
        (b'{"query": "{ x }", "operationName": 5}', "'operationName'"),
    ],
)
def test_malformed_http_requests_are_400(client, payload, fragment):
    response = client.http.post(f"{client.url}/graphql", data=payload)
    assert response.status_code == 400
    assert fragment in response.json()["errors"][0]["message"]


def test_get_serves_queries_but_not_mutations(client):
    response = client.http.get(f"{client.url}/graphql", params={"query": doc.ME})
    assert response.status_code == 200 and "data" in response.json()
    mutation = 'mutation { inbound { createDataSourceSet(dataSourceSet: {name: "x"}) } }'
    refused = client.http.get(f"{client.url}/graphql", params={"query": mutation})
    assert refused.status_code == 405 and refused.headers["Allow"] == "POST"


def test_operation_name_selects_among_several_operations(client):
    two = "query a { administration { id } } query b { inbound { id } }"
    assert client.raw(two)["errors"][0]["message"].startswith("Must provide operation name")
    response = client.http.post(f"{client.url}/graphql", json={"query": two, "operationName": "b"})
    assert response.json() == {"data": {"inbound": {"id": "inbound"}}}
    unknown = client.http.post(f"{client.url}/graphql", json={"query": two, "operationName": "c"})
    assert "Unknown operation" in unknown.json()["errors"][0]["message"]


def test_counters_are_named_per_root_field_and_mutations_count_as_writes(emu, client):
    requests.delete(f"{emu.url}/_emulator/stats")
    client.ok(doc.DATA_SOURCE_SETS)
    client.ok(doc.CREATE_DATA_SOURCE_SET, {"dataSourceSet": {"name": "g"}})
    client.ok('{ search(query: "*") { totalResults } metrics { name } }', data=True)
    ops = emu.stats()["operations"]
    assert ops["graphql:inbound.dataSourceSets"]["write"] is False
    assert ops["graphql:inbound.createDataSourceSet"] == {"count": 1, "write": True, "statuses": {"200": 1}}
    assert ops["graphql:search+metrics"]["count"] == 1


def test_unexpected_resolver_errors_are_masked(client, monkeypatch):
    from emulators.cluedin.graphql import administration

    def boom(*_args, **_kwargs):
        raise KeyError("internal detail")

    client.emulator.api_token()
    monkeypatch.setattr(administration, "_token_view", boom)
    body = client.raw("{ administration { apiTokens { id } } }")
    assert body["errors"][0] == {
        "message": "Unexpected error.",
        "locations": [{"line": 1, "column": 20}],
        "path": ["administration", "apiTokens"],
        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
    }
    assert "internal detail" not in str(body)


def _toolkit_reads(store: Any) -> list[tuple[str, dict[str, object]]]:
    """The Product Toolkit's read documents for rules and projects, with ids from the demo organization."""
    rule = next(iter(store.rules))
    dedup = next(iter(store.dedup_projects))
    mde = next(iter(store.mde_projects))
    clean = next(iter(store.clean_projects))
    return [
        (tk.GET_RULES, {"pageNumber": 1, "scope": "DataPart"}),
        (tk.GET_RULE, {"id": rule}),
        (tk.RULE_OPERATORS, {}),
        (tk.GET_DEDUP_PROJECTS, {"pageNumber": 1, "itemsPerPage": 20}),
        (tk.GET_DEDUP_PROJECT, {"id": dedup}),
        (tk.GET_DEDUP_RULES, {"id": dedup, "pageNumber": 1, "itemsPerPage": 20}),
        (tk.GET_MDE_PROJECTS, {"pageNumber": 0, "pageSize": 20}),
        (tk.GET_MDE_PROJECT, {"id": mde}),
        (tk.GET_CLEAN_PROJECTS, {"page": 1, "pageSize": 20}),
        (tk.GET_CLEAN_PROJECT, {"id": clean}),
        (tk.CLEAN_PROJECT_RULES, {"id": clean, "page": 1}),
        (tk.GET_PRE_PROCESS_RULES, {"annotationId": 1, "page": 0}),
        (tk.GET_ANNOTATION_CODES, {"annotationId": 1}),
        (tk.GET_ANNOTATION, {"id": 1}),
        (tk.GET_DATA_SOURCE, {"id": 1}),
        (tk.GET_STREAM, {"id": next(iter(store.streams))}),
    ]


def test_fast_read_path_answers_exactly_like_graphql_core(seeded):
    """Every read document on the demo organization, against a second emulator without the fast path."""
    emu = seeded.emulator
    snapshot = requests.get(f"{emu.url}/_emulator/state").json()
    reference = build_cluedin_app(fast_path=False)
    with running(reference) as other:
        requests.put(f"{other.url}/_emulator/state", json=snapshot).raise_for_status()
        headers = {"Authorization": f"Bearer {seeded.token}"}
        data_set = next(iter(emu.services.store.data_sets))
        documents: list[tuple[str, dict[str, object]]] = [(q, {}) for q in doc.READ_DOCUMENTS.values()]
        documents += [
            (doc.DATA_SET, {"id": data_set}),
            (doc.DATA_SOURCE, {"id": 1}),
            (doc.ANNOTATION, {"id": 1}),
            (doc.DATA_SOURCE_SETS, {"page": 0, "pageSize": 1, "searchName": "s"}),
            (doc.VOCABULARIES, {"pageNumber": 1, "pageSize": 1}),
            *_toolkit_reads(emu.services.store),
            ("{ a: inbound { id } b: inbound { dataSourceSets { total __typename } } }", {}),
            (
                "fragment F on DataSourceSet { id name } "
                "{ inbound { dataSourceSets { data { ...F ... on DataSourceSet { createdAt } } } } }",
                {},
            ),
        ]
        for query, variables in documents:
            fast = requests.post(f"{emu.url}/graphql", json={"query": query, "variables": variables}, headers=headers)
            slow = requests.post(f"{other.url}/graphql", json={"query": query, "variables": variables}, headers=headers)
            assert fast.json() == slow.json(), query
            assert "errors" not in fast.json(), (query, fast.json())
        data_documents: list[tuple[str, dict[str, object]]] = [
            (doc.SEARCH, {"query": "*"}),
            (doc.METRICS, {"names": []}),
            ("{ me { id userName email roles clientId organizationId organizationName } }", {}),
            (
                '{ search(query: "*") { entries { id edgesSummary edges { outgoingOfType { entries { id name } } '
                'incomingOfType(entityType: "/Customer") { entries { id } } } } } }',
                {},
            ),
        ]
        for query, variables in data_documents:
            fast = requests.post(
                f"{emu.url}/api/api/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            slow = requests.post(
                f"{other.url}/api/api/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            assert fast.json() == slow.json()
