"""`make up` / `make down`: a local stack to explore, kept running, and stopped exactly.

Azurite, the three emulators with the sample estate, and the local Functions host with HTTP.

`python -m devhost.up start` starts a supervisor process in its own session (its output goes to
`.make/up/up.log`), waits until everything answers, and prints the URLs, the function key and CLI commands to try.
The supervisor owns every child process (it holds their pipes) and stops them all on SIGTERM. `stop` sends SIGTERM
to that one process id, recorded in `.make/up/state.json`, and waits for it: nothing is looked up by name.

Ports are the ones local.settings.json.example names (Azurite 10000-10002, Purview 8081, CluedIn 8082, Data
Factory 8083, host 7071), so `UseDevelopmentStorage=true` and the example file work as they are; `--free-ports`
takes any free ports instead (tests). The stack's settings are written to `.make/up/local.settings.json`, and
copied to `./local.settings.json` when there is none, so the CLI and `python -m devhost` find them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devhost.azurite import start_azurite
from devhost.demo import ORG, PURVIEW_ACCOUNT, SEEDS, TOKEN_SECRET, app_settings
from emulators._common import start_process

ROOT = Path(__file__).resolve().parent.parent
DIRECTORY = ROOT / ".make" / "up"
FIXED_PORTS = {"blob": 10000, "queue": 10001, "table": 10002, "purview": 8081, "cluedin": 8082, "datafactory": 8083}
HOST_PORT = 7071
FUNCTION_KEY = "local-function-key"
START_TIMEOUT = 180.0
SCHEDULE = "0 */5 * * * *"
"""Timers every five minutes: quiet enough to try plan → apply by hand between two ticks."""


def _say(text: str = "") -> None:
    print(text, flush=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        status = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].split()[0]
        return status != "Z"
    return True


def _read_state(directory: Path) -> dict[str, Any] | None:
    with contextlib.suppress(FileNotFoundError, json.JSONDecodeError):
        state: dict[str, Any] = json.loads((directory / "state.json").read_text())
        return state
    return None


# --- the supervisor ------------------------------------------------------------------------------------------------
def serve(directory: Path, *, free_ports: bool) -> int:
    """Start everything, record it, and keep it running until SIGTERM/SIGINT; then stop it all."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    ports = dict.fromkeys(FIXED_PORTS, 0) if free_ports else dict(FIXED_PORTS)
    started: list[Any] = []
    host: subprocess.Popen[str] | None = None
    try:
        azurite = start_azurite(blob_port=ports["blob"], queue_port=ports["queue"], table_port=ports["table"])
        started.append(azurite)
        estate = ["--seed", str(SEEDS / "purview-estate.json"), "--account-name", PURVIEW_ACCOUNT]
        purview = start_process("emulators.purview", [*estate, "--port", str(ports["purview"])])
        started.append(purview)
        cluedin = start_process("emulators.cluedin", ["--org", ORG, "--port", str(ports["cluedin"])])
        started.append(cluedin)
        storage = ["--storage-connection-string", azurite.connection_string]
        datafactory = start_process("emulators.datafactory", [*storage, "--port", str(ports["datafactory"])])
        started.append(datafactory)
        settings = _settings(azurite.connection_string, purview.url, cluedin.url, datafactory.url)
        settings_path = directory / "local.settings.json"
        settings_path.write_text(json.dumps({"IsEncrypted": False, "Values": settings}, indent=2) + "\n")
        _prepare_estate(settings, azurite.connection_string, datafactory.url)
        host, host_url = _start_host(settings_path, 0 if free_ports else HOST_PORT)
        state = {
            "pid": os.getpid(),
            "host_pid": host.pid,
            "host": host_url,
            "function_key": FUNCTION_KEY,
            "settings": str(settings_path),
            "azurite": {"blob": azurite.blob_url, "queue": azurite.queue_url, "table": azurite.table_url},
            "purview": purview.url,
            "cluedin": cluedin.url,
            "datafactory": datafactory.url,
        }
        (directory / "state.json").write_text(json.dumps(state, indent=2) + "\n")
        _say(f"up: everything answers (pid {os.getpid()})")
        while not stop.wait(1.0):
            if host.poll() is not None:
                _say(f"up: the local host exited with code {host.returncode}; stopping the stack")
                return 1
        return 0
    finally:
        with contextlib.suppress(FileNotFoundError):
            (directory / "state.json").unlink()
        if host is not None and host.poll() is None:
            host.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                host.wait(timeout=30)
        for service in reversed(started):
            with contextlib.suppress(Exception):
                service.stop()
        _say("up: stopped")


def _settings(storage: str, purview: str, cluedin: str, datafactory: str) -> dict[str, str]:
    settings = app_settings(storage, purview, cluedin, datafactory)
    settings.update(
        SYNC_SCHEDULE=SCHEDULE,
        POLL_SCHEDULE="30 */5 * * * *",
        PIPELINE_AUTOMATION_SCHEDULE="15 */5 * * * *",
        SYNC_DRY_RUN_UNTIL_SWITCHED="true",
        DEVHOST_FUNCTION_KEY=FUNCTION_KEY,
    )
    return settings


def _prepare_estate(settings: dict[str, str], storage: str, datafactory_url: str) -> None:
    """What an operator does once in Azure: the CSV to copy is in Blob storage, the CluedIn token in Key Vault."""
    from devhost import adf_demo
    from sync.core.settings import Settings
    from sync.services.cluedin.connection import cluedin_client

    adf_demo.upload_demo_file(storage)
    adf_demo.provision_ingestion_token(cluedin_client(Settings(settings)), datafactory_url, TOKEN_SECRET)


def _start_host(settings_path: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    """`python -m devhost` (long-running, HTTP) on the stack's settings; returns it once it listens."""
    command = [sys.executable, "-m", "devhost", "--settings", str(settings_path), "--port", str(port)]
    host = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    assert host.stdout is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = host.stdout.readline()
        if not line:
            break
        sys.stdout.write(line)
        if line.startswith("devhost listening on "):
            url = line.split(" on ", 1)[1].strip()
            threading.Thread(target=lambda: [sys.stdout.write(x) for x in host.stdout or []], daemon=True).start()
            return host, url
    host.kill()
    raise RuntimeError("the local host did not start (see .make/up/up.log)")


# --- start / stop ----------------------------------------------------------------------------------------------
def start(directory: Path, *, free_ports: bool) -> int:
    """Start the supervisor in the background and print what to try once everything answers."""
    directory.mkdir(parents=True, exist_ok=True)
    running = _read_state(directory)
    if running and _alive(int(running["pid"])):
        _say("The local stack is already running.")
        _summary(running)
        return 0
    log = (directory / "up.log").open("w")
    command = [sys.executable, "-m", "devhost.up", "serve", "--dir", str(directory)]
    command += ["--free-ports"] if free_ports else []
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        state = _read_state(directory)
        if state is not None and int(state["pid"]) == process.pid:
            if directory == DIRECTORY and not (ROOT / "local.settings.json").exists():
                shutil.copyfile(state["settings"], ROOT / "local.settings.json")
            _summary(state)
            return 0
        if process.poll() is not None:
            tail = (directory / "up.log").read_text().strip().splitlines()[-5:]
            _say("make up: the stack did not start: " + (tail[-1] if tail else f"exit code {process.returncode}"))
            _say(f"  (full log: {directory / 'up.log'}; ports in use? another `make up` running?)")
            return 1
        time.sleep(0.5)
    process.terminate()
    _say(f"make up: nothing answered within {START_TIMEOUT:.0f}s (log: {directory / 'up.log'})")
    return 1


def stop(directory: Path) -> int:
    """SIGTERM to the supervisor recorded by `start` (it stops its children), then wait for it."""
    state = _read_state(directory)
    if state is None or not _alive(int(state["pid"])):
        _say("Nothing to stop: `make up` is not running.")
        with contextlib.suppress(FileNotFoundError):
            (directory / "state.json").unlink()
        return 0
    pid = int(state["pid"])
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _alive(pid):
        _say(f"make down: process {pid} did not stop within 60 s; it was left running")
        return 1
    _say(f"Stopped the local stack (process {pid} and everything it started).")
    return 0


def _summary(state: dict[str, Any]) -> None:
    settings = state["settings"]
    script = ROOT / ".venv" / "bin" / "cluedin-purview-sync"
    prefix = ".venv/bin/cluedin-purview-sync" if script.exists() else ".venv/bin/python -m sync"
    flag = "" if _same_file(ROOT / "local.settings.json", Path(settings)) else f" --settings {settings}"
    _say("")
    _say("Local stack (stop it with `make down`):")
    _say(f"  Functions host   {state['host']}/api   function key: {state['function_key']}")
    _say(f"  Purview          {state['purview']}")
    _say(f"  CluedIn          {state['cluedin']}   (admin@{ORG}.local / demo-password)")
    _say(f"  Data Factory     {state['datafactory']}")
    _say(f"  Azurite          {state['azurite']['blob']} {state['azurite']['queue']} {state['azurite']['table']}")
    _say(f"  Settings         {settings}")
    _say("")
    _say("Try (cycles only plan until you switch dry-run off; timers tick every 5 minutes):")
    for command in (
        "check",
        "plan --out out/plan.json",
        "dry-run off",
        "apply --plan out/plan.json",
        "runs",
        "show <run id from `runs`>",
        "drift",
        "lineage --html out/lineage.html",
        "rollback <run id> --yes",
    ):
        _say(f"  {prefix}{flag} {command}")
    _say(f"  curl -H 'x-functions-key: {state['function_key']}' {state['host']}/api/runs/datasources")
    _say("")


def _same_file(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        return a.read_text() == b.read_text()
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m devhost.up start|stop|serve [--dir DIR] [--free-ports]`."""
    parser = argparse.ArgumentParser(
        prog="python -m devhost.up", description=__doc__.splitlines()[0] if __doc__ else ""
    )
    parser.add_argument("action", choices=["start", "stop", "serve"])
    parser.add_argument("--dir", type=Path, default=DIRECTORY, help="where state, settings and the log go")
    parser.add_argument("--free-ports", action="store_true", help="any free ports instead of the example's")
    args = parser.parse_args(argv)
    directory = args.dir.resolve()
    if args.action == "start":
        return start(directory, free_ports=args.free_ports)
    if args.action == "stop":
        return stop(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return serve(directory, free_ports=args.free_ports)


if __name__ == "__main__":
    sys.exit(main())
