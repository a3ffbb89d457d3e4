"""The transport's pure rules (sync/services/http.py): error shapes, origins, which failures can be resent, timeouts.

Requests over real HTTP are tests/integration/test_transport.py and tests/chaos/test_transport_chaos.py.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from sync.core import fencing
from sync.core.errors import (
    ConflictError,
    FatalError,
    NotFoundError,
    PermissionDeniedError,
    RetriableError,
    ServiceError,
)
from sync.core.telemetry import collect_calls
from sync.services.http import (
    FENCED_CALL_MARGIN_SECONDS,
    HttpTransport,
    RateLimiter,
    RetryPolicy,
    _is_connect_failure,
    _never_sent,
    _origin,
    default_error_parser,
)
from tests.chaos.servers import Received, answer, scripted_server


def response(status: int, body: Any = None, *, text: str | None = None) -> requests.Response:
    answer = requests.Response()
    answer.status_code = status
    answer._content = (text if text is not None else json.dumps(body)).encode()
    return answer


@pytest.mark.parametrize(
    ("body", "parsed"),
    [
        ({"errorCode": "ATLAS-404-00-005", "errorMessage": "gone"}, ("ATLAS-404-00-005", "gone")),
        ({"errorCode": "E"}, ("E", "")),
        ({"error": {"code": "NotFound", "message": "no such pipeline"}}, ("NotFound", "no such pipeline")),
        ({"error": {"message": "no code"}}, ("409", "no code")),
        ({"error": {}}, ("409", "")),
        ({"error": "invalid_grant", "error_description": "expired"}, ("invalid_grant", "expired")),
        ({"error": "invalid_grant", "message": "msg"}, ("invalid_grant", "msg")),
        ({"error": "invalid_grant"}, ("invalid_grant", "")),
        ({"message": "plain", "code": "C1"}, ("C1", "plain")),
        ({"message": "plain"}, ("409", "plain")),
        ({"other": 1}, ("409", "{'other': 1}")),
        ([1, 2], ("409", "[1, 2]")),
    ],
)
def test_every_error_shape_gives_its_code_and_message(body, parsed):
    assert default_error_parser(response(409, body)) == parsed


def test_a_body_that_is_not_json_gives_the_status_and_the_start_of_the_text():
    assert default_error_parser(response(502, text="<html>" + "x" * 400)) == ("502", ("<html>" + "x" * 400)[:300])
    assert default_error_parser(response(500, {"message": "y" * 400, "code": 1}))[1] == "y" * 400
    assert default_error_parser(response(500, "z" * 400)) == ("500", "z" * 300)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Acct.Purview.Azure.com/x?y", "https://acct.purview.azure.com:443"),
        ("http://host/x", "http://host:80"),
        ("http://host:8080", "http://host:8080"),
        ("ftp://host/x", "ftp://host:0"),
        ("https:///x", "https://:443"),  # no host at all
    ],
)
def test_origins_make_default_ports_explicit_and_ignore_case(url, origin):
    assert _origin(url) == origin


def test_links_are_followed_only_on_the_configured_origin():
    transport = HttpTransport("purview", "https://acct.purview.azure.com/")
    assert transport.base_url == "https://acct.purview.azure.com"
    assert transport.url_for("/datamap/api") == "https://acct.purview.azure.com/datamap/api"
    assert transport.url_for("https://ACCT.purview.azure.com:443/next") == "https://ACCT.purview.azure.com:443/next"
    for elsewhere in (
        "https://evil.example/next",
        "http://acct.purview.azure.com/next",
        "https://acct.purview.azure.com:8443/",
    ):
        with pytest.raises(FatalError, match="refused to follow a link to") as err:
            transport.url_for(elsewhere)
        assert err.value.service == "purview"
    assert str(err.value) == (
        "purview: refused to follow a link to https://acct.purview.azure.com:8443, which is not the configured "
        "https://acct.purview.azure.com:443 (its token is only sent there)"
    )


@pytest.mark.parametrize(
    ("error", "never_sent"),
    [
        (requests.exceptions.InvalidURL("bad"), None),
        (requests.exceptions.MissingSchema("bad"), None),
        (requests.exceptions.InvalidSchema("bad"), None),
        (requests.exceptions.InvalidHeader("bad"), None),
        (requests.exceptions.URLRequired("bad"), None),
        (requests.exceptions.TooManyRedirects("loop"), None),
        (requests.ConnectTimeout("slow to connect"), True),
        (requests.ConnectionError("NewConnectionError: failed"), True),
        (requests.ConnectionError("[Errno 111] Connection refused"), True),
        (requests.ConnectionError("NameResolutionError: no such host"), True),
        (requests.ConnectionError("Connection reset by peer"), False),
        (requests.ReadTimeout("slow to answer"), False),
        (requests.exceptions.ChunkedEncodingError("cut"), False),
    ],
)
def test_only_a_connection_never_opened_is_known_unsent(error, never_sent):
    assert _never_sent(error) is never_sent


def test_connect_failures_are_recognised_by_their_markers_only():
    assert _is_connect_failure(Exception("NewConnectionError"))
    assert not _is_connect_failure(Exception("RemoteDisconnected"))


@pytest.mark.parametrize(
    ("budget", "read_timeout"),
    [
        (60.0, 45.0),  # 60 - connect 10 - margin 5
        (200.0, 100.0),  # never more than the normal read timeout
        (16.0, 1.0),  # never less than a second
        (15.0, 1.0),
        (0.0, 1.0),
    ],
)
def test_a_fenced_attempt_ends_before_its_lease_could(budget, read_timeout):
    policy = RetryPolicy()
    assert FENCED_CALL_MARGIN_SECONDS == 5.0
    assert policy.fenced_read_timeout(budget) == read_timeout


def test_the_default_policy():
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.backoff_base, policy.backoff_max) == (6, 0.5, 30.0)
    assert (policy.max_retry_after, policy.connect_timeout, policy.read_timeout) == (30.0, 10.0, 100.0)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, ServiceError),
        (401, PermissionDeniedError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (412, ConflictError),
        (413, ServiceError),
    ],
)
def test_a_refusal_becomes_the_typed_error_of_its_status_naming_the_call(status, kind):
    refusal = answer(status, b'{"error": {"code": "C", "message": "m"}}')
    with scripted_server(lambda request: refusal) as server:
        transport = HttpTransport("test", server.url, retry=RetryPolicy(max_attempts=1))
        with pytest.raises(ServiceError) as err:
            transport.request("GET", "/things?page=2", operation="things.list")
    assert type(err.value) is kind
    assert str(err.value) == f"test things.list → {status} C: m"
    assert (err.value.service, err.value.status, err.value.code, err.value.detail) == ("test", status, "C", "m")


def test_a_request_that_cannot_be_sent_is_fatal_and_named():
    transport = HttpTransport("test", "http://127.0.0.1:9")
    with pytest.raises(FatalError) as err:
        transport.request("GET", "/x", headers={"X-Bad": "line\nbreak"})
    assert str(err.value) == "test GET /x: the request is invalid (InvalidHeader)"
    assert err.value.service == "test"


def test_a_connection_never_opened_and_an_answer_lost_are_told_apart(caplog):
    closed = HttpTransport("test", "http://127.0.0.1:9", retry=RetryPolicy(max_attempts=1))
    with pytest.raises(RetriableError) as refused:
        closed.request("GET", "/x")
    assert str(refused.value) == "test GET /x: ConnectionError: connection failed"
    with scripted_server(lambda request: b"") as server:  # reads the request, closes without an answer
        lost = HttpTransport("test", server.url, retry=RetryPolicy(max_attempts=3, backoff_base=0.001))
        with pytest.raises(RetriableError) as unknown:
            lost.request("POST", "/create", json={})
        assert len(server.received) == 1  # a create whose answer was lost is not sent again
        with pytest.raises(RetriableError):
            lost.request("GET", "/read", operation="read")
        assert len(server.received) == 4  # a read is
    assert str(unknown.value) == "test POST /create: ConnectionError: the answer was lost or cut off; outcome unknown"
    retries = [r for r in caplog.records if r.name == "sync.http"]
    assert [(r.operation, r.reason) for r in retries] == [("read", "ConnectionError")] * 2


def test_only_post_and_patch_are_taken_as_non_idempotent_and_only_reads_as_no_writes():
    unavailable = answer(503, b"{}")
    with scripted_server(lambda request: unavailable) as server:
        transport = HttpTransport("test", server.url, retry=RetryPolicy(max_attempts=2, backoff_base=0.001))
        sent: dict[str, int] = {}
        for method in ("patch", "POST", "PUT", "DELETE", "GET", "HEAD"):
            before = len(server.received)
            with pytest.raises(RetriableError):
                transport.request(method, "/x")
            sent[method.upper()] = len(server.received) - before
    assert sent == {"PATCH": 1, "POST": 1, "PUT": 2, "DELETE": 2, "GET": 2, "HEAD": 2}  # a 503 may have been processed
    assert {r.method for r in server.received} == {"PATCH", "POST", "PUT", "DELETE", "GET", "HEAD"}
    assert (transport.stats.calls, transport.stats.writes) == (10, 6)  # PATCH, POST, PUT twice, DELETE twice


def test_a_call_is_named_by_its_path_without_the_query():
    with scripted_server(lambda request: answer(400, b'{"message": "bad page"}')) as server:
        transport = HttpTransport("test", server.url, retry=RetryPolicy(max_attempts=1))
        with pytest.raises(ServiceError) as err:
            transport.request("GET", "/things?q=why? &page=2")  # a query may hold `?`
    assert str(err.value) == "test GET /things → 400 400: bad page"
    assert transport.stats.by_operation == {"GET /things": 1}


@pytest.mark.parametrize(
    ("body", "expect_json"),
    [(b"", True), (b"plain text", False), (b"", False)],
    ids=["empty", "not-json-not-expected", "empty-not-expected"],
)
def test_a_body_is_parsed_only_when_json_is_expected_and_there_is_one(body, expect_json):
    with scripted_server(lambda request: answer(200, body, content_type="text/plain")) as server:
        transport = HttpTransport("test", server.url, retry=RetryPolicy(max_attempts=3, backoff_base=0.001))
        response = transport.request("GET", "/x", expect_json=expect_json)
        assert response.content == body and len(server.received) == 1  # taken as it is, not retried


def test_query_parameters_are_sent():
    with scripted_server(lambda request: answer(200, b"{}")) as server:
        HttpTransport("test", server.url).request("GET", "/things", params=[("tag", "a"), ("tag", "b")])
    assert [r.path for r in server.received] == ["/things?tag=a&tag=b"]


def test_an_answer_that_never_comes_ends_at_the_read_timeout():
    release = threading.Event()

    def silent(request: Received) -> bytes:
        release.wait(30)  # answers only once the test is over (or far past the timeout)
        return answer(200, b"{}")

    try:
        with scripted_server(silent) as server:
            transport = HttpTransport("test", server.url, retry=RetryPolicy(max_attempts=1, read_timeout=0.2))
            with pytest.raises(RetriableError) as err:
                transport.request("GET", "/slow")
    finally:
        release.set()
    assert str(err.value) == "test GET /slow: ReadTimeout: the answer was lost or cut off; outcome unknown"


def test_a_success_whose_body_is_not_json_is_retried_for_a_read_and_its_outcome_unknown_for_a_create(caplog):
    page = answer(200, b"<html>Sign in to the proxy</html>", content_type="text/html")
    with scripted_server(lambda request: page) as server:
        transport = HttpTransport("test", server.url, retry=RetryPolicy(max_attempts=2, backoff_base=0.001))
        with pytest.raises(RetriableError) as read:
            transport.request("GET", "/page")
        with pytest.raises(RetriableError) as create:
            transport.request("POST", "/things", json={})
    assert [r.method for r in server.received] == ["GET", "GET", "POST"]
    assert str(read.value) == "test GET /page → 200 with a body that is not JSON (cut off or not from the service)"
    assert str(create.value) == (
        "test POST /things → 200 with a body that is not JSON (cut off or not from the service); outcome unknown"
    )
    assert (read.value.service, create.value.service) == ("test", "test")
    [retry] = [r for r in caplog.records if r.name == "sync.http"]
    assert retry.getMessage().startswith("test GET /page: retrying after a body that is not JSON (attempt 1, wait ")
    assert (retry.operation, retry.reason) == ("GET /page", "a body that is not JSON")


def test_a_retry_after_of_exactly_the_cap_is_waited_out(clock):
    throttled = answer(429, b"{}").replace(b"Connection: close", b"Retry-After: 2\r\nConnection: close")
    answers = iter([throttled, answer(200, b'{"n": 1}')])
    with scripted_server(lambda request: next(answers)) as server:
        transport = HttpTransport("test", server.url, retry=RetryPolicy(max_attempts=2, max_retry_after=2.0))
        assert transport.request("GET", "/x").json() == {"n": 1}
    assert clock.slept == [2.0] and len(server.received) == 2


def test_a_transient_failure_not_resent_names_the_call_and_the_service_s_error():
    unavailable = answer(503, b'{"error": {"code": "Busy", "message": "try later"}}')
    with scripted_server(lambda request: unavailable) as server:
        transport = HttpTransport("test", server.url, retry=RetryPolicy(max_attempts=3))
        with pytest.raises(RetriableError) as err:
            transport.request("POST", "/things", json={})
    assert str(err.value) == "test POST /things → 503 Busy: try later"
    assert (err.value.service, err.value.retry_after, len(server.received)) == ("test", None, 1)


def test_a_run_counts_its_calls_under_the_service_s_name():
    with scripted_server(lambda request: answer(200, b"{}")) as server, collect_calls() as calls:
        HttpTransport("test", server.url).request("GET", "/x", operation="x.read")
    assert list(calls) == ["test"] and (calls["test"].calls, calls["test"].by_operation) == (1, {"x.read": 1})


def test_the_connection_pool_holds_as_many_connections_as_concurrent_callers():
    transport = HttpTransport("test", "https://acct.purview.azure.com/catalogX/")
    assert transport.url_for("/a") == "https://acct.purview.azure.com/catalogX/a"
    for scheme in ("http://", "https://"):
        adapter = transport.session.get_adapter(f"{scheme}acct.purview.azure.com")
        assert isinstance(adapter, HTTPAdapter)
        pools = vars(adapter)  # requests keeps the sizes it was built with (what it pickles)
        assert (pools["_pool_connections"], pools["_pool_maxsize"], adapter.max_retries.total) == (32, 32, 0)


def test_a_caller_facing_a_longer_pause_than_the_cap_gives_up_unsent_naming_the_wait(clock):
    limiter = RateLimiter(100)
    limiter.pause(40)
    with scripted_server(lambda request: answer(200, b"{}")) as server:
        transport = HttpTransport("test", server.url, rate_limiter=limiter)
        with pytest.raises(RetriableError) as err:
            transport.request("GET", "/x")
    assert str(err.value) == (
        "test GET /x: throttled; the service asked every caller to wait 40s more, longer than 30s (not sent)"
    )
    assert (err.value.service, err.value.retry_after, server.received) == ("test", 40.0, [])


class ShortLease:
    """A fence whose lease has 16 s left: a create's attempt must end within 1 s (16 - connect 10 - margin 5)."""

    def fence(self) -> float:
        return 16.0


def test_a_fenced_create_stops_waiting_for_its_answer_before_the_lease_could_end():
    release = threading.Event()

    def silent(request: Received) -> bytes:
        release.wait(30)
        return answer(200, b"{}")

    try:
        with scripted_server(silent) as server, fencing.fenced(ShortLease()):
            transport = HttpTransport("test", server.url, retry=RetryPolicy(max_attempts=1))
            with pytest.raises(RetriableError) as err:
                transport.request("POST", "/create", json={})
    finally:
        release.set()
    assert str(err.value) == "test POST /create: ReadTimeout: the answer was lost or cut off; outcome unknown"


def test_a_client_uses_the_proxy_the_environment_names_for_its_own_host(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "cluedin.internal")
    assert HttpTransport("p", "https://acct.purview.azure.com").session.proxies["https"] == "http://proxy.example:3128"
    assert "https" not in HttpTransport("c", "https://cluedin.internal").session.proxies


@pytest.mark.parametrize(
    ("requests_bundle", "curl_bundle", "verify"),
    [("/r.pem", None, "/r.pem"), (None, "/c.pem", "/c.pem"), ("/r.pem", "/c.pem", "/r.pem"), (None, None, True)],
)
def test_the_ca_bundle_is_requests_own_else_curl_s(monkeypatch, requests_bundle, curl_bundle, verify):
    for name, value in (("REQUESTS_CA_BUNDLE", requests_bundle), ("CURL_CA_BUNDLE", curl_bundle)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert HttpTransport("p", "https://acct.purview.azure.com").session.verify == verify
