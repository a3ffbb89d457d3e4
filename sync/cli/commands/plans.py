"""`plan` and `apply`: the reviewed plan, applied exactly, through the queues."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from sync.cli.commands.common import FEATURE, REPORT_COLUMNS, follow, report_rows, require_live, wait_option, yes_option
from sync.cli.main import Cli, cli
from sync.cli.plans import apply_plan, change_rows, check_unmoved, load_plan, plan_features, planned_counts
from sync.cli.session import CliError


def _show(app: Cli, plan: dict[str, Any]) -> None:
    rows = change_rows(plan)
    if app.out.format == "json":
        print(json.dumps(plan, indent=2, default=str))
        return
    app.out.rows(["feature", "kind", "key", "summary"], rows, title=f"Plan {plan['plan_id']}")


@cli.command()
@click.argument("features", nargs=-1, type=FEATURE)
@click.option("--out", "out_path", type=click.Path(path_type=Path, dir_okay=False), help="Save the plan to FILE.")
@click.pass_obj
def plan(app: Cli, features: tuple[str, ...], out_path: Path | None) -> int:
    """What the next cycle of FEATURES (default: every enabled one) would change: every change, nothing written."""
    ctx = app.session.context()
    result = plan_features(ctx, app.session.pick(features), target=app.session.target())
    _show(app, result)
    for entry in result["features"]:
        if entry["errors"]:
            app.out.note(f"{entry['feature']}: {entry['status']}: {'; '.join(entry['errors'])}")
    counts = planned_counts(result)
    app.out.note(f"plan {result['plan_id']}: {sum(counts.values())} change(s) {dict(counts)}")
    if out_path is not None:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        app.out.note(f"saved to {out_path}; apply it with `apply --plan {out_path}`")
    failed = [e for e in result["features"] if e["status"] in {"failed", "not-configured"}]
    return 1 if failed else 0


@cli.command()
@click.argument("features", nargs=-1, type=FEATURE)
@click.option(
    "--plan", "plan_path", type=click.Path(path_type=Path, dir_okay=False), help="Apply exactly this saved plan."
)
@yes_option
@wait_option
@click.pass_obj
def apply(
    app: Cli, *, features: tuple[str, ...], plan_path: Path | None, yes: bool, no_wait: bool, timeout: float
) -> int:
    """Apply a saved plan (--plan FILE) if nothing moved since, or plan FEATURES and apply after confirmation."""
    if plan_path is not None and features:
        raise CliError("give either --plan FILE or feature names, not both (a saved plan names its features)")
    ctx = app.session.context()
    require_live(ctx)
    by_name = app.session.features
    if plan_path is not None:
        reviewed = load_plan(plan_path, by_name, target=app.session.target())
    else:
        reviewed = plan_features(ctx, app.session.pick(features), target=app.session.target())
        if app.out.format == "table":  # JSON/CSV output stays one document: the runs below
            _show(app, reviewed)
        total = sum(planned_counts(reviewed).values())
        if not total and not any(e["setup"] for e in reviewed["features"]):
            app.out.note("nothing to apply")
            return 0
        app.confirm(f"Apply these {total} change(s)?", yes=yes)
    problems = check_unmoved(ctx, reviewed, by_name)
    if problems:
        raise CliError("refused, nothing was sent: " + " | ".join(problems) + " — plan again and review", code=1)
    reports = apply_plan(ctx, reviewed, by_name)
    refused = [r for r in reports if not r.ok]
    for report in refused:
        app.out.note(f"{report.feature}: {report.status}: {'; '.join(report.errors)}")
    done = follow(app, ctx, reports, timeout=timeout, no_wait=no_wait)
    app.out.rows(REPORT_COLUMNS, report_rows(done), title=f"Applied plan {reviewed['plan_id']}")
    failed = refused or [r for r in done if r.failed or (r.status == "enqueued" and not no_wait)]
    return 1 if failed else 0
