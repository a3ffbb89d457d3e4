"""The custom Purview types: product display names, Purview's stricter validation, idempotent updates."""

from __future__ import annotations

import copy
import json

import pytest

from emulators.purview.spec import purview_specs
from sync.core.errors import FatalError
from sync.services.purview.typedefs import (
    COLUMN_TYPE,
    TYPES,
    Attribute,
    CluedInType,
    display_names,
    entity_def_update,
    relationship_def_update,
    typedefs,
)


def test_names_and_product_display_names():
    assert display_names() == {
        "cluedin_column": "Cluedin Column",
        "cluedin_dataset": "Cluedin Dataset",
        "cluedin_entity": "Cluedin MDM Entity",
        "cluedin_ingest_process": "Cluedin Ingest Process",
        "cluedin_map_process": "Cluedin Map Process",
    }
    for definition in typedefs()["entityDefs"]:
        assert definition["name"].startswith("cluedin_")
        assert definition["description"] == display_names()[definition["name"]]


def test_super_types_make_assets_and_processes():
    defs = {d["name"]: d for d in typedefs()["entityDefs"]}
    assert defs["cluedin_dataset"]["superTypes"] == ["DataSet"]
    assert defs["cluedin_entity"]["superTypes"] == ["DataSet"]
    assert defs["cluedin_ingest_process"]["superTypes"] == ["Process"]
    assert defs["cluedin_map_process"]["superTypes"] == ["Process"]
    for process in ("cluedin_ingest_process", "cluedin_map_process"):
        assert "columnMapping" in {a["name"] for a in defs[process]["attributeDefs"]}


def test_options_pass_purviews_stricter_validation():
    for definition in typedefs()["entityDefs"]:
        for key, value in (definition.get("options") or {}).items():
            assert isinstance(value, str), (definition["name"], key)
    column = next(d for d in typedefs()["entityDefs"] if d["name"] == "cluedin_column")
    assert json.loads(column["options"]["schemaAttributes"]) == ["data_type"]
    dataset = next(d for d in typedefs()["entityDefs"] if d["name"] == "cluedin_dataset")
    assert dataset["options"]["schemaElementsAttribute"] == "columns"


def test_every_attribute_is_optional_so_partial_updates_validate():
    for definition in typedefs()["entityDefs"]:
        assert all(a["isOptional"] for a in definition["attributeDefs"])


def test_column_relationships_are_derived_from_the_type_table():
    rels = {r["name"]: r for r in typedefs()["relationshipDefs"]}
    assert set(rels) == {"cluedin_dataset_columns", "cluedin_entity_columns"}
    dataset = rels["cluedin_dataset_columns"]
    assert dataset["relationshipCategory"] == "COMPOSITION"
    assert dataset["endDef1"] == {
        "type": "cluedin_dataset",
        "name": "columns",
        "isContainer": True,
        "cardinality": "SET",
        "isLegacyAttribute": False,
    }
    assert dataset["endDef2"]["type"] == "cluedin_column" and dataset["endDef2"]["name"] == "dataset"
    assert rels["cluedin_entity_columns"]["endDef2"]["name"] == "entity"


def test_a_later_feature_slots_in_with_one_row():
    export_target = CluedInType(
        "cluedin_export_target",
        "Cluedin Connector Entity",
        "asset",
        (Attribute("organization"),),
        columns_parent_attribute="exportTarget",
    )
    stream = CluedInType("cluedin_stream_process", "Cluedin Stream Process", "process", (Attribute("columnMapping"),))
    defs = typedefs((*TYPES, export_target, stream))
    assert {d["name"] for d in defs["entityDefs"]} >= {"cluedin_export_target", "cluedin_stream_process"}
    assert "cluedin_export_target_columns" in {r["name"] for r in defs["relationshipDefs"]}


def test_the_registration_request_is_valid_against_the_official_swagger():
    specs = purview_specs()
    assert specs.validate_request("POST", "/datamap/api/atlas/v2/types/typedefs", "", typedefs()) == []
    assert specs.validate_request("PUT", "/datamap/api/atlas/v2/types/typedefs", "", typedefs()) == []


def _as_returned(definition):
    """What Purview answers for a def: our fields plus server-side ones."""
    returned = copy.deepcopy(definition)
    returned.update(
        guid="g", createTime=1, version=1, options={**definition.get("options", {}), "purviewEntityExtDef": "{}"}
    )
    for attribute in returned["attributeDefs"]:
        attribute["valuesMaxCount"] = 1
    return returned


def test_unchanged_definitions_need_no_update():
    for definition in typedefs()["entityDefs"]:
        assert entity_def_update(definition, _as_returned(definition)) is None
    for definition in typedefs()["relationshipDefs"]:
        assert relationship_def_update(definition, copy.deepcopy(definition)) is None


def test_a_new_attribute_is_added_and_foreign_attributes_are_kept():
    wanted = COLUMN_TYPE.definition()
    existing = _as_returned(wanted)
    existing["attributeDefs"] = [{"name": "added_by_someone", "typeName": "string", "cardinality": "SINGLE"}]
    update = entity_def_update(wanted, existing)
    assert update is not None
    assert [a["name"] for a in update["attributeDefs"]] == ["data_type", "added_by_someone"]
    assert update["options"]["purviewEntityExtDef"] == "{}"


def test_changed_display_name_is_an_update():
    wanted = COLUMN_TYPE.definition()
    existing = _as_returned(wanted)
    existing["description"] = "old label"
    assert entity_def_update(wanted, existing) is not None


def test_incompatible_existing_types_fail_with_a_clear_message():
    wanted = COLUMN_TYPE.definition()
    existing = _as_returned(wanted)
    existing["superTypes"] = ["Process"]
    with pytest.raises(FatalError, match="super types"):
        entity_def_update(wanted, existing)
    existing = _as_returned(wanted)
    existing["attributeDefs"][0]["typeName"] = "int"
    with pytest.raises(FatalError, match="cannot change an attribute's type"):
        entity_def_update(wanted, existing)
    relationship = typedefs()["relationshipDefs"][0]
    other = copy.deepcopy(relationship)
    other["endDef2"]["name"] = "table"
    with pytest.raises(FatalError):
        relationship_def_update(relationship, other)
