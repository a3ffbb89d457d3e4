"""Structured events: any field name is safe at any level, and the fields reach the record as dimensions."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from sync.core.telemetry import (
    RESERVED_RECORD_KEYS,
    CallStats,
    collect_calls,
    count_call,
    counted_by_caller,
    dimension_name,
    log_event,
)


def probes(caplog: pytest.LogCaptureFixture) -> list[Any]:
    """This test's records only: caplog captures every logger, and a budget refresher thread an earlier test
    started may still be logging its last Table calls (INFO) while it winds down."""
    return [record for record in caplog.records if record.name == "sync.test.telemetry"]


@pytest.mark.parametrize("key", sorted(RESERVED_RECORD_KEYS))
def test_a_field_named_like_a_log_record_attribute_is_renamed_not_fatal(key, caplog):
    logger = logging.getLogger("sync.test.telemetry")
    with caplog.at_level(logging.DEBUG, logger="sync.test.telemetry"):
        fields: dict[str, Any] = {key: "value"}
        log_event(logger, "Probe", "probing", level=logging.INFO, **fields)
    [record] = probes(caplog)
    assert getattr(record, f"sync_{key}") == "value"
    assert record.event == "Probe"
    assert f"{key}=value" in record.getMessage()


def test_ordinary_fields_keep_their_names_and_none_is_left_out(caplog):
    logger = logging.getLogger("sync.test.telemetry")
    with caplog.at_level(logging.INFO, logger="sync.test.telemetry"):
        log_event(logger, "Probe", "probing", feature="lineage", detail=None, counts={"a": 1})
    [record] = probes(caplog)
    assert record.feature == "lineage"
    assert not hasattr(record, "detail")
    assert record.counts == {"a": 1}
    assert record.getMessage() == "probing [Probe feature=lineage]"
    assert dimension_name("feature") == "feature" and dimension_name("name") == "sync_name"


def test_calls_made_in_a_pool_count_for_the_run_that_submitted_them():
    """A snapshot's pool threads (history samples, detail reads) count for the run report of the planning thread."""
    with collect_calls() as sinks, ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(counted_by_caller(lambda _: count_call(CallStats(), "cluedin", calls=1)), range(3)))
        list(pool.map(lambda _: count_call(CallStats(), "cluedin", calls=1), range(2)))  # not wrapped: not counted
    assert sinks["cluedin"].calls == 3
    with ThreadPoolExecutor(max_workers=1) as pool:  # wrapped outside any run: counts for no run, and fails nothing
        pool.submit(counted_by_caller(lambda: count_call(CallStats(), "cluedin", calls=1))).result()
