"""`python -m emulators.purview` as a process: seed file, accepted tokens, state persisted at shutdown."""

from __future__ import annotations

import json

import requests

from emulators._common import start_process

SEED = {
    "collections": [{"name": "finance", "friendlyName": "Finance"}],
    "entities": [
        {
            "typeName": "azure_sql_table",
            "collectionId": "finance",
            "attributes": {"qualifiedName": "mssql://cli/t", "name": "t"},
        }
    ],
}


def test_cli_seed_token_and_state_round_trip(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(SEED))
    state = tmp_path / "state.json"
    args = ["--seed", str(seed), "--state", str(state), "--token", "cli-token", "--account-name", "Contoso"]
    process = start_process("emulators.purview", args)
    try:
        headers = {"Authorization": "Bearer cli-token"}
        url = f"{process.url}/catalog/api/atlas/v2/entity/uniqueAttribute/type/azure_sql_table"
        found = requests.get(url, params={"attr:qualifiedName": "mssql://cli/t"}, headers=headers, timeout=5)
        assert found.status_code == 200
        assert found.json()["entity"]["collectionId"] == "finance"
        assert requests.get(url, headers={"Authorization": "Bearer other"}, timeout=5).status_code == 401
        root = requests.get(
            f"{process.url}/account/collections/contoso?api-version=2019-11-01-preview", headers=headers, timeout=5
        )
        assert root.json()["name"] == "contoso"
        created = requests.post(
            f"{process.url}/datamap/api/atlas/v2/entity",
            json={
                "entity": {"typeName": "azure_sql_table", "attributes": {"qualifiedName": "mssql://cli/u", "name": "u"}}
            },
            headers=headers,
            timeout=5,
        )
        assert created.status_code == 200
    finally:
        process.stop()
    saved = json.loads(state.read_text())
    assert saved["format"] == "purview-emulator-state/1"

    restarted = start_process("emulators.purview", ["--state", str(state), "--account-name", "Contoso"])
    try:
        url = f"{restarted.url}/datamap/api/atlas/v2/entity/uniqueAttribute/type/azure_sql_table"
        again = requests.get(
            url, params={"attr:qualifiedName": "mssql://cli/u"}, headers={"Authorization": "Bearer x"}, timeout=5
        )
        assert again.status_code == 200
    finally:
        restarted.stop()


def test_cli_capacity_units_throttle_and_validation_flag(tmp_path):
    process = start_process("emulators.purview", ["--capacity-units", "0.01", "--validate-requests"])
    try:
        headers = {"Authorization": "Bearer t"}
        statuses = [
            requests.get(
                f"{process.url}/datamap/api/atlas/v2/types/typedefs/headers", headers=headers, timeout=5
            ).status_code
            for _ in range(4)
        ]
        assert 429 in statuses
        faults = requests.get(f"{process.url}/_emulator/faults", timeout=5).json()
        assert faults["throttle_ops_per_sec"] == 0.25
    finally:
        process.stop()
