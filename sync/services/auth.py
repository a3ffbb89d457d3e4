"""Bearer tokens from Entra ID (service principal or managed identity), or a static token for emulators.

In Azure the app runs with its managed identity (DefaultAzureCredential) unless a client id and secret are
configured, as in CluedIn's own settings. Against the local emulators a static token is enough; the emulators
accept any bearer token the way Azurite accepts its well-known key.
"""

from __future__ import annotations

import threading
import time

from azure.core.credentials import AccessToken, TokenCredential

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

    def __init__(self, credential: TokenCredential, scope: str) -> None:
        self._credential = credential
        self._scope = scope
        self._token: AccessToken | None = None
        self._lock = threading.Lock()

    def header(self) -> str | None:
        """`Bearer <token>`, fetching a new token when the cached one is about to expire."""
        with self._lock:
            if self._token is None or self._token.expires_on - REFRESH_MARGIN_SECONDS < time.time():
                self._token = self._credential.get_token(self._scope)
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
) -> AuthProvider:
    """Pick the credential the way the settings describe: static > service principal > managed identity."""
    if static_token:
        return StaticTokenAuth(static_token)
    if client_id and client_secret and tenant_id:
        from azure.identity import ClientSecretCredential

        return CredentialAuth(ClientSecretCredential(tenant_id, client_id, client_secret), scope)
    from azure.identity import DefaultAzureCredential

    credential = DefaultAzureCredential(managed_identity_client_id=managed_identity_client_id or client_id)
    return CredentialAuth(credential, scope)
