"""`make demo`: the whole app on a laptop — Azurite, emulators of Purview, CluedIn and Data Factory, the local host.

What happens, in the order a real estate would see it:

1. Purview holds a scanned estate (devhost/seeds/purview-estate.json): ADLS files and SQL tables with schemas,
   some tagged "Sync to CluedIn", one also tagged "CluedInADF".
2. Cycle 1 — every timer fires once and every queue drains: tagged assets become CluedIn data sources (F1); the
   "CluedInADF" asset gets a Data Factory copy pipeline to a CluedIn ingestion endpoint (F12).
3. A CluedIn user maps data sets in two of the new data sources; the pipeline runs and copies the CSV's rows
   from Azurite Blob into CluedIn.
4. Cycle 2: lineage appears in Purview (source asset → Ingest → Cluedin Dataset → Map → Cluedin Entity, with
   column mappings) (F2); nothing else is rewritten.
5. The next metrics poll (F4) puts record counts and data-quality metrics on the Cluedin Dataset entities.
6. A steward tags one more asset in Purview: its notification reaches the change feed function through a stand-in
   Event Hub, and its data source appears in CluedIn within seconds, without waiting for a timer.

It prints what was synced, writes out/lineage.html (open it in a browser; no network needed) and stops
everything it started.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from devhost import change_feed_demo
from devhost.azurite import Azurite, start_azurite
from devhost.host import LocalHost
from emulators._common import EmulatorProcess, start_process

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "devhost" / "seeds"
OUT = ROOT / "out"
ORG = "demo"
USER = "admin@demo.local"
PASSWORD = "demo-password"  # the CluedIn emulator's documented default account; not a secret
TOKEN_SECRET = "cluedin-ingestion-token"
PURVIEW_ACCOUNT = "contoso-purview"  # also the root collection's name
TARGET_COLLECTION = f"{PURVIEW_ACCOUNT}/CluedIn"  # created by the app under the root, as CluedIn's docs recommend
FACTORY_PATH = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo-rg/providers/"
    "Microsoft.DataFactory/factories/demo-adf"
)
MAPPED_DATA_SETS = SEEDS / "cluedin-lineage.json"
"""The data sets a CluedIn user maps in the demo (CluedIn emulator seed format; each data set is also a valid
`/_emulator/activity/data-set` body once its group and data source are named)."""


def say(text: str = "") -> None:
    """Demo output goes to stdout, unbuffered."""
    print(text, flush=True)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain fixed-width table."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    say("  " + "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    say("  " + "  ".join("-" * w for w in widths))
    for row in cells:
        say("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    say()


@contextlib.contextmanager
def services() -> Iterator[tuple[Azurite, EmulatorProcess, EmulatorProcess, EmulatorProcess]]:
    """Azurite and the three emulators as child processes; all stopped on the way out, whatever happens."""
    started: list[Any] = []
    try:
        azurite = start_azurite()
        started.append(azurite)
        purview = start_process(
            "emulators.purview", ["--seed", str(SEEDS / "purview-estate.json"), "--account-name", PURVIEW_ACCOUNT]
        )
        started.append(purview)
        cluedin = start_process("emulators.cluedin", ["--org", ORG])
        started.append(cluedin)
        datafactory = start_process("emulators.datafactory", ["--storage-connection-string", azurite.connection_string])
        started.append(datafactory)
        yield azurite, purview, cluedin, datafactory
    finally:
        for service in reversed(started):
            with contextlib.suppress(Exception):
                service.stop()


def app_settings(azurite: Azurite, purview: str, cluedin: str, datafactory: str) -> dict[str, str]:
    """The app's settings for the demo: local.settings.json.example with the real local addresses."""
    return {
        "FUNCTIONS_WORKER_RUNTIME": "python",
        "AzureWebJobsStorage": azurite.connection_string,
        "SYNC_SCHEDULE": "0 */1 * * * *",
        "SYNC_QUEUE_PREFIX": "sync",
        "POLL_SCHEDULE": "30 */5 * * * *",
        "PIPELINE_AUTOMATION_SCHEDULE": "15 */1 * * * *",
        "PURVIEW_BASE_URL": purview,
        "PURVIEW_STATIC_TOKEN": "local-emulator-token",
        "PURVIEW_COLLECTION_NAME": TARGET_COLLECTION,
        "PURVIEW_MAX_OPERATIONS_PER_SECOND": "200",
        "CLUEDIN_URL": cluedin,
        "CLUEDIN_ORGANIZATION": ORG,
        "CLUEDIN_USERNAME": USER,
        "CLUEDIN_PASSWORD": PASSWORD,
        "CLUEDIN_MAX_REQUESTS_PER_SECOND": "200",
        "SYNC_CLUEDIN_DATA_SOURCES": "true",
        "SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS": "Sync to CluedIn",
        "POLL_CLUEDIN_DATA_SOURCES": "true",
        "DATA_FACTORY_BASE_URL": f"{datafactory}{FACTORY_PATH}/",
        "DATA_FACTORY_STATIC_TOKEN": "local-emulator-token",
        "DATA_FACTORY_PIPELINE_AUTOMATION": "true",
        "PIPELINE_AUTOMATION_TERM_PATTERN": "CluedInADF",
        "DATA_FACTORY_KEY_VAULT_URL": "https://demo-kv.vault.azure.net/",
        "DATA_FACTORY_CLUEDIN_TOKEN_SECRET_NAME": TOKEN_SECRET,
        "DEVHOST_FUNCTION_KEY": "demo-function-key",
        "AzureFunctionsJobHost__extensions__queues__visibilityTimeout": "00:00:02",
        **change_feed_demo.SETTINGS,
    }


def run_cycle(host: LocalHost, title: str) -> None:
    """Fire every timer once, drain every queue, and print what the functions did."""
    say(f"== {title}")
    host.fire_all_timers()
    summary = host.drain(timeout=300)
    busy = [
        (name, c.invocations, c.succeeded, c.failed, c.poisoned)
        for name, c in sorted(summary.functions.items())
        if c.invocations or c.poisoned
    ]
    table(["function", "runs", "ok", "failed", "poisoned"], busy)
    if any(c.failed for c in summary.functions.values()):
        say("  (a failed run is retried by the host, e.g. when two functions touched one asset at the same moment)")
        say()
    if not summary.ok:
        raise SystemExit(f"the cycle did not end cleanly:\n{summary.format_table()}")


def map_data_sets(cluedin_url: str) -> list[str]:
    """What a CluedIn user does next: add data sets to two synced data sources, map them, process records."""
    import json

    import requests

    seed = json.loads(MAPPED_DATA_SETS.read_text())
    names = []
    for group in seed["dataSourceGroups"]:
        for source in group["dataSources"]:
            for data_set in source["dataSets"]:
                body = {**data_set, "group": group["name"], "dataSource": source["name"], "dataSet": data_set["name"]}
                body.pop("name", None)
                response = requests.post(f"{cluedin_url}/_emulator/activity/data-set", json=body, timeout=30)
                response.raise_for_status()
                names.append(str(data_set["name"]))
    return names


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; returns the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # A failed invocation is retried by the host and counted in the cycle tables; its traceback is noise here.
    logging.getLogger("devhost").setLevel(logging.CRITICAL)
    OUT.mkdir(exist_ok=True)
    started = time.monotonic()
    with services() as (azurite, purview, cluedin, datafactory):
        say(f"Azurite {azurite.blob_url} | Purview {purview.url} | CluedIn {cluedin.url}")
        say(f"Data Factory {datafactory.url} | target collection {TARGET_COLLECTION!r}")
        say()
        from devhost import adf_demo

        adf_demo.upload_demo_file(azurite.connection_string)
        host = LocalHost.load("function_app:app", app_settings(azurite, purview.url, cluedin.url, datafactory.url))
        with host:
            from sync import runtime

            ctx = runtime.context()
            adf_demo.provision_ingestion_token(ctx.client("cluedin"), datafactory.url, TOKEN_SECRET)
            run_cycle(host, "Cycle 1: Purview assets → CluedIn data sources; Data Factory pipeline")
            show_data_sources(ctx)
            say("== Meanwhile in CluedIn: a user maps data sets; the pipeline copies the CSV into CluedIn")
            mapped = map_data_sets(cluedin.url)
            copied = adf_demo.run_and_count(runtime.context(), request_id="demo-run-1")
            table(
                ["what", "detail"],
                [
                    ["mapped data sets", ", ".join(mapped)],
                    ["pipeline", copied.pipeline],
                    ["run", f"{copied.run_id} {copied.status}"],
                    ["rows received by CluedIn", f"{copied.received} (expected {adf_demo.demo_rows()})"],
                ],
            )
            run_cycle(host, "Cycle 2: CluedIn data sets → lineage in Purview")
            host.run_timer("plan_poll_schedule")
            summary = host.drain(timeout=120)
            say("== Next metrics poll: record counts and data-quality metrics on the Cluedin Datasets")
            table(
                ["function", "runs", "failed"],
                [[n, c.invocations, c.failed] for n, c in sorted(summary.functions.items()) if c.invocations],
            )
            show_lineage(runtime.context())
            say("== Purview change feed: a steward tags WebClicks.csv; no timer fires")
            table(
                ["what", "detail"],
                change_feed_demo.run(host, purview.url, azurite.connection_string, runtime.context()),
            )
            path = write_picture(runtime.context())
            show_runs(runtime.context())
    say(f"Lineage picture: {path}")
    say(f"Demo finished in {time.monotonic() - started:.0f} s; everything it started has been stopped.")
    return 0


def show_data_sources(ctx: Any) -> None:
    """Purview asset → CluedIn data source group, from the app's state."""
    rows = sorted(
        (
            row.data.get("name", ""),
            row.source.get("typeName", ""),
            row.target.get("group_name", ""),
            len(row.data.get("schema") or []),
            row.status,
        )
        for row in ctx.state.iter_objects("datasource")
    )
    say("   Purview asset → CluedIn data source group")
    table(["asset", "type", "data source group", "columns", "status"], rows)


def show_lineage(ctx: Any) -> None:
    """The lineage the app wrote, read back from Purview's lineage API, with the metrics the poll put on it."""
    from sync.reporting.lineage_html import collect, layout, type_label

    purview = ctx.client("purview")
    graph = collect(purview)
    layout(graph)  # assigns each node its column along the flow
    attributes = {
        str(e["guid"]): e.get("attributes") or {} for e in purview.get_entities(list(graph.nodes), min_ext_info=True)
    }
    rows = []
    for node in sorted(graph.nodes.values(), key=lambda n: (n.layer, n.type_name, n.name)):
        details = []
        if node.columns:
            details.append(f"{len(node.columns)} columns")
        if node.column_mapping:
            pairs = sum(len(m.get("ColumnMapping") or []) for m in node.column_mapping)
            details.append(f"{pairs} column mappings")
        found = attributes.get(node.guid, {})
        if found.get("recordsReceived") is not None:
            details.append(f"received {found['recordsReceived']}, processed {found.get('recordsProcessed')}")
        if found.get("dataQualityMetrics"):
            metrics = ", ".join(f"{k} {v:.2f}" for k, v in sorted(found["dataQualityMetrics"].items()))
            details.append(metrics)
        rows.append([type_label(node.type_name), node.name, "; ".join(details)])
    say(f"   Lineage in Purview ({len(graph.nodes)} entities, {len(graph.edges)} edges)")
    table(["type", "name", "details"], rows)


def write_picture(ctx: Any) -> Path:
    """out/lineage.html from Purview's lineage API."""
    from sync.reporting.lineage_html import write_lineage_html

    return write_lineage_html(ctx.client("purview"), OUT / "lineage.html")


def show_runs(ctx: Any) -> None:
    """Every run of the demo, per feature: what was planned and applied, and the notifications users would see."""
    from collections import Counter

    from sync.core.report import newest_reports

    rows = []
    notes: list[str] = []
    for feature in ("datasources", "lineage", "polling", "pipelines", "pipeline_schedules"):
        planned: Counter[str] = Counter()
        applied: Counter[str] = Counter()
        runs = newest_reports(ctx.state.runs, feature, limit=20)
        for report in runs:
            planned.update(report.planned)
            applied.update(report.applied)
            notes += [n.text for n in report.notifications]
        rows.append([feature, len(runs), dict(planned) or "-", dict(applied) or "-"])
    say("   Run reports of the demo, per feature")
    table(["feature", "runs", "planned", "applied"], rows)
    say("   Notifications (CluedIn's Notification Center wording; here structured log events and run reports)")
    for text in sorted(set(notes)):
        say(f"  - {text}")
    say()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
