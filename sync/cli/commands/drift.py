"""`drift` (what was edited or deleted in Purview since the app wrote it) and `lineage --html` (the picture)."""

from __future__ import annotations

from pathlib import Path

import click

from sync.cli.commands.common import FEATURE, REPORT_COLUMNS, follow, report_rows, require_live, wait_option, yes_option
from sync.cli.main import Cli, cli
from sync.cli.session import CliError
from sync.core.engine import run_tick
from sync.reporting.drift import as_json, find_drift, repair


@cli.command()
@click.argument("features", nargs=-1, type=FEATURE)
@click.option("--repair", "fix", is_flag=True, help="Write the drifted objects again (a cycle of their features).")
@yes_option
@wait_option
@click.pass_obj
def drift(app: Cli, *, features: tuple[str, ...], fix: bool, yes: bool, no_wait: bool, timeout: float) -> int:
    """Objects the app owns that were edited or deleted in Purview, per feature (state + one bulk read)."""
    ctx = app.session.context()
    chosen = app.session.pick(features)
    found = find_drift(chosen, ctx)
    rows = [
        {
            "feature": d.feature,
            "state": d.state,
            "type": d.type_name,
            "qualified_name": d.qualified_name,
            "attributes": ", ".join(sorted(d.differences)),
            "key": d.key,
        }
        for report in found
        for d in report.drifted
    ]
    if app.out.format == "json" and not fix:
        import json

        print(json.dumps(as_json(found), indent=2, default=str))
    else:
        app.out.rows(["feature", "state", "type", "qualified_name", "attributes", "key"], rows, title="Drift")
    for report in found:
        app.out.note(f"{report.feature}: {report.owned} owned, {len(report.drifted)} drifted {report.note}".rstrip())
    if not fix or not rows:
        return 0
    require_live(ctx)
    app.confirm(f"Write {len(rows)} drifted object(s) again?", yes=yes)
    touched = repair(app.session.features, ctx, found)
    reports = run_tick([app.session.features[name] for name in touched], ctx)
    bad = [r for r in reports if not r.ok]
    if bad:
        raise CliError("; ".join(f"{r.feature} {r.status}: {'; '.join(r.errors)}" for r in bad), code=1)
    done = follow(app, ctx, reports, timeout=timeout, no_wait=no_wait)
    app.out.rows(REPORT_COLUMNS, report_rows(done), title="Repair runs")
    return 1 if any(r.failed for r in done) else 0


@cli.command()
@click.option(
    "--html", "html_path", type=click.Path(path_type=Path, dir_okay=False), required=True, help="Output file."
)
@click.pass_obj
def lineage(app: Cli, html_path: Path) -> int:
    """The lineage picture, read from Purview (azure-identity or the configured credential), as one HTML file."""
    from sync.reporting.lineage_html import write_lineage_html

    ctx = app.session.context()
    path = write_lineage_html(ctx.client("purview"), html_path)
    app.out.note(f"lineage picture written to {path}")
    return 0
