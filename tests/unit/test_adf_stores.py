"""Source stores derive from Purview's qualifiedName only; unsupported assets say why and what is supported."""

import pytest

from sync.features.pipelines.stores import (
    SUPPORTED_KINDS,
    FileFormat,
    SourceKind,
    UnsupportedAssetError,
    resolve_source,
)


def test_adls_gen2_csv_file():
    store = resolve_source("azure_datalake_gen2_path", "https://mystore.dfs.core.windows.net/raw/crm/2024/Account.csv")
    assert store.kind == SourceKind.ADLS_GEN2
    assert store.endpoint == "https://mystore.dfs.core.windows.net"
    assert (store.container, store.folder, store.file_name) == ("raw", "crm/2024", "Account.csv")
    assert store.file_format == FileFormat.DELIMITED_TEXT
    assert store.column_delimiter == ","


def test_blob_json_file_at_container_root():
    store = resolve_source("azure_blob_path", "https://mystore.blob.core.windows.net/landing/people.json")
    assert store.kind == SourceKind.BLOB
    assert store.endpoint == "https://mystore.blob.core.windows.net"
    assert (store.container, store.folder, store.file_name) == ("landing", "", "people.json")
    assert store.file_format == FileFormat.JSON


@pytest.mark.parametrize(
    ("file_name", "file_format", "delimiter"),
    [
        ("a.CSV", FileFormat.DELIMITED_TEXT, ","),
        ("a.tsv", FileFormat.DELIMITED_TEXT, "\t"),
        ("a.psv", FileFormat.DELIMITED_TEXT, "|"),
        ("a.txt", FileFormat.DELIMITED_TEXT, ","),
        ("a.jsonl", FileFormat.JSON, ","),
        ("a.ndjson", FileFormat.JSON, ","),
        ("a.snappy.parquet", FileFormat.PARQUET, ","),
    ],
)
def test_formats_by_extension(file_name, file_format, delimiter):
    store = resolve_source("azure_datalake_gen2_path", f"https://st1.dfs.core.windows.net/fs/{file_name}")
    assert (store.file_format, store.column_delimiter) == (file_format, delimiter)


def test_content_type_decides_when_the_name_has_no_known_extension():
    store = resolve_source(
        "azure_datalake_gen2_path", "https://st1.dfs.core.windows.net/fs/export", {"contentType": "text/csv"}
    )
    assert store.file_format == FileFormat.DELIMITED_TEXT


def test_url_encoded_path_segments_are_decoded():
    store = resolve_source("azure_datalake_gen2_path", "https://st1.dfs.core.windows.net/fs/my%20folder/a%20b.csv")
    assert (store.folder, store.file_name) == ("my folder", "a b.csv")


def test_resource_set_becomes_a_folder_with_a_wildcard():
    store = resolve_source(
        "azure_datalake_gen2_resource_set", "https://st1.dfs.core.windows.net/fs/sales/{Year}/part-{N}.parquet"
    )
    assert (store.folder, store.file_name, store.wildcard_file_name) == ("sales/{Year}", "", "part-*.parquet")
    assert store.file_format == FileFormat.PARQUET


def test_azure_sql_table():
    store = resolve_source("azure_sql_table", "mssql://sql-prod.database.windows.net/Sales/dbo/Customers")
    assert store.kind == SourceKind.AZURE_SQL
    assert (store.endpoint, store.database, store.schema, store.table) == (
        "sql-prod.database.windows.net",
        "Sales",
        "dbo",
        "Customers",
    )


@pytest.mark.parametrize(
    ("type_name", "qualified_name", "reason"),
    [
        ("azure_sql_view", "mssql://s.database.windows.net/db/dbo/v", "not supported"),
        ("hive_table", "hive://x", "not supported"),
        ("azure_datalake_gen2_path", "https://st1.dfs.core.windows.net/fs/report.xlsx", "not DelimitedText"),
        ("azure_datalake_gen2_path", "https://st1.dfs.core.windows.net/fs", "names no file"),
        ("azure_datalake_gen2_path", "http://s1.dfs.core.windows.net/fs/a.csv", "https"),
        ("azure_datalake_gen2_path", "https://evil.example.com/fs/a.csv", "not an Azure Storage"),
        ("azure_datalake_gen2_path", "https://st1.dfs.core.windows.net.evil.com/fs/a.csv", "not an Azure Storage"),
        ("azure_datalake_gen2_path", "https://st1.blob.core.windows.net/fs/a.csv", "not an Azure Storage"),
        ("azure_datalake_gen2_path", "https://UPPER_case!.dfs.core.windows.net/fs/a.csv", "not an Azure Storage"),
        ("azure_datalake_gen2_path", "https://st1.dfs.core.windows.net:8443/fs/a.csv", "https"),
        ("azure_datalake_gen2_path", "https://st1.dfs.core.windows.net/fs/a.csv?sv=token", "https"),
        ("azure_sql_table", "mssql://10.0.0.1/db/dbo/t", "not an Azure SQL table"),
        ("azure_sql_table", "mssql://s.database.windows.net/db/t", "/<database>/<schema>/<table>"),
        ("azure_sql_table", "https://s.database.windows.net/db/dbo/t", "not an Azure SQL table"),
    ],
)
def test_unsupported_assets_say_why(type_name, qualified_name, reason):
    with pytest.raises(UnsupportedAssetError) as caught:
        resolve_source(type_name, qualified_name)
    assert reason in str(caught.value)
    assert caught.value.supported == SUPPORTED_KINDS


def test_a_folder_is_not_a_file():
    with pytest.raises(UnsupportedAssetError, match="folder"):
        resolve_source("azure_datalake_gen2_path", "https://st1.dfs.core.windows.net/fs/dir.csv", {"isFile": False})


def test_sovereign_clouds_are_accepted():
    store = resolve_source("azure_blob_path", "https://st1.blob.core.chinacloudapi.cn/c/a.csv")
    assert store.endpoint == "https://st1.blob.core.chinacloudapi.cn"


def test_supported_kinds_list_names_every_supported_type():
    assert {k["typeName"] for k in SUPPORTED_KINDS} == {
        "azure_datalake_gen2_path",
        "azure_datalake_gen2_resource_set",
        "azure_blob_path",
        "azure_sql_table",
    }
