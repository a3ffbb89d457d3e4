"""`python -m emulators.datafactory --port 8083 [--storage-connection-string CS] [--secret NAME=VALUE]...`."""

from __future__ import annotations

import argparse
import contextlib
import os

from emulators._common import common_arguments, serve_forever
from emulators.datafactory.app import build_datafactory_app


def parse_secret(text: str) -> tuple[str, str]:
    """`NAME=VALUE` -> (NAME, VALUE); the value may itself contain `=`."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m emulators.datafactory", description=__doc__)
    common_arguments(parser, default_port=8083)
    parser.add_argument(
        "--storage-connection-string",
        default=os.environ.get("ADF_EMULATOR_STORAGE_CONNECTION_STRING"),
        help="Azurite connection string every storage account maps to (env ADF_EMULATOR_STORAGE_CONNECTION_STRING)",
    )
    parser.add_argument(
        "--secret",
        action="append",
        type=parse_secret,
        default=[],
        metavar="NAME=VALUE",
        help="Key Vault secret (repeatable)",
    )
    parser.add_argument(
        "--retry-wait-scale",
        type=float,
        default=1.0,
        help="multiply activity retry intervals and Wait times (default 1)",
    )
    args = parser.parse_args(argv)
    app = build_datafactory_app(
        storage_connection_string=args.storage_connection_string,
        secrets=dict(args.secret),
        retry_wait_scale=args.retry_wait_scale,
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C / SIGINT is the normal way to stop (state is written)
        serve_forever(app, args, name="datafactory emulator")


if __name__ == "__main__":
    main()
