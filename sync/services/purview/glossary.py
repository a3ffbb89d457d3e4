"""Purview's classic glossaries as the app reads them: every glossary and term, one listing per tick.

Purview emits no notification for glossary changes (reference purview-more.md: not in the Atlas hook), so the
glossary features poll: one call lists the glossaries (without their embedded terms, which can time out on big
glossaries) and one call per thousand terms lists each glossary's terms with everything the features compare —
names, definitions, status, parent, term-template attributes, resources and assignments. Three features read the
same listing within a tick, so it is read once per tick (`SyncContext.once_per_tick`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sync.core.feature import SyncContext
from sync.services.purview.client import PurviewClient

TERMS_PAGE = 1000


_NO_TEMPLATES: Mapping[str, Mapping[str, Any]] = MappingProxyType({})


@dataclass(frozen=True)
class Glossary:
    """A classic glossary."""

    guid: str
    name: str


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    """A classic glossary term, as listed.

    A tick holds every term of the account (the glossary features share one listing): slots, no empty template
    dict per term, and the few words every term repeats (status, link names) held once keep that small.
    """

    guid: str
    name: str
    glossary_guid: str
    glossary_name: str
    parent_guid: str | None = None
    status: str = ""
    short_description: str = ""
    long_description: str = ""
    nick_name: str = ""
    templates: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Term-template attributes: template name → attribute → value."""
    resources: tuple[tuple[str, str], ...] = ()
    """(displayName, url) of the term's resource links."""
    assigned: int = 0
    """How many entities the term is assigned to."""

    @classmethod
    def from_atlas(cls, body: Mapping[str, Any], glossary: Glossary) -> GlossaryTerm:
        """From an `AtlasGlossaryTerm`."""
        parent = body.get("parentTerm") or {}
        raw_templates = body.get("attributes") or {}
        templates = {str(name): dict(values) for name, values in raw_templates.items() if isinstance(values, Mapping)}
        links = body.get("resources") or []
        return cls(
            guid=str(body["guid"]),
            name=str(body.get("name") or ""),
            glossary_guid=glossary.guid,
            glossary_name=glossary.name,
            parent_guid=str(parent["termGuid"]) if isinstance(parent, Mapping) and parent.get("termGuid") else None,
            status=sys.intern(str(body.get("status") or "")),
            short_description=str(body.get("shortDescription") or ""),
            long_description=str(body.get("longDescription") or ""),
            nick_name=str(body.get("nickName") or ""),
            templates=templates or _NO_TEMPLATES,
            resources=tuple(
                (sys.intern(str(r.get("displayName") or "")), str(r.get("url") or ""))
                for r in links
                if isinstance(r, Mapping)
            ),
            assigned=len(body.get("assignedEntities") or []),
        )


@dataclass
class GlossaryListing:
    """Every glossary and term of the account at one moment."""

    glossaries: list[Glossary] = field(default_factory=list)
    terms: dict[str, GlossaryTerm] = field(default_factory=dict)

    def glossary(self, guid: str) -> Glossary | None:
        """A glossary by guid."""
        return next((g for g in self.glossaries if g.guid == guid), None)

    def glossary_named(self, name: str) -> Glossary | None:
        """A glossary by its name."""
        return next((g for g in self.glossaries if g.name == name), None)

    def terms_of(self, glossary_guid: str) -> list[GlossaryTerm]:
        """Terms of one glossary."""
        return [t for t in self.terms.values() if t.glossary_guid == glossary_guid]

    def children(self, guid: str) -> list[GlossaryTerm]:
        """Direct child terms of a term."""
        return [t for t in self.terms.values() if t.parent_guid == guid]

    def ancestors(self, term: GlossaryTerm) -> list[GlossaryTerm]:
        """A term's ancestors, the root first (a broken or cyclic chain stops where it breaks)."""
        chain: list[GlossaryTerm] = []
        seen = {term.guid}
        current = term
        while current.parent_guid and current.parent_guid in self.terms and current.parent_guid not in seen:
            current = self.terms[current.parent_guid]
            seen.add(current.guid)
            chain.append(current)
        return list(reversed(chain))


def iter_terms(purview: PurviewClient, glossary: Glossary) -> Iterator[GlossaryTerm]:
    """Terms of one glossary, a thousand per call."""
    for body in purview.iter_glossary_terms(glossary.guid, page_size=TERMS_PAGE):
        if body.get("guid"):
            yield GlossaryTerm.from_atlas(body, glossary)


def read_listing(purview: PurviewClient) -> GlossaryListing:
    """Every glossary and term (1 + ⌈terms/1000⌉ calls per glossary)."""
    listing = GlossaryListing()
    for body in purview.list_glossaries():
        if not body.get("guid"):
            continue
        glossary = Glossary(guid=str(body["guid"]), name=str(body.get("name") or ""))
        listing.glossaries.append(glossary)
        for term in iter_terms(purview, glossary):
            listing.terms[term.guid] = term
    return listing


def glossary_listing(ctx: SyncContext) -> GlossaryListing:
    """The account's glossaries and terms as read once in this tick (shared by the glossary features)."""
    purview: PurviewClient = ctx.client("purview")
    return ctx.once_per_tick("purview:glossary-listing", lambda: read_listing(purview))


def template_names(templates: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Term template name → the names of its attributes."""
    return {
        str(t.get("name")): {str(a.get("name")) for a in t.get("attributeDefs") or [] if a.get("name")}
        for t in templates
        if t.get("name")
    }
