"""Driving `cluedin-purview-sync` as a user would: the installed console script, in a subprocess, against a local
stack (Azurite, the emulators, and the local Functions host applying the queues in a process of its own).

The script runs with `PYTHONPATH` set to this checkout, so it runs this checkout's code even when the shared
virtualenv's editable install points at another working tree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "cluedin-purview-sync"
TIMERS = ("plan_sync_schedule", "plan_poll_schedule", "plan_pipeline_automation_schedule")
FUNCTION_KEY = "cli-test-key"


@dataclass
class Result:
    """What a command printed and returned."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNC_", "PURVIEW_", "CLUEDIN_", "AzureWebJobs"))}
    env.update(PYTHONPATH=str(ROOT), NO_COLOR="1", **extra)
    return env


def settings_file(folder: Path, values: dict[str, str]) -> Path:
    """A local.settings.json for the stack: timers off (tests plan with the CLI), fast retries, a known key."""
    path = folder / "local.settings.json"
    disabled = {f"AzureWebJobs.{name}.Disabled": "true" for name in TIMERS}
    values = {
        "FUNCTIONS_WORKER_RUNTIME": "python",
        "SYNC_SCHEDULE": "0 0 0 1 1 *",
        "POLL_SCHEDULE": "0 0 0 1 1 *",
        "PIPELINE_AUTOMATION_SCHEDULE": "0 0 0 1 1 *",
        "DEVHOST_FUNCTION_KEY": FUNCTION_KEY,
        "AzureFunctionsJobHost__extensions__queues__visibilityTimeout": "00:00:01",
        **values,
        **disabled,
    }
    path.write_text(json.dumps({"IsEncrypted": False, "Values": values}, indent=2))
    return path


class Cli:
    """Runs the console script with one settings file, from a folder of its own."""

    def __init__(self, settings: Path, cwd: Path) -> None:
        assert SCRIPT.exists(), f"{SCRIPT} is missing: `make deps` installs the project (pip install -e .)"
        self.settings = settings
        self.cwd = cwd

    def __call__(self, *args: str, env: dict[str, str] | None = None, timeout: float = 180) -> Result:
        command = [str(SCRIPT), "--settings", str(self.settings), *args]
        done = subprocess.run(
            command,
            check=False,
            capture_output=True,
            text=True,
            cwd=self.cwd,
            env=environment(**(env or {})),
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        return Result(done.returncode, done.stdout, done.stderr)


@dataclass
class Host:
    """The local Functions host in a process of its own (queue functions and HTTP; timers off)."""

    process: subprocess.Popen[str]
    url: str

    def get(self, path: str, **params: str) -> requests.Response:
        return requests.get(f"{self.url}{path}", params=params, headers={"x-functions-key": FUNCTION_KEY}, timeout=120)


@contextmanager
def local_host(settings: Path) -> Iterator[Host]:
    """`python -m devhost --settings FILE --port 0`, stopped (by its own pid) on the way out."""
    command = [sys.executable, "-m", "devhost", "--settings", str(settings), "--port", "0", "--log-level", "warning"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT, env=environment()
    )
    assert process.stdout is not None
    url = ""
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("devhost listening on "):
            url = line.split(" on ", 1)[1].strip()
            break
    if not url:
        process.kill()
        raise RuntimeError("the local host did not start:\n" + "".join(lines[-20:]))
    threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
    try:
        yield Host(process, url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
