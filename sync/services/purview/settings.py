"""Settings of the Purview connection (labels of CluedIn's own Purview settings where they exist)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, ValidationInfo, field_validator

from sync.core.settings import HttpUrl, OptionalFloat, SettingsGroup, ceiling_not_below, env


class PurviewSettings(SettingsGroup):
    """Where Purview is and how the app signs in to it."""

    title: ClassVar[str] = "Purview connection"

    purview_base_url: HttpUrl = Field(
        None,
        validation_alias=env("PURVIEW_BASE_URL"),
        description="CluedIn label 'Base Url': https://<account>.purview.azure.com (or a tenant-level "
        "https://<tenant>-api.purview-service.microsoft.com). Empty = no synchronisation with Purview.",
    )
    purview_tenant_id: str | None = Field(
        None,
        validation_alias=env("PURVIEW_TENANT_ID"),
        description="CluedIn label 'Tenant ID': the Entra tenant of the service principal.",
    )
    purview_client_id: str | None = Field(
        None,
        validation_alias=env("PURVIEW_CLIENT_ID"),
        description="CluedIn label 'Client ID'. Empty = the Function app's managed identity "
        "(DefaultAzureCredential) is used.",
    )
    purview_client_secret: SecretStr | None = Field(
        None,
        validation_alias=env("PURVIEW_CLIENT_SECRET"),
        description="CluedIn label 'Client Secret': the service principal's secret (in Azure, a Key Vault reference).",
    )
    purview_static_token: SecretStr | None = Field(
        None,
        validation_alias=env("PURVIEW_STATIC_TOKEN"),
        description="Development only: a fixed bearer token (the local emulators accept any). Never set in Azure.",
    )
    purview_collection_name: str | None = Field(
        None,
        validation_alias=env("PURVIEW_COLLECTION_NAME"),
        description="CluedIn label 'Collection name': the collection id (e.g. 'hkkib1') or a path from the root "
        "collection ('root/sub/target') where everything the app creates in Purview goes. Empty = root collection.",
    )
    purview_max_operations_per_second: float = Field(
        25.0,
        gt=0,
        validation_alias=env("PURVIEW_MAX_OPERATIONS_PER_SECOND"),
        description="Operations per second the whole app sends to Purview, however many instances run: the "
        "instances share it through a budget in the state tables, and 429s lower it. One Purview capacity unit "
        "allows 25 operations/second; raise it when the account has more capacity units.",
    )
    purview_operations_per_second_ceiling: OptionalFloat = Field(
        None,
        gt=0,
        validation_alias=env("PURVIEW_OPERATIONS_PER_SECOND_CEILING"),
        description="Highest rate the app probes for while Purview answers without 429 (at least "
        "PURVIEW_MAX_OPERATIONS_PER_SECOND). Empty = PURVIEW_MAX_OPERATIONS_PER_SECOND: never above the setting.",
    )

    @field_validator("purview_operations_per_second_ceiling")
    @classmethod
    def _ceiling_not_below_start(cls, value: float | None, info: ValidationInfo) -> float | None:
        return ceiling_not_below(value, info.data.get("purview_max_operations_per_second"))
