"""Check HTTP requests and responses against the official Purview Swagger 2.0 files.

The emulator is held to the API description, not to our own client, so this module is shared: the emulator
uses it for `--validate-requests` and its contract tests, and the app's tests use it to prove that every
request the app sent was spec-valid. Usage::

    from emulators.purview.spec import purview_specs
    specs = purview_specs()
    problems = specs.validate_request("POST", "/datamap/api/atlas/v2/entity/bulk", "api-version=2023-09-01", body)
    problems = specs.validate_response("GET", "/datamap/api/atlas/v2/entity/guid/x", 200, body)

Each call returns a list of `Violation`s (empty = conforms). Paths may carry any of the service prefixes
(`/datamap/api`, `/catalog/api`, `/account`, or none for the bare `/collections` form pyapacheatlas uses).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from emulators.purview import swagger

SPEC_DIR = Path(__file__).parent / "specs"
DATAMAP_SPEC_FILE = SPEC_DIR / "purview-datamap-2023-09-01.json"
ACCOUNT_SPEC_FILE = SPEC_DIR / "purview-account-2019-11-01-preview.json"
DATAMAP_PREFIXES = ("/datamap/api", "/catalog/api")
ACCOUNT_PREFIXES = ("/account", "")
_MISSING = object()


@dataclass(frozen=True)
class Violation:
    """One way a request or response departs from the spec."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Operation:
    """One Swagger operation with its parameters resolved."""

    operation_id: str
    method: str
    template: str
    pattern: re.Pattern[str]
    parameters: list[dict[str, Any]]
    responses: dict[str, dict[str, Any]]
    spec: SwaggerSpec = field(repr=False)

    @property
    def body_parameter(self) -> dict[str, Any] | None:
        """The `in: body` parameter, if the operation takes a body."""
        return next((p for p in self.parameters if p.get("in") == "body"), None)


class SwaggerSpec:
    """One Swagger 2.0 document: operation lookup by method and path, and schema validation."""

    def __init__(self, document: Mapping[str, Any], *, name: str) -> None:
        self.name = name
        self.document = document
        self._definitions = swagger.convert_definitions(document.get("definitions", {}))
        self._format_checker = swagger.format_checker()
        self._validators: dict[tuple[str, bool], Any] = {}
        self.operations: dict[str, Operation] = {}
        by_method: dict[str, list[Operation]] = {}
        for template, item in document.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method, op in item.items():
                if method == "parameters":
                    continue
                params = [self._resolve(p) for p in [*shared, *op.get("parameters", [])]]
                operation = Operation(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    template=template,
                    pattern=_template_regex(template),
                    parameters=params,
                    responses=op.get("responses", {}),
                    spec=self,
                )
                self.operations[operation.operation_id] = operation
                by_method.setdefault(operation.method, []).append(operation)
        for ops in by_method.values():  # literal segments win over {params}: /glossary/terms before /{glossaryId}
            ops.sort(key=lambda o: (o.template.count("{"), -len(o.template)))
        self._by_method = by_method

    @classmethod
    def load(cls, path: Path, *, name: str) -> SwaggerSpec:
        """Read a vendored spec file."""
        return cls(json.loads(path.read_text()), name=name)

    def _resolve(self, param: Mapping[str, Any]) -> dict[str, Any]:
        ref = param.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/parameters/"):
            return dict(self.document["parameters"][ref.removeprefix("#/parameters/")])
        return dict(param)

    def find_operation(self, method: str, path: str) -> Operation | None:
        """The operation serving `method path` (path relative to the spec's base), or None."""
        for operation in self._by_method.get(method.upper(), []):
            if operation.pattern.match(path):
                return operation
        return None

    def validator(self, schema: Mapping[str, Any], *, request: bool) -> Any:
        """A cached jsonschema validator for one Swagger schema (request or response flavour)."""
        key = (json.dumps(schema, sort_keys=True), request)
        found = self._validators.get(key)
        if found is None:
            converted = swagger.convert_schema(dict(schema))
            root = {**converted, "definitions": self._definitions} if isinstance(converted, dict) else converted
            cls = swagger.RequestValidator if request else swagger.ResponseValidator
            found = cls(root, format_checker=self._format_checker)
            self._validators[key] = found
        return found

    def check_value(self, schema: Mapping[str, Any], value: Any, *, where: str, request: bool) -> list[Violation]:
        """Validate a JSON value against a Swagger schema."""
        errors = sorted(self.validator(schema, request=request).iter_errors(value), key=lambda e: list(e.path))
        return [Violation(where + _json_path(error.absolute_path), error.message) for error in errors[:20]]

    def validate_request(
        self, operation: Operation, query: Mapping[str, Sequence[str]], body: Any = _MISSING
    ) -> list[Violation]:
        """Check query parameters and the JSON body of a request to `operation`."""
        problems: list[Violation] = []
        for param in operation.parameters:
            where = param.get("in")
            if where == "query":
                problems += _check_query_param(param, query)
            elif where == "body":
                if body is _MISSING:
                    if param.get("required"):
                        problems.append(Violation("body", "a request body is required"))
                    continue
                problems += self.check_value(param.get("schema", {}), body, where="body", request=True)
        if body is not _MISSING and operation.body_parameter is None:
            problems.append(Violation("body", f"{operation.operation_id} takes no request body"))
        return problems

    def validate_response(self, operation: Operation, status: int, body: Any = _MISSING) -> list[Violation]:
        """Check a response's status and JSON body against what `operation` declares."""
        declared = operation.responses.get(str(status), operation.responses.get("default"))
        if declared is None:
            return [Violation("status", f"{status} is not a declared response of {operation.operation_id}")]
        schema = declared.get("schema")
        if schema is None:
            if body is not _MISSING:
                return [Violation("body", f"{status} response of {operation.operation_id} must have no body")]
            return []
        if schema.get("type") == "file":
            return []
        if body is _MISSING:
            return [Violation("body", f"{status} response of {operation.operation_id} needs a JSON body")]
        return self.check_value(schema, body, where="body", request=False)


class PurviewSpecs:
    """Both Purview specs behind one interface that routes by URL prefix."""

    def __init__(self, datamap: SwaggerSpec, account: SwaggerSpec) -> None:
        self.datamap = datamap
        self.account = account

    def locate(self, method: str, path: str) -> tuple[Operation | None, str]:
        """Find the operation for a full request path; returns (operation or None, path relative to base)."""
        for prefix in DATAMAP_PREFIXES:
            if path.startswith(prefix + "/"):
                relative = path[len(prefix) :]
                return self.datamap.find_operation(method, relative), relative
        for prefix in ACCOUNT_PREFIXES:
            if path.startswith(prefix + "/"):
                relative = path[len(prefix) :]
                found = self.account.find_operation(method, relative)
                if found is not None:
                    return found, relative
        return None, path

    def validate_request(
        self, method: str, path: str, query: str | Mapping[str, Sequence[str]], body: Any = _MISSING
    ) -> list[Violation]:
        """Check a request. `body` is the decoded JSON (omit it for no body); bytes are decoded here."""
        operation, _ = self.locate(method, path)
        if operation is None:
            return [Violation("path", f"no operation in the Purview specs for {method.upper()} {path}")]
        decoded = _decode_body(body)
        if isinstance(decoded, Violation):
            return [decoded]
        return operation.spec.validate_request(operation, parse_query(query), decoded)

    def validate_response(self, method: str, path: str, status: int, body: Any = _MISSING) -> list[Violation]:
        """Check a response to `method path`. `body` is decoded JSON, bytes, or omitted for an empty body."""
        operation, _ = self.locate(method, path)
        if operation is None:
            return [Violation("path", f"no operation in the Purview specs for {method.upper()} {path}")]
        decoded = _decode_body(body)
        if isinstance(decoded, Violation):
            return [decoded]
        return operation.spec.validate_response(operation, status, decoded)


@functools.cache
def purview_specs() -> PurviewSpecs:
    """The vendored Data Map 2023-09-01 and Account 2019-11-01-preview specs (loaded once per process)."""
    return PurviewSpecs(
        SwaggerSpec.load(DATAMAP_SPEC_FILE, name="datamap"), SwaggerSpec.load(ACCOUNT_SPEC_FILE, name="account")
    )


def parse_query(query: str | Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Query string (or mapping) to name -> list of values, keeping blanks and repeats."""
    if not isinstance(query, str):
        return {k: list(v) if not isinstance(v, str) else [v] for k, v in query.items()}
    out: dict[str, list[str]] = {}
    for key, value in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        out.setdefault(key, []).append(value)
    return out


def _decode_body(body: Any) -> Any:
    if isinstance(body, bytes | bytearray):
        if not body.strip():
            return _MISSING
        try:
            return json.loads(body)
        except ValueError as exc:
            return Violation("body", f"not valid JSON: {exc}")
    return body


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}/?$")


def _query_values(param: Mapping[str, Any], query: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    name = str(param["name"])
    if name.startswith("attr_N:"):  # the spec's literal name stands for attr_0:, attr_1:, ... (any index text)
        pattern = re.compile("^attr_[^:]*:" + re.escape(name.removeprefix("attr_N:")) + "$")
        return [(key, v) for key, values in query.items() if pattern.match(key) for v in values]
    return [(name, v) for v in query.get(name, [])]


def _check_query_param(param: Mapping[str, Any], query: Mapping[str, Sequence[str]]) -> list[Violation]:
    found = _query_values(param, query)
    name = str(param["name"])
    if not found:
        return [Violation(f"query.{name}", "required parameter is missing")] if param.get("required") else []
    if param.get("type") == "array":
        if param.get("collectionFormat", "csv") == "multi":
            items = [v for _, v in found]
        else:
            items = [item for _, v in found for item in v.split(",")]
        problems: list[Violation] = []
        for item in items:
            problems += _check_scalar(param.get("items", {}), item, f"query.{name}")
        return problems
    problems = []
    names = {key for key, _ in found}
    if len(found) > len(names):
        problems.append(Violation(f"query.{name}", "given more than once but is not an array parameter"))
    for key, value in found:
        problems += _check_scalar(param, value, f"query.{key}")
    return problems


def _check_scalar(param: Mapping[str, Any], raw: str, where: str) -> list[Violation]:
    kind = param.get("type", "string")
    problems: list[Violation] = []
    if kind == "integer":
        if not swagger.INTEGER_RE.match(raw):
            return [Violation(where, f"{raw!r} is not an integer")]
        value = int(raw)
        low, high = swagger.INT64 if param.get("format") == "int64" else swagger.INT32
        if not low <= value <= high:
            problems.append(Violation(where, f"{raw} is out of range for {param.get('format', 'int32')}"))
    elif kind == "number":
        try:
            float(raw)
        except ValueError:
            return [Violation(where, f"{raw!r} is not a number")]
    if kind in ("integer", "number"):
        problems += _check_bounds(param, float(raw), raw, where)
    elif kind == "boolean":
        # Case-insensitive like the service's Java Boolean.parseBoolean (pyapacheatlas sends "False").
        if raw.lower() not in ("true", "false"):
            problems.append(Violation(where, f"{raw!r} is not a boolean (true/false)"))
    elif kind == "string":
        if len(raw) < int(param.get("minLength", 0)):
            problems.append(Violation(where, f"shorter than minLength {param['minLength']}"))
        if "maxLength" in param and len(raw) > int(param["maxLength"]):
            problems.append(Violation(where, f"longer than maxLength {param['maxLength']}"))
    if "enum" in param and raw not in param["enum"]:
        problems.append(Violation(where, f"{raw!r} is not one of {param['enum']}"))
    return problems


def _check_bounds(param: Mapping[str, Any], value: float, raw: str, where: str) -> list[Violation]:
    if "minimum" in param:
        low = float(param["minimum"])
        if value < low or (param.get("exclusiveMinimum") is True and value == low):
            return [Violation(where, f"{raw} is below the minimum {param['minimum']}")]
    if "maximum" in param:
        high = float(param["maximum"])
        if value > high or (param.get("exclusiveMaximum") is True and value == high):
            return [Violation(where, f"{raw} is above the maximum {param['maximum']}")]
    return []


def _json_path(path: Sequence[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
