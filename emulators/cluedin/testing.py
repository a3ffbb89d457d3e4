"""Pytest fixtures for the CluedIn emulator (registered as a plugin by tests/conftest.py).

`cluedin_emulator` is one emulator per test session on a free port; `fresh_cluedin_emulator` is the same
emulator reset to its default state (no faults, zeroed counters) before the test, and `seeded_cluedin_emulator`
the same loaded with the bundled demo organization. Helpers log in like a real
client (password grant), mint API tokens through GraphQL, and load seed documents through the admin API.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from emulators._common import RunningEmulator, start_in_thread
from emulators.cluedin.app import CluedInServices, build_cluedin_app
from emulators.cluedin.seed import DEFAULT_PASSWORD, default_username
from emulators.cluedin.store import DEFAULT_ORG

SEEDS_DIR = Path(__file__).parent / "seeds"


def demo_seed() -> dict[str, Any]:
    """The bundled demo organization (groups, mapped data sets with records, vocabularies, streams, ...)."""
    data: dict[str, Any] = json.loads((SEEDS_DIR / "demo.json").read_text())
    return data


@dataclass
class CluedInEmulator:
    """A running CluedIn emulator and the credentials of its default user."""

    running: RunningEmulator
    org: str = DEFAULT_ORG
    username: str = field(default_factory=lambda: default_username(DEFAULT_ORG))
    password: str = DEFAULT_PASSWORD
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def url(self) -> str:
        """Base URL (`http://127.0.0.1:<port>`), the SDK's `org_url`."""
        return self.running.url

    @property
    def services(self) -> CluedInServices:
        """The in-process store and services, for white-box assertions (read only from tests)."""
        services: CluedInServices = self.running.app.extras["services"]
        return services

    def set_faults(self, **settings: Any) -> None:
        """Replace fault settings (429 throttling, 5xx, latency, ...; see emulators/_common/faults.py)."""
        self.running.set_faults(**settings)

    def clear_faults(self) -> None:
        """Turn every fault off."""
        self.running.clear_faults()

    def reset(self) -> None:
        """Back to the default organization, no faults, zeroed counters."""
        self.clear_faults()
        self.http.post(f"{self.url}/_emulator/reset", timeout=10).raise_for_status()

    def seed(self, data: dict[str, Any] | None = None) -> None:
        """Replace the state with a seed document (default: the bundled demo organization)."""
        response = self.http.put(f"{self.url}/_emulator/state", json=data or demo_seed(), timeout=30)
        response.raise_for_status()
        seeded_org = (data or demo_seed()).get("organization", {}).get("name")
        self.org = seeded_org or self.org

    def token_response(self, username: str | None = None, password: str | None = None) -> dict[str, Any]:
        """A password-grant token response (`access_token`, `refresh_token`, `expires_in`, ...)."""
        response = self.http.post(
            f"{self.url}/auth/connect/token",
            data={
                "username": username or default_username(self.org),
                "password": password or self.password,
                "client_id": self.org,
                "grant_type": "password",
            },
            timeout=10,
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def access_token(self, username: str | None = None, password: str | None = None) -> str:
        """A user access token (what `/graphql` requires)."""
        return str(self.token_response(username, password)["access_token"])

    def api_token(self, name: str = "tests", expired_in_hours: int = 24) -> str:
        """A new API token, created with `administration.createToken` as a real client would."""
        body = self.graphql(
            "mutation createToken($token: ApiTokenInput!) { administration { createToken(token: $token) "
            "{ id name accessToken } } }",
            {"token": {"name": name, "expiredInHours": expired_in_hours}},
        )
        return str(body["data"]["administration"]["createToken"]["accessToken"])

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None, data: bool = False
    ) -> dict[str, Any]:
        """POST a document to the UI GraphQL (or the data GraphQL with `data=True`); returns the JSON body."""
        path = "/api/api/graphql" if data else "/graphql"
        response = self.http.post(
            f"{self.url}{path}",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token or self.access_token()}"},
            timeout=30,
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def stats(self) -> dict[str, Any]:
        """Request counters (`GET /_emulator/stats`)."""
        body: dict[str, Any] = self.http.get(f"{self.url}/_emulator/stats", timeout=10).json()
        return body


@pytest.fixture(scope="session")
def cluedin_emulator() -> Iterator[CluedInEmulator]:
    """One CluedIn emulator for the whole session, default organization `demo`."""
    running = start_in_thread(build_cluedin_app())
    try:
        yield CluedInEmulator(running=running)
    finally:
        running.stop()


@pytest.fixture()
def seeded_cluedin_emulator(cluedin_emulator: CluedInEmulator) -> CluedInEmulator:
    """The session emulator loaded with the bundled demo organization (see seeds/demo.json), no faults."""
    cluedin_emulator.org = DEFAULT_ORG
    cluedin_emulator.reset()
    cluedin_emulator.seed()
    return cluedin_emulator


@pytest.fixture()
def fresh_cluedin_emulator(cluedin_emulator: CluedInEmulator) -> CluedInEmulator:
    """The session emulator, reset to a fresh default organization with no faults and zeroed counters."""
    cluedin_emulator.org = DEFAULT_ORG
    cluedin_emulator.reset()
    return cluedin_emulator
