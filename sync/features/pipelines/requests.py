"""The HTTP function's request: validated strictly, so every bad request gets a 400 naming its field.

The body names a Purview asset and nothing else that could point somewhere: no URL, connection string or
store is accepted (unknown fields are rejected by name), so the endpoint cannot be used to make the factory
reach a server of the caller's choosing. Types are strict (`"true"` is not a boolean).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sync.features.pipeline_schedules.api import ScheduleError, validate_run_schedule

MAX_BODY_BYTES = 16 * 1024
GUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
REQUEST_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
TYPE_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,127}$"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class RequestError(ValueError):
    """A request the function refuses with 400; `field` is the JSON path (or header) at fault."""

    def __init__(self, message: str, field: str, code: str = "InvalidRequest") -> None:
        super().__init__(message)
        self.field = field
        self.code = code


class AssetSelector(BaseModel):
    """A Purview asset by guid, or by typeName + qualifiedName."""

    model_config = ConfigDict(extra="forbid", strict=True)

    guid: str | None = Field(None, pattern=GUID_PATTERN)
    typeName: str | None = Field(None, pattern=TYPE_NAME_PATTERN)
    qualifiedName: str | None = Field(None, min_length=1, max_length=4000)

    @model_validator(mode="after")
    def _one_identity(self) -> AssetSelector:
        if self.guid is not None and (self.typeName is not None or self.qualifiedName is not None):
            raise ValueError("give either guid, or typeName and qualifiedName, not both")
        if self.guid is None and (self.typeName is None or self.qualifiedName is None):
            raise ValueError("give guid, or both typeName and qualifiedName")
        if self.qualifiedName is not None and _CONTROL.search(self.qualifiedName):
            raise ValueError("qualifiedName must not contain control characters")
        return self


class PipelineRequest(BaseModel):
    """Body of `POST /api/adf/pipelines`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    asset: AssetSelector
    runNow: bool = False
    requestId: str | None = Field(None, pattern=REQUEST_ID_PATTERN)
    schedule: str | None = Field(None, max_length=1000)


@dataclass(frozen=True)
class ParsedRequest:
    """A valid request: the body, the effective request id, and whether `schedule` was given at all."""

    body: PipelineRequest
    request_id: str | None
    schedule_given: bool


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def _validation_error(exc: ValidationError) -> RequestError:
    error = exc.errors()[0]
    loc = tuple(error["loc"])
    field = _field(loc)
    if error["type"] == "extra_forbidden":
        return RequestError(
            f"unknown field '{field}': name a Purview asset (guid, or typeName + qualifiedName); "
            "URLs, connection strings and stores are never accepted",
            field,
            "UnknownField",
        )
    if error["type"] == "missing":
        return RequestError(f"'{field}' is required", field, "MissingField")
    message = str(error["msg"]).removeprefix("Value error, ")
    return RequestError(f"'{field}': {message}", field)


def parse_request(raw: bytes, headers: dict[str, str]) -> ParsedRequest:
    """Validate body and headers; raises RequestError naming the field."""
    if len(raw) > MAX_BODY_BYTES:
        raise RequestError(f"the body is larger than {MAX_BODY_BYTES} bytes", "body", "BodyTooLarge")
    try:
        data: Any = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except RecursionError:
        raise RequestError("the body is nested too deeply to be a pipeline request", "body", "InvalidJson") from None
    except (ValueError, UnicodeDecodeError):
        raise RequestError("the body is not valid JSON", "body", "InvalidJson") from None
    if not isinstance(data, dict):
        raise RequestError("the body must be a JSON object", "body", "InvalidJson")
    try:
        body = PipelineRequest.model_validate(data)
    except RecursionError:
        raise RequestError("the body is nested too deeply to be a pipeline request", "body", "InvalidJson") from None
    except ValidationError as exc:
        raise _validation_error(exc) from None
    header = next((v for k, v in headers.items() if k.lower() == IDEMPOTENCY_HEADER.lower()), None)
    if header is not None and not re.match(REQUEST_ID_PATTERN, header):
        raise RequestError(
            f"the {IDEMPOTENCY_HEADER} header must be 1-128 letters, digits, '.', '_', ':' or '-'", IDEMPOTENCY_HEADER
        )
    if header is not None and body.requestId is not None and header != body.requestId:
        raise RequestError(f"requestId and the {IDEMPOTENCY_HEADER} header differ", "requestId")
    request_id = body.requestId or header
    if body.runNow and request_id is None:
        raise RequestError(
            f"runNow needs a request id (body field requestId or header {IDEMPOTENCY_HEADER}) so a retried "
            "request does not start a second run",
            "requestId",
            "MissingField",
        )
    if body.schedule:
        try:
            validate_run_schedule(body.schedule)
        except ScheduleError as exc:
            raise RequestError(f"schedule: {exc}", "schedule", "InvalidSchedule") from None
    return ParsedRequest(body, request_id, "schedule" in body.model_fields_set)
