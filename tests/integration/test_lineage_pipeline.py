"""The 2025 lineage shape against Azurite and the emulators, and switching between the shapes.

source → Ingest Data → Cluedin Dataset → Annotation → "<data set> - mapping" → Generate Clue → Processing Pipeline →
Process Entities → Processed Entities → Golden Record → the entity-type asset ("Cluedin MDM Entity").
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from sync.core.ownership import SHARED_KIND
from sync.features.lineage.pipeline import annotation_refs, backbone_refs, golden_record_ref
from sync.services.purview import qualified_names as names
from tests.support.lineage import ORG, LineageStack, account_set, group, lineage_stack, seed_document

PIPELINE_TYPES = (
    "cluedin_annotation_process",
    "cluedin_mapping",
    "cluedin_clue_process",
    "cluedin_processing_pipeline",
    "cluedin_process_entities_process",
    "cluedin_processed_entities",
    "cluedin_golden_record_process",
)


def seed(stack: LineageStack, *data_sets: str) -> None:
    stack.cluedin.seed(seed_document([group(name, [account_set(name)]) for name in data_sets]))


def only(entities: dict[str, dict[str, Any]]) -> dict[str, Any]:
    assert len(entities) == 1, list(entities)
    return next(iter(entities.values()))


def column_names(stack: LineageStack, entity: dict[str, Any]) -> list[str]:
    columns = stack.entities("cluedin_column")
    guids = {ref["guid"] for ref in entity["relationshipAttributes"].get("columns") or []}
    return sorted(c["attributes"]["name"] for c in columns.values() if c["guid"] in guids)


def mapping_of(process: dict[str, Any]) -> dict[str, str]:
    [value] = json.loads(process["attributes"]["columnMapping"])
    return {m["Source"]: m["Sink"] for m in value["ColumnMapping"]}


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator):
    return lineage_stack(azurite, purview, fresh_cluedin_emulator, PURVIEW_LINEAGE_SHAPE="pipeline")


def test_the_pipeline_shape_from_source_asset_to_golden_records(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    seed(stack, "Account.csv")
    asset = stack.add_asset("Account.csv", ["ID", "Name", "Email", "Notes"])
    stack.link("Account.csv", asset)
    report, _ = stack.cycle()
    assert report.status == "completed", report.errors
    assert report.planned == {"create": 3}, report.changes  # the backbone, the entity type, the data set
    assert "Data Set 'Account.csv' synced to Purview" in [n.text for n in report.notifications]

    data_set_id = stack.data_set_id("Account.csv")
    annotation_qn, mapping_qn, clue_qn = (qn for _, qn in annotation_refs(ORG, data_set_id))
    mapping = stack.entities("cluedin_mapping")[mapping_qn]
    assert mapping["attributes"]["name"] == "Account.csv - mapping"
    assert column_names(stack, mapping) == ["account.email", "account.id", "account.name"]
    annotation = stack.entities("cluedin_annotation_process")[annotation_qn]
    assert mapping_of(annotation) == {"Id": "account.id", "Name": "account.name", "Email": "account.email"}
    clue = stack.entities("cluedin_clue_process")[clue_qn]
    assert clue["attributes"]["name"] == "Generate Clue"
    assert mapping_of(clue) == {k: k for k in ("account.id", "account.name", "account.email")}
    pipeline = only(stack.entities("cluedin_processing_pipeline"))
    assert pipeline["attributes"]["name"] == "Processing Pipeline"
    assert column_names(stack, pipeline) == ["account.email", "account.id", "account.name"]
    processed = only(stack.entities("cluedin_processed_entities"))
    assert processed["attributes"]["name"] == "Processed Entities"
    golden = stack.entities("cluedin_golden_record_process")[golden_record_ref(ORG, "/Account")[1]]
    assert golden["attributes"]["name"] == "Golden Record"
    entity = stack.entities("cluedin_entity")[names.entity_name(ORG, "/Account")]
    assert column_names(stack, entity) == ["account.email", "account.id", "account.name"]
    assert stack.entities("cluedin_map_process") == {}
    assert stack.purview_client().get_typedef("cluedin_entity")["description"] == "Cluedin MDM Entity"

    # Every node the app wrote links back to CluedIn.
    for type_name in (*PIPELINE_TYPES, "cluedin_dataset", "cluedin_ingest_process", "cluedin_entity"):
        for entity_ in stack.entities(type_name).values():
            assert str(entity_["attributes"].get("cluedinUrl") or "").startswith(stack.cluedin.url), type_name

    # Purview's own lineage API walks the whole chain from the source asset.
    lineage = stack.purview_client().get_lineage(asset["guid"], direction="OUTPUT", depth=10)
    types = {e["typeName"] for e in lineage["guidEntityMap"].values()}
    assert {"cluedin_ingest_process", "cluedin_dataset", *PIPELINE_TYPES, "cluedin_entity"} <= types
    assert stack.purview.violations() == []
    assert any(r.message.startswith("lineage run") for r in caplog.records)

    writes = stack.purview_writes()
    again, outcomes = stack.cycle()
    assert again.planned == {} and outcomes == [] and stack.purview_writes() == writes


def test_the_shared_backbone_follows_its_holders(stack):
    seed(stack, "Account.csv", "Contacts.csv")
    stack.cycle()
    assert len(stack.entities("cluedin_clue_process")) == 2
    [pipeline_ref, processed_ref, _] = backbone_refs(ORG)
    row = stack.state.get_object(SHARED_KIND, f"{pipeline_ref[0]}|{pipeline_ref[1]}")
    assert row is not None and row.data["holders"] == {"lineage": ["account.email", "account.id", "account.name"]}

    stack.activity("activity/data-source/remove", {"id": stack.data_source_id("Contacts.csv")})
    report, _ = stack.cycle()
    assert report.planned == {"delete": 1}, report.changes
    assert len(stack.entities("cluedin_clue_process")) == 1 and len(stack.entities("cluedin_mapping")) == 1

    stack.activity("activity/data-source/remove", {"id": stack.data_source_id("Account.csv")})
    report, _ = stack.cycle(sync_delete_failsafe_percent=100.0)
    assert sorted(report.changes) == [
        "remove Cluedin Dataset 'Account.csv'",
        "remove Cluedin Entity '/Account'",
        "remove Processing Pipeline, Process Entities and Processed Entities",
    ]
    for type_name in (*PIPELINE_TYPES, "cluedin_entity", "cluedin_dataset", "cluedin_column"):
        assert stack.entities(type_name) == {}, type_name
    assert stack.state.get_object(SHARED_KIND, f"{processed_ref[0]}|{processed_ref[1]}") is None
    assert stack.purview.violations() == []


def switch(stack: LineageStack, shape: str, **overrides: Any) -> Any:
    report, _ = stack.cycle(PURVIEW_LINEAGE_SHAPE=shape, **overrides)
    return report


def test_switching_classic_to_pipeline_shows_what_goes_and_comes_and_the_fail_safe_holds_it(stack):
    seed(stack, "Account.csv", "Contacts.csv", "Orders.csv")
    first = switch(stack, "classic")
    assert first.status == "completed" and len(stack.entities("cluedin_map_process")) == 3

    plan = stack.plan("lineage", PURVIEW_LINEAGE_SHAPE="pipeline", SYNC_DRY_RUN=True)
    assert plan.status == "dry-run"
    assert plan.events[0].startswith("lineage shape changes from classic to pipeline (PURVIEW_LINEAGE_SHAPE)")
    assert "create Processing Pipeline, Process Entities and Processed Entities" in plan.changes
    assert "update Cluedin Entity '/Account' and its Golden Record" in plan.changes
    assert "update Cluedin Dataset 'Account.csv': Annotation, mapping and Generate Clue" in plan.changes
    assert "held back by the fail-safe: remove Map to Entity process of 'Account.csv'" in plan.changes
    assert plan.deletes_refused  # three of four owned objects at once: the fail-safe's 50 % says no

    report = switch(stack, "pipeline", SYNC_DELETE_FAILSAFE_PERCENT="20")
    assert report.deletes_refused and report.planned == {"create": 1, "update": 4}
    assert len(stack.entities("cluedin_map_process")) == 3  # nothing went
    assert len(stack.entities("cluedin_clue_process")) == 3  # what comes came

    report = switch(stack, "pipeline", SYNC_DELETE_FAILSAFE_PERCENT="100")  # raised for one cycle
    assert report.planned == {"delete": 3} and not report.deletes_refused
    assert stack.entities("cluedin_map_process") == {}
    writes = stack.purview_writes()
    again = switch(stack, "")  # unset again: the deployment keeps the shape it now has
    assert again.planned == {} and stack.purview_writes() == writes
    assert stack.purview.violations() == []


def test_switching_back_to_classic_removes_the_pipeline(stack):
    seed(stack, "Account.csv")
    stack.cycle()
    report = switch(stack, "classic", SYNC_DELETE_FAILSAFE_PERCENT="100")
    assert report.status == "completed", report.errors
    assert sorted(c for c in report.changes if not c.startswith("register")) == [
        "remove Annotation, mapping and Generate Clue of 'Account.csv'",
        "remove Golden Record process of '/Account'",
        "remove Processing Pipeline, Process Entities and Processed Entities",
        "update Cluedin Dataset 'Account.csv': Map to Entity",
        "update Cluedin Entity '/Account'",
    ]
    for type_name in PIPELINE_TYPES:
        assert stack.entities(type_name) == {}, type_name
    assert len(stack.entities("cluedin_map_process")) == 1 and len(stack.entities("cluedin_entity")) == 1
    assert stack.purview.violations() == []


def test_under_retain_a_switch_keeps_the_old_shape_as_orphaned(stack):
    seed(stack, "Account.csv")
    switch(stack, "classic")
    report = switch(stack, "pipeline", SYNC_DELETE_POLICY="retain", SYNC_DELETE_FAILSAFE_PERCENT="100")
    assert any("keep Map to Entity (orphaned, delete policy retain)" in c for c in report.changes), report.changes
    assert len(stack.entities("cluedin_map_process")) == 1 and len(stack.entities("cluedin_clue_process")) == 1


def test_an_existing_deployment_keeps_classic_and_a_new_one_starts_with_the_pipeline(
    azurite, purview, fresh_cluedin_emulator
):
    existing = lineage_stack(azurite, purview, fresh_cluedin_emulator, PURVIEW_LINEAGE_SHAPE="classic")
    seed(existing, "Account.csv")
    existing.cycle()
    existing.state.cursors.delete_entity("lineage", "shape")  # as written by a version without the setting
    report, _ = existing.cycle(PURVIEW_LINEAGE_SHAPE="")
    assert report.planned == {}  # nothing redrawn
    assert report.events == ["lineage shape: classic (kept: the shape this deployment's lineage has "
                             "(PURVIEW_LINEAGE_SHAPE unset))"]  # fmt: skip

    new = lineage_stack(azurite, purview, fresh_cluedin_emulator, PURVIEW_LINEAGE_SHAPE="")
    report, _ = new.cycle()
    assert report.events[0] == "lineage shape: pipeline (a new deployment's default (PURVIEW_LINEAGE_SHAPE unset))"
    assert report.planned == {"create": 3}
