"""CluedIn calls of auto-mapping: vocabularies and their keys as the mapping sees them, and a data set's mapping.

A data set's mapping (annotation) is created for an entity type and a vocabulary with no column mapped
(`createManualAnnotation`, as CluedIn's QA suite does), then each column is mapped to an existing key
(`addPropertyMappingToCluedMappingConfiguration`); reference cluedin-more.md §1.12. Keys are created with
`createVocabularyKey`; names are unique within a vocabulary, so a create refused because the key exists is
answered by reading it (a retry after a lost answer never duplicates a key).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sync.services.cluedin.client import PAGENUMBER_PAGESIZE, CluedInClient, GraphQLError

VOCABULARY_PAGE = 500
_NOT_IN_KEY = re.compile(r"[^A-Za-z0-9_\-]")


@dataclass(frozen=True)
class VocabularyInfo:
    """A vocabulary as auto-mapping needs it."""

    id: str
    name: str
    key_prefix: str
    description: str
    entity_type: str

    @classmethod
    def from_graphql(cls, node: Mapping[str, Any]) -> VocabularyInfo:
        """From a `Vocabulary` selection."""
        config = node.get("entityTypeConfiguration") or {}
        return cls(
            id=str(node.get("vocabularyId") or ""),
            name=str(node.get("vocabularyName") or ""),
            key_prefix=str(node.get("keyPrefix") or ""),
            description=str(node.get("description") or ""),
            entity_type=str(config.get("entityType") or ""),
        )


@dataclass(frozen=True)
class KeyInfo:
    """A vocabulary key as auto-mapping needs it."""

    id: str
    vocabulary_id: str
    name: str
    key: str
    data_type: str

    @classmethod
    def from_graphql(cls, node: Mapping[str, Any]) -> KeyInfo:
        """From a `VocabularyKey` selection."""
        return cls(
            id=str(node.get("vocabularyKeyId") or ""),
            vocabulary_id=str(node.get("vocabularyId") or ""),
            name=str(node.get("name") or ""),
            key=str(node.get("key") or ""),
            data_type=str(node.get("dataType") or "Text"),
        )


def key_name(column: str) -> str:
    """The vocabulary key name for a column: spaces and dots become `_`, other characters CluedIn refuses go."""
    return _NOT_IN_KEY.sub("", column.strip().replace(" ", "_").replace(".", "_"))


def iter_vocabularies(cluedin: CluedInClient) -> Iterator[VocabularyInfo]:
    """Every vocabulary."""
    for node in cluedin.iter_pages(
        "automap_vocabularies",
        ("management", "vocabularies"),
        PAGENUMBER_PAGESIZE,
        page_size=VOCABULARY_PAGE,
        id_key="vocabularyId",
    ):
        yield VocabularyInfo.from_graphql(node)


def search_keys(cluedin: CluedInClient, search: str, *, take: int) -> list[KeyInfo]:
    """The first `take` keys whose full name or display name contains `search` (one page: CluedIn's "take")."""
    data = cluedin.graphql("automap_vocabulary_keys", {"searchName": search, "pageNumber": 1, "pageSize": take})
    nodes = ((data.get("management") or {}).get("vocabularyKeys") or {}).get("data") or []
    return [KeyInfo.from_graphql(node) for node in nodes]


def vocabulary_keys(cluedin: CluedInClient, vocabulary: VocabularyInfo, *, take: int) -> list[KeyInfo]:
    """The vocabulary's keys among the first `take` keys under its prefix."""
    return [k for k in search_keys(cluedin, f"{vocabulary.key_prefix}.", take=take) if k.vocabulary_id == vocabulary.id]


def ensure_key(
    cluedin: CluedInClient, vocabulary: VocabularyInfo, name: str, *, display_name: str, data_type: str
) -> tuple[KeyInfo, bool]:
    """The key `name` of the vocabulary, created with this data type when missing; True when this call created it."""
    body = {
        "vocabularyId": vocabulary.id,
        "name": name,
        "displayName": display_name,
        "groupName": "Metadata",
        "isVisible": True,
        "dataType": data_type,
    }
    try:
        data = cluedin.graphql("automap_create_key", {"vocabularyKey": body})
    except GraphQLError:
        full = f"{vocabulary.key_prefix}.{name}".lower()
        found = [k for k in vocabulary_keys(cluedin, vocabulary, take=1000) if k.key.lower() == full]
        if not found:
            raise
        return found[0], False
    return KeyInfo.from_graphql(data["management"]["createVocabularyKey"]), True


def create_mapping(cluedin: CluedInClient, data_set_id: str, vocabulary: VocabularyInfo) -> None:
    """Give a data set a mapping to the vocabulary's entity type and vocabulary, with no column mapped yet."""
    configuration = {
        "entityTypeConfiguration": {"new": False, "entityType": vocabulary.entity_type},
        "vocabularyConfiguration": {"new": False, "vocabularyId": vocabulary.id},
    }
    cluedin.graphql("automap_create_mapping", {"dataSetId": data_set_id, "mappingConfiguration": configuration})


def map_field(cluedin: CluedInClient, data_set_id: str, field: str, key: KeyInfo) -> None:
    """Map one column of a data set to an existing vocabulary key (mapping the same again changes nothing)."""
    config = {
        "originalField": field,
        "useAsAlias": False,
        "useAsEntityCode": False,
        "vocabularyKeyConfiguration": {"vocabularyId": key.vocabulary_id, "new": False, "vocabularyKeyId": key.id},
    }
    cluedin.graphql("automap_map_field", {"dataSetId": data_set_id, "propertyMappingConfiguration": config})
