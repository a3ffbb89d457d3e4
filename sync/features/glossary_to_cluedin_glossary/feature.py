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

from collections.abc import Mapping
from typing import Any, ClassVar

from sync.core.changefeed import FeedWindow
from sync.core.feature import ApplyOutcome, Feature, SetupStep, Snapshot, SyncContext
from sync.core.messages import Change, Queues
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.core.twoway import ConflictPolicy, PairSpec, Planned, TwoSided, TwoSidedSettings, plan_pairs, two_sided
from sync.features.glossary_to_cluedin_glossary.api import PURVIEW_GLOSSARY_TERM_KIND
from sync.features.glossary_to_cluedin_glossary.rules import tagged_with
from sync.features.glossary_to_cluedin_glossary.settings import GlossaryToCluedInGlossarySettings
from sync.features.glossary_to_cluedin_glossary.writer import GlossaryTermWriter
from sync.features.vocabularies_to_glossary.api import terms_from_cluedin
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
    desired: dict[str, dict[str, Any]] = {}
    for guid, term in sorted(listing.terms.items()):
        if guid in skip:
            continue
        name = flattened_name(listing, guid)
        desired[f"term|{guid}"] = {
            "values": {"name": name, "shortDescription": term.short_description, "description": term.long_description},
            "category": settings.category_of(term.glossary_name),
            "rule_set": tagged_with(guid, name),
            "label": f"glossary term '{name}'",
        }
    return desired


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


def plan_glossary_terms(
    snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], policy: ConflictPolicy, make: Any
) -> Planned:
    """Creates, three-way updates (category is structure) and deletes."""
    known = two_sided(snapshot).context.get("categories") or {}

    def structure(key: str, entry: dict[str, Any], row: SyncObject, now: dict[str, Any]) -> dict[str, Any]:
        expected = known.get(entry["category"])
        return {"categoryId": expected} if expected and now.get("categoryId") not in (None, expected) else {}

    spec = PairSpec(
        fields=lambda key: FIELDS,
        target_id=lambda row: str(row.target.get("id") or "") or None,
        label=lambda key, entry: str(entry.get("label") or key),
        target_side="CluedIn",
        structure=structure,
    )
    return plan_pairs(snapshot, state, spec, policy, make)


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
        skip = terms_from_cluedin(ctx.state, listing)
        wanted = {settings.category_of(t.glossary_name) for g, t in listing.terms.items() if g not in skip}
        existing = {name.lower() for name in categories(cluedin)}
        return [category_step(cluedin, name) for name in sorted(wanted) if name.lower() not in existing]

    def snapshot(self, ctx: SyncContext) -> Snapshot:
        """The CluedIn term each Purview term should have, and CluedIn's glossary when it reported changes."""
        settings = ctx.settings.get(GlossaryToCluedInGlossarySettings)
        cluedin: CluedInClient = ctx.client("cluedin")
        listing = glossary_listing(ctx)
        desired = desired_terms(listing, terms_from_cluedin(ctx.state, listing), settings)
        observed, complete = observe(cluedin, ctx.feed("cluedin"))
        context = {"categories": categories(cluedin) if complete else {}}
        return Snapshot(TwoSided(desired, observed=observed, complete=complete, context=context))

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        """Creates, three-way updates and deletes."""
        policy = settings.get(TwoSidedSettings).sync_glossary_conflict_policy
        return plan_glossary_terms(snapshot, state, policy, self.change)

    def apply(self, change: Change, ctx: SyncContext, *, owner: str) -> ApplyOutcome:
        """One change (see apply_batch)."""
        return self.apply_batch([change], ctx, owner=owner)[0]

    def apply_batch(self, changes: list[Change], ctx: SyncContext, *, owner: str) -> list[ApplyOutcome]:
        """Intents, creates, updates, deletes and one state commit (writer.py)."""
        return GlossaryTermWriter(ctx, self.object_kind).apply(changes)
