"""The one create/update/delete comparison every feature's planner starts from.

Desired objects (from a snapshot) against state rows (what the app last wrote): a key without a row, or whose row
is not in place, is created; a key whose desired fingerprint differs from the row's is updated; a row whose key
left the snapshot is deleted when it may be. Features supply only what differs between them — how a change is
built, when a row counts as in place, which rows may be removed — so the loop itself exists once.

`merge_ordered` is the same comparison for estates too large to hold: desired objects and state rows both come
in storage order (the rows' `encode_key` order, in which a partition scan returns them) and are paired key by
key, so a planner holds one object at a time instead of two whole mappings (docs/decisions/0903-bounded-memory-
planning.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from sync.core.messages import Change, ChangeKind
from sync.core.state import SyncObject, encode_key, fingerprint

T = TypeVar("T")

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


def iter_ordered_diff(
    pairs: Iterable[tuple[str, dict[str, Any] | None, SyncObject | None]],
    make: MakeChange,
    *,
    desired: Callable[[str, dict[str, Any], SyncObject | None], dict[str, Any]] | None = None,
    in_place: Callable[[SyncObject], bool] = _active,
    kind_for: Callable[[SyncObject | None], ChangeKind] = _create_unless_known,
    removable: Callable[[SyncObject], bool] = _active,
    removal: Callable[[str, SyncObject], dict[str, Any]] = _no_desired,
) -> Iterator[Change]:
    """`iter_diff`'s changes (same options), from (key, desired or None, row or None) pairs in storage order.

    What a feature's `plan_ordered` is made of when its comparison is `iter_diff`'s: the same decision for each
    key, taken as the pairs come (`merge_ordered`), so neither side is held whole. Deletions come in key order
    among the rest rather than last; the engine holds them back for the fail-safe either way.
    """
    for key, entry, obj in pairs:
        if entry is None:
            if obj is not None and removable(obj):
                yield make(ChangeKind.DELETE, key, removal(key, obj))
            continue
        wanted = desired(key, entry, obj) if desired is not None else entry
        if obj is not None and in_place(obj) and obj.fingerprint == fingerprint(wanted):
            continue
        yield make(kind_for(obj), key, wanted)


def diff(
    snapshot: Mapping[str, dict[str, Any]],
    state: Mapping[str, SyncObject],
    make: MakeChange,
    **options: Any,
) -> list[Change]:
    """Every change of `iter_diff` (same arguments), as a list."""
    return list(iter_diff(snapshot, state, make, **options))


def storage_order(key: str) -> str:
    """What orders a key among state rows: its row key (a partition scan returns rows in this order)."""
    return encode_key(key)


def _ascending(keys: Iterable[tuple[str, T]], side: str) -> Iterator[tuple[str, str, T]]:
    last = ""
    for key, item in keys:
        order = storage_order(key)
        if order <= last and last:
            raise ValueError(f"{side} out of storage order: {key!r} after a key ordered {last!r}")
        last = order
        yield order, key, item


def merge_ordered(
    desired: Iterable[tuple[str, T]], rows: Iterable[SyncObject]
) -> Iterator[tuple[str, T | None, SyncObject | None]]:
    """(key, desired or None, row or None) for every key of either side, in storage order.

    Both sides must come in storage order (`storage_order`), each key once; a side out of order raises ValueError
    rather than planning a deletion of something that is still desired.
    """
    wanted = _ascending(desired, "desired objects")
    known = _ascending(((row.key, row) for row in rows), "state rows")
    a, b = next(wanted, None), next(known, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            assert a is not None
            yield a[1], a[2], None
            a = next(wanted, None)
        elif a is None or b[0] < a[0]:
            yield b[1], None, b[2]
            b = next(known, None)
        else:
            yield a[1], a[2], b[2]
            a, b = next(wanted, None), next(known, None)
