"""F5's planner: vocabularies and keys → the terms that should exist, named without clashes, three-way checked.

Pure. The snapshot (a `TwoSided`) carries, per vocabulary and key, its source name and definition, and observes
every term of the target glossary (name, definition, status, parent, assignments), with the names already taken.

- **Names**: a term keeps the name the app gave it while its source name is unchanged (so a numeric suffix, once
  given, stays); a new or renamed source takes its name, or — when another term of the glossary has it — the
  first free `<name> 2`, `<name> 3`, … (the product's clash rule). Decided in key order, so twice the same.
- **Conflicts**: name, definition and status are compared three ways (sync/core/twoway.py); the parent is
  structure and always follows CluedIn.
- **Deletes**: a term whose vocabulary or key is gone is deleted, except while entities are assigned to it (then
  it is reported each cycle). Children are deleted before their parent.
- **Order**: each vocabulary's term, then its keys' terms, so one queue message — a bulk call per level — holds a
  vocabulary with its keys (`message_group`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sync.core.messages import Change, ChangeKind
from sync.core.state import SyncObject
from sync.core.twoway import WRITTEN, ConflictPolicy, PairSpec, Planned, TwoSided, plan_pairs, two_sided
from sync.features.vocabularies_to_glossary.api import origin_of
from sync.features.vocabularies_to_glossary.target import GLOSSARY_ROW, ROOT_ROW
from sync.features.vocabularies_to_glossary.texts import suffixed

FIELDS = ("name", "longDescription", "status")
ANCHOR_ROWS = (GLOSSARY_ROW, ROOT_ROW)


def _level(key: str) -> int:
    return 1 if key.startswith("vocab|") else 2


def assign_names(snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject]) -> dict[str, str]:
    """The name each desired term gets (existing names kept; new ones suffixed past names already taken)."""
    desired = two_sided(snapshot)
    taken: dict[str, str | None] = {n.lower(): g for n, g in (desired.context.get("names") or {}).items()}
    names: dict[str, str] = {}
    fresh: list[str] = []
    for key in sorted(desired):
        row = state.get(key)
        guid = str(row.target.get("guid")) if row is not None and row.target.get("guid") else None
        alive = guid is not None and guid in desired.observed
        kept = str((row.data.get(WRITTEN) or {}).get("name") or "") if row is not None else ""
        if alive and kept and row is not None and row.data.get("base") == desired[key]["base"]:
            names[key] = kept
            taken[kept.lower()] = guid
        else:
            fresh.append(key)
    tried: dict[str, int] = {}  # base → the highest suffix already found taken (many keys share names like 'id')
    for key in fresh:
        row = state.get(key)
        own = str(row.target.get("guid")) if row is not None and row.target.get("guid") else None
        base = str(desired[key]["base"])
        candidate = base
        if taken.get(base.lower(), own) != own:
            number = tried.get(base.lower(), 1) + 1  # every lower suffix is taken already
            while taken.get(suffixed(base, number).lower(), own) != own:
                number += 1
            candidate = suffixed(base, number)
            tried[base.lower()] = number
        names[key] = candidate
        taken[candidate.lower()] = own or f"new:{key}"
    return names


def plan_terms(
    snapshot: Mapping[str, dict[str, Any]],
    state: Mapping[str, SyncObject],
    policy: ConflictPolicy,
    make: Callable[[ChangeKind, str, dict[str, Any], str], Change],
) -> Planned:
    """Creates, updates and deletes of the vocabulary and key terms, vocabulary by vocabulary."""
    desired = two_sided(snapshot)
    terms = {k: v for k, v in state.items() if k not in ANCHOR_ROWS}
    adopted = adopt_marked_terms(desired, terms)
    names = assign_names(desired, terms)
    root_guid = desired.context.get("root_guid")
    shaped = TwoSided(
        {
            key: {
                **{k: v for k, v in entry.items() if k not in ("definition", "status")},
                "values": {"name": names[key], "longDescription": entry["definition"], "status": entry["status"]},
            }
            for key, entry in desired.items()
        },
        observed=desired.observed,
        complete=desired.complete,
        context=desired.context,
    )

    def parent_guid(entry: dict[str, Any]) -> str | None:
        parent = entry.get("parent")
        if parent == ROOT_ROW:
            return str(root_guid) if root_guid else None
        row = terms.get(str(parent)) if parent else None
        return str(row.target.get("guid")) if row is not None and row.target.get("guid") else None

    def structure(key: str, entry: dict[str, Any], row: SyncObject, now: dict[str, Any]) -> dict[str, Any]:
        expected = parent_guid(entry)
        if entry.get("parent") and expected is None:
            return {}  # the parent is being created; it will be set when it exists
        return {"parent": expected} if now.get("parent") != expected else {}

    def protect(row: SyncObject, now: dict[str, Any] | None) -> str:
        assigned = int((now or {}).get("assigned") or 0)
        return f"{assigned} entities are assigned to it" if assigned else ""

    spec = PairSpec(
        fields=lambda key: FIELDS,
        target_id=lambda row: str(row.target.get("guid") or "") or None,
        label=lambda key, entry: str(entry.get("label") or key),
        target_side="Purview",
        structure=structure,
        protect=protect,
    )
    planned = keep_parents_of_remaining_terms(plan_pairs(shaped, terms, spec, policy, make), terms, shaped.observed)
    planned = record_adoptions(planned, adopted, shaped, make)

    def order(change: Change) -> tuple[int, str, int, str]:
        if change.kind == ChangeKind.DELETE:
            return (1, str(change.desired.get("group") or ""), -_level(change.key), change.key)
        return (0, str(change.desired.get("group") or ""), _level(change.key), change.key)

    return Planned(sorted(planned, key=order), conflicts=planned.conflicts, notes=planned.notes)


def adopt_marked_terms(desired: TwoSided, terms: dict[str, SyncObject]) -> dict[str, str]:
    """Terms that carry a source's resource link but have no state row: taken back instead of created again.

    That happens when state was lost. Adds a row for each to `terms`; returns key → guid.
    """
    by_origin: dict[str, str] = desired.context.get("origins") or {}
    claimed = {str(r.target.get("guid")) for r in terms.values() if r.target.get("guid")}
    adopted: dict[str, str] = {}
    for key, entry in sorted(desired.items()):
        row = terms.get(key)
        link = origin_of(str(desired.context.get("cluedin_url") or ""), key, str(entry.get("group")))
        guid = by_origin.get(link["url"])
        if guid is None or guid in claimed or (row is not None and row.target.get("guid")):
            continue
        now = desired.observed.get(guid) or {}
        written = {f: now.get(f) for f in FIELDS}
        terms[key] = SyncObject("", key, target={"guid": guid}, data={"written": written}, status="active")
        claimed.add(guid)
        adopted[key] = guid
    return adopted


def record_adoptions(
    planned: Planned,
    adopted: Mapping[str, str],
    shaped: TwoSided,
    make: Callable[[ChangeKind, str, dict[str, Any], str], Change],
) -> Planned:
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


def keep_parents_of_remaining_terms(
    planned: Planned, terms: Mapping[str, SyncObject], observed: Mapping[str, dict[str, Any]]
) -> Planned:
    """Drop deletes of terms that still have child terms after this plan (Purview refuses them), with a note."""
    guid_of = {key: str(row.target.get("guid") or "") for key, row in terms.items()}
    leaving = {guid_of.get(c.key) for c in planned if c.kind == ChangeKind.DELETE}
    children: dict[str, list[str]] = {}
    for guid, values in observed.items():
        if values.get("parent"):
            children.setdefault(str(values["parent"]), []).append(guid)
    kept = Planned(conflicts=planned.conflicts, notes=planned.notes)
    for change in planned:
        remaining = [g for g in children.get(guid_of.get(change.key) or "", []) if g not in leaving]
        if change.kind == ChangeKind.DELETE and remaining:
            label = change.desired.get("label") or change.key
            kept.notes.append(f"kept {label}: {len(remaining)} terms below it remain")
            continue
        kept.append(change)
    return kept
