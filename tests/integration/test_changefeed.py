"""The change feed's positions and reads (sync/core/changefeed.py) on Azurite.

The source here is an in-memory `FeedSource` (the protocol the CluedIn audit log implements): these tests are about
the feed's own bookkeeping — positions per subscriber, the overlap, reading stopped early — and need thousands of
entries with chosen timestamps, which the CluedIn emulator's audit log would only produce slowly through user
activity. The audit log itself is exercised through the emulator in tests/integration/test_engine_sharing.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sync.core.changefeed import KNOWN_RUN_TO_STOP, MAX_SEEN_IDS, OVERLAP, ChangeFeeds, FeedEntry

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Log:
    """A growing audit log, newest first, counting the entries each read pulls."""

    key = "test-org"

    def __init__(self) -> None:
        self.entries: list[FeedEntry] = []
        self.pulled = 0

    def add(self, count: int, at: datetime) -> None:
        for _ in range(count):
            n = len(self.entries)
            self.entries.append(FeedEntry(f"e{n}", "DataSet", f"d{n}", "Updated", at.isoformat(), f"set {n}"))

    def read(self, since: datetime, until: datetime) -> Iterator[FeedEntry]:
        for entry in sorted(self.entries, key=lambda e: e.at, reverse=True):
            moment = datetime.fromisoformat(entry.at)
            if since <= moment <= until:
                self.pulled += 1
                yield entry


def tick(state, log: Log, now: datetime, *, advance: bool = True) -> list[FeedEntry]:
    feeds = ChangeFeeds(state, {"test": lambda _ctx: log}, None, now)
    feeds.subscribe("probe", {"test": frozenset()})
    window = feeds.window("test", "probe")
    if advance:
        feeds.advance("probe")
    feeds.commit()
    return window.entries


def test_a_burst_is_acted_on_once_and_not_re_read_on_every_tick_of_the_overlap(state):
    log = Log()
    assert tick(state, log, T0) == []  # first tick: a position, no history
    log.add(2000, T0 + timedelta(seconds=30))
    burst = tick(state, log, T0 + timedelta(minutes=1))
    assert len(burst) == 2000
    for minute in range(2, 6):  # ticks inside the five-minute overlap: nothing new
        log.pulled = 0
        assert tick(state, log, T0 + timedelta(minutes=minute)) == []
        assert log.pulled <= KNOWN_RUN_TO_STOP + 1  # a page's worth, not the 2,000 of the burst
    log.add(1, T0 + timedelta(minutes=5, seconds=30))
    assert [e.id for e in tick(state, log, T0 + timedelta(minutes=6))] == ["e2000"]


def test_an_entry_written_late_with_an_earlier_time_is_still_seen_inside_the_overlap(state):
    log = Log()
    tick(state, log, T0)
    log.add(3, T0 + timedelta(seconds=10))
    assert len(tick(state, log, T0 + timedelta(minutes=1))) == 3
    log.add(1, T0 + timedelta(seconds=50))  # committed after the last tick, stamped before it (clock skew)
    assert [e.id for e in tick(state, log, T0 + timedelta(minutes=2))] == ["e3"]
    assert timedelta(minutes=1) <= OVERLAP


def test_a_tick_that_does_not_advance_leaves_the_entries_for_the_next(state):
    log = Log()
    tick(state, log, T0)
    log.add(5, T0 + timedelta(seconds=10))
    assert len(tick(state, log, T0 + timedelta(minutes=1), advance=False)) == 5  # dry run, or a failed cycle
    assert len(tick(state, log, T0 + timedelta(minutes=2))) == 5
    assert tick(state, log, T0 + timedelta(minutes=3)) == []


def test_a_first_position_after_a_large_burst_reads_only_what_it_remembers(state):
    log = Log()
    log.add(MAX_SEEN_IDS + 1500, T0 - timedelta(minutes=1))  # a bulk import just before the first tick
    assert tick(state, log, T0) == []  # the first window is empty (the subscriber reads everything itself)
    assert log.pulled == MAX_SEEN_IDS  # remembering the overlap stops at what a position holds
    log.pulled = 0
    assert tick(state, log, T0 + timedelta(minutes=1)) == []  # the burst is not news the next minute
    assert log.pulled <= KNOWN_RUN_TO_STOP + 1
