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


def test_the_demo_ends_with_commands_that_exist():
    from devhost.demo import NEXT_STEPS
    from sync.cli.commands import admin, check, drift, plans, runs  # noqa: F401 - registers the commands
    from sync.cli.main import cli

    assert "make up" in NEXT_STEPS[1]
    for line in NEXT_STEPS[2:-1]:
        command = line.split("cluedin-purview-sync", 1)[1].split()[0]
        assert command in cli.commands, command


def test_readme_names_the_operator_cli_and_make_up_right_after_the_quick_start():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "make up" in quick_start and "make down" in quick_start and "cluedin-purview-sync check" in quick_start
    assert "## Operations" in readme and "docs/operations.md" in readme
