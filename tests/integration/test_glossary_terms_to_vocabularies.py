"""F6 — Purview glossary terms → CluedIn vocabularies and keys, end to end against the emulators and Azurite."""

from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import cluedin
import pytest

from sync.core.state import SyncObject
from sync.features.glossary_to_vocabularies.api import term_keys
from sync.features.glossary_to_vocabularies.migrate import has_rows_to_move, move_key_rows
from tests.support.glossary import F6, TEMPLATE, build_glossary_stack
from tests.support.witnesses import cluedin_sdk_of

KEY_TEMPLATE = "CluedIn Key Template"
SAVE_KEY = """mutation saveVocabularyKey($vocabularyKey: InputVocabularyKey!) {
  management { saveVocabularyKey(vocabularyKey: $vocabularyKey) { vocabularyKeyId } } }"""


def seed() -> dict[str, Any]:
    return {
        "termTemplates": [
            {"name": TEMPLATE, "attributeDefs": [{"name": "CluedInVocab", "typeName": "boolean"}]},
            {"name": KEY_TEMPLATE, "attributeDefs": [{"name": "DataType", "typeName": "string"}]},
        ],
        "glossaries": [
            {
                "name": "Business Glossary",
                "terms": [
                    {"name": "Contact", "attributes": {TEMPLATE: {"CluedInVocab": True}}},
                    {"name": "Email", "parentTerm": {"name": "Contact"}, "longDescription": "<p>Where to write</p>",
                     "attributes": {KEY_TEMPLATE: {"DataType": "email"}}},
                    {"name": "Phone Number", "parentTerm": {"name": "Contact"}},
                    {"name": "Order"},
                    {"name": "Invoice", "attributes": {TEMPLATE: {"CluedInVocab": False}}},
                ],
            }
        ],
    }  # fmt: skip


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator):
    return build_glossary_stack(
        azurite, purview, fresh_cluedin_emulator, seed=seed(), SYNC_PURVIEW_GLOSSARIES_TO_CLUEDIN_VOCABULARIES="true"
    )


def test_filtered_terms_become_vocabularies_with_entity_types_and_keys(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    report, _ = stack.run(F6)
    assert report.ok and report.status == "completed", report.errors
    assert report.planned == {"create": 3}
    vocabularies = stack.vocabularies()
    assert set(vocabularies) == {"purview.Contact"}
    contact = vocabularies["purview.Contact"]
    assert contact["vocabularyName"] == "Contact" and contact["grouping"] == "/Purview/Contact"
    assert json.loads(contact["description"])[0]["children"][0]["text"] == "Contact added from Purview Glossary"
    keys = stack.vocabulary_keys()
    assert keys["purview.Contact.Email"]["dataType"] == "Email"
    assert keys["purview.Contact.Email"]["description"] == "Where to write"
    assert keys["purview.Contact.PhoneNumber"]["displayName"] == "Phone Number"
    assert keys["purview.Contact.PhoneNumber"]["dataType"] == "Text"
    assert sorted(n.text for n in report.notifications) == [
        "Vocabulary key 'purview.Contact.Email' created from Purview glossary term",
        "Vocabulary key 'purview.Contact.PhoneNumber' created from Purview glossary term",
    ]
    assert "ChangeApplied" in caplog.text

    writes = stack.cluedin_writes()
    again, _ = stack.run(F6)  # sees its own writes in the change feed: reads CluedIn once, writes nothing
    assert again.planned == {} and stack.cluedin_writes() == writes
    stack.reset_counters()
    quiet, _ = stack.run(F6)  # nothing reported by the feed: no CluedIn read beyond the feed itself
    assert quiet.planned == {}
    assert [op for op in stack.cluedin.stats()["operations"] if op.startswith("graphql")] == []


def test_an_existing_vocabulary_and_key_are_updated_not_duplicated(stack):
    existing = stack.add_vocabulary("Contacts (old)", ["Email"], prefix="purview.Contact")
    report, _ = stack.run(F6)
    assert report.ok, report.errors
    contact = stack.vocabularies()["purview.Contact"]
    assert contact["vocabularyId"] == existing["id"] and contact["vocabularyName"] == "Contact"
    email = stack.vocabulary_keys()["purview.Contact.Email"]
    assert email["vocabularyKeyId"] == existing["keys"]["Email"] and email["dataType"] == "Email"


def test_a_renamed_term_renames_the_vocabulary_but_never_its_prefix(stack):
    stack.run(F6)
    stack.edit_purview_term(stack.purview_term("Contact")["guid"], name="Customer Contact")
    report, _ = stack.run(F6)
    assert report.planned == {"update": 1}
    vocabulary = stack.vocabularies()["purview.Contact"]
    assert vocabulary["vocabularyName"] == "Customer Contact"
    assert "Customer Contact added from Purview Glossary" in vocabulary["description"]


def test_names_cluedin_refuses_are_transformed_or_skipped_with_a_reason(stack):
    stack.add_purview_term("2024 Sales-Plan", glossary="Business Glossary", vocab=True)
    stack.add_purview_term("Région", glossary="Business Glossary", vocab=True)
    stack.add_purview_term("日本", glossary="Business Glossary", vocab=True)
    report, _ = stack.run(F6)
    assert report.ok, report.errors
    assert {"purview._2024SalesPlan", "purview.Region", "purview.Contact"} == set(stack.vocabularies())
    assert "skipped term '日本': no letter or digit CluedIn accepts in a key prefix" in report.events
    again, _ = stack.run(F6)
    assert again.planned == {} and again.status == "completed"


def test_a_term_that_disappears_leaves_its_vocabulary_and_is_reported_orphaned(stack):
    stack.run(F6)
    stack.delete_purview_term(stack.purview_term("Phone Number")["guid"])
    report, _ = stack.run(F6)
    assert report.orphaned == 1 and report.enqueued == 0
    assert "purview.Contact.PhoneNumber" in stack.vocabulary_keys()


@pytest.mark.parametrize(
    ("policy", "display_after"),
    [("source-wins", "E-mail address"), ("target-wins", "Mail (edited in CluedIn)"),
     ("report", "Mail (edited in CluedIn)")],
)  # fmt: skip
def test_each_conflict_policy_with_an_edit_in_cluedin(stack, policy, display_after):
    stack.run(F6)
    email = stack.vocabulary_keys()["purview.Contact.Email"]
    stack.ui(SAVE_KEY, {"vocabularyKey": {"vocabularyKeyId": email["vocabularyKeyId"],
                                          "displayName": "Mail (edited in CluedIn)"}})  # fmt: skip
    stack.edit_purview_term(stack.purview_term("Email")["guid"], name="E-mail address")
    report, _ = stack.run(F6, SYNC_GLOSSARY_CONFLICT_POLICY=policy)
    [conflict] = report.conflicts
    assert conflict.startswith("conflict: vocabulary key of term 'Contact/E-mail address' displayName: 'Email' → ")
    assert "'Mail (edited in CluedIn)' in CluedIn, source now 'E-mail address'" in conflict
    assert stack.vocabulary_keys()["purview.Contact.Email"]["displayName"] == display_after


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("GLOSSARY_TO_VOCABULARY_ATTRIBUTE_FILTER", "SyncMe=true"),
        ("GLOSSARY_TO_VOCABULARY_ATTRIBUTE_FILTER", "no equals sign"),
        ("GLOSSARY_TO_VOCABULARY_TEMPLATE_NAME_PATTERN", "^Finance Template$"),
        ("GLOSSARY_TO_VOCABULARY_TERM_PATTERN", "Contact("),
        ("VOCABULARY_PREFIX", "9lives"),
    ],
)
def test_a_bad_filter_setting_is_named(stack, setting, value):
    report = stack.plan(F6, **{setting: value})
    assert report.status == "not-configured" and setting in report.errors[0], report.errors
    assert stack.cluedin_writes() == 0


def test_the_keys_read_back_through_the_cluedin_sdk(stack):
    """The `cluedin` SDK's own reader of vocabulary keys (REST `entity/schema`), not the app's GraphQL client."""
    report, _ = stack.run(F6)
    assert report.ok, report.errors
    keys = {row["Key"]: row for row in cluedin.vocab.get_vocab_keys(cluedin_sdk_of(stack))}
    assert {k: (r["VocabularyName"], r["DisplayName"], r["DataType"]) for k, r in keys.items()} == {
        "purview.Contact.Email": ("Contact", "Email", "Email"),
        "purview.Contact.PhoneNumber": ("Contact", "Phone Number", "Text"),
    }


def test_key_rows_of_the_state_layout_of_before_are_moved_and_nothing_is_written_again(stack):
    """Before 5 December 2026 a key's row was `key|<child guid>`; now `word|<vocabulary guid>|<child guid>`, so a
    partition scan returns a vocabulary's keys side by side (F6 plans them a vocabulary at a time). An upgraded app
    finds the old rows: a dry-run reads them where they are (no change planned), the next cycle's set-up moves them
    (one transaction per move), and neither writes anything to CluedIn."""
    stack.run(F6)
    kind = "purview_vocabulary"
    keys_before = term_keys(stack.state)
    for row in list(stack.state.iter_objects(kind, key_prefix="word|")):
        old = replace(row, key=f"key|{row.key.rpartition('|')[2]}", etag=None)
        stack.state.commit_many([old], delete=[row])
    assert {r.key.partition("|")[0] for r in stack.state.iter_objects(kind)} == {"vocab", "key"}
    assert term_keys(stack.state) == keys_before  # automap reads either layout
    writes = stack.cluedin_writes()

    preview = stack.plan(F6, SYNC_DRY_RUN=True)
    assert preview.planned == {} and preview.setup == [
        "move vocabulary key rows to the state layout of 5 December 2026 (word|<vocabulary>|<key>)"
    ]
    assert any("2 vocabulary key rows are in the state layout of before" in e for e in preview.events)
    assert {r.key.partition("|")[0] for r in stack.state.iter_objects(kind)} == {"vocab", "key"}  # dry-run

    report, _ = stack.run(F6)
    assert report.ok and report.planned == {}, report.errors
    assert {r.key.partition("|")[0] for r in stack.state.iter_objects(kind)} == {"vocab", "word"}
    assert term_keys(stack.state) == keys_before and stack.cluedin_writes() == writes
    assert stack.features[F6].prepare(stack.context()) == []  # moved once: later cycles only look


def test_two_hosts_moving_the_rows_of_before_at_once_move_each_exactly_once(stack):
    """Two instances upgraded together both find the rows of before: each batch is one transaction, a batch the
    other host changed meanwhile is refused whole and moved row by row, so every row ends in the new layout once.
    A row that names no vocabulary (a key CluedIn refused before creating it) is dropped: that key is tried again."""
    kind = "purview_vocabulary"
    old = [
        SyncObject(kind, f"key|child-{n:03d}", target={"vocabularyKeyId": f"k{n}"},
                   data={"parent": f"vocab|v{n % 3}", "group": f"v{n % 3}"}, status="active")
        for n in range(140)
    ]  # fmt: skip
    old.append(SyncObject(kind, "key|refused", data={"failed_change": "f", "error": "no"}, status="failed"))
    for start in range(0, len(old), 100):
        stack.state.commit_many(old[start : start + 100])
    barrier = threading.Barrier(2)

    def host() -> None:
        barrier.wait()
        move_key_rows(stack.state, kind)

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(host), pool.submit(host)]:
            future.result()
    keys = sorted(r.key for r in stack.state.iter_objects(kind))
    assert keys == sorted(f"word|v{n % 3}|child-{n:03d}" for n in range(140))
    assert not has_rows_to_move(stack.state, kind)
