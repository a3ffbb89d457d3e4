"""Assemble the Data Factory emulator on the shared kit (admin API, counters, faults)."""

from __future__ import annotations

from collections.abc import Mapping

from emulators._common import EmulatorApp, FaultSettings, build_emulator_app
from emulators.datafactory.admin import build_admin_routes
from emulators.datafactory.arm import EmulatorContext
from emulators.datafactory.errors import error_body
from emulators.datafactory.paths import CaseInsensitiveArmPaths
from emulators.datafactory.routes_entities import build_entity_routes
from emulators.datafactory.routes_runs import build_run_routes
from emulators.datafactory.runner import RunExecutor
from emulators.datafactory.store import DataFactoryStore


def build_datafactory_app(
    *,
    storage_connection_string: str | None = None,
    secrets: Mapping[str, str] | None = None,
    retry_wait_scale: float = 1.0,
    faults: FaultSettings | None = None,
) -> EmulatorApp:
    """The emulator as an ASGI app; `extras["context"]` gives in-process tests the store and executor.

    `storage_connection_string` is the Azurite every storage account is mapped to; `secrets` seed the Key
    Vault stand-in; `retry_wait_scale` multiplies activity retry and Wait delays (tests use 0.01).
    """
    store = DataFactoryStore()
    store.secrets.update(secrets or {})
    executor = RunExecutor(store, retry_wait_scale=retry_wait_scale)
    context = EmulatorContext(store=store, executor=executor, connection_string=storage_connection_string)
    routes = [*build_admin_routes(context), *build_entity_routes(context), *build_run_routes(context)]

    async def stop_runs() -> None:
        executor.shutdown()

    app = build_emulator_app(routes=routes, store=store, error_body=error_body, faults=faults, on_shutdown=[stop_runs])
    app.asgi = CaseInsensitiveArmPaths(app.asgi)
    app.extras["context"] = context
    return app
