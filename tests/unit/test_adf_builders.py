"""Resource bodies as ADF receives them: every discriminator present and right, and no secret anywhere."""

import json
from datetime import datetime

import pytest

from sync.features.pipeline_schedules import trigger_body
from sync.features.pipelines import builders
from sync.features.pipelines.names import pipeline_names
from sync.features.pipelines.stores import resolve_source
from sync.services.datafactory import bodies

ADLS_CSV = resolve_source("azure_datalake_gen2_path", "https://demostore.dfs.core.windows.net/raw/crm/Account.csv")
BLOB_JSON = resolve_source("azure_blob_path", "https://demostore.blob.core.windows.net/landing/people.json")
ADLS_SET = resolve_source(
    "azure_datalake_gen2_resource_set", "https://demostore.dfs.core.windows.net/raw/s/{N}.parquet"
)
SQL_TABLE = resolve_source("azure_sql_table", "mssql://sql1.database.windows.net/Sales/dbo/Customers")
NAMES = pipeline_names("Account.csv", "key")


def walk(value, path="$"):
    if isinstance(value, dict):
        yield path, value
        for key, child in value.items():
            yield from walk(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from walk(child, f"{path}[{index}]")


@pytest.mark.parametrize(
    ("store", "ls_type", "props"),
    [
        (ADLS_CSV, "AzureBlobFS", {"url": "https://demostore.dfs.core.windows.net"}),
        (
            BLOB_JSON,
            "AzureBlobStorage",
            {
                "serviceEndpoint": "https://demostore.blob.core.windows.net",
                "accountKind": "StorageV2",
                "authenticationType": "Msi",
            },
        ),
        (
            SQL_TABLE,
            "AzureSqlDatabase",
            {
                "server": "sql1.database.windows.net",
                "database": "Sales",
                "encrypt": "mandatory",
                "authenticationType": "SystemAssignedManagedIdentity",
            },
        ),
    ],
)
def test_source_linked_service_uses_the_factorys_managed_identity(store, ls_type, props):
    body = builders.source_linked_service(store)
    assert body["properties"]["type"] == ls_type
    assert body["properties"]["typeProperties"] == props
    text = json.dumps(body).lower()
    for secret_word in ("accountkey", "connectionstring", "password", "sastoken", "serviceprincipalkey"):
        assert secret_word not in text


def test_key_vault_and_cluedin_linked_services_put_the_token_behind_a_key_vault_reference():
    vault = builders.key_vault_linked_service("https://demo-kv.vault.azure.net")
    assert vault["properties"] == {
        "type": "AzureKeyVault",
        "annotations": [bodies.ANNOTATION],
        "typeProperties": {"baseUrl": "https://demo-kv.vault.azure.net/"},
    }
    rest = builders.cluedin_linked_service("https://org.cluedin.example.com/", "AkvLS", "cluedin-token")
    props = rest["properties"]
    assert props["type"] == "RestService"
    assert props["typeProperties"]["url"] == "https://org.cluedin.example.com"
    assert props["typeProperties"]["authenticationType"] == "Anonymous"
    assert props["typeProperties"]["authHeaders"] == {
        "Authorization": {
            "type": "AzureKeyVaultSecret",
            "store": {"type": "LinkedServiceReference", "referenceName": "AkvLS"},
            "secretName": "cluedin-token",
        }
    }


def test_delimited_text_dataset_on_adls():
    props = builders.source_dataset(ADLS_CSV, "AdlsLS")["properties"]
    assert props["type"] == "DelimitedText"
    assert props["linkedServiceName"] == {"type": "LinkedServiceReference", "referenceName": "AdlsLS"}
    tp = props["typeProperties"]
    assert tp["location"] == {
        "type": "AzureBlobFSLocation",
        "fileSystem": "raw",
        "folderPath": "crm",
        "fileName": "Account.csv",
    }
    assert (tp["columnDelimiter"], tp["firstRowAsHeader"], tp["quoteChar"], tp["escapeChar"]) == (",", True, '"', '"')


def test_json_dataset_on_blob_has_no_folder_when_the_file_is_at_the_root():
    props = builders.source_dataset(BLOB_JSON, "BlobLS")["properties"]
    assert props["type"] == "Json"
    assert props["typeProperties"]["location"] == {
        "type": "AzureBlobStorageLocation",
        "container": "landing",
        "fileName": "people.json",
    }


def test_parquet_resource_set_dataset_points_at_the_folder():
    props = builders.source_dataset(ADLS_SET, "AdlsLS")["properties"]
    assert props["type"] == "Parquet"
    assert props["typeProperties"]["location"] == {
        "type": "AzureBlobFSLocation",
        "fileSystem": "raw",
        "folderPath": "s",
    }


def test_sql_table_dataset():
    props = builders.source_dataset(SQL_TABLE, "SqlLS")["properties"]
    assert props["type"] == "AzureSqlTable"
    assert props["typeProperties"] == {"schema": "dbo", "table": "Customers"}


def test_sink_dataset_posts_to_the_ingestion_endpoint_of_the_data_set():
    props = builders.sink_dataset("RestLS", "0f8fad5b-d9cb-469f-a165-70867728950e")["properties"]
    assert props["type"] == "RestResource"
    assert props["linkedServiceName"]["type"] == "LinkedServiceReference"
    assert props["typeProperties"] == {"relativeUrl": "upload/api/endpoint/0f8fad5b-d9cb-469f-a165-70867728950e"}


@pytest.mark.parametrize(
    ("store", "source_type", "store_settings", "format_settings"),
    [
        (ADLS_CSV, "DelimitedTextSource", "AzureBlobFSReadSettings", "DelimitedTextReadSettings"),
        (BLOB_JSON, "JsonSource", "AzureBlobStorageReadSettings", "JsonReadSettings"),
        (ADLS_SET, "ParquetSource", "AzureBlobFSReadSettings", None),
        (SQL_TABLE, "AzureSqlSource", None, None),
    ],
)
def test_pipeline_has_one_copy_activity_with_every_discriminator(store, source_type, store_settings, format_settings):
    body = builders.pipeline(store, NAMES, asset_label="Account.csv")
    [activity] = body["properties"]["activities"]
    assert activity["type"] == "Copy"
    assert activity["inputs"] == [{"type": "DatasetReference", "referenceName": NAMES.source_dataset}]
    assert activity["outputs"] == [{"type": "DatasetReference", "referenceName": NAMES.sink_dataset}]
    source = activity["typeProperties"]["source"]
    assert source["type"] == source_type
    assert (source.get("storeSettings") or {}).get("type") == store_settings
    assert (source.get("formatSettings") or {}).get("type") == format_settings
    sink = activity["typeProperties"]["sink"]
    assert sink == {
        "type": "RestSink",
        "requestMethod": "POST",
        "httpRequestTimeout": "00:01:40",
        "requestInterval": 10,
        "writeBatchSize": builders.SINK_BATCH_ROWS,
    }
    assert activity["policy"]["retryIntervalInSeconds"] >= 30
    for path, node in walk(body):
        if path.endswith(("Settings", ".source", ".sink")) or "Reference" in str(node.get("type", "")):
            assert node.get("type"), f"{path} has no type discriminator"


def test_resource_set_copy_reads_the_members_by_wildcard():
    body = builders.pipeline(ADLS_SET, NAMES, asset_label="set")
    settings = body["properties"]["activities"][0]["typeProperties"]["source"]["storeSettings"]
    assert settings == {
        "type": "AzureBlobFSReadSettings",
        "recursive": False,
        "wildcardFolderPath": "s",
        "wildcardFileName": "*.parquet",
    }


def test_pipeline_parameters_carry_no_secret():
    body = builders.pipeline(ADLS_CSV, NAMES, asset_label="Account.csv")
    assert body["properties"]["parameters"] == {builders.REQUEST_ID_PARAMETER: {"type": "String", "defaultValue": ""}}
    assert "SecureString" not in json.dumps(body)
    assert "Authorization" not in json.dumps(body)


def test_schedule_trigger_in_utc_uses_z_times():
    recurrence = trigger_body.Recurrence(
        frequency="Day",
        interval=1,
        start=datetime(2025, 10, 8, 14, 37),
        end=datetime(2025, 10, 31, 23, 59, 59),
        time_zone="UTC",
        hours=(0, 12),
        minutes=(0, 30),
    )
    body = trigger_body.schedule_trigger(recurrence, "P1", description="d")
    props = body["properties"]
    assert props["type"] == "ScheduleTrigger"
    assert props["pipelines"] == [{"pipelineReference": {"type": "PipelineReference", "referenceName": "P1"}}]
    assert props["typeProperties"]["recurrence"] == {
        "frequency": "Day",
        "interval": 1,
        "startTime": "2025-10-08T14:37:00Z",
        "endTime": "2025-10-31T23:59:59Z",
        "timeZone": "UTC",
        "schedule": {"hours": [0, 12], "minutes": [0, 30]},
    }


def test_schedule_trigger_in_another_zone_uses_local_times_without_offset():
    recurrence = trigger_body.Recurrence(
        frequency="Week",
        interval=2,
        start=datetime(2025, 10, 8, 9, 0),
        end=None,
        time_zone="W. Europe Standard Time",
        hours=(9,),
        minutes=(30,),
        week_days=("Monday", "Friday"),
    )
    rec = trigger_body.schedule_trigger(recurrence, "P1", description="d")["properties"]["typeProperties"]["recurrence"]
    assert rec["startTime"] == "2025-10-08T09:00:00"
    assert "endTime" not in rec
    assert rec["schedule"] == {"hours": [9], "minutes": [30], "weekDays": ["Monday", "Friday"]}


def test_minutely_trigger_has_no_schedule_block():
    recurrence = trigger_body.Recurrence("Minute", 15, datetime(2025, 1, 1), datetime(2025, 1, 1, 23, 59, 59), "UTC")
    rec = trigger_body.schedule_trigger(recurrence, "P1", description="d")["properties"]["typeProperties"]["recurrence"]
    assert "schedule" not in rec
    assert (rec["frequency"], rec["interval"]) == ("Minute", 15)
