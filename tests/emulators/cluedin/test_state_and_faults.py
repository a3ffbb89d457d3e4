"""Snapshot/load, seeding (admin API and CLI), faults in CluedIn's own error shapes, counters."""

from __future__ import annotations

import json

import pytest
import requests

from emulators._common import start_process
from emulators.cluedin.testing import demo_seed
from tests.emulators.cluedin import documents as doc
from tests.emulators.cluedin.conftest import Client, mapped_data_set


def test_snapshot_and_load_round_trip_through_the_admin_api(emu, client):
    ids = mapped_data_set(client)
    snapshot = requests.get(f"{emu.url}/_emulator/state").json()
    assert snapshot["kind"] == "cluedin-emulator-state"
    json.dumps(snapshot)
    requests.post(f"{emu.url}/_emulator/reset").raise_for_status()
    assert Client(emu).ok(doc.DATA_SOURCE_SETS)["inbound"]["dataSourceSets"]["total"] == 0
    assert requests.put(f"{emu.url}/_emulator/state", json=snapshot).status_code == 204
    restored = Client(emu)
    assert restored.token != client.token
    data_set = restored.ok(doc.DATA_SET, {"id": ids["dataSetId"]})["inbound"]["dataSet"]
    assert data_set["stats"]["total"] == 3
    assert client.ok(doc.ME), "tokens issued before the snapshot stay valid: the signing key is part of the state"
    next_group = restored.ok(doc.CREATE_DATA_SOURCE_SET, {"dataSourceSet": {"name": "next"}})
    assert next_group["inbound"]["createDataSourceSet"] == 2


def test_the_demo_seed_loads_through_the_api_code_paths(seeded):
    groups = seeded.ok(doc.DATA_SOURCE_SETS)["inbound"]["dataSourceSets"]
    assert [g["name"] for g in groups["data"]] == ["Sales", "HR"]
    customers = seeded.ok(doc.SEARCH, {"query": "entityType:/Customer"}, data=True)["search"]
    assert customers["totalResults"] == 4, "three mapped records and one crawled"
    stream = seeded.ok(doc.STREAMS)["consume"]["streams"]["data"][0]
    assert stream["isActive"] is True and stream["numberOfRecords"] == 4
    steward = seeded.emulator.access_token("steward@demo.local", "steward-password")
    assert seeded.emulator.graphql(doc.ME, token=steward)["data"]["administration"]["me"]["client"]["username"] == (
        "steward@demo.local"
    )
    tokens = seeded.ok("{ administration { apiTokens { name } } }")["administration"]["apiTokens"]
    assert tokens == [{"name": "adf-ingestion"}]


@pytest.mark.parametrize(
    "seed",
    [
        {"organisation": {}},
        {"users": [{"password": "x"}]},
        {"dataSourceGroups": [{"name": ""}]},
        {"streams": [{"name": "s", "exportTarget": "nope"}]},
    ],
)
def test_bad_seeds_are_refused_with_400(emu, seed):
    response = requests.put(f"{emu.url}/_emulator/state", json=seed)
    assert response.status_code == 400
    assert (
        requests.put(f"{emu.url}/_emulator/state", json={"kind": "cluedin-emulator-state", "version": 99}).status_code
        == 400
    )


def test_cli_serves_a_seed_for_another_organization(tmp_path):
    seed = demo_seed()
    seed["organization"] = {"name": "contoso"}
    seed["users"] = [{"username": "admin@contoso.local", "password": "pw"}]
    seed["apiTokens"] = [{"name": "t", "user": "admin@contoso.local"}]
    del seed["accessTokenLifetimeMinutes"]
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed))
    state = tmp_path / "state.json"
    process = start_process(
        "emulators.cluedin", ["--seed", str(path), "--state", str(state), "--token-lifetime-minutes", "5"]
    )
    try:
        token = requests.post(
            f"{process.url}/auth/connect/token",
            data={
                "username": "admin@contoso.local",
                "password": "pw",
                "client_id": "contoso",
                "grant_type": "password",
            },
        ).json()
        assert token["expires_in"] == 300
        demo = requests.post(
            f"{process.url}/auth/connect/token",
            data={"username": "admin@contoso.local", "password": "pw", "client_id": "demo", "grant_type": "password"},
        )
        assert demo.json()["error"] == "invalid_client"
        groups = requests.post(
            f"{process.url}/graphql",
            json={"query": doc.DATA_SOURCE_SETS},
            headers={"Authorization": f"Bearer {token['access_token']}"},
        ).json()
        assert groups["data"]["inbound"]["dataSourceSets"]["total"] == 2
    finally:
        process.stop()
    assert json.loads(state.read_text())["org"]["name"] == "contoso"


def test_throttling_answers_429_with_retry_after_in_the_graphql_shape(emu, client):
    emu.set_faults(throttle_ops_per_sec=1, throttle_burst=1, path_pattern="^/graphql$")
    statuses = [client.post("/graphql", doc.ME) for _ in range(3)]
    throttled = next(r for r in statuses if r.status_code == 429)
    assert int(throttled.headers["Retry-After"]) >= 1
    assert throttled.json()["errors"][0]["extensions"]["status"] == 429
    assert client.http.get(f"{client.url}/api/status").status_code == 200
    assert emu.stats()["faults"]["throttled"] >= 1


def test_injected_errors_use_the_shape_of_the_path(emu, client):
    ids = client.activity("activity/data-set", {"dataSet": "x"})
    emu.set_faults(fail_next=3, fail_next_status=503)
    upload = client.http.post(f"{client.url}/upload/api/endpoint/{ids['dataSetId']}", json=[{"a": 1}])
    assert upload.status_code == 503 and upload.json()["error"] is True
    token = requests.post(f"{emu.url}/auth/connect/token", data={"grant_type": "password"})
    assert token.status_code == 503 and token.json()["error"] == "server_error"
    rest = client.rest("GET", "/api/v1/notification/all")
    assert rest.status_code == 503 and rest.json()["status"] == 503
    assert client.rest("GET", "/api/v1/notification/all").status_code == 200


def test_lost_response_after_a_write_leaves_the_write_done(emu, client):
    emu.set_faults(lose_response_rate=1.0, methods=["POST"], path_pattern="^/graphql$")
    with pytest.raises(requests.RequestException):
        client.post("/graphql", doc.CREATE_DATA_SOURCE_SET, {"dataSourceSet": {"name": "lost"}})
    emu.clear_faults()
    assert client.ok(doc.DATA_SOURCE_SETS)["inbound"]["dataSourceSets"]["data"][0]["name"] == "lost"


def test_stats_count_reads_and_writes_per_operation(emu, client):
    requests.delete(f"{emu.url}/_emulator/stats")
    ids = client.activity("activity/data-set", {"dataSet": "x"})
    client.http.post(f"{client.url}/upload/api/endpoint/{ids['dataSetId']}", json=[{"a": 1}])
    client.rest("GET", "/api/api/v1/auditLog/getByObjectTypeIds")
    client.ok(doc.DATA_SET, {"id": ids["dataSetId"]})
    stats = emu.stats()
    assert stats["writes"] == 1 and stats["reads"] == 2
    assert stats["operations"]["upload:endpoint"]["write"] is True
    assert stats["operations"]["rest:GET auditLog/getByObjectTypeIds"]["count"] == 1
    assert stats["operations"]["graphql:inbound.dataSet"]["count"] == 1
