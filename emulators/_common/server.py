"""Running an emulator: in a background thread (tests), in the foreground (CLI), or as a subprocess.

Tests start emulators in-process on a free port so nothing collides when suites run side by side;
benchmarks and the demo start them as subprocesses so the emulator gets its own core and GIL.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import uvicorn

from emulators._common.app import EmulatorApp
from emulators._common.faults import FaultSettings

log = logging.getLogger("emulators")


def _bound_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _config(app: EmulatorApp, *, log_level: str = "warning") -> uvicorn.Config:
    return uvicorn.Config(
        app.asgi,
        log_level=log_level,
        access_log=False,
        http="httptools",
        loop="uvloop",
        lifespan="on",
        timeout_keep_alive=30,
        server_header=False,
        date_header=True,
    )


@dataclass
class RunningEmulator:
    """An emulator serving in a background thread of this process."""

    app: EmulatorApp
    host: str
    port: int
    _server: uvicorn.Server
    _thread: threading.Thread

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:43121`."""
        return f"http://{self.host}:{self.port}"

    def set_faults(self, **settings: Any) -> None:
        """Replace the fault settings (same as `PUT /_emulator/faults`)."""
        self.app.faults.configure(FaultSettings.from_dict(settings))

    def clear_faults(self) -> None:
        """Turn every fault off."""
        self.app.faults.configure(FaultSettings())

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout=10)


def start_in_thread(app: EmulatorApp, host: str = "127.0.0.1", port: int = 0) -> RunningEmulator:
    """Serve `app` from a daemon thread on `port` (0 = a free port) and return once it accepts requests."""
    sock = _bound_socket(host, port)
    actual_port = sock.getsockname()[1]
    server = uvicorn.Server(_config(app))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="emulator")
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("emulator did not start")
        time.sleep(0.01)
    return RunningEmulator(app=app, host=host, port=actual_port, _server=server, _thread=thread)


@contextlib.contextmanager
def running(app: EmulatorApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningEmulator]:
    """Context manager form of `start_in_thread`."""
    emulator = start_in_thread(app, host, port)
    try:
        yield emulator
    finally:
        emulator.stop()


def common_arguments(parser: argparse.ArgumentParser, *, default_port: int) -> None:
    """Arguments every emulator CLI shares."""
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=default_port, help=f"port (default {default_port}; 0 = any free)")
    parser.add_argument("--seed", type=Path, help="JSON file loaded into the store at start")
    parser.add_argument("--state", type=Path, help="JSON file loaded at start if present and written at shutdown")
    parser.add_argument("--faults", type=Path, help="JSON file of fault settings (see emulators/_common/faults.py)")
    parser.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])


def serve_forever(app: EmulatorApp, args: argparse.Namespace, *, name: str) -> None:
    """Run an emulator in the foreground until interrupted, honouring --seed/--state/--faults.

    Prints one line `<name> listening on http://host:port` once ready, which the subprocess helper waits for.
    """
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.seed:
        app.store.load(json.loads(args.seed.read_text()))
    if args.state and args.state.exists():
        app.store.load(json.loads(args.state.read_text()))
    if args.faults:
        app.faults.configure(FaultSettings.from_dict(json.loads(args.faults.read_text())))
    sock = _bound_socket(args.host, args.port)
    port = sock.getsockname()[1]
    server = uvicorn.Server(_config(app, log_level=args.log_level))

    original_startup = server.startup

    async def startup(sockets: list[socket.socket] | None = None) -> None:
        await original_startup(sockets=sockets)
        print(f"{name} listening on http://{args.host}:{port}", flush=True)

    server.startup = startup  # type: ignore[method-assign]
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT it handled; stopping is not an error
        pass
    finally:
        if args.state:
            args.state.write_text(json.dumps(app.store.snapshot()))
            log.info("state written to %s", args.state)


@dataclass
class EmulatorProcess:
    """An emulator running as a child process (benchmarks, demo)."""

    process: subprocess.Popen[str]
    url: str

    def stop(self) -> None:
        """Ask the child to exit (SIGINT lets it write --state), then make sure it is gone."""
        if self.process.poll() is None:
            self.process.send_signal(2)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_process(
    module: str,
    extra_args: Sequence[str] = (),
    *,
    python: str | None = None,
    on_line: Callable[[str], None] | None = None,
) -> EmulatorProcess:
    """Start `python -m <module> --port 0 ...` and wait for its "listening on" line."""
    cmd = [python or sys.executable, "-m", module, "--port", "0", *extra_args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if on_line:
            on_line(line.rstrip())
        if " listening on " in line:
            url = line.rsplit(" ", 1)[-1].strip()
            threading.Thread(target=_drain, args=(proc,), daemon=True).start()
            _wait_healthy(url)
            return EmulatorProcess(process=proc, url=url)
    proc.kill()
    raise RuntimeError(f"{module} did not start: {' '.join(cmd)}")


def _drain(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stderr.write(line)


def _wait_healthy(url: str) -> None:
    for _ in range(200):
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/_emulator/health", timeout=1).ok:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{url} never became healthy")
