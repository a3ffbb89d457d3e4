"""One queue message delivered to `apply_message` the way the Functions host's queue trigger delivers it.

The benchmarks run the queue listeners as threads beside the timer. A listener that died on one failed apply (an
Azurite connection reset under load, say) left its message invisible for the receive's whole visibility timeout
and stalled the benchmark for ten minutes. The host does not die: a failed invocation is logged and the message
becomes visible again after `visibilityTimeout` (host.json: 30 s) for the next dequeue, up to `maxDequeueCount`.
Here the message comes back after `RETRY_SECONDS`, so a failure costs the figures a visible delay, not a hang.
"""

from __future__ import annotations

import logging
from typing import Any

from sync.core.engine import apply_message
from sync.core.feature import Feature, SyncContext

RETRY_SECONDS = 1
"""Seconds before a message whose apply failed is visible again (the host waits host.json's visibilityTimeout)."""

log = logging.getLogger("bench.listener")


def deliver(client: Any, message: Any, *, queue: str, features: dict[str, Feature], ctx: SyncContext) -> bool:
    """Apply one received message; delete it when applied, else make it visible again. Returns whether applied."""
    try:
        apply_message(
            message.content,
            queue=queue,
            features=features,
            ctx=ctx,
            message_id=message.id,
            dequeue_count=message.dequeue_count or 1,
        )
    except Exception as exc:  # the host's behaviour for any failed invocation: log, and the message comes back
        log.warning("applying message %s failed (%s: %s); it comes back in %ss", message.id, type(exc).__name__, exc,
                    RETRY_SECONDS)  # fmt: skip
        client.update_message(message, visibility_timeout=RETRY_SECONDS)
        return False
    client.delete_message(message)
    return True
