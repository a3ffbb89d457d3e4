"""Rendering the lineage picture (pure): layout by depth, escaping, column mappings drawn."""

from __future__ import annotations

import json
from typing import Any

from sync.reporting.lineage_html import Graph, GraphNode, layout, render


def sample() -> Graph:
    graph = Graph()
    mapping = json.dumps(
        [{"DatasetMapping": {"Source": "ds", "Sink": "ent"}, "ColumnMapping": [{"Source": "a<b", "Sink": "k.a"}]}]
    )
    graph.nodes = {
        "1": GraphNode("1", "azure_blob_path", "file.csv", "src"),
        "2": GraphNode("2", "cluedin_ingest_process", "Ingest Data", "ing"),
        "3": GraphNode("3", "cluedin_dataset", "file.csv", "ds", columns=[f"c{i}" for i in range(20)]),
        "4": GraphNode("4", "cluedin_map_process", "Map to Entity", "map", column_mapping=json.loads(mapping)),
        "5": GraphNode("5", "cluedin_entity", "/Customer", "ent", columns=["k.a"]),
    }
    graph.edges = {("1", "2"), ("2", "3"), ("3", "4"), ("4", "5")}
    return graph


def test_nodes_are_laid_out_left_to_right_by_lineage_depth():
    graph = sample()
    width, height = layout(graph)
    assert [graph.nodes[g].layer for g in "12345"] == [0, 1, 2, 3, 4]
    assert graph.nodes["1"].x < graph.nodes["3"].x < graph.nodes["5"].x
    assert width > graph.nodes["5"].x and height > graph.nodes["3"].height


def page(html: str) -> dict[str, Any]:
    """The data the page's script draws, as embedded in the page."""
    start = html.index('<script type="application/json" id="lineage-data">') + len(
        '<script type="application/json" id="lineage-data">'
    )
    return dict(json.loads(html[start : html.index("</script>", start)]))


def test_render_embeds_the_graph_safely_for_the_script():
    graph = sample()
    graph.nodes["3"].name = "evil</script><script>alert(1)</script>"
    html = render(graph, purview_url="https://contoso.purview.azure.com")
    assert html.count("</script>") == 2  # the data block and the page's own script: the name cannot close either
    data = page(html)
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["3"]["name"] == "evil</script><script>alert(1)</script>" and len(nodes["3"]["columns"]) == 20
    assert nodes["4"]["mappings"] == 1 and nodes["4"]["columnMapping"][0]["ColumnMapping"][0]["Source"] == "a<b"
    assert nodes["1"]["portal"] == "https://web.purview.azure.com/resource/contoso/main/catalog/entity?guid=1"
    assert data["layers"] == [["1"], ["2"], ["3"], ["4"], ["5"]] and len(data["edges"]) == 4
    assert html.startswith("<!DOCTYPE html>") and 'src="http' not in html


def test_polled_metrics_and_the_cluedin_link_reach_the_page():
    graph = sample()
    graph.nodes["3"].metrics = {"recordsReceived": 12, "recordsProcessed": 10, "dataQualityMetrics": {"a": 0.5}}
    graph.nodes["3"].cluedin_url = "https://cluedin.example/x"
    node = {n["id"]: n for n in page(render(graph))["nodes"]}["3"]
    assert node["metricLine"] == "12 received · 10 processed · quality 0.50"
    assert node["cluedinUrl"] == "https://cluedin.example/x"


def test_an_empty_graph_still_renders():
    assert "no lineage found" in render(Graph())
