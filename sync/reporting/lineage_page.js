// The interactive lineage picture: pan/zoom, search, type filter, collapsible columns, details with metrics and
// links. Data comes from the JSON block the page embeds; nothing is fetched from the network.
(function () {
  "use strict";
  const started = performance.now();
  const data = JSON.parse(document.getElementById("lineage-data").textContent);
  const NS = "http://www.w3.org/2000/svg";
  const W = data.layout.nodeWidth, GX = data.layout.gapX, GY = data.layout.gapY;
  const HEAD = data.layout.header, LINE = data.layout.line, MAXCOLS = data.layout.maxColumns, TITLE = 44;
  const svg = document.getElementById("canvas"), view = document.getElementById("viewport");
  const stage = document.getElementById("stage"), panel = document.getElementById("details");
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  const out = new Map(), inc = new Map();
  data.nodes.forEach((n) => { out.set(n.id, []); inc.set(n.id, []); });
  data.edges.forEach(([a, b]) => { if (byId.has(a) && byId.has(b)) { out.get(a).push(b); inc.get(b).push(a); } });
  const state = { columns: data.nodes.length <= data.layout.columnsByDefaultUpTo, hiddenTypes: new Set(),
                  selected: null, focus: null, hits: [], hit: -1, k: 1, x: 0, y: 0 };
  const el = (name, attrs, parent) => {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (parent) parent.appendChild(e);
    return e;
  };
  const clip = (t, n) => (t.length <= n ? t : t.slice(0, n - 1) + "…");
  const visible = (n) => !state.hiddenTypes.has(n.type) && (!state.focus || state.focus.has(n.id));

  function lines(n) {
    const rows = [];
    if (n.metrics && Object.keys(n.metrics).length) rows.push({ cls: "metric", text: n.metricLine });
    if (n.mappings) rows.push({ cls: "type", text: n.mappings + " column mappings" });
    if (state.columns) {
      n.columns.slice(0, MAXCOLS).forEach((c) => rows.push({ cls: "col", text: c }));
      if (n.columns.length > MAXCOLS) rows.push({ cls: "col", text: "+" + (n.columns.length - MAXCOLS) + " more" });
    } else if (n.columns.length) rows.push({ cls: "cols", text: n.columns.length + " columns" });
    return rows;
  }

  const rank = new Map();
  data.layers.forEach((ids, layer) => ids.forEach((id, i) => rank.set(id, [layer, i])));

  function components(nodes) {  // weakly connected parts of what is visible (union-find)
    const parent = new Map(nodes.map((n) => [n.id, n.id]));
    const find = (a) => { while (parent.get(a) !== a) { parent.set(a, parent.get(parent.get(a))); a = parent.get(a); } return a; };
    data.edges.forEach(([a, b]) => { if (parent.has(a) && parent.has(b)) parent.set(find(a), find(b)); });
    const groups = new Map();
    nodes.forEach((n) => { const r = find(n.id); if (!groups.has(r)) groups.set(r, []); groups.get(r).push(n); });
    return [...groups.values()].sort((a, b) => b.length - a.length);
  }

  function layout() {
    // Each connected part of the graph is a tile laid out left to right by lineage depth; tiles are packed in
    // rows, so 500 data sets flowing into 20 entities make 20 readable tiles instead of one 30,000-pixel column.
    const shown = data.nodes.filter(visible);
    const tiles = components(shown).map((members) => {
      const layers = new Map();
      members.forEach((n) => {
        n.rows = lines(n);
        n.h = HEAD + n.rows.length * LINE + (n.rows.length ? 8 : 0);
        const [layer] = rank.get(n.id);
        if (!layers.has(layer)) layers.set(layer, []);
        layers.get(layer).push(n);
      });
      const order = [...layers.keys()].sort((a, b) => a - b);
      let h = 0;
      order.forEach((layer, col) => {
        let y = Math.max(TITLE, Math.min(110, (order.length * (W + GX)) / 16 + 14));
        layers.get(layer).sort((a, b) => rank.get(a.id)[1] - rank.get(b.id)[1]).forEach((n) => {
          n.dx = col * (W + GX); n.dy = y; y += n.h + GY;
        });
        h = Math.max(h, y);
      });
      const last = layers.get(order[order.length - 1]);
      const sets = members.filter((n) => n.type === "cluedin_dataset").length;
      const title = last.slice(0, 2).map((n) => n.name).join(", ") + (last.length > 2 ? ", …" : "") +
        (sets ? ` · ${sets} data set${sets === 1 ? "" : "s"}` : "");
      return { members, w: order.length * (W + GX), h, title };
    });
    const area = tiles.reduce((sum, t) => sum + t.w * t.h, 0);
    const rowWidth = Math.max(...tiles.map((t) => t.w), Math.sqrt(area) * 1.6, 1);
    let x = 20, y = 20, rowHeight = 0, width = 0;
    state.tiles = tiles;
    tiles.forEach((tile) => {
      if (x > 20 && x + tile.w > rowWidth) { x = 20; y += rowHeight + GY * 3; rowHeight = 0; }
      tile.x = x; tile.y = y;
      tile.members.forEach((n) => { n.x = x + n.dx; n.y = y + n.dy; });
      x += tile.w + GX; rowHeight = Math.max(rowHeight, tile.h); width = Math.max(width, x);
    });
    return { w: Math.max(width, 300), h: Math.max(y + rowHeight, 100) };
  }

  function draw() {
    view.textContent = "";
    const size = layout();
    const titles = el("g", {}, view), edges = el("g", {}, view), nodes = el("g", {}, view);
    if (state.tiles.length > 1) state.tiles.forEach((t) => {
      el("rect", { x: t.x - 10, y: t.y - 6, width: t.w - GX + 20, height: t.h + 6, rx: 10, class: "tile" }, titles);
      const size = Math.max(22, Math.min(96, t.w / 16));  // legible when the whole estate fits the window
      el("text", { x: t.x, y: t.y + size * 0.9, class: "tile-title", "font-size": size }, titles).textContent = t.title;
    });
    data.edges.forEach(([a, b]) => {
      const s = byId.get(a), t = byId.get(b);
      if (!s || !t || !visible(s) || !visible(t)) return;
      const x1 = s.x + W, y1 = s.y + HEAD / 2, x2 = t.x, y2 = t.y + HEAD / 2, bend = (x2 - x1) / 2;
      const p = el("path", { d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`, class: "edge" }, edges);
      p.dataset.from = a; p.dataset.to = b;
    });
    data.nodes.forEach((n) => {
      if (!visible(n)) return;
      const g = el("g", { class: "node", "data-id": n.id }, nodes);
      const style = data.types[n.type] || data.types[""];
      el("rect", { x: n.x, y: n.y, width: W, height: n.h, rx: n.process ? 16 : 4, fill: style.fill, stroke: style.stroke }, g);
      el("text", { x: n.x + 10, y: n.y + 18, class: "name" }, g).textContent = clip(n.name, 30);
      el("text", { x: n.x + 10, y: n.y + 34, class: "type", fill: style.stroke }, g).textContent = style.label;
      n.rows.forEach((r, i) => {
        el("text", { x: n.x + 14, y: n.y + HEAD + 10 + i * LINE, class: r.cls }, g).textContent = clip(r.text, 34);
      });
      el("title", {}, g).textContent = n.qualifiedName;
      g.addEventListener("click", (ev) => { ev.stopPropagation(); select(n.id); });
    });
    state.size = size;
    mark();
  }

  function lineage(id) {  // every node upstream and downstream of one
    const seen = new Set([id]);
    for (const [links] of [[out], [inc]]) {
      const todo = [id];
      while (todo.length) for (const next of links.get(todo.pop()) || []) if (!seen.has(next)) { seen.add(next); todo.push(next); }
    }
    return seen;
  }

  function mark() {
    const path = state.selected ? lineage(state.selected) : null;
    const hits = new Set(state.hits);
    view.querySelectorAll(".node").forEach((g) => {
      const id = g.dataset.id;
      g.classList.toggle("sel", id === state.selected);
      g.classList.toggle("hit", hits.has(id));
      g.classList.toggle("dim", (path && !path.has(id)) || (hits.size > 0 && !hits.has(id) && !path));
    });
    view.querySelectorAll(".edge").forEach((p) => {
      const on = path && path.has(p.dataset.from) && path.has(p.dataset.to);
      p.classList.toggle("on", !!on);
      p.classList.toggle("dim", !!path && !on);
    });
  }

  function row(table, key, value) {
    const tr = document.createElement("tr");
    const a = document.createElement("td"), b = document.createElement("td");
    a.textContent = key;
    if (value instanceof Node) b.appendChild(value); else b.textContent = value;
    tr.append(a, b); table.appendChild(tr);
  }

  function link(href, text) {
    const a = document.createElement("a");
    a.href = href; a.textContent = text; a.target = "_blank"; a.rel = "noopener";
    return a;
  }

  function select(id) {
    state.selected = id;
    const n = byId.get(id);
    panel.textContent = "";
    if (!n) { panel.innerHTML = '<p class="empty">Click an entity for its details; drag to pan, wheel to zoom.</p>'; mark(); return; }
    const h = document.createElement("h2"); h.textContent = n.name; panel.appendChild(h);
    const t = document.createElement("div"); t.className = "type"; t.textContent = (data.types[n.type] || data.types[""]).label; panel.appendChild(t);
    const table = document.createElement("table"); panel.appendChild(table);
    row(table, "qualifiedName", n.qualifiedName);
    row(table, "Purview", link(n.portal, "open in the Purview portal"));
    if (n.cluedinUrl) row(table, "CluedIn", link(n.cluedinUrl, "open in CluedIn"));
    Object.entries(n.metrics || {}).forEach(([k, v]) => row(table, k, typeof v === "object" ? JSON.stringify(v) : String(v)));
    row(table, "upstream", String((inc.get(id) || []).length)); row(table, "downstream", String((out.get(id) || []).length));
    if (n.columns.length) row(table, "columns", n.columns.join(", "));
    (n.columnMapping || []).forEach((m) => {
      const sub = document.createElement("table");
      (m.ColumnMapping || []).forEach((p) => row(sub, p.Source, "→ " + p.Sink));
      row(table, "mapping", sub);
    });
    const focus = document.createElement("button");
    focus.textContent = state.focus ? "Show everything" : "Show only this lineage";
    focus.onclick = () => { state.focus = state.focus ? null : lineage(id); draw(); fit(); select(id); };
    panel.appendChild(focus);
    mark();
  }

  function apply() { view.setAttribute("transform", `translate(${state.x},${state.y}) scale(${state.k})`); }
  function fit() {
    const box = stage.getBoundingClientRect(), size = state.size;
    state.k = Math.min(box.width / size.w, box.height / size.h, 1.5);
    state.x = (box.width - size.w * state.k) / 2; state.y = 10; apply();
  }
  function zoom(factor, cx, cy) {
    const k = Math.min(4, Math.max(0.02, state.k * factor));
    state.x = cx - ((cx - state.x) * k) / state.k; state.y = cy - ((cy - state.y) * k) / state.k; state.k = k; apply();
  }
  function centre(id) {
    const n = byId.get(id), box = stage.getBoundingClientRect();
    if (!n || n.x === undefined) return;
    state.k = Math.max(state.k, 0.8);
    state.x = box.width / 2 - (n.x + W / 2) * state.k; state.y = box.height / 2 - (n.y + n.h / 2) * state.k; apply();
  }

  stage.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const box = stage.getBoundingClientRect();
    zoom(ev.deltaY < 0 ? 1.15 : 1 / 1.15, ev.clientX - box.left, ev.clientY - box.top);
  }, { passive: false });
  let drag = null;
  stage.addEventListener("pointerdown", (ev) => { drag = { x: ev.clientX - state.x, y: ev.clientY - state.y, moved: false }; stage.classList.add("dragging"); });
  window.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    drag.moved = true; state.x = ev.clientX - drag.x; state.y = ev.clientY - drag.y; apply();
  });
  window.addEventListener("pointerup", () => { stage.classList.remove("dragging"); drag = null; });
  svg.addEventListener("click", () => { if (!drag) select(null); });

  const search = document.getElementById("search"), count = document.getElementById("count");
  search.addEventListener("input", () => {
    const q = search.value.trim().toLowerCase();
    state.hits = q ? data.nodes.filter((n) => visible(n) && (n.name.toLowerCase().includes(q) || n.qualifiedName.toLowerCase().includes(q))).map((n) => n.id) : [];
    state.hit = -1; count.textContent = q ? state.hits.length + " found" : ""; mark();
  });
  search.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter" || !state.hits.length) return;
    state.hit = (state.hit + 1) % state.hits.length; centre(state.hits[state.hit]);
  });
  document.querySelectorAll("input[data-type]").forEach((box) => box.addEventListener("change", () => {
    if (box.checked) state.hiddenTypes.delete(box.dataset.type); else state.hiddenTypes.add(box.dataset.type);
    draw();
  }));
  const columns = document.getElementById("columns");
  columns.checked = state.columns;
  columns.addEventListener("change", () => { state.columns = columns.checked; draw(); });
  document.getElementById("zoom-in").onclick = () => { const b = stage.getBoundingClientRect(); zoom(1.25, b.width / 2, b.height / 2); };
  document.getElementById("zoom-out").onclick = () => { const b = stage.getBoundingClientRect(); zoom(0.8, b.width / 2, b.height / 2); };
  document.getElementById("fit").onclick = fit;

  draw(); fit(); select(null);
  window.lineageRendered = { nodes: view.querySelectorAll(".node").length, edges: view.querySelectorAll(".edge").length, ms: performance.now() - started };
  document.body.dataset.rendered = "true";
})();
