"""Data source groups, data sources and data sets: what CluedIn's `inbound` namespace manages.

These operations are shared by the GraphQL resolvers, the seed loader and the simulated user activity, so an
object created any of those ways looks the same and writes the same audit entries. A data source is backed by
a provider definition (its `connectorConfigurationId`), which is how search filters and metrics tie golden
records back to the source they came from.
"""

from __future__ import annotations

from typing import Any

from emulators.cluedin.store import CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, new_guid, parse_guid, parse_int_id

ENDPOINT_PROVIDER_ID = "8f9ad8b0-3b5c-4a7e-9c1d-0e6b5d2f7a11"
"""providerId of the built-in "Ingestion Endpoint" data source provider (the real id is unpublished: a guess)."""

DATA_SOURCE_DEFAULTS: dict[str, Any] = {
    "canBeDeleted": True,
    "hasError": False,
    "latestErrorMessage": None,
    "errorType": None,
    "stopped": False,
    "logoType": None,
    "crashedDuringUpload": False,
    "sql": None,
    "fileMetadata": None,
    "connectionStatus": {"connected": True, "errorMessage": None},
}

DATA_SET_DEFAULTS: dict[str, Any] = {
    "touched": False,
    "hasError": False,
    "latestErrorMessage": None,
    "errorType": None,
    "hasReceivedData": False,
    "sanitizeUnicodes": False,
    "hasParsingWarnings": False,
    "expectedTotal": 0,
    "canResetMapping": True,
    "lastPurgedAt": None,
    "lastPurgedBy": None,
    "isBridge": False,
    "isArchive": False,
    "archivedBy": None,
    "hasQuarantineData": False,
    "hasPendingRecordsApproval": False,
    "supportsIngestionSourceId": False,
    "fileSize": 0,
    "editableIndex": None,
    "editableIndexStatus": None,
    "extraFields": None,
    "extraComputedFields": None,
    "logsRetentionPeriod": None,
    "logsRetentionEnabled": False,
    "submissionsRetentionPeriod": None,
    "submissionsRetentionEnabled": False,
    "editableIndexAuthor": None,
    "undoPointer": None,
    "externalTabs": [],
    "invalidKeys": [],
    "hasValidationParsingError": False,
    "hasValidationStoringError": False,
    "hasValidationMappingError": False,
    "hasValidationProcessingError": False,
    "failedLoadingTotal": 0,
    "hasFailureInLoading": False,
    "isDeleteInProgress": False,
    "dataSourceHasDuplicatedEntityType": False,
    "filters": [],
    "validations": [],
    "operations": [],
    "onlyUpdateClueHeadVersion": False,
    "lastReceivedAt": None,
    "elasticTotal": 0,
    "editModeElasticTotal": 0,
    "currentLoadedSize": 0,
    "hasSubmissions": False,
}


# ---------------------------------------------------------------------- data source groups


def create_data_source_set(store: CluedInStore, name: str | None, author_id: str) -> dict[str, Any]:
    """A new data source group; CluedIn answers with its int id."""
    if not name or not str(name).strip():
        raise EmulatorError("dataSourceSet.name is required")
    ident = store.next_int_id("dataSourceSet")
    group = store.stamp_new({"id": ident, "name": str(name), "authorId": author_id, "dataSourceIds": []})
    store.data_source_sets[ident] = group
    store.audit("DataSourceSet", ident, "Created", author_id, name=group["name"])
    return group


def get_data_source_set(store: CluedInStore, ident: object) -> dict[str, Any]:
    """A data source group by id, or NotFoundError."""
    key = parse_int_id(ident, "DataSourceSet")
    group = store.data_source_sets.get(key)
    if group is None:
        raise NotFoundError("DataSourceSet", ident)
    return group


def rename_data_source_set(store: CluedInStore, ident: object, name: str | None, author_id: str) -> dict[str, Any]:
    """Rename a group (the UI's "edit data source group")."""
    group = get_data_source_set(store, ident)
    if not name or not str(name).strip():
        raise EmulatorError("name is required")
    if name != group["name"]:
        old, group["name"] = group["name"], str(name)
        store.touch(group)
        store.audit(
            "DataSourceSet", group["id"], "Updated", author_id, name=group["name"], details={"renamedFrom": old}
        )
    return group


def remove_data_source_set(store: CluedInStore, ident: object, author_id: str) -> None:
    """Delete a group and everything in it (simulated user activity)."""
    group = get_data_source_set(store, ident)
    for source_id in list(group["dataSourceIds"]):
        remove_data_source(store, source_id, author_id)
    del store.data_source_sets[group["id"]]
    store.version += 1
    store.audit("DataSourceSet", group["id"], "Deleted", author_id, name=group["name"])


# ---------------------------------------------------------------------- data sources


def create_data_source(
    store: CluedInStore, set_id: object, spec: dict[str, Any] | None, author_id: str
) -> dict[str, Any]:
    """A data source in a group, with the provider definition that identifies its records."""
    group = get_data_source_set(store, set_id)
    spec = spec or {}
    name = spec.get("name")
    if not name:
        raise EmulatorError("dataSource.name is required")
    ident = store.next_int_id("dataSource")
    provider = register_data_source_provider(store, str(name), author_id)
    source = store.stamp_new(
        {
            **DATA_SOURCE_DEFAULTS,
            "id": ident,
            "name": str(name),
            "type": str(spec.get("type") or "endpoint"),
            "dataSourceSetId": group["id"],
            "authorId": author_id,
            "connectorConfigurationId": provider["id"],
            "dataSetIds": [],
        }
    )
    store.data_sources[ident] = source
    group["dataSourceIds"].append(ident)
    store.touch(group)
    store.audit(
        "DataSource", ident, "Created", author_id, name=source["name"], details={"dataSourceSetId": group["id"]}
    )
    return source


def register_data_source_provider(store: CluedInStore, name: str, author_id: str) -> dict[str, Any]:
    """The provider definition behind a data source: its id is the source's `providerDefinitionId`."""
    from emulators.cluedin.providers import new_provider_definition

    return new_provider_definition(
        store,
        kind="DataSource",
        provider_id=ENDPOINT_PROVIDER_ID,
        name="Ingestion Endpoint",
        account_display=name,
        author_id=author_id,
    )


def get_data_source(store: CluedInStore, ident: object) -> dict[str, Any]:
    """A data source by id, or NotFoundError."""
    key = parse_int_id(ident, "DataSource")
    source = store.data_sources.get(key)
    if source is None:
        raise NotFoundError("DataSource", ident)
    return source


def rename_data_source(store: CluedInStore, ident: object, name: str | None, author_id: str) -> dict[str, Any]:
    """Rename a data source (the UI's "edit data source")."""
    source = get_data_source(store, ident)
    if not name or not str(name).strip():
        raise EmulatorError("name is required")
    if name != source["name"]:
        old, source["name"] = source["name"], str(name)
        store.touch(source)
        store.audit("DataSource", source["id"], "Updated", author_id, name=source["name"], details={"renamedFrom": old})
    return source


def remove_data_source(store: CluedInStore, ident: object, author_id: str) -> None:
    """Delete a data source, its data sets and records; golden records only it contributed disappear too."""
    from emulators.cluedin.golden import forget_provider

    source = get_data_source(store, ident)
    for data_set_id in list(source["dataSetIds"]):
        remove_data_set(store, data_set_id, author_id)
    group = store.data_source_sets.get(source["dataSourceSetId"])
    if group is not None:
        group["dataSourceIds"] = [i for i in group["dataSourceIds"] if i != source["id"]]
        store.touch(group)
    forget_provider(store, source["connectorConfigurationId"])
    store.provider_definitions.pop(source["connectorConfigurationId"], None)
    del store.data_sources[source["id"]]
    store.version += 1
    store.audit("DataSource", source["id"], "Deleted", author_id, name=source["name"])


def save_database_configuration(
    store: CluedInStore, ident: object, configuration: object, author_id: str
) -> dict[str, Any]:
    """`saveDataBaseConfigurationForDataSource(id, configuration)`: a SQL data source's connection (`sql`)."""
    source = get_data_source(store, ident)
    if not isinstance(configuration, dict):
        raise EmulatorError("configuration must be a JSON object")
    source["sql"] = {k: v for k, v in configuration.items() if k != "id"}
    store.touch(source)
    shown = {k: v for k, v in source["sql"].items() if k.lower() != "password"}
    store.audit("DataSource", source["id"], "Updated", author_id, name=source["name"], details={"sql": shown})
    return source


# ---------------------------------------------------------------------- data sets


def create_data_sets(
    store: CluedInStore,
    data_source_id: object,
    specs: list[dict[str, Any] | None] | None,
    author_id: str,
    *,
    existing_annotation_id: object = None,
    existing_data_set_id: object = None,
) -> list[dict[str, Any]]:
    """`createDataSets`: new data sets (ingestion endpoints) in a data source, optionally sharing a mapping."""
    source = get_data_source(store, data_source_id)
    if not specs:
        raise EmulatorError("dataSets must contain at least one data set")
    template = get_data_set(store, existing_data_set_id) if existing_data_set_id not in (None, "") else None
    annotation_id: int | None = None
    if existing_annotation_id not in (None, ""):
        annotation_id = parse_int_id(existing_annotation_id, "Annotation")
        if annotation_id not in store.annotations:
            raise NotFoundError("Annotation", existing_annotation_id)
    elif template is not None:
        annotation_id = template["annotationId"]
    created = [
        _create_data_set(store, source, spec or {}, author_id, annotation_id=annotation_id, template=template)
        for spec in specs
    ]
    store.touch(source)
    return created


def _create_data_set(
    store: CluedInStore,
    source: dict[str, Any],
    spec: dict[str, Any],
    author_id: str,
    *,
    annotation_id: int | None,
    template: dict[str, Any] | None,
) -> dict[str, Any]:
    from emulators.cluedin.catalog import ensure_entity_type

    name = spec.get("name")
    if not name:
        raise EmulatorError("dataSet.name is required")
    configuration = spec.get("configuration")
    if configuration is not None and not isinstance(configuration, dict):
        raise EmulatorError("dataSet.configuration must be a JSON object")
    configuration = dict(configuration or {})
    raw_settings, raw_type = configuration.get("object"), configuration.get("entityTypeConfiguration")
    settings: dict[str, Any] = raw_settings if isinstance(raw_settings, dict) else {}
    type_config: dict[str, Any] = raw_type if isinstance(raw_type, dict) else {}
    entity_type = type_config.get("entityType") or settings.get("entityType")
    if type_config.get("new") and entity_type:
        ensure_entity_type(store, str(entity_type), type_config.get("displayName"), type_config.get("icon"), author_id)
    ident = new_guid()
    original_fields = [str(f) for f in spec.get("originalFields") or []]
    data_set = store.stamp_new(
        {
            **DATA_SET_DEFAULTS,
            "id": ident,
            "name": str(name),
            "type": str(spec.get("type") or source["type"]),
            "store": bool(spec.get("store", True)),
            "dataSourceId": source["id"],
            "authorId": author_id,
            "configuration": configuration,
            "autoSubmit": bool(settings.get("autoSubmit", False)),
            "entityType": entity_type,
            "originalFields": (original_fields or list(template["originalFields"])) if template else original_fields,
            "fieldMappings": [dict(m, id=new_guid()) for m in template["fieldMappings"]] if template else [],
            "annotationId": annotation_id,
            "stats": {"total": 0, "successful": 0, "failed": 0, "bytes": 0},
            "processedCount": 0,
            "hashCheck": new_guid(),
        }
    )
    store.data_sets[ident] = data_set
    store.records[ident] = []
    source["dataSetIds"].append(ident)
    store.audit("DataSet", ident, "Created", author_id, name=data_set["name"], details={"dataSourceId": source["id"]})
    return data_set


def get_data_set(store: CluedInStore, ident: object) -> dict[str, Any]:
    """A data set by GUID, or NotFoundError."""
    key = parse_guid(ident, "DataSet")
    data_set = store.data_sets.get(key)
    if data_set is None:
        raise NotFoundError("DataSet", ident)
    return data_set


def save_data_set(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`saveDataSet`: rename or reconfigure a data set."""
    spec = spec or {}
    data_set = get_data_set(store, spec.get("id"))
    changes: dict[str, Any] = {}
    for field in (
        "name", "configuration", "isBridge", "sanitizeUnicodes", "logsRetentionEnabled", "onlyUpdateClueHeadVersion",
    ):  # fmt: skip
        if field in spec and spec[field] is not None and spec[field] != data_set.get(field):
            changes[field] = spec[field]
    if "configuration" in changes and not isinstance(changes["configuration"], dict):
        raise EmulatorError("dataSet.configuration must be a JSON object")
    if changes:
        data_set.update(changes)
        data_set["hashCheck"] = new_guid()
        store.touch(data_set)
        store.audit("DataSet", data_set["id"], "Updated", author_id, name=data_set["name"], details=changes)
    return data_set


def set_auto_submit(store: CluedInStore, ident: object, auto_submit: bool, author_id: str) -> dict[str, Any]:
    """`modifyDataSetAutoSubmit`: turn automatic processing on or off (processing waiting records when on)."""
    from emulators.cluedin.processing import process_data_set

    data_set = get_data_set(store, ident)
    if data_set["autoSubmit"] != auto_submit:
        data_set["autoSubmit"] = auto_submit
        store.touch(data_set)
        store.audit(
            "DataSet", data_set["id"], "Updated", author_id, name=data_set["name"], details={"autoSubmit": auto_submit}
        )
    if auto_submit and data_set["annotationId"] is not None:
        process_data_set(store, data_set["id"], author_id)
    return data_set


def remove_data_set(store: CluedInStore, ident: object, author_id: str) -> None:
    """Delete a data set and its stored records (simulated user activity)."""
    data_set = get_data_set(store, ident)
    source = store.data_sources.get(data_set["dataSourceId"])
    if source is not None:
        source["dataSetIds"] = [i for i in source["dataSetIds"] if i != data_set["id"]]
        store.touch(source)
    store.records.pop(data_set["id"], None)
    del store.data_sets[data_set["id"]]
    store.version += 1
    store.audit("DataSet", data_set["id"], "Deleted", author_id, name=data_set["name"])
