"""Messages twice, a commit lost, Purview throttling or failing, changes seen only in CluedIn's audit log."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from sync.core.ownership import SHARED_KIND
from sync.features.lineage.detect import read_facts
from sync.services.purview import qualified_names as names
from tests.support.lineage import (
    LINEAGE_QUEUE,
    ORG,
    LineageStack,
    account_set,
    group,
    lineage_stack,
    seed_document,
)

pytestmark = pytest.mark.chaos


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator) -> LineageStack:
    built = lineage_stack(azurite, purview, fresh_cluedin_emulator)
    sets = [account_set(f"Set{i}.csv") for i in range(3)]
    fresh_cluedin_emulator.seed(seed_document([group("CRM", sets)]))
    return built


def planned_messages(stack: LineageStack) -> list[str]:
    """Plan a lineage cycle and take its messages off the queue (the test applies them itself)."""
    stack.plan("lineage")
    texts = []
    for message in stack.receive(LINEAGE_QUEUE):
        texts.append(message.content)
        stack.delete(LINEAGE_QUEUE, message)
    return texts


def apply(stack: LineageStack, text: str) -> list[str]:
    """Apply a message body as a new delivery (its own message id), as a duplicated message arrives."""
    return [o.result for o in stack.apply_text(LINEAGE_QUEUE, text)]


def snapshot_entities(stack: LineageStack) -> dict[str, str]:
    out = {}
    for type_name in ("cluedin_dataset", "cluedin_column", "cluedin_map_process", "cluedin_entity"):
        out.update({qn: e["guid"] for qn, e in stack.entities(type_name).items()})
    return out


def test_a_duplicated_message_changes_nothing_the_second_time(stack):
    [text] = planned_messages(stack)
    assert set(apply(stack, text)) == {"applied"}
    writes = stack.purview_writes()
    assert set(apply(stack, text)) == {"skipped"}
    assert stack.purview_writes() == writes


def test_a_lost_state_commit_is_redone_without_duplicates(stack):
    [text] = planned_messages(stack)
    apply(stack, text)
    before = snapshot_entities(stack)
    for row in list(stack.state.iter_objects("lineage")):  # as if the process died before committing
        stack.state.delete_object("lineage", row.key)
    assert set(apply(stack, text)) == {"applied"}
    assert snapshot_entities(stack) == before  # same entities, same guids: upserts matched by qualifiedName
    rows = [*stack.state.iter_objects("lineage"), *stack.state.iter_objects(SHARED_KIND)]  # entities: shared rows
    targets = [row.target for row in rows if "guid" in row.target]
    assert len(targets) == len(rows) - sum(1 for row in rows if row.key.startswith("entity|"))
    guids = {target["guid"] for target in targets}
    guids |= {guid for target in targets for guid in target["columns"].values()}
    assert guids <= set(before.values()) and "" not in guids


def test_throttling_and_transient_failures_are_ridden_out(stack):
    stack.purview.set_faults(fail_next=2, fail_next_status=503, path_pattern="entity/bulk")
    report, outcomes = stack.cycle()
    assert report.status == "completed", report.errors
    assert {o.result for o in outcomes} == {"applied"}
    stack.activity("activity/data-set", {"group": "CRM", "dataSource": "CRM", "dataSet": "Late.csv", "records": []})
    stack.purview.set_faults(throttle_ops_per_sec=2, throttle_burst=1, retry_after_seconds=0.2)
    stack.purview_client().get_typedef("cluedin_dataset")  # takes the only token: the bulk call will be throttled
    report, outcomes = stack.cycle()
    assert report.status == "completed", report.errors
    assert int(stack.purview.app.stats.snapshot()["statuses"].get("429", 0)) > 0  # throttled, and retried
    stack.purview.clear_faults()
    assert len(stack.entities("cluedin_dataset")) == 4


def test_a_change_seen_only_in_the_audit_log_is_picked_up(stack, caplog):
    stack.cycle()
    url = f"{stack.cluedin.url}/_emulator/state"
    state: dict[str, Any] = requests.get(url, timeout=10).json()
    data_set = next(d for d in state["collections"]["data_sets"] if d["name"] == "Set1.csv")
    annotation = next(a for a in state["collections"]["annotations"] if a["id"] == data_set["annotationId"])
    annotation["entityType"] = "/Customer"  # the listing (names, updatedAt) shows nothing of this
    state["auditLog"].append(
        {
            "id": uuid.uuid4().hex,
            "objectId": str(annotation["id"]),
            "objectTypeId": state["auditLog"][0]["objectTypeId"],
            "objectType": "Annotation",
            "objectName": annotation.get("name"),
            "action": "Updated",
            "authorId": None,
            "authorName": None,
            "organizationId": state["org"]["id"],
            "createdAt": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "details": {"entityType": "/Customer"},
        }
    )
    requests.put(url, json=state, timeout=10).raise_for_status()
    with caplog.at_level(logging.INFO, logger="sync.lineage.monitor"):
        report, _ = stack.cycle()
    assert report.status == "completed", report.errors
    assert names.entity_name(ORG, "/Customer") in stack.entities("cluedin_entity")
    assert any("Set1.csv' changed in CluedIn (audit: Annotation Updated)" in r.getMessage() for r in caplog.records)
    assert read_facts(stack.state)[data_set["id"].lower()].entity_type == "/Customer"
    reads = detail_reads(stack)
    assert reads > 0
    stack.cycle()  # the entry is still inside the overlap window, but was acted on already
    assert detail_reads(stack) == reads


def detail_reads(stack: LineageStack) -> int:
    operations = stack.cluedin.stats()["operations"]
    return sum(op["count"] for name, op in operations.items() if name.endswith("inbound.dataSource"))


def test_added_and_removed_data_sources_are_logged_as_monitor_events(stack, caplog):
    stack.cycle()
    stack.activity(
        "activity/data-set", {"group": "ERP", "dataSource": "ERP", "dataSet": "Orders.csv", "records": [{"a": 1}]}
    )
    stack.activity("activity/data-source/remove", {"id": stack.data_source_id("CRM")})
    with caplog.at_level(logging.INFO, logger="sync.lineage.monitor"):
        report, _ = stack.cycle(sync_delete_failsafe_percent=100.0)
    messages = [r.getMessage() for r in caplog.records]
    assert any("Data source 'ERP' added in CluedIn" in m for m in messages)
    assert any("Data source 'CRM' removed in CluedIn" in m for m in messages)
    assert any("Data set 'Set0.csv' removed in CluedIn" in m for m in messages)
    texts = [n.text for n in report.notifications]
    assert "Data Set 'Orders.csv' synced to Purview" in texts
    assert "Data Set 'Set0.csv' removed from Purview" in texts
    assert [d["attributes"]["name"] for d in stack.entities("cluedin_dataset").values()] == ["Orders.csv"]
