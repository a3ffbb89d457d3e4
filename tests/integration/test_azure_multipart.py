"""Table transactions prepare their parts in the caller's thread (sync/core/azure_multipart.py), with the same result.

azure-core starts two thread pools per entity-group transaction; the app replaces that step. These tests hold the
replacement to azure-core's own: the same bytes on the wire for the same parts, a real transaction against Azurite
that starts no thread, and a failing part policy that still fails the request.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.core.pipeline.transport import HttpRequest

from sync.core import azure_multipart
from sync.core.errors import ContentionError
from sync.core.state import StateStore, SyncObject


class _Stamp(SansIOHTTPPolicy[Any, Any]):
    """A part policy like the Tables SDK's StorageHeadersPolicy: headers only."""

    def on_request(self, request: Any) -> None:
        request.http_request.headers["x-ms-date"] = "Thu, 03 Dec 2026 19:00:00 GMT"
        request.http_request.headers["x-part"] = str(request.http_request.url).rsplit("/", 1)[-1]


class _Broken(SansIOHTTPPolicy[Any, Any]):
    def on_request(self, request: Any) -> None:
        raise ValueError("part policy failed")


def _transaction(policy: SansIOHTTPPolicy[Any, Any]) -> HttpRequest:
    """A batch holding a changeset of three operations, shaped as azure-data-tables builds one."""
    parts = [HttpRequest("PATCH", f"http://127.0.0.1:10002/devstoreaccount1/t(PartitionKey='p',RowKey='{i}')")
             for i in range(3)]  # fmt: skip
    for part in parts:
        part.set_json_body({"RowKey": part.url[-3]})
    changeset = HttpRequest("POST", None)  # type: ignore[arg-type]
    changeset.set_multipart_mixed(*parts, policies=[policy], boundary="changeset_fixed")
    batch = HttpRequest("POST", "http://127.0.0.1:10002/devstoreaccount1/$batch")
    batch.set_multipart_mixed(changeset, policies=[policy], enforce_https=False, boundary="batch_fixed")
    return batch


def _their_body(request: HttpRequest) -> bytes:
    """The body azure-core itself writes: its own helper for the batch and for the changeset inside it."""
    import azure.core.pipeline.transport._base as transport_module

    installed = transport_module._prepare_multipart_body_helper  # type: ignore[attr-defined]
    transport_module._prepare_multipart_body_helper = azure_multipart.ORIGINAL_BODY  # type: ignore[attr-defined]
    try:
        azure_multipart.ORIGINAL_BODY(request)
    finally:
        transport_module._prepare_multipart_body_helper = installed  # type: ignore[attr-defined]
    assert isinstance(request.body, bytes)
    return request.body


def test_in_line_preparation_gives_azure_core_s_bytes():
    ours, theirs = _transaction(_Stamp()), _transaction(_Stamp())
    azure_multipart.prepare_multipart_in_line(ours)
    azure_multipart._ORIGINAL.__func__(theirs)
    azure_multipart.multipart_body_in_line(ours)
    assert isinstance(ours.body, bytes) and ours.body == _their_body(theirs)
    assert ours.headers["Content-Type"] == theirs.headers["Content-Type"] == "multipart/mixed; boundary=batch_fixed"
    assert b"x-part: t(PartitionKey='p',RowKey='1')" in ours.body and b"x-ms-date" in ours.body


@pytest.mark.parametrize(
    "body",
    [
        {"RowKey": "x", "data": "a" * 70_000},  # long lines are not folded
        {"RowKey": "x", "text": "line\\nbreak --changeset_fixed"},  # a boundary-like text inside a body
        {},
        None,
    ],
)
def test_the_body_is_azure_core_s_for_any_part(body: Any):
    def build() -> HttpRequest:
        parts = [HttpRequest("DELETE", "http://127.0.0.1:10002/devstoreaccount1/t(PartitionKey='p',RowKey='d')")]
        parts.append(HttpRequest("PUT", "http://127.0.0.1:10002/devstoreaccount1/t(PartitionKey='p',RowKey='x')"))
        if body is not None:
            parts[1].set_json_body(body)
        parts[0].headers["If-Match"] = "W/\"datetime'2026-12-03T19%3A00%3A00.0000000Z'\""
        changeset = HttpRequest("POST", None)  # type: ignore[arg-type]
        changeset.set_multipart_mixed(*parts, policies=[], boundary="changeset_7e1")
        batch = HttpRequest("POST", "http://127.0.0.1:10002/devstoreaccount1/$batch")
        batch.set_multipart_mixed(changeset, policies=[], enforce_https=False, boundary="batch_7e1")
        return batch

    ours, theirs = build(), build()
    assert azure_multipart.multipart_body_in_line(ours) == 2
    assert ours.body == _their_body(theirs)


def test_a_request_without_a_boundary_is_left_to_azure_core():
    request = HttpRequest("POST", "http://127.0.0.1:10002/devstoreaccount1/$batch")
    request.set_multipart_mixed(HttpRequest("DELETE", "http://127.0.0.1:10002/devstoreaccount1/t()"), policies=[])
    azure_multipart.multipart_body_in_line(request)
    assert isinstance(request.body, bytes) and request.body.startswith(b"--=====")


def test_a_failing_part_policy_still_fails_the_request():
    with pytest.raises(ValueError, match="part policy failed"):
        azure_multipart.prepare_multipart_in_line(_transaction(_Broken()))


def test_a_plain_request_is_left_alone():
    request = HttpRequest("GET", "http://127.0.0.1:10002/devstoreaccount1/t()")
    azure_multipart.prepare_multipart_in_line(request)
    assert azure_multipart.multipart_body_in_line(request) == 0
    assert request.body is None


def test_the_app_s_transactions_start_no_thread(state: StateStore, monkeypatch: pytest.MonkeyPatch):
    assert azure_multipart.installed()  # importing the state store installs it
    started: list[str] = []
    original = threading.Thread.start

    def counting_start(thread: threading.Thread) -> None:
        started.append(thread.name)
        original(thread)

    monkeypatch.setattr(threading.Thread, "start", counting_start)
    rows = [SyncObject("multipart", f"row-{i:03d}", data={"i": i}, status="active") for i in range(150)]
    state.upsert_many(rows)  # two entity-group transactions (100 + 50 operations)
    monkeypatch.setattr(threading.Thread, "start", original)
    assert started == []
    assert sum(1 for _ in state.iter_objects("multipart")) == 150


def _answers(parts: list[Any]) -> list[tuple[int, dict[str, str], bytes]]:
    """What a caller reads of each part: status, headers (without the date), body."""
    read = []
    for part in parts:
        part.read()
        headers = {k.lower(): v for k, v in part.headers.items() if k.lower() != "date"}
        read.append((part.status_code, headers, part.content))
    return read


def test_azurite_s_answers_read_as_azure_core_reads_them(state: StateStore, monkeypatch: pytest.MonkeyPatch):
    """A successful transaction, one refused for a stale ETag and one with a conflicting create, read both ways."""
    import azure.core.rest._http_response_impl as rest_module

    seen: list[Any] = []

    def capturing(response: Any, http_response_type: Any) -> list[Any]:
        seen.append((response, http_response_type))
        return azure_multipart.raw_parts_in_line(response, http_response_type)

    monkeypatch.setattr(rest_module, "_get_raw_parts_helper", capturing)
    rows = [SyncObject("answers", f"row-{i:03d}", data={"i": i}, status="active") for i in range(120)]
    state.upsert_many(rows)  # 100 + 20 operations: two answers of 204s
    stale = state.get_object("answers", "row-001")
    assert stale is not None
    state.upsert_many([SyncObject("answers", "row-001", data={"i": -1}, status="active")])
    with pytest.raises(ContentionError):
        state.commit_many([stale])  # its ETag is no longer the row's: a 412 answer
    with pytest.raises(ContentionError):
        state.commit_many([SyncObject("answers", "row-002", data={"i": 2}, status="active")])  # exists: a 409
    assert len(seen) == 5
    for response, http_response_type in seen:
        ours = _answers(azure_multipart.raw_parts_in_line(response, http_response_type))
        theirs = _answers(azure_multipart.ORIGINAL_RAW_PARTS(response, http_response_type))
        assert ours == theirs and ours
    assert [status for status, _, _ in _answers(azure_multipart.raw_parts_in_line(*seen[3]))] == [412]


def test_a_body_without_crlf_delimiters_is_left_to_azure_core():
    assert azure_multipart._split(b"--b\nContent-Type: application/http\n\nHTTP/1.1 204\n\n--b--\n", b"b") is None
    assert azure_multipart._split(b"--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204\r\n", b"b") is None
    no_blank_line = b"--b\r\nContent-Type: application/http\nHTTP/1.1 204\r\n--b--\r\n"
    assert azure_multipart._split(no_blank_line, b"b") is None
    other_kind = b"--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n"
    assert azure_multipart._parts(None, "multipart/mixed; boundary=b", other_kind, [], None) is None
    assert azure_multipart._boundary('multipart/mixed; boundary="batch_1"') == b"batch_1"
    assert azure_multipart._boundary("multipart/mixed") is None
