"""The one create/update/delete comparison every feature's planner starts from.

Desired objects (from a snapshot) against state rows (what the app last wrote): a key without a row, or whose row
is not in place, is created; a key whose desired fingerprint differs from the row's is updated; a row whose key
left the snapshot is deleted when it may be. Features supply only what differs between them — how a change is
built, when a row counts as in place, which rows may be removed — so the loop itself exists once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sync.core.messages import Change, ChangeKind
from sync.core.state import SyncObject, fingerprint

MakeChange = Callable[[ChangeKind, str, dict[str, Any]], Change]


def _active(obj: SyncObject) -> bool:
    return obj.active


def _create_unless_known(obj: SyncObject | None) -> ChangeKind:
    return ChangeKind.CREATE if obj is None else ChangeKind.UPDATE


def _no_desired(key: str, obj: SyncObject) -> dict[str, Any]:
    return {}


def iter_diff(
    snapshot: Mapping[str, dict[str, Any]],
    state: Mapping[str, SyncObject],
    make: MakeChange,
    *,
    desired: Callable[[str, dict[str, Any], SyncObject | None], dict[str, Any]] | None = None,
    in_place: Callable[[SyncObject], bool] = _active,
    kind_for: Callable[[SyncObject | None], ChangeKind] = _create_unless_known,
    removable: Callable[[SyncObject], bool] = _active,
    removal: Callable[[str, SyncObject], dict[str, Any]] = _no_desired,
) -> Iterator[Change]:
    """Changes that bring state in line with the snapshot, in key order (creates/updates, then deletes).

    Yielded one at a time: a large plan is sent while it is planned, never held whole (the engine's dispatch takes
    an iterable).

    Args:
        snapshot: key → desired state of every object that should exist.
        state: key → the feature's state row.
        make: builds a change (the feature's `change` with its summary).
        desired: the desired state to compare and send, from the snapshot entry and the row (default: as is).
        in_place: whether a row's object exists on the target (default: active); others are re-applied.
        kind_for: CREATE or UPDATE for a key that needs a change (default: CREATE when there is no row).
        removable: whether a row whose key left the snapshot should be deleted (default: active).
        removal: the desired state carried by a deletion (what the applier needs to find the object).
    """
    for key in sorted(snapshot):
        obj = state.get(key)
        wanted = desired(key, snapshot[key], obj) if desired is not None else snapshot[key]
        if obj is not None and in_place(obj) and obj.fingerprint == fingerprint(wanted):
            continue
        yield make(kind_for(obj), key, wanted)
    for key, obj in sorted(state.items()):
        if key not in snapshot and removable(obj):
            yield make(ChangeKind.DELETE, key, removal(key, obj))


def diff(
    snapshot: Mapping[str, dict[str, Any]],
    state: Mapping[str, SyncObject],
    make: MakeChange,
    **options: Any,
) -> list[Change]:
    """Every change of `iter_diff` (same arguments), as a list."""
    return list(iter_diff(snapshot, state, make, **options))
