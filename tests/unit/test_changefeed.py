"""The shared change feed (sync/core/changefeed.py) on Azurite state: positions, the overlap, seen ids, races.

The source is a list of entries written for the test (the real one reads CluedIn's audit log, exercised end to end
in tests/integration/test_engine_sharing.py); it records every window it was asked for, so reads are counted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sync.core.changefeed import (
    CURSOR_PARTITION,
    KNOWN_RUN_TO_STOP,
    LEGACY_CURSOR,
    MAX_SEEN_IDS,
    OVERLAP,
    ChangeFeeds,
    FeedEntry,
    FeedSource,
)
from sync.core.errors import FatalError, RetriableError, SettingsError
from sync.core.state import StateStore

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ROW = "cluedin|org-1"


class Entries:
    """A feed source of fixed entries that remembers each (since, until) it was read with."""

    key = "org-1"

    def __init__(self, entries: list[FeedEntry]) -> None:
        self.entries = entries
        self.reads: list[tuple[datetime, datetime]] = []

    def read(self, since: datetime, until: datetime) -> list[FeedEntry]:
        self.reads.append((since, until))
        return list(self.entries)


def entry(ident: str, at: datetime | str, object_type: str = "DataSet") -> FeedEntry:
    when = at if isinstance(at, str) else at.isoformat()
    return FeedEntry(id=ident, object_type=object_type, object_id=f"o-{ident}", action="Updated", at=when)


CONTEXT = object()


def tick(state: StateStore, source: FeedSource, now: datetime, subscribers: dict[str, frozenset[str]]) -> ChangeFeeds:
    def build(context: object) -> FeedSource:
        assert context is CONTEXT  # the source is built from the tick's context (its service client)
        return source

    feeds = ChangeFeeds(state, {"cluedin": build}, CONTEXT, now)
    for name, types in subscribers.items():
        feeds.subscribe(name, {"cluedin": types})
    return feeds


def positions(state: StateStore) -> dict[str, dict[str, object]]:
    value, _ = state.get_cursor(CURSOR_PARTITION, ROW)
    return dict(value["subscribers"])


def test_a_first_subscriber_is_shown_nothing_and_remembers_the_overlap_it_already_reflected(state):
    source = Entries([entry("1", T0), entry("old", T0 - OVERLAP - timedelta(seconds=1)), entry("", T0)])
    feeds = tick(state, source, T0, {"f": frozenset({"DataSet"})})
    window = feeds.window("cluedin", "f")
    assert window.first and window.entries == [] and source.reads == []  # no history replayed
    feeds.advance("f")  # its full read reflected everything: the overlap's ids are remembered, read once...
    assert source.reads == []
    feeds.commit()  # ...when the tick's positions are written, after every feature has planned
    assert source.reads == [(T0 - OVERLAP, T0)]
    assert positions(state) == {"f": {"until": T0.isoformat(), "seen": ["1"]}}


def test_the_next_tick_reads_once_from_the_position_minus_the_overlap(state):
    state.set_cursor(CURSOR_PARTITION, ROW, {"subscribers": {"f": {"until": T0.isoformat()}}}, etag=None)
    now = T0 + timedelta(minutes=10)
    edge = T0 - OVERLAP
    source = Entries(
        [
            entry("at-edge", edge),
            entry("before-edge", edge - timedelta(microseconds=1)),
            entry("before-edge-in-z", (edge - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")),
            entry("other-type", T0, "Rule"),
            entry("untyped", T0, ""),
            entry("no-time", "yesterday-ish"),
            entry("naive", "2020-01-01T00:00:00"),
            entry("new", now),
        ]
    )
    feeds = tick(state, source, now, {"f": frozenset({"DataSet"})})
    window = feeds.window("cluedin", "f")
    assert source.reads == [(edge, now)]
    assert not window.first
    assert [e.id for e in window.entries] == ["at-edge", "untyped", "no-time", "naive", "new"]
    assert feeds.window("cluedin", "f") is window and len(source.reads) == 1
    feeds.advance("f")
    feeds.commit()
    # Entries whose time cannot be read are remembered (to be safe), as are those within the overlap of `now`.
    assert positions(state)["f"]["seen"] == ["no-time", "naive", "new"]


def test_a_subscriber_without_types_sees_every_type(state):
    state.set_cursor(CURSOR_PARTITION, ROW, {"subscribers": {"f": {"until": T0.isoformat()}}}, etag=None)
    source = Entries([entry("a", T0, "Rule"), entry("b", T0, "DataSet")])
    feeds = tick(state, source, T0 + timedelta(minutes=1), {"f": frozenset()})
    assert [e.id for e in feeds.window("cluedin", "f").entries] == ["a", "b"]


def test_ids_seen_within_the_overlap_are_not_shown_again(state):
    state.set_cursor(CURSOR_PARTITION, ROW, {"subscribers": {"f": {"until": T0.isoformat()}}}, etag=None)
    now = T0 + timedelta(minutes=10)
    source = Entries(
        [
            entry("old", now - OVERLAP - timedelta(seconds=1)),
            entry("edge", now - OVERLAP),
            entry("recent", now),
            entry("", now),  # no id: never remembered
        ]
    )
    feeds = tick(state, source, now, {"f": frozenset({"DataSet"})})
    feeds.window("cluedin", "f")
    feeds.advance("f")
    feeds.commit()
    assert positions(state) == {"f": {"until": now.isoformat(), "seen": ["edge", "recent"]}}

    later = now + timedelta(minutes=1)
    again = tick(state, Entries(source.entries), later, {"f": frozenset({"DataSet"})})
    assert [e.id for e in again.window("cluedin", "f").entries] == [""]  # "old" is before the new overlap
    again.advance("f")
    again.commit()
    # Nothing new was seen; what was seen before is kept, in its order.
    assert positions(state)["f"] == {"until": later.isoformat(), "seen": ["edge", "recent"]}


def test_the_seen_list_is_capped(state):
    state.set_cursor(CURSOR_PARTITION, ROW, {"subscribers": {"f": {"until": T0.isoformat()}}}, etag=None)
    source = Entries([entry(str(n), T0) for n in range(MAX_SEEN_IDS + 3)])
    feeds = tick(state, source, T0, {"f": frozenset({"DataSet"})})
    feeds.window("cluedin", "f")
    feeds.advance("f")
    feeds.commit()
    assert positions(state)["f"]["seen"] == [str(n) for n in range(MAX_SEEN_IDS)]


def test_subscribers_at_one_position_share_a_read_and_one_further_behind_reads_again(state):
    subscribers = {
        "a": {"until": T0.isoformat()},
        "b": {"until": T0.isoformat()},
        "behind": {"until": (T0 - timedelta(hours=1)).isoformat()},
    }
    state.set_cursor(CURSOR_PARTITION, ROW, {"subscribers": subscribers}, etag=None)
    now = T0 + timedelta(minutes=3)
    source = Entries([entry("x", T0)])
    feeds = tick(state, source, now, {"a": frozenset(), "b": frozenset(), "behind": frozenset()})
    feeds.window("cluedin", "a")
    feeds.window("cluedin", "b")
    assert source.reads == [(T0 - OVERLAP, now)]
    feeds.window("cluedin", "behind")
    assert source.reads == [(T0 - OVERLAP, now), (T0 - timedelta(hours=1) - OVERLAP, now)]
    feeds.window("cluedin", "a")  # its window was kept: no read for it
    assert len(source.reads) == 2


def test_a_subscriber_behind_by_less_than_two_overlaps_still_makes_the_tick_read_again(state):
    close_behind = (T0 - OVERLAP - timedelta(minutes=1)).isoformat()
    subscribers = {"a": {"until": T0.isoformat()}, "b": {"until": close_behind}}
    state.set_cursor(CURSOR_PARTITION, ROW, {"subscribers": subscribers}, etag=None)
    source = Entries([])
    feeds = tick(state, source, T0, {"a": frozenset(), "b": frozenset()})
    feeds.window("cluedin", "a")
    feeds.window("cluedin", "b")
    assert [since for since, _ in source.reads] == [T0 - OVERLAP, T0 - 2 * OVERLAP - timedelta(minutes=1)]


def test_only_advanced_subscribers_move_and_the_others_keep_their_place(state):
    stored = {"a": {"until": T0.isoformat(), "seen": ["s"]}, "b": {"until": T0.isoformat(), "seen": []}}
    state.set_cursor(CURSOR_PARTITION, ROW, {"subscribers": stored}, etag=None)
    now = T0 + timedelta(minutes=2)
    feeds = tick(state, Entries([]), now, {"a": frozenset(), "b": frozenset()})
    feeds.window("cluedin", "a")
    feeds.window("cluedin", "b")
    feeds.advance("a")
    feeds.commit()
    assert positions(state) == {"a": {"until": now.isoformat(), "seen": ["s"]}, "b": stored["b"]}


def test_a_feature_s_old_audit_log_cursor_is_its_starting_point_once(state):
    state.set_cursor("legacy-feature", LEGACY_CURSOR, {"until": T0.isoformat(), "seen": ["s1"]}, etag=None)
    state.set_cursor(CURSOR_PARTITION, ROW, {"subscribers": {}}, etag=None)
    now = T0 + timedelta(minutes=1)
    source = Entries([entry("s1", T0), entry("s2", T0)])
    feeds = tick(state, source, now, {"legacy-feature": frozenset(), "untouched": frozenset()})
    window = feeds.window("cluedin", "legacy-feature")
    assert not window.first and [e.id for e in window.entries] == ["s2"]
    assert feeds.window("cluedin", "untouched").first
    feeds.advance("legacy-feature")
    feeds.commit()
    # Only subscribers that were stored or advanced are written (not one that only looked).
    assert positions(state) == {"legacy-feature": {"until": now.isoformat(), "seen": ["s2", "s1"]}}


def test_a_concurrent_writer_wins_the_race_and_nothing_fails(state, caplog):
    caplog.set_level(logging.INFO, logger="sync.changefeed")
    state.set_cursor(CURSOR_PARTITION, ROW, {"subscribers": {"f": {"until": T0.isoformat()}}}, etag=None)
    feeds = tick(state, Entries([]), T0 + timedelta(minutes=1), {"f": frozenset()})
    feeds.window("cluedin", "f")
    feeds.advance("f")
    _, etag = state.get_cursor(CURSOR_PARTITION, ROW)
    other = {"subscribers": {"f": {"until": "other"}}}
    state.set_cursor(CURSOR_PARTITION, ROW, other, etag=etag)
    feeds.commit()
    assert state.get_cursor(CURSOR_PARTITION, ROW)[0] == other
    races = [r for r in caplog.records if r.name == "sync.changefeed"]
    assert [r.event for r in races] == ["ChangeFeedRace"]
    assert races[0].getMessage().startswith(f"change feed {ROW} moved concurrently; kept the other writer's")


def test_nothing_is_written_when_no_subscriber_advanced(state):
    feeds = tick(state, Entries([]), T0, {"f": frozenset()})
    feeds.window("cluedin", "f")
    feeds.commit()
    assert state.get_cursor(CURSOR_PARTITION, ROW) == (None, None)


def test_a_feed_read_without_declaring_it_or_without_a_source_is_a_settings_error(state):
    feeds = tick(state, Entries([]), T0, {"declared": frozenset()})
    with pytest.raises(SettingsError, match="'undeclared' does not declare the change feed 'cluedin'"):
        feeds.window("cluedin", "undeclared")
    feeds.subscribe("declared", {"purview": frozenset()})
    with pytest.raises(SettingsError, match="no change feed source 'purview' is configured"):
        feeds.window("purview", "declared")


class Pulled:
    """A feed source that yields its entries one at a time (newest first, as the audit log pages) and counts them."""

    key = "org-1"

    def __init__(self, entries: list[FeedEntry]) -> None:
        self.entries = entries
        self.pulled = 0

    def read(self, since: datetime, until: datetime) -> Iterator[FeedEntry]:
        for item in self.entries:
            self.pulled += 1
            yield item


def acted_on(ids: list[str]) -> dict[str, Any]:
    return {"subscribers": {"f": {"until": T0.isoformat(), "seen": ids}}}


def test_reading_stops_after_a_page_of_consecutive_entries_already_acted_on_before_the_position(state):
    known = [entry(f"k{n}", T0 - timedelta(seconds=1 + n)) for n in range(KNOWN_RUN_TO_STOP + 5)]
    state.set_cursor(CURSOR_PARTITION, ROW, acted_on([e.id for e in known]), etag=None)
    new = [entry("new", T0 + timedelta(seconds=30)), entry("known-but-after", T0)]
    source = Pulled([*new, *known])
    feeds = tick(state, source, T0 + timedelta(minutes=1), {"f": frozenset()})
    assert [e.id for e in feeds.window("cluedin", "f").entries] == ["new", "known-but-after"]
    assert source.pulled == len(new) + KNOWN_RUN_TO_STOP
    only_known = Pulled(known)
    feeds = tick(state, only_known, T0 + timedelta(minutes=1), {"f": frozenset()})
    assert feeds.window("cluedin", "f").entries == [] and only_known.pulled == KNOWN_RUN_TO_STOP


def test_an_entry_not_acted_on_inside_the_overlap_starts_the_count_again(state):
    older = [entry(f"k{n}", T0 - timedelta(seconds=1 + n)) for n in range(KNOWN_RUN_TO_STOP + 50)]
    missed = entry("missed", T0 - timedelta(seconds=0.5))
    state.set_cursor(CURSOR_PARTITION, ROW, acted_on([e.id for e in older]), etag=None)
    source = Pulled([*older[:50], missed, *older[50:]])  # 50 known, one not, then 100 known
    feeds = tick(state, source, T0 + timedelta(minutes=1), {"f": frozenset()})
    assert [e.id for e in feeds.window("cluedin", "f").entries] == ["missed"]
    assert source.pulled == 50 + 1 + KNOWN_RUN_TO_STOP


def test_a_first_subscriber_remembers_every_recent_id_of_the_overlap(state):
    recent = [entry(str(n), T0 - timedelta(minutes=n)) for n in range(3)]
    source = Pulled([*recent, entry("too-old", T0 - OVERLAP - timedelta(seconds=1))])
    feeds = tick(state, source, T0, {"f": frozenset()})
    feeds.window("cluedin", "f")
    feeds.advance("f")
    feeds.commit()
    assert positions(state)["f"]["seen"] == ["0", "1", "2"] and source.pulled == 4


def test_only_a_race_is_swallowed_when_positions_are_written(state):
    """Losing the race to another host is fine; a cursor table that is gone is not, and says so."""
    state.set_cursor(CURSOR_PARTITION, ROW, {"subscribers": {"f": {"until": T0.isoformat()}}}, etag=None)
    feeds = tick(state, Entries([]), T0 + timedelta(minutes=1), {"f": frozenset()})
    feeds.window("cluedin", "f")
    feeds.advance("f")
    state.cursors.delete_table()
    with pytest.raises(FatalError) as err:
        feeds.commit()
    assert "(404)" in str(err.value)


def test_first_subscribers_of_one_tick_share_one_read_of_the_overlap(state):
    source = Entries([entry("1", T0), entry("2", T0 - timedelta(minutes=1))])
    feeds = tick(state, source, T0, {name: frozenset({"DataSet"}) for name in ("a", "b", "c")})
    for name in ("a", "b", "c"):
        assert feeds.window("cluedin", name).first
        feeds.advance(name)
    feeds.commit()
    assert source.reads == [(T0 - OVERLAP, T0)]  # one read, not one per subscriber
    assert {name: p["seen"] for name, p in positions(state).items()} == {n: ["1", "2"] for n in ("a", "b", "c")}


class Failing(Entries):
    """A source whose reads fail (CluedIn unreachable when the tick ends)."""

    def read(self, since: datetime, until: datetime) -> list[FeedEntry]:
        super().read(since, until)
        raise RetriableError("CluedIn answered 503")


def test_an_unreadable_overlap_leaves_first_subscribers_first_and_fails_nothing(state, caplog):
    source = Failing([])
    feeds = tick(state, source, T0, {"new": frozenset()})
    assert feeds.window("cluedin", "new").first
    feeds.advance("new")
    with caplog.at_level(logging.INFO):
        feeds.commit()  # no exception: the changes are queued, only the remembered overlap is missing
    value, _ = state.get_cursor(CURSOR_PARTITION, ROW)
    assert not value  # no position: the next tick starts it afresh, missing nothing
    assert "ChangeFeedOverlapUnread" in caplog.text
