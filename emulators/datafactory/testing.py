"""Pytest fixtures for the Data Factory emulator (registered as a plugin by tests/conftest.py).

`datafactory_emulator` (session) serves one emulator in-process, wired to the session's Azurite, with
activity retry waits scaled down 100x so retry tests take well under a second.
`fresh_datafactory_emulator` (function) is the same emulator with factories, runs, secrets, faults and
counters reset before the test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from devhost.azurite import Azurite
from emulators._common import RunningEmulator, start_in_thread
from emulators.datafactory.app import build_datafactory_app
from emulators.datafactory.arm import API_VERSION, EmulatorContext

TERMINAL_STATUSES = frozenset({"Succeeded", "Failed", "Cancelled"})


@dataclass
class DataFactoryEmulator:
    """A running emulator plus the defaults tests address it with."""

    running: RunningEmulator
    subscription_id: str = "00000000-0000-0000-0000-0000000000ad"
    resource_group: str = "rg-emulator"
    factory_name: str = "adf-emulator"
    token: str = "emulator-token"
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def url(self) -> str:
        """Base URL to pass as the SDK's `base_url`."""
        return self.running.url

    @property
    def context(self) -> EmulatorContext:
        """The emulator's store and executor, for assertions that HTTP cannot make."""
        context: EmulatorContext = self.running.app.extras["context"]
        return context

    @property
    def headers(self) -> dict[str, str]:
        """Headers of an authenticated ARM request."""
        return {"Authorization": f"Bearer {self.token}"}

    def factory_url(self, factory: str | None = None, *, resource_group: str | None = None) -> str:
        """`<url>/subscriptions/.../factories/<factory>` for the default or a given factory."""
        return (
            f"{self.url}/subscriptions/{self.subscription_id}/resourceGroups/{resource_group or self.resource_group}"
            f"/providers/Microsoft.DataFactory/factories/{factory or self.factory_name}"
        )

    def arm(self, method: str, path: str, *, factory: str | None = None, **kwargs: Any) -> requests.Response:
        """An authenticated ARM call relative to the factory, with the api-version added."""
        params = {"api-version": API_VERSION, **kwargs.pop("params", {})}
        headers = {**self.headers, **kwargs.pop("headers", {})}
        url = f"{self.factory_url(factory)}{path}"
        return self.session.request(method, url, params=params, headers=headers, timeout=30, **kwargs)

    def set_secret(self, name: str, value: str) -> None:
        """Store a secret in the Key Vault stand-in."""
        answer = self.session.put(f"{self.url}/_emulator/keyvault/secrets/{name}", json={"value": value}, timeout=10)
        answer.raise_for_status()

    def wait_for_run(self, factory: str | None, run_id: str, *, timeout: float = 30.0) -> dict[str, Any]:
        """Poll `pipelineruns/{runId}` until the run ends; returns the final run."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self.arm("GET", f"/pipelineruns/{run_id}", factory=factory)
            answer.raise_for_status()
            run: dict[str, Any] = answer.json()
            if run["status"] in TERMINAL_STATUSES:
                return run
            if time.monotonic() > deadline:
                raise TimeoutError(f"run {run_id} still {run['status']} after {timeout} s")
            time.sleep(0.05)

    def activity_runs(self, factory: str | None, run_id: str) -> list[dict[str, Any]]:
        """All activity runs of a pipeline run (queryActivityruns over a wide window)."""
        window = {"lastUpdatedAfter": "2000-01-01T00:00:00Z", "lastUpdatedBefore": "2100-01-01T00:00:00Z"}
        answer = self.arm("POST", f"/pipelineruns/{run_id}/queryActivityruns", factory=factory, json=window)
        answer.raise_for_status()
        value: list[dict[str, Any]] = answer.json()["value"]
        return value

    def reset(self) -> None:
        """Forget factories, runs and secrets; clear faults and counters."""
        self.context.store.reset()
        self.context.store.secrets.clear()
        self.running.clear_faults()
        self.running.app.stats.reset()


def start_datafactory_emulator(
    storage_connection_string: str | None, *, retry_wait_scale: float = 0.01
) -> DataFactoryEmulator:
    """Serve an emulator from a background thread of this process."""
    app = build_datafactory_app(storage_connection_string=storage_connection_string, retry_wait_scale=retry_wait_scale)
    return DataFactoryEmulator(start_in_thread(app))


@pytest.fixture(scope="session")
def datafactory_emulator(azurite: Azurite) -> Iterator[DataFactoryEmulator]:
    """One Data Factory emulator for the session, reading blobs from the session's Azurite."""
    emulator = start_datafactory_emulator(azurite.connection_string)
    try:
        yield emulator
    finally:
        emulator.running.stop()


@pytest.fixture()
def fresh_datafactory_emulator(datafactory_emulator: DataFactoryEmulator) -> DataFactoryEmulator:
    """The session emulator, emptied before the test."""
    datafactory_emulator.reset()
    return datafactory_emulator
