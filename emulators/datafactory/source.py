r"""Copy sources: find the files a dataset points at in Azurite Blob storage and turn them into rows.

Every storage account named by an AzureBlobFS (`https://<acct>.dfs.core.windows.net`) or AzureBlobStorage
linked service is mapped to the one Azurite given by `--storage-connection-string`; the ADLS file system or
blob container becomes the Azurite container. Parsing follows the delimited-text and JSON format articles
(defaults: `,` delimiter, `"` quote, `\` escape, no header, empty string = null, UTF-8).
"""

from __future__ import annotations

import bz2
import codecs
import csv
import fnmatch
import gzip
import io
import json
import zlib
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import AzureError
from azure.storage.blob import BlobServiceClient


class CopyError(Exception):
    """The activity fails with this message (ADF reports user errors of Copy as code 2200)."""


@dataclass
class SourceFile:
    """One blob read by a copy: its name and raw bytes."""

    name: str
    data: bytes


@dataclass
class FileSelection:
    """Where to read, after expressions are evaluated: container, folder, file and storeSettings filters."""

    container: str
    folder: str
    file_name: str
    wildcard_folder: str | None = None
    wildcard_file: str | None = None
    recursive: bool = True
    prefix: str | None = None


def _matches(selection: FileSelection, blob_name: str) -> bool:
    folder, _, file_name = blob_name.rpartition("/")
    if selection.prefix is not None:
        return blob_name.startswith(selection.prefix)
    if selection.wildcard_file is not None or selection.wildcard_folder is not None:
        base = selection.wildcard_folder if selection.wildcard_folder is not None else selection.folder
        base = base.strip("/")
        folder_ok = fnmatch.fnmatchcase(folder, base) or (
            selection.recursive and (base == "" or fnmatch.fnmatchcase(folder, f"{base}/*"))
        )
        return folder_ok and fnmatch.fnmatchcase(file_name, selection.wildcard_file or "*")
    base = selection.folder.strip("/")
    if selection.recursive:
        return base in {"", folder} or folder.startswith(base + "/")
    return folder == base


def read_files(connection_string: str | None, selection: FileSelection) -> list[SourceFile]:
    """Download the selected blobs; a named file that does not exist fails the copy, like ADF."""
    if not connection_string:
        raise CopyError("the emulator has no blob storage configured (start it with --storage-connection-string)")
    if not selection.container:
        raise CopyError("the dataset location names no file system / container")
    try:
        service = BlobServiceClient.from_connection_string(connection_string)
        container = service.get_container_client(selection.container)
        explicit = selection.file_name and selection.wildcard_file is None and selection.prefix is None
        if explicit:
            path = "/".join(part.strip("/") for part in (selection.folder, selection.file_name) if part.strip("/"))
            blob = container.get_blob_client(path)
            if not blob.exists():
                raise CopyError(f"the file '{selection.container}/{path}' does not exist")
            return [SourceFile(path, blob.download_blob().readall())]
        if not container.exists():
            raise CopyError(f"the file system / container '{selection.container}' does not exist")
        names = sorted(b.name for b in container.list_blobs() if _matches(selection, b.name))
        return [SourceFile(name, container.get_blob_client(name).download_blob().readall()) for name in names]
    except AzureError as exc:
        raise CopyError(f"reading blob storage failed: {type(exc).__name__}: {exc.message or exc}") from exc


def decompress(data: bytes, codec: str | None, name: str) -> bytes:
    """Undo the dataset's compression codec (gzip, deflate, bzip2); others are not supported here."""
    if not codec or codec.lower() == "none":
        return data
    try:
        if codec.lower() == "gzip":
            return gzip.decompress(data)
        if codec.lower() == "deflate":
            return zlib.decompress(data)
        if codec.lower() == "bzip2":
            return bz2.decompress(data)
    except (OSError, zlib.error, EOFError) as exc:
        raise CopyError(f"'{name}' could not be decompressed with {codec}: {exc}") from exc
    raise CopyError(f"compression codec '{codec}' is not supported by the emulator")


def decode(data: bytes, encoding: str | None, name: str) -> str:
    """Text in the dataset's encodingName (default UTF-8, a BOM is skipped)."""
    wanted = (encoding or "UTF-8").strip()
    python_name = "utf-8-sig" if wanted.upper() in {"UTF-8", "UTF8"} else wanted.lower()
    try:
        codecs.lookup(python_name)
    except LookupError:
        raise CopyError(f"encodingName '{wanted}' is not supported by the emulator") from None
    try:
        return data.decode(python_name)
    except UnicodeDecodeError as exc:
        raise CopyError(f"'{name}' is not valid {wanted}: {exc}") from exc


def _single_char(settings: dict[str, Any], key: str, default: str) -> str:
    value = settings.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str) or len(value) > 1:
        raise CopyError(f"{key} {value!r} is not supported by Copy: it must be a single character or empty")
    return value


def parse_delimited(text: str, settings: dict[str, Any], skip_lines: int = 0) -> list[dict[str, Any]]:
    """Rows of a delimited text file as dicts, honouring the dataset's format settings."""
    delimiter = _single_char(settings, "columnDelimiter", ",")
    if delimiter == "":
        raise CopyError("an empty columnDelimiter is not supported by Copy")
    quote = _single_char(settings, "quoteChar", '"')
    escape = _single_char(settings, "escapeChar", "\\")
    if escape == "" and quote != "":
        raise CopyError("escapeChar may only be empty when quoteChar is empty too")
    options: dict[str, Any] = {"delimiter": delimiter, "strict": False}
    if quote == "":
        options.update(quoting=csv.QUOTE_NONE, escapechar=escape or None)
    elif escape == quote:
        options.update(quotechar=quote, doublequote=True)
    else:
        options.update(quotechar=quote, doublequote=False, escapechar=escape)
    null_value = settings.get("nullValue", "")
    lines = [line for line in csv.reader(io.StringIO(text, newline=""), **options) if line and line != [""]]
    lines = lines[skip_lines:]
    if settings.get("firstRowAsHeader") in (True, "true", "True"):
        if not lines:
            return []
        header, lines = lines[0], lines[1:]
    else:
        header = []
    rows = []
    for line in lines:
        names = header + [f"Prop_{index}" for index in range(len(header), len(line))]
        values: list[str | None] = [*line, *([None] * (len(header) - len(line)))]
        rows.append(
            {name: (None if value == null_value else value) for name, value in zip(names, values, strict=False)}
        )
    return rows


def parse_json(text: str, name: str) -> list[dict[str, Any]]:
    """Rows of a JSON file: an array of objects, one object, or a set of objects (e.g. JSON Lines)."""
    decoder = json.JSONDecoder()
    documents: list[Any] = []
    position = 0
    stripped_length = len(text.rstrip())
    while position < stripped_length:
        while position < len(text) and text[position].isspace():
            position += 1
        try:
            document, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            raise CopyError(f"'{name}' is not valid JSON: {exc}") from exc
        documents.append(document)
    rows: list[dict[str, Any]] = []
    for document in documents:
        items = document if isinstance(document, list) else [document]
        for item in items:
            if not isinstance(item, dict):
                raise CopyError(f"'{name}' holds a JSON value that is not an object; Copy reads objects as rows")
            rows.append(item)
    return rows
