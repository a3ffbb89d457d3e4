"""`runs`, `show`, `watch` and `rollback`: what runs did, and undoing one."""

from __future__ import annotations

import click

from sync.cli.commands.common import (
    FEATURE,
    REPORT_COLUMNS,
    RUN_ID,
    follow,
    report_rows,
    wait_option,
    yes_option,
)
from sync.cli.main import Cli, cli
from sync.cli.session import CliError
from sync.core.report import RunReport, find_report, newest_reports
from sync.core.rollback import enqueue_rollback, plan_rollback
from sync.core.state import parse_run_id


def _find(app: Cli, run_id: str) -> RunReport:
    report = find_report(app.session.context().state.runs, run_id)
    if report is None:
        raise CliError(
            f"no run {run_id} in this deployment's reports (kept SYNC_RUN_RETENTION_DAYS days); list them with `runs`",
            code=1,
        )
    return report


@cli.command()
@click.argument("feature", required=False, type=FEATURE)
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True, help="Runs per feature.")
@click.pass_obj
def runs(app: Cli, feature: str | None, limit: int) -> int:
    """The newest runs of FEATURE (default: every feature), newest first."""
    state = app.session.context().state
    names = [feature] if feature else list(app.session.features)
    reports = [r for name in names for r in newest_reports(state.runs, name, limit=limit)]
    reports.sort(key=lambda r: r.started_at, reverse=True)
    app.out.rows(REPORT_COLUMNS, report_rows(reports), title="Runs")
    return 0


@cli.command()
@click.argument("run_id", type=RUN_ID)
@click.pass_obj
def show(app: Cli, run_id: str) -> int:
    """One run: its report, and per change whether it was applied, skipped or failed, and why."""
    report = _find(app, run_id)
    outcomes = sorted(app.session.context().state.runs.iter_outcomes(run_id), key=lambda o: str(o.get("at", "")))
    rows = [
        {
            "kind": o.get("kind"),
            "object": f"{o.get('object_kind', '?')}/{o.get('key', '?')}",
            "result": o.get("result"),
            "detail": o.get("detail"),
            "at": o.get("at"),
        }
        for o in outcomes
    ]
    summary = report.model_dump(mode="json", exclude={"calls", "changes", "notifications"})
    summary["notifications"] = [n.text for n in report.notifications]
    app.out.document(summary, rows=rows, columns=["kind", "object", "result", "detail", "at"])
    return 1 if report.failed or not report.ok else 0


@cli.command()
@click.argument("run_id", type=RUN_ID)
@click.option("--timeout", type=click.FloatRange(min=1), default=600.0, show_default=True, help="Longest wait (s).")
@click.pass_obj
def watch(app: Cli, run_id: str, timeout: float) -> int:
    """Follow a run until its last change is applied."""
    report = _find(app, run_id)
    done = follow(app, app.session.context(), [report], timeout=timeout, no_wait=False)
    app.out.rows(REPORT_COLUMNS, report_rows(done), title="Run")
    return 1 if done[0].failed or done[0].status == "enqueued" else 0


@cli.command()
@click.argument("run_id", type=RUN_ID)
@yes_option
@wait_option
@click.pass_obj
def rollback(app: Cli, run_id: str, yes: bool, no_wait: bool, timeout: float) -> int:
    """Undo what RUN_ID changed in Purview (and Data Factory), through the queues; reports what cannot be undone."""
    report = _find(app, run_id)
    parsed = parse_run_id(run_id)
    assert parsed is not None
    ctx = app.session.context()
    feature = app.session.features[parsed[0]]
    plan = plan_rollback(feature, ctx, run_id)
    rows = [{"action": str(c.kind), "object": c.key, "detail": c.summary} for c in plan.changes]
    rows += [{"action": "kept", "object": key, "detail": why} for key, why in plan.kept]
    app.out.rows(["action", "object", "detail"], rows, title=f"Rollback of {run_id} ({report.status})")
    if not plan.changes:
        app.out.note("nothing to roll back" + (" (see why above)" if plan.kept else ""))
        return 1 if plan.kept else 0
    app.confirm(f"Send {len(plan.changes)} change(s) that undo run {run_id}?", yes=yes)
    started = enqueue_rollback(feature, ctx, plan)
    app.out.note(
        f"rollback run {started.run_id} enqueued; the next cycle plans the source again — "
        "`dry-run on` first if the source itself is wrong"
    )
    done = follow(app, ctx, [started], timeout=timeout, no_wait=no_wait)
    app.out.rows(REPORT_COLUMNS, report_rows(done), title="Rollback run")
    return 1 if done[0].failed else 0
