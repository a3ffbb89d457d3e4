"""F7 plans in bounded memory: the streamed plan equals the whole-mapping plan on the same estate (issue 17).

The full cycle pairs the Purview terms, made one at a time in storage order, with state rows read in the same
order (`plan_ordered`); targeted runs, rollback and the operator tools use `plan` over whole mappings. Both must
decide the same changes, conflicts and notes, whatever mix of new, unchanged, edited, refused, orphaned and gone
objects the estate holds, under each conflict policy.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from sync.core.diff import merge_ordered, storage_order
from sync.core.messages import Change, ChangeKind
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.core.twoway import WRITTEN, ConflictPolicy, TwoSided
from sync.features.glossary_to_cluedin_glossary.feature import (
    GlossaryToCluedInGlossaryFeature,
    desired_terms,
    ordered_terms,
)
from sync.features.glossary_to_cluedin_glossary.settings import GlossaryToCluedInGlossarySettings
from sync.services.purview.glossary import Glossary, GlossaryListing, GlossaryTerm

KIND = GlossaryToCluedInGlossaryFeature.object_kind


def estate(seed: int) -> tuple[GlossaryListing, set[str], list[SyncObject], dict[str, dict[str, Any]]]:
    """A listing of two glossaries (with child terms), terms from CluedIn to skip, state rows, CluedIn's terms."""
    rng = random.Random(seed)
    glossaries = [Glossary(f"g{n}", f"Glossary {n}") for n in range(2)]
    listing = GlossaryListing(glossaries=glossaries)
    for n in range(120):
        glossary = glossaries[n % 2]
        parents = [t.guid for t in listing.terms.values() if t.glossary_guid == glossary.guid and not t.parent_guid]
        parent = rng.choice(parents) if parents and rng.random() < 0.4 else None
        guid = f"{rng.getrandbits(64):016x}-{n}"
        listing.terms[guid] = GlossaryTerm(
            guid, f"Term {n}", glossary.guid, glossary.name, parent, short_description=f"short {n}"
        )
    skip = set(rng.sample(sorted(listing.terms), 6))
    desired = desired_terms(listing, skip, GlossaryToCluedInGlossarySettings())
    rows: list[SyncObject] = []
    observed: dict[str, dict[str, Any]] = {}
    for index, (key, entry) in enumerate(sorted(desired.items())):
        fate = index % 8
        if fate == 0:
            continue  # new
        values = dict(entry["values"])
        written = dict(values)
        now = dict(values, categoryId=f"cat-{entry['category']}")
        if fate == 2:
            written["description"] = "an older description"  # the source changed: an update
            now["description"] = "an older description"
        elif fate == 3:
            now["name"] = "renamed in CluedIn"  # a target-side edit (or a conflict, with fate 4)
        elif fate == 4:
            written["shortDescription"] = "older"
            now["shortDescription"] = "edited in CluedIn"
        elif fate == 5:
            now["categoryId"] = "moved elsewhere"  # structure the app enforces
        target_id = f"t-{index}"
        status = "orphaned" if fate == 6 else "active"
        data: dict[str, Any] = {"label": entry["label"], WRITTEN: written}
        if fate == 7 and index % 16 == 7:
            status = "failed"
            data["failed_change"] = "a fingerprint of another create"
        if not (fate == 1 and index % 3 == 0):  # some were deleted in CluedIn: re-created
            observed[target_id] = now
        rows.append(SyncObject(KIND, key, target={"id": target_id}, data=data, status=status))
    for n in range(5):  # terms gone from Purview
        key = f"term|gone-{n}"
        written = {"name": f"Gone {n}", "shortDescription": "", "description": ""}
        rows.append(
            SyncObject(KIND, key, target={"id": f"g-{n}"}, data={"label": key, WRITTEN: written}, status="active")
        )
        if n % 2:
            observed[f"g-{n}"] = written
    return listing, skip, rows, observed


def seen_of(observed: dict[str, dict[str, Any]], complete: bool, desired: dict[str, Any] | None = None) -> TwoSided:
    categories = {"Glossary 0": "cat-Glossary 0", "Glossary 1": "cat-Glossary 1"}
    return TwoSided(desired or {}, observed=observed, complete=complete, context={"categories": categories})


def described(changes: list[Change]) -> list[tuple[str, str, str, str]]:
    return sorted((str(c.kind), c.key, c.fingerprint, c.summary) for c in changes)


@pytest.mark.parametrize("policy", list(ConflictPolicy))
@pytest.mark.parametrize("complete", [True, False])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_streamed_plan_equals_the_whole_plan(policy: ConflictPolicy, complete: bool, seed: int) -> None:
    listing, skip, rows, observed = estate(seed)
    settings = Settings({"SYNC_GLOSSARY_CONFLICT_POLICY": str(policy)})
    feature = GlossaryToCluedInGlossaryFeature()
    f7 = GlossaryToCluedInGlossarySettings()

    whole = feature.plan(
        seen_of(observed, complete, desired_terms(listing, skip, f7)), {r.key: r for r in rows}, settings
    )
    ordered_rows = sorted(rows, key=lambda r: storage_order(r.key))
    pairs = merge_ordered(ordered_terms(listing, skip, f7), ordered_rows)
    streamed = feature.plan_ordered(pairs, settings, seen=seen_of(observed, complete))
    changes = list(streamed)

    assert described(changes) == described(list(whole))
    assert sorted(c.text for c in streamed.conflicts) == sorted(c.text for c in whole.conflicts)
    assert sorted(streamed.notes) == sorted(whole.notes)
    kinds = {c.kind for c in changes}
    assert {ChangeKind.CREATE, ChangeKind.UPDATE, ChangeKind.DELETE} <= kinds  # the estate exercises every path
    assert whole.conflicts  # …and the conflict policy
    if complete:
        assert any("re-creating it" in note for note in whole.notes)


def test_only_creates_carry_the_rule_set_and_the_terms_are_made_lazily() -> None:
    listing, skip, _rows, observed = estate(3)
    f7 = GlossaryToCluedInGlossarySettings()
    made = ordered_terms(listing, skip, f7)
    first_key, first = next(made)  # a generator: nothing beyond what was drawn is built
    assert first_key == min((f"term|{g}" for g in listing.terms if g not in skip), key=storage_order)
    assert "rule_set" not in first
    settings = Settings({})
    plan = GlossaryToCluedInGlossaryFeature().plan(
        seen_of(observed, True, desired_terms(listing, skip, f7)), {}, settings
    )
    assert plan and all(c.kind == ChangeKind.CREATE and c.desired["rule_set"]["condition"] for c in plan)
