"""Queue triggers with the Storage extension's semantics, against Azurite (or any storage account).

Follows QueueListener/QueueProcessor of Microsoft.Azure.WebJobs.Extensions.Storage.Queues:
- receive up to `batchSize` messages with a 10-minute invisibility, renewed at half-time while a function
  runs; fetch the next batch once no more than `newBatchThreshold` are still running;
- messages are base64 text on the wire (`messageEncoding`); one that does not decode goes to
  `<queue>-poison` at once, untouched, without invoking the function;
- success → delete; failure → if `DequeueCount >= maxDequeueCount` copy the original message to
  `<queue>-poison` (created on demand) and delete it, else make it visible again after `visibilityTimeout`;
  a message seen more than `maxDequeueCount` times is poisoned before the function runs;
- a queue named `*-poison` has no poison queue: a failed message there just stays invisible for a while;
- empty polls back off exponentially (with jitter) from 100 ms up to `maxPollingInterval`.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from azure.core.exceptions import AzureError, HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.functions import meta
from azure.functions.queue import QueueMessage as FunctionQueueMessage
from azure.functions.queue import QueueMessageInConverter
from azure.storage.queue import QueueClient
from azure.storage.queue import QueueMessage as StorageQueueMessage

from devhost.hostconfig import QueueOptions
from devhost.invocation import Invoker
from devhost.registry import QueueFunction
from devhost.storage import poison_queue_name, queue_client
from devhost.summary import Stats

log = logging.getLogger("devhost.queues")

RECEIVE_VISIBILITY = timedelta(minutes=10)
MIN_POLLING_INTERVAL = 0.1
_WHITESPACE = str.maketrans("", "", " \t\r\n")


class UndecodableMessage(ValueError):
    """The message text is not base64 although `messageEncoding` is base64."""


def decode_body(text: str, encoding: str) -> bytes:
    """Message bytes as the function sees them (`msg.get_body()`).

    .NET's base64 decoder ignores whitespace and requires correct padding; so does this.
    """
    if encoding == "none":
        return text.encode("utf-8")
    try:
        return base64.b64decode(text.translate(_WHITESPACE), validate=True)
    except (binascii.Error, ValueError) as error:
        raise UndecodableMessage(f"message is not valid base64 ({error})") from error


def _json_datum(value: object) -> Any:
    return meta.Datum(json.dumps(value), "json")


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def build_queue_message(message: StorageQueueMessage, body: bytes, pop_receipt: str) -> FunctionQueueMessage:
    """A `QueueMessage` built by the library's own converter from host-shaped trigger metadata."""
    try:
        data = meta.Datum(body.decode("utf-8"), "string")
    except UnicodeDecodeError:
        data = meta.Datum(body, "bytes")
    metadata = {
        "Id": meta.Datum(message.id, "string"),
        "DequeueCount": _json_datum(message.dequeue_count),
        "ExpirationTime": _json_datum(_time(message.expires_on)),
        "InsertionTime": _json_datum(_time(message.inserted_on)),
        "NextVisibleTime": _json_datum(_time(message.next_visible_on)),
        "PopReceipt": meta.Datum(pop_receipt, "string"),
    }
    decoded: FunctionQueueMessage = QueueMessageInConverter.decode(data, trigger_metadata=metadata)
    return decoded


class _Backoff:
    """RandomizedExponentialBackoffStrategy: reset on success, roughly double on each empty poll."""

    def __init__(self, maximum: float) -> None:
        self._maximum = max(maximum, MIN_POLLING_INTERVAL)
        self._exponent = 0

    def next_delay(self, *, found_messages: bool) -> float:
        if found_messages:
            self._exponent = 0
            return MIN_POLLING_INTERVAL
        self._exponent = min(self._exponent + 1, 30)
        delay: float = MIN_POLLING_INTERVAL * (2**self._exponent) * random.uniform(0.8, 1.2)
        return min(self._maximum, delay)


class QueueListener:
    """Polls one trigger queue and runs its function on a pool of `batchSize + newBatchThreshold` threads."""

    def __init__(
        self,
        spec: QueueFunction,
        queue_name: str,
        connection_string: str,
        *,
        options: QueueOptions,
        invoker: Invoker,
        stats: Stats,
        receive_visibility: timedelta = RECEIVE_VISIBILITY,
    ) -> None:
        self.spec = spec
        self.queue_name = queue_name
        self.options = options
        self._invoker = invoker
        self._stats = stats
        self._receive_visibility = receive_visibility
        self.queue: QueueClient = queue_client(connection_string, queue_name)
        poison_name = poison_queue_name(queue_name)
        self.poison_queue: QueueClient | None = queue_client(connection_string, poison_name) if poison_name else None
        self._pool: ThreadPoolExecutor | None = None
        self._condition = threading.Condition()
        self._in_flight = 0
        self._activity = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._queue_ready = False

    @property
    def in_flight(self) -> int:
        """Messages received and not yet completed."""
        with self._condition:
            return self._in_flight

    @property
    def activity(self) -> int:
        """Grows by one whenever a message completes; a drain compares it to notice work in between."""
        with self._condition:
            return self._activity

    def ensure_queue(self) -> None:
        """Create the trigger queue if it does not exist yet."""
        if self._queue_ready:
            return
        with contextlib.suppress(ResourceExistsError):
            self.queue.create_queue()
        self._queue_ready = True

    def approximate_count(self) -> int:
        """Messages in the queue, visible or not (Azure's approximate count includes invisible ones)."""
        try:
            return int(self.queue.get_queue_properties().approximate_message_count or 0)
        except ResourceNotFoundError:
            return 0

    @property
    def running(self) -> bool:
        """True between `start()` and `stop()`."""
        return self._thread is not None

    def start(self) -> None:
        """Begin polling in a background thread."""
        if self._thread is not None:
            raise RuntimeError(f"listener for {self.queue_name} already started")
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self.options.max_concurrency, thread_name_prefix=f"devhost-q-{self.queue_name}")
        self._thread = threading.Thread(target=self._poll_loop, name=f"devhost-poll-{self.queue_name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop polling, wait (bounded) for messages in flight, release the pool."""
        self._stop.set()
        with self._condition:
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            self._thread = None
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._in_flight and time.monotonic() < deadline:
                self._condition.wait(timeout=max(0.0, deadline - time.monotonic()))
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=False)
            self._pool = None

    def _poll_loop(self) -> None:
        backoff = _Backoff(self.options.max_polling_interval.total_seconds())
        while not self._stop.is_set() and self._pool is not None:
            try:
                self.ensure_queue()
                received = self.poll_once()
            except (AzureError, OSError) as error:
                log.warning("Polling queue '%s' failed: %s", self.queue_name, error)
                self._queue_ready = False
                received = 0
            if received == 0:
                self._stop.wait(backoff.next_delay(found_messages=False))
                continue
            backoff.next_delay(found_messages=True)
            self._wait_for_new_batch_threshold()

    def _wait_for_new_batch_threshold(self) -> None:
        with self._condition:
            while self._in_flight > self.options.new_batch_threshold and not self._stop.is_set():
                self._condition.wait(timeout=1.0)

    def poll_once(self) -> int:
        """Receive one batch and hand every message to the pool; returns how many were received."""
        pool = self._pool
        if pool is None:
            raise RuntimeError(f"listener for {self.queue_name} is not started")
        messages = list(
            self.queue.receive_messages(
                max_messages=self.options.batch_size,
                messages_per_page=self.options.batch_size,
                visibility_timeout=int(self._receive_visibility.total_seconds()),
            )
        )
        for message in messages:
            with self._condition:
                self._in_flight += 1
            try:
                pool.submit(self._process_safely, message)
            except RuntimeError:  # the pool was shut down by a stop() that gave up waiting for this poll
                with self._condition:
                    self._in_flight -= 1
                    self._condition.notify_all()
                log.warning(
                    "Listener for '%s' stopped; message %s stays invisible for now", self.queue_name, message.id
                )
        return len(messages)

    def _process_safely(self, message: StorageQueueMessage) -> None:
        try:
            self.process(message)
        except Exception:
            log.exception("Processing message %s from queue '%s' failed in the host", message.id, self.queue_name)
        finally:
            with self._condition:
                self._in_flight -= 1
                self._activity += 1
                self._condition.notify_all()

    def process(self, message: StorageQueueMessage) -> None:
        """Handle one received message to its end: invoke, then delete, release or poison it."""
        receipt = _Receipt(message.pop_receipt or "")
        if message.dequeue_count is not None and message.dequeue_count > self.options.max_dequeue_count:
            self._poison(message, receipt, reason=f"dequeued {message.dequeue_count} times before it could run")
            return
        try:
            body = decode_body(str(message.content or ""), self.options.message_encoding)
        except UndecodableMessage as error:
            self._poison(message, receipt, reason=str(error))
            return
        argument = build_queue_message(message, body, receipt.value)

        def renew() -> None:
            self._renew(message, receipt)

        result = self._invoker.invoke(
            self.spec,
            argument,
            trigger="queue",
            reason=f"New queue message detected on '{self.queue_name}'.",
            heartbeat=renew,
            heartbeat_interval=self._receive_visibility.total_seconds() / 2,
        )
        if result.succeeded:
            self._delete(message, receipt)
        elif self.poison_queue is None:
            # No poison queue: leave the message invisible so a failing message cannot loop fast.
            return
        elif (message.dequeue_count or 0) >= self.options.max_dequeue_count:
            self._poison(message, receipt, reason=f"function failed on dequeue {message.dequeue_count}")
        else:
            self._release(message, receipt)

    def _renew(self, message: StorageQueueMessage, receipt: _Receipt) -> None:
        try:
            updated = self.queue.update_message(
                message.id, receipt.value, visibility_timeout=int(self._receive_visibility.total_seconds())
            )
            receipt.value = updated.pop_receipt or receipt.value
        except (AzureError, OSError) as error:
            log.warning("Could not renew the invisibility of message %s: %s", message.id, error)

    def _release(self, message: StorageQueueMessage, receipt: _Receipt) -> None:
        try:
            self.queue.update_message(
                message.id, receipt.value, visibility_timeout=int(self.options.visibility_timeout.total_seconds())
            )
        except ResourceNotFoundError:
            pass  # message or queue gone: nothing to release
        except HttpResponseError as error:
            if error.status_code != 400:  # 400 = pop receipt mismatch: someone else took over
                raise

    def _delete(self, message: StorageQueueMessage, receipt: _Receipt) -> None:
        try:
            self.queue.delete_message(message.id, receipt.value)
        except ResourceNotFoundError:
            log.debug(
                "Unable to delete queue message '%s': message or queue '%s' not found.", message.id, self.queue_name
            )
        except HttpResponseError as error:
            if error.status_code != 400:
                raise
            log.debug(
                "Unable to delete queue message '%s' because the PopReceipt did not match. This could indicate that "
                "the function has modified the message and may be expected.",
                message.id,
            )

    def _poison(self, message: StorageQueueMessage, receipt: _Receipt, *, reason: str) -> None:
        if self.poison_queue is None:
            return
        log.warning(
            "Message has reached MaxDequeueCount of %d. Moving message to queue '%s'.",
            self.options.max_dequeue_count,
            self.poison_queue.queue_name,
            extra={"function": self.spec.name, "message_id": message.id, "queue": self.queue_name, "reason": reason},
        )
        log.info("Message %s from queue '%s' poisoned: %s", message.id, self.queue_name, reason)
        content = str(message.content or "")
        try:
            self.poison_queue.send_message(content)
        except ResourceNotFoundError:
            with contextlib.suppress(ResourceExistsError):
                self.poison_queue.create_queue()
            self.poison_queue.send_message(content)
        self._stats.record_poison(self.spec.name)
        self._delete(message, receipt)


class _Receipt:
    """The message's current pop receipt; renewing invisibility replaces it."""

    def __init__(self, value: str) -> None:
        self.value = value
