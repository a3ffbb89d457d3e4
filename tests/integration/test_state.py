"""State in Table Storage (Azurite): ETag-guarded writes, leases, big JSON, cursors, run reports."""

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from azure.data.tables import TableServiceClient

from sync.core.errors import RetriableError
from sync.core.state import StateStore, SyncObject, encode_key, fingerprint, new_run_id, parse_run_id
from sync.core.state.budgets import BudgetLedger
from sync.core.state.leases import CLOCK_SKEW_SECONDS, LEASE_SECONDS


def test_keys_with_forbidden_characters_round_trip(state):
    key = "azure_datalake_gen2_path|https://acct.dfs.core.windows.net/raw/2024/#1?x%20y\\z"
    obj = state.claim("datasource", key, owner="m1")
    obj.status = "active"
    state.release(obj)
    got = state.get_object("datasource", key)
    assert got is not None and got.key == key and got.status == "active"
    assert "/" not in encode_key(key) and "#" not in encode_key(key)
    assert len(encode_key("x" * 5000)) <= 512


def test_large_data_is_split_across_properties(state):
    schema = [{"name": f"column_{i}", "type": "nvarchar(max)"} for i in range(1500)]
    obj = SyncObject(kind="datasource", key="big", data={"schema": schema})
    state.save(obj)
    assert state.get_object("datasource", "big").data["schema"] == schema


def test_stale_etag_is_refused(state):
    first = state.save(SyncObject(kind="k", key="a"))
    second = state.get_object("k", "a")
    first.status = "active"
    state.save(first)
    second.status = "orphaned"
    with pytest.raises(RetriableError):
        state.save(second)


def test_create_race_is_refused(state):
    state.save(SyncObject(kind="k", key="b"))
    with pytest.raises(RetriableError):
        state.save(SyncObject(kind="k", key="b"))


def test_lease_blocks_other_owners_but_not_its_own_invocation(state):
    held = state.claim("k", "c", owner="invocation-1")
    with pytest.raises(RetriableError) as err:
        state.claim("k", "c", owner="invocation-2")
    assert err.value.retry_after and err.value.retry_after > 0
    again = state.claim("k", "c", owner="invocation-1")  # the same invocation, claiming again
    assert again.lease_owner == "invocation-1"
    state.release(again)
    assert state.claim("k", "c", owner="invocation-2").lease_owner == "invocation-2"
    assert held.etag != again.etag


def test_expired_lease_can_be_taken_over(state, clock):
    obj = state.claim("k", "d", owner="crashed")
    assert obj.lease_until > clock.now()
    with pytest.raises(RetriableError):
        state.claim("k", "d", owner="other")
    clock.advance(LEASE_SECONDS + CLOCK_SKEW_SECONDS + 1)  # the holder died: nobody renews its lease
    assert state.claim("k", "d", owner="other").lease_owner == "other"


def test_iter_objects_lists_one_kind(state):
    for i in range(3):
        state.save(SyncObject(kind="a", key=f"x{i}"))
    state.save(SyncObject(kind="b", key="y"))
    assert sorted(o.key for o in state.iter_objects("a")) == ["x0", "x1", "x2"]


def test_cursor_moves_only_from_the_value_it_was_read_at(state):
    assert state.get_cursor("f", "c") == (None, None)
    state.set_cursor("f", "c", {"at": 1}, etag=None)
    value, etag = state.get_cursor("f", "c")
    assert value == {"at": 1}
    state.set_cursor("f", "c", {"at": 2}, etag=etag)
    with pytest.raises(RetriableError):
        state.set_cursor("f", "c", {"at": 3}, etag=etag)


def test_runs_newest_first_found_by_their_keys_and_outcomes(state):
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    r1, r2 = new_run_id("feat", t0), new_run_id("feat", t0 + timedelta(minutes=1))
    assert parse_run_id(r1) == ("feat", t0)
    state.runs.save("feat", r1, t0, {"run_id": r1})
    state.runs.save("feat", r2, t0 + timedelta(minutes=1), {"run_id": r2})
    assert [r["run_id"] for r in state.runs.newest("feat")] == [r2, r1]
    assert state.runs.find(r1) == {"run_id": r1}
    assert state.runs.find(r1, feature="feat") == {"run_id": r1}
    assert state.runs.find(r1, feature="other") is None
    assert state.runs.find("not-a-run") is None
    state.runs.record_outcomes(r2, [("datasource/a", {"result": "applied"}), ("datasource/b", {"result": "failed"})])
    state.runs.record_outcomes(r2, [("datasource/a", {"result": "skipped"})])
    assert sorted(o["result"] for o in state.runs.iter_outcomes(r2)) == ["failed", "skipped"]


def test_a_run_id_is_stamped_in_utc_whatever_the_host_s_zone(monkeypatch):
    """Run ids sort and parse as UTC: a host in another zone (Functions on Linux may set TZ) must not shift them."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        at = datetime(2026, 1, 1, 12, 30, 5, 250000, tzinfo=timezone(timedelta(hours=2)))
        run_id = new_run_id("feat", at)
        assert run_id.startswith("20260101T103005250Z-feat-")
        assert parse_run_id(run_id) == ("feat", at)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_run_reports_past_their_retention_are_deleted_with_their_outcomes(state):
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    old, kept = new_run_id("feat", t0), new_run_id("feat", t0 + timedelta(days=2))
    for run_id, started in ((old, t0), (kept, t0 + timedelta(days=2))):
        state.runs.save("feat", run_id, started, {"run_id": run_id})
        state.runs.record_outcomes(run_id, [("k/a", {"result": "applied"})])
    assert state.runs.prune("feat", older_than=t0 + timedelta(days=1)) == 1
    assert [r["run_id"] for r in state.runs.newest("feat")] == [kept]
    assert list(state.runs.iter_outcomes(old)) == []
    assert len(list(state.runs.iter_outcomes(kept))) == 1
    assert state.runs.prune("feat", older_than=t0 + timedelta(days=1)) == 0


def test_fingerprint_is_order_independent():
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def test_queue_messages_are_base64_on_the_wire_as_the_functions_host_expects(azurite):
    import base64
    import uuid

    from azure.storage.queue import QueueClient

    from sync.core.settings import load_settings
    from sync.core.storage import QueueSender, queue_service

    settings = load_settings({"AzureWebJobsStorage": azurite.connection_string})
    prefix = "wire" + uuid.uuid4().hex[:8]
    QueueSender(queue_service(settings.engine), prefix).send("cluedin", '{"v": 1}')
    raw = QueueClient.from_connection_string(azurite.connection_string, f"{prefix}-cluedin")  # raw wire text
    [message] = list(raw.peek_messages())
    assert base64.b64decode(message.content) == b'{"v": 1}'


# --- many objects at once: reads with their ETags, transactions guarded by them --------------------------------


def test_read_many_finds_the_existing_rows_among_many_keys(state):
    keys = [f"row '{i}' #/?" for i in range(40)]  # more than one filter's worth, with characters to escape
    state.upsert_many([SyncObject(kind="k", key=key, status="active") for key in keys[:30]])
    state.save(SyncObject(kind="other", key=keys[0]))
    found = state.read_many("k", [*keys, keys[0]])
    assert sorted(found) == sorted(keys[:30])
    assert all(obj.etag and obj.status == "active" and obj.kind == "k" for obj in found.values())
    assert state.read_many("k", []) == {}


def test_commit_many_creates_updates_and_deletes_in_one_pass(state):
    state.commit_many([SyncObject(kind="k", key=f"x{i}") for i in range(150)])  # two transactions
    assert state.writes == 150
    rows = state.read_many("k", [f"x{i}" for i in range(150)])
    rows["x0"].status = "active"
    never_written = SyncObject(kind="k", key="ghost")
    state.commit_many([rows["x0"], SyncObject(kind="k", key="new")], [rows["x1"], never_written])
    assert state.get_object("k", "x0").status == "active"
    assert state.get_object("k", "new") is not None
    assert state.get_object("k", "x1") is None
    assert state.writes == 150 + 3


def test_commit_many_refuses_rows_changed_since_they_were_read(state):
    state.commit_many([SyncObject(kind="k", key="a"), SyncObject(kind="k", key="b")])
    read = state.read_many("k", ["a", "b"])
    changed = state.get_object("k", "b")
    changed.status = "orphaned"
    state.save(changed)  # another invocation got there first
    read["a"].status = read["b"].status = "active"
    with pytest.raises(RetriableError):
        state.commit_many([read["a"], read["b"]])
    assert state.get_object("k", "a").status == "pending"  # nothing of the transaction was written
    with pytest.raises(RetriableError):
        state.commit_many([], [read["b"]])
    assert state.get_object("k", "b") is not None


def test_commit_many_refuses_a_row_that_appeared_meanwhile(state):
    state.save(SyncObject(kind="k", key="a"))
    with pytest.raises(RetriableError):
        state.commit_many([SyncObject(kind="k", key="a", status="active"), SyncObject(kind="k", key="c")])
    assert state.get_object("k", "c") is None


def test_upsert_many_and_remove_many_need_no_etag(state):
    state.upsert_many([SyncObject(kind="cache", key=k, data={"v": 1}) for k in ("a", "b", "c")])
    state.upsert_many([SyncObject(kind="cache", key="a", data={"v": 2})])
    assert state.get_object("cache", "a").data == {"v": 2}
    state.remove_many("cache", ["b", "c", "b"])
    assert sorted(o.key for o in state.iter_objects("cache")) == ["a"]


def test_a_projected_read_decodes_only_the_parts_asked_for_and_reads_large_rows_whole(state):
    small = SyncObject(kind="k", key="small", source={"s": 1}, target={"t": 1}, data={"d": 1}, status="active")
    large = SyncObject(kind="k", key="large", target={"t": "x" * 70_000}, data={"d": 2}, status="active")
    state.save(small)
    state.save(large)
    rows = {o.key: o for o in state.iter_objects("k", fields={"target"})}
    assert rows["small"].target == {"t": 1} and rows["small"].data == {} and rows["small"].source == {}
    assert rows["small"].fingerprint == "" and rows["small"].active and rows["small"].etag
    assert rows["large"].target == {"t": "x" * 70_000} and rows["large"].data == {"d": 2}  # read whole
    assert {o.key: o.data for o in state.iter_objects("k")} == {"small": {"d": 1}, "large": {"d": 2}}


def test_each_deployment_keeps_its_own_budget_ledgers(state, azurite):
    """Deployments sharing a storage account (another SYNC prefix) never share a service's budget."""
    other = StateStore(TableServiceClient.from_connection_string(azurite.connection_string), state.prefix + "b")
    other.ensure_tables()
    state.budgets.swap(BudgetLedger(service="purview", start=25.0, rate=25.0))
    assert other.budgets.read("purview") is None
    mine = state.budgets.read("purview")
    assert mine is not None and mine.rate == 25.0


def test_a_planner_s_light_read_returns_a_key_longer_than_one_property_whole(state):
    """Keys over 16,000 characters are stored in parts; a read of only the planner's columns must join them too."""
    long_key = "mssql://server/db/" + "x" * 20_000
    state.save(SyncObject(kind="datasource", key=long_key, fingerprint="fp", data={"name": "n"}))
    state.save(SyncObject(kind="datasource", key="short", fingerprint="fp2"))
    light = {o.key: o for o in state.iter_objects("datasource", fields=("target",))}
    assert set(light) == {long_key, "short"} and light[long_key].fingerprint == "fp"
    assert {o.key for o in state.iter_objects("datasource", fields=())} == {long_key, "short"}
