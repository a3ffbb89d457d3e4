"""Text larger than a Table row (a split notification part, a dead-lettered event) kept across state rows.

A Table entity holds at most 1 MiB, strings counted in UTF-16; a part of a split Atlas message can be almost 1 MB of
base64 on its own. Each text is stored as rows `<key>|<n>/<count>` of CHUNK_CHARS characters, written unguarded
(`upsert_many`): the same key always receives the same text, so a redelivered write changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync.core.errors import ContentionError
from sync.core.state import StateStore, SyncObject

CHUNK_CHARS = 200_000
"""At most ~400 KB of UTF-16 per row, well inside the 1 MiB entity limit with the row's other columns."""


@dataclass(frozen=True)
class StoredChunk:
    """One row of a stored text, as listed (keys and times only, not the text)."""

    key: str
    """The text's key (without the chunk suffix)."""
    row_key: str
    index: int
    count: int
    updated_at: datetime | None


def store_text(state: StateStore, kind: str, key: str, text: str, extra: dict[str, Any] | None = None) -> None:
    """Write `text` under `key` (in as many rows as it needs); `extra` is kept beside every chunk."""
    chunks = [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)] or [""]
    rows = [
        SyncObject(kind=kind, key=f"{key}|{index}/{len(chunks)}", data={"text": chunk, **(extra or {})})
        for index, chunk in enumerate(chunks)
    ]
    state.upsert_many(rows)


def list_chunks(state: StateStore, kind: str) -> list[StoredChunk]:
    """Every stored chunk of a kind, without reading the texts."""
    found = []
    for obj in state.iter_objects(kind, fields=()):
        key, _, position = obj.key.rpartition("|")
        index, _, count = position.partition("/")
        if key and index.isdigit() and count.isdigit():
            found.append(StoredChunk(key, obj.key, int(index), int(count), obj.updated_at))
    return found


def complete(chunks: Iterable[StoredChunk]) -> bool:
    """Whether every chunk of one text is present."""
    listed = list(chunks)
    return bool(listed) and {c.index for c in listed} == set(range(listed[0].count))


def read_text(state: StateStore, kind: str, chunks: Iterable[StoredChunk]) -> tuple[str, dict[str, Any]]:
    """The text of one complete set of chunks, and the `extra` stored beside it."""
    listed = sorted(chunks, key=lambda c: c.index)
    rows = state.read_many(kind, [c.row_key for c in listed])
    texts = [rows[c.row_key].data for c in listed if c.row_key in rows]
    if len(texts) != len(listed):
        raise KeyError(f"chunks of {listed[0].key} disappeared while being read")
    extra = {k: v for k, v in texts[0].items() if k != "text"}
    return "".join(str(t.get("text", "")) for t in texts), extra


def remove(state: StateStore, kind: str, chunks: Iterable[StoredChunk]) -> None:
    """Delete chunks; another invocation deleting the same ones meanwhile is harmless."""
    listed = [c.row_key for c in chunks]
    try:
        state.remove_many(kind, listed)
    except ContentionError:
        # A transaction fails as a whole when one of its rows is already gone: delete one by one instead.
        for row_key in listed:
            state.delete_object(kind, row_key)
