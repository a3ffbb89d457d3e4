"""What `make demo` needs for the Data Factory part (item 5): inputs, the Key Vault token, and the proof.

Local only. The demo (devhost/demo.py, the lead's) seeds Purview with `purview_seed()` (merged into its own
seed), calls `upload_demo_file()` and `provision_ingestion_token()`, lets the timers run F12 (the tagged CSV gets
its pipeline) and then `run_and_count()` to show the file's rows arriving in the CluedIn emulator. The next F4
metrics poll shows the same count on the Cluedin Dataset in Purview.

The token goes from CluedIn straight into the Data Factory emulator's Key Vault stand-in; it is never printed,
logged or returned.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from sync.core.feature import SyncContext
from sync.core.state import SyncObject
from sync.features.pipelines.provision import PIPELINE_KIND
from sync.features.pipelines.runs import start_run_once
from sync.services.cluedin.client import CluedInClient
from sync.services.cluedin.ingestion import ensure_api_token, received_record_count
from sync.services.datafactory.client import DataFactoryClient
from sync.services.purview.assets import asset_key

SEEDS = Path(__file__).resolve().parent / "seeds"
CSV_FILE = SEEDS / "adf-customers.csv"
PURVIEW_SEED_FILE = SEEDS / "adf-purview-asset.json"
CONTAINER = "raw"
BLOB_PATH = "crm/Customers.csv"
ASSET_TYPE = "azure_datalake_gen2_path"
ASSET_QUALIFIED_NAME = "https://demostore.dfs.core.windows.net/raw/crm/Customers.csv"
TERMINAL = frozenset({"Succeeded", "Failed", "Cancelled"})


def purview_seed() -> dict[str, Any]:
    """The Purview seed snippet: glossary terms and the tagged ADLS Gen2 CSV asset."""
    data: dict[str, Any] = json.loads(PURVIEW_SEED_FILE.read_text())
    data.pop("_comment", None)
    return data


def demo_rows() -> int:
    """Data rows in the demo CSV (header excluded): what CluedIn should receive."""
    return sum(1 for line in CSV_FILE.read_text().splitlines()[1:] if line.strip())


def upload_demo_file(storage_connection_string: str) -> None:
    """Put the CSV into Azurite where the asset's qualifiedName points (container `raw`)."""
    from azure.core.exceptions import ResourceExistsError
    from azure.storage.blob import BlobServiceClient

    service = BlobServiceClient.from_connection_string(storage_connection_string)
    with contextlib.suppress(ResourceExistsError):
        service.create_container(CONTAINER)
    service.get_blob_client(CONTAINER, BLOB_PATH).upload_blob(CSV_FILE.read_bytes(), overwrite=True)


def provision_ingestion_token(cluedin: CluedInClient, datafactory_url: str, secret_name: str) -> None:
    """Store `Bearer <API token>` in the Data Factory emulator's Key Vault stand-in (what an operator does in Azure).

    `datafactory_url` is the emulator's root URL (e.g. http://127.0.0.1:8083), not the factory URL.
    """
    token = ensure_api_token(cluedin, "purview-cluedin-sync-adf")
    response = requests.put(
        f"{datafactory_url.rstrip('/')}/_emulator/keyvault/secrets/{secret_name}",
        json={"value": f"Bearer {token}"},
        timeout=10,
    )
    response.raise_for_status()


@dataclass(frozen=True)
class CopiedRows:
    """The outcome the demo prints."""

    pipeline: str
    run_id: str
    status: str
    data_set_id: str
    received: int


def run_and_count(ctx: SyncContext, *, request_id: str = "demo", timeout: float = 120.0) -> CopiedRows:
    """Run the demo asset's generated pipeline once (per request id), wait for it, count what CluedIn received.

    Raises:
        LookupError: F12 has not created the pipeline yet.
    """
    row = ctx.state.get_object(PIPELINE_KIND, asset_key(ASSET_TYPE, ASSET_QUALIFIED_NAME))
    if row is None or not row.active or not row.target.get("names"):
        raise LookupError("the demo asset has no pipeline yet: run the F12 timer (plan_pipelines) and drain first")
    return run_pipeline_and_count(ctx, row, request_id=request_id, timeout=timeout)


def run_pipeline_and_count(ctx: SyncContext, row: SyncObject, *, request_id: str, timeout: float = 120.0) -> CopiedRows:
    """Run a generated pipeline (its `adf_pipeline` state row) once per request id, wait, count the rows received."""
    pipeline = str(row.target["names"]["pipeline"])
    run = start_run_once(ctx, pipeline, request_id, owner=f"demo:{request_id}")
    adf: DataFactoryClient = ctx.client("datafactory")
    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        status = str((adf.get_run(run.run_id) or {}).get("status") or "")
        if status in TERMINAL:
            break
        time.sleep(0.5)
    data_set_id = str(row.target["data_set_id"])
    received = received_record_count(ctx.client("cluedin"), data_set_id)
    return CopiedRows(pipeline, run.run_id, status, data_set_id, received)
