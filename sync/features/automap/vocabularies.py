"""Which CluedIn vocabulary, or vocabulary key, a Purview glossary term became (F6) — what auto-mapping needs.

F6 ("Sync Purview glossaries to CluedIn vocabularies") makes a vocabulary of a term — named after the term, with
the description "<Term> added from Purview Glossary" (CluedIn's own wording) and an entity type — and a key of
each child term, named after the child. A term assigned to an asset therefore names a vocabulary, and a child
term assigned to a schema column names a key.

Until F6's `api.py` publishes its term → vocabulary and term → key rows (by term guid; decision 0911 names the
functions), the vocabularies are recognised in CluedIn the way F6 and CluedIn's integration write them: by that
description and the term's name. That also covers vocabularies CluedIn's built-in integration made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sync.core.state import fingerprint
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

    @classmethod
    def read(cls, cluedin: CluedInClient) -> TermVocabularies:
        """The vocabularies CluedIn says came from Purview glossary terms (one paged listing)."""
        found = cls()
        for vocabulary in iter_vocabularies(cluedin):
            if PURVIEW_MARK in vocabulary.description.lower() and vocabulary.name:
                found.by_name.setdefault(vocabulary.name.strip().lower(), vocabulary)
        return found

    def digest(self) -> str:
        """Changes when a vocabulary made from a term appears or goes (so waiting data sets are tried again)."""
        return fingerprint(sorted((name, v.id, v.entity_type) for name, v in self.by_name.items()))

    def vocabulary_for(self, terms: Iterable[TermRef]) -> VocabularyInfo | None:
        """The first of the terms (by name) that became a vocabulary."""
        for term in sorted(terms, key=lambda t: t.name.lower()):
            found = self.by_name.get(term.name.strip().lower())
            if found is not None:
                return found
        return None

    def target_for(self, terms: Iterable[TermRef], keys: KeyReader) -> TermTarget | None:
        """What a column's terms name: a key (a child term), else a vocabulary (a term of its own)."""
        ordered = sorted(terms, key=lambda t: t.name.lower())
        ours = {v.id: v for v in self.by_name.values()}
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
