"""The shared stack with what lineage (F2) and polling (F4) tests need: CluedIn content and Purview's view of it.

CluedIn content is created through the CluedIn emulator's seed format and simulated user activity; F1's link
between a data source and a Purview asset is the `datasource` state row F1 writes.
"""

from __future__ import annotations

from typing import Any

import requests

from sync.core.feature import ApplyOutcome
from sync.core.messages import Queues
from sync.core.report import RunReport
from sync.core.state import SyncObject
from sync.services.purview.collections import forget_resolutions
from sync.services.purview.typedefs import forget_registrations
from tests.support.stack import Stack, build_stack

ORG = "acme"
LINEAGE_QUEUE = Queues.PURVIEW_LINEAGE.value


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


class LineageStack(Stack):
    """The shared stack plus CluedIn data sets, F1's links, and the lineage entities Purview holds."""

    def cycle(self, feature: str = "lineage", **overrides: Any) -> tuple[RunReport, list[ApplyOutcome]]:
        """A lineage cycle unless another feature is named (see `Stack.cycle`)."""
        return super().cycle(feature, **overrides)

    def add_asset(self, name: str, columns: list[str]) -> dict[str, Any]:
        """A Purview source asset (ADLS file) with a tabular schema; its identity and columns, for `link`."""
        return {**self.add_file(name, columns), "columns": columns}

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


def lineage_stack(azurite: Any, purview: Any, cluedin: Any, *, org: str = ORG, **settings: str) -> LineageStack:
    """The shared stack with lineage's defaults: an empty Purview account, polling on, deletes allowed.

    Soft-delete with a 50% fail-safe lets a test remove one of two data sets; the process-wide memos of registered
    types and resolved collections are dropped, since every test starts from a fresh Purview account. The tests
    written for the classic shape (Ingest → Dataset → Map → Entity) keep it; pipeline-shape tests pass
    `PURVIEW_LINEAGE_SHAPE="pipeline"`.
    """
    forget_registrations()
    forget_resolutions()
    defaults = {
        "PURVIEW_LINEAGE_SHAPE": "classic",
        "POLL_CLUEDIN_DATA_SOURCES": "true",
        "SYNC_DELETE_POLICY": "soft-delete",
        "SYNC_DELETE_FAILSAFE_PERCENT": "50",
    }
    stack = build_stack(
        azurite, purview, cluedin, org=org, seed={}, stack_type=LineageStack, **{**defaults, **settings}
    )
    assert isinstance(stack, LineageStack)
    return stack
