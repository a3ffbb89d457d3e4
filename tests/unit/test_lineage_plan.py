"""The lineage planner: one change per data set, nothing for unchanged records, deletions per object, last."""

from __future__ import annotations

from typing import Any

from sync.core.messages import ChangeKind
from sync.core.state import SyncObject, fingerprint
from sync.features.lineage.model import desired_rows, group_records
from sync.features.lineage.plan import plan_lineage
from sync.services.cluedin.datasets import FieldMapping
from tests.unit.test_lineage_samples import CTX, LINK, account, contacts

A = account().id
C = contacts().id


def records(*facts, links=None, ctx=CTX):
    return desired_rows(list(facts), {"7": LINK} if links is None else links, ctx)


def plan(rows: dict[str, Any], state, *, retain=False):
    return plan_lineage(group_records(rows), state, feature="lineage", object_kind="lineage", retain=retain)


def applied(rows: dict[str, Any]):
    """State as the writer leaves it after writing `rows`: one row per data set (processes as parts)."""
    state: dict[str, SyncObject] = {}
    for key, record in group_records(rows).items():
        main = record.get("dataset") or record.get("entity") or {}
        parts = {
            kind: {"guid": f"g-{kind}", "fingerprint": fingerprint(desired), "status": "active"}
            for kind, desired in record.items()
            if kind in ("ingest", "map")
        }
        state[key] = SyncObject(
            "lineage",
            key,
            fingerprint=fingerprint(main),
            status="active",
            target={"org": "acme", "guid": "g", "columns": {}, "parts": parts},
            data={"name": str(main.get("name", ""))},
        )
    return state


def test_first_cycle_creates_one_change_per_data_set_grouped_by_entity_type():
    unmapped = account(id="33", data_source_id="9", entity_type="", mappings=[])
    changes = plan(records(account(), contacts(), unmapped), {})
    assert all(c.kind == ChangeKind.CREATE for c in changes)
    assert [c.key for c in changes] == ["entity|/Account", f"dataset|{A}", f"dataset|{C}", "dataset|33"]
    assert set(changes[1].desired["parts"]) == {"dataset", "ingest", "map"}
    assert set(changes[2].desired["parts"]) == {"dataset", "map"}
    assert set(changes[3].desired["parts"]) == {"dataset"}
    assert changes[0].summary == "create Cluedin Entity '/Account'"
    assert changes[1].summary == "create Cluedin Dataset 'Account.csv' and its Ingest Data and Map to Entity"


def test_unchanged_records_plan_nothing():
    rows = records(account(), contacts())
    assert plan(rows, applied(rows)) == []


def test_a_renamed_column_sends_only_the_records_it_changes():
    before = records(account())
    renamed = account(
        original_fields=["Id", "FullName", "Email", "Notes"],
        mappings=[account().mappings[0], FieldMapping("FullName", "account.name"), *account().mappings[2:]],
    )
    [change] = plan(records(renamed), applied(before))
    assert (change.kind, change.key) == (ChangeKind.UPDATE, f"dataset|{A}")
    assert set(change.desired["parts"]) == {"dataset", "ingest", "map"}
    assert change.desired["parts"]["map"]["columns"][1] == ["FullName", "account.name"]


def test_a_mapping_change_touches_the_map_process_and_the_entity_only():
    before = records(account())
    remapped = account(mappings=[*account().mappings[:3], FieldMapping("Notes", "account.notes")])
    changes = plan(records(remapped), applied(before))
    assert [(c.kind, c.key, sorted(c.desired["parts"])) for c in changes] == [
        (ChangeKind.UPDATE, "entity|/Account", ["entity"]),
        (ChangeKind.UPDATE, f"dataset|{A}", ["map"]),
    ]
    assert changes[1].summary == "update Cluedin Dataset 'Account.csv': Map to Entity"


def test_a_removed_mapping_deletes_the_map_process_and_the_unshared_entity():
    before = records(account())
    after = records(account(entity_type="", annotation_id="", mappings=[]))
    changes = plan(after, applied(before))
    assert [(c.kind, c.key) for c in changes] == [
        (ChangeKind.UPDATE, f"dataset|{A}"),
        (ChangeKind.DELETE, f"map|{A}"),
        (ChangeKind.DELETE, "entity|/Account"),
    ]
    assert changes[1].summary == "remove Map to Entity process of 'Account.csv'"


def test_a_removed_data_set_is_one_deletion_and_keeps_the_shared_entity():
    changes = plan(records(contacts()), applied(records(account(), contacts())))
    deletes = [c.key for c in changes if c.kind == ChangeKind.DELETE]
    assert deletes == [f"dataset|{A}"]  # its row owns the dataset, its columns and both processes
    assert [c.key for c in changes if c.kind == ChangeKind.UPDATE] == ["entity|/Account"]  # account.email dropped


def test_orphaned_rows_are_not_deleted_again_and_come_back_as_updates():
    rows = records(account(), links={})
    state = applied(rows)
    state[f"dataset|{A}"].status = "orphaned"
    state["dataset|gone"] = SyncObject("lineage", "dataset|gone", status="orphaned")
    changes = plan(rows, state)
    assert [(c.kind, c.key, sorted(c.desired["parts"])) for c in changes] == [
        (ChangeKind.UPDATE, f"dataset|{A}", ["dataset"])
    ]


def test_a_new_collection_rewrites_everything_into_it():
    rows = records(account())
    moved = records(account(), ctx=CTX.__class__("acme", "newcol", CTX.cluedin_url))
    changes = plan(moved, applied(rows))
    assert sum(len(c.desired["parts"]) for c in changes) == len(rows)


def test_under_retain_a_removed_mapping_is_kept_and_marked_orphaned_by_the_data_sets_change():
    before = records(account())
    after = records(account(entity_type="", annotation_id="", mappings=[]))
    changes = plan(after, applied(before), retain=True)
    assert [(c.kind, c.key) for c in changes] == [
        (ChangeKind.UPDATE, f"dataset|{A}"),
        (ChangeKind.DELETE, "entity|/Account"),
    ]
    assert changes[0].desired["orphan"] == ["map"]
    assert changes[0].summary.endswith("keep Map to Entity (orphaned, delete policy retain)")
    state = applied(before)
    state[f"dataset|{A}"].target["parts"]["map"]["status"] = "orphaned"
    state[f"dataset|{A}"].fingerprint = fingerprint(after[f"dataset|{A}"])
    state["entity|/Account"].status = "orphaned"
    assert plan(after, state, retain=True) == []  # marked once, not again every cycle


def test_a_lost_link_deletes_only_the_ingest_process():
    changes = plan(records(account(), links={}), applied(records(account())))
    assert [(c.kind, c.key) for c in changes] == [
        (ChangeKind.UPDATE, f"dataset|{A}"),  # column types came from the asset's schema
        (ChangeKind.DELETE, f"ingest|{A}"),
    ]
    assert set(changes[0].desired["parts"]) == {"dataset"}
