"""A picture of the lineage graph as Purview serves it: one self-contained, interactive HTML page.

The report reads the graph back through Purview's lineage API (not from the app's state), so it shows what a
data steward would see: source assets, Ingest Data, Cluedin Datasets, Map to Entity, Cluedin Entities, laid out
left to right by lineage depth (each layer ranked by the barycentre of what feeds it, so edges rarely cross) and
coloured by type. The page (lineage_page.js/.css, inlined) pans and zooms, searches names and qualifiedNames,
filters by entity type, collapses columns (collapsed by default for large graphs), highlights a node's whole
lineage, shows the polled metrics and each process's column mapping, and links every entity to the Purview portal
and each data set to CluedIn. It loads nothing from the network, so it opens anywhere; `cluedin-purview-sync
lineage --html FILE` writes it and `GET /api/lineage` serves it (Purview is read with the app's credential:
azure-identity in Azure).

    python -m sync.reporting.lineage_html --purview-url http://127.0.0.1:8081 --token dev --out out/lineage.html
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from sync.services.auth import azure_auth
from sync.services.purview.client import PURVIEW_SCOPE, PurviewClient
from sync.services.purview.typedefs import DATASET_TYPE, display_names

LINEAGE_DEPTH = 6
MAX_START_POINTS = 5000
NODE_WIDTH, NODE_GAP_X, NODE_GAP_Y, HEADER_HEIGHT, LINE_HEIGHT = 230, 90, 26, 44, 16
MAX_COLUMNS_SHOWN = 12
STYLE_BY_TYPE = {
    "cluedin_dataset": ("#0f766e", "#ccfbf1"),
    "cluedin_entity": ("#6d28d9", "#ede9fe"),
    "cluedin_ingest_process": ("#c2410c", "#ffedd5"),
    "cluedin_map_process": ("#b45309", "#fef3c7"),
}
SOURCE_STYLE = ("#1d4ed8", "#dbeafe")
PORTAL = "https://web.purview.azure.com"


@dataclass
class GraphNode:
    """One entity of the lineage graph."""

    guid: str
    type_name: str
    name: str
    qualified_name: str
    columns: list[str] = field(default_factory=list)
    column_mapping: list[dict[str, Any]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    """The polled metrics on a Cluedin Dataset (records received/processed/failed, quality, last ingestion)."""
    cluedin_url: str = ""
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
    return display_names().get(type_name, type_name)


def collect(purview: PurviewClient, start_guids: Sequence[str] | None = None) -> Graph:
    """Walk the lineage API from the start entities (default: every Cluedin Dataset) and read node details."""
    if start_guids is None:
        start_guids = [
            str(hit["id"])
            for page in purview.iter_search(filter={"entityType": DATASET_TYPE.name})
            for hit in page
            if hit.get("id")
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
        metrics={k: attributes[k] for k in METRIC_ATTRIBUTES if attributes.get(k) is not None},
        cluedin_url=str(attributes.get("cluedinUrl") or ""),
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


PAGE = Path(__file__).parent
METRIC_ATTRIBUTES = ("recordsReceived", "recordsProcessed", "recordsFailed", "lastIngestedAt", "dataQualityMetrics")
COLUMNS_BY_DEFAULT_UP_TO = 150
"""Below this many entities the page opens with columns shown; above, collapsed (counts only) to stay readable."""


def portal_url(purview_url: str, guid: str) -> str:
    """The entity's page in the Microsoft Purview governance portal (account = first label of the endpoint)."""
    account = urlparse(purview_url).hostname or "purview"
    return f"{PORTAL}/resource/{account.split('.')[0]}/main/catalog/entity?guid={quote(guid)}"


def _metric_line(metrics: dict[str, Any]) -> str:
    parts = [
        f"{metrics[k]} {label}"
        for k, label in (
            ("recordsReceived", "received"),
            ("recordsProcessed", "processed"),
            ("recordsFailed", "failed"),
        )
        if k in metrics
    ]
    quality = metrics.get("dataQualityMetrics") or {}
    if quality:
        parts.append(f"quality {sum(quality.values()) / len(quality):.2f}")
    return " · ".join(parts)


def page_data(graph: Graph, *, purview_url: str) -> dict[str, Any]:
    """What the page's script draws: nodes in layers (ranked so edges rarely cross), edges, type styles."""
    layout(graph)
    layers: dict[int, list[GraphNode]] = {}
    for node in graph.nodes.values():
        layers.setdefault(node.layer, []).append(node)
    ordered = [[n.guid for n in sorted(nodes, key=lambda n: n.y)] for _, nodes in sorted(layers.items())]
    types = {t: {"label": type_label(t), "stroke": s, "fill": f} for t, (s, f) in STYLE_BY_TYPE.items()}
    types[""] = {"label": "Source asset", "stroke": SOURCE_STYLE[0], "fill": SOURCE_STYLE[1]}
    for node in graph.nodes.values():
        if node.type_name not in types:
            types[node.type_name] = {
                "label": type_label(node.type_name),
                "stroke": SOURCE_STYLE[0],
                "fill": SOURCE_STYLE[1],
            }
    nodes = [
        {
            "id": n.guid,
            "type": n.type_name,
            "name": n.name,
            "qualifiedName": n.qualified_name,
            "process": n.is_process,
            "columns": n.columns,
            "columnMapping": n.column_mapping,
            "mappings": sum(len(m.get("ColumnMapping") or []) for m in n.column_mapping),
            "metrics": n.metrics,
            "metricLine": _metric_line(n.metrics),
            "portal": portal_url(purview_url, n.guid),
            "cluedinUrl": n.cluedin_url,
        }
        for n in graph.nodes.values()
    ]
    return {
        "nodes": nodes,
        "edges": sorted([a, b] for a, b in graph.edges),
        "layers": ordered,
        "types": types,
        "layout": {
            "nodeWidth": NODE_WIDTH,
            "gapX": NODE_GAP_X,
            "gapY": NODE_GAP_Y,
            "header": HEADER_HEIGHT,
            "line": LINE_HEIGHT,
            "maxColumns": MAX_COLUMNS_SHOWN,
            "columnsByDefaultUpTo": COLUMNS_BY_DEFAULT_UP_TO,
        },
    }


def _filters(data: dict[str, Any]) -> str:
    present = sorted({n["type"] for n in data["nodes"]}, key=lambda t: (t not in STYLE_BY_TYPE, type_label(t)))
    boxes = []
    for type_name in present:
        style = data["types"].get(type_name) or data["types"][""]
        boxes.append(
            f'<label><input type="checkbox" checked data-type="{escape(type_name)}">'
            f'<span class="swatch" style="background:{style["fill"]};border-color:{style["stroke"]}"></span>'
            f"{escape(style['label'])}</label>"
        )
    return "".join(boxes)


def render(graph: Graph, *, title: str = "CluedIn lineage in Microsoft Purview", purview_url: str = "") -> str:
    """The complete, self-contained HTML document (inline data, style and script; nothing from the network)."""
    data = page_data(graph, purview_url=purview_url)
    counts: dict[str, int] = {}
    for node in graph.nodes.values():
        counts[type_label(node.type_name)] = counts.get(type_label(node.type_name), 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "no lineage found"
    payload = json.dumps(data, separators=(",", ":"), default=str).replace("</", "<\\/")
    css = (PAGE / "lineage_page.css").read_text(encoding="utf-8")
    script = (PAGE / "lineage_page.js").read_text(encoding="utf-8")
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{css}</style></head><body>'
        f"<header><h1>{escape(title)}</h1>"
        '<input id="search" type="search" placeholder="Search name or qualifiedName (Enter: next)">'
        '<span id="count"></span>'
        f'<label><input id="columns" type="checkbox">columns</label>{_filters(data)}'
        '<button id="zoom-in" title="Zoom in">+</button><button id="zoom-out" title="Zoom out">&minus;</button>'
        '<button id="fit" title="Fit to window">fit</button>'
        f'<span class="meta">Read back from the Purview lineage API: {escape(summary)}.</span></header>'
        '<main><div id="stage"><svg id="canvas" xmlns="http://www.w3.org/2000/svg"><g id="viewport"></g></svg></div>'
        '<aside id="details"></aside></main>'
        f'<script type="application/json" id="lineage-data">{payload}</script><script>{script}</script></body></html>'
    )


def lineage_page(purview: PurviewClient, *, start_guids: list[str] | None = None) -> str:
    """The lineage picture of what Purview holds, as one HTML document (also served by `GET /api/lineage`)."""
    return render(collect(purview, start_guids), purview_url=purview.base_url)


def write_lineage_html(purview: PurviewClient, out_path: Path, *, start_guids: list[str] | None = None) -> Path:
    """Read the lineage graph from Purview and write it as one self-contained HTML file; returns the path."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(lineage_page(purview, start_guids=start_guids), encoding="utf-8")
    return out_path


def main(argv: list[str] | None = None) -> None:
    """CLI: `python -m sync.reporting.lineage_html --purview-url URL --token TOKEN --out out/lineage.html`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--purview-url", required=True, help="Purview account endpoint (or the emulator's URL)")
    parser.add_argument("--token", help="bearer token (the emulators accept any); default: azure-identity")
    parser.add_argument("--out", type=Path, default=Path("out/lineage.html"), help="where to write the HTML file")
    parser.add_argument("--start-guid", action="append", dest="start_guids", help="start entity (repeatable)")
    args = parser.parse_args(argv)
    auth = azure_auth(
        scope=PURVIEW_SCOPE,
        tenant_id=None,
        client_id=None,
        client_secret=None,
        static_token=args.token or None,
        managed_identity_client_id=None,
    )
    path = write_lineage_html(PurviewClient(args.purview_url, auth), args.out, start_guids=args.start_guids)
    print(f"lineage picture written to {path}")


if __name__ == "__main__":
    main()
