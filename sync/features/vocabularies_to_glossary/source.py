"""CluedIn's vocabularies and keys as F5 knows them: a cache kept current from the shared CluedIn change feed.

The first cycle (or one whose cache is gone) lists every vocabulary and key (1 + ⌈keys/1000⌉ calls). After that
the audit log says which vocabularies and keys changed (`ctx.feed("cluedin")`, decision 0803): only those
vocabularies are read again (two calls each), or everything once when many changed. A cycle with nothing in the
feed reads nothing from CluedIn. The cache (`vocabulary-facts` rows, one per vocabulary, plus a `~listed` marker)
is pending state: the engine writes it after the cycle's changes are queued, never in dry-run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sync.core.changefeed import FeedWindow
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


def facts_of(vocabulary: Vocabulary, keys: list[VocabularyKey]) -> dict[str, Any]:
    """A vocabulary and its keys as cached (JSON)."""
    return {
        "vocabulary": asdict(vocabulary),
        "keys": [
            {
                "id": k.id,
                "name": k.name,
                "key": k.key,
                "display_name": k.display_name,
                "data_type": k.data_type,
                "classification": k.classification,
            }
            for k in keys
        ],
    }


@dataclass
class SourceRead:
    """Every vocabulary (id → facts) after this cycle's reads, and how to store what changed."""

    facts: dict[str, dict[str, Any]]
    changed: dict[str, dict[str, Any]] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    listed: bool = False
    """Whether this cycle listed everything (the cache is replaced)."""
    before: set[str] = field(default_factory=set)

    def store(self, state: StateStore) -> Callable[[], None]:
        """The pending write of the cache (for `Snapshot.after_send`)."""

        def write() -> None:
            rows = [SyncObject(FACTS_KIND, vid, data=facts, status="active") for vid, facts in self.changed.items()]
            if self.listed:
                rows.append(SyncObject(FACTS_KIND, LISTED, status="active"))
            if rows:
                state.upsert_many(rows)
            gone = self.removed | ((self.before - set(self.facts)) if self.listed else set())
            if gone:
                state.remove_many(FACTS_KIND, gone)

        return write


def read_all(cluedin: CluedInClient) -> dict[str, dict[str, Any]]:
    """Every vocabulary with its keys."""
    vocabularies = {v.id: v for v in iter_vocabularies(cluedin)}
    keys: dict[str, list[VocabularyKey]] = {vid: [] for vid in vocabularies}
    for key in iter_vocabulary_keys(cluedin):
        keys.setdefault(key.vocabulary_id, []).append(key)
    return {vid: facts_of(v, keys.get(vid, [])) for vid, v in vocabularies.items()}


def read_vocabularies(cluedin: CluedInClient, state: StateStore, window: FeedWindow) -> SourceRead:
    """The vocabularies now: the cache brought up to date with what the feed says changed."""
    cached = {obj.key: obj.data for obj in state.iter_objects(FACTS_KIND)}
    listed = cached.pop(LISTED, None) is not None
    if window.first or not listed:
        everything = read_all(cluedin)
        return SourceRead(everything, changed=everything, listed=True, before=set(cached))
    wanted, removed = _affected(cached, window)
    if wanted is None or len(wanted) > FULL_READ_THRESHOLD:
        everything = read_all(cluedin)
        return SourceRead(everything, changed=everything, listed=True, before=set(cached))
    facts = {vid: data for vid, data in cached.items() if vid not in removed}
    changed: dict[str, dict[str, Any]] = {}
    for vid in sorted(wanted - removed):
        try:
            vocabulary = get_vocabulary(cluedin, vid)
        except GraphQLError:  # gone meanwhile, or unreadable: a listing is authoritative
            everything = read_all(cluedin)
            return SourceRead(everything, changed=everything, listed=True, before=set(cached))
        if vocabulary is None:
            removed.add(vid)
            facts.pop(vid, None)
            continue
        facts[vid] = changed[vid] = facts_of(vocabulary, keys_of(cluedin, vid))
    return SourceRead(facts, changed=changed, removed=removed & set(cached), before=set(cached))


def _affected(cached: dict[str, dict[str, Any]], window: FeedWindow) -> tuple[set[str] | None, set[str]]:
    """Vocabularies to read again and those deleted; None when an entry cannot be placed (read everything)."""
    key_owner = {str(k["id"]): vid for vid, data in cached.items() for k in data.get("keys") or []}
    prefix_owner = {str(data["vocabulary"]["key_prefix"]).lower(): vid for vid, data in cached.items()}
    wanted: set[str] = set()
    removed: set[str] = set()
    for entry in window.entries:
        if entry.object_type == "Vocabulary":
            (removed if entry.action == "Deleted" else wanted).add(entry.object_id)
        elif entry.object_type == "VocabularyKey":
            owner = key_owner.get(entry.object_id) or prefix_owner.get(entry.name.rsplit(".", 1)[0].lower())
            if owner is None:
                return None, removed
            wanted.add(owner)
        elif not entry.object_type:
            return None, removed
    return wanted, removed
