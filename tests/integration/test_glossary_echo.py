"""No echo, by construction: F5, F6 and F7 run together, tick after tick, and nothing multiplies.

F5 exports CluedIn vocabularies to Purview; F6 and F7 import Purview terms into CluedIn. Without a guard, F6 would
import F5's terms as vocabularies and F5 would export those again, for ever. The guard is identity (state rows,
found by id, not by name), so it holds even after people rename what the app wrote and tag F5's terms for F6.
"""

from __future__ import annotations

from typing import Any

import pytest

from sync.core.engine import run_tick
from sync.core.messages import Queues
from tests.support.glossary import F5, F6, F7, TEMPLATE, GlossaryStack, build_glossary_stack, template_seed

RENAME_VOCABULARY = """mutation saveVocabulary($vocabulary: InputVocabulary!) {
  management { saveVocabulary(vocabulary: $vocabulary) { vocabularyId } } }"""


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator):
    business = {
        "name": "Business Glossary",
        "terms": [
            {"name": "Contact", "attributes": {TEMPLATE: {"CluedInVocab": True}}},
            {"name": "Email", "parentTerm": {"name": "Contact"}},
            {"name": "Revenue"},
        ],
    }
    built = build_glossary_stack(
        azurite,
        purview,
        fresh_cluedin_emulator,
        seed=template_seed(business),
        SYNC_CLUEDIN_VOCABULARIES_TO_PURVIEW_GLOSSARIES="true",
        SYNC_PURVIEW_GLOSSARIES_TO_CLUEDIN_VOCABULARIES="true",
        SYNC_PURVIEW_GLOSSARIES_TO_CLUEDIN_GLOSSARIES="true",
        PURVIEW_VOCABULARIES_GLOSSARY_NAME="Glossary",
        SYNC_DELETE_POLICY="soft-delete",
    )
    built.add_vocabulary("Customer", ["email", "name"])
    return built


def tick(stack: GlossaryStack) -> None:
    """One timer tick planning the three features, then both queues drained."""
    ctx = stack.context()
    reports = run_tick([stack.features[name] for name in (F5, F6, F7)], ctx)
    assert all(r.ok for r in reports), [r.errors for r in reports]
    for queue in (Queues.GLOSSARY.value, Queues.CLUEDIN.value):
        stack.drain(queue)
    assert stack.purview.violations() == []


def census(stack: GlossaryStack) -> dict[str, Any]:
    """How many objects of each kind exist on both sides, by name."""
    return {
        "purview terms": sorted(t["name"] for t in stack.purview_terms()),
        "vocabularies": sorted(stack.vocabularies()),
        "keys": sorted(stack.vocabulary_keys()),
        "cluedin terms": sorted(t["name"] for t in stack.cluedin_terms()),
    }


def test_three_ticks_multiply_nothing_and_the_third_writes_nothing(stack):
    tick(stack)
    first = census(stack)
    assert first == {
        "purview terms": ["CluedIn-acme", "Contact", "Customer", "Email", "Revenue", "email", "name"],
        "vocabularies": ["customer", "purview.Contact"],
        "keys": ["customer.email", "customer.name", "purview.Contact.Email"],
        "cluedin terms": ["Contact", "Contact_Email", "Revenue"],
    }
    tick(stack)  # the features see each other's writes (and their own, through the change feed)
    writes = (stack.purview_writes(), stack.cluedin_writes())
    tick(stack)
    assert census(stack) == first
    assert (stack.purview_writes(), stack.cluedin_writes()) == writes


def test_renamed_and_retagged_objects_still_do_not_echo(stack):
    tick(stack)
    exported = stack.purview_term("Customer")
    # A steward renames F5's term and tags it for F6; a CluedIn user renames F6's vocabulary.
    stack.edit_purview_term(exported["guid"], name="Customer (from CluedIn)")
    session = stack.purview.session()
    body = {**session.get(f"{stack.purview.atlas_url}/glossary/term/{exported['guid']}", timeout=10).json()}
    body["attributes"] = {TEMPLATE: {"CluedInVocab": True}}
    for field in ("assignedEntities", "hierarchyInfo", "childrenTerms"):
        body.pop(field, None)
    url = f"{stack.purview.atlas_url}/glossary/term/{exported['guid']}"
    session.put(url, params={"includeTermHierarchy": "true"}, json=body, timeout=10).raise_for_status()
    imported = stack.vocabularies()["purview.Contact"]
    stack.ui(RENAME_VOCABULARY, {"vocabulary": {"vocabularyId": imported["vocabularyId"], "vocabularyName": "Kontakt"}})
    for _ in range(3):
        tick(stack)
    after = census(stack)
    assert after["vocabularies"] == ["customer", "purview.Contact"]
    assert "Kontakt" not in after["purview terms"] and "Customer (from CluedIn)" not in after["cluedin terms"]
    writes = (stack.purview_writes(), stack.cluedin_writes())
    tick(stack)
    assert (stack.purview_writes(), stack.cluedin_writes()) == writes


def test_the_objects_own_marks_guard_when_state_is_lost(stack):
    tick(stack)
    first = census(stack)
    # Lose what F5 and F6 know of their objects (not their anchors): only the marks on the objects are left.
    for kind, prefixes in (("vocabulary_term", ("vocab|", "key|")), ("purview_vocabulary", ("vocab|", "word|"))):
        for row in list(stack.state.iter_objects(kind)):
            if row.key.startswith(prefixes):
                stack.state.delete_object(kind, row.key)
    tick(stack)
    after = census(stack)
    assert after["vocabularies"] == first["vocabularies"] and after["cluedin terms"] == first["cluedin terms"]
    assert after["purview terms"] == first["purview terms"]  # F5 adopted its own terms by their resource links
