"""Which CluedIn vocabulary, or vocabulary key, a Purview glossary term became (F6) — what auto-mapping needs.

F6 ("Sync Purview glossaries to CluedIn vocabularies") makes a vocabulary of a term — named after the term, with
the description "<Term> added from Purview Glossary" (CluedIn's own wording) and an entity type — and a key of
each child term, named after the child. A term assigned to an asset therefore names a vocabulary, and a child
term assigned to a schema column names a key.

A term is looked up by identity first — F6 publishes, by term guid, the vocabulary and the keys it made
(`term_vocabularies`, `term_keys` in its `api.py`), so a vocabulary renamed in CluedIn is still found — and by the
object second: a vocabulary described "<Term> added from Purview Glossary" and named after the term, which also
covers vocabularies CluedIn's built-in integration made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sync.core.state import StateStore, fingerprint
from sync.features.glossary_to_vocabularies.api import TermKey, term_keys, term_vocabularies
from sync.services.cluedin.client import CluedInClient
from sync.services.cluedin.mappings import KeyInfo, VocabularyInfo, iter_vocabularies, search_keys, vocabulary_keys
from sync.services.purview.assets import TermRef

PURVIEW_MARK = "added from purview glossary"


@dataclass(frozen=True)
class TermTarget:
    """What a glossary term became in CluedIn: a vocabulary, or (a child term) one key of a vocabulary."""

    vocabulary: VocabularyInfo
    key: KeyInfo | None = None


@dataclass
class TermVocabularies:
    """The vocabularies made from glossary terms, by term name (lower case)."""

    by_name: dict[str, VocabularyInfo] = field(default_factory=dict)
    by_guid: dict[str, VocabularyInfo] = field(default_factory=dict)
    """Term guid → the vocabulary F6 made of it."""
    keys_by_guid: dict[str, TermKey] = field(default_factory=dict)
    """Child term guid → the key F6 made of it."""

    @classmethod
    def read(cls, cluedin: CluedInClient, state: StateStore) -> TermVocabularies:
        """The vocabularies made from Purview glossary terms: F6's by identity, the rest by their mark (one listing)."""
        found = cls()
        made = term_vocabularies(state)
        listing = {v.id: v for v in iter_vocabularies(cluedin)}
        for guid, made_by_f6 in made.items():
            if made_by_f6.vocabulary_id in listing:
                found.by_guid[guid] = listing[made_by_f6.vocabulary_id]
        for vocabulary in listing.values():
            if PURVIEW_MARK in vocabulary.description.lower() and vocabulary.name:
                found.by_name.setdefault(vocabulary.name.strip().lower(), vocabulary)
        found.keys_by_guid = {g: k for g, k in term_keys(state).items() if k.vocabulary_id in listing}
        return found

    def digest(self) -> str:
        """Changes when a vocabulary made from a term appears or goes (so waiting data sets are tried again)."""
        named = sorted((name, v.id, v.entity_type) for name, v in self.by_name.items())
        by_guid = sorted((guid, v.id, v.entity_type) for guid, v in self.by_guid.items())
        return fingerprint([named, by_guid, sorted((g, k.key_id) for g, k in self.keys_by_guid.items())])

    def vocabulary_for(self, terms: Iterable[TermRef]) -> VocabularyInfo | None:
        """The first of the terms that became a vocabulary: by the term's identity, else by its name."""
        ordered = sorted(terms, key=lambda t: t.name.lower())
        for term in ordered:
            if term.guid in self.by_guid:
                return self.by_guid[term.guid]
        for term in ordered:
            found = self.by_name.get(term.name.strip().lower())
            if found is not None:
                return found
        return None

    def target_for(self, terms: Iterable[TermRef], keys: KeyReader) -> TermTarget | None:
        """What a column's terms name: a key (a child term), else a vocabulary (a term of its own)."""
        ordered = sorted(terms, key=lambda t: t.name.lower())
        ours = {v.id: v for v in [*self.by_name.values(), *self.by_guid.values()]}
        for term in ordered:
            made = self.keys_by_guid.get(term.guid)
            if made is not None and made.vocabulary_id in ours:
                key = keys.find(ours[made.vocabulary_id], made.name, made.key.rpartition(".")[2])
                if key is not None:
                    return TermTarget(ours[made.vocabulary_id], key)
        for term in ordered:
            key = keys.named(term.name, ours)
            if key is not None:
                return TermTarget(ours[key.vocabulary_id], key)
        vocabulary = self.vocabulary_for(ordered)
        return TermTarget(vocabulary) if vocabulary is not None else None


class KeyReader:
    """The keys of vocabularies, read once each per apply (CluedIn's "take" size of them)."""

    def __init__(self, cluedin: CluedInClient, take: int) -> None:
        self.cluedin = cluedin
        self.take = take
        self._keys: dict[str, dict[str, KeyInfo]] = {}

    def keys(self, vocabulary: VocabularyInfo) -> dict[str, KeyInfo]:
        """Key name (lower case) → key, of one vocabulary."""
        if vocabulary.id not in self._keys:
            read = vocabulary_keys(self.cluedin, vocabulary, take=self.take)
            self._keys[vocabulary.id] = {k.name.lower(): k for k in read}
        return self._keys[vocabulary.id]

    def find(self, vocabulary: VocabularyInfo, *names: str) -> KeyInfo | None:
        """The vocabulary's key with one of these names (case-insensitive), if any."""
        keys = self.keys(vocabulary)
        return next((keys[n.lower()] for n in names if n and n.lower() in keys), None)

    def named(self, name: str, vocabularies: dict[str, VocabularyInfo]) -> KeyInfo | None:
        """A key called `name` (a child term's name) in one of these vocabularies, found by one key search."""
        wanted = name.strip().lower()
        for key in search_keys(self.cluedin, name.strip(), take=self.take):
            if key.name.lower() == wanted and key.vocabulary_id in vocabularies:
                return key
        return None

    def remember(self, key: KeyInfo) -> None:
        """A key this apply created."""
        self._keys.setdefault(key.vocabulary_id, {})[key.name.lower()] = key
