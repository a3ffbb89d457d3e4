"""Per-process wiring: settings, state, queues and service clients for the functions.

Settings are read when a function runs, not at import, so a bad setting produces a clear log line from the
function that needs it instead of a worker that fails to load. Clients and storage handles are cached per
process (a Functions worker serves many invocations) and rebuilt when settings change.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from sync.core.engine import Feature, SyncContext
from sync.core.settings import AppSettings, load_settings
from sync.core.state import StateStore
from sync.core.storage import QueueSender, queue_service, table_service
from sync.core.telemetry import configure_telemetry
from sync.features.registry import all_features
from sync.services.auth import azure_auth
from sync.services.cluedin.client import CluedInClient, organization_from_url
from sync.services.datafactory.client import datafactory_client
from sync.services.http import shared_rate_limiter
from sync.services.purview.client import PURVIEW_SCOPE, PurviewClient

_lock = threading.Lock()
_cache: dict[str, Any] = {}


def purview_client(settings: AppSettings) -> PurviewClient:
    """Purview client from settings (names any missing setting)."""
    settings.require("purview_base_url", purpose="Calling Purview")
    base = str(settings.purview_base_url)
    auth = azure_auth(
        scope=PURVIEW_SCOPE,
        tenant_id=settings.purview_tenant_id,
        client_id=settings.purview_client_id,
        client_secret=settings.purview_client_secret.get_secret_value() if settings.purview_client_secret else None,
        static_token=settings.purview_static_token.get_secret_value() if settings.purview_static_token else None,
        managed_identity_client_id=settings.storage_client_id,
    )
    limiter = shared_rate_limiter(f"purview:{base}", settings.purview_max_operations_per_second)
    return PurviewClient(base, auth, rate_limiter=limiter)


def cluedin_client(settings: AppSettings) -> CluedInClient:
    """CluedIn client from settings (names any missing setting)."""
    settings.require("cluedin_url", "cluedin_username", "cluedin_password", purpose="Calling CluedIn")
    base = str(settings.cluedin_url)
    assert settings.cluedin_password is not None
    return CluedInClient(
        base,
        organization=settings.cluedin_organization or organization_from_url(base),
        username=str(settings.cluedin_username),
        password=settings.cluedin_password.get_secret_value(),
        api_token=settings.cluedin_api_token.get_secret_value() if settings.cluedin_api_token else None,
        rest_path_prefix=settings.cluedin_rest_path_prefix,
        rate_limiter=shared_rate_limiter(f"cluedin:{base}", settings.cluedin_max_requests_per_second),
    )


CLIENT_FACTORIES: dict[str, Callable[[AppSettings], Any]] = {
    "purview": purview_client,
    "cluedin": cluedin_client,
    "datafactory": datafactory_client,
}


def _process_wide(name: str, factory: Callable[[AppSettings], Any]) -> Callable[[AppSettings], Any]:
    """Wrap a client factory so the client is built once per process (and settings).

    Sessions, connection pools, tokens and CluedIn's login are then reused by every invocation instead of being
    paid for per message.
    """

    def build(settings: AppSettings) -> Any:
        key = f"client:{name}"
        with _lock:
            client = _cache.get(key)
        if client is None:
            client = factory(settings)
            with _lock:
                client = _cache.setdefault(key, client)
        return client

    return build


def _settings_signature() -> tuple[tuple[str, str], ...]:
    return tuple(sorted(os.environ.items()))


def context() -> SyncContext:
    """A fresh SyncContext for one invocation, sharing this process's storage handles and service clients.

    Clients are thread-safe and shared by every invocation of the process (built on first use); so are the rate
    limiters, so concurrent invocations together stay under each service's limit. A change of settings (tests,
    the local host) rebuilds everything.
    """
    configure_telemetry()
    signature = _settings_signature()
    with _lock:
        if _cache.get("signature") != signature:
            _cache.clear()
            settings = load_settings()
            state = StateStore(table_service(settings), settings.sync_table_prefix)
            state.ensure_tables()
            _cache.update(
                signature=signature, settings=settings, state=state, queues=QueueSender(queue_service(settings))
            )
        settings = _cache["settings"]
        state = _cache["state"]
        queues = _cache["queues"]
    return SyncContext(
        settings, state, queues, clients={name: _process_wide(name, f) for name, f in CLIENT_FACTORIES.items()}
    )


def features() -> dict[str, Feature]:
    """Every feature by name."""
    return {feature.name: feature for feature in all_features()}
