"""The transport against a hostile local socket server: cut bodies, bodies that are not JSON, links to other hosts,
credentials that fail, and a lease lost between two attempts of a create (cases 2, 4 and 8 of issue 10)."""

from __future__ import annotations

import json

import pytest
from azure.core.exceptions import ClientAuthenticationError

from sync.core import fencing
from sync.core.errors import ContentionError, FatalError, PermissionDeniedError, RetriableError
from sync.core.state.leases import LEASE_SECONDS
from sync.services.auth import CredentialAuth, StaticTokenAuth
from sync.services.http import HttpTransport, RetryPolicy
from sync.services.purview.client import PurviewClient
from tests.chaos.servers import Received, Script, answer, chunked_cut, scripted_server

pytestmark = pytest.mark.chaos
FAST = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.02)
CUT = answer(200, b'{"value": [{"id": 1}, {"id"', length=400)
WHOLE = answer(200, json.dumps({"value": [{"id": 1}]}).encode())


def first_cut_then_whole() -> Script:
    calls = {"n": 0}

    def script(request: Received) -> bytes:
        calls["n"] += 1
        return CUT if calls["n"] == 1 else WHOLE

    return script


@pytest.mark.parametrize("cut", [CUT, chunked_cut(b'{"value": [')], ids=["content-length", "chunked"])
def test_a_cut_200_body_is_retried_for_a_read_and_typed_for_a_create(cut):
    with scripted_server(lambda request: cut) as server:
        transport = HttpTransport("cluedin", server.url, retry=FAST)
        with pytest.raises(RetriableError, match="cut off") as read:
            transport.request("GET", "/things")
        assert read.value.service == "cluedin"
        assert len(server.received) == FAST.max_attempts  # a read is safe to repeat
        server.received.clear()
        with pytest.raises(RetriableError, match="outcome unknown"):
            transport.request("POST", "/things", json={"name": "Account.csv"})
        assert len(server.received) == 1  # a create whose answer was cut off is never resent


def test_a_read_whose_body_was_cut_once_succeeds_on_the_next_attempt():
    with scripted_server(first_cut_then_whole()) as server:
        response = HttpTransport("purview", server.url, retry=FAST).request("GET", "/things")
        assert response.json() == {"value": [{"id": 1}]}
        assert len(server.received) == 2


def test_a_200_that_is_not_json_is_a_typed_transient_failure():
    page = answer(200, b"<html><body>Sign in to the proxy</body></html>", content_type="text/html")
    deep = answer(200, b"[" * 5000 + b"]" * 5000)
    for body in (page, deep):

        def script(request: Received, body: bytes = body) -> bytes:
            return body

        with scripted_server(script) as server:
            transport = HttpTransport("datafactory", server.url, retry=FAST)
            with pytest.raises(RetriableError, match="not JSON"):
                transport.request("GET", "/pipelines")
            assert len(server.received) == FAST.max_attempts
            server.received.clear()
            with pytest.raises(RetriableError, match="outcome unknown"):
                transport.request("POST", "/createRun", json={})
            assert len(server.received) == 1


def test_the_bearer_token_goes_only_to_the_configured_host():
    with (
        scripted_server(lambda request: answer(200, b'{"value": []}')) as elsewhere,
        scripted_server(
            lambda request: answer(200, json.dumps({"value": [{"name": "root"}], "nextLink": elsewhere.url}).encode())
        ) as purview,
    ):
        client = PurviewClient(purview.url, StaticTokenAuth("purview-secret-token"), retry=FAST)
        with pytest.raises(FatalError, match="refused to follow a link") as err:
            list(client.iter_collections())
        assert err.value.service == "purview"
        assert elsewhere.received == []  # not even a request without the token
        assert purview.received[0].headers["authorization"] == "Bearer purview-secret-token"


def test_a_same_host_link_is_followed_with_the_token():
    def script(request: Received) -> bytes:
        if "page=2" in request.path:
            return answer(200, json.dumps({"value": [{"name": "b"}]}).encode())
        link = f"http://{request.headers['host']}/account/collections?page=2"
        return answer(200, json.dumps({"value": [{"name": "a"}], "nextLink": link}).encode())

    with scripted_server(script) as purview:
        client = PurviewClient(purview.url, StaticTokenAuth("t"), retry=FAST)
        assert [c["name"] for c in client.iter_collections()] == ["a", "b"]
        assert all(r.headers["authorization"] == "Bearer t" for r in purview.received)


class FailingCredential:
    """An azure-identity credential that cannot produce a token (as DefaultAzureCredential without an identity)."""

    def get_token(self, *scopes: str, **kwargs: object) -> object:
        raise ClientAuthenticationError("DefaultAzureCredential failed to retrieve a token\nAttempted credentials: …")


def test_a_credential_failure_is_a_typed_error_naming_the_service_and_its_settings():
    with scripted_server(lambda request: WHOLE) as server:
        auth = CredentialAuth(
            FailingCredential(),  # type: ignore[arg-type]
            "https://management.azure.com/.default",
            service="datafactory",
            settings=["DATA_FACTORY_CLIENT_ID", "DATA_FACTORY_CLIENT_SECRET"],
        )
        with pytest.raises(PermissionDeniedError) as err:
            HttpTransport("datafactory", server.url, auth=auth, retry=FAST).request("GET", "/pipelines")
        assert err.value.service == "datafactory" and err.value.code == "CredentialFailed"
        assert err.value.settings == ["DATA_FACTORY_CLIENT_ID", "DATA_FACTORY_CLIENT_SECRET"]
        assert "DATA_FACTORY_CLIENT_ID" in str(err.value) and "storage" not in str(err.value)
        assert server.received == []


class Lease:
    """A fence whose lease is lost after `holds` confirmations (another invocation took the object over)."""

    def __init__(self, holds: int) -> None:
        self.holds = holds
        self.checks = 0

    def fence(self) -> float:
        self.checks += 1
        if self.checks > self.holds:
            raise ContentionError("the lease was lost; the call was not sent")
        return LEASE_SECONDS


def test_a_create_is_fenced_before_every_attempt_and_not_sent_once_the_lease_is_lost():
    throttled = answer(429, b'{"error": {"code": "TooManyRequests", "message": "slow down"}}')
    with scripted_server(lambda request: throttled) as server:
        transport = HttpTransport("cluedin", server.url, retry=FAST)
        lease = Lease(holds=1)
        with fencing.fenced(lease), pytest.raises(ContentionError, match="not sent"):
            transport.request("POST", "/graphql", json={"query": "mutation { create }"})
        assert lease.checks == 2 and len(server.received) == 1  # the retry after the 429 was never sent
        server.received.clear()
        with fencing.fenced(Lease(holds=0)), pytest.raises(ContentionError):
            transport.request("POST", "/graphql", json={"query": "mutation { create }"})
        assert server.received == []
        transport.request("GET", "/not-fenced", ok=(429,), expect_json=False)  # reads are never fenced
        with fencing.fenced(Lease(holds=0)):
            transport.request("GET", "/still-not-fenced", ok=(429,), expect_json=False)


def test_waits_and_timeouts_of_a_fenced_call_end_before_the_lease():
    policy = RetryPolicy()
    assert policy.connect_timeout + policy.fenced_read_timeout(LEASE_SECONDS) < LEASE_SECONDS
    assert policy.max_retry_after < LEASE_SECONDS
    too_long = answer(429, b"{}").replace(b"Connection: close", b"Retry-After: 600\r\nConnection: close")
    with scripted_server(lambda request: too_long) as server:
        with pytest.raises(RetriableError) as err:
            HttpTransport("purview", server.url, retry=FAST).request("GET", "/x")
        assert err.value.retry_after == 600 and len(server.received) == 1  # not slept through: given up at once
