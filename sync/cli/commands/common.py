"""Argument types and helpers shared by the commands."""

from __future__ import annotations

from typing import Any

import click

from sync.cli.main import Cli
from sync.cli.plans import wait_for
from sync.cli.session import CliError
from sync.core.feature import SyncContext
from sync.core.messages import Queues
from sync.core.report import RunReport
from sync.core.state import parse_run_id
from sync.core.switches import dry_run_state
from sync.features.registry import all_features

FEATURE_NAMES = [f.name for f in all_features()]
FEATURE = click.Choice(FEATURE_NAMES)
QUEUE = click.Choice([q.value for q in Queues])
DEFAULT_TIMEOUT = 600.0


class RunIdType(click.ParamType):  # type: ignore[type-arg]
    """A run id as the app makes them (it names its feature and start time)."""

    name = "RUN_ID"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """Accept only well-formed run ids."""
        text = str(value).strip()
        if parse_run_id(text) is None:
            self.fail(
                f"{text!r} is not a run id (like 20261203T083522123Z-lineage-3f2a9c1b2d4e); list them with `runs`"
            )
        return text


RUN_ID = RunIdType()


def wait_option(function: Any) -> Any:
    """`--no-wait` and `--timeout`, for commands that send changes to the queues."""
    function = click.option("--no-wait", is_flag=True, help="Return once the changes are queued.")(function)
    return click.option(
        "--timeout",
        type=click.FloatRange(min=1),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        help="Longest wait (seconds) for the last change to be applied.",
    )(function)


def yes_option(function: Any) -> Any:
    """`--yes`: answer the confirmation (scripts)."""
    return click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")(function)


def require_live(ctx: SyncContext) -> None:
    """Refuse to send changes while cycles are dry (they would only be planned)."""
    state = dry_run_state(ctx.engine, ctx.state)
    if state.dry_run:
        fix = "unset SYNC_DRY_RUN in the app settings" if ctx.engine.sync_dry_run else "run `dry-run off` first"
        raise CliError(f"dry-run is on ({state.reason}): nothing would be applied; {fix}", code=1)


def follow(cli: Cli, ctx: SyncContext, reports: list[RunReport], *, timeout: float, no_wait: bool) -> list[RunReport]:
    """Show a progress bar until every change of the runs is applied (the Function app's queue functions apply)."""
    total = sum(r.enqueued for r in reports)
    if no_wait or not total:
        return reports
    cli.out.note(f"waiting for {total} change(s) to be applied by the queue functions…")
    with cli.out.progress("applying", total) as advance:
        done = wait_for(ctx, reports, timeout=timeout, on_progress=lambda d, t: advance(d))
    if any(r.status == "enqueued" for r in done):
        cli.out.note(f"still applying after {timeout:.0f}s: follow with `watch {done[0].run_id}` (is the app running?)")
    return done


def report_rows(reports: list[RunReport]) -> list[dict[str, Any]]:
    """One summary row per run report."""
    return [
        {
            "run_id": r.run_id,
            "feature": r.feature,
            "status": r.status,
            "started": r.started_at.isoformat(timespec="seconds"),
            "dry_run": r.dry_run,
            "planned": sum(r.planned.values()),
            "applied": sum(r.applied.values()),
            "skipped": sum(r.skipped.values()),
            "failed": sum(r.failed.values()),
            "errors": "; ".join(r.errors)[:200],
        }
        for r in reports
    ]


REPORT_COLUMNS = [
    "run_id",
    "feature",
    "status",
    "started",
    "dry_run",
    "planned",
    "applied",
    "skipped",
    "failed",
    "errors",
]
