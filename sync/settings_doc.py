"""Documentation and deployment files generated from the settings groups, so neither can drift from the code.

`python -m sync.settings_doc` prints the README's settings table; `python -m sync.settings_doc --write` rewrites
the table between the README's markers and `infra/app/feature-settings.json`, the defaults of every setting the
Bicep templates do not set by name (so a new feature's settings are deployed without touching Bicep). Tests fail
when either file is out of date.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from sync.core.settings import SettingsGroup, is_secret
from sync.features.registry import settings_groups

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAIN_BICEP = ROOT / "infra" / "main.bicep"
FEATURE_SETTINGS = ROOT / "infra" / "app" / "feature-settings.json"
START = "<!-- settings-table:start -->"
END = "<!-- settings-table:end -->"
CLUEDIN_LABEL_PREFIX = "CluedIn label "
NOT_DEPLOYED = frozenset(
    {
        "PURVIEW_STATIC_TOKEN",
        "DATA_FACTORY_STATIC_TOKEN",
        "AzureWebJobsStorage",
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__clientId",
    }
)
"""Development-only settings and those the platform sets itself: never in the templates."""


def _rows(group: type[SettingsGroup], seen: set[str]) -> list[str]:
    rows = []
    for name, field in group.model_fields.items():
        setting = group.env_name(name)
        if setting in seen:
            continue
        seen.add(setting)
        description = (field.description or "").replace("|", "\\|")
        label = ""
        if description.startswith(CLUEDIN_LABEL_PREFIX):
            label, _, rest = description[len(CLUEDIN_LABEL_PREFIX) :].partition("'")[2].partition("'")
            description = rest.lstrip(":. ").strip()
        default = default_text(field.default)
        shown = "(secret)" if is_secret(field.annotation) else (f"`{default}`" if default else "")
        rows.append(f"| `{setting}` | {label} | {shown} | {description} |")
    return rows


def default_text(value: Any) -> str:
    """A default as an App Setting value ('' for none)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(getattr(value, "value", value))


def settings_table() -> str:
    """Markdown table: setting | CluedIn UI label | default | meaning, one section per group."""
    rows = ["| App setting | CluedIn UI label | Default | Meaning |", "|---|---|---|---|"]
    seen: set[str] = set()
    for group in settings_groups():
        section = _rows(group, seen)
        if section:
            rows.append(f"| **{group.title}** | | | |")
            rows += section
    return "\n".join(rows)


def replace_table(text: str) -> str:
    """The README text with its settings table regenerated."""
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    return f"{before}{START}\n{settings_table()}\n{END}{after}"


def named_in_bicep(bicep: str) -> set[str]:
    """App Settings the main template sets by name (its `syncSettings` and secret references)."""
    return set(re.findall(r"^\s+([A-Z][A-Za-z0-9_]+):", bicep, flags=re.MULTILINE))


def feature_settings(bicep: str) -> dict[str, str]:
    """Defaults of every deployable, non-secret setting the template does not set by name."""
    named = named_in_bicep(bicep)
    out: dict[str, str] = {}
    for group in settings_groups():
        for name, field in group.model_fields.items():
            setting = group.env_name(name)
            if setting in named or setting in NOT_DEPLOYED or is_secret(field.annotation) or setting in out:
                continue
            out[setting] = default_text(field.default)
    return dict(sorted(out.items()))


def feature_settings_text(bicep: str) -> str:
    """The generated JSON file's text."""
    return json.dumps(feature_settings(bicep), indent=2) + "\n"


def write_all() -> None:
    """Rewrite the README table and the generated deployment settings."""
    README.write_text(replace_table(README.read_text()))
    FEATURE_SETTINGS.write_text(feature_settings_text(MAIN_BICEP.read_text()))


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_all()
    else:
        print(settings_table())
