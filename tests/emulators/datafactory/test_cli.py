"""`python -m emulators.datafactory` as a subprocess: flags, seed file, secrets, state written at shutdown."""

from __future__ import annotations

import argparse
import json

import pytest
import requests

from emulators._common import start_process
from emulators.datafactory.__main__ import parse_secret
from tests.emulators.datafactory.bodies import blob_linked_service

FACTORY = "/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.DataFactory/factories/adf-seeded"


def test_cli_serves_seed_and_secrets_and_writes_state_without_secrets(tmp_path):
    seed = {
        "factories": [
            {
                "subscriptionId": "sub1",
                "resourceGroup": "rg1",
                "name": "adf-seeded",
                "entities": {"linkedservices": {"ls_adls": {"name": "ls_adls", **blob_linked_service()}}},
            }
        ]
    }
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps(seed))
    state_file = tmp_path / "state.json"
    process = start_process(
        "emulators.datafactory",
        ["--seed", str(seed_file), "--state", str(state_file), "--secret", "token=a=b=c", "--retry-wait-scale", "0.1"],
    )
    try:
        headers = {"Authorization": "Bearer t"}
        answer = requests.get(
            f"{process.url}{FACTORY}/linkedservices/ls_adls?api-version=2018-06-01", headers=headers, timeout=5
        )
        assert answer.status_code == 200
        assert answer.json()["properties"]["type"] == "AzureBlobFS"
        assert requests.get(f"{process.url}/_emulator/keyvault/secrets", timeout=5).json() == {
            "value": [{"name": "token"}]
        }
    finally:
        process.stop()
    written = state_file.read_text()
    assert "adf-seeded" in written
    assert "a=b=c" not in written


def test_secret_flag_parsing():
    assert parse_secret("name=v=1") == ("name", "v=1")
    with pytest.raises(argparse.ArgumentTypeError, match="NAME=VALUE"):
        parse_secret("novalue")
