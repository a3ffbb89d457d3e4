"""The ingestion endpoint: `POST /upload/api/endpoint/{dataSetId}` with a JSON array of records.

Response bodies follow CluedIn's documentation (docs/040-integration/data-sources/150-endpoint.md screenshots):
`{success, warning, warnings[], error, receiptId}` on 200, plus `errors[]` entries
`{dataSetId, exception, messageId, errorMessage, level, domain, rowIndex, receiptId}` on 400. `received` (the
record count, read by CluedIn's own QA harness) is added on success.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from emulators.cluedin.auth import AuthError
from emulators.cluedin.processing import ingest_records
from emulators.cluedin.util import EmulatorError, NotFoundError, new_guid


def ingestion_error(
    status: int, message_id: str, message: str, data_set_id: str, domain: str = "parsing"
) -> dict[str, Any]:
    """The documented error body of the ingestion endpoint."""
    receipt = new_guid()
    return {
        "success": False,
        "warning": False,
        "warnings": [],
        "error": True,
        "receiptId": receipt,
        "errors": [
            {
                "dataSetId": data_set_id.upper(),
                "exception": message,
                "messageId": message_id,
                "errorMessage": message,
                "level": "error",
                "domain": domain,
                "rowIndex": -1,
                "receiptId": receipt,
            }
        ],
    }


async def upload_endpoint(request: Request) -> Response:
    """Receive records for a data set (user access tokens and API tokens are both accepted)."""
    request.state.operation = "upload:endpoint"
    request.state.write = True
    emulator = request.state.cluedin
    data_set_id = str(request.path_params["dataSetId"])
    try:
        principal = emulator.auth.authenticate(request, allow_api_tokens=True)
    except AuthError as exc:
        return JSONResponse(ingestion_error(401, "unauthorized", exc.message, data_set_id, "auth"), status_code=401)
    body = await request.body()
    encoding = request.headers.get("content-encoding", "identity").lower()
    if encoding not in {"identity", ""}:
        message = f"Content-Encoding {encoding} is not supported; send uncompressed JSON"
        return JSONResponse(ingestion_error(400, "invalid-json-sent", message, data_set_id), status_code=400)
    try:
        payload = json.loads(body)
    except ValueError as exc:
        return JSONResponse(ingestion_error(400, "invalid-json-sent", f"Invalid JSON sent: {exc}", data_set_id), 400)
    records = [payload] if isinstance(payload, dict) else payload
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        message = "Invalid JSON sent, the data must be a valid array"
        return JSONResponse(ingestion_error(400, "invalid-array-json-sent", message, data_set_id), status_code=400)
    try:
        result = ingest_records(emulator.store, data_set_id, records, len(body), principal.user_id)
    except NotFoundError:
        message = f"Data set '{data_set_id}' was not found"
        return JSONResponse(ingestion_error(404, "dataset-not-found", message, data_set_id), status_code=404)
    except EmulatorError as exc:
        body_json = ingestion_error(exc.status, exc.code, exc.message, data_set_id, "storing")
        return JSONResponse(body_json, status_code=exc.status)
    return JSONResponse(
        {
            "success": True,
            "warning": bool(result.warnings),
            "warnings": result.warnings,
            "error": False,
            "receiptId": result.receipt_id,
            "received": result.received,
        }
    )
