"""ARM-shaped errors, so every failure looks like what `azure-mgmt-*` clients parse from Azure.

ADF answers with the `CloudError` shape of the 2018-06-01 REST description:
`{"error": {"code", "message", "target"?, "details"?}}`. Handlers raise `ArmError`; one place turns it into
a response, so no handler can forget the shape.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ArmError(Exception):
    """An error answered to the caller with an HTTP status and the ARM error body."""

    def __init__(self, status: int, code: str, message: str, target: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target

    def response(self) -> JSONResponse:
        """The JSON response carrying this error."""
        body = error_body(self.status, self.code, self.message, "")
        if self.target:
            body["error"]["target"] = self.target
        return JSONResponse(body, status_code=self.status)


def error_body(status: int, code: str, message: str, path: str) -> dict[str, Any]:
    """Build the ARM error body; the shared kit calls this for 404/405/429/5xx it produces itself."""
    return {"error": {"code": code, "message": message}}


def bad_request(message: str, target: str | None = None, code: str = "BadRequest") -> ArmError:
    """A 400 naming the JSON path at fault in both the message and `target`."""
    return ArmError(400, code, message, target)


def not_found(message: str) -> ArmError:
    """A 404 for a factory entity or run that does not exist."""
    return ArmError(404, "NotFound", message)
