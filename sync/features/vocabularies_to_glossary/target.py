"""Where F5's terms go: the glossary and the root term `CluedIn-<organization>`.

The glossary is the one a setting names, else the account's first one, else a new one; both are resolved from the
shared glossary listing and created by set-up steps.

Both are recorded as rows of F5's own kind (`glossary`, `root`), so the choice of "the first glossary" does not
move when someone adds a glossary, and appliers find the guids with the rows they read anyway. The steps only
run when the cycle may write; in dry-run the plan shows them and plans every term as a create.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.core.errors import ConflictError, SettingsError
from sync.core.feature import SetupStep, SyncContext
from sync.core.state import StateStore, SyncObject
from sync.features.vocabularies_to_glossary.api import VOCABULARY_TERM_KIND, origin_link
from sync.features.vocabularies_to_glossary.settings import VocabulariesToGlossarySettings
from sync.features.vocabularies_to_glossary.texts import APPROVED, root_definition, root_name
from sync.services.cluedin.client import CluedInClient
from sync.services.purview.client import PurviewClient
from sync.services.purview.glossary import Glossary, GlossaryListing, glossary_listing, iter_terms

GLOSSARY_ROW = "glossary"
ROOT_ROW = "root"
DEFAULT_GLOSSARY = "Glossary"
SETTING = "PURVIEW_VOCABULARIES_GLOSSARY_NAME"


@dataclass
class Target:
    """The glossary and root term F5 writes under (guids None while they are still to be created)."""

    glossary_guid: str | None
    glossary_name: str
    root_guid: str | None
    root_name: str | None
    """None when the root term is turned off."""
    steps: list[SetupStep]


def resolve_target(ctx: SyncContext) -> Target:
    """The glossary and root term, and the set-up steps that create or record them (only reads).

    Raises:
        SettingsError: the glossary the setting names does not exist.
    """
    settings = ctx.settings.get(VocabulariesToGlossarySettings)
    listing = glossary_listing(ctx)
    rows = ctx.state.read_many(VOCABULARY_TERM_KIND, [GLOSSARY_ROW, ROOT_ROW])
    glossary, create = _glossary(listing, settings.purview_vocabularies_glossary_name, rows.get(GLOSSARY_ROW))
    cluedin: CluedInClient = ctx.client("cluedin")
    steps: list[SetupStep] = []
    recorded = rows.get(GLOSSARY_ROW)
    if create is not None:
        steps.append(SetupStep(f"create the Purview glossary '{create}'", lambda: _create_glossary(ctx, create)))
    elif glossary is not None and (recorded is None or recorded.target.get("guid") != glossary.guid):
        steps.append(
            SetupStep(f"sync vocabularies into the Purview glossary '{glossary.name}'", lambda: _record(ctx, glossary))
        )
    name = glossary.name if glossary is not None else str(create)
    if not settings.sync_cluedin_vocabularies_to_purview_glossaries_root_glossary_term:
        return Target(glossary.guid if glossary else None, name, None, None, steps)
    root = root_name(cluedin.organization)
    root_row = rows.get(ROOT_ROW)
    root_guid = None
    if glossary is not None:
        own = root_row.target.get("guid") if root_row is not None else None
        tops = [t for t in listing.terms_of(glossary.guid) if t.parent_guid is None]
        found = next((t for t in tops if t.guid == own), None) or next((t for t in tops if t.name == root), None)
        root_guid = found.guid if found is not None else None
    if root_guid is None or root_row is None or root_row.target.get("guid") != root_guid:
        verb = "create" if root_guid is None else "adopt"
        steps.append(SetupStep(f"{verb} the root glossary term '{root}'", lambda: _ensure_root(ctx, root, root_guid)))
    return Target(glossary.guid if glossary else None, name, root_guid, root, steps)


def _glossary(listing: GlossaryListing, named: str, row: SyncObject | None) -> tuple[Glossary | None, str | None]:
    if named.strip():
        found = listing.glossary_named(named.strip())
        if found is None:
            raise SettingsError(
                f"{SETTING}: no Purview glossary is named '{named.strip()}' (glossaries: "
                f"{', '.join(sorted(g.name for g in listing.glossaries)) or 'none'})",
                settings=[SETTING],
            )
        return found, None
    recorded = listing.glossary(str(row.target.get("guid"))) if row is not None else None
    if recorded is not None:
        return recorded, None
    if listing.glossaries:
        return listing.glossaries[0], None
    return None, DEFAULT_GLOSSARY


def _save(state: StateStore, key: str, guid: str, name: str) -> None:
    row = state.get_object(VOCABULARY_TERM_KIND, key) or SyncObject(VOCABULARY_TERM_KIND, key)
    row.target = {"guid": guid, "name": name}
    row.data = {"label": f"Purview {key} '{name}'"}
    row.status = "active"
    state.save(row)


def _record(ctx: SyncContext, glossary: Glossary) -> None:
    _save(ctx.state, GLOSSARY_ROW, glossary.guid, glossary.name)


def _create_glossary(ctx: SyncContext, name: str) -> None:
    purview: PurviewClient = ctx.client("purview")
    try:
        created = purview.create_glossary(name, short_description="Business glossary")
        guid = str(created["guid"])
    except ConflictError:  # created meanwhile (another host's step): use it
        guid = next(str(g["guid"]) for g in purview.list_glossaries() if g.get("name") == name)
    _save(ctx.state, GLOSSARY_ROW, guid, name)


def _ensure_root(ctx: SyncContext, name: str, existing: str | None) -> None:
    purview: PurviewClient = ctx.client("purview")
    cluedin: CluedInClient = ctx.client("cluedin")
    row = ctx.state.get_object(VOCABULARY_TERM_KIND, GLOSSARY_ROW)
    assert row is not None, "the glossary step runs first"
    guid = existing
    if guid is None:
        body = {
            "name": name,
            "anchor": {"glossaryGuid": row.target["guid"]},
            "status": APPROVED,
            "longDescription": root_definition(cluedin.organization),
            "resources": [origin_link(cluedin.base_url)],
        }
        try:
            guid = str(purview.create_terms([body])[0]["guid"])
        except ConflictError:  # another host created it meanwhile
            glossary = Glossary(str(row.target["guid"]), str(row.target.get("name")))
            guid = next(t.guid for t in iter_terms(purview, glossary) if t.name == name and t.parent_guid is None)
    _save(ctx.state, ROOT_ROW, guid, name)
