"""App settings for the local host: `local.settings.json` plus the environment, and `%NAME%` resolution.

The app reads its configuration from environment variables, exactly as in Azure where app settings become
environment variables. Core Tools does the same with `local.settings.json` ("Values"), and it does not
overwrite a variable that is already set in the environment; the local host follows that rule so a
developer can override one setting for one run with `NAME=value python -m devhost`.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping, MutableMapping
from pathlib import Path

log = logging.getLogger("devhost")

_PLACEHOLDER = re.compile(r"%([^%]+)%")


class SettingsError(ValueError):
    """A settings file or a `%NAME%` reference that the host cannot use; the message names the culprit."""


def read_local_settings(path: Path) -> dict[str, str]:
    """The `Values` of a `local.settings.json` file, every value as a string.

    Core Tools refuses files whose `Values` are not flat strings, and so does this; numbers and booleans
    are accepted and turned into their JSON text because people write them by hand.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as error:
        raise SettingsError(f"settings file {path} does not exist") from error
    except json.JSONDecodeError as error:
        raise SettingsError(f"settings file {path} is not valid JSON: {error}") from error
    if not isinstance(document, dict):
        raise SettingsError(f"settings file {path} must hold a JSON object with a 'Values' object")
    if document.get("IsEncrypted") is True:
        raise SettingsError(f"settings file {path} is encrypted; decrypt it with `func settings decrypt` first")
    values = document.get("Values", {})
    if not isinstance(values, dict):
        raise SettingsError(f"'Values' in {path} must be an object of name → string")
    settings: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, str):
            settings[name] = value
        elif isinstance(value, bool | int | float):
            settings[name] = json.dumps(value)
        elif value is None:
            settings[name] = ""
        else:
            raise SettingsError(f"setting {name!r} in {path} must be a string, not {type(value).__name__}")
    return settings


def export_settings(
    settings: Mapping[str, str],
    *,
    environ: MutableMapping[str, str] | None = None,
    override: bool = False,
) -> dict[str, str]:
    """Put settings into the environment and return the effective values.

    Args:
        settings: Names and values to export.
        environ: The environment to write to (default `os.environ`).
        override: False keeps a variable that is already set (Core Tools' rule for `local.settings.json`);
            True replaces it (explicit settings handed to `LocalHost` by a test or the demo).

    Returns:
        Every name in `settings` with the value the environment holds afterwards.
    """
    target = os.environ if environ is None else environ
    effective: dict[str, str] = {}
    for name, value in settings.items():
        current = target.get(name)
        if current is not None and not override and current != value:
            log.warning(
                "Skipping '%s' from local settings as it's already defined in current environment variables.", name
            )
            effective[name] = current
            continue
        target[name] = value
        effective[name] = value
    return effective


def resolve_placeholders(text: str, settings: Mapping[str, str], *, what: str) -> str:
    """Replace every `%NAME%` in a binding expression with the setting's value.

    The Functions host resolves `%NAME%` in trigger properties (schedule, queue name) from app settings
    and refuses to start the function when a name is missing; so does this, naming the setting.
    """

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        value = settings.get(name)
        if value is None:
            raise SettingsError(f"{what}: '%{name}%' does not resolve to an app setting named {name!r}")
        return value

    return _PLACEHOLDER.sub(substitute, text)
