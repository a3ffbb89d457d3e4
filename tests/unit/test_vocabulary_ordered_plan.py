"""F6 plans in bounded memory: a vocabulary's keys at a time, the same decisions as from whole mappings (issue 17).

The full cycle pairs the desired vocabularies and keys, made one at a time in storage order (`Choice.ordered`),
with state rows read in the same order; targeted runs, rollback and the operator tools plan from whole mappings.
Both must decide the same changes, conflicts and notes — including the names that need a suffix because two terms
reduce to the same prefix or key name, names kept from state after a rename, rows of the state layout of before,
and every mix of new, unchanged, edited, refused, orphaned and gone objects — under each conflict policy.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from sync.core.diff import merge_ordered, storage_order
from sync.core.messages import Change, ChangeKind
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.core.twoway import WRITTEN, ConflictPolicy, TwoSided
from sync.features.glossary_to_vocabularies.api import term_keys
from sync.features.glossary_to_vocabularies.feature import GlossaryToVocabulariesFeature
from sync.features.glossary_to_vocabularies.migrate import moved_key
from sync.features.glossary_to_vocabularies.select import KEY, LEGACY_KEY, child_guid, choose, is_vocabulary, key_key
from sync.features.glossary_to_vocabularies.settings import GlossaryToVocabulariesSettings
from sync.services.purview.glossary import Glossary, GlossaryListing, GlossaryTerm

KIND = GlossaryToVocabulariesFeature.object_kind
VOCAB = {"CluedIn Template": {"CluedInVocab": True}}
F6 = GlossaryToVocabulariesSettings()


def listing_of(seed: int) -> tuple[GlossaryListing, set[str]]:
    """Vocabulary terms (some reducing to one prefix), child terms (some reducing to one key name), others."""
    rng = random.Random(seed)
    glossary = Glossary("g", "Glossary")
    listing = GlossaryListing(glossaries=[glossary])

    def add(name: str, parent: str | None, templates: dict[str, Any]) -> str:
        guid = f"{rng.getrandbits(48):012x}-{len(listing.terms)}"
        listing.terms[guid] = GlossaryTerm(guid, name, "g", "Glossary", parent, templates=templates)
        return guid

    for n in range(24):
        name = ("Cust omer", "Customer", "Cüstomer")[n % 3] if n < 6 else f"Vocabulary {n}"
        vocabulary = add(name, None, VOCAB if n % 7 != 6 else {})  # every seventh does not pass the filter
        for c in range(rng.randrange(0, 9)):
            child = ("E-mail", "Email", "e mail")[c % 3] if c < 3 and n % 2 else f"Key {c}"
            add(child, vocabulary, {})
    skip = set(rng.sample(sorted(listing.terms), 5))
    return listing, skip


def first_rows(listing: GlossaryListing, skip: set[str]) -> list[SyncObject]:
    """The state rows a first cycle leaves: every planned create applied."""
    plan = GlossaryToVocabulariesFeature().plan(TwoSided(choose(listing, skip, F6).desired()), {}, Settings({}))
    rows = []
    for index, change in enumerate(plan):
        desired = change.desired
        if is_vocabulary(change.key):
            target = {"vocabularyId": f"v-{index}", "keyPrefix": desired["key_prefix"]}
        else:
            target = {"vocabularyKeyId": f"k-{index}", "key": desired["key"], "name": desired["name"]}
        data = {"label": desired["label"], "group": desired["group"], "parent": desired.get("parent")}
        data[WRITTEN] = dict(desired["values"])
        rows.append(SyncObject(KIND, change.key, target=target, data=data, status="active", fingerprint="f"))
    return rows


def estate(seed: int) -> tuple[GlossaryListing, set[str], list[SyncObject], dict[str, dict[str, Any]]]:
    """A glossary a while after its first sync: renamed, edited and removed terms, rows of every kind."""
    listing, skip = listing_of(seed)
    rows = first_rows(listing, skip)
    rng = random.Random(seed)
    observed: dict[str, dict[str, Any]] = {}
    kept: list[SyncObject] = []
    for index, row in enumerate(rows):
        fate = index % 9
        written = row.data[WRITTEN]
        now = dict(written)
        if fate == 0 and index % 2:
            continue  # lost: planned as new, its name chosen again
        if fate == 1:
            written["description"] = "older"  # the source changed: an update
            now["description"] = "older"
        elif fate == 2:
            now["description"] = "edited in CluedIn"  # a target-side edit
        elif fate == 3:
            written["description"] = "older"
            now["description"] = "edited too"  # a conflict
        elif fate == 4:
            row.status = "orphaned"
        elif fate == 5 and not is_vocabulary(row.key):
            row.key = f"key|{row.key.rpartition('|')[2]}"  # the layout of before
        elif fate == 6:
            row.status = "failed"
            row.data["failed_change"] = "another create"
        tid = row.target.get("vocabularyId") or row.target.get("vocabularyKeyId")
        if fate != 7:
            observed[str(tid)] = now  # fate 7: deleted in CluedIn
        kept.append(row)
    for term in rng.sample([t for t in listing.terms.values() if t.guid not in skip], 6):
        del listing.terms[term.guid]  # removed from Purview: their rows are gone (vocabulary rows with their keys)
    for guid, term in list(listing.terms.items())[:4]:
        listing.terms[guid] = GlossaryTerm(guid, f"{term.name} renamed", "g", "Glossary", term.parent_guid,
                                           templates=term.templates)  # fmt: skip
    return listing, skip, kept, observed


def described(changes: list[Change]) -> list[tuple[str, str, str, str]]:
    return sorted((str(c.kind), c.key, c.fingerprint, c.summary) for c in changes)


@pytest.mark.parametrize("policy", list(ConflictPolicy))
@pytest.mark.parametrize("complete", [True, False])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_streamed_plan_equals_the_whole_plan(policy: ConflictPolicy, complete: bool, seed: int) -> None:
    listing, skip, rows, observed = estate(seed)
    settings = Settings({"SYNC_GLOSSARY_CONFLICT_POLICY": str(policy)})
    feature = GlossaryToVocabulariesFeature()
    choice = choose(listing, skip, F6)

    whole = feature.plan(TwoSided(choice.desired(), observed=observed, complete=complete), {r.key: r for r in rows},
                         settings)  # fmt: skip
    pairs = merge_ordered(choice.ordered(), sorted(rows, key=lambda r: storage_order(r.key)))
    streamed = feature.plan_ordered(pairs, settings, seen=TwoSided(observed=observed, complete=complete))
    changes = list(streamed)

    assert described(changes) == described(list(whole))
    assert sorted(c.text for c in streamed.conflicts) == sorted(c.text for c in whole.conflicts)
    assert sorted(streamed.notes) == sorted(whole.notes)
    assert {ChangeKind.CREATE, ChangeKind.UPDATE, ChangeKind.DELETE} <= {c.kind for c in changes}
    assert whole.conflicts and any("state layout of before" in note for note in whole.notes)
    # A vocabulary's changes are side by side, the vocabulary's first (they share a message).
    runs: list[list[Change]] = []
    for change in (c for c in changes if c.kind != ChangeKind.DELETE):
        if runs and runs[-1][0].desired["group"] == change.desired["group"]:
            runs[-1].append(change)
        else:
            runs.append([change])
    assert len(runs) == len({run[0].desired["group"] for run in runs})
    assert all(not is_vocabulary(c.key) for run in runs for c in run[1:])


def test_names_are_unique_kept_from_state_and_suffixed_by_guid() -> None:
    listing, skip = listing_of(4)
    plan = GlossaryToVocabulariesFeature().plan(TwoSided(choose(listing, skip, F6).desired()), {}, Settings({}))
    prefixes = [c.desired["key_prefix"] for c in plan if is_vocabulary(c.key)]
    assert len({p.lower() for p in prefixes}) == len(prefixes)
    assert {p for p in prefixes if p.startswith("purview.Customer")} >= {"purview.Customer"}
    assert any(p.startswith("purview.Customer_") for p in prefixes)  # 'Cust omer', 'Cüstomer' told apart
    for group in {c.desired["group"] for c in plan}:
        names = [c.desired["name"] for c in plan if not is_vocabulary(c.key) and c.desired["group"] == group]
        assert len({n.lower() for n in names}) == len(names)
    rows = first_rows(listing, skip)
    for guid, term in list(listing.terms.items()):
        listing.terms[guid] = GlossaryTerm(guid, f"Renamed {term.name}", "g", "Glossary", term.parent_guid,
                                           templates=term.templates)  # fmt: skip
    again = GlossaryToVocabulariesFeature().plan(
        TwoSided(choose(listing, skip, F6).desired()), {r.key: r for r in rows}, Settings({})
    )
    assert again and all(c.kind == ChangeKind.UPDATE for c in again)  # names and prefixes kept: no re-create
    assert {c.desired.get("key_prefix") for c in again if is_vocabulary(c.key)} <= set(prefixes)


def test_the_ordered_desired_side_is_in_storage_order_and_made_lazily() -> None:
    listing, skip = listing_of(5)
    choice = choose(listing, skip, F6)
    keys = [key for key, _ in choice.ordered()]
    assert keys == sorted(keys, key=storage_order) and set(keys) == set(choice.desired())
    assert keys[0].startswith("vocab|") and keys[-1].startswith("word|")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rows_of_the_layout_of_before_plan_as_they_will_once_moved(seed: int) -> None:
    """A dry-run before the set-up moved the rows must show what the cycle after it does: names kept from the
    rows of before, new siblings named around them, a child moved to another vocabulary made there (CluedIn keys
    cannot move) with its old key gone."""
    listing, skip, rows, observed = estate(seed)
    choice = choose(listing, skip, F6)
    with_children = [v for v in choice.vocabularies if choice.children.get(v.guid)]
    child = choice.children[with_children[0].guid][0]
    listing.terms[child.guid] = replace(child, parent_guid=with_children[1].guid)
    desired = choose(listing, skip, F6).desired()
    after = [replace(r, key=moved_key(r) or r.key) for r in rows]
    before = [replace(r, key=f"{LEGACY_KEY}{child_guid(r.key)}") if r.key.startswith(KEY) else r for r in after]
    feature, settings = GlossaryToVocabulariesFeature(), Settings({})

    planned_after = feature.plan(TwoSided(desired, observed=observed, complete=True), {r.key: r for r in after},
                                 settings)  # fmt: skip
    planned_before = feature.plan(TwoSided(desired, observed=observed, complete=True), {r.key: r for r in before},
                                  settings)  # fmt: skip

    assert described(list(planned_before)) == described(list(planned_after))
    assert sorted(n for n in planned_before.notes if "layout of before" not in n) == sorted(planned_after.notes)
    moved_to = key_key(with_children[1].guid, child.guid)
    assert any(c.key == moved_to and c.kind == ChangeKind.CREATE for c in planned_after)
    assert any(c.key == key_key(with_children[0].guid, child.guid) and c.kind == ChangeKind.DELETE
               for c in planned_after)  # fmt: skip


def test_a_moved_child_term_is_mapped_to_the_key_written_last() -> None:
    """While the fail-safe holds back the orphan mark of a moved child's old key, both rows are active: auto-mapping
    must use the key made where the term is now (a fake state: `term_keys` only iterates rows)."""

    class Rows:
        def iter_objects(self, kind: str, **_: Any) -> list[SyncObject]:
            def key_row(vocabulary: str, day: int) -> SyncObject:
                target = {"vocabularyKeyId": f"k-{vocabulary}", "key": f"purview.{vocabulary}.Email", "name": "Email"}
                return SyncObject(kind, key_key(vocabulary, "c"), target=target, status="active",
                                  updated_at=datetime(2026, 12, day, tzinfo=UTC))  # fmt: skip

            return [key_row("a", 5), key_row("b", 1)]  # storage order: 'a' first, yet written last

    assert term_keys(Rows())["c"].key == "purview.a.Email"  # type: ignore[arg-type]
