"""The lineage planner: nothing for unchanged records, grouping by entity type, deletions last."""

from __future__ import annotations

from sync.lineage.model import desired_rows
from sync.lineage.plan import plan_lineage
from sync.messages import ChangeKind
from sync.state import SyncObject, fingerprint
from tests.unit.test_lineage_samples import CTX, LINK, account, contacts

A = account().id
C = contacts().id


def plan(snapshot, state):
    return plan_lineage(snapshot, state, feature="lineage", object_kind="lineage")


def applied(snapshot):
    return {
        k: SyncObject("lineage", k, fingerprint=fingerprint(v), status="active", data={"name": str(v.get("name", ""))})
        for k, v in snapshot.items()
    }


def test_first_cycle_creates_everything_grouped_by_entity_type():
    snapshot = desired_rows(
        [account(), contacts(), account(id="33", data_source_id="9", entity_type="", mappings=[])], {"7": LINK}, CTX
    )
    changes = plan(snapshot, {})
    assert all(c.kind == ChangeKind.CREATE for c in changes)
    assert [c.key for c in changes] == [
        "entity|/Account",
        f"dataset|{A}",
        f"ingest|{A}",
        f"map|{A}",
        f"dataset|{C}",
        f"map|{C}",
        "dataset|33",
    ]
    assert changes[0].summary == "create Cluedin Entity '/Account'"
    assert changes[1].summary == "create Cluedin Dataset 'Account.csv'"


def test_unchanged_records_plan_nothing():
    snapshot = desired_rows([account(), contacts()], {"7": LINK}, CTX)
    assert plan(snapshot, applied(snapshot)) == []


def test_renamed_column_updates_the_dataset_and_its_processes_only():
    before = desired_rows([account()], {"7": LINK}, CTX)
    renamed = account(
        original_fields=["Id", "FullName", "Email", "Notes"],
        mappings=[
            *account().mappings[:1],
            account().mappings[1].__class__("FullName", "account.name"),
            *account().mappings[2:],
        ],
    )
    changes = plan(desired_rows([renamed], {"7": LINK}, CTX), applied(before))
    assert [(c.kind, c.key) for c in changes] == [
        (ChangeKind.UPDATE, f"dataset|{A}"),
        (ChangeKind.UPDATE, f"ingest|{A}"),
        (ChangeKind.UPDATE, f"map|{A}"),
    ]


def test_removed_mapping_deletes_the_map_process_and_the_unshared_entity():
    before = desired_rows([account()], {"7": LINK}, CTX)
    after = desired_rows([account(entity_type="", annotation_id="", mappings=[])], {"7": LINK}, CTX)
    changes = plan(after, applied(before))
    assert [(c.kind, c.key) for c in changes] == [
        (ChangeKind.UPDATE, f"dataset|{A}"),
        (ChangeKind.DELETE, f"map|{A}"),
        (ChangeKind.DELETE, "entity|/Account"),
    ]
    assert changes[1].summary == "remove Map to Entity process of 'Account.csv'"


def test_removed_data_set_deletes_its_records_but_keeps_the_shared_entity():
    before = desired_rows([account(), contacts()], {"7": LINK}, CTX)
    after = desired_rows([contacts()], {"7": LINK}, CTX)
    changes = plan(after, applied(before))
    kinds = [(c.kind, c.key) for c in changes if c.kind == ChangeKind.DELETE]
    assert kinds == [
        (ChangeKind.DELETE, f"map|{A}"),
        (ChangeKind.DELETE, f"ingest|{A}"),
        (ChangeKind.DELETE, f"dataset|{A}"),
    ]
    assert any(c.kind == ChangeKind.UPDATE and c.key == "entity|/Account" for c in changes)  # account.email dropped


def test_orphaned_rows_are_not_deleted_again_and_come_back_as_updates():
    snapshot = desired_rows([account()], {}, CTX)
    state = applied(snapshot)
    state[f"dataset|{A}"].status = "orphaned"
    state["dataset|gone"] = SyncObject("lineage", "dataset|gone", status="orphaned")
    changes = plan(snapshot, state)
    assert [(c.kind, c.key) for c in changes] == [(ChangeKind.UPDATE, f"dataset|{A}")]


def test_collection_change_rewrites_everything_into_the_new_collection():
    snapshot = desired_rows([account()], {}, CTX)
    moved = desired_rows([account()], {}, CTX.__class__("acme", "newcol", CTX.cluedin_url))
    assert {c.key for c in plan(moved, applied(snapshot))} == set(snapshot)
