"""Event Hub triggers on the stand-in hub (an Azurite queue): batches built by the library, checkpoint always."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import azure.functions as func
import pytest

from devhost.eventhubs import publish, stand_in_queue
from devhost.host import LocalHost


def build_app(seen: list[dict[str, Any]], *, fail_on: bytes = b"") -> func.FunctionApp:
    app = func.FunctionApp()

    @app.function_name("feed")
    @app.event_hub_message_trigger(
        arg_name="events",
        connection="HUB_CONNECTION",
        event_hub_name="%HUB%",
        consumer_group="%GROUP%",
        cardinality="many",
        data_type="binary",
    )
    def feed(events: list[func.EventHubEvent]) -> None:
        seen.append(
            {
                "bodies": [e.get_body() for e in events],
                "sequence": [e.sequence_number for e in events],
                "enqueued": [e.enqueued_time for e in events],
                "types": {type(e).__name__ for e in events},
            }
        )
        if any(e.get_body() == fail_on for e in events):
            raise RuntimeError("cannot handle this batch")

    @app.function_name("single")
    @app.event_hub_message_trigger(arg_name="event", connection="HUB_CONNECTION", event_hub_name="%HUB%-one")
    def single(event: func.EventHubEvent) -> None:
        seen.append({"one": event.get_body(), "sequence": event.sequence_number})

    return app


@pytest.fixture()
def names() -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return {"HUB": f"atlas_entities_{suffix}", "GROUP": "cluedin-sync"}


def make(azurite, names: dict[str, str], seen: list[dict[str, Any]], **options: Any) -> LocalHost:
    settings = {"AzureWebJobsStorage": azurite.connection_string, **names}
    return LocalHost(
        build_app(seen, **options),
        settings,
        host_json={"version": "2.0", "extensions": {"eventHubs": {"maxEventBatchSize": 3}}},
    )


def test_events_arrive_in_batches_of_max_event_batch_size_in_order(azurite, names):
    seen: list[dict[str, Any]] = []
    with make(azurite, names, seen) as host:
        host.ensure_queues()
        publish(azurite.connection_string, names["HUB"], names["GROUP"], [b"a", "b", b"\xff\x00raw", b"d"])
        summary = host.drain(timeout=30)
    assert summary.idle and summary.ok
    assert [batch["bodies"] for batch in seen] == [[b"a", b"b", b"\xff\x00raw"], [b"d"]]
    assert [batch["sequence"] for batch in seen] == [[1, 2, 3], [4]]
    assert all(t is not None and t.tzinfo is not None for batch in seen for t in batch["enqueued"])
    assert seen[0]["types"] == {"EventHubEvent"}
    assert summary.functions["feed"].invocations == 2


def test_a_failed_batch_is_checkpointed_and_never_delivered_again(azurite, names, caplog):
    seen: list[dict[str, Any]] = []
    with make(azurite, names, seen, fail_on=b"bad") as host:
        host.ensure_queues()
        publish(azurite.connection_string, names["HUB"], names["GROUP"], [b"bad"])
        first = host.drain(timeout=30)
        publish(azurite.connection_string, names["HUB"], names["GROUP"], [b"good"])
        second = host.drain(timeout=30)
    assert [batch["bodies"] for batch in seen] == [[b"bad"], [b"good"]]
    assert first.functions["feed"].failed == 1 and second.functions["feed"].succeeded == 1
    assert "checkpointed and not delivered again" in caplog.text


def test_cardinality_one_gets_one_event_per_invocation(azurite, names):
    seen: list[dict[str, Any]] = []
    with make(azurite, names, seen) as host:
        host.ensure_queues()
        publish(azurite.connection_string, f"{names['HUB']}-one", "$Default", [b"x", b"y"])
        host.drain(timeout=30)
    assert [(s["one"], s["sequence"]) for s in seen] == [(b"x", 1), (b"y", 2)]


def test_an_unresolvable_hub_disables_only_that_function(azurite, names, caplog):
    caplog.set_level(logging.WARNING, logger="devhost")
    seen: list[dict[str, Any]] = []
    host = make(azurite, {"HUB": names["HUB"]}, seen)  # no GROUP setting
    with host:
        assert set(host.event_hubs) == {"single"}
    assert "Function 'feed' failed indexing and will be disabled" in caplog.text
    assert "'%GROUP%' does not resolve" in caplog.text


def test_stand_in_queue_names_are_valid_queue_names():
    assert stand_in_queue("atlas_entities", "$Default") == "eventhub-atlas-entities-default"
    assert stand_in_queue("ATLAS_ENTITIES", "cluedin-sync") == "eventhub-atlas-entities-cluedin-sync"
    long = stand_in_queue("h" * 80, "g")
    assert len(long) <= 63 and not long.endswith("-")
