"""The lineage picture in a real headless browser (Debian's Chromium): draws without console errors at 500 data
sets, and its controls work — search, type filter, collapsible columns, details with metrics and portal links.

A screenshot of each page is kept in out/test-artifacts/. Render time is measured by `python -m bench lineage_page`,
never asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.lineage_page import browser, synthetic_graph, write

pytestmark = pytest.mark.slow


def test_the_500_data_set_page_draws_and_its_controls_work(tmp_path: Path):
    graph = synthetic_graph(500)
    page_file = write(graph, tmp_path / "lineage-500.html", purview_url="https://contoso.purview.azure.com")
    with browser() as chrome:
        rendered = chrome.open(page_file)
        assert rendered["nodes"] == len(graph.nodes) == 2020 and rendered["edges"] == len(graph.edges) == 2000
        page = chrome.page
        assert page.locator(".node .col").count() == 0  # 2,020 entities: columns start collapsed
        chrome.screenshot("lineage-500.png")

        page.fill("#search", "DataSet-0042")
        assert page.text_content("#count") == "1 found"
        assert page.locator(".node.hit").count() == 1
        page.press("#search", "Enter")
        page.fill("#search", "")

        page.uncheck("input[data-type=cluedin_entity]")
        assert page.locator(".node").count() == 2000
        page.check("input[data-type=cluedin_entity]")

        page.check("#columns")
        assert page.locator(".node .col").count() > 0

        page.locator('.node[data-id="dataset-42"]').dispatch_event("click")
        details = page.text_content("#details") or ""
        assert "DataSet-0042" in details and "recordsReceived" in details and "142" in details
        link = page.locator("#details a", has_text="open in the Purview portal").get_attribute("href")
        assert link == "https://web.purview.azure.com/resource/contoso/main/catalog/entity?guid=dataset-42"
        assert page.locator("#details a", has_text="open in CluedIn").count() == 1
        page.click("#details button")  # only this lineage: asset, ingest, data set, map, entity and its data sets
        assert 5 <= page.locator(".node").count() < 200
        chrome.screenshot("lineage-500-focused.png")
    assert chrome.errors == []


def test_a_small_page_opens_with_columns_and_mappings(tmp_path: Path):
    graph = synthetic_graph(3, entity_types=1)
    page_file = write(graph, tmp_path / "lineage-3.html")
    with browser(width=1200, height=700) as chrome:
        chrome.open(page_file)
        assert chrome.page.locator(".node .col").count() > 0
        chrome.page.locator('.node[data-id="map-1"]').dispatch_event("click")
        assert "Field7" in (chrome.page.text_content("#details") or "")
        chrome.screenshot("lineage-small.png")
    assert chrome.errors == []
