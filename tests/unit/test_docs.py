"""Documentation that must not drift from the code."""

from pathlib import Path

from sync.core.settings import AppSettings, env_name
from sync.core.settings_doc import replace_table

ROOT = Path(__file__).resolve().parents[2]


def test_readme_settings_table_is_generated_from_the_model():
    readme = (ROOT / "README.md").read_text()
    assert readme == replace_table(readme), "run: .venv/bin/python -m sync.core.settings_doc --write README.md"
    for name in AppSettings.model_fields:
        assert f"`{env_name(name)}`" in readme


def test_local_settings_example_only_names_known_settings():
    import json

    example = json.loads((ROOT / "local.settings.json.example").read_text())["Values"]
    known = {env_name(n) for n in AppSettings.model_fields} | {
        "FUNCTIONS_WORKER_RUNTIME",
        "AzureWebJobsStorage",
    }
    unknown = set(example) - known
    assert not unknown, f"local.settings.json.example names unknown settings: {sorted(unknown)}"


def test_readme_quick_start_is_exactly_two_commands():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
