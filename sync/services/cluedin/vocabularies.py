"""CluedIn vocabularies, vocabulary keys and entity types (business domains), as the glossary features use them.

Documents are the Product Toolkit's (`graphql/*vocabular*.graphql`, reference cluedin-more.md §1.3 and §1.4). Key
prefixes and full key names are unique in CluedIn, which makes creation idempotent by construction: a create that
fails because the prefix or key exists is answered by reading what exists. A vocabulary's description is CluedIn
rich text (a JSON array of paragraphs); the app compares its plain text and writes one paragraph.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sync.services.cluedin.client import PAGENUMBER_PAGESIZE, CluedInClient, GraphQLError

VOCABULARY_PAGE = 500
KEY_PAGE = 1000


@dataclass(frozen=True)
class Vocabulary:
    """A CluedIn vocabulary."""

    id: str
    name: str
    key_prefix: str
    description: str = ""
    """Plain text of the rich-text description."""
    provider_id: str = ""
    entity_type: str = ""
    is_core: bool = False

    @classmethod
    def from_graphql(cls, node: Mapping[str, Any]) -> Vocabulary:
        """From a `Vocabulary` selection."""
        config = node.get("entityTypeConfiguration") or {}
        return cls(
            id=str(node["vocabularyId"]),
            name=str(node.get("vocabularyName") or ""),
            key_prefix=str(node.get("keyPrefix") or ""),
            description=plain_text(node.get("description")),
            provider_id=str(node.get("providerId") or ""),
            entity_type=str(config.get("entityType") or node.get("grouping") or ""),
            is_core=bool(node.get("isCluedInCore")),
        )


@dataclass(frozen=True)
class VocabularyKey:
    """A CluedIn vocabulary key."""

    id: str
    vocabulary_id: str
    name: str
    key: str
    display_name: str = ""
    data_type: str = "Text"
    classification: str = ""
    description: str = ""
    group_name: str = ""
    storage: str = ""
    raw: Mapping[str, Any] | None = None
    """The key as read (what a save must send back unchanged)."""

    @classmethod
    def from_graphql(cls, node: Mapping[str, Any]) -> VocabularyKey:
        """From a `VocabularyKey` selection."""
        return cls(
            id=str(node["vocabularyKeyId"]),
            vocabulary_id=str(node.get("vocabularyId") or ""),
            name=str(node.get("name") or ""),
            key=str(node.get("key") or ""),
            display_name=str(node.get("displayName") or node.get("name") or ""),
            data_type=str(node.get("dataType") or "Text"),
            classification=str(node.get("dataClassificationCode") or ""),
            description=str(node.get("description") or ""),
            group_name=str(node.get("groupName") or ""),
            storage=str(node.get("storage") or ""),
            raw=dict(node),
        )


def rich_text(text: str) -> str:
    """CluedIn's rich-text form of plain text: one paragraph."""
    return json.dumps([{"type": "paragraph", "children": [{"text": text}]}], separators=(",", ":"))


def plain_text(description: object) -> str:
    """The text of a rich-text description (a plain string is returned as it is)."""
    if not isinstance(description, str) or not description.strip():
        return ""
    try:
        nodes = json.loads(description)
    except ValueError:
        return description
    if not isinstance(nodes, list):
        return description
    paragraphs = ["".join(_texts(node)) for node in nodes]
    return "\n".join(paragraphs)


def _texts(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("text"), str):
            yield node["text"]
        for child in node.get("children") or []:
            yield from _texts(child)


def iter_vocabularies(cluedin: CluedInClient) -> Iterator[Vocabulary]:
    """Every vocabulary."""
    for node in cluedin.iter_pages(
        "vocabularies",
        ("management", "vocabularies"),
        PAGENUMBER_PAGESIZE,
        page_size=VOCABULARY_PAGE,
        id_key="vocabularyId",
    ):
        yield Vocabulary.from_graphql(node)


def iter_vocabulary_keys(cluedin: CluedInClient) -> Iterator[VocabularyKey]:
    """Every visible, current vocabulary key."""
    for node in cluedin.iter_pages(
        "vocabulary_keys",
        ("management", "vocabularyKeys"),
        PAGENUMBER_PAGESIZE,
        page_size=KEY_PAGE,
        id_key="vocabularyKeyId",
    ):
        yield VocabularyKey.from_graphql(node)


def get_vocabulary(cluedin: CluedInClient, vocabulary_id: str) -> Vocabulary | None:
    """One vocabulary, or None when CluedIn has no vocabulary of that id.

    Raises:
        GraphQLError: CluedIn refused the read (an unknown id is answered with an error too).
    """
    data = cluedin.graphql("vocabulary", {"id": vocabulary_id})
    node = (data.get("management") or {}).get("vocabulary")
    return Vocabulary.from_graphql(node) if node else None


def keys_of(cluedin: CluedInClient, vocabulary_id: str) -> list[VocabularyKey]:
    """The visible, current keys of one vocabulary."""
    data = cluedin.graphql("vocabulary_keys_of", {"id": vocabulary_id})
    page = (data.get("management") or {}).get("vocabularyKeysFromVocabularyId") or {}
    return [VocabularyKey.from_graphql(node) for node in page.get("data") or []]


def find_key(cluedin: CluedInClient, full_key: str) -> VocabularyKey | None:
    """A key by its full name (`purview.Contact.Email`), or None."""
    data = cluedin.graphql("vocabulary_key", {"key": full_key})
    node = (data.get("management") or {}).get("vocabularyPerKey")
    return VocabularyKey.from_graphql(node) if node else None


def find_vocabulary_by_prefix(cluedin: CluedInClient, key_prefix: str) -> Vocabulary | None:
    """The vocabulary with exactly this key prefix (the search is a fuzzy match on names and prefixes)."""
    for node in cluedin.iter_pages(
        "vocabularies",
        ("management", "vocabularies"),
        PAGENUMBER_PAGESIZE,
        variables={"searchName": key_prefix},
        page_size=VOCABULARY_PAGE,
        id_key="vocabularyId",
    ):
        if str(node.get("keyPrefix") or "").lower() == key_prefix.lower():
            found = get_vocabulary(cluedin, str(node["vocabularyId"]))
            if found is not None:
                return found
    return None


@dataclass(frozen=True)
class VocabularySpec:
    """What a vocabulary made from a glossary term should look like."""

    name: str
    key_prefix: str
    description: str
    entity_type: str
    entity_type_name: str
    icon: str = "Book"


def _vocabulary_input(spec: VocabularySpec) -> dict[str, Any]:
    return {
        "vocabularyName": spec.name,
        "entityTypeConfiguration": {
            "new": False,
            "icon": spec.icon,
            "entityType": spec.entity_type,
            "displayName": spec.entity_type_name,
        },
        "providerId": "",
        "keyPrefix": spec.key_prefix,
        "description": rich_text(spec.description),
    }


def ensure_vocabulary(cluedin: CluedInClient, spec: VocabularySpec) -> tuple[Vocabulary, bool]:
    """The vocabulary with the spec's key prefix, created if there is none (True) or found (False).

    Prefixes are unique in CluedIn: a create refused because the prefix exists (another attempt of the same
    message, or a person's vocabulary) is followed by reading it, so nothing is ever duplicated.
    """
    ensure_entity_type(cluedin, spec.entity_type, spec.entity_type_name, spec.icon)
    try:
        data = cluedin.graphql("create_vocabulary", {"vocabulary": _vocabulary_input(spec)})
    except GraphQLError:
        existing = find_vocabulary_by_prefix(cluedin, spec.key_prefix)
        if existing is None:
            raise
        return existing, False
    return Vocabulary.from_graphql(data["management"]["createVocabulary"]), True


def save_vocabulary(cluedin: CluedInClient, vocabulary_id: str, spec: VocabularySpec) -> Vocabulary:
    """Update a vocabulary's name, description and entity type (the prefix cannot change after creation)."""
    body = {"vocabularyId": vocabulary_id, **_vocabulary_input(spec)}
    data = cluedin.graphql("save_vocabulary", {"vocabulary": body})
    return Vocabulary.from_graphql(data["management"]["saveVocabulary"])


@dataclass(frozen=True)
class KeySpec:
    """What a vocabulary key made from a glossary term should look like."""

    name: str
    display_name: str
    data_type: str
    description: str
    group_name: str = "Metadata"


def ensure_key(cluedin: CluedInClient, vocabulary_id: str, full_key: str, spec: KeySpec) -> tuple[VocabularyKey, bool]:
    """The key `full_key`, created in the vocabulary if it does not exist (True) or found (False)."""
    body = {
        "vocabularyId": vocabulary_id,
        "displayName": spec.display_name,
        "name": spec.name,
        "groupName": spec.group_name,
        "isVisible": True,
        "dataType": spec.data_type,
        "description": spec.description,
    }
    try:
        data = cluedin.graphql("create_vocabulary_key", {"vocabularyKey": body})
    except GraphQLError:
        existing = find_key(cluedin, full_key)
        if existing is None:
            raise
        return existing, False
    return VocabularyKey.from_graphql(data["management"]["createVocabularyKey"]), True


def save_key(cluedin: CluedInClient, key: VocabularyKey, changes: Mapping[str, Any]) -> VocabularyKey:
    """Save a key as read with some fields changed (displayName, dataType, description)."""
    allowed = ("displayName", "name", "groupName", "isVisible", "dataType", "storage", "description")
    raw = dict(key.raw or {})
    body: dict[str, Any] = {k: raw[k] for k in allowed if raw.get(k) is not None}
    body.update({"vocabularyKeyId": key.id, "vocabularyId": key.vocabulary_id, **changes})
    data = cluedin.graphql("save_vocabulary_key", {"vocabularyKey": body})
    return VocabularyKey.from_graphql(data["management"]["saveVocabularyKey"])


def ensure_entity_type(cluedin: CluedInClient, code: str, display_name: str, icon: str = "Book") -> bool:
    """Create the entity type (business domain) `code` unless it exists; True when this call created it."""
    data = cluedin.graphql("entity_type_info", {"type": code})
    if (data.get("management") or {}).get("getEntityTypeInfo"):
        return False
    spec = {
        "type": code,
        "active": True,
        "displayName": display_name,
        "icon": icon,
        "route": display_name.lower().replace(" ", ""),
        "pageTemplateId": "",
    }
    try:
        cluedin.graphql("create_entity_type", {"entityTypeConfiguration": json.dumps(spec)})
    except GraphQLError:
        again = cluedin.graphql("entity_type_info", {"type": code})
        if not (again.get("management") or {}).get("getEntityTypeInfo"):
            raise
        return False
    return True
