"""F9 against Azurite and the emulators: crawlers and enrichers → lineage in Purview, from golden-record history."""

from __future__ import annotations

import logging

import pytest

from sync.services.purview import qualified_names as names
from tests.support.lineage import ORG
from tests.support.streams import StreamsStack, estate, mapping_pairs, streams_stack

PROVIDERS = {
    "providers": [
        {"kind": "Enricher", "providerId": "Web Enricher", "name": "OrgWebEnricher", "entityType": "/Account",
         "properties": {"account.website": "https://{name}.example"}},
        {"kind": "Crawler", "providerId": "HubSpot", "name": "HubSpot", "accountDisplay": "hubspot @ acme",
         "entityType": "/Lead", "records": [{"id": "H-1", "name": "Tailspin", "lead.country": "US"}]},
    ]
}  # fmt: skip


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
