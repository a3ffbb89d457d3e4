"""Create intents (decision 0005) of F1's data sources against the CluedIn emulator: adopt, never duplicate.

Each case starts from the state a crash leaves behind — an intent written, the create sent, its id never saved —
and shows the retry adopts what CluedIn has instead of creating a second group or data source.
"""

from __future__ import annotations

import pytest

from sync.core.errors import FatalError, LeaseHeldError
from sync.core.state import SyncObject
from sync.features.datasources.api import DATASOURCE_KIND, created_text, ensure_data_source, ensure_group, name_suffix
from sync.services.purview.assets import Asset, Column, asset_key
from tests.support.stack import Stack, build_stack

ASSET = Asset(
    guid="g-1",
    type_name="azure_sql_table",
    qualified_name="mssql://srv/db/dbo/Account",
    name="Account",
    terms=["Sync"],
    columns=[Column("Id", "int")],
)
KEY = asset_key(ASSET.type_name, ASSET.qualified_name)


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator) -> Stack:
    return build_stack(azurite, purview, fresh_cluedin_emulator)


def groups(stack: Stack) -> dict[str, list[str]]:
    return {name: [s["name"] for s in group["dataSources"]] for name, group in stack.cluedin_groups().items()}


def test_a_new_asset_gets_its_group_and_source_recorded_with_what_was_applied(stack: Stack):
    ctx = stack.context()
    made = ensure_data_source(ctx, ASSET, owner="o1", fingerprint="fp-1")
    assert (made.group_name, made.created) == ("Account", True)
    assert [(n.event, n.text) for n in made.notifications] == [("DataSourceCreated", created_text("Account"))]
    assert groups(stack) == {"Account": ["Account"]}
    row = stack.state.get_object(DATASOURCE_KIND, KEY)
    assert row is not None and (row.status, row.fingerprint, row.lease_owner) == ("active", "fp-1", "")
    assert row.source == {"guid": "g-1", "typeName": "azure_sql_table", "qualifiedName": ASSET.qualified_name}
    # The intents are gone once the ids are recorded.
    assert row.data == {"schema": [{"name": "Id", "type": "int"}], "name": "Account", "terms": ["Sync"]}
    assert row.target == {"group_id": row.target["group_id"], "group_name": "Account", "source_id": made.data_source_id}

    again = ensure_data_source(stack.context(), ASSET, owner="o2", fingerprint="fp-2")
    assert (again.data_source_id, again.created, again.notifications) == (made.data_source_id, False, [])
    assert groups(stack) == {"Account": ["Account"]}


def test_another_feature_asking_gets_the_known_source_without_a_write(stack: Stack):
    first = ensure_data_source(stack.context(), ASSET, owner="o1", fingerprint="fp", group_name="Custom group")
    writes = stack.state.writes
    asked = ensure_data_source(stack.context(), ASSET, owner="o2")
    assert (asked.data_source_id, asked.group_name, asked.created) == (first.data_source_id, "Custom group", False)
    assert asked.notifications == [] and stack.state.writes == writes


def test_another_feature_that_read_the_row_itself_is_answered_without_a_read(stack: Stack, monkeypatch):
    first = ensure_data_source(stack.context(), ASSET, owner="o1", fingerprint="fp")
    row = stack.state.get_object(DATASOURCE_KIND, KEY)
    monkeypatch.setattr(stack.state, "get_object", lambda kind, key: pytest.fail("the caller's read is used"))
    asked = ensure_data_source(stack.context(), ASSET, owner="o2", known=row)
    assert (asked.data_source_id, asked.created) == (first.data_source_id, False)


def test_another_feature_asking_for_a_new_or_orphaned_asset_gets_it_made(stack: Stack):
    made = ensure_data_source(stack.context(), ASSET, owner="o1")  # no row at all yet
    assert made.created
    row = stack.state.get_object(DATASOURCE_KIND, KEY)
    assert row is not None
    row.status = "orphaned"
    stack.state.save(row)
    again = ensure_data_source(stack.context(), ASSET, owner="o2")
    assert (again.data_source_id, again.created) == (made.data_source_id, False)
    back = stack.state.get_object(DATASOURCE_KIND, KEY)
    assert back is not None and back.status == "active"  # went through the lease, not the shortcut


def test_a_group_name_chosen_earlier_wins_over_the_one_asked_for(stack: Stack):
    row = SyncObject(kind=DATASOURCE_KIND, key=KEY, target={"group_name": "Chosen earlier"})
    stack.state.save(row)
    made = ensure_data_source(stack.context(), ASSET, owner="o1", fingerprint="fp", group_name="Asked now")
    assert made.group_name == "Chosen earlier" and set(groups(stack)) == {"Chosen earlier"}


def test_each_create_is_sent_only_after_its_intent_is_in_state(stack: Stack, monkeypatch):
    ctx = stack.context()
    cluedin = ctx.client("cluedin")
    seen: list[dict[str, object]] = []
    create_group, create_source = cluedin.create_data_source_set, cluedin.create_data_source

    def group_after_intent(name: str) -> str:
        seen.append(dict(stack.state.get_object(DATASOURCE_KIND, KEY).data))  # type: ignore[union-attr]
        return create_group(name)  # type: ignore[no-any-return]

    def source_after_intent(group_id: str, name: str) -> str:
        seen.append(dict(stack.state.get_object(DATASOURCE_KIND, KEY).data))  # type: ignore[union-attr]
        return create_source(group_id, name)  # type: ignore[no-any-return]

    monkeypatch.setattr(cluedin, "create_data_source_set", group_after_intent)
    monkeypatch.setattr(cluedin, "create_data_source", source_after_intent)
    ensure_data_source(ctx, ASSET, owner="o1", fingerprint="fp")
    # Both intents go out in one write, before the first create: the group's and the data source's.
    both = {"creating_group": "Account", "creating_source": "Account"}
    assert seen == [both, both]


def test_a_new_asset_costs_five_writes_and_no_read_when_the_caller_has_read_its_row(stack: Stack, monkeypatch):
    """The lease (guarded by the caller's read), both intents, a fence before each create, and the release
    carrying both ids: five Table calls (it was nine: a second read, and a save after each create)."""
    reads: list[str] = []
    real_read = stack.state.get_object

    def counted(kind: str, key: str) -> SyncObject | None:
        reads.append(key)
        return real_read(kind, key)

    monkeypatch.setattr(stack.state, "get_object", counted)
    writes = stack.state.writes
    made = ensure_data_source(stack.context(), ASSET, owner="o1", fingerprint="fp", known=None)
    assert made.created and (reads, stack.state.writes - writes) == ([], 5)
    row = real_read(DATASOURCE_KIND, KEY)
    assert row is not None and row.target["source_id"] == made.data_source_id and row.lease_owner == ""
    ensure_data_source(stack.context(), ASSET, owner="o2", fingerprint="fp")  # the caller read nothing: one read
    assert reads == [KEY]


def test_a_row_written_after_the_callers_read_fails_the_claim_and_creates_nothing(stack: Stack):
    """The claim is guarded by the caller's read: a row that appeared meanwhile is contention, retried later."""
    stack.state.save(SyncObject(kind=DATASOURCE_KIND, key=KEY, data={"creating_group": "Account"}))
    with pytest.raises(LeaseHeldError):
        ensure_data_source(stack.context(), ASSET, owner="o1", fingerprint="fp", known=None)
    assert groups(stack) == {}


def test_a_crash_between_the_two_creates_leaves_intents_that_the_retry_completes(stack: Stack, monkeypatch):
    """The group's id is not saved between the creates: the retry adopts the group and makes the source once."""
    ctx = stack.context()
    cluedin = ctx.client("cluedin")

    def dies(group_id: str, name: str) -> str:
        raise KeyboardInterrupt  # the process ends here: no release, the lease is left to expire

    monkeypatch.setattr(cluedin, "create_data_source", dies)
    with pytest.raises(KeyboardInterrupt):
        ensure_data_source(ctx, ASSET, owner="o1", fingerprint="fp")
    left = stack.state.get_object(DATASOURCE_KIND, KEY)
    assert left is not None and "group_id" not in left.target
    assert left.data == {"creating_group": "Account", "creating_source": "Account"}
    monkeypatch.undo()
    left.lease_owner, left.lease_until = "", None  # the dead invocation's lease ran out
    stack.state.save(left)
    made = ensure_data_source(stack.context(), ASSET, owner="retry", fingerprint="fp")
    assert made.created and groups(stack) == {"Account": ["Account"]}


def test_a_group_created_before_a_crash_is_adopted_by_its_intent(stack: Stack):
    cluedin = stack.cluedin_client()
    group_id = cluedin.create_data_source_set("Account")  # the create that went through before the crash
    stack.state.save(SyncObject(kind=DATASOURCE_KIND, key=KEY, data={"creating_group": "Account"}))
    made = ensure_data_source(stack.context(), ASSET, owner="retry", fingerprint="fp")
    row = stack.state.get_object(DATASOURCE_KIND, KEY)
    assert row is not None and (row.target["group_id"], row.target["group_name"]) == (str(group_id), "Account")
    assert groups(stack) == {"Account": ["Account"]}
    assert made.created and made.group_name == "Account"  # the data source itself was new


def test_a_group_and_source_created_before_a_crash_are_both_adopted(stack: Stack):
    cluedin = stack.cluedin_client()
    group_id = cluedin.create_data_source_set("Account")
    source_id = cluedin.create_data_source(str(group_id), "Account")
    intents = {"creating_group": "Account", "creating_source": "Account"}
    stack.state.save(SyncObject(kind=DATASOURCE_KIND, key=KEY, data=intents))
    made = ensure_data_source(stack.context(), ASSET, owner="retry", fingerprint="fp")
    assert (made.data_source_id, made.created, made.notifications) == (str(source_id), False, [])


def test_a_group_of_that_name_someone_else_made_leaves_the_app_its_suffixed_name(stack: Stack):
    stack.cluedin_client().create_data_source_set("Account")
    made = ensure_data_source(stack.context(), ASSET, owner="o1", fingerprint="fp")
    suffixed = f"Account ({name_suffix(ASSET.qualified_name)})"
    assert made.group_name == suffixed and groups(stack) == {"Account": [], suffixed: ["Account"]}


def test_both_names_taken_by_others_is_fatal_and_names_the_group(stack: Stack):
    cluedin = stack.cluedin_client()
    cluedin.create_data_source_set("Account")
    cluedin.create_data_source_set(f"Account ({name_suffix(ASSET.qualified_name)})")
    with pytest.raises(FatalError) as err:
        ensure_data_source(stack.context(), ASSET, owner="o1", fingerprint="fp")
    assert str(err.value) == (
        "data source group names 'Account' and its suffixed form are taken by groups the app did not create"
    )


def test_a_data_source_created_before_a_crash_is_adopted_by_its_intent(stack: Stack):
    cluedin = stack.cluedin_client()
    group_id = cluedin.create_data_source_set("Account")
    source_id = cluedin.create_data_source(str(group_id), "Account")
    row = SyncObject(kind=DATASOURCE_KIND, key=KEY, data={"creating_source": "Account"})
    row.target = {"group_id": str(group_id), "group_name": "Account"}
    stack.state.save(row)
    made = ensure_data_source(stack.context(), ASSET, owner="retry", fingerprint="fp")
    assert (made.data_source_id, made.created, made.notifications) == (str(source_id), False, [])
    assert groups(stack) == {"Account": ["Account"]}


def test_an_intent_whose_source_never_arrived_creates_it(stack: Stack):
    cluedin = stack.cluedin_client()
    group_id = cluedin.create_data_source_set("Account")
    row = SyncObject(kind=DATASOURCE_KIND, key=KEY, data={"creating_source": "Account"})
    row.target = {"group_id": str(group_id), "group_name": "Account"}
    stack.state.save(row)
    made = ensure_data_source(stack.context(), ASSET, owner="retry", fingerprint="fp")
    assert made.created and groups(stack) == {"Account": ["Account"]}


def test_ensure_group_says_whether_this_call_created_the_group(stack: Stack):
    """Data products rely on it: a group just created has no sources to look up, and is announced."""
    cluedin = stack.context().client("cluedin")
    row = SyncObject(kind="dataproduct", key="p-1")
    assert ensure_group(cluedin, stack.state, row, "Customer Master", "p-1") is True
    assert ensure_group(cluedin, stack.state, row, "Customer Master", "p-1") is False  # its id is known
    adopting = SyncObject(kind="dataproduct", key="p-2", data={"creating_group": "Customer Master"})
    assert ensure_group(cluedin, stack.state, adopting, "Customer Master", "p-2") is False  # adopted after a crash
    assert adopting.target["group_id"] == row.target["group_id"]
