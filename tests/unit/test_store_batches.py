"""Guarded batches of the state store (sync/core/state/store.py) on Azurite, beyond tests/integration/test_state.py."""

from __future__ import annotations

from sync.core.state import StateStore, SyncObject


def test_deleting_rows_never_written_is_skipped_and_the_rest_still_go(state: StateStore):
    saved = state.save(SyncObject(kind="k", key="saved"))
    never = SyncObject(kind="k", key="never")
    state.commit_many([], [never, saved, never])
    assert state.get_object("k", "saved") is None
    assert state.read_many("k", ["saved", "never"]) == {}
