"""The app under test, wired to Azurite and the emulators: one harness for every integration test.

Tests run a feature's planning cycle exactly as its timer does (`run_cycle`) and drain its queue exactly as the
queue function does (`apply_message`), so everything between the services is the app's own code over real HTTP.
Purview content is created the way a scanner or a user would: entities upserted through the Data Map API and
glossary terms assigned through the glossary API. Every cycle also checks that Purview saw no request and sent
no response outside the official Swagger.

Feature-specific helpers build on this one: tests/support/lineage.py (CluedIn data sets → lineage, polling) and
tests/support/adf.py (Data Factory pipelines); each is a `Stack` subclass plus a small wrapper of `build_stack`
that sets the feature's defaults.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableServiceClient
from azure.storage.queue import QueueServiceClient

from emulators.cluedin.seed import DEFAULT_PASSWORD, default_username
from sync.core.engine import apply_message, run_cycle
from sync.core.feature import ApplyOutcome, Feature, SyncContext
from sync.core.report import RunReport, find_report
from sync.core.settings import Settings
from sync.core.state import StateStore
from sync.core.storage import QueueSender, base64_queue
from sync.runtime import CLIENT_FACTORIES, FEED_SOURCES, features
from sync.services.cluedin.client import CluedInClient
from sync.services.purview.client import PurviewClient

GLOSSARY = "Business Glossary"
SYNC_TERM = "Sync to CluedIn"
DEFAULT_TERMS = (SYNC_TERM, "CluedInADF", "Customer", "Finance")
LAKE = "https://lake.dfs.core.windows.net"


def purview_seed(terms: Iterable[str] = DEFAULT_TERMS) -> dict[str, Any]:
    """A Purview account holding one glossary with the given terms."""
    return {"glossaries": [{"name": GLOSSARY, "terms": [{"name": t, "status": "Approved"} for t in terms]}]}


class RecordingQueueSender(QueueSender):
    """The app's queue sender, also remembering messages sent with a visibility delay (queues cannot peek them)."""

    def __init__(self, service: QueueServiceClient, prefix: str) -> None:
        super().__init__(service, prefix)
        self.delayed: list[tuple[str, str, int]] = []

    def send(self, queue: str, text: str, *, visibility_timeout: int | None = None) -> None:
        super().send(queue, text, visibility_timeout=visibility_timeout)
        if visibility_timeout:
            self.delayed.append((queue, text, visibility_timeout))


@dataclass
class Stack:
    """Everything an integration test touches."""

    settings: Settings
    environment: dict[str, str]
    state: StateStore
    queues: QueueSender
    queue_service: QueueServiceClient
    purview: Any
    cluedin: Any
    adf: Any = None
    """The Data Factory emulator's handle, when the test uses one."""
    features: dict[str, Feature] = field(default_factory=features)

    # --- the app ---------------------------------------------------------------------------------------------
    def context(self, **overrides: Any) -> SyncContext:
        """A fresh SyncContext (own clients), optionally with settings changed (App Setting names, any case)."""
        settings = self.settings.with_values(**overrides) if overrides else self.settings
        return SyncContext(settings, self.state, self.queues, clients=CLIENT_FACTORIES, feed_sources=FEED_SOURCES)

    def purview_client(self) -> PurviewClient:
        """The app's Purview client against the emulator."""
        return CLIENT_FACTORIES["purview"](self.settings)  # type: ignore[no-any-return]

    def cluedin_client(self) -> CluedInClient:
        """The app's CluedIn client against the emulator."""
        return CLIENT_FACTORIES["cluedin"](self.settings)  # type: ignore[no-any-return]

    def plan(self, feature: str, ctx: SyncContext | None = None, **overrides: Any) -> RunReport:
        """One planning cycle, as the feature's timer runs it."""
        return run_cycle(self.features[feature], ctx or self.context(**overrides))

    def cycle(self, feature: str, **overrides: Any) -> tuple[RunReport, list[ApplyOutcome]]:
        """Plan one cycle, apply everything it enqueued, and return the folded run report and the outcomes."""
        ctx = self.context(**overrides)
        planned = self.plan(feature, ctx)
        outcomes = self.drain(self.features[feature].queue, ctx)
        report = find_report(self.state.runs, planned.run_id)
        assert report is not None
        violations = self.purview.violations()
        assert violations == [], f"requests or responses outside the official Swagger: {violations}"
        return report, outcomes

    def queue_client(self, queue: str) -> Any:
        """The Storage queue behind a logical queue (`Queues` value, or `<value>-poison`) of this stack."""
        return base64_queue(self.queue_service, self.queues.name(queue))

    def receive(self, queue: str, *, visibility_timeout: int = 60) -> list[Any]:
        """Waiting messages of a queue (made invisible, as a trigger would)."""
        client = self.queue_client(queue)
        with contextlib.suppress(ResourceNotFoundError):
            return list(client.receive_messages(max_messages=32, visibility_timeout=visibility_timeout))
        return []

    def redeliver(self, queue: str, message: Any) -> None:
        """Make a received message visible again now, as the host does after a failure (dequeue count grows)."""
        self.queue_client(queue).update_message(message, visibility_timeout=0)

    def delete(self, queue: str, message: Any) -> None:
        """Delete a received message, as the host does after success."""
        self.queue_client(queue).delete_message(message)

    def apply(self, queue: str, message: Any, ctx: SyncContext | None = None) -> list[ApplyOutcome]:
        """Apply one received message the way the queue function does (without deleting it)."""
        return self.apply_text(
            queue, message.content, ctx, message_id=message.id, dequeue_count=message.dequeue_count or 1
        )

    def apply_text(
        self,
        queue: str,
        text: str,
        ctx: SyncContext | None = None,
        *,
        message_id: str | None = None,
        dequeue_count: int = 1,
    ) -> list[ApplyOutcome]:
        """Apply a message body as the queue function would; without `message_id` it is a duplicate (a new id)."""
        return apply_message(
            text,
            queue=queue,
            features=self.features,
            ctx=ctx or self.context(),
            message_id=message_id or uuid.uuid4().hex,
            dequeue_count=dequeue_count,
        )

    def drain(self, queue: str, ctx: SyncContext | None = None, *, twice: bool = False) -> list[ApplyOutcome]:
        """Apply every waiting message of a queue; `twice` delivers each message a second time (at-least-once)."""
        client = self.queue_client(queue)
        outcomes: list[ApplyOutcome] = []
        while messages := self.receive(queue):
            for message in messages:
                outcomes += self.apply(queue, message, ctx)
                if twice:
                    outcomes += self.apply(queue, message, ctx)
                client.delete_message(message)
        return outcomes

    def queued(self, queue: str) -> list[str]:
        """Texts of the messages waiting in a queue (peeked, not removed)."""
        with contextlib.suppress(ResourceNotFoundError):
            return [m.content for m in self.queue_client(queue).peek_messages(max_messages=32)]
        return []

    def queued_later(self, queue: str) -> list[str]:
        """Texts of the messages the app sent to a queue with a visibility delay (not yet visible)."""
        assert isinstance(self.queues, RecordingQueueSender)
        return [text for name, text, _ in self.queues.delayed if name == queue]

    def poison(self, queue: str) -> list[str]:
        """Messages moved to a queue's poison queue."""
        return self.queued(f"{queue}-poison")

    # --- service-side observations ----------------------------------------------------------------------------
    def purview_writes(self) -> int:
        """Write operations the Purview emulator served so far."""
        return int(self.purview.app.stats.snapshot()["writes"])

    def cluedin_writes(self) -> int:
        """Write operations (mutations, ingestion) the CluedIn emulator served so far."""
        return int(self.cluedin.stats()["writes"])

    def reset_counters(self) -> None:
        """Zero both emulators' request counters."""
        self.purview.app.stats.reset()
        requests.delete(f"{self.cluedin.url}/_emulator/stats", timeout=10).raise_for_status()

    def cluedin_groups(self) -> dict[str, dict[str, Any]]:
        """CluedIn data source groups by name (fails the test if two share a name)."""
        groups: dict[str, dict[str, Any]] = {}
        for group in self.cluedin_client().iter_data_source_sets():
            assert group["name"] not in groups, f"duplicate data source group {group['name']!r}"
            groups[group["name"]] = group
        return groups

    # --- Purview content, as a scanner and a data steward would create it ----------------------------------
    def term_guid(self, term: str) -> str:
        """The guid of a glossary term of the seeded glossary."""
        session = self.purview.session()
        glossaries = session.get(f"{self.purview.atlas_url}/glossary", timeout=10).json()
        glossary = next(g for g in glossaries if g["name"] == GLOSSARY)
        terms = session.get(f"{self.purview.atlas_url}/glossary/{glossary['guid']}/terms", timeout=10).json()
        return str(next(t["guid"] for t in terms if t["name"] == term))

    def assign(self, guid: str, *terms: str) -> None:
        """Assign glossary terms to an entity (what a steward does in the portal)."""
        session = self.purview.session()
        for term in terms:
            url = f"{self.purview.atlas_url}/glossary/terms/{self.term_guid(term)}/assignedEntities"
            session.post(url, json=[{"guid": guid}], timeout=10).raise_for_status()

    def unassign(self, guid: str, term: str) -> None:
        """Remove a term assignment (needs the relationship guid, as in Purview)."""
        session = self.purview.session()
        term_guid = self.term_guid(term)
        url = f"{self.purview.atlas_url}/glossary/terms/{term_guid}/assignedEntities"
        assigned = session.get(url, timeout=10).json()
        relation = next(a for a in assigned if a["guid"] == guid)
        body = [{"guid": guid, "relationshipGuid": relation["relationshipGuid"]}]
        session.delete(url, json=body, timeout=10).raise_for_status()

    def add_file(
        self, name: str, columns: Iterable[str] = ("Id", "Name"), *, folder: str = "raw", terms: Iterable[str] = ()
    ) -> dict[str, Any]:
        """An ADLS Gen2 file with a tabular schema, as a Purview scan creates it; returns its identity."""
        qualified_name = f"{LAKE}/{folder}/{name}"
        schema_qn = f"{qualified_name}#__tabular_schema"
        entities: list[dict[str, Any]] = [
            {
                "typeName": "azure_datalake_gen2_path",
                "guid": "-1",
                "attributes": {"qualifiedName": qualified_name, "name": name, "isFile": True},
            },
            {
                "typeName": "tabular_schema",
                "guid": "-2",
                "attributes": {"qualifiedName": schema_qn, "name": "tabular_schema"},
                "relationshipAttributes": {
                    "associatedDataSets": [{"guid": "-1", "typeName": "azure_datalake_gen2_path"}]
                },
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
        guid = self.purview_client().upsert_entities(entities).guid_assignments["-1"]
        self.assign(guid, *terms)
        return {"guid": guid, "typeName": "azure_datalake_gen2_path", "qualifiedName": qualified_name, "name": name}

    def add_table(
        self, name: str, columns: Iterable[tuple[str, str]] = (("Id", "int"),), *, terms: Iterable[str] = ()
    ) -> dict[str, Any]:
        """An Azure SQL table with typed columns; returns its identity."""
        qualified_name = f"mssql://sql.database.windows.net/crm/dbo/{name}"
        entities: list[dict[str, Any]] = [
            {"typeName": "azure_sql_table", "guid": "-1", "attributes": {"qualifiedName": qualified_name, "name": name}}
        ]
        for index, (column, data_type) in enumerate(columns):
            entities.append(
                {
                    "typeName": "azure_sql_column",
                    "guid": str(-2 - index),
                    "attributes": {
                        "qualifiedName": f"{qualified_name}#{column}",
                        "name": column,
                        "data_type": data_type,
                    },
                    "relationshipAttributes": {"table": {"guid": "-1", "typeName": "azure_sql_table"}},
                }
            )
        guid = self.purview_client().upsert_entities(entities).guid_assignments["-1"]
        self.assign(guid, *terms)
        return {"guid": guid, "typeName": "azure_sql_table", "qualifiedName": qualified_name, "name": name}


def build_stack(
    azurite: Any,
    purview: Any,
    cluedin: Any,
    *,
    adf: Any = None,
    org: str | None = None,
    seed: dict[str, Any] | None = None,
    stack_type: type[Stack] = Stack,
    **settings: str,
) -> Stack:
    """Fresh state tables and queues, a seeded Purview, and settings pointing at Azurite and the emulators.

    Args:
        azurite: the Azurite fixture.
        purview: the Purview emulator handle; its account is replaced by `seed` (default: one glossary with
            DEFAULT_TERMS; `{}` = an empty account).
        cluedin: the CluedIn emulator handle.
        adf: the Data Factory emulator handle, if the test uses the factory (its URL and token go into settings).
        org: the CluedIn organization the app signs in to (default: the emulator's).
        stack_type: the Stack subclass to build (one with a feature's helpers).
        **settings: app settings (environment variable names) added or overridden.
    """
    purview.seed(seed if seed is not None else purview_seed())
    organization = org or cluedin.org
    prefix = "s" + uuid.uuid4().hex[:12]
    environment = {
        "AzureWebJobsStorage": azurite.connection_string,
        "SYNC_TABLE_PREFIX": prefix,
        "SYNC_QUEUE_PREFIX": prefix,
        "PURVIEW_BASE_URL": purview.url,
        "PURVIEW_STATIC_TOKEN": "purview-test-token",
        "PURVIEW_MAX_OPERATIONS_PER_SECOND": "1000",
        "CLUEDIN_URL": cluedin.url,
        "CLUEDIN_ORGANIZATION": organization,
        "CLUEDIN_USERNAME": default_username(organization),
        "CLUEDIN_PASSWORD": DEFAULT_PASSWORD,
        "CLUEDIN_MAX_REQUESTS_PER_SECOND": "1000",
        "SYNC_CLUEDIN_DATA_SOURCES": "true",
        "SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS": SYNC_TERM,
    }
    if adf is not None:
        environment["DATA_FACTORY_BASE_URL"] = adf.factory_url()
        environment["DATA_FACTORY_STATIC_TOKEN"] = "adf-test-token"
    environment.update(settings)
    app_settings = Settings(environment)
    state = StateStore(TableServiceClient.from_connection_string(azurite.connection_string), prefix)
    state.ensure_tables()
    queue_service = QueueServiceClient.from_connection_string(azurite.connection_string)
    sender = RecordingQueueSender(queue_service, prefix)  # queues of their own: nothing left from another test
    return stack_type(app_settings, environment, state, sender, queue_service, purview, cluedin, adf)
