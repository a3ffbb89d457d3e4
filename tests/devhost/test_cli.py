"""`python -m devhost` as a subprocess against Azurite: --once, exit codes, settings, long-running mode."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from azure.storage.queue import QueueClient

ROOT = Path(__file__).resolve().parents[2]
FAST = {
    "AzureFunctionsJobHost__extensions__queues__visibilityTimeout": "00:00:00",
    "AzureFunctionsJobHost__extensions__queues__maxDequeueCount": "2",
    "AzureFunctionsJobHost__extensions__queues__maxPollingInterval": "00:00:00.5",
}


@pytest.fixture
def settings_file(tmp_path, azurite):
    values = {
        "FUNCTIONS_WORKER_RUNTIME": "python",
        "AzureWebJobsStorage": azurite.connection_string,
        "SEED_SCHEDULE": "0 */5 * * * *",
        "WORK_QUEUE": f"work-{uuid.uuid4().hex[:8]}",
        "DONE_QUEUE": f"done-{uuid.uuid4().hex[:8]}",
        **FAST,
    }
    path = tmp_path / "local.settings.json"
    path.write_text(json.dumps({"IsEncrypted": False, "Values": values}))
    return path, values


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AzureFunctionsJobHost")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "devhost", "--app", "tests.devhost.cli_app:app", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def contents(azurite, queue: str) -> list[str]:
    client = QueueClient.from_connection_string(azurite.connection_string, queue)
    try:
        return [str(m.content) for m in client.peek_messages(max_messages=32)]
    except Exception:
        return []


def decoded(azurite, queue: str) -> list[dict[str, object]]:
    return [json.loads(base64.b64decode(text)) for text in contents(azurite, queue)]


def test_once_fires_timers_drains_queues_and_exits_zero(settings_file, azurite):
    path, values = settings_file

    result = run_cli("--once", "--settings", str(path))

    assert result.returncode == 0, result.stderr
    assert "result: OK" in result.stdout
    rows = {
        line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line.startswith(("seed", "work"))
    }
    assert rows["seed"] == ["timer", "1", "1", "0", "0"]
    assert rows["work"] == ["queue", "2", "2", "0", "0"]
    assert sorted(str(body["id"]) for body in decoded(azurite, values["DONE_QUEUE"])) == ["ok-1", "ok-2"]
    assert contents(azurite, values["WORK_QUEUE"]) == []


def test_once_exits_non_zero_when_a_message_ends_in_poison(settings_file, azurite):
    path, values = settings_file

    result = run_cli("--once", "--settings", str(path), env={"SEED_FAIL": "1", "SEED_GARBAGE": "1"})

    assert result.returncode == 1, result.stderr
    assert "result: FAILED" in result.stdout
    work_row = next(line for line in result.stdout.splitlines() if line.startswith("work"))
    # 2 ok + 2 failed tries of "bad" (maxDequeueCount 2); 2 poisoned ("bad" and the undecodable one)
    assert work_row.split()[1:] == ["queue", "4", "2", "2", "2"]
    poison = contents(azurite, f"{values['WORK_QUEUE']}-poison")
    assert sorted(poison) == sorted(["%%% not base64 %%%", base64.b64encode(b'{"id": "bad", "fail": true}').decode()])
    assert "Message has reached MaxDequeueCount of 2" in result.stderr


def test_environment_overrides_local_settings(settings_file, azurite):
    path, _ = settings_file
    done = f"done-env-{uuid.uuid4().hex[:6]}"

    result = run_cli("--once", "--settings", str(path), env={"DONE_QUEUE": done})

    assert result.returncode == 0, result.stderr
    assert "Skipping 'DONE_QUEUE' from local settings" in result.stderr
    assert len(contents(azurite, done)) == 2


def test_only_selected_functions_run(settings_file, azurite):
    path, values = settings_file

    result = run_cli("--once", "--settings", str(path), "--functions", "seed")

    assert result.returncode == 0, result.stderr
    assert "work" not in result.stdout.split("result:")[0].split("---")[-1]
    assert len(contents(azurite, values["WORK_QUEUE"])) == 2  # nobody consumed them


def test_configuration_error_exits_two_and_names_the_setting(tmp_path, azurite):
    path = tmp_path / "local.settings.json"
    path.write_text(json.dumps({"Values": {"AzureWebJobsStorage": azurite.connection_string, "WORK_QUEUE": "w-q"}}))

    result = run_cli("--once", "--settings", str(path), env={"SEED_SCHEDULE": ""})

    assert result.returncode == 2
    assert "devhost: error:" in result.stderr and "SEED_SCHEDULE" in result.stderr
    assert "Traceback" not in result.stderr


def test_json_logs_carry_invocation_fields(settings_file):
    path, _ = settings_file

    result = run_cli("--once", "--settings", str(path), "--log-format", "json")

    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    executed = [e for e in entries if e.get("function") == "work" and "outcome" in e]
    assert len(executed) == 2
    assert {e["outcome"] for e in executed} == {"succeeded"}
    assert all(e["trigger"] == "queue" and e["duration_ms"] >= 0 and e["invocation_id"] for e in executed)


def test_long_running_mode_serves_http_until_interrupted(settings_file):
    path, values = settings_file
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AzureFunctionsJobHost")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "devhost",
            "--app",
            "tests.devhost.cli_app:app",
            "--settings",
            str(path),
            "--port",
            "0",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        base = ""
        deadline = time.monotonic() + 30
        while not base and time.monotonic() < deadline:
            line = process.stdout.readline()
            if line.startswith("devhost listening on "):
                base = line.split()[-1]
        assert base, "the host never said where it listens"
        response = requests.get(f"{base}/api/status", timeout=5)
        assert response.json() == {"work_queue": values["WORK_QUEUE"]}
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_explicit_host_json_must_exist(settings_file, tmp_path):
    path, _ = settings_file

    result = run_cli("--once", "--settings", str(path), "--host-json", str(tmp_path / "missing.json"))

    assert result.returncode == 2
    assert "host.json not found" in result.stderr
