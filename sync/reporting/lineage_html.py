"""A picture of the lineage graph as Purview serves it: one self-contained HTML file with inline SVG.

The report reads the graph back through Purview's lineage API (not from the app's state), so it shows what a
data steward would see: source assets, Ingest Data, Cluedin Datasets, Map to Entity, Cluedin Entities, laid out
left to right by lineage depth and coloured by type, with every process's column mapping drawn field by field.
It has no scripts, fonts or images from the network, so it opens anywhere.

    python -m sync.reporting.lineage_html --purview-url http://127.0.0.1:8081 --token dev --out out/lineage.html
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from sync.services.auth import azure_auth
from sync.services.purview.client import PURVIEW_SCOPE, PurviewClient
from sync.services.purview.typedefs import DATASET_TYPE, ENTITY_TYPE, display_names

LINEAGE_DEPTH = 6
MAX_START_POINTS = 200
NODE_WIDTH, NODE_GAP_X, NODE_GAP_Y, HEADER_HEIGHT, LINE_HEIGHT = 230, 90, 26, 44, 16
MAX_COLUMNS_SHOWN = 12
STYLE_BY_TYPE = {
    "cluedin_dataset": ("#0f766e", "#ccfbf1"),
    "cluedin_entity": ("#6d28d9", "#ede9fe"),
    "cluedin_ingest_process": ("#c2410c", "#ffedd5"),
    "cluedin_map_process": ("#b45309", "#fef3c7"),
    "cluedin_stream_process": ("#be185d", "#fce7f3"),
    "cluedin_connector_entity": ("#0369a1", "#e0f2fe"),
    "cluedin_organization_provider": ("#4d7c0f", "#ecfccb"),
    "cluedin_crawl_process": ("#a16207", "#fef9c3"),
    "cluedin_enrich_process": ("#a16207", "#fef9c3"),
}
SOURCE_STYLE = ("#1d4ed8", "#dbeafe")


@dataclass
class GraphNode:
    """One entity of the lineage graph."""

    guid: str
    type_name: str
    name: str
    qualified_name: str
    columns: list[str] = field(default_factory=list)
    column_mapping: list[dict[str, Any]] = field(default_factory=list)
    layer: int = 0
    x: float = 0.0
    y: float = 0.0
    height: float = HEADER_HEIGHT

    @property
    def is_process(self) -> bool:
        """Processes are drawn as rounded boxes between data assets."""
        return self.type_name.endswith("_process") or self.type_name == "Process"


@dataclass
class Graph:
    """Nodes by guid and directed edges (from → to) as the lineage API returned them."""

    nodes: dict[str, GraphNode] = field(default_factory=dict)
    edges: set[tuple[str, str]] = field(default_factory=set)


def type_label(type_name: str) -> str:
    """The product's label for our types, the type name for everything else."""
    known = display_names().get(type_name)
    if known is None and type_name.startswith("cluedin_"):
        # Types declared in feature folders (streams, providers...) are named after their label.
        return type_name.replace("_", " ").title()
    return known or type_name


START_TYPES = {"or": [{"entityType": DATASET_TYPE.name}, {"entityType": ENTITY_TYPE.name}]}
"""Where the walk starts: data sets, and entity types (which streams, crawlers and enrichers reach)."""


def collect(purview: PurviewClient, start_guids: Sequence[str] | None = None) -> Graph:
    """Walk the lineage API from the start entities (default: every Cluedin Dataset and Entity); read node details."""
    if start_guids is None:
        start_guids = [
            str(hit["id"]) for page in purview.iter_search(filter=START_TYPES) for hit in page if hit.get("id")
        ][:MAX_START_POINTS]
    graph = Graph()
    headers: dict[str, dict[str, Any]] = {}
    for guid in start_guids:
        if guid in headers:
            continue  # already reached from an earlier start point
        lineage = purview.get_lineage(guid, direction="BOTH", depth=LINEAGE_DEPTH)
        headers.update({str(k): v for k, v in (lineage.get("guidEntityMap") or {}).items()})
        for relation in lineage.get("relations") or []:
            graph.edges.add((str(relation["fromEntityId"]), str(relation["toEntityId"])))
    for entity in purview.get_entities(list(headers), min_ext_info=True):
        graph.nodes[str(entity["guid"])] = _node(entity)
    for guid, header in headers.items():
        if guid not in graph.nodes and str(header.get("status", "ACTIVE")) == "ACTIVE":
            attributes = header.get("attributes") or {}
            graph.nodes[guid] = GraphNode(
                guid,
                str(header.get("typeName", "")),
                str(header.get("displayText") or attributes.get("name") or guid),
                str(attributes.get("qualifiedName", "")),
            )
    graph.edges = {(a, b) for a, b in graph.edges if a in graph.nodes and b in graph.nodes}
    return graph


def _active(ref: dict[str, Any]) -> bool:
    return all(str(ref.get(k, "ACTIVE")) == "ACTIVE" for k in ("entityStatus", "relationshipStatus"))


def _node(entity: dict[str, Any]) -> GraphNode:
    attributes = entity.get("attributes") or {}
    columns = [
        str(ref.get("displayText") or "")
        for ref in (entity.get("relationshipAttributes") or {}).get("columns") or []
        if _active(ref)
    ]
    mapping: list[dict[str, Any]] = []
    if attributes.get("columnMapping"):
        try:
            mapping = list(json.loads(str(attributes["columnMapping"])))
        except (TypeError, ValueError):
            mapping = []
    return GraphNode(
        guid=str(entity["guid"]),
        type_name=str(entity.get("typeName", "")),
        name=str(attributes.get("name") or attributes.get("qualifiedName") or entity["guid"]),
        qualified_name=str(attributes.get("qualifiedName", "")),
        columns=sorted(c for c in columns if c),
        column_mapping=mapping,
    )


def layout(graph: Graph) -> tuple[float, float]:
    """Place nodes in columns by longest path from a source (the graph is a DAG); returns the canvas size."""
    incoming: dict[str, set[str]] = {guid: set() for guid in graph.nodes}
    for source, target in graph.edges:
        incoming[target].add(source)
    layers: dict[str, int] = {}

    def depth(guid: str, trail: frozenset[str] = frozenset()) -> int:
        if guid not in layers:
            parents = [p for p in incoming[guid] if p not in trail]
            layers[guid] = 1 + max((depth(p, trail | {guid}) for p in parents), default=-1)
        return layers[guid]

    for guid in graph.nodes:
        graph.nodes[guid].layer = depth(guid)
    width = height = 0.0
    by_layer: dict[int, list[GraphNode]] = {}
    for node in graph.nodes.values():
        by_layer.setdefault(node.layer, []).append(node)
    rank: dict[str, float] = {}
    for layer, nodes in sorted(by_layer.items()):

        def order(node: GraphNode) -> tuple[float, str, str, str]:
            # Barycenter: a node goes near the average position of what feeds it, so edges rarely cross.
            parents = [rank[p] for p in incoming[node.guid] if p in rank]
            centre = sum(parents) / len(parents) if parents else float(len(rank))
            return centre, node.type_name, node.name.lower(), node.guid

        y = 20.0
        for index, node in enumerate(sorted(nodes, key=order)):
            rank[node.guid] = index
            shown = min(len(node.columns), MAX_COLUMNS_SHOWN) + (1 if len(node.columns) > MAX_COLUMNS_SHOWN else 0)
            extra = LINE_HEIGHT if node.is_process and node.column_mapping else 0
            node.height = HEADER_HEIGHT + extra + shown * LINE_HEIGHT + (8 if shown else 0)
            node.x, node.y = 20.0 + layer * (NODE_WIDTH + NODE_GAP_X), y
            y += node.height + NODE_GAP_Y
        height = max(height, y)
        width = max(width, 20.0 + (layer + 1) * (NODE_WIDTH + NODE_GAP_X))
    return width, height


def _style(node: GraphNode) -> tuple[str, str]:
    return STYLE_BY_TYPE.get(node.type_name, SOURCE_STYLE)


def _svg_node(node: GraphNode) -> str:
    stroke, fill = _style(node)
    radius = 18 if node.is_process else 4
    parts = [
        f'<g class="node"><title>{escape(node.qualified_name)}</title>',
        f'<rect x="{node.x:.0f}" y="{node.y:.0f}" width="{NODE_WIDTH}" height="{node.height:.0f}" rx="{radius}" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>',
        f'<text x="{node.x + 10:.0f}" y="{node.y + 18:.0f}" class="name">{escape(_clip(node.name, 30))}</text>',
        f'<text x="{node.x + 10:.0f}" y="{node.y + 34:.0f}" class="type" fill="{stroke}">'
        f"{escape(type_label(node.type_name))}</text>",
    ]
    shown = node.columns[:MAX_COLUMNS_SHOWN]
    for index, column in enumerate(shown):
        y = node.y + HEADER_HEIGHT + 10 + index * LINE_HEIGHT
        parts.append(f'<text x="{node.x + 16:.0f}" y="{y:.0f}" class="col">{escape(_clip(column, 32))}</text>')
    if len(node.columns) > MAX_COLUMNS_SHOWN:
        y = node.y + HEADER_HEIGHT + 10 + len(shown) * LINE_HEIGHT
        hidden = len(node.columns) - len(shown)
        parts.append(f'<text x="{node.x + 16:.0f}" y="{y:.0f}" class="col more">+{hidden} more</text>')
    if node.is_process and node.column_mapping:
        pairs = sum(len(m.get("ColumnMapping") or []) for m in node.column_mapping)
        parts.append(
            f'<a href="#m-{escape(node.guid)}"><text x="{node.x + 10:.0f}" y="{node.y + 52:.0f}" '
            f'class="type link">{pairs} column mappings ↓</text></a>'
        )
    parts.append("</g>")
    return "".join(parts)


def _svg_edge(source: GraphNode, target: GraphNode) -> str:
    x1, y1 = source.x + NODE_WIDTH, source.y + HEADER_HEIGHT / 2
    x2, y2 = target.x, target.y + HEADER_HEIGHT / 2
    bend = (x2 - x1) / 2
    return (
        f'<path d="M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" '
        'class="edge" marker-end="url(#arrow)"/>'
    )


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mapping_svg(mapping: dict[str, Any]) -> str:
    """One DatasetMapping as two column lists joined by lines, source left, sink right."""
    pairs = [(str(m.get("Source", "")), str(m.get("Sink", ""))) for m in mapping.get("ColumnMapping") or []]
    sources = list(dict.fromkeys(s for s, _ in pairs))
    sinks = list(dict.fromkeys(t for _, t in pairs))
    rows = max(len(sources), len(sinks), 1)
    height = 20 + rows * 22
    out = [f'<svg class="mapping" width="620" height="{height}" viewBox="0 0 620 {height}" role="img">']
    for index, name in enumerate(sources):
        label = escape(_clip(name, 28))
        out.append(f'<text x="190" y="{24 + index * 22}" text-anchor="end" class="col">{label}</text>')
    for index, name in enumerate(sinks):
        out.append(f'<text x="430" y="{24 + index * 22}" class="col">{escape(_clip(name, 28))}</text>')
    for source, sink in pairs:
        y1, y2 = 20 + sources.index(source) * 22, 20 + sinks.index(sink) * 22
        out.append(f'<path d="M200,{y1} C310,{y1} 310,{y2} 420,{y2}" class="edge thin" marker-end="url(#arrow)"/>')
    out.append("</svg>")
    return "".join(out)


def _label(node: GraphNode | None, fallback: str) -> str:
    """`name (type)` of a mapping's end, or its qualifiedName when the graph does not hold it."""
    if node is None:
        return escape(fallback)
    return f"{escape(node.name)} <small>({escape(type_label(node.type_name))})</small>"


def _mapping_sections(graph: Graph) -> list[str]:
    by_qn = {n.qualified_name: n for n in graph.nodes.values()}
    sections = []
    processes = sorted((n for n in graph.nodes.values() if n.column_mapping), key=lambda n: (n.layer, n.name, n.guid))
    for node in processes:
        for mapping in node.column_mapping:
            dataset = mapping.get("DatasetMapping") or {}
            source = by_qn.get(str(dataset.get("Source")))
            sink = by_qn.get(str(dataset.get("Sink")))
            title = (
                f"{escape(type_label(node.type_name))} “{escape(node.name)}”: "
                f"{_label(source, str(dataset.get('Source')))} → {_label(sink, str(dataset.get('Sink')))}"
            )
            rows = "".join(
                f"<tr><td>{escape(str(m.get('Source')))}</td><td>→</td><td>{escape(str(m.get('Sink')))}</td></tr>"
                for m in mapping.get("ColumnMapping") or []
            )
            sections.append(
                f'<section id="m-{escape(node.guid)}"><h3>{title}</h3>{_mapping_svg(mapping)}'
                f"<details><summary>as a table</summary><table><tr><th>Source column</th><th></th>"
                f"<th>Sink column</th></tr>{rows}</table></details></section>"
            )
    return sections


def _legend(types: Iterable[str]) -> str:
    items = []
    for type_name in sorted(set(types), key=lambda t: (t not in STYLE_BY_TYPE, type_label(t))):
        stroke, fill = STYLE_BY_TYPE.get(type_name, SOURCE_STYLE)
        items.append(
            f'<li><span class="swatch" style="background:{fill};border-color:{stroke}"></span>'
            f"{escape(type_label(type_name))}</li>"
        )
    return f'<ul class="legend">{"".join(items)}</ul>'


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#111827;background:#fff}
h1{font-size:20px;margin:0 0 4px} h3{font-size:14px;margin:18px 0 6px} p.meta{color:#6b7280;margin:0 0 12px}
.legend{list-style:none;padding:0;display:flex;gap:18px;flex-wrap:wrap;font-size:13px}
.swatch{display:inline-block;width:14px;height:14px;border:1.5px solid;border-radius:3px;margin-right:6px;
vertical-align:-2px} .canvas{overflow:auto;border:1px solid #e5e7eb;border-radius:6px}
text{font-size:12px} text.name{font-weight:600;font-size:13px} text.type{font-size:11px} text.col{fill:#374151}
text.more{font-style:italic} .link{text-decoration:underline} .edge{fill:none;stroke:#6b7280;stroke-width:1.4}
.edge.thin{stroke:#9ca3af;stroke-width:1} table{border-collapse:collapse;font-size:12px}
td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #f3f4f6}
"""


def render(graph: Graph, *, title: str = "CluedIn lineage in Microsoft Purview") -> str:
    """The complete HTML document for a collected graph."""
    width, height = layout(graph)
    nodes = {n.guid: n for n in graph.nodes.values()}
    edges = [_svg_edge(nodes[a], nodes[b]) for a, b in sorted(graph.edges)]
    w, h = max(width, 300), max(height, 100)
    body = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" viewBox="0 0 {w:.0f} {h:.0f}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>',
        *edges,
        *(_svg_node(n) for n in sorted(nodes.values(), key=lambda n: n.guid)),
        "</svg>",
    ]
    counts: dict[str, int] = {}
    for node in graph.nodes.values():
        counts[type_label(node.type_name)] = counts.get(type_label(node.type_name), 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "no lineage found"
    mappings = _mapping_sections(graph)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{CSS}</style></head><body><h1>{escape(title)}</h1>"
        f'<p class="meta">Read back from the Purview lineage API: {escape(summary)}.</p>'
        f"{_legend(n.type_name for n in graph.nodes.values())}"
        f'<div class="canvas">{"".join(body)}</div>'
        f"<h2>Column mappings</h2>{''.join(mappings) or '<p>None.</p>'}</body></html>"
    )


def write_lineage_html(purview: PurviewClient, out_path: Path, *, start_guids: list[str] | None = None) -> Path:
    """Read the lineage graph from Purview and write it as one self-contained HTML file; returns the path."""
    graph = collect(purview, start_guids)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(render(graph), encoding="utf-8")
    return out_path


def main(argv: list[str] | None = None) -> None:
    """CLI: `python -m sync.reporting.lineage_html --purview-url URL --token TOKEN --out out/lineage.html`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--purview-url", required=True, help="Purview account endpoint (or the emulator's URL)")
    parser.add_argument("--token", required=True, help="bearer token (the emulators accept any)")
    parser.add_argument("--out", type=Path, default=Path("out/lineage.html"), help="where to write the HTML file")
    parser.add_argument("--start-guid", action="append", dest="start_guids", help="start entity (repeatable)")
    args = parser.parse_args(argv)
    auth = azure_auth(
        scope=PURVIEW_SCOPE,
        tenant_id=None,
        client_id=None,
        client_secret=None,
        static_token=args.token,
        managed_identity_client_id=None,
    )
    path = write_lineage_html(PurviewClient(args.purview_url, auth), args.out, start_guids=args.start_guids)
    print(f"lineage picture written to {path}")


if __name__ == "__main__":
    main()
