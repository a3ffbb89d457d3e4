"""Rendering the lineage picture (pure): layout by depth, escaping, column mappings drawn."""

from __future__ import annotations

import json

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


def test_render_escapes_text_and_draws_mappings():
    html = render(sample())
    assert "a&lt;b" in html and "a<b" not in html
    assert "+8 more" in html  # 20 columns, 12 shown
    assert 'id="m-4"' in html and "1 column mappings" in html
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html


def test_an_empty_graph_still_renders():
    assert "no lineage found" in render(Graph())
