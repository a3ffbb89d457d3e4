"""`make demo`: the whole app on a laptop — Azurite, emulators of Purview, CluedIn and Data Factory, the local host.

What happens, in the order a real estate would see it:

1. Purview holds a scanned estate (devhost/seeds/purview-estate.json): ADLS files and SQL tables with schemas,
   some tagged "Sync to CluedIn", one also tagged "CluedInADF"; its Unified Catalog holds the published
   master-data product "Customer Journey" (Employee.csv, Customer.csv) linked to the term "CluedIn Master Data".
2. Cycle 1 — every timer fires once and every queue drains: tagged assets become CluedIn data sources (F1); the
   data product becomes a data source group with a data source per asset (F10); the "CluedInADF" asset gets a
   Data Factory copy pipeline to a CluedIn ingestion endpoint (F12).
3. A CluedIn user maps data sets in two of the new data sources; the pipeline runs and copies the CSV's rows
   from Azurite Blob into CluedIn.
   The user also sets up an export target (a data lake), a stream of the /Account golden records to it, and a
   web enricher that adds a property to every /Account golden record.
4. Cycle 2: lineage appears in Purview in CluedIn's 2025 shape (F2): source asset → Ingest Data → Cluedin
   Dataset → Annotation → "<data set> - mapping" → Generate Clue → Processing Pipeline → Process Entities →
   Processed Entities → Golden Record → the entity type, with column mappings; the stream as a Cluedin Stream
   Process from /Account to the export target's Cluedin Connector Entity (F8); the enricher as a Cluedin
   Organization Provider → Enrich → /Account (F9); every one of these CluedIn changes is reported as a monitor
   event (F11). The data product's assets get their pipelines, without a term (F12 via F10).
5. The product's pipelines run; cycle 3 auto-maps the loaded data sets to the vocabularies of their glossary terms
   (F3), cycle 4 draws their lineage, and the next sync tick appends their Cluedin Entities to the data product
   in the Unified Catalog (F10 "append").
6. A CluedIn user creates, through CluedIn's own API, a data part rule, a survivorship rule, a clean project, a
   deduplication project and a manual-data-entry project; cycle 5 draws them into the pipeline (F14-F17).
7. The next metrics poll (F4) puts record counts and data-quality metrics on the Cluedin Dataset entities.
8. Glossary both ways (F5, F6, F7), in the same cycles: the vocabularies CluedIn made for the mapped data sets
   become Purview glossary terms under `CluedIn-demo`; the Purview term "Supplier" (tagged CluedInVocab) becomes a
   CluedIn vocabulary with keys and entity type, and every Purview term becomes an inactive CluedIn glossary term.
8. A steward tags one more asset in Purview: its notification reaches the change feed function through a stand-in
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

from devhost import change_feed_demo, dataproducts_demo
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
GLOSSARY_FEATURES = ("vocabularies_to_glossary", "glossary_to_vocabularies", "glossary_to_cluedin_glossary")
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


def app_settings(storage: str, purview: str, cluedin: str, datafactory: str) -> dict[str, str]:
    """The app's settings for the demo: local.settings.json.example with the real local addresses."""
    return {
        "FUNCTIONS_WORKER_RUNTIME": "python",
        "AzureWebJobsStorage": storage,
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
        "SYNC_CLUEDIN_VOCABULARIES_TO_PURVIEW_GLOSSARIES": "true",
        "SYNC_PURVIEW_GLOSSARIES_TO_CLUEDIN_VOCABULARIES": "true",
        "SYNC_PURVIEW_GLOSSARIES_TO_CLUEDIN_GLOSSARIES": "true",
        "SYNC_CLUEDIN_STREAMS": "true",
        "SYNC_CLUEDIN_CRAWLERS_AND_ENRICHERS": "true",
        "DATA_FACTORY_BASE_URL": f"{datafactory}{FACTORY_PATH}/",
        "DATA_FACTORY_STATIC_TOKEN": "local-emulator-token",
        "DATA_FACTORY_PIPELINE_AUTOMATION": "true",
        "PIPELINE_AUTOMATION_TERM_PATTERN": "CluedInADF",
        "DATA_FACTORY_KEY_VAULT_URL": "https://demo-kv.vault.azure.net/",
        "DATA_FACTORY_CLUEDIN_TOKEN_SECRET_NAME": TOKEN_SECRET,
        "SYNC_PROCESSING_RULES_TO_PURVIEW": "true",
        "SYNC_CLEAN_PROJECTS_TO_PURVIEW": "true",
        "SYNC_DEDUPLICATIONS_TO_PURVIEW": "true",
        "SYNC_MANUAL_DATA_ENTRY_TO_PURVIEW": "true",
        "DEVHOST_FUNCTION_KEY": "demo-function-key",
        "AzureFunctionsJobHost__extensions__queues__visibilityTimeout": "00:00:02",
        **dataproducts_demo.settings(),
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


def create_rules_and_projects(cluedin_url: str) -> list[list[str]]:
    """What a CluedIn user does next, through CluedIn's API: rules of two scopes and three kinds of project."""
    from devhost.cluedin_user import CluedInUser, set_value_action

    user = CluedInUser(cluedin_url, ORG, USER, PASSWORD)
    user.create_rule(
        "Account Data Part Rule", "DataPart", entity_type="/Account",
        actions=[set_value_action("account.industry", "Retail")], key="account.industry",
    )  # fmt: skip
    user.create_rule("Account Survivorship Rule", "Survivorship", entity_type="/Account")
    user.create_clean_project("Account Clean Project", entity_type="/Account", keys=["account.website"])
    user.create_dedup_project("Account Deduplication Project", entity_type="/Account", key="account.name")
    mde = user.create_mde_project("Account MDE", entity_type="/Account", vocabulary="account",
                                  keys=["account.id", "account.name"])  # fmt: skip
    return [
        ["data part rule", "Account Data Part Rule (sets account.industry)"],
        ["survivorship rule", "Account Survivorship Rule"],
        ["clean project", "Account Clean Project (account.website)"],
        ["deduplication project", "Account Deduplication Project (matching account.name)"],
        ["manual data entry project", f"Account MDE ({mde})"],
    ]


def add_stream_and_enricher(cluedin_url: str) -> list[str]:
    """What the CluedIn user does then: an export target, a stream of /Account golden records to it, an enricher."""
    import requests

    def act(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = requests.post(f"{cluedin_url}/_emulator/{path}", json=body, timeout=30)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    lake = {"connector": "Azure Data Lake Connector", "accountDisplay": "contosolake / golden-records"}
    target = act("activity/export-target", lake)
    exported = ["account.name", "account.industry", "account.website"]
    stream = {"name": "Account Golden Records", "entityType": "/Account", "properties": exported, "active": True}
    act("activity/stream", {**stream, "exportTargetId": target["id"]})
    enricher = {"kind": "Enricher", "providerId": "Web Enricher", "name": "OrgWebEnricher", "entityType": "/Account"}
    act("activity/provider", {**enricher, "properties": {"web.organization.title": "{name} home page"}})
    return [f"export target {target['accountDisplay']}", "stream Account Golden Records", "enricher OrgWebEnricher"]


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
        dataproducts_demo.upload_product_files(azurite.connection_string)
        host = LocalHost.load(
            "function_app:app", app_settings(azurite.connection_string, purview.url, cluedin.url, datafactory.url)
        )
        with host:
            from sync import runtime

            ctx = runtime.context()
            adf_demo.provision_ingestion_token(ctx.client("cluedin"), datafactory.url, TOKEN_SECRET)
            run_cycle(host, "Cycle 1: Purview assets and data products → CluedIn data sources; Data Factory pipeline")
            show_data_sources(ctx)
            say("   Unified Catalog data product → CluedIn data source group")
            dataproducts_demo.show_data_products(ctx, table)
            say("   Reported by the data-product sync (nothing created for these)")
            dataproducts_demo.show_reported(ctx, say)
            say("== Meanwhile in CluedIn: a user maps data sets, sets up a stream and an enricher; the pipeline copies")
            say("   the CSV into CluedIn")
            mapped = map_data_sets(cluedin.url)
            consumers = add_stream_and_enricher(cluedin.url)
            copied = adf_demo.run_and_count(runtime.context(), request_id="demo-run-1")
            table(
                ["what", "detail"],
                [
                    ["mapped data sets", ", ".join(mapped)],
                    ["set up", ", ".join(consumers)],
                    ["pipeline", copied.pipeline],
                    ["run", f"{copied.run_id} {copied.status}"],
                    ["rows received by CluedIn", f"{copied.received} (expected {adf_demo.demo_rows()})"],
                ],
            )
            run_cycle(host, "Cycle 2: data sets, the stream and the enricher → lineage in Purview; product pipelines")
            data_product_story(host)
            say("== Meanwhile in CluedIn: a user creates rules and projects (CluedIn's own API)")
            table(["what", "name"], create_rules_and_projects(cluedin.url))
            run_cycle(host, "Cycle 5: rules, clean, deduplication and manual data entry → the pipeline in Purview")
            host.run_timer("plan_poll_schedule")
            summary = host.drain(timeout=120)
            say("== Next metrics poll: record counts and data-quality metrics on the Cluedin Datasets")
            table(
                ["function", "runs", "failed"],
                [[n, c.invocations, c.failed] for n, c in sorted(summary.functions.items()) if c.invocations],
            )
            show_lineage(runtime.context())
            show_glossary(runtime.context())
            say("== Purview change feed: a steward tags WebClicks.csv; no timer fires")
            table(
                ["what", "detail"],
                change_feed_demo.run(host, purview.url, azurite.connection_string, runtime.context()),
            )
            path = write_picture(runtime.context())
            show_runs(runtime.context())
    say(f"Lineage picture: {path}")
    say(f"Demo finished in {time.monotonic() - started:.0f} s; everything it started has been stopped.")
    say()
    for line in NEXT_STEPS:
        say(line)
    return 0


def data_product_story(host: LocalHost) -> None:
    """The data product's pipelines load its files, F3 maps them, lineage draws them, F10 appends the entities."""
    from sync import runtime

    say("== Data product 'Customer Journey': its pipelines load the files into CluedIn")
    loaded = dataproducts_demo.run_product_pipelines(runtime.context())
    vocabularies = dataproducts_demo.make_term_vocabularies(runtime.context())
    table(
        ["asset", "pipeline", "run", "rows received by CluedIn"],
        [[n, c.pipeline, c.status, c.received] for n, c in loaded],
    )
    say("   Vocabularies of the glossary terms on the files (as F6 makes them): " + "; ".join(vocabularies))
    say()
    run_cycle(host, "Cycle 3: the loaded data sets are auto-mapped to their terms' vocabularies (F3)")
    run_cycle(host, "Cycle 4: the mapped data sets → lineage (Cluedin Entities /Purview/Customer, …)")
    host.run_timer("plan_sync_schedule")
    host.drain(timeout=120)
    say("== Next sync tick: the Cluedin Entities are appended to the data product in the Unified Catalog")
    dataproducts_demo.show_data_products(runtime.context(), table)


NEXT_STEPS = (
    "Worth trying next:",
    "  make up                                          # the same stack, kept running (make down stops it)",
    "  .venv/bin/cluedin-purview-sync check             # connections and roles, with the fix for each ✗",
    "  .venv/bin/cluedin-purview-sync plan --out out/plan.json",
    "  .venv/bin/cluedin-purview-sync dry-run off",
    "  .venv/bin/cluedin-purview-sync apply --plan out/plan.json",
    "  .venv/bin/cluedin-purview-sync runs              # then show RUN_ID, drift, rollback RUN_ID",
    "  .venv/bin/cluedin-purview-sync lineage --html out/lineage.html",
    "  docs/operations.md                               # the CLI, dry-run, rollback, drift, telemetry queries",
)
"""What `make demo` prints last: the commands worth trying next (the README's quick start names the same)."""


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


def show_glossary(ctx: Any) -> None:
    """One CluedIn vocabulary as Purview terms, and one Purview term as a CluedIn vocabulary and glossary term."""
    from sync.services.cluedin.glossary import categories, iter_terms
    from sync.services.cluedin.vocabularies import iter_vocabularies, iter_vocabulary_keys
    from sync.services.purview.glossary import read_listing

    listing = read_listing(ctx.client("purview"))
    root = next(t for t in listing.terms.values() if t.name == f"CluedIn-{ORG}")
    contact = next(t for t in listing.children(root.guid) if t.name == "contact")
    rows = [[root.name, "", root.status], [f"  {contact.name}", contact.long_description, contact.status]]
    rows += [[f"    {k.name}", k.long_description, k.status] for k in sorted(listing.children(contact.guid), key=str)]
    say("   CluedIn vocabulary 'contact' → Purview glossary terms (F5)")
    table(["term", "definition", "status"], rows)

    cluedin = ctx.client("cluedin")
    supplier = next(v for v in iter_vocabularies(cluedin) if v.key_prefix == "purview.Supplier")
    keys = [k for k in iter_vocabulary_keys(cluedin) if k.vocabulary_id == supplier.id]
    rows = [[supplier.name, supplier.key_prefix, supplier.entity_type, supplier.description]]
    rows += [[f"  {k.display_name}", k.key, k.data_type, k.description] for k in keys]
    say("   Purview term 'Supplier' → CluedIn vocabulary and keys (F6)")
    table(["vocabulary / key", "key", "entity type / data type", "description"], rows)

    names = {v: k for k, v in categories(cluedin).items()}
    terms = [[names.get(t.category_id, ""), t.name, "active" if t.active else "inactive"] for t in iter_terms(cluedin)]
    say("   Purview glossary terms → CluedIn glossary (F7)")
    table(["category", "term", "state"], sorted(terms))


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
    features = (
        "datasources",
        "dataproducts",
        "lineage",
        "automap",
        "polling",
        "streams",
        "providers",
        "pipelines",
        "pipeline_schedules",
        "processing_rules",
        "clean_projects",
        "deduplications",
        "manual_data_entry",
        *GLOSSARY_FEATURES,
    )
    for feature in features:
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
