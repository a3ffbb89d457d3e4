"""HTTP triggers through a real socket: routes under /api, keys, 404/405, conversions, errors."""

from __future__ import annotations

import logging

import pytest
import requests

from tests.devhost.conftest import HostUnderTest


@pytest.fixture
def web(make_host) -> HostUnderTest:
    target: HostUnderTest = make_host(settings={"DEVHOST_FUNCTION_KEY": "fn-key", "DEVHOST_MASTER_KEY": "master-key"})
    target.host.start(timers=False, queues=False)
    return target


def url(target: HostUnderTest, path: str) -> str:
    return f"{target.host.http_url}/api/{path}"


def test_anonymous_route_with_optional_parameter(web):
    assert requests.get(url(web, "hello/bob"), timeout=5).text == "hello bob"
    assert requests.get(url(web, "hello"), timeout=5).text == "hello world"
    assert requests.get(url(web, "hello?name=ann"), timeout=5).text == "hello ann"
    assert requests.get(url(web, "HELLO/Case"), timeout=5).text == "hello Case"  # literals match case-insensitively


def test_function_level_route_needs_a_function_key(web):
    assert requests.get(url(web, "items/5"), timeout=5).status_code == 401
    assert requests.get(url(web, "items/5?code=wrong"), timeout=5).status_code == 401
    assert requests.get(url(web, "items/5"), headers={"x-functions-key": "wrong"}, timeout=5).status_code == 401
    assert requests.get(url(web, "items/5?code=fn-key"), timeout=5).status_code == 201
    assert requests.get(url(web, "items/5"), headers={"x-functions-key": "fn-key"}, timeout=5).status_code == 201
    assert requests.get(url(web, "items/5?code=master-key"), timeout=5).status_code == 201
    unauthorized = requests.get(url(web, "items/5"), timeout=5)
    assert unauthorized.content == b""
    assert requests.get(url(web, "items/5?code=%C3%BC"), timeout=5).status_code == 401  # non-ASCII key


def test_admin_route_needs_the_master_key(web):
    assert requests.get(url(web, "admin/ping?code=fn-key"), timeout=5).status_code == 401
    assert requests.get(url(web, "admin/ping?code=master-key"), timeout=5).text == "pong"


def test_request_and_response_are_converted_both_ways(web):
    response = requests.put(
        url(web, "items/42?a=1&a=2&b=x"),
        headers={"x-functions-key": "fn-key", "x-probe": "probe"},
        data=b"payload",
        timeout=5,
    )
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-from"] == "item"
    body = response.json()
    assert body == {
        "method": "PUT",
        "id": "42",
        "params": {"a": "1,2", "b": "x"},
        "header": "probe",
        "body": "payload",
        "url": url(web, "items/42?a=1&a=2&b=x"),
    }


def test_unknown_route_is_404_and_wrong_method_is_405(web):
    assert requests.get(url(web, "nothing-here"), timeout=5).status_code == 404
    assert requests.get(f"{web.host.http_url}/hello/bob", timeout=5).status_code == 404  # outside the prefix
    not_allowed = requests.post(url(web, "hello/bob"), timeout=5)
    assert not_allowed.status_code == 405
    assert not_allowed.headers["allow"] == "GET"


def test_route_constraints_and_literal_precedence(web):
    key = {"x-functions-key": "fn-key"}
    assert requests.get(url(web, "items/abc"), headers=key, timeout=5).status_code == 404  # {id:int}
    assert requests.get(url(web, "items/99999999999"), headers=key, timeout=5).status_code == 404  # beyond int32
    assert requests.get(url(web, "items/special"), headers=key, timeout=5).text == "special"


def test_async_function_echoes_binary_body(web):
    payload = bytes(range(256))
    response = requests.post(url(web, "async-echo"), data=payload, timeout=5)
    assert response.status_code == 200
    assert response.content == payload
    assert response.headers["content-type"] == "application/octet-stream"


def test_exception_is_a_500_without_details(web, caplog):
    caplog.set_level(logging.ERROR, logger="devhost.invocation")
    response = requests.get(url(web, "boom"), timeout=5)
    assert response.status_code == 500
    assert "secret" not in response.text
    assert "secret detail that must not leak" in caplog.text  # the log has it


def test_generated_key_when_none_is_configured(make_host):
    target = make_host()
    target.host.start(timers=False, queues=False)
    key = target.host.function_key
    assert len(key) >= 32
    assert requests.get(url(target, f"items/1?code={key}"), timeout=5).status_code == 201
    assert requests.get(url(target, "admin/ping"), headers={"x-functions-key": key}, timeout=5).text == "pong"


def test_route_prefix_from_host_json(make_host):
    from tests.devhost.conftest import FAST_QUEUES

    target = make_host(
        host_json={**FAST_QUEUES, "extensions": {**FAST_QUEUES["extensions"], "http": {"routePrefix": ""}}}
    )
    target.host.start(timers=False, queues=False)
    assert requests.get(f"{target.host.http_url}/hello/x", timeout=5).text == "hello x"
