"""Raw-HTTP builders shaped like the documented Unified Catalog requests (and the community clients' variants)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from emulators.purview.testing import PurviewHandle

API_VERSION = "2026-03-20-preview"
V = {"api-version": API_VERSION}
CSV_1 = "https://acct.dfs.core.windows.net/raw/customers.csv"
CSV_2 = "https://acct.dfs.core.windows.net/raw/contacts/contacts.csv"


class Catalog:
    """A session on the emulator's Unified Catalog plus small create helpers asserting success."""

    def __init__(self, purview: PurviewHandle, token: str = "test-token") -> None:
        self.purview = purview
        self.base = purview.unified_url
        self.http: requests.Session = purview.session(token)

    def call(
        self, method: str, path: str, body: Any = None, *, version: str | None = API_VERSION, **params: Any
    ) -> requests.Response:
        """One request; `version=None` leaves api-version out."""
        query = {**({"api-version": version} if version else {}), **params}
        kwargs: dict[str, Any] = {"params": query}
        if body is not None:
            kwargs["json"] = body
        return self.http.request(method, f"{self.base}{path}", **kwargs)

    def ok(self, method: str, path: str, body: Any = None, expect: int = 200, **params: Any) -> Any:
        """A request that must answer `expect`; returns the JSON body (None for 204)."""
        response = self.call(method, path, body, **params)
        assert response.status_code == expect, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def domain(self, name: str = "Master Data", **fields: Any) -> dict[str, Any]:
        """POST /businessdomains."""
        body = {"name": name, "type": "DataDomain", "status": "Published", **fields}
        result: dict[str, Any] = self.ok("POST", "/businessdomains", body, 201)
        return result

    def product(self, domain: str, name: str = "Customer Master", **fields: Any) -> dict[str, Any]:
        """POST /dataProducts (the SDK's casing)."""
        body = {"name": name, "domain": domain, "type": "MasterDataAndReferenceData", "status": "Published", **fields}
        result: dict[str, Any] = self.ok("POST", "/dataProducts", body, 201)
        return result

    def term(self, domain: str, name: str = "Customer", **fields: Any) -> dict[str, Any]:
        """POST /terms."""
        result: dict[str, Any] = self.ok(
            "POST", "/terms", {"name": name, "domain": domain, "status": "Published", **fields}, 201
        )
        return result

    def asset(self, datamap_guid: str, **fields: Any) -> dict[str, Any]:
        """POST /dataAssets from a Data Map guid (DataAssetRequest.source.assetId)."""
        result: dict[str, Any] = self.ok("POST", "/dataAssets", {"source": {"assetId": datamap_guid}, **fields}, 201)
        return result

    def all_pages(self, method: str, path: str, body: Any = None, **params: Any) -> list[dict[str, Any]]:
        """Follow nextLink the way the generated SDK does: GET the link, re-setting api-version."""
        page = self.ok(method, path, body, **params)
        items = list(page["value"])
        while page.get("nextLink"):
            link = urlsplit(page["nextLink"])  # as the SDK: the link's parameters, api-version re-set, GET
            params = {k: v[-1] for k, v in parse_qs(link.query).items()} | {"api-version": API_VERSION}
            response = self.http.get(f"{link.scheme}://{link.netloc}{link.path}", params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            items += page["value"]
        return items


def datamap_files(purview: PurviewHandle, *qualified_names: str) -> list[str]:
    """Register ADLS Gen2 CSV paths in the Data Map; returns their guids in order."""
    entities = [
        {
            "typeName": "azure_datalake_gen2_path",
            "guid": -(i + 1),
            "attributes": {"qualifiedName": qn, "name": qn.rsplit("/", 1)[-1], "isFile": True},
        }
        for i, qn in enumerate(qualified_names)
    ]
    return _upsert(purview, entities, len(qualified_names))


def datamap_table(purview: PurviewHandle, qualified_name: str, columns: dict[str, str]) -> str:
    """Register an azure_sql_table with typed columns; returns the table's guid."""
    entities: list[dict[str, Any]] = [
        {
            "typeName": "azure_sql_table",
            "guid": -1,
            "attributes": {"qualifiedName": qualified_name, "name": qualified_name.rsplit("/", 1)[-1]},
        }
    ]
    for i, (name, data_type) in enumerate(columns.items()):
        entities.append(
            {
                "typeName": "azure_sql_column",
                "guid": -(i + 2),
                "attributes": {"qualifiedName": f"{qualified_name}#{name}", "name": name, "data_type": data_type},
                "relationshipAttributes": {"table": {"guid": -1}},
            }
        )
    return _upsert(purview, entities, 1)[0]


def _upsert(purview: PurviewHandle, entities: list[dict[str, Any]], count: int) -> list[str]:
    response = purview.session().post(
        f"{purview.atlas_url}/entity/bulk", params={"api-version": "2023-09-01"}, json={"entities": entities}
    )
    assert response.status_code == 200, response.text
    assignments = response.json()["guidAssignments"]
    return [assignments[str(-(i + 1))] for i in range(count)]
