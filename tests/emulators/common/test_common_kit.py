"""The shared emulator kit: admin API, counters and every kind of injected fault, over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators._common import build_emulator_app, running


class MemoryStore:
    def __init__(self) -> None:
        self.items: dict[str, Any] = {}

    def snapshot(self) -> dict[str, Any]:
        return {"items": dict(self.items)}

    def load(self, data: dict[str, Any]) -> None:
        self.items = dict(data["items"])

    def reset(self) -> None:
        self.items = {}


def error_body(status: int, code: str, message: str, path: str) -> dict[str, Any]:
    return {"errorCode": f"TEST-{status}", "errorMessage": message, "code": code}


@pytest.fixture()
def server():
    store = MemoryStore()

    async def get_item(request: Request) -> Response:
        key = request.path_params["key"]
        if key not in store.items:
            return JSONResponse(error_body(404, "NotFound", key, request.url.path), status_code=404)
        return JSONResponse(store.items[key])

    async def put_item(request: Request) -> Response:
        store.items[request.path_params["key"]] = await request.json()
        return Response(status_code=204)

    async def search(request: Request) -> Response:
        request.state.operation = "search"
        request.state.write = False
        return JSONResponse({"value": list(store.items)})

    app = build_emulator_app(
        routes=[
            Route("/items/{key}", get_item, methods=["GET"]),
            Route("/items/{key}", put_item, methods=["PUT"]),
            Route("/search", search, methods=["POST"]),
        ],
        store=store,
        error_body=error_body,
    )
    with running(app) as emulator:
        yield emulator


def test_counts_reads_and_writes_per_operation(server):
    s = requests.Session()
    assert s.put(f"{server.url}/items/a", json={"v": 1}).status_code == 204
    assert s.get(f"{server.url}/items/a").json() == {"v": 1}
    assert s.get(f"{server.url}/items/zz").status_code == 404
    assert s.post(f"{server.url}/search").json() == {"value": ["a"]}
    stats = s.get(f"{server.url}/_emulator/stats").json()
    assert stats["writes"] == 1
    assert stats["reads"] == 3
    assert stats["operations"]["GET /items/{key}"]["count"] == 2
    assert stats["operations"]["search"] == {"count": 1, "write": False, "statuses": {"200": 1}}
    assert s.delete(f"{server.url}/_emulator/stats").status_code == 204
    assert s.get(f"{server.url}/_emulator/stats").json()["total"] == 0


def test_unknown_route_and_method_use_the_emulator_error_shape(server):
    r = requests.get(f"{server.url}/nope")
    assert r.status_code == 404
    assert r.json()["errorCode"] == "TEST-404"
    r = requests.delete(f"{server.url}/items/a")
    assert r.status_code == 405
    assert r.json()["errorCode"] == "TEST-405"


def test_state_snapshot_load_and_reset(server):
    requests.put(f"{server.url}/items/a", json={"v": 1})
    snap = requests.get(f"{server.url}/_emulator/state").json()
    assert requests.post(f"{server.url}/_emulator/reset").status_code == 204
    assert requests.get(f"{server.url}/items/a").status_code == 404
    assert requests.put(f"{server.url}/_emulator/state", json=snap).status_code == 204
    assert requests.get(f"{server.url}/items/a").json() == {"v": 1}
    bad = requests.put(f"{server.url}/_emulator/state", data=b"{not json")
    assert bad.status_code == 400


def test_throttle_answers_429_with_retry_after_and_the_emulator_error_shape(server):
    r = requests.put(f"{server.url}/_emulator/faults", json={"throttle_ops_per_sec": 2, "throttle_burst": 2})
    assert r.status_code == 200
    statuses = [requests.get(f"{server.url}/items/x").status_code for _ in range(5)]
    assert statuses[:2] == [404, 404]
    assert 429 in statuses[2:]
    r = requests.get(f"{server.url}/items/x")
    if r.status_code == 429:
        assert int(r.headers["Retry-After"]) >= 1
        assert r.json()["errorCode"] == "TEST-429"
    # admin routes are never throttled
    assert all(requests.get(f"{server.url}/_emulator/health").ok for _ in range(5))
    assert requests.get(f"{server.url}/_emulator/stats").json()["faults"]["throttled"] >= 1


def test_fail_next_is_deterministic_and_scoped_by_method(server):
    server.set_faults(fail_next=2, fail_next_status=502, methods=["PUT"])
    assert requests.get(f"{server.url}/items/x").status_code == 404
    assert requests.put(f"{server.url}/items/x", json={}).status_code == 502
    assert requests.put(f"{server.url}/items/x", json={}).status_code == 502
    assert requests.put(f"{server.url}/items/x", json={}).status_code == 204


def test_dropped_connection_happens_before_the_write(server):
    server.set_faults(drop_rate=1.0, methods=["PUT"])
    with pytest.raises(requests.ConnectionError):
        requests.put(f"{server.url}/items/d", json={"v": 1})
    server.clear_faults()
    assert requests.get(f"{server.url}/items/d").status_code == 404


def test_lost_response_happens_after_the_write(server):
    server.set_faults(lose_response_rate=1.0, path_pattern="^/items/l$", methods=["GET"])
    requests.put(f"{server.url}/items/l", json={"v": 2})
    with pytest.raises(requests.RequestException):
        requests.get(f"{server.url}/items/l")
    server.clear_faults()
    assert requests.get(f"{server.url}/items/l").json() == {"v": 2}


def test_fault_settings_are_validated(server):
    r = requests.put(f"{server.url}/_emulator/faults", json={"eror_rate": 0.5})
    assert r.status_code == 400
    assert "eror_rate" in r.json()["error"]["message"]
    r = requests.patch(f"{server.url}/_emulator/faults", json={"error_rate": 2})
    assert r.status_code == 400
