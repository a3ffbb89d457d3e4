"""Which Purview terms become vocabularies and keys, and the names CluedIn accepts for them (pure).

A term becomes a vocabulary when it passes the three filters (attribute, term-name regex, template-name regex) and
its parent does not (so a vocabulary is the topmost passing term); its direct child terms become keys. Terms that
came from CluedIn (F5's, or under a `CluedIn-` root) are never considered.

CluedIn's rules for key prefixes — no leading digit, no spaces or special characters — are met by a deterministic
transformation: accents are folded to ASCII, everything but letters, digits and `_` is dropped, and a leading digit
gets a `_`. A term whose name has nothing left is skipped, with the reason in the run report.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sync.core.diff import storage_order
from sync.core.errors import SettingsError
from sync.features.glossary_to_vocabularies.api import vocabulary_description
from sync.features.glossary_to_vocabularies.settings import GlossaryToVocabulariesSettings
from sync.services.purview.glossary import GlossaryListing, GlossaryTerm

DATA_TYPES = (
    "Text", "DateTime", "Time", "Duration", "Boolean", "Integer", "Number", "Uri", "Guid", "Email", "PhoneNumber",
    "TimeZone", "GeographyCity", "GeographyState", "GeographyCountry", "GeographyCoordinates", "GeographyLocation",
    "Json", "Xml", "Html", "IPAddress", "Color", "Money", "Currency", "PersonName", "OrganizationName",
    "Identifier", "Lookup",
)  # fmt: skip
"""CluedIn's vocabulary key data types (reference cluedin.md §2.5)."""
_DATA_TYPES_BY_LOWER = {t.lower(): t for t in DATA_TYPES}
DATA_TYPE_ATTRIBUTES = ("datatype", "cluedindatatype")
"""Term-template attributes (any case) whose value names a key's data type."""
_NOT_WORD = re.compile(r"[^A-Za-z0-9_]")
_TAGS = re.compile(r"<[^>]+>")


def segment(name: str) -> str:
    """A term name as one segment of a CluedIn key prefix or key name ('' when nothing is left)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = _NOT_WORD.sub("", ascii_name)
    return f"_{text}" if text[:1].isdigit() else text


def plain(text: str) -> str:
    """A Purview definition (which may hold HTML) as plain text."""
    return html.unescape(_TAGS.sub("", text)).strip()


def check_templates(settings: GlossaryToVocabulariesSettings, templates: Mapping[str, set[str]]) -> None:
    """The filters must name term templates and attributes that exist.

    Raises:
        SettingsError: naming the setting whose template or attribute the account does not have.
    """
    pattern = re.compile(settings.glossary_to_vocabulary_template_name_pattern)
    matching = {name: attrs for name, attrs in templates.items() if pattern.search(name)}
    if not pattern.search("") and not matching:
        raise SettingsError(
            "GLOSSARY_TO_VOCABULARY_TEMPLATE_NAME_PATTERN matches no term template of the Purview account "
            f"(templates: {', '.join(sorted(templates)) or 'none'})",
            settings=["GLOSSARY_TO_VOCABULARY_TEMPLATE_NAME_PATTERN"],
        )
    wanted = settings.attribute_filter()
    if wanted is not None and not any(wanted[0] in attrs for attrs in matching.values()):
        raise SettingsError(
            f"GLOSSARY_TO_VOCABULARY_ATTRIBUTE_FILTER: no term template defines the attribute '{wanted[0]}' "
            f"(templates: {', '.join(sorted(matching)) or 'none'})",
            settings=["GLOSSARY_TO_VOCABULARY_ATTRIBUTE_FILTER"],
        )


def passes(term: GlossaryTerm, settings: GlossaryToVocabulariesSettings) -> bool:
    """Whether a term passes the attribute, term-name and template-name filters."""
    term_pattern = re.compile(settings.glossary_to_vocabulary_term_pattern)
    if not (term_pattern.search(term.name) or (term.nick_name and term_pattern.search(term.nick_name))):
        return False
    template_pattern = re.compile(settings.glossary_to_vocabulary_template_name_pattern)
    templates = {n: v for n, v in term.templates.items() if template_pattern.search(n)}
    if not templates and not (not term.templates and template_pattern.search("")):
        return False
    wanted = settings.attribute_filter()
    if wanted is None:
        return True
    name, value = wanted
    return any(str(attrs.get(name)).lower() == value.lower() for attrs in templates.values() if name in attrs)


def data_type(term: GlossaryTerm) -> tuple[str, str]:
    """A key's data type from the term's attributes (Text unless one names a CluedIn type), and a note if unknown."""
    known = _DATA_TYPES_BY_LOWER
    for attributes in term.templates.values():
        for name, value in attributes.items():
            if name.lower() in DATA_TYPE_ATTRIBUTES and value not in (None, ""):
                found = known.get(str(value).lower())
                if found is not None:
                    return found, ""
                return "Text", f"term '{term.name}': data type '{value}' is not a CluedIn data type; using Text"
    return "Text", ""


VOCABULARY = "vocab|"
KEY = "word|"
"""State keys: `vocab|<term guid>` for a vocabulary, `word|<term guid>|<child term guid>` for a key. 'word' sorts
after 'vocab', so a partition scan returns every vocabulary first and then the keys grouped by vocabulary: the
order the ordered planner needs (prefixes decided before any key, a vocabulary's keys side by side)."""
LEGACY_KEY = "key|"
"""A key's state key before 5 December 2026 (`key|<child term guid>`); the feature's set-up moves such rows."""


def vocabulary_key(guid: str) -> str:
    """The state key of the vocabulary made of a term."""
    return f"{VOCABULARY}{guid}"


def key_key(vocabulary_guid: str, child_guid: str) -> str:
    """The state key of the vocabulary key made of a child term."""
    return f"{KEY}{vocabulary_guid}|{child_guid}"


def is_vocabulary(key: str) -> bool:
    """Whether a state key names a vocabulary (else a key)."""
    return key.startswith(VOCABULARY)


def key_group(key: str) -> str:
    """The vocabulary term guid a key's state key is grouped under."""
    return key[len(KEY) :].partition("|")[0]


def child_guid(key: str) -> str:
    """The child term guid of a key's state key."""
    return key.rpartition("|")[2]


@dataclass
class Choice:
    """Which terms the glossary makes vocabularies and keys of, and why others were skipped; entries made on demand.

    Holding terms (already in the listing) rather than entries lets the ordered planner make each entry as it is
    paired with its state row, so a large glossary's entries are never held at once.
    """

    settings: GlossaryToVocabulariesSettings
    vocabularies: list[GlossaryTerm] = field(default_factory=list)
    """Topmost passing terms with a usable name, by state key."""
    children: dict[str, list[GlossaryTerm]] = field(default_factory=dict)
    """Vocabulary term guid → its child terms with a usable name, by state key."""
    notes: list[str] = field(default_factory=list)

    def vocabulary(self, term: GlossaryTerm) -> dict[str, Any]:
        """The desired entry of a vocabulary term."""
        name = segment(term.name)
        return {
            "segment": name,
            "values": {"vocabularyName": term.name, "description": vocabulary_description(term.name)},
            "entity_type": f"/{self.settings.business_domain_prefix}/{name}",
            "entity_type_name": term.name,
            "prefix": self.settings.vocabulary_prefix,
            "group": term.guid,
            "label": f"vocabulary of term '{term.name}'",
        }

    def key(self, term: GlossaryTerm, child: GlossaryTerm) -> dict[str, Any]:
        """The desired entry of a child term under its vocabulary term."""
        return {
            "segment": segment(child.name),
            "values": {
                "displayName": child.name,
                "dataType": data_type(child)[0],
                "description": plain(child.long_description or child.short_description),
            },
            "parent": vocabulary_key(term.guid),
            "group": term.guid,
            "label": f"vocabulary key of term '{term.name}/{child.name}'",
        }

    def desired(self) -> dict[str, dict[str, Any]]:
        """Every entry at once (the whole-mapping plan: targeted runs, rollback, tests)."""
        return dict(self.ordered())

    def ordered(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(state key, entry) in storage order: every vocabulary, then the keys vocabulary by vocabulary."""
        for term in self.vocabularies:
            yield vocabulary_key(term.guid), self.vocabulary(term)
        by_group = sorted(self.vocabularies, key=lambda t: storage_order(key_key(t.guid, "")))
        for term in by_group:
            for child in self.children.get(term.guid, []):
                yield key_key(term.guid, child.guid), self.key(term, child)


def choose(listing: GlossaryListing, skip: set[str], settings: GlossaryToVocabulariesSettings) -> Choice:
    """The vocabulary terms (`vocab|<term guid>`) and their child terms (`word|<term guid>|<child guid>`)."""
    chosen = Choice(settings)
    candidates = {g: t for g, t in listing.terms.items() if g not in skip}
    passing = {g for g, t in candidates.items() if passes(t, settings)}
    children: dict[str, list[GlossaryTerm]] = {}  # one pass: asking the listing per vocabulary is quadratic
    for term in listing.terms.values():
        if term.parent_guid in passing:
            children.setdefault(term.parent_guid, []).append(term)
    for guid in sorted(passing, key=lambda g: (listing.terms[g].name, g)):
        term = listing.terms[guid]
        if term.parent_guid in passing:
            continue
        if not segment(term.name):
            chosen.notes.append(f"skipped term '{term.name}': no letter or digit CluedIn accepts in a key prefix")
            continue
        chosen.vocabularies.append(term)
        kept: list[GlossaryTerm] = []
        for child in sorted(children.get(guid, []), key=lambda t: (t.name, t.guid)):
            if child.guid in skip:
                continue
            if not segment(child.name):
                chosen.notes.append(f"skipped term '{child.name}': no letter or digit CluedIn accepts in a key name")
                continue
            note = data_type(child)[1]
            if note:
                chosen.notes.append(note)
            kept.append(child)
        chosen.children[guid] = sorted(kept, key=lambda t: storage_order(key_key(guid, t.guid)))
    chosen.vocabularies.sort(key=lambda t: storage_order(vocabulary_key(t.guid)))
    return chosen
