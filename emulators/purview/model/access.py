"""Bearer-token authentication and Purview's collection-scoped role model.

Like Azurite's well-known key, any non-empty bearer token is accepted with full rights by default, so the
emulator is easy to point clients at; `--token` narrows the accepted tokens, and role assignments (data
reader / data curator / collection admin per collection, inherited down the tree) make authorization
failures testable with the service's own 403 body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from emulators.purview import errors
from emulators.purview.errors import AuthorizationError
from emulators.purview.model.collections import CollectionStore

READER, CURATOR, ADMIN = "data_reader", "data_curator", "collection_admin"
ROLES = (READER, CURATOR, ADMIN)
GRANTS = {READER: {READER, CURATOR}, CURATOR: {CURATOR}, ADMIN: {ADMIN}}
"""Which assigned roles satisfy a needed permission (a curator can read; an admin manages collections only)."""


class AccessPolicy:
    """Accepted tokens and role assignments: token -> collection -> roles."""

    def __init__(self, tokens: Iterable[str] = (), assignments: Mapping[str, Any] | None = None) -> None:
        self.tokens = {t for t in tokens if t}
        self.assignments: dict[str, dict[str, set[str]]] = {}
        if assignments:
            self.configure(assignments)

    @property
    def enforcing_roles(self) -> bool:
        """Whether role assignments are configured (otherwise every accepted token has full rights)."""
        return bool(self.assignments)

    def configure(self, assignments: Mapping[str, Any]) -> None:
        """Replace role assignments; validates role names."""
        parsed: dict[str, dict[str, set[str]]] = {}
        for token, by_collection in assignments.items():
            if not isinstance(by_collection, dict):
                raise ValueError(f"roles of {token!r} must map collection names to role lists")
            for collection, roles in by_collection.items():
                if not isinstance(roles, list) or any(r not in ROLES for r in roles):
                    raise ValueError(f"roles must be a list drawn from {', '.join(ROLES)}")
                parsed.setdefault(token, {})[collection.lower()] = set(roles)
        self.assignments = parsed

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the admin API."""
        return {
            "tokens": sorted(self.tokens),
            "assignments": {t: {c: sorted(r) for c, r in cs.items()} for t, cs in self.assignments.items()},
        }

    def authenticate(self, authorization: str | None) -> str:
        """The bearer token of a request, or 401 when absent, malformed or (with --token) not accepted."""
        if not authorization:
            raise AuthorizationError(401, "Unauthorized", "Authentication failed: a bearer token is required.")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise AuthorizationError(
                401, "Unauthorized", "Authentication failed: expected 'Authorization: Bearer <token>'."
            )
        if self.tokens and token not in self.tokens:
            raise AuthorizationError(
                401, "Unauthorized", "Authentication failed: the token is not valid for this account."
            )
        return token

    def allows(self, token: str, need: str, collection: str | None, collections: CollectionStore) -> bool:
        """Whether `token` holds `need` on `collection` (or on any collection when None)."""
        if not self.enforcing_roles:
            return True
        mine = self.assignments.get(token, {})
        granted = GRANTS[need]
        if collection is None:
            return any(roles & granted for roles in mine.values())
        return any(mine.get(c, set()) & granted for c in collections.ancestors(collection))

    def require(self, token: str, need: str, collection: str | None, collections: CollectionStore) -> None:
        """403 with the service's body unless `allows`."""
        if not self.allows(token, need, collection, collections):
            raise AuthorizationError(403, "Unauthorized", errors.FORBIDDEN_MESSAGE)

    def readable(self, token: str, collections: CollectionStore) -> set[str] | None:
        """Collections whose assets `token` may read (None = all)."""
        if not self.enforcing_roles:
            return None
        return {name for name in collections.collections if self.allows(token, READER, name, collections)}
