"""The Data Factory client the settings describe (built once per process by `sync/runtime.py`)."""

from __future__ import annotations

from sync.core.settings import Settings, secret_value
from sync.services.auth import azure_auth
from sync.services.datafactory.client import ARM_SCOPE, DATA_FACTORY_REQUESTS_PER_SECOND, DataFactoryClient
from sync.services.datafactory.settings import DataFactorySettings
from sync.services.http import shared_rate_limiter


def datafactory_client(settings: Settings) -> DataFactoryClient:
    """Data Factory client from settings (names any missing setting)."""
    factory = settings.get(DataFactorySettings)
    factory.require("data_factory_base_url", purpose="Calling Data Factory")
    base = str(factory.data_factory_base_url)
    auth = azure_auth(
        scope=ARM_SCOPE,
        tenant_id=factory.data_factory_tenant_id,
        client_id=factory.data_factory_client_id,
        client_secret=secret_value(factory.data_factory_client_secret),
        static_token=secret_value(factory.data_factory_static_token),
        managed_identity_client_id=settings.engine.storage_client_id,
        service="datafactory",
        settings=[
            "DATA_FACTORY_TENANT_ID",
            "DATA_FACTORY_CLIENT_ID",
            "DATA_FACTORY_CLIENT_SECRET",
            "DATA_FACTORY_STATIC_TOKEN",
            "AzureWebJobsStorage__clientId",
        ],
    )
    limiter = shared_rate_limiter(f"datafactory:{base}", DATA_FACTORY_REQUESTS_PER_SECOND)
    return DataFactoryClient(base, auth, rate_limiter=limiter)
