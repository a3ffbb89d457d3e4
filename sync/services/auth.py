"""Bearer tokens from Entra ID (service principal or managed identity), or a static token for emulators.

In Azure the app runs with its managed identity (DefaultAzureCredential) unless a client id and secret are
configured, as in CluedIn's own settings. Against the local emulators a static token is enough; the emulators
accept any bearer token the way Azurite accepts its well-known key.

A credential that cannot produce a token (wrong secret, no managed identity, Entra ID unreachable) raises the
app's typed errors naming the service and the settings that configure its identity — never an azure-identity
exception a handler could mistake for a storage failure.
"""

from __future__ import annotations

import threading

from azure.core.credentials import AccessToken, TokenCredential
from azure.core.exceptions import AzureError, ClientAuthenticationError

from sync.core import clock
from sync.core.azure_errors import first_line, typed_error
from sync.core.errors import RetriableError
from sync.services.http import AuthProvider

REFRESH_MARGIN_SECONDS = 300


class StaticTokenAuth(AuthProvider):
    """A fixed bearer token (development against emulators only)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def header(self) -> str | None:
        """`Bearer <token>`."""
        return f"Bearer {self._token}"


class CredentialAuth(AuthProvider):
    """Caches an azure-identity token until shortly before it expires."""

    def __init__(
        self, credential: TokenCredential, scope: str, *, service: str = "", settings: list[str] | None = None
    ) -> None:
        self._credential = credential
        self._scope = scope
        self._service = service
        self._settings = list(settings or [])
        self._token: AccessToken | None = None
        self._lock = threading.Lock()

    def header(self) -> str | None:
        """`Bearer <token>`, fetching a new token when the cached one is about to expire.

        Raises:
            PermissionDeniedError: the credential refused or is not available (names the service and settings).
            RetriableError: Entra ID (or the managed identity endpoint) could not be reached.
        """
        with self._lock:
            if self._token is None or self._token.expires_on - REFRESH_MARGIN_SECONDS < clock.now().timestamp():
                try:
                    self._token = self._credential.get_token(self._scope)
                except ClientAuthenticationError as exc:
                    raise typed_error(exc, self._service or "a service", self._settings) from None
                except AzureError as exc:
                    raise RetriableError(
                        f"{self._service}: could not get a token ({type(exc).__name__}: {first_line(exc)})",
                        service=self._service,
                        settings=self._settings,
                    ) from None
            return f"Bearer {self._token.token}"

    def refresh(self) -> bool:
        """Forget the cached token after a 401 so the next call asks Entra ID again."""
        with self._lock:
            self._token = None
        return True


def azure_auth(
    *,
    scope: str,
    tenant_id: str | None,
    client_id: str | None,
    client_secret: str | None,
    static_token: str | None,
    managed_identity_client_id: str | None = None,
    service: str = "",
    settings: list[str] | None = None,
) -> AuthProvider:
    """Pick the credential the way the settings describe: static > service principal > managed identity.

    `service` and `settings` (the App Settings configuring this identity) name what is at fault when no token
    can be obtained.
    """
    if static_token:
        return StaticTokenAuth(static_token)
    if client_id and client_secret and tenant_id:
        from azure.identity import ClientSecretCredential

        credential: TokenCredential = ClientSecretCredential(tenant_id, client_id, client_secret)
    else:
        from azure.identity import DefaultAzureCredential

        credential = DefaultAzureCredential(managed_identity_client_id=managed_identity_client_id or client_id)
    return CredentialAuth(credential, scope, service=service, settings=settings)
