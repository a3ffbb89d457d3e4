"""The timer schedule monitor: last/next occurrence persisted in blob storage, to notice missed runs.

With `use_monitor`, the host records each timer's status in the `azure-webjobs-hosts` container; at
start-up, if the recorded next occurrence has already passed, it runs the function at once with
`past_due = True`. Doing the same against Azurite lets a developer see past-due handling by stopping and
restarting the local host.
"""

from __future__ import annotations

import json
import logging
import re
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import BlobServiceClient, ContainerClient

from devhost.ncrontab import Schedule

log = logging.getLogger("devhost.timers")

CONTAINER = "azure-webjobs-hosts"
_DEFAULT = datetime.min


@dataclass(frozen=True)
class ScheduleStatus:
    """Last and next occurrence of one timer, as the host stores and passes them (`ScheduleStatus`)."""

    last: datetime | None
    next: datetime
    last_updated: datetime | None

    def to_json(self) -> dict[str, str]:
        """Shape of the host's status blob and of `TimerRequest.schedule_status`."""
        return {
            "Last": _iso(self.last),
            "Next": self.next.isoformat(),
            "LastUpdated": _iso(self.last_updated),
        }

    @classmethod
    def from_json(cls, data: dict[str, str]) -> ScheduleStatus:
        """Read a status blob; raises ValueError/KeyError on a malformed one."""
        return cls(
            last=_parse(data.get("Last")),
            next=datetime.fromisoformat(data["Next"]),
            last_updated=_parse(data.get("LastUpdated")),
        )


def _iso(value: datetime | None) -> str:
    return "0001-01-01T00:00:00" if value is None else value.isoformat()


def _parse(text: str | None) -> datetime | None:
    if not text or text.startswith("0001-01-01"):
        return None
    return datetime.fromisoformat(text)


def default_host_id() -> str:
    """The host id the Functions host derives locally from the machine name (lower case, ≤ 32 chars)."""
    cleaned = re.sub(r"[^a-z0-9-]", "", socket.gethostname().lower())[:32].strip("-")
    return cleaned or "devhost"


def monitor_default(schedule: Schedule, explicit: bool | None) -> bool:
    """`use_monitor` when not set: on for schedules at most once a minute, off for faster ones (host rule)."""
    if explicit is not None:
        return explicit
    start = datetime(2001, 1, 1, 0, 0, 0).astimezone()
    first = schedule.next_after(start)
    second = schedule.next_after(first)
    return second - first >= timedelta(minutes=1)


class ScheduleMonitor:
    """Reads and writes timer status blobs (`timers/<host id>/<timer>/status`)."""

    def __init__(self, connection_string: str, host_id: str) -> None:
        service = BlobServiceClient.from_connection_string(connection_string)
        self._container: ContainerClient = service.get_container_client(CONTAINER)
        self._host_id = host_id
        self._container_ready = False

    def _blob_name(self, timer: str) -> str:
        return f"timers/{self._host_id}/Host.Functions.{timer}/status"

    def read(self, timer: str) -> ScheduleStatus | None:
        """The stored status, or None when there is none (or it is unreadable)."""
        try:
            data = self._container.download_blob(self._blob_name(timer)).readall()
        except ResourceNotFoundError:
            return None
        try:
            return ScheduleStatus.from_json(json.loads(data))
        except (ValueError, KeyError, TypeError):
            log.warning("Ignoring unreadable schedule status for timer '%s'", timer)
            return None

    def write(self, timer: str, status: ScheduleStatus) -> None:
        """Store the status (creating the container the first time)."""
        if not self._container_ready:
            if not self._container.exists():
                self._container.create_container()
            self._container_ready = True
        self._container.upload_blob(self._blob_name(timer), json.dumps(status.to_json()), overwrite=True)

    def check_past_due(self, timer: str, now: datetime, schedule: Schedule) -> tuple[ScheduleStatus, bool]:
        """Status to start from, and whether an occurrence was missed while no host ran.

        Mirrors the host: no stored status → start fresh, not past due; stored `Next` that the schedule
        would not have produced from `Last` → the schedule changed, start fresh; otherwise past due when
        `now` is after the stored `Next`.
        """
        stored = self.read(timer)
        fresh = ScheduleStatus(last=None, next=schedule.next_after(now), last_updated=now)
        if stored is None:
            self.write(timer, fresh)
            return fresh, False
        anchor = stored.last or stored.last_updated
        expected = schedule.next_after(anchor.astimezone(now.tzinfo)) if anchor is not None else None
        if expected is not None and expected != stored.next.astimezone(now.tzinfo):
            log.info("Timer '%s' schedule changed since the last run; not treating it as past due", timer)
            self.write(timer, fresh)
            return fresh, False
        return stored, now > stored.next
