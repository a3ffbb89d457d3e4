"""What features publish and remember in state: F1's linked assets, F12's run-once records (on Azurite).

The Data Factory side of run-once is tests/integration/test_adf_provision.py (against the emulator). Here the
factory is a recorder of the queries it is asked, because what matters is the window and the match the recovery
of a started run asks for, which the emulator would answer whatever they are.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sync.core.errors import RetriableError
from sync.core.feature import SyncContext
from sync.core.settings import Settings
from sync.core.state import StateStore, SyncObject
from sync.features.datasources.api import (
    DATASOURCE_KIND,
    LinkedAsset,
    iter_linked_assets,
    linked_assets,
    name_suffix,
)
from sync.features.pipelines.runs import (
    QUERY_MARGIN,
    RUN_KIND,
    RequestInProgressError,
    hold_request,
    run_key,
    run_once,
    start_run_once,
)


def datasource(key: str, *, status: str = "active", source_id: str = "7", **source: Any) -> SyncObject:
    return SyncObject(
        kind=DATASOURCE_KIND,
        key=key,
        status=status,
        source={"typeName": "azure_sql_table", "qualifiedName": f"mssql://srv/db/{key}", **source},
        target={"source_id": source_id} if source_id else {},
        data={"name": key.title(), "schema": [{"name": "Id", "type": "int"}, {"type": "no name"}, {"name": "N"}]},
    )


def test_linked_assets_are_the_active_rows_with_a_data_source(state: StateStore):
    state.save(datasource("linked", source_id="7", guid="g-7"))
    state.save(datasource("orphaned", status="orphaned", source_id="8"))
    state.save(datasource("no-source", source_id=""))
    state.save(datasource("no-name", source_id="9", qualifiedName=""))
    bare = SyncObject(kind=DATASOURCE_KIND, key="bare", status="active", target={"source_id": 10})
    bare.source = {"qualifiedName": "q", "typeName": "azure_datalake_gen2_path"}
    state.save(bare)
    state.save(datasource("zz-after-the-skipped-ones", source_id="11"))
    assert [(a.qualified_name, a.data_source_id) for a in iter_linked_assets(state)] == [
        ("q", "10"),
        ("mssql://srv/db/linked", "7"),
        ("mssql://srv/db/zz-after-the-skipped-ones", "11"),
    ]
    assert list(iter_linked_assets(state))[:2] == [
        LinkedAsset("azure_datalake_gen2_path", "q", "", "10", ()),
        LinkedAsset("azure_sql_table", "mssql://srv/db/linked", "Linked", "7", (("Id", "int"), ("N", "")), "g-7"),
    ]
    assert sorted(linked_assets(state)) == ["10", "11", "7"]


def test_a_name_suffix_is_six_hex_digits_of_the_qualified_name_s_hash():
    assert name_suffix("mssql://srv/db/dbo/Account") == "119d55"


class Runs:
    """A factory that answers run queries from a list and records each window it was asked for."""

    def __init__(self, runs: list[dict[str, Any]]) -> None:
        self.runs = runs
        self.queries: list[tuple[str, datetime, datetime]] = []
        self.created: list[tuple[str, dict[str, str]]] = []
        self.state: StateStore | None = None
        self.rows_at_create: list[SyncObject | None] = []

    def query_runs(self, pipeline: str, after: datetime, before: datetime) -> list[dict[str, Any]]:
        self.queries.append((pipeline, after, before))
        return self.runs

    def create_run(self, pipeline: str, parameters: dict[str, str]) -> str:
        self.created.append((pipeline, parameters))
        if self.state is not None:  # what a crash right now would leave behind
            self.rows_at_create.append(self.state.get_object(RUN_KIND, run_key(pipeline, parameters["requestId"])))
        return "new-run"


def context(state: StateStore, factory: Runs) -> SyncContext:
    ctx = SyncContext(Settings({}), state, queues=None)  # type: ignore[arg-type]
    ctx.provide("datafactory", factory)
    return ctx


def test_a_started_run_is_found_by_its_request_id_within_the_margin_of_its_start(state: StateStore, clock):
    started = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
    factory = Runs(
        [
            {"runId": "other", "parameters": {"requestId": "req-2"}},
            {"runId": "", "parameters": {"requestId": "req-1"}},
            {"parameters": {"requestId": "req-1"}},
            {"runId": "no-parameters"},
            {"runId": "mine", "parameters": {"requestId": "req-1"}},
        ]
    )
    with hold_request(context(state, factory), "pl", "req-1", owner="me") as obj:
        obj.status, obj.data = "starting", {"started_at": started.isoformat()}
        start = run_once(context(state, factory), obj, "pl", "req-1")
    assert (start.run_id, start.request_id, start.started) == ("mine", "req-1", False)
    assert factory.queries == [("pl", started - QUERY_MARGIN, clock.now() + QUERY_MARGIN)]
    assert factory.created == []
    row = state.get_object(RUN_KIND, run_key("pl", "req-1"))
    assert row is not None and (row.status, row.target) == ("active", {"run_id": "mine", "pipeline": "pl"})


@pytest.mark.parametrize("request_id", ["None", "XXXX"])  # ids are 1-128 characters (requests.py)
def test_a_run_without_a_request_id_parameter_is_never_taken_for_a_request(state: StateStore, request_id):
    factory = Runs([{"runId": "someone-elses", "parameters": {}}, {"runId": "bare"}])
    with hold_request(context(state, factory), "pl", request_id, owner="me") as obj:
        obj.status, obj.data = "starting", {"started_at": datetime(2026, 4, 1, tzinfo=UTC).isoformat()}
        start = run_once(context(state, factory), obj, "pl", request_id)
    assert (start.run_id, start.started) == ("new-run", True)


def test_a_request_without_a_found_run_starts_one_and_records_it(state: StateStore):
    factory = Runs([{"runId": "other", "parameters": {"requestId": "req-2"}}])
    with hold_request(context(state, factory), "pl", "req-1", owner="me") as obj:
        obj.status, obj.data = "starting", {"started_at": datetime(2026, 4, 1, tzinfo=UTC).isoformat()}
        start = run_once(context(state, factory), obj, "pl", "req-1")
    assert (start.run_id, start.started) == ("new-run", True)
    assert factory.created == [("pl", {"requestId": "req-1"})]
    row = state.get_object(RUN_KIND, "pl|req-1")
    assert row is not None and row.source == {"pipeline": "pl", "requestId": "req-1"}
    assert (row.status, row.target["run_id"], row.lease_owner) == ("active", "new-run", "")


def test_a_row_not_marked_starting_is_not_searched_for_a_run(state: StateStore):
    factory = Runs([{"runId": "mine", "parameters": {"requestId": "req-1"}}])
    with hold_request(context(state, factory), "pl", "req-1", owner="me") as obj:
        obj.data = {"started_at": datetime(2026, 4, 1, tzinfo=UTC).isoformat()}  # but status is not "starting"
        start = run_once(context(state, factory), obj, "pl", "req-1")
    assert (start.run_id, start.request_id, start.started) == ("new-run", "req-1", True)
    assert factory.queries == []


def test_a_started_run_is_answered_even_if_its_row_cannot_be_updated(state: StateStore, monkeypatch, caplog):
    factory = Runs([])
    with hold_request(context(state, factory), "pl", "req-1", owner="me") as obj:
        ctx = context(state, factory)

        def unavailable(row: SyncObject) -> SyncObject:
            raise RetriableError("storage is busy", service="state storage")

        monkeypatch.setattr(ctx.state, "release", unavailable)
        start = run_once(ctx, obj, "pl", "req-1")
        monkeypatch.undo()
    assert (start.run_id, start.request_id, start.started) == ("new-run", "req-1", True)
    [warning] = [r for r in caplog.records if r.name == "sync.features.pipelines.runs"]
    assert warning.getMessage() == "run new-run of pl started, but its state row could not be updated: storage is busy"


def test_a_recorded_run_is_answered_without_asking_the_factory(state: StateStore):
    factory = Runs([])
    state.save(SyncObject(kind=RUN_KIND, key="pl|req-1", status="active", target={"run_id": "known"}))
    with hold_request(context(state, factory), "pl", "req-1", owner="me") as obj:
        start = run_once(context(state, factory), obj, "pl", "req-1")
    assert (start.run_id, start.request_id, start.started) == ("known", "req-1", False)
    assert factory.queries == [] and factory.created == []


def test_start_run_once_records_its_intent_before_creating_and_answers_a_repeat_with_the_same_run(
    state: StateStore, clock
):
    factory = Runs([])
    factory.state = state
    first = start_run_once(context(state, factory), "pl", "req-1", owner="one")
    [row] = factory.rows_at_create
    assert row is not None and (row.status, row.source) == ("starting", {"pipeline": "pl", "requestId": "req-1"})
    assert row.data == {"started_at": clock.now().isoformat()}
    again = start_run_once(context(state, factory), "pl", "req-1", owner="two")
    assert (first.run_id, first.started, again.run_id, again.started) == ("new-run", True, "new-run", False)
    assert factory.created == [("pl", {"requestId": "req-1"})]
    stored = state.get_object(RUN_KIND, "pl|req-1")
    assert stored is not None and stored.target == {"run_id": "new-run", "pipeline": "pl"}


def test_a_request_still_in_flight_is_answered_409_naming_it(state: StateStore, clock):
    factory = Runs([])
    second = hold_request(context(state, factory), "pl", "req-1", owner="second", wait=1.0)
    with (
        hold_request(context(state, factory), "pl", "req-1", owner="first"),
        pytest.raises(RequestInProgressError) as err,
    ):
        second.__enter__()
    assert err.value.pipeline == "pl" and err.value.request_id == "req-1"
    assert err.value.service == "state storage" and err.value.retry_after is not None
    assert str(err.value) == (
        "request 'req-1' for pipeline pl is still being processed by an earlier call; no second run was started "
        "— retry later for its answer"
    )
