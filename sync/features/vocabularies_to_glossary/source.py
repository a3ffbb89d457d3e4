"""CluedIn's vocabularies and keys as F5 knows them: a cache kept current from the shared CluedIn change feed.

The first cycle (or one whose cache is gone) lists every vocabulary and key (1 + ⌈keys/1000⌉ calls). After that
the audit log says which vocabularies and keys changed (`ctx.feed("cluedin")`, decision 0803): only those
vocabularies are read again (two calls each), or everything once when many changed. A cycle with nothing in the
feed reads nothing from CluedIn. The cache (`vocabulary-facts` rows, one per vocabulary, plus a `~listed` marker)
is pending state: the engine writes it after the cycle's changes are queued, never in dry-run. Only what a cycle
read from CluedIn is held; the rest is streamed from the cache as the plan goes (`SourceRead.iter_facts`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from sync.core.changefeed import FeedWindow
from sync.core.diff import merge_ordered, storage_order
from sync.core.state import StateStore, SyncObject
from sync.services.cluedin.client import CluedInClient, GraphQLError
from sync.services.cluedin.vocabularies import (
    Vocabulary,
    VocabularyKey,
    get_vocabulary,
    iter_vocabularies,
    iter_vocabulary_keys,
    keys_of,
)

FACTS_KIND = "vocabulary-facts"
LISTED = "~listed"
FEED_TYPES = frozenset({"Vocabulary", "VocabularyKey"})
FULL_READ_THRESHOLD = 25
"""Above this many vocabularies to read again, one listing of everything is cheaper."""
FACTS_PAGE = 50
"""Cache rows per Table Storage page (a vocabulary of 100 keys is a row of ~25 KB)."""


def key_facts(key: VocabularyKey) -> dict[str, Any]:
    """A vocabulary key as cached (JSON); the words many keys repeat (data type, classification) are held once."""
    return {
        "id": key.id,
        "name": key.name,
        "key": key.key,
        "display_name": key.display_name,
        "data_type": sys.intern(key.data_type),
        "classification": sys.intern(key.classification),
    }


def facts_of(vocabulary: Vocabulary, keys: list[dict[str, Any]]) -> dict[str, Any]:
    """A vocabulary and its keys (`key_facts`) as cached (JSON)."""
    return {"vocabulary": asdict(vocabulary), "keys": keys}


@dataclass
class SourceRead:
    """What this cycle read from CluedIn, and how to stream every vocabulary and store what changed.

    Only what was read is held: a quiet cycle holds nothing and streams the cache (`iter_facts`).
    """

    changed: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Vocabulary id → facts read from CluedIn this cycle (every vocabulary when `listed`)."""
    removed: set[str] = field(default_factory=set)
    """Cached vocabularies CluedIn no longer has."""
    listed: bool = False
    """Whether this cycle listed everything (the cache is replaced)."""

    def iter_facts(self, state: StateStore) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every vocabulary (id, facts) now, in the storage order of its id: the cache with this cycle's reads."""
        fresh = sorted(self.changed.items(), key=lambda item: storage_order(item[0]))
        if self.listed:
            yield from fresh
            return
        cached = (row for row in state.iter_objects(FACTS_KIND, page_size=FACTS_PAGE) if row.key != LISTED)
        for vid, read, row in merge_ordered(fresh, cached):
            if read is not None:
                yield vid, read
            elif row is not None and vid not in self.removed:
                yield vid, row.data

    def store(self, state: StateStore) -> Callable[[], None]:
        """The pending write of the cache (for `Snapshot.after_send`)."""

        def write() -> None:
            rows = [SyncObject(FACTS_KIND, vid, data=facts, status="active") for vid, facts in self.changed.items()]
            if self.listed:
                rows.append(SyncObject(FACTS_KIND, LISTED, status="active"))
            if rows:
                state.upsert_many(rows)
            gone = set(self.removed)
            if self.listed:  # what the cache held that the listing did not return
                keys = (row.key for row in state.iter_objects(FACTS_KIND, fields=()))
                gone |= {key for key in keys if key != LISTED and key not in self.changed}
            if gone:
                state.remove_many(FACTS_KIND, gone)

        return write


def read_all(cluedin: CluedInClient) -> dict[str, dict[str, Any]]:
    """Every vocabulary with its keys."""
    vocabularies = {v.id: v for v in iter_vocabularies(cluedin)}
    keys: dict[str, list[dict[str, Any]]] = {vid: [] for vid in vocabularies}
    for key in iter_vocabulary_keys(cluedin):  # each made compact as it comes (a key as read keeps its whole node)
        keys.setdefault(key.vocabulary_id, []).append(key_facts(key))
    return {vid: facts_of(v, keys.get(vid, [])) for vid, v in vocabularies.items()}


def read_vocabularies(cluedin: CluedInClient, state: StateStore, window: FeedWindow) -> SourceRead:
    """What changed in CluedIn since the cache was written (everything on a first cycle or after many changes)."""
    if window.first or state.get_object(FACTS_KIND, LISTED) is None:
        return SourceRead(read_all(cluedin), listed=True)
    wanted, removed = _affected(state, window)
    if wanted is None or len(wanted) > FULL_READ_THRESHOLD:
        return SourceRead(read_all(cluedin), listed=True)
    changed: dict[str, dict[str, Any]] = {}
    for vid in sorted(wanted - removed):
        try:
            vocabulary = get_vocabulary(cluedin, vid)
        except GraphQLError:  # gone meanwhile, or unreadable: a listing is authoritative
            return SourceRead(read_all(cluedin), listed=True)
        if vocabulary is None:
            removed.add(vid)
            continue
        changed[vid] = facts_of(vocabulary, [key_facts(k) for k in keys_of(cluedin, vid)])
    cached = set(state.read_many(FACTS_KIND, removed)) if removed else set()
    return SourceRead(changed, removed=cached)


def _affected(state: StateStore, window: FeedWindow) -> tuple[set[str] | None, set[str]]:
    """Vocabularies to read again and those deleted; None when an entry cannot be placed (read everything).

    A key names its vocabulary through the cache (by the key's id, else by its prefix); the cache is scanned once,
    and only when keys changed, keeping just the owners asked for.
    """
    wanted: set[str] = set()
    removed: set[str] = set()
    keys: list[tuple[str, str]] = []
    for entry in window.entries:
        if entry.object_type == "Vocabulary":
            (removed if entry.action == "Deleted" else wanted).add(entry.object_id)
        elif entry.object_type == "VocabularyKey":
            keys.append((entry.object_id, entry.name.rsplit(".", 1)[0].lower()))
        elif not entry.object_type:
            return None, removed
    if not keys:
        return wanted, removed
    ids, prefixes = {k for k, _ in keys}, {p for _, p in keys}
    key_owner: dict[str, str] = {}
    prefix_owner: dict[str, str] = {}
    for row in state.iter_objects(FACTS_KIND, page_size=FACTS_PAGE):
        if row.key == LISTED:
            continue
        key_owner.update((str(k["id"]), row.key) for k in row.data.get("keys") or [] if str(k["id"]) in ids)
        prefix = str(row.data["vocabulary"]["key_prefix"]).lower()
        if prefix in prefixes:
            prefix_owner[prefix] = row.key
    for key_id, prefix in keys:
        owner = key_owner.get(key_id) or prefix_owner.get(prefix)
        if owner is None:
            return None, removed
        wanted.add(owner)
    return wanted, removed
