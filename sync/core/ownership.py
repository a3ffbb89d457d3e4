"""Shared ownership of target objects several features write (a Cluedin Entity node and its columns).

Data-set lineage, streams, crawlers and enrichers, and the processing pipeline all draw lines to the same
*Cluedin Entity* of an entity type. Each feature that needs such a node *holds* it, declaring which of its columns
it needs; the node is deleted only when its last holder lets go, and a column only when no holder needs it any
more. One state row per shared object records the holders:

    Objects table: PartitionKey `shared`, RowKey `<typeName>|<qualifiedName>` →
    data   = {"holders": {"<feature>": ["<column>", ...]}}
    target = {"guid": "<guid>", "columns": {"<column>": "<guid>"}}   (what the service assigned, for deletes)

This module keeps the bookkeeping; the feature that applies a change makes the service calls (hold → write the
node and its own columns; release → delete what `Release` names). Rows are read with `read_many` and committed
with `commit_many` (ETag-guarded), so two features changing one node concurrently cannot lose each other's hold:
the second commit fails and its message is retried. A holder commits the shared rows *before* its own rows, so a
crash in between leaves a hold that the retry confirms, never a node nobody holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sync.core.state import StateStore, SyncObject

SHARED_KIND = "shared"


def shared_key(type_name: str, qualified_name: str) -> str:
    """The state key of a shared object."""
    return f"{type_name}|{qualified_name}"


@dataclass
class Release:
    """What a holder letting go of a shared object leaves to delete on the target side."""

    object: bool = False
    """No holder is left: delete the object itself (and every column below)."""
    columns: list[str] = field(default_factory=list)
    """Columns no remaining holder needs."""
    guids: dict[str, str] = field(default_factory=dict)
    """Known guids of what is to be deleted (column name → guid; '' → the object's own guid)."""


def holders(row: SyncObject) -> dict[str, list[str]]:
    """Holder → the columns it needs."""
    raw = row.data.get("holders") or {}
    return {str(k): [str(c) for c in v] for k, v in raw.items()}


def _others(row: SyncObject, holder: str) -> set[str]:
    return {c for h, cols in holders(row).items() if h != holder for c in cols}


class SharedObjects:
    """The shared rows of one state store."""

    def __init__(self, state: StateStore) -> None:
        self.state = state

    def read(self, keys: Iterable[str]) -> dict[str, SyncObject]:
        """Existing shared rows among `keys`, and fresh rows for the others (all ready for `commit`)."""
        wanted = sorted(set(keys))
        found = self.state.read_many(SHARED_KIND, wanted)
        return {k: found.get(k) or SyncObject(kind=SHARED_KIND, key=k, status="active") for k in wanted}

    def commit(self, rows: Sequence[SyncObject]) -> None:
        """Write held rows and delete rows nobody holds any more, guarded by the ETags read.

        Raises:
            ContentionError: another holder changed one of the rows meanwhile (the caller's message is retried).
        """
        keep = [r for r in rows if holders(r)]
        drop = [r for r in rows if not holders(r)]
        self.state.commit_many(keep, drop)

    @staticmethod
    def hold(row: SyncObject, holder: str, columns: Iterable[str]) -> list[str]:
        """Record that `holder` needs the object with these columns; returns columns nobody needs any more."""
        current = holders(row)
        previous = set(current.get(holder, []))
        wanted = sorted(set(columns))
        current[holder] = wanted
        row.data = {**row.data, "holders": current}
        row.status = "active"
        return sorted(previous - set(wanted) - _others(row, holder))

    @staticmethod
    def release(row: SyncObject, holder: str) -> Release:
        """Record that `holder` no longer needs the object; what to delete follows from the remaining holders."""
        current = holders(row)
        mine = set(current.pop(holder, []))
        row.data = {**row.data, "holders": current}
        known: Mapping[str, str] = row.target.get("columns") or {}
        if not current:
            guids = {"": str(row.target.get("guid") or "")} | {str(k): str(v) for k, v in known.items()}
            return Release(object=True, columns=sorted(set(known) | mine), guids=guids)
        orphaned = sorted(mine - _others(row, holder))
        return Release(columns=orphaned, guids={c: str(known.get(c) or "") for c in orphaned})

    @staticmethod
    def remember(row: SyncObject, guid: str, columns: Mapping[str, str], dropped: Iterable[str] = ()) -> None:
        """Keep the guids the service assigned (empty values keep what was known), forgetting deleted columns."""
        known = {str(k): str(v) for k, v in (row.target.get("columns") or {}).items()}
        for name, value in columns.items():
            known[name] = value or known.get(name, "")
        for name in dropped:
            known.pop(name, None)
        row.target = {**row.target, "guid": guid or str(row.target.get("guid") or ""), "columns": known}
