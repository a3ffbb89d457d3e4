"""One Data Factory run per idempotency key under concurrent retries (case 1 of issue 10).

Requests really race: several threads post to the HTTP function served by the local Functions host (a thread pool,
as the Python worker runs sync functions), while the factory's createRun is slow. A retry that overlaps the first
request must wait for it (same run in the answer) or answer 409 naming the request — never start a second run —
and the first caller gets its run, not a 503.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sync.features.pipelines.runs import RUN_KIND, run_key
from tests.support.adf import AdfStack, adf_stack, serve
from tests.support.waiting import wait_until

pytestmark = pytest.mark.chaos
SLOW_CREATE_RUN_MS = 1500


@pytest.fixture()
def api(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator):
    stack = adf_stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator)
    host, close = serve(stack)
    session = requests.Session()
    session.headers["x-functions-key"] = host.function_key
    yield stack, f"{host.http_url}/api/adf/pipelines", session
    close()


def runs_for(stack: AdfStack, request_id: str) -> list[str]:
    """Ids of the runs the factory started for a request id."""
    window = {"lastUpdatedAfter": "2000-01-01T00:00:00Z", "lastUpdatedBefore": "2100-01-01T00:00:00Z"}
    runs = stack.adf.arm("POST", "/queryPipelineRuns", json=window).json()["value"]
    return [r["runId"] for r in runs if (r.get("parameters") or {}).get("requestId") == request_id]


def assert_one_run_per_key(answers: list[requests.Response], run_ids: list[str], request_id: str) -> None:
    """Exactly one run; every answer names it (or is a 409 naming the request); exactly one says it started it."""
    assert len(run_ids) == 1, f"{len(run_ids)} runs started for one idempotency key"
    started = []
    for answer in answers:
        assert answer.status_code in (200, 201, 409), answer.text
        if answer.status_code == 409:
            error = answer.json()["error"]
            assert (error["code"], error["field"]) == ("RequestInProgress", "requestId")
            assert request_id in error["message"] and int(answer.headers["Retry-After"]) >= 1
            continue
        run = answer.json()["run"]
        assert run["runId"] == run_ids[0] and run["requestId"] == request_id
        started.append(run["started"])
    assert started.count(True) == 1


def test_a_retry_during_a_slow_create_run_never_starts_a_second_run(api):
    stack, url, session = api
    identity = stack.add_asset("Account.csv")
    plain = session.post(url, json={"asset": {"guid": identity["guid"]}}, timeout=60)
    assert plain.status_code == 201, plain.text
    pipeline = plain.json()["pipeline"]
    stack.adf.running.set_faults(latency_ms=SLOW_CREATE_RUN_MS, path_pattern="createRun")
    request = {"asset": {"guid": identity["guid"]}, "runNow": True, "requestId": "load-1"}
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(session.post, url, json=request, timeout=120)

        def first_is_in_create_run() -> bool:
            row = stack.state.get_object(RUN_KIND, run_key(pipeline, "load-1"))
            return row is not None and row.status == "starting"

        wait_until(first_is_in_create_run, "the first request to call createRun")
        retry = pool.submit(requests.post, url, json=request, headers=dict(session.headers), timeout=120)
        answers = [first.result(), retry.result()]
    assert answers[0].status_code == 200 and answers[0].json()["run"]["started"] is True  # not a 503
    assert_one_run_per_key(answers, runs_for(stack, "load-1"), "load-1")


def test_concurrent_requests_with_one_key_start_one_run(api):
    stack, url, session = api
    identity = stack.add_asset("Orders.csv")
    stack.adf.running.set_faults(latency_ms=500, path_pattern="createRun")
    request = {"asset": {"guid": identity["guid"]}, "runNow": True}
    barrier = threading.Barrier(4)

    def post() -> requests.Response:
        barrier.wait()
        return requests.post(url, json=request, headers={**session.headers, "Idempotency-Key": "load-2"}, timeout=120)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: post(), range(4)))
    assert_one_run_per_key(answers, runs_for(stack, "load-2"), "load-2")
    assert [a.status_code for a in answers].count(201) <= 1
    pipeline = next(a.json()["pipeline"] for a in answers if a.status_code != 409)
    row = stack.state.get_object(RUN_KIND, run_key(pipeline, "load-2"))
    assert row is not None and row.target["run_id"] == runs_for(stack, "load-2")[0] and not row.lease_owner
