"""Provider definitions: configured integrations (data sources, export targets, crawlers, enrichers).

Also the catalogue of installed provider and connector types.

A provider definition's id is what CluedIn calls `providerDefinitionId` (and `connectorConfigurationId` on a
data source): golden records carry the ids of every provider that contributed to them, which is how search
filters (`providerDefinitionIds_v2`) and metrics attribute data. Crawlers add golden records of their own;
enrichers add properties to existing ones. Removing either takes its contribution away again.
"""

from __future__ import annotations

from typing import Any

from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, new_guid, parse_guid

PROVIDER_KINDS = ("DataSource", "ExportTarget", "Crawler", "Enricher")

INSTALLED_CONNECTORS: tuple[dict[str, Any], ...] = (
    {"id": "838e4ea2-80e0-4b60-b1d1-f052bfcd0caf", "name": "Sql Server Connector", "icon": "SqlServer"},
    {"id": "5ced9e31-aa42-5d82-87cf-3683ff9435b6", "name": "Azure Data Lake Connector", "icon": "AzureDataLake"},
    {"id": "46173590-f9f8-579d-8b7b-7477596409d6", "name": "Dataverse Connector", "icon": "Dataverse"},
    {"id": "c3c65472-6e07-52b8-9cb0-a05360f9048f", "name": "Azure Event Hub Connector", "icon": "EventHub"},
    {"id": "07d2cba7-3973-586e-a81c-ae6b38a9d6e5", "name": "OneLake Connector", "icon": "OneLake"},
)
"""Export-target connector types. The Sql Server id is the one in CluedIn's Postman collection; the others are
the emulator's own (a guess)."""

PROVIDER_TYPES: tuple[dict[str, Any], ...] = (
    {"id": "67c2c556-0235-5af9-b5ed-9935fcad543b", "name": "Web Enricher", "type": "Enricher"},
    {"id": "f1e39128-2434-534c-abc1-3a262d8d945a", "name": "Clearbit Enricher", "type": "Enricher"},
    {"id": "2f551ee3-36f1-598b-b2f1-8fa3a4664a64", "name": "Google Maps Enricher", "type": "Enricher"},
    {"id": "42fcc326-c50a-515f-8e12-95d636c2076a", "name": "HubSpot", "type": "Crawler"},
    {"id": "b8560428-bd9f-5f2f-a06f-47f27f7c121f", "name": "SharePoint", "type": "Crawler"},
    {"id": "e9465417-de8c-5157-a0ea-66fdc4599e55", "name": "Salesforce", "type": "Crawler"},
)
"""Crawler and enricher types a simulated user can add (ids are the emulator's own: a guess)."""

SECRET_FIELDS = frozenset({"password", "secret", "clientsecret", "accountkey", "apikey", "token", "connectionstring"})


def install_connectors(store: CluedInStore) -> None:
    """Put the built-in connector types into a fresh store."""
    for spec in INSTALLED_CONNECTORS:
        store.connectors[spec["id"]] = {
            **spec,
            "type": "Connector",
            "about": f"{spec['name']} export target",
            "authMethods": {"credentials": []},
            "properties": [],
            "streamModes": ["Sync", "EventStream"],
            "createdDate": store.org["createdAt"],
            "domain": None,
            "guide": None,
            "isEnabled": True,
            "isNew": False,
            "supportsWebHooks": False,
        }


def new_provider_definition(
    store: CluedInStore,
    *,
    kind: str,
    provider_id: str,
    name: str,
    account_display: str,
    author_id: str,
    configuration: dict[str, Any] | None = None,
    helper_configuration: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A configured integration; callers write their own audit entry (data source vs export target vs ...)."""
    if kind not in PROVIDER_KINDS:
        raise EmulatorError(f"unknown provider kind {kind!r}")
    ident = new_guid()
    user = store.users.get(author_id) or {}
    record = store.stamp_new(
        {
            "id": ident,
            "kind": kind,
            "providerId": provider_id,
            "name": name,
            "accountDisplay": account_display,
            "accountId": account_display,
            "active": True,
            "autoSync": False,
            "codeName": name.replace(" ", ""),
            "configuration": configuration or {},
            "helperConfiguration": helper_configuration or configuration or {},
            "createdDate": store.clock.iso(),
            "entityId": new_guid(),
            "failingAuthentication": False,
            "guide": None,
            "isUnApproved": False,
            "reAuthEndpoint": None,
            "source": "",
            "sourceQuality": 5,
            "stats": None,
            "status": "Active",
            "supportsAutomaticWebhookCreation": False,
            "supportsConfiguration": kind == "ExportTarget",
            "supportsWebhooks": False,
            "userId": author_id,
            "userName": user.get("username"),
            "webhookManagementEndpoints": None,
            "webhooks": None,
            "streamModes": ["Sync", "EventStream"] if kind == "ExportTarget" else [],
            "authorId": author_id,
            "entityType": None,
            "contributedEntityIds": [],
            "enrichedProperties": {},
        }
    )
    store.provider_definitions[ident] = record
    return record


def get_provider_definition(store: CluedInStore, ident: object, kind: str | None = None) -> dict[str, Any]:
    """A provider definition (connector configuration) by GUID, optionally of one kind."""
    record = store.provider_definitions.get(parse_guid(ident, kind or "ConnectorConfiguration"))
    if record is None or (kind is not None and record["kind"] != kind):
        raise NotFoundError(kind or "ConnectorConfiguration", ident)
    return record


def provider_type(provider_id: str) -> dict[str, Any] | None:
    """A crawler/enricher type by id or name."""
    return next((p for p in PROVIDER_TYPES if provider_id in (p["id"], p["name"])), None)


def add_provider(store: CluedInStore, spec: dict[str, Any], author_id: str) -> dict[str, Any]:
    """Add a crawler or enricher and the golden-record data it contributes (simulated user activity).

    An enricher adds `properties` (vocabulary key -> value) to every golden record of `entityType`; a crawler
    creates golden records of `entityType` from `records` (each a map of vocabulary key -> value).
    """
    from emulators.cluedin.golden import add_crawled_entities, enrich_entities

    kind = str(spec.get("kind") or "")
    if kind not in ("Crawler", "Enricher"):
        raise EmulatorError("kind must be 'Crawler' or 'Enricher'")
    ptype = provider_type(str(spec.get("providerId") or spec.get("type") or ""))
    if ptype is None:
        ptype = next(p for p in PROVIDER_TYPES if p["type"] == kind)
    if ptype["type"] != kind:
        raise EmulatorError(f"provider type {ptype['name']} is not a {kind}")
    record = new_provider_definition(
        store,
        kind=kind,
        provider_id=ptype["id"],
        name=str(spec.get("name") or ptype["name"]),
        account_display=str(spec.get("accountDisplay") or spec.get("name") or ptype["name"]),
        author_id=author_id,
        configuration=dict(spec.get("configuration") or {}),
    )
    record["entityType"] = spec.get("entityType")
    if kind == "Enricher":
        properties = spec.get("properties") or {}
        if not isinstance(properties, dict):
            raise EmulatorError("properties must be an object of vocabulary key -> value")
        enrich_entities(store, record, {str(k): v for k, v in properties.items()}, author_id)
        keys = [str(k) for k in properties]
    else:
        records = spec.get("records") or []
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise EmulatorError("records must be a list of objects")
        if not record["entityType"]:
            raise EmulatorError("a crawler needs an entityType for the golden records it creates")
        add_crawled_entities(store, record, records, author_id)
        keys = list(dict.fromkeys(str(k) for r in records for k in r if k not in {"id", "name"}))
    register_provider_keys(store, ptype, keys, author_id)
    store.audit("Provider", record["id"], "Created", author_id, name=record["name"], details={"kind": kind})
    return record


def register_provider_keys(store: CluedInStore, ptype: dict[str, Any], keys: list[str], author_id: str) -> None:
    """The vocabulary keys a crawler or enricher writes, created when missing and marked as the provider's.

    Enrichers write into their own vocabularies (the Gleif enricher's `gleif.organization.*`, CluedIn's
    documentation), and vocabulary lists filter by `connectorId`, so a provider's keys carry its type id as
    `providerId` and `isProvider` **(inferred from those field names)**.
    """
    from emulators.cluedin import catalog

    for full in keys:
        if "." not in full or catalog.find_key(store, full) is not None:
            continue
        prefix, _, name = full.rpartition(".")
        vocabulary = catalog.find_vocabulary(store, prefix)
        if vocabulary is None:
            vocabulary = catalog.create_vocabulary(
                store, {"vocabularyName": prefix, "keyPrefix": prefix, "providerId": ptype["id"]}, author_id
            )
            vocabulary.update({"connectorId": ptype["id"], "isProvider": True})
        try:
            key = catalog.create_vocabulary_key(
                store, {"vocabularyId": vocabulary["vocabularyId"], "name": name}, author_id
            )
        except EmulatorError:
            continue  # a name the catalogue refuses (e.g. `legalAddress+city`) stays a plain property
        key.update({"providerId": ptype["id"], "isProvider": True})


def remove_provider(store: CluedInStore, ident: object, author_id: str) -> None:
    """Remove a crawler or enricher together with the golden-record data it contributed."""
    from emulators.cluedin.golden import forget_provider

    record = get_provider_definition(store, ident)
    if record["kind"] not in ("Crawler", "Enricher"):
        raise EmulatorError(f"{record['kind']} providers are removed with their data source or export target")
    forget_provider(store, record["id"])
    del store.provider_definitions[record["id"]]
    store.version += 1
    store.audit("Provider", record["id"], "Deleted", author_id, name=record["name"], details={"kind": record["kind"]})


def set_provider_active(store: CluedInStore, ident: object, active: bool, author_id: str) -> dict[str, Any]:
    """Pause or play a provider (REST `PUT organization/providers?id&active`)."""
    record = get_provider_definition(store, ident)
    if record["active"] != active:
        record["active"] = active
        store.touch(record)
        object_type = "ExportTarget" if record["kind"] == "ExportTarget" else "Provider"
        store.audit(object_type, record["id"], "Updated", author_id, name=record["name"], details={"active": active})
    return record


def grant_users(store: CluedInStore, ident: object, user_ids: list[object], author_id: str) -> dict[str, Any]:
    """`grantUsersPermission(connectorId, userIds)`: users who may use a configured connector (export target...)."""
    record = get_provider_definition(store, ident)
    granted = record.setdefault("userIds", [])
    for user_id in user_ids:
        if str(user_id) not in store.users:
            raise NotFoundError("User", user_id)
        if str(user_id) not in granted:
            granted.append(str(user_id))
    store.touch(record)
    object_type = "ExportTarget" if record["kind"] == "ExportTarget" else "Provider"
    store.audit(object_type, record["id"], "Updated", author_id, name=record["accountDisplay"],
                details={"grantedUserIds": [str(u) for u in user_ids]})  # fmt: skip
    return record


def public_configuration(auth_info: dict[str, Any]) -> dict[str, Any]:
    """A connection's settings without its secrets (CluedIn returns secrets only in `helperConfiguration`)."""
    return {k: v for k, v in auth_info.items() if k.lower() not in SECRET_FIELDS}
