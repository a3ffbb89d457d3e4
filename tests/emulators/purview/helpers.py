"""Small builders shared by the Purview emulator tests."""

from __future__ import annotations

from typing import Any

import requests

API = "?api-version=2023-09-01"


def table(qualified_name: str, name: str | None = None, guid: int | str | None = None, **extra: Any) -> dict[str, Any]:
    """An azure_sql_table entity payload."""
    entity: dict[str, Any] = {
        "typeName": "azure_sql_table",
        "attributes": {"qualifiedName": qualified_name, "name": name or qualified_name.rsplit("/", 1)[-1]},
    }
    if guid is not None:
        entity["guid"] = guid
    entity.update(extra)
    return entity


def dataset(type_name: str, qualified_name: str, guid: int | str | None = None, **attributes: Any) -> dict[str, Any]:
    """Any DataSet-like entity payload."""
    entity: dict[str, Any] = {
        "typeName": type_name,
        "attributes": {"qualifiedName": qualified_name, "name": qualified_name.rsplit("/", 1)[-1], **attributes},
    }
    if guid is not None:
        entity["guid"] = guid
    return entity


def process(
    qualified_name: str, inputs: list[Any], outputs: list[Any], guid: int | str | None = None
) -> dict[str, Any]:
    """A Process entity payload."""
    entity: dict[str, Any] = {
        "typeName": "Process",
        "attributes": {"qualifiedName": qualified_name, "name": qualified_name, "inputs": inputs, "outputs": outputs},
    }
    if guid is not None:
        entity["guid"] = guid
    return entity


def upsert(session: requests.Session, base: str, *entities: dict[str, Any], query: str = API) -> dict[str, Any]:
    """POST /entity/bulk and return the mutation result (asserting 200)."""
    response = session.post(f"{base}/atlas/v2/entity/bulk{query}", json={"entities": list(entities)})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def get_entity(session: requests.Session, base: str, guid: str, query: str = "") -> dict[str, Any]:
    """GET /entity/guid/{guid} (asserting 200)."""
    response = session.get(f"{base}/atlas/v2/entity/guid/{guid}{query}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def search(session: requests.Session, base: str, body: dict[str, Any], version: str = "2023-09-01") -> dict[str, Any]:
    """POST /search/query (asserting 200)."""
    response = session.post(f"{base}/search/query?api-version={version}", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
