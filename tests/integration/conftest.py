"""Fixtures for integration tests of the app's own pieces against Azurite."""

from __future__ import annotations

import uuid

import pytest
from azure.data.tables import TableServiceClient

from sync.core.state import StateStore


@pytest.fixture()
def state(azurite) -> StateStore:
    """A StateStore on fresh tables (unique prefix per test)."""
    prefix = "t" + uuid.uuid4().hex[:12]
    store = StateStore(TableServiceClient.from_connection_string(azurite.connection_string), prefix)
    store.ensure_tables()
    return store
