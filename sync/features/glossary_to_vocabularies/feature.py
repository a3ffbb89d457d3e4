"""F6 — Sync Purview glossaries to CluedIn vocabularies: filtered terms → vocabularies, child terms → keys.

As in CluedIn's integration: a term that passes the attribute filter (`CluedInVocab=true` through a term template by
default), the term-name regex and the template-name regex becomes a vocabulary named after it, with key prefix
`<Vocabulary Prefix>.<Term>`, the description "<Term> added from Purview Glossary" and an entity type
`/<Business Domain Prefix>/<Term>`; each child term becomes a key (data type Text unless a term attribute names
another). Existing vocabularies and keys are updated, never duplicated (`writer.py`).

Beyond the product: terms that came from CluedIn (F5's, found by identity) are never imported — the echo guard;
a vocabulary or key edited in CluedIn since the app wrote it is a conflict for SYNC_GLOSSARY_CONFLICT_POLICY. Edits in
CluedIn are noticed through the shared change feed: only a cycle after CluedIn reported vocabulary changes lists
CluedIn's vocabularies; a quiet cycle reads nothing from CluedIn. A term that disappears leaves its vocabulary in
CluedIn (its data may be mapped to it); the row is marked orphaned and reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from sync.core.changefeed import FeedWindow
from sync.core.feature import ApplyOutcome, Feature, SetupStep, Snapshot, SyncContext
from sync.core.messages import Change, Queues
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.core.twoway import Planned, StreamedPlan, TwoSided, TwoSidedSettings, two_sided
from sync.features.glossary_to_vocabularies.api import PURVIEW_VOCABULARY_KIND
from sync.features.glossary_to_vocabularies.migrate import has_rows_to_move, move_key_rows
from sync.features.glossary_to_vocabularies.plan import plan_vocabularies, plan_vocabularies_ordered
from sync.features.glossary_to_vocabularies.select import check_templates, choose
from sync.features.glossary_to_vocabularies.settings import GlossaryToVocabulariesSettings
from sync.features.glossary_to_vocabularies.writer import VocabularyWriter
from sync.features.vocabularies_to_glossary.api import terms_from_cluedin_this_tick
from sync.services.cluedin.client import CluedInClient
from sync.services.cluedin.vocabularies import iter_vocabularies, iter_vocabulary_keys
from sync.services.purview.client import PurviewClient
from sync.services.purview.glossary import glossary_listing, template_names

FEED_TYPES = frozenset({"Vocabulary", "VocabularyKey"})


def observe(cluedin: CluedInClient, window: FeedWindow) -> tuple[dict[str, dict[str, Any]], bool]:
    """CluedIn's vocabularies and keys now, when the feed says something changed there (else nothing is read)."""
    if not window.first and not any(e.object_type in FEED_TYPES or not e.object_type for e in window.entries):
        return {}, False
    observed: dict[str, dict[str, Any]] = {
        v.id: {"vocabularyName": v.name, "description": v.description} for v in iter_vocabularies(cluedin)
    }
    for key in iter_vocabulary_keys(cluedin):
        observed[key.id] = {"displayName": key.display_name, "dataType": key.data_type, "description": key.description}
    return observed, True


class GlossaryToVocabulariesFeature(Feature):
    """Purview glossary terms → CluedIn vocabularies and keys."""

    name: ClassVar[str] = "glossary_to_vocabularies"
    title: ClassVar[str] = "Sync Purview glossaries to CluedIn vocabularies"
    settings_model = GlossaryToVocabulariesSettings
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin")
    depends_on: ClassVar[tuple[str, ...]] = ("vocabularies_to_glossary",)
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": FEED_TYPES}
    object_kind: ClassVar[str] = PURVIEW_VOCABULARY_KIND
    queue: ClassVar[Queues] = Queues.CLUEDIN
    deletes_on_target: ClassVar[bool] = False
    state_fields: ClassVar[frozenset[str] | None] = frozenset({"target", "data"})
    plans_in_order: ClassVar[bool] = True
    max_changes_per_message: ClassVar[int] = 50
    """CluedIn takes one mutation per key: smaller messages let several queue invocations work at once."""

    def enabled(self, settings: Settings) -> bool:
        """Toggle 'Sync Purview glossaries to CluedIn vocabularies'."""
        return settings.get(GlossaryToVocabulariesSettings).sync_purview_glossaries_to_cluedin_vocabularies

    def prepare(self, ctx: SyncContext) -> list[SetupStep]:
        """Move key rows of the state layout of before, if any; an invalid conflict policy stops the cycle here."""
        ctx.settings.get(TwoSidedSettings)
        if not has_rows_to_move(ctx.state, self.object_kind):
            return []
        summary = "move vocabulary key rows to the state layout of 5 December 2026 (word|<vocabulary>|<key>)"
        return [SetupStep(summary, lambda: move_key_rows(ctx.state, self.object_kind))]

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """The vocabularies and keys the filtered terms ask for, and CluedIn's side when it reported changes.

        The entries are made as the plan draws them, in storage order (`Choice.ordered`).
        """
        settings = ctx.settings.get(GlossaryToVocabulariesSettings)
        purview: PurviewClient = ctx.client("purview")
        check_templates(settings, template_names(purview.list_term_templates()))
        listing = glossary_listing(ctx)
        chosen = choose(listing, terms_from_cluedin_this_tick(ctx, listing), settings)
        observed, complete = observe(ctx.client("cluedin"), ctx.feed("cluedin"))
        seen = TwoSided(observed=observed, complete=complete)
        return Snapshot(seen, notes=chosen.notes, ordered=chosen.ordered())

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> Planned:
        """Creates and three-way updates, each vocabulary before its keys (plan.py)."""
        policy = settings.get(TwoSidedSettings).sync_glossary_conflict_policy
        return plan_vocabularies(snapshot, state, policy, self.change)

    def plan_ordered(
        self,
        pairs: Iterable[tuple[str, dict[str, Any] | None, SyncObject | None]],
        settings: Settings,
        *,
        seen: Mapping[str, dict[str, Any]] | None = None,
    ) -> StreamedPlan:
        """`plan`, one vocabulary's keys at a time (bounded memory)."""
        policy = settings.get(TwoSidedSettings).sync_glossary_conflict_policy
        observed = two_sided(seen if seen is not None else {})
        return plan_vocabularies_ordered(pairs, observed, policy, self.change)

    def message_group(self, change: Change) -> str | None:
        """A vocabulary and its keys travel together."""
        group = change.desired.get("group")
        return str(group) if group else None

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """One change (see apply_batch)."""
        return self.apply_batch([change], ctx, owner=owner)[0]

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """Vocabularies, then their keys, and one state commit (writer.py)."""
        return VocabularyWriter(ctx, self.object_kind).apply(changes)
