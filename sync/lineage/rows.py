"""Moved: batched state rows are StateStore methods now; only a shim for the benchmark is left.

`read_many`, `commit_many`, `upsert_many` and `remove_many` are on `StateStore`; the claim check for large
records is `sync.lineage.payloads`.

Only bench/lineage_sync.py still imports this module (its `rows.upsert`); delete the module once it calls
`state.upsert_many(objects)` instead. Nothing in the app uses it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sync.state import StateStore, SyncObject


def upsert(state: StateStore, objects: Sequence[SyncObject]) -> None:
    """Deprecated alias of `StateStore.upsert_many`."""
    state.upsert_many(objects)
