"""Session fixtures shared by every test: Azurite and the emulators, each on free ports.

Emulator fixtures live next to each emulator (`emulators/<name>/testing.py`) and are registered here as
pytest plugins, so an emulator's own tests and the app's tests start it the same way.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest

from devhost.azurite import Azurite, start_azurite

pytest_plugins = [
    name
    for name in ("emulators.purview.testing", "emulators.cluedin.testing", "emulators.datafactory.testing")
    if importlib.util.find_spec(name.rsplit(".", 1)[0]) is not None and importlib.util.find_spec(name) is not None
]


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """One Azurite for the whole session (tests isolate themselves with unique table/queue names)."""
    instance = start_azurite()
    try:
        yield instance
    finally:
        instance.stop()
