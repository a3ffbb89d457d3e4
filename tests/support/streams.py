"""The shared stack with what stream (F8) and crawler/enricher (F9) tests need: a CluedIn estate with golden
records, streams, export targets and providers, and readers of what Purview holds.

CluedIn content comes from the emulator's seed format and simulated user activity (`/_emulator/activity/...`),
the way a CluedIn user would make it; Purview is read back over its REST API.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from sync.services.purview.collections import forget_resolutions
from sync.services.purview.typedefs import forget_registrations
from tests.support.lineage import ORG, LineageStack, account_set, group
from tests.support.stack import build_stack

STREAMS_QUEUE = "purview-lineage"
VOCABULARIES = [
    {"name": "account", "keyPrefix": "account", "entityType": "/Account",
     "keys": [{"name": n} for n in ("id", "name", "email", "notes", "country")]},
    {"name": "contact", "keyPrefix": "contact", "entityType": "/Contact",
     "keys": [{"name": n} for n in ("id", "name", "email")]},
]  # fmt: skip

STREAMS = {
    "exportTargets": [{"connector": "Sql Server Connector", "accountDisplay": "sql.Golden"}],
    "streams": [
        {"name": "Account Golden Records", "entityType": "/Account", "exportTarget": "sql.Golden",
         "properties": ["account.name", "account.email"], "active": True},
    ],
}  # fmt: skip
"""A stream of /Account golden records to a SQL export target (seed keys)."""
PROVIDERS = {
    "providers": [
        {"kind": "Enricher", "providerId": "Web Enricher", "name": "OrgWebEnricher", "entityType": "/Account",
         "properties": {"account.website": "https://{name}.example"}},
        {"kind": "Crawler", "providerId": "HubSpot", "name": "HubSpot", "accountDisplay": "hubspot @ acme",
         "entityType": "/Lead", "records": [{"id": "H-1", "name": "Tailspin", "lead.country": "US"}]},
    ]
}  # fmt: skip
"""An enricher of /Account and a crawler bringing /Lead golden records (seed keys)."""


def contact_set(name: str = "Contacts.csv") -> dict[str, Any]:
    """A data set mapped to /Contact, processed into golden records."""
    return {
        "name": name,
        "mapping": {
            "entityType": "/Contact",
            "vocabulary": "contact",
            "fields": {"Id": "contact.id", "Name": "contact.name", "Email": "contact.email"},
            "originEntityCodeKey": "contact.id",
            "nameKey": "contact.name",
        },
        "process": True,
        "records": [{"Id": "C1", "Name": "Ada", "Email": "ada@example.com"}],
    }


def estate(**extra: Any) -> dict[str, Any]:
    """Organization `acme`: /Account and /Contact golden records from two data sets, plus `extra` seed keys."""
    document: dict[str, Any] = {
        "organization": {"name": ORG},
        "vocabularies": VOCABULARIES,
        "dataSourceGroups": [group("Account.csv", [account_set()]), group("Contacts.csv", [contact_set()])],
    }
    document.update(extra)
    return document


class StreamsStack(LineageStack):
    """The lineage stack plus readers of what stream and provider lineage wrote."""

    def cycle(self, feature: str = "streams", **overrides: Any) -> Any:
        """A streams cycle unless another feature is named (see `Stack.cycle`)."""
        return super().cycle(feature, **overrides)

    def ids(self, collection: str, key: str = "name") -> dict[str, str]:
        """Emulator objects by name: `streams`, `provider_definitions` (key `accountDisplay` for targets)."""
        store = self.cluedin.services.store
        return {str(item[key]): str(item["id"]) for item in getattr(store, collection).values()}

    def stream_id(self, name: str) -> str:
        """A stream's id by name."""
        return self.ids("streams")[name]

    def target_id(self, account_display: str) -> str:
        """An export target's id by account display."""
        store = self.cluedin.services.store
        return next(
            str(p["id"])
            for p in store.provider_definitions.values()
            if p["kind"] == "ExportTarget" and p["accountDisplay"] == account_display
        )

    def provider_id(self, name: str) -> str:
        """A crawler's or enricher's provider definition id by name."""
        store = self.cluedin.services.store
        return next(
            str(p["id"])
            for p in store.provider_definitions.values()
            if p["kind"] in ("Crawler", "Enricher") and p["name"] == name
        )

    def by_name(self, type_name: str) -> dict[str, dict[str, Any]]:
        """Active entities of a type by their `name` attribute."""
        return {e["attributes"]["name"]: e for e in self.entities(type_name).values()}

    def column_names(self, entity: dict[str, Any]) -> list[str]:
        """Names of an entity's active columns."""
        session = self.purview.session()
        found = []
        for ref in entity["relationshipAttributes"].get("columns") or []:
            column = session.get(f"{self.purview.atlas_url}/entity/guid/{ref['guid']}", timeout=10).json()["entity"]
            if column.get("status", "ACTIVE") == "ACTIVE":
                found.append(column["attributes"]["name"])
        return sorted(found)

    def qualified_names(self, refs: list[dict[str, Any]]) -> list[str]:
        """qualifiedNames of process inputs/outputs (references by guid or unique attributes)."""
        session = self.purview.session()
        out = []
        for ref in refs:
            if "uniqueAttributes" in ref:
                out.append(ref["uniqueAttributes"]["qualifiedName"])
                continue
            entity = session.get(f"{self.purview.atlas_url}/entity/guid/{ref['guid']}", timeout=10).json()["entity"]
            out.append(entity["attributes"]["qualifiedName"])
        return sorted(out)

    def rest_pause(self, stream_id: str) -> None:
        """Pause a stream the way CluedIn's UI does (REST `POST /api/v1/streams/{id}/pause`)."""
        response = requests.post(
            f"{self.cluedin.url}/api/v1/streams/{stream_id}/pause",
            headers={"Authorization": f"Bearer {self.cluedin.access_token()}"},
            timeout=30,
        )
        response.raise_for_status()

    def operations(self, needle: str) -> int:
        """How many CluedIn requests of operations whose name contains `needle` were served (since a reset)."""
        operations = self.cluedin.stats()["operations"]
        return sum(int(op["count"]) for name, op in operations.items() if needle in name)


def mapping_pairs(process: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """A process's columnMapping as {source qualifiedName: [(source column, sink column), ...]}."""
    value = json.loads(process["attributes"]["columnMapping"] or "[]")
    return {m["DatasetMapping"]["Source"]: [(c["Source"], c["Sink"]) for c in m["ColumnMapping"]] for m in value}


def streams_stack(azurite: Any, purview: Any, cluedin: Any, **settings: str) -> StreamsStack:
    """An empty Purview account, streams and crawlers/enrichers on (lineage too, so shared nodes can be checked)."""
    forget_registrations()
    forget_resolutions()
    defaults = {
        "SYNC_CLUEDIN_STREAMS": "true",
        "SYNC_CLUEDIN_CRAWLERS_AND_ENRICHERS": "true",
        "SYNC_DELETE_POLICY": "soft-delete",
        "SYNC_DELETE_FAILSAFE_PERCENT": "100",
    }
    merged = {**defaults, **settings}
    built = build_stack(azurite, purview, cluedin, org=ORG, seed={}, stack_type=StreamsStack, **merged)
    assert isinstance(built, StreamsStack)
    return built
