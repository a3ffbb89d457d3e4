"""The whole emulated Purview account, wired together, with snapshot, load, reset and seeding.

Seeds go through the same services as API calls (typedef validation, entity upsert, term creation), so a
seed that loads is a seed the real service would accept. Snapshots (`/_emulator/state`, `--state`) use an
internal format that restores exactly, guids included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from emulators.purview import errors
from emulators.purview.model.categories import CategoryService
from emulators.purview.model.collections import CollectionStore
from emulators.purview.model.entities import EntityStore
from emulators.purview.model.entity_ops import EntityService
from emulators.purview.model.entity_write import EntityWriter
from emulators.purview.model.glossary import GlossaryStore
from emulators.purview.model.lineage import LineageService
from emulators.purview.model.notifications import DEFAULT_MAX_MESSAGE_BYTES, NotificationJournal
from emulators.purview.model.relationship_ops import RelationshipService
from emulators.purview.model.search_index import SearchIndex
from emulators.purview.model.search_query import SearchEngine
from emulators.purview.model.term_ops import TermService
from emulators.purview.model.typesystem import TypeRegistry
from emulators.purview.unified.catalog import UnifiedCatalog
from emulators.purview.unified.seed import load_seed as load_unified_seed

STATE_FORMAT = "purview-emulator-state/1"
SEED_PRINCIPAL = "seed"


class PurviewStore:
    """All the parts of one account. Implements the shared kit's Store protocol (snapshot/load/reset)."""

    def __init__(
        self,
        *,
        account_name: str = "purview-emulator",
        default_glossary: bool = True,
        search_lag: float | Callable[[], float] = 0.0,
        notification_max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    ) -> None:
        self.account_name = account_name
        self.default_glossary = default_glossary
        self.lag: Callable[[], float] = search_lag if callable(search_lag) else (lambda: float(search_lag))
        # One journal for the emulator's life: a reset clears it but numbering goes on, so readers keep their place.
        self.notifications = NotificationJournal(max_message_bytes=notification_max_bytes)
        self._build()

    def _build(self) -> None:
        self.types = TypeRegistry()
        self.types.load_builtins()
        self.collections = CollectionStore(self.account_name)
        self.entities = EntityStore(self.types)
        self.glossary = GlossaryStore(self.entities)
        self.search_index = SearchIndex(self.entities, self.glossary, self.lag)
        self.entities.listeners.append(self.search_index)
        self.entities.collection_exists = self.collections.exists
        self.collections.has_entities = self._collection_has_entities
        self.writer = EntityWriter(self.entities, lambda: self.collections.root)
        self.entity_service = EntityService(self.entities, self.writer)
        self.relationships = RelationshipService(self.entities)
        self.terms = TermService(self.glossary, self.search_index.glossary_changed)
        self.categories = CategoryService(self.glossary)
        self.search = SearchEngine(self.search_index)
        self.lineage = LineageService(self.entities)
        self.unified = UnifiedCatalog(self.entities, self.account_name)
        if self.default_glossary:
            glossary = self.glossary.create_glossary({"name": "Glossary"}, "ServiceAdmin")
            self.search_index.glossary_changed("glossary", glossary.guid)
        self.notifications.store = self.entities
        self.notifications.clear()
        self.entities.notifier = self.notifications

    def _collection_has_entities(self, name: str) -> bool:
        return any(e.collection_id == name and e.status == "ACTIVE" for e in self.entities.entities.values())

    def after_request(self) -> None:
        """Apply search-index work that is already due (everything, when there is no lag)."""
        if self.lag() <= 0:
            self.search_index.drain(force=True)

    # ----- Store protocol -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to a fresh account: built-in types, root collection, default glossary."""
        self._build()

    def snapshot(self) -> dict[str, Any]:
        """Everything, in the internal state format."""
        return {
            "format": STATE_FORMAT,
            "account": self.account_name,
            "types": self.types.snapshot(),
            "collections": self.collections.snapshot(),
            "entities": self.entities.snapshot(),
            "glossary": self.glossary.snapshot(),
            "unifiedCatalog": self.unified.snapshot(),
        }

    def load(self, data: dict[str, Any]) -> None:
        """Replace the account with a snapshot (internal format) or a seed (any other JSON object).

        A rejected seed leaves a fresh, empty account rather than a half-seeded one.
        """
        if not isinstance(data, dict):
            raise ValueError("state must be a JSON object")
        if data.get("format") == STATE_FORMAT:
            self._restore(data)
            return
        self.reset()
        try:
            self.seed(data)
        except (errors.AtlasError, errors.AccountError) as exc:
            self.reset()
            raise ValueError(f"seed rejected: {exc.code} {exc.message}") from exc
        except (KeyError, TypeError, ValueError):
            self.reset()
            raise

    def _restore(self, data: Mapping[str, Any]) -> None:
        self.default_glossary, keep = False, self.default_glossary
        self._build()
        self.default_glossary = keep
        self.types.restore(data["types"])
        self.collections.restore(data["collections"])
        self.entities.restore(data["entities"])
        self.glossary.restore(data["glossary"])
        self.unified.restore(data.get("unifiedCatalog") or {})
        self.search_index.rebuild(
            [("glossary", g) for g in self.glossary.glossaries]
            + [("term", t) for t in self.glossary.terms]
            + [("entity", e) for e in self.entities.entities]
        )

    # ----- seeding -----------------------------------------------------------------------------------------

    def seed(self, data: Mapping[str, Any]) -> None:
        """Load a seed: typedefs, collections, glossaries (with templates and terms), entities, Unified Catalog."""
        known = {"typedefs", "termTemplates", "collections", "glossaries", "entities", "unifiedCatalog", "_comment"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown seed section(s): {', '.join(sorted(unknown))}")
        # A seed is the account as it already was: nothing is notified for it.
        self.entities.notifier = None
        try:
            self._seed_sections(data)
        finally:
            self.entities.notifier = self.notifications

    def _seed_sections(self, data: Mapping[str, Any]) -> None:
        typedefs = dict(data.get("typedefs") or {})
        if data.get("termTemplates"):
            typedefs["termTemplateDefs"] = [*typedefs.get("termTemplateDefs", []), *data["termTemplates"]]
        if typedefs:
            self.types.create(typedefs, SEED_PRINCIPAL)
        for collection in _ordered_collections(data.get("collections") or [], self.collections.root):
            self.collections.create_or_update(collection["name"], collection, SEED_PRINCIPAL)
        for glossary in data.get("glossaries") or []:
            self._seed_glossary(glossary)
        entities = data.get("entities") or []
        if entities:
            self.writer.upsert(
                list(entities), principal=SEED_PRINCIPAL, collection_of=lambda raw: raw.get("collectionId")
            )
        if data.get("unifiedCatalog") is not None:
            load_unified_seed(self.unified, data["unifiedCatalog"])
        self.after_request()

    def _seed_glossary(self, spec: Mapping[str, Any]) -> None:
        if not isinstance(spec, dict):
            raise ValueError("each seed glossary must be an object")
        existing = self.glossary.glossary_by_name(str(spec.get("name")))
        glossary = existing or self.glossary.create_glossary(spec, SEED_PRINCIPAL)
        if existing is not None:
            self.glossary.update_glossary(
                existing, {k: v for k, v in spec.items() if k != "terms"}, SEED_PRINCIPAL, partial=True
            )
        self.search_index.glossary_changed("glossary", glossary.guid)
        pending = [dict(t) for t in spec.get("terms") or []]
        created: dict[str, str] = {}
        while pending:
            progressed = False
            for term in list(pending):
                parent = term.get("parentTerm")
                if isinstance(parent, dict) and "termGuid" not in parent:
                    key = parent.get("name") or parent.get("qualifiedName", "").split("@")[0]
                    if key not in created:
                        continue
                    term["parentTerm"] = {"termGuid": created[key]}
                term["anchor"] = {"glossaryGuid": glossary.guid}
                record = self.terms.create(term, SEED_PRINCIPAL, include_hierarchy=True)
                created[record.name] = record.guid
                pending.remove(term)
                progressed = True
            if not progressed:
                names = ", ".join(str(t.get("name")) for t in pending)
                raise ValueError(f"seed terms with unknown parent terms: {names}")


def _ordered_collections(items: list[Any], root: str) -> list[dict[str, Any]]:
    """Parents before children, so a seed may list collections in any order."""
    remaining = [dict(c) for c in items]
    known = {root}
    ordered = []
    while remaining:
        progressed = False
        for item in list(remaining):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise ValueError("each seed collection needs a name")
            parent = ((item.get("parentCollection") or {}).get("referenceName") or root).lower()
            if parent in known:
                ordered.append(item)
                known.add(item["name"].lower())
                remaining.remove(item)
                progressed = True
        if not progressed:
            raise ValueError("seed collections refer to unknown parents: " + ", ".join(c["name"] for c in remaining))
    return ordered
