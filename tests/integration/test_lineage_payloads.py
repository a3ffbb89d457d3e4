"""Lineage records too large for a queue message travel beside it as payload rows (Azurite)."""

from __future__ import annotations

from typing import Any

from sync.core.state import fingerprint
from sync.features.lineage.payloads import INLINE_LIMIT, PAYLOAD_KEY, PAYLOAD_KIND, load_payloads, offload


def wide_record(name: str) -> dict[str, Any]:
    columns = [f"{name}_column_{i:04d}" for i in range(INLINE_LIMIT // 20)]
    return {"org": "acme", "name": name, "columns": columns}


def test_large_records_become_references_and_come_back_whole(state):
    small = {"org": "acme", "name": "Small.csv", "columns": ["Id"]}
    wide = wide_record("Wide.csv")
    out = offload(state, {"a": {"dataset": small, "ingest": wide}})
    assert out["a"]["dataset"] == small
    reference = out["a"]["ingest"]
    assert reference == {PAYLOAD_KEY: fingerprint(wide), "org": "acme", "name": "Wide.csv"}
    assert load_payloads(state, [reference[PAYLOAD_KEY], "missing"]) == {reference[PAYLOAD_KEY]: wide}


def test_payloads_no_longer_referenced_are_dropped_and_unchanged_ones_not_rewritten(state):
    first, second = wide_record("First.csv"), wide_record("Second.csv")
    offload(state, {"a": {"dataset": first}, "b": {"dataset": second}})
    writes = state.writes
    offload(state, {"a": {"dataset": first}})
    assert state.writes == writes + 1  # only the deletion of Second.csv's payload
    assert [o.key for o in state.iter_objects(PAYLOAD_KIND)] == [fingerprint(first)]
    assert load_payloads(state, [fingerprint(second)]) == {}
