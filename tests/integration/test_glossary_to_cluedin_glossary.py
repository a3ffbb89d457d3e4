"""F7 — Purview glossaries → CluedIn glossary categories and terms, end to end against the emulators and Azurite."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from sync.core.messages import Queues
from tests.support.glossary import F7, SAVE_TERM, build_glossary_stack
from tests.support.witnesses import cluedin_glossary, cluedin_sdk_of

CLUEDIN = Queues.CLUEDIN.value


def seed() -> dict[str, Any]:
    return {
        "glossaries": [
            {
                "name": "Business Glossary",
                "terms": [
                    {"name": "Contact", "shortDescription": "A person", "longDescription": "Someone we talk to"},
                    {"name": "Email", "parentTerm": {"name": "Contact"}},
                    {"name": "CluedIn-Dell", "longDescription": "written by CluedIn's own integration"},
                    {"name": "customer", "parentTerm": {"name": "CluedIn-Dell"}},
                ],
            },
            {"name": "Data Synchronization", "terms": [{"name": "Sync to CluedIn"}]},
        ]
    }


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator):
    return build_glossary_stack(
        azurite, purview, fresh_cluedin_emulator, seed=seed(), SYNC_PURVIEW_GLOSSARIES_TO_CLUEDIN_GLOSSARIES="true",
        SYNC_DELETE_POLICY="soft-delete",
    )  # fmt: skip


def terms_by_name(stack) -> dict[str, dict[str, Any]]:
    terms = stack.cluedin_terms()
    names = [t["name"] for t in terms]
    assert len(names) == len(set(names)), f"duplicate CluedIn glossary terms: {sorted(names)}"
    return {t["name"]: t for t in terms}


def test_one_category_per_glossary_flattened_inactive_terms_with_a_filter(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    report, _ = stack.run(F7)
    assert report.ok and report.status == "completed", report.errors
    assert report.setup == [
        "create the CluedIn glossary category 'Business Glossary'",
        "create the CluedIn glossary category 'Data Synchronization'",
    ]
    terms = terms_by_name(stack)
    assert set(terms) == {"Contact", "Contact_Email", "Sync to CluedIn"}  # nothing under CluedIn-Dell
    categories = stack.categories()
    assert terms["Contact_Email"]["categoryId"] == categories["Business Glossary"]
    assert terms["Sync to CluedIn"]["categoryId"] == categories["Data Synchronization"]
    assert {t["active"] for t in terms.values()} == {False}
    contact = stack.cluedin_term(terms["Contact"]["id"])
    assert (contact["shortDescription"], contact["description"]) == ("A person", "Someone we talk to")
    [rule] = contact["ruleSet"]["rules"]
    assert (rule["field"], rule["operator"], rule["value"]) == (
        "Tags",
        "0bafc522-8011-43ba-978a-babe222ba466",
        ["Contact"],
    )
    texts = [n.text for n in report.notifications]
    assert sorted(t for t in texts if t.startswith("Glossary term ")) == [
        "Glossary term 'Contact' created",
        "Glossary term 'Contact_Email' created",
        "Glossary term 'Sync to CluedIn' created",
    ]
    assert "3 Glossary terms have been created from Purview glossary terms" in texts
    assert "GlossaryTermCreated" in caplog.text

    writes = stack.cluedin_writes()
    for _ in range(2):
        again, _ = stack.run(F7)
        assert again.planned == {} and again.setup == [] and stack.cluedin_writes() == writes


def test_the_2024_single_category_mode(stack):
    report, _ = stack.run(F7, CLUEDIN_GLOSSARY_SINGLE_CATEGORY="true")
    assert report.setup == ["create the CluedIn glossary category 'Purview'"]
    assert {t["categoryId"] for t in stack.cluedin_terms()} == {stack.categories()["Purview"]}


def test_a_lost_answer_adopts_the_term_instead_of_creating_it_twice(stack):
    stack.plan(F7)
    [message] = stack.receive(CLUEDIN)
    stack.apply(CLUEDIN, message)
    # As if the first attempt died after CluedIn created the terms but before their ids were saved.
    for row in list(stack.state.iter_objects("purview_glossary_term")):
        row.status, row.target, row.fingerprint = "pending", {}, ""
        row.data = {"creating": {"name": row.data["written"]["name"], "category": "?"}}
        stack.state.save(row)
    outcomes = stack.apply(CLUEDIN, message)
    assert {o.detail for o in outcomes} == {"adopted the term an earlier attempt created"}
    assert len(terms_by_name(stack)) == 3


def test_what_people_change_in_cluedin_is_kept_and_deleted_terms_come_back(stack):
    stack.run(F7)
    contact = terms_by_name(stack)["Contact"]
    edited_filter = {"condition": "OR", "rules": []}
    stack.ui(SAVE_TERM, {"term": {"id": contact["id"], "active": True, "ruleSet": edited_filter}})
    stack.edit_purview_term(stack.purview_term("Contact")["guid"], longDescription="Someone we write to")
    report, _ = stack.run(F7)
    assert report.planned == {"update": 1} and report.conflicts == []
    after = stack.cluedin_term(contact["id"])
    assert after["description"] == "Someone we write to" and after["active"] is True
    assert after["ruleSet"]["condition"] == "OR"

    stack.rest("DELETE", f"glossary/{terms_by_name(stack)['Sync to CluedIn']['id']}").raise_for_status()
    report, _ = stack.run(F7)
    assert report.events == ["glossary term 'Sync to CluedIn' was deleted in CluedIn; re-creating it"]
    assert "Sync to CluedIn" in terms_by_name(stack)


def test_a_term_deleted_in_purview_deletes_its_cluedin_term(stack):
    stack.run(F7)
    stack.delete_purview_term(stack.purview_term("Sync to CluedIn")["guid"])
    report, _ = stack.run(F7)
    assert report.planned == {"delete": 1} and "Sync to CluedIn" not in terms_by_name(stack)


@pytest.mark.parametrize(
    ("policy", "name_after"),
    [("source-wins", "Contact person"), ("target-wins", "Kontakt"), ("report", "Kontakt")],
)
def test_each_conflict_policy_with_an_edit_in_cluedin(stack, policy, name_after):
    stack.run(F7)
    contact = terms_by_name(stack)["Contact"]
    stack.ui(SAVE_TERM, {"term": {"id": contact["id"], "name": "Kontakt"}})
    stack.edit_purview_term(stack.purview_term("Contact")["guid"], name="Contact person")
    report, _ = stack.run(F7, SYNC_GLOSSARY_CONFLICT_POLICY=policy)
    assert report.ok, report.errors
    assert report.conflicts[0].startswith("conflict: glossary term 'Contact person' name: 'Contact' → 'Kontakt' in")
    assert stack.cluedin_term(contact["id"])["name"] == name_after
    assert "Contact person_Email" in terms_by_name(stack)  # the child follows its parent's new name, no conflict


def test_the_terms_read_back_through_the_cluedin_sdk(stack):
    report, _ = stack.run(F7)
    assert report.ok, report.errors
    assert cluedin_glossary(cluedin_sdk_of(stack)) == {
        "Contact": {"category": "Business Glossary", "active": False},
        "Contact_Email": {"category": "Business Glossary", "active": False},
        "Sync to CluedIn": {"category": "Data Synchronization", "active": False},
    }
