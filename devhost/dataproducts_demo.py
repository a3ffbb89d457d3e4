"""What `make demo` needs for the data-product part (F10, F3): files, the terms' vocabularies, and the proof.

Local only. The demo's Purview seed (devhost/seeds/purview-estate.json) holds the Unified Catalog: the published
master-data product "Customer Journey" with Employee.csv and Customer.csv (tagged with the glossary terms
"Employee" and "Customer"), linked to the term "CluedIn Master Data", and an analytical product F10 reports and
skips. The demo uploads the two files, lets the timers make the product's data source group (F10) and pipelines
(F12), runs the pipelines; auto-mapping (F3) maps the loaded data sets to the terms' vocabularies, lineage (F2)
writes their Cluedin Entities, and one more sync tick appends those to the product.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from devhost.adf_demo import CopiedRows, run_pipeline_and_count
from sync.core.feature import SyncContext
from sync.features.dataproducts.api import DATAPRODUCT_KIND, assets_to_automate
from sync.features.pipelines.provision import PIPELINE_KIND
from sync.services.cluedin.client import CluedInClient
from sync.services.purview.unified import DATA_ASSET, UnifiedCatalogClient

SEEDS = Path(__file__).resolve().parent / "seeds"
CONTAINER = "raw"
FILES = {"hr/Employee.csv": "dataproduct-employee.csv", "sales/Customer.csv": "dataproduct-customer.csv"}
TERMS = ("Customer", "Employee")
"""The glossary terms on the product's files (devhost/seeds/purview-estate.json)."""
TERM = "CluedIn Master Data"
CREATE_VOCABULARY = (
    "mutation ($vocabulary: InputVocabulary) { management { createVocabulary(vocabulary: $vocabulary) "
    "{ vocabularyId } } }"
)
Table = Callable[[Sequence[str], Sequence[Sequence[Any]]], None]


def settings() -> dict[str, str]:
    """The F10 and F3 settings the demo turns on."""
    return {
        "SYNC_DATA_PRODUCTS_DATASOURCES": "true",
        "SYNC_DATA_PRODUCTS_TERM_PATTERN": TERM,
        "APPEND_ASSET_TO_DATA_PRODUCT": "true",
        "AUTO_MAP_CLUEDIN_DATA_SETS": "true",
    }


def upload_product_files(storage_connection_string: str) -> None:
    """Put the product's two CSV files into Azurite where their qualifiedNames point (container `raw`)."""
    from azure.core.exceptions import ResourceExistsError
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(storage_connection_string)
    with contextlib.suppress(ResourceExistsError):
        service.create_container(CONTAINER)
    for path, file in FILES.items():
        service.get_blob_client(CONTAINER, path).upload_blob((SEEDS / file).read_bytes(), overwrite=True)


def run_product_pipelines(ctx: SyncContext) -> list[tuple[str, CopiedRows]]:
    """Run the pipeline of every data-product asset once and count the rows CluedIn received."""
    copied = []
    for key, asset in sorted(assets_to_automate(ctx.state).items()):
        row = ctx.state.get_object(PIPELINE_KIND, key)
        if row is None or not row.active or not row.target.get("names"):
            raise LookupError(f"{asset.name} has no pipeline yet: run the Data Factory automation timer first")
        copied.append((asset.name, run_pipeline_and_count(ctx, row, request_id=f"demo-{asset.name}")))
    return copied


def make_term_vocabularies(ctx: SyncContext) -> list[str]:
    """The vocabularies "Sync Purview glossaries to CluedIn vocabularies" (F6) makes of the terms on the files.

    Made here the way F6 makes them — named after the term, described "<Term> added from Purview Glossary", key
    prefix `purview.<Term>`, entity type `/Purview/<Term>` — because F6 arrives with the glossary features; with
    them, the demo's F6 settings make these.
    """
    cluedin: CluedInClient = ctx.client("cluedin")
    made = []
    for term in TERMS:
        text = json.dumps([{"type": "paragraph", "children": [{"text": f"{term} added from Purview Glossary"}]}])
        vocabulary = {
            "vocabularyName": term,
            "keyPrefix": f"purview.{term}",
            "description": text,
            "entityTypeConfiguration": {"new": True, "entityType": f"/Purview/{term}", "displayName": term},
        }
        body = {"query": CREATE_VOCABULARY, "variables": {"vocabulary": vocabulary}}
        answer = cluedin.ui.request("POST", "/graphql", json=body, operation="demo:createVocabulary").json()
        if answer.get("errors"):
            raise RuntimeError(f"creating the vocabulary {term} failed: {answer['errors']}")
        made.append(f"{term} (purview.{term}, /Purview/{term})")
    return made


def show_reported(ctx: SyncContext, say: Callable[[str], None]) -> None:
    """What the newest data-product run reported about products and assets it did not sync (and why)."""
    from sync.core.report import newest_reports

    for report in newest_reports(ctx.state.runs, "dataproducts", limit=1):
        for event in report.events:
            say(f"  - {event}")
    say("")


def show_data_products(ctx: SyncContext, table: Table) -> None:
    """Each synced data product: its group and data sources in CluedIn, its data assets in the Unified Catalog."""
    unified: UnifiedCatalogClient = ctx.client("unified")
    rows = []
    for row in ctx.state.iter_objects(DATAPRODUCT_KIND):
        sources = sorted(str(s.get("name")) for s in (row.target.get("sources") or {}).values())
        related = [r.entity_id for r in unified.list_product_relationships(row.key, DATA_ASSET)]
        assets = sorted(f"{a.name} ({a.source_asset_type})" for a in unified.query_data_assets(ids=related))
        appended = sorted(str(a.get("entityType")) for a in (row.data.get("appended") or {}).values())
        rows.append(
            [row.source.get("name"), row.target.get("group_name"), ", ".join(sources), "; ".join(assets), appended]
        )
    table(["data product", "CluedIn group", "data sources", "data assets in the catalog", "appended"], rows)
