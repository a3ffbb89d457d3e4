"""The Unified Catalog's error shape: `Azure.Core.Foundations.ErrorResponse` plus the `x-ms-error-code` header.

Learn documents every Unified Catalog operation's failure as "An unexpected error response" of that type,
with the header carrying the code; clients built on azure-core (the generated `purviewunifiedcatalog`
SDK) read the code from either place. The codes themselves are not documented: every code below is a
**GUESS** in Azure's usual spelling, kept in one place so the README can list them.
"""

from __future__ import annotations

from typing import Any

MISSING_API_VERSION = "MissingApiVersionParameter"
UNSUPPORTED_API_VERSION = "UnsupportedApiVersion"
INVALID_REQUEST = "InvalidRequest"
NOT_FOUND = "NotFound"
METHOD_NOT_ALLOWED = "MethodNotAllowed"
CONFLICT = "Conflict"
TOO_MANY_REQUESTS = "TooManyRequests"
INTERNAL_ERROR = "InternalError"


class CatalogError(Exception):
    """A failure answered as `{"error": {"code", "message", "target"?}}` with `x-ms-error-code: code`."""

    def __init__(
        self, status: int, code: str, message: str, *, target: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        return error_body(self.code, self.message, self.target)


def error_body(code: str, message: str, target: str | None = None) -> dict[str, Any]:
    """`Azure.Core.Foundations.ErrorResponse`: `code` and `message` are required, `target` optional."""
    error: dict[str, Any] = {"code": code, "message": message}
    if target is not None:
        error["target"] = target
    return {"error": error}


def invalid(message: str, target: str | None = None) -> CatalogError:
    """400: the request (body or query) is not acceptable."""
    return CatalogError(400, INVALID_REQUEST, message, target=target)


def not_found(kind: str, identifier: str) -> CatalogError:
    """404 for a missing resource, naming its kind the way the message would read to a user."""
    return CatalogError(404, NOT_FOUND, f"The {kind} '{identifier}' was not found.")


def conflict(message: str) -> CatalogError:
    """409: the write would duplicate or orphan something."""
    return CatalogError(409, CONFLICT, message)
