"""Names and definitions of the terms F5 writes, as CluedIn's integration words them (reference cluedin.md §1.2 F5).

CluedIn's screenshots show the definitions cut off ("CluedIn vocabulary "<name>" synced from CluedIn…",
"CluedIn vocabulary key "<name>" (Key: <full key>…", "Root glossary terms to store CluedIn vocab…"); the endings
here are the app's: the organization, and the key's data type and classification, as the issue asks.
Purview (like Apache Atlas) refuses `@` in term names and Atlas also `.`, so both become `_`.
"""

from __future__ import annotations

import re

APPROVED = "Approved"
_FORBIDDEN = re.compile(r"[@.]")
_SPACES = re.compile(r"\s+")


def term_name(text: str, fallback: str) -> str:
    """A name Purview accepts for a term: `@` and `.` replaced, spaces collapsed, never empty."""
    name = _SPACES.sub(" ", _FORBIDDEN.sub("_", text)).strip()
    return name or _SPACES.sub(" ", _FORBIDDEN.sub("_", fallback)).strip() or "unnamed"


def suffixed(name: str, number: int) -> str:
    """A clashing name with its numeric suffix ('Customer 2', 'Customer 3', and so on)."""
    return f"{name} {number}"


def root_name(organization: str) -> str:
    """The root term: `CluedIn-<organization>`."""
    return term_name(f"CluedIn-{organization}", "CluedIn")


def root_definition(organization: str) -> str:
    """Definition of the root term."""
    return f'Root glossary terms to store CluedIn vocabularies synced from CluedIn organization "{organization}".'


def vocabulary_definition(name: str, organization: str) -> str:
    """Definition of a vocabulary's term."""
    return f'CluedIn vocabulary "{name}" synced from CluedIn organization "{organization}".'


def key_definition(display_name: str, full_key: str, data_type: str, classification: str) -> str:
    """Definition of a vocabulary key's term: the full key, its data type and classification.

    The vocabulary's name is not in it, so renaming a vocabulary rewrites one term, not one per key.
    """
    return (
        f'CluedIn vocabulary key "{display_name}" (Key: {full_key}, Data Type: {data_type or "Text"}, '
        f"Classification: {classification or 'None'})."
    )
