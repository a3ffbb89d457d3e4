"""Documentation that must not drift from the code."""

import json
from pathlib import Path

from sync.features.registry import settings_groups
from sync.settings_doc import replace_table

ROOT = Path(__file__).resolve().parents[2]


def test_readme_settings_table_is_generated_from_the_settings_groups():
    readme = (ROOT / "README.md").read_text()
    assert readme == replace_table(readme), "run: .venv/bin/python -m sync.settings_doc --write"
    for group in settings_groups():
        for setting in group.env_names():
            assert f"`{setting}`" in readme


def test_local_settings_example_only_names_known_settings():
    example = json.loads((ROOT / "local.settings.json.example").read_text())["Values"]
    known = {s for group in settings_groups() for s in group.env_names()} | {"FUNCTIONS_WORKER_RUNTIME"}
    unknown = set(example) - known
    assert not unknown, f"local.settings.json.example names unknown settings: {sorted(unknown)}"


def test_local_settings_example_sets_every_setting_the_host_resolves():
    example = json.loads((ROOT / "local.settings.json.example").read_text())["Values"]
    assert {"SYNC_SCHEDULE", "POLL_SCHEDULE", "PIPELINE_AUTOMATION_SCHEDULE", "SYNC_QUEUE_PREFIX"} <= set(example)


def test_readme_quick_start_is_exactly_two_commands():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
