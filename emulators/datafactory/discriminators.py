"""The `type` discriminator values ADF knows, per polymorphic position, from the 2018-06-01 REST description.

`known_types.json` lists, for each polymorphic base of the REST description (LinkedService, Dataset,
Activity, CopySource, ...), the concrete `x-ms-discriminator-value`s. Abstract intermediates such as
`Execution` (ExecutionActivity) or `Container` (ControlActivity) are deliberately absent: a body carrying
them is exactly what azure-mgmt-datafactory 10.0.0 sends by mistake, and ADF cannot run it.
The list was extracted from the models of azure-mgmt-datafactory 9.3.0, which are generated from that REST
description; tests/emulators/datafactory/test_known_types.py recomputes it to catch drift.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

_FILE = Path(__file__).with_name("known_types.json")


@cache
def known_types() -> dict[str, frozenset[str]]:
    """Group name (e.g. "linkedService", "copySink") -> the discriminator values ADF accepts there."""
    raw: dict[str, list[str]] = json.loads(_FILE.read_text(encoding="utf-8"))
    return {group: frozenset(values) for group, values in raw.items()}


def is_known(group: str, value: str) -> bool:
    """Whether `value` is a concrete discriminator of `group`."""
    return value in known_types()[group]
