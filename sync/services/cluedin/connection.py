"""The CluedIn client the settings describe, and its audit log as a change feed (built by `sync/runtime.py`)."""

from __future__ import annotations

from typing import Any

from sync.core.settings import Settings, secret_value
from sync.services.budget import shared_budget
from sync.services.cluedin.audit import AuditLogFeed
from sync.services.cluedin.client import CluedInClient, organization_from_url
from sync.services.cluedin.settings import CluedInSettings


def cluedin_client(settings: Settings) -> CluedInClient:
    """CluedIn client from settings (names any missing setting)."""
    cluedin = settings.get(CluedInSettings)
    cluedin.require("cluedin_url", "cluedin_username", "cluedin_password", purpose="Calling CluedIn")
    base = str(cluedin.cluedin_url)
    return CluedInClient(
        base,
        organization=organization_of(cluedin),
        username=str(cluedin.cluedin_username),
        password=str(secret_value(cluedin.cluedin_password)),
        api_token=secret_value(cluedin.cluedin_api_token),
        rest_path_prefix=cluedin.cluedin_rest_path_prefix,
        rate_limiter=shared_budget(
            f"cluedin|{base}",
            settings,
            cluedin.cluedin_max_requests_per_second,
            cluedin.cluedin_requests_per_second_ceiling,
        ),
    )


def organization_of(cluedin: CluedInSettings) -> str:
    """The organization name: the setting, or the first label of the URL's host."""
    return cluedin.cluedin_organization or organization_from_url(str(cluedin.cluedin_url or ""))


def audit_feed(context: Any) -> AuditLogFeed:
    """The CluedIn change feed of a run's context (reads through the context's CluedIn client)."""
    client: CluedInClient = context.client("cluedin")
    return AuditLogFeed(client)
