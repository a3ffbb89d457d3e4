"""Per-process wiring: settings, state, queues, service clients and change feeds for the functions.

Settings are read when a function runs, not at import, so a bad setting produces a clear log line from the
function that needs it instead of a worker that fails to load. Clients and storage handles are cached per
process (a Functions worker serves many invocations) and rebuilt when settings change.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from sync.core.changefeed import FeedSourceFactory
from sync.core.feature import ClientFactory, Feature, SyncContext
from sync.core.settings import Settings, load_settings
from sync.core.state import StateStore
from sync.core.storage import QueueSender, queue_service, table_service
from sync.core.telemetry import configure_telemetry
from sync.features.registry import all_features
from sync.services.cluedin.connection import audit_feed, cluedin_client
from sync.services.datafactory.connection import datafactory_client
from sync.services.purview.connection import purview_client, unified_catalog_client

_lock = threading.Lock()
_cache: dict[str, Any] = {}

CLIENT_FACTORIES: dict[str, ClientFactory] = {
    "purview": purview_client,
    "cluedin": cluedin_client,
    "datafactory": datafactory_client,
    "unified": unified_catalog_client,
}
FEED_SOURCES: dict[str, FeedSourceFactory] = {"cluedin": audit_feed}


def _process_wide(name: str, factory: ClientFactory) -> ClientFactory:
    """Wrap a client factory so the client is built once per process (and settings).

    Sessions, connection pools, tokens and CluedIn's login are then reused by every invocation instead of being
    paid for per message.
    """

    def build(settings: Settings) -> Any:
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

    Raises:
        SettingsError: the engine's or storage's settings are invalid or missing (every function needs them).
    """
    configure_telemetry()
    signature = _settings_signature()
    with _lock:
        if _cache.get("signature") != signature:
            _cache.clear()
            settings = load_settings()
            engine = settings.engine
            state = StateStore(table_service(engine), engine.sync_table_prefix)
            state.ensure_tables()
            queues = QueueSender(queue_service(engine), engine.sync_queue_prefix)
            _cache.update(signature=signature, settings=settings, state=state, queues=queues)
        settings = _cache["settings"]
        state = _cache["state"]
        queues = _cache["queues"]
    clients = {name: _process_wide(name, f) for name, f in CLIENT_FACTORIES.items()}
    return SyncContext(settings, state, queues, clients=clients, feed_sources=FEED_SOURCES)


def features() -> dict[str, Feature]:
    """Every feature by name."""
    return {feature.name: feature for feature in all_features()}
