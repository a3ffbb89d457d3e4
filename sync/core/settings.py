"""Every app setting in one documented model.

Names mirror the labels of CluedIn's own Purview settings page where one exists ("Sync CluedIn Data Sources
Keywords" → `SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS`), so people migrating from the built-in integration find
their way; the README has the full label → setting table. In Azure, secrets are App Service Key Vault
references (`@Microsoft.KeyVault(SecretUri=...)`) resolved by the platform before the app starts, so the app
itself only ever sees environment variables.

A wrong setting must stop a function with a message that names the setting, never with a stack trace from
deep inside a client: `load_settings()` turns validation failures into `SettingsError`, and each feature asks
for the connection pieces it needs through `require_*`, which name whatever is missing.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any
from urllib.parse import urlparse

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sync.core.errors import SettingsError

NCRONTAB_FIELDS = 6


class DeletePolicy(StrEnum):
    """What happens to objects the app created when their source disappears."""

    RETAIN = "retain"
    SOFT_DELETE = "soft-delete"


def _env(name: str, *aliases: str) -> Any:
    return AliasChoices(name, *aliases)


class AppSettings(BaseSettings):
    """All settings of the app, read from environment variables (App Settings in Azure)."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", populate_by_name=False)

    # --- Purview connection -------------------------------------------------------------------------------
    purview_base_url: str | None = Field(
        None,
        validation_alias=_env("PURVIEW_BASE_URL"),
        description="CluedIn label 'Base Url': https://<account>.purview.azure.com (or a tenant-level "
        "https://<tenant>-api.purview-service.microsoft.com). Empty = no synchronisation with Purview.",
    )
    purview_tenant_id: str | None = Field(
        None,
        validation_alias=_env("PURVIEW_TENANT_ID"),
        description="CluedIn label 'Tenant ID': the Entra tenant of the service principal.",
    )
    purview_client_id: str | None = Field(
        None,
        validation_alias=_env("PURVIEW_CLIENT_ID"),
        description="CluedIn label 'Client ID'. Empty = the Function app's managed identity "
        "(DefaultAzureCredential) is used.",
    )
    purview_client_secret: SecretStr | None = Field(
        None,
        validation_alias=_env("PURVIEW_CLIENT_SECRET"),
        description="CluedIn label 'Client Secret': the service principal's secret (in Azure, a Key Vault reference).",
    )
    purview_static_token: SecretStr | None = Field(
        None,
        validation_alias=_env("PURVIEW_STATIC_TOKEN"),
        description="Development only: a fixed bearer token (the local emulators accept any). Never set in Azure.",
    )
    purview_collection_name: str | None = Field(
        None,
        validation_alias=_env("PURVIEW_COLLECTION_NAME"),
        description="CluedIn label 'Collection name': the collection id (e.g. 'hkkib1') or a path from the root "
        "collection ('root/sub/target') where everything the app creates in Purview goes. Empty = root collection.",
    )
    purview_max_operations_per_second: float = Field(
        25.0,
        gt=0,
        validation_alias=_env("PURVIEW_MAX_OPERATIONS_PER_SECOND"),
        description="Client-side rate limit shared by all functions of one instance. One Purview capacity unit "
        "allows 25 operations/second; raise it when the account has more capacity units.",
    )

    # --- CluedIn connection -------------------------------------------------------------------------------
    cluedin_url: str | None = Field(
        None,
        validation_alias=_env("CLUEDIN_URL"),
        description="Base URL of the CluedIn organization, e.g. https://myorg.cluedin.example.com. "
        "Empty = no synchronisation with CluedIn.",
    )
    cluedin_organization: str | None = Field(
        None,
        validation_alias=_env("CLUEDIN_ORGANIZATION"),
        description="CluedIn organization name (the OAuth client id of the password grant). Default: the first "
        "label of the CluedIn URL's host name.",
    )
    cluedin_username: str | None = Field(
        None,
        validation_alias=_env("CLUEDIN_USERNAME"),
        description="CluedIn service account e-mail. CluedIn's configuration GraphQL (/graphql) only accepts "
        "user access tokens, so a (non-SSO) service account is needed to create data sources.",
    )
    cluedin_password: SecretStr | None = Field(
        None, validation_alias=_env("CLUEDIN_PASSWORD"), description="Password of the CluedIn service account."
    )
    cluedin_api_token: SecretStr | None = Field(
        None,
        validation_alias=_env("CLUEDIN_API_TOKEN"),
        description="Optional CluedIn API token for the data GraphQL and ingestion endpoints; default: the "
        "service account's access token.",
    )
    cluedin_rest_path_prefix: str = Field(
        "/api/api",
        validation_alias=_env("CLUEDIN_REST_PATH_PREFIX"),
        description="Path prefix of CluedIn's REST API: '/api/api' (gateway deployments) or '/api'.",
    )
    cluedin_max_requests_per_second: float = Field(
        20.0,
        gt=0,
        validation_alias=_env("CLUEDIN_MAX_REQUESTS_PER_SECOND"),
        description="Client-side rate limit for CluedIn calls, shared by all functions of one instance.",
    )

    # --- Feature F1: sync data sources ----------------------------------------------------------------------
    sync_cluedin_data_sources: bool = Field(
        False,
        validation_alias=_env("SYNC_CLUEDIN_DATA_SOURCES"),
        description="CluedIn label 'Sync CluedIn Data Sources': Purview assets → CluedIn data source groups and "
        "data sources, and their data sets → lineage in Purview.",
    )
    sync_cluedin_data_sources_keywords: str = Field(
        "",
        validation_alias=_env("SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS"),
        description="CluedIn label 'Sync CluedIn Data Sources Keywords': the glossary term name(s) assigned to the "
        "assets to sync, comma-separated ('Term' or 'Term@Glossary'), or '*' for every asset.",
    )

    # --- Feature F4: poll data sources ----------------------------------------------------------------------
    poll_cluedin_data_sources: bool = Field(
        False,
        validation_alias=_env("POLL_CLUEDIN_DATA_SOURCES"),
        description="CluedIn label 'Poll CluedIn Data Sources': refresh record counts and data-quality metrics "
        "on the Cluedin Dataset entities in Purview.",
    )

    # --- Feature F12/F13: Data Factory automation -----------------------------------------------------------
    data_factory_base_url: str | None = Field(
        None,
        validation_alias=_env("DATA_FACTORY_BASE_URL"),
        description="CluedIn label 'Data Factory Base Url': https://management.azure.com/subscriptions/<sub>/"
        "resourceGroups/<rg>/providers/Microsoft.DataFactory/factories/<factory>/",
    )
    data_factory_tenant_id: str | None = Field(None, validation_alias=_env("DATA_FACTORY_TENANT_ID"))
    data_factory_client_id: str | None = Field(
        None,
        validation_alias=_env("DATA_FACTORY_CLIENT_ID"),
        description="CluedIn label 'Data Factory Client ID'. Empty = the app's managed identity.",
    )
    data_factory_client_secret: SecretStr | None = Field(None, validation_alias=_env("DATA_FACTORY_CLIENT_SECRET"))
    data_factory_static_token: SecretStr | None = Field(
        None,
        validation_alias=_env("DATA_FACTORY_STATIC_TOKEN"),
        description="Development only: a fixed bearer token for the Data Factory emulator.",
    )
    data_factory_pipeline_automation: bool = Field(
        False,
        validation_alias=_env("DATA_FACTORY_PIPELINE_AUTOMATION"),
        description="CluedIn label 'Data Factory Pipeline Automation': create a copy pipeline to CluedIn for "
        "every asset whose glossary terms match the term pattern.",
    )
    pipeline_automation_term_pattern: str = Field(
        "",
        validation_alias=_env("PIPELINE_AUTOMATION_TERM_PATTERN"),
        description="CluedIn label 'Pipeline Automation Term Pattern': regex on glossary term names.",
    )
    data_factory_create_run_schedule: bool = Field(
        False,
        validation_alias=_env("DATA_FACTORY_CREATE_RUN_SCHEDULE"),
        description="CluedIn label 'Data Factory Create Run Schedule'.",
    )
    data_factory_run_schedule_value: str = Field(
        "",
        validation_alias=_env("DATA_FACTORY_RUN_SCHEDULE_VALUE"),
        description="CluedIn label 'Data Factory Run Schedule Value', e.g. "
        "'Daily:Interval=1&Hours=[0,12]&Minutes=[0,30]'. Empty = schedules are removed.",
    )
    data_factory_key_vault_url: str | None = Field(
        None,
        validation_alias=_env("DATA_FACTORY_KEY_VAULT_URL"),
        description="Key Vault the factory reads the CluedIn token from (https://<vault>.vault.azure.net/).",
    )
    data_factory_cluedin_token_secret_name: str = Field(
        "cluedin-ingestion-token",
        validation_alias=_env("DATA_FACTORY_CLUEDIN_TOKEN_SECRET_NAME"),
        description="Name of the Key Vault secret holding the CluedIn token used by generated pipelines.",
    )

    # --- Engine -------------------------------------------------------------------------------------------
    sync_schedule: str = Field(
        "0 */1 * * * *",
        validation_alias=_env("SYNC_SCHEDULE"),
        description="NCRONTAB (6 fields, UTC) of the planning timers. CluedIn's integration polls every minute.",
    )
    poll_schedule: str = Field(
        "30 */5 * * * *", validation_alias=_env("POLL_SCHEDULE"), description="NCRONTAB of the metrics poll."
    )
    pipeline_automation_schedule: str = Field(
        "15 */1 * * * *",
        validation_alias=_env("PIPELINE_AUTOMATION_SCHEDULE"),
        description="NCRONTAB of the Data Factory automation timer (pipelines, then their run schedules).",
    )
    sync_dry_run: bool = Field(
        False,
        validation_alias=_env("SYNC_DRY_RUN"),
        description="Plan and report only: nothing is written to Purview, CluedIn or Data Factory.",
    )
    sync_delete_policy: DeletePolicy = Field(
        DeletePolicy.RETAIN,
        validation_alias=_env("SYNC_DELETE_POLICY"),
        description="'retain' keeps objects whose source disappeared (they are reported as orphaned); "
        "'soft-delete' deletes them in Purview (status DELETED, restorable) and marks them removed in CluedIn.",
    )
    sync_delete_failsafe_percent: float = Field(
        20.0,
        ge=0,
        le=100,
        validation_alias=_env("SYNC_DELETE_FAILSAFE_PERCENT"),
        description="A cycle that would delete more than this share of the objects a feature owns refuses, "
        "reports and deletes nothing (a single deletion is always allowed).",
    )
    storage_connection: str | None = Field(
        None,
        validation_alias=_env("AzureWebJobsStorage"),
        description="Storage for state tables and queues: a connection string (Azurite: UseDevelopmentStorage=true).",
    )
    storage_account_name: str | None = Field(
        None,
        validation_alias=_env("AzureWebJobsStorage__accountName"),
        description="Identity-based storage: the account name (used with the managed identity).",
    )
    storage_client_id: str | None = Field(
        None,
        validation_alias=_env("AzureWebJobsStorage__clientId"),
        description="Identity-based storage: client id of the user-assigned managed identity.",
    )
    sync_table_prefix: str = Field(
        "sync",
        pattern=r"^[A-Za-z][A-Za-z0-9]{0,20}$",
        validation_alias=_env("SYNC_TABLE_PREFIX"),
        description="Prefix of the state tables, so several deployments can share one storage account.",
    )

    @field_validator("purview_base_url", "cluedin_url", "data_factory_base_url", "data_factory_key_vault_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        parsed = urlparse(value)
        if parsed.scheme not in {"http", "https"} or not parsed.netloc:
            raise ValueError(f"must be an http(s) URL, got {value!r}")
        return value.rstrip("/")

    @field_validator(
        "purview_client_secret",
        "purview_static_token",
        "cluedin_password",
        "cluedin_api_token",
        "data_factory_client_secret",
        "data_factory_static_token",
        mode="before",
    )
    @classmethod
    def _empty_secret_is_unset(cls, value: object) -> object:
        """An empty secret (e.g. an app setting left blank) means 'not set', exactly like an absent one."""
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, SecretStr) and not value.get_secret_value().strip():
            return None
        return value

    @field_validator("sync_schedule", "poll_schedule", "pipeline_automation_schedule")
    @classmethod
    def _ncrontab(cls, value: str) -> str:
        if value.startswith("%"):
            return value
        if len(value.split()) != NCRONTAB_FIELDS:
            raise ValueError(f"must be an NCRONTAB expression with 6 fields (second first), got {value!r}")
        return value

    @field_validator("pipeline_automation_term_pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"is not a valid regular expression: {exc}") from exc
        return value

    @field_validator("cluedin_rest_path_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        return "/" + value.strip("/") if value.strip("/") else ""

    # --- Derived helpers ------------------------------------------------------------------------------------
    def keyword_terms(self) -> list[str]:
        """The F1 keyword setting split into term names; `["*"]` means every asset."""
        return [k.strip().strip('"') for k in self.sync_cluedin_data_sources_keywords.split(",") if k.strip()]

    def missing(self, *names: str) -> list[str]:
        """Environment names of the given fields that are empty."""
        empty = []
        for name in names:
            value = getattr(self, name)
            if value is None or (isinstance(value, str) and not value.strip()):
                empty.append(env_name(name))
        return empty

    def require(self, *names: str, purpose: str) -> None:
        """Raise SettingsError naming every empty setting among `names`."""
        empty = self.missing(*names)
        if empty:
            raise SettingsError(f"{purpose} needs the setting(s) {', '.join(empty)}", settings=empty)


def env_name(field_name: str) -> str:
    """The environment variable (app setting) name of a field."""
    alias = AppSettings.model_fields[field_name].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return field_name.upper()


def load_settings(environ: dict[str, str] | None = None) -> AppSettings:
    """Read settings from the environment (or a given mapping), naming any invalid setting in the error."""
    try:
        if environ is None:
            return AppSettings()
        return AppSettings.model_validate(dict(environ))
    except ValidationError as exc:
        problems = []
        names = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            name = env_name(field) if field in AppSettings.model_fields else field
            names.append(name)
            problems.append(f"{name}: {error['msg']}")
        raise SettingsError("invalid app settings: " + "; ".join(problems), settings=names) from None
