"""Raw ARM bodies in the shape of the REST description and the connector articles (no SDK involved)."""

from __future__ import annotations

from typing import Any


def key_vault_linked_service(base_url: str = "https://kv-emulator.vault.azure.net/") -> dict[str, Any]:
    return {"properties": {"type": "AzureKeyVault", "typeProperties": {"baseUrl": base_url}}}


def blob_linked_service(account: str = "mystore") -> dict[str, Any]:
    return {"properties": {"type": "AzureBlobFS", "typeProperties": {"url": f"https://{account}.dfs.core.windows.net"}}}


def blob_storage_linked_service(account: str = "mystore") -> dict[str, Any]:
    endpoint = f"https://{account}.blob.core.windows.net"
    return {"properties": {"type": "AzureBlobStorage", "typeProperties": {"serviceEndpoint": endpoint}}}


def key_vault_secret(vault: str, secret: str) -> dict[str, Any]:
    return {
        "type": "AzureKeyVaultSecret",
        "store": {"referenceName": vault, "type": "LinkedServiceReference"},
        "secretName": secret,
    }


def rest_linked_service(url: str, vault: str | None, secret: str | None) -> dict[str, Any]:
    type_properties: dict[str, Any] = {"url": url, "authenticationType": "Anonymous"}
    if vault and secret:
        type_properties["authHeaders"] = {"Authorization": key_vault_secret(vault, secret)}
    return {"properties": {"type": "RestService", "typeProperties": type_properties}}


def blob_dataset(
    linked_service: str, file_system: str, folder: Any, file_name: Any, **format_settings: Any
) -> dict[str, Any]:
    settings = {"columnDelimiter": ",", "firstRowAsHeader": True, **format_settings}
    location = {"type": "AzureBlobFSLocation", "fileSystem": file_system, "folderPath": folder}
    if file_name is not None:
        location["fileName"] = file_name
    return {
        "properties": {
            "type": "DelimitedText",
            "linkedServiceName": {"referenceName": linked_service, "type": "LinkedServiceReference"},
            "typeProperties": {"location": location, **settings},
        }
    }


def json_dataset(linked_service: str, container: str, folder: str, file_name: str) -> dict[str, Any]:
    location = {"type": "AzureBlobStorageLocation", "container": container, "folderPath": folder, "fileName": file_name}
    return {
        "properties": {
            "type": "Json",
            "linkedServiceName": {"referenceName": linked_service, "type": "LinkedServiceReference"},
            "typeProperties": {"location": location},
        }
    }


def rest_dataset(linked_service: str, relative_url: Any) -> dict[str, Any]:
    return {
        "properties": {
            "type": "RestResource",
            "linkedServiceName": {"referenceName": linked_service, "type": "LinkedServiceReference"},
            "typeProperties": {"relativeUrl": relative_url},
        }
    }


def copy_activity(source_ds: str, sink_ds: str, **overrides: Any) -> dict[str, Any]:
    source = overrides.pop(
        "source", {"type": "DelimitedTextSource", "storeSettings": {"type": "AzureBlobFSReadSettings"}}
    )
    sink = overrides.pop("sink", {"type": "RestSink", "requestMethod": "POST", "writeBatchSize": 2})
    activity: dict[str, Any] = {
        "name": "CopyToRest",
        "type": "Copy",
        "inputs": [{"referenceName": source_ds, "type": "DatasetReference"}],
        "outputs": [{"referenceName": sink_ds, "type": "DatasetReference"}],
        "typeProperties": {"source": source, "sink": sink},
    }
    activity.update(overrides)
    return activity


def copy_pipeline(source_ds: str, sink_ds: str, **overrides: Any) -> dict[str, Any]:
    parameters = overrides.pop("parameters", {"folder": {"type": "String", "defaultValue": "in"}})
    return {"properties": {"activities": [copy_activity(source_ds, sink_ds, **overrides)], "parameters": parameters}}


def schedule_trigger(pipeline: str, **recurrence: Any) -> dict[str, Any]:
    values = {"frequency": "Day", "interval": 1, "startTime": "2026-01-01T00:00:00Z", "timeZone": "UTC", **recurrence}
    return {
        "properties": {
            "type": "ScheduleTrigger",
            "typeProperties": {"recurrence": values},
            "pipelines": [
                {"pipelineReference": {"referenceName": pipeline, "type": "PipelineReference"}, "parameters": {}}
            ],
        }
    }
