"""Any qualifiedName round-trips through state (case 3 of issue 10): 2,000-character names with every character
Table Storage forbids in keys, on Azurite (which refuses keys over 512 UTF-16 code units), and an asset with such a
name synced end to end instead of poisoning a message every cycle."""

from __future__ import annotations

import pytest

from sync.core.messages import Queues
from sync.core.state import SyncObject, encode_key
from sync.core.state.rows import HASH_MARK, MAX_KEY_UNITS
from tests.support.stack import LAKE, SYNC_TERM, build_stack

pytestmark = pytest.mark.chaos
FORBIDDEN = "/\\#?%" + "".join(chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)))
AWKWARD = "'\"+&= ~*%2F%25é中😀"  # quotes, URL-special characters, an escape lookalike, non-Latin and astral


def long_name(tag: str, length: int = 2000) -> str:
    """A qualifiedName-like key of `length` characters containing every forbidden and awkward character."""
    head = f"azure_datalake_gen2_path|{LAKE}/raw/{tag}/{FORBIDDEN}{AWKWARD}/"
    return head + "x" * (length - len(head))


def units(key: str) -> int:
    return len(key.encode("utf-16-le")) // 2


def test_encoded_keys_always_fit_and_never_collide():
    names = [long_name(str(i)) for i in range(3)] + [long_name("0", 1999), "😀" * 600, "%" * 300]
    keys = [encode_key(name) for name in names]
    assert len(set(keys)) == len(keys)
    assert all(units(key) <= MAX_KEY_UNITS for key in keys)
    assert all(not set(key) & set(FORBIDDEN.replace("%", "")) for key in keys)
    assert all(HASH_MARK not in encode_key(name) for name in ("a%~b", FORBIDDEN, "x" * 400))  # short keys: escaped


def test_long_keys_with_every_forbidden_character_round_trip_on_azurite(state):
    names = [long_name("a"), long_name("b"), long_name("c")]
    for name in names:
        obj = state.claim("datasource", name, owner="invocation")
        obj.source = {"qualifiedName": name}
        obj.status = "active"
        state.release(obj)
    got = state.get_object("datasource", names[0])
    assert got is not None and got.key == names[0] and got.source == {"qualifiedName": names[0]}
    assert sorted(o.key for o in state.iter_objects("datasource")) == sorted(names)
    found = state.read_many("datasource", names)
    assert sorted(found) == sorted(names)
    for obj in found.values():
        obj.fingerprint = "new"
    state.commit_many(list(found.values()))
    assert {o.fingerprint for o in state.iter_objects("datasource")} == {"new"}
    state.upsert_many([SyncObject(kind="cache", key=names[1], data={"v": 1})])
    state.remove_many("cache", [names[1]])
    assert state.get_object("cache", names[1]) is None
    state.delete_object("datasource", names[2])
    assert state.get_object("datasource", names[2]) is None
    state.set_cursor("feature", names[0], {"at": 1}, etag=None)
    assert state.get_cursor("feature", names[0])[0] == {"at": 1}
    state.runs.record_outcomes("run", [(f"datasource/{names[0]}", {"result": "applied"})])
    assert [o["result"] for o in state.runs.iter_outcomes("run")] == ["applied"]


def test_a_key_longer_than_a_table_property_round_trips(state):
    huge = "q" * 40_000 + "😀" * 20_000
    state.save(SyncObject(kind="k", key=huge))
    assert state.get_object("k", huge).key == huge


def test_an_asset_with_a_2000_character_qualified_name_is_synced_once(azurite, purview, fresh_cluedin_emulator):
    stack = build_stack(azurite, purview, fresh_cluedin_emulator)
    folder = "deep/" + "/".join(f"level{i:03d}-" + "x" * 40 for i in range(40))
    identity = stack.add_file("Account.csv", folder=folder, terms=[SYNC_TERM])
    assert len(identity["qualifiedName"]) > 2000
    _, outcomes = stack.cycle("datasources")
    assert [o.result for o in outcomes] == ["applied"], [o.detail for o in outcomes]
    assert stack.poison(Queues.CLUEDIN.value) == []
    [row] = stack.state.iter_objects("datasource")
    assert row.source["qualifiedName"] == identity["qualifiedName"] and row.active
    again, _ = stack.cycle("datasources")
    assert again.planned == {}
