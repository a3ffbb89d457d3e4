"""F5's term names, decided glossary-wide before any vocabulary is planned (the first of two passes).

A term's name must differ from every other term's in the glossary (the product's clash rule: `<name> 2`,
`<name> 3`, …), so naming cannot be done one vocabulary at a time. Names are decided in two steps:

1. **kept names** (`Naming.visit`, one vocabulary at a time, in any order): a term keeps the name the app gave it
   while it is alive and its source name is unchanged. Kept names are taken before any new name is chosen, but
   need not be held: the plan finds them again from the same row.
2. **new names** (`Naming.settle`, once every vocabulary was visited): a new or renamed source takes its name or
   the first free suffix, in key order across the whole glossary (so twice the same). Only these are held: in a
   quiet cycle there are none.

Terms that carry a source's resource link but have no state row (state was lost) are taken back, in key order,
unless a row already names the term (`adopted`); they are named as new terms that already own their term.

The full cycle visits vocabularies as it streams them in the snapshot, then plans them again as the engine streams
them (`plan.py`); whole-mapping plans visit the same way from their mappings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sync.core.state import SyncObject
from sync.core.twoway import WRITTEN
from sync.features.vocabularies_to_glossary.api import origin_of
from sync.features.vocabularies_to_glossary.texts import suffixed


def row_guid(row: SyncObject | None) -> str | None:
    """The term guid a term's row names, if any."""
    return str(row.target.get("guid")) if row is not None and row.target.get("guid") else None


def kept_name(entry: Mapping[str, Any], row: SyncObject | None, observed: Mapping[str, Any]) -> str | None:
    """The name a term keeps (it is alive and its source name did not change), or None when it needs a new one."""
    guid = row_guid(row)
    if guid is None or guid not in observed or row is None:
        return None
    kept = str((row.data.get(WRITTEN) or {}).get("name") or "")
    return kept if kept and row.data.get("base") == entry["base"] else None


@dataclass
class Naming:
    """What the first pass decided: new names, terms taken back, and the names taken in the glossary."""

    observed: Mapping[str, Any]
    """Term guid → the term now (only membership is read)."""
    origins: Mapping[str, str]
    """Resource-link URL → the guid of the term that carries it."""
    cluedin_url: str
    taken: dict[str, str | None] = field(default_factory=dict)
    """Lower-cased name → the guid that holds it (or `new:<key>` for a name given this cycle)."""
    fresh: dict[str, str] = field(default_factory=dict)
    """Key → the new name settled for it, where that is not its source name."""
    adopted: dict[str, str] = field(default_factory=dict)
    """Key → the guid of the term taken back for it."""
    _waiting: list[tuple[str, str, str | None]] = field(default_factory=list)
    _wanted: dict[str, str] = field(default_factory=dict)
    _claimed: set[str] = field(default_factory=set)
    _tried: dict[str, int] = field(default_factory=dict)

    @classmethod
    def start(cls, observed: Mapping[str, Any], context: Mapping[str, Any]) -> Naming:
        """Before any vocabulary: the names the glossary holds now are taken."""
        taken: dict[str, str | None] = {str(n).lower(): g for n, g in (context.get("names") or {}).items()}
        return cls(observed, context.get("origins") or {}, str(context.get("cluedin_url") or ""), taken)

    def visit(self, desired: Mapping[str, dict[str, Any]], terms: Mapping[str, SyncObject]) -> None:
        """One vocabulary's desired terms and its rows (exploded): kept names taken, the others wait for `settle`."""
        self._claimed.update(g for g in (row_guid(r) for r in terms.values()) if g)
        for key in sorted(desired):
            entry, row = desired[key], terms.get(key)
            guid = row_guid(row)
            if guid is None:
                link = origin_of(self.cluedin_url, key, str(entry.get("group")))
                marked = self.origins.get(link["url"])
                if marked is not None:
                    self._wanted[key] = marked
            kept = kept_name(entry, row, self.observed)
            if kept is not None:
                self.taken[kept.lower()] = guid
            else:
                self._waiting.append((key, str(entry["base"]), guid))

    def settle(self) -> Naming:
        """Once every vocabulary was visited: terms taken back, then new names in key order.

        What only the first pass needs (names taken, rows' guids) is dropped; new names are kept only where they
        differ from the source name (a suffix), so a first sync without clashes holds none.
        """
        for key, guid in sorted(self._wanted.items()):
            if guid not in self._claimed:
                self.adopted[key] = guid
                self._claimed.add(guid)
        for key, base, own in sorted(self._waiting):
            name = self._choose(key, base, self.adopted.get(key) or own)
            if name != base:
                self.fresh[key] = name
        self._wanted, self._waiting, self._claimed, self._tried, self.taken = {}, [], set(), {}, {}
        return self

    def name(self, key: str, entry: Mapping[str, Any], row: SyncObject | None) -> str:
        """The name of a desired term (as the plan asks, with the row it sees now).

        A term kept its name, or got a new one when settled. A row an applier wrote between the two passes can make
        a term new that was not settled: it takes its source name, and should another term hold it, the applier
        gives it the next free suffix (as for any name taken meanwhile).
        """
        if key in self.adopted:
            return self.fresh.get(key) or str(entry["base"])
        kept = kept_name(entry, row, self.observed)
        if kept is not None:
            return kept
        return self.fresh.get(key) or str(entry["base"])

    def _choose(self, key: str, base: str, own: str | None) -> str:
        candidate = base
        if self.taken.get(base.lower(), own) != own:
            number = self._tried.get(base.lower(), 1) + 1  # every lower suffix is taken already
            while self.taken.get(suffixed(base, number).lower(), own) != own:
                number += 1
            candidate = suffixed(base, number)
            self._tried[base.lower()] = number
        self.taken[candidate.lower()] = own or f"new:{key}"
        return candidate
