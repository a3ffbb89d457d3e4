"""Settings: defaults, parsing, and errors that name the setting (never a stack trace or a secret)."""

import pytest

from sync.core.errors import SettingsError
from sync.core.settings import DeletePolicy, load_settings


def test_defaults_match_cluedin_behaviour():
    settings = load_settings({})
    assert settings.sync_schedule == "0 */1 * * * *"
    assert settings.sync_cluedin_data_sources is False
    assert settings.sync_delete_policy == DeletePolicy.RETAIN
    assert settings.purview_max_operations_per_second == 25.0
    assert settings.cluedin_rest_path_prefix == "/api/api"


def test_keywords_split_and_unquoted():
    settings = load_settings({"SYNC_CLUEDIN_DATA_SOURCES_KEYWORDS": ' "CluedInSource", Sync to CluedIn@Biz ,'})
    assert settings.keyword_terms() == ["CluedInSource", "Sync to CluedIn@Biz"]


def test_invalid_setting_is_named_without_its_value():
    with pytest.raises(SettingsError) as err:
        load_settings(
            {"PURVIEW_BASE_URL": "purview.example", "SYNC_DELETE_POLICY": "shred", "PURVIEW_CLIENT_SECRET": "s3cr3t"}
        )
    message = str(err.value)
    assert "PURVIEW_BASE_URL" in message
    assert "SYNC_DELETE_POLICY" in message
    assert "s3cr3t" not in message
    assert set(err.value.settings) >= {"PURVIEW_BASE_URL", "SYNC_DELETE_POLICY"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SYNC_SCHEDULE", "*/5 * * * *"),
        ("PIPELINE_AUTOMATION_TERM_PATTERN", "CluedIn(ADF"),
        ("SYNC_DELETE_FAILSAFE_PERCENT", "150"),
        ("PURVIEW_MAX_OPERATIONS_PER_SECOND", "0"),
        ("SYNC_TABLE_PREFIX", "bad-prefix"),
    ],
)
def test_each_invalid_value_names_its_setting(name, value):
    with pytest.raises(SettingsError) as err:
        load_settings({name: value})
    assert name in str(err.value)


def test_require_names_every_missing_setting():
    settings = load_settings({"CLUEDIN_URL": "https://org.cluedin.test"})
    with pytest.raises(SettingsError) as err:
        settings.require("cluedin_url", "cluedin_username", "cluedin_password", purpose="Calling CluedIn")
    assert "CLUEDIN_USERNAME" in str(err.value) and "CLUEDIN_PASSWORD" in str(err.value)
    assert "CLUEDIN_URL" not in str(err.value)


def test_urls_are_normalised_and_empty_means_unset():
    settings = load_settings({"PURVIEW_BASE_URL": "https://acct.purview.azure.com/", "CLUEDIN_URL": "  "})
    assert settings.purview_base_url == "https://acct.purview.azure.com"
    assert settings.cluedin_url is None


def test_blank_secrets_are_missing_settings():
    settings = load_settings(
        {"CLUEDIN_URL": "https://org.cluedin.test", "CLUEDIN_USERNAME": "a", "CLUEDIN_PASSWORD": " "}
    )
    assert settings.cluedin_password is None
    with pytest.raises(SettingsError, match="CLUEDIN_PASSWORD"):
        settings.require("cluedin_url", "cluedin_username", "cluedin_password", purpose="Calling CluedIn")
