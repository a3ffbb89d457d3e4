"""Provisioning against the emulators: endpoint + entities created, copied rows arrive, re-runs write nothing."""

from __future__ import annotations

import pytest

from sync.core.errors import RetriableError
from sync.features.pipelines.provision import PIPELINE_KIND, find_asset, provision_pipeline
from sync.features.pipelines.runs import RUN_KIND, start_run_once
from sync.features.pipelines.stores import UnsupportedAssetError
from tests.support.adf import adf_stack


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator):
    return adf_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)


def test_an_asset_gets_its_endpoint_pipeline_and_rows_copied_into_cluedin(stack):
    identity = stack.add_asset("Account.csv")
    ctx = stack.context()
    asset = find_asset(ctx.client("purview"), guid=identity["guid"])
    result = provision_pipeline(ctx, asset, owner="t1", origin="requested")

    assert result.pipeline_created and result.endpoint_created
    assert result.names.pipeline.startswith("AccountCsvPipeline_")
    assert len(result.written) == 6
    pipelines = stack.factory_entities("pipelines")
    assert list(pipelines) == [result.names.pipeline]
    datasets = stack.factory_entities("datasets")
    assert set(datasets) == {result.names.source_dataset, result.names.sink_dataset}
    sink = datasets[result.names.sink_dataset]["properties"]["typeProperties"]
    assert sink["relativeUrl"] == f"upload/api/endpoint/{result.data_set_id}"

    # F1's data source was created the way F1 makes it, and the endpoint lives in it
    datasource = ctx.state.get_object("datasource", result.key)
    assert datasource is not None and datasource.active
    assert datasource.target["source_id"] == result.data_source_id

    run = start_run_once(ctx, result.names.pipeline, "req-1", owner="t1")
    finished = stack.adf.wait_for_run(None, run.run_id)
    assert finished["status"] == "Succeeded", finished["message"]
    assert stack.received(result.data_set_id) == 3


def test_provisioning_twice_writes_nothing_the_second_time(stack):
    identity = stack.add_asset("Account.csv")
    ctx = stack.context()
    asset = find_asset(ctx.client("purview"), guid=identity["guid"])
    first = provision_pipeline(ctx, asset, owner="t1", origin="requested")
    writes = stack.factory_writes()
    second = provision_pipeline(stack.context(), asset, owner="t2", origin="requested")
    assert second.written == []
    assert not second.pipeline_created and not second.endpoint_created
    assert second.names == first.names and second.data_set_id == first.data_set_id
    assert stack.factory_writes() == writes


def test_a_pipeline_deleted_in_the_factory_is_rewritten(stack):
    identity = stack.add_asset("Account.csv")
    ctx = stack.context()
    asset = find_asset(ctx.client("purview"), guid=identity["guid"])
    first = provision_pipeline(ctx, asset, owner="t1", origin="requested")
    assert stack.adf.arm("DELETE", f"/pipelines/{first.names.pipeline}").ok
    again = provision_pipeline(ctx, asset, owner="t2", origin="requested")
    assert again.pipeline_created
    assert f"pipelines/{first.names.pipeline}" in again.written


def test_the_asset_name_can_change_but_entity_names_stay(stack):
    identity = stack.add_asset("Account.csv")
    ctx = stack.context()
    purview = ctx.client("purview")
    first = provision_pipeline(ctx, find_asset(purview, guid=identity["guid"]), owner="t1", origin="requested")
    purview.upsert_entities(
        [
            {
                "typeName": identity["typeName"],
                "attributes": {"qualifiedName": identity["qualifiedName"], "name": "Renamed.csv", "isFile": True},
            }
        ]
    )
    again = provision_pipeline(ctx, find_asset(purview, guid=identity["guid"]), owner="t2", origin="requested")
    assert again.names == first.names


def test_a_lost_create_run_answer_is_recovered_without_a_second_run(stack):
    identity = stack.add_asset("Account.csv")
    ctx = stack.context()
    result = provision_pipeline(ctx, find_asset(ctx.client("purview"), guid=identity["guid"]), owner="t", origin="x")
    stack.adf.running.set_faults(lose_response_rate=1.0, path_pattern="createRun")
    with pytest.raises(RetriableError, match="outcome unknown"):
        start_run_once(stack.context(), result.names.pipeline, "req-lost", owner="http:req-lost")
    stack.adf.running.clear_faults()
    row = ctx.state.get_object(RUN_KIND, f"{result.names.pipeline}|req-lost")
    assert row is not None and row.status == "starting"
    again = start_run_once(stack.context(), result.names.pipeline, "req-lost", owner="http:req-lost")
    assert again.started is False
    runs = stack.adf.arm(
        "POST",
        "/queryPipelineRuns",
        json={"lastUpdatedAfter": "2000-01-01T00:00:00Z", "lastUpdatedBefore": "2100-01-01T00:00:00Z"},
    ).json()["value"]
    assert [r["runId"] for r in runs] == [again.run_id]


def test_the_same_request_id_returns_the_same_run(stack):
    identity = stack.add_asset("Account.csv")
    ctx = stack.context()
    result = provision_pipeline(ctx, find_asset(ctx.client("purview"), guid=identity["guid"]), owner="t", origin="x")
    first = start_run_once(ctx, result.names.pipeline, "same", owner="a")
    second = start_run_once(stack.context(), result.names.pipeline, "same", owner="b")
    other = start_run_once(stack.context(), result.names.pipeline, "other", owner="c")
    assert (first.started, second.started, other.started) == (True, False, True)
    assert first.run_id == second.run_id != other.run_id


def test_unsupported_assets_are_refused_before_anything_is_written(stack):
    identity = stack.add_asset("Report.xlsx")
    ctx = stack.context()
    with pytest.raises(UnsupportedAssetError):
        provision_pipeline(ctx, find_asset(ctx.client("purview"), guid=identity["guid"]), owner="t", origin="x")
    assert stack.factory_writes() == 0
    assert ctx.state.get_object(PIPELINE_KIND, f"{identity['typeName']}|{identity['qualifiedName']}") is None
