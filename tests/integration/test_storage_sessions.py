"""Table and Queue calls read the proxy environment once per client, not on every call (sync/core/sessions.py)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
import requests

from sync.core import storage
from sync.core.settings import Settings
from sync.core.state import StateStore, SyncObject


def test_storage_calls_do_not_read_the_environment_per_call(azurite: Any, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # Azurite is reached directly, as NO_PROXY says
    engine = Settings({"AzureWebJobsStorage": azurite.connection_string}).engine
    prefix = "s" + uuid.uuid4().hex[:10]
    state = StateStore(storage.table_service(engine), prefix)
    sender = storage.QueueSender(storage.queue_service(engine), prefix)
    reads: list[str] = []
    me = threading.get_ident()  # other tests' leftover threads may use requests meanwhile: only ours count
    for name in ("get_environ_proxies", "get_netrc_auth"):
        real = getattr(requests.sessions, name)

        def counted(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            if threading.get_ident() == me:
                reads.append(f"{_name} {args[:1]}")
            return _real(*args, **kwargs)

        monkeypatch.setattr(requests.sessions, name, counted)

    state.ensure_tables()
    state.upsert_many([SyncObject("session", f"k{i}", data={"i": i}, status="active") for i in range(3)])
    assert len(list(state.iter_objects("session"))) == 3
    sender.send("work", "hello")
    assert reads == []


def test_a_storage_client_keeps_the_environment_s_proxy_and_ca_bundle(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    transport = storage._transport("https://acct.table.core.windows.net")
    assert transport.session is not None and transport.session.trust_env is False
    assert transport.session.proxies["https"] == "http://proxy.example:3128"
    assert transport.connection_config.verify == "/etc/ssl/certs/ca-certificates.crt"
