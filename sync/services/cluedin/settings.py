"""Settings of the CluedIn connection."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, ValidationInfo, field_validator

from sync.core.settings import HttpUrl, OptionalFloat, SettingsGroup, ceiling_not_below, env


class CluedInSettings(SettingsGroup):
    """Where the CluedIn organization is and the service account the app signs in with."""

    title: ClassVar[str] = "CluedIn connection"

    cluedin_url: HttpUrl = Field(
        None,
        validation_alias=env("CLUEDIN_URL"),
        description="Base URL of the CluedIn organization, e.g. https://myorg.cluedin.example.com. "
        "Empty = no synchronisation with CluedIn.",
    )
    cluedin_organization: str | None = Field(
        None,
        validation_alias=env("CLUEDIN_ORGANIZATION"),
        description="CluedIn organization name (the OAuth client id of the password grant). Default: the first "
        "label of the CluedIn URL's host name.",
    )
    cluedin_username: str | None = Field(
        None,
        validation_alias=env("CLUEDIN_USERNAME"),
        description="CluedIn service account e-mail. CluedIn's configuration GraphQL (/graphql) only accepts "
        "user access tokens, so a (non-SSO) service account is needed to create data sources.",
    )
    cluedin_password: SecretStr | None = Field(
        None, validation_alias=env("CLUEDIN_PASSWORD"), description="Password of the CluedIn service account."
    )
    cluedin_api_token: SecretStr | None = Field(
        None,
        validation_alias=env("CLUEDIN_API_TOKEN"),
        description="Optional CluedIn API token for the data GraphQL and ingestion endpoints; default: the "
        "service account's access token.",
    )
    cluedin_rest_path_prefix: str = Field(
        "/api/api",
        validation_alias=env("CLUEDIN_REST_PATH_PREFIX"),
        description="Path prefix of CluedIn's REST API: '/api/api' (gateway deployments) or '/api'.",
    )
    cluedin_max_requests_per_second: float = Field(
        20.0,
        gt=0,
        validation_alias=env("CLUEDIN_MAX_REQUESTS_PER_SECOND"),
        description="Requests per second the whole app sends to CluedIn, however many instances run: the "
        "instances share it through a budget in the state tables, and 429s lower it.",
    )
    cluedin_requests_per_second_ceiling: OptionalFloat = Field(
        None,
        gt=0,
        validation_alias=env("CLUEDIN_REQUESTS_PER_SECOND_CEILING"),
        description="Highest rate the app probes for while CluedIn answers without 429 (at least "
        "CLUEDIN_MAX_REQUESTS_PER_SECOND). Empty = CLUEDIN_MAX_REQUESTS_PER_SECOND: never above the setting.",
    )

    @field_validator("cluedin_requests_per_second_ceiling")
    @classmethod
    def _ceiling_not_below_start(cls, value: float | None, info: ValidationInfo) -> float | None:
        return ceiling_not_below(value, info.data.get("cluedin_max_requests_per_second"))

    @field_validator("cluedin_rest_path_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        return "/" + value.strip("/") if value.strip("/") else ""
