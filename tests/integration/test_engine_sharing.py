"""What features share, against the emulators: Cluedin Entity nodes owned jointly, one CluedIn change feed.

A second feature is declared here, as a new feature would be: it holds the Cluedin Entity of /Account (with a
column of its own) and subscribes to the CluedIn change feed. It is test code because no product feature of this
kind exists yet; everything it calls is the app's own engine, state and clients over real HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from sync.core.changefeed import FeedWindow
from sync.core.engine import run_tick
from sync.core.feature import ApplyOutcome, Feature, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.ownership import SHARED_KIND, SharedObjects
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.features.lineage.feature import LineageFeature
from sync.features.lineage.settings import LineageSettings
from sync.services.purview import qualified_names as names
from sync.services.purview.client import PurviewClient
from sync.services.purview.typedefs import COLUMN_TYPE, ENTITY_TYPE, ensure_types
from tests.support.lineage import ORG, LineageStack, account_set, group, lineage_stack, seed_document

ENTITY = names.entity_name(ORG, "/Account")


class Streams(Feature):
    """A stand-in for a later feature that draws lines to /Account and reads the CluedIn change feed."""

    name: ClassVar[str] = "streams_probe"
    settings_model = LineageSettings
    object_kind: ClassVar[str] = "streams-probe"
    queue: ClassVar[Queues] = Queues.PURVIEW_ENTITIES
    needs: ClassVar[tuple[str, ...]] = ("purview",)
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": frozenset({"DataSet"})}
    wanted: ClassVar[bool] = True
    windows: ClassVar[list[FeedWindow]] = []

    def enabled(self, settings: Settings) -> bool:
        return True

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        self.windows.append(ctx.feed("cluedin"))
        return Snapshot({"/Account": {"columns": ["account.exported"]}} if self.wanted else {})

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        changes = [self.change(ChangeKind.CREATE, k, v, f"hold {k}") for k, v in snapshot.items() if k not in state]
        changes += [self.change(ChangeKind.DELETE, k, {}, f"release {k}") for k in state if k not in snapshot]
        return changes

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        purview: PurviewClient = ctx.client("purview")
        ensure_types(purview, ctx.state)
        shared_rows = SharedObjects(ctx.state)
        [row] = shared_rows.read([f"{ENTITY_TYPE.name}|{ENTITY}"]).values()
        own = ctx.state.get_object(self.object_kind, change.key) or SyncObject(kind=self.object_kind, key=change.key)
        if change.kind == ChangeKind.DELETE:
            released = SharedObjects.release(row, self.name)
            doomed = [names.column_name(ENTITY, c) for c in released.columns]
            guids = purview.get_entities_by_qualified_names(COLUMN_TYPE.name, doomed) if doomed else {}
            if released.object:
                guids |= purview.get_entities_by_qualified_names(ENTITY_TYPE.name, [ENTITY])
            if guids:
                purview.delete_entities([str(e["guid"]) for e in guids.values()])
            shared_rows.commit([row])
            ctx.state.delete_object(self.object_kind, change.key)
            return ApplyOutcome("applied", "released")
        columns = change.desired["columns"]
        SharedObjects.hold(row, self.name, columns)
        entity = {"typeName": ENTITY_TYPE.name, "attributes": {"qualifiedName": ENTITY, "name": "/Account"}}
        parts = [
            {
                "typeName": COLUMN_TYPE.name,
                "attributes": {"qualifiedName": names.column_name(ENTITY, c), "name": c},
                "relationshipAttributes": {
                    "entity": {"typeName": ENTITY_TYPE.name, "uniqueAttributes": {"qualifiedName": ENTITY}}
                },
            }
            for c in columns
        ]
        purview.upsert_entities([entity, *parts])
        shared_rows.commit([row])
        own.status, own.fingerprint = "active", change.fingerprint
        ctx.state.save(own)
        return ApplyOutcome("applied", "held")


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator) -> LineageStack:
    Streams.wanted, Streams.windows = True, []
    built = lineage_stack(azurite, purview, fresh_cluedin_emulator, SYNC_DELETE_FAILSAFE_PERCENT="100")
    built.features = {**built.features, Streams.name: Streams()}
    fresh_cluedin_emulator.seed(seed_document([group("Account.csv", [account_set()])]))
    return built


def columns_of_account(stack: LineageStack) -> list[str]:
    return sorted(
        c["attributes"]["name"]
        for c in stack.entities(COLUMN_TYPE.name).values()
        if "#" in c["attributes"]["qualifiedName"] and c["attributes"]["qualifiedName"].startswith(ENTITY)
    )


def holders(stack: LineageStack) -> dict[str, list[str]]:
    row = stack.state.get_object(SHARED_KIND, f"{ENTITY_TYPE.name}|{ENTITY}")
    return {} if row is None else dict(row.data["holders"])


def test_a_node_two_features_hold_goes_only_when_the_last_lets_go(stack):
    stack.cycle("lineage")
    stack.cycle(Streams.name)
    assert holders(stack) == {
        "lineage": ["account.email", "account.id", "account.name"],
        "streams_probe": ["account.exported"],
    }
    assert columns_of_account(stack) == ["account.email", "account.exported", "account.id", "account.name"]

    stack.activity("activity/data-source/remove", {"id": stack.data_source_id("Account.csv")})
    report, _ = stack.cycle("lineage")  # lineage's last data set of /Account is gone: it lets go
    assert report.planned == {"delete": 2}
    assert ENTITY in stack.entities(ENTITY_TYPE.name)  # still held by the other feature
    assert columns_of_account(stack) == ["account.exported"]  # lineage's columns went, the other's stayed
    assert holders(stack) == {"streams_probe": ["account.exported"]}

    Streams.wanted = False
    stack.cycle(Streams.name)
    assert stack.entities(ENTITY_TYPE.name) == {}
    assert columns_of_account(stack) == []
    assert holders(stack) == {}
    assert stack.purview.violations() == []


def audit_reads(stack: LineageStack) -> int:
    operations = stack.cluedin.stats()["operations"]
    return sum(op["count"] for name, op in operations.items() if "auditLog" in name)


def test_the_change_feed_is_read_once_per_tick_for_every_subscriber(stack):
    features = [LineageFeature(), Streams()]
    run_tick(features, stack.context())  # both subscribe for the first time: no position, nothing read
    assert [w.first for w in Streams.windows] == [True]
    stack.drain(Queues.PURVIEW_LINEAGE)
    stack.drain(Queues.PURVIEW_ENTITIES)
    stack.activity(
        "activity/data-set",
        {
            "group": "Account.csv",
            "dataSource": "Account.csv",
            "dataSet": "Account-2026.csv",
            "mapping": {"entityType": "/Account", "vocabulary": "account", "fields": {"Id": "account.id"}},
            "records": [{"Id": "9"}],
        },
    )
    before = audit_reads(stack)
    reports = run_tick(features, stack.context())
    assert audit_reads(stack) - before == 1  # one read for both subscribers
    assert [r.status for r in reports] == ["enqueued", "completed"]
    window = Streams.windows[-1]
    assert not window.first and {e.object_type for e in window.entries} <= {"DataSet", ""}
    assert any(e.action for e in window.entries)

    run_tick(features, stack.context(SYNC_DRY_RUN=True))  # a dry run reads but does not move the positions
    same = Streams.windows[-1]
    run_tick(features, stack.context())
    assert [e.id for e in Streams.windows[-1].entries] == [e.id for e in same.entries]  # not swallowed by the dry run
    run_tick(features, stack.context())
    assert Streams.windows[-1].entries == []  # consumed by the real tick before
