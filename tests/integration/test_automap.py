"""F3 — auto-mapping a Purview-synced data set to the vocabularies of its glossary terms, over real HTTP.

The vocabulary is created in CluedIn the way "Sync Purview glossaries to CluedIn vocabularies" (F6) makes it from a
term (`ProductStack.f6_vocabulary`), with a key per child term ("Email"). The asset is an Azure SQL table tagged
"Customer" whose `Email` column carries the child term.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from sync.features.pipelines.runs import start_run_once
from tests.support.dataproducts import MASTER_TERM, ProductStack, product_stack
from tests.support.stack import SYNC_TERM, purview_seed

COLUMNS = (("Id", "int"), ("Name", "nvarchar"), ("Email", "nvarchar(200)"), ("Score", "decimal(5,2)"))


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator) -> ProductStack:
    built = product_stack(
        azurite,
        purview,
        fresh_cluedin_emulator,
        fresh_datafactory_emulator,
        AUTO_MAP_CLUEDIN_DATA_SETS="true",
        SYNC_DATA_PRODUCTS_DATASOURCES="false",
    )
    purview.seed(purview_seed((SYNC_TERM, "Customer", "Email", "Unrelated")))
    return built


def synced_table(stack: ProductStack, *, terms: tuple[str, ...] = (SYNC_TERM, "Customer")) -> dict[str, Any]:
    """A SQL table synced by F1, its Email column tagged with the child term, and a data set of its rows in CluedIn."""
    table = stack.add_table("Customers", COLUMNS, terms=terms)
    entity = stack.purview_client().get_entity(table["guid"])
    assert entity is not None
    email = next(c for c in entity["entity"]["relationshipAttributes"]["columns"] if c["displayText"] == "Email")
    stack.assign(email["guid"], "Email")
    report, _ = stack.cycle("datasources")
    assert report.applied == {"create": 1}, report.errors
    rows = [{"Id": "1", "Name": "Contoso", "Email": "a@contoso.com", "Score": "1.5", "Notes": "x"}]
    stack.activity(
        "activity/data-set",
        {
            "group": "Customers",
            "dataSource": "Customers",
            "dataSet": "customers-extract",
            "records": rows,
            "mapping": {"entityType": "/Account", "vocabulary": "account", "fields": {"Name": "account.name"}},
            "process": False,
        },
    )
    assert stack.cycle("lineage")[0].ok
    return table


def mapping_of(stack: ProductStack, data_set: str) -> dict[str, str]:
    data_set_id = stack.data_set_id(data_set)
    found = stack.cluedin.services.store.data_sets[data_set_id]["fieldMappings"]
    return {m["originalField"]: m["key"] for m in found}


def key_types(stack: ProductStack) -> dict[str, str]:
    return {k["key"]: k["dataType"] for k in stack.cluedin.services.store.vocabulary_keys.values()}


def test_columns_map_to_the_terms_vocabulary_and_a_users_mapping_is_kept(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    stack.f6_vocabulary("Customer", {"Email": "Email", "score": "Text"})
    synced_table(stack)
    report, [outcome] = stack.cycle("automap")
    assert report.planned == {"create": 1}, report.errors
    assert outcome.result == "applied", outcome.detail
    assert "kept the user's mapping of Name (account.name)" in outcome.detail
    assert "no vocabulary for Notes" not in outcome.detail  # Notes maps to the asset's vocabulary too
    assert mapping_of(stack, "customers-extract") == {
        "Id": "purview.Customer.Id",  # created: no key of that name, type from the Purview column (int)
        "Name": "account.name",  # the user's own mapping, untouched
        "Email": "purview.Customer.Email",  # the column's child term is that key
        "Score": "purview.Customer.score",  # an existing key of the column's name: used as it is
        "Notes": "purview.Customer.Notes",  # not in the Purview schema: Text
    }
    types = key_types(stack)
    assert types["purview.Customer.Id"] == "Integer" and types["purview.Customer.Notes"] == "Text"
    assert types["purview.Customer.score"] == "Text" and types["purview.Customer.Email"] == "Email"
    assert [n.text for n in report.notifications] == [
        "Data Set 'customers-extract' auto-mapped: 4 column(s) to vocabulary Customer"
    ]
    assert any("automap create" in r.getMessage() for r in caplog.records)

    assert stack.cycle("lineage")[0].ok  # lineage sees the new mapping
    writes = stack.cluedin_writes()
    assert stack.cycle("automap")[0].planned == {} and stack.cluedin_writes() == writes

    set_mappings = """
    mutation ($id: ID, $m: [InputPropertyMapping]) {
      inbound { updateAnnotationMappingInDataSet(dataSetId: $id, fieldMappings: $m) }
    }
    """
    remap = [{"originalField": "Score", "key": "--ignore--"}]
    stack.cluedin_graphql(set_mappings, {"id": stack.data_set_id("customers-extract"), "m": remap})
    assert stack.cycle("lineage")[0].ok
    again, [kept] = stack.cycle("automap")
    assert again.planned == {"update": 1} and kept.result == "skipped"
    assert "Score (--ignore--)" in kept.detail
    assert mapping_of(stack, "customers-extract")["Score"] == "--ignore--"


def test_a_data_set_waits_for_its_vocabulary_and_is_mapped_once_it_exists(stack):
    synced_table(stack)
    _, [outcome] = stack.cycle("automap")
    assert outcome.result == "skipped" and "no vocabulary for Id, Email, Score, Notes" in outcome.detail
    assert stack.cycle("automap")[0].planned == {}  # nothing new: no retry every cycle
    stack.f6_vocabulary("Customer", {})
    later, [mapped] = stack.cycle("automap")
    assert later.planned == {"update": 1} and mapped.result == "applied", mapped.detail
    assert mapping_of(stack, "customers-extract")["Id"] == "purview.Customer.Id"


def test_auto_mapping_needs_data_set_lineage(stack):
    report, _ = stack.cycle("automap", SYNC_CLUEDIN_DATA_SOURCES="false")
    assert report.status == "not-configured" and "SYNC_CLUEDIN_DATA_SOURCES" in report.errors[0]


def test_a_data_products_loaded_data_set_is_auto_mapped(
    azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator
):
    stack = product_stack(
        azurite, purview, fresh_cluedin_emulator, fresh_datafactory_emulator, AUTO_MAP_CLUEDIN_DATA_SETS="true"
    )
    purview.seed(purview_seed((SYNC_TERM, "Customer")))
    stack.f6_vocabulary("Customer", {"Name": "Text"})
    domain = stack.domain()
    customers = stack.add_asset("customers.csv", terms=("Customer",))
    stack.product("Customer Master", domain, terms=[stack.term(MASTER_TERM, domain)], assets=[customers])
    stack.cycle("dataproducts")
    stack.cycle("pipelines")
    [row] = stack.state.iter_objects("adf_pipeline")
    run = start_run_once(stack.context(), row.target["names"]["pipeline"], "automap", owner="test")
    assert stack.adf.wait_for_run(None, run.run_id)["status"] == "Succeeded"
    assert stack.cycle("lineage")[0].ok  # lineage reads the rows' columns
    _, [outcome] = stack.cycle("automap")
    assert outcome.result == "applied", outcome.detail
    assert mapping_of(stack, "customers.csv") == {
        "Id": "purview.Customer.Id",
        "Name": "purview.Customer.Name",
        "City": "purview.Customer.City",
    }


def test_the_vocabulary_f6_made_of_a_term_is_found_by_the_terms_identity_even_after_a_rename(stack):
    """F6 for real: 'Customer' (CluedInVocab) becomes a vocabulary and 'Email' (its child) a key; a steward then
    renames the vocabulary in CluedIn. Auto-mapping reads F6's published rows by term guid, so the renamed
    vocabulary is still the one the table's term names."""
    from tests.support.glossary import SAVE_VOCABULARY, TEMPLATE, template_seed

    glossary = purview_seed((SYNC_TERM, "Unrelated"))["glossaries"][0]
    glossary["terms"] += [
        {"name": "Customer", "status": "Approved", "attributes": {TEMPLATE: {"CluedInVocab": True}}},
        {"name": "Email", "status": "Approved", "parentTerm": {"name": "Customer"}},
    ]
    stack.purview.seed(template_seed(glossary))
    made, _ = stack.cycle("glossary_to_vocabularies", SYNC_PURVIEW_GLOSSARIES_TO_CLUEDIN_VOCABULARIES="true")
    assert made.applied == {"create": 2}, made.errors
    vocabulary_id, prefix = next(
        (v["vocabularyId"], v["keyPrefix"])
        for v in stack.cluedin.services.store.vocabularies.values()
        if v["vocabularyName"] == "Customer"
    )
    renamed = {"vocabularyId": vocabulary_id, "vocabularyName": "Clients", "description": "our clients"}
    assert not stack.cluedin.graphql(SAVE_VOCABULARY, {"vocabulary": renamed}).get("errors")
    synced_table(stack)
    _, [outcome] = stack.cycle("automap")
    assert outcome.result == "applied", outcome.detail
    mapping = mapping_of(stack, "customers-extract")
    assert mapping["Email"] == f"{prefix}.Email"  # the key F6 made of the column's child term
    assert mapping["Id"].startswith(f"{prefix}.")  # the asset's term's vocabulary, renamed 'Clients'


def vocabulary_listings(stack: ProductStack) -> int:
    operations = stack.cluedin.stats()["operations"]
    return int(operations.get("graphql:management.vocabularies", {}).get("count", 0))


def test_the_data_sets_of_one_message_share_one_vocabulary_listing(stack):
    stack.f6_vocabulary("Customer", {"Email": "Email"})
    synced_table(stack)
    second = stack.add_table("Prospects", COLUMNS, terms=(SYNC_TERM, "Customer"))
    assert stack.purview_client().get_entity(second["guid"]) is not None
    assert stack.cycle("datasources")[0].ok
    mapping = {"entityType": "/Account", "vocabulary": "account", "fields": {"Name": "account.name"}}
    rows = [{"Id": "2", "Name": "Fabrikam", "Email": "b@fabrikam.com", "Score": "2"}]
    spec = {"group": "Prospects", "dataSource": "Prospects", "dataSet": "prospects-extract", "process": False}
    stack.activity("activity/data-set", {**spec, "records": rows, "mapping": mapping})
    assert stack.cycle("lineage")[0].ok
    before = vocabulary_listings(stack)
    report, outcomes = stack.cycle("automap")
    assert report.planned == {"create": 2} and [o.result for o in outcomes] == ["applied", "applied"], outcomes
    assert vocabulary_listings(stack) - before == 2  # the planner's listing and the one message's (both data sets)
