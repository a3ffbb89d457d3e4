"""Auto-mapping one data set: each column to the vocabulary of its glossary term, never over a user's mapping.

For each column of the data set (as CluedIn has it now):
1. mapped by a user — to anything the app did not map it to, `--ignore--` included — is kept and reported;
2. a schema column of the Purview asset with the same name (case-insensitive) carrying a child term that became a
   vocabulary key (F6) maps to that key; carrying a term that became a vocabulary, to that vocabulary;
3. otherwise the asset's own terms name the vocabulary;
4. in the vocabulary, the key named like the column is used with its data type; when there is none, a key is
   created with the data type of the Purview schema column (Text when unknown), as CluedIn's feature does.

A data set without a mapping gets one first, to the entity type of the first vocabulary used. Everything the app
mapped is recorded in its `automap` row, which is how a user's later change is told apart from the app's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sync.features.automap.vocabularies import KeyReader, TermVocabularies
from sync.services.cluedin.client import CluedInClient
from sync.services.cluedin.datasets import DataSetFacts
from sync.services.cluedin.mappings import KeyInfo, VocabularyInfo, create_mapping, ensure_key, key_name, map_field
from sync.services.purview.assets import Asset, Column

DATA_TYPES: dict[str, str] = {
    **dict.fromkeys(("int", "integer", "bigint", "smallint", "tinyint", "long", "short", "int32", "int64"), "Integer"),
    **dict.fromkeys(("decimal", "numeric", "float", "double", "real", "number", "single"), "Number"),
    **dict.fromkeys(("money", "smallmoney"), "Money"),
    **dict.fromkeys(("bit", "bool", "boolean"), "Boolean"),
    **dict.fromkeys(("date", "datetime", "datetime2", "datetimeoffset", "smalldatetime", "timestamp"), "DateTime"),
    **dict.fromkeys(("time",), "Time"),
    **dict.fromkeys(("uniqueidentifier", "guid", "uuid"), "Guid"),
}
"""Purview schema types → CluedIn vocabulary key data types; anything else is Text."""


def cluedin_data_type(purview_type: str) -> str:
    """The CluedIn data type of a Purview column type (`nvarchar(50)` → Text, `bigint` → Integer)."""
    base = purview_type.strip().lower().split("(", 1)[0].strip()
    return DATA_TYPES.get(base, "Text")


@dataclass
class MapResult:
    """What auto-mapping did to one data set."""

    mapped: dict[str, str] = field(default_factory=dict)
    """Column → full key, everything the app has mapped (earlier runs included)."""
    newly: list[str] = field(default_factory=list)
    created_keys: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    """`column (key)` of user mappings left as they are."""
    unmapped: list[str] = field(default_factory=list)
    """Columns no term of the asset or the column names a vocabulary for (or whose name makes no key name)."""
    vocabularies: list[str] = field(default_factory=list)


def _target(
    column: Column | None, asset_vocabulary: VocabularyInfo | None, terms: TermVocabularies, keys: KeyReader
) -> tuple[VocabularyInfo | None, KeyInfo | None]:
    if column is not None and column.terms:
        found = terms.target_for(column.terms, keys)
        if found is not None:
            return found.vocabulary, found.key
    return asset_vocabulary, None


def auto_map(
    cluedin: CluedInClient,
    facts: DataSetFacts,
    asset: Asset,
    terms: TermVocabularies,
    *,
    ours: dict[str, str],
    take: int,
) -> MapResult:
    """Map what can be mapped (see the module docstring); `ours` is what the app mapped before."""
    result = MapResult(mapped=dict(ours))
    current = {m.original: m.key for m in facts.mappings if m.key}
    columns = {c.name.strip().lower(): c for c in asset.columns}
    asset_vocabulary = terms.vocabulary_for(asset.term_refs)
    keys = KeyReader(cluedin, take)
    has_mapping = bool(facts.annotation_id)
    for name in facts.fields():
        key_now = current.get(name, "")
        if key_now and key_now != ours.get(name):
            result.kept.append(f"{name} ({key_now})")
            result.mapped.pop(name, None)
            continue
        if key_now:
            continue
        column = columns.get(name.strip().lower())
        vocabulary, key = _target(column, asset_vocabulary, terms, keys)
        if vocabulary is None or (key is None and not key_name(name)):
            result.unmapped.append(name)
            continue
        if key is None:
            key = keys.find(vocabulary, name, key_name(name))
        if key is None:
            data_type = cluedin_data_type(column.type if column is not None else "")
            key, created = ensure_key(cluedin, vocabulary, key_name(name), display_name=name, data_type=data_type)
            keys.remember(key)
            if created:
                result.created_keys.append(key.key)
        if not has_mapping:
            create_mapping(cluedin, facts.id, vocabulary)
            has_mapping = True
        map_field(cluedin, facts.id, name, key)
        result.mapped[name] = key.key
        result.newly.append(name)
        if vocabulary.name not in result.vocabularies:
            result.vocabularies.append(vocabulary.name)
    return result
