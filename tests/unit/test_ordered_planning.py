"""Decision 0903: the engine's ordered comparison (storage order, a side out of order refused), packed values, and
the run report's preview of a backfill's many events."""

from __future__ import annotations

import pytest

from sync.core.diff import merge_ordered, storage_order
from sync.core.packed import PackedMap
from sync.core.report import PREVIEW_EVENTS, preview_events
from sync.core.state import SyncObject


def row(key: str) -> SyncObject:
    return SyncObject(kind="k", key=key, status="active")


def test_pairs_come_in_storage_order_with_either_side_missing():
    desired = [("a|1", {"v": 1}), ("a|3", {"v": 3}), ("b|/T", {"v": 4})]
    rows = [row("a|2"), row("a|3"), row("c|9")]
    pairs = [(key, d is not None, r is not None) for key, d, r in merge_ordered(desired, rows)]
    assert pairs == [
        ("a|1", True, False),
        ("a|2", False, True),
        ("a|3", True, True),
        ("b|/T", True, False),
        ("c|9", False, True),
    ]


def test_storage_order_is_the_row_key_order_not_the_key_order():
    keys = ["entity|/A", "entity|-A", "entity|.A"]  # '/' is escaped to '%2F', which sorts before '-' and '.'
    assert sorted(keys, key=storage_order) == ["entity|/A", "entity|-A", "entity|.A"]
    assert sorted(keys) == ["entity|-A", "entity|.A", "entity|/A"]
    merged = [key for key, _, _ in merge_ordered([(k, {}) for k in sorted(keys, key=storage_order)], [])]
    assert merged == ["entity|/A", "entity|-A", "entity|.A"]


def test_a_side_out_of_order_is_refused_rather_than_planned():
    with pytest.raises(ValueError, match="desired objects out of storage order"):
        list(merge_ordered([("b", {}), ("a", {})], []))
    with pytest.raises(ValueError, match="state rows out of storage order"):
        list(merge_ordered([], [row("b"), row("b")]))


def test_packed_values_compare_without_decoding_and_decode_as_they_were():
    first: PackedMap[dict[str, int]] = PackedMap(dict, dict)
    second: PackedMap[dict[str, int]] = PackedMap(dict, dict)
    first.put("x", {"b": 2, "a": 1})
    second.put("x", {"a": 1, "b": 2})
    assert first.same("x", second) and first["x"] == {"a": 1, "b": 2}
    second.put("x", {"a": 1, "b": 3})
    assert not first.same("x", second)
    assert first.same("absent", second) and "absent" not in first and len(first) == 1


def test_a_run_report_keeps_a_preview_of_many_events():
    events = [f"Data set 'file{i:05d}.csv' added in CluedIn" for i in range(PREVIEW_EVENTS + 7)]
    kept = preview_events(events)
    assert kept[:PREVIEW_EVENTS] == events[:PREVIEW_EVENTS]
    assert kept[PREVIEW_EVENTS:] == ["… and 7 more events (each one logged)"]
    assert preview_events(events[:3]) == events[:3]
