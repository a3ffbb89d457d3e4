"""Reviewable plans: every change, saved with a plan id and its state version, applied only if nothing moved.

Like Terraform's saved plans and DataHub's preview: a dry-run cycle's full list of changes, with the state version
it was computed from.

`plan` runs each feature's cycle in dry-run, as `POST /api/plan/{feature}` does, and keeps the full list of changes
(the engine's `plan_hook`; the run report itself keeps a 50-line preview). The state version is a digest of the
ETags of the feature's state rows and cursors: any write since changes it.

`apply --plan FILE` refuses when the state moved (and says which rows), then runs a real cycle whose plan hook
compares the changes it computed with the saved ones before anything is sent: a source that changed since the
review refuses too. What is enqueued is therefore exactly what was reviewed; the Function app's queue functions
apply it, and the run reports say when the last change was applied.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.core.engine import run_tick
from sync.core.errors import SyncError
from sync.core.feature import Feature, SyncContext
from sync.core.messages import Change
from sync.core.report import RunReport, find_report
from sync.core.state import StateStore, encode_key
from sync.core.state.rows import quoted

PLAN_KIND = "cluedin-purview-sync/plan"
PLAN_VERSION = 1
MAX_MOVED_SHOWN = 10


class PlanMovedError(SyncError):
    """The plan a cycle computed is not the one that was reviewed."""


def state_rows(state: StateStore, feature: Feature) -> dict[str, str]:
    """`<table>/<partition>/<key>` → ETag of every row the feature's plan depends on."""
    rows = {f"objects/{obj.key}": str(obj.etag) for obj in state.iter_objects(feature.object_kind)}
    partitions = [feature.name, *(["change-feed"] if feature.change_feeds else [])]
    for partition in partitions:
        pk = quoted(encode_key(partition))
        for entity in state.cursors.query_entities(f"PartitionKey eq '{pk}'", select=["RowKey"]):
            rows[f"cursors/{partition}/{entity['RowKey']}"] = str(entity.metadata.get("etag"))
    return rows


def version(rows: dict[str, str]) -> str:
    """A short digest of row ETags: equal only if no row was written, added or removed."""
    text = json.dumps(sorted(rows.items()), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def moved(saved: dict[str, str], current: dict[str, str]) -> list[str]:
    """What changed between two row snapshots, in words (at most a few lines)."""
    added = sorted(set(current) - set(saved))
    removed = sorted(set(saved) - set(current))
    changed = sorted(k for k in set(saved) & set(current) if saved[k] != current[k])
    lines = []
    for label, keys in (("written since", changed), ("new since", added), ("removed since", removed)):
        if keys:
            shown = ", ".join(keys[:MAX_MOVED_SHOWN]) + (
                f" (+{len(keys) - MAX_MOVED_SHOWN} more)" if len(keys) > MAX_MOVED_SHOWN else ""
            )
            lines.append(f"{len(keys)} row(s) {label}: {shown}")
    return lines


def digest(changes: Sequence[Change]) -> list[list[str]]:
    """What identifies a plan's changes: sorted (kind, object kind, key, fingerprint)."""
    return sorted([str(c.kind), c.object_kind, c.key, c.fingerprint] for c in changes)


def plan_features(ctx: SyncContext, features: Sequence[Feature], *, target: str) -> dict[str, Any]:
    """A dry-run cycle of the features (one tick, dependency order) and every change they would make."""
    versions = {f.name: state_rows(ctx.state, f) for f in features}
    captured: dict[str, list[Change]] = {}
    ctx.settings = ctx.settings.with_values(SYNC_DRY_RUN=True)
    ctx.plan_hook = lambda feature, report, changes: captured.__setitem__(feature.name, list(changes))
    try:
        reports = run_tick(features, ctx)
    finally:
        ctx.plan_hook = None
    entries = []
    for feature, report in zip(features, reports, strict=True):
        changes = captured.get(feature.name, [])
        entries.append(
            {
                "feature": feature.name,
                "run_id": report.run_id,
                "status": report.status,
                "errors": report.errors,
                "state_version": version(versions[feature.name]),
                "state_rows": versions[feature.name],
                "setup": report.setup,
                "planned": report.planned,
                "unchanged": report.unchanged,
                "deletes_refused_reason": report.deletes_refused_reason,
                "changes": [c.model_dump(mode="json") for c in changes],
            }
        )
    return {
        "kind": PLAN_KIND,
        "version": PLAN_VERSION,
        "plan_id": uuid.uuid4().hex[:16],
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "target": target,
        "features": entries,
    }


def change_rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per planned change (set-up steps first), for tables and CSV."""
    rows = []
    for entry in plan["features"]:
        rows += [{"feature": entry["feature"], "kind": "setup", "key": "", "summary": s} for s in entry["setup"]]
        rows += [
            {"feature": entry["feature"], "kind": c["kind"], "key": c["key"], "summary": c.get("summary", "")}
            for c in entry["changes"]
        ]
    return rows


def load_plan(path: Path, features: dict[str, Feature], *, target: str) -> dict[str, Any]:
    """A saved plan, checked to be one, for these features and this deployment."""
    from sync.cli.session import CliError

    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CliError(f"plan file {path} does not exist: write one with `plan --out {path}`") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CliError(f"plan file {path} is not JSON ({exc}): write a new one with `plan --out FILE`") from None
    if not isinstance(plan, dict) or plan.get("kind") != PLAN_KIND or plan.get("version") != PLAN_VERSION:
        raise CliError(f"{path} is not a plan of this tool (version {PLAN_VERSION}): write one with `plan --out FILE`")
    if plan.get("target") != target:
        raise CliError(
            f"plan {plan.get('plan_id')} was made for another deployment ({plan.get('target')}); "
            "use the settings it was made with, or plan again"
        )
    for entry in plan.get("features") or []:
        if entry.get("feature") not in features:
            raise CliError(f"plan {plan.get('plan_id')} names an unknown feature {entry.get('feature')!r}")
        if entry.get("status") in {"failed", "not-configured"}:
            raise CliError(
                f"plan {plan['plan_id']}: {entry['feature']} could not plan ({'; '.join(entry['errors'])}); "
                "fix that and plan again"
            )
    return plan


def check_unmoved(ctx: SyncContext, plan: dict[str, Any], features: dict[str, Feature]) -> list[str]:
    """Why the plan can no longer be applied as it is (empty when the state has not moved)."""
    problems = []
    for entry in plan["features"]:
        current = state_rows(ctx.state, features[entry["feature"]])
        if version(current) != entry["state_version"]:
            lines = moved(entry["state_rows"], current)
            problems.append(f"{entry['feature']}: state moved since plan {plan['plan_id']} — " + "; ".join(lines))
    return problems


def apply_plan(ctx: SyncContext, plan: dict[str, Any], features: dict[str, Feature]) -> list[RunReport]:
    """Run real cycles whose plan hook refuses anything but the saved changes; returns their reports."""
    expected = {e["feature"]: digest([Change.model_validate(c) for c in e["changes"]]) for e in plan["features"]}

    def gate(feature: Feature, report: RunReport, changes: list[Change]) -> None:
        found = digest(changes)
        if found != expected[feature.name]:
            extra = len([c for c in found if c not in expected[feature.name]])
            gone = len([c for c in expected[feature.name] if c not in found])
            raise PlanMovedError(
                f"the source changed since plan {plan['plan_id']}: {extra} change(s) not in the plan, {gone} planned "
                "change(s) no longer needed; nothing was sent — plan again and review"
            )

    chosen = [features[e["feature"]] for e in plan["features"]]
    ctx.settings = ctx.settings.with_values(SYNC_DRY_RUN=False)
    ctx.plan_hook = gate
    try:
        return run_tick(chosen, ctx)
    finally:
        ctx.plan_hook = None


def wait_for(
    ctx: SyncContext, reports: Sequence[RunReport], *, timeout: float, on_progress: Callable[[int, int], None]
) -> list[RunReport]:
    """Poll the run reports until every enqueued change has an outcome (or the timeout); returns them folded."""
    deadline = time.monotonic() + timeout
    while True:
        current = [find_report(ctx.state.runs, r.run_id) or r for r in reports]
        total = sum(r.enqueued for r in current)
        done = sum(sum(c.values()) for r in current for c in (r.applied, r.failed, r.skipped))
        on_progress(min(done, total), total)
        if all(r.status != "enqueued" for r in current) or time.monotonic() > deadline:
            return current
        time.sleep(0.5)


def planned_counts(plan: dict[str, Any]) -> Counter[str]:
    """Changes per kind across the plan's features."""
    counts: Counter[str] = Counter()
    for entry in plan["features"]:
        counts.update(str(c["kind"]) for c in entry["changes"])
    return counts
