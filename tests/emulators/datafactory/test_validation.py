"""PUT-time validation: every polymorphic object needs a known type, references resolve, schedules are sane."""

from __future__ import annotations

import copy

import pytest

from tests.emulators.datafactory.bodies import (
    blob_dataset,
    blob_linked_service,
    copy_pipeline,
    key_vault_linked_service,
    key_vault_secret,
    rest_dataset,
    rest_linked_service,
    schedule_trigger,
)


@pytest.fixture()
def adf(fresh_datafactory_emulator):
    adf = fresh_datafactory_emulator
    for name, body in {
        "ls_akv": key_vault_linked_service(),
        "ls_adls": blob_linked_service(),
        "ls_rest": rest_linked_service("http://127.0.0.1:9", "ls_akv", "token"),
    }.items():
        assert adf.arm("PUT", f"/linkedservices/{name}", json=body).status_code == 200
    assert adf.arm("PUT", "/datasets/ds_src", json=blob_dataset("ls_adls", "raw", "in", "a.csv")).status_code == 200
    assert adf.arm("PUT", "/datasets/ds_sink", json=rest_dataset("ls_rest", "upload")).status_code == 200
    assert adf.arm("PUT", "/pipelines/pl_copy", json=copy_pipeline("ds_src", "ds_sink")).status_code == 200
    return adf


def rejected(adf, kind, name, body, target, *words):
    answer = adf.arm("PUT", f"/{kind}/{name}", json=body)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["target"] == target, error
    assert target in error["message"] or target.endswith(("referenceName", "name")) or target == "properties"
    for word in words:
        assert word in error["message"], error["message"]
    return error


def pipeline_with(mutate):
    body = copy_pipeline("ds_src", "ds_sink")
    mutate(body["properties"]["activities"][0])
    return body


ACTIVITY = "properties.activities[0]"
TP = f"{ACTIVITY}.typeProperties"


@pytest.mark.parametrize(
    ("mutate", "target"),
    [
        (lambda a: a["typeProperties"]["source"].pop("type"), f"{TP}.source.type"),
        (lambda a: a["typeProperties"]["source"].update(type="CsvSource"), f"{TP}.source.type"),
        (lambda a: a["typeProperties"]["sink"].update(type="Rest"), f"{TP}.sink.type"),
        (lambda a: a["typeProperties"]["source"]["storeSettings"].pop("type"), f"{TP}.source.storeSettings.type"),
        (
            lambda a: a["typeProperties"]["source"].update(formatSettings={"type": "CsvReadSettings"}),
            f"{TP}.source.formatSettings.type",
        ),
        (lambda a: a["typeProperties"]["sink"].update(storeSettings={"x": 1}), f"{TP}.sink.storeSettings.type"),
        (lambda a: a["typeProperties"].update(translator={"mappings": []}), f"{TP}.translator.type"),
        (lambda a: a.update(type="Container"), f"{ACTIVITY}.type"),
        (lambda a: a.pop("type"), f"{ACTIVITY}.type"),
        (lambda a: a["inputs"][0].update(type="DatasetRef"), f"{ACTIVITY}.inputs[0].type"),
        (lambda a: a["inputs"][0].update(referenceName="ds_nope"), f"{ACTIVITY}.inputs[0].referenceName"),
        (lambda a: a.update(outputs=[]), f"{ACTIVITY}.outputs"),
        (lambda a: a["typeProperties"].pop("sink"), f"{TP}.sink"),
        (
            lambda a: a.update(policy={"retry": 1, "retryIntervalInSeconds": 5}),
            f"{ACTIVITY}.policy.retryIntervalInSeconds",
        ),
        (lambda a: a.update(policy={"retry": -1}), f"{ACTIVITY}.policy.retry"),
        (
            lambda a: a.update(dependsOn=[{"activity": "Ghost", "dependencyConditions": ["Succeeded"]}]),
            f"{ACTIVITY}.dependsOn[0].activity",
        ),
        (lambda a: a.update(name=""), f"{ACTIVITY}.name"),
    ],
)
def test_copy_activity_problems_are_400_naming_the_path(adf, mutate, target):
    rejected(adf, "pipelines", "pl_bad", pipeline_with(mutate), target)


def test_nested_activities_of_control_activities_are_validated(adf):
    inner = copy.deepcopy(copy_pipeline("ds_src", "ds_sink")["properties"]["activities"][0])
    inner["type"] = "Execution"
    for_each = {
        "name": "Each",
        "type": "ForEach",
        "typeProperties": {
            "items": {"value": "@pipeline().parameters.items", "type": "Expression"},
            "activities": [inner],
        },
    }
    body = {"properties": {"activities": [for_each]}}
    rejected(adf, "pipelines", "pl_loop", body, f"{ACTIVITY}.typeProperties.activities[0].type", "'Execution'")
    inner["type"] = "Copy"
    switch = {
        "name": "Pick",
        "type": "Switch",
        "typeProperties": {"cases": [{"value": "a", "activities": [{"name": "x"}]}]},
    }
    body = {"properties": {"activities": [for_each, switch]}}
    rejected(adf, "pipelines", "pl_loop", body, "properties.activities[1].typeProperties.cases[0].activities[0].type")


def test_duplicate_activity_names_and_bad_parameter_types_are_rejected(adf):
    body = copy_pipeline("ds_src", "ds_sink")
    body["properties"]["activities"].append(copy.deepcopy(body["properties"]["activities"][0]))
    rejected(adf, "pipelines", "pl_dup", body, "properties.activities[1].name", "twice")
    body = copy_pipeline("ds_src", "ds_sink", parameters={"p": {"type": "Text"}})
    rejected(adf, "pipelines", "pl_param", body, "properties.parameters.p.type")


def test_linked_service_checks(adf):
    rejected(adf, "linkedservices", "ls_x", {"properties": {"type": "AzureBlobFs"}}, "properties.type", "AzureBlobFs")
    rejected(adf, "linkedservices", "ls_x", {"nope": 1}, "properties")
    rejected(
        adf, "linkedservices", "ls_kv", {"properties": {"type": "AzureKeyVault"}}, "properties.typeProperties.baseUrl"
    )
    to_missing_vault = rest_linked_service("http://x", "ls_ghost", "s")
    rejected(
        adf,
        "linkedservices",
        "ls_x",
        to_missing_vault,
        "properties.typeProperties.authHeaders.Authorization.store.referenceName",
    )
    to_non_vault = rest_linked_service("http://x", "ls_adls", "s")
    rejected(
        adf,
        "linkedservices",
        "ls_x",
        to_non_vault,
        "properties.typeProperties.authHeaders.Authorization.store.referenceName",
        "not an AzureKeyVault",
    )
    no_secret_name = rest_linked_service("http://x", None, None)
    no_secret_name["properties"]["typeProperties"]["password"] = {**key_vault_secret("ls_akv", "s"), "secretName": ""}
    rejected(adf, "linkedservices", "ls_x", no_secret_name, "properties.typeProperties.password.secretName")
    bad_secure = rest_linked_service("http://x", None, None)
    bad_secure["properties"]["typeProperties"]["password"] = {"type": "SecureString"}
    rejected(adf, "linkedservices", "ls_x", bad_secure, "properties.typeProperties.password.value")
    bad_runtime = blob_linked_service()
    bad_runtime["properties"]["connectVia"] = {"referenceName": "ir", "type": "Runtime"}
    rejected(adf, "linkedservices", "ls_x", bad_runtime, "properties.connectVia.type")


def test_dataset_checks(adf):
    no_ls = blob_dataset("ls_adls", "raw", "in", "a.csv")
    del no_ls["properties"]["linkedServiceName"]
    rejected(adf, "datasets", "ds_x", no_ls, "properties.linkedServiceName")
    rejected(
        adf,
        "datasets",
        "ds_x",
        blob_dataset("ls_ghost", "raw", "in", "a.csv"),
        "properties.linkedServiceName.referenceName",
    )
    bad_location = blob_dataset("ls_adls", "raw", "in", "a.csv")
    bad_location["properties"]["typeProperties"]["location"]["type"] = "AdlsLocation"
    rejected(adf, "datasets", "ds_x", bad_location, "properties.typeProperties.location.type")
    no_location = blob_dataset("ls_adls", "raw", "in", "a.csv")
    del no_location["properties"]["typeProperties"]["location"]
    rejected(adf, "datasets", "ds_x", no_location, "properties.typeProperties.location")
    rejected(adf, "datasets", "ds_x", {"properties": {"type": "Csv"}}, "properties.type")


@pytest.mark.parametrize(
    ("recurrence", "target", "word"),
    [
        ({"frequency": "Daily"}, "frequency", "Minute"),
        ({"interval": 0}, "interval", "positive"),
        ({"startTime": "yesterday"}, "startTime", "ISO 8601"),
        ({"endTime": "2025-01-01T00:00:00Z"}, "endTime", "later"),
        ({"timeZone": "Europe/Oslo"}, "timeZone", "Windows"),
        ({"schedule": {"hours": [24]}}, "schedule.hours[0]", "0..23"),
        ({"schedule": {"minutes": [-1]}}, "schedule.minutes[0]", "0..59"),
        ({"schedule": {"weekDays": ["Monday"]}}, "schedule.weekDays", "Week"),
        ({"frequency": "Week", "schedule": {"weekDays": ["Mon"]}}, "schedule.weekDays", "Sunday"),
        ({"schedule": {"monthDays": [1]}}, "schedule.monthDays", "Month"),
        ({"frequency": "Month", "schedule": {"monthDays": [0]}}, "schedule.monthDays[0]", "except 0"),
        (
            {"frequency": "Month", "schedule": {"monthlyOccurrences": [{"day": "Friday", "occurrence": 6}]}},
            "schedule.monthlyOccurrences[0].occurrence",
            "-5..5",
        ),
    ],
)
def test_schedule_trigger_recurrence_is_validated(adf, recurrence, target, word):
    rejected(
        adf,
        "triggers",
        "tr_x",
        schedule_trigger("pl_copy", **recurrence),
        f"properties.typeProperties.recurrence.{target}",
        word,
    )


def test_valid_schedules_are_accepted(adf):
    for recurrence in (
        {"frequency": "Minute", "interval": 15},
        {"frequency": "Week", "schedule": {"weekDays": ["Monday", "Friday"], "hours": [0, 12], "minutes": [0, 30]}},
        {"frequency": "Month", "schedule": {"monthDays": [1, -1], "hours": [6]}},
        {"frequency": "Hour", "timeZone": "W. Europe Standard Time", "endTime": "2027-01-01T00:00:00"},
    ):
        answer = adf.arm("PUT", "/triggers/tr_ok", json=schedule_trigger("pl_copy", **recurrence))
        assert answer.status_code == 200, answer.text


def test_trigger_checks(adf):
    rejected(
        adf, "triggers", "tr_x", schedule_trigger("pl_ghost"), "properties.pipelines[0].pipelineReference.referenceName"
    )
    body = schedule_trigger("pl_copy")
    body["properties"]["type"] = "CronTrigger"
    rejected(adf, "triggers", "tr_x", body, "properties.type")
    body = schedule_trigger("pl_copy")
    del body["properties"]["typeProperties"]
    rejected(adf, "triggers", "tr_x", body, "properties.typeProperties")
