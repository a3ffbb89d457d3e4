"""What "Purview glossaries → CluedIn glossary" (F7) publishes: the CluedIn glossary terms it made.

Rows of kind `purview_glossary_term`, one per Purview term (`term|<term guid>` → CluedIn term id). No other feature
reads them today; they are here so an operator tool or a later feature reads them as types, not as JSON.
"""

from __future__ import annotations

from sync.core.state import StateStore

PURVIEW_GLOSSARY_TERM_KIND = "purview_glossary_term"


def synced_term_ids(state: StateStore) -> dict[str, str]:
    """Purview term guid → the CluedIn glossary term made from it."""
    return {
        obj.key.split("|", 1)[1]: str(obj.target["id"])
        for obj in state.iter_objects(PURVIEW_GLOSSARY_TERM_KIND)
        if obj.target.get("id") and obj.status in ("active", "orphaned")
    }
