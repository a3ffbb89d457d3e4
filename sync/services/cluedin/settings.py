"""Settings of the CluedIn connection."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, field_validator

from sync.core.settings import HttpUrl, SettingsGroup, env


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
        description="Client-side rate limit for CluedIn calls, shared by all functions of one instance.",
    )

    @field_validator("cluedin_rest_path_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        return "/" + value.strip("/") if value.strip("/") else ""
