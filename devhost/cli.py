"""`python -m devhost`: run `function_app.py` locally the way `func start` would, against Azurite.

Settings come from `local.settings.json` ("Values") and the environment (the environment wins, as with
Core Tools) and are exported before the app is imported, because the app reads its settings from the
environment. `--once` fires every timer, drains every queue, prints a summary and exits non-zero if
anything failed in the end — handy for scripts and CI; without it the host runs until Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from azure.core.exceptions import ServiceRequestError

from devhost.host import LocalHost
from devhost.hostconfig import HostConfigError
from devhost.invocation import InvocationLogFilter
from devhost.ncrontab import ScheduleError
from devhost.registry import RegistryError, load_app
from devhost.routes import RouteError
from devhost.settings import SettingsError, export_settings, read_local_settings
from devhost.storage import StorageConfigError

log = logging.getLogger("devhost")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_NOT_DRAINED = 3

_STRUCTURED_FIELDS = (
    "function",
    "invocation_id",
    "trigger",
    "duration_ms",
    "outcome",
    "message_id",
    "queue",
    "reason",
)


class JsonLineFormatter(logging.Formatter):
    """One JSON object per log record, structured fields at the top level (for `--log-format json`)."""

    def format(self, record: logging.LogRecord) -> str:
        """Serialize the record."""
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _STRUCTURED_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str, style: str) -> None:
    """Log to stderr, tagging records written by user code with their invocation id."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(InvocationLogFilter())
    if style == "json":
        handler.setFormatter(JsonLineFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Storage SDK request logs would drown the host's own lines.
    logging.getLogger("azure").setLevel(max(logging.WARNING, root.level))


def build_parser() -> argparse.ArgumentParser:
    """The command line (documented in devhost/README.md)."""
    parser = argparse.ArgumentParser(prog="python -m devhost", description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--app", default="function_app:app", help="module:attribute of the FunctionApp")
    parser.add_argument("--settings", type=Path, help="local.settings.json to load (default: ./local.settings.json)")
    parser.add_argument("--host-json", type=Path, help="host.json (default ./host.json if present)")
    parser.add_argument("--host", default="127.0.0.1", help="interface for the HTTP server")
    parser.add_argument("--port", type=int, default=7071, help="port for the HTTP server (default 7071, 0 = free)")
    parser.add_argument("--once", action="store_true", help="fire every timer once, drain every queue, then exit")
    parser.add_argument("--timeout", type=float, default=300.0, help="--once: longest wait for the queues (s)")
    parser.add_argument("--functions", help="comma-separated names: run only these functions")
    parser.add_argument("--no-http", action="store_true", help="long-running mode without the HTTP server")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    parser.add_argument("--log-format", default="text", choices=["text", "json"])
    return parser


def load_settings(path: Path | None) -> None:
    """Export local.settings.json into the environment (variables already set keep their value)."""
    if path is None:
        default = Path("local.settings.json")
        if not default.exists():
            log.info("No local.settings.json here; using the environment only")
            return
        path = default
    export_settings(read_local_settings(path), override=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level, args.log_format)
    names = [name.strip() for name in args.functions.split(",") if name.strip()] if args.functions else None
    try:
        load_settings(args.settings)
        app = load_app(args.app)
        host = LocalHost(app, host_json=args.host_json, functions=names, http_host=args.host, http_port=args.port)
    except (SettingsError, HostConfigError, ScheduleError, RegistryError, RouteError, StorageConfigError) as error:
        print(f"devhost: error: {error}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        with host:
            if args.once:
                return run_once(host, args.timeout)
            return run_forever(host, http=not args.no_http)
    except ServiceRequestError as error:
        print(f"devhost: error: {storage_unreachable(error)}", file=sys.stderr)
        return EXIT_CONFIG


def storage_unreachable(error: ServiceRequestError) -> str:
    """One line for a storage account that does not answer (usually: Azurite is not running)."""
    where = re.search(r"host='([^']+)', port=(\d+)", str(error))
    address = f"{where[1]}:{where[2]}" if where else "the AzureWebJobsStorage endpoint"
    return (
        f"cannot reach storage at {address}: start Azurite with `make up` "
        "(or `npx azurite --skipApiVersionCheck --loose`), or fix AzureWebJobsStorage"
    )


def run_once(host: LocalHost, timeout: float) -> int:
    """Fire timers, drain queues, print the summary; the exit code says how it ended."""
    host.fire_all_timers()
    summary = host.drain(timeout=timeout)
    print(summary.format_table(), flush=True)
    if not summary.idle:
        return EXIT_NOT_DRAINED
    return EXIT_OK if summary.ok else EXIT_FAILED


def run_forever(host: LocalHost, *, http: bool) -> int:
    """Serve until SIGINT/SIGTERM."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        host.start(http=http)
    except OSError as error:
        print(f"devhost: error: cannot start: {error}", file=sys.stderr)
        return EXIT_CONFIG
    if http:
        origin = "from DEVHOST_FUNCTION_KEY" if host.settings.get("DEVHOST_FUNCTION_KEY") else "generated"
        print(f"devhost listening on {host.http_url}", flush=True)
        print(f"Function key ({origin}): {host.function_key}  (?code=... or header x-functions-key)", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    stop.wait()
    log.info("Stopping the local host")
    host.stop()
    return EXIT_OK
