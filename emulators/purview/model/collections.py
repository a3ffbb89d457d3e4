"""Collections of the Account data plane (2019-11-01-preview): a tree rooted at the account's collection.

Entities live in exactly one collection and roles are granted per collection (inherited downwards), so
the tree matters to the entity store, search filters and the role model, not just to the Account API.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from emulators.purview.errors import AccountError

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,35}$")


def _iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")


class CollectionStore:
    """The collection tree; names are case-insensitive and stored lower-cased, like the service returns them."""

    def __init__(self, account_name: str) -> None:
        self.account_name = account_name.lower()
        self.collections: dict[str, dict[str, Any]] = {}
        self.has_entities: Callable[[str], bool] = lambda _name: False
        self.reset()

    def reset(self) -> None:
        """Only the root collection, named after the account."""
        now = _iso_now()
        self.collections = {
            self.account_name: {
                "name": self.account_name,
                "friendlyName": self.account_name,
                "description": "The root collection.",
                "collectionProvisioningState": "Succeeded",
                "systemData": _system_data("ServiceAdmin", now, now),
            }
        }

    @property
    def root(self) -> str:
        """Name of the root collection."""
        return self.account_name

    def exists(self, name: str) -> bool:
        """Whether a collection of that name (any case) exists."""
        return name.lower() in self.collections

    def canonical(self, name: str) -> str:
        """The stored (lower-case) form of a collection name."""
        return name.lower()

    def get(self, name: str) -> dict[str, Any]:
        """One collection, or the Account API's 404."""
        found = self.collections.get(name.lower())
        if found is None:
            raise AccountError(404, "CollectionNotFound", f"Collection '{name}' was not found.", target=name)
        return found

    def ancestors(self, name: str) -> list[str]:
        """The collection and its parents up to the root (self first)."""
        chain = []
        current: str | None = name.lower()
        while current is not None and current in self.collections and current not in chain:
            chain.append(current)
            parent = self.collections[current].get("parentCollection")
            current = parent["referenceName"] if parent else None
        return chain

    def create_or_update(self, name: str, body: Any, principal: str) -> dict[str, Any]:
        """PUT /collections/{name}: create, or update friendlyName/description/parent."""
        if not isinstance(body, dict):
            raise AccountError(400, "InvalidRequest", "The request body must be a Collection object.")
        if not NAME_RE.match(name):
            raise AccountError(400, "InvalidCollectionName", f"Collection name '{name}' is not valid.", target=name)
        key = name.lower()
        existing = self.collections.get(key)
        parent_ref = body.get("parentCollection")
        parent = parent_ref.get("referenceName") if isinstance(parent_ref, dict) else None
        if parent is not None and not isinstance(parent, str):
            raise AccountError(400, "InvalidRequest", "parentCollection.referenceName must be a string.")
        for field in ("friendlyName", "description"):
            if body.get(field) is not None and not isinstance(body[field], str):
                raise AccountError(400, "InvalidRequest", f"{field} must be a string.", target=field)
        if key == self.root:
            if parent is not None:
                raise AccountError(400, "InvalidRequest", "The root collection cannot have a parent.")
        else:
            parent = (parent or (existing or {}).get("parentCollection", {}).get("referenceName") or self.root).lower()
            if parent not in self.collections:
                raise AccountError(400, "ParentCollectionNotFound", f"Parent collection '{parent}' was not found.")
            if key in self.ancestors(parent):
                raise AccountError(400, "InvalidRequest", "A collection cannot be moved under itself.")
        now = _iso_now()
        stored = dict(existing or {})
        stored["name"] = key
        stored["friendlyName"] = body.get("friendlyName") or stored.get("friendlyName") or name
        if body.get("description") is not None:
            stored["description"] = body["description"]
        if key != self.root:
            stored["parentCollection"] = {"type": "CollectionReference", "referenceName": parent}
        stored["collectionProvisioningState"] = "Succeeded"
        created = (existing or {}).get("systemData", {})
        stored["systemData"] = _system_data(
            created.get("createdBy", principal), created.get("createdAt", now), now, modified_by=principal
        )
        self.collections[key] = stored
        return stored

    def delete(self, name: str) -> None:
        """DELETE /collections/{name}: refused for the root, for parents and for collections holding assets."""
        key = self.get(name)["name"]
        if key == self.root:
            raise AccountError(400, "InvalidRequest", "The root collection cannot be deleted.")
        if self.children(key):
            raise AccountError(409, "CollectionHasChildren", f"Collection '{key}' has child collections.")
        if self.has_entities(key):
            raise AccountError(409, "CollectionNotEmpty", f"Collection '{key}' still contains assets.")
        del self.collections[key]

    def children(self, name: str) -> list[dict[str, Any]]:
        """Direct child collections."""
        key = name.lower()
        return [c for c in self.collections.values() if (c.get("parentCollection") or {}).get("referenceName") == key]

    def path(self, name: str) -> dict[str, Any]:
        """Names and friendly names from the root down to the parent (the collection itself excluded)."""
        chain = list(reversed(self.ancestors(self.get(name)["name"])))[:-1]
        return {
            "parentNameChain": chain,
            "parentFriendlyNameChain": [self.collections[c]["friendlyName"] for c in chain],
        }

    def snapshot(self) -> dict[str, Any]:
        """All collections as data."""
        return {"account": self.account_name, "collections": list(self.collections.values())}

    def restore(self, data: dict[str, Any]) -> None:
        """Replace the tree with a snapshot."""
        self.collections = {c["name"]: c for c in data["collections"]}


def _system_data(
    created_by: str, created_at: str, modified_at: str, *, modified_by: str | None = None
) -> dict[str, Any]:
    return {
        "createdBy": created_by,
        "createdByType": "Application",
        "createdAt": created_at,
        "lastModifiedBy": modified_by or created_by,
        "lastModifiedByType": "Application",
        "lastModifiedAt": modified_at,
    }
