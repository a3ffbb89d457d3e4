"""Shared objects held by several features (sync/core/ownership.py): who needs which columns, what goes when."""

from __future__ import annotations

import pytest

from sync.core.errors import ContentionError
from sync.core.ownership import SHARED_KIND, Release, SharedObjects, holders, shared_key
from sync.core.state import StateStore, SyncObject


def row(**holding: list[str]) -> SyncObject:
    shared = SyncObject(kind=SHARED_KIND, key=shared_key("cluedin_entity", "cluedin://org/Account"))
    for holder, columns in holding.items():
        SharedObjects.hold(shared, holder, columns)
    return shared


def test_the_key_names_the_type_and_the_qualified_name():
    assert shared_key("cluedin_entity", "cluedin://o/Account") == "cluedin_entity|cluedin://o/Account"


def test_holding_records_sorted_columns_and_returns_what_nobody_needs_any_more():
    shared = row(lineage=["b", "a"], streams=["c"])
    assert shared.status == "active"
    assert holders(shared) == {"lineage": ["a", "b"], "streams": ["c"]}
    assert SharedObjects.hold(shared, "lineage", ["a", "a"]) == ["b"]
    assert SharedObjects.hold(shared, "lineage", ["c"]) == ["a"]  # "c" is still the other holder's
    assert SharedObjects.hold(shared, "streams", []) == []  # "c" is still lineage's
    assert holders(shared) == {"lineage": ["c"], "streams": []}


def test_holding_keeps_the_rest_of_the_row():
    shared = SyncObject(kind=SHARED_KIND, key="k", status="orphaned", data={"other": 1})
    SharedObjects.hold(shared, "lineage", ["x"])
    assert shared.data == {"other": 1, "holders": {"lineage": ["x"]}} and shared.status == "active"


def test_a_holder_letting_go_leaves_only_its_own_columns_to_delete():
    shared = row(lineage=["a", "b"], streams=["b", "c"])
    SharedObjects.remember(shared, "g-entity", {"a": "g-a", "b": "g-b"})
    released = SharedObjects.release(shared, "lineage")
    assert released == Release(object=False, columns=["a"], guids={"a": "g-a"})
    assert holders(shared) == {"streams": ["b", "c"]}
    assert SharedObjects.release(shared, "nobody") == Release(object=False, columns=[], guids={})


def test_the_last_holder_letting_go_deletes_the_object_and_every_column_known_or_held():
    shared = row(lineage=["a", "unknown"])
    SharedObjects.remember(shared, "g-entity", {"a": "g-a", "stale": "g-s"})
    released = SharedObjects.release(shared, "lineage")
    assert released == Release(
        object=True, columns=["a", "stale", "unknown"], guids={"": "g-entity", "a": "g-a", "stale": "g-s"}
    )
    assert holders(shared) == {}


def test_a_column_without_a_known_guid_is_released_with_an_empty_guid():
    shared = row(lineage=["a"], streams=["z"])
    assert SharedObjects.release(shared, "lineage").guids == {"a": ""}
    lone = row(lineage=[])
    assert SharedObjects.release(lone, "lineage") == Release(object=True, columns=[], guids={"": ""})


def test_remembered_guids_keep_what_was_known_and_forget_dropped_columns():
    shared = row(lineage=["a", "b"])
    shared.target = {"kept": True}
    SharedObjects.remember(shared, "g-1", {"a": "g-a", "b": "g-b"})
    SharedObjects.remember(shared, "", {"a": "", "c": "g-c"}, dropped=["b", "never-known"])
    assert shared.target == {"kept": True, "guid": "g-1", "columns": {"a": "g-a", "c": "g-c"}}
    SharedObjects.remember(shared, "g-2", {})
    assert shared.target["guid"] == "g-2"
    fresh = row(lineage=["n"])
    SharedObjects.remember(fresh, "", {"n": ""})  # nothing known yet, nothing assigned
    assert fresh.target == {"guid": "", "columns": {"n": ""}}


def test_rows_are_read_or_made_then_written_or_deleted_by_whether_anyone_holds_them(state: StateStore):
    shared = SharedObjects(state)
    rows = shared.read(["k2", "k1", "k1"])
    assert list(rows) == ["k1", "k2"] and all(r.status == "active" and r.etag is None for r in rows.values())
    SharedObjects.hold(rows["k1"], "lineage", ["a"])
    SharedObjects.hold(rows["k2"], "lineage", ["b"])
    shared.commit(list(rows.values()))

    again = shared.read(["k1", "k2"])
    assert holders(again["k1"]) == {"lineage": ["a"]}
    SharedObjects.release(again["k1"], "lineage")
    shared.commit(list(again.values()))
    assert state.get_object(SHARED_KIND, "k1") is None
    assert state.get_object(SHARED_KIND, "k2") is not None


def test_a_row_changed_by_another_holder_meanwhile_is_contention(state: StateStore):
    shared = SharedObjects(state)
    first = shared.read(["k"])
    SharedObjects.hold(first["k"], "lineage", ["a"])
    shared.commit(list(first.values()))
    mine, theirs = shared.read(["k"]), shared.read(["k"])
    SharedObjects.hold(theirs["k"], "streams", ["b"])
    shared.commit(list(theirs.values()))
    SharedObjects.hold(mine["k"], "lineage", ["a", "c"])
    with pytest.raises(ContentionError):
        shared.commit(list(mine.values()))
    stored = state.get_object(SHARED_KIND, "k")
    assert stored is not None and holders(stored) == {"lineage": ["a"], "streams": ["b"]}
