"""F14, F16, F17 — manual data entry, clean and deduplication projects in Purview, against the emulators.

Projects are created, renamed and removed as a CluedIn user would (CluedIn's own API); every cycle runs through
the engine exactly as the timer and the queue functions do.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from devhost.cluedin_user import UPDATE_CLEAN
from sync.features.lineage.pipeline import golden_record_ref
from sync.reporting.lineage_html import collect, layout, write_lineage_html
from sync.services.purview import qualified_names as names
from sync.services.purview.typedefs import forget_registrations
from tests.support.lineage import ORG
from tests.support.pipeline import PipelineStack, pipeline_stack
from tests.support.witnesses import lineage_downstream


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator) -> PipelineStack:
    return pipeline_stack(azurite, purview, fresh_cluedin_emulator)


def by_name(stack: PipelineStack, type_name: str) -> dict[str, dict[str, Any]]:
    return {e["attributes"]["name"]: e for e in stack.entities(type_name).values()}


def downstream(stack: PipelineStack, guid: str, depth: int = 3) -> set[str]:
    lineage = stack.purview_client().get_lineage(guid, direction="OUTPUT", depth=depth)
    return {e["typeName"] for e in lineage["guidEntityMap"].values()}


def column_names(stack: PipelineStack, entity: dict[str, Any]) -> list[str]:
    guids = {ref["guid"] for ref in entity["relationshipAttributes"].get("columns") or []}
    return sorted(c["attributes"]["name"] for c in stack.entities("cluedin_column").values() if c["guid"] in guids)


def test_clean_projects_feed_clues_back_into_the_pipeline(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    user = stack.user()
    first = user.create_clean_project("Account Clean Project", entity_type="/Account", keys=["account.email"])
    user.create_clean_project("Website clean-up", entity_type="/Account", keys=["account.website"])
    report, _ = stack.cycle("clean_projects")
    assert report.status == "completed", report.errors
    assert report.planned == {"create": 4}, report.changes  # two projects, the asset, the backbone hold
    assert sorted(n.text for n in report.notifications) == [
        "Clean Project 'Account Clean Project' synced to Purview",
        "Clean Project 'Website clean-up' synced to Purview",
    ]
    [asset] = stack.entities("cluedin_clean_projects").values()
    assert asset["attributes"]["name"] == "Clean Projects"
    assert column_names(stack, asset) == ["account.email", "account.website"]
    cleans = {c["attributes"]["projectName"]: c for c in stack.entities("cluedin_clean_process").values()}
    clean = cleans["Account Clean Project"]
    assert clean["attributes"]["name"] == "Clean"
    assert clean["attributes"]["conditionSummary"] == "EntityType Equals /Account"
    assert clean["attributes"]["cluedinUrl"].endswith(f"/admin/preparation/clean/{first}")
    [processed] = stack.entities("cluedin_processed_entities").values()
    assert clean["attributes"]["inputs"][0]["guid"] == processed["guid"]
    assert clean["attributes"]["outputs"][0]["guid"] == asset["guid"]
    # Clean Projects → Generate Clue → back into the Processing Pipeline
    assert {"cluedin_clue_process", "cluedin_processing_pipeline"} <= downstream(stack, asset["guid"], 1)
    assert stack.pipeline_holders() == {"clean_projects": []}
    assert any("clean_projects run" in r.message for r in caplog.records)

    user.rename_clean_project(first, "Account e-mail clean-up")
    report, _ = stack.cycle("clean_projects")
    assert report.events == ["Clean Project 'Account e-mail clean-up' changed in CluedIn"]
    assert report.changes == ["update Clean Project 'Account e-mail clean-up'"]

    user.delete_clean_project(first)
    report, _ = stack.cycle("clean_projects", SYNC_DELETE_FAILSAFE_PERCENT="100")
    assert sorted(report.changes) == ["remove Clean Project 'Account e-mail clean-up'", "update Clean Projects"]
    assert column_names(stack, next(iter(stack.entities("cluedin_clean_projects").values()))) == ["account.website"]
    assert stack.purview.violations() == []

    writes = stack.purview_writes()
    again, outcomes = stack.cycle("clean_projects")
    assert again.planned == {} and outcomes == [] and stack.purview_writes() == writes


def test_deduplication_projects_sit_between_processed_entities_and_the_pipeline(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    user = stack.user()
    ident = user.create_dedup_project("Account Deduplication Project", entity_type="/Account", key="account.email")
    report, _ = stack.cycle("deduplications")
    assert report.status == "completed", report.errors
    assert [n.text for n in report.notifications] == ["Deduplication 'Account Deduplication Project' synced to Purview"]
    project = by_name(stack, "cluedin_deduplication_project")["Account Deduplication Project"]
    assert project["attributes"]["scope"] == "business domains /Account"
    assert project["attributes"]["matchingRules"] == "Same account.email"
    assert project["attributes"]["cluedinUrl"].endswith(f"/admin/management/deduplication/{ident}")
    assert column_names(stack, project) == ["account.email"]
    [dedup] = stack.entities("cluedin_deduplication_process").values()
    [processed] = stack.entities("cluedin_processed_entities").values()
    assert dedup["attributes"]["name"] == "Deduplication"
    assert dedup["attributes"]["inputs"][0]["guid"] == processed["guid"]
    assert {"cluedin_clue_process", "cluedin_processing_pipeline"} <= downstream(stack, project["guid"], 1)
    assert any("deduplications run" in r.message for r in caplog.records)

    user.delete_dedup_project(ident)
    report, _ = stack.cycle("deduplications", SYNC_DELETE_FAILSAFE_PERCENT="100")
    assert sorted(report.changes) == [
        "remove Deduplication 'Account Deduplication Project'",
        "remove Processing Pipeline, Process Entities and Processed Entities (shared)",
    ]
    for type_name in ("cluedin_deduplication_project", "cluedin_deduplication_process", "cluedin_processing_pipeline"):
        assert stack.entities(type_name) == {}, type_name  # nobody else held the pipeline
    assert stack.purview.violations() == []


def test_manual_data_entry_projects_feed_the_pipeline_up_to_their_entity_type(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    user = stack.user()
    ident = user.create_mde_project(
        "Account MDE", entity_type="/Account", vocabulary="account", keys=["account.id", "account.name"]
    )
    report, _ = stack.cycle("manual_data_entry")
    assert report.status == "completed", report.errors
    assert [n.text for n in report.notifications] == [f"Manual Data Entry 'Account MDE - {ident}' synced to Purview"]
    project = by_name(stack, "cluedin_manual_data_entry_project")["Account MDE"]
    assert column_names(stack, project) == ["account.id", "account.name"]
    assert project["attributes"]["cluedinUrl"].endswith(f"/admin/integrations/manual-data-entry/{ident}")
    types = downstream(stack, project["guid"], 6)
    assert {"cluedin_clue_process", "cluedin_processing_pipeline", "cluedin_processed_entities"} <= types
    assert {"cluedin_golden_record_process", "cluedin_entity"} <= types
    entity = stack.entities("cluedin_entity")[names.entity_name(ORG, "/Account")]
    assert column_names(stack, entity) == ["account.id", "account.name"]
    assert stack.pipeline_holders() == {"manual_data_entry": ["account.id", "account.name"]}
    assert any("manual_data_entry run" in r.message for r in caplog.records)

    # data-set lineage draws the same entity type and pipeline: both hold them, columns are the union
    stack.cycle("lineage")
    assert sorted(stack.pipeline_holders()) == ["lineage", "manual_data_entry"]
    assert column_names(stack, stack.entities("cluedin_entity")[names.entity_name(ORG, "/Account")]) == [
        "account.email",
        "account.id",
        "account.name",
    ]

    user.rename_mde_project(ident, "Key accounts")
    report, _ = stack.cycle("manual_data_entry")
    assert [n.text for n in report.notifications] == [f"Manual Data Entry 'Key accounts - {ident}' synced to Purview"]

    user.remove_mde_project(ident)
    report, _ = stack.cycle("manual_data_entry", SYNC_DELETE_FAILSAFE_PERCENT="100")
    assert report.planned == {"delete": 3}, report.changes  # the project, its entity type's hold, the backbone hold
    assert stack.entities("cluedin_manual_data_entry_project") == {}
    golden = golden_record_ref(ORG, "/Account")[1]
    assert golden in stack.entities("cluedin_golden_record_process")  # lineage still holds what it drew
    assert column_names(stack, stack.entities("cluedin_entity")[names.entity_name(ORG, "/Account")]) == [
        "account.email",
        "account.id",
        "account.name",
    ]
    assert stack.pipeline_holders() == {"lineage": ["account.email", "account.id", "account.name"]}
    assert stack.purview.violations() == []


def test_every_pipeline_feature_together_shares_one_pipeline_and_the_picture_draws_it(stack, tmp_path):
    user = stack.user()
    user.create_rule("Account Data Part Rule", "DataPart", entity_type="/Account")
    user.create_clean_project("Account Clean Project", entity_type="/Account", keys=["account.email"])
    user.create_dedup_project("Account Deduplication Project", entity_type="/Account", key="account.email")
    user.create_mde_project("Account MDE", entity_type="/Account", vocabulary="account", keys=["account.id"])
    for feature in ("lineage", "processing_rules", "clean_projects", "deduplications", "manual_data_entry"):
        report, _ = stack.cycle(feature)
        assert report.status == "completed", (feature, report.errors)
    assert len(stack.entities("cluedin_processing_pipeline")) == 1
    assert len(stack.entities("cluedin_processed_entities")) == 1
    assert sorted(stack.pipeline_holders()) == [
        "clean_projects",
        "deduplications",
        "lineage",
        "manual_data_entry",
        "processing_rules",
    ]
    assert stack.purview.violations() == []

    graph = collect(stack.purview_client())
    layout(graph)
    layer = {n.type_name: n.layer for n in graph.nodes.values()}
    assert layer["cluedin_dataset"] < layer["cluedin_mapping"] < layer["cluedin_processing_pipeline"]
    assert layer["cluedin_manual_data_entry_project"] < layer["cluedin_processing_pipeline"]
    assert (
        layer["cluedin_processing_pipeline"] < layer["cluedin_processing_rules"] < layer["cluedin_processed_entities"]
    )
    assert layer["cluedin_processed_entities"] < layer["cluedin_clean_projects"]  # the clue back is a loop, cut
    assert layer["cluedin_processed_entities"] < layer["cluedin_entity"]
    html = write_lineage_html(stack.purview_client(), tmp_path / "lineage.html").read_text()
    for label in ("Cluedin Processing Pipeline", "Cluedin Processed Entities", "Cluedin Manual Data Entry Project",
                  "Cluedin Processing Rules", "Cluedin Clean Projects", "Cluedin Deduplication Project",
                  "Cluedin Golden Record Process", "Cluedin MDM Entity"):  # fmt: skip
        assert label in html, label


def test_a_feature_registers_only_the_types_no_other_feature_registered(stack):
    stack.user().create_clean_project("Account Clean Project", entity_type="/Account", keys=["account.email"])
    stack.cycle("lineage")  # the shared and the pipeline types
    forget_registrations()  # a new process: only the state cursor knows what was registered
    stack.reset_counters()
    report, _ = stack.cycle("clean_projects")
    assert report.setup == ["register the Purview types Cluedin Clean Projects, Cluedin Clean Process"]
    operations = stack.purview.app.stats.snapshot()["operations"]
    # its two types and their columns relationship, not the twelve lineage registered
    assert operations["Type_GetByName"]["count"] == 3, operations


def test_a_change_only_the_audit_log_shows_is_picked_up_through_the_change_feed(stack):
    user = stack.user()
    ident = user.create_clean_project("Account Clean Project", entity_type="/Account", keys=["account.email"])
    stack.cycle("clean_projects")
    fields = [{"property": k, "type": "vocabulary"} for k in ("account.email", "account.country")]
    user.graphql(UPDATE_CLEAN, {"id": ident, "cleanProject": {"name": "Account Clean Project", "fields": fields}})
    report, _ = stack.cycle("clean_projects")  # the listing (id, name, status) looks the same: the audit log tells
    assert report.events == ["Clean Project 'Account Clean Project' changed in CluedIn"]
    assert sorted(report.changes) == ["update Clean Project 'Account Clean Project'", "update Clean Projects"]
    [asset] = stack.entities("cluedin_clean_projects").values()
    assert column_names(stack, asset) == ["account.country", "account.email"]


@pytest.mark.parametrize(
    ("feature", "create", "project_type"),
    [
        ("clean_projects", lambda u: u.create_clean_project("P", entity_type="/Account", keys=["account.email"]),
         "cluedin_clean_projects"),
        ("deduplications", lambda u: u.create_dedup_project("P", entity_type="/Account", key="account.email"),
         "cluedin_deduplication_project"),
        ("manual_data_entry", lambda u: u.create_mde_project("P", entity_type="/Account", vocabulary="account",
                                                               keys=["account.id"]),
         "cluedin_manual_data_entry_project"),
    ],
)  # fmt: skip
def test_each_project_s_lineage_reads_back_through_pyapacheatlas(stack, feature, create, project_type):
    create(stack.user())
    report, _ = stack.cycle(feature)
    assert report.status == "completed", report.errors
    [project] = stack.entities(project_type).values()
    downstream = {type_name for type_name, _ in lineage_downstream(stack.purview, project["guid"])}
    assert {"cluedin_clue_process", "cluedin_processing_pipeline"} <= downstream
