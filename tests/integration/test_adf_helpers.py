"""The ADF test stack: Azurite + Purview, CluedIn and Data Factory emulators, wired into a SyncContext.

Shared by the ADF integration tests (each defines its own fixture calling `build_stack`). Assets are created the
way a user would: an entity upserted through the Data Map API and a glossary term assigned to it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import requests
from azure.data.tables import TableServiceClient
from azure.storage.blob import BlobServiceClient
from azure.storage.queue import QueueServiceClient, TextBase64DecodePolicy, TextBase64EncodePolicy

from emulators.cluedin.seed import DEFAULT_PASSWORD, default_username
from sync.clients.cluedin_ingestion import received_record_count
from sync.clients.purview import PurviewClient
from sync.engine import SyncContext
from sync.runtime import CLIENT_FACTORIES
from sync.settings import AppSettings
from sync.state import StateStore
from sync.storage import QueueSender, base64_queue

CSV = "Id,Name,City\n1,Ada Lovelace,London\n2,Grace Hopper,New York\n3,Linus Torvalds,Helsinki\n"
GLOSSARY = "Glossary"
AUTOMATION_TERM = "CluedInADF"
SECRET_NAME = "cluedin-ingestion-token"


@dataclass
class AdfStack:
    """Everything an ADF test touches."""

    settings: AppSettings
    environment: dict[str, str]
    state: StateStore
    queues: QueueSender
    queue_service: QueueServiceClient
    purview: Any
    cluedin: Any
    adf: Any
    blob_service: BlobServiceClient
    container: str

    def context(self, **overrides: Any) -> SyncContext:
        """A fresh SyncContext (own clients), optionally with settings changed."""
        settings = self.settings.model_copy(update=overrides) if overrides else self.settings
        return SyncContext(settings, self.state, self.queues, clients=CLIENT_FACTORIES)

    def purview_client(self) -> PurviewClient:
        """A Data Map client against the emulator."""
        return CLIENT_FACTORIES["purview"](self.settings)  # type: ignore[no-any-return]

    def upload(self, path: str, data: str = CSV) -> None:
        """Put a file into the stack's Azurite container (which the factory's ADLS account maps to)."""
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
        purview = self.purview_client()
        entity: dict[str, Any] = {"typeName": type_name, "attributes": {"qualifiedName": qualified_name, "name": name}}
        if type_name == "azure_datalake_gen2_path":
            entity["attributes"]["isFile"] = True
        result = purview.upsert_entities([entity])
        guid = result.guid_by_qualified_name()[(type_name, qualified_name)]
        session = self.purview.session()
        for term in terms:
            term_guid = self.term_guid(term)
            answer = session.post(
                f"{self.purview.atlas_url}/glossary/terms/{term_guid}/assignedEntities",
                json=[{"guid": guid}],
                timeout=10,
            )
            answer.raise_for_status()
        if data is not None and type_name != "azure_sql_table":
            self.upload(f"{folder}/{name}", data)
        return {"guid": guid, "typeName": type_name, "qualifiedName": qualified_name, "name": name}

    def term_guid(self, term: str) -> str:
        """The guid of a seeded glossary term."""
        session = self.purview.session()
        glossaries = session.get(f"{self.purview.atlas_url}/glossary", timeout=10).json()
        glossary = next(g for g in glossaries if g["name"] == GLOSSARY)
        terms = session.get(f"{self.purview.atlas_url}/glossary/{glossary['guid']}/terms", timeout=10).json()
        return str(next(t["guid"] for t in terms if t["name"] == term))

    def received(self, data_set_id: str) -> int:
        """Rows the CluedIn emulator's ingestion endpoint received for a data set."""
        return received_record_count(CLIENT_FACTORIES["cluedin"](self.settings), data_set_id)

    def queued(self, queue: str) -> list[str]:
        """Texts of the messages waiting in a queue (peeked, not removed)."""
        client = base64_queue(self.queue_service, queue)
        return [m.content for m in client.peek_messages(max_messages=32)]


def build_stack(azurite: Any, purview: Any, cluedin: Any, adf: Any, **extra_settings: str) -> AdfStack:
    """Seed the emulators, create a container and state tables, and build settings pointing at all of them."""
    purview.seed(
        {
            "glossaries": [
                {"name": GLOSSARY, "terms": [{"name": AUTOMATION_TERM}, {"name": "Sync to CluedIn"}, {"name": "Other"}]}
            ]
        }
    )
    api_token = cluedin.api_token("adf-tests")
    adf.set_secret(SECRET_NAME, f"Bearer {api_token}")
    container = f"raw{uuid.uuid4().hex[:12]}"
    blob_service = BlobServiceClient.from_connection_string(azurite.connection_string)
    blob_service.create_container(container)
    prefix = "a" + uuid.uuid4().hex[:12]
    environment = {
        "AzureWebJobsStorage": azurite.connection_string,
        "SYNC_TABLE_PREFIX": prefix,
        "PURVIEW_BASE_URL": purview.url,
        "PURVIEW_STATIC_TOKEN": "purview-test-token",
        "CLUEDIN_URL": cluedin.url,
        "CLUEDIN_ORGANIZATION": cluedin.org,
        "CLUEDIN_USERNAME": default_username(cluedin.org),
        "CLUEDIN_PASSWORD": DEFAULT_PASSWORD,
        "DATA_FACTORY_BASE_URL": adf.factory_url(),
        "DATA_FACTORY_STATIC_TOKEN": "adf-test-token",
        "DATA_FACTORY_KEY_VAULT_URL": "https://demo-kv.vault.azure.net/",
        "DATA_FACTORY_CLUEDIN_TOKEN_SECRET_NAME": SECRET_NAME,
        "DATA_FACTORY_PIPELINE_AUTOMATION": "true",
        "PIPELINE_AUTOMATION_TERM_PATTERN": "^CluedIn.*ADF$",
        "SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS": "Sync to CluedIn",
        **extra_settings,
    }
    settings = AppSettings.model_validate(environment)
    state = StateStore(TableServiceClient.from_connection_string(azurite.connection_string), prefix)
    state.ensure_tables()
    queue_service = QueueServiceClient.from_connection_string(
        azurite.connection_string,
        message_encode_policy=TextBase64EncodePolicy(),
        message_decode_policy=TextBase64DecodePolicy(),
    )
    for queue in queue_service.list_queues():
        queue_service.delete_queue(queue.name)
    return AdfStack(
        settings=settings,
        environment=environment,
        state=state,
        queues=QueueSender(queue_service),
        queue_service=queue_service,
        purview=purview,
        cluedin=cluedin,
        adf=adf,
        blob_service=blob_service,
        container=container,
    )


def factory_entities(adf: Any, kind: str) -> dict[str, dict[str, Any]]:
    """Name → entity of every entity of a kind in the emulator's default factory."""
    answer = adf.arm("GET", f"/{kind}")
    answer.raise_for_status()
    return {item["name"]: item for item in answer.json()["value"]}


def factory_writes(adf: Any) -> int:
    """How many write operations the factory has served so far."""
    stats = requests.get(f"{adf.url}/_emulator/stats", timeout=10).json()
    return int(stats["writes"])
