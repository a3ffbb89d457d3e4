"""F5's planner: vocabularies and keys → the terms that should exist, named without clashes, three-way checked.

Pure, and one vocabulary at a time (planning in bounded memory, decision 0903): a vocabulary's term and its keys'
terms are planned from its desired terms and its one state row (`bundles.py`), so the full cycle streams both
sides (`plan_ordered`) and whole mappings (`plan_terms`: rollback, tests) walk the same way.

- **Names** (`naming.py`): a term keeps the name the app gave it while its source name is unchanged; a new or
  renamed source takes its name or the first free `<name> 2`, `<name> 3`, … across the glossary, in key order.
  Names are settled in a first pass over every vocabulary; only new names are held.
- **Conflicts**: name, definition and status are compared three ways (sync/core/twoway.py); the parent is
  structure and always follows CluedIn.
- **Deletes**: a term whose vocabulary or key is gone is deleted, except while entities are assigned to it (then
  it is reported each cycle) or while terms remain below it. Children are deleted before their parent.
- **Held back**: a vocabulary whose plan deletes keys waits for the end of the walk (the fail-safe counts key
  deletes across vocabularies), and so does one deleting a term with children outside the vocabulary (whether
  they stay is known at the end). Both are rare; everything else goes out as it is planned.
- **Order**: each vocabulary's term, then its keys' terms, so one queue message — a bulk call per level — holds a
  vocabulary with its keys (`message_group`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sync.core.diff import storage_order
from sync.core.guards import refusal
from sync.core.messages import Change, ChangeKind
from sync.core.settings import EngineSettings
from sync.core.state import SyncObject
from sync.core.twoway import ConflictPolicy, PairSpec, Planned, StreamedPlan, TwoSided, plan_pairs, two_sided
from sync.features.vocabularies_to_glossary.bundles import (
    KEY,
    VOCAB,
    bundle_vocabulary,
    explode,
    key_deletes,
    vocabulary_of,
)
from sync.features.vocabularies_to_glossary.naming import Naming, row_guid
from sync.features.vocabularies_to_glossary.target import GLOSSARY_ROW, ROOT_ROW

FIELDS = ("name", "longDescription", "status")
ANCHOR_ROWS = (GLOSSARY_ROW, ROOT_ROW)
Make = Callable[[ChangeKind, str, dict[str, Any], str], Change]


def _level(key: str) -> int:
    return 1 if key.startswith(VOCAB) else 2


def _order(change: Change) -> tuple[int, int, str]:
    if change.kind == ChangeKind.DELETE:
        return (1, -_level(change.key), change.key)
    return (0, _level(change.key), change.key)


def terms_of(row: SyncObject | None) -> dict[str, SyncObject]:
    """A vocabulary row's terms as rows of their own (none for no row)."""
    return explode({row.key: row}) if row is not None else {}


def assign_names(snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject]) -> dict[str, str]:
    """The name each desired term gets (existing names kept; new ones suffixed past names already taken)."""
    desired = two_sided(snapshot)
    naming = Naming.start(desired.observed, desired.context)
    naming.visit(desired, state)
    naming.settle()
    return {key: naming.name(key, entry, state.get(key)) for key, entry in desired.items()}


def plan_vocabulary(
    desired: Mapping[str, dict[str, Any]],
    terms: Mapping[str, SyncObject],
    seen: TwoSided,
    naming: Naming,
    *,
    policy: ConflictPolicy,
    make: Make,
) -> Planned:
    """The per-term creates, updates and deletes of one vocabulary (its term and its keys' terms), in order."""
    names = {key: naming.name(key, entry, terms.get(key)) for key, entry in desired.items()}
    terms = dict(terms)
    adopted = {key: naming.adopted[key] for key in sorted(desired) if key in naming.adopted}
    for key, guid in adopted.items():  # taken back: the term links to its source, but its row was lost
        now = seen.observed.get(guid) or {}
        written = {f: now.get(f) for f in FIELDS}
        terms[key] = SyncObject("", key, target={"guid": guid}, data={"written": written}, status="active")
    shaped = TwoSided(
        {
            key: {
                **{k: v for k, v in entry.items() if k not in ("definition", "status")},
                "values": {"name": names[key], "longDescription": entry["definition"], "status": entry["status"]},
            }
            for key, entry in desired.items()
        },
        observed=seen.observed,
        complete=seen.complete,
        context=seen.context,
    )
    planned = plan_pairs(shaped, terms, _spec(terms, seen.context.get("root_guid")), policy, make)
    planned = record_adoptions(planned, adopted, shaped, make)
    return Planned(sorted(planned, key=_order), conflicts=planned.conflicts, notes=planned.notes)


def _spec(terms: Mapping[str, SyncObject], root_guid: Any) -> PairSpec:
    def parent_guid(entry: dict[str, Any]) -> str | None:
        parent = entry.get("parent")
        if parent == ROOT_ROW:
            return str(root_guid) if root_guid else None
        return row_guid(terms.get(str(parent))) if parent else None

    def structure(key: str, entry: dict[str, Any], row: SyncObject, now: dict[str, Any]) -> dict[str, Any]:
        expected = parent_guid(entry)
        if entry.get("parent") and expected is None:
            return {}  # the parent is being created; it will be set when it exists
        return {"parent": expected} if now.get("parent") != expected else {}

    def protect(row: SyncObject, now: dict[str, Any] | None) -> str:
        assigned = int((now or {}).get("assigned") or 0)
        return f"{assigned} entities are assigned to it" if assigned else ""

    return PairSpec(
        fields=lambda key: FIELDS,
        target_id=row_guid,
        label=lambda key, entry: str(entry.get("label") or key),
        target_side="Purview",
        structure=structure,
        protect=protect,
    )


def record_adoptions(planned: Planned, adopted: Mapping[str, str], shaped: TwoSided, make: Make) -> Planned:
    """Every adopted term gets a change (possibly writing nothing) so its state row is written."""
    out = Planned(conflicts=planned.conflicts, notes=planned.notes)
    changed = set()
    for change in planned:
        if change.key not in adopted:
            out.append(change)
            continue
        changed.add(change.key)
        out.append(make(change.kind, change.key, {**change.desired, "adopt": adopted[change.key]}, change.summary))
    for key in sorted(set(adopted) - changed):
        entry = shaped[key]
        body = {**entry, "adopt": adopted[key], "write": [], "written": entry["values"]}
        out.append(make(ChangeKind.UPDATE, key, body, f"take back {entry.get('label') or key}"))
    out.notes += [f"took back term {guid} for {key}: it links to its CluedIn source" for key, guid in adopted.items()]
    return out


@dataclass
class _Held:
    vid: str
    changes: list[Change]
    guid_of: dict[str, str]
    exists: bool
    settled: bool
    """Whether the terms below its deleted terms are all its own (so keeping parents was decided already)."""


@dataclass
class VocabularyWalk:
    """Plans vocabularies one at a time, in storage order; holds back the few whose deletes depend on the rest."""

    seen: TwoSided
    naming: Naming
    policy: ConflictPolicy
    engine: EngineSettings
    make: Make
    out: Planned | StreamedPlan
    owned: int = 0
    """Active term rows walked (what the fail-safe compares key deletes with)."""
    leaving: set[str] = field(default_factory=set)
    """Guids of every term a planned delete removes (before deletes are kept back for their children)."""
    held: list[_Held] = field(default_factory=list)
    _children: dict[str, list[str]] | None = None

    def vocabulary(self, vid: str, desired: Mapping[str, dict[str, Any]], row: SyncObject | None) -> list[Change]:
        """One vocabulary's changes (a change per vocabulary, or its parts), or none while it is held back."""
        terms = terms_of(row)
        self.owned += sum(1 for key, term in terms.items() if term.active and key.startswith((VOCAB, KEY)))
        planned = plan_vocabulary(desired, terms, self.seen, self.naming, policy=self.policy, make=self.make)
        self.out.conflicts += planned.conflicts
        self.out.notes += planned.notes
        changes: list[Change] = list(planned)
        deleted = [c for c in changes if c.kind == ChangeKind.DELETE]
        if not deleted:
            return self._bundle(vid, changes, exists=row is not None, refused="")
        guid_of = {key: row_guid(term) or "" for key, term in terms.items()}
        for key in desired:
            if key in self.naming.adopted:
                guid_of[key] = self.naming.adopted[key]
        self.leaving.update(guid_of.get(c.key) or "" for c in deleted)
        own = set(guid_of.values())
        settled = all(child in own for c in deleted for child in self.children().get(guid_of.get(c.key) or "", []))
        if settled:
            changes = self._keep_parents(changes, guid_of)
            if not key_deletes(changes):
                return self._bundle(vid, changes, exists=row is not None, refused="")
        self.held.append(_Held(vid, changes, guid_of, row is not None, settled))
        return []

    def finish(self) -> list[Change]:
        """The vocabularies held back, once every delete of the cycle is known."""
        for held in self.held:
            if not held.settled:
                held.changes = self._keep_parents(held.changes, held.guid_of)
        deletes = sum(key_deletes(held.changes) for held in self.held)
        refused = refusal(deletes, self.owned, self.engine) if deletes else ""
        out: list[Change] = []
        for held in sorted(self.held, key=lambda h: storage_order(VOCAB + h.vid)):
            out += self._bundle(held.vid, held.changes, exists=held.exists, refused=refused)
        if refused:
            self.out.notes.append(f"key terms not deleted: {refused}")
        self.held = []
        return out

    def children(self) -> dict[str, list[str]]:
        """Parent guid → the guids of the terms below it (built once, when a vocabulary first deletes a term)."""
        if self._children is None:
            self._children = {}
            for guid, values in self.seen.observed.items():
                if values.get("parent"):
                    self._children.setdefault(str(values["parent"]), []).append(guid)
        return self._children

    def _keep_parents(self, changes: list[Change], guid_of: Mapping[str, str]) -> list[Change]:
        """Drop deletes of terms that still have child terms after this plan (Purview refuses them), with a note."""
        kept = []
        for change in changes:
            below = self.children().get(guid_of.get(change.key) or "", [])
            remaining = [g for g in below if g not in self.leaving]
            if change.kind == ChangeKind.DELETE and remaining:
                label = change.desired.get("label") or change.key
                self.out.notes.append(f"kept {label}: {len(remaining)} terms below it remain")
                continue
            kept.append(change)
        return kept

    def _bundle(self, vid: str, changes: list[Change], *, exists: bool, refused: str) -> list[Change]:
        return bundle_vocabulary(
            vid, changes, exists=exists, engine=self.engine, make=self.make, refused=refused, out=self.out
        )


def settle_names(
    pairs: Iterable[tuple[str, Mapping[str, dict[str, Any]] | None, SyncObject | None]], seen: TwoSided
) -> Naming:
    """The first pass: every vocabulary (row key, desired terms or None, row or None) visited, names settled."""
    naming = Naming.start(seen.observed, seen.context)
    for key, desired, row in pairs:
        if key.startswith(VOCAB):
            naming.visit(desired or {}, terms_of(row))
    return naming.settle()


def walk(
    pairs: Iterable[tuple[str, Mapping[str, dict[str, Any]] | None, SyncObject | None]], vocabularies: VocabularyWalk
) -> Iterator[Change]:
    """The changes of (vocabulary row key, desired terms or None, row or None) in storage order, then those held."""
    for key, desired, row in pairs:
        if key in ANCHOR_ROWS or not key.startswith(VOCAB):
            continue
        yield from vocabularies.vocabulary(vocabulary_of(key), desired or {}, row)
    yield from vocabularies.finish()


def plan_terms(
    snapshot: Mapping[str, dict[str, Any]],
    state: Mapping[str, SyncObject],
    policy: ConflictPolicy,
    engine: EngineSettings,
    make: Make,
) -> Planned:
    """The whole plan from whole mappings (term-level desired entries, vocabulary rows): the walk, in memory."""
    seen = two_sided(snapshot)
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for key, entry in seen.items():
        groups.setdefault(str(entry["group"]), {})[key] = entry
    rows = {key: row for key, row in state.items() if key.startswith(VOCAB)}
    keys = sorted({VOCAB + vid for vid in groups} | set(rows), key=storage_order)
    pairs = [(key, groups.get(vocabulary_of(key), {}), rows.get(key)) for key in keys]
    planned = Planned()
    vocabularies = VocabularyWalk(seen, settle_names(pairs, seen), policy, engine, make, planned)
    planned += list(walk(pairs, vocabularies))
    return planned
