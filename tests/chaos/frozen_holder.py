"""A queue function in a process of its own that freezes (SIGSTOP) just before its first CluedIn create.

Used by test_lease_fencing.py: while this process is stopped — as a VM pause or a long GC stop would stop it,
heartbeat thread included — its lease runs out, another invocation takes the object over, and when the process
resumes its create must not be sent. Reads `{"environment", "body", "message_id"}` from the JSON file named by its
argument and prints the outcomes as JSON on stdout.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from azure.data.tables import TableServiceClient
from azure.storage.queue import QueueServiceClient

from sync.core.engine import apply_message
from sync.core.feature import SyncContext
from sync.core.settings import Settings
from sync.core.state import StateStore
from sync.core.storage import QueueSender
from sync.runtime import CLIENT_FACTORIES, FEED_SOURCES, features


class FreezesBeforeCreate:
    """The app's CluedIn client, stopping this process right before the first group create is sent."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._frozen = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def create_data_source_set(self, name: str) -> str:
        if not self._frozen:
            self._frozen = True
            os.kill(os.getpid(), signal.SIGSTOP)  # the parent resumes us with SIGCONT
        result: str = self._client.create_data_source_set(name)
        return result


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text())
    settings = Settings(job["environment"])
    engine = settings.engine
    connection = str(engine.storage_connection)
    state = StateStore(TableServiceClient.from_connection_string(connection), engine.sync_table_prefix)
    queues = QueueSender(QueueServiceClient.from_connection_string(connection), engine.sync_queue_prefix)
    ctx = SyncContext(settings, state, queues, clients=CLIENT_FACTORIES, feed_sources=FEED_SOURCES)
    ctx.provide("cluedin", FreezesBeforeCreate(CLIENT_FACTORIES["cluedin"](settings)))
    outcomes = apply_message(
        job["body"], queue="cluedin", features=features(), ctx=ctx, message_id=job["message_id"], dequeue_count=1
    )
    print(json.dumps([{"result": o.result, "detail": o.detail} for o in outcomes]))


if __name__ == "__main__":
    main()
