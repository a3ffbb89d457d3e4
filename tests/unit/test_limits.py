"""Every size limit of the app, exactly at it and one past it: queue messages, bulk calls, attribute values.

(The fail-safe: tests/unit/test_guards.py; Retry-After and retry attempts: tests/integration/test_transport.py;
leases: tests/integration/test_state.py; schedule ranges: tests/unit/test_adf_schedule.py; run retention:
tests/unit/test_report.py; the change feed's overlap: tests/unit/test_changefeed.py.)
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from sync.core.messages import ENVELOPE_MARGIN, MAX_MESSAGE_BYTES, Change, ChangeKind, ChangeMessage, iter_messages
from sync.features.lineage.batch import pack
from sync.features.lineage.graph import Node, column_mapping
from sync.services.purview.client import MAX_ATTRIBUTE_BYTES, MAX_ENTITIES_PER_CALL

PLANNED = datetime(2026, 1, 1, tzinfo=UTC)


def change(key: str, filler: int) -> Change:
    return Change(feature="f", object_kind="k", key=key, kind=ChangeKind.CREATE, desired={"x": "y" * filler})


def message_bytes(*changes: Change) -> int:
    return len(ChangeMessage(run_id="r", planned_at=PLANNED, changes=list(changes)).model_dump_json().encode())


def sized(key: str, total: int) -> Change:
    """A change whose one-change message is exactly `total` bytes."""
    return change(key, total - message_bytes(change(key, 0)))


def test_a_message_of_exactly_the_limit_is_sent_and_one_byte_more_is_refused():
    at_limit = ChangeMessage(run_id="r", planned_at=PLANNED, changes=[sized("a", MAX_MESSAGE_BYTES)])
    assert len(at_limit.to_json().encode()) == MAX_MESSAGE_BYTES
    over = ChangeMessage(run_id="r", planned_at=PLANNED, changes=[sized("a", MAX_MESSAGE_BYTES + 1)])
    with pytest.raises(ValueError, match=f"is {MAX_MESSAGE_BYTES + 1} bytes; messages must stay under"):
        over.to_json()


class Planned(datetime):
    """`datetime.now()` of the messages module fixed at PLANNED, so message sizes are known to the byte."""

    @classmethod
    def now(cls, tz: object = None) -> Planned:
        return cls.fromtimestamp(PLANNED.timestamp(), UTC)


def test_changes_share_a_message_up_to_exactly_the_limit(monkeypatch):
    """Packing keeps ENVELOPE_MARGIN spare (a later timestamp's fraction of a second), so it stops that far short."""
    monkeypatch.setattr("sync.core.messages.datetime", Planned)
    limit = MAX_MESSAGE_BYTES - ENVELOPE_MARGIN
    first = change("a", 1000)
    second = change("b", limit - message_bytes(first, change("b", 0)))
    assert message_bytes(first, second) == limit
    [together] = iter_messages("r", [first, second], max_changes=10)
    assert [c["key"] for c in json.loads(together)["changes"]] == ["a", "b"]
    one_more = change("b", limit - message_bytes(first, change("b", 0)) + 1)
    assert [len(json.loads(m)["changes"]) for m in iter_messages("r", [first, one_more], max_changes=10)] == [1, 1]


@pytest.mark.parametrize(("count", "allowed", "messages"), [(3, 3, 1), (4, 3, 2), (3, 1, 3)])
def test_changes_per_message_stop_at_the_feature_s_maximum(count, allowed, messages):
    changes = [change(str(n), 10) for n in range(count)]
    assert len(list(iter_messages("r", changes, max_changes=allowed))) == messages


def nodes(prefix: str, count: int) -> list[Node]:
    return [Node("cluedin_column", f"{prefix}/{n}") for n in range(count)]


def test_a_bulk_call_carries_exactly_the_entity_limit_and_never_one_more():
    assert MAX_ENTITIES_PER_CALL == 1000
    exact = pack([nodes("a", 600), nodes("b", 400)])
    assert [len(b) for b in exact] == [1000]
    over = pack([nodes("a", 600), nodes("b", 401)])
    assert [len(b) for b in over] == [600, 401]  # a unit is never split


def test_references_already_in_a_batch_do_not_count_twice():
    shared = nodes("a", 999)
    assert [len(b) for b in pack([shared, [*shared[:10], *nodes("b", 1)]])] == [1000]


def pairs_of_size(total: int) -> list[list[str]]:
    """Column pairs whose column mapping is exactly `total` bytes."""
    pairs = [[f"source_{n:04d}", f"sink_{n:04d}"] for n in range(500)]
    size = len(column_mapping("s", "t", pairs)[0].encode())
    while size > total:
        pairs.pop()
        size = len(column_mapping("s", "t", pairs)[0].encode())
    pairs[-1][0] += "x" * (total - size)
    return pairs


def test_a_column_mapping_of_exactly_the_attribute_limit_keeps_every_pair():
    pairs = pairs_of_size(MAX_ATTRIBUTE_BYTES)
    text, kept = column_mapping("s", "t", pairs)
    assert len(text.encode()) == MAX_ATTRIBUTE_BYTES and kept == len(pairs)


def test_a_column_mapping_one_byte_over_the_limit_drops_the_last_pair_only():
    pairs = pairs_of_size(MAX_ATTRIBUTE_BYTES)
    pairs[-1][0] += "x"
    text, kept = column_mapping("s", "t", pairs)
    assert len(text.encode()) <= MAX_ATTRIBUTE_BYTES
    assert kept == len(pairs) - 1
