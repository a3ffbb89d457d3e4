"""The lineage test stack: Azurite + the Purview and CluedIn emulators, wired into a SyncContext.

Tests run a feature's planning cycle exactly as the timer does (`run_cycle`) and then drain its queue exactly as
the queue function does (`apply_message`), so everything between CluedIn and Purview is the app's own code.
CluedIn content is created through the CluedIn emulator's seed format and simulated user activity; F1's link
between a data source and a Purview asset is the `datasource` state row F1 writes.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from typing import Any

import requests
from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableServiceClient
from azure.storage.queue import QueueServiceClient, TextBase64DecodePolicy, TextBase64EncodePolicy

from emulators.cluedin.seed import DEFAULT_PASSWORD, default_username
from sync.clients.purview import PurviewClient
from sync.collections import forget_resolutions
from sync.engine import ApplyOutcome, RunReport, SyncContext, apply_message, run_cycle, run_report
from sync.features.lineage import LineageFeature
from sync.features.polling import PollingFeature
from sync.messages import Queues
from sync.purview_types import forget_registrations
from sync.runtime import CLIENT_FACTORIES
from sync.settings import AppSettings
from sync.state import StateStore, SyncObject
from sync.storage import QueueSender, base64_queue

ORG = "acme"
ASSET_TYPE = "azure_datalake_gen2_path"
FEATURES = {"lineage": LineageFeature(), "polling": PollingFeature()}
QUEUES = {"lineage": Queues.PURVIEW_LINEAGE.value, "polling": Queues.PURVIEW_ENTITIES.value}


def account_set(name: str = "Account.csv", **overrides: Any) -> dict[str, Any]:
    """A data set in the CluedIn emulator's seed format: mapped to /Account, records processed."""
    spec: dict[str, Any] = {
        "name": name,
        "mapping": {
            "entityType": "/Account",
            "vocabulary": "account",
            "fields": {
                "Id": "account.id",
                "Name": "account.name",
                "Email": "account.email",
                "Notes": "--ignore--",
            },
            "originEntityCodeKey": "account.id",
            "nameKey": "account.name",
        },
        "process": True,
        "records": [
            {"Id": "1", "Name": "Contoso", "Email": "info@contoso.com", "Notes": "vip"},
            {"Id": "2", "Name": "Fabrikam", "Email": "sales@fabrikam.com", "Notes": ""},
        ],
    }
    spec.update(overrides)
    return spec


def seed_document(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """A CluedIn seed with the given data source groups, in organization `acme`."""
    return {"organization": {"name": ORG}, "dataSourceGroups": groups}


def group(name: str, data_sets: list[dict[str, Any]]) -> dict[str, Any]:
    """A data source group holding one endpoint data source of the same name."""
    return {"name": name, "dataSources": [{"name": name, "type": "endpoint", "dataSets": data_sets}]}


@dataclass
class LineageStack:
    """Everything a lineage test touches."""

    settings: AppSettings
    state: StateStore
    queues: QueueSender
    queue_service: QueueServiceClient
    purview: Any
    cluedin: Any

    def context(self, **overrides: Any) -> SyncContext:
        """A fresh SyncContext (own clients), optionally with settings changed."""
        settings = self.settings.model_copy(update=overrides) if overrides else self.settings
        return SyncContext(settings, self.state, self.queues, clients=CLIENT_FACTORIES)

    def purview_client(self) -> PurviewClient:
        """A Data Map client against the emulator (the app's own client)."""
        return CLIENT_FACTORIES["purview"](self.settings)  # type: ignore[no-any-return]

    def cycle(self, feature: str = "lineage", **overrides: Any) -> tuple[RunReport, list[ApplyOutcome]]:
        """Plan one cycle, apply every message it enqueued, and return the folded run report and outcomes."""
        ctx = self.context(**overrides)
        planned = run_cycle(FEATURES[feature], ctx)
        outcomes = self.drain(QUEUES[feature], ctx)
        report = run_report(self.state, planned.run_id)
        assert report is not None
        violations = self.purview.violations()
        assert violations == [], f"requests or responses outside the official Swagger: {violations}"
        return report, outcomes

    def drain(self, queue: str, ctx: SyncContext | None = None) -> list[ApplyOutcome]:
        """Apply every waiting message of a queue the way the queue function does."""
        client = base64_queue(self.queue_service, queue)
        outcomes: list[ApplyOutcome] = []
        while True:
            try:
                messages = list(client.receive_messages(max_messages=32, visibility_timeout=60))
            except ResourceNotFoundError:  # nothing was ever enqueued in this storage account
                return outcomes
            if not messages:
                return outcomes
            for message in messages:
                outcomes += apply_message(
                    message.content,
                    queue=queue,
                    features=FEATURES,
                    ctx=ctx or self.context(),
                    message_id=message.id,
                    dequeue_count=message.dequeue_count or 1,
                )
                client.delete_message(message)

    def poison(self, queue: str) -> list[str]:
        """Messages moved to a queue's poison queue."""
        client = base64_queue(self.queue_service, f"{queue}-poison")
        try:
            return [m.content for m in client.peek_messages(max_messages=32)]
        except ResourceNotFoundError:  # the poison queue only exists once something was poisoned
            return []

    def add_asset(self, name: str, columns: list[str]) -> dict[str, Any]:
        """A Purview source asset (ADLS file) with a tabular schema, as a scan would create it."""
        qualified_name = f"https://lake.dfs.core.windows.net/raw/{name}"
        schema_qn = f"{qualified_name}#__tabular_schema"
        entities: list[dict[str, Any]] = [
            {"typeName": ASSET_TYPE, "guid": "-1", "attributes": {"qualifiedName": qualified_name, "name": name}},
            {
                "typeName": "tabular_schema",
                "guid": "-2",
                "attributes": {"qualifiedName": schema_qn, "name": "tabular_schema"},
                "relationshipAttributes": {"associatedDataSets": [{"guid": "-1", "typeName": ASSET_TYPE}]},
            },
        ]
        for index, column in enumerate(columns):
            entities.append(
                {
                    "typeName": "column",
                    "guid": str(-3 - index),
                    "attributes": {"qualifiedName": f"{schema_qn}//{column}", "name": column, "type": "string"},
                    "relationshipAttributes": {"composeSchema": {"guid": "-2", "typeName": "tabular_schema"}},
                }
            )
        result = self.purview_client().upsert_entities(entities)
        guid = result.guid_assignments["-1"]
        return {"guid": guid, "typeName": ASSET_TYPE, "qualifiedName": qualified_name, "name": name, "columns": columns}

    def link(self, data_source_name: str, asset: dict[str, Any]) -> str:
        """Write F1's state row for a CluedIn data source created from `asset`; returns the data source id."""
        source_id = self.data_source_id(data_source_name)
        row = SyncObject(
            kind="datasource",
            key=f"{asset['typeName']}|{asset['qualifiedName']}",
            source={"guid": asset["guid"], "typeName": asset["typeName"], "qualifiedName": asset["qualifiedName"]},
            target={"group_id": "0", "group_name": data_source_name, "source_id": source_id},
            data={"schema": [{"name": c, "type": "string"} for c in asset["columns"]], "name": asset["name"]},
            status="active",
        )
        existing = self.state.get_object("datasource", row.key)
        row.etag = existing.etag if existing else None
        self.state.save(row)
        return source_id

    def data_source_id(self, name: str) -> str:
        """The id of a CluedIn data source by name."""
        store = self.cluedin.services.store
        return str(next(s["id"] for s in store.data_sources.values() if s["name"] == name))

    def data_set_id(self, name: str) -> str:
        """The id of a CluedIn data set by name."""
        store = self.cluedin.services.store
        return str(next(d["id"] for d in store.data_sets.values() if d["name"] == name))

    def activity(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Simulated user activity in CluedIn (`POST /_emulator/<path>`)."""
        response = requests.post(f"{self.cluedin.url}/_emulator/{path}", json=body, timeout=30)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def cluedin_graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """A UI GraphQL call as a CluedIn user (for mapping edits)."""
        body = self.cluedin.graphql(query, variables)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def purview_writes(self) -> int:
        """Write operations the Purview emulator served so far."""
        stats = self.purview.app.stats.snapshot()
        return int(stats["writes"])

    def entities(self, type_name: str) -> dict[str, dict[str, Any]]:
        """Active entities of a type in the Purview emulator: qualifiedName → entity (with relationships)."""
        session = self.purview.session()
        found: dict[str, dict[str, Any]] = {}
        body = {"keywords": None, "limit": 1000, "filter": {"entityType": type_name}}
        response = session.post(f"{self.purview.datamap_url}/search/query?api-version=2023-09-01", json=body)
        response.raise_for_status()
        guids = [hit["id"] for hit in response.json().get("value") or []]
        for guid in guids:
            entity = session.get(f"{self.purview.atlas_url}/entity/guid/{guid}", timeout=10).json()["entity"]
            if entity.get("status", "ACTIVE") == "ACTIVE":
                found[entity["attributes"]["qualifiedName"]] = entity
        return found


def build_stack(azurite: Any, purview: Any, cluedin: Any, **extra_settings: str) -> LineageStack:
    """State tables, queues and settings pointing at Azurite and both emulators."""
    forget_registrations()
    forget_resolutions()
    prefix = "l" + uuid.uuid4().hex[:12]
    environment = {
        "AzureWebJobsStorage": azurite.connection_string,
        "SYNC_TABLE_PREFIX": prefix,
        "PURVIEW_BASE_URL": purview.url,
        "PURVIEW_STATIC_TOKEN": "purview-test-token",
        "PURVIEW_MAX_OPERATIONS_PER_SECOND": "1000",
        "CLUEDIN_URL": cluedin.url,
        "CLUEDIN_ORGANIZATION": ORG,
        "CLUEDIN_USERNAME": default_username(ORG),
        "CLUEDIN_PASSWORD": DEFAULT_PASSWORD,
        "CLUEDIN_MAX_REQUESTS_PER_SECOND": "1000",
        "SYNC_CLUEDIN_DATA_SOURCES": "true",
        "POLL_CLUEDIN_DATA_SOURCES": "true",
        "SYNC_DELETE_POLICY": "soft-delete",
        "SYNC_DELETE_FAILSAFE_PERCENT": "50",
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
    for name in QUEUES.values():
        for queue in (name, f"{name}-poison"):
            client = base64_queue(queue_service, queue)
            with contextlib.suppress(ResourceNotFoundError):  # the queue does not exist yet
                client.clear_messages()
    return LineageStack(settings, state, QueueSender(queue_service), queue_service, purview, cluedin)
