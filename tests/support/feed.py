"""The shared stack plus Purview's notification hub: what the emulator published, delivered to the change feed.

The Purview emulator journals the Atlas notifications Purview would publish (emulators/purview/model/notifications).
`deliver` hands everything published since the last delivery to the change feed as one Event Hub batch, the way
the trigger would (`receive_events`, the function's own entry point); `deliver_to_function` goes through the
Functions app's real `purview_change_feed` function with `func.EventHubEvent` objects, as the worker builds them.
"""

from __future__ import annotations

import json
from typing import Any

import azure.functions as func

from sync.core.feature import SyncContext
from sync.features.purview_feed.intake import BatchOutcome, receive_events
from sync.features.purview_feed.letters import ReceivedEvent
from sync.features.registry import all_features
from tests.support.stack import Stack

ON = {"PURVIEW_CHANGE_FEED_ENABLED": "true"}


class FeedStack(Stack):
    """A stack whose tests deliver Purview's notifications to the change feed."""

    delivered: int = 0
    sequence: int = 0

    def published(self) -> list[str]:
        """Bodies published since the last delivery (and marks them delivered)."""
        bodies = self.purview.notifications(self.delivered)
        self.delivered = self.purview.notification_position()
        return list(bodies)

    def skip_published(self) -> None:
        """Forget what was published so far (it happened before the feed was listening)."""
        self.delivered = self.purview.notification_position()

    def events(self, bodies: list[str] | list[bytes]) -> list[ReceivedEvent]:
        """Bodies as events of one partition, numbered on."""
        out = []
        for body in bodies:
            self.sequence += 1
            raw = body.encode("utf-8") if isinstance(body, str) else body
            out.append(ReceivedEvent(raw, sequence_number=self.sequence, offset=str(self.sequence * 100)))
        return out

    def deliver(
        self, bodies: list[str] | list[bytes] | None = None, ctx: SyncContext | None = None, **overrides: Any
    ) -> BatchOutcome:
        """One batch to the change feed: the given bodies, or everything published since the last delivery."""
        ctx = ctx or self.context(**{**ON, **overrides})
        batch = self.events(self.published() if bodies is None else bodies)
        features = [f for f in all_features() if f.enabled(ctx.settings)]
        return receive_events(batch, ctx, features)

    def function_events(self, bodies: list[str]) -> list[func.EventHubEvent]:
        """Bodies as the worker's `func.EventHubEvent` objects (cardinality many)."""
        return [
            func.EventHubEvent(body=e.body, sequence_number=e.sequence_number, offset=e.offset)
            for e in self.events(bodies)
        ]

    def dead_letters(self) -> list[dict[str, Any]]:
        """Documents on `<prefix>-purview-events-poison`."""
        return [json.loads(text) for text in self.poison("purview-events")]
