"""The README's settings table, generated from the settings model so documentation cannot drift from code.

`python -m sync.core.settings_doc` prints the table; `python -m sync.core.settings_doc --write README.md` replaces the
table between the README's settings markers. A test fails when the README is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sync.core.settings import AppSettings, env_name

START = "<!-- settings-table:start -->"
END = "<!-- settings-table:end -->"
SECRET_FIELDS = frozenset(
    {
        "purview_client_secret",
        "purview_static_token",
        "cluedin_password",
        "cluedin_api_token",
        "data_factory_client_secret",
        "data_factory_static_token",
    }
)
CLUEDIN_LABEL_PREFIX = "CluedIn label "


def settings_table() -> str:
    """Markdown table: setting | CluedIn UI label | default | meaning."""
    rows = ["| App setting | CluedIn UI label | Default | Meaning |", "|---|---|---|---|"]
    for name, field in AppSettings.model_fields.items():
        description = (field.description or "").replace("|", "\\|")
        label = ""
        if description.startswith(CLUEDIN_LABEL_PREFIX):
            label, _, rest = description[len(CLUEDIN_LABEL_PREFIX) :].partition("'")[2].partition("'")
            description = rest.lstrip(":. ").strip()
        default = "" if field.default is None else str(getattr(field.default, "value", field.default))
        shown = "(secret)" if name in SECRET_FIELDS else (f"`{default}`" if default else "")
        rows.append(f"| `{env_name(name)}` | {label} | {shown} | {description} |")
    return "\n".join(rows)


def replace_table(text: str) -> str:
    """The README text with its settings table regenerated."""
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    return f"{before}{START}\n{settings_table()}\n{END}{after}"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        path = Path(sys.argv[2])
        path.write_text(replace_table(path.read_text()))
    else:
        print(settings_table())
