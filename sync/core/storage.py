"""Storage clients for state tables and work queues, from a connection string or the managed identity.

Queues are written with base64 encoding because the Functions host decodes trigger messages as base64 by
default; a plain-text message would be moved to the poison queue unread (docs/decisions/0003-azurite.md).
Azure SDK errors leave the sender as the app's typed errors naming "work queues".
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from azure.core.exceptions import ResourceExistsError
from azure.core.pipeline.transport import RequestsTransport
from azure.data.tables import TableServiceClient
from azure.storage.queue import (
    BinaryBase64DecodePolicy,
    BinaryBase64EncodePolicy,
    QueueClient,
    QueueServiceClient,
    TextBase64DecodePolicy,
    TextBase64EncodePolicy,
)

from sync.core.azure_errors import STORAGE_SETTINGS, typed_azure_errors
from sync.core.errors import SettingsError
from sync.core.messages import queue_name
from sync.core.sessions import ca_bundle, environment_session
from sync.core.settings import EngineSettings

log = logging.getLogger("sync.core.storage")
SEND_THREADS = 8
MAX_LOGGED_REASON = 2000
typed = typed_azure_errors("work queues", STORAGE_SETTINGS)


def _transport(endpoint: str) -> RequestsTransport:
    """The HTTP transport of a Storage SDK client: the environment (proxies, CA bundle) read once, not per call.

    azure-core's own transport keeps a session that trusts the environment, so requests re-read the proxy variables
    and looked for ~/.netrc before every Table and Queue call (7 % of a lineage applier's CPU; sync/core/sessions.py).
    azure-core sends `connection_verify` with every request, which outranks the session's, so the bundle goes there.
    """
    bundle = ca_bundle()
    verify = {"connection_verify": bundle} if bundle else {}
    return RequestsTransport(session=environment_session(endpoint), session_owner=True, **verify)


def _identity_credential(settings: EngineSettings) -> object:
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(managed_identity_client_id=settings.storage_client_id)


def table_service(settings: EngineSettings) -> TableServiceClient:
    """The state tables' service client."""
    if settings.storage_connection:
        conn = settings.storage_connection
        if conn.strip().lower() == "usedevelopmentstorage=true":
            conn = "UseDevelopmentStorage=true"
        endpoint = TableServiceClient.from_connection_string(conn).url  # parsed only: no call is made
        return TableServiceClient.from_connection_string(conn, transport=_transport(endpoint))
    if settings.storage_account_name:
        endpoint = f"https://{settings.storage_account_name}.table.core.windows.net"
        credential = _identity_credential(settings)
        return TableServiceClient(endpoint=endpoint, credential=credential, transport=_transport(endpoint))  # type: ignore[arg-type]
    raise SettingsError("state storage needs AzureWebJobsStorage (or AzureWebJobsStorage__accountName)")


def queue_service(settings: EngineSettings) -> QueueServiceClient:
    """The work queues' service client. Get queue clients from it with `base64_queue`, never directly."""
    if settings.storage_connection:
        conn = settings.storage_connection
        endpoint = QueueServiceClient.from_connection_string(conn).url  # parsed only: no call is made
        return QueueServiceClient.from_connection_string(conn, transport=_transport(endpoint))
    if settings.storage_account_name:
        endpoint = f"https://{settings.storage_account_name}.queue.core.windows.net"
        credential = _identity_credential(settings)
        return QueueServiceClient(endpoint, credential=credential, transport=_transport(endpoint))  # type: ignore[arg-type]
    raise SettingsError("work queues need AzureWebJobsStorage (or AzureWebJobsStorage__accountName)")


def base64_queue(service: QueueServiceClient, queue: str) -> QueueClient:
    """A queue client that base64-encodes what it sends and decodes what it receives, as the Functions host does.

    The policies must be given here: `QueueServiceClient.get_queue_client` does not pass on policies given to
    the service client, so a client built any other way silently sends plain text, which the host poisons.
    """
    return service.get_queue_client(
        queue, message_encode_policy=TextBase64EncodePolicy(), message_decode_policy=TextBase64DecodePolicy()
    )


class QueueSender:
    """Sends messages to the deployment's queues (`<prefix>-<queue>`), creating each queue once per process."""

    def __init__(self, service: QueueServiceClient, prefix: str = "sync") -> None:
        self.service = service
        self.prefix = prefix
        self._ready: set[str] = set()
        self._lock = threading.Lock()
        self.sent = 0

    def name(self, queue: str) -> str:
        """The Storage queue behind a logical queue (`Queues` value)."""
        return queue_name(self.prefix, queue)

    def _client(self, queue: str, *, binary: bool = False) -> QueueClient:
        name = self.name(queue)
        if binary:
            client = self.service.get_queue_client(
                name, message_encode_policy=BinaryBase64EncodePolicy(), message_decode_policy=BinaryBase64DecodePolicy()
            )
        else:
            client = base64_queue(self.service, name)
        with self._lock:
            if name not in self._ready:
                with contextlib.suppress(ResourceExistsError):
                    client.create_queue()
                self._ready.add(name)
        return client

    @typed
    def send(self, queue: str, text: str, *, visibility_timeout: int | None = None) -> None:
        """Send one message (base64-encoded on the wire), visible at once or after `visibility_timeout` seconds."""
        self._client(queue).send_message(text, visibility_timeout=visibility_timeout)
        self.sent += 1

    @typed
    def send_many(self, queue: str, texts: Iterable[str]) -> int:
        """Send many messages concurrently; returns how many were sent."""
        client = self._client(queue)
        batch = list(texts)
        if not batch:
            return 0
        with ThreadPoolExecutor(max_workers=SEND_THREADS) as pool:
            list(pool.map(client.send_message, batch))
        self.sent += len(batch)
        return len(batch)

    @typed
    def send_to_poison(self, queue: str, original_body: bytes | str, reason: str) -> None:
        """Move a message the app can never process to `<queue>-poison`, the host's own poison queue name.

        The body is sent exactly as it arrived (bytes stay bytes): a message that fitted in its queue fits in
        the poison queue, whatever it contains — decoding invalid UTF-8 with replacement characters would triple
        its size and make the poison send itself fail.
        """
        body = original_body.encode("utf-8", "surrogateescape") if isinstance(original_body, str) else original_body
        self._client(f"{queue}-poison", binary=True).send_message(body)
        shown = reason if len(reason) <= MAX_LOGGED_REASON else f"{reason[:MAX_LOGGED_REASON]}…"
        log.warning(
            "message moved to %s-poison: %s",
            self.name(queue),
            shown,
            extra={"event": "MessagePoisoned", "queue": queue, "reason": shown, "bytes": len(body)},
        )
