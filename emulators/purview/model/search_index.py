"""The discovery index: one document per asset, glossary and term, with postings maintained on write.

Purview serves search from a separate, eventually consistent index. This one is updated from change
notifications after a configurable lag, and every filter the query grammar offers on a field (type,
classification, term, label, collection, ...) is a set lookup, so a term-filtered page over 100,000
assets costs a set intersection and a partial sort, never a scan of the store.
"""

from __future__ import annotations

import bisect
import itertools
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from emulators.purview.model.entities import SEMANTIC_ASSIGNMENT, EntityStore
from emulators.purview.model.glossary import GlossaryStore

TOKEN_RE = re.compile(r"[a-z0-9]+")
OBJECT_TYPES: dict[str, str] = {
    "azure_sql_table": "Tables",
    "azure_sql_view": "Tables",
    "azure_blob_path": "Files",
    "azure_datalake_gen2_path": "Files",
    "azure_datalake_gen2_resource_set": "Files",
    "azure_blob_container": "Folders",
    "azure_datalake_gen2_filesystem": "Folders",
    "Process": "Data pipelines",
}
"""objectType by (nearest) type; a guess from the objectType values in the official search examples."""

INDEXED_ATTRIBUTES = ("name", "qualifiedName")
FACET_FIELDS = (
    "entityType", "assetType", "classification", "term", "contactId", "contactType",
    "label", "glossaryType", "termStatus", "termTemplate", "objectType", "collectionId",
)  # fmt: skip


def _contacts(contacts: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": c.get("id"), "info": c.get("info"), "contactType": kind}
        for kind, items in contacts.items()
        if isinstance(items, list)
        for c in items
        if isinstance(c, dict)
    ]


def tokens(*texts: Any) -> set[str]:
    """Lower-cased alphanumeric tokens of the given texts."""
    out: set[str] = set()
    for text in texts:
        if isinstance(text, str):
            out.update(TOKEN_RE.findall(text.lower()))
    return out


@dataclass(slots=True)
class Doc:
    """One searchable record: the response value plus what filters and facets look at."""

    doc_id: int
    guid: str
    value: dict[str, Any]
    keys: list[tuple[str, str]]
    words: set[str]
    attributes: dict[str, Any] = field(default_factory=dict)
    name_words: set[str] = field(default_factory=set)


class SearchIndex:
    """Documents and postings; `changed`/`removed` queue work that `drain` applies once it is due."""

    def __init__(self, entities: EntityStore, glossary: GlossaryStore, lag: Callable[[], float]) -> None:
        self.entities = entities
        self.glossary = glossary
        self.lag = lag
        self.clock: Callable[[], float] = time.monotonic
        """Where the lag's seconds are counted (tests move a clock of their own instead of sleeping)."""
        self.reset()

    def reset(self) -> None:
        """Forget every document and pending change."""
        self.docs: dict[int, Doc] = {}
        self.doc_of: dict[str, int] = {}
        self.postings: dict[tuple[str, str], set[int]] = {}
        self.words: dict[str, set[int]] = {}
        self.all_ids: set[int] = set()
        self.pending: dict[tuple[str, str], float] = {}
        self._sorted_words: list[str] | None = None
        self._ids = itertools.count(1)
        self._facts: dict[str, tuple[tuple[str, ...], str | None]] = {}
        self._facts_version = -1

    # ----- change feed ---------------------------------------------------------------------------------

    def entity_changed(self, guid: str) -> None:
        """EntityStore listener: (re)index an entity once the lag has passed."""
        self._queue("entity", guid)

    def entity_removed(self, guid: str) -> None:
        """EntityStore listener: drop an entity once the lag has passed."""
        self._queue("entity", guid)

    def glossary_changed(self, kind: str, guid: str) -> None:
        """Glossary change feed: terms and glossaries are searchable too."""
        self._queue("glossary" if kind.startswith("glossary") else "term", guid)

    def _queue(self, kind: str, guid: str) -> None:
        self.pending.setdefault((kind, guid), self.clock() + self.lag())

    def drain(self, *, force: bool = False) -> None:
        """Apply every queued change that is due (all of them when `force`)."""
        if not self.pending:
            return
        now = self.clock()
        due = [key for key, when in self.pending.items() if force or when <= now]
        for key in due:
            del self.pending[key]
            self._refresh(*key)

    def _refresh(self, kind: str, guid: str) -> None:
        doc = self._build(kind, guid)
        old_id = self.doc_of.get(guid)
        if old_id is not None:
            self._unpost(self.docs[old_id])
        if doc is None:
            if old_id is not None:
                del self.docs[old_id]
                del self.doc_of[guid]
                self.all_ids.discard(old_id)
            return
        doc.doc_id = old_id if old_id is not None else next(self._ids)
        self.docs[doc.doc_id] = doc
        self.doc_of[guid] = doc.doc_id
        self.all_ids.add(doc.doc_id)
        for key in doc.keys:
            self.postings.setdefault(key, set()).add(doc.doc_id)
        for word in doc.words:
            bucket = self.words.get(word)
            if bucket is None:
                self.words[word] = bucket = set()
                self._sorted_words = None
            bucket.add(doc.doc_id)

    def _unpost(self, doc: Doc) -> None:
        for key in doc.keys:
            bucket = self.postings.get(key)
            if bucket is not None:
                bucket.discard(doc.doc_id)
                if not bucket:
                    del self.postings[key]
        for word in doc.words:
            bucket = self.words.get(word)
            if bucket is not None:
                bucket.discard(doc.doc_id)

    # ----- lookups -----------------------------------------------------------------------------------------

    def ids_for(self, field_name: str, value: str) -> set[int]:
        """Documents whose field holds that value (empty set if none)."""
        return self.postings.get((field_name, value), set())

    def ids_for_word_prefix(self, prefix: str) -> set[int]:
        """Documents containing a token that starts with `prefix`."""
        if self._sorted_words is None:
            self._sorted_words = sorted(w for w, ids in self.words.items() if ids)
        words = self._sorted_words
        out: set[int] = set()
        start = bisect.bisect_left(words, prefix)
        for word in itertools.islice(words, start, None):
            if not word.startswith(prefix):
                break
            out |= self.words.get(word, set())
        return out

    def words_with_prefix(self, prefix: str, limit: int) -> list[str]:
        """Distinct indexed tokens starting with `prefix` (for autocomplete)."""
        self.ids_for_word_prefix(prefix)
        assert self._sorted_words is not None
        start = bisect.bisect_left(self._sorted_words, prefix)
        out: list[str] = []
        for word in itertools.islice(self._sorted_words, start, None):
            if not word.startswith(prefix) or len(out) >= limit:
                break
            if self.words.get(word):
                out.append(word)
        return out

    # ----- document building ---------------------------------------------------------------------------------

    def _build(self, kind: str, guid: str) -> Doc | None:
        if kind == "entity":
            return self._entity_doc(guid)
        if kind == "term":
            return self._term_doc(guid)
        return self._glossary_doc(guid)

    def _entity_doc(self, guid: str) -> Doc | None:
        store = self.entities
        entity = store.entities.get(guid)
        if entity is None or entity.status != "ACTIVE":
            return None
        asset_types, object_type = self._type_facts(entity.type_name)
        attrs = entity.attributes
        name = attrs.get("name")
        qualified_name = entity.qualified_name
        terms = self._terms_of(guid)
        contacts = _contacts(entity.contacts) if entity.contacts else []
        classifications = [c["typeName"] for c in entity.classifications]
        value: dict[str, Any] = {
            "id": guid,
            "name": name,
            "qualifiedName": qualified_name,
            "entityType": entity.type_name,
            "description": attrs.get("description"),
            "owner": attrs.get("owner"),
            "classification": classifications,
            "label": list(entity.labels),
            "term": terms,
            "contact": contacts,
            "assetType": list(asset_types),
            "collectionId": entity.collection_id,
            "createTime": entity.create_time,
            "updateTime": entity.update_time,
        }
        keys = [("entityType", entity.type_name), ("collectionId", entity.collection_id), ("id", guid)]
        keys += [("assetType", a) for a in asset_types]
        if object_type:
            value["objectType"] = object_type
            keys.append(("objectType", object_type))
        if classifications:
            keys += [("classification", c) for c in classifications]
        if entity.labels:
            keys += [("label", x) for x in entity.labels]
        for term in terms:
            keys += [
                ("term", term["name"]),
                ("termGuid", term["guid"]),
                ("termInGlossary", f"{term['name']}@{term['glossaryName']}"),
            ]
        for contact in contacts:
            keys += [("contactId", str(contact["id"])), ("contactType", str(contact["contactType"]))]
        if isinstance(name, str):
            keys.append(("attr:name", name))
            if "." in name:
                keys.append(("fileExtension", name.rsplit(".", 1)[1].lower()))
        if qualified_name is not None:
            keys.append(("attr:qualifiedName", qualified_name))
        description = attrs.get("description")
        text = f"{name} {qualified_name} {description}" if isinstance(description, str) else f"{name} {qualified_name}"
        words = set(TOKEN_RE.findall(text.lower()))
        name_words = set(TOKEN_RE.findall(name.lower())) if isinstance(name, str) else set()
        return Doc(0, guid, value, keys, words, dict(attrs), name_words)

    def _terms_of(self, guid: str) -> list[dict[str, Any]]:
        rels = self.entities.rel_index.get(guid, {}).get("meanings")
        if not rels:
            return []
        out = []
        for rel_guid in rels:
            rel = self.entities.relationships[rel_guid]
            term = self.glossary.terms.get(rel.end1)
            if term is not None and rel.type_name == SEMANTIC_ASSIGNMENT:
                glossary_name = self.glossary.glossaries[term.glossary_guid].name
                out.append({"name": term.name, "glossaryName": glossary_name, "guid": term.guid})
        return out

    def _type_facts(self, type_name: str) -> tuple[tuple[str, ...], str | None]:
        """(assetType values, objectType) of a type, cached until the type system changes."""
        types = self.entities.types
        if self._facts_version != types.version:
            self._facts = {}
            self._facts_version = types.version
        found = self._facts.get(type_name)
        if found is None:
            info = types.entity_info(type_name)
            asset_types = (info.service_type,) if info is not None and info.service_type else ()
            found = self._facts[type_name] = (asset_types, self._object_type(type_name))
        return found

    def _object_type(self, type_name: str) -> str | None:
        info = self.entities.types.entity_info(type_name)
        for ancestor in info.supertypes if info is not None else [type_name]:
            if ancestor in OBJECT_TYPES:
                return OBJECT_TYPES[ancestor]
        lowered = type_name.lower()
        if "table" in lowered:
            return "Tables"
        return None

    def _term_doc(self, guid: str) -> Doc | None:
        term = self.glossary.terms.get(guid)
        if term is None:
            return None
        glossary = self.glossary.glossaries[term.glossary_guid]
        status = term.fields.get("status") or "Draft"
        value = {
            "objectType": "Glossary terms",
            "glossaryType": "AtlasGlossaryTerm",
            "id": guid,
            "name": term.name,
            "qualifiedName": self.glossary.qualified_name(term),
            "glossary": glossary.name,
            "longDescription": term.fields.get("longDescription"),
            "termStatus": status,
            "termTemplate": list(term.templates),
            "createTime": term.create_time,
            "updateTime": term.update_time,
        }
        keys = [
            ("objectType", "Glossary terms"),
            ("glossaryType", "AtlasGlossaryTerm"),
            ("termStatus", status),
            ("id", guid),
        ]
        keys += [("termTemplate", t) for t in term.templates] + [("glossaryName", glossary.name)]
        keys += [("attr:name", term.name), ("attr:qualifiedName", value["qualifiedName"])]
        words = tokens(term.name, term.fields.get("longDescription"), term.fields.get("shortDescription"))
        attributes = {"name": term.name, "qualifiedName": value["qualifiedName"], **term.fields}
        return Doc(0, guid, value, keys, words, attributes, tokens(term.name))

    def _glossary_doc(self, guid: str) -> Doc | None:
        glossary = self.glossary.glossaries.get(guid)
        if glossary is None:
            return None
        value = {
            "objectType": "Glossary terms",
            "glossaryType": "AtlasGlossary",
            "id": guid,
            "name": glossary.name,
            "qualifiedName": glossary.name,
            "longDescription": glossary.fields.get("longDescription"),
            "createTime": glossary.create_time,
            "updateTime": glossary.update_time,
        }
        keys = [
            ("objectType", "Glossary terms"),
            ("glossaryType", "AtlasGlossary"),
            ("id", guid),
            ("attr:name", glossary.name),
        ]
        words = tokens(glossary.name, glossary.fields.get("longDescription"))
        return Doc(0, guid, value, keys, words, {"name": glossary.name, **glossary.fields}, tokens(glossary.name))

    def rebuild(self, guids: Iterable[tuple[str, str]]) -> None:
        """Index the given (kind, guid) pairs immediately (after a snapshot load)."""
        for kind, guid in guids:
            self._refresh(kind, guid)
