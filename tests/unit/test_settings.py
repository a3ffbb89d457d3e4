"""Settings: defaults, parsing, and errors that name the setting (never a stack trace or a secret)."""

import pytest

from sync.core.errors import SettingsError
from sync.core.settings import DeletePolicy, EngineSettings, Settings, load_settings
from sync.features.datasources.settings import DataSourcesSettings
from sync.features.pipelines.settings import PipelinesSettings
from sync.features.registry import settings_groups
from sync.services.cluedin.settings import CluedInSettings
from sync.services.purview.settings import PurviewSettings


def test_defaults_match_cluedin_behaviour():
    settings = load_settings({})
    assert settings.engine.sync_schedule == "0 */1 * * * *"
    assert settings.get(DataSourcesSettings).sync_cluedin_data_sources is False
    assert settings.engine.sync_delete_policy == DeletePolicy.RETAIN
    assert settings.engine.sync_run_retention_days == 30
    assert settings.engine.sync_queue_prefix == "sync"
    assert settings.get(PurviewSettings).purview_max_operations_per_second == 25.0
    assert settings.get(CluedInSettings).cluedin_rest_path_prefix == "/api/api"


def test_keywords_split_and_unquoted():
    settings = Settings({"SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS": ' "CluedInSource", Sync to CluedIn@Biz ,'})
    assert settings.get(DataSourcesSettings).keyword_terms() == ["CluedInSource", "Sync to CluedIn@Biz"]


def test_invalid_setting_is_named_without_its_value():
    settings = Settings({"PURVIEW_BASE_URL": "purview.example", "PURVIEW_CLIENT_SECRET": "s3cr3t"})
    with pytest.raises(SettingsError) as err:
        settings.get(PurviewSettings)
    assert "PURVIEW_BASE_URL" in str(err.value)
    assert "s3cr3t" not in str(err.value)
    assert err.value.settings == ["PURVIEW_BASE_URL"]


@pytest.mark.parametrize(
    ("name", "value", "group"),
    [
        ("SYNC_SCHEDULE", "*/5 * * * *", EngineSettings),
        ("PIPELINE_AUTOMATION_TERM_PATTERN", "CluedIn(ADF", PipelinesSettings),
        ("SYNC_DELETE_FAILSAFE_PERCENT", "150", EngineSettings),
        ("SYNC_DELETE_POLICY", "shred", EngineSettings),
        ("PURVIEW_MAX_OPERATIONS_PER_SECOND", "0", PurviewSettings),
        ("PURVIEW_OPERATIONS_PER_SECOND_CEILING", "20", PurviewSettings),
        ("CLUEDIN_REQUESTS_PER_SECOND_CEILING", "10", CluedInSettings),
        ("SYNC_TABLE_PREFIX", "bad-prefix", EngineSettings),
        ("SYNC_QUEUE_PREFIX", "Upper", EngineSettings),
        ("SYNC_QUEUE_PREFIX", "a--b", EngineSettings),
        ("SYNC_RUN_RETENTION_DAYS", "0", EngineSettings),
    ],
)
def test_each_invalid_value_names_its_setting(name, value, group):
    with pytest.raises(SettingsError) as err:
        Settings({name: value}).get(group)
    assert name in str(err.value)
    assert err.value.settings == [name]


def test_a_bad_setting_stops_only_its_own_group():
    settings = Settings({"PIPELINE_AUTOMATION_TERM_PATTERN": "CluedIn(ADF", "SYNC_CLUEDIN_DATA_SOURCES": "true"})
    assert settings.get(DataSourcesSettings).sync_cluedin_data_sources is True
    assert settings.engine.sync_dry_run is False
    with pytest.raises(SettingsError, match="PIPELINE_AUTOMATION_TERM_PATTERN"):
        settings.get(PipelinesSettings)
    with pytest.raises(SettingsError, match="PIPELINE_AUTOMATION_TERM_PATTERN"):  # cached, and raised again
        settings.get(PipelinesSettings)


def test_the_engine_group_is_checked_at_load():
    with pytest.raises(SettingsError, match="SYNC_DELETE_POLICY"):
        load_settings({"SYNC_DELETE_POLICY": "shred"})
    load_settings({"PIPELINE_AUTOMATION_TERM_PATTERN": "CluedIn(ADF"})  # another group's problem: not here


def test_require_names_every_missing_setting():
    cluedin = Settings({"CLUEDIN_URL": "https://org.cluedin.test"}).get(CluedInSettings)
    with pytest.raises(SettingsError) as err:
        cluedin.require("cluedin_url", "cluedin_username", "cluedin_password", purpose="Calling CluedIn")
    assert "CLUEDIN_USERNAME" in str(err.value) and "CLUEDIN_PASSWORD" in str(err.value)
    assert "CLUEDIN_URL" not in str(err.value)


def test_urls_are_normalised_and_empty_means_unset():
    settings = Settings({"PURVIEW_BASE_URL": "https://acct.purview.azure.com/", "CLUEDIN_URL": "  "})
    assert settings.get(PurviewSettings).purview_base_url == "https://acct.purview.azure.com"
    assert settings.get(CluedInSettings).cluedin_url is None


def test_blank_secrets_are_missing_settings():
    cluedin = Settings({"CLUEDIN_URL": "https://org.cluedin.test", "CLUEDIN_USERNAME": "a", "CLUEDIN_PASSWORD": " "})
    group = cluedin.get(CluedInSettings)
    assert group.cluedin_password is None
    with pytest.raises(SettingsError, match="CLUEDIN_PASSWORD"):
        group.require("cluedin_url", "cluedin_username", "cluedin_password", purpose="Calling CluedIn")


def test_with_values_overrides_by_setting_name_in_any_case():
    settings = Settings({"SYNC_DRY_RUN": "false"}).with_values(sync_dry_run=True, SYNC_DELETE_FAILSAFE_PERCENT=50)
    assert settings.engine.sync_dry_run is True
    assert settings.engine.sync_delete_failsafe_percent == 50.0


def test_every_setting_belongs_to_one_group_except_shared_toggles():
    names: dict[str, list[str]] = {}
    for group in settings_groups():
        for setting in group.env_names():
            names.setdefault(setting, []).append(group.__name__)
    shared = {k: v for k, v in names.items() if len(v) > 1}
    assert shared == {"SYNC_CLUEDIN_DATA_SOURCES": ["DataSourcesSettings", "LineageSettings"]}
