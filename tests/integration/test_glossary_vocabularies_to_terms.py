"""F5 — CluedIn vocabularies → Purview glossary terms, end to end against the emulators and Azurite.

Vocabularies and keys are made, renamed and deleted the way a CluedIn user does (the UI's GraphQL, REST deletes);
terms are edited, deleted and assigned the way a Purview steward does. Every cycle is planned as the timer plans
it and applied as the queue function applies it.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from sync.core.messages import Queues
from tests.support.glossary import F5, build_glossary_stack
from tests.support.witnesses import purview_glossary_terms

ROOT = "CluedIn-acme"


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator):
    return build_glossary_stack(
        azurite,
        purview,
        fresh_cluedin_emulator,
        SYNC_CLUEDIN_VOCABULARIES_TO_PURVIEW_GLOSSARIES="true",
        SYNC_DELETE_POLICY="soft-delete",
    )


def by_name(stack) -> dict[str, dict[str, Any]]:
    terms = stack.purview_terms()
    names = [t["name"] for t in terms]
    assert len(names) == len(set(names)), f"duplicate terms: {sorted(names)}"
    return {t["name"]: t for t in terms}


def test_vocabularies_become_a_term_tree_under_the_root_with_the_products_texts(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    customer = stack.add_vocabulary("Customer", {"email": "Email", "name": "Text"})
    report, _ = stack.run(F5)
    assert report.ok and report.status == "completed", report.errors
    assert report.setup == [
        "sync vocabularies into the Purview glossary 'Glossary'",
        f"create the root glossary term '{ROOT}'",
    ]
    assert report.planned == {"create": 1} and report.applied == {"create": 1}  # one change per vocabulary
    assert report.changes[-1] == "create term of vocabulary 'Customer' (+2 more terms)"
    terms = by_name(stack)
    assert set(terms) == {ROOT, "Customer", "email", "name"}
    root, vocabulary, email = terms[ROOT], terms["Customer"], terms["email"]
    assert "parentTerm" not in root
    assert vocabulary["parentTerm"]["termGuid"] == root["guid"]
    assert email["parentTerm"]["termGuid"] == vocabulary["guid"]
    assert {t["status"] for t in terms.values()} == {"Approved"}
    assert vocabulary["longDescription"] == 'CluedIn vocabulary "Customer" synced from CluedIn organization "acme".'
    assert email["longDescription"] == (
        'CluedIn vocabulary key "email" (Key: customer.email, Data Type: Email, Classification: None).'
    )
    assert root["longDescription"].startswith("Root glossary terms to store CluedIn vocabularies")
    link = email["resources"][0]
    assert link["displayName"] == "CluedIn vocabulary key"
    assert link["url"].endswith(f"/vocabulary/{customer['id']}/key/{customer['keys']['email']}")
    assert "ChangeApplied" in caplog.text and "RunPlanned" in caplog.text

    writes = stack.purview_writes()
    again, _ = stack.run(F5)
    assert again.planned == {} and again.setup == [] and stack.purview_writes() == writes


def test_a_redelivered_message_and_a_lost_state_write_create_nothing_twice(stack):
    stack.add_vocabulary("Customer", ["id", "name"])
    stack.plan(F5)
    [message] = stack.receive(Queues.GLOSSARY.value)
    stack.apply(Queues.GLOSSARY.value, message)
    # The same message again after its terms exist but its state rows were lost (a crash before the commit).
    for key in [r.key for r in stack.state.iter_objects("vocabulary_term") if r.key.startswith("vocab|")]:
        stack.state.delete_object("vocabulary_term", key)
    [outcome] = stack.apply(Queues.GLOSSARY.value, message)
    assert (outcome.result, outcome.detail) == ("applied", "adopted the term an earlier attempt created (3 terms)")
    assert set(by_name(stack)) == {ROOT, "Customer", "id", "name"}
    report, _ = stack.run(F5)
    assert report.planned == {}, report.changes


def test_a_clashing_name_gets_a_numeric_suffix_and_keeps_it(stack):
    stack.add_purview_term("Customer", glossary="Glossary")
    stack.add_vocabulary("Customer", ["name"])
    stack.add_vocabulary("Supplier", ["name"])
    stack.run(F5)
    terms = by_name(stack)
    assert {"Customer", "Customer 2", "Supplier", "name", "name 2"} <= set(terms)
    assert "parentTerm" not in terms["Customer"]  # the steward's own term is left alone
    assert terms["Customer 2"]["parentTerm"]["displayText"] == ROOT
    again, _ = stack.run(F5)
    assert again.planned == {}


def test_a_term_deleted_in_purview_is_recreated_while_its_key_lives(stack):
    stack.add_vocabulary("Customer", ["email"])
    stack.run(F5)
    stack.delete_purview_term(stack.purview_term("email")["guid"])
    report, _ = stack.run(F5)
    assert report.planned == {"update": 1} and report.changes == ["re-create term of key 'customer.email'"]
    assert report.events == ["term of key 'customer.email' was deleted in Purview; re-creating it"]
    assert stack.purview_term("email")["parentTerm"]["displayText"] == "Customer"


def test_a_renamed_vocabulary_reaches_purview_with_one_write(stack):
    customer = stack.add_vocabulary("Customer", ["email", "name"])
    stack.run(F5)
    stack.rename_vocabulary(customer["id"], "Client")
    writes = stack.purview_writes()
    report, _ = stack.run(F5)
    assert report.planned == {"update": 1}, report.changes
    assert stack.purview_writes() - writes == 1
    terms = by_name(stack)
    assert "Customer" not in terms and terms["Client"]["longDescription"].startswith('CluedIn vocabulary "Client"')
    assert terms["email"]["parentTerm"]["displayText"] == "Client"


def test_deleted_keys_and_vocabularies_delete_their_terms_except_assigned_ones(stack):
    customer = stack.add_vocabulary("Customer", ["email", "name", "phone"])
    stack.run(F5)
    stack.delete_key(customer["id"], customer["keys"]["phone"])
    report, _ = stack.run(F5)
    assert report.planned == {"update": 1} and "phone" not in by_name(stack)  # a key of a living vocabulary
    stack.assign_term(stack.purview_term("email")["guid"])
    stack.delete_vocabulary(customer["id"])
    report, _ = stack.run(F5)
    assert report.changes == ["delete term of key 'customer.name'"]  # 'email' is assigned, so its parent stays
    assert sorted(report.events) == [
        "kept term of key 'customer.email': 1 entities are assigned to it",
        "kept term of vocabulary 'Customer': 1 terms below it remain",
    ]
    assert set(by_name(stack)) == {ROOT, "Customer", "email"}


@pytest.mark.parametrize(
    ("policy", "definition_after"),
    [("source-wins", "CluedIn vocabulary"), ("target-wins", "Edited by a steward"), ("report", "Edited by a steward")],
)
def test_each_conflict_policy_with_an_edit_in_purview(stack, policy, definition_after):
    """The policy decides per field: the definition was edited in Purview, the name was not (it follows CluedIn)."""
    customer = stack.add_vocabulary("Customer", ["email"])
    stack.run(F5)
    term = stack.purview_term("Customer")
    stack.edit_purview_term(term["guid"], longDescription="Edited by a steward")
    stack.rename_vocabulary(customer["id"], "Client")  # CluedIn changed the name and the definition too

    preview = stack.plan(F5, SYNC_DRY_RUN=True, SYNC_GLOSSARY_CONFLICT_POLICY=policy)
    resolution = {
        "source-wins": "overwritten with the source value (source-wins)",
        "target-wins": "kept the edit (target-wins)",
        "report": "nothing written (report)",
    }[policy]
    assert preview.status == "dry-run"
    [conflict] = preview.conflicts
    assert conflict.startswith("conflict: term of vocabulary 'Client' longDescription: 'CluedIn vocabulary \"Customer")
    assert "→ 'Edited by a steward' in Purview, source now 'CluedIn vocabulary \"Client\"" in conflict
    assert conflict.endswith(f"; {resolution}")
    report, _ = stack.run(F5, SYNC_GLOSSARY_CONFLICT_POLICY=policy)
    assert report.conflicts == preview.conflicts
    after = stack.purview_term("Client")
    assert after["longDescription"].startswith(definition_after)
    again, _ = stack.run(F5, SYNC_GLOSSARY_CONFLICT_POLICY=policy)
    assert again.planned == {}
    assert again.conflicts == ([] if policy == "source-wins" else report.conflicts)


def test_without_the_root_term_vocabularies_are_top_level_terms(stack):
    stack.add_vocabulary("Customer", ["email"])
    report, _ = stack.run(F5, SYNC_CLUEDIN_VOCABULARIES_TO_PURVIEW_GLOSSARIES_ROOT_GLOSSARY_TERM="false")
    assert report.setup == ["sync vocabularies into the Purview glossary 'Glossary'"]
    assert "parentTerm" not in stack.purview_term("Customer") and ROOT not in by_name(stack)


def test_an_account_without_glossaries_gets_one(stack):
    session = stack.purview.session()
    for guid in stack.glossaries().values():
        session.delete(f"{stack.purview.atlas_url}/glossary/{guid}", timeout=10).raise_for_status()
    stack.add_vocabulary("Customer", [])
    report, _ = stack.run(F5)
    assert report.setup[0] == "create the Purview glossary 'Glossary'"
    assert set(stack.glossaries()) == {"Glossary"} and "Customer" in by_name(stack)


def test_names_purview_refuses_are_transformed(stack):
    stack.add_vocabulary("Sales.Orders @EU", ["order"], prefix="salesorders")
    report, _ = stack.run(F5)
    assert report.ok and "Sales_Orders _EU" in by_name(stack)


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("PURVIEW_VOCABULARIES_GLOSSARY_NAME", "Nowhere", "PURVIEW_VOCABULARIES_GLOSSARY_NAME: no Purview glossary"),
        ("SYNC_GLOSSARY_CONFLICT_POLICY", "mine-wins", "SYNC_GLOSSARY_CONFLICT_POLICY"),
    ],
)
def test_a_bad_setting_is_named_and_nothing_is_written(stack, setting, value, named):
    stack.add_vocabulary("Customer", ["email"])
    writes = stack.purview_writes()
    report = stack.plan(F5, **{setting: value})
    assert report.status == "not-configured" and named in report.errors[0]
    assert stack.purview_writes() == writes and stack.queued(Queues.GLOSSARY.value) == []


def test_a_term_purview_refuses_goes_to_poison_once_and_waits_for_its_source_to_change(stack):
    stack.run(F5)  # the root term exists
    customer = stack.add_vocabulary("Customer", [])
    stack.purview.set_faults(fail_next=2, fail_next_status=400, path_pattern="/glossary/terms$", methods=["POST"])
    _, outcomes = stack.run(F5)
    stack.purview.clear_faults()
    assert [o.result for o in outcomes] == ["failed"] and "Purview refused the term" in outcomes[0].detail
    assert outcomes[0].fatal
    assert len(stack.poison(Queues.GLOSSARY.value)) == 1
    again, _ = stack.run(F5)
    assert again.planned == {} and again.events[0].startswith("skipped term of vocabulary 'Customer': Purview refused")
    assert len(stack.poison(Queues.GLOSSARY.value)) == 1  # not poisoned again in a loop
    stack.rename_vocabulary(customer["id"], "Client")
    retried, _ = stack.run(F5)
    assert retried.planned == {"update": 1} and "Client" in by_name(stack)


def test_the_terms_read_back_through_the_official_sdk(stack):
    stack.add_vocabulary("Customer", {"email": "Email"})
    report, _ = stack.run(F5)
    assert report.ok, report.errors
    terms = purview_glossary_terms(stack.purview, "Glossary")
    assert set(terms) == {ROOT, "Customer", "email"}
    assert terms["Customer"]["parentTerm"]["termGuid"] == terms[ROOT]["guid"]
    assert terms["email"]["parentTerm"]["termGuid"] == terms["Customer"]["guid"]
    assert {t["status"] for t in terms.values()} == {"Approved"}
