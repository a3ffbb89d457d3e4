"""One Copy activity attempt: DelimitedText/JSON files in Azurite Blob -> a RestSink endpoint.

Runs in an executor thread with a frozen view of the factory (the entities as they were when the run was
created), so later PUTs never change a run in flight. Key Vault secret references in the REST linked service
are resolved here from the emulator's secrets and used only as outgoing headers: they never appear in the
activity's input, output or error, nor in logs.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulators.datafactory.expressions import ExpressionContext, ExpressionError, resolve
from emulators.datafactory.sink import RestSinkSettings, post_rows
from emulators.datafactory.source import (
    CopyError,
    FileSelection,
    decode,
    decompress,
    parse_delimited,
    parse_json,
    read_files,
)

_FORMATS = {"DelimitedTextSource": "DelimitedText", "JsonSource": "Json"}
_LOCATIONS = {
    "AzureBlobFSLocation": ("AzureBlobFS", "fileSystem"),
    "AzureBlobStorageLocation": ("AzureBlobStorage", "container"),
}


@dataclass
class FactoryView:
    """The entities a run may use, keyed by lower-case name, plus the emulator's configuration."""

    datasets: dict[str, dict[str, Any]]
    linked_services: dict[str, dict[str, Any]]
    secrets: dict[str, str]
    connection_string: str | None
    cancelled: Callable[[], bool] = field(default=lambda: False)

    def dataset(self, name: str) -> dict[str, Any]:
        """Dataset properties, or a CopyError if it was deleted since."""
        record = self.datasets.get(name.lower())
        if record is None:
            raise CopyError(f"dataset '{name}' does not exist")
        return dict(record["properties"])

    def linked_service(self, name: str) -> dict[str, Any]:
        """Linked service properties, or a CopyError if it was deleted since."""
        record = self.linked_services.get(name.lower())
        if record is None:
            raise CopyError(f"linked service '{name}' does not exist")
        return dict(record["properties"])


def secret_value(node: Any, view: FactoryView) -> str:
    """A plain value, SecureString or AzureKeyVaultSecret reference as the string it stands for."""
    if not isinstance(node, dict):
        return "" if node is None else str(node)
    if node.get("type") == "SecureString":
        return str(node.get("value", ""))
    if node.get("type") != "AzureKeyVaultSecret":
        raise CopyError("a secret must be a string, a SecureString or an AzureKeyVaultSecret reference")
    vault_name = str((node.get("store") or {}).get("referenceName", ""))
    vault = view.linked_service(vault_name)
    if vault.get("type") != "AzureKeyVault":
        raise CopyError(f"linked service '{vault_name}' is not an AzureKeyVault linked service")
    secret_name = resolve(node.get("secretName"), ExpressionContext(inside_dataset=True))
    if str(secret_name) not in view.secrets:
        base_url = (vault.get("typeProperties") or {}).get("baseUrl", "")
        raise CopyError(f"Key Vault secret '{secret_name}' was not found in '{vault_name}' ({base_url})")
    return view.secrets[str(secret_name)]


def reveal_secrets(value: Any, view: FactoryView) -> Any:
    """A copy of linked-service properties with every secret object replaced by its value (run time only)."""
    if isinstance(value, list):
        return [reveal_secrets(item, view) for item in value]
    if isinstance(value, dict):
        if value.get("type") in ("SecureString", "AzureKeyVaultSecret"):
            return secret_value(value, view)
        return {key: reveal_secrets(item, view) for key, item in value.items()}
    return value


def _dataset_context(
    ref: dict[str, Any], dataset: dict[str, Any], pipeline_ctx: ExpressionContext
) -> ExpressionContext:
    values = {name: (spec or {}).get("defaultValue") for name, spec in (dataset.get("parameters") or {}).items()}
    for name, value in (ref.get("parameters") or {}).items():
        values[name] = resolve(value, pipeline_ctx)
    return ExpressionContext(pipeline_ctx.pipeline_name, pipeline_ctx.run_id, {}, values, inside_dataset=True)


def _resolved_dataset(
    ref: dict[str, Any], view: FactoryView, ctx: ExpressionContext
) -> tuple[dict[str, Any], dict[str, Any]]:
    dataset = view.dataset(str(ref.get("referenceName")))
    dataset_ctx = _dataset_context(ref, dataset, ctx)
    type_props = resolve(dataset.get("typeProperties") or {}, dataset_ctx)
    linked = view.linked_service(str((dataset.get("linkedServiceName") or {}).get("referenceName")))
    linked_ctx = ExpressionContext(ctx.pipeline_name, ctx.run_id, inside_dataset=True)
    linked["typeProperties"] = resolve(linked.get("typeProperties") or {}, linked_ctx)
    return {**dataset, "typeProperties": type_props}, linked


def _selection(dataset: dict[str, Any], linked: dict[str, Any], store: dict[str, Any]) -> FileSelection:
    location = dataset["typeProperties"].get("location") or {}
    location_type = location.get("type")
    if location_type not in _LOCATIONS:
        raise CopyError(f"dataset location type '{location_type}' is not supported by the emulator")
    linked_type, container_key = _LOCATIONS[location_type]
    if linked.get("type") != linked_type:
        raise CopyError(f"a {location_type} needs a {linked_type} linked service, not {linked.get('type')}")
    if store.get("fileListPath"):
        raise CopyError("storeSettings.fileListPath is not supported by the emulator")
    recursive = store.get("recursive", True)
    return FileSelection(
        container=str(location.get(container_key) or ""),
        folder=str(location.get("folderPath") or ""),
        file_name=str(location.get("fileName") or ""),
        wildcard_folder=store.get("wildcardFolderPath"),
        wildcard_file=store.get("wildcardFileName"),
        recursive=recursive not in (False, "false", "False"),
        prefix=store.get("prefix"),
    )


def _read_rows(
    source: dict[str, Any], dataset: dict[str, Any], linked: dict[str, Any], view: FactoryView
) -> tuple[list[dict[str, Any]], int, int]:
    source_type = source.get("type")
    if source_type == "ParquetSource":
        raise CopyError("Parquet sources are not supported by the emulator")
    if source_type not in _FORMATS:
        raise CopyError(f"copy source type '{source_type}' is not supported by the emulator")
    if dataset.get("type") != _FORMATS[source_type]:
        raise CopyError(f"a {source_type} needs a {_FORMATS[source_type]} dataset, not {dataset.get('type')}")
    settings = dataset["typeProperties"]
    files = read_files(view.connection_string, _selection(dataset, linked, source.get("storeSettings") or {}))
    skip = int((source.get("formatSettings") or {}).get("skipLineCount") or 0)
    rows: list[dict[str, Any]] = []
    size = 0
    for item in files:
        size += len(item.data)
        codec = settings.get("compressionCodec") or (settings.get("compression") or {}).get("type")
        text = decode(decompress(item.data, codec, item.name), settings.get("encodingName"), item.name)
        rows.extend(
            parse_delimited(text, settings, skip)
            if source_type == "DelimitedTextSource"
            else parse_json(text, item.name)
        )
    return rows, len(files), size


def _apply_translator(rows: list[dict[str, Any]], translator: Any) -> list[dict[str, Any]]:
    mappings = (translator or {}).get("mappings") if isinstance(translator, dict) else None
    if not mappings:
        return rows
    pairs = [(str((m.get("source") or {}).get("name")), str((m.get("sink") or {}).get("name"))) for m in mappings]
    return [{sink: row.get(source) for source, sink in pairs} for row in rows]


def _rest_settings(
    sink: dict[str, Any], dataset: dict[str, Any], linked: dict[str, Any], view: FactoryView
) -> RestSinkSettings:
    if sink.get("type") != "RestSink":
        raise CopyError(f"copy sink type '{sink.get('type')}' is not supported by the emulator (only RestSink)")
    if dataset.get("type") != "RestResource" or linked.get("type") != "RestService":
        raise CopyError("a RestSink needs a RestResource dataset on a RestService linked service")
    props = reveal_secrets(linked["typeProperties"], view)
    base = str(props.get("url") or "")
    if not base.startswith(("http://", "https://")):
        raise CopyError("the RestService linked service needs an http(s) url")
    relative = str(dataset["typeProperties"].get("relativeUrl") or "")
    url = base.rstrip("/") + ("/" + relative.lstrip("/") if relative else "")
    auth_headers = props.get("authHeaders") or {}
    if not isinstance(auth_headers, dict):
        raise CopyError("authHeaders of the RestService linked service must be key/value pairs")
    headers = {name: str(value) for name, value in auth_headers.items()}
    auth = props.get("authenticationType") or "Anonymous"
    if auth == "Basic":
        user = str(props.get("userName") or "")
        token = base64.b64encode(f"{user}:{props.get('password') or ''}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    elif auth != "Anonymous":
        raise CopyError(f"RestService authenticationType '{auth}' is not supported by the emulator (Anonymous, Basic)")
    return RestSinkSettings.from_sink(url, sink, headers)


def run_copy(activity: dict[str, Any], view: FactoryView, ctx: ExpressionContext) -> dict[str, Any]:
    """Execute one attempt of a Copy activity; returns the activity output or raises CopyError."""
    started = time.monotonic()
    try:
        type_props = resolve(activity.get("typeProperties") or {}, ctx)
        source_ds, source_ls = _resolved_dataset(activity["inputs"][0], view, ctx)
        sink_ds, sink_ls = _resolved_dataset(activity["outputs"][0], view, ctx)
        rows, files, size = _read_rows(type_props["source"], source_ds, source_ls, view)
        rows = _apply_translator(rows, type_props.get("translator"))
        settings = _rest_settings(type_props["sink"], sink_ds, sink_ls, view)
    except ExpressionError as exc:
        raise CopyError(f"expression error: {exc}") from None
    written = post_rows(settings, rows, cancelled=view.cancelled)
    seconds = max(time.monotonic() - started, 1e-6)
    return {
        "dataRead": size,
        "dataWritten": written.bytes,
        "filesRead": files,
        "rowsRead": len(rows),
        "rowsCopied": written.rows,
        "sinkRequests": written.requests,
        "copyDuration": round(seconds),
        "throughput": round(size / 1024 / seconds, 3),
        "errors": [],
        "effectiveIntegrationRuntime": "AutoResolveIntegrationRuntime (Emulator)",
        "usedDataIntegrationUnits": 4,
        "usedParallelCopies": 1,
        "executionDetails": [
            {
                "source": {"type": source_ls.get("type")},
                "sink": {"type": sink_ls.get("type")},
                "status": "Succeeded",
                "duration": round(seconds),
            }
        ],
    }
