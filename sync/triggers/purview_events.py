"""The Purview change feed: an Event Hub trigger on Purview's notification hub (wiring only; decision 0901).

`cardinality=many` hands over batches (host.json `extensions.eventHubs`), `dataType=binary` keeps every body byte for
byte (a dead letter must hold exactly what arrived), the consumer group is the app's own, and the connection is
identity-based (`PURVIEW_CHANGE_FEED__fullyQualifiedNamespace`, as the Flex Consumption quickstarts connect). Off by
default: the templates disable the function (`AzureWebJobs.purview_change_feed.Disabled`) unless
PURVIEW_CHANGE_FEED_ENABLED is true, and the app drops events while the setting is false.
"""

from __future__ import annotations

import logging

import azure.functions as func

from sync import runtime
from sync.core.errors import SettingsError
from sync.core.telemetry import log_event
from sync.features.purview_feed.intake import receive_events
from sync.features.purview_feed.letters import ReceivedEvent
from sync.features.purview_feed.settings import CONNECTION
from sync.features.registry import all_features
from sync.triggers.timers import wanted

bp = func.Blueprint()  # type: ignore[no-untyped-call]
log = logging.getLogger("sync.purview_events")
FUNCTION_NAME = "purview_change_feed"


def received(event: func.EventHubEvent) -> ReceivedEvent:
    """The trigger's event as the app's own type."""
    offset = event.offset
    return ReceivedEvent(
        body=event.get_body(),
        sequence_number=event.sequence_number,
        offset=None if offset is None else str(offset),
        enqueued_time=event.enqueued_time,
        partition_key=event.partition_key,
    )


@bp.function_name(name=FUNCTION_NAME)
@bp.event_hub_message_trigger(
    arg_name="events",
    connection=CONNECTION,
    event_hub_name="%PURVIEW_CHANGE_FEED_HUB%",
    consumer_group="%PURVIEW_CHANGE_FEED_CONSUMER_GROUP%",
    cardinality="many",
    data_type="binary",
)
def purview_change_feed(events: list[func.EventHubEvent]) -> None:
    """Plans the assets Purview notified (data sources, pipeline automation) within seconds."""
    try:
        ctx = runtime.context()
    except SettingsError as exc:
        log_event(log, "NotConfigured", str(exc), level=logging.ERROR, settings=",".join(exc.settings))
        raise
    features = [f for f in all_features() if wanted(f, ctx.settings)]
    receive_events([received(event) for event in events], ctx, features)
