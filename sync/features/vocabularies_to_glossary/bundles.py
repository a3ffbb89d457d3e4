"""F5's unit of state and of work: a vocabulary with its keys (one state row, one change), not one per term.

Measured on the initial sync of 5,000 keys, the Table Storage work per term — its state row in a guarded batch,
its change outcome in another — cost several times the Purview calls the terms needed (~4 ms of CPU per term on
a shared 2-core machine; decision 0807). So, as lineage keeps one row per data set (decision 0501):

- state: one row per vocabulary (`vocab|<id>`) holding its own term and, under `data.keys`, each key's term;
- changes: the planner still decides term by term (`plan.py`, on the rows `explode` unfolds), then
  `bundle_vocabulary` folds the term changes of one vocabulary into one change — its *members* — split only when
  a vocabulary has more terms than a queue message holds (`vocab|<id>`, `vocab|<id>|2`, …);
- the applier unfolds the members, applies them as before, and `fold` writes the vocabulary's row once.

A vocabulary that disappeared is one DELETE change (the engine's delete policy and mass-delete fail-safe count
vocabularies); deleting some keys of a living vocabulary is part of its update, under the same policy applied here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sync.core.guards import refusal
from sync.core.messages import MAX_MESSAGE_BYTES, Change, ChangeKind
from sync.core.settings import DeletePolicy, EngineSettings
from sync.core.state import SyncObject
from sync.core.twoway import WRITTEN, Planned, StreamedPlan

VOCAB = "vocab|"
KEY = "key|"
MEMBER_FIELDS = ("guid", "base", "written", "status", "fp", "label", "failed_change", "error")
MEMBERS_BYTES = MAX_MESSAGE_BYTES - 4096
"""Room for members in one change (the rest: the change's own fields and the message envelope)."""


def vocabulary_of(key: str) -> str:
    """The vocabulary id of a bundle key (`vocab|<id>` or `vocab|<id>|<n>`)."""
    return key[len(VOCAB) :].split("|", 1)[0]


def _member_row(kind: str, key: str, vid: str, fields: Mapping[str, Any]) -> SyncObject:
    data = {
        WRITTEN: fields.get("written") or {},
        "base": fields.get("base"),
        "label": fields.get("label"),
        "group": vid,
    }
    data.update({k: fields[k] for k in ("failed_change", "error") if fields.get(k)})
    return SyncObject(
        kind,
        key,
        target={"guid": fields.get("guid") or ""},
        data=data,
        status=str(fields.get("status") or "pending"),
        fingerprint=str(fields.get("fp") or ""),
    )


def explode(state: Mapping[str, SyncObject]) -> dict[str, SyncObject]:
    """Per-term rows (`vocab|<id>`, `key|<id>`) from vocabulary rows; other rows pass through."""
    terms: dict[str, SyncObject] = {}
    for key, row in state.items():
        if not key.startswith(VOCAB):
            terms[key] = row
            continue
        vid = vocabulary_of(key)
        own = {**row.data, "guid": row.target.get("guid"), "status": row.status}
        terms[key] = _member_row(row.kind, key, vid, own)
        for kid, fields in (row.data.get("keys") or {}).items():
            member = _member_row(row.kind, f"{KEY}{kid}", vid, fields)
            if row.status == "orphaned" and member.active:  # its vocabulary is gone: nothing left to delete
                member.status = "orphaned"
            terms[member.key] = member
    return terms


def fold(row: SyncObject, members: Mapping[str, SyncObject | None]) -> SyncObject | None:
    """A vocabulary row with its terms' rows written in (None = forgotten); None when nothing is left of it."""
    own_key = VOCAB + vocabulary_of(row.key)
    keys = dict(row.data.get("keys") or {})
    for key, member in members.items():
        if key.startswith(KEY):
            if member is None:
                keys.pop(key[len(KEY) :], None)
            else:
                keys[key[len(KEY) :]] = _fields(member)
    if own_key in members:
        own = members[own_key]
        if own is None:
            if not keys:
                return None
            row.target, row.status, row.data = {"guid": ""}, "pending", {"group": vocabulary_of(row.key)}
        else:
            fields = _fields(own)
            row.target = {"guid": fields.pop("guid", "")}
            row.status = str(fields.pop("status"))
            row.data = {**fields, "group": vocabulary_of(row.key)}
    row.data = {**row.data, "keys": keys}
    return row


def _fields(member: SyncObject) -> dict[str, Any]:
    fields = {
        "guid": member.target.get("guid") or "",
        "base": member.data.get("base"),
        "written": member.data.get(WRITTEN) or {},
        "status": member.status,
        "fp": member.fingerprint,
        "label": member.data.get("label"),
        "failed_change": member.data.get("failed_change"),
        "error": member.data.get("error"),
    }
    return {k: v for k, v in fields.items() if v not in (None, "")} | {"status": member.status}


def bundle(
    planned: Planned,
    state: Mapping[str, SyncObject],
    engine: EngineSettings,
    make: Callable[[ChangeKind, str, dict[str, Any], str], Change],
    *,
    owned_terms: int,
) -> Planned:
    """One change per vocabulary (split when too big for a message) from the per-term changes of many."""
    groups: dict[str, list[Change]] = {}
    for change in planned:
        groups.setdefault(str(change.desired.get("group") or ""), []).append(change)
    out = Planned(conflicts=planned.conflicts, notes=list(planned.notes))
    deletes = sum(key_deletes(changes) for changes in groups.values())
    refused = refusal(deletes, owned_terms, engine) if deletes else ""
    for vid, changes in sorted(groups.items()):
        exists = VOCAB + vid in state
        out += bundle_vocabulary(vid, changes, exists=exists, engine=engine, make=make, refused=refused, out=out)
    if refused:
        out.notes.append(f"key terms not deleted: {refused}")
    return out


def key_deletes(changes: list[Change]) -> int:
    """How many key terms a vocabulary's changes delete while the vocabulary stays (what the fail-safe counts here).

    A vocabulary that disappeared is one DELETE change, counted by the engine's fail-safe instead.
    """
    if any(_deletes_vocabulary(c) for c in changes):
        return 0
    return sum(1 for c in changes if c.kind == ChangeKind.DELETE and c.key.startswith(KEY))


def bundle_vocabulary(
    vid: str,
    changes: list[Change],
    *,
    exists: bool,
    engine: EngineSettings,
    make: Callable[[ChangeKind, str, dict[str, Any], str], Change],
    refused: str,
    out: Planned | StreamedPlan,
) -> list[Change]:
    """One vocabulary's per-term changes as one change (or a few parts); key deletes under the delete policy.

    `refused`: why the cycle's key deletes were refused (the fail-safe counts them across vocabularies), or ''.
    """
    gone = any(_deletes_vocabulary(c) for c in changes)
    retain = engine.sync_delete_policy == DeletePolicy.RETAIN
    kept = []
    for change in changes:
        key_delete = not gone and change.kind == ChangeKind.DELETE and change.key.startswith(KEY)
        if key_delete and refused:
            continue
        if key_delete and retain:  # the engine's `retain`, for keys of a living vocabulary
            out.notes.append(f"orphaned {change.desired.get('label') or change.key} (SYNC_DELETE_POLICY=retain)")
            orphan = {**change.desired, "orphan": True}
            kept.append(make(ChangeKind.UPDATE, change.key, orphan, change.summary))
            continue
        kept.append(change)
    if not kept:
        return []
    kind = ChangeKind.DELETE if gone else ChangeKind.UPDATE if exists else ChangeKind.CREATE
    return _chunks(vid, kind, kept, make)


def _deletes_vocabulary(change: Change) -> bool:
    return change.kind == ChangeKind.DELETE and change.key.startswith(VOCAB)


def _chunks(
    vid: str, kind: ChangeKind, members: list[Change], make: Callable[[ChangeKind, str, dict[str, Any], str], Change]
) -> list[Change]:
    parts: list[list[dict[str, Any]]] = [[]]
    size = 0
    for member in members:
        body = {"key": member.key, "kind": member.kind.value, "desired": member.desired, "fp": member.fingerprint}
        weight = len(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()) + 8
        if parts[-1] and size + weight > MEMBERS_BYTES:
            parts.append([])
            size = 0
        parts[-1].append({**body, "summary": member.summary})
        size += weight
    changes = []
    for index, part in enumerate(parts):
        key = VOCAB + vid if index == 0 else f"{VOCAB}{vid}|{index + 1}"
        first = part[0]["summary"]
        summary = first if len(part) == 1 else f"{first} (+{len(part) - 1} more terms)"
        for item in part:
            item.pop("summary")
        part_kind = kind if index == 0 or kind == ChangeKind.DELETE else ChangeKind.UPDATE
        changes.append(make(part_kind, key, {"group": vid, "members": part}, summary))
    return changes


def members(change: Change) -> list[Change]:
    """The per-term changes a vocabulary change carries."""
    return [
        Change(
            feature=change.feature,
            object_kind=change.object_kind,
            key=str(item["key"]),
            kind=ChangeKind(item["kind"]),
            desired=dict(item["desired"]),
            fingerprint=str(item.get("fp") or ""),
        )
        for item in change.desired.get("members") or []
    ]
