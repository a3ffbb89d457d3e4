"""Glossary terms as the features select assets by them: by name, by `name@glossary`, or by a name pattern.

Search filters assets by term name (`{"term": ...}`, optionally with `"glossary"`). An entity read lists the terms
assigned to it only by guid (`relationshipAttributes.meanings`), so a feature that judges single entities — a plan
of only what Purview notified — first turns its keywords or pattern into term guids, with the same exact-name rule
search applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

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


def keyword_rule(keywords: list[str]) -> Callable[[GlossaryTerm], bool]:
    """Whether a term is one of the keywords ('Term' in any glossary, or 'Term@Glossary'), as search matches them."""
    names = {k for k in keywords if "@" not in k}
    qualified = {k for k in keywords if "@" in k}
    return lambda term: term.name in names or f"{term.name}@{term.glossary}" in qualified


def pattern_rule(pattern: str) -> Callable[[GlossaryTerm], bool]:
    """Whether a term's name matches a regular expression anywhere in it (.NET's Regex.IsMatch)."""
    regex = re.compile(pattern)
    return lambda term: regex.search(term.name) is not None


def term_guids(purview: PurviewClient, accepts: Callable[[GlossaryTerm], bool]) -> set[str]:
    """Guids of the terms a rule accepts."""
    return {term.guid for term in iter_terms(purview) if accepts(term)}
