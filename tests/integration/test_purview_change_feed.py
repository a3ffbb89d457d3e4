"""The Purview change feed end to end on Azurite and the emulators: notifications → targeted plans → CluedIn.

Purview's notifications come from the Purview emulator's journal (what Purview would publish on its notification
hub), delivered as Event Hub batches (tests/support/feed.py). Plans go through the same appliers as the timers'.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from devhost.registry import collect_functions
from function_app import app
from sync.core.errors import RetriableError
from sync.core.messages import Queues
from sync.core.report import RunReport, find_report
from sync.features.purview_feed import intake
from sync.features.purview_feed.intake import BatchOutcome, ChangeFeedPlanningError, receive_events
from sync.features.purview_feed.parts import PARTS_KIND
from sync.features.registry import all_features
from tests.support.adf import AdfStack, adf_stack_of
from tests.support.feed import ON, FeedStack
from tests.support.stack import GLOSSARY, SYNC_TERM, build_stack

FEED = "purview-change-feed"


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator) -> FeedStack:
    built = build_stack(azurite, purview, fresh_cluedin_emulator, stack_type=FeedStack)
    assert isinstance(built, FeedStack)
    built.skip_published()
    return built


def datasources(outcome: BatchOutcome) -> RunReport:
    [report] = [r for r in outcome.reports if r.feature == "datasources"]
    return report


def test_a_tagged_asset_is_planned_from_its_notifications_alone(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    stack.add_file("Orders.csv", ["Id", "Total"], terms=[SYNC_TERM])
    stack.add_file("Untagged.csv", terms=["Finance"])
    stack.reset_counters()

    outcome = stack.deliver()

    report = datasources(outcome)
    assert report.trigger == FEED and report.status == "enqueued"
    assert report.planned == {"create": 1} and report.source_objects == 1
    assert len(report.targets) == 2  # the two files; schemas, columns and the term are not assets
    operations = stack.purview.app.stats.snapshot()["operations"]
    assert "Discovery_Query" not in operations  # read by guid, never searched
    stack.drain(Queues.CLUEDIN)
    folded = find_report(stack.state.runs, report.run_id)
    assert folded is not None and folded.status == "completed" and folded.trigger == FEED
    assert set(stack.cluedin_groups()) == {"Orders.csv"}
    assert "ChangeFeedBatch" in caplog.text and "datasources enqueued (1 planned)" in caplog.text


def test_what_the_feed_planned_the_next_full_cycle_finds_unchanged(stack):
    stack.add_file("Orders.csv", terms=[SYNC_TERM])
    stack.add_table("Customers", terms=[SYNC_TERM])
    stack.deliver()
    stack.drain(Queues.CLUEDIN)

    report, outcomes = stack.cycle("datasources")

    assert report.planned == {} and report.unchanged == 2 and outcomes == []


def test_targeted_plans_equal_the_full_plan_for_the_same_assets(stack):
    synced = stack.add_file("Synced.csv", terms=[SYNC_TERM])
    stack.cycle("datasources")
    stack.add_file("New.csv", terms=[SYNC_TERM])
    stack.add_table("Lines", terms=[SYNC_TERM])
    stack.unassign(synced["guid"], SYNC_TERM)
    dry = {"SYNC_DRY_RUN": "true", "SYNC_DELETE_FAILSAFE_PERCENT": "100"}

    full = stack.plan("datasources", **dry)
    targeted = datasources(stack.deliver(**dry))

    assert targeted.status == full.status == "dry-run"
    assert targeted.planned == full.planned == {"create": 2}
    assert targeted.orphaned == full.orphaned == 1  # F1 never deletes in CluedIn: removal marks the row orphaned
    assert sorted(targeted.changes) == sorted(full.changes)
    assert stack.queued(Queues.CLUEDIN) == []


def test_search_lag_does_not_hide_a_notified_asset(stack):
    stack.purview.set_faults(extra={"search_lag_seconds": 600})
    stack.add_file("Fresh.csv", terms=[SYNC_TERM])

    assert stack.plan("datasources").planned == {}  # search has not indexed it yet
    assert datasources(stack.deliver()).planned == {"create": 1}


def test_an_untagged_asset_is_orphaned_through_the_fail_safe_allowance(stack):
    files = [stack.add_file(f"F{i}.csv", terms=[SYNC_TERM]) for i in range(10)]
    stack.cycle("datasources")
    stack.skip_published()
    stack.unassign(files[0]["guid"], SYNC_TERM)

    first = datasources(stack.deliver())

    assert first.planned == {} and first.orphaned == 1 and not first.deletes_refused
    row = stack.state.get_object("datasource", f"azure_datalake_gen2_path|{files[0]['qualifiedName']}")
    assert row is not None and row.status == "orphaned"
    # 20 % of 10 owned: two deletions per hour through the feed; the third batch is left to the full cycle.
    stack.unassign(files[1]["guid"], SYNC_TERM)
    assert not datasources(stack.deliver()).deletes_refused
    stack.unassign(files[2]["guid"], SYNC_TERM)
    third = datasources(stack.deliver())
    assert third.deletes_refused and "2 already deleted by the change feed" in third.deletes_refused_reason
    row = stack.state.get_object("datasource", f"azure_datalake_gen2_path|{files[2]['qualifiedName']}")
    assert row is not None and row.active


def test_a_deleted_asset_is_noticed_and_never_deleted_in_cluedin(stack):
    kept = [stack.add_file(f"K{i}.csv", terms=[SYNC_TERM]) for i in range(4)]
    stack.cycle("datasources")
    groups = set(stack.cluedin_groups())
    stack.skip_published()
    stack.purview_client().delete_entities([kept[0]["guid"]])

    report = datasources(stack.deliver())

    assert report.planned == {} and report.orphaned == 1
    assert set(stack.cluedin_groups()) == groups


def test_split_notifications_wait_for_their_last_part_across_batches(stack):
    stack.purview.set_notification_max_bytes(120)
    stack.add_table("Customers", terms=[SYNC_TERM])
    bodies = stack.published()
    assert len(bodies) > 2

    first = stack.deliver(bodies[:-1])
    assert first.waiting_parts == 1
    last = stack.deliver(bodies[-1:])

    assert last.waiting_parts == 0 and datasources(last).planned == {"create": 1}
    assert list(stack.state.iter_objects(PARTS_KIND)) == []


def test_gzip_notifications_are_planned(stack):
    stack.purview.set_notification_max_bytes(200)
    stack.add_table("Customers", terms=[SYNC_TERM])
    bodies = stack.published()
    assert all('"msgCompressionKind":"GZIP"' in body for body in bodies)

    assert datasources(stack.deliver(bodies)).planned == {"create": 1}


def test_a_split_message_missing_parts_is_dead_lettered_after_atlas_wait(stack):
    stack.purview.set_notification_max_bytes(120)
    stack.add_table("Customers", terms=[SYNC_TERM])
    stack.deliver(stack.published()[:1])
    later = datetime.now(UTC) + timedelta(minutes=16)
    stack.add_table("Other", terms=["Finance"])
    ctx = stack.context(**ON)
    outcome = receive_events(stack.events(stack.published()[:1]), ctx, all_features(), now=later)

    assert outcome.dead_letters >= 1
    reasons = [letter["reason"] for letter in stack.dead_letters()]
    assert any("still lacks parts after 15 minutes" in reason for reason in reasons)


def test_unreadable_events_are_dead_lettered_once_and_the_rest_is_planned(stack):
    stack.add_table("Customers", terms=[SYNC_TERM])
    good = stack.published()
    huge = '{"not": "a notification", "padding": "' + "x" * 60_000 + '"}'

    outcome = stack.deliver([b"\xff not utf-8", "{broken", huge, *good])

    assert outcome.dead_letters == 3 and datasources(outcome).planned == {"create": 1}
    letters = stack.dead_letters()
    assert [letter["event"]["sequenceNumber"] for letter in letters] == [1, 2, 3]
    assert letters[0]["bodyEncoding"] == "base64" and "not UTF-8" in letters[0]["reason"]
    assert letters[1]["body"] == "{broken" and "not JSON" in letters[1]["reason"]
    stored = letters[2]["bodyStoredAs"]
    assert stored["characters"] == len(huge) and "body" not in letters[2]
    assert len(list(stack.state.iter_objects(stored["kind"]))) == 1


def test_a_batch_that_cannot_be_planned_is_dead_lettered_and_fails_the_invocation(stack):
    stack.add_table("Customers", terms=[SYNC_TERM])
    stack.purview.set_faults(error_rate=1.0, error_status=503, path_pattern="/entity/bulk")

    with pytest.raises(ChangeFeedPlanningError, match="datasources failed"):
        stack.deliver()

    [letter] = stack.dead_letters()
    assert letter["reason"].startswith("could not plan: datasources failed")
    assert letter["entryCount"] >= 1 and any(e["typeName"] == "azure_sql_table" for e in letter["entries"])
    [report] = stack.state.runs.newest("datasources", limit=1)
    assert report["trigger"] == FEED and report["status"] == "failed"


def test_dry_run_reports_and_writes_nothing(stack):
    stack.add_table("Customers", terms=[SYNC_TERM])
    stack.reset_counters()

    report = datasources(stack.deliver(SYNC_DRY_RUN="true"))

    assert report.status == "dry-run" and report.planned == {"create": 1}
    assert stack.cluedin_writes() == 0 and stack.purview_writes() == 0
    assert stack.queued(Queues.CLUEDIN) == []
    assert list(stack.state.iter_objects("datasource")) == []


def test_with_the_feed_off_events_are_dropped(stack):
    stack.add_table("Customers", terms=[SYNC_TERM])

    outcome = stack.deliver(PURVIEW_CHANGE_FEED_ENABLED="false")

    assert outcome.ignored and outcome.reports == [] and stack.dead_letters() == []


def test_the_function_runs_host_less_with_event_hub_events(stack, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    [function] = [f for f in collect_functions(app) if f.get_function_name() == "purview_change_feed"]
    [binding] = json.loads(function.get_function_json())["bindings"]  # what the host reads
    assert binding["type"] == "eventHubTrigger" and binding["cardinality"] == "MANY"
    assert binding["dataType"] == "BINARY"
    assert binding["consumerGroup"] == "%PURVIEW_CHANGE_FEED_CONSUMER_GROUP%"
    assert binding["eventHubName"] == "%PURVIEW_CHANGE_FEED_HUB%" and binding["connection"] == "PURVIEW_CHANGE_FEED"
    for name, value in {**stack.environment, **ON}.items():
        monkeypatch.setenv(name, value)
    stack.add_table("Customers", terms=[SYNC_TERM])

    function.get_user_function()(stack.function_events(stack.published()))

    assert "[ChangeFeedBatch" in caplog.text
    stack.drain(Queues.CLUEDIN)
    assert set(stack.cluedin_groups()) == {"Customers"}


class AdfFeedStack(AdfStack, FeedStack):
    """Data Factory helpers and the notification hub."""


def test_pipeline_automation_follows_the_feed_and_removes_under_soft_delete(
    azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator
):
    stack = adf_stack_of(AdfFeedStack, azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)
    assert isinstance(stack, AdfFeedStack)
    stack.skip_published()
    identity = stack.add_asset("Account.csv")

    outcome = stack.deliver()

    [report] = [r for r in outcome.reports if r.feature == "pipelines"]
    assert report.trigger == FEED and report.planned == {"create": 1}
    stack.drain(Queues.DATA_FACTORY)
    assert len(stack.factory_entities("pipelines")) == 1
    stack.unassign(identity["guid"], "CluedInADF")
    removed = stack.deliver(SYNC_DELETE_POLICY="soft-delete", SYNC_DELETE_FAILSAFE_PERCENT="100")
    [report] = [r for r in removed.reports if r.feature == "pipelines"]
    assert report.planned == {"delete": 1}
    stack.drain(Queues.DATA_FACTORY, stack.context(SYNC_DELETE_POLICY="soft-delete"))
    assert stack.factory_entities("pipelines") == {}


def test_keywords_naming_their_glossary_are_matched_through_the_glossary(stack):
    stack.add_table("Customers", terms=[SYNC_TERM])
    bodies = stack.published()

    right = datasources(stack.deliver(bodies, SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS=f"{SYNC_TERM}@{GLOSSARY}"))
    wrong = datasources(stack.deliver(bodies, SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS=f"{SYNC_TERM}@Other Glossary"))

    assert right.planned == {"create": 1} and wrong.planned == {}


def test_split_parts_that_cannot_be_kept_are_dead_lettered(stack, monkeypatch):
    def unavailable(*args: object) -> None:
        raise RetriableError("state storage unavailable")

    monkeypatch.setattr(intake, "keep_parts", unavailable)  # Azurite cannot be made to fail one call on demand
    stack.purview.set_notification_max_bytes(120)
    stack.add_table("Customers", terms=[SYNC_TERM])
    bodies = stack.published()

    outcome = stack.deliver(bodies)

    assert outcome.dead_letters == len(bodies)
    assert all("could not keep a split message part" in letter["reason"] for letter in stack.dead_letters())
