"""How long the lineage picture takes to draw in headless Chromium, by estate size.

    python -m bench lineage_page [data sets ...]     (default: 60 500)

Prints, per size: entities and edges, the HTML's size, the time the page's script took to draw, and the time from
navigation to a drawn page (the script's `window.lineageRendered`, set once everything is on screen). Uses the
same synthetic graph and Chromium (Debian's, through Playwright) as tests/e2e/test_lineage_page.py.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tests.support.lineage_page import browser, synthetic_graph, write


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [60, 500]
    print(f"{'data sets':>9} {'entities':>9} {'edges':>6} {'HTML KB':>8} {'script ms':>10} {'load→drawn ms':>14}")
    with tempfile.TemporaryDirectory() as folder, browser() as chrome:
        for size in sizes:
            graph = synthetic_graph(size)
            page = write(graph, Path(folder) / f"lineage-{size}.html")
            started = time.perf_counter()
            rendered = chrome.open(page)
            total_ms = (time.perf_counter() - started) * 1000
            kilobytes = page.stat().st_size / 1024
            print(
                f"{size:>9} {rendered['nodes']:>9} {rendered['edges']:>6} {kilobytes:>8.0f} "
                f"{rendered['ms']:>10.0f} {total_ms:>14.0f}"
            )
        if chrome.errors:
            print("console errors:", chrome.errors)
