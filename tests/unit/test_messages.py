"""Queue messages: versioned, size-checked, packed in planner order, malformed ones named precisely."""

import json

import pytest

from sync.core.errors import MalformedMessageError
from sync.core.messages import MAX_MESSAGE_BYTES, Change, ChangeKind, ChangeMessage, pack, pack_messages, parse_message


def change(key: str, size: int = 10) -> Change:
    return Change(feature="f", object_kind="k", key=key, kind=ChangeKind.CREATE, desired={"x": "y" * size})


def test_round_trip():
    text = ChangeMessage(run_id="r", changes=[change("a")]).to_json()
    parsed = parse_message(text.encode())
    assert parsed.changes[0].key == "a" and parsed.run_id == "r"


def test_pack_respects_count_and_size_and_order():
    changes = [change(f"c{i}", 3000) for i in range(40)]
    packed = pack_messages("r", changes, max_changes=100)
    assert all(len(m.encode()) <= MAX_MESSAGE_BYTES for m in packed)
    keys = [c.key for m in packed for c in parse_message(m).changes]
    assert keys == [c.key for c in changes]
    assert len(packed) > 1
    assert len(pack_messages("r", changes[:5], max_changes=1)) == 5
    assert len(pack_messages("r", changes[:5], max_changes=5)) == 1


def test_a_single_oversized_change_is_refused_at_planning():
    with pytest.raises(ValueError, match="messages must stay under"):
        pack_messages("r", [change("big", MAX_MESSAGE_BYTES)], max_changes=1)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1]", "not a JSON object"),
        (json.dumps({"v": 9}).encode(), "unknown message version 9"),
        (json.dumps({"v": 1, "run_id": "r", "changes": []}).encode(), "changes"),
        (json.dumps({"v": 1, "run_id": "r", "changes": [{"feature": "f"}]}).encode(), "changes.0.object_kind"),
    ],
)
def test_malformed_messages_name_the_problem(body, reason):
    with pytest.raises(MalformedMessageError, match=reason):
        parse_message(body)


def test_packed_messages_are_as_full_as_the_size_limit_allows():
    changes = [change(f"c{i}", 1000) for i in range(200)]
    packed = pack_messages("r", changes, max_changes=1000)
    sizes = [len(m.encode()) for m in packed]
    assert all(s <= MAX_MESSAGE_BYTES for s in sizes)
    one_more = len(parse_message(packed[0]).changes) + 1
    bigger = ChangeMessage(run_id="r", changes=changes[:one_more]).model_dump_json()
    assert len(bigger.encode()) > MAX_MESSAGE_BYTES - 16  # the first message could not hold another change


def test_malformed_messages_are_named_exactly_and_briefly():
    with pytest.raises(MalformedMessageError) as not_object:
        parse_message(b"[1]")
    assert str(not_object.value) == "message is not a JSON object"
    with pytest.raises(MalformedMessageError) as version:
        parse_message(json.dumps({"v": "9" * 100}).encode())
    assert str(version.value) == f"unknown message version {repr('9' * 100)[:40]} (this app reads v1)"
    many = {"v": 1, "run_id": "r", "changes": [{"feature": 1} for _ in range(12)]}
    with pytest.raises(MalformedMessageError) as schema:
        parse_message(json.dumps(many).encode())
    assert str(schema.value).count(";") == 9  # the first ten problems only


def test_several_schema_problems_are_listed_in_order_separated_by_semicolons():
    with pytest.raises(MalformedMessageError) as err:
        parse_message(json.dumps({"v": 1, "run_id": 5, "changes": []}).encode())
    assert str(err.value) == (
        "message does not match the change schema: run_id: Input should be a valid string; "
        "changes: List should have at least 1 item after validation, not 0"
    )


def test_a_group_larger_than_a_message_is_split_and_its_later_parts_are_marked():
    third = (MAX_MESSAGE_BYTES - 2000) // 3  # three of these fill a message but for its envelope
    group = [change(f"g{n}", third) for n in range(4)]  # two messages' worth
    packed = pack("r", [change("before"), *group, change("after")], max_changes=100, group=lambda c: c.key[:1])
    assert [([c.key for c in parse_message(p.text).changes], p.continues) for p in packed] == [
        (["before"], False),
        (["g0", "g1", "g2"], False),  # the group starts a message of its own
        (["g3", "after"], True),  # its later part continues it (and what follows fills it up)
    ]
    assert all(len(p.text.encode()) <= MAX_MESSAGE_BYTES for p in packed)
