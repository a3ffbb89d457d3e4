"""Fixtures for the local host's tests: a fresh sample app per test on its own queues in the shared Azurite."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from azure.storage.queue import QueueClient

from devhost.azurite import Azurite
from devhost.host import LocalHost
from tests.devhost.sample_app import Recorder, build_app

# Fast retries and small batches so failure paths finish in well under a second.
FAST_QUEUES: dict[str, Any] = {
    "version": "2.0",
    "functionTimeout": "00:01:00",
    "extensions": {
        "queues": {
            "batchSize": 4,
            "newBatchThreshold": 2,
            "maxDequeueCount": 3,
            "visibilityTimeout": "00:00:00",
            "maxPollingInterval": "00:00:00.5",
            "messageEncoding": "base64",
        }
    },
}


@pytest.fixture(autouse=True)
def restore_environment() -> Iterator[None]:
    """LocalHost exports settings into os.environ (the app reads them there); undo that after each test."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@dataclass
class HostUnderTest:
    host: LocalHost
    recorder: Recorder
    settings: dict[str, str]
    azurite: Azurite

    @property
    def work_queue(self) -> str:
        return self.settings["WORK_QUEUE"]

    def queue(self, name: str) -> QueueClient:
        return QueueClient.from_connection_string(self.azurite.connection_string, name)

    def peek_all(self, name: str) -> list[str]:
        client = self.queue(name)
        try:
            return [str(m.content) for m in client.peek_messages(max_messages=32)]
        except Exception:
            return []


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def make_host(azurite: Azurite) -> Iterator[Callable[..., HostUnderTest]]:
    """Build a LocalHost over a fresh sample app; every host is closed at the end of the test."""
    hosts: list[LocalHost] = []

    def build(
        host_json: dict[str, Any] | None = None,
        settings: dict[str, str] | None = None,
        without: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> HostUnderTest:
        recorder = Recorder()
        values = {
            "AzureWebJobsStorage": azurite.connection_string,
            "TICK_SCHEDULE": "0 0 * * * *",
            "WORK_QUEUE": unique("work"),
            "ASYNC_QUEUE": unique("async"),
            "TICK_MESSAGES": "0",
        }
        values.update(settings or {})
        for name in without:
            del values[name]
        host = LocalHost(build_app(recorder), values, host_json=host_json or FAST_QUEUES, **kwargs)
        hosts.append(host)
        return HostUnderTest(host, recorder, values, azurite)

    yield build
    for host in hosts:
        host.close()
