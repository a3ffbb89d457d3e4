"""Session fixtures shared by every test: Azurite and the emulators, each on free ports.

Emulator fixtures live next to each emulator (`emulators/<name>/testing.py`) and are registered here as
pytest plugins, so an emulator's own tests and the app's tests start it the same way.
"""

from __future__ import annotations

import importlib.util
import os
import uuid
from collections.abc import Iterator

import pytest
from azure.data.tables import TableServiceClient

from devhost.azurite import Azurite, start_azurite
from sync.core.clock import use_clock
from sync.core.state import StateStore
from tests.support.clock import ManualClock

pytest_plugins = [
    name
    for name in ("emulators.purview.testing", "emulators.cluedin.testing", "emulators.datafactory.testing")
    if importlib.util.find_spec(name.rsplit(".", 1)[0]) is not None and importlib.util.find_spec(name) is not None
]


SHARED_AZURITE = "SYNC_TEST_AZURITE"
"""`<blob url>,<queue url>,<table url>` of an Azurite started by someone else: every pytest session reuses it.
`make mutation` sets it, because it runs pytest once per mutant and would otherwise start Azurite each time."""


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """One Azurite for the whole session (tests isolate themselves with unique table/queue names)."""
    shared = os.environ.get(SHARED_AZURITE)
    if shared:
        blob_url, queue_url, table_url = shared.split(",")
        yield Azurite(process=None, blob_url=blob_url, queue_url=queue_url, table_url=table_url)
        return
    instance = start_azurite()
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture()
def clock() -> Iterator[ManualClock]:
    """A manual clock installed as the app's clock for one test (leases expire when the test moves time)."""
    with use_clock(ManualClock()) as manual:
        assert isinstance(manual, ManualClock)
        yield manual


@pytest.fixture()
def state(azurite) -> StateStore:
    """A StateStore on fresh tables (unique prefix per test)."""
    prefix = "t" + uuid.uuid4().hex[:12]
    store = StateStore(TableServiceClient.from_connection_string(azurite.connection_string), prefix)
    store.ensure_tables()
    return store
