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


def test_every_test_named_in_the_reliability_promises_exists():
    import ast
    import re

    text = (ROOT / "docs" / "reliability.md").read_text()
    named = set(re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", text))
    assert len(named) >= 30
    for path, name in sorted(named):
        tree = ast.parse((ROOT / path).read_text())
        defined = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
        assert name in defined, f"docs/reliability.md names {path}::{name}, which does not exist"
    for short, name in re.findall(r"`(test_\w+\.py)::(test_\w+)`", text):
        assert (f"tests/chaos/{short}", name) in named, f"{short}::{name} is not listed with its full path"
