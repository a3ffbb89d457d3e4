"""Glossary terms as the features select assets by them: by name, by `name@glossary`, or by a name pattern.

Search filters assets by term name (`{"term": ...}`, optionally with `"glossary"`). A feature that judges single
entities read by guid — a plan of only what Purview notified — applies the same exact-name rule to the terms an
entity's `meanings` name; only `Term@Glossary` keywords need the glossaries listed, since `meanings` do not say
which glossary a term belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sync.services.purview.assets import assigned_terms
from sync.services.purview.client import PurviewClient


@dataclass(frozen=True)
class GlossaryTerm:
    """One glossary term: its name, its glossary's name and its guid."""

    name: str
    glossary: str
    guid: str


def iter_terms(purview: PurviewClient) -> Iterator[GlossaryTerm]:
    """Every term of every glossary."""
    for glossary in purview.list_glossaries():
        glossary_name = str(glossary.get("name") or glossary.get("qualifiedName") or "")
        for term in purview.iter_glossary_terms(str(glossary.get("guid"))):
            name = str(term.get("name") or term.get("displayText") or "")
            if name and term.get("guid"):
                yield GlossaryTerm(name, glossary_name, str(term["guid"]))


def keyword_matcher(purview: PurviewClient, keywords: list[str]) -> Callable[[dict[str, Any]], bool]:
    """Whether an entity carries one of the keywords, as search's `term` filter decides.

    'Term' matches a term of that name in any glossary: the entity's `meanings` name their terms, so no call is
    needed. 'Term@Glossary' needs the glossary, which `meanings` do not carry: those keywords are resolved to term
    guids (one listing of the glossaries, only when such a keyword is configured).
    """
    names = {k for k in keywords if "@" not in k}
    qualified = {k for k in keywords if "@" in k}
    guids = {t.guid for t in iter_terms(purview) if f"{t.name}@{t.glossary}" in qualified} if qualified else set()
    return lambda entity: any(name in names or guid in guids for guid, name in assigned_terms(entity))


def pattern_matcher(pattern: str) -> Callable[[dict[str, Any]], bool]:
    """Whether an entity carries a term whose name matches a regular expression (.NET's Regex.IsMatch)."""
    regex = re.compile(pattern)
    return lambda entity: any(regex.search(name) for _, name in assigned_terms(entity))


def pattern_rule(pattern: str) -> Callable[[GlossaryTerm], bool]:
    """Whether a term's name matches a regular expression anywhere in it (.NET's Regex.IsMatch)."""
    regex = re.compile(pattern)
    return lambda term: regex.search(term.name) is not None
