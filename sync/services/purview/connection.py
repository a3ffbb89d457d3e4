"""The Purview clients the settings describe (built once per process by `sync/runtime.py`).

The Data Map and the Unified Catalog share the endpoint and credentials but not their rate limits: each client
gets its own budget, shared by every instance of the app (`sync/services/budget.py`).
"""

from __future__ import annotations

from sync.core.settings import Settings, secret_value
from sync.services.auth import azure_auth
from sync.services.budget import shared_budget
from sync.services.http import AuthProvider
from sync.services.purview.client import PURVIEW_SCOPE, PurviewClient
from sync.services.purview.settings import PurviewSettings
from sync.services.purview.unified import REQUESTS_PER_SECOND, UnifiedCatalogClient


def _endpoint(settings: Settings, purpose: str) -> tuple[str, AuthProvider]:
    """The Purview base URL and the credential for it (names any missing setting)."""
    purview = settings.get(PurviewSettings)
    purview.require("purview_base_url", purpose=purpose)
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
    return str(purview.purview_base_url), auth


def purview_client(settings: Settings) -> PurviewClient:
    """Data Map client from settings, at this instance's slice of the app's Purview budget."""
    base, auth = _endpoint(settings, "Calling Purview")
    purview = settings.get(PurviewSettings)
    limiter = shared_budget(
        f"purview|{base}",
        settings,
        purview.purview_max_operations_per_second,
        purview.purview_operations_per_second_ceiling,
    )
    return PurviewClient(base, auth, rate_limiter=limiter)


def unified_catalog_client(settings: Settings) -> UnifiedCatalogClient:
    """Unified Catalog client from settings, its instances sharing the catalog's documented 200 requests per 20 s."""
    base, auth = _endpoint(settings, "Calling Purview's Unified Catalog")
    limiter = shared_budget(f"unified|{base}", settings, REQUESTS_PER_SECOND, REQUESTS_PER_SECOND)
    return UnifiedCatalogClient(base, auth, rate_limiter=limiter)
