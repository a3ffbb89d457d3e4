"""Dead letters of the change feed: events (or messages) that could not be planned, with the reason, kept once.

The Event Hub trigger never redelivers an event once the batch holding it is checkpointed, failed or not, so the
app keeps what it could not handle itself: a JSON document on `<SYNC_QUEUE_PREFIX>-purview-events-poison` (the
`-poison` queues operators already watch; a `MessagePoisoned` event is logged). The document holds the reason, the
event's position (sequence number, offset, enqueued time) and its body (text, or base64 when it is not UTF-8). A
body too large for a queue message (an event can be 1 MB) is stored in state (`purview-feed-dead-letters` rows) and
the document names the row. Nothing is retried from there: the full cycles repair what the feed missed, and the
dead letter says what to look at.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync.core.state import StateStore
from sync.core.storage import QueueSender
from sync.features.purview_feed.stored_text import store_text

POISON_QUEUE = "purview-events"
"""Logical queue whose `-poison` queue holds the dead letters (`<prefix>-purview-events-poison`)."""
DEAD_LETTER_KIND = "purview-feed-dead-letters"
MAX_INLINE_BYTES = 40_000
"""A poison message is base64 on the wire and must stay under 64 KB: larger bodies go to state."""


@dataclass(frozen=True)
class ReceivedEvent:
    """One event as the trigger delivered it (the trigger's own types stay in the wiring)."""

    body: bytes
    sequence_number: int | None = None
    offset: str | None = None
    enqueued_time: datetime | None = None
    partition_key: str | None = None

    def position(self) -> dict[str, Any]:
        """Where the event was in its partition (for the dead letter)."""
        return {
            "sequenceNumber": self.sequence_number,
            "offset": self.offset,
            "enqueuedTime": self.enqueued_time.isoformat() if self.enqueued_time else None,
            "partitionKey": self.partition_key,
        }


class DeadLetters:
    """Sends dead letters; counts them for the invocation's log line."""

    def __init__(self, queues: QueueSender, state: StateStore) -> None:
        self.queues = queues
        self.state = state
        self.sent = 0

    def event(self, event: ReceivedEvent, reason: str) -> None:
        """Dead-letter one event, its body kept whole."""
        try:
            body: dict[str, Any] = {"body": event.body.decode("utf-8"), "bodyEncoding": "utf-8"}
        except UnicodeDecodeError:
            body = {"body": base64.b64encode(event.body).decode("ascii"), "bodyEncoding": "base64"}
        self._send({"reason": reason, "event": event.position(), **body}, reason)

    def note(self, reason: str, details: dict[str, Any]) -> None:
        """Dead-letter something that is not one event (an incomplete split message, a batch that could not plan)."""
        self._send({"reason": reason, **details}, reason)

    def _send(self, document: dict[str, Any], reason: str) -> None:
        text = json.dumps(document, separators=(",", ":"), default=str)
        if len(text.encode("utf-8")) > MAX_INLINE_BYTES and "body" in document:
            body = str(document.pop("body"))
            key = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:32]
            store_text(self.state, DEAD_LETTER_KIND, key, body, {"encoding": document.get("bodyEncoding")})
            document["bodyStoredAs"] = {"kind": DEAD_LETTER_KIND, "key": key, "characters": len(body)}
            text = json.dumps(document, separators=(",", ":"), default=str)
        self.queues.send_to_poison(POISON_QUEUE, text.encode("utf-8"), reason)
        self.sent += 1
