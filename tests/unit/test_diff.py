"""The one create/update/delete comparison (sync/core/diff.py): pure, ordered, hooks for what differs."""

from __future__ import annotations

from typing import Any

from sync.core.diff import diff
from sync.core.messages import Change, ChangeKind
from sync.core.state import SyncObject, fingerprint


def make(kind: ChangeKind, key: str, desired: dict[str, Any]) -> Change:
    return Change(feature="f", object_kind="k", key=key, kind=kind, desired=desired, fingerprint=fingerprint(desired))


def row(key: str, desired: dict[str, Any], status: str = "active") -> SyncObject:
    return SyncObject(kind="k", key=key, fingerprint=fingerprint(desired), status=status)


def test_creates_updates_and_deletes_in_key_order():
    state = {"a": row("a", {"v": 1}), "b": row("b", {"v": 1}), "z": row("z", {"v": 1})}
    changes = diff({"c": {"v": 1}, "b": {"v": 2}, "a": {"v": 1}}, state, make)
    assert [(c.kind, c.key) for c in changes] == [
        (ChangeKind.UPDATE, "b"),
        (ChangeKind.CREATE, "c"),
        (ChangeKind.DELETE, "z"),
    ]


def test_a_row_not_in_place_is_applied_again_and_only_removable_rows_are_deleted():
    state = {"a": row("a", {"v": 1}, status="orphaned"), "gone": row("gone", {}, status="orphaned")}
    changes = diff({"a": {"v": 1}}, state, make)
    assert [(c.kind, c.key) for c in changes] == [(ChangeKind.UPDATE, "a")]
    changes = diff({}, state, make, removable=lambda obj: obj.status == "orphaned", removal=lambda k, o: {"k": k})
    assert [(c.kind, c.key, c.desired) for c in changes] == [
        (ChangeKind.DELETE, "a", {"k": "a"}),
        (ChangeKind.DELETE, "gone", {"k": "gone"}),
    ]


def test_desired_is_derived_per_key_and_compared_after_derivation():
    state = {"a": row("a", {"v": 1, "extra": True})}
    same = diff({"a": {"v": 1}}, state, make, desired=lambda key, item, obj: {**item, "extra": True})
    assert same == []
    keyed = diff({"b": {}}, {}, make, desired=lambda key, item, obj: {"key": key})
    assert [c.desired for c in keyed] == [{"key": "b"}]
    kinds = diff({"b": {}}, {}, make, kind_for=lambda obj: ChangeKind.UPDATE)
    assert [c.kind for c in kinds] == [ChangeKind.UPDATE]
