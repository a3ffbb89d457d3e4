"""Row layout (sync/core/state/rows.py), pure: keys at and past the 512-unit limit, text split at the property limit."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from sync.core.state.rows import (
    HASH_MARK,
    MAX_KEY_UNITS,
    MAX_PROPERTY_CHARS,
    SyncObject,
    _prefix_within,
    chunks,
    encode_key,
    fingerprint,
    get_json,
    get_text,
    put_json,
    put_text,
    quoted,
)
from sync.core.telemetry import in_run

ASTRAL = "\U0001f600"  # two UTF-16 code units


def units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def test_forbidden_characters_are_escaped_readably():
    assert encode_key("a/b\\c#d?e%f\x01g\x7fh\x9fi") == "a%2Fb%5Cc%23d%3Fe%25f%01g%7Fh%9Fi"
    assert encode_key("plain-Key_1.2") == "plain-Key_1.2"


def test_a_key_of_exactly_the_limit_stays_as_it_is_and_one_unit_more_is_hashed():
    exact = "k" * MAX_KEY_UNITS
    assert encode_key(exact) == exact
    over = encode_key("k" * (MAX_KEY_UNITS + 1))
    assert units(over) == MAX_KEY_UNITS and HASH_MARK in over
    prefix, digest = over.split(HASH_MARK)
    assert prefix == "k" * (MAX_KEY_UNITS - len(HASH_MARK) - 32) and len(digest) == 32
    assert encode_key("k" * (MAX_KEY_UNITS + 2)) != over  # the digest is of the whole key


def test_the_limit_counts_utf16_units_and_escapes():
    assert encode_key(ASTRAL * 256) == ASTRAL * 256  # 512 units
    assert HASH_MARK in encode_key(ASTRAL * 256 + "k")
    assert HASH_MARK in encode_key("/" * 171)  # 171 escapes of 3 units: 513


def test_a_long_key_with_a_lone_surrogate_is_escaped_and_hashed_not_refused():
    key = "\ud800" + "k" * MAX_KEY_UNITS  # e.g. a name cut in the middle of a pair by its source
    encoded = encode_key(key)
    assert encoded.startswith("%D800k") and HASH_MARK in encoded and units(encoded) == MAX_KEY_UNITS
    assert encoded.split(HASH_MARK)[1] == hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def test_a_hashed_key_never_ends_in_half_a_surrogate_pair():
    key = "k" * (MAX_KEY_UNITS - len(HASH_MARK) - 32 - 1) + ASTRAL * 30
    prefix = encode_key(key).split(HASH_MARK)[0]
    assert prefix == "k" * (MAX_KEY_UNITS - len(HASH_MARK) - 32 - 1)  # the pair did not fit whole


@pytest.mark.parametrize(
    ("text", "limit", "prefix"),
    [
        ("abc", 3, "abc"),
        ("abc", 2, "ab"),
        ("abc", 0, ""),
        ("a" + ASTRAL + "b", 2, "a"),
        ("a" + ASTRAL, 3, "a" + ASTRAL),
        ("\uffff\uffff", 1, "\uffff"),  # the last character of the basic plane is one unit
        ("\U00010000", 1, ""),  # the first astral one is two
    ],
)
def test_prefix_within_counts_astral_characters_twice(text, limit, prefix):
    assert _prefix_within(text, limit) == prefix


def test_fingerprints_are_canonical_short_and_sensitive():
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
    assert len(fingerprint({})) == 24
    # Stored in every state row: a different serialisation would make every object look changed after an upgrade.
    assert fingerprint({"b": [1, 2], "a": 1}) == hashlib.sha256(b'{"a":1,"b":[1,2]}').hexdigest()[:24]
    assert fingerprint({"at": datetime(2026, 1, 1, tzinfo=UTC)}) == fingerprint({"at": "2026-01-01 00:00:00+00:00"})


def test_text_of_exactly_one_property_is_one_part_and_one_character_more_is_two():
    entity: dict[str, object] = {}
    put_text(entity, "T", "x" * MAX_PROPERTY_CHARS)
    assert entity == {"T": "x" * MAX_PROPERTY_CHARS, "T_parts": 1}
    put_text(entity, "T", "x" * MAX_PROPERTY_CHARS + "y")
    assert (entity["T_parts"], entity["T_1"]) == (2, "y")
    assert get_text(entity, "T") == "x" * MAX_PROPERTY_CHARS + "y"


def test_text_parts_round_trip_and_absent_text_is_none():
    entity: dict[str, object] = {}
    put_text(entity, "T", "abcdefg", size=3)
    assert entity == {"T": "abc", "T_1": "def", "T_2": "g", "T_parts": 3}
    assert get_text(entity, "T") == "abcdefg"
    put_text(entity, "E", "")
    assert (entity["E"], entity["E_parts"], get_text(entity, "E")) == ("", 1, "")
    assert get_text({"Old": "single"}, "Old") == "single"  # rows written before parts were counted
    assert get_text(entity, "Missing") is None


def test_json_round_trips_and_falls_back_to_the_default():
    entity: dict[str, object] = {}
    put_json(entity, "J", {"é": [1, "x"]})
    assert entity["J"] == '{"\\u00e9":[1,"x"]}'  # ASCII: characters are UTF-16 units
    assert get_json(entity, "J", None) == {"é": [1, "x"]}
    assert get_json(entity, "Missing", {"d": 1}) == {"d": 1}
    put_text(entity, "Blank", "")
    assert get_json(entity, "Blank", []) == []
    put_json(entity, "When", {"at": datetime(2026, 1, 1, tzinfo=UTC)})  # what JSON cannot hold is kept as text
    assert get_json(entity, "When", None) == {"at": "2026-01-01 00:00:00+00:00"}


def test_chunks_and_quoting():
    assert [list(c) for c in chunks([1, 2, 3, 4, 5], 2)] == [[1, 2], [3, 4], [5]]
    assert list(chunks([], 3)) == []
    assert quoted("it's") == "it''s"


def test_a_row_round_trips_through_its_entity_form():
    until = datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
    obj = SyncObject(
        kind="k/ind",
        key="a/b" + "x" * 600,
        source={"s": 1},
        target={"t": 2},
        data={"d": 3},
        fingerprint="fp",
        status="active",
        last_run_id="run",
        previous_run_id="run before",
        lease_owner="me",
        lease_until=until,
        updated_at=until,
    )
    entity = obj.to_entity()
    assert entity["PartitionKey"] == "k%2Find" and entity["RowKey"] == encode_key(obj.key)
    assert entity["LeaseUntil"] == until.isoformat() and entity["UpdatedAt"] == until.isoformat()
    back = SyncObject.from_entity("k/ind", entity)
    assert back == obj and back.active


def test_a_row_without_optional_columns_reads_with_defaults():
    back = SyncObject.from_entity("k", {"RowKey": "r"})
    assert (back.key, back.status, back.lease_until, back.updated_at, back.etag) == ("r", "pending", None, None, None)
    assert (back.source, back.target, back.data, back.fingerprint, back.lease_owner) == ({}, {}, {}, "", "")
    assert (back.last_run_id, back.previous_run_id) == ("", "")
    assert not back.active
    assert "LeaseUntil" not in SyncObject(kind="k", key="r").to_entity()


def test_a_row_written_in_a_run_names_it_and_remembers_the_run_before_once():
    row = SyncObject(kind="k", key="a", last_run_id="run-1")
    assert row.to_entity()["LastRunId"] == "run-1"  # no run in scope: written as it was
    with in_run("run-2", "feature") as scope:
        entity = row.to_entity()
        assert (entity["LastRunId"], entity["PreviousRunId"]) == ("run-2", "run-1")
        row.to_entity()  # written again by the same run (a redelivered message): nothing moves
        assert (row.last_run_id, row.previous_run_id) == ("run-2", "run-1")
        SyncObject(kind="k", key="b").to_entity()
    assert scope.previous == {("k", "a"): "run-1", ("k", "b"): ""}  # what rollback restores, per row
    with in_run("run-3", "feature") as later:
        row.to_entity()
    assert (row.last_run_id, row.previous_run_id, later.previous) == ("run-3", "run-2", {("k", "a"): "run-2"})


def test_a_key_of_astral_characters_is_kept_in_parts_a_string_property_can_hold():
    key = ASTRAL * 20_000  # 40,000 UTF-16 units: more than one property's 32K
    entity = SyncObject(kind="k", key=key).to_entity()
    parts = [entity["Key"], *(entity[f"Key_{i}"] for i in range(1, entity["Key_parts"]))]
    assert all(units(part) <= 32 * 1024 for part in parts) and "".join(parts) == key
    assert SyncObject.from_entity("k", entity).key == key
