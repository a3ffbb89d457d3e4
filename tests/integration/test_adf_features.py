"""F12 (term automation) and F13 (run schedules) through the engine: timer cycle → queue → applier."""

from __future__ import annotations

import pytest
import requests
from azure.mgmt.datafactory.models import ScheduleTrigger

from sync.core.report import RunReport
from tests.support.adf import AdfStack, adf_stack
from tests.support.witnesses import datafactory_sdk


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator):
    return adf_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)


def cycle(stack: AdfStack, feature: str, **overrides) -> RunReport:
    """The folded run report of one cycle (timer, then every queued message applied)."""
    report, _ = stack.cycle(feature, **overrides)
    return report


def test_tagged_assets_get_their_pipeline_once_with_cluedins_notifications(stack):
    stack.add_asset("Account.csv")
    stack.add_asset("Employee.json", data='[{"Id": 1, "Name": "Ada"}]')
    stack.add_asset("Untagged.csv", terms=("Other",))
    stack.add_asset("Report.xlsx")  # tagged but unsupported: reported, skipped

    report = cycle(stack, "pipelines")
    assert report.source_objects == 2
    assert report.planned == {"create": 2}
    assert report.status == "completed", report.errors
    texts = [n.text for n in report.notifications]
    assert "2 Ingestion Endpoints created for purview assets. (Account.csv, Employee.json)" in texts
    created = [t for t in texts if "ADF Pipelines created" in t]
    assert created and created[0].startswith("2 ADF Pipelines created for purview assets. (AccountCsvPipeline_")
    pipelines = stack.factory_entities("pipelines")
    assert len(pipelines) == 2

    again = cycle(stack, "pipelines")
    assert again.planned == {}
    assert again.unchanged == 2


def test_an_untagged_pipeline_is_removed_only_under_soft_delete(stack):
    identity = stack.add_asset("Account.csv")
    cycle(stack, "pipelines")
    stack.unassign(identity["guid"], "CluedInADF")

    retained = cycle(stack, "pipelines")
    assert retained.orphaned == 1
    assert len(stack.factory_entities("pipelines")) == 1

    removed = cycle(stack, "pipelines", sync_delete_policy="soft-delete", sync_delete_failsafe_percent=100.0)
    assert removed.planned == {"delete": 1}
    assert removed.status == "completed", removed.errors
    assert stack.factory_entities("pipelines") == {}
    assert stack.factory_entities("datasets") == {}


def test_schedules_follow_the_setting_and_clearing_it_disables_them(stack):
    stack.add_asset("Account.csv")
    cycle(stack, "pipelines")
    on = {"data_factory_create_run_schedule": True, "data_factory_run_schedule_value": "Daily:Hours=[6]&Minutes=[0]"}

    created = cycle(stack, "pipeline_schedules", **on)
    assert created.planned == {"create": 1}
    [trigger] = stack.factory_entities("triggers").values()
    assert trigger["properties"]["runtimeState"] == "Started"
    recurrence = trigger["properties"]["typeProperties"]["recurrence"]
    assert (recurrence["frequency"], recurrence["schedule"]) == ("Day", {"hours": [6], "minutes": [0]})
    [note] = created.notifications
    assert note.text.startswith("Pipeline Schedule Created for 'AccountCsvPipeline_")
    assert "Run Time(s): 06:00" in note.text

    assert cycle(stack, "pipeline_schedules", **on).planned == {}

    changed = cycle(stack, "pipeline_schedules", **{**on, "data_factory_run_schedule_value": "Hourly:Interval=2"})
    assert changed.planned == {"update": 1}
    [trigger] = stack.factory_entities("triggers").values()
    assert trigger["properties"]["typeProperties"]["recurrence"]["frequency"] == "Hour"
    assert trigger["properties"]["runtimeState"] == "Started"

    disabled = cycle(stack, "pipeline_schedules", data_factory_create_run_schedule=False)
    assert disabled.planned == {"update": 1}
    assert stack.factory_entities("triggers") == {}
    [note] = disabled.notifications
    assert note.text.startswith("Pipeline Schedule Disabled for 'AccountCsvPipeline_")
    assert cycle(stack, "pipeline_schedules").planned == {}


def test_pipelines_and_schedules_read_back_through_the_data_factory_sdk(stack):
    stack.add_asset("Account.csv")
    cycle(stack, "pipelines")
    schedule = {"data_factory_create_run_schedule": True, "data_factory_run_schedule_value": "Weekly:Interval=2"}
    cycle(stack, "pipeline_schedules", **schedule)
    sdk, adf = datafactory_sdk(stack.adf), stack.adf
    [pipeline] = sdk.pipelines.list_by_factory(adf.resource_group, adf.factory_name)
    assert pipeline.name is not None and pipeline.name.startswith("AccountCsvPipeline_")
    assert [a.type for a in pipeline.activities or []] == ["Copy"]
    [trigger] = sdk.triggers.list_by_factory(adf.resource_group, adf.factory_name)
    assert isinstance(trigger.properties, ScheduleTrigger)
    recurrence = trigger.properties.recurrence
    assert (recurrence.frequency, recurrence.interval, trigger.properties.runtime_state) == ("Week", 2, "Started")
    references = [p.pipeline_reference for p in trigger.properties.pipelines or []]
    assert [r.reference_name for r in references if r is not None] == [pipeline.name]


def test_a_fired_schedule_copies_the_rows(stack):
    stack.add_asset("Account.csv")
    cycle(stack, "pipelines")
    cycle(
        stack,
        "pipeline_schedules",
        data_factory_create_run_schedule=True,
        data_factory_run_schedule_value="Minutely:Interval=15",
    )
    [trigger] = stack.factory_entities("triggers")
    fired = requests.post(f"{stack.adf.url}/_emulator/triggers/{stack.adf.factory_name}/{trigger}/fire", timeout=10)
    fired.raise_for_status()
    [run_id] = fired.json()["runIds"]
    assert stack.adf.wait_for_run(None, run_id)["status"] == "Succeeded"
    row = next(iter(stack.state.iter_objects("adf_pipeline")))
    assert stack.received(row.target["data_set_id"]) == 3


def test_an_invalid_schedule_setting_is_reported_naming_the_setting_and_the_part(stack):
    stack.add_asset("Account.csv")
    cycle(stack, "pipelines")
    report = cycle(
        stack,
        "pipeline_schedules",
        data_factory_create_run_schedule=True,
        data_factory_run_schedule_value="Daily:Hours=[25]",
    )
    assert report.status == "not-configured"
    assert "DATA_FACTORY_RUN_SCHEDULE_VALUE" in report.errors[0]
    assert "(at 'Hours=[25]')" in report.errors[0]
    assert stack.factory_entities("triggers") == {}
