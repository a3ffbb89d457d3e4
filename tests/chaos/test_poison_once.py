"""Malformed messages go to poison once, with the reason, whatever their size (case 4 of issue 10).

Messages travel as the Functions host delivers them: base64 on the wire, decoded to bytes for the function. Each
scenario is delivered once; "once" means the app answers it itself (poison, then a normal return, so the host
deletes it) instead of raising five times until the host's own poison handling takes over.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest
from azure.storage.queue import BinaryBase64DecodePolicy, BinaryBase64EncodePolicy, QueueClient

from sync.core.engine import apply_message
from sync.core.feature import ApplyOutcome, Feature, Snapshot, SyncContext
from sync.core.messages import Change, ChangeMessage, Queues
from sync.core.settings import Settings
from sync.core.state import SyncObject
from tests.support.stack import Stack, build_stack

pytestmark = pytest.mark.chaos
QUEUE = Queues.CLUEDIN.value


@pytest.fixture()
def stack(azurite, purview, fresh_cluedin_emulator) -> Stack:
    return build_stack(azurite, purview, fresh_cluedin_emulator)


def binary_queue(stack: Stack, queue: str) -> QueueClient:
    """A queue client speaking bytes, as the host does (base64 on the wire, bytes to the function)."""
    return stack.queue_service.get_queue_client(
        stack.queues.name(queue),
        message_encode_policy=BinaryBase64EncodePolicy(),
        message_decode_policy=BinaryBase64DecodePolicy(),
    )


def deliver_once(stack: Stack, body: bytes) -> list[ApplyOutcome]:
    """Send `body` to the work queue and run the queue function on it once, as the host would."""
    work = binary_queue(stack, QUEUE)
    work.create_queue()
    work.send_message(body)
    [message] = list(work.receive_messages(max_messages=1, visibility_timeout=60))
    assert message.content == body
    outcomes = apply_message(
        message.content,
        queue=QUEUE,
        features=stack.features,
        ctx=stack.context(),
        message_id=message.id,
        dequeue_count=message.dequeue_count or 1,
    )  # returns normally: the host deletes the message and never delivers it again
    work.delete_message(message)
    return outcomes


def poisoned(stack: Stack) -> list[bytes]:
    return [m.content for m in binary_queue(stack, f"{QUEUE}-poison").peek_messages(max_messages=32)]


def reasons(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [str(getattr(r, "reason", "")) for r in caplog.records if getattr(r, "event", "") == "MessagePoisoned"]


def change_message(desired: dict[str, Any], feature: str = "datasources") -> bytes:
    change = Change(feature=feature, object_kind="datasource", key="k", kind="create", desired=desired)
    return ChangeMessage(run_id="r", changes=[change]).model_dump_json().encode()


def test_47_kb_of_invalid_utf8_goes_to_poison_once_as_it_arrived(stack, caplog):
    caplog.set_level(logging.WARNING)
    body = b"\xff\xfe" + bytes(range(0x80, 0x100)) * 360 + b"\xc3" * 1000  # ~47 KB, not UTF-8 anywhere
    assert 46_000 < len(body) < 48 * 1024
    [outcome] = deliver_once(stack, body)
    assert outcome.result == "failed" and "not UTF-8" in outcome.detail
    assert poisoned(stack) == [body]  # byte for byte: nothing grew, so the poison send fits
    [reason] = reasons(caplog)
    assert "not UTF-8" in reason and len(reason) < 200


def test_json_nested_5000_levels_deep_goes_to_poison_once(stack, caplog):
    caplog.set_level(logging.WARNING)
    body = b"[" * 5000 + b"]" * 5000
    [outcome] = deliver_once(stack, body)
    assert "nested too deeply" in outcome.detail
    assert poisoned(stack) == [body]
    assert reasons(caplog) == [outcome.detail]


def test_a_schema_valid_message_with_unusable_desired_state_goes_to_poison_once(stack, caplog):
    caplog.set_level(logging.WARNING)
    body = change_message({"name": "Account.csv"})  # no guid, no group name
    [outcome] = deliver_once(stack, body)
    assert outcome.result == "failed" and "desired state lacks guid, group_name" in outcome.detail
    assert poisoned(stack) == [body]
    [reason] = reasons(caplog)
    assert "datasources change create k" in reason
    assert not [r for r in caplog.records if r.exc_info]  # no traceback: it is bad input, not a crash
    assert stack.cluedin_writes() == 0


class BrokenFeature(Feature):
    """An applier with a defect (a KeyError on data it did not expect)."""

    name: ClassVar[str] = "broken"
    object_kind: ClassVar[str] = "broken"
    queue: ClassVar[Queues] = Queues.CLUEDIN

    def enabled(self, settings: Settings) -> bool:
        return True

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        return Snapshot()

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        return []

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        return ApplyOutcome("applied", str(change.desired["missing"]))


def test_an_untyped_error_in_an_applier_poisons_its_message_once(stack, caplog):
    caplog.set_level(logging.WARNING)
    stack.features = {**stack.features, "broken": BrokenFeature()}
    body = change_message({"present": 1}, feature="broken")
    [outcome] = deliver_once(stack, body)
    assert outcome.result == "failed" and outcome.detail == "unexpected KeyError: 'missing'"
    assert poisoned(stack) == [body]
    assert len([r for r in caplog.records if r.exc_info]) == 1  # one traceback, for the defect's author
    assert [o["result"] for o in stack.state.runs.iter_outcomes("r")] == ["failed"]
