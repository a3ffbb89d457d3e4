"""Where the CLI's settings come from, and the app it opens with them: the Function app's own wiring.

Settings are read like the Function app reads them, from App Settings, here given as a file: `local.settings.json`
(`{"Values": {...}}`, what the local host and Core Tools read) or the list `az functionapp config appsettings list`
prints (`[{"name", "value"}, ...]`), so the CLI works against Azure with the deployed settings. Variables already
in the environment win, as with Core Tools. Key Vault references (`@Microsoft.KeyVault(SecretUri=…)`) are resolved
with the operator's azure-identity credential (`az login`, a managed identity or a service principal); storage and
services are reached with the same credential whenever the settings name no key or secret, through the same
state tables and queues the app uses (`sync.runtime`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from sync import runtime
from sync.core.feature import Feature, SyncContext
from sync.core.settings import Settings

DEFAULT_SETTINGS = Path("local.settings.json")
KEY_VAULT_REFERENCE = re.compile(r"^@Microsoft\.KeyVault\(SecretUri=(?P<uri>https://[^)]+)\)$")
KEY_VAULT_SCOPE = "https://vault.azure.net/.default"


class CliError(Exception):
    """A problem the user can fix: printed as one line (what is wrong and how to fix it), exit code 2 by default."""

    def __init__(self, message: str, *, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def read_settings_file(path: Path) -> dict[str, str]:
    """App Settings from a local.settings.json or an `az functionapp config appsettings list` file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise CliError(
            f"settings file {path} does not exist: pass --settings FILE (or copy "
            "local.settings.json.example to local.settings.json)"
        ) from None
    except json.JSONDecodeError as exc:
        raise CliError(f"settings file {path} is not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if isinstance(document, list):
        pairs = [(item.get("name"), item.get("value")) for item in document if isinstance(item, dict)]
        return {str(k): "" if v is None else str(v) for k, v in pairs if k}
    if isinstance(document, dict) and isinstance(document.get("Values"), dict):
        values: dict[str, Any] = document["Values"]
        return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in values.items() if v is not None}
    raise CliError(
        f'settings file {path} is neither local.settings.json ({{"Values": {{...}}}}) nor an '
        "`az functionapp config appsettings list` list"
    )


def resolve_key_vault_references(values: dict[str, str]) -> dict[str, str]:
    """Replace Key Vault references by the secrets' values, read with the operator's azure-identity credential."""
    references = {k: m["uri"] for k, v in values.items() if (m := KEY_VAULT_REFERENCE.match(v.strip()))}
    if not references:
        return values
    from azure.identity import DefaultAzureCredential

    token = DefaultAzureCredential().get_token(KEY_VAULT_SCOPE).token
    resolved = dict(values)
    for name, uri in references.items():
        response = requests.get(
            uri.rstrip("/"), params={"api-version": "7.4"}, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        if response.status_code != 200:
            raise CliError(
                f"{name} is a Key Vault reference the CLI cannot read ({response.status_code}): grant "
                "your identity 'Key Vault Secrets User' on the vault, or set the value in the environment"
            )
        resolved[name] = str(response.json().get("value", ""))
    return resolved


@dataclass
class Session:
    """The app as the CLI sees it: settings, state, queues and features, wired exactly as in the Function app."""

    settings_path: Path | None

    def __post_init__(self) -> None:
        self._context: SyncContext | None = None

    def load(self) -> None:
        """Export the settings into this process's environment (variables already set win)."""
        path = self.settings_path
        if path is None and DEFAULT_SETTINGS.exists():
            path = DEFAULT_SETTINGS
        values = read_settings_file(path) if path is not None else {}
        for name, value in resolve_key_vault_references(values).items():
            os.environ.setdefault(name, value)

    def context(self) -> SyncContext:
        """A SyncContext over the app's state tables, queues and service clients (built once)."""
        if self._context is None:
            self.load()
            self._context = runtime.context()
        return self._context

    @property
    def settings(self) -> Settings:
        """The app's settings."""
        return self.context().settings

    @property
    def features(self) -> dict[str, Feature]:
        """Every feature by name, in dependency order."""
        return runtime.features()

    def enabled_features(self) -> list[Feature]:
        """The features whose toggle is on (in dependency order)."""
        settings = self.settings
        enabled = []
        for feature in self.features.values():
            try:
                if feature.enabled(settings):
                    enabled.append(feature)
            except Exception:  # an invalid toggle: the feature's own commands name the setting
                enabled.append(feature)
        return enabled

    def pick(self, names: tuple[str, ...]) -> list[Feature]:
        """The named features in dependency order, or every enabled one when none is named."""
        if not names:
            chosen = self.enabled_features()
            if not chosen:
                raise CliError("no feature is enabled: turn one on (e.g. SYNC_CLUEDIN_DATA_SOURCES=true) or name one")
            return chosen
        wanted = set(names)
        return [f for f in self.features.values() if f.name in wanted]

    def target(self) -> str:
        """Which deployment's state this is (storage account or endpoint, table and queue prefixes)."""
        engine = self.settings.engine
        storage = engine.storage_account_name or _endpoint(engine.storage_connection or "")
        return f"{storage}|{engine.sync_table_prefix}|{engine.sync_queue_prefix}"


def _endpoint(connection: str) -> str:
    """The table endpoint (or account) of a connection string, never its key."""
    parts = dict(p.split("=", 1) for p in connection.split(";") if "=" in p)
    if connection.strip().lower() == "usedevelopmentstorage=true":
        return "devstoreaccount1"
    return parts.get("TableEndpoint") or parts.get("AccountName") or "storage"
