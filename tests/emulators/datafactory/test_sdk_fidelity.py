"""Fidelity witness: the official azure-mgmt-datafactory 9.3.0 client, unmodified, drives the emulator.

The client is pointed at the emulator with `base_url` and the bearer-over-http workaround of the reference
(§5.4: an authentication policy that sets the header, since azure-core refuses bearer tokens on http). A second
test sends what azure-mgmt-datafactory 10.0.0 sends by mistake and proves the emulator rejects it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.datafactory import DataFactoryManagementClient
from azure.mgmt.datafactory import models as typed_models

from tests.support.waiting import wait_until

# The 9.3.0 type hints say MutableMapping for every swagger "object" (strings, ints, bools at run time).
m: Any = typed_models

CSV = "id,name\n1,Ada\n2,Grace\n3,Linus\n"
SECRET = "Bearer token-from-key-vault"


class StaticCredential:
    def get_token(self, *scopes, **kwargs):
        return AccessToken("emulator-token", int(time.time()) + 3600)


class BearerOverHttp(SansIOHTTPPolicy):  # type: ignore[type-arg]
    def on_request(self, request):
        request.http_request.headers["Authorization"] = "Bearer emulator-token"


@pytest.fixture()
def adf(fresh_datafactory_emulator):
    return fresh_datafactory_emulator


@pytest.fixture()
def client(adf):
    return DataFactoryManagementClient(
        StaticCredential(), adf.subscription_id, base_url=adf.url, authentication_policy=BearerOverHttp()
    )


def ls_ref(name):
    return m.LinkedServiceReference(type="LinkedServiceReference", reference_name=name)


def ds_ref(name):
    return m.DatasetReference(type="DatasetReference", reference_name=name)


def test_sdk_9_3_0_builds_a_copy_pipeline_and_trigger_and_runs_it(adf, client, blobs, rest_sink):
    server, recorder = rest_sink
    blobs.upload("in/people.csv", CSV)
    adf.set_secret("ingest-token", SECRET)
    rg, factory = adf.resource_group, adf.factory_name
    secret_ref = {
        "type": "AzureKeyVaultSecret",
        "store": {"type": "LinkedServiceReference", "referenceName": "ls_akv"},
        "secretName": "ingest-token",
    }
    linked_services = {
        "ls_akv": m.AzureKeyVaultLinkedService(base_url="https://kv.vault.azure.net/"),
        "ls_adls": m.AzureBlobFSLinkedService(url="https://mystore.dfs.core.windows.net"),
        "ls_rest": m.RestServiceLinkedService(
            url=server.url, authentication_type="Anonymous", auth_headers={"Authorization": secret_ref}
        ),
    }
    for name, properties in linked_services.items():
        created = client.linked_services.create_or_update(
            rg, factory, name, m.LinkedServiceResource(properties=properties)
        )
        assert created.name == name
        assert created.etag
    source_ds = m.DelimitedTextDataset(
        linked_service_name=ls_ref("ls_adls"),
        location=m.AzureBlobFSLocation(file_system=blobs.container, folder_path="in", file_name="people.csv"),
        column_delimiter=",",
        first_row_as_header=True,
    )
    sink_ds = m.RestResourceDataset(linked_service_name=ls_ref("ls_rest"), relative_url="upload/api/endpoint/7")
    client.datasets.create_or_update(rg, factory, "ds_src", m.DatasetResource(properties=source_ds))
    client.datasets.create_or_update(rg, factory, "ds_sink", m.DatasetResource(properties=sink_ds))
    copy = m.CopyActivity(
        name="CopyCsvToRest",
        inputs=[ds_ref("ds_src")],
        outputs=[ds_ref("ds_sink")],
        source=m.DelimitedTextSource(store_settings=m.AzureBlobFSReadSettings(recursive=True)),
        sink=m.RestSink(
            request_method="POST", http_request_timeout="00:01:40", request_interval=10, write_batch_size=2
        ),
        policy=m.ActivityPolicy(retry=1, retry_interval_in_seconds=30, timeout="0.01:00:00"),
    )
    pipeline = client.pipelines.create_or_update(
        rg, factory, "pl_copy", m.PipelineResource(activities=[copy], annotations=["generated-by:test"])
    )
    assert pipeline.activities[0].type == "Copy"
    assert isinstance(pipeline.activities[0], m.CopyActivity)

    recurrence = m.ScheduleTriggerRecurrence(
        frequency="Day",
        interval=1,
        start_time=datetime(2026, 1, 1, tzinfo=UTC),
        time_zone="UTC",
        schedule=m.RecurrenceSchedule(hours=[6, 18], minutes=[0, 30]),
    )
    trigger = m.ScheduleTrigger(
        recurrence=recurrence,
        pipelines=[
            m.TriggerPipelineReference(
                pipeline_reference=m.PipelineReference(type="PipelineReference", reference_name="pl_copy")
            )
        ],
    )
    client.triggers.create_or_update(rg, factory, "tr_schedule", m.TriggerResource(properties=trigger))
    client.triggers.begin_start(rg, factory, "tr_schedule").result()
    assert client.triggers.get(rg, factory, "tr_schedule").properties.runtime_state == "Started"

    run_id = client.pipelines.create_run(rg, factory, "pl_copy").run_id
    wait_until(
        lambda: client.pipeline_runs.get(rg, factory, run_id).status in {"Succeeded", "Failed"}, "the run to end", 30
    )
    run = client.pipeline_runs.get(rg, factory, run_id)
    assert run.status == "Succeeded", run.message
    assert run.pipeline_name == "pl_copy"
    assert run.duration_in_ms is not None
    window = m.RunFilterParameters(
        last_updated_after=datetime(2000, 1, 1, tzinfo=UTC), last_updated_before=datetime(2100, 1, 1, tzinfo=UTC)
    )
    [activity] = client.activity_runs.query_by_pipeline_run(rg, factory, run_id, window).value
    assert activity.output["rowsCopied"] == 3
    assert [row["name"] for row in recorder.rows] == ["Ada", "Grace", "Linus"]
    assert all(request["headers"]["authorization"] == SECRET for request in recorder.requests)

    client.triggers.begin_stop(rg, factory, "tr_schedule").result()
    client.triggers.delete(rg, factory, "tr_schedule")
    with pytest.raises(ResourceNotFoundError):
        client.triggers.get(rg, factory, "tr_schedule")


def test_sdk_sees_an_arm_error_with_code_and_target(adf, client):
    with pytest.raises(HttpResponseError) as caught:
        client.datasets.create_or_update(
            adf.resource_group,
            adf.factory_name,
            "ds_orphan",
            m.DatasetResource(properties=m.RestResourceDataset(linked_service_name=ls_ref("ls_missing"))),
        )
    assert caught.value.status_code == 400
    error = caught.value.error
    assert error is not None
    assert error.code == "BadRequest"
    assert "ls_missing" in str(error.message)
    assert error.target == "properties.linkedServiceName.referenceName"


def test_a_10_0_0_style_body_is_rejected_naming_the_path(adf):
    """10.0.0 sends the Copy activity as `Execution` and linked services/datasets without `type`."""
    no_type_ls = {"properties": {"typeProperties": {"url": "https://mystore.dfs.core.windows.net"}}}
    answer = adf.arm("PUT", "/linkedservices/ls_adls", json=no_type_ls)
    assert answer.status_code == 400
    assert answer.json()["error"]["target"] == "properties.type"
    assert "'properties.type' is missing" in answer.json()["error"]["message"]

    assert adf.arm(
        "PUT", "/linkedservices/ls_adls", json={"properties": {"type": "AzureBlobFS", **no_type_ls["properties"]}}
    ).ok
    no_type_ds = {
        "properties": {
            "linkedServiceName": {"type": "LinkedServiceReference", "referenceName": "ls_adls"},
            "typeProperties": {"location": {"type": "AzureBlobFSLocation", "fileSystem": "raw"}},
        }
    }
    answer = adf.arm("PUT", "/datasets/ds_src", json=no_type_ds)
    assert answer.status_code == 400
    assert answer.json()["error"]["target"] == "properties.type"

    execution = {
        "properties": {
            "activities": [
                {
                    "name": "CopyCsvToIngest",
                    "type": "Execution",
                    "inputs": [{"type": "DatasetReference", "referenceName": "ds_src"}],
                    "outputs": [{"type": "DatasetReference", "referenceName": "ds_sink"}],
                    "typeProperties": {"source": {"type": "DelimitedTextSource"}, "sink": {"type": "RestSink"}},
                }
            ]
        }
    }
    answer = adf.arm("PUT", "/pipelines/pl_copy", json=execution)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "BadRequest"
    assert error["target"] == "properties.activities[0].type"
    assert "properties.activities[0].type" in error["message"]
    assert "'Execution'" in error["message"]
