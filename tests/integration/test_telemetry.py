"""Telemetry an operator can query: spans per planning cycle and per applied message, metrics, custom events.

Asserted on the OpenTelemetry SDK's in-memory exporters, i.e. exactly what Azure Monitor's exporter receives
(span and metric attributes → customDimensions; log records with `microsoft.custom_event.name` → customEvents).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from sync.core.telemetry import CUSTOM_EVENT
from sync.services.purview.client import RUN_ID_ATTRIBUTE
from tests.support import otel
from tests.support.lineage import lineage_stack
from tests.support.stack import SYNC_TERM, build_stack


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator):
    return build_stack(azurite, purview, fresh_cluedin_emulator)


def _delta(after: dict[Any, float], before: dict[Any, float], **attributes: str) -> float:
    key = tuple(sorted(attributes.items()))
    return float(after.get(key, 0)) - float(before.get(key, 0))


def test_a_cycle_and_its_messages_are_spans_metrics_and_custom_events(stack, caplog):
    caplog.set_level(logging.INFO, logger="sync")
    stack.add_file("Account.csv", ["Id", "Name"], terms=[SYNC_TERM])
    stack.add_file("Contacts.csv", ["Id"], terms=[SYNC_TERM])
    with otel.capture() as telemetry:
        planned_before = telemetry.metric("sync.changes.planned")
        applied_before = telemetry.metric("sync.changes.applied")
        calls_before = telemetry.metric("sync.service.calls")

        report, _ = stack.cycle("datasources")

        [plan] = [s for s in telemetry.spans("sync.plan") if s["run_id"] == report.run_id]
        assert plan["feature"] == "datasources"
        assert plan["outcome"] == "enqueued" and plan["change_kind"] == "create"
        assert plan["changes"] == 2 and plan["dry_run"] is False
        applies = telemetry.spans("sync.apply")
        assert len(applies) == 2  # one message per data source (max_changes_per_message = 1)
        for span in applies:
            assert span["run_id"] == report.run_id
            assert span["feature"] == "datasources"
            assert span["change_kind"] == "create"
            assert span["outcome"] == "applied"
            assert span["queue"] == "cluedin"
            assert span["_span"].parent is None  # a message is applied in its own trace, not the planner's

        planned_after = telemetry.metric("sync.changes.planned")
        assert _delta(planned_after, planned_before, feature="datasources", change_kind="create") == 2
        applied_after = telemetry.metric("sync.changes.applied")
        assert _delta(applied_after, applied_before, feature="datasources", change_kind="create") == 2
        calls_after = telemetry.metric("sync.service.calls")
        assert _delta(calls_after, calls_before, service="purview") >= 3  # search + two asset reads
        assert _delta(calls_after, calls_before, service="cluedin") >= 2

        events = [(n, a, m) for n, a, m in telemetry.custom_events() if n == "DataSourceCreated"]
        assert len(events) == 2
        for _name, attributes, measurements in events:
            assert attributes["feature"] == "datasources" and attributes["run_id"] == report.run_id
            assert measurements == {"count": 1.0}
        assert all(CUSTOM_EVENT not in vars(r) for r in caplog.records if r.name == "sync.engine")  # traces stay traces


def test_failures_and_throttling_are_counted(stack):
    stack.add_file("Account.csv", ["Id"], terms=[SYNC_TERM])
    with otel.capture() as telemetry:
        throttled_before = telemetry.metric("sync.service.throttled")
        waited_before = telemetry.metric("sync.service.throttle_wait")
        stack.purview.set_faults(fail_next=1, fail_next_status=429, retry_after_seconds=1)
        report = stack.plan("datasources")
        assert report.status == "enqueued"
        assert _delta(telemetry.metric("sync.service.throttled"), throttled_before, service="purview") == 1
        assert _delta(telemetry.metric("sync.service.throttle_wait"), waited_before, service="purview") >= 1.0

        failed_before = telemetry.metric("sync.changes.failed")
        stack.purview.store.reset()  # the asset disappears before the change is applied: skipped, not failed
        stack.drain("cluedin")
        [span] = telemetry.spans("sync.apply")
        assert span["outcome"] == "skipped"
        stack.apply_text("cluedin", "not json")
        assert _delta(telemetry.metric("sync.changes.failed"), failed_before, feature="datasources") == 0


def test_what_a_run_writes_in_purview_carries_its_run_id(azurite, purview, fresh_cluedin_emulator):
    from tests.integration.test_lineage_sync import seed
    from tests.support.lineage import account_set, group

    stack = lineage_stack(azurite, purview, fresh_cluedin_emulator)
    seed(stack, [group("Account.csv", [account_set()])])
    with otel.capture() as telemetry:
        report, _ = stack.cycle()
        assert report.status == "completed", report.errors
        [span] = telemetry.spans("sync.apply")
        assert span["run_id"] == report.run_id and span["outcome"] == "applied"
    datasets = stack.entities("cluedin_dataset")
    assert datasets and all(e["customAttributes"][RUN_ID_ATTRIBUTE] == report.run_id for e in datasets.values())
    row = stack.state.get_object("lineage", f"dataset|{stack.data_set_id('Account.csv')}")
    assert row is not None
    assert row.last_run_id == report.run_id and row.previous_run_id == ""
