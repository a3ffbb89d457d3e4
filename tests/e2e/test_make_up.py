"""`make up` / `make down` (devhost/up.py): the stack starts, answers, and stops exactly what it started; without
Azurite the local host says in one line how to start it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.support.cli import Cli, environment

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def up(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "devhost.up", *args]
    return subprocess.run(
        command, check=False, capture_output=True, text=True, cwd=ROOT, env=environment(), timeout=timeout
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split(") ", 1)[1].split()[0] != "Z"


def children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().split(") ", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(status.parent.name))
    return found


def test_up_prints_what_to_try_keeps_running_and_down_stops_exactly_it(tmp_path: Path):
    folder = tmp_path / "up"
    started = up("start", "--free-ports", "--dir", str(folder))
    assert started.returncode == 0, started.stdout + started.stderr
    state = json.loads((folder / "state.json").read_text())
    try:
        for needle in ("Functions host", "function key: local-function-key", "Purview", "CluedIn", "Azurite"):
            assert needle in started.stdout
        assert "cluedin-purview-sync" in started.stdout and "plan --out out/plan.json" in started.stdout
        supervisor = int(state["pid"])
        spawned = children(supervisor)
        assert len(spawned) >= 5  # Azurite, three emulators, the local host
        assert up("start", "--free-ports", "--dir", str(folder)).stdout.startswith("The local stack is already running")

        runs = requests.get(
            f"{state['host']}/api/runs/datasources", headers={"x-functions-key": "local-function-key"}, timeout=30
        )
        assert runs.status_code == 200 and runs.json() == {"value": []}
        check = Cli(Path(state["settings"]), tmp_path)("check", "-o", "json")
        assert check.code == 0, check.err
        dry = Cli(Path(state["settings"]), tmp_path)("dry-run", "-o", "json").json()
        assert dry["dry_run"] == "on" and "SYNC_DRY_RUN_UNTIL_SWITCHED" in dry["because"]
    finally:
        stopped = up("stop", "--dir", str(folder))
    assert stopped.returncode == 0 and "Stopped the local stack" in stopped.stdout
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in [supervisor, *spawned]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in [supervisor, *spawned] if alive(pid)]
    assert not (folder / "state.json").exists()
    assert up("stop", "--dir", str(folder)).stdout.startswith("Nothing to stop")


def test_the_local_host_without_azurite_says_how_to_start_it(tmp_path: Path):
    settings = json.loads((ROOT / "local.settings.json.example").read_text())
    settings["Values"]["AzureWebJobsStorage"] = (
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
        "QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;"
        "BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;"
    )
    path = tmp_path / "local.settings.json"
    path.write_text(json.dumps(settings))
    command = [sys.executable, "-m", "devhost", "--settings", str(path), "--once", "--timeout", "5"]
    done = subprocess.run(
        command, check=False, capture_output=True, text=True, cwd=ROOT, env=environment(), timeout=120
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    [line] = [text for text in done.stderr.splitlines() if text.startswith("devhost: error")]
    assert "cannot reach storage at 127.0.0.1:9" in line and "make up" in line
