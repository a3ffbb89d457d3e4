"""Resource bodies for the factory, built with azure-mgmt-datafactory 9.3.0's models and serialised to JSON.

Why the SDK's models and not hand-written dicts: the models carry ADF's discriminators (`type`) and property
names, so a typo cannot slip in; 9.3.0 serialises every discriminator correctly, where 10.0.0 drops them
(docs/decisions/0004-adf-sdk-9.3.0.md). Why JSON out of them: bodies are fingerprinted to skip unchanged PUTs,
unit-tested as the JSON ADF receives, and sent through the app's shared transport.

The CluedIn token never appears here: the REST linked service's `Authorization` header is an
`AzureKeyVaultSecret` reference that ADF resolves at run time, so the token is in no pipeline parameter, no
resource body and no run input.
"""

from __future__ import annotations

from typing import Any

from sync.features.pipelines.names import PipelineNames
from sync.features.pipelines.stores import FileFormat, SourceKind, SourceStore
from sync.services.datafactory.bodies import ANNOTATION, FOLDER, m, resource_json

COPY_ACTIVITY = "CopyToCluedIn"
REQUEST_ID_PARAMETER = "requestId"
"""Pipeline parameter carrying the HTTP caller's request id, so a retried `run now` can find its run."""
INGESTION_PATH = "upload/api/endpoint"
SINK_BATCH_ROWS = 1000
"""Rows per POST: CluedIn's own tools send 200-10,000; 1,000 keeps requests well under typical body limits."""
SINK_REQUEST_INTERVAL_MS = 10
SINK_TIMEOUT = "00:01:40"
ACTIVITY_TIMEOUT = "0.02:00:00"
ACTIVITY_RETRIES = 2
ACTIVITY_RETRY_INTERVAL_SECONDS = 60


def _ls_ref(name: str) -> m.LinkedServiceReference:
    return m.LinkedServiceReference(type="LinkedServiceReference", reference_name=name)


def _ds_ref(name: str) -> m.DatasetReference:
    return m.DatasetReference(type="DatasetReference", reference_name=name)


def source_linked_service(store: SourceStore) -> dict[str, Any]:
    """The source store through the factory's system-assigned managed identity (no key, no connection string)."""
    properties: Any
    if store.kind == SourceKind.ADLS_GEN2:
        properties = m.AzureBlobFSLinkedService(url=store.endpoint, annotations=[ANNOTATION])
    elif store.kind == SourceKind.BLOB:
        properties = m.AzureBlobStorageLinkedService(
            service_endpoint=store.endpoint,
            account_kind="StorageV2",
            authentication_type="Msi",
            annotations=[ANNOTATION],
        )
    else:
        properties = m.AzureSqlDatabaseLinkedService(
            version="2.0",
            server=store.endpoint,
            database=store.database,
            encrypt="mandatory",
            authentication_type="SystemAssignedManagedIdentity",
            annotations=[ANNOTATION],
        )
    return resource_json(m.LinkedServiceResource(properties=properties))


def key_vault_linked_service(vault_url: str) -> dict[str, Any]:
    """The Key Vault holding the CluedIn token (read by the factory's managed identity: Get secret)."""
    properties = m.AzureKeyVaultLinkedService(base_url=vault_url.rstrip("/") + "/", annotations=[ANNOTATION])
    return resource_json(m.LinkedServiceResource(properties=properties))


def cluedin_linked_service(cluedin_url: str, key_vault_ls: str, secret_name: str) -> dict[str, Any]:
    """REST linked service to CluedIn; `Authorization` comes from Key Vault (the secret holds `Bearer <token>`)."""
    secret = m.AzureKeyVaultSecretReference(store=_ls_ref(key_vault_ls), secret_name=secret_name)
    properties = m.RestServiceLinkedService(
        url=cluedin_url.rstrip("/"),
        authentication_type="Anonymous",
        auth_headers={"Authorization": secret.serialize()},
        enable_server_certificate_validation=True,
        annotations=[ANNOTATION],
    )
    return resource_json(m.LinkedServiceResource(properties=properties))


def _location(store: SourceStore) -> Any:
    folder = store.folder or None
    file_name = store.file_name or None
    if store.kind == SourceKind.ADLS_GEN2:
        return m.AzureBlobFSLocation(file_system=store.container, folder_path=folder, file_name=file_name)
    return m.AzureBlobStorageLocation(container=store.container, folder_path=folder, file_name=file_name)


def source_dataset(store: SourceStore, linked_service: str) -> dict[str, Any]:
    """The asset as an ADF dataset: a file (or resource-set folder) in its format, or a SQL table."""
    ref = _ls_ref(linked_service)
    properties: Any
    if store.kind == SourceKind.AZURE_SQL:
        properties = m.AzureSqlTableDataset(
            linked_service_name=ref, schema_type_properties_schema=store.schema, table=store.table
        )
    elif store.file_format == FileFormat.DELIMITED_TEXT:
        properties = m.DelimitedTextDataset(
            linked_service_name=ref,
            location=_location(store),
            column_delimiter=store.column_delimiter,
            first_row_as_header=True,
            quote_char='"',
            escape_char='"',
            encoding_name="UTF-8",
        )
    elif store.file_format == FileFormat.JSON:
        properties = m.JsonDataset(linked_service_name=ref, location=_location(store), encoding_name="UTF-8")
    else:
        properties = m.ParquetDataset(linked_service_name=ref, location=_location(store))
    properties.annotations = [ANNOTATION]
    return resource_json(m.DatasetResource(properties=properties))


def sink_dataset(linked_service: str, data_set_id: str) -> dict[str, Any]:
    """The CluedIn ingestion endpoint of the asset's data set: `<CluedIn>/upload/api/endpoint/<dataSetId>`."""
    properties = m.RestResourceDataset(
        linked_service_name=_ls_ref(linked_service),
        relative_url=f"{INGESTION_PATH}/{data_set_id}",
        annotations=[ANNOTATION],
    )
    return resource_json(m.DatasetResource(properties=properties))


def _copy_source(store: SourceStore) -> Any:
    if store.kind == SourceKind.AZURE_SQL:
        return m.AzureSqlSource()
    read_type = m.AzureBlobFSReadSettings if store.kind == SourceKind.ADLS_GEN2 else m.AzureBlobStorageReadSettings
    if store.wildcard_file_name:
        settings = read_type(
            recursive=False, wildcard_folder_path=store.folder or None, wildcard_file_name=store.wildcard_file_name
        )
    else:
        settings = read_type(recursive=False)
    if store.file_format == FileFormat.DELIMITED_TEXT:
        return m.DelimitedTextSource(store_settings=settings, format_settings=m.DelimitedTextReadSettings())
    if store.file_format == FileFormat.JSON:
        return m.JsonSource(store_settings=settings, format_settings=m.JsonReadSettings())
    return m.ParquetSource(store_settings=settings)


def pipeline(store: SourceStore, names: PipelineNames, *, asset_label: str) -> dict[str, Any]:
    """One Copy activity posting JSON arrays of rows to the ingestion endpoint; no secret in parameters."""
    copy = m.CopyActivity(
        name=COPY_ACTIVITY,
        description=f"Copy {asset_label} to its CluedIn ingestion endpoint",
        inputs=[_ds_ref(names.source_dataset)],
        outputs=[_ds_ref(names.sink_dataset)],
        source=_copy_source(store),
        sink=m.RestSink(
            request_method="POST",
            http_request_timeout=SINK_TIMEOUT,
            request_interval=SINK_REQUEST_INTERVAL_MS,
            write_batch_size=SINK_BATCH_ROWS,
        ),
        policy=m.ActivityPolicy(
            timeout=ACTIVITY_TIMEOUT,
            retry=ACTIVITY_RETRIES,
            retry_interval_in_seconds=ACTIVITY_RETRY_INTERVAL_SECONDS,
            secure_input=False,
            secure_output=False,
        ),
    )
    resource = m.PipelineResource(
        description=f"Ingest {asset_label} into CluedIn (generated from Microsoft Purview; edits are overwritten)",
        activities=[copy],
        parameters={REQUEST_ID_PARAMETER: m.ParameterSpecification(type="String", default_value="")},
        annotations=[ANNOTATION],
        concurrency=1,
        folder=m.PipelineFolder(name=FOLDER),
    )
    return resource_json(resource)
