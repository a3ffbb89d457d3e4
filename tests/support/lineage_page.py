"""A lineage graph of any size, shaped like the app's (asset → Ingest Data → Cluedin Dataset → Map to Entity →
Cluedin Entity), and a headless Chromium to look at the page with.

Chromium is Debian's (`make` installs the `chromium` package), driven by Playwright's Python client with its
`executable_path`: no browser download (reference machines/python.md lists the flags this machine needs).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sync.reporting.lineage_html import Graph, GraphNode

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "out" / "test-artifacts"


def synthetic_graph(data_sets: int, *, entity_types: int = 20, columns: int = 8) -> Graph:
    """`data_sets` data sets, each ingested from its own asset and mapped to one of `entity_types` entities."""
    graph = Graph()

    def add(guid: str, type_name: str, name: str, **extra: Any) -> GraphNode:
        node = GraphNode(guid, type_name, name, f"{type_name}://{name}", **extra)
        graph.nodes[guid] = node
        return node

    for index in range(entity_types):
        add(f"entity-{index}", "cluedin_entity", f"Entity{index:02d}", columns=[f"key{c}" for c in range(columns)])
    for index in range(data_sets):
        fields = [f"Field{c}" for c in range(columns)]
        entity = f"entity-{index % entity_types}"
        add(f"asset-{index}", "azure_datalake_gen2_path", f"File-{index:04d}.csv", columns=fields)
        mapping = [
            {
                "DatasetMapping": {"Source": "a", "Sink": "b"},
                "ColumnMapping": [{"Source": f, "Sink": f} for f in fields],
            }
        ]
        add(f"ingest-{index}", "cluedin_ingest_process", "Ingest Data", column_mapping=mapping)
        metrics = {
            "recordsReceived": 100 + index,
            "recordsProcessed": 90 + index,
            "recordsFailed": index % 3,
            "dataQualityMetrics": {"completeness": 0.9, "accuracy": 0.8},
        }
        add(
            f"dataset-{index}",
            "cluedin_dataset",
            f"DataSet-{index:04d}",
            columns=fields,
            metrics=metrics,
            cluedin_url=f"https://cluedin.example/datasets/{index}",
        )
        add(f"map-{index}", "cluedin_map_process", "Map to Entity", column_mapping=mapping)
        graph.edges |= {
            (f"asset-{index}", f"ingest-{index}"),
            (f"ingest-{index}", f"dataset-{index}"),
            (f"dataset-{index}", f"map-{index}"),
            (f"map-{index}", entity),
        }
    return graph


@dataclass
class Browser:
    """A page in headless Chromium, with what went wrong on it."""

    page: Any
    errors: list[str] = field(default_factory=list)

    def open(self, path: Path, *, timeout_ms: float = 60_000) -> dict[str, Any]:
        """Load a file and wait until the lineage script has drawn; returns `window.lineageRendered`."""
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("body[data-rendered=true]", timeout=timeout_ms)
        rendered: dict[str, Any] = self.page.evaluate("window.lineageRendered")
        return rendered

    def screenshot(self, name: str) -> Path:
        """A PNG under out/test-artifacts (kept after the run)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path))
        return path


def chromium_or_skip() -> str:
    """Debian's Chromium; in CI its absence fails the test (make installs it), elsewhere it skips."""
    found = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing: `make deps` installs Debian's chromium package")
    pytest.skip("Chromium is not installed (make deps installs it)")


@contextmanager
def browser(width: int = 1400, height: int = 900) -> Iterator[Browser]:
    """Headless Chromium (Debian's) through Playwright, one page, console errors collected."""
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = instance.new_page(viewport={"width": width, "height": height})
            seen = Browser(page)
            page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: seen.errors.append(str(e)))
            yield seen
        finally:
            instance.close()


def write(graph: Graph, path: Path, **options: Any) -> Path:
    """The page of a graph, written to `path`."""
    from sync.reporting.lineage_html import render

    path.write_text(render(graph, **options), encoding="utf-8")
    return path
