"""Purview-specific admin routes, next to the shared kit's `/_emulator/*` API.

| Route | Meaning |
|---|---|
| `GET /_emulator/violations`, `DELETE ...` | spec violations recorded by request/response validation; clear |
| `GET /_emulator/roles`, `PUT /_emulator/roles` | `{"assignments": {token: {collection: [roles]}}}`; replace |
| `POST /_emulator/search/refresh` | apply every pending search-index change now, whatever the lag |
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulators.purview.app import PurviewEmulator


def handle_admin(emulator: PurviewEmulator, method: str, path: str, body: bytes) -> tuple[int, Any]:
    """Serve one Purview admin request; returns (status, JSON body or None)."""
    route = path.rstrip("/")
    if route == "/_emulator/violations":
        if method == "GET":
            return 200, {"count": len(emulator.violations), "violations": emulator.violations}
        if method == "DELETE":
            emulator.violations.clear()
            return 204, None
    elif route == "/_emulator/roles":
        if method == "GET":
            return 200, emulator.access.to_dict()
        if method == "PUT":
            try:
                data = json.loads(body or b"{}")
                if not isinstance(data, dict):
                    raise ValueError("expected a JSON object")
                emulator.access.configure(data.get("assignments") or {})
                if "tokens" in data:
                    emulator.access.tokens = {str(t) for t in data["tokens"] or []}
            except ValueError as exc:
                return 400, {"error": {"code": "InvalidRoles", "message": str(exc)}}
            return 200, emulator.access.to_dict()
    elif route == "/_emulator/search/refresh" and method == "POST":
        emulator.store.search_index.drain(force=True)
        return 204, None
    else:
        return 404, {"error": {"code": "NotFound", "message": f"no admin route {path}"}}
    return 405, {"error": {"code": "MethodNotAllowed", "message": f"{method} is not allowed on {path}"}}
