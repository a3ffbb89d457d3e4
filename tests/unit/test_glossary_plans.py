"""The glossary features' pure parts: clash suffixes, vocabulary bundles, F6's filters and names CluedIn accepts."""

from __future__ import annotations

from typing import Any

import pytest

from sync.core.messages import Change, ChangeKind
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.core.twoway import Planned, TwoSided
from sync.features.glossary_to_vocabularies.select import passes, segment
from sync.features.glossary_to_vocabularies.settings import GlossaryToVocabulariesSettings
from sync.features.vocabularies_to_glossary.bundles import bundle, explode, fold, members
from sync.features.vocabularies_to_glossary.plan import assign_names
from sync.services.purview.glossary import GlossaryTerm


def make(kind: ChangeKind, key: str, desired: dict[str, Any], summary: str) -> Change:
    return Change(feature="f", object_kind="k", key=key, kind=kind, desired=desired, summary=summary)


def test_clashing_names_take_the_first_free_suffix_and_keep_it():
    desired = TwoSided(
        {f"key|{v}": {"base": "id"} for v in ("a", "b", "c")} | {"key|d": {"base": "name"}},
        observed={"t-user": {}, "t-a": {}},
        context={"names": {"id": "t-user", "id 3": "t-other", "id 2": "t-a"}},
    )
    state = {
        "key|a": SyncObject("k", "key|a", target={"guid": "t-a"}, data={"base": "id", "written": {"name": "id 2"}})
    }
    names = assign_names(desired, state)
    assert names == {"key|a": "id 2", "key|b": "id 4", "key|c": "id 5", "key|d": "name"}


def member(kind: ChangeKind, key: str, group: str = "v", **desired: Any) -> Change:
    return make(kind, key, {"group": group, "label": key, **desired}, f"{kind.value} {key}")


def engine(**values: str) -> Any:
    return Settings(values).engine


def test_a_vocabulary_and_its_keys_are_one_change_split_only_when_too_big():
    planned = Planned([member(ChangeKind.CREATE, "vocab|v", values={"longDescription": "x"})])
    planned += [member(ChangeKind.CREATE, f"key|{i}", values={"longDescription": "y" * 400}) for i in range(150)]
    changes = bundle(planned, {}, engine(), make, owned_terms=0)
    assert [(c.kind.value, c.key) for c in changes] == [("create", "vocab|v"), ("update", "vocab|v|2")]
    assert members(changes[0])[0].key == "vocab|v" and changes[0].summary.startswith("create vocab|v (+")
    assert sum(len(members(c)) for c in changes) == 151


def test_key_deletes_follow_the_delete_policy_and_the_fail_safe():
    state = {"vocab|v": SyncObject("k", "vocab|v", status="active")}
    planned = Planned([member(ChangeKind.DELETE, "key|1"), member(ChangeKind.DELETE, "key|2")])
    retained = bundle(planned, state, engine(), make, owned_terms=100)
    assert [m.desired.get("orphan") for m in members(retained[0])] == [True, True]
    soft = bundle(planned, state, engine(SYNC_DELETE_POLICY="soft-delete"), make, owned_terms=100)
    assert [m.kind for m in members(soft[0])] == [ChangeKind.DELETE, ChangeKind.DELETE]
    refused = bundle(planned, state, engine(SYNC_DELETE_POLICY="soft-delete"), make, owned_terms=5)
    assert list(refused) == [] and refused.notes[0].startswith("key terms not deleted: refused to delete 2 of 5")
    gone = bundle(Planned([*planned, member(ChangeKind.DELETE, "vocab|v")]), state, engine(), make, owned_terms=5)
    assert [c.kind for c in gone] == [ChangeKind.DELETE]  # a vanished vocabulary is the engine's to delete


def test_explode_and_fold_round_trip_a_vocabulary_row():
    row = SyncObject(
        "k",
        "vocab|v",
        target={"guid": "g-v"},
        data={"base": "V", "written": {"name": "V"}, "keys": {"1": {"guid": "g-1", "status": "active", "fp": "f1"}}},
        status="active",
    )
    terms = explode({"vocab|v": row, "glossary": SyncObject("k", "glossary")})
    assert set(terms) == {"vocab|v", "key|1", "glossary"} and terms["key|1"].fingerprint == "f1"
    new_key = SyncObject("k", "key|2", target={"guid": "g-2"}, data={"group": "v", "written": {}}, status="active")
    folded = fold(row, {"key|2": new_key, "key|1": None})
    assert folded is not None and set(folded.data["keys"]) == {"2"} and folded.target == {"guid": "g-v"}
    assert fold(SyncObject("k", "vocab|v"), {"vocab|v": None}) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Contact", "Contact"), ("Phone Number", "PhoneNumber"), ("2024 Sales-Plan", "_2024SalesPlan"),
     ("Région", "Region"), ("日本", ""), ("a.b@c", "abc")],
)  # fmt: skip
def test_names_become_key_prefix_segments_cluedin_accepts(name, expected):
    assert segment(name) == expected


def term(name: str, templates: dict[str, dict[str, Any]] | None = None, nick: str = "") -> GlossaryTerm:
    return GlossaryTerm("g", name, "gl", "Glossary", templates=templates or {}, nick_name=nick)


def settings(**values: str) -> GlossaryToVocabulariesSettings:
    return Settings(values).get(GlossaryToVocabulariesSettings)


def test_the_three_filters_of_f6():
    tagged = {"CluedIn Template": {"CluedInVocab": True}}
    assert passes(term("Contact", tagged), settings())
    assert not passes(term("Contact"), settings())  # default attribute filter CluedInVocab=true
    assert not passes(term("Contact", {"CluedIn Template": {"CluedInVocab": False}}), settings())
    assert passes(term("Contact"), settings(GLOSSARY_TO_VOCABULARY_ATTRIBUTE_FILTER=""))
    assert not passes(term("Contact", tagged), settings(GLOSSARY_TO_VOCABULARY_TERM_PATTERN="^Cust"))
    assert passes(term("Kontakt", tagged, nick="Customer"), settings(GLOSSARY_TO_VOCABULARY_TERM_PATTERN="^Cust"))
    assert not passes(term("Contact", tagged), settings(GLOSSARY_TO_VOCABULARY_TEMPLATE_NAME_PATTERN="^Finance"))
