"""Helpers for the CluedIn emulator tests: a fresh emulator per test and GraphQL shortcuts."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from emulators.cluedin.testing import CluedInEmulator


class Client:
    """A logged-in test client: user access token, GraphQL and REST shortcuts that assert success."""

    def __init__(self, emulator: CluedInEmulator) -> None:
        self.emulator = emulator
        self.url = emulator.url
        self.token = emulator.access_token()
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {self.token}"

    def post(self, path: str, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> requests.Response:
        return self.http.post(f"{self.url}{path}", json={"query": query, "variables": variables or {}}, **kwargs)

    def raw(self, query: str, variables: dict[str, Any] | None = None, *, data: bool = False) -> dict[str, Any]:
        response = self.post("/api/api/graphql" if data else "/graphql", query, variables)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def ok(self, query: str, variables: dict[str, Any] | None = None, *, data: bool = False) -> dict[str, Any]:
        body = self.raw(query, variables, data=data)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    def rest(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.http.request(method, f"{self.url}{path}", **kwargs)

    def activity(self, path: str, body: dict[str, Any]) -> Any:
        response = requests.post(f"{self.url}/_emulator/{path}", json=body, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture()
def emu(fresh_cluedin_emulator: CluedInEmulator) -> CluedInEmulator:
    return fresh_cluedin_emulator


@pytest.fixture()
def client(emu: CluedInEmulator) -> Client:
    return Client(emu)


@pytest.fixture()
def seeded(seeded_cluedin_emulator: CluedInEmulator) -> Client:
    """A client on the bundled demo organization."""
    return Client(seeded_cluedin_emulator)


CUSTOMERS = [
    {"id": "1", "name": "Contoso", "email": "a@contoso.com", "country": "DK"},
    {"id": "2", "name": "Fabrikam", "email": "b@fabrikam.com", "country": ""},
    {"id": "3", "name": "Northwind", "email": "nope", "country": "UK"},
]


def mapped_data_set(client: Client, **overrides: Any) -> dict[str, Any]:
    """A group, data source and data set mapped to /Customer with three records, processed."""
    body = {
        "group": "Sales",
        "dataSource": "CRM",
        "dataSet": "customers",
        "mapping": {
            "entityType": "/Customer",
            "vocabulary": "customer",
            "fields": {
                "id": "customer.id",
                "name": "customer.name",
                "email": "customer.email",
                "country": "customer.country",
            },
            "originEntityCodeKey": "customer.id",
            "nameKey": "customer.name",
        },
        "records": CUSTOMERS,
        **overrides,
    }
    result: dict[str, Any] = client.activity("activity/data-set", body)
    return result
