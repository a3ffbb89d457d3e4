"""The Data Factory HTTP function under hostile input and broken identities (case 4 of issue 10): every answer is
a typed 4xx/503 naming what is at fault, never a 500, and never "state storage" for a credential problem."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests

from tests.support.adf import AdfStack, adf_stack, serve

pytestmark = pytest.mark.chaos
Api = Callable[..., tuple[AdfStack, str, requests.Session]]


@pytest.fixture()
def api(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator) -> Iterator[Api]:
    """Serve the HTTP functions on a stack with the given setting overrides."""
    closers = []

    def start(**settings: str) -> tuple[AdfStack, str, requests.Session]:
        stack = adf_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator, **settings)
        host, close = serve(stack)
        closers.append(close)
        session = requests.Session()
        session.headers["x-functions-key"] = host.function_key
        return stack, f"{host.http_url}/api/adf/pipelines", session

    yield start
    for close in closers:
        close()


@pytest.mark.parametrize("body", [b"[" * 5000 + b"]" * 5000, b'{"asset": ' + b"[" * 4999 + b"]" * 4999 + b"}"])
def test_json_nested_5000_levels_deep_gets_a_400(api, body):
    _, url, session = api()
    answer = session.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=60)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == {
        "code": "InvalidJson",
        "message": "the body is nested too deeply to be a pipeline request",
        "field": "body",
    }


def test_a_data_factory_credential_failure_names_data_factory_not_storage(api):
    stack, url, session = api(DATA_FACTORY_STATIC_TOKEN="")  # → the managed identity, which this machine lacks
    identity = stack.add_asset("Account.csv")
    answer = session.post(url, json={"asset": {"guid": identity["guid"]}}, timeout=60)
    assert answer.status_code == 503, answer.text
    error = answer.json()["error"]
    assert error["code"] == "CredentialFailed"
    assert "datafactory" in error["message"] and "DATA_FACTORY_CLIENT_ID" in error["message"]
    assert "storage" not in error["message"].replace("AzureWebJobsStorage", "")
    assert int(answer.headers["Retry-After"]) >= 1


def test_a_purview_credential_failure_names_purview(api):
    _, url, session = api(PURVIEW_STATIC_TOKEN="")
    answer = session.post(url, json={"asset": {"guid": "0f8fad5b-d9cb-469f-a165-70867728950e"}}, timeout=60)
    assert answer.status_code == 503, answer.text
    error = answer.json()["error"]
    assert error["code"] == "CredentialFailed" and "purview" in error["message"]
    assert "PURVIEW_CLIENT_SECRET" in error["message"]
