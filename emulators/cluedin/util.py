"""Small helpers every part of the CluedIn emulator shares: ids, timestamps, paging, errors.

CluedIn mixes id kinds (int for data source groups, data sources and annotations; GUID strings for the rest)
and paging conventions (0- or 1-based, different argument names) per field. Keeping the conversions here
means every resolver, REST route and seed step applies them the same way.
"""

from __future__ import annotations

import functools
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

T = TypeVar("T")

EMULATOR_NAMESPACE = uuid.UUID("3b2d7c4e-8f1a-4c55-9a0e-6d1f2c3b4a59")
"""Namespace for deterministic ids (uuid5), so seeds and entity ids are stable across runs."""

DEFAULT_PAGE_SIZE = 20


class EmulatorError(Exception):
    """A failure the client caused (unknown id, bad value): reported in `errors[]` or as a 4xx, never a 500."""

    def __init__(self, message: str, code: str = "BAD_USER_INPUT", status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class NotFoundError(EmulatorError):
    """The id names nothing in the store."""

    def __init__(self, kind: str, ident: object) -> None:
        super().__init__(f"{kind} with id '{ident}' was not found", code="NOT_FOUND", status=404)


class Clock:
    """Wall clock with an adjustable offset and strictly increasing timestamps.

    Tests move time forward (`advance`) to expire tokens without sleeping, and every change must produce an
    `updatedAt` later than the previous one even when two happen within the same microsecond.
    """

    def __init__(self) -> None:
        self.offset_seconds = 0.0
        self._last = datetime.min.replace(tzinfo=UTC)

    def now(self) -> datetime:
        """Current emulator time (never earlier than the last timestamp handed out)."""
        current = datetime.now(UTC) + timedelta(seconds=self.offset_seconds)
        if current <= self._last:
            current = self._last + timedelta(microseconds=1)
        self._last = current
        return current

    def epoch(self) -> float:
        """Current emulator time as seconds since the epoch (JWT `exp`/`iat`)."""
        return time.time() + self.offset_seconds

    def iso(self) -> str:
        """Current emulator time as ISO-8601 with offset, the .NET style CluedIn returns."""
        return self.now().isoformat()

    def reset(self, offset_seconds: float = 0.0) -> None:
        """Back to wall-clock time plus `offset_seconds` (a fresh store or a restored snapshot)."""
        self.offset_seconds = offset_seconds
        self._last = datetime.min.replace(tzinfo=UTC)

    def advance(self, seconds: float) -> None:
        """Move emulator time forward (or back) without touching the host clock."""
        self.offset_seconds += seconds


def new_guid() -> str:
    """A fresh random GUID in CluedIn's lowercase string form."""
    return str(uuid.uuid4())


def stable_guid(*parts: object) -> str:
    """A deterministic GUID from its parts (uuid5), used for seeded and derived objects."""
    return str(uuid.uuid5(EMULATOR_NAMESPACE, "|".join(str(p) for p in parts)))


def parse_guid(value: object, kind: str) -> str:
    """Normalise a GUID argument; anything that is not a GUID names nothing."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise NotFoundError(kind, value) from None


def parse_int_id(value: object, kind: str) -> int:
    """Normalise an int id sent as an `ID` (GraphQL clients send "5" or 5)."""
    if isinstance(value, bool):
        raise NotFoundError(kind, value)
    try:
        return int(str(value).strip())
    except (ValueError, TypeError):
        raise NotFoundError(kind, value) from None


def page_slice(items: Sequence[T], page: int | None, page_size: int | None, *, first_page: int) -> list[T]:
    """One page of `items`.

    `first_page` is the number of the first page for this field (0 or 1). A 1-based field answers page 0 (or
    any lower number) like page 1, as a server computing `Skip((page - 1) * size)` with a floor at 0 does.
    """
    size = DEFAULT_PAGE_SIZE if page_size is None else page_size
    if size < 0:
        raise EmulatorError(f"page size must not be negative, got {size}")
    number = first_page if page is None else page
    index = max(0, number - first_page)
    start = index * size
    return list(items[start : start + size])


def matches_search(name: object, search: str | None) -> bool:
    """CluedIn's `searchName`: case-insensitive substring match; empty or absent matches everything."""
    if not search:
        return True
    return search.lower() in str(name or "").lower()


def sort_items(
    items: Iterable[dict[str, Any]],
    sort_by: str | None,
    direction: str | None,
    default: Callable[[dict[str, Any]], Any],
) -> list[dict[str, Any]]:
    """Order a list by `sortBy`/`sortDirection` when given, else by the field's default order."""
    descending = str(direction or "").lower() in {"desc", "descending"}
    if sort_by:
        return sorted(items, key=lambda item: _sort_key(item.get(sort_by)), reverse=descending)
    return sorted(items, key=default, reverse=descending)


def _sort_key(value: object) -> tuple[int, str]:
    return (0, "") if value is None else (1, str(value).lower())


@functools.lru_cache(maxsize=1 << 17)
def iso_to_datetime(value: str) -> datetime:
    """Parse an ISO-8601 timestamp from a query string; naive values are taken as UTC.

    Cached: an audit-log page filters every stored entry by its time, so a 25,000-entry log read page by page
    parsed the same stamps millions of times (seconds per page once a large estate was seeded).
    """
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
