"""Two-sided sync: origin, the last value written per field, and the conflict policy (decision 0804).

When both sides of a pair are editable (CluedIn vocabularies ⇄ Purview glossary terms), the app must tell three
values of a synced field apart: the source's value now, the target's value now, and the value the app last wrote
to the target (kept in the state row, `data["written"]`). Then:

- target = source → nothing to do (if the last written value differs, the baseline is moved without a write);
- target = last written → nobody touched the target: write the source value;
- otherwise the target was edited since the app wrote it — a *conflict* when the source changed too, a
  *target-side edit* when it did not — and `SYNC_GLOSSARY_CONFLICT_POLICY` decides, per field:
  `source-wins` (the product's behaviour: write, and say so), `target-wins` (keep the edit; stop writing the
  field while the target differs) or `report` (write nothing; list it).

Everything here is pure, so a feature's `plan` can decide conflicts and the plan endpoint shows them before
anything is written. A two-sided plan needs what the snapshot saw on the target side; `TwoSided` is the snapshot's
desired mapping carrying those observations, and `Planned` is the plan's change list carrying the conflicts and
notes the engine puts in the run report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import Field

from sync.core.messages import Change, ChangeKind
from sync.core.settings import SettingsGroup, env
from sync.core.state import SyncObject

MakePair = Callable[[ChangeKind, str, dict[str, Any], str], Change]
"""How a two-sided planner makes a change: kind, key, desired body, summary (a feature's `change`)."""
WRITTEN = "written"
KNOWN_STATUSES = frozenset({"active", "orphaned"})
FAILED = "failed"
"""Status of a row whose object the target refused for good: not tried again until its source changes."""
"""Key of a state row's `data` holding the value last written per synced field."""


class ConflictPolicy(StrEnum):
    """What to do with a synced field that was edited on its target side since the app last wrote it."""

    SOURCE_WINS = "source-wins"
    TARGET_WINS = "target-wins"
    REPORT = "report"


class TwoSidedSettings(SettingsGroup):
    """The conflict policy shared by every two-sided (glossary) feature."""

    title: ClassVar[str] = "Two-sided glossary sync (F5, F6, F7)"

    sync_glossary_conflict_policy: ConflictPolicy = Field(
        ConflictPolicy.SOURCE_WINS,
        validation_alias=env("SYNC_GLOSSARY_CONFLICT_POLICY"),
        description="When a synced glossary object was edited on its target side since the app last wrote it: "
        "'source-wins' overwrites the edit (CluedIn's own behaviour) and reports it, 'target-wins' keeps the "
        "edit and stops writing that field, 'report' writes nothing for that field and lists the conflict in the "
        "run report and the plan.",
    )


@dataclass(frozen=True)
class Conflict:
    """One field edited on the target side since the app last wrote it."""

    label: str
    """The object, as a person knows it (e.g. "Purview term 'Customer'")."""
    field: str
    source: Any
    target: Any
    written: Any
    policy: ConflictPolicy
    target_side: str = "the target"

    @property
    def source_changed(self) -> bool:
        """Whether the source changed too (a true conflict) or only the target was edited."""
        return bool(self.source != self.written)

    @property
    def resolution(self) -> str:
        """What the policy does about it."""
        return {
            ConflictPolicy.SOURCE_WINS: "overwritten with the source value (source-wins)",
            ConflictPolicy.TARGET_WINS: "kept the edit (target-wins)",
            ConflictPolicy.REPORT: "nothing written (report)",
        }[self.policy]

    @property
    def text(self) -> str:
        """One line for the run report."""
        what = "conflict" if self.source_changed else "edited"
        change = f"{_show(self.written)} → {_show(self.target)} in {self.target_side}"
        if self.source_changed:
            change += f", source now {_show(self.source)}"
        return f"{what}: {self.label} {self.field}: {change}; {self.resolution}"


def _show(value: Any) -> str:
    text = "" if value is None else str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


@dataclass
class Resolution:
    """What a three-way comparison of one object's synced fields decided."""

    write: dict[str, Any] = field(default_factory=dict)
    """Fields to write to the target, with their values."""
    baseline: dict[str, Any] = field(default_factory=dict)
    """The last-written values to keep in state after the change (write + converged fields)."""
    conflicts: list[Conflict] = field(default_factory=list)
    converged: bool = False
    """A field reached the source value on the target by itself: only the baseline moves."""

    @property
    def moves_baseline(self) -> bool:
        """Whether state must change even if nothing is written."""
        return bool(self.write) or self.converged


def resolve(
    fields: Iterable[str],
    source: Mapping[str, Any],
    target: Mapping[str, Any],
    written: Mapping[str, Any],
    policy: ConflictPolicy,
    *,
    label: str,
    target_side: str = "the target",
) -> Resolution:
    """Three-way decision for each synced field of one object that exists on both sides."""
    result = Resolution(baseline=dict(written))
    for name in fields:
        wanted, now = source.get(name), target.get(name)
        last = written.get(name, now)  # never written (an adopted object): the target's value is the baseline
        if now == wanted:
            if last != wanted:
                result.baseline[name] = wanted
                result.converged = True
            continue
        if now == last:
            result.write[name] = wanted
            result.baseline[name] = wanted
            continue
        conflict = Conflict(label, name, wanted, now, last, policy, target_side)
        result.conflicts.append(conflict)
        if policy == ConflictPolicy.SOURCE_WINS:
            result.write[name] = wanted
            result.baseline[name] = wanted
    return result


class TwoSided(dict[str, dict[str, Any]]):
    """A snapshot's desired objects, plus what it saw on the target side (for a pure three-way plan).

    `observed` maps a target-side id to that object's synced values now. When `complete` is true the read covered
    the whole target, so an id missing from `observed` was deleted there; otherwise a missing id was not looked at
    (nothing told the app it changed) and its last-written values stand for it. `context` carries whatever else
    the plan needs from the read (e.g. names already taken on the target).
    """

    def __init__(
        self,
        desired: Mapping[str, dict[str, Any]] | None = None,
        *,
        observed: Mapping[str, dict[str, Any]] | None = None,
        complete: bool = False,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(desired or {})
        self.observed: Mapping[str, dict[str, Any]] = observed if observed is not None else {}
        """Not copied: a view over a large listing (F5's terms) stays a view."""
        self.complete = complete
        self.context: dict[str, Any] = dict(context or {})

    def target_now(self, target_id: str | None, written: Mapping[str, Any]) -> dict[str, Any] | None:
        """The target's values of an object now; None when it no longer exists there."""
        if not target_id:
            return None
        if target_id in self.observed:
            return self.observed[target_id]
        return None if self.complete else dict(written)


def two_sided(snapshot: Mapping[str, dict[str, Any]]) -> TwoSided:
    """The snapshot as a TwoSided (a plain mapping observed nothing)."""
    return snapshot if isinstance(snapshot, TwoSided) else TwoSided(snapshot)


class Planned(list[Change]):
    """A plan's changes, with the conflicts and notes the engine puts in the run report."""

    def __init__(
        self, changes: Iterable[Change] = (), *, conflicts: Iterable[Conflict] = (), notes: Iterable[str] = ()
    ):
        super().__init__(changes)
        self.conflicts: list[Conflict] = list(conflicts)
        self.notes: list[str] = list(notes)


@dataclass
class PairSpec:
    """What the shared two-sided planner needs to know about one feature's objects."""

    fields: Callable[[str], tuple[str, ...]]
    """The synced (conflict-checked) fields of an object, by its key."""
    target_id: Callable[[SyncObject], str | None]
    """The target-side id recorded in an object's state row."""
    label: Callable[[str, dict[str, Any]], str]
    """How a person names an object (for conflicts and summaries)."""
    target_side: str
    structure: Callable[[str, dict[str, Any], SyncObject, dict[str, Any]], dict[str, Any]] | None = None
    """Extra writes the app always enforces (e.g. the parent term), from desired, row and target now."""
    protect: Callable[[SyncObject, dict[str, Any] | None], str] | None = None
    """Why an object whose source is gone must not be deleted (e.g. entities assigned to the term), or ''."""


class StreamedPlan:
    """A two-sided plan drawn lazily (planning in bounded memory): conflicts and notes are complete once iterated."""

    def __init__(self, changes: Callable[[StreamedPlan], Iterator[Change]]) -> None:
        self.conflicts: list[Conflict] = []
        self.notes: list[str] = []
        self._changes = changes

    def __iter__(self) -> Iterator[Change]:
        return self._changes(self)


def plan_pairs(
    snapshot: Mapping[str, dict[str, Any]],
    state: Mapping[str, SyncObject],
    spec: PairSpec,
    policy: ConflictPolicy,
    make: MakePair,
) -> Planned:
    """Creates (new, or deleted on the target), three-way updates and deletes of one feature's objects.

    A desired entry holds `values` (the synced fields' source values) and anything else the applier needs. A change
    carries `values`, and for an update `write` (the fields to write) and `written` (the baseline to record), plus
    the desired entry's other keys (`written_by`, `written_fields`).
    """
    seen = two_sided(snapshot)
    planned = Planned()
    for key in sorted(seen):
        change = _plan_desired(
            key, seen[key], state.get(key), seen=seen, spec=spec, policy=policy, make=make, out=planned
        )
        if change is not None:
            planned.append(change)
    for key, row in sorted(state.items()):
        change = None if key in seen else _plan_gone(key, row, seen=seen, spec=spec, make=make, out=planned)
        if change is not None:
            planned.append(change)
    return planned


def plan_pairs_ordered(
    pairs: Iterable[tuple[str, dict[str, Any] | None, SyncObject | None]],
    seen: TwoSided,
    spec: PairSpec,
    policy: ConflictPolicy,
    make: MakePair,
) -> StreamedPlan:
    """`plan_pairs` over (key, desired or None, row or None) in storage order, one pair at a time.

    The same changes as `plan_pairs` on the same objects (deletions among the others, in key order); `seen` carries
    what the snapshot observed on the target side (its own entries are not read).
    """

    def changes(out: StreamedPlan) -> Iterator[Change]:
        for key, entry, row in pairs:
            change = plan_pair(key, entry, row, seen=seen, spec=spec, policy=policy, make=make, out=out)
            if change is not None:
                yield change

    return StreamedPlan(changes)


def plan_pair(
    key: str,
    entry: dict[str, Any] | None,
    row: SyncObject | None,
    *,
    seen: TwoSided,
    spec: PairSpec,
    policy: ConflictPolicy,
    make: MakePair,
    out: Planned | StreamedPlan,
) -> Change | None:
    """The change (if any) of one object: desired (create or three-way update) or gone (delete).

    For planners that walk their pairs themselves (F6 names a vocabulary's keys a group at a time).
    """
    if entry is not None:
        return _plan_desired(key, entry, row, seen=seen, spec=spec, policy=policy, make=make, out=out)
    return _plan_gone(key, row, seen=seen, spec=spec, make=make, out=out) if row is not None else None


def _plan_desired(
    key: str,
    entry: dict[str, Any],
    row: SyncObject | None,
    *,
    seen: TwoSided,
    spec: PairSpec,
    policy: ConflictPolicy,
    make: MakePair,
    out: Planned | StreamedPlan,
) -> Change | None:
    """The change (if any) of one desired object, given its state row; conflicts and notes go to `out`."""
    values: dict[str, Any] = dict(entry.get("values") or {})
    label = spec.label(key, entry)
    # An orphaned row (source gone under `retain`) still names its target: a returning source re-adopts it.
    tid = spec.target_id(row) if row is not None and row.status in KNOWN_STATUSES else None
    written = dict((row.data.get(WRITTEN) if row is not None else None) or {})
    now = seen.target_now(tid, written) if tid else None
    if now is None:
        verb = "re-create" if tid else "create"
        if tid:
            out.notes.append(f"{label} was deleted in {spec.target_side}; re-creating it")
        body = {**entry, "values": values}  # a create writes (and records) every value
        if tid:
            body["replaces"] = tid  # a re-create is a different change from the create it repeats
        change = make(ChangeKind.CREATE, key, body, f"{verb} {label}")
        if row is not None and row.status == FAILED and row.data.get("failed_change") == change.fingerprint:
            error = row.data.get("error") or "refused before"
            out.notes.append(f"skipped {label}: {error} (until its source changes)")
            return None
        return change
    assert row is not None
    result = resolve(spec.fields(key), values, now, written, policy, label=label, target_side=spec.target_side)
    out.conflicts += result.conflicts
    extra = spec.structure(key, entry, row, now) if spec.structure is not None else {}
    write = {**result.write, **extra}
    if not write and not result.moves_baseline:
        return None
    body = {**entry, "values": values, "write": sorted(write), "written": result.baseline, "set": extra}
    summary = f"update {label}: {', '.join(sorted(write))}" if write else f"record {label} as converged"
    return make(ChangeKind.UPDATE, key, body, summary)


def _plan_gone(
    key: str,
    row: SyncObject,
    *,
    seen: TwoSided,
    spec: PairSpec,
    make: MakePair,
    out: Planned | StreamedPlan,
) -> Change | None:
    """The deletion (if any) of an object whose source is gone."""
    if not row.active:
        return None
    label = str(row.data.get("label") or key)
    now = seen.target_now(spec.target_id(row), dict(row.data.get(WRITTEN) or {}))
    reason = spec.protect(row, now) if spec.protect is not None and now is not None else ""
    if reason:
        out.notes.append(f"kept {label}: {reason}")
        return None
    body = {"label": label, "gone": now is None, "group": row.data.get("group")}
    return make(ChangeKind.DELETE, key, body, f"delete {label}")


def mark_failed(row: SyncObject, change: Change, error: str) -> None:
    """Record that the target refused an object for good, so plans skip it until its source changes."""
    row.status = FAILED
    row.data = {**row.data, "failed_change": change.fingerprint, "error": error[:500]}


def written_by(change: Change) -> dict[str, Any]:
    """The values a change leaves written on the target (a create: all of them)."""
    written: dict[str, Any] = change.desired.get(WRITTEN) or change.desired.get("values") or {}
    return dict(written)


def written_fields(change: Change) -> list[str]:
    """The fields a change writes (a create: every synced field)."""
    if change.kind == ChangeKind.CREATE:
        return sorted(change.desired.get("values") or {})
    return list(change.desired.get("write") or [])


def unchanged_fingerprint(change: Change, row: SyncObject | None) -> bool:
    """Whether a row already records this change (a redelivered message: skip the writes)."""
    return row is not None and row.active and row.fingerprint == change.fingerprint and bool(change.fingerprint)


__all__ = [
    "FAILED",
    "WRITTEN",
    "Conflict",
    "ConflictPolicy",
    "MakePair",
    "PairSpec",
    "Planned",
    "Resolution",
    "StreamedPlan",
    "TwoSided",
    "TwoSidedSettings",
    "mark_failed",
    "plan_pair",
    "plan_pairs",
    "plan_pairs_ordered",
    "resolve",
    "two_sided",
    "unchanged_fingerprint",
    "written_by",
    "written_fields",
]
