"""Waiting for an event that must happen, with a bound so a broken test fails instead of hanging.

The bound is wall-clock time, and it is deliberately generous: it decides only when to stop waiting, never what
passes — no test asserts how fast something happened (speed goals are benchmarks under `bench/`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

POLL_SECONDS = 0.02


def wait_until(condition: Callable[..., object], what: str, seconds: float = 60) -> None:
    """Poll until `condition()` is truthy.

    Raises:
        TimeoutError: it never was within `seconds` (the test is broken or hung, not slow).
    """
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {seconds:g}s")
        time.sleep(POLL_SECONDS)
