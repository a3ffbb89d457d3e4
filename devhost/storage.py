"""Storage connections for triggers: which setting holds the connection string, and queue clients for it.

A queue trigger's `connection` names an app setting (`AzureWebJobsStorage` by default; the host also tries
`AzureWebJobs<name>`). The local host only supports connection strings (Azurite's, or a real account's);
identity-based connections (`<name>__queueServiceUri`) need Azure credentials and are refused with a
message that says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import requests
from azure.core.pipeline.transport import RequestsTransport
from azure.storage.queue import LinearRetry, QueueClient
from requests.adapters import HTTPAdapter

_QUEUE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$")
# Enough pooled connections for one queue's full concurrency (32 + threshold) without urllib3 discarding any.
_POOL_SIZE = 64


class StorageConfigError(ValueError):
    """A trigger's connection or queue name cannot be used; the message names the setting."""


def connection_string_for(connection: str, settings: Mapping[str, str]) -> str:
    """The connection string a trigger's `connection` property points to."""
    name = connection or "AzureWebJobsStorage"
    for candidate in (name, f"AzureWebJobs{name}"):
        value = settings.get(candidate)
        if value:
            return value
    if any(key.lower().startswith(f"{name.lower()}__") for key in settings):
        raise StorageConfigError(
            f"connection {name!r} is identity-based ({name}__...); the local host needs a connection string "
            f"in the setting {name!r} (e.g. Azurite's)"
        )
    raise StorageConfigError(f"app setting {name!r} (the storage connection string for queue triggers) is not set")


def validate_queue_name(name: str) -> str:
    """The host lower-cases queue names, then rejects ones Azure Storage would reject."""
    normalized = name.lower()
    if not _QUEUE_NAME.match(normalized):
        raise StorageConfigError(
            f"Invalid queue name: {name}. A queue name must be 3-63 characters of lower-case letters, digits and "
            "single hyphens, starting and ending with a letter or digit."
        )
    return normalized


def poison_queue_name(name: str) -> str | None:
    """`<queue>-poison`, or None for queues that are themselves poison queues (they get none)."""
    if name.endswith("-poison"):
        return None
    return f"{name}-poison"


def queue_client(connection_string: str, queue_name: str) -> QueueClient:
    """A client that sends and receives message text as-is (the host does its own base64 handling).

    Each client gets its own pooled session, large enough for a listener's concurrent deletes.
    """
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=_POOL_SIZE)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    transport = RequestsTransport(session=session, session_owner=True)
    # The .NET SDK the host uses retries 3 times starting at 0.8 s; Python's storage default waits 15 s and
    # more between tries, which would stall a local run for most of a minute on one Azurite hiccup.
    retry = LinearRetry(backoff=1, retry_total=3, random_jitter_range=1)
    return QueueClient.from_connection_string(connection_string, queue_name, transport=transport, retry_policy=retry)
