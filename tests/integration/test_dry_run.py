"""Dry-run and plan-only runs write nothing anywhere — proved by counting writes on every service, not by reading code.

Every feature is turned on against fresh emulators and Azurite, and planned in dry-run the way its timer plans it:
Purview, CluedIn and Data Factory must serve no write, no state row or cursor may change, and no message may be
queued. Then once more on an estate with changes waiting in CluedIn: the dry run must not swallow them, and the
next real cycle must still report them.
"""

from __future__ import annotations

from typing import Any

import pytest

from sync.core.engine import run_tick
from sync.core.messages import Queues
from sync.features.purview_feed.intake import receive_events
from sync.features.purview_feed.letters import ReceivedEvent
from sync.features.registry import all_features, by_schedule
from sync.services.purview.collections import forget_resolutions
from sync.services.purview.typedefs import forget_registrations
from tests.support.adf import AUTOMATION_TERM, SECRET_NAME
from tests.support.dataproducts import MASTER_TERM, ProductStack
from tests.support.glossary import CREATE_KEY, CREATE_VOCABULARY, TEMPLATE, template_seed
from tests.support.lineage import ORG, account_set, group, seed_document
from tests.support.pipeline import TOGGLES, VOCABULARY, PipelineStack
from tests.support.stack import SYNC_TERM, build_stack, purview_seed

ROOT = "purview-emulator"
GLOSSARY_FEATURES = ("vocabularies_to_glossary", "glossary_to_vocabularies", "glossary_to_cluedin_glossary")
CONSUMERS = {
    "exportTargets": [{"connector": "Sql Server Connector", "accountDisplay": "sql.Golden"}],
    "streams": [{"name": "Accounts", "entityType": "/Account", "exportTarget": "sql.Golden",
                 "properties": ["account.name"], "active": True}],
    "providers": [{"kind": "Enricher", "providerId": "Web Enricher", "name": "Web", "entityType": "/Account",
                   "properties": {"account.website": "https://{name}.example"}}],
}  # fmt: skip
"""A stream to an export target and an enricher: work for stream and crawler/enricher lineage to plan."""


def estate_seed() -> dict[str, Any]:
    """The terms the asset features need, plus a term the glossary features import (CluedInVocab, a child)."""
    seed = template_seed(*purview_seed((AUTOMATION_TERM, SYNC_TERM))["glossaries"])
    seed["glossaries"][0]["terms"] += [
        {"name": "Contact", "attributes": {TEMPLATE: {"CluedInVocab": True}}},
        {"name": "Email", "parentTerm": {"name": "Contact"}},
    ]
    return seed


class EveryFeature(ProductStack, PipelineStack):  # type: ignore[misc]  # AdfStack's add_asset (a copyable file) wins
    """The stack with every helper: files the factory can copy, CluedIn data sets, lineage entities, the catalog,
    a signed-in CluedIn user."""


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator) -> EveryFeature:
    forget_registrations()
    forget_resolutions()
    built = build_stack(
        azurite,
        purview,
        fresh_cluedin_emulator,
        adf=fresh_datafactory_emulator,
        org=ORG,
        seed=estate_seed(),
        stack_type=EveryFeature,
        POLL_CLUEDIN_DATA_SOURCES="true",
        PURVIEW_COLLECTION_NAME=f"{ROOT}/CluedIn",
        DATA_FACTORY_KEY_VAULT_URL="https://demo-kv.vault.azure.net/",
        DATA_FACTORY_CLUEDIN_TOKEN_SECRET_NAME=SECRET_NAME,
        DATA_FACTORY_PIPELINE_AUTOMATION="true",
        PIPELINE_AUTOMATION_TERM_PATTERN="^CluedIn.*ADF$",
        DATA_FACTORY_CREATE_RUN_SCHEDULE="true",
        DATA_FACTORY_RUN_SCHEDULE_VALUE="Daily:Hours=[6]",
        SYNC_DELETE_POLICY="soft-delete",
        SYNC_CLUEDIN_VOCABULARIES_TO_PURVIEW_GLOSSARIES="true",
        SYNC_PURVIEW_GLOSSARIES_TO_CLUEDIN_VOCABULARIES="true",
        SYNC_PURVIEW_GLOSSARIES_TO_CLUEDIN_GLOSSARIES="true",
        SYNC_DATA_PRODUCTS_DATASOURCES="true",
        SYNC_DATA_PRODUCTS_TERM_PATTERN=MASTER_TERM,
        APPEND_ASSET_TO_DATA_PRODUCT="true",
        AUTO_MAP_CLUEDIN_DATA_SETS="true",
        SYNC_CLUEDIN_STREAMS="true",
        SYNC_CLUEDIN_CRAWLERS_AND_ENRICHERS="true",
        **TOGGLES,
    )
    assert isinstance(built, EveryFeature)
    document = seed_document([group("Orders", [account_set("Orders.csv")])])
    document |= {
        "vocabularies": [VOCABULARY],
        "rules": [{"name": "Account Data Part Rule", "scope": "DataPart"}],
        "cleanProjects": [{"name": "Account Clean Project", "entityType": "/Account"}],
        "dedupProjects": [{"name": "Account Deduplication Project", "entityTypes": ["/Account"]}],
        "manualDataEntryProjects": [
            {"title": "Account MDE", "entityType": "/Account", "vocabulary": "account",
             "fields": [{"key": "account.id", "label": "Id"}]}
        ],
    }  # fmt: skip
    document |= CONSUMERS
    fresh_cluedin_emulator.seed(document)
    fresh_datafactory_emulator.set_secret(SECRET_NAME, f"Bearer {fresh_cluedin_emulator.api_token('dry-run')}")
    built.blob_service.create_container(built.container)
    built.add_asset("Account.csv", terms=(AUTOMATION_TERM, SYNC_TERM))
    domain = built.domain()
    customers = built.add_asset("Customers.csv", terms=())
    built.product("Customer Master", domain, terms=[built.term(MASTER_TERM, domain)], assets=[customers])
    return built


def state_rows(stack: EveryFeature) -> list[tuple[str, str, str, str]]:
    """Every object and cursor row with its ETag (run reports are allowed to change: they are the plan)."""
    rows = []
    for table in (stack.state.objects, stack.state.cursors):
        for entity in table.list_entities():
            rows.append((table.table_name, entity["PartitionKey"], entity["RowKey"], str(entity.metadata["etag"])))
    return sorted(rows)


def observed(stack: EveryFeature) -> dict[str, Any]:
    """Everything a dry run must leave as it is."""
    return {
        "purview writes": stack.purview_writes(),
        "cluedin writes": stack.cluedin_writes(),
        "factory writes": stack.factory_writes(),
        "state": state_rows(stack),
        "queued": {q.value: stack.queued(q.value) for q in Queues},
    }


def dry_run_every_feature(stack: EveryFeature) -> dict[str, Any]:
    """Plan every feature in dry-run, tick by tick as the timers do; returns each feature's report."""
    reports = {}
    for features in by_schedule().values():
        for report in run_tick(features, stack.context(SYNC_DRY_RUN=True)):
            reports[report.feature] = report
    return reports


PIPELINE_FEATURES = ("processing_rules", "clean_projects", "deduplications", "manual_data_entry")


def real_cycles(stack: EveryFeature) -> None:
    """Real cycles until the estate is settled (the pipeline's ingestion endpoint is a data set lineage shows)."""
    for feature in (
        "datasources",
        "dataproducts",
        "pipelines",
        "pipeline_schedules",
        "lineage",
        "automap",
        "polling",
        "streams",
        "providers",
        *GLOSSARY_FEATURES,
        *PIPELINE_FEATURES,
    ):
        report, _ = stack.cycle(feature)
        assert report.ok, (feature, report.errors)


def test_a_dry_run_on_a_fresh_account_writes_nothing_anywhere(stack):
    before = observed(stack)
    reports = dry_run_every_feature(stack)
    assert set(reports) == {
        "datasources",
        "dataproducts",
        "lineage",
        "automap",
        "polling",
        "pipelines",
        "pipeline_schedules",
        *GLOSSARY_FEATURES,
        *PIPELINE_FEATURES,
        "streams",
        "providers",
    }
    assert {r.status for r in reports.values()} == {"dry-run"}, {f: r.errors for f, r in reports.items()}
    assert observed(stack) == before
    lineage = reports["lineage"]
    assert lineage.setup[0].startswith("register the Purview types")  # planned, shown, not done
    assert lineage.setup[1] == f"create the Purview collection(s) CluedIn (PURVIEW_COLLECTION_NAME='{ROOT}/CluedIn')"
    assert lineage.changes[:2] == lineage.setup
    assert lineage.planned == {"create": 3}  # the data set, its entity type and the processing pipeline
    assert reports["datasources"].planned == {"create": 1}
    assert reports["dataproducts"].planned == {"create": 1}
    assert reports["pipelines"].planned == {"create": 1}  # the product's asset waits for its data source
    assert reports["processing_rules"].planned == {"create": 3}  # the rule, its scope's asset, the backbone hold
    assert reports["clean_projects"].planned == {"create": 3}  # the project, "Clean Projects", the backbone hold
    assert reports["deduplications"].planned == {"create": 2}  # the project, the backbone hold
    assert reports["manual_data_entry"].planned == {"create": 3}  # the project, its entity type, the backbone
    assert reports["streams"].planned == {"create": 3}  # the stream, its export target, its hold on /Account
    assert reports["providers"].planned == {"create": 3}  # the enricher, its Enrich process, its hold on /Account
    assert stack.purview_client().get_typedef("cluedin_dataset") is None
    vocabularies = reports["vocabularies_to_glossary"]  # the seeded account vocabulary with its 5 keys
    assert vocabularies.setup[-1] == "create the root glossary term 'CluedIn-acme'"
    assert vocabularies.planned == {"create": 1} and vocabularies.changes[-1].endswith("(+5 more terms)")
    assert reports["glossary_to_vocabularies"].planned == {"create": 2}  # Contact and its key Email
    assert reports["glossary_to_cluedin_glossary"].setup == ["create the CluedIn glossary category 'Business Glossary'"]
    assert reports["glossary_to_cluedin_glossary"].planned == {"create": 4}


def test_a_dry_run_does_not_swallow_changes_waiting_in_cluedin(stack):
    real_cycles(stack)
    stack.activity(
        "activity/data-set",
        {
            "group": "Orders",
            "dataSource": "Orders",
            "dataSet": "Orders-2026.csv",
            "mapping": {"entityType": "/Account", "vocabulary": "account", "fields": {"Id": "account.id"}},
            "records": [{"Id": "9"}],
        },
    )
    vocabulary = stack.cluedin_graphql(CREATE_VOCABULARY, {"vocabulary": {"vocabularyName": "Order"}})
    vocabulary_id = vocabulary["management"]["createVocabulary"]["vocabularyId"]
    stack.cluedin_graphql(CREATE_KEY, {"vocabularyKey": {"vocabularyId": vocabulary_id, "name": "number"}})
    user = stack.user()
    user.create_rule("Account Survivorship Rule", "Survivorship", entity_type="/Account")
    user.create_clean_project("Website clean-up", entity_type="/Account", keys=["account.website"])
    stack.activity("activity/stream/reprocess", {"id": stream_id(stack, "Accounts")})
    crawler = {"kind": "Crawler", "providerId": "SharePoint", "name": "SharePoint", "entityType": "/Document"}
    stack.activity("activity/provider", {**crawler, "records": [{"id": "D1", "doc.title": "Q3"}]})
    before = observed(stack)
    first = dry_run_every_feature(stack)
    second = dry_run_every_feature(stack)  # nothing consumed: the same plan again
    assert observed(stack) == before
    terms = first["vocabularies_to_glossary"]
    # the Order vocabulary, and the crawler's `doc` vocabulary (its records' `doc.title` key)
    assert terms.planned == second["vocabularies_to_glossary"].planned == {"create": 2}, terms.changes
    expected = {
        "processing_rules": {"create": 2},  # the rule and the Survivorship Rules asset
        "clean_projects": {"create": 1, "update": 1},  # the project; "Clean Projects" gains a column
    }
    for feature, planned in expected.items():
        assert first[feature].planned == second[feature].planned == planned, first[feature].changes
        assert first[feature].events == second[feature].events and len(first[feature].events) == 1
    for feature, planned in expected.items():
        report, _ = stack.cycle(feature)
        assert report.planned == planned and report.status == "completed"
        assert len(report.notifications) == 1, report.notifications
    assert first["lineage"].planned == second["lineage"].planned == {"create": 1}, first["lineage"].changes
    assert first["lineage"].events == second["lineage"].events == ["Data set 'Orders-2026.csv' added in CluedIn"]
    report, _ = stack.cycle("lineage")
    assert report.events == ["Data set 'Orders-2026.csv' added in CluedIn"]
    assert report.planned == {"create": 1} and report.status == "completed"
    assert "Data Set 'Orders-2026.csv' synced to Purview" in [n.text for n in report.notifications]
    again, _ = stack.cycle("lineage")
    assert again.events == [] and again.planned == {}
    for feature, event in (("streams", "Stream 'Accounts' reprocessed in CluedIn"),
                           ("providers", "Crawler 'SharePoint' added in CluedIn")):  # fmt: skip
        assert event in first[feature].events and event in second[feature].events
        report, _ = stack.cycle(feature)
        assert event in report.events and report.status == "completed", report.errors
        assert stack.cycle(feature)[0].planned == {}


def test_a_dry_run_plans_auto_mapping_and_maps_nothing(stack):
    real_cycles(stack)
    stack.f6_vocabulary(AUTOMATION_TERM, {})
    body = {"group": "Account.csv", "dataSource": "Account.csv", "dataSet": "accounts-2026", "records": [{"Id": "1"}]}
    stack.activity("activity/data-set", {**body, "process": False})
    assert stack.cycle("lineage")[0].ok  # lineage's view of CluedIn is what auto-mapping plans from
    before = observed(stack)
    reports = dry_run_every_feature(stack)
    assert reports["automap"].planned == {"create": 1}, reports["automap"].errors
    assert observed(stack) == before


def stream_id(stack: EveryFeature, name: str) -> str:
    return str(next(s["id"] for s in stack.cluedin.services.store.streams.values() if s["name"] == name))


def test_a_dry_run_of_the_purview_change_feed_writes_nothing_anywhere(stack):
    bodies = stack.purview.notifications()  # what Purview published when the fixture's asset was created and tagged
    ctx = stack.context(SYNC_DRY_RUN=True, PURVIEW_CHANGE_FEED_ENABLED=True)
    events = [ReceivedEvent(body.encode(), sequence_number=n) for n, body in enumerate(bodies, start=1)]
    before = observed(stack)
    outcome = receive_events(events, ctx, [f for f in all_features() if f.enabled(ctx.settings)])
    assert observed(stack) == before
    reports = {r.feature: r for r in outcome.reports}
    assert set(reports) == {"datasources", "pipelines"}
    assert {r.status for r in reports.values()} == {"dry-run"}, {f: r.errors for f, r in reports.items()}
    assert {r.trigger for r in reports.values()} == {"purview-change-feed"}
    assert reports["datasources"].planned == reports["pipelines"].planned == {"create": 1}
