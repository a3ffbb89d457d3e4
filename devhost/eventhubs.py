"""Event Hub triggers, with a local stand-in for the hub: one Azurite queue per event hub and consumer group.

No Event Hubs emulator can be installed where this host runs (the official one is a Docker image, and Event Hub
triggers speak AMQP), so the hub is stood in for by a Storage queue in the host's own storage (`AzureWebJobsStorage`,
Azurite locally) named `eventhub-<hub>-<consumer group>` (`stand_in_queue`); `publish` puts events on it, the way a
producer sends them to the hub. What the function sees follows the Event Hubs extension (5.x):

- events are built by the library's own converter (`EventHubTriggerConverter`) from the payload the host sends the
  worker: a collection of bodies (`collection_bytes` for `dataType: binary`, `collection_string` otherwise) and
  `SystemPropertiesArray` metadata (`SequenceNumber`, `Offset`, `EnqueuedTimeUtc`, `PartitionKey`); cardinality
  `one` gets one event per invocation;
- up to host.json `extensions.eventHubs.maxEventBatchSize` (default 100) events per invocation, in order, one
  invocation at a time (one partition);
- checkpointing after the invocation, whether it succeeded or failed: an event is never delivered twice (the
  extension retries only under a retry policy, which this host does not run);
- the hub's connection (`connection`, possibly identity-based) is not used: events come from the stand-in queue;
- a binding expression (`%HUB%`, `%GROUP%`) that does not resolve disables the function with the host's warning
  ("failed indexing and will be disabled"), as the real host does, while the other functions run.

Guesses (local conventions): the queue name; sequence numbers and offsets count from 1 per listener; the stand-in is
polled every POLL_INTERVAL (the real trigger receives over a long-lived AMQP link, with no polling delay).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.functions import meta
from azure.functions.eventhub import EventHubTriggerConverter

from devhost.invocation import Invoker
from devhost.registry import EventHubFunction
from devhost.storage import queue_client
from devhost.summary import Stats

log = logging.getLogger("devhost.eventhubs")
POLL_INTERVAL = 0.1
RECEIVE_VISIBILITY_SECONDS = 600
MAX_RECEIVE = 32
"""Storage queues hand out at most 32 messages per receive call."""


def stand_in_queue(hub: str, consumer_group: str) -> str:
    """The queue standing in for one hub and consumer group (a valid queue name, whatever the names hold)."""
    group = consumer_group.lstrip("$") or "default"
    name = re.sub(r"[^a-z0-9]+", "-", f"eventhub-{hub}-{group}".lower()).strip("-")
    return name[:63].rstrip("-")


class StandInHub:
    """A producer's view of one hub's stand-in (as one consumer group will read it)."""

    def __init__(self, connection_string: str, hub: str, consumer_group: str) -> None:
        self.client = queue_client(connection_string, stand_in_queue(hub, consumer_group))
        self._ready = False

    def send(self, bodies: Iterable[bytes | str]) -> int:
        """Send events (bodies as they are, base64 on the queue); returns how many were sent."""
        if not self._ready:
            with contextlib.suppress(ResourceExistsError):
                self.client.create_queue()
            self._ready = True
        sent = 0
        for body in bodies:
            raw = body.encode("utf-8") if isinstance(body, str) else body
            self.client.send_message(base64.b64encode(raw).decode("ascii"))
            sent += 1
        return sent


def publish(connection_string: str, hub: str, consumer_group: str, bodies: Iterable[bytes | str]) -> int:
    """Send events to the stand-in of a hub as one consumer group sees them; returns how many were sent."""
    return StandInHub(connection_string, hub, consumer_group).send(bodies)


@dataclass(frozen=True)
class _Event:
    body: bytes
    sequence_number: int
    enqueued: datetime


def build_events(function: EventHubFunction, events: list[_Event]) -> Any:
    """The trigger argument, built by the library's converter from a host-shaped payload."""
    properties = [
        {
            "SequenceNumber": e.sequence_number,
            "Offset": str(e.sequence_number),
            "EnqueuedTimeUtc": e.enqueued.isoformat(),
            "PartitionKey": None,
        }
        for e in events
    ]
    binary = function.data_type.lower() == "binary"
    if function.cardinality.lower() == "many":
        if binary:
            data = meta.Datum(_Collection(bytes=[e.body for e in events]), "collection_bytes")
        else:
            strings = [e.body.decode("utf-8", "replace") for e in events]
            data = meta.Datum(_Collection(string=strings), "collection_string")
        metadata = {"SystemPropertiesArray": meta.Datum(json.dumps(properties), "json")}
        return EventHubTriggerConverter.decode(data, trigger_metadata=metadata)
    [event] = events
    single = meta.Datum(event.body, "bytes") if binary else meta.Datum(event.body.decode("utf-8", "replace"), "string")
    metadata = {
        "SystemProperties": meta.Datum(json.dumps(properties[0]), "json"),
        "SequenceNumber": meta.Datum(str(event.sequence_number), "string"),
        "Offset": meta.Datum(str(event.sequence_number), "string"),
        "EnqueuedTimeUtc": meta.Datum(event.enqueued.isoformat(), "string"),
    }
    return EventHubTriggerConverter.decode(single, trigger_metadata=metadata)


@dataclass
class _Collection:
    """The protobuf collection the worker receives (`.bytes` or `.string`)."""

    bytes: list[bytes] | None = None
    string: list[str] | None = None


class EventHubListener:
    """Reads one stand-in queue and invokes its function with batches of events, one batch at a time."""

    def __init__(
        self,
        spec: EventHubFunction,
        hub: str,
        consumer_group: str,
        connection_string: str,
        *,
        max_batch_size: int,
        invoker: Invoker,
        stats: Stats,
    ) -> None:
        self.spec = spec
        self.hub = hub
        self.consumer_group = consumer_group
        self.queue_name = stand_in_queue(hub, consumer_group)
        self.max_batch_size = max_batch_size if spec.cardinality.lower() == "many" else 1
        self.queue = queue_client(connection_string, self.queue_name)
        self._invoker = invoker
        self._stats = stats
        self._sequence = 0
        self._lock = threading.Lock()
        self._in_flight = 0
        self._activity = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def in_flight(self) -> int:
        """Events received and not yet checkpointed."""
        with self._lock:
            return self._in_flight

    @property
    def activity(self) -> int:
        """Grows whenever a batch completes."""
        with self._lock:
            return self._activity

    @property
    def running(self) -> bool:
        """True between `start()` and `stop()`."""
        return self._thread is not None

    def ensure_queue(self) -> None:
        """Create the stand-in queue if it does not exist yet."""
        with contextlib.suppress(ResourceExistsError):
            self.queue.create_queue()

    def approximate_count(self) -> int:
        """Events waiting (or being processed)."""
        try:
            return int(self.queue.get_queue_properties().approximate_message_count or 0)
        except ResourceNotFoundError:
            return 0

    def start(self) -> None:
        """Begin reading in a background thread."""
        if self._thread is not None:
            raise RuntimeError(f"listener for {self.queue_name} already started")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=f"devhost-eh-{self.queue_name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the batch in progress (bounded wait)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                handled = self.poll_once()
            except (AzureError, OSError) as error:
                log.warning("Reading the stand-in of event hub '%s' failed: %s", self.hub, error)
                handled = 0
            if not handled:
                self._stop.wait(POLL_INTERVAL)

    def poll_once(self) -> int:
        """Receive up to one batch, invoke the function, checkpoint (delete) it; returns how many events."""
        messages: list[Any] = []
        while len(messages) < self.max_batch_size:
            wanted = min(MAX_RECEIVE, self.max_batch_size - len(messages))
            page = list(
                self.queue.receive_messages(
                    max_messages=wanted, messages_per_page=wanted, visibility_timeout=RECEIVE_VISIBILITY_SECONDS
                )
            )
            messages += page
            if len(page) < wanted:
                break
        if not messages:
            return 0
        with self._lock:
            self._in_flight += len(messages)
        try:
            self._invoke(messages)
        finally:
            for message in messages:
                with contextlib.suppress(ResourceNotFoundError):
                    self.queue.delete_message(message.id, message.pop_receipt)
            with self._lock:
                self._in_flight -= len(messages)
                self._activity += 1
        return len(messages)

    def _invoke(self, messages: list[Any]) -> None:
        events = []
        for message in messages:
            try:
                body = base64.b64decode(str(message.content or ""), validate=True)
            except (binascii.Error, ValueError):
                body = str(message.content or "").encode("utf-8")  # a producer that did not encode: take it as is
            self._sequence += 1
            enqueued = message.inserted_on or datetime.now(UTC)
            events.append(_Event(body, self._sequence, enqueued))
        batches = [events] if self.max_batch_size > 1 else [[e] for e in events]
        for batch in batches:
            started = time.monotonic()
            result = self._invoker.invoke(
                self.spec,
                build_events(self.spec, batch),
                trigger="eventHub",
                reason=f"New event(s) on event hub '{self.hub}' (consumer group '{self.consumer_group}').",
            )
            if not result.succeeded:
                log.warning(
                    "Function '%s' failed on %d event(s) of '%s'; they are checkpointed and not delivered again "
                    "(%.0f ms)",
                    self.spec.name,
                    len(batch),
                    self.hub,
                    (time.monotonic() - started) * 1000,
                )
