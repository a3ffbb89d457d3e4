"""The target collection: where everything the app creates in Purview goes.

CluedIn's setting "Collection name" accepts either a collection's id (the short name in the portal's URL, e.g.
`hkkib1`) or a path of friendly names from the root collection (`root/sub/target`). A path that does not fully
exist is created, segment by segment, when the app's identity may create collections (Collection Admin on the
parent); otherwise the cycle stops with an error naming the setting and the role.

Resolving needs the Account API (one paged list call), so the result is kept in a state cursor per Purview
endpoint and setting value: a cycle only resolves again when the setting changes. New collections get a
deterministic id derived from their path, so a retry after a crash finds the collection it created instead of
creating a second one (it also matches by friendly name first).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import logging
import threading
from collections.abc import Iterable
from typing import Any

from sync.core.errors import PermissionDeniedError, RetriableError, SettingsError
from sync.core.feature import SetupStep
from sync.core.state import StateStore
from sync.core.telemetry import log_event
from sync.services.purview.client import PurviewClient

log = logging.getLogger("sync.services.purview.collections")

SETTING = "PURVIEW_COLLECTION_NAME"
CURSOR_FEATURE = "target-collection"
CREATE_ROLE = "Collection Admin"

_memo: dict[tuple[str, str], str] = {}
_memo_lock = threading.Lock()


def collection_id_for(path: list[str]) -> str:
    """Deterministic 6-character id (like the portal's) for a collection created at `path`."""
    digest = hashlib.sha256("/".join(s.lower() for s in path).encode()).digest()
    return base64.b32encode(digest).decode().lower()[:6]


def _parent(collection: dict[str, Any]) -> str:
    return str((collection.get("parentCollection") or {}).get("referenceName") or "").lower()


def _matches(collection: dict[str, Any], segment: str) -> bool:
    wanted = segment.strip().lower()
    return wanted in {str(collection.get("name", "")).lower(), str(collection.get("friendlyName", "")).lower()}


def resolve_in(
    collections: Iterable[dict[str, Any]], setting: str, create: Any = None
) -> tuple[str, list[dict[str, Any]]]:
    """Find (or, through `create(name, friendly, parent)`, make) the collection a setting value names.

    Pure apart from `create`, so the rules are testable without a server. Returns the collection id and the
    collections created on the way.

    Raises:
        SettingsError: the value names nothing and nothing may be created.
    """
    known = list(collections)
    value = setting.strip().strip("/")
    segments = [s.strip() for s in value.split("/") if s.strip()]
    if not segments:
        raise SettingsError(f"{SETTING} is empty", settings=[SETTING])
    by_id = {str(c.get("name", "")).lower(): c for c in known}
    roots = [c for c in known if not _parent(c)]
    if len(segments) == 1:
        if segments[0].lower() in by_id:
            return str(by_id[segments[0].lower()]["name"]), []
        root = next((c for c in roots if _matches(c, segments[0])), None)
        if root is not None:
            return str(root["name"]), []
        raise SettingsError(
            f"{SETTING}={value!r} is neither the id of an existing collection nor the root collection; give a "
            "collection id or a path from the root collection such as 'root/sub/target'",
            settings=[SETTING],
        )
    current = next((c for c in roots if _matches(c, segments[0])), None)
    if current is None:
        names = ", ".join(sorted(str(c.get("friendlyName") or c.get("name")) for c in roots)) or "none"
        raise SettingsError(
            f"{SETTING}={value!r}: a path must start at the root collection ({names}), not {segments[0]!r}",
            settings=[SETTING],
        )
    created: list[dict[str, Any]] = []
    for depth, segment in enumerate(segments[1:], start=2):
        parent_id = str(current["name"]).lower()
        child = next((c for c in known if _parent(c) == parent_id and _matches(c, segment)), None)
        if child is None:
            if create is None:
                raise SettingsError(f"{SETTING}={value!r}: collection {segment!r} does not exist", settings=[SETTING])
            child = create(collection_id_for(segments[:depth]), segment, str(current["name"]))
            known.append(child)
            created.append(child)
        current = child
    return str(current["name"]), created


def plan_target_collection(
    purview: PurviewClient, state: StateStore, setting: str | None
) -> tuple[str | None, SetupStep | None]:
    """The id of the target collection the setting names, and the step that creates it if it does not exist yet.

    Only reads. A collection still to be created already has its id (derived from its path), so a plan can name
    it; the step creates every missing segment, then records the resolution. None = the default collection.

    Raises:
        SettingsError: the setting names nothing that exists or could be created (names the setting and the role).
    """
    if not setting or not setting.strip():
        return None, None
    value = setting.strip()
    memo_key = (purview.base_url, value)
    with _memo_lock:
        if memo_key in _memo:
            return _memo[memo_key], None
    cursor, etag = state.get_cursor(CURSOR_FEATURE, purview.base_url)
    if isinstance(cursor, dict) and cursor.get("setting") == value and cursor.get("collection"):
        resolved = str(cursor["collection"])
        with _memo_lock:
            _memo[memo_key] = resolved
        return resolved, None
    try:
        collections = list(purview.iter_collections())
    except PermissionDeniedError as exc:
        raise SettingsError(
            f"{SETTING}: the app's identity may not list Purview collections ({exc.detail}); grant it at least the "
            "Data Reader role on the root collection",
            settings=[SETTING],
        ) from None
    missing: list[tuple[str, str, str]] = []

    def later(name: str, friendly: str, parent: str) -> dict[str, Any]:
        missing.append((name, friendly, parent))
        return {"name": name, "friendlyName": friendly, "parentCollection": {"referenceName": parent}}

    resolved, _ = resolve_in(collections, value, later)
    if not missing:
        with _memo_lock:  # it exists: nothing to write (the cursor only spares a list call, kept in memory instead)
            _memo[memo_key] = resolved
        return resolved, None

    def run() -> None:
        for name, friendly, parent in missing:
            _create(purview, value, name, friendly, parent)
        with contextlib.suppress(RetriableError):  # resolved concurrently by another instance, to the same answer
            state.set_cursor(CURSOR_FEATURE, purview.base_url, {"setting": value, "collection": resolved}, etag=etag)
        with _memo_lock:
            _memo[memo_key] = resolved

    names = "/".join(friendly for _, friendly, _ in missing)
    return resolved, SetupStep(f"create the Purview collection(s) {names} ({SETTING}={value!r})", run)


def resolve_target_collection(purview: PurviewClient, state: StateStore, setting: str | None) -> str | None:
    """The target collection's id, created when it does not exist (appliers' safety net; planners use `plan_`)."""
    resolved, step = plan_target_collection(purview, state, setting)
    if step is not None:
        step.run()
    return resolved


def forget_resolutions() -> None:
    """Drop the in-process memo (tests)."""
    with _memo_lock:
        _memo.clear()


def _create(purview: PurviewClient, setting: str, name: str, friendly: str, parent: str) -> None:
    try:
        purview.create_or_update_collection(name, friendly, parent)
    except PermissionDeniedError:
        raise SettingsError(
            f"{SETTING}={setting!r}: collection {friendly!r} does not exist under {parent!r} and the app's "
            f"identity may not create it; grant it the {CREATE_ROLE} role on {parent!r}, or create the "
            "collection yourself",
            settings=[SETTING],
        ) from None
    log_event(log, "CollectionCreated", f"created Purview collection {friendly!r} ({name}) under {parent!r}", name=name)
