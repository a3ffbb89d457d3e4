"""F4 Poll Data Sources against Azurite and the emulators: metrics arrive, a quiet estate costs no writes."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from sync.core.diff import storage_order
from sync.services.purview import qualified_names as names
from tests.support.lineage import ORG, LineageStack, account_set, group, lineage_stack, seed_document
from tests.support.witnesses import atlas_sdk


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator):
    built = lineage_stack(azurite, purview, fresh_cluedin_emulator)
    fresh_cluedin_emulator.seed(seed_document([group("Account.csv", [account_set()])]))
    report, _ = built.cycle("lineage")
    assert report.status == "completed", report.errors
    return built


def dataset(stack: LineageStack) -> dict[str, Any]:
    qualified_name = names.dataset_name(ORG, stack.data_set_id("Account.csv"))
    return stack.entities("cluedin_dataset")[qualified_name]


def upload(stack: LineageStack, data_set_id: str, rows: list[dict[str, Any]]) -> None:
    """Post records to a data set's ingestion endpoint, as a pipeline would (not processed)."""
    token = stack.cluedin.api_token("polling-tests")
    response = requests.post(
        f"{stack.cluedin.url}/upload/api/endpoint/{data_set_id}",
        json=rows,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    response.raise_for_status()


def ingest(stack: LineageStack, rows: list[dict[str, Any]]) -> None:
    """Post records to the data set's ingestion endpoint and process them, as a pipeline and a user would."""
    data_set_id = stack.data_set_id("Account.csv")
    upload(stack, data_set_id, rows)
    stack.activity("activity/process", {"dataSetId": data_set_id})


def test_counts_metrics_and_link_are_written_on_the_cluedin_dataset(stack):
    report, outcomes = stack.cycle("polling")
    assert report.planned == {"create": 1} and [o.result for o in outcomes] == ["applied"]
    attributes = dataset(stack)["attributes"]
    assert attributes["recordsReceived"] == 2
    assert attributes["recordsProcessed"] == 2
    assert attributes["recordsFailed"] == 0
    assert attributes["lastIngestedAt"] > 0
    assert attributes["cluedinUrl"].startswith(stack.cluedin.url)
    assert set(attributes["dataQualityMetrics"]) >= {"completeness", "accuracy"}
    assert attributes["name"] == "Account.csv" and attributes["dataSourceName"] == "Account.csv"
    assert stack.purview.violations() == []


def test_the_metrics_read_back_through_pyapacheatlas(stack):
    stack.cycle("polling")
    qualified_name = names.dataset_name(ORG, stack.data_set_id("Account.csv"))
    [entity] = atlas_sdk(stack.purview).get_entity(qualifiedName=qualified_name, typeName="cluedin_dataset")["entities"]
    attributes = entity["attributes"]
    assert (attributes["recordsReceived"], attributes["recordsProcessed"], attributes["recordsFailed"]) == (2, 2, 0)
    assert attributes["cluedinUrl"].startswith(stack.cluedin.url)


def submission_reads(stack: LineageStack) -> int:
    operations = stack.cluedin.stats()["operations"]
    return sum(op["count"] for name, op in operations.items() if "getAnnotationSubmissions" in name)


def test_a_quiet_estate_costs_no_purview_writes(stack):
    stack.cycle("polling")
    writes, reads = stack.purview_writes(), submission_reads(stack)
    assert reads > 0
    report, outcomes = stack.cycle("polling")
    assert report.planned == {} and outcomes == []
    assert stack.purview_writes() == writes
    assert submission_reads(stack) == reads  # settled data sets are not re-read


def test_only_changed_values_are_written(stack):
    stack.cycle("polling")
    before = dataset(stack)["attributes"]
    ingest(stack, [{"Id": "3", "Name": "Northwind", "Email": "x@northwind.com", "Notes": ""}])
    report, outcomes = stack.cycle("polling")
    assert report.planned == {"update": 1}
    written = outcomes[0].detail
    assert "recordsReceived" in written and "recordsProcessed" in written and "cluedinUrl" not in written
    after = dataset(stack)["attributes"]
    assert (after["recordsReceived"], after["recordsProcessed"]) == (3, 3)
    assert after["lastIngestedAt"] >= before["lastIngestedAt"]
    assert stack.purview.violations() == []


def test_lineage_updates_keep_the_metrics(stack):
    stack.cycle("polling")
    stack.activity(
        "activity/data-set",
        {"group": "Account.csv", "dataSource": "Account.csv", "dataSet": "Other.csv", "records": [{"a": "1"}]},
    )
    stack.cycle("lineage")
    stack.cluedin_graphql(
        "mutation m($id: ID, $f: [InputPropertyMapping]) { inbound { updateAnnotationMappingInDataSet("
        "dataSetId: $id, fieldMappings: $f) } }",
        {"id": stack.data_set_id("Account.csv"), "f": [{"originalField": "Email", "key": "--ignore--"}]},
    )
    report, _ = stack.cycle("lineage")
    assert report.planned.get("update"), report.changes
    attributes = dataset(stack)["attributes"]
    assert attributes["recordsReceived"] == 2  # Atlas updates only the attributes a request carries
    assert attributes["dataQualityMetrics"]


def test_waiting_data_sets_are_re_read_in_turn_a_share_per_poll(azurite, purview, fresh_cluedin_emulator):
    """Five data sets whose records wait for processing, two re-reads per poll: each is re-read in turn."""
    waiting = lineage_stack(azurite, purview, fresh_cluedin_emulator, POLL_SUBMISSION_READS_PER_POLL="2")
    names = [f"Wait{i}.csv" for i in range(5)]
    fresh_cluedin_emulator.seed(seed_document([group(name, [account_set(name, process=False)]) for name in names]))
    assert waiting.cycle("lineage")[0].ok
    ids = sorted((waiting.data_set_id(name) for name in names), key=storage_order)

    def poll(**overrides: str) -> tuple[int, dict[str, int]]:
        """(submission reads, what was planned) of one poll."""
        before = submission_reads(waiting)
        report, _ = waiting.cycle("polling", **overrides)
        assert report.ok, report.errors
        return submission_reads(waiting) - before, report.planned

    assert poll() == (5, {"create": 5})  # new data sets are always read
    assert poll() == (2, {})  # ids[0], ids[1]
    waiting.activity("activity/process", {"dataSetId": ids[2]})
    assert poll() == (2, {"update": 1})  # ids[2] (now processed: its counts are written) and ids[3]
    assert poll() == (1, {})  # ids[4], the last one waiting: the next poll starts again from the first
    assert poll(SYNC_DRY_RUN="true")[0] == 2  # a dry-run reads what the poll would, and leaves the turn where it is
    assert poll() == (2, {})  # ids[0], ids[1]
    upload(waiting, ids[0], [{"Id": "3", "Name": "Tailspin", "Email": "", "Notes": ""}])
    reads, planned = poll()
    assert (reads, planned) == (3, {"update": 1})  # ids[0]'s count moved: read beside the turn (ids[3], ids[4])
