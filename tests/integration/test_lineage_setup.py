"""Custom types and the target collection against the Purview emulator: idempotent, cheap, clear when refused."""

from __future__ import annotations

import copy
import logging
import threading
from typing import Any

import pytest

from sync.core.errors import FatalError
from sync.features.lineage.pipeline import PIPELINE_TYPES
from sync.services.purview import qualified_names as names
from sync.services.purview.collections import collection_id_for
from sync.services.purview.typedefs import TYPES, ensure_types, forget_registrations, registration_step, typedefs
from tests.support.lineage import ORG, LineageStack, account_set, group, lineage_stack, seed_document

ROOT = "purview-emulator"


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator) -> LineageStack:
    built = lineage_stack(azurite, purview, fresh_cluedin_emulator)
    fresh_cluedin_emulator.seed(seed_document([group("Account.csv", [account_set()])]))
    return built


def typedef_calls(stack: LineageStack) -> dict[str, int]:
    operations = stack.purview.app.stats.snapshot()["operations"]
    return {name: op["count"] for name, op in operations.items() if name.startswith("Type_")}  # Swagger operationIds


def test_types_are_created_once_and_then_cost_nothing(stack):
    purview = stack.purview_client()
    assert ensure_types(purview, stack.state) is True
    for definition in typedefs()["entityDefs"]:
        assert purview.get_typedef(definition["name"]) is not None
    calls = typedef_calls(stack)
    assert calls["Type_BulkCreate"] == 1
    assert ensure_types(purview, stack.state) is False  # in-process memo
    forget_registrations()
    assert ensure_types(stack.purview_client(), stack.state) is False  # the state cursor, no Purview call
    assert typedef_calls(stack) == calls
    assert stack.purview.violations() == []


def test_types_registered_by_someone_else_are_adopted_without_409(stack):
    purview = stack.purview_client()
    purview.create_typedefs(typedefs())  # e.g. another app instance, or an earlier deployment
    assert ensure_types(purview, stack.state) is False
    report, _ = stack.cycle()
    assert report.status == "completed", report.errors


def test_an_older_definition_is_updated_in_place(stack):
    purview = stack.purview_client()
    older: dict[str, Any] = copy.deepcopy(typedefs())
    dataset = next(d for d in older["entityDefs"] if d["name"] == "cluedin_dataset")
    dataset["attributeDefs"] = [a for a in dataset["attributeDefs"] if a["name"] != "dataQualityMetrics"]
    dataset["description"] = "Cluedin Dataset V0"
    purview.create_typedefs(older)
    assert ensure_types(purview, stack.state) is True
    current = purview.get_typedef("cluedin_dataset")
    assert current is not None and current["description"] == "Cluedin Dataset"
    assert "dataQualityMetrics" in {a["name"] for a in current["attributeDefs"]}
    assert stack.purview.violations() == []


def test_a_foreign_type_with_our_name_fails_clearly(stack):
    purview = stack.purview_client()
    foreign = {"entityDefs": [{"name": "cluedin_entity", "superTypes": ["Process"], "attributeDefs": []}]}
    purview.create_typedefs(foreign)
    with pytest.raises(FatalError, match="cluedin_entity"):
        ensure_types(purview, stack.state, TYPES)
    report, _ = stack.cycle()
    assert report.status == "failed" and "super types" in report.errors[0]


def collection_of(stack: LineageStack, type_name: str) -> set[str]:
    return {e.get("collectionId", "") for e in stack.entities(type_name).values()}


def test_everything_goes_into_a_collection_created_from_a_path(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")  # as in Azure (Information): every log path runs
    report, _ = stack.cycle(purview_collection_name=f"{ROOT}/Data Governance/CluedIn")
    assert "CollectionCreated" in caplog.text
    assert report.status == "completed", report.errors
    target = collection_id_for([ROOT, "Data Governance", "CluedIn"])
    created = stack.purview_client().get_collection(target)
    assert created is not None and created["friendlyName"] == "CluedIn"
    for type_name in ("cluedin_dataset", "cluedin_column", "cluedin_map_process", "cluedin_entity"):
        assert collection_of(stack, type_name) == {target}, type_name
    assert stack.purview.violations() == []


def test_a_collection_id_is_used_as_is(stack):
    stack.purview_client().create_or_update_collection("qqxmcm", "CluedIn", ROOT)
    report, _ = stack.cycle(purview_collection_name="qqxmcm")
    assert report.status == "completed", report.errors
    assert collection_of(stack, "cluedin_dataset") == {"qqxmcm"}


def test_without_the_collection_admin_role_the_error_names_the_setting_and_the_role(stack):
    stack.purview.set_roles({"purview-test-token": {ROOT: ["data_curator"]}})
    report, _ = stack.cycle(purview_collection_name=f"{ROOT}/CluedIn")
    assert report.status == "not-configured"
    assert "PURVIEW_COLLECTION_NAME" in report.errors[0] and "Collection Admin" in report.errors[0]
    stack.purview.set_roles({})
    assert stack.entities("cluedin_dataset") == {}


def test_moving_to_another_collection_rewrites_everything_there(stack):
    stack.cycle()
    report, _ = stack.cycle(purview_collection_name=f"{ROOT}/CluedIn")
    assert report.planned == {"update": 2}  # the entity type and the data set, all records moved
    assert report.setup == [f"create the Purview collection(s) CluedIn (PURVIEW_COLLECTION_NAME='{ROOT}/CluedIn')"]
    target = collection_id_for([ROOT, "CluedIn"])
    assert collection_of(stack, "cluedin_dataset") == {target}
    qualified_name = names.dataset_name(ORG, stack.data_set_id("Account.csv"))
    assert qualified_name in stack.entities("cluedin_dataset")


def test_features_registering_overlapping_types_at_once_look_each_definition_up_once(stack):
    """Two features planning side by side (sync/core/tick.py) both decide their types are missing, then register
    at the same moment: the second waits, sees what the first registered and looks up only what is still new."""
    sets = (TYPES, (*TYPES, *PIPELINE_TYPES))
    steps = [registration_step(stack.purview_client(), stack.state, types) for types in sets]
    assert all(step is not None for step in steps)  # both planned before either ran
    barrier = threading.Barrier(len(steps))

    def run(step):
        barrier.wait()
        step.run()

    threads = [threading.Thread(target=run, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wanted = typedefs((*TYPES, *PIPELINE_TYPES))
    distinct = {d["name"] for section in wanted.values() for d in section}
    lookups = typedef_calls(stack)["Type_GetByName"]
    assert lookups == len(distinct)  # without one registration at a time, the shared definitions were read twice
    for name in distinct:
        assert stack.purview_client().get_typedef(name) is not None
