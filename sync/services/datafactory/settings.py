"""Settings of the Data Factory connection and of the Key Vault the generated pipelines read CluedIn's token from."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr

from sync.core.settings import HttpUrl, SettingsGroup, env


class DataFactorySettings(SettingsGroup):
    """Which factory the app writes pipelines to, and how it signs in."""

    title: ClassVar[str] = "Data Factory connection"

    data_factory_base_url: HttpUrl = Field(
        None,
        validation_alias=env("DATA_FACTORY_BASE_URL"),
        description="CluedIn label 'Data Factory Base Url': https://management.azure.com/subscriptions/<sub>/"
        "resourceGroups/<rg>/providers/Microsoft.DataFactory/factories/<factory>/",
    )
    data_factory_tenant_id: str | None = Field(
        None,
        validation_alias=env("DATA_FACTORY_TENANT_ID"),
        description="CluedIn label 'Data Factory Tenant ID'.",
    )
    data_factory_client_id: str | None = Field(
        None,
        validation_alias=env("DATA_FACTORY_CLIENT_ID"),
        description="CluedIn label 'Data Factory Client ID'. Empty = the app's managed identity.",
    )
    data_factory_client_secret: SecretStr | None = Field(
        None,
        validation_alias=env("DATA_FACTORY_CLIENT_SECRET"),
        description="CluedIn label 'Data Factory Client Secret'.",
    )
    data_factory_static_token: SecretStr | None = Field(
        None,
        validation_alias=env("DATA_FACTORY_STATIC_TOKEN"),
        description="Development only: a fixed bearer token for the Data Factory emulator.",
    )
    data_factory_key_vault_url: HttpUrl = Field(
        None,
        validation_alias=env("DATA_FACTORY_KEY_VAULT_URL"),
        description="Key Vault the factory reads the CluedIn token from (https://<vault>.vault.azure.net/).",
    )
    data_factory_cluedin_token_secret_name: str = Field(
        "cluedin-ingestion-token",
        validation_alias=env("DATA_FACTORY_CLUEDIN_TOKEN_SECRET_NAME"),
        description="Name of the Key Vault secret holding the CluedIn token used by generated pipelines.",
    )
