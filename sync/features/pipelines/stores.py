"""Where an asset's data lives, derived only from what Purview says about it.

The HTTP function never takes a URL or connection string from its caller: it names a Purview asset, and the
store (account endpoint, file system/container and path, or SQL server/database/table) is read from that
asset's qualifiedName. Hosts must be Azure Storage or Azure SQL endpoints of a public or sovereign Azure cloud,
so a catalog entry with an odd qualifiedName cannot point a pipeline at an arbitrary server either.

Supported (what CluedIn's ADF automation offers for ADLS and Azure SQL, minus formats the generated Copy
activity cannot post as JSON rows): ADLS Gen2 and Blob files in DelimitedText, JSON or Parquet, ADLS Gen2
resource sets of such files, and Azure SQL tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import unquote, urlparse

from sync.core.errors import FatalError

AZURE_SUFFIXES = ("core.windows.net", "core.chinacloudapi.cn", "core.usgovcloudapi.net")
SQL_SUFFIXES = (".database.windows.net", ".database.chinacloudapi.cn", ".database.usgovcloudapi.net")
"""With their leading dot: `attackerdatabase.windows.net` is not an Azure SQL server."""
_SQL_SERVER = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_UNSAFE_SEGMENT = re.compile(r"[/\\\x00-\x1f\x7f]")
_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
_PLACEHOLDER = re.compile(r"\{[^{}/]*\}")


class SourceKind(StrEnum):
    """The store behind a supported asset."""

    ADLS_GEN2 = "AzureBlobFS"
    BLOB = "AzureBlobStorage"
    AZURE_SQL = "AzureSqlDatabase"


class FileFormat(StrEnum):
    """ADF dataset types of the supported file formats."""

    DELIMITED_TEXT = "DelimitedText"
    JSON = "Json"
    PARQUET = "Parquet"


EXTENSIONS: dict[str, tuple[FileFormat, str]] = {
    ".csv": (FileFormat.DELIMITED_TEXT, ","),
    ".txt": (FileFormat.DELIMITED_TEXT, ","),
    ".tsv": (FileFormat.DELIMITED_TEXT, "\t"),
    ".psv": (FileFormat.DELIMITED_TEXT, "|"),
    ".json": (FileFormat.JSON, ""),
    ".jsonl": (FileFormat.JSON, ""),
    ".ndjson": (FileFormat.JSON, ""),
    ".parquet": (FileFormat.PARQUET, ""),
}
CONTENT_TYPES: dict[str, tuple[FileFormat, str]] = {
    "text/csv": (FileFormat.DELIMITED_TEXT, ","),
    "text/tab-separated-values": (FileFormat.DELIMITED_TEXT, "\t"),
    "application/json": (FileFormat.JSON, ""),
    "application/x-ndjson": (FileFormat.JSON, ""),
    "application/vnd.apache.parquet": (FileFormat.PARQUET, ""),
}

FILE_TYPES = {
    "azure_datalake_gen2_path": SourceKind.ADLS_GEN2,
    "azure_datalake_gen2_resource_set": SourceKind.ADLS_GEN2,
    "azure_blob_path": SourceKind.BLOB,
}
SQL_TABLE_TYPES = frozenset({"azure_sql_table"})

SUPPORTED_KINDS: list[dict[str, str]] = [
    {
        "typeName": "azure_datalake_gen2_path",
        "description": "ADLS Gen2 file: DelimitedText (.csv, .tsv, .txt, .psv), JSON (.json, .jsonl, .ndjson) "
        "or Parquet (.parquet)",
    },
    {
        "typeName": "azure_datalake_gen2_resource_set",
        "description": "ADLS Gen2 resource set of DelimitedText, JSON or Parquet files",
    },
    {
        "typeName": "azure_blob_path",
        "description": "Azure Blob Storage file: DelimitedText, JSON or Parquet (same extensions)",
    },
    {"typeName": "azure_sql_table", "description": "Azure SQL Database table"},
]


class UnsupportedAssetError(FatalError):
    """The asset exists but no pipeline can be generated for it; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.supported = SUPPORTED_KINDS


@dataclass(frozen=True)
class SourceStore:
    """Everything the source linked service, dataset and Copy source need, read from the asset."""

    kind: SourceKind
    endpoint: str
    """`https://<account>.dfs.core.windows.net`, `https://<account>.blob.core.windows.net` or the SQL server host."""
    container: str = ""
    folder: str = ""
    file_name: str = ""
    wildcard_file_name: str = ""
    """Set for resource sets: the file-name pattern of the set's members (`{N}` placeholders → `*`)."""
    file_format: FileFormat | None = None
    column_delimiter: str = ","
    database: str = ""
    schema: str = ""
    table: str = ""

    def describe(self) -> str:
        """Short human description for responses and logs (no secrets: there are none in a store)."""
        if self.kind == SourceKind.AZURE_SQL:
            return f"Azure SQL table {self.database}.{self.schema}.{self.table} on {self.endpoint}"
        path = "/".join(p for p in (self.container, self.folder, self.file_name or self.wildcard_file_name) if p)
        return f"{self.file_format} files at {self.endpoint}/{path}"


def _storage_host(host: str, service: str) -> str:
    account, sep, suffix = host.partition(f".{service}.")
    if not sep or suffix not in AZURE_SUFFIXES or not _ACCOUNT.match(account):
        raise UnsupportedAssetError(
            f"the asset's qualifiedName host '{host}' is not an Azure Storage {service} endpoint "
            f"(<account>.{service}.core.windows.net)"
        )
    return account


def _segments(path: str, *, what: str) -> list[str]:
    """The percent-decoded segments of a qualifiedName's path, refusing any that could change the path's shape.

    A segment that decodes to `.` or `..`, or that contains a slash, backslash or control character once decoded
    (`..%2F..`), would let a catalog entry point a pipeline at another folder, container or table.
    """
    segments = []
    for raw in (s for s in path.split("/") if s):
        segment = unquote(raw)
        if segment in {".", ".."} or _UNSAFE_SEGMENT.search(segment):
            raise UnsupportedAssetError(
                f"the asset's {what} path segment {raw!r} decodes to {segment!r}: relative segments, slashes, "
                "backslashes and control characters are not allowed"
            )
        segments.append(segment)
    return segments


def _file_format(name: str, attributes: dict[str, Any]) -> tuple[FileFormat, str]:
    lower = name.lower()
    for extension in sorted(EXTENSIONS, key=len, reverse=True):
        if lower.endswith(extension):
            return EXTENSIONS[extension]
    content_type = str(attributes.get("contentType") or "").split(";", 1)[0].strip().lower()
    if content_type in CONTENT_TYPES:
        return CONTENT_TYPES[content_type]
    raise UnsupportedAssetError(
        f"the file '{name}' is not DelimitedText, JSON or Parquet (known extensions: {', '.join(sorted(EXTENSIONS))})"
    )


def _file_store(type_name: str, qualified_name: str, attributes: dict[str, Any]) -> SourceStore:
    kind = FILE_TYPES[type_name]
    parsed = urlparse(qualified_name)
    host = (parsed.hostname or "").lower()
    if parsed.scheme != "https" or not host or parsed.query or parsed.fragment or parsed.port:
        raise UnsupportedAssetError(f"the asset's qualifiedName is not an https storage URL: {qualified_name!r}")
    service = "dfs" if kind == SourceKind.ADLS_GEN2 else "blob"
    account = _storage_host(host, service)
    segments = _segments(parsed.path, what="storage")
    if len(segments) < 2:
        raise UnsupportedAssetError("the asset is a container or folder, not a file: its path names no file")
    container, *folders, last = segments
    is_set = type_name.endswith("_resource_set")
    if not is_set and attributes.get("isFile") is False:
        raise UnsupportedAssetError("the asset is a folder (isFile = false), not a file")
    file_format, delimiter = _file_format(_PLACEHOLDER.sub("x", last) if is_set else last, attributes)
    return SourceStore(
        kind=kind,
        endpoint=f"https://{account}.{service}.{host.split(f'.{service}.', 1)[1]}",
        container=container,
        folder="/".join(folders),
        file_name="" if is_set else last,
        wildcard_file_name=_PLACEHOLDER.sub("*", last) if is_set else "",
        file_format=file_format,
        column_delimiter=delimiter or ",",
    )


def _sql_store(qualified_name: str) -> SourceStore:
    parsed = urlparse(qualified_name)
    host = (parsed.hostname or "").lower()
    server, _, suffix = host.partition(".")
    if (
        parsed.scheme != "mssql"
        or f".{suffix}" not in SQL_SUFFIXES
        or not _SQL_SERVER.match(server)
        or parsed.port not in (None, 1433)
    ):
        raise UnsupportedAssetError(
            f"the asset's qualifiedName is not an Azure SQL table (mssql://<server>.database.windows.net/<db>/"
            f"<schema>/<table>): {qualified_name!r}"
        )
    segments = _segments(parsed.path, what="SQL")
    if len(segments) != 3:
        raise UnsupportedAssetError("an Azure SQL table qualifiedName must end in /<database>/<schema>/<table>")
    database, schema, table = segments
    return SourceStore(kind=SourceKind.AZURE_SQL, endpoint=host, database=database, schema=schema, table=table)


def resolve_source(type_name: str, qualified_name: str, attributes: dict[str, Any] | None = None) -> SourceStore:
    """The store of an asset, or UnsupportedAssetError naming why (and, via `.supported`, what is supported)."""
    if type_name in FILE_TYPES:
        return _file_store(type_name, qualified_name, attributes or {})
    if type_name in SQL_TABLE_TYPES:
        return _sql_store(qualified_name)
    raise UnsupportedAssetError(f"assets of type '{type_name}' are not supported")


def is_supported_type(type_name: str) -> bool:
    """Whether a pipeline can be generated for assets of this Purview type (checked again per asset)."""
    return type_name in FILE_TYPES or type_name in SQL_TABLE_TYPES


def unsupported_reason(type_name: str, qualified_name: str) -> str | None:
    """Why no pipeline can be made for an asset, judged from its type and qualifiedName alone; None if it can.

    Used on search hits and catalog listings, before the asset itself is read (it is checked again then).
    """
    if not is_supported_type(type_name):
        return f"type {type_name} is not supported"
    try:
        resolve_source(type_name, qualified_name)
    except UnsupportedAssetError as exc:
        return str(exc)
    return None
