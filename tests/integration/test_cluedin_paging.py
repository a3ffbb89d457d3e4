"""Paged CluedIn reads with read-ahead: the same items and the same calls, the next page asked for early."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from sync.core.telemetry import collect_calls
from sync.services.cluedin.client import PAGENUMBER_PAGESIZE, CluedInClient
from tests.support.stack import build_stack


@pytest.fixture()
def cluedin(azurite, purview, fresh_cluedin_emulator) -> CluedInClient:
    """An organization with seven vocabularies: four pages of two."""
    vocabularies = [{"name": f"Vocabulary {v}", "keyPrefix": f"vocab{v}", "keys": []} for v in range(7)]
    fresh_cluedin_emulator.seed({"organization": {"name": fresh_cluedin_emulator.org}, "vocabularies": vocabularies})
    return build_stack(azurite, purview, fresh_cluedin_emulator, seed={}).cluedin_client()


def _vocabularies(cluedin: CluedInClient, *, read_ahead: bool) -> Any:
    return cluedin.iter_pages(
        "vocabularies",
        ("management", "vocabularies"),
        PAGENUMBER_PAGESIZE,
        page_size=2,
        id_key="vocabularyId",
        read_ahead=read_ahead,
    )


def _read(cluedin: CluedInClient, *, read_ahead: bool) -> tuple[list[str], int]:
    with collect_calls() as calls:
        ids = [node["vocabularyId"] for node in _vocabularies(cluedin, read_ahead=read_ahead)]
    return ids, calls["cluedin"].calls


def test_read_ahead_reads_the_same_items_with_the_same_calls(cluedin: CluedInClient):
    _read(cluedin, read_ahead=False)  # signs in first: the token request is not a page
    plain, plain_calls = _read(cluedin, read_ahead=False)
    ahead, ahead_calls = _read(cluedin, read_ahead=True)
    assert len(plain) == 7 and plain_calls == 4
    assert ahead == plain and ahead_calls == plain_calls  # the prefetching thread's calls are counted too


def test_the_next_page_is_asked_for_while_the_caller_works(cluedin: CluedInClient, monkeypatch: pytest.MonkeyPatch):
    asked: list[str] = []
    real = cluedin.graphql

    def recording(document: str, variables: Any = None, **kwargs: Any) -> Any:
        asked.append(threading.current_thread().name)
        return real(document, variables, **kwargs)

    monkeypatch.setattr(cluedin, "graphql", recording)
    pages = _vocabularies(cluedin, read_ahead=True)
    for _ in range(3):  # page 1's two items, then the first of page 2, which was asked for while page 1 was read
        next(pages)
    main = threading.current_thread().name
    assert asked[0] == main and asked[1] != main
    pages.close()  # a caller that stops early costs at most the page asked for ahead (page 3 here), unawaited
    assert len(asked) <= 3
