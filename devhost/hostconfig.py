"""The parts of `host.json` the local host honours: queue semantics, function timeout, HTTP route prefix.

The same `host.json` drives Azure and the local host, so retry delays, poison thresholds and concurrency seen
locally are the ones production will have. Any value can be overridden by an app setting named
`AzureFunctionsJobHost__path__to__setting` (the host's documented override), which is also how tests
shorten the retry delay without a second host.json.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

OVERRIDE_PREFIX = "AzureFunctionsJobHost__"
MAX_BATCH_SIZE = 32
_TIMESPAN = re.compile(r"^(?:(?P<days>\d+)\.)?(?P<h>\d{1,2}):(?P<m>\d{1,2}):(?P<s>\d{1,2})(?:\.(?P<frac>\d{1,7}))?$")


class HostConfigError(ValueError):
    """host.json (or an override) holds a value the host would reject; the message names the property."""


def parse_timespan(text: str, *, what: str) -> timedelta:
    """A .NET TimeSpan string (`[d.]hh:mm:ss[.fffffff]`), as host.json writes durations."""
    match = _TIMESPAN.match(text.strip())
    if not match:
        raise HostConfigError(f"{what}: {text!r} is not a TimeSpan such as '00:00:30'")
    hours, minutes, seconds = int(match["h"]), int(match["m"]), int(match["s"])
    if hours > 23 or minutes > 59 or seconds > 59:
        raise HostConfigError(f"{what}: {text!r} has an hour, minute or second out of range")
    fraction = float(f"0.{match['frac']}") if match["frac"] else 0.0
    return timedelta(days=int(match["days"] or 0), hours=hours, minutes=minutes, seconds=seconds + fraction)


def format_timespan(value: timedelta) -> str:
    """`hh:mm:ss` as the host prints durations in its log lines."""
    total = int(value.total_seconds())
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


@dataclass(frozen=True)
class QueueOptions:
    """`extensions.queues` with the Storage extension's defaults (QueuesOptions.cs)."""

    batch_size: int = 16
    new_batch_threshold: int = 8
    max_dequeue_count: int = 5
    visibility_timeout: timedelta = timedelta(0)
    max_polling_interval: timedelta = timedelta(minutes=1)
    message_encoding: str = "base64"

    @property
    def max_concurrency(self) -> int:
        """Messages one queue function may process at once on one instance (batchSize + newBatchThreshold)."""
        return self.batch_size + self.new_batch_threshold


@dataclass(frozen=True)
class EventHubOptions:
    """`extensions.eventHubs` (extension 5.x, EventHubOptions.cs): what the stand-in uses of it."""

    max_event_batch_size: int = 100


@dataclass(frozen=True)
class HostConfig:
    """What the local host needs from host.json."""

    queues: QueueOptions = QueueOptions()
    event_hubs: EventHubOptions = EventHubOptions()
    function_timeout: timedelta | None = timedelta(minutes=30)
    route_prefix: str = "api"

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> HostConfig:
        """Build from a parsed host.json, validating the values the host would validate."""
        extensions = _object(document.get("extensions", {}), "extensions")
        queues = _queue_options(_object(extensions.get("queues", {}), "extensions.queues"))
        hubs = _object(extensions.get("eventHubs", {}), "extensions.eventHubs")
        batch = _integer(hubs, "maxEventBatchSize", EventHubOptions.max_event_batch_size, "eventHubs")
        if batch < 1:
            raise HostConfigError("extensions.eventHubs.maxEventBatchSize must be at least 1")
        http = _object(extensions.get("http", {}), "extensions.http")
        prefix = http.get("routePrefix", "api")
        if not isinstance(prefix, str):
            raise HostConfigError("extensions.http.routePrefix must be a string")
        timeout_text = document.get("functionTimeout")
        timeout: timedelta | None = timedelta(minutes=30)
        if timeout_text is not None:
            if not isinstance(timeout_text, str):
                raise HostConfigError("functionTimeout must be a TimeSpan string such as '00:10:00'")
            timeout = None if timeout_text.strip() == "-1" else parse_timespan(timeout_text, what="functionTimeout")
        return cls(
            queues=queues,
            event_hubs=EventHubOptions(max_event_batch_size=batch),
            function_timeout=timeout,
            route_prefix=prefix.strip("/"),
        )


def load_host_config(
    source: Path | Mapping[str, Any] | None,
    settings: Mapping[str, str] | None = None,
) -> HostConfig:
    """host.json from a path or a dict (None: built-in defaults), then `AzureFunctionsJobHost__` overrides.

    Args:
        source: Path of host.json, or its parsed content (tests pass a dict).
        settings: Where to look for override settings (default: the environment).
    """
    if source is None:
        document: dict[str, Any] = {}
    elif isinstance(source, Path):
        try:
            document = json.loads(source.read_text(encoding="utf-8-sig"))
        except FileNotFoundError as error:
            raise HostConfigError(f"host.json not found at {source}") from error
        except json.JSONDecodeError as error:
            raise HostConfigError(f"{source} is not valid JSON: {error}") from error
        if not isinstance(document, dict):
            raise HostConfigError(f"{source} must hold a JSON object")
    else:
        document = copy.deepcopy(dict(source))
    apply_overrides(document, os.environ if settings is None else settings)
    return HostConfig.from_json(document)


def apply_overrides(document: dict[str, Any], settings: Mapping[str, str]) -> None:
    """Apply `AzureFunctionsJobHost__a__b=value` settings onto host.json (keys match case-insensitively)."""
    for name, value in settings.items():
        if not name.lower().startswith(OVERRIDE_PREFIX.lower()):
            continue
        path = [part for part in name[len(OVERRIDE_PREFIX) :].split("__") if part]
        if not path:
            continue
        node = document
        for part in path[:-1]:
            key = _existing_key(node, part)
            child = node.get(key)
            if not isinstance(child, dict):
                child = {}
                node[key] = child
            node = child
        node[_existing_key(node, path[-1])] = value


def _existing_key(node: Mapping[str, Any], wanted: str) -> str:
    for key in node:
        if key.lower() == wanted.lower():
            return key
    return wanted


def _object(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise HostConfigError(f"{where} must be an object")
    return value


def _queue_options(section: Mapping[str, Any]) -> QueueOptions:
    lowered = {key.lower(): value for key, value in section.items()}
    batch_size = _integer(lowered, "batchsize", 16)
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise HostConfigError(f"extensions.queues.batchSize must be between 1 and {MAX_BATCH_SIZE}, not {batch_size}")
    default_threshold = batch_size // 2 * (os.cpu_count() or 1)
    threshold = _integer(lowered, "newbatchthreshold", default_threshold)
    if threshold < 0:
        raise HostConfigError("extensions.queues.newBatchThreshold must not be negative")
    max_dequeue = _integer(lowered, "maxdequeuecount", 5)
    if max_dequeue < 1:
        raise HostConfigError("extensions.queues.maxDequeueCount must be greater than zero")
    encoding = str(lowered.get("messageencoding", "base64")).lower()
    if encoding not in {"base64", "none"}:
        raise HostConfigError(f"extensions.queues.messageEncoding must be 'base64' or 'none', not {encoding!r}")
    visibility = _duration(lowered, "visibilitytimeout", timedelta(0))
    polling = _duration(lowered, "maxpollinginterval", timedelta(minutes=1))
    if polling < timedelta(milliseconds=100):
        raise HostConfigError("extensions.queues.maxPollingInterval must be at least 00:00:00.1")
    return QueueOptions(
        batch_size=batch_size,
        new_batch_threshold=threshold,
        max_dequeue_count=max_dequeue,
        visibility_timeout=visibility,
        max_polling_interval=polling,
        message_encoding=encoding,
    )


def _integer(section: Mapping[str, Any], key: str, default: int, extension: str = "queues") -> int:
    value = section.get(key, default)
    if isinstance(value, bool):
        raise HostConfigError(f"extensions.{extension}.{key} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise HostConfigError(f"extensions.{extension}.{key} must be an integer, not {value!r}") from error


def _duration(section: Mapping[str, Any], key: str, default: timedelta) -> timedelta:
    value = section.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise HostConfigError(f"extensions.queues.{key} must be a TimeSpan string")
    return parse_timespan(value, what=f"extensions.queues.{key}")
