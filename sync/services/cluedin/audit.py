"""CluedIn's audit log as a change feed: which configuration objects changed, and when (CluedIn has no webhooks).

`GET <rest prefix>/v1/auditLog/getByObjectTypeIds` lists entries between two moments, newest first, paged with
page/take (reference cluedin.md §2.9). CluedIn does not publish its object type ids, so the feed asks for every
type in the window and subscribers filter by `objectType` when the server names one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync.core.changefeed import FeedEntry
from sync.services.cluedin.client import CluedInClient

AUDIT_PAGE_SIZE = 100


@dataclass(frozen=True)
class AuditEntry:
    """One audit-log entry about a configuration object."""

    object_id: str
    object_type: str
    action: str
    created_at: str
    name: str = ""
    id: str = ""

    def as_feed_entry(self) -> FeedEntry:
        """The entry as the engine's change feed carries it."""
        return FeedEntry(
            id=self.id,
            object_type=self.object_type,
            object_id=self.object_id,
            action=self.action,
            at=self.created_at,
            name=self.name,
        )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def iter_audit_log(cluedin: CluedInClient, since: datetime, until: datetime) -> Iterator[AuditEntry]:
    """Audit entries between two moments (newest first, every object type)."""
    path = f"{cluedin.rest_path_prefix}/v1/auditLog/getByObjectTypeIds"
    page = 0
    seen = 0
    while True:
        response = cluedin.ui.request(
            "GET",
            path,
            params={"fromDate": _iso(since), "toDate": _iso(until), "page": str(page), "take": str(AUDIT_PAGE_SIZE)},
            operation="rest:auditLog",
        )
        body = response.json()
        items = body.get("data") if isinstance(body, dict) else body
        items = items or []
        for item in items:
            yield AuditEntry(
                object_id=_text(item.get("objectId")),
                object_type=_text(item.get("objectType")),
                action=_text(item.get("action")),
                created_at=_text(item.get("createdAt")),
                name=_text(item.get("objectName")),
                id=_text(item.get("id")),
            )
        seen += len(items)
        total = body.get("total") if isinstance(body, dict) else None
        if not items or len(items) < AUDIT_PAGE_SIZE or (total is not None and seen >= int(total)):
            return
        page += 1


class AuditLogFeed:
    """The change feed source over one CluedIn organization's audit log."""

    def __init__(self, cluedin: CluedInClient) -> None:
        self.cluedin = cluedin

    @property
    def key(self) -> str:
        """One cursor per organization."""
        return f"{self.cluedin.base_url}|{self.cluedin.organization}"

    def read(self, since: datetime, until: datetime) -> Iterator[FeedEntry]:
        """Entries between two moments, newest first, read page by page as they are consumed.

        Lazily: the change feed stops reading inside its overlap once the entries are known, and the pages it does
        not consume are never requested.
        """
        return (entry.as_feed_entry() for entry in iter_audit_log(self.cluedin, since, until))
