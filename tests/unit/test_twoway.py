"""The three-way comparison behind every two-sided feature, and the shared planner (decision 0804)."""

from __future__ import annotations

from typing import Any

import pytest

from sync.core.messages import Change, ChangeKind, pack_messages, parse_message
from sync.core.state import SyncObject
from sync.core.twoway import ConflictPolicy, PairSpec, Planned, TwoSided, plan_pairs, resolve

SOURCE_WINS, TARGET_WINS, REPORT = ConflictPolicy.SOURCE_WINS, ConflictPolicy.TARGET_WINS, ConflictPolicy.REPORT


def decide(source: str, target: str, written: str, policy: ConflictPolicy = SOURCE_WINS) -> Any:
    return resolve(["name"], {"name": source}, {"name": target}, {"name": written}, policy, label="term 'A'")


def test_untouched_target_gets_the_new_source_value():
    result = decide("B", "A", "A")
    assert result.write == {"name": "B"} and result.baseline == {"name": "B"} and not result.conflicts


def test_equal_sides_write_nothing_and_a_converged_field_only_moves_the_baseline():
    assert not decide("A", "A", "A").moves_baseline
    converged = decide("B", "B", "A")
    assert converged.write == {} and converged.baseline == {"name": "B"} and converged.moves_baseline


@pytest.mark.parametrize(
    ("policy", "write", "resolution"),
    [
        (SOURCE_WINS, {"name": "A"}, "overwritten with the source value (source-wins)"),
        (TARGET_WINS, {}, "kept the edit (target-wins)"),
        (REPORT, {}, "nothing written (report)"),
    ],
)
def test_a_target_side_edit_is_decided_by_the_policy(policy, write, resolution):
    result = decide("A", "edited", "A", policy)
    assert result.write == write
    [conflict] = result.conflicts
    assert not conflict.source_changed and conflict.resolution == resolution
    assert conflict.text.startswith("edited: term 'A' name: 'A' → 'edited' in the target")


def test_a_true_conflict_names_all_three_values():
    [conflict] = decide("B", "edited", "A", REPORT).conflicts
    assert conflict.source_changed
    assert conflict.text == (
        "conflict: term 'A' name: 'A' → 'edited' in the target, source now 'B'; nothing written (report)"
    )


def test_a_field_never_written_takes_the_targets_value_as_baseline():
    result = resolve(["name", "status"], {"name": "A", "status": "Approved"}, {"name": "A", "status": "Draft"}, {},
                     SOURCE_WINS, label="x")  # fmt: skip
    assert result.write == {"status": "Approved"} and not result.conflicts


def spec() -> PairSpec:
    return PairSpec(
        fields=lambda key: ("name",),
        target_id=lambda row: row.target.get("id"),
        label=lambda key, entry: f"term '{key}'",
        target_side="Purview",
        protect=lambda row, now: "assigned" if (now or {}).get("assigned") else "",
    )


def make(kind: ChangeKind, key: str, desired: dict[str, Any], summary: str) -> Change:
    return Change(feature="f", object_kind="k", key=key, kind=kind, desired=desired, summary=summary)


def row(key: str, target_id: str, written: str, status: str = "active") -> SyncObject:
    data = {"written": {"name": written}, "label": f"term '{key}'"}
    return SyncObject("k", key, target={"id": target_id}, data=data, status=status)


def test_the_planner_creates_recreates_updates_deletes_and_protects():
    snapshot = TwoSided(
        {k: {"values": {"name": v}} for k, v in {"new": "N", "gone": "G", "same": "S", "renamed": "R2"}.items()},
        observed={"t-same": {"name": "S"}, "t-renamed": {"name": "R"}, "t-kept": {"name": "K", "assigned": 2}},
        complete=True,
    )
    state = {
        "gone": row("gone", "t-gone", "G"),
        "same": row("same", "t-same", "S"),
        "renamed": row("renamed", "t-renamed", "R"),
        "kept": row("kept", "t-kept", "K"),
        "old": row("old", "t-old", "O"),
    }
    planned = plan_pairs(snapshot, state, spec(), SOURCE_WINS, make)
    assert isinstance(planned, Planned)
    assert [(c.kind.value, c.key, c.summary) for c in planned] == [
        ("create", "gone", "re-create term 'gone'"),
        ("create", "new", "create term 'new'"),
        ("update", "renamed", "update term 'renamed': name"),
        ("delete", "old", "delete term 'old'"),
    ]
    assert planned.notes == ["term 'gone' was deleted in Purview; re-creating it", "kept term 'kept': assigned"]
    assert planned[2].desired["written"] == {"name": "R2"} and planned[2].desired["write"] == ["name"]


def test_an_incomplete_observation_trusts_the_baseline_and_an_orphan_is_readopted():
    snapshot = TwoSided({"a": {"values": {"name": "A2"}}, "b": {"values": {"name": "B"}}})
    state = {"a": row("a", "t-a", "A"), "b": row("b", "t-b", "B", status="orphaned")}
    planned = plan_pairs(snapshot, state, spec(), REPORT, make)
    assert [(c.kind.value, c.key) for c in planned] == [("update", "a")]
    assert planned.conflicts == []


def change(key: str, group: str) -> Change:
    return Change(feature="f", object_kind="k", key=key, kind=ChangeKind.CREATE, desired={"g": group, "x": "y" * 100})


def test_groups_stay_in_one_message_when_they_fit():
    changes = [change(f"{g}{i}", g) for g, n in (("a", 3), ("b", 4), ("c", 2)) for i in range(n)]
    plain = pack_messages("r", changes, max_changes=5)
    grouped = pack_messages("r", changes, max_changes=5, group=lambda c: str(c.desired["g"]))
    keys = [[c.key for c in parse_message(m).changes] for m in grouped]
    assert [[c.key for c in parse_message(m).changes] for m in plain] == [
        ["a0", "a1", "a2", "b0", "b1"], ["b2", "b3", "c0", "c1"]
    ]  # fmt: skip
    assert keys == [["a0", "a1", "a2"], ["b0", "b1", "b2", "b3"], ["c0", "c1"]]
    too_big = pack_messages("r", changes, max_changes=2, group=lambda c: str(c.desired["g"]))
    assert [len(parse_message(m).changes) for m in too_big] == [2, 1, 2, 2, 2]
