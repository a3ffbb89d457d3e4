"""The ARM surface over raw HTTP: auth, api-version, CRUD, etags, error shapes, runs and triggers."""

from __future__ import annotations

import pytest
import requests

from tests.emulators.datafactory.bodies import (
    blob_dataset,
    blob_linked_service,
    copy_pipeline,
    key_vault_linked_service,
    rest_dataset,
    rest_linked_service,
    schedule_trigger,
)


@pytest.fixture()
def adf(fresh_datafactory_emulator):
    return fresh_datafactory_emulator


def put(adf, kind, name, body, **kwargs):
    return adf.arm("PUT", f"/{kind}/{name}", json=body, **kwargs)


def create_copy_graph(adf, sink_url="http://127.0.0.1:9/sink"):
    assert put(adf, "linkedservices", "ls_akv", key_vault_linked_service()).status_code == 200
    assert put(adf, "linkedservices", "ls_blob", blob_linked_service()).status_code == 200
    assert (
        put(adf, "linkedservices", "ls_rest", rest_linked_service(sink_url, "ls_akv", "ingest-token")).status_code
        == 200
    )
    assert put(adf, "datasets", "ds_csv", blob_dataset("ls_blob", "raw", "in", "data.csv")).status_code == 200
    assert put(adf, "datasets", "ds_rest", rest_dataset("ls_rest", "upload")).status_code == 200
    assert put(adf, "pipelines", "pl_copy", copy_pipeline("ds_csv", "ds_rest")).status_code == 200


def assert_arm_error(answer, status, code):
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def test_missing_or_malformed_bearer_token_is_401_authentication_failed(adf):
    url = f"{adf.factory_url()}/pipelines?api-version=2018-06-01"
    assert_arm_error(requests.get(url, timeout=5), 401, "AuthenticationFailed")
    assert_arm_error(requests.get(url, headers={"Authorization": "Basic abc"}, timeout=5), 401, "AuthenticationFailed")


def test_api_version_is_required_and_must_be_2018_06_01(adf):
    url = f"{adf.factory_url()}/pipelines"
    assert_arm_error(requests.get(url, headers=adf.headers, timeout=5), 400, "MissingApiVersionParameter")
    wrong = requests.get(url, params={"api-version": "2017-09-01-preview"}, headers=adf.headers, timeout=5)
    assert_arm_error(wrong, 400, "InvalidApiVersionParameter")


def test_put_answers_the_resource_with_id_name_type_etag_and_get_list_delete_work(adf):
    answer = put(adf, "linkedservices", "ls_blob", blob_linked_service())
    assert answer.status_code == 200
    body = answer.json()
    assert body["id"] == f"{adf.factory_url().removeprefix(adf.url)}/linkedservices/ls_blob"
    assert body["name"] == "ls_blob"
    assert body["type"] == "Microsoft.DataFactory/factories/linkedservices"
    assert body["etag"]
    assert body["properties"]["type"] == "AzureBlobFS"
    assert adf.arm("GET", "/linkedservices/LS_BLOB").json()["etag"] == body["etag"]  # names are case-insensitive
    assert [item["name"] for item in adf.arm("GET", "/linkedservices").json()["value"]] == ["ls_blob"]
    assert adf.arm("DELETE", "/linkedservices/ls_blob").status_code == 200
    assert adf.arm("DELETE", "/linkedservices/ls_blob").status_code == 204
    assert_arm_error(adf.arm("GET", "/linkedservices/ls_blob"), 404, "NotFound")


def test_put_replaces_and_changes_the_etag_if_match_and_if_none_match(adf):
    first = put(adf, "linkedservices", "ls_blob", blob_linked_service()).json()
    second = put(adf, "linkedservices", "ls_blob", blob_linked_service("other")).json()
    assert second["etag"] != first["etag"]
    assert second["properties"]["typeProperties"]["url"] == "https://other.dfs.core.windows.net"
    stale = put(adf, "linkedservices", "ls_blob", blob_linked_service(), headers={"If-Match": first["etag"]})
    assert_arm_error(stale, 412, "PreconditionFailed")
    fresh = put(adf, "linkedservices", "ls_blob", blob_linked_service(), headers={"If-Match": second["etag"]})
    assert fresh.status_code == 200
    assert put(adf, "linkedservices", "ls_new", blob_linked_service(), headers={"If-Match": "*"}).status_code == 412
    not_modified = adf.arm("GET", "/linkedservices/ls_blob", headers={"If-None-Match": fresh.json()["etag"]})
    assert not_modified.status_code == 304


@pytest.mark.parametrize(
    ("kind", "name", "problem"),
    [
        ("linkedservices", "ls-with-dash", "dashes"),
        ("datasets", "ds-with-dash", "dashes"),
        ("pipelines", "pl.dot", "must not contain"),
        ("pipelines", "_underscore_first", "start with a letter"),
        ("pipelines", "x" * 261, "260"),
        ("triggers", "tr:colon", "must not contain"),
    ],
)
def test_names_breaking_adf_naming_rules_are_invalid_resource_name(adf, kind, name, problem):
    answer = put(adf, kind, name, {"properties": {"type": "Whatever"}})
    error = assert_arm_error(answer, 400, "InvalidResourceName")
    assert problem in error["message"]


def test_pipeline_names_may_contain_dashes(adf):
    create_copy_graph(adf)
    assert put(adf, "pipelines", "pl-copy-2", copy_pipeline("ds_csv", "ds_rest")).status_code == 200


def test_bad_factory_name_and_malformed_json_are_400(adf):
    answer = adf.arm("GET", "/pipelines", factory="-bad-")
    assert_arm_error(answer, 400, "InvalidResourceName")
    garbled = adf.arm("PUT", "/pipelines/pl", data=b"{not json", headers={"Content-Type": "application/json"})
    assert_arm_error(garbled, 400, "BadRequest")
    not_object = adf.arm("PUT", "/pipelines/pl", json=[1, 2])
    assert_arm_error(not_object, 400, "BadRequest")


def test_unknown_routes_and_methods_answer_the_arm_error_shape(adf):
    assert_arm_error(adf.arm("GET", "/nonsense"), 404, "NotFound")
    assert_arm_error(adf.arm("PATCH", "/pipelines/x", json={}), 405, "MethodNotAllowed")


def test_factory_exists_on_demand_and_can_be_put_and_deleted(adf):
    factory = adf.arm("GET", "")
    assert factory.status_code == 200
    assert factory.json()["type"] == "Microsoft.DataFactory/factories"
    assert factory.json()["properties"]["provisioningState"] == "Succeeded"
    updated = adf.arm("PUT", "", json={"location": "westeurope", "tags": {"env": "test"}}).json()
    assert updated["location"] == "westeurope"
    assert updated["tags"] == {"env": "test"}
    assert adf.arm("DELETE", "").status_code == 200
    assert adf.arm("DELETE", "").status_code == 204


def test_secure_strings_are_masked_on_get_and_in_the_state_snapshot(adf):
    body = rest_linked_service("http://127.0.0.1:9", None, None)
    body["properties"]["typeProperties"]["authHeaders"] = {"x-api-key": {"type": "SecureString", "value": "s3cr3t"}}
    answer = put(adf, "linkedservices", "ls_rest", body)
    assert "s3cr3t" not in answer.text
    assert "s3cr3t" not in adf.arm("GET", "/linkedservices/ls_rest").text
    assert "s3cr3t" not in requests.get(f"{adf.url}/_emulator/state", timeout=5).text


def test_delete_of_a_referenced_entity_is_refused(adf):
    create_copy_graph(adf)
    error = assert_arm_error(adf.arm("DELETE", "/linkedservices/ls_blob"), 400, "BadRequest")
    assert "ds_csv" in error["message"]
    assert adf.arm("DELETE", "/datasets/ds_csv").status_code == 400
    assert put(adf, "triggers", "tr_daily", schedule_trigger("pl_copy")).status_code == 200
    assert "tr_daily" in adf.arm("DELETE", "/pipelines/pl_copy").json()["error"]["message"]


def test_trigger_start_stop_runtime_state_and_started_trigger_cannot_change(adf):
    create_copy_graph(adf)
    created = put(adf, "triggers", "tr_daily", schedule_trigger("pl_copy")).json()
    assert created["properties"]["runtimeState"] == "Stopped"
    assert adf.arm("POST", "/triggers/tr_daily/start").status_code == 200
    assert adf.arm("GET", "/triggers/tr_daily").json()["properties"]["runtimeState"] == "Started"
    assert_arm_error(put(adf, "triggers", "tr_daily", schedule_trigger("pl_copy")), 400, "TriggerEnabledCannotUpdate")
    assert_arm_error(adf.arm("DELETE", "/triggers/tr_daily"), 400, "TriggerEnabledCannotUpdate")
    assert adf.arm("POST", "/triggers/tr_daily/stop").status_code == 200
    assert adf.arm("GET", "/triggers/tr_daily").json()["properties"]["runtimeState"] == "Stopped"
    assert adf.arm("DELETE", "/triggers/tr_daily").status_code == 200
    assert_arm_error(adf.arm("POST", "/triggers/nope/start"), 404, "NotFound")


def test_create_run_returns_a_run_id_and_unknown_things_are_404(adf):
    create_copy_graph(adf)
    answer = adf.arm("POST", "/pipelines/pl_copy/createRun", json={"folder": "in"})
    assert answer.status_code == 200
    run_id = answer.json()["runId"]
    run = adf.arm("GET", f"/pipelineruns/{run_id}").json()
    assert run["runId"] == run_id
    assert run["pipelineName"] == "pl_copy"
    assert run["invokedBy"]["name"] == "Manual"
    assert run["status"] in {"Queued", "InProgress", "Failed", "Succeeded"}
    adf.wait_for_run(None, run_id)
    assert_arm_error(adf.arm("GET", "/pipelineruns/00000000-0000-0000-0000-000000000000"), 404, "NotFound")
    assert_arm_error(adf.arm("POST", "/pipelines/nope/createRun", json={}), 404, "NotFound")
    assert_arm_error(adf.arm("POST", "/pipelines/pl_copy/createRun", json=[1]), 400, "BadRequest")


def test_create_run_requires_parameters_without_defaults(adf):
    create_copy_graph(adf)
    body = copy_pipeline("ds_csv", "ds_rest")
    body["properties"]["parameters"]["needed"] = {"type": "String"}
    assert put(adf, "pipelines", "pl_needs", body).status_code == 200
    error = assert_arm_error(adf.arm("POST", "/pipelines/pl_needs/createRun", json={}), 400, "BadRequest")
    assert "needed" in error["message"]


def test_query_pipeline_runs_filters_by_pipeline_name(adf):
    create_copy_graph(adf)
    run_id = adf.arm("POST", "/pipelines/pl_copy/createRun", json={}).json()["runId"]
    adf.wait_for_run(None, run_id)
    window = {"lastUpdatedAfter": "2000-01-01T00:00:00Z", "lastUpdatedBefore": "2100-01-01T00:00:00Z"}
    both = {**window, "filters": [{"operand": "PipelineName", "operator": "Equals", "values": ["pl_copy"]}]}
    assert [r["runId"] for r in adf.arm("POST", "/queryPipelineRuns", json=both).json()["value"]] == [run_id]
    none = {**window, "filters": [{"operand": "PipelineName", "operator": "Equals", "values": ["other"]}]}
    assert adf.arm("POST", "/queryPipelineRuns", json=none).json()["value"] == []
    bad = {**window, "filters": [{"operand": "Nope", "operator": "Equals", "values": []}]}
    assert_arm_error(adf.arm("POST", "/queryPipelineRuns", json=bad), 400, "BadRequest")
    assert_arm_error(adf.arm("POST", "/queryPipelineRuns", json={}), 400, "BadRequest")


def test_fire_starts_the_pipelines_of_a_started_trigger_only(adf):
    create_copy_graph(adf)
    put(adf, "triggers", "tr_daily", schedule_trigger("pl_copy"))
    fire_url = f"{adf.url}/_emulator/triggers/{adf.factory_name}/tr_daily/fire"
    assert requests.post(fire_url, timeout=5).status_code == 409
    adf.arm("POST", "/triggers/tr_daily/start")
    fired = requests.post(fire_url, timeout=5).json()
    assert len(fired["runIds"]) == 1
    run = adf.wait_for_run(None, fired["runIds"][0])
    assert run["invokedBy"]["name"] == "tr_daily"
    assert run["invokedBy"]["invokedByType"] == "ScheduleTrigger"
    assert requests.post(f"{adf.url}/_emulator/triggers/nope/tr_daily/fire", timeout=5).status_code == 404


def test_stats_count_operations_and_state_holds_factories_and_runs_without_secrets(adf):
    adf.set_secret("ingest-token", "top-secret-value")
    create_copy_graph(adf)
    run_id = adf.arm("POST", "/pipelines/pl_copy/createRun", json={}).json()["runId"]
    adf.wait_for_run(None, run_id)
    stats = requests.get(f"{adf.url}/_emulator/stats", timeout=5).json()
    assert stats["operations"]["Pipelines_CreateOrUpdate"]["count"] == 1
    assert stats["operations"]["Pipelines_CreateRun"]["write"] is True
    state = requests.get(f"{adf.url}/_emulator/state", timeout=5)
    assert "top-secret-value" not in state.text
    snapshot = state.json()
    assert snapshot["factories"][0]["name"] == adf.factory_name
    assert run_id in snapshot["runs"]
    secrets = requests.get(f"{adf.url}/_emulator/keyvault/secrets", timeout=5).json()
    assert secrets == {"value": [{"name": "ingest-token"}]}
    assert requests.post(f"{adf.url}/_emulator/reset", timeout=5).status_code == 204
    assert adf.arm("GET", "/pipelines").json()["value"] == []
    assert requests.put(f"{adf.url}/_emulator/state", json=snapshot, timeout=5).status_code == 204
    assert [p["name"] for p in adf.arm("GET", "/pipelines").json()["value"]] == ["pl_copy"]
    assert adf.arm("GET", f"/pipelineruns/{run_id}").status_code == 200


def test_injected_faults_use_the_arm_error_shape(adf):
    adf.running.set_faults(fail_next=1, fail_next_status=503)
    answer = adf.arm("GET", "/pipelines")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "ServiceUnavailable"
    assert adf.arm("GET", "/pipelines").status_code == 200


def test_cancel_ends_a_run_as_cancelled(adf):
    body = {
        "properties": {"activities": [{"name": "Pause", "type": "Wait", "typeProperties": {"waitTimeInSeconds": 100}}]}
    }
    assert put(adf, "pipelines", "pl_wait", body).status_code == 200
    run_id = adf.arm("POST", "/pipelines/pl_wait/createRun").json()["runId"]
    assert adf.arm("POST", f"/pipelineruns/{run_id}/cancel").status_code == 200
    run = adf.wait_for_run(None, run_id)
    assert run["status"] == "Cancelled"
    assert adf.arm("POST", f"/pipelineruns/{run_id}/cancel").status_code == 200  # idempotent once ended


def test_rerun_from_a_reference_run_reuses_parameters_and_recovery_groups_runs(adf):
    body = {
        "properties": {
            "activities": [{"name": "Pause", "type": "Wait", "typeProperties": {"waitTimeInSeconds": 0}}],
            "parameters": {"p": {"type": "String"}, "token": {"type": "SecureString"}},
        }
    }
    assert put(adf, "pipelines", "pl_wait", body).status_code == 200
    first = adf.arm("POST", "/pipelines/pl_wait/createRun", json={"p": "one", "token": "hide-me"}).json()["runId"]
    first_run = adf.wait_for_run(None, first)
    assert first_run["parameters"] == {"p": "one", "token": "**********"}
    again = adf.arm("POST", "/pipelines/pl_wait/createRun", params={"referencePipelineRunId": first}).json()["runId"]
    assert adf.wait_for_run(None, again)["parameters"]["p"] == "one"
    assert adf.arm("GET", f"/pipelineruns/{again}").json()["runGroupId"] == again
    recovery = adf.arm(
        "POST", "/pipelines/pl_wait/createRun", params={"referencePipelineRunId": first, "isRecovery": "true"}
    ).json()["runId"]
    recovered = adf.wait_for_run(None, recovery)
    assert recovered["runGroupId"] == first
    assert recovered["isLatest"] is True
    assert adf.arm("GET", f"/pipelineruns/{first}").json()["isLatest"] is False
    missing = adf.arm("POST", "/pipelines/pl_wait/createRun", params={"referencePipelineRunId": "nope"})
    assert_arm_error(missing, 404, "NotFound")
    assert "hide-me" not in requests.get(f"{adf.url}/_emulator/state", timeout=5).text


def test_arm_path_segments_are_case_insensitive(adf):
    assert put(adf, "linkedservices", "ls_blob", blob_linked_service()).status_code == 200
    url = (
        adf.factory_url()
        .replace("resourceGroups", "resourcegroups")
        .replace("Microsoft.DataFactory", "microsoft.datafactory")
    )
    answer = requests.get(
        f"{url}/linkedServices/ls_blob", params={"api-version": "2018-06-01"}, headers=adf.headers, timeout=5
    )
    assert answer.status_code == 200
    assert answer.json()["name"] == "ls_blob"
