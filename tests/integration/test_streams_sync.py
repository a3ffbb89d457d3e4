"""F8 against Azurite and the emulators: streams and export targets → lineage in Purview, end to end."""

from __future__ import annotations

import logging

import pytest

from sync.services.purview import qualified_names as names
from tests.support.lineage import ORG
from tests.support.streams import StreamsStack, estate, mapping_pairs, streams_stack

STREAMS = {
    "exportTargets": [{"connector": "Sql Server Connector", "accountDisplay": "sql.Golden"}],
    "streams": [
        {"name": "Account Golden Records", "entityType": "/Account", "exportTarget": "sql.Golden",
         "properties": ["account.name", "account.email"], "active": True},
    ],
}  # fmt: skip


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator) -> StreamsStack:
    built = streams_stack(azurite, purview, fresh_cluedin_emulator)
    fresh_cluedin_emulator.seed(estate(**STREAMS))
    return built


def test_a_stream_becomes_a_process_from_its_entity_type_to_its_export_target(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    report, outcomes = stack.cycle()
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
