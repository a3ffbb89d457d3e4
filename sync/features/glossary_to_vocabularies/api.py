"""What "Purview glossary terms → CluedIn vocabularies" (F6) publishes: which vocabularies came from Purview.

F5 exports CluedIn vocabularies to Purview and must never export one F6 made from a Purview term (decision 0804).
It asks `vocabularies_from_purview`: by identity first — every vocabulary F6 created or adopted (rows of kind
`purview_vocabulary`, `vocab|<term guid>` → vocabulary id), so a rename in CluedIn does not fool it — and by the
object second: the description F6 writes (the product's "<Term> added from Purview Glossary", which CluedIn's
built-in integration writes too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sync.core.state import StateStore

PURVIEW_VOCABULARY_KIND = "purview_vocabulary"
DESCRIPTION_MARK = "added from Purview Glossary"


def vocabulary_description(term_name: str) -> str:
    """The description of a vocabulary made from a glossary term (the product's words)."""
    return f"{term_name} {DESCRIPTION_MARK}"


def came_from_purview(description: str) -> bool:
    """Whether a vocabulary's (plain-text) description says a Purview glossary sync made it."""
    return DESCRIPTION_MARK.lower() in description.lower()


def imported_vocabulary_ids(state: StateStore) -> set[str]:
    """Ids of every CluedIn vocabulary F6 created or adopted."""
    return {
        str(obj.target["vocabularyId"])
        for obj in state.iter_objects(PURVIEW_VOCABULARY_KIND)
        if obj.key.startswith("vocab|") and obj.target.get("vocabularyId")
    }


def vocabularies_from_purview(state: StateStore, descriptions: dict[str, str]) -> set[str]:
    """Of the given vocabularies (id → plain-text description), those that came from Purview."""
    return imported_vocabulary_ids(state) | {vid for vid, text in descriptions.items() if came_from_purview(text)}


@dataclass(frozen=True)
class TermVocabulary:
    """The CluedIn vocabulary F6 made (or adopted) from a Purview glossary term."""

    vocabulary_id: str
    key_prefix: str


@dataclass(frozen=True)
class TermKey:
    """The CluedIn vocabulary key F6 made from a child term."""

    vocabulary_id: str
    key_id: str
    key: str
    """The full key, `<prefix>.<Term>.<Child>`."""
    name: str


def term_vocabularies(state: StateStore) -> dict[str, TermVocabulary]:
    """Term guid → the vocabulary F6 made of it (active rows only)."""
    found: dict[str, TermVocabulary] = {}
    for obj in state.iter_objects(PURVIEW_VOCABULARY_KIND, fields={"target"}):
        if obj.active and obj.key.startswith("vocab|") and obj.target.get("vocabularyId"):
            found[obj.key.partition("|")[2]] = TermVocabulary(
                str(obj.target["vocabularyId"]), str(obj.target.get("keyPrefix") or "")
            )
    return found


def term_keys(state: StateStore) -> dict[str, TermKey]:
    """Child term guid → the vocabulary key F6 made of it (active rows only).

    Key rows are `word|<vocabulary term guid>|<child term guid>` (`key|<child term guid>` before 5 December 2026,
    until the feature's set-up moves them): the child's guid is the last part of either. A child term moved under
    another vocabulary term has a key in each until the old one is marked orphaned (which the mass-delete fail-safe
    may hold back): the row written last is the one made where the term is now.
    """
    found: dict[str, TermKey] = {}
    written: dict[str, datetime] = {}
    for obj in state.iter_objects(PURVIEW_VOCABULARY_KIND, fields={"target"}):
        target = obj.target
        if obj.active and not obj.key.startswith("vocab|") and target.get("vocabularyKeyId"):
            child = obj.key.rpartition("|")[2]
            when = obj.updated_at or datetime.min.replace(tzinfo=UTC)
            if child in written and written[child] > when:
                continue
            written[child] = when
            found[child] = TermKey(
                str(target.get("vocabularyId") or ""),
                str(target["vocabularyKeyId"]),
                str(target.get("key") or ""),
                str(target.get("name") or ""),
            )
    return found
