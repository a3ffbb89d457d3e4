"""F6's state layout change of 5 December 2026: key rows `key|<child>` become `word|<vocabulary>|<child>`.

Named after their vocabulary's term, a vocabulary's key rows are side by side in a partition scan, which is what
lets F6 plan a vocabulary at a time (docs/decisions/0903). The feature's set-up moves the rows of before once;
until then the planner reads them where they are (`plan._Walk`).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

from sync.core.errors import ContentionError
from sync.core.state import StateStore, SyncObject
from sync.features.glossary_to_vocabularies.select import LEGACY_KEY, VOCABULARY, key_key

MIGRATION_BATCH = 50
"""Rows moved per transaction: each move is a create and a delete, and a transaction holds 100 operations."""


def moved_key(row: SyncObject) -> str | None:
    """The key a row of before moves to; None when it names no vocabulary (a key CluedIn refused at once)."""
    parent = str(row.data.get("parent") or "")
    if not parent.startswith(VOCABULARY) or not row.key.startswith(LEGACY_KEY):
        return None
    return key_key(parent[len(VOCABULARY) :], row.key[len(LEGACY_KEY) :])


def has_rows_to_move(state: StateStore, kind: str) -> bool:
    """Whether any row of before is left (one row asked for)."""
    return next(iter(state.iter_objects(kind, key_prefix=LEGACY_KEY, page_size=1)), None) is not None


def move_key_rows(state: StateStore, kind: str) -> None:
    """Move every row of before (idempotent; safe beside another host doing the same).

    Moves are committed 50 at a time, each a create of the new row and a delete of the old one guarded by its ETag,
    in one entity-group transaction: a crash leaves each row in one layout or the other, never both or neither.
    When another host moved some of a batch meanwhile, the service refuses the batch whole; its rows are then moved
    one at a time, skipping those already gone. A row whose new copy exists only loses its old copy. A row that
    names no vocabulary (a key CluedIn refused before it was ever created) is dropped, so that key is tried again.
    """
    batch: list[SyncObject] = []
    for row in state.iter_objects(kind, key_prefix=LEGACY_KEY):
        batch.append(row)
        if len(batch) >= MIGRATION_BATCH:
            _move(state, kind, batch)
            batch = []
    if batch:
        _move(state, kind, batch)


def _move(state: StateStore, kind: str, rows: list[SyncObject]) -> None:
    try:
        _commit(state, kind, rows)
    except ContentionError:
        for row in rows:
            current = state.get_object(kind, row.key)
            if current is not None:
                with contextlib.suppress(ContentionError):  # moved by the other host in the meantime
                    _commit(state, kind, [current])


def _commit(state: StateStore, kind: str, rows: list[SyncObject]) -> None:
    moves = {row.key: moved_key(row) for row in rows}
    there = state.read_many(kind, [key for key in moves.values() if key])
    save = [replace(row, key=new, etag=None) for row in rows if (new := moves[row.key]) and new not in there]
    state.commit_many(save, delete=rows)
