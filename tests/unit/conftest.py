"""Fixtures the engine's unit tests share (test_engine.py, test_engine_paths.py)."""

from __future__ import annotations

import uuid

import pytest
from azure.storage.queue import QueueServiceClient

from tests.support.stack import RecordingQueueSender


@pytest.fixture()
def queues(azurite) -> RecordingQueueSender:
    """The app's queue sender on fresh queues (unique prefix per test), remembering delayed sends."""
    service = QueueServiceClient.from_connection_string(azurite.connection_string)
    return RecordingQueueSender(service, "e" + uuid.uuid4().hex[:12])
