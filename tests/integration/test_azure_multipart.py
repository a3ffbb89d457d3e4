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


def test_in_line_preparation_gives_azure_core_s_bytes():
    ours, theirs = _transaction(_Stamp()), _transaction(_Stamp())
    azure_multipart.prepare_multipart_in_line(ours)
    azure_multipart._ORIGINAL.__func__(theirs)
    ours.prepare_multipart_body()
    theirs.prepare_multipart_body()
    assert isinstance(ours.body, bytes) and ours.body == theirs.body
    assert b"x-part: t(PartitionKey='p',RowKey='1')" in ours.body and b"x-ms-date" in ours.body


def test_a_failing_part_policy_still_fails_the_request():
    with pytest.raises(ValueError, match="part policy failed"):
        azure_multipart.prepare_multipart_in_line(_transaction(_Broken()))


def test_a_plain_request_is_left_alone():
    request = HttpRequest("GET", "http://127.0.0.1:10002/devstoreaccount1/t()")
    azure_multipart.prepare_multipart_in_line(request)
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
