"""The `cluedin` PyPI SDK (pinned, unmodified) works against the emulator.

The SDK builds `https://<org>.<domain>` URLs unless told otherwise; its `Context` takes `protocol` and `org_url`,
which is how it is pointed at `http://127.0.0.1:<port>` (the auth, GraphQL and API URLs derive from `org_url`).
"""

from __future__ import annotations

import cluedin
import pytest
from cluedin.gql import entries, gql, org_gql, search
from cluedin.ingestion import post
from cluedin.rules import RuleScope, get_all_rules
from cluedin.vocab import get_vocab_keys

from tests.emulators.cluedin.conftest import Client, mapped_data_set


@pytest.fixture()
def context(emu):
    ctx = cluedin.Context(
        domain="127.0.0.1",
        org_name=emu.org,
        user_email=emu.username,
        user_password=emu.password,
        protocol="http",
        org_url=emu.url,
    )
    ctx.get_token()
    return ctx


def test_password_login_fills_the_context(context, emu):
    assert context.gql_org_url == f"{emu.url}/graphql"
    assert context.gql_api_url == f"{emu.url}/api/api/graphql"
    assert context.jwt_payload["ClientId"] == "demo"
    assert context.jwt_payload["Id"] == next(iter(emu.services.store.users))


def test_org_gql_runs_ui_documents(context, emu):
    created = org_gql(
        context,
        "mutation($s: InputDataSourceSet) { inbound { createDataSourceSet(dataSourceSet: $s) } }",
        {"s": {"name": "From SDK", "author": context.jwt_payload["Id"]}},
    )
    assert created == {"data": {"inbound": {"createDataSourceSet": 1}}}
    listed = org_gql(context, "{ inbound { dataSourceSets(page: 0, pageSize: 5) { total data { id name } } } }")
    assert listed["data"]["inbound"]["dataSourceSets"] == {"total": 1, "data": [{"id": 1, "name": "From SDK"}]}


def test_gql_entries_walks_cursor_pages_and_flattens_properties(context, emu):
    client = Client(emu)
    mapped_data_set(client, records=[{"id": str(i), "name": f"c{i}", "email": f"{i}@x.org"} for i in range(23)])
    query = """query searchEntities($cursor: PagingCursor, $query: String, $pageSize: Int) {
      search(query: $query, cursor: $cursor, pageSize: $pageSize, sort: FIELDS,
             sortFields: {field: "id", direction: ASCENDING}) {
        totalResults cursor entries { id name entityType properties } } }"""
    found = list(entries(context, query, {"query": "entityType:/Customer", "pageSize": 5}, flat=True))
    assert len(found) == 23 == len({e["id"] for e in found})
    assert all(e["customer.email"].endswith("@x.org") for e in found)
    everything = list(search(context, "*", page_size=4))
    assert len(everything) == 23
    assert {"id", "name", "entityType", "customer.name"} <= set(everything[0])
    single = gql(context, '{ search(query: "customer.name:c7") { totalResults } }')
    assert single == {"data": {"search": {"totalResults": 1}}}


def test_ingestion_post_batches_records_to_the_endpoint(context, emu):
    client = Client(emu)
    ids = mapped_data_set(client, records=[], autoSubmit=True)
    url = f"{emu.url}/upload/api/endpoint/{ids['dataSetId']}"
    records = [{"id": str(i), "name": f"n{i}"} for i in range(25)]
    responses = list(post(context, url, records, batch_size=10))
    assert [len(r["payload"]) for r in responses] == [10, 10, 5]
    assert all(r["response"]["success"] for r in responses)
    assert (
        gql(context, '{ search(query: "entityType:/Customer") { totalResults } }')["data"]["search"]["totalResults"]
        == 25
    )


def test_ingestion_post_with_an_api_token(emu):
    client = Client(emu)
    ids = mapped_data_set(client, records=[])
    api = cluedin.Context.from_dict(
        {"domain": "127.0.0.1", "org_name": "demo", "org_url": emu.url, "access_token": emu.api_token()}
    )
    [response] = post(api, f"{emu.url}/upload/api/endpoint/{ids['dataSetId']}", [{"id": "1"}])
    assert response["response"]["received"] == 1


def test_rules_are_paged_twenty_at_a_time(context, emu):
    emu.seed({"rules": [{"name": f"Rule {i:02d}", "scope": "Entity"} for i in range(45)]})
    context.get_token()
    rules = list(get_all_rules(context, RuleScope.ENTITY))
    assert [r["name"] for r in rules] == [f"Rule {i:02d}" for i in range(45)]


def test_vocabulary_keys_from_the_entity_schema(context, emu):
    emu.seed()
    context.get_token()
    keys = get_vocab_keys(context)
    assert "customer.email" in {k["Key"] for k in keys}
