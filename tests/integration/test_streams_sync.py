"""F8 against Azurite and the emulators: streams and export targets → lineage in Purview, end to end."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import requests

from sync.services.cluedin.consume import sample_condition
from sync.services.purview import qualified_names as names
from sync.services.purview.typedefs import COLUMN_TYPE
from tests.support.lineage import ORG
from tests.support.streams import STREAMS, STREAMS_QUEUE, StreamsStack, estate, mapping_pairs, streams_stack
from tests.support.witnesses import lineage_downstream


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator) -> StreamsStack:
    built = streams_stack(azurite, purview, fresh_cluedin_emulator)
    fresh_cluedin_emulator.seed(estate(**STREAMS))
    return built


def test_a_stream_becomes_a_process_from_its_entity_type_to_its_export_target(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    report, _ = stack.cycle()
    assert report.status == "completed", report.errors
    assert "Stream 'Account Golden Records' synced to Purview" in [n.text for n in report.notifications]
    [process] = stack.entities("cluedin_stream_process").values()
    attributes = process["attributes"]
    assert attributes["name"] == "Account Golden Records"
    assert attributes["status"] == "Streaming"
    assert attributes["mode"] == "Synchronized stream"
    assert attributes["exportTarget"] == "sql.Golden"
    assert attributes["condition"] == "EntityType Equals /Account"
    assert stack.qualified_names(attributes["inputs"]) == [names.entity_name(ORG, "/Account")]
    target = stack.by_name("cluedin_connector_entity")["sql.Golden"]
    assert stack.qualified_names(attributes["outputs"]) == [target["attributes"]["qualifiedName"]]
    assert stack.column_names(target) == ["account.email", "account.name"]
    assert mapping_pairs(process) == {
        names.entity_name(ORG, "/Account"): [("account.name", "account.name"), ("account.email", "account.email")]
    }
    entity = stack.by_name("cluedin_entity")["/Account"]
    assert stack.column_names(entity) == ["account.email", "account.name"]

    again, _ = stack.cycle()
    assert again.planned == {} and again.events == []


def target_of(stack: StreamsStack) -> dict[str, Any]:
    return stack.by_name("cluedin_connector_entity")


def test_every_stream_and_export_target_event_reaches_purview_within_one_cycle(stack):
    stack.cycle()
    golden = stack.target_id("sql.Golden")

    # add an export target, then a stream to it
    lake = stack.activity("activity/export-target", {"connector": "Azure Data Lake Connector",
                                                    "accountDisplay": "lake.contoso"})["id"]  # fmt: skip
    report, _ = stack.cycle()
    assert report.events == ["Export target 'lake.contoso' added in CluedIn"]
    assert "Export target 'lake.contoso' synced to Purview" in [n.text for n in report.notifications]
    assert set(target_of(stack)) == {"sql.Golden", "lake.contoso"}
    contacts = stack.activity("activity/stream", {"name": "Contacts", "entityType": "/Contact", "exportTargetId": lake,
                                                  "properties": ["contact.email"], "active": True})["id"]  # fmt: skip
    report, _ = stack.cycle()
    assert report.events == ["Stream 'Contacts' added in CluedIn"]
    assert "Stream 'Contacts' synced to Purview" in [n.text for n in report.notifications]
    process = stack.by_name("cluedin_stream_process")["Contacts"]
    assert stack.qualified_names(process["attributes"]["inputs"]) == [names.entity_name(ORG, "/Contact")]
    assert stack.column_names(target_of(stack)["lake.contoso"]) == ["contact.email"]

    # update: rename and re-condition the stream (now /Account); stop it
    stack.activity("activity/stream/update", {"id": contacts, "name": "Accounts to lake", "entityType": "/Account"})
    report, _ = stack.cycle()
    assert report.events == ["Stream 'Accounts to lake' updated in CluedIn"]
    process = stack.by_name("cluedin_stream_process")["Accounts to lake"]
    assert stack.qualified_names(process["attributes"]["inputs"]) == [names.entity_name(ORG, "/Account")]
    assert "Contacts" not in stack.by_name("cluedin_stream_process")  # same entity, renamed
    assert "/Contact" not in stack.by_name("cluedin_entity")  # no stream and no data-set lineage holds it
    stack.activity("activity/stream/update", {"id": contacts, "active": False})
    stack.cycle()
    assert stack.by_name("cluedin_stream_process")["Accounts to lake"]["attributes"]["status"] == "Stopped"
    stack.rest_pause(contacts)
    stack.cycle()
    assert stack.by_name("cluedin_stream_process")["Accounts to lake"]["attributes"]["status"] == "Paused"

    # reprocess
    stack.activity("activity/stream/reprocess", {"id": contacts})
    report, _ = stack.cycle()
    assert report.events == ["Stream 'Accounts to lake' reprocessed in CluedIn"]
    assert stack.by_name("cluedin_stream_process")["Accounts to lake"]["attributes"]["lastReprocessedAt"]
    assert "Stream 'Accounts to lake' synced to Purview" in [n.text for n in report.notifications]

    # update an export target's account display
    stack.activity("activity/export-target/update", {"id": golden, "accountDisplay": "sql.Gold"})
    report, _ = stack.cycle()
    assert report.events == ["Export target 'sql.Gold' updated in CluedIn"]
    assert "sql.Gold" in target_of(stack)
    golden_stream = stack.by_name("cluedin_stream_process")["Account Golden Records"]
    assert golden_stream["attributes"]["exportTarget"] == "sql.Gold"

    # remove a stream, then an export target (the streams using it lose their output)
    stack.activity("activity/stream/remove", {"id": stack.stream_id("Account Golden Records")})
    report, _ = stack.cycle()
    assert report.events == ["Stream 'Account Golden Records' removed in CluedIn"]
    assert "Stream 'Account Golden Records' removed from Purview" in [n.text for n in report.notifications]
    assert "Account Golden Records" not in stack.by_name("cluedin_stream_process")
    stack.activity("activity/export-target/remove", {"id": lake})
    report, _ = stack.cycle()
    assert report.events == [
        "Stream 'Accounts to lake' updated in CluedIn",
        "Export target 'lake.contoso' removed in CluedIn",
    ]
    assert set(target_of(stack)) == {"sql.Gold"}
    assert stack.by_name("cluedin_stream_process")["Accounts to lake"]["attributes"]["outputs"] == []
    assert stack.purview.violations() == []


def test_one_updated_stream_reaches_purview_with_at_most_three_calls(stack):
    stack.cycle()
    stack.activity("activity/stream/update", {"id": stack.stream_id("Account Golden Records"), "name": "Golden"})
    stack.purview.app.stats.reset()
    report, _ = stack.cycle()
    assert report.planned == {"update": 1}
    stats = stack.purview.app.stats.snapshot()
    assert stats["total"] <= 3, stats["operations"]
    assert "Golden" in stack.by_name("cluedin_stream_process")


def plant_condition(stack: StreamsStack, stream_id: str, condition: object) -> None:
    """Store a condition CluedIn's own API would no longer accept (one saved by an older version, say): the
    emulator evaluates every tree its API accepts, so the snapshot admin route is the way to plant one."""
    url = f"{stack.cluedin.url}/_emulator/state"
    state = requests.get(url, timeout=30).json()
    for stream in state["collections"]["streams"]:
        if stream["id"] == stream_id:
            stream["condition"] = condition
    requests.put(url, json=state, timeout=30).raise_for_status()


def test_a_condition_cluedin_cannot_evaluate_is_synced_with_what_is_known_and_reported(stack):
    broken = stack.activity("activity/stream", {"name": "Broken", "entityType": "/Account"})["id"]
    by_name = {"field": "EntityType", "operator": "Equals", "type": "string", "value": ["/Account"]}  # not a GUID
    plant_condition(stack, broken, {"condition": "AND", "rules": [by_name]})
    report, _ = stack.cycle()
    assert report.status == "completed" and report.errors == []
    assert any(e.startswith("Stream 'Broken': its condition could not be evaluated") for e in report.events)
    process = stack.by_name("cluedin_stream_process")["Broken"]
    assert process["attributes"]["inputs"] == [] and process["attributes"]["entityTypes"] == ""
    assert "Account Golden Records" in stack.by_name("cluedin_stream_process")  # the others are unaffected
    assert stack.poison(STREAMS_QUEUE) == []
    again, _ = stack.cycle()  # not previewed again until the stream or the data changes: no loop
    assert again.planned == {} and again.events == []


def test_a_target_that_hides_its_account_is_named_by_its_connector(stack):
    golden = stack.target_id("sql.Golden")
    stack.activity("activity/export-target/update", {"id": golden, "accountDisplay": ""})
    report, _ = stack.cycle()
    name = f"Sql Server Connector ({golden[:8]})"
    assert f"Export target {golden} shows no account; named '{name}'" in report.events
    assert name in stack.by_name("cluedin_connector_entity")
    assert stack.by_name("cluedin_stream_process")["Account Golden Records"]["attributes"]["exportTarget"] == name


def test_previews_read_at_most_the_configured_sample(stack):
    stack.activity("activity/stream", {"name": "Everything", "condition": {"condition": "OR", "rules": []}})
    stack.reset_counters()
    report, _ = stack.cycle(SYNC_STREAMS_PREVIEW_CONDITION_SAMPLE_SIZE="1")
    assert report.status == "completed"
    assert stack.operations("search") == 2  # one preview per stream, each one page of at most one record
    everything = stack.by_name("cluedin_stream_process")["Everything"]
    assert len(everything["attributes"]["inputs"]) == 1  # three golden records of two types, one sampled
    stack.reset_counters()
    stack.cycle()
    assert stack.operations("search") == 0  # nothing changed: no preview


def test_a_stream_keeps_its_entity_node_when_data_set_lineage_lets_go(stack):
    report, _ = stack.cycle("lineage")
    assert report.ok, report.errors
    stack.cycle()
    holders = stack.state.get_object("shared", f"cluedin_entity|{names.entity_name(ORG, '/Account')}").data["holders"]
    assert set(holders) == {"lineage", "streams"}
    entity = stack.by_name("cluedin_entity")["/Account"]
    assert stack.column_names(entity) == ["account.email", "account.id", "account.name"]

    stack.activity("activity/data-source/remove", {"id": stack.data_source_id("Account.csv")})
    report, _ = stack.cycle("lineage")
    assert report.planned.get("delete", 0) >= 1
    entity = stack.by_name("cluedin_entity")["/Account"]  # still there: the stream uses it
    assert stack.column_names(entity) == ["account.email", "account.name"]  # lineage's own column went
    process = stack.by_name("cluedin_stream_process")["Account Golden Records"]
    assert stack.qualified_names(process["attributes"]["inputs"]) == [entity["attributes"]["qualifiedName"]]

    stack.activity("activity/stream/remove", {"id": stack.stream_id("Account Golden Records")})
    stack.cycle()
    assert "/Account" not in stack.by_name("cluedin_entity")
    assert stack.state.get_object("shared", f"cluedin_entity|{names.entity_name(ORG, '/Account')}") is None


def test_removed_streams_and_targets_stay_under_the_retain_policy(stack):
    stack.cycle()
    stack.activity("activity/stream/remove", {"id": stack.stream_id("Account Golden Records")})
    report, _ = stack.cycle(SYNC_DELETE_POLICY="retain")
    assert report.orphaned == 2  # the stream and its hold on /Account
    assert "Account Golden Records" in stack.by_name("cluedin_stream_process")
    assert "/Account" in stack.by_name("cluedin_entity")
    again, _ = stack.cycle(SYNC_DELETE_POLICY="retain")
    assert again.planned == {} and again.orphaned == 0


def test_a_first_cycle_remembers_the_overlap_it_already_reflected(stack):
    """The seed's audit entries lie inside the next window's overlap: remembered as seen, they are no news."""
    stack.cycle()
    cursor, _ = stack.state.get_cursor("change-feed", f"cluedin|{stack.cluedin.url}|{ORG}")
    seen = set(cursor["subscribers"]["streams"]["seen"])
    audit = {e["id"] for e in stack.cluedin.services.store.audit_log if e["objectType"] == "Stream"}
    assert audit and audit <= seen
    stack.reset_counters()
    report, _ = stack.cycle()
    assert report.events == [] and stack.operations("graphql:search") == 0


def test_a_preview_pages_with_the_cursor_and_stops_at_its_size(stack):
    """Three golden records of two types; pages of one record, at most two records: two searches, both types."""
    everything = json.dumps({"condition": "OR", "rules": []})
    sample = sample_condition(stack.cluedin_client(), everything, 2, ["account.name"], page_size=1)
    assert (sample.calls, sample.records) == (2, 2)
    whole = sample_condition(stack.cluedin_client(), everything, 10, ["account.name", "contact.email"], page_size=2)
    assert whole.records == 3 and whole.entity_types == {"/Account": ["account.name"], "/Contact": ["contact.email"]}


def test_every_message_may_arrive_twice(stack):
    ctx = stack.context()
    stack.plan("streams", ctx)
    outcomes = stack.drain(STREAMS_QUEUE, ctx, twice=True)
    assert [o.result for o in outcomes].count("applied") == 3 and {o.result for o in outcomes} == {"applied", "skipped"}
    stack.activity("activity/stream/remove", {"id": stack.stream_id("Account Golden Records")})
    stack.plan("streams", ctx)
    outcomes = stack.drain(STREAMS_QUEUE, ctx, twice=True)
    skipped = sorted(o.detail for o in outcomes if o.result == "skipped")  # the target lost its columns; 2 removals
    assert skipped == ["already applied", "already removed", "already removed"]
    assert stack.by_name("cluedin_stream_process") == {} and stack.poison(STREAMS_QUEUE) == []


def test_state_rows_name_the_guids_purview_assigned(stack):
    """A stream's row names its process, an export target's its connector and columns, an entity hold only the org."""
    stack.cycle()
    rows = {row.key: row for row in stack.context().state.iter_objects("streams")}
    process = stack.by_name("cluedin_stream_process")["Account Golden Records"]
    target = stack.by_name("cluedin_connector_entity")["sql.Golden"]
    columns = stack.entities(COLUMN_TYPE.name)
    qualified_name = target["attributes"]["qualifiedName"]
    column_guids = {c: columns[names.column_name(qualified_name, c)]["guid"] for c in ("account.name", "account.email")}

    stream_row = rows[f"stream|{stack.stream_id('Account Golden Records')}"]
    assert stream_row.target == {"org": ORG, "guid": process["guid"], "columns": {}}
    assert stream_row.data == {"name": "Account Golden Records"}
    target_row = rows[f"target|{stack.target_id('sql.Golden')}"]
    assert target_row.target == {"org": ORG, "guid": target["guid"], "columns": column_guids}
    assert rows["entity|/Account"].target == {"org": ORG} and rows["entity|/Account"].data == {"name": "/Account"}


def test_the_stream_lineage_reads_back_through_pyapacheatlas(stack):
    report, _ = stack.cycle()
    assert report.status == "completed", report.errors
    entity = stack.by_name("cluedin_entity")["/Account"]
    downstream = lineage_downstream(stack.purview, entity["guid"])
    assert {
        ("cluedin_stream_process", "Account Golden Records"),
        ("cluedin_connector_entity", "sql.Golden"),
    } <= downstream
