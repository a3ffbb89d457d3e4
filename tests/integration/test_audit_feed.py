"""The CluedIn audit log as a change-feed source reads lazily: pages the feed does not consume are not requested.

The change feed stops reading inside its overlap once the entries are known (tests/integration/test_changefeed.py,
with an in-memory source); this is the same promise kept by the real source against the CluedIn emulator — when it
returned a list, every page of a burst was read on every tick for five minutes (612 calls for a 10,000-data-set
estate's no-change lineage cycle in `bench lineage_sync --plan-only`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice

from sync.services.cluedin.audit import AuditLogFeed
from sync.services.cluedin.datasets import AUDIT_PAGE_SIZE
from tests.support.lineage import group, lineage_stack, seed_document


def test_only_the_pages_consumed_are_requested(azurite, purview, fresh_cluedin_emulator):
    stack = lineage_stack(azurite, purview, fresh_cluedin_emulator)
    data_sets = [{"name": f"set{i:03d}.csv", "records": [], "process": False} for i in range(100)]
    stack.cluedin.seed(seed_document([group(f"set{i:03d}.csv", [d]) for i, d in enumerate(data_sets)]))
    feed = AuditLogFeed(stack.cluedin_client())
    now = datetime.now(UTC) + timedelta(seconds=5)
    total = sum(1 for _ in feed.read(now - timedelta(hours=1), now))
    assert total > 2 * AUDIT_PAGE_SIZE  # the seed left more than two pages of entries

    before = stack.cluedin.stats()["total"]
    assert len(list(islice(feed.read(now - timedelta(hours=1), now), 10))) == 10
    assert stack.cluedin.stats()["total"] - before == 1  # one page, not every page of the log
