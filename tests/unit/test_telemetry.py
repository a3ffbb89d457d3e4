"""Structured events: any field name is safe at any level, and the fields reach the record as dimensions."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from sync.core.telemetry import RESERVED_RECORD_KEYS, dimension_name, log_event


@pytest.mark.parametrize("key", sorted(RESERVED_RECORD_KEYS))
def test_a_field_named_like_a_log_record_attribute_is_renamed_not_fatal(key, caplog):
    logger = logging.getLogger("sync.test.telemetry")
    with caplog.at_level(logging.DEBUG, logger="sync.test.telemetry"):
        fields: dict[str, Any] = {key: "value"}
        log_event(logger, "Probe", "probing", level=logging.INFO, **fields)
    [record] = caplog.records
    assert getattr(record, f"sync_{key}") == "value"
    assert record.event == "Probe"
    assert f"{key}=value" in record.getMessage()


def test_ordinary_fields_keep_their_names_and_none_is_left_out(caplog):
    logger = logging.getLogger("sync.test.telemetry")
    with caplog.at_level(logging.INFO, logger="sync.test.telemetry"):
        log_event(logger, "Probe", "probing", feature="lineage", detail=None, counts={"a": 1})
    [record] = caplog.records
    assert record.feature == "lineage"
    assert not hasattr(record, "detail")
    assert record.counts == {"a": 1}
    assert record.getMessage() == "probing [Probe feature=lineage]"
    assert dimension_name("feature") == "feature" and dimension_name("name") == "sync_name"
