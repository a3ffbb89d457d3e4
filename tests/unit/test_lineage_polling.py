"""Poll Data Sources: which attributes it writes, and that only changed values are sent (pure parts)."""

from __future__ import annotations

from sync.core.messages import ChangeKind
from sync.core.settings import Settings
from sync.core.state import SyncObject, fingerprint
from sync.features.polling.feature import PollingFeature, changed_attributes, epoch_millis, metric_attributes
from sync.services.cluedin.datasets import ProcessingSummary


def test_metric_attributes():
    processing = ProcessingSummary(processed=90, failed=4, last_processed_at="2026-03-01T10:00:00Z")
    attributes = metric_attributes(100, 2, processing, {"completeness": 87.123456, "accuracy": 99.0}, "https://x/ds")
    assert attributes == {
        "recordsReceived": 100,
        "recordsProcessed": 90,
        "recordsFailed": 6,
        "dataQualityMetrics": {"accuracy": 99.0, "completeness": 87.1235},
        "lastIngestedAt": epoch_millis("2026-03-01T10:00:00Z"),
        "cluedinUrl": "https://x/ds",
    }


def test_epoch_millis():
    assert epoch_millis("1970-01-01T00:00:01Z") == 1000
    assert epoch_millis("") is None and epoch_millis("not a date") is None


def test_only_changed_values_are_sent():
    desired = {"recordsReceived": 10, "recordsProcessed": 10, "dataQualityMetrics": {"a": 1.0}}
    assert changed_attributes(desired, desired) == {}
    assert changed_attributes(desired, {**desired, "recordsReceived": 9}) == {"recordsReceived": 10}
    assert changed_attributes(desired, {}) == desired


def test_plan_skips_quiet_data_sets_and_orphans_unsynced_ones():
    feature = PollingFeature()
    desired = {"qualifiedName": "q", "name": "A", "collection": None, "attributes": {"recordsReceived": 1}}
    state = {
        "a": SyncObject("dataset-metrics", "a", fingerprint=fingerprint(desired), status="active"),
        "gone": SyncObject("dataset-metrics", "gone", fingerprint="x", status="active"),
    }
    changes = feature.plan({"a": desired, "b": desired}, state, Settings({}))
    assert [(c.kind, c.key) for c in changes] == [(ChangeKind.CREATE, "b"), (ChangeKind.DELETE, "gone")]
