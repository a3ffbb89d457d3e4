"""Every emulator response in every test must conform to the Swagger spec (the contract, checked continuously)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulators.purview.testing import PurviewHandle


@pytest.fixture(autouse=True)
def _responses_conform(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "purview" not in request.fixturenames:
        return
    handle: PurviewHandle = request.getfixturevalue("purview_emulator")
    bad = [v for v in handle.violations() if v["kind"] == "response"]
    assert bad == [], f"responses that break the spec: {bad[:3]}"
