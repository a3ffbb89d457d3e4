"""The shared HTTP transport against a real HTTP server with injected faults (the shared emulator kit)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators._common import build_emulator_app, running
from sync.core.errors import ConflictError, NotFoundError, RetriableError
from sync.services.http import HttpTransport, RateLimiter, RetryPolicy, parse_retry_after

FAST = RetryPolicy(max_attempts=4, backoff_base=0.01, backoff_max=0.05)


class Store:
    def __init__(self) -> None:
        self.posts: list[Any] = []

    def snapshot(self) -> dict[str, Any]:
        return {"posts": self.posts}

    def load(self, data: dict[str, Any]) -> None:
        self.posts = list(data["posts"])

    def reset(self) -> None:
        self.posts = []


def atlas_error(status: int, code: str, message: str, path: str) -> dict[str, Any]:
    return {"requestId": "r", "errorCode": f"ATLAS-{status}-00-001", "errorMessage": message}


@pytest.fixture(scope="module")
def server():
    store = Store()

    async def create(request: Request) -> Response:
        store.posts.append(await request.json())
        return JSONResponse({"n": len(store.posts)})

    async def item(request: Request) -> Response:
        if request.path_params["key"] == "missing":
            return JSONResponse(atlas_error(404, "", "Given instance guid missing is invalid/not found", ""), 404)
        if request.path_params["key"] == "conflict":
            return JSONResponse(atlas_error(409, "", "type exists", ""), 409)
        return JSONResponse({"key": request.path_params["key"]})

    app = build_emulator_app(
        routes=[Route("/things", create, methods=["POST"]), Route("/things/{key}", item, methods=["GET", "PUT"])],
        store=store,
        error_body=atlas_error,
    )
    with running(app) as emulator:
        yield SimpleNamespace(
            url=emulator.url, store=store, set_faults=emulator.set_faults, clear_faults=emulator.clear_faults
        )


@pytest.fixture(autouse=True)
def clean(server):
    server.clear_faults()
    server.store.reset()
    yield
    server.clear_faults()


def transport(server, **kw) -> HttpTransport:
    return HttpTransport("test", server.url, retry=kw.pop("retry", FAST), **kw)


def test_errors_become_typed_service_errors_with_the_service_code(server):
    t = transport(server)
    with pytest.raises(NotFoundError) as err:
        t.request("GET", "/things/missing")
    assert err.value.code == "ATLAS-404-00-001" and "invalid/not found" in str(err.value)
    with pytest.raises(ConflictError):
        t.request("GET", "/things/conflict")


def test_429_is_retried_for_post_after_retry_after_and_pauses_the_shared_limiter(server):
    server.set_faults(fail_next=1, fail_next_status=429, retry_after_seconds=1)
    limiter = RateLimiter(100)
    t = transport(server, rate_limiter=limiter)
    started = time.monotonic()
    response = t.request("POST", "/things", json={"a": 1})
    assert response.json() == {"n": 1}
    assert time.monotonic() - started >= 0.9
    assert t.stats.throttled == 1 and t.stats.retries == 1
    assert server.store.posts == [{"a": 1}]


def test_5xx_is_retried_for_idempotent_requests(server):
    server.set_faults(fail_next=2, fail_next_status=503)
    t = transport(server)
    assert t.request("PUT", "/things/a").json() == {"key": "a"}
    assert t.stats.retries == 2


def test_5xx_on_a_non_idempotent_post_is_not_resent(server):
    server.set_faults(fail_next=1, fail_next_status=502, methods=["POST"])
    t = transport(server)
    with pytest.raises(RetriableError):
        t.request("POST", "/things", json={"a": 1})
    assert t.stats.calls == 1


def test_idempotent_post_is_retried_on_5xx(server):
    server.set_faults(fail_next=1, fail_next_status=500, methods=["POST"])
    t = transport(server)
    assert t.request("POST", "/things", json={"a": 1}, idempotent=True).json() == {"n": 1}


def test_lost_response_on_a_create_raises_instead_of_creating_twice(server):
    server.set_faults(lose_response_rate=1.0, methods=["POST"])
    t = transport(server)
    with pytest.raises(RetriableError):
        t.request("POST", "/things", json={"a": 1})
    assert len(server.store.posts) == 1


def test_dropped_connections_are_retried_for_reads(server):
    server.set_faults(drop_rate=0.5, seed=7)
    t = transport(server, retry=RetryPolicy(max_attempts=10, backoff_base=0.01, backoff_max=0.02))
    for i in range(10):
        assert t.request("GET", f"/things/{i}").json() == {"key": str(i)}
    assert t.stats.retries > 0


def test_gives_up_with_retriable_error_when_5xx_persists(server):
    server.set_faults(error_rate=1.0)
    t = transport(server)
    with pytest.raises(RetriableError):
        t.request("GET", "/things/a")
    assert t.stats.calls == FAST.max_attempts


def test_rate_limiter_keeps_concurrent_callers_under_the_rate():
    limiter = RateLimiter(50, burst=1)
    stamps: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(10):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    span = max(stamps) - min(stamps)
    assert len(stamps) == 40
    assert span >= 39 / 50 * 0.95


def test_retry_after_parsing():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_the_proxy_environment_is_read_once_per_client_not_per_call(monkeypatch):
    """requests re-reads the proxy environment on every call while a session trusts it; ours reads it once."""
    import requests

    from sync.services.http import environment_session

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    session = environment_session("https://acct.purview.azure.com")
    assert session.trust_env is False
    assert session.proxies["https"] == "http://proxy.example:3128"
    assert session.verify == "/etc/ssl/certs/ca-certificates.crt"
    calls = []
    real = requests.sessions.get_environ_proxies
    monkeypatch.setattr(requests.sessions, "get_environ_proxies", lambda *a, **k: calls.append(a) or real(*a, **k))
    settings = session.merge_environment_settings("https://acct.purview.azure.com/x", {}, None, None, None)
    assert calls == [] and settings["proxies"]["https"] == "http://proxy.example:3128"
