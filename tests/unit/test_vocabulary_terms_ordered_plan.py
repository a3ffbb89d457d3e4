"""F5 plans in bounded memory: the streamed plan equals the whole-mapping plan on the same estate (issue 17).

The full cycle settles names in a first pass over every vocabulary and its row, then plans one vocabulary at a
time as the engine streams them (`plan_ordered`); rollback and the operator tools plan from whole mappings
(`plan`). Both must decide the same changes, conflicts and notes — names chosen across the glossary, terms taken
back after lost state, key deletes judged by the fail-safe across vocabularies, parents kept while terms remain
below them — under each conflict and delete policy.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from sync.core.diff import merge_ordered, storage_order
from sync.core.messages import Change
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.core.twoway import ConflictPolicy, TwoSided
from sync.features.vocabularies_to_glossary.api import origin_of
from sync.features.vocabularies_to_glossary.bundles import members
from sync.features.vocabularies_to_glossary.feature import VocabulariesToGlossaryFeature
from sync.features.vocabularies_to_glossary.plan import settle_names

URL = "http://cluedin.test"
BASES = ["id", "name", "Customer", "customer", "email", "id 2", "Name 2", "Order", "Customer 2"]
FEATURE = VocabulariesToGlossaryFeature()


class Estate:
    """A random glossary: foreign terms, F5's terms (edited, deleted, lost), vocabulary rows in every state."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.count = 0
        self.observed: dict[str, dict[str, Any]] = {}
        self.names: dict[str, str] = {}
        self.origins: dict[str, str] = {}
        self.desired: dict[str, dict[str, Any]] = {}
        self.state: dict[str, SyncObject] = {}
        self.root = self.term("CluedIn-acme", None)
        for _ in range(self.rng.randint(2, 6)):
            self.term(self.rng.choice(BASES), None, status="Draft")
        for _ in range(self.rng.randint(2, 9)):
            self.vocabulary(f"{self.rng.getrandbits(32):08x}")
        self.state["glossary"] = SyncObject("k", "glossary", target={"guid": "gl"}, status="active")
        self.state["root"] = SyncObject("k", "root", target={"guid": self.root}, status="active")

    def term(self, name: str, parent: str | None, **values: Any) -> str:
        """A term of the glossary (a clashing name gets the next number, as Purview would not take it)."""
        self.count += 1
        guid = f"g{self.rng.getrandbits(40):010x}{self.count}"
        while name in self.names:
            name = f"{name} x"
        now = {"name": name, "longDescription": "", "status": "Approved", "parent": parent, "assigned": 0}
        self.observed[guid] = {**now, **values}
        self.names[name] = guid
        return guid

    def vocabulary(self, vid: str) -> None:
        rng = self.rng
        fate = rng.random()
        wanted, with_row = fate > 0.12, fate < 0.85
        vkey = f"vocab|{vid}"
        entries = {vkey: self.entry(vkey, vid, "root")}
        for _ in range(rng.randint(0, 7)):
            key = f"key|{rng.getrandbits(32):08x}"
            entries[key] = self.entry(key, vid, vkey)
        gone = [f"key|gone{rng.getrandbits(24):06x}" for _ in range(rng.randint(1, 3) if rng.random() < 0.3 else 0)]
        fields: dict[str, dict[str, Any]] = {}
        vguid = self.root
        for key in [*entries, *gone]:
            entry = entries.get(key)
            base = entry["base"] if entry else rng.choice(BASES)
            chance = rng.random()
            if with_row and chance < 0.8:
                fields[key] = self.member(key, vid, base, entry, vguid)
                vguid = fields[key]["guid"] or vguid if key == vkey else vguid
            elif chance < 0.9 and entry is not None and wanted:  # state lost; the term links to its source
                guid = self.term(base, self.root, longDescription="lost")
                self.origins[origin_of(URL, key, vid)["url"]] = guid
            if entry is not None and wanted:
                self.desired[key] = entry
        if not fields:
            return
        own = fields.pop(vkey, None)
        data: dict[str, Any] = {"keys": {k[4:]: v for k, v in fields.items()}, "group": vid}
        row = SyncObject("k", vkey, data=data)
        if own is not None:
            row.target, row.status, row.fingerprint = {"guid": own.pop("guid")}, own.pop("status"), own.pop("fp")
            data.update(own)
        self.state[vkey] = row

    def entry(self, key: str, vid: str, parent: str) -> dict[str, Any]:
        base = self.rng.choice([*BASES, f"Vocabulary {vid}"])
        entry = {"base": base, "definition": f"text of {key}", "status": "Approved", "parent": parent}
        return {**entry, "group": vid, "label": f"term of {key}"}

    def member(self, key: str, vid: str, base: str, entry: dict[str, Any] | None, parent: str) -> dict[str, Any]:
        """A term's fields in its vocabulary's row, and (mostly) the term in Purview, edited or not."""
        rng = self.rng
        name = base if rng.random() < 0.6 else f"{base} {rng.randint(2, 4)}"
        written = {"name": name, "longDescription": (entry or {}).get("definition", "old"), "status": "Approved"}
        guid = f"dead{rng.getrandbits(32):08x}"
        if rng.random() < 0.88 and name not in self.names:
            edit = rng.choice([{}] * 8 + [{"name": f"edited {self.count}"}, {"longDescription": "edited"}])
            elsewhere = rng.choice(list(self.observed)) if rng.random() < 0.05 else parent
            now = {**written, **edit, "assigned": rng.choice([0] * 9 + [3])}
            guid = self.term(now.pop("name"), elsewhere, **now)
            if rng.random() < 0.9:
                self.origins[origin_of(URL, key, vid)["url"]] = guid
            if rng.random() < 0.07:
                self.term(f"child of {guid}", guid, status="Draft")  # someone's term below it
        status = rng.choice(["active"] * 8 + ["orphaned", "failed", "pending"])
        fields = {
            "guid": "" if rng.random() < 0.05 else guid,
            "base": base if rng.random() < 0.85 else f"old {base}",
            "written": written,
            "status": status,
            "fp": f"fp{rng.getrandbits(16)}",
            "label": (entry or {}).get("label") or key,
        }
        if status == "failed":
            fields |= {"failed_change": "an earlier change", "error": "refused"}
        return fields

    def seen(self) -> TwoSided:
        context = {"names": self.names, "origins": self.origins, "root_guid": self.root, "cluedin_url": URL}
        return TwoSided(self.desired, observed=self.observed, complete=True, context=context)


def streamed(whole: TwoSided, state: dict[str, SyncObject], settings: Settings) -> tuple[list[Change], Any]:
    """As the full cycle plans: names settled in a first walk, then the engine's pairs planned as they come.

    The desired terms come a vocabulary at a time in storage order, as the snapshot streams them.
    """
    groups: dict[str, dict[str, Any]] = {}
    for key, entry in whole.items():
        groups.setdefault(f"vocab|{entry['group']}", {})[key] = entry

    def vocabularies() -> Iterator[tuple[str, dict[str, Any]]]:
        return iter(sorted(groups.items(), key=lambda item: storage_order(item[0])))

    rows = sorted(state.values(), key=lambda row: storage_order(row.key))
    seen = TwoSided(observed=whole.observed, complete=True, context=dict(whole.context))
    seen.context["naming"] = settle_names(merge_ordered(vocabularies(), rows), seen)
    plan = FEATURE.plan_ordered(merge_ordered(vocabularies(), rows), settings, seen=seen)
    return list(plan), plan


def shown(changes: list[Change]) -> list[str]:
    return sorted(json.dumps([c.kind, c.key, c.desired, c.fingerprint, c.summary], sort_keys=True) for c in changes)


@pytest.mark.parametrize("policy", list(ConflictPolicy))
@pytest.mark.parametrize("deletes", ["soft-delete", "retain"])
def test_the_streamed_plan_is_the_whole_plan(policy: ConflictPolicy, deletes: str) -> None:
    planned = 0
    for seed in range(60):
        for percent in ("20", "100"):
            values = {"SYNC_GLOSSARY_CONFLICT_POLICY": policy.value, "SYNC_DELETE_POLICY": deletes}
            settings = Settings({**values, "SYNC_DELETE_FAILSAFE_PERCENT": percent})
            estate = Estate(seed)
            whole = FEATURE.plan(estate.seen(), dict(estate.state), settings)
            again = Estate(seed)
            changes, plan = streamed(again.seen(), again.state, settings)
            assert shown(changes) == shown(list(whole)), seed
            assert sorted(c.text for c in plan.conflicts) == sorted(c.text for c in whole.conflicts), seed
            assert sorted(plan.notes) == sorted(whole.notes), seed
            planned += len(changes)
    assert planned > 500  # the estates are not trivially empty


def test_new_names_follow_key_order_across_the_glossary_not_the_order_vocabularies_stream() -> None:
    """Keys of two vocabularies want 'id': the lower key gets it wherever its vocabulary sorts."""
    entry: dict[str, Any] = {"definition": "d", "status": "Approved", "label": "l"}
    desired: dict[str, dict[str, Any]] = {
        "vocab|b": {**entry, "base": "B", "group": "b", "parent": None},
        "key|1": {**entry, "base": "id", "group": "b", "parent": "vocab|b"},
        "vocab|a": {**entry, "base": "A", "group": "a", "parent": None},
        "key|2": {**entry, "base": "id", "group": "a", "parent": "vocab|a"},
    }
    seen = TwoSided(desired, complete=True, context={"names": {"ID": "someone-elses"}})
    changes, _ = streamed(seen, {}, Settings({}))
    names = {m.key: m.desired["values"]["name"] for c in changes for m in members(c)}
    assert names == {"vocab|a": "A", "vocab|b": "B", "key|1": "id 2", "key|2": "id 3"}


def test_a_term_not_settled_in_the_first_pass_takes_its_source_name() -> None:
    """A row an applier wrote between the two reads: the plan names the term after its source (the applier gives
    it the next free suffix should another term hold that name)."""
    entry = {"definition": "d", "status": "Approved", "label": "l", "group": "a", "parent": None}
    seen = TwoSided({"vocab|a": {**entry, "base": "A"}}, complete=True, context={"names": {"a": "theirs"}})
    seen.context["naming"] = settle_names((), seen)  # the first pass saw nothing
    plan = FEATURE.plan_ordered([("vocab|a", dict(seen), None)], Settings({}), seen=seen)
    [change] = list(plan)
    assert members(change)[0].desired["values"]["name"] == "A"
