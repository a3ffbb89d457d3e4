"""Purview → its notification Event Hub, locally: the Purview emulator's notifications forwarded to the stand-in hub.

In Azure, Purview publishes Atlas notifications to the Event Hub of its Notification Kafka configuration and the
app's Event Hub trigger reads them. Here the Purview emulator journals what it would publish
(`GET /_emulator/notifications`) and this bridge forwards each record, as it appears, to the local host's stand-in
for the hub (devhost/eventhubs.py). It starts at the journal's end (what was published before it ran is history the
timers' full cycles already cover, as the app's `initialOffsetOptions: fromEnd` says) and remembers when it
delivered each record, which `bench change_feed` measures from.
"""

from __future__ import annotations

import logging
import threading
import time

import requests

from devhost.eventhubs import StandInHub

log = logging.getLogger("devhost.purview_feed")
POLL_INTERVAL = 0.05


class NotificationBridge:
    """Forwards the emulator's notifications to one hub's stand-in queue, in a background thread."""

    def __init__(self, purview_url: str, connection_string: str, hub: str, consumer_group: str) -> None:
        self.url = f"{purview_url.rstrip('/')}/_emulator/notifications"
        self.hub = StandInHub(connection_string, hub, consumer_group)
        self.session = requests.Session()
        self.position = self._last()
        self.delivered: dict[int, float] = {}
        """Journal number → `time.monotonic()` when that record reached the hub."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _last(self) -> int:
        answer = self.session.get(self.url, params={"after": 0, "limit": 0}, timeout=10)
        answer.raise_for_status()
        return int(answer.json()["last"])

    def forward_once(self) -> int:
        """Forward what was published since the last call; returns how many records."""
        answer = self.session.get(self.url, params={"after": self.position}, timeout=10)
        answer.raise_for_status()
        body = answer.json()
        if int(body["last"]) < self.position:  # the emulator restarted its numbering: read from the start
            self.position = 0
            return 0
        records = body["notifications"]
        if records:
            self.hub.send(record["body"] for record in records)
            now = time.monotonic()
            for record in records:
                self.delivered[int(record["seq"])] = now
            self.position = int(records[-1]["seq"])
        return len(records)

    def start(self) -> None:
        """Forward continuously until `stop()`."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="devhost-purview-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop forwarding."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.forward_once()
            except (requests.RequestException, OSError) as error:
                log.warning("forwarding Purview notifications failed: %s", error)
            self._stop.wait(POLL_INTERVAL)
