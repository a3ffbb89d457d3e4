"""The shared HTTP transport against a real HTTP server with injected faults (the shared emulator kit)."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from email.utils import format_datetime
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from emulators._common import build_emulator_app, running
from sync.core.errors import ConflictError, NotFoundError, RetriableError
from sync.services.http import HttpTransport, RateLimiter, RetryPolicy, parse_retry_after
from sync.services.ratelimit import PausedTooLongError, shared_rate_limiter
from tests.chaos.servers import answer, scripted_server

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


def test_429_is_retried_for_post_after_retry_after_and_pauses_the_shared_limiter(server, clock):
    server.set_faults(fail_next=1, fail_next_status=429, retry_after_seconds=1)
    limiter = RateLimiter(100)
    t = transport(server, rate_limiter=limiter)
    response = t.request("POST", "/things", json={"a": 1})
    assert response.json() == {"n": 1}
    # Slept exactly the Retry-After, then one token's time (the pause drained the bucket): 1/100 s.
    assert clock.slept == [1.0, 0.01]
    assert t.stats.throttled == 1 and t.stats.retries == 1
    assert server.store.posts == [{"a": 1}]


def test_a_429_pauses_every_caller_of_the_shared_limiter_for_exactly_the_retry_after(server, clock):
    server.set_faults(fail_next=1, fail_next_status=429, retry_after_seconds=3)
    limiter = RateLimiter(100)
    throttled = transport(server, rate_limiter=limiter, retry=RetryPolicy(max_attempts=1))
    with pytest.raises(RetriableError) as err:
        throttled.request("POST", "/things", json={"a": 1})
    assert err.value.retry_after == 3.0 and limiter.paused_for() == 3.0 and clock.slept == []

    clock.advance(1.25)
    other = transport(server, rate_limiter=limiter)
    assert other.request("GET", "/things/x").json() == {"key": "x"}
    assert clock.slept == [1.75, 0.01]  # the rest of the pause, then one token
    assert other.stats.waited_seconds == 1.76


def test_a_retry_after_above_the_cap_is_slept_through_by_nobody(server, clock):
    """Retry-After 4 s with a cap of 0.5 s: the throttled call gives up, and so does every caller of its limiter."""
    server.set_faults(fail_next=1, fail_next_status=429, retry_after_seconds=4)
    limiter = RateLimiter(100)
    capped = RetryPolicy(max_attempts=4, backoff_base=0.01, backoff_max=0.05, max_retry_after=0.5)
    t = transport(server, rate_limiter=limiter, retry=capped)
    with pytest.raises(RetriableError) as err:
        t.request("POST", "/things", json={"a": 1})
    assert err.value.retry_after == 4.0 and t.stats.calls == 1 and clock.slept == []
    # The service's wait holds for the whole process, but no caller sits it out: it gives up unsent.
    assert limiter.paused_for() == 4.0
    with pytest.raises(RetriableError) as again:
        t.request("GET", "/things/x")
    assert again.value.retry_after == 4.0 and t.stats.calls == 1 and clock.slept == []
    clock.advance(3.5)  # 0.5 s left: exactly the cap, so it is waited out
    assert t.request("GET", "/things/x").json() == {"key": "x"}
    assert clock.slept == [0.5, 0.01]


def test_a_429_without_retry_after_waits_one_backoff_and_pauses_the_limiter_for_the_same(clock):
    answers = iter([answer(429, b"{}"), answer(200, b'{"n": 1}')])
    with scripted_server(lambda request: next(answers)) as server:
        limiter = RateLimiter(100)
        policy = FixedBackoff(max_attempts=2, backoff_base=0.2)
        t = HttpTransport("test", server.url, rate_limiter=limiter, retry=policy)
        assert t.request("POST", "/things", json={"a": 1}).json() == {"n": 1}
    assert clock.slept == [0.2, 0.01]  # one backoff, and the limiter's pause ended with it


class FixedBackoff(RetryPolicy):
    """The upper bound of each backoff instead of a random share of it, so waits are exact."""

    def backoff(self, attempt: int) -> float:
        ceiling: float = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return ceiling


@pytest.mark.parametrize("attempts", [1, 2, 6])
def test_a_failing_call_is_sent_exactly_max_attempts_times_with_doubling_capped_waits(server, clock, attempts):
    server.set_faults(fail_next=100, fail_next_status=503)
    policy = FixedBackoff(max_attempts=attempts, backoff_base=0.5, backoff_max=2.0)
    t = transport(server, retry=policy)
    with pytest.raises(RetriableError):
        t.request("PUT", "/things/a")
    assert t.stats.calls == attempts and t.stats.retries == attempts - 1
    assert clock.slept == [0.5, 1.0, 2.0, 2.0, 2.0][: attempts - 1]


def test_a_throttled_create_is_resent_until_max_attempts_and_never_processed(server, clock):
    server.set_faults(fail_next=100, fail_next_status=429, retry_after_seconds=1)
    t = transport(server, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(RetriableError) as err:
        t.request("POST", "/things", json={"a": 1})
    assert t.stats.calls == 3 and t.stats.throttled == 3 and clock.slept == [1.0, 1.0]
    assert err.value.retry_after == 1.0 and server.store.posts == []


def test_backoff_is_full_jitter_below_the_doubling_ceiling(monkeypatch):
    bounds: list[tuple[float, float]] = []

    def upper(low: float, high: float) -> float:
        bounds.append((low, high))
        return high

    monkeypatch.setattr("sync.services.http.random.uniform", upper)
    policy = RetryPolicy(backoff_base=0.5, backoff_max=3.0)
    assert [policy.backoff(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]
    assert bounds == [(0, 0.5), (0, 1.0), (0, 2.0), (0, 3.0)]


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


def test_rate_limiter_keeps_concurrent_callers_under_the_rate(clock):
    limiter = RateLimiter(50, burst=1)
    stamps: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(10):
            limiter.acquire()
            with lock:
                stamps.append(clock.monotonic())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stamps) == 40
    # Concurrent sleepers each move the manual clock, so time can only run ahead of the rate, never behind it.
    assert max(stamps) - min(stamps) >= 39 / 50 - 1e-9


def test_rate_limiter_gives_the_burst_at_once_then_one_token_per_interval(clock):
    limiter = RateLimiter(4, burst=2)
    assert [limiter.acquire() for _ in range(4)] == [0.0, 0.0, 0.25, 0.25]
    clock.advance(1.0)  # refills to the burst, not beyond
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 0.25]
    clock.advance(0.125)  # half a token: the wait is for the other half
    assert limiter.acquire() == 0.125


def test_a_slow_limiter_still_allows_one_call_at_once_and_reports_its_pause(clock):
    limiter = RateLimiter(0.5)
    assert limiter.capacity == 1.0
    assert [limiter.acquire(), limiter.acquire()] == [0.0, 2.0]
    assert limiter.paused_for() == 0.0
    clock.advance(10)
    limiter.pause(4)
    clock.advance(1)
    assert limiter.paused_for() == 3.0
    with pytest.raises(PausedTooLongError) as err:
        limiter.acquire(max_pause=2.5)
    assert (err.value.seconds, str(err.value)) == (3.0, "paused for 3.00s more")


def test_one_limiter_per_service_endpoint_renewed_when_its_rate_changes():
    first = shared_rate_limiter("purview:https://a", 25)
    assert shared_rate_limiter("purview:https://a", 25) is first
    assert shared_rate_limiter("purview:https://b", 25) is not first
    faster = shared_rate_limiter("purview:https://a", 50)
    assert faster is not first and faster.rate == 50
    assert shared_rate_limiter("purview:https://a", 50) is faster


def test_retry_after_parsing():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_the_proxy_environment_is_read_once_per_client_not_per_call(monkeypatch):
    """requests re-reads the proxy environment on every call while a session trusts it; ours reads it once."""
    import requests

    from sync.core.sessions import environment_session

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    session = environment_session("https://acct.purview.azure.com")
    assert session.trust_env is False
    assert session.proxies["https"] == "http://proxy.example:3128"
    assert session.verify == "/etc/ssl/certs/ca-certificates.crt"
    calls: list[tuple[Any, ...]] = []
    real = requests.sessions.get_environ_proxies

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(requests.sessions, "get_environ_proxies", counted)
    settings = session.merge_environment_settings("https://acct.purview.azure.com/x", {}, None, None, None)
    assert calls == [] and settings["proxies"]["https"] == "http://proxy.example:3128"


def test_retry_after_as_an_http_date_counts_from_the_clock(clock):
    clock.advance(0)
    when = clock.now().replace(microsecond=0) + timedelta(seconds=90)
    assert parse_retry_after(format_datetime(when, usegmt=True)) == (when - clock.now()).total_seconds()


def test_each_retry_is_logged_at_info_with_its_reason_attempt_and_wait(server, clock, caplog):
    server.set_faults(fail_next=2, fail_next_status=503)
    t = transport(server, retry=FixedBackoff(max_attempts=3, backoff_base=0.5))
    t.request("PUT", "/things/a", operation="things.put")
    retries = [r for r in caplog.records if r.name == "sync.http"]
    assert [r.getMessage() for r in retries] == [
        "test things.put: retrying after 503 (attempt 1, wait 0.50s)",
        "test things.put: retrying after 503 (attempt 2, wait 1.00s)",
    ]
    assert all(r.levelno == logging.INFO for r in retries)
    first = retries[0]
    assert (first.service, first.operation, first.reason, first.attempt) == ("test", "things.put", "503", 1)
    assert (t.stats.calls, t.stats.writes, t.stats.retries, t.stats.waited_seconds) == (3, 3, 2, 1.5)
    assert t.stats.by_operation == {"things.put": 3}
