"""Fences: what the transport checks immediately before every non-idempotent call.

A lease (sync/core/state/leases.py) can be lost while its holder still runs — the process froze, storage was
unreachable for a while, a clock jumped — and another invocation may then have taken over the object and created
it. The holder must not send its own create after that. So while a lease is held, it registers a *fence* for the
current execution context; `HttpTransport` calls `check()` right before it sends a request that is not
idempotent (and before every resend of one). Checking a fence renews its lease with an ETag-guarded write, so it
fails exactly when someone else changed the row, and a call that passes has a full lease period to finish in.

Fences live in a ContextVar: they follow the invocation's own thread, not threads it did not start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol


class Fence(Protocol):
    """Something held that a non-idempotent call must not outlive (a state lease)."""

    def fence(self) -> float:
        """Confirm (and extend) the hold; return the seconds it is guaranteed for.

        Raises:
            ContentionError: the hold was lost; the call must not be sent.
            RetriableError: the hold could not be confirmed (storage unreachable); the call must not be sent.
        """
        ...


_fences: ContextVar[tuple[Fence, ...]] = ContextVar("sync_fences", default=())


@contextmanager
def fenced(fence: Fence) -> Iterator[None]:
    """Register a fence for the current context for the duration of a block."""
    token = _fences.set((*_fences.get(), fence))
    try:
        yield
    finally:
        _fences.reset(token)


def check() -> float | None:
    """Check every fence of the current context; the seconds the tightest one is guaranteed for (None: no fence).

    Raises:
        ContentionError: a lease was lost (nothing may be sent).
        RetriableError: a lease could not be confirmed.
    """
    fences = _fences.get()
    if not fences:
        return None
    return min(fence.fence() for fence in fences)
