"""The Purview client the settings describe (built once per process by `sync/runtime.py`)."""

from __future__ import annotations

from sync.core.settings import Settings, secret_value
from sync.services.auth import azure_auth
from sync.services.budget import shared_budget
from sync.services.purview.client import PURVIEW_SCOPE, PurviewClient
from sync.services.purview.settings import PurviewSettings


def purview_client(settings: Settings) -> PurviewClient:
    """Purview client from settings (names any missing setting)."""
    purview = settings.get(PurviewSettings)
    purview.require("purview_base_url", purpose="Calling Purview")
    base = str(purview.purview_base_url)
    auth = azure_auth(
        scope=PURVIEW_SCOPE,
        tenant_id=purview.purview_tenant_id,
        client_id=purview.purview_client_id,
        client_secret=secret_value(purview.purview_client_secret),
        static_token=secret_value(purview.purview_static_token),
        managed_identity_client_id=settings.engine.storage_client_id,
        service="purview",
        settings=[
            "PURVIEW_TENANT_ID",
            "PURVIEW_CLIENT_ID",
            "PURVIEW_CLIENT_SECRET",
            "PURVIEW_STATIC_TOKEN",
            "AzureWebJobsStorage__clientId",
        ],
    )
    limiter = shared_budget(
        f"purview|{base}",
        settings,
        purview.purview_max_operations_per_second,
        purview.purview_operations_per_second_ceiling,
    )
    return PurviewClient(base, auth, rate_limiter=limiter)
