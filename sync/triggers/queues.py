"""Queue functions: each applies one planned change idempotently (see sync/engine.apply_message)."""

from __future__ import annotations

import logging

import azure.functions as func

from sync import runtime
from sync.core.engine import apply_message
from sync.core.errors import SettingsError
from sync.core.messages import Queues
from sync.core.telemetry import log_event

bp = func.Blueprint()  # type: ignore[no-untyped-call]
log = logging.getLogger("sync.appliers")
MAX_DEQUEUE_COUNT = 5  # keep equal to host.json extensions.queues.maxDequeueCount


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


@bp.queue_trigger(arg_name="msg", queue_name=Queues.CLUEDIN.value, connection="AzureWebJobsStorage")
def apply_cluedin_change(msg: func.QueueMessage) -> None:
    """Writes to CluedIn (data source groups and sources, glossary, vocabularies)."""
    _apply(msg, Queues.CLUEDIN)


@bp.queue_trigger(arg_name="msg", queue_name=Queues.PURVIEW_ENTITIES.value, connection="AzureWebJobsStorage")
def apply_purview_entity_change(msg: func.QueueMessage) -> None:
    """Writes of single Purview entities (e.g. metrics on Cluedin Dataset entities)."""
    _apply(msg, Queues.PURVIEW_ENTITIES)


@bp.queue_trigger(arg_name="msg", queue_name=Queues.DATA_FACTORY.value, connection="AzureWebJobsStorage")
def apply_datafactory_change(msg: func.QueueMessage) -> None:
    """Writes to Data Factory planned by F12 (pipelines) and F13 (run schedules)."""
    _apply(msg, Queues.DATA_FACTORY)


@bp.queue_trigger(arg_name="msg", queue_name=Queues.PURVIEW_LINEAGE.value, connection="AzureWebJobsStorage")
def apply_purview_lineage_change(msg: func.QueueMessage) -> None:
    """Writes of lineage graphs (data sets, processes, entity types) to Purview."""
    _apply(msg, Queues.PURVIEW_LINEAGE)
