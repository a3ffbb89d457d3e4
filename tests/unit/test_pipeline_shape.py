"""The pipeline shape's pure parts: its records and nodes, switching shapes in the planner, oversized units,
condition summaries, and which nodes a record owns."""

from __future__ import annotations

import dataclasses
from typing import Any

from sync.core.messages import ChangeKind
from sync.core.state import SyncObject, fingerprint
from sync.features.lineage.batch import pack, split_unit
from sync.features.lineage.graph import nodes_for
from sync.features.lineage.model import desired_rows, group_records
from sync.features.lineage.nodes import Node
from sync.features.lineage.pipeline import backbone_nodes, pipeline_ref
from sync.features.lineage.plan import plan_lineage
from sync.features.lineage.record_writer import owned_nodes
from sync.features.lineage.shape import LineageShape
from sync.services.cluedin import filters
from tests.unit.test_lineage_samples import CTX, LINK, account, contacts

PIPELINE = dataclasses.replace(CTX, shape=LineageShape.PIPELINE)
A = account().id


def records(ctx: Any = PIPELINE) -> dict[str, Any]:
    return desired_rows([account(), contacts()], {"7": LINK}, ctx)


def written(rows: dict[str, Any]) -> dict[str, SyncObject]:
    """State as the writer leaves it after writing `rows` (parts with their fingerprints)."""
    state: dict[str, SyncObject] = {}
    for key, record in group_records(rows).items():
        main = record.get("dataset") or record.get("entity") or record.get("backbone") or {}
        parts = {
            kind: {"guid": f"g-{kind}", "fingerprint": fingerprint(desired), "status": "active"}
            for kind, desired in record.items()
            if kind in ("ingest", "map", "annotation", "golden")
        }
        state[key] = SyncObject(
            "lineage", key, fingerprint=fingerprint(main), status="active",
            target={"org": "acme", "guid": "g", "columns": {}, "parts": parts},
            data={"name": str(main.get("name", ""))},
        )  # fmt: skip
    return state


def test_the_pipeline_shape_replaces_map_by_annotation_and_adds_the_backbone_and_golden_records():
    rows = records()
    kinds = sorted({key.split("|")[0] for key in rows})
    assert kinds == ["annotation", "backbone", "dataset", "entity", "golden", "ingest"]
    classic = records(CTX)
    assert sorted({key.split("|")[0] for key in classic}) == ["dataset", "entity", "ingest", "map"]
    assert rows[f"dataset|{A}"] == classic[f"dataset|{A}"]  # the Cluedin Dataset is the same in both shapes
    annotation = rows[f"annotation|{A}"]
    assert [k for k, _ in annotation["keys"]] == ["account.id", "account.name", "account.email"]
    assert annotation["url"].endswith(f"/datasets/{A}/mapping")
    backbone = rows["backbone|processing-pipeline"]
    every = {k for key, row in rows.items() if key.startswith("annotation|") for k, _ in row["keys"]}
    assert [k for k, _ in backbone["columns"]] == sorted(every)  # every mapped key, once


def test_annotation_nodes_and_the_shared_backbone():
    nodes = nodes_for("annotation", records()[f"annotation|{A}"])
    by_type = {n.type_name: n for n in nodes if not n.stub and n.parent is None}
    assert by_type["cluedin_mapping"].attributes["name"] == "Account.csv - mapping"
    assert by_type["cluedin_clue_process"].outputs == [pipeline_ref("acme")]
    assert not any(n.shared for n in nodes if not n.stub)  # the data set owns its part; the pipeline is a stub
    backbone = backbone_nodes("acme", "https://cluedin.test", [["a.b", ""]])
    assert [n.type_name for n in backbone if n.shared] == [
        "cluedin_processing_pipeline", "cluedin_processed_entities", "cluedin_process_entities_process",
    ]  # fmt: skip
    assert owned_nodes(backbone) == []  # the columns of held nodes are held too


def test_switching_to_the_pipeline_removes_each_map_part_once_and_adds_the_new_parts():
    state = written(records(CTX))
    changes = plan_lineage(group_records(records()), state, feature="lineage", object_kind="lineage")
    deletes = [c.key for c in changes if c.kind == ChangeKind.DELETE]
    assert sorted(deletes) == [f"map|{A}", f"map|{contacts().id}"]
    creates = [c for c in changes if c.kind == ChangeKind.CREATE]
    assert [c.key for c in creates] == ["backbone|processing-pipeline"]
    updated = {c.key: set(c.desired["parts"]) for c in changes if c.kind == ChangeKind.UPDATE}
    assert updated[f"dataset|{A}"] == {"annotation", "ingest"}  # the ingest process gains its link
    assert updated["entity|/Account"] == {"entity", "golden"}


def test_under_retain_a_switch_keeps_the_old_parts_orphaned():
    state = written(records(CTX))
    changes = plan_lineage(group_records(records()), state, feature="lineage", object_kind="lineage", retain=True)
    assert not [c for c in changes if c.kind == ChangeKind.DELETE]
    dataset = next(c for c in changes if c.key == f"dataset|{A}")
    assert dataset.desired["orphan"] == ["map"]
    assert dataset.summary.endswith("keep Map to Entity (orphaned, delete policy retain)")


def test_switching_back_releases_golden_records_and_the_backbone():
    state = written(records())
    changes = plan_lineage(group_records(records(CTX)), state, feature="lineage", object_kind="lineage")
    deletes = sorted(c.key for c in changes if c.kind == ChangeKind.DELETE)
    assert deletes == [
        f"annotation|{A}", f"annotation|{contacts().id}", "backbone|processing-pipeline", "golden|/Account",
    ]  # fmt: skip


def test_a_unit_too_large_for_one_call_is_split_with_its_columns_last():
    parent = Node("t", "p", {"name": "p"})
    columns = [Node("c", f"p#{i}", {"name": str(i)}, parent=("x", parent.ref)) for i in range(5)]
    process = Node("proc", "q", {}, inputs=[parent.ref])
    slices = split_unit([parent, *columns, process], max_entities=3)
    assert [[n.qualified_name for n in s] for s in slices] == [["p", "q", "p#0"], ["p#1", "p#2", "p#3"], ["p#4"]]
    assert [len(b) for b in pack([[parent, *columns, process]], max_entities=3)] == [3, 3, 1]
    assert split_unit([parent, process], max_entities=3) == [[parent, process]]


def test_condition_summaries_and_the_keys_a_filter_tests():
    leaf = {"field": "Properties[customer.country]", "operator": "306e5d29-832f-41e7-a6db-1c02eb5ebf74", "value": []}
    entity = {"field": "EntityType", "operator": "0bafc522-8011-43ba-978a-babe222ba466", "value": ["/Customer"]}
    either = {"condition": "OR", "rules": [leaf, {**leaf, "field": "Properties[customer.name]"}]}
    tree = {"condition": "AND", "rules": [entity, either]}
    assert filters.summary(tree) == (
        "EntityType Equals /Customer AND (Properties[customer.country] Exists OR Properties[customer.name] Exists)"
    )
    assert filters.keys_named(tree) == ["customer.country", "customer.name"]
    assert filters.summary({"condition": "AND", "rules": []}) == "all golden records"
    assert filters.summary('{"field": "Name", "operator": "x", "value": ["a"]}') == "Name x a"
    assert len(filters.summary({"rules": [entity] * 100})) == filters.MAX_SUMMARY
