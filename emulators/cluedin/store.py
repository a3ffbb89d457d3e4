"""The CluedIn emulator's whole state: one organization, its users, configuration objects, records, entities.

Everything lives in plain dicts so a snapshot is JSON as-is and the admin API can save and restore it. Domain
rules (what a create or an update does, which audit entry it writes) live in the service modules that operate
on this store; the store only holds collections, hands out ids and timestamps, and records the audit log.

Only the event loop thread mutates the store (handlers are `async def` and never await mid-change), so no
locks are needed.
"""

from __future__ import annotations

import copy
from typing import Any

from emulators.cluedin.util import Clock, EmulatorError, new_guid, stable_guid

STATE_KIND = "cluedin-emulator-state"
STATE_VERSION = 1

OBJECT_TYPE_IDS: dict[str, str] = {
    "DataSourceSet": "3835be75-9d7d-55ee-977b-6b052a7c444c",
    "DataSource": "c7319d64-8e9b-5e3c-90bc-530ba4e0c008",
    "DataSet": "4b578dce-8dd2-5d1d-9fe1-04fd675704d6",
    "Annotation": "574e40a9-886f-503a-b1cd-e5d265a4f6d0",
    "Stream": "c082d1cc-0d9e-59bf-b10d-5fa8ea4f60b3",
    "ExportTarget": "ad7f4a75-873f-57ee-a7de-b16e5135ea4c",
    "Provider": "1c9e6dc6-1087-5972-9e30-49104bbf4e1f",
    "Vocabulary": "9405e527-a882-5abd-9f45-382b2c7d8295",
    "VocabularyKey": "e916a868-11af-5c5b-8435-3942fb1ff5bb",
    "GlossaryCategory": "94ac9e85-5a62-54ce-90fc-52f34a538713",
    "GlossaryTerm": "2fe276ee-4853-5306-b93b-d2c521741b47",
    "EntityType": "7d69d9b6-3e25-503c-963e-ed62cd7ef70c",
    "Rule": "a75252d7-65e3-50be-beea-58d20964950a",
    "CleanProject": "cbeb1e2a-5d9d-52fc-bb6a-1b6c27e32bf4",
    "DeduplicationProject": "331fe95e-6e16-5bac-876d-1a970f77e430",
    "ManualDataEntryProject": "7e06d9b7-c7e8-552e-837f-9352d621c5be",
}
"""Audit-log object type ids. CluedIn does not publish its ids: these are the emulator's own (a guess)."""

COLLECTIONS = (
    "users",
    "api_tokens",
    "refresh_tokens",
    "data_source_sets",
    "data_sources",
    "data_sets",
    "annotations",
    "vocabularies",
    "vocabulary_keys",
    "entity_types",
    "glossary_categories",
    "glossary_terms",
    "glossary_tags",
    "streams",
    "connectors",
    "provider_definitions",
    "entities",
    "rules",
    "clean_projects",
    "dedup_projects",
    "mde_projects",
    "submissions",
)
"""Keyed collections, each a dict id -> object; a snapshot stores each as a list of its objects."""

INT_KEYED = frozenset({"data_source_sets", "data_sources", "annotations"})
KEY_FIELDS = {"api_tokens": "id", "refresh_tokens": "token", "vocabularies": "vocabularyId"}
KEY_FIELDS["vocabulary_keys"] = "vocabularyKeyId"

DEFAULT_ORG = "demo"
DEFAULT_TOKEN_LIFETIME_MINUTES = 60


class CluedInStore:
    """In-memory state of one emulated CluedIn organization."""

    def __init__(
        self, org_name: str = DEFAULT_ORG, token_lifetime_minutes: float = DEFAULT_TOKEN_LIFETIME_MINUTES
    ) -> None:
        self.clock = Clock()
        self.default_org_name = org_name
        self.default_token_lifetime = token_lifetime_minutes
        self.signing_key = new_guid()
        self.reset()

    # ------------------------------------------------------------------ lifecycle

    def reset(self) -> None:
        """Back to a fresh start: the default organization and its admin user, nothing else."""
        from emulators.cluedin.seed import install_defaults

        self.clock.reset()
        self._empty(self.default_org_name)
        install_defaults(self)

    def _empty(self, org_name: str) -> None:
        self.org: dict[str, Any] = {
            "id": stable_guid("organization", org_name),
            "name": org_name,
            "displayName": org_name,
            "createdAt": self.clock.iso(),
        }
        self.token_lifetime_minutes = self.default_token_lifetime
        self.settings: dict[str, Any] = {}
        self.records: dict[str, list[dict[str, Any]]] = {}
        self.audit_log: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self.next_ids: dict[str, int] = {"dataSourceSet": 1, "dataSource": 1, "annotation": 1}
        self.version = getattr(self, "version", 0) + 1  # never restarts: caches key on it
        self.users: dict[str, dict[str, Any]] = {}
        self.api_tokens: dict[str, dict[str, Any]] = {}
        self.refresh_tokens: dict[str, dict[str, Any]] = {}
        self.data_source_sets: dict[int, dict[str, Any]] = {}
        self.data_sources: dict[int, dict[str, Any]] = {}
        self.data_sets: dict[str, dict[str, Any]] = {}
        self.annotations: dict[int, dict[str, Any]] = {}
        self.vocabularies: dict[str, dict[str, Any]] = {}
        self.vocabulary_keys: dict[str, dict[str, Any]] = {}
        self.entity_types: dict[str, dict[str, Any]] = {}
        self.glossary_categories: dict[str, dict[str, Any]] = {}
        self.glossary_terms: dict[str, dict[str, Any]] = {}
        self.glossary_tags: dict[str, dict[str, Any]] = {}
        self.streams: dict[str, dict[str, Any]] = {}
        self.connectors: dict[str, dict[str, Any]] = {}
        self.provider_definitions: dict[str, dict[str, Any]] = {}
        self.entities: dict[str, dict[str, Any]] = {}
        self.rules: dict[str, dict[str, Any]] = {}
        self.clean_projects: dict[str, dict[str, Any]] = {}
        self.dedup_projects: dict[str, dict[str, Any]] = {}
        self.mde_projects: dict[str, dict[str, Any]] = {}
        self.submissions: dict[str, dict[str, Any]] = {}

    def collection(self, name: str) -> dict[Any, dict[str, Any]]:
        """A keyed collection by name (see COLLECTIONS)."""
        value: dict[Any, dict[str, Any]] = getattr(self, name)
        return value

    def snapshot(self) -> dict[str, Any]:
        """The whole store as JSON-serialisable data (the admin API's `GET /_emulator/state`)."""
        return copy.deepcopy(
            {
                "kind": STATE_KIND,
                "version": STATE_VERSION,
                "org": self.org,
                "tokenLifetimeMinutes": self.token_lifetime_minutes,
                "signingKey": self.signing_key,
                "clockOffsetSeconds": self.clock.offset_seconds,
                "settings": self.settings,
                "nextIds": self.next_ids,
                "collections": {name: list(self.collection(name).values()) for name in COLLECTIONS},
                "records": self.records,
                "auditLog": self.audit_log,
                "notifications": self.notifications,
            }
        )

    def load(self, data: dict[str, Any]) -> None:
        """Replace the store with a snapshot taken earlier, or with a seed file (see seed.py)."""
        if data.get("kind") != STATE_KIND:
            from emulators.cluedin.seed import apply_seed

            backup = self.snapshot()
            try:
                apply_seed(self, data)
            except (EmulatorError, KeyError, TypeError, ValueError) as exc:
                self.load(backup)
                message = exc.message if isinstance(exc, EmulatorError) else str(exc)
                raise ValueError(f"invalid seed: {message}") from None
            return
        if data.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported state version {data.get('version')!r}; expected {STATE_VERSION}")
        data = copy.deepcopy(data)
        self._empty(str(data["org"]["name"]))
        self.org = dict(data["org"])
        self.token_lifetime_minutes = float(data.get("tokenLifetimeMinutes", self.default_token_lifetime))
        self.signing_key = str(data.get("signingKey") or self.signing_key)
        self.clock.reset(float(data.get("clockOffsetSeconds", 0.0)))
        self.settings = dict(data.get("settings", {}))
        self.next_ids.update({k: int(v) for k, v in data.get("nextIds", {}).items()})
        for name, items in data.get("collections", {}).items():
            if name not in COLLECTIONS:
                raise ValueError(f"unknown collection {name!r} in state")
            key_field = KEY_FIELDS.get(name, "id")
            target = self.collection(name)
            for item in items:
                key = item[key_field]
                target[int(key) if name in INT_KEYED else key] = item
        self.records = {k: list(v) for k, v in data.get("records", {}).items()}
        self.audit_log = list(data.get("auditLog", []))
        self.notifications = list(data.get("notifications", []))

    # ------------------------------------------------------------------ ids, timestamps, audit

    def next_int_id(self, kind: str) -> int:
        """The next int id of a kind (data source groups, data sources and annotations count from 1)."""
        value = self.next_ids[kind]
        self.next_ids[kind] = value + 1
        return value

    def stamp_new(self, obj: dict[str, Any], *, modified_field: str | None = None) -> dict[str, Any]:
        """Give a new object its `createdAt`/`updatedAt` (and the product's own modified-field name)."""
        now = self.clock.iso()
        obj["createdAt"] = now
        obj["updatedAt"] = now
        if modified_field:
            obj[modified_field] = now
        self.version += 1
        return obj

    def touch(self, obj: dict[str, Any]) -> None:
        """Record a change to an object: bump `updatedAt` (and `modifiedAt` where the product has it)."""
        now = self.clock.iso()
        obj["updatedAt"] = now
        if "modifiedAt" in obj:
            obj["modifiedAt"] = now
        self.version += 1

    def audit(
        self,
        object_type: str,
        object_id: object,
        action: str,
        author_id: str | None,
        *,
        name: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Append an audit-log entry, the way the product records create/update/delete of its objects."""
        author = self.users.get(author_id or "")
        entry = {
            "id": new_guid(),
            "objectId": str(object_id),
            "objectTypeId": OBJECT_TYPE_IDS[object_type],
            "objectType": object_type,
            "objectName": name,
            "action": action,
            "authorId": author_id,
            "authorName": author["username"] if author else None,
            "organizationId": self.org["id"],
            "createdAt": self.clock.iso(),
            "details": details or {},
        }
        self.audit_log.append(entry)
        return entry

    def notify(self, title: str, message: str, *, category: str = "Integrations - User") -> dict[str, Any]:
        """Add an in-app notification (the product's Notification Center), readable over REST."""
        entry = {
            "id": new_guid(),
            "title": title,
            "message": message,
            "category": category,
            "isRead": False,
            "createdAt": self.clock.iso(),
        }
        self.notifications.append(entry)
        return entry
