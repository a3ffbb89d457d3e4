"""Default state and seed files: a whole CluedIn organization described in one JSON document.

A seed is loaded through the same service functions the API uses (create group, create data source, ingest
records, map, process, ...), so seeded objects have the same shape, ids, timestamps and audit entries as ones a
client created. The format is documented in the README; snapshots from `/_emulator/state` load as-is instead.
"""

from __future__ import annotations

from typing import Any

from emulators.cluedin import (
    catalog,
    clean,
    consume,
    dedup,
    filters,
    glossary,
    inbound,
    mapping,
    mapping_extras,
    mde,
    processing,
    providers,
    rules,
)
from emulators.cluedin.auth import AuthService
from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import stable_guid

DEFAULT_PASSWORD = "demo-password"
ALL_CLAIMS = {"*": "Accountable"}
DEFAULT_ROLES = ["Admin", "OrganizationAdmin", "DataGovernance", "DataSteward"]
SEED_KEYS = frozenset(
    {
        "organization", "accessTokenLifetimeMinutes", "users", "apiTokens", "settings", "entityTypes",
        "vocabularies", "glossary", "exportTargets", "dataSourceGroups", "providers", "streams", "rules",
        "cleanProjects", "dedupProjects", "manualDataEntryProjects", "notifications",
    }
)  # fmt: skip


def default_username(org_name: str) -> str:
    """The default admin login: `admin@<org>.local`."""
    return f"admin@{org_name}.local"


def install_defaults(store: CluedInStore) -> None:
    """A fresh organization: its admin user (every claim) and the built-in connector types."""
    add_user(store, {"username": default_username(store.org["name"]), "password": DEFAULT_PASSWORD})
    providers.install_connectors(store)


def add_user(store: CluedInStore, spec: dict[str, Any]) -> dict[str, Any]:
    """A user with a password and claims (claim -> RACI level; `*` applies to every claim)."""
    username = str(spec["username"]).strip()
    if not username:
        raise ValueError("a user needs a username")
    ident = str(spec.get("id") or stable_guid("user", store.org["name"], username.lower()))
    user = store.stamp_new(
        {
            "id": ident,
            "username": username,
            "email": username,
            "password": str(spec.get("password", DEFAULT_PASSWORD)),
            "roles": list(spec.get("roles", DEFAULT_ROLES)),
            "claims": dict(spec.get("claims", ALL_CLAIMS)),
            "active": bool(spec.get("active", True)),
            "entityId": stable_guid("user-entity", ident),
        }
    )
    store.users[ident] = user
    return user


def apply_seed(store: CluedInStore, data: dict[str, Any]) -> None:
    """Replace the store with the organization a seed document describes."""
    if not isinstance(data, dict):
        raise TypeError("a seed must be a JSON object")
    unknown = sorted(set(data) - SEED_KEYS)
    if unknown:
        raise ValueError(f"unknown seed key(s): {', '.join(unknown)}; known: {', '.join(sorted(SEED_KEYS))}")
    org = data.get("organization") or {}
    store.clock.reset()
    store._empty(str(org.get("name") or store.default_org_name))
    if org.get("id"):
        store.org["id"] = str(org["id"])
    store.org["displayName"] = str(org.get("displayName") or store.org["name"])
    if data.get("accessTokenLifetimeMinutes") is not None:
        store.token_lifetime_minutes = float(data["accessTokenLifetimeMinutes"])
    users = data.get("users") or [{"username": default_username(store.org["name"])}]
    for user in users:
        add_user(store, user)
    providers.install_connectors(store)
    author = next(iter(store.users))
    store.settings.update({str(k): v for k, v in (data.get("settings") or {}).items()})
    _seed_catalog(store, data, author)
    for target in data.get("exportTargets") or []:
        _seed_export_target(store, target, author)
    for group in data.get("dataSourceGroups") or []:
        _seed_group(store, group, author)
    for spec in data.get("providers") or []:
        providers.add_provider(store, spec, author)
    for spec in data.get("streams") or []:
        _seed_stream(store, spec, author)
    auth = AuthService(store)
    for spec in data.get("apiTokens") or []:
        user = auth.find_user(str(spec.get("user") or store.users[author]["username"]))
        if user is None:
            raise ValueError(f"apiTokens: unknown user {spec.get('user')!r}")
        auth.create_api_token(user, spec.get("name"), spec.get("expiredInHours"), "urn:seed/auth")
    _seed_projects(store, data, author)
    for note in data.get("notifications") or []:
        store.notify(str(note.get("title", "")), str(note.get("message", "")))


def _seed_catalog(store: CluedInStore, data: dict[str, Any], author: str) -> None:
    for spec in data.get("entityTypes") or []:
        catalog.create_entity_type(store, spec, author)
    for spec in data.get("vocabularies") or []:
        vocabulary = catalog.create_vocabulary(
            store,
            {
                "vocabularyName": spec.get("vocabularyName") or spec.get("name"),
                "keyPrefix": spec.get("keyPrefix"),
                "description": spec.get("description"),
                "entityTypeConfiguration": {"entityType": spec["entityType"], "new": True}
                if spec.get("entityType")
                else None,
            },
            author,
        )
        for key in spec.get("keys") or []:
            catalog.create_vocabulary_key(store, {**key, "vocabularyId": vocabulary["vocabularyId"]}, author)
    for spec in data.get("glossary") or []:
        category = glossary.create_category(store, {"name": spec.get("category") or spec.get("name")}, author)
        for term in spec.get("terms") or []:
            rule_set = filters.from_seed(term.get("ruleSet"), f"glossary term {term.get('name')!r} ruleSet")
            glossary.create_term(store, {**term, "categoryId": category["id"], "ruleSet": rule_set}, author)


def _seed_export_target(store: CluedInStore, spec: dict[str, Any], author: str) -> dict[str, Any]:
    wanted = str(spec.get("connector") or "Sql Server Connector")
    connector = next((c for c in store.connectors.values() if wanted in (c["id"], c["name"])), None)
    if connector is None:
        raise ValueError(f"exportTargets: unknown connector {wanted!r}")
    return consume.create_export_target(
        store, connector["id"], spec.get("configuration") or {}, spec.get("accountDisplay"), author
    )


def _seed_group(store: CluedInStore, spec: dict[str, Any], author: str) -> None:
    group = inbound.create_data_source_set(store, spec.get("name"), author)
    for source_spec in spec.get("dataSources") or []:
        source = inbound.create_data_source(store, group["id"], source_spec, author)
        for set_spec in source_spec.get("dataSets") or []:
            _seed_data_set(store, source, set_spec, author)


def _seed_data_set(store: CluedInStore, source: dict[str, Any], spec: dict[str, Any], author: str) -> None:
    entity_type = (spec.get("mapping") or {}).get("entityType") or spec.get("entityType")
    configuration = {
        "object": {"endPointName": spec["name"], "autoSubmit": False, "entityType": entity_type},
        "entityTypeConfiguration": {"new": bool(entity_type), "entityType": entity_type, "displayName": None},
    }
    [data_set] = inbound.create_data_sets(
        store, source["id"], [{"name": spec["name"], "type": source["type"], "configuration": configuration}], author
    )
    records = spec.get("records") or []
    if records:
        processing.ingest_records(store, data_set["id"], records, len(str(records)), author)
    if spec.get("mapping"):
        seed_mapping(store, data_set, spec["mapping"], author)
    if spec.get("autoSubmit"):
        inbound.set_auto_submit(store, data_set["id"], True, author)
    elif spec.get("process") and data_set["annotationId"] is not None:
        processing.process_data_set(store, data_set["id"], author)


def seed_mapping(store: CluedInStore, data_set: dict[str, Any], spec: dict[str, Any], author: str) -> dict[str, Any]:
    """Map a data set from a compact description (also used by the simulated "create data set" activity).

    `{"entityType": "/Customer", "vocabulary": "customer", "fields": {"id": "customer.id", "x": "--ignore--"},
    "originEntityCodeKey": "customer.id", "nameKey": "customer.name", "auto": false}`
    """
    vocab_name = str(spec.get("vocabulary") or str(spec["entityType"]).strip("/").lower().replace("/", "."))
    vocabulary = catalog.find_vocabulary(store, vocab_name)
    configuration = {
        "entityTypeConfiguration": {"entityType": spec["entityType"], "new": True},
        "vocabularyConfiguration": {"new": vocabulary is None, "vocabularyName": vocab_name, "keyPrefix": vocab_name}
        if vocabulary is None
        else {"new": False, "vocabularyId": vocabulary["vocabularyId"]},
        "ignoredFields": list(spec.get("ignoredFields") or []),
    }
    annotation = mapping.create_annotation(
        store, data_set["id"], "endpoint", configuration, author, auto=bool(spec.get("auto"))
    )
    fields = spec.get("fields") or {}
    for key in fields.values():
        if key != mapping.IGNORE and catalog.find_key(store, key) is None:
            prefix, _, name = str(key).rpartition(".")
            owner = catalog.find_vocabulary(store, prefix)
            if owner is None:
                owner = catalog.create_vocabulary(store, {"vocabularyName": prefix, "keyPrefix": prefix}, author)
            catalog.create_vocabulary_key(store, {"vocabularyId": owner["vocabularyId"], "name": name}, author)
    mapping.set_field_mappings(
        store, data_set["id"], [{"originalField": c, "key": k} for c, k in fields.items()], author
    )
    settings = {k: spec[k] for k in ("originEntityCodeKey", "nameKey") if spec.get(k)}
    if settings:
        mapping.modify_annotation(store, {"id": annotation["id"], **settings}, author)
    _seed_mapping_extras(store, annotation, spec, author)
    return annotation


def _seed_mapping_extras(store: CluedInStore, annotation: dict[str, Any], spec: dict[str, Any], author: str) -> None:
    """A seeded mapping's custom `origin`, identifier `codes` and `edges`, set the way the Product Toolkit does.

    `codes`: `[{column | vocabKey, origin?}]`; `edges`: `[{column, edgeType, entityType, origin?, direction?}]`.
    """
    if spec.get("origin"):
        mapping_extras.save_custom_origin(store, annotation["id"], str(spec["origin"]), author)
    for code in spec.get("codes") or []:
        mapping_extras.create_code(
            store,
            {"annotationId": annotation["id"], "key": code.get("column"), "vocabKey": code.get("vocabKey"),
             "entityCodeOrigin": code.get("origin"), "type": code.get("type") or "code"},
            author,
        )  # fmt: skip
    for edge in spec.get("edges") or []:
        mapping_extras.add_edge(
            store,
            annotation["id"],
            str(edge["column"]),
            {"edgeType": edge.get("edgeType"), "origin": edge.get("origin"), "direction": edge.get("direction"),
             "entityTypeConfiguration": {"entityType": edge.get("entityType")}},
            author,
        )  # fmt: skip


def _seed_stream(store: CluedInStore, spec: dict[str, Any], author: str) -> None:
    condition = filters.from_seed(spec.get("condition"), f"stream {spec.get('name')!r} condition")
    if condition is None and spec.get("entityType"):
        condition = filters.entity_type_filter(str(spec["entityType"]))
    stream = consume.create_stream(
        store, {"name": spec["name"], "description": spec.get("description"), "condition": condition}, author
    )
    target_name = spec.get("exportTarget")
    if target_name:
        target = next((t for t in consume.export_targets(store) if target_name in (t["id"], t["accountDisplay"])), None)
        if target is None:
            raise ValueError(f"streams: unknown export target {target_name!r}")
        consume.setup_connector_stream(
            store,
            stream["id"],
            {
                "connectorProviderDefinitionId": target["id"],
                "containerName": spec.get("containerName") or spec["name"].replace(" ", ""),
                "mode": spec.get("mode") or "Sync",
                "dataTypes": [{"key": k, "type": "vocabkey"} for k in spec.get("properties") or []],
            },
            author,
        )
    if spec.get("active"):
        consume.set_stream_active(store, stream["id"], True, author)


def _seed_projects(store: CluedInStore, data: dict[str, Any], author: str) -> None:
    """Rules, clean, dedup and manual-data-entry projects, each through the service the API uses."""
    for spec in data.get("rules") or []:
        rules.seed_rule(store, spec, author)
    for spec in data.get("cleanProjects") or []:
        clean.seed_project(store, spec, author)
    for spec in data.get("dedupProjects") or []:
        dedup.seed_project(store, spec, author)
    for spec in data.get("manualDataEntryProjects") or []:
        _seed_mde(store, spec, author)


def _seed_mde(store: CluedInStore, spec: dict[str, Any], author: str) -> None:
    """`{title, entityType, vocabulary?, fields: [{key, label?, useAsEntityCode?}], records?: [{key: value}]}`."""
    entity_type = str(spec.get("entityType") or "")
    name = str(spec.get("vocabulary") or entity_type.strip("/").lower().replace("/", ".") or "mde")
    vocabulary = catalog.find_vocabulary(store, name)
    configuration = (
        {"new": False, "vocabularyId": vocabulary["vocabularyId"]}
        if vocabulary
        else {"new": True, "vocabularyName": name, "keyPrefix": name}
    )
    project = mde.create_project(
        store,
        {"title": spec.get("title"), "entityType": entity_type, "description": spec.get("description"),
         "entityTypeConfiguration": {"entityType": entity_type, "new": True}, "vocabularyConfiguration": configuration},
        author,
    )  # fmt: skip
    for field in spec.get("fields") or []:
        key = str(field["key"])
        if catalog.find_key(store, key) is None:
            prefix, _, short = key.rpartition(".")
            owner = catalog.find_vocabulary(store, prefix) or catalog.get_vocabulary(store, project["vocabularyId"])
            catalog.create_vocabulary_key(store, {"vocabularyId": owner["vocabularyId"], "name": short}, author)
        mde.add_form_field(
            store, project["id"],
            {"label": field.get("label") or key, "useAsEntityCode": bool(field.get("useAsEntityCode")),
             "vocabularyKeyConfiguration": {"new": False, "vocabularyKeyName": key}},
            author,
        )  # fmt: skip
    if spec.get("records"):
        mde.add_records(store, project, list(spec["records"]), author)
