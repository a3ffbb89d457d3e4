"""Independent readers of what the app wrote: the services' own SDKs and clients, never the app's.

A test that reads its results back through the app's own client would pass with a bug shared by writer and
reader. These witnesses are the clients other people use: the `cluedin` PyPI SDK (its UI GraphQL, as CluedIn's
clients write it), pyapacheatlas and the official azure-purview-datamap SDK, and azure-mgmt-datafactory. All are
used unmodified; only their authentication is set up for the emulators (which accept any bearer token).
"""

from __future__ import annotations

import time
from typing import Any

import cluedin
from azure.core.credentials import AccessToken
from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import BearerTokenCredentialPolicy, SansIOHTTPPolicy
from azure.mgmt.datafactory import DataFactoryManagementClient
from azure.purview.datamap import DataMapClient
from pyapacheatlas.auth.base import AtlasAuthBase
from pyapacheatlas.core import AtlasClient

PURVIEW_SCOPE = "https://purview.azure.net/.default"
READER_TOKEN = "reader-token"


class FixedToken:
    """A TokenCredential handing out one token (the emulators accept any)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(READER_TOKEN, int(time.time()) + 3600)


class HttpBearer(BearerTokenCredentialPolicy):  # type: ignore[type-arg]
    """Bearer auth allowed over plain http, which the emulator speaks (reference purview-datamap.md §4.1)."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        request.context["enforce_https"] = False
        super().on_request(request)


class FixedHeader(AtlasAuthBase):  # type: ignore[misc]
    """pyapacheatlas authentication with a fixed bearer token."""

    def get_authentication_headers(self, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {READER_TOKEN}"}


class BearerOverHttp(SansIOHTTPPolicy):  # type: ignore[type-arg]
    """azure-mgmt's bearer policy refuses plain http; the Data Factory emulator speaks it."""

    def on_request(self, request: PipelineRequest[Any]) -> None:
        request.http_request.headers["Authorization"] = f"Bearer {READER_TOKEN}"


def datamap_sdk(purview: Any) -> DataMapClient:
    """The official azure-purview-datamap client on the Purview emulator."""
    credential = FixedToken()
    return DataMapClient(
        endpoint=purview.url, credential=credential, authentication_policy=HttpBearer(credential, PURVIEW_SCOPE)
    )


def atlas_sdk(purview: Any) -> AtlasClient:
    """pyapacheatlas on the Purview emulator."""
    return AtlasClient(endpoint_url=purview.atlas_url, authentication=FixedHeader())


def cluedin_sdk(cluedin_emulator: Any, organization: str, username: str, password: str) -> Any:
    """The `cluedin` SDK's context, logged in with the user the app signs in as."""
    context = cluedin.Context(
        domain="127.0.0.1",
        org_name=organization,
        user_email=username,
        user_password=password,
        protocol="http",
        org_url=cluedin_emulator.url,
    )
    context.get_token()
    return context


def cluedin_sdk_of(stack: Any) -> Any:
    """The `cluedin` SDK logged in as the stack's app user (its organization, user name and password)."""
    env = stack.environment
    return cluedin_sdk(stack.cluedin, env["CLUEDIN_ORGANIZATION"], env["CLUEDIN_USERNAME"], env["CLUEDIN_PASSWORD"])


def cluedin_glossary(context: Any) -> dict[str, dict[str, Any]]:
    """CluedIn glossary term name → {category, active}, read with the SDK's UI GraphQL call."""
    document = """query terms($pageSize: Int) {
      management {
        glossaryCategories { id name }
        glossaryTerms(pageSize: $pageSize) { total data { name categoryId active } } } }"""
    management = cluedin.gql.org_gql(context, document, {"pageSize": 10000})["data"]["management"]
    categories = {c["id"]: c["name"] for c in management["glossaryCategories"]}
    terms = management["glossaryTerms"]["data"]
    assert len({t["name"] for t in terms}) == len(terms), "two CluedIn glossary terms of one name"
    return {t["name"]: {"category": categories.get(t["categoryId"]), "active": t["active"]} for t in terms}


def purview_glossary_terms(purview: Any, glossary: str) -> dict[str, dict[str, Any]]:
    """A Purview glossary's terms by name, read with azure-purview-datamap (its glossary listing, then its terms)."""
    client = datamap_sdk(purview)
    [found] = [g for g in client.glossary.batch_get() if g["name"] == glossary]
    terms = client.glossary.get_terms(found["guid"], limit=-1)
    assert len({t["name"] for t in terms}) == len(terms), f"two terms of one name in {glossary!r}"
    return {t["name"]: dict(t) for t in terms}


def lineage_downstream(purview: Any, guid: str) -> set[tuple[str, str]]:
    """(type, name) of every entity downstream of one, read with pyapacheatlas's lineage call."""
    lineage = atlas_sdk(purview).get_entity_lineage(guid, depth=6, direction="OUTPUT")
    return {(e["typeName"], e["attributes"]["name"]) for e in lineage["guidEntityMap"].values()}


def cluedin_data_source_groups(context: Any) -> dict[str, list[dict[str, Any]]]:
    """Group name → its data sources (id, name, type), read with the SDK's UI GraphQL call."""
    document = """query groups($page: Int, $pageSize: Int) {
      inbound { dataSourceSets(page: $page, pageSize: $pageSize) {
        total data { id name dataSources { id name type } } } } }"""
    groups: dict[str, list[dict[str, Any]]] = {}
    page = 0
    while True:
        answer = cluedin.gql.org_gql(context, document, {"page": page, "pageSize": 50})
        listing = answer["data"]["inbound"]["dataSourceSets"]
        for group in listing["data"]:
            assert group["name"] not in groups, f"two data source groups named {group['name']!r}"
            groups[group["name"]] = group["dataSources"]
        page += 1
        if page * 50 >= listing["total"]:
            return groups


def datafactory_sdk(adf: Any) -> DataFactoryManagementClient:
    """azure-mgmt-datafactory on the Data Factory emulator."""
    return DataFactoryManagementClient(
        FixedToken(), adf.subscription_id, base_url=adf.url, authentication_policy=BearerOverHttp()
    )
