"""The qualifiedName scheme: deterministic, namespaced by organization, safe for Purview lookups."""

from __future__ import annotations

import pytest

from sync.services.purview import qualified_names as names

DS = "6F9619FF-8B86-D011-B42D-00C04FC964FF"


def test_dataset_and_process_names_derive_from_ids_only():
    assert names.dataset_name("Acme", DS) == f"cluedin://acme/dataset/{DS.lower()}"
    assert names.ingest_process_name("acme", DS) == f"cluedin://acme/dataset/{DS.lower()}/ingest"
    assert names.map_process_name("acme", DS) == f"cluedin://acme/dataset/{DS.lower()}/map"


def test_same_input_same_name_and_guid_case_does_not_matter():
    assert names.dataset_name("acme", DS) == names.dataset_name(" ACME ", DS.lower())


def test_organizations_are_separate_namespaces():
    assert names.dataset_name("acme", DS) != names.dataset_name("globex", DS)
    assert names.entity_name("acme", "/Customer") != names.entity_name("globex", "/Customer")


def test_entity_names_keep_the_type_path_readable():
    assert names.entity_name("acme", "/Infrastructure/User") == "cluedin://acme/entity/Infrastructure/User"
    assert names.entity_name("acme", "Customer") == names.entity_name("acme", "/Customer/")
    assert names.display_entity_type("Infrastructure/User") == "/Infrastructure/User"


def test_columns_are_escaped_so_the_separator_stays_unambiguous():
    parent = names.dataset_name("acme", DS)
    assert names.column_name(parent, "First Name") == f"{parent}#First%20Name"
    assert names.column_name(parent, "a#b") == f"{parent}#a%23b"
    assert names.column_name(parent, "a/b") == f"{parent}#a%2Fb"
    assert "+" not in names.column_name(parent, "x y+z").split("#", 1)[1].replace("%2B", "")
    entity = names.entity_name("acme", "/Customer")
    assert names.column_name(entity, "customer.firstName") == f"{entity}#customer.firstName"


def test_entity_type_with_spaces_is_percent_encoded():
    assert names.entity_name("acme", "/Sales Order") == "cluedin://acme/entity/Sales%20Order"


@pytest.mark.parametrize(
    "call",
    [
        lambda: names.organization_root(" "),
        lambda: names.entity_name("acme", "/"),
        lambda: names.column_name("cluedin://acme/dataset/x", "  "),
    ],
)
def test_empty_parts_are_refused(call):
    with pytest.raises(ValueError):
        call()
