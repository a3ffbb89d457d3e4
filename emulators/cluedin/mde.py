"""Manual-data-entry projects: a form whose fields are vocabulary keys, feeding golden records of one entity type.

Created the way CluedIn's own clients do (`createManualDataEntryProject` with an entity type and a vocabulary
configuration, then `addManualDataEntryProjectFormField` per field). Like a data source, a project gets a
provider definition (its `connectorConfigurationId`, the `providerDefinitionId` on the golden records it
creates) and a mapping (`annotationId`, whose properties are the form fields' keys) — the fields the Product
Toolkit exports and a lineage feature follows. Records entered in a project come from seeds (`records`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from emulators.cluedin import catalog, history
from emulators.cluedin.golden import as_text, upsert_entity
from emulators.cluedin.mapping import new_annotation
from emulators.cluedin.providers import new_provider_definition
from emulators.cluedin.store import OBJECT_TYPE_IDS, CluedInStore
from emulators.cluedin.util import EmulatorError, NotFoundError, new_guid, parse_guid

MDE_PROVIDER_ID = "c3f4a8e2-6d1b-5f0a-9e7c-2b5d8a1f4e63"
"""providerId of the built-in manual-data-entry provider **(guess: the real id is unpublished)**."""
FIELD_SETTINGS = ("label", "type", "isRequired", "onlyExistingValues", "useAsEntityCode", "description", "parameters")


def create_project(store: CluedInStore, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`createManualDataEntryProject(manualDataEntryProject: ManualDataEntryProjectInput)`."""
    spec = spec or {}
    title = str(spec.get("title") or "").strip()
    if not title:
        raise EmulatorError("manualDataEntryProject.title is required")
    type_config = spec.get("entityTypeConfiguration") or {}
    entity_type = str(spec.get("entityType") or type_config.get("entityType") or "").strip()
    if not entity_type:
        raise EmulatorError("manualDataEntryProject.entityType is required")
    catalog.ensure_entity_type(store, entity_type, type_config.get("displayName"), type_config.get("icon"), author_id)
    vocabulary = _vocabulary(store, spec.get("vocabularyConfiguration"), entity_type, author_id)
    provider = new_provider_definition(
        store, kind="DataSource", provider_id=MDE_PROVIDER_ID, name="Manual Data Entry", account_display=title,
        author_id=author_id,
    )  # fmt: skip
    annotation = new_annotation(
        store, name=f"{title} - mapping", annotation_type="manualDataEntry", entity_type=entity_type,
        type_config=type_config, vocabulary_id=vocabulary["vocabularyId"], author_id=author_id, data_set_id=None,
    )  # fmt: skip
    ident = new_guid()
    annotation["manualDataEntryProjectId"] = ident
    project = store.stamp_new(
        {
            "id": ident,
            "title": title,
            "description": spec.get("description"),
            "entityType": entity_type,
            "entityTypeConfiguration": dict(annotation["entityTypeConfiguration"]),
            "requireApproval": bool(spec.get("requireApproval")),
            "hasPendingRecordsApproval": False,
            "annotationId": annotation["id"],
            "connectorConfigurationId": provider["id"],
            "vocabularyId": vocabulary["vocabularyId"],
            "formFields": [],
            "createdBy": author_id,
            "modifiedBy": author_id,
            "authorId": author_id,
        },
        modified_field="modifiedAt",
    )
    store.mde_projects[ident] = project
    store.audit("Annotation", annotation["id"], "Created", author_id, name=annotation["name"],
                details={"manualDataEntryProjectId": ident})  # fmt: skip
    store.audit("ManualDataEntryProject", ident, "Created", author_id, name=title, details={"entityType": entity_type})
    return project


def _vocabulary(store: CluedInStore, config: object, entity_type: str, author_id: str) -> dict[str, Any]:
    if not isinstance(config, dict) or not (config.get("new") or config.get("vocabularyId")):
        raise EmulatorError("vocabularyConfiguration needs a vocabularyId (or new: true with a name and key prefix)")
    if config.get("new"):
        return catalog.create_vocabulary(
            store,
            {"vocabularyName": config.get("vocabularyName"), "keyPrefix": config.get("keyPrefix"),
             "entityTypeConfiguration": {"entityType": entity_type, "new": False}},
            author_id,
        )  # fmt: skip
    return catalog.get_vocabulary(store, config["vocabularyId"])


def get_project(store: CluedInStore, ident: object) -> dict[str, Any]:
    """A manual-data-entry project by GUID, or NotFoundError."""
    project = store.mde_projects.get(parse_guid(ident, "ManualDataEntryProject"))
    if project is None:
        raise NotFoundError("ManualDataEntryProject", ident)
    return project


def save_project(store: CluedInStore, ident: object, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`saveManualDataEntryProject(id, manualDataEntryProject)`: title, description, approval, entity type."""
    project = get_project(store, ident)
    spec = spec or {}
    changes = {f: spec[f] for f in ("title", "description", "requireApproval") if spec.get(f) is not None}
    if "title" in changes and not str(changes["title"]).strip():
        raise EmulatorError("manualDataEntryProject.title must not be empty")
    if spec.get("entityType") and spec["entityType"] != project["entityType"]:
        catalog.ensure_entity_type(store, str(spec["entityType"]), None, None, author_id)
        changes["entityType"] = str(spec["entityType"])
    config = spec.get("vocabularyConfiguration")
    if isinstance(config, dict) and config.get("vocabularyId"):
        changes["vocabularyId"] = catalog.get_vocabulary(store, config["vocabularyId"])["vocabularyId"]
    changes = {k: v for k, v in changes.items() if v != project.get(k)}
    if changes:
        project.update(changes)
        project["modifiedBy"] = author_id
        store.touch(project)
        store.audit("ManualDataEntryProject", project["id"], "Updated", author_id, name=project["title"],
                    details=changes)  # fmt: skip
    return project


def remove_project(store: CluedInStore, ident: object, author_id: str) -> None:
    """Delete a project **(guess: CluedIn publishes no operation that deletes one)**.

    The simulated activity `/_emulator/activity/manual-data-entry/remove` stands for whatever a user does. The
    golden records its entries created stay (they belong to the records now), like a removed session's records in
    CluedIn's documentation; its mapping goes with it.
    """
    project = get_project(store, ident)
    del store.mde_projects[project["id"]]
    store.annotations.pop(project["annotationId"], None)
    store.version += 1
    store.audit("ManualDataEntryProject", project["id"], "Deleted", author_id, name=project["title"])


def _key_for(store: CluedInStore, project: dict[str, Any], spec: dict[str, Any], author_id: str) -> dict[str, Any]:
    """The vocabulary key a form field writes: by id, by full key name, or new in the project's vocabulary."""
    config = spec.get("vocabularyKeyConfiguration") or {}
    if config.get("vocabularyKeyId"):
        return catalog.get_vocabulary_key(store, config["vocabularyKeyId"])
    name = str(config.get("vocabularyKeyName") or config.get("name") or spec.get("vocabularyKey") or "").strip()
    if not name:
        raise EmulatorError("formField needs vocabularyKeyConfiguration.vocabularyKeyId or a vocabulary key name")
    if config.get("new"):
        vocabulary = catalog.get_vocabulary(store, config.get("vocabularyId") or project["vocabularyId"])
        short = name.removeprefix(f"{vocabulary['keyPrefix']}.")
        spec_key = {"vocabularyId": vocabulary["vocabularyId"], "name": short,
                    "displayName": spec.get("label") or short, "dataType": config.get("dataType")}  # fmt: skip
        return catalog.create_vocabulary_key(store, spec_key, author_id)
    key = catalog.find_key(store, name)
    if key is None:
        raise NotFoundError("VocabularyKey", name)
    return key


def add_form_field(store: CluedInStore, ident: object, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`addManualDataEntryProjectFormField(projectId, formField: FormFieldInput)`."""
    project = get_project(store, ident)
    spec = spec or {}
    key = _key_for(store, project, spec, author_id)
    field = {
        "id": new_guid(),
        "label": spec.get("label") or key["displayName"],
        "description": spec.get("description"),
        "vocabularyKey": key["key"],
        "vocabularyKeyId": key["vocabularyKeyId"],
        "type": spec.get("type") or "Text",
        "parameters": spec.get("parameters"),
        "isRequired": bool(spec.get("isRequired")),
        "onlyExistingValues": bool(spec.get("onlyExistingValues")),
        "onlyAllowedValues": False,
        "preventForbiddenValues": False,
        "isArchived": False,
        "position": len(project["formFields"]) + 1,
        "useAsEntityCode": bool(spec.get("useAsEntityCode")),
        "createdAt": store.clock.iso(),
        "createdBy": author_id,
    }
    project["formFields"].append(field)
    _sync_annotation(store, project)
    _changed(store, project, author_id, {"formFieldAdded": field["label"]})
    return field


def save_form_field(store: CluedInStore, ident: object, spec: dict[str, Any] | None, author_id: str) -> dict[str, Any]:
    """`saveManualDataEntryProjectFormField(projectId, formField)`: the field named by `formField.id`."""
    project = get_project(store, ident)
    spec = spec or {}
    wanted = parse_guid(spec.get("id"), "FormField")
    field: dict[str, Any] | None = next((f for f in project["formFields"] if f["id"] == wanted), None)
    if field is None:
        raise NotFoundError("FormField", spec.get("id"))
    field.update({k: spec[k] for k in FIELD_SETTINGS if spec.get(k) is not None})
    if spec.get("vocabularyKeyConfiguration") or spec.get("vocabularyKey"):
        key = _key_for(store, project, spec, author_id)
        field["vocabularyKey"], field["vocabularyKeyId"] = key["key"], key["vocabularyKeyId"]
    _sync_annotation(store, project)
    _changed(store, project, author_id, {"formFieldUpdated": field["label"]})
    return field


def _sync_annotation(store: CluedInStore, project: dict[str, Any]) -> None:
    annotation = store.annotations.get(project["annotationId"])
    if annotation is None:
        return
    annotation["annotationProperties"] = [
        {"key": f["label"], "vocabKey": f["vocabularyKey"], "vocabularyKeyId": f["vocabularyKeyId"],
         "useAsEntityCode": f["useAsEntityCode"], "useAsAlias": False, "useSourceCode": False,
         "entityCodeOrigin": None, "coreVocab": None, "type": "vocabularyKey", "annotationEdges": [],
         "validations": [], "transformations": {"filters": [], "operations": []}}
        for f in project["formFields"] if not f["isArchived"]
    ]  # fmt: skip
    if annotation.get("originEntityCodeKey") is None:
        code_field = next((f for f in project["formFields"] if f["useAsEntityCode"]), None)
        annotation["originEntityCodeKey"] = code_field["vocabularyKey"] if code_field else None
    store.touch(annotation)


def _changed(store: CluedInStore, project: dict[str, Any], author_id: str, details: dict[str, Any]) -> None:
    project["modifiedBy"] = author_id
    store.touch(project)
    store.audit("ManualDataEntryProject", project["id"], "Updated", author_id, name=project["title"], details=details)


def field_mappings(project: dict[str, Any]) -> list[dict[str, Any]]:
    """`fieldMappings`: each form field as a column mapped to its key **(guess: the shape for a project)**."""
    return [{"id": f["id"], "originalField": f["label"], "key": f["vocabularyKey"], "columnType": f["type"],
             "columnSubType": None} for f in project["formFields"]]  # fmt: skip


def add_records(store: CluedInStore, project: dict[str, Any], records: list[dict[str, Any]], author_id: str) -> int:
    """Records entered in the project (vocabulary key or field label -> value) become golden records.

    The entity code comes from the field used as entity code, the name from a `<prefix>.name` field **(guess)**.
    """
    by_label = {f["label"]: f["vocabularyKey"] for f in project["formFields"]}
    code_key = next((f["vocabularyKey"] for f in project["formFields"] if f["useAsEntityCode"]), None)
    name_key = next((f["vocabularyKey"] for f in project["formFields"] if f["vocabularyKey"].endswith(".name")), None)
    user = store.users.get(author_id) or {}
    origin = history.source(
        project["connectorConfigurationId"], "Manual Data Entry", display_name=project["title"],
        object_id=project["id"], object_type_id=OBJECT_TYPE_IDS["ManualDataEntryProject"],
        changed_by=str(user.get("username") or ""),
    )  # fmt: skip
    for record in records:
        properties = {by_label.get(k, k): as_text(v) for k, v in record.items()}
        raw = properties.get(code_key or "") or hashlib.sha1(json.dumps(record, sort_keys=True).encode()).hexdigest()  # noqa: S324
        upsert_entity(
            store, entity_type=project["entityType"], provider_id=project["connectorConfigurationId"], code=raw,
            name=properties.get(name_key or "") or None, properties=properties, origin=origin,
            origin_name="ManualDataEntry",
        )  # fmt: skip
    store.version += 1
    return len(records)
