"""Glossary categories through the official SDK's category operations (issue 11, item 10).

Rules are Apache Atlas's GlossaryService/GlossaryCategoryUtils (Purview's classic glossary runs on them);
the hierarchical qualifiedName `child.parent@Glossary` is the one the official examples show, and the
partial update is limited to the descriptions, as the spec's operation description says.
"""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError

from tests.emulators.purview.helpers import sdk_client


def _glossary(client: Any) -> str:
    return str(next(g for g in client.glossary.batch_get() if g["name"] == "Glossary")["guid"])


def _error(call: Any) -> tuple[int, str]:
    with pytest.raises(HttpResponseError) as raised:
        call()
    model = raised.value.model
    assert model is not None
    return raised.value.status_code or 0, str(model["errorCode"])


def test_category_crud_hierarchy_and_terms_from_both_sides(purview):
    client = sdk_client(purview)
    glossary = _glossary(client)
    anchor = {"glossaryGuid": glossary}
    two: list[Any] = [{"name": "Finance", "anchor": anchor}, {"name": "HR", "anchor": anchor}]
    finance, hr = client.glossary.create_categories(two)
    assert finance["qualifiedName"] == "Finance@Glossary"
    ledger = client.glossary.create_category(
        {
            "name": "Ledger",
            "anchor": anchor,
            "parentCategory": {"categoryGuid": finance["guid"]},
            "shortDescription": "GL",
        }
    )
    assert ledger["qualifiedName"] == "Ledger.Finance@Glossary"
    assert ledger["parentCategory"]["categoryGuid"] == finance["guid"]

    term = client.glossary.create_term(
        {"name": "Invoice", "anchor": anchor, "categories": [{"categoryGuid": ledger["guid"]}]}
    )
    assert [c["categoryGuid"] for c in term["categories"]] == [ledger["guid"]]
    assert [t["termGuid"] for t in client.glossary.get_category_terms(ledger["guid"])] == [term["guid"]]
    related = client.glossary.get_related_categories(finance["guid"])
    assert [c["categoryGuid"] for c in related["children"]] == [ledger["guid"]] and "parent" not in related

    # a full update of the category replaces its terms and parent: move Ledger under HR, drop the term
    moved = client.glossary.update_category(
        ledger["guid"], {"name": "Ledger", "parentCategory": {"categoryGuid": hr["guid"]}}
    )
    assert moved["qualifiedName"] == "Ledger.HR@Glossary" and "terms" not in moved
    assert "categories" not in client.glossary.get_term(term["guid"])
    # ... and the term side can categorize again
    client.glossary.update_term(term["guid"], {**term, "categories": [{"categoryGuid": hr["guid"]}]})
    assert [t["displayText"] for t in client.glossary.get_category(hr["guid"])["terms"]] == ["Invoice"]

    partial = client.glossary.partial_update_category(hr["guid"], {"longDescription": "People"})
    assert partial["longDescription"] == "People" and partial["name"] == "HR"
    names = [c["name"] for c in client.glossary.get_categories(glossary, sort="ASC")]
    assert names == ["Finance", "HR", "Ledger"]
    headers = client.glossary.get_categories_headers(glossary)
    assert {h["displayText"]: h.get("parentCategoryGuid") for h in headers}["Ledger"] == hr["guid"]
    detailed = client.glossary.get_detailed(glossary)
    assert set(detailed["categoryInfo"]) == {finance["guid"], hr["guid"], ledger["guid"]}

    client.glossary.delete_category(hr["guid"])  # Ledger moves to the top, the term is uncategorized
    assert client.glossary.get_category(ledger["guid"])["qualifiedName"] == "Ledger@Glossary"
    assert "categories" not in client.glossary.get_term(term["guid"])
    with pytest.raises(ResourceNotFoundError):
        client.glossary.get_category(hr["guid"])


def test_category_errors_are_atlas_shaped(purview):
    client = sdk_client(purview)
    glossary = _glossary(client)
    anchor = {"glossaryGuid": glossary}
    top = client.glossary.create_category({"name": "Top", "anchor": anchor})
    with pytest.raises(ResourceExistsError):
        client.glossary.create_category({"name": "Top", "anchor": anchor})
    assert _error(lambda: client.glossary.create_category({"name": "a.b", "anchor": anchor})) == (
        400,
        "ATLAS-400-00-083",
    )
    assert _error(lambda: client.glossary.create_category({"name": "x"})) == (400, "ATLAS-400-00-072")
    assert _error(lambda: client.glossary.create_category({"anchor": anchor})) == (400, "ATLAS-400-00-07B")
    assert _error(lambda: client.glossary.partial_update_category(top["guid"], {"name": "Renamed"})) == (
        400,
        "ATLAS-400-00-074",
    )
    child = client.glossary.create_category(
        {"name": "Child", "anchor": anchor, "parentCategory": {"categoryGuid": top["guid"]}}
    )
    cycle = {"name": "Top", "parentCategory": {"categoryGuid": child["guid"]}}
    assert _error(lambda: client.glossary.update_category(top["guid"], cycle)) == (400, "ATLAS-400-00-01A")
    other = client.glossary.create({"name": "Other"})
    stranger = {"name": "S", "anchor": {"glossaryGuid": other["guid"]}, "parentCategory": {"categoryGuid": top["guid"]}}
    assert _error(lambda: client.glossary.create_category(stranger)) == (400, "ATLAS-400-00-07F")
    assert _error(lambda: client.glossary.create_category({"name": "T", "anchor": anchor, "terms": [{}]})) == (
        400,
        "ATLAS-400-00-076",
    )
    client.glossary.delete(other["guid"])  # deleting a glossary deletes its categories
    assert [c["name"] for c in client.glossary.get_categories(glossary)] == ["Top", "Child"]
