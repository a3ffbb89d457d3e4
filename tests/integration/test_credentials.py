"""Credentials against the emulators: expired tokens, injected 401s, refresh and retry, failing credentials.

No Entra ID exists here, so the azure-identity side is a TokenCredential written for these tests (it issues
numbered tokens and counts requests); everything else is the app's own auth providers and transport against the
emulators over real HTTP. The CluedIn emulator checks expiry on its own clock, which the test moves forward.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError

from sync.core import clock as app_clock
from sync.core.errors import PermissionDeniedError, RetriableError
from sync.services.auth import REFRESH_MARGIN_SECONDS, CredentialAuth, azure_auth
from sync.services.purview.client import PurviewClient
from tests.support.stack import build_stack


class NumberedTokens:
    """A stand-in for Entra ID: token-1, token-2, … each valid for `lifetime` seconds from the app's clock."""

    def __init__(self, lifetime: int = 3600, failure: Exception | None = None) -> None:
        self.lifetime = lifetime
        self.failure = failure
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        if self.failure is not None:
            raise self.failure
        self.scopes.append(scopes)
        return AccessToken(f"token-{len(self.scopes)}", int(app_clock.now().timestamp()) + self.lifetime)


def purview_with(purview: Any, credential: NumberedTokens) -> tuple[PurviewClient, CredentialAuth]:
    auth = CredentialAuth(credential, "https://purview.azure.net/.default", service="purview", settings=["X"])
    return PurviewClient(purview.url, auth), auth


def test_a_401_drops_the_token_asks_the_credential_again_and_retries_once(purview):
    credential = NumberedTokens()
    client, auth = purview_with(purview, credential)
    first = client.list_glossaries()
    purview.set_faults(fail_next=1, fail_next_status=401)
    assert client.list_glossaries() == first
    assert [s[0] for s in credential.scopes] == ["https://purview.azure.net/.default"] * 2
    assert auth.header() == "Bearer token-2"


def test_a_second_401_after_the_refresh_is_a_permission_error_not_a_loop(purview):
    credential = NumberedTokens()
    client, _ = purview_with(purview, credential)
    purview.set_faults(fail_next=2, fail_next_status=401)
    with pytest.raises(PermissionDeniedError) as err:
        client.list_glossaries()
    assert err.value.status == 401 and len(credential.scopes) == 2


def test_a_cached_token_is_renewed_exactly_at_the_refresh_margin(clock):
    credential = NumberedTokens(lifetime=3600)
    auth = CredentialAuth(credential, "scope", service="purview")
    assert auth.header() == "Bearer token-1"
    clock.advance(3600 - REFRESH_MARGIN_SECONDS - 1)  # one second before the margin: still cached
    assert auth.header() == "Bearer token-1"
    clock.advance(1.5)  # past it: a new token
    assert auth.header() == "Bearer token-2"
    assert len(credential.scopes) == 2


def test_a_refused_credential_names_the_service_and_its_settings():
    refused = NumberedTokens(failure=ClientAuthenticationError("AADSTS7000215: Invalid client secret"))
    auth = CredentialAuth(refused, "scope", service="purview", settings=["PURVIEW_CLIENT_SECRET"])
    with pytest.raises(PermissionDeniedError) as err:
        auth.header()
    assert err.value.service == "purview" and "PURVIEW_CLIENT_SECRET" in str(err.value)


def test_an_unreachable_identity_endpoint_is_transient():
    unreachable = NumberedTokens(failure=ServiceRequestError("connection refused"))
    auth = CredentialAuth(unreachable, "scope", service="datafactory", settings=["DATA_FACTORY_CLIENT_ID"])
    with pytest.raises(RetriableError, match="datafactory: could not get a token") as err:
        auth.header()
    assert err.value.settings == ["DATA_FACTORY_CLIENT_ID"]


def test_the_settings_pick_static_then_service_principal_then_managed_identity():
    common: dict[str, Any] = {"scope": "s", "tenant_id": "t", "client_id": "c", "service": "purview"}
    static = azure_auth(**common, client_secret="secret", static_token="fixed")
    assert static.header() == "Bearer fixed" and not static.refresh()
    principal = azure_auth(**common, client_secret="secret", static_token=None)
    managed = azure_auth(**common, client_secret=None, static_token=None)
    assert type(principal._credential).__name__ == "ClientSecretCredential"  # type: ignore[attr-defined]
    assert type(managed._credential).__name__ == "DefaultAzureCredential"  # type: ignore[attr-defined]


def advance_cluedin(cluedin: Any, seconds: float) -> None:
    cluedin.http.post(f"{cluedin.url}/_emulator/clock", json={"advanceSeconds": seconds}, timeout=10).raise_for_status()


def test_an_expired_cluedin_token_is_refreshed_with_the_refresh_token_and_the_call_retried(
    azurite, purview, fresh_cluedin_emulator
):
    cluedin = fresh_cluedin_emulator
    client = build_stack(azurite, purview, cluedin).cluedin_client()
    before = [s["name"] for s in client.iter_data_source_sets()]
    auth = client.ui.auth
    tokens = auth._transport.stats  # type: ignore[attr-defined]
    assert tokens.by_operation == {"auth.token": 1}

    advance_cluedin(cluedin, timedelta(days=1).total_seconds())  # the access token expired on CluedIn's clock
    assert [s["name"] for s in client.iter_data_source_sets()] == before
    assert tokens.by_operation == {"auth.token": 2}  # one refresh, then the call was sent again
    assert auth._refresh  # type: ignore[attr-defined]

    advance_cluedin(cluedin, timedelta(days=31).total_seconds())  # the refresh token expired too: log in again
    assert [s["name"] for s in client.iter_data_source_sets()] == before
    assert tokens.by_operation == {"auth.token": 4}  # a refused refresh, then the password grant
