"""End to end: files in Azurite Blob are copied by pipeline runs into a REST endpoint started in-process."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.emulators.datafactory.bodies import (
    blob_dataset,
    blob_linked_service,
    blob_storage_linked_service,
    copy_pipeline,
    json_dataset,
    key_vault_linked_service,
    key_vault_secret,
    rest_dataset,
    rest_linked_service,
)

CSV = 'id,name,city\n1,Ada,London\n2,Grace,\n3,"Hopper, G.",Arlington\n4,Linus,Helsinki\n5,Guido,Amsterdam\n'
SECRET = "Bearer cluedin-token-value-7f3a"


@pytest.fixture()
def adf(fresh_datafactory_emulator):
    return fresh_datafactory_emulator


def put(adf, kind, name, body):
    answer = adf.arm("PUT", f"/{kind}/{name}", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def build(adf, blobs, sink_server, *, dataset=None, pipeline=None, relative_url="upload/api/endpoint/42"):
    adf.set_secret("cluedin-token", SECRET)
    put(adf, "linkedservices", "ls_akv", key_vault_linked_service())
    put(adf, "linkedservices", "ls_adls", blob_linked_service())
    put(adf, "linkedservices", "ls_rest", rest_linked_service(sink_server.url, "ls_akv", "cluedin-token"))
    put(adf, "datasets", "ds_src", dataset or blob_dataset("ls_adls", blobs.container, "in", "people.csv"))
    put(adf, "datasets", "ds_sink", rest_dataset("ls_rest", relative_url))
    put(adf, "pipelines", "pl_copy", pipeline or copy_pipeline("ds_src", "ds_sink"))


def run(adf, parameters=None):
    answer = adf.arm("POST", "/pipelines/pl_copy/createRun", json=parameters or {})
    assert answer.status_code == 200, answer.text
    run_id = answer.json()["runId"]
    return adf.wait_for_run(None, run_id), adf.activity_runs(None, run_id)


def test_csv_rows_reach_the_rest_sink_in_batches_with_the_key_vault_header(adf, blobs, rest_sink):
    server, recorder = rest_sink
    blobs.upload("in/people.csv", CSV)
    build(adf, blobs, server)
    result, activities = run(adf)
    assert result["status"] == "Succeeded", result["message"]
    assert result["runStart"] and result["runEnd"] and result["durationInMs"] >= 0
    assert [len(r["body"]) for r in recorder.requests] == [2, 2, 1]  # writeBatchSize 2
    assert {r["path"] for r in recorder.requests} == {"/upload/api/endpoint/42"}
    assert all(r["method"] == "POST" and r["headers"]["authorization"] == SECRET for r in recorder.requests)
    assert all(r["headers"]["content-type"] == "application/json" for r in recorder.requests)
    assert recorder.rows[0] == {"id": "1", "name": "Ada", "city": "London"}
    assert recorder.rows[1] == {"id": "2", "name": "Grace", "city": None}  # empty string is the default nullValue
    assert recorder.rows[2]["name"] == "Hopper, G."
    [copy] = activities
    assert copy["status"] == "Succeeded"
    assert copy["activityType"] == "Copy"
    assert copy["output"]["rowsRead"] == 5
    assert copy["output"]["rowsCopied"] == 5
    assert copy["output"]["filesRead"] == 1
    everything = json.dumps([result, activities, adf.arm("GET", "/linkedservices/ls_rest").json()])
    assert SECRET not in everything
    assert "cluedin-token-value" not in everything


def test_expressions_feed_dataset_parameters_relative_url_and_headers(adf, blobs, rest_sink):
    server, recorder = rest_sink
    blobs.upload("landing/2026/people.csv", CSV)
    dataset = blob_dataset(
        "ls_adls", blobs.container, {"value": "@dataset().folder", "type": "Expression"}, "@dataset().file"
    )
    dataset["properties"]["parameters"] = {
        "folder": {"type": "String"},
        "file": {"type": "String", "defaultValue": "x"},
    }
    pipeline = copy_pipeline("ds_src", "ds_sink", parameters={"folder": {"type": "String"}, "tag": {"type": "String"}})
    activity = pipeline["properties"]["activities"][0]
    activity["inputs"][0]["parameters"] = {
        "folder": {"value": "@concat('landing/', pipeline().parameters.folder)", "type": "Expression"},
        "file": "people.csv",
    }
    activity["typeProperties"]["sink"]["additionalHeaders"] = {
        "x-run": {
            "value": "@concat('tag-', pipeline().parameters.tag, '-', pipeline().Pipeline)",
            "type": "Expression",
        },
        "x-literal": "@@not-an-expression",
    }
    build(adf, blobs, server, dataset=dataset, pipeline=pipeline, relative_url="api/@{pipeline().RunId}")
    result, _ = run(adf, {"folder": "2026", "tag": "blue"})
    assert result["status"] == "Failed"  # pipeline() is not allowed inside a dataset (relativeUrl)
    assert "pipeline() cannot be used inside a dataset" in result["message"]
    put(adf, "datasets", "ds_sink", rest_dataset("ls_rest", "api/fixed"))
    result, _ = run(adf, {"folder": "2026", "tag": "blue"})
    assert result["status"] == "Succeeded", result["message"]
    assert result["parameters"] == {"folder": "2026", "tag": "blue"}
    headers = recorder.requests[0]["headers"]
    assert headers["x-run"] == "tag-blue-pl_copy"
    assert headers["x-literal"] == "@not-an-expression"
    assert len(recorder.rows) == 5


def test_an_unsupported_expression_fails_the_run_with_a_clear_message(adf, blobs, rest_sink):
    server, _ = rest_sink
    blobs.upload("in/people.csv", CSV)
    pipeline = copy_pipeline("ds_src", "ds_sink")
    pipeline["properties"]["activities"][0]["typeProperties"]["sink"]["additionalHeaders"] = {
        "x-when": {"value": "@utcnow()", "type": "Expression"}
    }
    build(adf, blobs, server, pipeline=pipeline)
    result, activities = run(adf)
    assert result["status"] == "Failed"
    assert result["message"].startswith("Operation on target CopyToRest failed:")
    assert "utcnow() is not supported by the emulator" in result["message"]
    assert activities[0]["error"]["errorCode"] == "2200"


def test_a_sink_error_fails_the_activity_with_its_status_and_retry_recovers(adf, blobs, rest_sink):
    server, recorder = rest_sink
    blobs.upload("in/people.csv", CSV)
    build(adf, blobs, server)
    server.set_faults(fail_next=1, fail_next_status=503)
    result, activities = run(adf)
    assert result["status"] == "Failed"
    assert "503" in result["message"]
    assert len(activities) == 1

    pipeline = copy_pipeline("ds_src", "ds_sink", policy={"retry": 2, "retryIntervalInSeconds": 30})
    put(adf, "pipelines", "pl_copy", pipeline)
    recorder.reset()
    server.set_faults(fail_next=1, fail_next_status=500)
    result, activities = run(adf)
    assert result["status"] == "Succeeded", result["message"]
    assert [a["status"] for a in activities] == ["Failed", "Succeeded"]
    assert activities[1]["retryAttempt"] == 1
    assert "500" in activities[0]["error"]["message"]
    assert len(recorder.rows) == 5


def test_a_missing_key_vault_secret_fails_without_revealing_anything(adf, blobs, rest_sink):
    server, recorder = rest_sink
    blobs.upload("in/people.csv", CSV)
    build(adf, blobs, server)
    adf.context.store.secrets.clear()
    result, _ = run(adf)
    assert result["status"] == "Failed"
    assert "Key Vault secret 'cluedin-token' was not found" in result["message"]
    assert recorder.requests == []


def test_wildcards_and_recursion_select_files(adf, blobs, rest_sink):
    server, recorder = rest_sink
    blobs.upload("in/a.csv", "id\n1\n")
    blobs.upload("in/sub/b.csv", "id\n2\n")
    blobs.upload("in/c.txt", "id\n3\n")
    source: dict[str, Any] = {
        "type": "DelimitedTextSource",
        "storeSettings": {"type": "AzureBlobFSReadSettings", "wildcardFileName": "*.csv"},
    }
    build(
        adf,
        blobs,
        server,
        dataset=blob_dataset("ls_adls", blobs.container, "in", None),
        pipeline=copy_pipeline("ds_src", "ds_sink", source=source),
    )
    result, activities = run(adf)
    assert result["status"] == "Succeeded", result["message"]
    assert sorted(r["id"] for r in recorder.rows) == ["1", "2"]
    assert activities[0]["output"]["filesRead"] == 2
    recorder.reset()
    source["storeSettings"]["recursive"] = False
    put(adf, "pipelines", "pl_copy", copy_pipeline("ds_src", "ds_sink", source=source))
    result, _ = run(adf)
    assert [r["id"] for r in recorder.rows] == ["1"]


def test_delimited_text_options_and_encoding(adf, blobs, rest_sink):
    server, recorder = rest_sink
    text = "skip me\nkey;value\n'a;1';x\\'y\n'b';NULL\n"
    blobs.upload("in/odd.txt", text.encode("utf-16"))
    dataset = blob_dataset(
        "ls_adls", blobs.container, "in", "odd.txt",
        columnDelimiter=";", quoteChar="'", escapeChar="\\", nullValue="NULL", encodingName="UTF-16",
    )  # fmt: skip
    source = {
        "type": "DelimitedTextSource",
        "storeSettings": {"type": "AzureBlobFSReadSettings"},
        "formatSettings": {"type": "DelimitedTextReadSettings", "skipLineCount": 1},
    }
    build(adf, blobs, server, dataset=dataset, pipeline=copy_pipeline("ds_src", "ds_sink", source=source))
    result, _ = run(adf)
    assert result["status"] == "Succeeded", result["message"]
    assert recorder.rows == [{"key": "a;1", "value": "x'y"}, {"key": "b", "value": None}]


def test_json_source_on_blob_storage_location(adf, blobs, rest_sink):
    server, recorder = rest_sink
    blobs.upload("docs/items.json", json.dumps([{"id": 1, "tags": ["x"]}, {"id": 2, "tags": []}]))
    blobs.upload("docs/lines.json", '{"id": 3}\n{"id": 4}\n')
    put(adf, "linkedservices", "ls_blob", blob_storage_linked_service())
    dataset = json_dataset("ls_blob", blobs.container, "docs", "")
    del dataset["properties"]["typeProperties"]["location"]["fileName"]
    source = {
        "type": "JsonSource",
        "storeSettings": {"type": "AzureBlobStorageReadSettings", "wildcardFileName": "*.json"},
    }
    build(adf, blobs, server, dataset=dataset, pipeline=copy_pipeline("ds_src", "ds_sink", source=source))
    result, _ = run(adf)
    assert result["status"] == "Succeeded", result["message"]
    assert sorted(r["id"] for r in recorder.rows) == [1, 2, 3, 4]
    assert {"id": 1, "tags": ["x"]} in recorder.rows


def test_missing_file_parquet_and_mismatched_linked_service_fail_clearly(adf, blobs, rest_sink):
    server, _ = rest_sink
    build(adf, blobs, server)
    result, _ = run(adf)
    assert result["status"] == "Failed"
    assert "people.csv' does not exist" in result["message"]

    parquet = {
        "properties": {
            "type": "Parquet",
            "linkedServiceName": {"referenceName": "ls_adls", "type": "LinkedServiceReference"},
            "typeProperties": {
                "location": {"type": "AzureBlobFSLocation", "fileSystem": blobs.container, "fileName": "x.parquet"}
            },
        }
    }
    put(adf, "datasets", "ds_src", parquet)
    source = {"type": "ParquetSource", "storeSettings": {"type": "AzureBlobFSReadSettings"}}
    put(adf, "pipelines", "pl_copy", copy_pipeline("ds_src", "ds_sink", source=source))
    result, _ = run(adf)
    assert result["status"] == "Failed"
    assert "Parquet sources are not supported by the emulator" in result["message"]


def test_dependencies_skip_activities_after_a_failure(adf, blobs, rest_sink):
    server, recorder = rest_sink
    blobs.upload("in/people.csv", CSV)
    pipeline = copy_pipeline("ds_src", "ds_sink")
    first = pipeline["properties"]["activities"][0]
    on_success = {
        **json.loads(json.dumps(first)),
        "name": "SecondCopy",
        "dependsOn": [{"activity": "CopyToRest", "dependencyConditions": ["Succeeded"]}],
    }
    on_failure = {
        "name": "WaitOnFailure",
        "type": "Wait",
        "typeProperties": {"waitTimeInSeconds": 1},
        "dependsOn": [{"activity": "CopyToRest", "dependencyConditions": ["Failed"]}],
    }
    pipeline["properties"]["activities"] = [on_failure, on_success, first]
    build(adf, blobs, server, pipeline=pipeline)
    result, activities = run(adf)
    assert result["status"] == "Succeeded", result["message"]
    assert [a["activityName"] for a in activities] == ["CopyToRest", "SecondCopy"]  # the Wait was skipped
    assert len(recorder.rows) == 10


def test_key_vault_references_anywhere_in_the_rest_linked_service_are_resolved(adf, blobs, rest_sink):
    server, recorder = rest_sink
    blobs.upload("in/people.csv", CSV)
    build(adf, blobs, server)
    adf.set_secret("sink-url", server.url)
    adf.set_secret("basic-password", "pa55")
    linked = {
        "properties": {
            "type": "RestService",
            "typeProperties": {
                "url": key_vault_secret("ls_akv", "sink-url"),
                "authenticationType": "Basic",
                "userName": "adf",
                "password": key_vault_secret("ls_akv", "basic-password"),
                "authHeaders": {"x-api-key": {"type": "SecureString", "value": "inline-key"}},
            },
        }
    }
    put(adf, "linkedservices", "ls_rest", linked)
    result, activities = run(adf)
    assert result["status"] == "Succeeded", result["message"]
    headers = recorder.requests[0]["headers"]
    assert headers["authorization"] == "Basic YWRmOnBhNTU="  # adf:pa55
    assert headers["x-api-key"] == "inline-key"
    everything = json.dumps([result, activities, adf.arm("GET", "/linkedservices/ls_rest").json()])
    assert "pa55" not in everything
    assert "inline-key" not in everything
