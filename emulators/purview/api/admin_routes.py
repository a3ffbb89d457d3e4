"""Purview-specific admin routes, next to the shared kit's `/_emulator/*` API.

| Route | Meaning |
|---|---|
| `GET /_emulator/violations`, `DELETE ...` | spec violations recorded by request/response validation; clear |
| `GET /_emulator/roles`, `PUT /_emulator/roles` | `{"assignments": {token: {collection: [roles]}}}`; replace |
| `POST /_emulator/search/refresh` | apply every pending search-index change now, whatever the lag |
| `GET /_emulator/notifications?after=N&limit=M` | Atlas notifications numbered after N: `{notifications, last}` |
| `DELETE /_emulator/notifications` | forget the published notifications (numbering goes on) |
| `PUT /_emulator/notifications` | `{"maxMessageBytes": N}`: longer notifications are gzipped, then split |
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from emulators.purview.model.notifications import records_json

if TYPE_CHECKING:
    from emulators.purview.app import PurviewEmulator


def handle_admin(emulator: PurviewEmulator, method: str, path: str, body: bytes, query: str = "") -> tuple[int, Any]:
    """Serve one Purview admin request; returns (status, JSON body or None)."""
    route = path.rstrip("/")
    if route == "/_emulator/notifications":
        return _notifications(emulator, method, body, query)
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


def _notifications(emulator: PurviewEmulator, method: str, body: bytes, query: str) -> tuple[int, Any]:
    journal = emulator.store.notifications
    if method == "GET":
        params = parse_qs(query)
        try:
            after = int((params.get("after") or ["0"])[0])
            limit = int((params.get("limit") or ["1000"])[0])
        except ValueError:
            return 400, {"error": {"code": "InvalidQuery", "message": "after and limit must be integers"}}
        records, last = journal.read(after, limit)
        return 200, records_json(records, last)
    if method == "DELETE":
        journal.clear()
        return 204, None
    if method == "PUT":
        try:
            data = json.loads(body or b"{}")
            size = data.get("maxMessageBytes") if isinstance(data, dict) else None
            if isinstance(size, bool) or not isinstance(size, int) or size < 16:
                raise ValueError("maxMessageBytes must be an integer of at least 16")
        except ValueError as exc:
            return 400, {"error": {"code": "InvalidNotificationSettings", "message": str(exc)}}
        journal.packer.max_message_bytes = size
        return 200, {"maxMessageBytes": size}
    return 405, {
        "error": {"code": "MethodNotAllowed", "message": f"{method} is not allowed on /_emulator/notifications"}
    }
