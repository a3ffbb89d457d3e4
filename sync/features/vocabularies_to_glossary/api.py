"""What "CluedIn vocabularies → Purview glossary terms" (F5) publishes: which Purview terms came from CluedIn.

The glossary features of the other direction (F6, F7) must never import a term F5 wrote — that is the echo loop
users of two-way glossary tools complain about. They ask `terms_from_cluedin`, which answers by identity first and
by the object second (decision 0804):

1. state: every term F5 created or adopted (rows of kind `vocabulary_term`: one per vocabulary, `vocab|<id>`, with
   its keys' terms inside; the root `root`), found by guid, so renaming a term in Purview does not fool it;
2. the object: F5 writes a resource link back to the CluedIn vocabulary on every term it creates, which survives
   a lost state row;
3. the product's own guard: root terms named `CluedIn-…` (what CluedIn's built-in integration writes), and every
   term below such a root or below an F5 term.
"""

from __future__ import annotations

from collections.abc import Container

from sync.core.feature import SyncContext
from sync.core.state import StateStore
from sync.services.purview.glossary import GlossaryListing, GlossaryTerm

VOCABULARY_TERM_KIND = "vocabulary_term"
ROOT_PREFIX = "CluedIn-"
ORIGIN_PATH = "/admin/management/catalog/vocabulary/"
"""Path of the resource link F5 puts on its terms (CluedIn's UI route for a vocabulary; the exact route is a guess)."""
ROWS_PAGE = 25
"""F5's state rows per Table Storage page (a vocabulary of 100 keys is a row of ~40 KB)."""
ORIGIN_NAMES = frozenset({"CluedIn vocabulary", "CluedIn vocabulary key", "CluedIn organization"})


def origin_link(cluedin_url: str, vocabulary_id: str | None = None, key_id: str | None = None) -> dict[str, str]:
    """The resource link that marks a term as written from CluedIn (and takes a person to the source)."""
    base = cluedin_url.rstrip("/")
    if vocabulary_id is None:
        return {"displayName": "CluedIn organization", "url": f"{base}/"}
    url = f"{base}{ORIGIN_PATH}{vocabulary_id}"
    if key_id is None:
        return {"displayName": "CluedIn vocabulary", "url": url}
    return {"displayName": "CluedIn vocabulary key", "url": f"{url}/key/{key_id}"}


def origin_of(cluedin_url: str, key: str, vocabulary_id: str) -> dict[str, str]:
    """The resource link of the term of a state key (`vocab|<id>` or `key|<id>`) in a vocabulary."""
    kind, _, ident = key.partition("|")
    return origin_link(cluedin_url, vocabulary_id, ident if kind == "key" else None)


def carries_origin(term: GlossaryTerm, url: str | None = None) -> bool:
    """Whether a term carries F5's resource link (the one with `url`, when given)."""
    for name, link in term.resources:
        if name not in ORIGIN_NAMES:
            continue
        if (link == url) if url is not None else (ORIGIN_PATH in link or name == "CluedIn organization"):
            return True
    return False


def exported_term_guids(state: StateStore, among: Container[str]) -> set[str]:
    """Guids of the Purview terms `among` the given ones that F5 created or adopted (read from its state rows).

    Rows hold a vocabulary's keys each; they are read a few at a time and only guids still listed are kept, so
    the answer costs what the listing does, not what F5 ever wrote.
    """
    guids: set[str] = set()
    for obj in state.iter_objects(VOCABULARY_TERM_KIND, page_size=ROWS_PAGE):
        own = str(obj.target.get("guid") or "")
        guids.update(
            g for g in (own, *(str(k.get("guid") or "") for k in (obj.data.get("keys") or {}).values())) if g in among
        )
    return guids


def terms_from_cluedin(state: StateStore, listing: GlossaryListing) -> set[str]:
    """Guids of the listed terms that came from CluedIn (by state, by their origin link, or by the CluedIn- root)."""
    seeds = exported_term_guids(state, listing.terms)
    seeds |= {t.guid for t in listing.terms.values() if carries_origin(t)}
    seeds |= {t.guid for t in listing.terms.values() if t.parent_guid is None and t.name.startswith(ROOT_PREFIX)}
    found = set(seeds)
    for term in listing.terms.values():
        if term.guid not in found and any(a.guid in seeds for a in listing.ancestors(term)):
            found.add(term.guid)
    return found


def terms_from_cluedin_this_tick(ctx: SyncContext, listing: GlossaryListing) -> set[str]:
    """`terms_from_cluedin`, read once per tick.

    F6 and F7 both ask (F7 in its set-up and its snapshot), and it reads every row F5 keeps, each holding a
    vocabulary's keys.
    """
    return ctx.once_per_tick(
        "vocabularies_to_glossary:terms-from-cluedin", lambda: terms_from_cluedin(ctx.state, listing)
    )
