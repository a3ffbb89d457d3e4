"""Settings files, `%NAME%` resolution, host.json parsing and AzureFunctionsJobHost__ overrides."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from devhost.hostconfig import HostConfig, HostConfigError, load_host_config, parse_timespan
from devhost.settings import SettingsError, export_settings, read_local_settings, resolve_placeholders
from devhost.storage import StorageConfigError, connection_string_for, poison_queue_name, validate_queue_name

ROOT = Path(__file__).resolve().parents[2]


def test_local_settings_values_become_strings(tmp_path):
    path = tmp_path / "local.settings.json"
    path.write_text(json.dumps({"IsEncrypted": False, "Values": {"A": "x", "N": 5, "B": True, "E": None}}))
    assert read_local_settings(path) == {"A": "x", "N": "5", "B": "true", "E": ""}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "must hold a JSON object"),
        ('{"Values": []}', "'Values'"),
        ('{"Values": {"A": {"nested": 1}}}', "setting 'A'"),
        ('{"IsEncrypted": true, "Values": {}}', "encrypted"),
    ],
)
def test_bad_settings_files_are_explained(tmp_path, content, message):
    path = tmp_path / "local.settings.json"
    path.write_text(content)
    with pytest.raises(SettingsError, match=message):
        read_local_settings(path)


def test_missing_settings_file_is_named(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        read_local_settings(tmp_path / "nope.json")


def test_environment_wins_over_local_settings_unless_overriding(caplog):
    environ = {"A": "from-env"}
    assert export_settings({"A": "from-file", "B": "b"}, environ=environ) == {"A": "from-env", "B": "b"}
    assert environ == {"A": "from-env", "B": "b"}
    assert "Skipping 'A' from local settings" in caplog.text
    export_settings({"A": "explicit"}, environ=environ, override=True)
    assert environ["A"] == "explicit"


def test_placeholders_resolve_and_missing_ones_are_named():
    assert resolve_placeholders("%Q%-items", {"Q": "work"}, what="queue") == "work-items"
    assert resolve_placeholders("literal", {}, what="queue") == "literal"
    with pytest.raises(SettingsError, match="queue name: '%MISSING%' does not resolve to an app setting named"):
        resolve_placeholders("%MISSING%", {}, what="queue name")


def test_repository_host_json_is_understood():
    config = load_host_config(ROOT / "host.json", {})
    assert config.queues.batch_size == 16
    assert config.queues.new_batch_threshold == 8
    assert config.queues.max_dequeue_count == 5
    assert config.queues.visibility_timeout == timedelta(seconds=30)
    assert config.queues.max_polling_interval == timedelta(seconds=2)
    assert config.queues.message_encoding == "base64"
    assert config.function_timeout == timedelta(minutes=10)
    assert config.route_prefix == "api"
    assert config.event_hubs.max_event_batch_size == 100


def test_defaults_follow_the_storage_extension():
    config = load_host_config(None, {})
    assert config.queues.batch_size == 16
    assert config.queues.max_dequeue_count == 5
    assert config.queues.visibility_timeout == timedelta(0)
    assert config.queues.max_polling_interval == timedelta(minutes=1)
    assert config.queues.max_concurrency == 16 + config.queues.new_batch_threshold


def test_overrides_from_settings_match_keys_case_insensitively():
    settings = {
        "AzureFunctionsJobHost__extensions__queues__maxDequeueCount": "2",
        "azurefunctionsjobhost__Extensions__Queues__VisibilityTimeout": "00:00:01",
        "AzureFunctionsJobHost__functionTimeout": "-1",
        "Unrelated": "x",
    }
    config = load_host_config({"extensions": {"queues": {"maxDequeueCount": 5}}}, settings)
    assert config.queues.max_dequeue_count == 2
    assert config.queues.visibility_timeout == timedelta(seconds=1)
    assert config.function_timeout is None


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"extensions": {"queues": {"batchSize": 33}}}, "batchSize must be between 1 and 32"),
        ({"extensions": {"queues": {"maxDequeueCount": 0}}}, "maxDequeueCount must be greater than zero"),
        ({"extensions": {"queues": {"messageEncoding": "utf8"}}}, "messageEncoding"),
        ({"extensions": {"queues": {"visibilityTimeout": "30s"}}}, "not a TimeSpan"),
        ({"extensions": {"queues": {"batchSize": "many"}}}, "must be an integer"),
        ({"functionTimeout": 600}, "functionTimeout"),
        ({"extensions": []}, "extensions must be an object"),
        ({"extensions": {"eventHubs": {"maxEventBatchSize": 0}}}, "maxEventBatchSize must be at least 1"),
        ({"extensions": {"eventHubs": {"maxEventBatchSize": "all"}}}, "eventHubs.maxEventBatchSize must be an integer"),
    ],
)
def test_invalid_host_json_values_are_named(document, message):
    with pytest.raises(HostConfigError, match=message):
        HostConfig.from_json(document)


def test_timespans():
    assert parse_timespan("00:00:30", what="x") == timedelta(seconds=30)
    assert parse_timespan("1.02:03:04.5", what="x") == timedelta(days=1, hours=2, minutes=3, seconds=4.5)
    with pytest.raises(HostConfigError):
        parse_timespan("00:61:00", what="x")


def test_connection_settings():
    assert connection_string_for("AzureWebJobsStorage", {"AzureWebJobsStorage": "cs"}) == "cs"
    assert connection_string_for("Other", {"AzureWebJobsOther": "cs2"}) == "cs2"
    assert connection_string_for("", {"AzureWebJobsStorage": "cs"}) == "cs"
    with pytest.raises(StorageConfigError, match=r"'AzureWebJobsStorage'.*is not set"):
        connection_string_for("AzureWebJobsStorage", {})
    with pytest.raises(StorageConfigError, match="identity-based"):
        connection_string_for("AzureWebJobsStorage", {"AzureWebJobsStorage__queueServiceUri": "https://x"})


def test_queue_names():
    assert validate_queue_name("Work-Items") == "work-items"
    assert poison_queue_name("work") == "work-poison"
    assert poison_queue_name("work-poison") is None
