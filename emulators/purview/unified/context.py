"""What a Unified Catalog handler gets (`Call`) and returns (`Reply`).

Query parameter names are matched case-insensitively (`$skipToken`/`$skiptoken`, `entityType`/`entitytype`)
because clients differ and Azure front ends treat them so; the original spellings are kept for nextLinks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from emulators.purview.unified import paging
from emulators.purview.unified.catalog import UnifiedCatalog
from emulators.purview.unified.errors import invalid

PREFIX = "/datagovernance/catalog"


@dataclass
class Reply:
    """A handler's answer: status, JSON body (None = empty) and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One request, parsed: the catalog it acts on and everything handlers read from the request."""

    catalog: UnifiedCatalog
    method: str
    path: str
    raw_query: str
    body: bytes
    principal: str
    base_url: str
    page_size: int = paging.DEFAULT_PAGE_SIZE
    strict_relationships: bool = False

    def __post_init__(self) -> None:
        pairs = parse_qsl(self.raw_query, keep_blank_values=True)
        self.params = {name.lower(): value for name, value in pairs}
        self.original = dict(pairs)

    def param(self, name: str) -> str | None:
        """Last value of a query parameter, by case-insensitive name; blank counts as absent."""
        value = self.params.get(name.lower())
        return value if value else None

    def json(self) -> Any:
        """The body as JSON (400 if missing or malformed)."""
        if not self.body.strip():
            raise invalid("a JSON request body is required")
        try:
            return json.loads(self.body, parse_constant=_no_constants)
        except (ValueError, UnicodeDecodeError) as exc:
            raise invalid(f"the request body is not valid JSON: {exc}") from None

    def window(self, skip: Any = None, top: Any = None) -> paging.Window:
        """The page window: a `$skipToken` from a nextLink wins; otherwise skip/top (query string or body)."""
        token = self.param("$skipToken")
        if token is not None:
            return paging.decode(token)
        skip = paging.non_negative(self.param("skip") if skip is None else skip, "skip")
        top = paging.non_negative(self.param("top") if top is None else top, "top")
        return paging.Window(skip or 0, top)

    def query(self) -> tuple[dict[str, Any], paging.Window]:
        """The filter body and window of a query: POSTed, or carried in the `$skipToken` of a nextLink GET."""
        token = self.param("$skipToken")
        if self.method == "GET" or (token is not None and not self.body.strip()):
            if token is None:
                raise invalid("a query is POSTed with a body; GET only follows a nextLink", target="$skipToken")
            window = paging.decode(token)
            return (window.query if isinstance(window.query, dict) else {}), window
        body = self.json()
        if not isinstance(body, dict):
            raise invalid("the query must be a JSON object")
        window = self.window(body.get("skip"), body.get("top"))
        filters = {k: v for k, v in body.items() if k not in ("skip", "top")}
        return body, paging.Window(window.offset, window.remaining, filters)

    def page(self, items: list[dict[str, Any]], window: paging.Window) -> dict[str, Any]:
        """A page of already-rendered items with its nextLink."""
        return paging.page(
            items, window, self.page_size, lambda w: paging.link(self.base_url, PREFIX + self.path, self.original, w)
        )


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")
