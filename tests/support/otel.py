"""In-memory OpenTelemetry: the spans, metrics and log records the app would hand to Azure Monitor's exporter.

The global tracer and meter providers can be set once per process, so they are installed on first use and
shared; each test clears them. Log records go through the SDK's `LoggingHandler` (what `configure_azure_monitor`
attaches), so the attributes asserted are those the exporter maps to customDimensions / customEvents.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from opentelemetry import metrics, trace
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from sync.core.telemetry import CUSTOM_EVENT, CUSTOM_MEASUREMENTS


@dataclass
class Telemetry:
    """What the app exported since the test started."""

    spans_exporter: InMemorySpanExporter
    reader: InMemoryMetricReader
    logs_exporter: InMemoryLogRecordExporter

    def spans(self, name: str) -> list[dict[str, Any]]:
        """Attributes of the finished spans of that name (with `_span`: the span itself)."""
        found = [s for s in self.spans_exporter.get_finished_spans() if s.name == name]
        return [{**dict(s.attributes or {}), "_span": s} for s in found]

    def metric(self, name: str) -> dict[tuple[tuple[str, Any], ...], float]:
        """Sum of a counter per attribute set (cumulative since the process started)."""
        data = self.reader.get_metrics_data()
        out: dict[tuple[tuple[str, Any], ...], float] = {}
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for found in scope.metrics:
                    if found.name == name:
                        for point in found.data.data_points:
                            value = float(getattr(point, "value", 0))
                            out[tuple(sorted((point.attributes or {}).items()))] = value
        return out

    def custom_events(self) -> list[tuple[str, dict[str, Any], dict[str, float]]]:
        """(name, attributes, measurements) of every log record that becomes a customEvents row."""
        events = []
        for item in self.logs_exporter.get_finished_logs():
            attributes = dict(item.log_record.attributes or {})
            if CUSTOM_EVENT in attributes:
                measurements = json.loads(str(attributes[CUSTOM_MEASUREMENTS]))
                events.append((str(attributes[CUSTOM_EVENT]), attributes, measurements))
        return events


_installed: dict[str, Any] = {}


def _install() -> tuple[InMemorySpanExporter, InMemoryMetricReader]:
    if not _installed:
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        reader = InMemoryMetricReader()
        metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
        _installed.update(spans=exporter, reader=reader)
    return _installed["spans"], _installed["reader"]


@contextmanager
def capture() -> Iterator[Telemetry]:
    """Spans, metrics and log records exported while the block runs (logs of the `sync` logger tree)."""
    spans, reader = _install()
    spans.clear()
    logs = InMemoryLogRecordExporter()
    provider = LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(logs))
    handler = LoggingHandler(level=logging.INFO, logger_provider=provider)
    logger = logging.getLogger("sync")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield Telemetry(spans, reader, logs)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)
