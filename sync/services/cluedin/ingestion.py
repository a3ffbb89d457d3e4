"""CluedIn ingestion endpoints for Data Factory pipelines: the data set a pipeline posts rows to.

A pipeline's Copy activity posts JSON arrays to `<CluedIn>/upload/api/endpoint/<dataSetId>`; the data set is an
"endpoint" data set inside the data source the asset got from F1 (sync data sources), as CluedIn's own ADF
automation does. Creating one is not idempotent in CluedIn (no client-supplied id), so callers record their
intent in state before `create_ingestion_endpoint` and look for an endpoint of that name on a retry
(docs/decisions/0005-idempotent-creates.md); this module only offers the primitives.

The API token helpers exist for operators and the local demo, which put the token into Key Vault; the app's
HTTP function and features never read, return or log a token.
"""

from __future__ import annotations

from typing import Any

from sync.core.errors import NotFoundError
from sync.services.cluedin.client import CluedInClient, GraphQLError

INGESTION_PATH = "upload/api/endpoint"
DEFAULT_TOKEN_HOURS = 24 * 365


def find_ingestion_endpoint(client: CluedInClient, data_source_id: str, name: str) -> dict[str, Any] | None:
    """The data set named `name` in a data source (`{id, name}`), or None."""
    source = client.get_data_source(data_source_id)
    for data_set in (source or {}).get("dataSets") or []:
        if data_set.get("name") == name:
            found: dict[str, Any] = data_set
            return found
    return None


def create_ingestion_endpoint(client: CluedInClient, data_source_id: str, name: str) -> str:
    """Create an endpoint data set (manual processing; mapping is left to CluedIn users); returns its GUID."""
    data_set = {
        "author": client.author_id(),
        "store": True,
        "name": name,
        "type": "endpoint",
        "configuration": {"object": {"endPointName": name, "autoSubmit": False}},
    }
    data = client.graphql("ingestion_create_data_sets", {"dataSourceId": data_source_id, "dataSets": [data_set]})
    created = (data.get("inbound") or {}).get("createDataSets") or []
    if not created or not created[0].get("id"):
        raise NotFoundError("cluedin", 200, "NoDataSetCreated", "createDataSets returned no id")
    return str(created[0]["id"])


def get_ingestion_endpoint(client: CluedInClient, data_set_id: str) -> dict[str, Any] | None:
    """A data set with its stats, or None when it was deleted."""
    try:
        data = client.graphql("ingestion_data_set", {"id": data_set_id})
    except NotFoundError:
        return None
    except GraphQLError as exc:  # an unknown id is reported in errors[] with HTTP 200
        if "not found" in str(exc).lower() or "does not exist" in str(exc).lower():
            return None
        raise
    node: dict[str, Any] | None = (data.get("inbound") or {}).get("dataSet")
    return node


def received_record_count(client: CluedInClient, data_set_id: str) -> int:
    """Rows the ingestion endpoint has received so far (what the demo shows after a pipeline run)."""
    data_set = get_ingestion_endpoint(client, data_set_id) or {}
    stats = data_set.get("stats") or {}
    return int(stats.get("total") or 0)


def ingestion_url(cluedin_url: str, data_set_id: str) -> str:
    """The URL a pipeline posts rows to."""
    return f"{cluedin_url.rstrip('/')}/{INGESTION_PATH}/{data_set_id}"


def ensure_api_token(client: CluedInClient, name: str, *, hours: int = DEFAULT_TOKEN_HOURS) -> str:
    """An API token called `name`, created when missing (needs a user access token: the service account).

    For operators and the demo, to put into Key Vault as `Bearer <token>`; never logged or returned by the app.
    """
    data = client.graphql("ingestion_api_tokens")
    for token in (data.get("administration") or {}).get("apiTokens") or []:
        if token.get("name") == name and token.get("accessToken") and (token.get("expiresInDays") or 1) > 0:
            return str(token["accessToken"])
    created = client.graphql("ingestion_create_token", {"token": {"name": name, "expiredInHours": hours}})
    return str(created["administration"]["createToken"]["accessToken"])
