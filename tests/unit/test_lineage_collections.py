"""Target collection: an id, or a path from the root whose missing segments are created (pure rules)."""

from __future__ import annotations

from typing import Any

import pytest

from sync.core.errors import SettingsError
from sync.services.purview.collections import collection_id_for, resolve_in

ROOT = {"name": "contoso", "friendlyName": "Contoso"}
SALES = {"name": "ab12cd", "friendlyName": "Sales", "parentCollection": {"referenceName": "contoso"}}
CLUEDIN = {"name": "qqxmcm", "friendlyName": "CluedIn", "parentCollection": {"referenceName": "ab12cd"}}
KNOWN: list[dict[str, Any]] = [ROOT, SALES, CLUEDIN]


def test_an_existing_id_is_used_as_is():
    assert resolve_in(KNOWN, "QQXMCM") == ("qqxmcm", [])


def test_a_path_of_friendly_names_from_the_root():
    assert resolve_in(KNOWN, "Contoso/Sales/CluedIn") == ("qqxmcm", [])
    assert resolve_in(KNOWN, "/contoso/ab12cd/") == ("ab12cd", [])
    assert resolve_in(KNOWN, "Contoso") == ("contoso", [])


def test_missing_segments_are_created_under_their_parent_with_deterministic_ids():
    calls = []

    def create(name, friendly, parent):
        calls.append((name, friendly, parent))
        return {"name": name, "friendlyName": friendly, "parentCollection": {"referenceName": parent}}

    resolved, created = resolve_in(KNOWN, "Contoso/Sales/Lineage/CluedIn", create)
    first = collection_id_for(["Contoso", "Sales", "Lineage"])
    second = collection_id_for(["Contoso", "Sales", "Lineage", "CluedIn"])
    assert calls == [(first, "Lineage", "ab12cd"), (second, "CluedIn", first)]
    assert resolved == second and len(created) == 2
    assert collection_id_for(["contoso", "SALES", "lineage"]) == first
    assert len(first) == 6 and first.isalnum()


@pytest.mark.parametrize("value", ["nosuch", "Other/Sales", "", " / "])
def test_unknown_names_fail_naming_the_setting(value):
    with pytest.raises(SettingsError) as info:
        resolve_in(KNOWN, value)
    assert "PURVIEW_COLLECTION_NAME" in str(info.value)
    assert info.value.settings == ["PURVIEW_COLLECTION_NAME"]


def test_without_permission_to_create_the_path_must_exist():
    with pytest.raises(SettingsError, match="does not exist"):
        resolve_in(KNOWN, "Contoso/Sales/New")
