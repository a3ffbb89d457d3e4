"""`check [feature]`: every connection, credential and role the enabled features need, before the first cycle.

Like `dbt debug`: each line ✓ or ✗ with the fix in one line (- for what is not checked here); the exit code is
1 when anything is ✗. Roles are checked with the read each role allows (search for Data Reader, collection reads,
the factory's ARM read); a write role is only proven by a write, so those lines say what the first cycle needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import click
import requests
from azure.core.exceptions import AzureError, ClientAuthenticationError, HttpResponseError, ResourceNotFoundError

from sync.cli.commands.common import FEATURE
from sync.cli.main import Cli, cli
from sync.core.errors import PermissionDeniedError, RetriableError, ServiceError, SettingsError
from sync.core.feature import Feature, SyncContext
from sync.core.settings import secret_value
from sync.core.switches import dry_run_state
from sync.services.datafactory.client import API_VERSION, DataFactoryClient
from sync.services.datafactory.settings import DataFactorySettings
from sync.services.purview.client import PurviewClient
from sync.services.purview.collections import plan_target_collection
from sync.services.purview.settings import PurviewSettings
from sync.services.purview.typedefs import DATASET_TYPE

KEY_VAULT_SCOPE = "https://vault.azure.net/.default"
ROLE_FIX = {
    "purview": "grant the app's identity Data Reader on the root collection and Data Curator on the target one",
    "cluedin": "give the CluedIn service account the Integration, Management and Admin claims",
    "datafactory": "grant the app's identity Data Factory Contributor on the factory",
}


@dataclass
class Check:
    """One line of the report."""

    area: str
    check: str
    ok: bool | None
    detail: str = ""
    fix: str = ""

    @property
    def mark(self) -> str:
        """✓, ✗ or - (not checked)."""
        return {True: "✓", False: "✗", None: "-"}[self.ok]


def _problem(service: str, exc: Exception) -> tuple[str, str]:
    """(what went wrong, the fix) for an error a service call raised."""
    if isinstance(exc, SettingsError):
        return str(exc), "set the setting(s) named (see README, Configuration)"
    if isinstance(exc, PermissionDeniedError) and exc.status == 403:
        return f"refused: {exc.detail}", ROLE_FIX.get(service, "grant the missing role")
    if isinstance(exc, PermissionDeniedError | ClientAuthenticationError):
        return f"cannot sign in: {exc}", f"check the {service} credentials (client id/secret, or `az login`)"
    if isinstance(exc, RetriableError | requests.RequestException):
        return f"unreachable: {exc}", f"check the {service} URL setting and the network (local: `make up`)"
    if isinstance(exc, ServiceError):
        return f"{exc.status} {exc.code}: {exc.detail}", "see the message; check the URL and the account"
    return f"{type(exc).__name__}: {exc}", "run with --debug for the traceback"


def _probe(checks: list[Check], area: str, name: str, service: str, call: Callable[[], str]) -> bool:
    try:
        detail = call()
    except Exception as exc:
        detail, fix = _problem(service, exc)
        checks.append(Check(area, name, False, detail, fix))
        return False
    checks.append(Check(area, name, True, detail))
    return True


def _storage(ctx: SyncContext, features: list[Feature], checks: list[Check]) -> None:
    def tables() -> str:
        try:
            next(iter(ctx.state.objects.query_entities("PartitionKey eq 'x'", results_per_page=1)), None)
        except ResourceNotFoundError:
            return f"{ctx.state.objects.table_name}: not created yet (the app creates it)"
        return f"{ctx.state.objects.table_name} readable"

    def queues() -> str:
        names = sorted({ctx.queues.name(f.queue) for f in features})
        for name in names:
            try:
                ctx.queues.service.get_queue_client(name).get_queue_properties()
            except ResourceNotFoundError:
                continue
        return ", ".join(names)

    for name, call in (("state tables", tables), ("work queues", queues)):
        try:
            checks.append(Check("storage", name, True, call()))
        except (AzureError, HttpResponseError) as exc:
            fix = "grant Storage Table and Queue Data Contributor; locally start Azurite (`make up`)"
            checks.append(Check("storage", name, False, str(exc).splitlines()[0], fix))
    mode = dry_run_state(ctx.engine, ctx.state)
    checks.append(Check("storage", "dry-run", None, f"{'on' if mode.dry_run else 'off'} ({mode.reason})"))


def _purview(ctx: SyncContext, checks: list[Check]) -> None:
    purview: PurviewClient = ctx.client("purview")

    def search() -> str:
        next(purview.iter_search(page_size=1), None)
        return f"search answered ({purview.base_url})"

    if not _probe(checks, "purview", "Data Reader (sign-in and search)", "purview", search):
        return
    setting = ctx.settings.get(PurviewSettings).purview_collection_name

    def collection() -> str:
        found, step = plan_target_collection(purview, ctx.state, setting)
        if step is not None:
            return f"{setting!r} will be created by the first cycle (needs Collection Admin on its parent)"
        return f"{setting or 'root'} → {found or 'default collection'}"

    _probe(checks, "purview", "target collection", "purview", collection)

    def types() -> str:
        known = purview.get_typedef(DATASET_TYPE.name) is not None
        return "registered" if known else "registered by the first cycle (needs Data Curator on the root collection)"

    _probe(checks, "purview", "custom types (cluedin_*)", "purview", types)


def _cluedin(ctx: SyncContext, checks: list[Check]) -> None:
    cluedin = ctx.client("cluedin")

    def groups() -> str:
        next(iter(cluedin.iter_data_source_sets(page_size=1)), None)
        return f"signed in to {cluedin.base_url} as organization {cluedin.organization}"

    _probe(checks, "cluedin", "sign-in and Integration claims (data sources)", "cluedin", groups)


def _datafactory(ctx: SyncContext, checks: list[Check]) -> None:
    adf: DataFactoryClient = ctx.client("datafactory")

    def factory() -> str:
        adf.transport.request("GET", "", params={"api-version": API_VERSION}, operation="factories.get")
        return adf.factory_url

    _probe(checks, "datafactory", "factory readable (Data Factory Contributor writes)", "datafactory", factory)
    settings = ctx.settings.get(DataFactorySettings)
    name = settings.data_factory_cluedin_token_secret_name
    if secret_value(settings.data_factory_static_token):
        checks.append(Check("key vault", f"secret {name}", None, "development token: the emulator holds the secret"))
        return
    vault = settings.data_factory_key_vault_url
    if not vault:
        checks.append(Check("key vault", f"secret {name}", False, "no vault", "set DATA_FACTORY_KEY_VAULT_URL"))
        return

    def secret() -> str:
        from azure.identity import DefaultAzureCredential

        token = DefaultAzureCredential().get_token(KEY_VAULT_SCOPE).token
        url = f"{vault.rstrip('/')}/secrets/{name}"
        response = requests.get(
            url, params={"api-version": "7.4"}, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        if response.status_code == 404:
            raise SettingsError(
                f"secret {name} does not exist: az keyvault secret set --name {name} --value 'Bearer <token>'"
            )
        response.raise_for_status()
        return "exists (the factory's identity needs Key Vault Secrets User on it)"

    _probe(checks, "key vault", f"secret {name}", "key vault", secret)


SERVICES: dict[str, Callable[[SyncContext, list[Check]], None]] = {
    "purview": _purview,
    "cluedin": _cluedin,
    "datafactory": _datafactory,
}


def run_checks(ctx: SyncContext, features: list[Feature]) -> list[Check]:
    """Every check the features need, in a stable order."""
    checks: list[Check] = []
    for feature in features:
        try:
            if feature.settings_model is not None:
                ctx.settings.get(feature.settings_model)
            checks.append(Check("settings", feature.name, True, "valid"))
        except SettingsError as exc:
            checks.append(Check("settings", feature.name, False, str(exc), "fix the setting(s) named"))
    _storage(ctx, features, checks)
    needed = [s for s in SERVICES if any(s in f.needs for f in features)]
    for service in needed:
        try:
            ctx.client(service)
        except SettingsError as exc:
            checks.append(Check(service, "settings", False, str(exc), "set the setting(s) named"))
            continue
        SERVICES[service](ctx, checks)
    return checks


@cli.command()
@click.argument("feature", required=False, type=FEATURE)
@click.pass_obj
def check(app: Cli, feature: str | None) -> int:
    """Check every connection, credential and role that FEATURE (default: every enabled feature) needs."""
    ctx = app.session.context()
    features = app.session.pick((feature,) if feature else ())
    checks = run_checks(ctx, features)
    rows: list[dict[str, Any]] = [{"": c.mark, **asdict(c)} for c in checks]
    columns = ["", "area", "check", "detail", "fix"] + ([] if app.out.format == "table" else ["ok"])
    app.out.rows(columns, rows, title="Check")
    failed = [c for c in checks if c.ok is False]
    app.out.note(f"{len(failed)} problem(s)" if failed else "all checks passed")
    return 1 if failed else 0
