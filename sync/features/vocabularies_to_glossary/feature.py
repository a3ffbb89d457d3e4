"""F5 — Sync CluedIn vocabularies to Purview glossaries: vocabularies and keys → glossary terms, both sides editable.

As in CluedIn's integration: a root term `CluedIn-<organization>` (when the root setting is on), one child term per
vocabulary and one grandchild term per vocabulary key, status Approved, with the product's definitions
(`texts.py`), in the glossary a setting names (default: the account's first glossary, created if there is none).
A name another term already has gets a numeric suffix; a term deleted in Purview while its vocabulary lives is
re-created; a deleted vocabulary or key deletes its term (under SYNC_DELETE_POLICY=soft-delete), except a term
entities are assigned to, which is reported instead.

Beyond the product (decision 0804): the app remembers what it last wrote to each term, so a term edited in Purview
is a *conflict* decided by SYNC_GLOSSARY_CONFLICT_POLICY instead of being silently overwritten, and the plan
endpoint shows it first; vocabularies F6 made from Purview terms are never exported back (the echo guard).

- `prepare`: the glossary and root term (`target.py`), created or recorded by set-up steps;
- `snapshot`: CluedIn's vocabularies and keys from a cache the shared change feed keeps current (`source.py`), and
  every term of the target glossary from the listing all glossary features share in a tick;
- `plan`: names, three-way checks, deletes (`plan.py`, pure);
- `apply_batch`: bulk term creation level by level, partial updates, deletes (`writer.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from sync.core.diff import merge_ordered
from sync.core.feature import ApplyOutcome, Feature, SetupStep, Snapshot, SyncContext
from sync.core.messages import Change, Queues
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.core.twoway import Planned, StreamedPlan, TwoSided, TwoSidedSettings, two_sided
from sync.features.glossary_to_vocabularies.api import came_from_purview, imported_vocabulary_ids
from sync.features.vocabularies_to_glossary.api import ORIGIN_NAMES, ROWS_PAGE, VOCABULARY_TERM_KIND
from sync.features.vocabularies_to_glossary.bundles import VOCAB
from sync.features.vocabularies_to_glossary.plan import VocabularyWalk, plan_terms, settle_names, walk
from sync.features.vocabularies_to_glossary.settings import VocabulariesToGlossarySettings
from sync.features.vocabularies_to_glossary.source import FEED_TYPES, read_vocabularies
from sync.features.vocabularies_to_glossary.target import ROOT_ROW, Target, resolve_target
from sync.features.vocabularies_to_glossary.texts import (
    APPROVED,
    key_definition,
    term_name,
    vocabulary_definition,
)
from sync.features.vocabularies_to_glossary.writer import TermWriter
from sync.services.cluedin.client import CluedInClient
from sync.services.purview.glossary import GlossaryListing, glossary_listing

TermEntries = dict[str, dict[str, Any]]


def vocabulary_terms(vid: str, facts: Mapping[str, Any], organization: str, *, under_root: bool) -> TermEntries:
    """The term a vocabulary should have, and one per key."""
    vocabulary = facts["vocabulary"]
    name = str(vocabulary["name"])
    desired: TermEntries = {
        f"vocab|{vid}": {
            "base": term_name(name, str(vocabulary["key_prefix"])),
            "definition": vocabulary_definition(name, organization),
            "status": APPROVED,
            "parent": ROOT_ROW if under_root else None,
            "group": vid,
            "label": f"term of vocabulary '{name}'",
        }
    }
    for key in facts.get("keys") or []:
        display = str(key.get("display_name") or key.get("name"))
        desired[f"key|{key['id']}"] = {
            "base": term_name(display, str(key.get("name"))),
            "definition": key_definition(display, str(key["key"]), str(key["data_type"]), key["classification"]),
            "status": APPROVED,
            "parent": f"vocab|{vid}",
            "group": vid,
            "label": f"term of key '{key['key']}'",
        }
    return desired


class ObservedTerms(Mapping[str, dict[str, Any]]):
    """Every term of the target glossary as the three-way check compares it: a view over the tick's listing.

    The listing is held for the tick anyway (F6 and F7 read it too); a copy per term would double it.
    """

    def __init__(self, listing: GlossaryListing, glossary_guid: str | None) -> None:
        self._terms = listing.terms
        self._glossary = glossary_guid

    def __getitem__(self, guid: str) -> dict[str, Any]:
        term = self._terms.get(guid)
        if term is None or term.glossary_guid != self._glossary:
            raise KeyError(guid)
        return {
            "name": term.name,
            "longDescription": term.long_description,
            "status": term.status,
            "parent": term.parent_guid,
            "assigned": term.assigned,
        }

    def __contains__(self, guid: object) -> bool:
        term = self._terms.get(guid) if isinstance(guid, str) else None
        return term is not None and term.glossary_guid == self._glossary

    def __iter__(self) -> Iterator[str]:
        return (guid for guid, term in self._terms.items() if term.glossary_guid == self._glossary)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def observe(listing: GlossaryListing, target: Target) -> TwoSided:
    """The target glossary's terms (a view), with what naming needs.

    Besides: the names taken there, and the resource links of terms that came from CluedIn (to take them back
    when state was lost).
    """
    if target.glossary_guid is None or listing.glossary(target.glossary_guid) is None:
        return TwoSided(complete=True, context={"names": {}, "origins": {}})
    names: dict[str, str] = {}
    origins: dict[str, str] = {}
    for term in listing.terms_of(target.glossary_guid):
        origins.update((url, term.guid) for name, url in term.resources if name in ORIGIN_NAMES)
        names[term.name] = term.guid
    observed = ObservedTerms(listing, target.glossary_guid)
    return TwoSided(observed=observed, complete=True, context={"names": names, "origins": origins})


class VocabulariesToGlossaryFeature(Feature):
    """CluedIn vocabularies and keys → Purview glossary terms."""

    name: ClassVar[str] = "vocabularies_to_glossary"
    title: ClassVar[str] = "Sync CluedIn vocabularies to Purview glossaries"
    settings_model = VocabulariesToGlossarySettings
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin")
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": FEED_TYPES}
    object_kind: ClassVar[str] = VOCABULARY_TERM_KIND
    queue: ClassVar[Queues] = Queues.GLOSSARY
    plans_in_order: ClassVar[bool] = True
    state_page_size: ClassVar[int | None] = ROWS_PAGE
    """A vocabulary's row holds its keys' terms: a page of a few rows, not 1,000."""
    send_chunk_changes: ClassVar[int | None] = 20
    """A change is a vocabulary with its keys' terms (up to a message, ~45 KB): twenty are held, not 500."""
    max_changes_per_message: ClassVar[int] = 100
    """A change is a vocabulary with its key terms (bundles.py): the 48 KB message limit binds first, and small
    vocabularies share a message (one bulk create per level for all of them)."""

    def enabled(self, settings: Settings) -> bool:
        """Toggle 'Sync CluedIn vocabularies to Purview glossaries'."""
        return settings.get(VocabulariesToGlossarySettings).sync_cluedin_vocabularies_to_purview_glossaries

    def prepare(self, ctx: SyncContext) -> list[SetupStep]:
        """Create (or record) the target glossary and the root term when needed."""
        ctx.settings.get(TwoSidedSettings)  # an invalid conflict policy stops the cycle before any set-up write
        return resolve_target(ctx).steps

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """Every vocabulary's desired terms, streamed in storage order, and every term of the target glossary.

        Names are glossary-wide, so the snapshot walks every vocabulary with its state row once to settle them
        (`naming.py`); the engine then streams both sides again for the plan. Neither walk holds the estate.
        """
        settings = ctx.settings.get(VocabulariesToGlossarySettings)
        cluedin: CluedInClient = ctx.client("cluedin")
        target = resolve_target(ctx)
        source = read_vocabularies(cluedin, ctx.state, ctx.feed("cluedin"))
        imported = imported_vocabulary_ids(ctx.state)
        under_root = settings.sync_cluedin_vocabularies_to_purview_glossaries_root_glossary_term

        def vocabularies() -> Iterator[tuple[str, dict[str, Any]]]:
            for vid, facts in source.iter_facts(ctx.state):
                description = str(facts["vocabulary"].get("description") or "")
                if vid in imported or came_from_purview(description):
                    continue  # made by F6 from a Purview term: never exported back (the echo guard)
                yield VOCAB + vid, vocabulary_terms(vid, facts, cluedin.organization, under_root=under_root)

        seen = observe(glossary_listing(ctx), target)
        seen.context.update(
            root_guid=target.root_guid, glossary_guid=target.glossary_guid, cluedin_url=cluedin.base_url
        )
        rows = ctx.state.iter_objects(self.object_kind, page_size=self.state_page_size)
        seen.context["naming"] = settle_names(merge_ordered(vocabularies(), rows), seen)
        for spent in ("names", "origins"):  # only the first pass reads them
            seen.context.pop(spent)
        return Snapshot(seen, after_send=[source.store(ctx.state)], ordered=vocabularies())

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> Planned:
        """From whole mappings (term-level desired entries, vocabulary rows): rollback and tests (plan.py)."""
        policy = settings.get(TwoSidedSettings).sync_glossary_conflict_policy
        return plan_terms(snapshot, state, policy, settings.engine, self.change)

    def plan_ordered(
        self,
        pairs: Iterable[tuple[str, dict[str, Any] | None, SyncObject | None]],
        settings: Settings,
        *,
        seen: Mapping[str, dict[str, Any]] | None = None,
    ) -> StreamedPlan:
        """`plan`, one vocabulary at a time (bounded memory), with the names the snapshot settled."""
        policy = settings.get(TwoSidedSettings).sync_glossary_conflict_policy
        observed = two_sided(seen if seen is not None else {})
        naming = observed.context.get("naming") or settle_names((), observed)

        def changes(out: StreamedPlan) -> Iterator[Change]:
            walked = VocabularyWalk(observed, naming, policy, settings.engine, self.change, out)
            yield from walk(pairs, walked)

        return StreamedPlan(changes)

    def message_group(self, change: Change) -> str | None:
        """A vocabulary's term and its keys' terms travel together."""
        group = change.desired.get("group")
        return str(group) if group else None

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """One change (messages usually carry a vocabulary with its keys: see apply_batch)."""
        return self.apply_batch([change], ctx, owner=owner)[0]

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """Deletes, bulk creates level by level, updates, and one state commit (writer.py)."""
        return TermWriter(ctx, self.object_kind).apply(changes)
