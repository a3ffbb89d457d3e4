"""Time and identity helpers shared by the stores.

Purview stamps records with epoch milliseconds and the caller's AAD object id; tests need both to be
predictable enough to assert on, so they come from here rather than being sprinkled around.
"""

from __future__ import annotations

import time
import uuid

_PRINCIPAL_NAMESPACE = uuid.UUID("6f0c2b3e-7a51-4c44-9a35-3f1f0e0c9a10")


def now_ms() -> int:
    """Current time in epoch milliseconds, as Purview's createTime/updateTime."""
    return int(time.time() * 1000)


def new_guid() -> str:
    """A fresh server-side GUID."""
    return str(uuid.uuid4())


def principal_for(token: str | None) -> str:
    """A stable AAD-object-id-like string for a bearer token (what createdBy/updatedBy show)."""
    if not token:
        return "ServiceAdmin"
    return str(uuid.uuid5(_PRINCIPAL_NAMESPACE, token))
