"""Reassembling notifications Atlas split into several messages, whatever batch or instance each part reaches.

Parts of one message are produced one after the other, but nothing guarantees they land in one Event Hub batch, or
even on one partition (read by another instance). So every part is kept in state until all have arrived
(`purview-feed-parts` rows, `<msgId>|<index>` plus a chunk suffix, stored_text.py); the invocation that stores a
message's last part assembles it, plans it and removes the rows. Two invocations storing the last two parts at once
may both see the message complete and both plan it: plans are idempotent. A message still incomplete after WAIT
(Atlas's own `atlas.notification.split.message.segments.wait.time.seconds`, 15 minutes) is dropped with a dead
letter; the full cycles cover what it said.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sync.core.state import StateStore
from sync.features.purview_feed.stored_text import StoredChunk, complete, list_chunks, read_text, remove, store_text
from sync.services.purview.notifications import EntityNotification, NotificationError, SplitPart, assemble

PARTS_KIND = "purview-feed-parts"
WAIT = timedelta(minutes=15)


@dataclass
class Reassembled:
    """What the parts stored so far yield: whole notifications, and messages given up on (with why)."""

    notifications: list[EntityNotification] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(message id, reason) of messages that cannot be assembled or waited too long."""
    waiting: int = 0
    """Messages still missing parts."""


def _part_key(part: SplitPart) -> str:
    return f"{part.message_id}|{part.index:05d}"


def keep_parts(state: StateStore, parts: Iterable[SplitPart]) -> None:
    """Store parts until their message is complete (storing a part again changes nothing)."""
    for part in parts:
        extra = {"count": part.count, "compression": part.compression}
        store_text(state, PARTS_KIND, _part_key(part), part.text, extra)


def reassemble(state: StateStore, now: datetime) -> Reassembled:
    """Assemble every complete message among the stored parts, and give up on those waiting past WAIT."""
    by_message: dict[str, dict[str, list[StoredChunk]]] = defaultdict(lambda: defaultdict(list))
    for chunk in list_chunks(state, PARTS_KIND):
        message_id, _, _ = chunk.key.rpartition("|")
        by_message[message_id][chunk.key].append(chunk)
    result = Reassembled()
    for message_id, parts in by_message.items():
        chunks = [c for listed in parts.values() for c in listed]
        try:
            notification = _assembled(state, message_id, parts)
        except NotificationError as exc:
            result.failures.append((message_id, str(exc)))
            remove(state, PARTS_KIND, chunks)
            continue
        if notification is not None:
            result.notifications.append(notification)
            remove(state, PARTS_KIND, chunks)
        elif _oldest(chunks, now) >= WAIT:
            reason = f"split message {message_id} still lacks parts after {int(WAIT.total_seconds() // 60)} minutes"
            result.failures.append((message_id, reason))
            remove(state, PARTS_KIND, chunks)
        else:
            result.waiting += 1
    return result


def _assembled(state: StateStore, message_id: str, parts: dict[str, list[StoredChunk]]) -> EntityNotification | None:
    """The message, if every part (and every chunk of each) is stored; None while some are missing."""
    if not all(complete(chunks) for chunks in parts.values()):
        return None
    read: list[SplitPart] = []
    for key, chunks in parts.items():
        try:
            text, extra = read_text(state, PARTS_KIND, chunks)
        except KeyError:
            return None  # another invocation assembled and removed it meanwhile
        index = int(key.rpartition("|")[2])
        read.append(SplitPart(message_id, index, int(extra["count"]), str(extra["compression"]), text))
    if len(read) < read[0].count:
        return None
    return assemble(read)


def _oldest(chunks: list[StoredChunk], now: datetime) -> timedelta:
    times = [c.updated_at for c in chunks if c.updated_at is not None]
    return now - min(times) if times else timedelta(0)
