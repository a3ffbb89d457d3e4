"""Queue triggers against real Azurite: delete on success, retries, poison queue, encoding, concurrency."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime

import pytest

from tests.devhost.conftest import FAST_QUEUES, HostUnderTest
from tests.devhost.sample_app import send_base64


def send(target: HostUnderTest, **body: object) -> None:
    target.host.ensure_queues()
    send_base64(target.azurite.connection_string, target.work_queue, json.dumps(body))


def test_successful_message_is_processed_once_and_deleted(make_host):
    target = make_host()
    send(target, id="a")

    summary = target.host.drain(timeout=30)

    assert summary.idle and summary.ok
    [seen] = target.recorder.of("work")
    assert seen["id"] == "a" and seen["dequeue_count"] == 1
    assert target.queue(target.work_queue).get_queue_properties().approximate_message_count == 0
    assert summary.functions["work"].invocations == 1 and summary.functions["work"].succeeded == 1


def test_function_sees_worker_faithful_message_metadata(make_host):
    target = make_host()
    before = datetime.now(UTC).replace(microsecond=0)
    send(target, id="meta")

    target.host.drain(timeout=30)

    [seen] = target.recorder.of("work")
    assert seen["message_id"] and seen["pop_receipt"]
    assert seen["insertion_time"].tzinfo is not None and seen["insertion_time"] >= before
    assert (seen["expiration_time"] - seen["insertion_time"]).days == 7  # the storage default TTL
    # Received with the host's 10-minute invisibility.
    assert 590 <= (seen["time_next_visible"] - seen["insertion_time"]).total_seconds() <= 610


def test_failure_is_retried_after_visibility_timeout_then_succeeds(make_host):
    target = make_host()
    send(target, id="flaky", fail_times=2)

    summary = target.host.drain(timeout=30)

    counts = [seen["dequeue_count"] for seen in target.recorder.of("work")]
    assert counts == [1, 2, 3]
    assert summary.ok and summary.poisoned == 0
    assert summary.functions["work"].failed == 2 and summary.functions["work"].succeeded == 1
    assert target.peek_all(f"{target.work_queue}-poison") == []


def test_always_failing_message_ends_in_poison_queue_with_original_body(make_host, caplog):
    caplog.set_level(logging.WARNING, logger="devhost.queues")
    target = make_host()
    send(target, id="doomed", fail=True)
    original = base64.b64encode(json.dumps({"id": "doomed", "fail": True}).encode()).decode()

    summary = target.host.drain(timeout=30)

    assert [seen["dequeue_count"] for seen in target.recorder.of("work")] == [1, 2, 3]  # maxDequeueCount = 3
    assert target.peek_all(f"{target.work_queue}-poison") == [original]
    assert target.queue(target.work_queue).get_queue_properties().approximate_message_count == 0
    assert summary.idle and not summary.ok and summary.poisoned == 1
    assert f"Message has reached MaxDequeueCount of 3. Moving message to queue '{target.work_queue}-poison'." in (
        caplog.text
    )


def test_undecodable_message_is_poisoned_at_once_without_invoking(make_host, caplog):
    caplog.set_level(logging.INFO, logger="devhost.queues")
    target = make_host()
    target.host.ensure_queues()
    target.queue(target.work_queue).send_message("{not base64}")

    summary = target.host.drain(timeout=30)

    assert target.recorder.of("work") == []
    assert target.peek_all(f"{target.work_queue}-poison") == ["{not base64}"]
    assert summary.poisoned == 1 and summary.functions["work"].invocations == 0
    assert "not valid base64" in caplog.text


def test_message_dequeued_too_often_is_poisoned_before_running(make_host):
    target = make_host()
    send(target, id="crashed-hosts")
    queue = target.queue(target.work_queue)
    for _ in range(3):  # three earlier hosts died while holding it
        [message] = list(queue.receive_messages(max_messages=1, visibility_timeout=1))
        queue.update_message(message, visibility_timeout=0)
    # Dequeue number 4 > maxDequeueCount 3.

    summary = target.host.drain(timeout=30)

    assert target.recorder.of("work") == []
    assert summary.poisoned == 1
    assert len(target.peek_all(f"{target.work_queue}-poison")) == 1


def test_duplicate_delivery_runs_the_function_for_each_copy(make_host):
    target = make_host()
    send(target, id="same")
    send(target, id="same")

    summary = target.host.drain(timeout=30)

    seen = target.recorder.of("work")
    assert [s["id"] for s in seen] == ["same", "same"]
    assert len({s["message_id"] for s in seen}) == 2
    assert summary.ok and summary.functions["work"].succeeded == 2


def test_message_changed_by_the_function_is_redelivered_not_lost(make_host):
    target = make_host()
    send(target, id="touched", touch=True)

    summary = target.host.drain(timeout=30)

    # The host's delete met a pop-receipt mismatch (tolerated); the message came back and was processed again.
    assert [s["dequeue_count"] for s in target.recorder.of("work")] == [1, 2]
    assert summary.ok


def test_concurrency_is_bounded_by_batch_size_plus_new_batch_threshold(make_host):
    target = make_host()
    for index in range(14):
        send(target, id=f"c{index}", sleep=0.4)

    summary = target.host.drain(timeout=60)

    assert summary.ok and summary.functions["work"].succeeded == 14
    # Ran in parallel (at least two at once, counted by the functions themselves), never more than
    # batchSize 4 + newBatchThreshold 2.
    assert 2 <= target.recorder.max_running <= 6


def test_async_queue_function_gets_context(make_host):
    target = make_host()
    target.host.ensure_queues()
    send_base64(target.azurite.connection_string, target.settings["ASYNC_QUEUE"], "plain text")

    summary = target.host.drain(timeout=30)

    [seen] = target.recorder.of("work_async")
    assert seen["body"] == "plain text"
    assert len(seen["invocation_id"]) == 36
    assert summary.functions["work_async"].succeeded == 1


def test_function_timeout_fails_the_invocation(make_host, caplog):
    caplog.set_level(logging.ERROR, logger="devhost.invocation")
    target = make_host(
        host_json={**FAST_QUEUES, "functionTimeout": "00:00:01"},
        settings={"AzureFunctionsJobHost__extensions__queues__maxDequeueCount": "1"},
    )
    send(target, id="slow", sleep=1.5)

    summary = target.host.drain(timeout=30)

    assert summary.functions["work"].failed == 1 and summary.poisoned == 1
    assert "Timeout value of 00:00:01 exceeded by function 'Functions.work'" in caplog.text


def test_drain_gives_up_at_the_deadline_and_reports_what_is_left(make_host):
    target = make_host()
    send(target, id="held")
    # Someone else holds the message invisible for a minute.
    list(target.queue(target.work_queue).receive_messages(max_messages=1, visibility_timeout=60))

    summary = target.host.drain(timeout=1)

    assert not summary.idle and not summary.ok
    assert summary.remaining == {target.work_queue: 1, target.settings["ASYNC_QUEUE"]: 0}


def test_host_json_override_setting_changes_max_dequeue_count(make_host):
    target = make_host(settings={"AzureFunctionsJobHost__extensions__queues__maxDequeueCount": "1"})
    send(target, id="once", fail=True)

    summary = target.host.drain(timeout=30)

    assert len(target.recorder.of("work")) == 1
    assert summary.poisoned == 1


def test_one_structured_record_per_invocation(make_host, caplog):
    caplog.set_level(logging.INFO, logger="devhost.invocation")
    target = make_host()
    send(target, id="logged")

    target.host.drain(timeout=30)

    records = [r for r in caplog.records if r.name == "devhost.invocation" and getattr(r, "function", "") == "work"]
    assert len(records) == 1
    record = records[0]
    assert record.outcome == "succeeded" and record.trigger == "queue"
    assert isinstance(record.duration_ms, float) and len(record.invocation_id) == 36
    assert record.getMessage().startswith("Executed 'Functions.work' (Succeeded, Id=")


@pytest.mark.parametrize("name", ["Work_Items", "ab", "a--b", "-abc"])
def test_invalid_queue_names_are_refused_at_start(make_host, name):
    from devhost.storage import StorageConfigError

    with pytest.raises(StorageConfigError, match="Invalid queue name"):
        make_host(settings={"WORK_QUEUE": name})
