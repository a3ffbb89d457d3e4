"""F12 (term automation) and F13 (run schedules) through the engine: timer cycle → queue → applier."""

from __future__ import annotations

import pytest
import requests

from sync.engine import ApplyOutcome, apply_message, run_cycle, run_report
from sync.features.pipelines import PipelineSchedulesFeature, PipelinesFeature
from sync.messages import Queues
from sync.storage import base64_queue
from tests.integration.test_adf_helpers import build_stack, factory_entities

FEATURES = {"pipelines": PipelinesFeature(), "pipeline_schedules": PipelineSchedulesFeature()}


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator):
    return build_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)


def drain(stack, ctx):
    """Apply every message waiting in the Data Factory queue, as the queue function would."""
    client = base64_queue(stack.queue_service, Queues.DATA_FACTORY.value)
    outcomes: list[ApplyOutcome] = []
    while True:
        messages = list(client.receive_messages(messages_per_page=32, visibility_timeout=30))
        if not messages:
            return outcomes
        for message in messages:
            outcomes += apply_message(
                message.content,
                queue=Queues.DATA_FACTORY.value,
                features=FEATURES,
                ctx=ctx,
                message_id=message.id,
                dequeue_count=message.dequeue_count,
            )
            client.delete_message(message)


def cycle(stack, feature, **overrides):
    ctx = stack.context(**overrides)
    report = run_cycle(FEATURES[feature], ctx)
    drain(stack, ctx)
    return run_report(ctx.state, report.run_id)


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
    pipelines = factory_entities(stack.adf, "pipelines")
    assert len(pipelines) == 2

    again = cycle(stack, "pipelines")
    assert again.planned == {}
    assert again.unchanged == 2


def test_an_untagged_pipeline_is_removed_only_under_soft_delete(stack):
    identity = stack.add_asset("Account.csv")
    cycle(stack, "pipelines")
    session = stack.purview.session()
    term = stack.term_guid("CluedInADF")
    relationships = session.get(f"{stack.purview.atlas_url}/glossary/terms/{term}/assignedEntities", timeout=10).json()
    session.delete(
        f"{stack.purview.atlas_url}/glossary/terms/{term}/assignedEntities",
        json=[r for r in relationships if r["guid"] == identity["guid"]],
        timeout=10,
    ).raise_for_status()

    retained = cycle(stack, "pipelines")
    assert retained.orphaned == 1
    assert len(factory_entities(stack.adf, "pipelines")) == 1

    removed = cycle(stack, "pipelines", sync_delete_policy="soft-delete", sync_delete_failsafe_percent=100.0)
    assert removed.planned == {"delete": 1}
    assert removed.status == "completed", removed.errors
    assert factory_entities(stack.adf, "pipelines") == {}
    assert factory_entities(stack.adf, "datasets") == {}


def test_schedules_follow_the_setting_and_clearing_it_disables_them(stack):
    stack.add_asset("Account.csv")
    cycle(stack, "pipelines")
    on = {"data_factory_create_run_schedule": True, "data_factory_run_schedule_value": "Daily:Hours=[6]&Minutes=[0]"}

    created = cycle(stack, "pipeline_schedules", **on)
    assert created.planned == {"create": 1}
    [trigger] = factory_entities(stack.adf, "triggers").values()
    assert trigger["properties"]["runtimeState"] == "Started"
    recurrence = trigger["properties"]["typeProperties"]["recurrence"]
    assert (recurrence["frequency"], recurrence["schedule"]) == ("Day", {"hours": [6], "minutes": [0]})
    [note] = created.notifications
    assert note.text.startswith("Pipeline Schedule Created for 'AccountCsvPipeline_")
    assert "Run Time(s): 06:00" in note.text

    assert cycle(stack, "pipeline_schedules", **on).planned == {}

    changed = cycle(stack, "pipeline_schedules", **{**on, "data_factory_run_schedule_value": "Hourly:Interval=2"})
    assert changed.planned == {"update": 1}
    [trigger] = factory_entities(stack.adf, "triggers").values()
    assert trigger["properties"]["typeProperties"]["recurrence"]["frequency"] == "Hour"
    assert trigger["properties"]["runtimeState"] == "Started"

    disabled = cycle(stack, "pipeline_schedules", data_factory_create_run_schedule=False)
    assert disabled.planned == {"update": 1}
    assert factory_entities(stack.adf, "triggers") == {}
    [note] = disabled.notifications
    assert note.text.startswith("Pipeline Schedule Disabled for 'AccountCsvPipeline_")
    assert cycle(stack, "pipeline_schedules").planned == {}


def test_a_fired_schedule_copies_the_rows(stack):
    stack.add_asset("Account.csv")
    cycle(stack, "pipelines")
    cycle(
        stack,
        "pipeline_schedules",
        data_factory_create_run_schedule=True,
        data_factory_run_schedule_value="Minutely:Interval=15",
    )
    [trigger] = factory_entities(stack.adf, "triggers")
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
    assert factory_entities(stack.adf, "triggers") == {}
