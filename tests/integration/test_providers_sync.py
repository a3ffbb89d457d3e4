"""F9 against Azurite and the emulators: crawlers and enrichers → lineage in Purview, from golden-record history."""

from __future__ import annotations

import logging

import pytest

from sync.reporting.lineage_html import write_lineage_html
from sync.services.purview import qualified_names as names
from sync.services.purview.collections import collection_id_for
from tests.support.lineage import ORG
from tests.support.streams import PROVIDERS, STREAMS, StreamsStack, estate, mapping_pairs, streams_stack
from tests.support.witnesses import lineage_downstream


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator) -> StreamsStack:
    built = streams_stack(azurite, purview, fresh_cluedin_emulator)
    fresh_cluedin_emulator.seed(estate(**PROVIDERS))
    return built


def test_crawlers_and_enrichers_become_providers_with_crawl_and_enrich_processes(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    report, _ = stack.cycle("providers")
    assert report.status == "completed", report.errors
    providers = stack.by_name("cluedin_organization_provider")
    assert set(providers) == {"OrgWebEnricher", "hubspot @ acme"}
    assert stack.column_names(providers["OrgWebEnricher"]) == ["account.website"]
    [enrich] = stack.entities("cluedin_enrich_process").values()
    assert enrich["attributes"]["name"] == "Enrich"
    assert stack.qualified_names(enrich["attributes"]["outputs"]) == [names.entity_name(ORG, "/Account")]
    assert mapping_pairs(enrich) == {
        providers["OrgWebEnricher"]["attributes"]["qualifiedName"]: [("account.website", "account.website")]
    }
    [crawl] = stack.entities("cluedin_crawl_process").values()
    assert stack.qualified_names(crawl["attributes"]["outputs"]) == [names.entity_name(ORG, "/Lead")]
    assert stack.column_names(stack.by_name("cluedin_entity")["/Lead"]) == ["lead.country"]
    texts = [n.text for n in report.notifications]
    assert "Enricher 'OrgWebEnricher' synced to Purview" in texts

    before = stack.operations("entityhistory")
    again, _ = stack.cycle("providers")
    assert again.planned == {} and again.events == []
    assert stack.operations("entityhistory") == before  # a quiet cycle reads no history


def test_adding_and_removing_an_enricher_reaches_purview_within_one_cycle(stack):
    stack.cycle("providers")
    stack.reset_counters()
    added = stack.activity("activity/provider", {"kind": "Enricher", "providerId": "Clearbit Enricher",
                                                 "name": "Clearbit", "entityType": "/Contact",
                                                 "properties": {"contact.company": "Contoso"}})  # fmt: skip
    report, _ = stack.cycle("providers")
    assert report.events == ["Enricher 'Clearbit' added in CluedIn"]
    assert "Enricher 'Clearbit' synced to Purview" in [n.text for n in report.notifications]
    assert stack.operations("entityhistory") == 1  # only the new enricher's record: the others come from the cache
    enrich = {e["attributes"]["entityType"]: e for e in stack.entities("cluedin_enrich_process").values()}
    assert set(enrich) == {"/Account", "/Contact"}
    assert stack.column_names(stack.by_name("cluedin_entity")["/Contact"]) == ["contact.company"]

    stack.activity("activity/provider/remove", {"id": added["id"]})
    report, _ = stack.cycle("providers")
    assert report.events == ["Enricher 'Clearbit' removed in CluedIn"]
    assert "Enricher 'Clearbit' removed from Purview" in [n.text for n in report.notifications]
    assert "Clearbit" not in stack.by_name("cluedin_organization_provider")
    assert {e["attributes"]["entityType"] for e in stack.entities("cluedin_enrich_process").values()} == {"/Account"}
    assert "/Contact" not in stack.by_name("cluedin_entity")  # nobody else holds it
    assert stack.purview.violations() == []


def test_a_provider_without_history_is_synced_and_reported(stack):
    stack.activity("activity/provider", {"kind": "Enricher", "providerId": "Google Maps Enricher", "name": "Maps",
                                         "entityType": "/Nowhere", "properties": {"geo.lat": "1"}})  # fmt: skip
    report, _ = stack.cycle("providers")
    assert report.status == "completed" and report.errors == []
    assert (
        "Enricher 'Maps': no contribution found in the history of the sampled golden records; "
        "synced without Crawl/Enrich processes"
    ) in report.events
    maps = stack.by_name("cluedin_organization_provider")["Maps"]
    assert stack.column_names(maps) == []
    assert stack.poison("purview-lineage") == []


def test_history_is_sampled_within_the_configured_sizes(stack):
    stack.reset_counters()
    report, _ = stack.cycle(
        "providers",
        SYNC_CLUEDIN_ORGANIZATION_PROVIDERS_QUERY_ENTITY_TYPE_SAMPLE_SIZE="1",
        SYNC_CLUEDIN_ORGANIZATION_PROVIDERS_QUERY_SAMPLE_SIZE_PER_ENTITY_TYPE="1",
    )
    assert report.status == "completed"
    assert stack.operations("entityhistory") <= 1 and stack.operations("graphql:search") <= 1
    assert any(e.startswith("3 entity types are in use; history was sampled for the first 1") for e in report.events)


def test_data_source_providers_are_left_to_data_set_lineage(stack):
    stack.cycle("providers")
    names_ = set(stack.by_name("cluedin_organization_provider"))
    assert names_ == {"OrgWebEnricher", "hubspot @ acme"}  # not the data sources Account.csv and Contacts.csv


def test_an_enricher_and_data_set_lineage_share_the_entity_node(stack):
    stack.cycle("lineage")
    stack.cycle("providers")
    shared = stack.state.get_object("shared", f"cluedin_entity|{names.entity_name(ORG, '/Account')}")
    assert shared is not None and set(shared.data["holders"]) == {"lineage", "providers"}
    account = stack.by_name("cluedin_entity")["/Account"]
    assert stack.column_names(account) == ["account.email", "account.id", "account.name", "account.website"]
    stack.activity("activity/provider/remove", {"id": stack.provider_id("OrgWebEnricher")})
    stack.cycle("providers")
    account = stack.by_name("cluedin_entity")["/Account"]
    assert stack.column_names(account) == ["account.email", "account.id", "account.name"]


def test_the_lineage_picture_shows_streams_targets_and_providers(stack, tmp_path):
    stack.cluedin.seed(estate(**PROVIDERS, **STREAMS))
    stack.cycle("providers")
    stack.cycle("streams")
    html = write_lineage_html(stack.purview_client(), tmp_path / "lineage.html").read_text()
    for label in ("Cluedin Stream Process", "Cluedin Connector Entity", "Cluedin Organization Provider",
                  "Cluedin Enrich Process", "Cluedin Crawl Process", "Account Golden Records", "sql.Golden",
                  "OrgWebEnricher", "hubspot @ acme", "/Lead"):  # fmt: skip
        assert label in html, label


def test_everything_goes_into_the_target_collection(stack):
    stack.cluedin.seed(estate(**PROVIDERS, **STREAMS))
    path = ["purview-emulator", "CluedIn"]
    for feature in ("streams", "providers"):
        report, _ = stack.cycle(feature, PURVIEW_COLLECTION_NAME="/".join(path))
        assert report.status == "completed", report.errors
    types = ("cluedin_stream_process", "cluedin_connector_entity", "cluedin_organization_provider",
             "cluedin_enrich_process", "cluedin_crawl_process", "cluedin_entity", "cluedin_column")  # fmt: skip
    for type_name in types:
        found = {e.get("collectionId", "") for e in stack.entities(type_name).values()}
        assert found == {collection_id_for(path)}, type_name


def test_the_provider_lineage_reads_back_through_pyapacheatlas(stack):
    report, _ = stack.cycle("providers")
    assert report.status == "completed", report.errors
    providers = stack.by_name("cluedin_organization_provider")
    enricher = lineage_downstream(stack.purview, providers["OrgWebEnricher"]["guid"])
    assert {("cluedin_enrich_process", "Enrich"), ("cluedin_entity", "/Account")} <= enricher
    crawler = lineage_downstream(stack.purview, providers["hubspot @ acme"]["guid"])
    assert ("cluedin_entity", "/Lead") in crawler and ("cluedin_entity", "/Account") not in crawler
