"""Lineage records too large for a queue message travel beside it as payload rows (Azurite)."""

from __future__ import annotations

from typing import Any

from sync.core.state import fingerprint
from sync.features.lineage.payloads import (
    INLINE_LIMIT,
    PAYLOAD_KEY,
    PAYLOAD_KIND,
    drop_unused_payloads,
    load_payloads,
    offload,
    write_payloads,
)


def wide_record(name: str) -> dict[str, Any]:
    columns = [f"{name}_column_{i:04d}" for i in range(INLINE_LIMIT // 20)]
    return {"org": "acme", "name": name, "columns": columns}


def test_large_records_become_references_and_come_back_whole(state):
    small = {"org": "acme", "name": "Small.csv", "columns": ["Id"]}
    wide = wide_record("Wide.csv")
    writes = state.writes
    offloaded = offload(state, {"a": {"dataset": small, "ingest": wide}})
    assert state.writes == writes  # planning only reads: the engine writes payloads when it sends
    write_payloads(state, offloaded)
    out = offloaded.records
    assert out["a"]["dataset"] == small
    reference = out["a"]["ingest"]
    assert reference == {PAYLOAD_KEY: fingerprint(wide), "org": "acme", "name": "Wide.csv"}
    assert load_payloads(state, [reference[PAYLOAD_KEY], "missing"]) == {reference[PAYLOAD_KEY]: wide}


def test_payloads_no_longer_referenced_are_dropped_and_unchanged_ones_not_rewritten(state):
    first, second = wide_record("First.csv"), wide_record("Second.csv")
    write_payloads(state, offload(state, {"a": {"dataset": first}, "b": {"dataset": second}}))
    writes = state.writes
    again = offload(state, {"a": {"dataset": first}})
    assert again.new == []
    write_payloads(state, again)
    drop_unused_payloads(state, again)
    assert state.writes == writes + 1  # only the deletion of Second.csv's payload
    assert [o.key for o in state.iter_objects(PAYLOAD_KIND)] == [fingerprint(first)]
    assert load_payloads(state, [fingerprint(second)]) == {}
