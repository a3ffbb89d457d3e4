"""F1 planner: a pure function of the Purview snapshot and state."""

from typing import Any

from sync.core.messages import Change, ChangeKind
from sync.core.settings import load_settings
from sync.core.state import SyncObject, fingerprint
from sync.features.datasources.api import name_suffix
from sync.features.datasources.feature import DataSourcesFeature
from sync.services.purview.assets import asset_key, is_syncable_hit, search_filter

FEATURE = DataSourcesFeature()
SETTINGS = load_settings({})


def plan(snapshot: dict[str, Any], state: dict[str, SyncObject], settings: Any) -> list[Change]:
    """The plan as a list (the feature yields its changes one at a time)."""
    return list(FEATURE.plan(snapshot, state, settings))


def asset(
    name: str, qn: str, type_name: str = "azure_datalake_gen2_path", update_time: int = 1
) -> tuple[str, dict[str, Any]]:
    key = asset_key(type_name, qn)
    return key, {"guid": f"g-{qn}", "typeName": type_name, "qualifiedName": qn, "name": name, "updateTime": update_time}


def synced(key: str, desired: dict[str, Any], group_name: str, status: str = "active") -> SyncObject:
    full = {**desired, "group_name": group_name}
    return SyncObject(
        kind="datasource",
        key=key,
        fingerprint=fingerprint(full),
        status=status,
        target={"group_name": group_name, "group_id": "1", "source_id": "2"},
        source={"guid": desired["guid"]},
    )


def test_new_assets_are_created_with_unique_stable_group_names():
    a_key, a = asset("Account.csv", "https://a.dfs.core.windows.net/raw/Account.csv")
    b_key, b = asset("Account.csv", "https://b.dfs.core.windows.net/raw/Account.csv")
    changes = plan({a_key: a, b_key: b}, {}, SETTINGS)
    assert [c.kind for c in changes] == [ChangeKind.CREATE, ChangeKind.CREATE]
    names = {c.key: c.desired["group_name"] for c in changes}
    assert names[a_key] == "Account.csv"
    assert names[b_key] == f"Account.csv ({name_suffix(b['qualifiedName'])})"
    again = plan({b_key: b, a_key: a}, {}, SETTINGS)
    assert {c.key: c.desired["group_name"] for c in again} == names


def test_name_taken_by_a_synced_asset_gets_a_suffix_for_the_newcomer():
    a_key, a = asset("Customers", "mssql://s/db/dbo/Customers", "azure_sql_table")
    b_key, b = asset("Customers", "https://a.dfs.core.windows.net/raw/Customers")
    state = {a_key: synced(a_key, a, "Customers")}
    [change] = plan({a_key: a, b_key: b}, state, SETTINGS)
    assert change.key == b_key
    assert change.desired["group_name"].startswith("Customers (")


def test_unchanged_assets_produce_no_change():
    key, a = asset("Account.csv", "qn1")
    assert plan({key: a}, {key: synced(key, a, "Account.csv")}, SETTINGS) == []


def test_changed_asset_is_refreshed_keeping_its_group_name():
    key, a = asset("Account.csv", "qn1", update_time=1)
    state = {key: synced(key, a, "Account.csv")}
    _, renamed = asset("Accounts.csv", "qn1", update_time=2)
    [change] = plan({key: renamed}, state, SETTINGS)
    assert change.kind == ChangeKind.UPDATE
    assert change.desired["group_name"] == "Account.csv"


def test_gone_assets_are_deleted_once_and_retagged_ones_come_back():
    key, a = asset("Account.csv", "qn1")
    state = {key: synced(key, a, "Account.csv")}
    [change] = plan({}, state, SETTINGS)
    assert change.kind == ChangeKind.DELETE
    orphaned = {key: synced(key, a, "Account.csv", status="orphaned")}
    assert plan({}, orphaned, SETTINGS) == []
    [back] = plan({key: a}, orphaned, SETTINGS)
    assert back.kind == ChangeKind.UPDATE


def test_search_filter_for_terms_and_for_everything():
    one = search_filter(["Sync to CluedIn"])
    assert one["and"][0] == {"term": "Sync to CluedIn"}
    qualified = search_filter(["A@Biz", "B"])
    assert qualified["and"][0] == {"or": [{"term": "A", "glossary": "Biz"}, {"term": "B"}]}
    everything = search_filter(["*"])
    assert len(everything["and"]) == 1 and "not" in everything["and"][0]


def test_search_hits_of_own_types_glossary_and_columns_are_ignored():
    base = {"id": "g", "qualifiedName": "q"}
    assert is_syncable_hit({**base, "entityType": "azure_sql_table"})
    assert not is_syncable_hit({**base, "entityType": "cluedin_dataset"})
    assert not is_syncable_hit({**base, "entityType": "AtlasGlossaryTerm"})
    assert not is_syncable_hit({**base, "entityType": "azure_sql_column"})
    assert not is_syncable_hit({"entityType": "azure_sql_table", "id": "g"})
