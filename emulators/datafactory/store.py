"""In-memory state of the emulator: factories with their entities, pipeline runs and Key Vault secrets.

Only the event-loop thread writes here: HTTP handlers directly, run executors through
`loop.call_soon_threadsafe(store.update_run, ...)`, so no lock is needed. Entity names are case-insensitive
within a factory (naming-rules article): they are keyed by their lower-case form and keep the spelling of the
last PUT. Secret values (Key Vault stand-in secrets and inline SecureString values) never leave the store:
snapshots and responses mask them.
"""

from __future__ import annotations

import copy
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ENTITY_KINDS = ("linkedservices", "datasets", "pipelines", "triggers")
MASK = "**********"


def utc_now() -> str:
    """ISO 8601 UTC timestamp with 7 fractional digits, as ADF writes them."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def mask_secrets(value: Any) -> Any:
    """A copy with every SecureString value replaced by asterisks (what ADF shows on GET)."""
    if isinstance(value, list):
        return [mask_secrets(item) for item in value]
    if isinstance(value, dict):
        if value.get("type") == "SecureString":
            return {**value, "value": MASK}
        return {key: mask_secrets(item) for key, item in value.items()}
    return value


@dataclass
class Factory:
    """One data factory and its entities (kind -> lower-case name -> entity record)."""

    subscription_id: str
    resource_group: str
    name: str
    location: str = "East US"
    tags: dict[str, str] = field(default_factory=dict)
    create_time: str = field(default_factory=utc_now)
    etag: str = ""
    entities: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: {k: {} for k in ENTITY_KINDS})

    @property
    def key(self) -> tuple[str, str, str]:
        """Case-insensitive identity: ARM resource ids compare without case."""
        return (self.subscription_id.lower(), self.resource_group.lower(), self.name.lower())

    @property
    def resource_id(self) -> str:
        """ARM id of the factory."""
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.DataFactory/factories/{self.name}"
        )

    def entity(self, kind: str, name: str) -> dict[str, Any] | None:
        """The stored entity record, or None."""
        return self.entities[kind].get(name.lower())


class DataFactoryStore:
    """Factories, runs and secrets; implements the shared kit's Store protocol."""

    def __init__(self) -> None:
        self._etags = itertools.count(1)
        self.secrets: dict[str, str] = {}
        self.reset()

    def reset(self) -> None:
        """Forget factories and runs. Secrets stay: they are configuration (--secret), not state."""
        self.factories: dict[tuple[str, str, str], Factory] = {}
        self.runs: dict[str, dict[str, Any]] = {}

    def new_etag(self) -> str:
        """An ADF-looking etag that changes on every write."""
        return f"{next(self._etags):08x}-0000-0000-0000-{secrets.token_hex(6)}"

    def factory(self, subscription_id: str, resource_group: str, name: str) -> Factory:
        """The factory at this path, created on first use (see README: factories exist on demand)."""
        key = (subscription_id.lower(), resource_group.lower(), name.lower())
        found = self.factories.get(key)
        if found is None:
            found = Factory(subscription_id, resource_group, name, etag=self.new_etag())
            self.factories[key] = found
        return found

    def put_entity(self, factory: Factory, kind: str, name: str, properties: dict[str, Any]) -> dict[str, Any]:
        """Create or replace an entity; a trigger keeps its runtime state across updates."""
        previous = factory.entity(kind, name)
        record: dict[str, Any] = {"name": name, "etag": self.new_etag(), "properties": properties}
        if kind == "triggers":
            record["runtimeState"] = previous["runtimeState"] if previous else "Stopped"
        factory.entities[kind][name.lower()] = record
        return record

    def add_run(self, factory: Factory, run: dict[str, Any]) -> None:
        """Record a new pipeline run (status Queued)."""
        self.runs[run["runId"]] = {"factory": factory.key, "run": run, "activities": [], "cancel": False}

    def update_run(self, run_id: str, run_changes: dict[str, Any], activity: dict[str, Any] | None = None) -> None:
        """Apply a progress report from an executor thread; reports for forgotten runs are dropped."""
        record = self.runs.get(run_id)
        if record is None:
            return
        record["run"].update(run_changes)
        if activity is not None:
            existing = [a for a in record["activities"] if a["activityRunId"] == activity["activityRunId"]]
            if existing:
                existing[0].update(activity)
            else:
                record["activities"].append(activity)

    def snapshot(self) -> dict[str, Any]:
        """Factories, entities and runs as JSON, with every secret value masked and Key Vault secrets left out."""
        factories = []
        for item in self.factories.values():
            factories.append(
                {
                    "subscriptionId": item.subscription_id,
                    "resourceGroup": item.resource_group,
                    "name": item.name,
                    "location": item.location,
                    "tags": dict(item.tags),
                    "createTime": item.create_time,
                    "etag": item.etag,
                    "entities": mask_secrets(item.entities),
                }
            )
        runs = {}
        for run_id, record in self.runs.items():
            hidden = set(record.get("secureParameters") or [])
            raw = {k: MASK if k in hidden else v for k, v in (record.get("rawParameters") or {}).items()}
            runs[run_id] = {**record, "factory": list(record["factory"]), "rawParameters": raw}
        return {"factories": factories, "runs": copy.deepcopy(runs)}

    def load(self, data: dict[str, Any]) -> None:
        """Replace factories and runs with a snapshot or seed file (the format `snapshot()` writes)."""
        factories: dict[tuple[str, str, str], Factory] = {}
        for raw in data.get("factories", []):
            entities = raw.get("entities") or {}
            item = Factory(
                subscription_id=str(raw["subscriptionId"]),
                resource_group=str(raw["resourceGroup"]),
                name=str(raw["name"]),
                location=str(raw.get("location", "East US")),
                tags=dict(raw.get("tags") or {}),
                create_time=str(raw.get("createTime") or utc_now()),
                etag=str(raw.get("etag") or self.new_etag()),
                entities={kind: dict(entities.get(kind) or {}) for kind in ENTITY_KINDS},
            )
            for kind in ENTITY_KINDS:
                for record in item.entities[kind].values():
                    if not isinstance(record, dict) or not isinstance(record.get("properties"), dict):
                        raise ValueError(f"factory {item.name}: every {kind} entry needs 'name' and 'properties'")
                    record.setdefault("etag", self.new_etag())
            factories[item.key] = item
        runs = {}
        for run_id, record in (data.get("runs") or {}).items():
            runs[run_id] = {**record, "factory": tuple(record["factory"]), "cancel": bool(record.get("cancel"))}
        self.factories, self.runs = factories, runs
