"""Pytest fixtures for the Purview emulator (registered as a plugin by tests/conftest.py).

- `purview_emulator` (session): one in-process emulator on a free port. It records every request that
  breaks the Swagger spec (see `.violations()`) and checks every response against it, without rejecting,
  so any test can end with `assert purview_emulator.violations() == []`.
- `purview` (function): the same emulator, reset (store, faults, counters, violations, roles) for the test.
- `seeded_purview(seed, **options)`: a context manager building a separate emulator from a seed dict.

Every handle accepts any bearer token; `.session()` gives a `requests.Session` that sends one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from emulators._common import EmulatorApp, RunningEmulator, running
from emulators.purview.app import PurviewEmulator, build_purview_app
from emulators.purview.model.store import PurviewStore

DEFAULT_TOKEN = "test-token"


@dataclass
class PurviewHandle:
    """A running Purview emulator plus the helpers tests need."""

    running: RunningEmulator

    @property
    def url(self) -> str:
        """Account endpoint, e.g. http://127.0.0.1:43121 (the SDK's `endpoint`)."""
        return self.running.url

    @property
    def datamap_url(self) -> str:
        """Base of the Data Map API (`{url}/datamap/api`)."""
        return f"{self.url}/datamap/api"

    @property
    def atlas_url(self) -> str:
        """Atlas v2 base, what pyapacheatlas' `AtlasClient(endpoint_url=...)` expects."""
        return f"{self.url}/datamap/api/atlas/v2"

    @property
    def account_url(self) -> str:
        """Base of the Account (collections) API."""
        return f"{self.url}/account"

    @property
    def unified_url(self) -> str:
        """Base of the Unified Catalog API (`{url}/datagovernance/catalog`); add `?api-version=2026-03-20-preview`."""
        return f"{self.url}/datagovernance/catalog"

    @property
    def app(self) -> EmulatorApp:
        """The shared-kit EmulatorApp (store, stats, faults)."""
        return self.running.app

    @property
    def emulator(self) -> PurviewEmulator:
        """The Purview ASGI app with its options, access policy and recorded violations."""
        found: PurviewEmulator = self.app.extras["purview"]
        return found

    @property
    def store(self) -> PurviewStore:
        """The in-memory account."""
        return self.emulator.store

    def session(self, token: str = DEFAULT_TOKEN) -> requests.Session:
        """A requests session that authenticates with `token`."""
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        return session

    def seed(self, data: Mapping[str, Any]) -> None:
        """Replace the account's content with a seed (same format as `--seed`)."""
        self.store.load(dict(data))

    def set_faults(self, **settings: Any) -> None:
        """Replace the fault settings (same as `PUT /_emulator/faults`)."""
        self.running.set_faults(**settings)

    def clear_faults(self) -> None:
        """Turn every fault off."""
        self.running.clear_faults()

    def set_roles(self, assignments: Mapping[str, Any]) -> None:
        """Enable the role model: {token: {collection: [data_reader|data_curator|collection_admin]}}."""
        self.emulator.access.configure(assignments)

    def violations(self) -> list[dict[str, Any]]:
        """Spec violations recorded so far (requests and responses)."""
        return list(self.emulator.violations)

    def notifications(self, after: int = 0) -> list[str]:
        """Bodies of the Atlas notifications published after number `after` (what the notification hub carries)."""
        records, _ = self.store.notifications.read(after, limit=1_000_000)
        return [record.body for record in records]

    def notification_position(self) -> int:
        """Number of the last notification published (read from here to see only what happens next)."""
        return self.store.notifications.read(0, limit=0)[1]

    def set_notification_max_bytes(self, size: int) -> None:
        """Atlas's notification size limit: longer notifications are gzipped, then split."""
        self.store.notifications.packer.max_message_bytes = size

    def reset(self) -> None:
        """Fresh account, no faults, no counters, no violations, no role model, any token accepted."""
        self.store.reset()
        self.store.notifications.packer.max_message_bytes = self.emulator.options.notification_max_bytes
        self.clear_faults()
        self.app.stats.reset()
        self.emulator.violations.clear()
        self.emulator.access.configure({})
        self.emulator.access.tokens = set()


@contextlib.contextmanager
def seeded_purview(seed: Mapping[str, Any] | None = None, **options: Any) -> Iterator[PurviewHandle]:
    """A separate emulator built from a seed dict (options are PurviewOptions fields), served in-process."""
    app = build_purview_app(seed=seed, **options)
    with running(app) as emulator:
        yield PurviewHandle(emulator)


@pytest.fixture(scope="session")
def purview_emulator() -> Iterator[PurviewHandle]:
    """One Purview emulator for the session, recording spec violations of requests and responses."""
    with seeded_purview(record_request_violations=True, validate_responses=True) as handle:
        yield handle


@pytest.fixture()
def purview(purview_emulator: PurviewHandle) -> Iterator[PurviewHandle]:
    """The session emulator, reset for this test."""
    purview_emulator.reset()
    yield purview_emulator
