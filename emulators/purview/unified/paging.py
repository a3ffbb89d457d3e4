"""Paging and ordering of Unified Catalog lists and queries.

Every list answers `{"value": [...], "nextLink": ...}`, `nextLink` present only when more items remain
(the generated SDK stops when it is absent). The SDK follows `nextLink` with a GET carrying the query
parameters it finds in the link (re-setting api-version), even for `POST …/query` operations, so the link
must carry the whole continuation state. Here it is an opaque `$skipToken` (base64 JSON: offset, the
remaining `top`, and for queries the filter body) — the parameter business-domain enumeration documents;
using it for every list is a **GUESS** (the service's tokens are undocumented). `skip`/`top` are honoured
where the operation documents them.

`top` limits the total number of items returned across pages; a page holds at most the server page size
(fault-setting `extra.unified_page_size`, default 100 — the real page size is a **GUESS**).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from emulators.purview.unified.errors import invalid

DEFAULT_PAGE_SIZE = 100
SKIP_TOKEN = "$skiptoken"


@dataclass(frozen=True)
class Window:
    """Where a page starts, how many items are left to return in total (None = all), and the query body."""

    offset: int = 0
    remaining: int | None = None
    query: Any = None


def encode(window: Window) -> str:
    """The opaque continuation token for a window."""
    raw = json.dumps({"o": window.offset, "r": window.remaining, "q": window.query}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(token: str) -> Window:
    """A window from a token (400 for anything this emulator did not issue)."""
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset, remaining = data["o"], data["r"]
        if not isinstance(offset, int) or offset < 0 or not (remaining is None or isinstance(remaining, int)):
            raise ValueError("bad window")
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise invalid("$skipToken is not a valid continuation token", target="$skipToken") from None
    return Window(offset, remaining, data.get("q"))


def non_negative(value: Any, name: str) -> int | None:
    """An optional non-negative integer from a query string or body value."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise invalid(f"{name} must be a non-negative integer", target=name)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise invalid(f"{name} must be a non-negative integer", target=name) from None
    if number < 0 or (isinstance(value, float) and not value.is_integer()):
        raise invalid(f"{name} must be a non-negative integer", target=name)
    return number


def page(
    items: Sequence[dict[str, Any]], window: Window, page_size: int, next_link: Callable[[Window], str]
) -> dict[str, Any]:
    """One page of `items` starting at the window, with a nextLink when more remain."""
    size = page_size if window.remaining is None else min(page_size, window.remaining)
    chunk = list(items[window.offset : window.offset + size])
    result: dict[str, Any] = {"value": chunk}
    consumed = window.offset + len(chunk)
    remaining = None if window.remaining is None else window.remaining - len(chunk)
    if consumed < len(items) and (remaining is None or remaining > 0) and chunk:
        result["nextLink"] = next_link(Window(consumed, remaining, window.query))
    return result


def link(base: str, path: str, params: Mapping[str, str], window: Window) -> str:
    """An absolute nextLink: the same path and parameters, with skip/top replaced by a `$skipToken`."""
    kept = {k: v for k, v in params.items() if k.lower() not in ("skip", "top", SKIP_TOKEN)}
    kept["$skipToken"] = encode(window)
    query = "&".join(f"{quote(k, safe='$-')}={quote(v, safe='')}" for k, v in kept.items())
    return f"{base}{path}?{query}"


ORDER_FIELDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "name": lambda r: str(r.get("name") or "").lower(),
    "status": lambda r: str(r.get("status") or ""),
    "type": lambda r: str(r.get("type") or ""),
    "createdat": lambda r: str(r.get("systemData", {}).get("createdAt") or ""),
    "lastmodifiedat": lambda r: str(r.get("systemData", {}).get("lastModifiedAt") or ""),
}


def order(items: list[dict[str, Any]], keys: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Stable multi-key sort; `keys` are (field, descending) in priority order. Unsorted = creation order."""
    for field, descending in reversed(keys):
        items = sorted(items, key=ORDER_FIELDS[field], reverse=descending)
    return items


def order_from_query(value: str | None) -> list[tuple[str, bool]]:
    """`orderBy=name desc,createdAt` (OData style). **GUESS**: the accepted field names are not documented."""
    if not value:
        return []
    keys = []
    for part in value.split(","):
        words = part.split()
        if not words:
            continue
        keys.append(_order_key(words[0], words[1] if len(words) > 1 else "asc", "orderBy"))
    return keys


def order_from_body(value: Any) -> list[tuple[str, bool]]:
    """Query bodies' `orderby: [{field, direction}]` (CatalogApiServiceOrderBy)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise invalid("orderby must be a list of {field, direction}", target="orderby")
    return [_order_key(v.get("field"), v.get("direction") or "asc", "orderby") for v in value]


def _order_key(field: Any, direction: Any, target: str) -> tuple[str, bool]:
    if not isinstance(field, str) or not isinstance(direction, str):
        raise invalid(f"{target} needs a field name and asc/desc", target=target)
    name = field.strip().lower().removeprefix("systemdata.").removeprefix("systemdata/")
    if name not in ORDER_FIELDS or direction.lower() not in ("asc", "desc"):
        known = "name, status, type, createdAt, lastModifiedAt"
        raise invalid(f"cannot order by {field!r} {direction!r}; fields: {known}; directions: asc, desc", target=target)
    return name, direction.lower() == "desc"
