"""F15 — Sync Processing Rules to Purview, against Azurite and the emulators (rules created as a CluedIn user)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from sync.features.lineage.pipeline import backbone_refs
from sync.services.purview import qualified_names as names
from tests.support.lineage import ORG
from tests.support.pipeline import PipelineStack, pipeline_stack
from tests.support.witnesses import lineage_downstream

RULE_PROCESS = "cluedin_processing_rule_process"
SCOPE_ASSET = "cluedin_processing_rules"


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator) -> PipelineStack:
    return pipeline_stack(azurite, purview, fresh_cluedin_emulator)


def processes(stack: PipelineStack) -> dict[str, dict[str, Any]]:
    return {p["attributes"]["ruleName"]: p for p in stack.entities(RULE_PROCESS).values()}


def test_rules_of_every_scope_become_processing_rule_processes(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    user = stack.user()
    from devhost.cluedin_user import set_value_action

    part = user.create_rule(
        "Account Data Part Rule", "DataPart", entity_type="/Account",
        actions=[set_value_action("account.country", "DK")], key="account.country",
    )  # fmt: skip
    user.create_rule("Account Survivorship Rule", "Survivorship", entity_type="/Account")
    user.create_rule("Account Golden Record Rule", "Entity", entity_type="/Account")
    report, outcomes = stack.cycle("processing_rules")
    assert report.status == "completed", report.errors
    assert report.planned == {"create": 7}, report.changes  # 3 rules, 3 scope assets, the backbone hold
    assert sorted(n.text for n in report.notifications) == [
        "Processing Rule 'Account Data Part Rule' synced to Purview",
        "Processing Rule 'Account Golden Record Rule' synced to Purview",
        "Processing Rule 'Account Survivorship Rule' synced to Purview",
    ]
    assets = {a["attributes"]["name"]: a for a in stack.entities(SCOPE_ASSET).values()}
    assert sorted(assets) == ["Data Part Rules", "Golden Record Rules", "Survivorship Rules"]
    found = processes(stack)
    data_part = found["Account Data Part Rule"]
    assert data_part["attributes"]["name"] == "Processing Rule"
    assert data_part["attributes"]["scope"] == "DataPart" and data_part["attributes"]["isActive"] is True
    assert data_part["attributes"]["conditionSummary"] == "EntityType Equals /Account"
    assert data_part["attributes"]["actions"] == "Set Value"
    assert data_part["attributes"]["cluedinUrl"].endswith(f"/admin/management/rules/{part}")
    pipeline_guid = only_guid(stack, "cluedin_processing_pipeline")
    assert data_part["attributes"]["inputs"][0]["guid"] == pipeline_guid
    assert data_part["attributes"]["outputs"][0]["guid"] == assets["Data Part Rules"]["guid"]
    # every scope asset flows on into Processed Entities
    follow = stack.purview_client().get_lineage(assets["Survivorship Rules"]["guid"], direction="OUTPUT", depth=2)
    assert "cluedin_processed_entities" in {e["typeName"] for e in follow["guidEntityMap"].values()}
    assert stack.pipeline_holders() == {"processing_rules": []}
    assert any("processing_rules run" in r.message for r in caplog.records)
    assert stack.purview.violations() == []

    writes = stack.purview_writes()
    again, outcomes = stack.cycle("processing_rules")
    assert again.planned == {} and outcomes == [] and stack.purview_writes() == writes


def only_guid(stack: PipelineStack, type_name: str) -> str:
    [entity] = stack.entities(type_name).values()
    return str(entity["guid"])


def test_a_renamed_rule_reaches_purview_in_one_call_and_a_removed_one_goes(stack):
    user = stack.user()
    keep = user.create_rule("Keep", "DataPart", entity_type="/Account")
    gone = user.create_rule("Temporary", "Survivorship", entity_type="/Account")
    stack.cycle("processing_rules")
    user.rename_rule(keep, "Kept and renamed")
    stack.reset_counters()
    report, _ = stack.cycle("processing_rules")
    assert report.events == ["Processing Rule 'Kept and renamed' changed in CluedIn"]
    assert report.changes == ["update Processing Rule 'Kept and renamed'"]
    stats = stack.purview.app.stats.snapshot()
    assert stats["total"] <= 2 and stats["writes"] == 1, stats["operations"]
    assert "Kept and renamed" in processes(stack)

    user.delete_rule(gone)
    report, _ = stack.cycle("processing_rules", SYNC_DELETE_FAILSAFE_PERCENT="100")
    assert sorted(report.changes) == ["remove Processing Rule 'Temporary'", "remove Survivorship Rules"]
    assert "Processing Rule 'Temporary' removed from Purview" in [n.text for n in report.notifications]
    assert sorted(processes(stack)) == ["Kept and renamed"]
    assert [a["attributes"]["name"] for a in stack.entities(SCOPE_ASSET).values()] == ["Data Part Rules"]


def test_under_retain_a_removed_rule_stays_and_is_reported_orphaned(stack):
    user = stack.user()
    rule = user.create_rule("Temporary", "DataPart", entity_type="/Account")
    user.create_rule("Other", "DataPart", entity_type="/Account")
    stack.cycle("processing_rules")
    user.delete_rule(rule)
    writes = stack.purview_writes()
    report, _ = stack.cycle("processing_rules", SYNC_DELETE_POLICY="retain")
    assert report.orphaned == 1 and stack.purview_writes() == writes
    assert report.events == ["Processing Rule 'Temporary' removed in CluedIn"]
    assert sorted(processes(stack)) == ["Other", "Temporary"]


def test_the_pipeline_is_held_jointly_with_data_set_lineage(stack):
    stack.user().create_rule("Only rule", "DataPart", entity_type="/Account")
    stack.cycle("lineage")
    stack.cycle("processing_rules")
    holders = stack.pipeline_holders()
    assert sorted(holders) == ["lineage", "processing_rules"]
    assert holders["lineage"] == ["account.email", "account.id", "account.name"]

    stack.activity("activity/data-source/remove", {"id": stack.data_source_id("Account.csv")})
    stack.cycle("lineage", SYNC_DELETE_FAILSAFE_PERCENT="100")
    assert stack.pipeline_holders() == {"processing_rules": []}
    [pipeline] = stack.entities("cluedin_processing_pipeline").values()  # still there: the rules hold it
    pipeline_qn = backbone_refs(ORG)[0][1]
    assert pipeline["attributes"]["qualifiedName"] == pipeline_qn
    columns = [c for c in stack.entities("cluedin_column") if c.startswith(f"{pipeline_qn}#")]
    assert columns == []  # lineage's columns went with its hold
    assert names.entity_name(ORG, "/Account") not in stack.entities("cluedin_entity")
    assert stack.purview.violations() == []


def test_a_rule_s_lineage_reads_back_through_pyapacheatlas(stack):
    stack.user().create_rule("Account Data Part Rule", "DataPart", entity_type="/Account")
    report, _ = stack.cycle("processing_rules")
    assert report.status == "completed", report.errors
    downstream = lineage_downstream(stack.purview, only_guid(stack, "cluedin_processing_pipeline"))
    assert {(RULE_PROCESS, "Processing Rule"), (SCOPE_ASSET, "Data Part Rules")} <= downstream
