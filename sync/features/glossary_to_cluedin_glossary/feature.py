"""F7 — Sync Purview glossaries to CluedIn glossaries: every Purview term → an inactive CluedIn glossary term.

As in CluedIn's integration (2025): one CluedIn glossary category per Purview glossary, named after it (a setting
keeps the 2024 single category, default "Purview"); child terms are flattened as `Parent_Child`; terms are created
**inactive**; notifications "Glossary term 'X' created" and "N Glossary terms have been created from Purview
glossary terms". Terms people create in those categories are ignored (the app only touches terms it made).

Beyond the product: terms that came from CluedIn (F5's, by identity, not only by the `CluedIn-` prefix) are never
imported; each synced term carries a filter CluedIn accepts (`rules.py`: records tagged with the term's name),
written once so a person can change it; a name or description edited in CluedIn since the app wrote it is a
conflict for SYNC_GLOSSARY_CONFLICT_POLICY. CluedIn-side edits are noticed through the shared change feed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

from sync.core.changefeed import FeedWindow
from sync.core.diff import storage_order
from sync.core.feature import ApplyOutcome, Feature, SetupStep, Snapshot, SyncContext
from sync.core.messages import Change, ChangeKind, Queues
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.core.twoway import (
    ConflictPolicy,
    MakePair,
    PairSpec,
    Planned,
    StreamedPlan,
    TwoSided,
    TwoSidedSettings,
    plan_pairs,
    plan_pairs_ordered,
    two_sided,
)
from sync.features.glossary_to_cluedin_glossary.api import PURVIEW_GLOSSARY_TERM_KIND
from sync.features.glossary_to_cluedin_glossary.rules import tagged_with
from sync.features.glossary_to_cluedin_glossary.settings import GlossaryToCluedInGlossarySettings
from sync.features.glossary_to_cluedin_glossary.writer import GlossaryTermWriter
from sync.features.vocabularies_to_glossary.api import terms_from_cluedin_this_tick
from sync.services.cluedin.client import CluedInClient
from sync.services.cluedin.glossary import categories, ensure_category, iter_terms
from sync.services.purview.glossary import GlossaryListing, glossary_listing

FEED_TYPES = frozenset({"GlossaryTerm", "GlossaryCategory"})
FIELDS = ("name", "shortDescription", "description")


def flattened_name(listing: GlossaryListing, guid: str) -> str:
    """`Parent_Child` (the whole path, root first, for deeper terms)."""
    term = listing.terms[guid]
    return "_".join([a.name for a in listing.ancestors(term)] + [term.name])


def desired_terms(
    listing: GlossaryListing, skip: set[str], settings: GlossaryToCluedInGlossarySettings
) -> dict[str, dict[str, Any]]:
    """The CluedIn glossary term every Purview term (but those from CluedIn) should have."""
    return dict(ordered_terms(listing, skip, settings))


def ordered_terms(
    listing: GlossaryListing, skip: set[str], settings: GlossaryToCluedInGlossarySettings
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, desired term) of every Purview term but those from CluedIn, made one at a time in storage order.

    A term's rule set is not here: it is written only when the term is created (`with_rule_set`), so the planner
    does not hold one per term.
    """
    keys = sorted((f"term|{guid}" for guid in listing.terms if guid not in skip), key=storage_order)
    for key in keys:
        guid = key.split("|", 1)[1]
        term = listing.terms[guid]
        name = flattened_name(listing, guid)
        yield (
            key,
            {
                "values": {
                    "name": name,
                    "shortDescription": term.short_description,
                    "description": term.long_description,
                },
                "category": settings.category_of(term.glossary_name),
                "label": f"glossary term '{name}'",
            },
        )


def with_rule_set(make: MakePair) -> MakePair:
    """`make`, adding to a create the filter of records tagged with the term (rules.py), from its guid and name."""

    def made(kind: ChangeKind, key: str, body: dict[str, Any], summary: str) -> Change:
        if kind == ChangeKind.CREATE:
            body = {**body, "rule_set": tagged_with(key.split("|", 1)[1], str(body["values"]["name"]))}
        return make(kind, key, body, summary)

    return made


def observe(cluedin: CluedInClient, window: FeedWindow) -> tuple[dict[str, dict[str, Any]], bool]:
    """CluedIn's glossary terms now, when the feed says the glossary changed there (else nothing is read)."""
    if not window.first and not any(e.object_type in FEED_TYPES or not e.object_type for e in window.entries):
        return {}, False
    observed = {
        t.id: {
            "name": t.name,
            "shortDescription": t.short_description,
            "description": t.description,
            "categoryId": t.category_id,
        }
        for t in iter_terms(cluedin)
    }
    return observed, True


def glossary_spec(seen: TwoSided) -> PairSpec:
    """The pairing of Purview terms with CluedIn glossary terms (category is structure)."""
    known = seen.context.get("categories") or {}

    def structure(key: str, entry: dict[str, Any], row: SyncObject, now: dict[str, Any]) -> dict[str, Any]:
        expected = known.get(entry["category"])
        return {"categoryId": expected} if expected and now.get("categoryId") not in (None, expected) else {}

    return PairSpec(
        fields=lambda key: FIELDS,
        target_id=lambda row: str(row.target.get("id") or "") or None,
        label=lambda key, entry: str(entry.get("label") or key),
        target_side="CluedIn",
        structure=structure,
    )


def plan_glossary_terms(
    snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], policy: ConflictPolicy, make: MakePair
) -> Planned:
    """Creates, three-way updates (category is structure) and deletes."""
    seen = two_sided(snapshot)
    return plan_pairs(seen, state, glossary_spec(seen), policy, with_rule_set(make))


def category_step(cluedin: CluedInClient, name: str) -> SetupStep:
    """The set-up step creating one glossary category."""
    return SetupStep(f"create the CluedIn glossary category '{name}'", lambda: ensure_category(cluedin, name))


class GlossaryToCluedInGlossaryFeature(Feature):
    """Purview glossary terms → CluedIn glossary categories and terms."""

    name: ClassVar[str] = "glossary_to_cluedin_glossary"
    title: ClassVar[str] = "Sync Purview glossaries to CluedIn glossaries"
    settings_model = GlossaryToCluedInGlossarySettings
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin")
    depends_on: ClassVar[tuple[str, ...]] = ("vocabularies_to_glossary",)
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": FEED_TYPES}
    object_kind: ClassVar[str] = PURVIEW_GLOSSARY_TERM_KIND
    queue: ClassVar[Queues] = Queues.CLUEDIN
    state_fields: ClassVar[frozenset[str] | None] = frozenset({"target", "data"})
    plans_in_order: ClassVar[bool] = True
    max_changes_per_message: ClassVar[int] = 50
    """CluedIn takes one or two mutations per term: smaller messages let several queue invocations work at once."""

    def enabled(self, settings: Settings) -> bool:
        """Toggle 'Sync Purview glossaries to CluedIn glossaries'."""
        return settings.get(GlossaryToCluedInGlossarySettings).sync_purview_glossaries_to_cluedin_glossaries

    def prepare(self, ctx: SyncContext) -> list[SetupStep]:
        """Create the glossary categories the terms need (one per Purview glossary, or the single one)."""
        ctx.settings.get(TwoSidedSettings)
        settings = ctx.settings.get(GlossaryToCluedInGlossarySettings)
        cluedin: CluedInClient = ctx.client("cluedin")
        listing = glossary_listing(ctx)
        skip = terms_from_cluedin_this_tick(ctx, listing)
        wanted = {settings.category_of(t.glossary_name) for g, t in listing.terms.items() if g not in skip}
        existing = {name.lower() for name in categories(cluedin)}
        return [category_step(cluedin, name) for name in sorted(wanted) if name.lower() not in existing]

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """The CluedIn term each Purview term should have, and CluedIn's glossary when it reported changes.

        The terms are made as the plan draws them, in storage order (`ordered`): neither they nor the state rows
        are held whole.
        """
        settings = ctx.settings.get(GlossaryToCluedInGlossarySettings)
        cluedin: CluedInClient = ctx.client("cluedin")
        listing = glossary_listing(ctx)
        skip = terms_from_cluedin_this_tick(ctx, listing)
        observed, complete = observe(cluedin, ctx.feed("cluedin"))
        context = {"categories": categories(cluedin) if complete else {}}
        seen = TwoSided(observed=observed, complete=complete, context=context)
        return Snapshot(seen, ordered=ordered_terms(listing, skip, settings))

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> Planned:
        """Creates, three-way updates and deletes."""
        policy = settings.get(TwoSidedSettings).sync_glossary_conflict_policy
        return plan_glossary_terms(snapshot, state, policy, self.change)

    def plan_ordered(
        self,
        pairs: Iterable[tuple[str, dict[str, Any] | None, SyncObject | None]],
        settings: Settings,
        *,
        seen: Mapping[str, dict[str, Any]] | None = None,
    ) -> StreamedPlan:
        """`plan`, one Purview term and its state row at a time (bounded memory)."""
        policy = settings.get(TwoSidedSettings).sync_glossary_conflict_policy
        observed = two_sided(seen if seen is not None else {})  # an empty TwoSided is falsy yet observed things
        return plan_pairs_ordered(pairs, observed, glossary_spec(observed), policy, with_rule_set(self.change))

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """One change (see apply_batch)."""
        return self.apply_batch([change], ctx, owner=owner)[0]

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """Intents, creates, updates, deletes and one state commit (writer.py)."""
        return GlossaryTermWriter(ctx, self.object_kind).apply(changes)
