"""Small builders shared by the Purview emulator tests."""

from __future__ import annotations

import time
from typing import Any

import requests
from azure.core.credentials import AccessToken
from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import BearerTokenCredentialPolicy
from azure.purview.datamap import DataMapClient
from pyapacheatlas.auth.azcredential import AzCredentialWrapper
from pyapacheatlas.core import AtlasClient, PurviewClient

API = "?api-version=2023-09-01"
SCOPE = "https://purview.azure.net/.default"


class StaticCredential:
    """A TokenCredential that always hands out the same token (the emulator accepts any)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        assert scopes == (SCOPE,)
        return AccessToken("sdk-token", int(time.time()) + 3600)


class PlainHttpBearerPolicy(BearerTokenCredentialPolicy):  # type: ignore[type-arg]
    """Bearer auth that is allowed over http (the emulator is not TLS)."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        request.context["enforce_https"] = False
        super().on_request(request)


class AnyScopeCredential:
    """pyapacheatlas asks for the Purview app id scope; the emulator accepts any bearer token."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("paa-token", int(time.time()) + 3600)


def paa_client(purview: Any) -> AtlasClient:
    """pyapacheatlas' AtlasClient, unmodified, on the emulator's legacy `/catalog/api/atlas/v2` base."""
    return AtlasClient(endpoint_url=purview.atlas_url, authentication=AzCredentialWrapper(AnyScopeCredential()))


def paa_purview_client(purview: Any) -> PurviewClient:
    """pyapacheatlas' PurviewClient (which has the Purview-only methods) re-pointed at the emulator.

    Its constructor hard-codes `https://{account}.purview.azure.com/catalog/api/atlas/v2`; only that
    base URL is swapped for the emulator's `/catalog/api/atlas/v2`, everything else is unmodified.
    """
    client = PurviewClient("emulator", AzCredentialWrapper(AnyScopeCredential()))
    client.endpoint_url = f"{purview.url}/catalog/api/atlas/v2"
    return client


def sdk_client(purview: Any) -> DataMapClient:
    """The official azure-purview-datamap client, unmodified, pointed at an emulator handle (no retries)."""
    credential = StaticCredential()
    return DataMapClient(
        endpoint=purview.url,
        credential=credential,
        authentication_policy=PlainHttpBearerPolicy(credential, SCOPE),
        retry_total=0,
    )


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
