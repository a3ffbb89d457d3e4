"""Queue functions: each applies the changes of one message idempotently (see sync/core/engine.apply_message).

One function per queue (`Queues`). Queue names carry the deployment's prefix (`%SYNC_QUEUE_PREFIX%-<queue>`),
so deployments sharing a storage account never consume each other's messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import azure.functions as func

from sync import runtime
from sync.core.engine import apply_message
from sync.core.errors import SettingsError
from sync.core.messages import Queues
from sync.core.telemetry import log_event

bp = func.Blueprint()  # type: ignore[no-untyped-call]
log = logging.getLogger("sync.appliers")
MAX_DEQUEUE_COUNT = 5  # keep equal to host.json extensions.queues.maxDequeueCount
CONNECTION = "AzureWebJobsStorage"


def _apply(msg: func.QueueMessage, queue: Queues) -> None:
    try:
        ctx = runtime.context()
    except SettingsError as exc:
        # Raise after saying which setting: the host retries the message (and keeps it in the poison queue after
        # maxDequeueCount), so nothing is lost while the setting is being fixed.
        log_event(
            log, "NotConfigured", str(exc), level=logging.ERROR, queue=str(queue), settings=",".join(exc.settings)
        )
        raise
    apply_message(
        msg.get_body(),
        queue=queue,
        features=runtime.features(),
        ctx=ctx,
        message_id=str(msg.id),
        dequeue_count=int(msg.dequeue_count or 1),
        max_dequeue_count=MAX_DEQUEUE_COUNT,
    )


def binding(queue: Queues) -> str:
    """The trigger's queue name, resolved by the host from the app setting SYNC_QUEUE_PREFIX."""
    return f"%SYNC_QUEUE_PREFIX%-{queue.value}"


def queue_function_name(queue: Queues) -> str:
    """The function applying one queue's messages (`purview-lineage` → `apply_purview_lineage_change`)."""
    return f"apply_{queue.value.replace('-', '_')}_change"


def _listener(queue: Queues) -> Callable[[func.QueueMessage], None]:
    def listener(msg: func.QueueMessage) -> None:
        _apply(msg, queue)

    listener.__doc__ = f"Applies the changes queued on {binding(queue)}."
    return listener


for _queue in Queues:
    bp.function_name(name=queue_function_name(_queue))(
        bp.queue_trigger(arg_name="msg", queue_name=binding(_queue), connection=CONNECTION)(_listener(_queue))
    )
