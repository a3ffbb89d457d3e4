"""The one create/update/delete comparison (sync/core/diff.py): pure, ordered, hooks for what differs."""

from __future__ import annotations

from typing import Any

import hypothesis
from hypothesis import given
from hypothesis import strategies as st

from sync.core.diff import diff, iter_ordered_diff, merge_ordered, storage_order
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


KEYS = st.text(alphabet="aB|/%é1 ", min_size=1, max_size=4)


@hypothesis.settings(max_examples=200, deadline=None)
@given(
    snapshot=st.dictionaries(KEYS, st.fixed_dictionaries({"v": st.integers(0, 2)})),
    rows=st.dictionaries(KEYS, st.tuples(st.integers(0, 2), st.sampled_from(["active", "orphaned"]))),
    derive=st.booleans(),
)
def test_the_ordered_diff_decides_what_the_whole_mapping_diff_decides(snapshot, rows, derive):
    """Pairs merged in storage order (`merge_ordered`) give `iter_ordered_diff` the decisions of `diff`, key by key."""
    state = {key: row(key, {"v": v}, status) for key, (v, status) in rows.items()}
    options: dict[str, Any] = {
        "removable": lambda obj: obj.status == "active",
        "removal": lambda key, obj: {"gone": key},
        "kind_for": lambda obj: ChangeKind.UPDATE if obj is not None and obj.active else ChangeKind.CREATE,
    }
    if derive:
        options["desired"] = lambda key, item, obj: {**item, "seen": obj is not None}
    whole = diff(snapshot, state, make, **options)
    desired = sorted(snapshot.items(), key=lambda item: storage_order(item[0]))
    ordered_rows = sorted(state.values(), key=lambda obj: storage_order(obj.key))
    ordered = list(iter_ordered_diff(merge_ordered(desired, ordered_rows), make, **options))
    assert sorted(ordered, key=lambda c: c.key) == sorted(whole, key=lambda c: c.key)
