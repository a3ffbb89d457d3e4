"""The shared stack with what Data Factory (F12/F13) tests need: files in Azurite, tagged assets, the factory.

Assets are created the way a user would: an entity upserted through the Data Map API, a glossary term assigned
to it, and its file uploaded to the Azurite container the factory's ADLS account maps to. The HTTP functions
are served through the local Functions host (`serve`), as `func start` would.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cached_property
from typing import Any

import azure.functions as func
import requests
from azure.storage.blob import BlobServiceClient

from devhost.host import LocalHost
from sync.features.datasources.api import ensure_data_source
from sync.features.pipelines.provision import find_asset
from sync.services.cluedin.ingestion import received_record_count
from sync.triggers import adf_http
from tests.support.stack import SYNC_TERM, Stack, build_stack, purview_seed

CSV = "Id,Name,City\n1,Ada Lovelace,London\n2,Grace Hopper,New York\n3,Linus Torvalds,Helsinki\n"
AUTOMATION_TERM = "CluedInADF"
SECRET_NAME = "cluedin-ingestion-token"
HTTP_FUNCTIONS = ["adf_create_pipeline", "adf_get_pipeline_run"]


class AdfStack(Stack):
    """The shared stack plus the factory, a blob container of its own, and CluedIn's ingestion counts."""

    @property
    def container(self) -> str:
        """This stack's Azurite container (named after its table prefix, so tests never share files)."""
        return f"raw{self.settings.engine.sync_table_prefix.lower()}"

    @cached_property
    def blob_service(self) -> BlobServiceClient:
        """Blob access to Azurite."""
        return BlobServiceClient.from_connection_string(self.environment["AzureWebJobsStorage"])

    def upload(self, path: str, data: str = CSV) -> None:
        """Put a file into the stack's container (which the factory's ADLS account maps to)."""
        self.blob_service.get_blob_client(self.container, path).upload_blob(data.encode(), overwrite=True)

    def add_asset(
        self,
        name: str = "Account.csv",
        *,
        folder: str = "crm",
        type_name: str = "azure_datalake_gen2_path",
        qualified_name: str | None = None,
        terms: tuple[str, ...] = (AUTOMATION_TERM,),
        data: str | None = CSV,
    ) -> dict[str, str]:
        """Upsert an asset in Purview, assign glossary terms, and upload its file; returns its identity."""
        qualified_name = qualified_name or f"https://demostore.dfs.core.windows.net/{self.container}/{folder}/{name}"
        entity: dict[str, Any] = {"typeName": type_name, "attributes": {"qualifiedName": qualified_name, "name": name}}
        if type_name == "azure_datalake_gen2_path":
            entity["attributes"]["isFile"] = True
        result = self.purview_client().upsert_entities([entity])
        guid = result.guid_by_qualified_name()[(type_name, qualified_name)]
        self.assign(guid, *terms)
        if data is not None and type_name != "azure_sql_table":
            self.upload(f"{folder}/{name}", data)
        return {"guid": guid, "typeName": type_name, "qualifiedName": qualified_name, "name": name}

    def sync_data_source(self, identity: dict[str, str]) -> None:
        """Create the asset's CluedIn data source and state row the way F1 does (as if F1 had synced it)."""
        ctx = self.context()
        ensure_data_source(ctx, find_asset(ctx.client("purview"), guid=identity["guid"]), owner="f1")

    def received(self, data_set_id: str) -> int:
        """Rows the CluedIn emulator's ingestion endpoint received for a data set."""
        return received_record_count(self.cluedin_client(), data_set_id)

    def factory_entities(self, kind: str) -> dict[str, dict[str, Any]]:
        """Name → entity of every entity of a kind (`pipelines`, `datasets`, `triggers`, …) in the factory."""
        answer = self.adf.arm("GET", f"/{kind}")
        answer.raise_for_status()
        return {item["name"]: item for item in answer.json()["value"]}

    def factory_writes(self) -> int:
        """Write operations the factory served so far."""
        stats = requests.get(f"{self.adf.url}/_emulator/stats", timeout=10).json()
        return int(stats["writes"])


def adf_stack(azurite: Any, purview: Any, cluedin: Any, adf: Any, **settings: str) -> AdfStack:
    """`adf_stack_of(AdfStack, ...)`."""
    return adf_stack_of(AdfStack, azurite, purview, cluedin, adf, **settings)


def adf_stack_of(
    stack_type: type[AdfStack], azurite: Any, purview: Any, cluedin: Any, adf: Any, **settings: str
) -> AdfStack:
    """The shared stack with the factory's defaults: automation on for `CluedInADF`, CluedIn's token in its vault.

    The factory reads CluedIn's API token from its Key Vault (as a deployment would store it), and the stack's
    blob container exists before any asset's file is uploaded.
    """
    defaults = {
        "DATA_FACTORY_KEY_VAULT_URL": "https://demo-kv.vault.azure.net/",
        "DATA_FACTORY_CLUEDIN_TOKEN_SECRET_NAME": SECRET_NAME,
        "DATA_FACTORY_PIPELINE_AUTOMATION": "true",
        "PIPELINE_AUTOMATION_TERM_PATTERN": "^CluedIn.*ADF$",
    }
    seed = purview_seed((AUTOMATION_TERM, SYNC_TERM, "Other"))
    stack = build_stack(
        azurite, purview, cluedin, adf=adf, seed=seed, stack_type=stack_type, **{**defaults, **settings}
    )
    assert isinstance(stack, AdfStack)
    adf.set_secret(SECRET_NAME, f"Bearer {cluedin.api_token('adf-tests')}")
    stack.blob_service.create_container(stack.container)
    return stack


def serve(stack: Stack) -> tuple[LocalHost, Callable[[], None]]:
    """Serve the Data Factory HTTP functions through the local host on the stack's settings.

    Returns the host and a `close` that stops it and restores the process environment the host changed.
    """
    saved = dict(os.environ)
    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
    app.register_functions(adf_http.bp)
    host = LocalHost(app, stack.environment, functions=HTTP_FUNCTIONS, host_json={"version": "2.0"})
    host.start(http=True, timers=False, queues=False)

    def close() -> None:
        host.stop()
        host.close()
        os.environ.clear()
        os.environ.update(saved)

    return host, close
