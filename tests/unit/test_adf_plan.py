"""F12 and F13 planners (pure): pipelines once per tagged asset, schedules follow overrides or the setting."""

import hypothesis
from hypothesis import given
from hypothesis import strategies as st

from sync.core.diff import merge_ordered, storage_order
from sync.core.messages import ChangeKind
from sync.core.settings import Settings
from sync.core.state import SyncObject, fingerprint
from sync.features.pipeline_schedules.feature import PipelineSchedulesFeature
from sync.features.pipeline_schedules.triggers import effective_schedule, schedule_desired
from sync.features.pipelines.feature import PipelinesFeature, endpoints_created_text, pipelines_created_text
from sync.features.pipelines.provision import pipeline_desired
from sync.services.purview.assets import asset_key

SETTINGS = Settings(
    {
        "DATA_FACTORY_BASE_URL": "https://management.azure.com/subscriptions/s/resourceGroups/r/providers/"
        "Microsoft.DataFactory/factories/f",
        "DATA_FACTORY_KEY_VAULT_URL": "https://kv.vault.azure.net/",
        "CLUEDIN_URL": "https://org.cluedin.example.com",
        "DATA_FACTORY_PIPELINE_AUTOMATION": "true",
        "PIPELINE_AUTOMATION_TERM_PATTERN": "CluedInADF",
    }
)
ASSET = {
    "guid": "g1",
    "typeName": "azure_datalake_gen2_path",
    "qualifiedName": "https://st1.dfs.core.windows.net/raw/Account.csv",
    "name": "Account.csv",
}
KEY = f"{ASSET['typeName']}|{ASSET['qualifiedName']}"


def pipeline_row(settings=SETTINGS, **data):
    return SyncObject(
        kind="adf_pipeline",
        key=KEY,
        source={k: ASSET[k] for k in ("guid", "typeName", "qualifiedName")},
        target={"names": {"pipeline": "P", "sourceDataset": "S", "sinkDataset": "K", "trigger": "T"}},
        data=data,
        fingerprint=fingerprint(pipeline_desired(ASSET, settings)),
        status="active",
    )


def test_a_new_tagged_asset_is_created_once():
    feature = PipelinesFeature()
    [change] = feature.plan({KEY: ASSET}, {}, SETTINGS)
    assert (change.kind, change.key, change.desired["guid"]) == (ChangeKind.CREATE, KEY, "g1")
    assert feature.plan({KEY: ASSET}, {KEY: pipeline_row(automated=True)}, SETTINGS) == []


def test_a_pipeline_made_on_request_counts_as_done():
    assert PipelinesFeature().plan({KEY: ASSET}, {KEY: pipeline_row(requested=True)}, SETTINGS) == []


def test_changed_settings_update_the_pipeline():
    moved = SETTINGS.with_values(**{"data_factory_key_vault_url": "https://other.vault.azure.net"})
    [change] = PipelinesFeature().plan({KEY: ASSET}, {KEY: pipeline_row(automated=True)}, moved)
    assert change.kind == ChangeKind.UPDATE


def test_untagged_automated_pipelines_are_deleted_but_requested_ones_never():
    feature = PipelinesFeature()
    [change] = feature.plan({}, {KEY: pipeline_row(automated=True)}, SETTINGS)
    assert change.kind == ChangeKind.DELETE
    assert change.desired["names"]["pipeline"] == "P"
    assert feature.plan({}, {KEY: pipeline_row(automated=True, requested=True)}, SETTINGS) == []
    assert feature.plan({}, {KEY: pipeline_row(requested=True)}, SETTINGS) == []


def test_effective_schedule_prefers_the_override_then_the_toggle_and_value():
    on = SETTINGS.with_values(
        **{"data_factory_create_run_schedule": True, "data_factory_run_schedule_value": " Daily:Hours=[6] "}
    )
    assert effective_schedule(None, SETTINGS) == ""
    assert effective_schedule(None, on) == "Daily:Hours=[6]"
    assert effective_schedule("Hourly:Interval=2", SETTINGS) == "Hourly:Interval=2"
    assert effective_schedule("", on) == ""
    off_with_value = on.with_values(**{"data_factory_create_run_schedule": False})
    assert effective_schedule(None, off_with_value) == ""


def schedule_row(value, status="active"):
    return SyncObject(
        kind="adf_schedule",
        key="P",
        target={"trigger": "T"},
        fingerprint=fingerprint(schedule_desired("P", "T", value)),
        status=status,
    )


SNAPSHOT = {"P": {"pipeline": "P", "trigger": "T", "override": None}}
SCHEDULED = SETTINGS.with_values(
    **{"data_factory_create_run_schedule": True, "data_factory_run_schedule_value": "Daily:Hours=[6]"}
)


def test_schedules_are_created_when_the_setting_is_on():
    [change] = PipelineSchedulesFeature().plan(SNAPSHOT, {}, SCHEDULED)
    assert change.kind == ChangeKind.CREATE
    assert change.desired == {"pipeline": "P", "trigger": "T", "value": "Daily:Hours=[6]"}


def test_nothing_happens_without_a_schedule_and_without_a_trigger():
    assert PipelineSchedulesFeature().plan(SNAPSHOT, {}, SETTINGS) == []


def test_an_unchanged_schedule_plans_nothing():
    feature = PipelineSchedulesFeature()
    assert feature.plan(SNAPSHOT, {"P": schedule_row("Daily:Hours=[6]")}, SCHEDULED) == []
    assert feature.plan(SNAPSHOT, {"P": schedule_row("", status="disabled")}, SETTINGS) == []


def test_clearing_the_setting_or_turning_it_off_disables_as_an_update_not_a_delete():
    feature = PipelineSchedulesFeature()
    cleared = SCHEDULED.with_values(**{"data_factory_run_schedule_value": ""})
    toggled_off = SCHEDULED.with_values(**{"data_factory_create_run_schedule": False})
    for settings in (cleared, toggled_off):
        [change] = feature.plan(SNAPSHOT, {"P": schedule_row("Daily:Hours=[6]")}, settings)
        assert change.kind == ChangeKind.UPDATE
        assert change.desired["value"] == ""


def test_a_changed_value_updates_the_trigger():
    changed = SCHEDULED.with_values(**{"data_factory_run_schedule_value": "Hourly:Interval=3"})
    [change] = PipelineSchedulesFeature().plan(SNAPSHOT, {"P": schedule_row("Daily:Hours=[6]")}, changed)
    assert (change.kind, change.desired["value"]) == (ChangeKind.UPDATE, "Hourly:Interval=3")


def test_a_per_pipeline_override_wins_over_the_setting():
    snapshot = {"P": {"pipeline": "P", "trigger": "T", "override": "Minutely:Interval=30"}}
    [change] = PipelineSchedulesFeature().plan(snapshot, {}, SCHEDULED)
    assert change.desired["value"] == "Minutely:Interval=30"
    snapshot_off = {"P": {"pipeline": "P", "trigger": "T", "override": ""}}
    assert PipelineSchedulesFeature().plan(snapshot_off, {}, SCHEDULED) == []


def test_the_trigger_of_a_pipeline_that_is_gone_is_removed():
    [change] = PipelineSchedulesFeature().plan({}, {"P": schedule_row("Daily:Hours=[6]")}, SCHEDULED)
    assert change.kind == ChangeKind.DELETE
    assert change.desired == {"pipeline": "P", "trigger": "T", "value": ""}


def test_notification_texts_match_cluedins():
    assert pipelines_created_text(["AccountCsvPipeline"]) == (
        "1 ADF Pipelines created for purview assets. (AccountCsvPipeline)"
    )
    assert endpoints_created_text(["Account.csv", "Employee.csv"]) == (
        "2 Ingestion Endpoints created for purview assets. (Account.csv, Employee.csv)"
    )


def test_schedules_feature_runs_whenever_a_factory_is_configured():
    feature = PipelineSchedulesFeature()
    assert feature.enabled(SETTINGS)
    assert not feature.enabled(SETTINGS.with_values(**{"data_factory_base_url": ""}))
    assert PipelinesFeature().enabled(SETTINGS)
    assert not PipelinesFeature().enabled(SETTINGS.with_values(**{"data_factory_pipeline_automation": False}))


def test_pipelines_orphaned_under_retain_are_removed_once_the_policy_is_soft_delete():
    orphan = pipeline_row(automated=True)
    orphan.status = "orphaned"
    assert PipelinesFeature().plan({}, {KEY: orphan}, SETTINGS) == []
    soft = SETTINGS.with_values(**{"sync_delete_policy": "soft-delete"})
    [change] = PipelinesFeature().plan({}, {KEY: orphan}, soft)
    assert change.kind == ChangeKind.DELETE


def test_a_retagged_orphan_is_provisioned_again():
    orphan = pipeline_row(automated=True)
    orphan.status = "orphaned"
    [change] = PipelinesFeature().plan({KEY: ASSET}, {KEY: orphan}, SETTINGS)
    assert change.kind == ChangeKind.CREATE


def _asset(i: int) -> dict[str, str]:
    name = f"T{i}.csv"
    return {**ASSET, "guid": f"g{i}", "qualifiedName": f"https://st1.dfs.core.windows.net/raw/{name}", "name": name}


@hypothesis.settings(max_examples=60, deadline=None)
@given(
    desired=st.sets(st.integers(0, 30)),
    rows=st.dictionaries(
        st.integers(0, 30),
        st.tuples(st.sampled_from(["active", "orphaned", "deleted"]), st.booleans(), st.booleans(), st.booleans()),
    ),
    soft=st.booleans(),
)
def test_the_ordered_plan_is_the_whole_mapping_plan(desired, rows, soft):
    """`plan_ordered` over rows paired in storage order plans what `plan` plans over whole mappings."""
    policy = SETTINGS.with_values(**{"sync_delete_policy": "soft-delete" if soft else "retain"})
    assets = {asset_key(a["typeName"], a["qualifiedName"]): a for a in map(_asset, desired)}
    state = {}
    for i, (status, automated, requested, current) in rows.items():
        asset = _asset(i)
        key = asset_key(asset["typeName"], asset["qualifiedName"])
        made = pipeline_row(automated=automated, requested=requested)
        made.key, made.status = key, status
        made.fingerprint = fingerprint(pipeline_desired(asset, policy)) if current else "stale"
        state[key] = made
    feature = PipelinesFeature()
    whole = feature.plan(assets, state, policy)
    ordered_rows = sorted(state.values(), key=lambda r: storage_order(r.key))
    snapshot = sorted(assets.items(), key=lambda item: storage_order(item[0]))
    pairs = merge_ordered(snapshot, ordered_rows)
    in_order = list(feature.plan_ordered(pairs, policy))
    assert sorted(in_order, key=lambda c: c.key) == sorted(whole, key=lambda c: c.key)
