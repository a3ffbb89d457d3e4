"""`python -m emulators.cluedin --host 127.0.0.1 --port 8082 [--org NAME] [--seed FILE] [--state FILE]`."""

from __future__ import annotations

import argparse

from emulators._common import common_arguments, serve_forever
from emulators.cluedin.app import build_cluedin_app
from emulators.cluedin.store import DEFAULT_ORG, DEFAULT_TOKEN_LIFETIME_MINUTES

DEFAULT_PORT = 8082


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m emulators.cluedin", description=__doc__)
    common_arguments(parser, default_port=DEFAULT_PORT)
    parser.add_argument("--org", default=DEFAULT_ORG, help=f"organization name / client id (default {DEFAULT_ORG})")
    parser.add_argument(
        "--token-lifetime-minutes",
        type=float,
        default=DEFAULT_TOKEN_LIFETIME_MINUTES,
        help=f"access token lifetime (default {DEFAULT_TOKEN_LIFETIME_MINUTES:g})",
    )
    parser.add_argument("--no-fast-path", action="store_true", help="execute every GraphQL query with graphql-core")
    args = parser.parse_args(argv)
    app = build_cluedin_app(
        org=args.org, token_lifetime_minutes=args.token_lifetime_minutes, fast_path=not args.no_fast_path
    )
    serve_forever(app, args, name="cluedin emulator")


if __name__ == "__main__":
    main()
