"""The HTTP functions through the local Functions host, against Azurite and the three emulators."""

from __future__ import annotations

import logging

import pytest
import requests

from tests.support.adf import adf_stack, serve
from tests.support.waiting import wait_until

GUID = b"0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.fixture()
def api(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator):
    stack = adf_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)
    host, close = serve(stack)
    session = requests.Session()
    session.headers["x-functions-key"] = host.function_key
    yield stack, host.http_url, session
    close()


def test_create_then_resend_changes_nothing(api, caplog):
    caplog.set_level(logging.INFO)
    stack, url, session = api
    identity = stack.add_asset("Account.csv")  # not synced by F1 yet: its data source is created the F1 way
    first = session.post(f"{url}/api/adf/pipelines", json={"asset": {"guid": identity["guid"]}}, timeout=60)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "created"
    assert body["pipeline"].startswith("AccountCsvPipeline_")
    assert body["ingestionEndpoint"]["created"] is True
    assert len(body["written"]) == 6
    assert "1 ADF Pipelines created for purview assets. (" in " ".join(body["notifications"])
    assert "Data source 'Account.csv' created for purview asset" in body["notifications"]
    assert "1 Ingestion Endpoints created for purview assets. (Account.csv)" in body["notifications"]
    assert body["run"] is None and body["trigger"] is None

    second = session.post(f"{url}/api/adf/pipelines", json={"asset": {"guid": identity["guid"]}}, timeout=60)
    assert second.status_code == 200
    assert second.json()["status"] == "unchanged"
    assert second.json()["written"] == []
    assert second.json()["pipeline"] == body["pipeline"]

    secret = stack.adf.context.store.secrets["cluedin-ingestion-token"]
    token = secret.removeprefix("Bearer ")
    assert token not in first.text + second.text
    assert token not in str(stack.factory_entities("linkedservices"))
    assert token not in str(stack.factory_entities("pipelines"))
    assert all(token not in record.getMessage() for record in caplog.records)


def test_run_now_once_per_request_id_and_run_status(api):
    stack, url, session = api
    identity = stack.add_asset("Account.csv")
    stack.sync_data_source(identity)
    request = {
        "asset": {"typeName": identity["typeName"], "qualifiedName": identity["qualifiedName"]},
        "runNow": True,
    }
    first = session.post(f"{url}/api/adf/pipelines", json=request, headers={"Idempotency-Key": "load-1"}, timeout=60)
    assert first.status_code == 201, first.text
    run = first.json()["run"]
    assert run["started"] is True and run["requestId"] == "load-1"

    retry = session.post(f"{url}/api/adf/pipelines", json={**request, "requestId": "load-1"}, timeout=60)
    assert retry.status_code == 200
    assert retry.json()["run"] == {**run, "started": False}

    pipeline = first.json()["pipeline"]
    run_url = f"{url}/api/adf/pipelines/{pipeline}/runs/{run['runId']}"
    wait_until(lambda: session.get(run_url, timeout=30).json()["status"] in {"Succeeded", "Failed"}, "the run", 30)
    status = session.get(run_url, timeout=30)
    assert status.status_code == 200, status.text
    assert status.json()["status"] == "Succeeded", status.json()["message"]
    assert status.json()["requestId"] == "load-1"
    assert stack.received(first.json()["ingestionEndpoint"]["dataSetId"]) == 3

    other = session.get(f"{url}/api/adf/pipelines/OtherPipeline/runs/{run['runId']}", timeout=30)
    assert other.status_code == 404 and other.json()["error"]["field"] == "runId"


def test_schedule_option_creates_and_removes_the_trigger(api):
    stack, url, session = api
    identity = stack.add_asset("Account.csv")
    stack.sync_data_source(identity)
    scheduled = session.post(
        f"{url}/api/adf/pipelines",
        json={"asset": {"guid": identity["guid"]}, "schedule": "Weekly:WeekDays=[1,5]&Hours=[6]&Minutes=[0]"},
        timeout=60,
    )
    assert scheduled.status_code == 201, scheduled.text
    trigger = scheduled.json()["trigger"]
    assert trigger["state"] == "Started"
    entity = stack.factory_entities("triggers")[trigger["name"]]
    assert entity["properties"]["typeProperties"]["recurrence"]["schedule"]["weekDays"] == ["Monday", "Friday"]
    assert any(n.startswith("Pipeline Schedule Created for") for n in scheduled.json()["notifications"])

    removed = session.post(
        f"{url}/api/adf/pipelines", json={"asset": {"guid": identity["guid"]}, "schedule": ""}, timeout=60
    )
    assert removed.status_code == 200
    assert removed.json()["trigger"]["state"] == "None"
    assert stack.factory_entities("triggers") == {}
    assert any(n.startswith("Pipeline Schedule Disabled for") for n in removed.json()["notifications"])


def test_unsupported_and_unknown_assets(api):
    stack, url, session = api
    report = stack.add_asset("Report.xlsx")
    answer = session.post(f"{url}/api/adf/pipelines", json={"asset": {"guid": report["guid"]}}, timeout=60)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (error["code"], error["field"]) == ("UnsupportedAsset", "asset")
    assert {k["typeName"] for k in error["supportedKinds"]} >= {"azure_datalake_gen2_path", "azure_sql_table"}

    unknown = session.post(
        f"{url}/api/adf/pipelines", json={"asset": {"guid": "0f8fad5b-d9cb-469f-a165-70867728950e"}}, timeout=60
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["field"] == "asset.guid"
    by_name = session.post(
        f"{url}/api/adf/pipelines",
        json={"asset": {"typeName": "azure_blob_path", "qualifiedName": "https://x.blob.core.windows.net/c/a.csv"}},
        timeout=60,
    )
    assert by_name.status_code == 404 and by_name.json()["error"]["field"].startswith("asset.")
    no_type = session.post(
        f"{url}/api/adf/pipelines", json={"asset": {"typeName": "no_such_type", "qualifiedName": "q"}}, timeout=60
    )
    assert no_type.status_code == 404 and no_type.json()["error"]["field"].startswith("asset.")
    assert stack.factory_entities("pipelines") == {}


@pytest.mark.parametrize(
    ("body", "headers", "field"),
    [
        (b"not json", {}, "body"),
        (b'{"asset": {"guid": "0f8fad5b-d9cb-469f-a165-70867728950e"}, "url": "https://evil"}', {}, "url"),
        (b'{"asset": {"guid": "0f8fad5b-d9cb-469f-a165-70867728950e"}, "runNow": true}', {}, "requestId"),
        (b'{"asset": {"guid": "%s"}}' % GUID, {"Idempotency-Key": "a b"}, "Idempotency-Key"),
        (b'{"asset": {"guid": "%s"}, "schedule": "Daily:Hours=[99]"}' % GUID, {}, "schedule"),
    ],
)
def test_bad_requests_name_the_field(api, body, headers, field):
    _, url, session = api
    answer = session.post(
        f"{url}/api/adf/pipelines", data=body, headers={"Content-Type": "application/json", **headers}, timeout=30
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == field


def test_run_status_validates_its_path(api):
    _, url, session = api
    bad_name = session.get(f"{url}/api/adf/pipelines/bad.name/runs/0f8fad5b-d9cb-469f-a165-70867728950e", timeout=30)
    assert bad_name.status_code == 400 and bad_name.json()["error"]["field"] == "name"
    bad_run = session.get(f"{url}/api/adf/pipelines/Good/runs/not-a-guid", timeout=30)
    assert bad_run.status_code == 400 and bad_run.json()["error"]["field"] == "runId"
    missing = session.get(f"{url}/api/adf/pipelines/Good/runs/0f8fad5b-d9cb-469f-a165-70867728950e", timeout=30)
    assert missing.status_code == 404


def test_a_function_key_is_required(api):
    _, url, _ = api
    assert requests.post(f"{url}/api/adf/pipelines", json={}, timeout=30).status_code == 401
