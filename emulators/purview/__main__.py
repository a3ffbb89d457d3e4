"""`python -m emulators.purview --host 127.0.0.1 --port 8081 [--seed FILE] [--state FILE] [--token T]...`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from emulators._common import FaultSettings, common_arguments, serve_forever
from emulators.purview.app import PurviewOptions, build_purview_app
from emulators.purview.limits import Limits, parse_limit
from emulators.purview.model.notifications import DEFAULT_MAX_MESSAGE_BYTES

CAPACITY_UNIT_OPS = 25.0
"""Documented Data Map throughput per capacity unit (operations per second)."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command line of the Purview emulator."""
    parser = argparse.ArgumentParser(
        prog="python -m emulators.purview", description="Local Microsoft Purview Data Map emulator."
    )
    common_arguments(parser, default_port=8081)
    parser.add_argument("--token", action="append", default=[], help="accept only this bearer token (repeatable)")
    parser.add_argument(
        "--roles",
        help="JSON file of role assignments {token: {collection: [data_reader|data_curator|collection_admin]}}",
    )
    parser.add_argument("--account-name", default="purview-emulator", help="account name = root collection name")
    parser.add_argument(
        "--validate-requests", action="store_true", help="reject (400) and record requests that break the spec"
    )
    parser.add_argument("--validate-responses", action="store_true", help="record responses that break the spec")
    parser.add_argument(
        "--search-lag", type=float, default=0.0, help="seconds before writes show up in search (default 0)"
    )
    parser.add_argument(
        "--capacity-units", type=float, help="throttle at 25 operations/s per capacity unit (429 + Retry-After)"
    )
    parser.add_argument(
        "--notification-max-bytes",
        type=int,
        default=DEFAULT_MAX_MESSAGE_BYTES,
        help="Atlas notification size limit: longer notifications are gzipped, then split (default 999,488)",
    )
    parser.add_argument("--no-default-glossary", action="store_true", help="start without the default 'Glossary'")
    parser.add_argument("--no-gc-tuning", action="store_true", help="keep Python's default garbage-collector settings")
    parser.add_argument("--decode-plus-in-attr", action="store_true", help="decode '+' as space in attr:* parameters")
    parser.add_argument(
        "--limit",
        action="append",
        default=[],
        type=_limit,
        metavar="NAME=VALUE",
        help="raise or lower a write limit, e.g. max_bulk_entities=5000 (0 = none; see README 'Limits')",
    )
    return parser.parse_args(argv)


def _limit(text: str) -> tuple[str, int]:
    try:
        return parse_limit(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> None:
    """Start the emulator in the foreground."""
    args = parse_args(argv)
    roles = None
    if args.roles:
        roles = json.loads(Path(args.roles).read_text())
    faults = (
        FaultSettings(throttle_ops_per_sec=args.capacity_units * CAPACITY_UNIT_OPS) if args.capacity_units else None
    )
    options = PurviewOptions(
        account_name=args.account_name,
        tokens=tuple(args.token),
        roles=roles,
        validate_requests=args.validate_requests,
        validate_responses=args.validate_responses,
        search_lag_seconds=args.search_lag,
        default_glossary=not args.no_default_glossary,
        decode_plus_in_attr=args.decode_plus_in_attr,
        faults=faults,
        tune_gc=not args.no_gc_tuning,
        limits=Limits().merged(dict(args.limit)),
        notification_max_bytes=args.notification_max_bytes,
    )
    serve_forever(build_purview_app(options), args, name="purview emulator")


if __name__ == "__main__":
    main(sys.argv[1:])
