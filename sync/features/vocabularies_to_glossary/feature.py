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

from collections.abc import Mapping
from typing import Any, ClassVar

from sync.core.feature import ApplyOutcome, Feature, SetupStep, Snapshot, SyncContext
from sync.core.messages import Change, Queues
from sync.core.settings import Settings
from sync.core.state import SyncObject
from sync.core.twoway import TwoSided, TwoSidedSettings
from sync.features.glossary_to_vocabularies.api import vocabularies_from_purview
from sync.features.vocabularies_to_glossary.api import ORIGIN_NAMES, VOCABULARY_TERM_KIND
from sync.features.vocabularies_to_glossary.bundles import bundle, explode
from sync.features.vocabularies_to_glossary.plan import plan_terms
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


def desired_terms(
    facts: Mapping[str, dict[str, Any]], skip: set[str], organization: str, *, under_root: bool
) -> dict[str, dict[str, Any]]:
    """The term of every vocabulary (but those in `skip`) and of each of its keys."""
    desired: dict[str, dict[str, Any]] = {}
    for vid, data in sorted(facts.items()):
        if vid in skip:
            continue
        vocabulary = data["vocabulary"]
        name = str(vocabulary["name"])
        desired[f"vocab|{vid}"] = {
            "base": term_name(name, str(vocabulary["key_prefix"])),
            "definition": vocabulary_definition(name, organization),
            "status": APPROVED,
            "parent": ROOT_ROW if under_root else None,
            "group": vid,
            "label": f"term of vocabulary '{name}'",
        }
        for key in data.get("keys") or []:
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


def observe(listing: GlossaryListing, target: Target) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Every term of the target glossary as the three-way check compares it, and what the plan needs besides.

    Besides: the names taken there, and the resource links of terms that came from CluedIn (to take them back
    when state was lost).
    """
    if target.glossary_guid is None or listing.glossary(target.glossary_guid) is None:
        return {}, {"names": {}, "origins": {}}
    observed: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    origins: dict[str, str] = {}
    for term in listing.terms_of(target.glossary_guid):
        origins.update((url, term.guid) for name, url in term.resources if name in ORIGIN_NAMES)
        observed[term.guid] = {
            "name": term.name,
            "longDescription": term.long_description,
            "status": term.status,
            "parent": term.parent_guid,
            "assigned": term.assigned,
        }
        names[term.name] = term.guid
    return observed, {"names": names, "origins": origins}


class VocabulariesToGlossaryFeature(Feature):
    """CluedIn vocabularies and keys → Purview glossary terms."""

    name: ClassVar[str] = "vocabularies_to_glossary"
    title: ClassVar[str] = "Sync CluedIn vocabularies to Purview glossaries"
    settings_model = VocabulariesToGlossarySettings
    needs: ClassVar[tuple[str, ...]] = ("purview", "cluedin")
    change_feeds: ClassVar[Mapping[str, frozenset[str]]] = {"cluedin": FEED_TYPES}
    object_kind: ClassVar[str] = VOCABULARY_TERM_KIND
    queue: ClassVar[Queues] = Queues.GLOSSARY
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
        """The term every vocabulary and key should have, and every term the target glossary holds now."""
        settings = ctx.settings.get(VocabulariesToGlossarySettings)
        cluedin: CluedInClient = ctx.client("cluedin")
        target = resolve_target(ctx)
        source = read_vocabularies(cluedin, ctx.state, ctx.feed("cluedin"))
        descriptions = {vid: str(f["vocabulary"].get("description") or "") for vid, f in source.facts.items()}
        skip = vocabularies_from_purview(ctx.state, descriptions)
        desired = desired_terms(
            source.facts,
            skip,
            cluedin.organization,
            under_root=settings.sync_cluedin_vocabularies_to_purview_glossaries_root_glossary_term,
        )
        observed, context = observe(glossary_listing(ctx), target)
        context.update(root_guid=target.root_guid, glossary_guid=target.glossary_guid, cluedin_url=cluedin.base_url)
        snapshot = TwoSided(desired, observed=observed, complete=True, context=context)
        return Snapshot(snapshot, after_send=[source.store(ctx.state)])

    def plan(
        self, snapshot: Mapping[str, dict[str, Any]], state: Mapping[str, SyncObject], settings: Settings
    ) -> list[Change]:
        """Term by term (plan.py), then one change per vocabulary (bundles.py)."""
        policy = settings.get(TwoSidedSettings).sync_glossary_conflict_policy
        terms = explode(state)
        planned = plan_terms(snapshot, terms, policy, self.change)
        owned = sum(1 for key, row in terms.items() if row.active and key.startswith(("vocab|", "key|")))
        return bundle(planned, state, settings.engine, self.change, owned_terms=owned)

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
