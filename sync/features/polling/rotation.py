"""Which waiting data sets have their submissions re-read this poll: a bounded share, in turn.

A data set whose records are not all processed yet may be processed at any time, and CluedIn shows it only in the
data set's submissions: one call per data set. With every such data set re-read at every poll, 30,000 waiting data
sets cost 30,000 CluedIn calls each poll (25 minutes at the default 20 requests/s, longer than the poll's own
interval). So at most `POLL_SUBMISSION_READS_PER_POLL` of them are re-read per poll, in storage order from where
the last poll stopped (a cursor row in state), wrapping round at the end: each is re-read at least every
⌈waiting / share⌉ + 1 polls. New data sets and data sets whose record count moved are always read, outside the share.
"""

from __future__ import annotations

from collections.abc import Callable

from sync.core.state import StateStore, SyncObject

CURSOR_KIND = "polling-cursor"
CURSOR_KEY = "submissions"


class Rotation:
    """The poll's share of re-reads of waiting data sets, and where the next poll starts."""

    def __init__(self, state: StateStore, share: int) -> None:
        self.state = state
        self.share = share
        row = state.get_object(CURSOR_KIND, CURSOR_KEY)
        self.row = row
        self.start = str(row.data.get("after") or "") if row is not None else ""
        self.taken = 0
        self.last = ""
        self.skipped = False
        """Whether a waiting data set after the cursor was left for the next poll (the share was used up)."""

    def due(self, order: str) -> bool:
        """Whether the waiting data set at this storage order is re-read now (called in storage order)."""
        if order <= self.start:
            return False
        if self.taken >= self.share:
            self.skipped = True
            return False
        self.taken += 1
        self.last = order
        return True

    def store(self) -> Callable[[], None]:
        """The cursor's write, for `Snapshot.after_send`: after the last re-read, or back to the start at the end."""

        def write() -> None:
            after = self.last if self.skipped else ""
            if self.row is not None and str(self.row.data.get("after") or "") == after:
                return
            row = self.row or SyncObject(kind=CURSOR_KIND, key=CURSOR_KEY, status="active")
            row.data = {"after": after}
            self.state.upsert_many([row])

        return write
