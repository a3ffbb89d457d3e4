"""Structured logging and Application Insights wiring.

Custom dimensions only reach Application Insights through the worker's OpenTelemetry path: the classic host log
path forwards the formatted message alone (reference azure-functions.md §6). So every event is logged with its
fields in `extra=` (→ customDimensions) AND the essential ones in the message text (readable on either path).
"""

from __future__ import annotations

import logging
import os
from typing import Any

_state = {"configured": False}
NOTIFICATIONS = logging.getLogger("sync.notifications")


def configure_telemetry() -> None:
    """Send logs and traces to Application Insights when a connection string is set (once per process).

    Guarded so tests and local runs never try to export. When the platform's worker already configures Azure
    Monitor (`PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY=true`), the app leaves it to the worker.
    """
    if _state["configured"]:
        return
    _state["configured"] = True
    if not os.environ.get("APPLICATIONINSIGHTS_CONNECTION_STRING"):
        return
    if os.environ.get("PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY", "").lower() == "true":
        return
    from azure.monitor.opentelemetry import configure_azure_monitor

    configure_azure_monitor(logger_name="sync")


def log_event(logger: logging.Logger, event: str, message: str, *, level: int = logging.INFO, **fields: Any) -> None:
    """Log one structured event: `event` and `fields` become custom dimensions; key fields also go in the text."""
    compact = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None and not isinstance(v, (dict, list)))
    text = f"{message} [{event}{' ' + compact if compact else ''}]"
    logger.log(level, text, extra={"event": event, **{k: v for k, v in fields.items() if v is not None}})


def notify(text: str, *, event: str, **fields: Any) -> None:
    """A user-facing notification, with the same wording as CluedIn's Notification Center.

    CluedIn has no public API to create notifications, so they are structured log events (and land in run reports).
    """
    log_event(NOTIFICATIONS, event, text, **fields)
