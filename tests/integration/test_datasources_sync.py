"""F1 end to end on Azurite and the Purview and CluedIn emulators: plan, apply, re-run, remove, fail-safe."""

from __future__ import annotations

import pytest

from sync.core.messages import Queues
from sync.features.datasources.api import name_suffix
from tests.support.stack import SYNC_TERM, build_stack
from tests.support.witnesses import cluedin_data_source_groups, cluedin_sdk


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator):
    return build_stack(azurite, purview, fresh_cluedin_emulator)


def test_tagged_assets_become_groups_with_one_endpoint_source_each(stack):
    account = stack.add_file("Account.csv", ["Id", "Name", "Email"], terms=[SYNC_TERM])
    customers = stack.add_table("Customers", [("Id", "int"), ("Name", "nvarchar")], terms=[SYNC_TERM, "Customer"])
    stack.add_file("Untagged.csv", terms=["Finance"])

    report, _outcomes = stack.cycle("datasources")

    assert report.planned == {"create": 2}
    assert report.applied == {"create": 2} and report.status == "completed"
    assert sorted(n.text for n in report.notifications) == [
        "Data source 'Account.csv' created for purview asset",
        "Data source 'Customers' created for purview asset",
    ]
    groups = stack.cluedin_groups()
    assert set(groups) == {"Account.csv", "Customers"}
    for name in ("Account.csv", "Customers"):
        [source] = groups[name]["dataSources"]
        assert source["name"] == name and source["type"] == "endpoint"
    row = stack.state.get_object("datasource", f"azure_datalake_gen2_path|{account['qualifiedName']}")
    assert row.active and row.source["guid"] == account["guid"]
    assert row.data["schema"] == [{"name": c, "type": "string"} for c in ("Id", "Name", "Email")]
    table_row = stack.state.get_object("datasource", f"azure_sql_table|{customers['qualifiedName']}")
    assert table_row.data["schema"] == [{"name": "Id", "type": "int"}, {"name": "Name", "type": "nvarchar"}]
    assert sorted(table_row.data["terms"]) == ["Customer", SYNC_TERM]
    assert stack.purview.violations() == []


def test_the_groups_read_back_through_the_cluedin_sdk(stack):
    stack.add_file("Account.csv", ["Id"], terms=[SYNC_TERM])
    stack.add_table("Customers", [("Id", "int")], terms=[SYNC_TERM])
    stack.cycle("datasources")
    env = stack.environment
    sdk = cluedin_sdk(stack.cluedin, env["CLUEDIN_ORGANIZATION"], env["CLUEDIN_USERNAME"], env["CLUEDIN_PASSWORD"])
    groups = cluedin_data_source_groups(sdk)
    assert {name: [(s["name"], s["type"]) for s in sources] for name, sources in groups.items()} == {
        "Account.csv": [("Account.csv", "endpoint")],
        "Customers": [("Customers", "endpoint")],
    }
    rows = {row.data["name"]: row for row in stack.state.iter_objects("datasource")}
    assert {name: str(sources[0]["id"]) for name, sources in groups.items()} == {
        name: str(row.target["source_id"]) for name, row in rows.items()
    }


def test_a_second_cycle_without_changes_writes_nothing_anywhere(stack):
    stack.add_file("Account.csv", terms=[SYNC_TERM])
    stack.add_table("Customers", terms=[SYNC_TERM])
    stack.cycle("datasources")
    stack.reset_counters()

    report, outcomes = stack.cycle("datasources")

    assert report.planned == {} and report.unchanged == 2 and outcomes == []
    assert stack.purview_writes() == 0
    assert stack.cluedin_writes() == 0
    assert stack.purview.app.stats.snapshot()["total"] == 1  # one search page
    assert stack.queued(Queues.CLUEDIN) == []


def test_assets_sharing_a_name_get_unique_stable_group_names(stack):
    first = stack.add_file("Customers.csv", folder="raw", terms=[SYNC_TERM])
    second = stack.add_file("Customers.csv", folder="curated", terms=[SYNC_TERM])
    stack.cycle("datasources")
    names = set(stack.cluedin_groups())
    suffixed = {f"Customers.csv ({name_suffix(a['qualifiedName'])})" for a in (first, second)}
    assert "Customers.csv" in names and len(names & suffixed) == 1 and len(names) == 2
    stack.cycle("datasources")
    assert set(stack.cluedin_groups()) == names


def test_a_group_the_app_did_not_create_is_left_alone(stack):
    foreign = stack.cluedin_client().create_data_source_set("Account.csv")
    asset = stack.add_file("Account.csv", terms=[SYNC_TERM])
    stack.cycle("datasources")
    groups = stack.cluedin_groups()
    ours = f"Account.csv ({name_suffix(asset['qualifiedName'])})"
    assert groups["Account.csv"]["id"] == int(foreign) and groups["Account.csv"]["dataSources"] == []
    assert [s["name"] for s in groups[ours]["dataSources"]] == ["Account.csv"]


def test_untagged_asset_is_orphaned_and_comes_back_without_a_new_group(stack):
    keep = stack.add_file("Keep.csv", terms=[SYNC_TERM])
    for i in range(4):
        stack.add_file(f"Other{i}.csv", terms=[SYNC_TERM])
    gone = stack.add_file("Account.csv", terms=[SYNC_TERM])
    stack.cycle("datasources")
    groups_before = stack.cluedin_groups()

    stack.unassign(gone["guid"], SYNC_TERM)
    report, _ = stack.cycle("datasources")
    assert report.orphaned == 1 and report.planned == {}
    row = stack.state.get_object("datasource", f"azure_datalake_gen2_path|{gone['qualifiedName']}")
    assert row.status == "orphaned"
    assert row.data["schema"] and row.target["source_id"]  # the planner read a projection; the mark kept it all
    assert stack.cluedin_groups() == groups_before  # CluedIn has no delete API: nothing removed there

    stack.assign(gone["guid"], SYNC_TERM)
    report, _ = stack.cycle("datasources")
    assert report.planned == {"update": 1}
    assert stack.state.get_object("datasource", row.key).active
    assert set(stack.cluedin_groups()) == set(groups_before)
    assert keep


def test_mass_untagging_trips_the_fail_safe(stack):
    assets = [stack.add_file(f"File{i}.csv", terms=[SYNC_TERM]) for i in range(5)]
    stack.cycle("datasources")
    for asset in assets[:3]:
        stack.unassign(asset["guid"], SYNC_TERM)

    report, _ = stack.cycle("datasources")

    assert report.deletes_refused and "refused to delete 3 of 5" in report.deletes_refused_reason
    assert report.orphaned == 0
    assert all(row.active for row in stack.state.iter_objects("datasource"))


def test_star_syncs_every_asset_but_never_columns_schemas_or_own_types(stack):
    stack.add_file("A.csv", ["x", "y"])
    stack.add_table("T", [("c", "int")])
    stack.purview_client().upsert_entities(
        [{"typeName": "DataSet", "attributes": {"qualifiedName": "generic://thing", "name": "Thing"}}]
    )
    report, _ = stack.cycle("datasources", sync_cluedin_data_sources_keywords="*")
    assert set(stack.cluedin_groups()) == {"A.csv", "T", "Thing"}
    assert report.planned == {"create": 3}


def test_dry_run_plans_and_reports_but_changes_nothing(stack):
    stack.add_file("Account.csv", terms=[SYNC_TERM])
    report = stack.plan("datasources", sync_dry_run=True)
    assert report.status == "dry-run" and report.planned == {"create": 1}
    assert report.changes == ["create data source 'Account.csv'"]
    assert stack.queued(Queues.CLUEDIN) == [] and stack.cluedin_groups() == {}
    assert list(stack.state.iter_objects("datasource")) == []


def test_missing_keyword_setting_is_reported_by_name(stack):
    report = stack.plan("datasources", sync_cluedin_data_sources_keywords="")
    assert report.status == "not-configured"
    assert "SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS" in report.errors[0]


def test_asset_deleted_between_plan_and_apply_is_skipped(stack):
    asset = stack.add_file("Account.csv", terms=[SYNC_TERM])
    ctx = stack.context()
    stack.plan("datasources", ctx)
    stack.purview_client().delete_entities([asset["guid"]])
    outcomes = stack.drain(Queues.CLUEDIN, ctx)
    assert [(o.result, o.detail) for o in outcomes] == [("skipped", "asset no longer exists in Purview")]
    assert stack.cluedin_groups() == {}
