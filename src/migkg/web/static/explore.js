/* migkg graph explorer: neighbourhood, trace and path views over /explore/*.json, drawn with
 * cytoscape.js. The view state lives in the query string (shareable, reloadable). Nothing is loaded
 * from another origin. window.cy and window.explorer are exposed for the browser tests. */
(function () {
  "use strict";

  const root = document.getElementById("explorer");
  const BASE = root.dataset.publicBase;
  const DEFAULT_REL = root.dataset.defaultRelations.split(",");
  const KINDS = {
    instrument: ["Documentary instrument", "#1f5fa8"],
    institution: ["Institutional instrument", "#0f8b8d"],
    actor: ["Actor (organisation, state)", "#d9822b"],
    commitment: ["Commitment (GCM, SDG)", "#c23b5a"],
    place: ["Place", "#3f8f3a"],
    concept: ["Concept (theme, group)", "#7a6fb0"],
    group: ["Group of many neighbours (click to open)", "#c7cfdc"],
  };
  const LEVELS = [
    ["global", "Global", "star"], ["interregional", "Interregional", "hexagon"],
    ["continental", "Continental", "octagon"], ["regional", "Regional (supranational)", "diamond"],
    ["bilateral", "Bilateral", "rhomboid"], ["national", "National", "round-rectangle"],
    ["subnational", "Subnational", "triangle"], ["local", "Local", "pentagon"],
    ["none", "No level (commitments, actors, places)", "ellipse"],
  ];
  const GROUPS = {
    implementation: ["Gives effect to / contributes", "#2b3445"], legal: ["Legal link", "#6b4fa1"],
    actor: ["Actor link", "#d9822b"], place: ["Place link", "#3f8f3a"],
    commitment: ["Commitment match", "#c23b5a"], concept: ["Theme / target group", "#8a8fa0"],
  };
  const TRACE_REL = new Set(["realises", "implements", "localizes", "facilitatesImplementationOf", "contributesTo",
                             "listedUnder"]);
  const BAND_FILLS = ["#f4f6fa", "#eaeef5"];

  const state = {
    view: "graph", iri: null, depth: 1, expanded: [], opened: [], from: null, to: null,
    rel: DEFAULT_REL.slice(), hideLevels: [], hideTypes: [], selected: null,
  };
  let meta = { truncated: false, caps: null, labels: {}, cut: { nodes: 0, edges: 0 } };

  // --- small helpers -----------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "style") el.style.cssText = v; else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c.nodeType ? c : String(c));
    return el;
  }
  const local = (iri) => (iri.startsWith(BASE) ? "/" + iri.slice(BASE.length) : iri);
  const levelOf = (n) => n.level || "none";
  const display = (n) => {
    const text = n.acronym && n.acronym.length <= 34 ? n.acronym : n.label;
    return text.length > 70 ? text.slice(0, 68) + "…" : text;
  };

  async function getJSON(path, params) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (Array.isArray(v)) v.forEach((x) => query.append(k, x)); else if (v !== null && v !== undefined) query.set(k, v);
    }
    const response = await fetch(path + "?" + query.toString(), { headers: { Accept: "application/json" } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail || response.statusText);
      throw new Error(detail);
    }
    return body;
  }

  function notice(text, isError) {
    const el = document.getElementById("notice");
    el.hidden = !text;
    el.textContent = text || "";
    el.classList.toggle("error", !!isError);
  }

  // --- URL state ---------------------------------------------------------------------------------

  function readState() {
    const q = new URLSearchParams(location.search);
    state.view = ["graph", "trace", "path"].includes(q.get("view")) ? q.get("view") : "graph";
    state.iri = q.get("iri");
    state.depth = Math.min(3, Math.max(1, parseInt(q.get("depth") || "1", 10) || 1));
    state.expanded = q.getAll("x");
    state.opened = q.getAll("g");  // opened group nodes, "<group id>@<offset>", in the order opened
    state.from = q.get("from");
    state.to = q.get("to");
    state.rel = q.has("rel") ? q.get("rel").split(",").filter(Boolean) : DEFAULT_REL.slice();
    state.hideLevels = (q.get("hl") || "").split(",").filter(Boolean);
    state.hideTypes = (q.get("ht") || "").split(",").filter(Boolean);
    state.selected = q.get("sel");
  }

  function writeState(push) {
    const q = new URLSearchParams();
    q.set("view", state.view);
    if (state.view === "path") {
      if (state.from) q.set("from", state.from);
      if (state.to) q.set("to", state.to);
    } else if (state.iri) q.set("iri", state.iri);
    if (state.view === "graph") {
      if (state.depth !== 1) q.set("depth", state.depth);
      state.expanded.forEach((x) => q.append("x", x));
      state.opened.forEach((g) => q.append("g", g));
    }
    if (state.rel.join(",") !== DEFAULT_REL.join(",")) q.set("rel", state.rel.join(","));
    if (state.hideLevels.length) q.set("hl", state.hideLevels.join(","));
    if (state.hideTypes.length) q.set("ht", state.hideTypes.join(","));
    if (state.selected) q.set("sel", state.selected);
    const url = location.pathname + "?" + q.toString();
    if (url !== location.pathname + location.search) history[push ? "pushState" : "replaceState"](null, "", url);
  }

  // --- cytoscape ---------------------------------------------------------------------------------

  function styles() {
    const s = [
      { selector: "node", style: {
        label: "data(display)", "text-wrap": "wrap", "text-max-width": "150px", "font-size": 12,
        "font-family": "system-ui, sans-serif",
        "text-valign": "bottom", "text-margin-y": 4, width: 26, height: 26, color: "#1d2330",
        "background-color": "#7a6fb0", "border-width": 1.5, "border-color": "#ffffff",
        "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 1,
        "z-index-compare": "manual", "z-index": 10 } },
      { selector: "edge", style: {
        width: 1.6, "curve-style": "bezier", "target-arrow-shape": "triangle", "arrow-scale": 1.1,
        "line-color": "#8a8fa0", "target-arrow-color": "#8a8fa0", "font-size": 10, color: "#44506a",
        "text-rotation": "autorotate", "text-background-color": "#ffffff", "text-background-opacity": 0.9,
        "z-index-compare": "manual", "z-index": 5 } },
      { selector: "edge.evidenced", style: { width: 2.6 } },
      { selector: "edge.unverified", style: { "line-style": "dashed" } },
      { selector: "edge.labelled", style: { label: "data(label)" } },
      { selector: "node.root", style: { "border-width": 4, "border-color": "#1d2330", width: 34, height: 34, "font-weight": "bold" } },
      { selector: "node.context", style: { "background-opacity": 0.5, "border-style": "dashed", "border-width": 2, "border-color": "#5b6475" } },
      { selector: "node.on-path", style: { "border-width": 3, "border-color": "#1d2330" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#f2b705" } },
      { selector: "edge:selected", style: { width: 4, label: "data(label)" } },
      { selector: "node.band", style: {
        shape: "rectangle", "background-color": "data(fill)", "background-opacity": 1, "border-width": 0,
        width: "data(w)", height: "data(h)", "text-valign": "center", "text-halign": "left", "text-margin-x": -14,
        "text-margin-y": 0, "font-size": 14, "font-weight": "bold", color: "#5b6475", "text-background-opacity": 0,
        "text-max-width": "180px", events: "no", "z-index": 0 } },
      { selector: "node.kind-group", style: { shape: "round-rectangle", width: 46, height: 30, "border-style": "dashed",
        "border-width": 2, "border-color": "#4e5a6b", "font-weight": "bold" } },
      { selector: ".filtered", style: { display: "none" } },
    ];
    for (const [kind, [, colour]] of Object.entries(KINDS)) s.push({ selector: "node.kind-" + kind, style: { "background-color": colour } });
    for (const [level, , shape] of LEVELS) s.push({ selector: "node.level-" + level, style: { shape } });
    for (const [group, [, colour]] of Object.entries(GROUPS)) {
      s.push({ selector: "edge.grp-" + group, style: { "line-color": colour, "target-arrow-color": colour } });
    }
    return s;
  }

  const cy = cytoscape({ container: document.getElementById("cy"), style: styles(), minZoom: 0.15, maxZoom: 3 });
  window.cy = cy;

  function nodeElement(n, extra) {
    const classes = ["kind-" + n.kind, "level-" + levelOf(n)];
    if (n.context) classes.push("context");
    if (extra) classes.push(extra);
    return { group: "nodes", data: Object.assign({}, n, { display: display(n) }), classes: classes.join(" ") };
  }

  function edgeElement(e, labelled) {
    const classes = ["grp-" + e.group];
    if (e.evidence.length) classes.push("evidenced");
    if (e.unverified) classes.push("unverified");
    if (labelled) classes.push("labelled");
    return { group: "edges", data: Object.assign({}, e), classes: classes.join(" ") };
  }

  function addData(data, labelled) {
    const fresh = [];
    for (const n of data.nodes) {
      meta.labels[n.id] = display(n);
      if (cy.getElementById(n.id).empty()) fresh.push(cy.add(nodeElement(n)));
    }
    for (const e of data.edges) if (cy.getElementById(e.id).empty()) cy.add(edgeElement(e, labelled));
    if (data.truncated) meta.truncated = true;
    if (data.cut) { meta.cut.nodes += data.cut.nodes; meta.cut.edges += data.cut.edges; }
    meta.caps = data.caps;
    return cy.collection(fresh);
  }

  // --- views -------------------------------------------------------------------------------------

  function relParam() {
    return state.rel.join(",") === DEFAULT_REL.join(",") ? null : state.rel.join(",");
  }

  async function loadGraph() {
    const all = [state.iri, ...state.expanded];
    const results = [];
    for (const [i, iri] of all.entries()) {
      const depth = i === 0 ? state.depth : 1;
      try {
        results.push(await getJSON("/explore/graph.json", { iri, depth, rel: relParam() }));
      } catch (err) {
        if (i === 0) throw err;  // an expanded node that vanished is skipped
      }
    }
    results.forEach((r) => addData(r, false));
    for (const entry of state.opened) {  // reopen the groups the link names, in order
      const at = entry.lastIndexOf("@");
      const group = cy.getElementById(entry.slice(0, at));
      if (group.nonempty() && String(group.data("group_offset")) === entry.slice(at + 1)) await openGroup(group, true);
    }
    relabel();
    cy.getElementById(state.iri).addClass("root");
    runForceLayout();
  }

  function runForceLayout() {
    const nodes = cy.nodes().not(".band");
    const rings = { name: "concentric", concentric: (n) => 10 - (n.data("depth") ?? 3), levelWidth: () => 1,
                    minNodeSpacing: 80, animate: false, fit: true, padding: 40 };
    const elements = cy.elements().not(".band");
    elements.layout(rings).run();
    if (nodes.length > 14) {
      // Refine the rings with a force layout that starts from them (not from random positions),
      // so the same view always gets the same picture.
      elements.layout({ name: "cose", randomize: false, animate: false, fit: true, padding: 40,
                        nodeDimensionsIncludeLabels: true, nodeRepulsion: () => 60000,
                        idealEdgeLength: () => 150, gravity: 0.3, numIter: 2500, nodeOverlap: 40 }).run();
    }
    fitCapped(40);
  }

  /** Fit the view, but never zoom in past 1.15 (a few nodes would get huge labels). */
  function fitCapped(padding) {
    cy.fit(cy.elements(), padding);
    if (cy.zoom() > 1.15) { cy.zoom(1.15); cy.center(); }
  }

  /** In the neighbourhood view, edge labels only while they stay few enough to read. */
  function relabel() {
    cy.edges().toggleClass("labelled", cy.edges().length <= 16);
  }

  async function expand(iri) {
    if (iri === state.iri || state.expanded.includes(iri)) return;
    setStatus("loading");
    try {
      const data = await getJSON("/explore/graph.json", { iri, depth: 1, rel: relParam() });
      const fresh = addData(data, false);
      relabel();
      state.expanded.push(iri);
      writeState(false);
      if (fresh.length) runForceLayout();
      afterRender();
    } catch (err) {
      notice("Could not expand: " + err.message, true);
      setStatus("error");
    }
  }

  /** Replace a group node by (a page of) its members and, if some are left, a smaller group. */
  async function openGroup(node, replay) {
    const d = node.data();
    const entry = d.id + "@" + d.group_offset;
    setStatus("loading");
    try {
      const data = await getJSON("/explore/group.json", { anchor: d.group_anchor, relation: d.group_relation,
        direction: d.group_direction, type: d.group_type, offset: d.group_offset });
      node.remove();
      const fresh = addData(data, false);
      if (!replay && !state.opened.includes(entry)) { state.opened.push(entry); writeState(false); }
      if (replay) return;
      relabel();
      if (fresh.length) runForceLayout();
      const shown = data.nodes.filter((n) => n.kind !== "group").length - 1;
      const left = data.nodes.find((n) => n.kind === "group");
      notice(`Opened ${shown} of the group` + (left ? `; ${left.group_size} more stay grouped (click the group again).` : "."));
      afterRender();
    } catch (err) {
      notice("Could not open the group: " + err.message, true);
      setStatus("error");
    }
  }

  async function loadTrace() {
    const data = await getJSON("/explore/trace.json", { iri: state.iri });
    addData(data, true);
    cy.edges('[relation = "contributesTo"], [relation = "listedUnder"]').removeClass("labelled");  // many converge: the colour says it
    cy.getElementById(state.iri).addClass("root");
    layoutTrace(data);
  }

  async function loadPath() {
    const data = await getJSON("/explore/path.json", { from: state.from, to: state.to, rel: relParam() });
    addData(data, true);
    cy.getElementById(state.from).addClass("root");
    cy.getElementById(state.to).addClass("root");
    layoutPath(data);
    if (!data.paths.length) {
      const hops = data.caps.max_depth * 2;
      notice(`No relation path joins ${meta.labels[state.from]} and ${meta.labels[state.to]} within ${hops} hops` +
        (data.truncated ? ` (the search stopped after ${data.caps.max_visited} nodes).` : "."));
    }
  }

  // --- layouts -----------------------------------------------------------------------------------

  /** Rows of a trace band: nodes realised by others in the same band sit higher, so chains read upwards. */
  function bandRows(ids, edges) {
    const inBand = new Set(ids);
    const out = new Map(ids.map((id) => [id, []]));
    for (const e of edges) if (TRACE_REL.has(e.relation) && inBand.has(e.source) && inBand.has(e.target)) out.get(e.source).push(e.target);
    const rank = new Map();
    const visit = (id, seen) => {
      if (rank.has(id)) return rank.get(id);
      if (seen.has(id)) return 0;
      seen.add(id);
      const r = out.get(id).reduce((m, t) => Math.max(m, 1 + visit(t, seen)), 0);
      rank.set(id, r);
      return r;
    };
    ids.forEach((id) => visit(id, new Set()));
    const rows = [];
    for (const id of ids) (rows[rank.get(id)] = rows[rank.get(id)] || []).push(id);
    const wrapped = [];
    for (const row of rows.filter(Boolean)) for (let i = 0; i < row.length; i += 6) wrapped.push(row.slice(i, i + 6));
    return wrapped;
  }

  function orderRows(rows, edges, spacing) {
    const x = new Map();
    const neighbours = new Map();
    for (const e of edges) {
      (neighbours.get(e.source) || neighbours.set(e.source, []).get(e.source)).push(e.target);
      (neighbours.get(e.target) || neighbours.set(e.target, []).get(e.target)).push(e.source);
    }
    const place = (row) => row.forEach((id, i) => x.set(id, (i - (row.length - 1) / 2) * spacing));
    const settle = (row, wanted) => {  // each node as near its wanted x as the spacing allows
      const xs = row.map((id) => wanted.get(id));
      for (let i = 1; i < xs.length; i++) xs[i] = Math.max(xs[i], xs[i - 1] + spacing);
      const shift = (row.reduce((a, id) => a + wanted.get(id), 0) - xs.reduce((a, b) => a + b, 0)) / xs.length;
      row.forEach((id, i) => x.set(id, xs[i] + shift));
    };
    rows.forEach((r) => r.row.sort((a, b) => (meta.labels[a] || a).localeCompare(meta.labels[b] || b)));
    rows.forEach((r) => place(r.row));
    for (let pass = 0; pass < 3; pass++) {
      for (const r of rows) {
        const bary = (id) => {
          const xs = (neighbours.get(id) || []).filter((n) => x.has(n) && !r.row.includes(n)).map((n) => x.get(n));
          return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : x.get(id);
        };
        const keys = new Map(r.row.map((id) => [id, bary(id)]));
        r.row.sort((a, b) => keys.get(a) - keys.get(b));
        if (pass < 2) place(r.row); else settle(r.row, keys);
      }
    }
    return x;
  }

  function layoutTrace(data) {
    const X = 200, ROW = 84, PAD = 26;
    const nodesByBand = new Map(data.bands.map((b) => [b.key, []]));
    for (const n of data.nodes) nodesByBand.get(n.band).push(n.id);
    const rows = [];
    for (const band of data.bands) {
      bandRows(nodesByBand.get(band.key), data.edges).forEach((row) => rows.push({ band: band.key, row }));
    }
    const x = orderRows(rows, data.edges, X);
    const extent = Math.max(0, ...[...x.values()].map(Math.abs));
    const width = Math.max(2 * extent + X + 60, 600);
    let y = 0;
    data.bands.forEach((band, i) => {
      const own = rows.filter((r) => r.band === band.key);
      const top = y;
      own.forEach((r, j) => r.row.forEach((id) => cy.getElementById(id).position({ x: x.get(id), y: top + PAD + j * ROW })));
      const height = (own.length - 1) * ROW + 2 * PAD + 30;
      cy.add({ group: "nodes", classes: "band", data: { id: "band:" + band.key, display: band.label, band: band.key,
        w: width, h: height, fill: BAND_FILLS[i % 2] }, position: { x: 0, y: top + height / 2 - 8 }, locked: true,
        grabbable: false, selectable: false });
      y += height;
    });
    fitCapped(24);
  }

  function layoutPath(data) {
    const columns = [];
    for (const path of data.paths) path.forEach((id, i) => {
      columns[i] = columns[i] || [];
      if (!columns.some((c) => c.includes(id))) columns[i].push(id);
    });
    const placed = new Set();
    columns.forEach((col, i) => col.forEach((id, j) => {
      cy.getElementById(id).position({ x: i * 240, y: (j - (col.length - 1) / 2) * 110 }).addClass("on-path");
      placed.add(id);
    }));
    const rest = cy.nodes().filter((n) => !placed.has(n.id()));
    rest.forEach((n, i) => n.position({ x: i * 240, y: 220 }));
    fitCapped(40);
  }

  // --- loading -----------------------------------------------------------------------------------

  function setStatus(status) { root.dataset.status = status; }

  async function load() {
    setStatus("loading");
    notice("");
    cy.elements().remove();
    meta = { truncated: false, caps: null, labels: {}, cut: { nodes: 0, edges: 0 } };
    showView();
    const ready = state.view === "path" ? state.from && state.to : state.iri;
    document.getElementById("empty").hidden = !!ready;
    if (!ready) { renderPanel(null); setStatus("ready"); return; }
    try {
      if (state.view === "trace") await loadTrace();
      else if (state.view === "path") await loadPath();
      else await loadGraph();
      afterRender();
      fillInputs();
      const selected = state.selected && cy.getElementById(state.selected);
      if (selected && selected.nonempty()) { selected.select(); renderPanel(selected); }
      else renderPanel(cy.getElementById(state.view === "path" ? state.from : state.iri));
      setStatus("ready");
    } catch (err) {
      notice("Could not load this view: " + err.message, true);
      renderPanel(null);
      setStatus("error");
    }
  }

  function fillInputs() {
    const put = (id, iri) => { const el = document.getElementById(id); if (iri && meta.labels[iri] && !el.value) el.value = meta.labels[iri]; };
    if (state.view === "graph") put("q-graph", state.iri);
    if (state.view === "trace" && !document.getElementById("trace-commitment").value) put("q-trace", state.iri);
    if (state.view === "path") { put("q-from", state.from); put("q-to", state.to); }
  }

  function afterRender() {
    applyFilters();
    if (meta.truncated && meta.caps) {
      const left = [meta.cut.nodes ? `${meta.cut.nodes} node${meta.cut.nodes === 1 ? "" : "s"}` : "",
                    meta.cut.edges ? `${meta.cut.edges} edge${meta.cut.edges === 1 ? "" : "s"}` : ""].filter(Boolean);
      notice(`This view was cut: it stops at ${meta.caps.max_nodes} nodes and ${meta.caps.max_edges} edges` +
        (left.length ? `; ${left.join(" and ")} (and the edges to them) were left out` : "") +
        ". Narrow the relations or expand single nodes.");
    }
    setStatus("ready");
  }

  function showView() {
    document.querySelectorAll(".ex-modes button").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.view === state.view)));
    document.querySelectorAll(".ex-controls").forEach((c) => { c.hidden = c.dataset.for !== state.view; });
    document.getElementById("depth").value = String(state.depth);
    const pick = document.getElementById("trace-commitment");
    pick.value = state.view === "trace" && [...pick.options].some((o) => o.value === state.iri) ? state.iri : "";
    document.querySelectorAll("input[name=rel]").forEach((box) => { box.checked = state.rel.includes(box.value); });
  }

  // --- filters and legend ------------------------------------------------------------------------

  function applyFilters() {
    const hiddenLevels = new Set(state.hideLevels), hiddenTypes = new Set(state.hideTypes), rel = new Set(state.rel);
    cy.nodes().not(".band").forEach((n) => {
      const hide = hiddenLevels.has(levelOf(n.data())) || (n.data("type") && hiddenTypes.has(n.data("type")));
      n.toggleClass("filtered", !!hide && !n.hasClass("root"));
    });
    cy.edges().forEach((e) => e.toggleClass("filtered", !rel.has(e.data("relation"))));
    buildTypeFilter();
  }

  function buildLevelFilter() {
    const box = document.getElementById("filter-levels");
    box.replaceChildren(...LEVELS.map(([key, label, shape]) => h("label", {},
      h("input", { type: "checkbox", name: "level", value: key, checked: !state.hideLevels.includes(key) }), " ",
      icon(shape, "#9aa3b2"), " ", label)));
  }

  function buildTypeFilter() {
    const types = new Map();
    cy.nodes().not(".band").forEach((n) => { if (n.data("type")) types.set(n.data("type"), n.data("type_label") || n.data("type")); });
    state.hideTypes.forEach((t) => { if (!types.has(t)) types.set(t, t); });
    const box = document.getElementById("filter-types");
    if (!types.size) { box.replaceChildren(h("span", { class: "muted" }, "—")); return; }
    box.replaceChildren(...[...types].sort((a, b) => a[1].localeCompare(b[1])).map(([key, label]) => h("label", {},
      h("input", { type: "checkbox", name: "type", value: key, checked: !state.hideTypes.includes(key) }), " ", label)));
  }

  function shapePath(shape, x, y, w, hgt) {
    const rx = w / 2, ry = hgt / 2;
    const poly = (pts) => "M" + pts.map(([px, py]) => `${(x + px * rx).toFixed(1)},${(y + py * ry).toFixed(1)}`).join("L") + "Z";
    const regular = (k, rot) => Array.from({ length: k }, (_, i) => [Math.cos(rot + (2 * Math.PI * i) / k), Math.sin(rot + (2 * Math.PI * i) / k)]);
    switch (shape) {
      case "star": return poly(Array.from({ length: 10 }, (_, i) => {
        const r = i % 2 ? 0.45 : 1, a = -Math.PI / 2 + (Math.PI * i) / 5;
        return [r * Math.cos(a), r * Math.sin(a)];
      }));
      case "hexagon": return poly(regular(6, 0));
      case "octagon": return poly(regular(8, Math.PI / 8));
      case "pentagon": return poly(regular(5, -Math.PI / 2));
      case "diamond": return poly([[0, -1], [1, 0], [0, 1], [-1, 0]]);
      case "rhomboid": return poly([[-0.6, -1], [1, -1], [0.6, 1], [-1, 1]]);
      case "triangle": return poly([[0, -1], [1, 1], [-1, 1]]);
      case "rectangle": return poly([[-1, -1], [1, -1], [1, 1], [-1, 1]]);
      case "round-rectangle": {
        const r = Math.min(rx, ry) * 0.35;
        return `M${x - rx + r},${y - ry}H${x + rx - r}Q${x + rx},${y - ry} ${x + rx},${y - ry + r}V${y + ry - r}` +
          `Q${x + rx},${y + ry} ${x + rx - r},${y + ry}H${x - rx + r}Q${x - rx},${y + ry} ${x - rx},${y + ry - r}` +
          `V${y - ry + r}Q${x - rx},${y - ry} ${x - rx + r},${y - ry}Z`;
      }
      default: return `M${x - rx},${y}A${rx},${ry} 0 1,0 ${x + rx},${y}A${rx},${ry} 0 1,0 ${x - rx},${y}Z`;
    }
  }

  function icon(shape, fill, stroke, dash) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("width", "16"); svg.setAttribute("height", "16"); svg.setAttribute("aria-hidden", "true");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", shapePath(shape, 8, 8, 14, 14));
    path.setAttribute("fill", fill);
    if (stroke) { path.setAttribute("stroke", stroke); path.setAttribute("stroke-width", "2"); }
    if (dash) path.setAttribute("stroke-dasharray", "2,2");
    svg.append(path);
    return svg;
  }

  function lineIcon(colour, width, dashed) {
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("width", "26"); svg.setAttribute("height", "10"); svg.setAttribute("aria-hidden", "true");
    const line = document.createElementNS("http://www.w3.org/2000/svg", "path");
    line.setAttribute("d", "M1,5H19M19,1L25,5L19,9Z");
    line.setAttribute("stroke", colour); line.setAttribute("fill", colour); line.setAttribute("stroke-width", String(width));
    if (dashed) line.setAttribute("stroke-dasharray", "4 3");
    svg.append(line);
    return svg;
  }

  function buildLegend() {
    const row = (...c) => h("div", { class: "legend-row" }, ...c);
    document.getElementById("legend").replaceChildren(
      h("div", { class: "legend-head" }, "Colour: kind"),
      ...Object.values(KINDS).map(([label, colour]) => row(icon("ellipse", colour), label)),
      h("div", { class: "legend-head" }, "Shape: governance level"),
      ...LEVELS.map(([, label, shape]) => row(icon(shape, "#9aa3b2"), label)),
      h("div", { class: "legend-head" }, "Arrows: relation"),
      ...Object.values(GROUPS).map(([label, colour]) => row(lineIcon(colour, 1.6), label)),
      row(lineIcon("#2b3445", 3), "thick: backed by a claim with evidence"),
      row(lineIcon("#2b3445", 1.6, true), "dashed: unverified claim only, not asserted as a fact"),
      h("div", { class: "legend-head" }, "Marks"),
      row(icon("ellipse", "#ffffff", "#1d2330"), "chosen node"),
      row(icon("ellipse", "#c7cfdc", "#5b6475", true), "context: what a traced instrument realises"),
    );
  }

  // --- side panel --------------------------------------------------------------------------------

  function sourceLinks(sources) {
    return sources.map((s) => h("div", { class: "src" }, "Source: ", h("a", { href: local(s), rel: "noopener" }, s)));
  }

  function renderPanel(ele) {
    const panel = document.getElementById("panel");
    if (!ele || ele.empty() || ele.hasClass("band")) {
      panel.replaceChildren(h("p", { class: "muted" }, "Click a node to expand it and see its details, evidence and sources."));
      return;
    }
    panel.replaceChildren(...(ele.isNode() ? nodePanel(ele) : edgePanel(ele)));
  }

  function groupPanel(node) {
    const d = node.data();
    return [
      h("span", { class: "kind-chip", style: "background:" + KINDS.group[1] }, "Group"),
      h("h2", {}, d.label),
      h("p", {}, `${d.group_size} neighbours over “${d.group_relation}” of one type, drawn as one node so the view stays readable.`),
      h("div", { class: "actions" }, h("button", { type: "button", onclick: () => openGroup(node) }, "Open the group")),
    ];
  }

  function nodePanel(node) {
    const d = node.data();
    if (d.kind === "group") return groupPanel(node);
    const [kindLabel, colour] = KINDS[d.kind] || [d.kind, "#777"];
    const facts = [["Acronym", d.acronym], ["Level", d.level_label || d.level], ["Type", d.type_label || d.type],
      ["Date", d.date], ["IRI", d.id]].filter(([, v]) => v);
    const act = (label, fn) => h("button", { type: "button", onclick: fn }, label);
    const relations = node.connectedEdges().map((e) => {
      const out = e.source().id() === d.id;
      const other = out ? e.target() : e.source();
      return h("li", {}, out ? `${e.data("label")} → ` : `← ${e.data("label")} `,
        h("a", { href: "#", onclick: (ev) => { ev.preventDefault(); select(other); } }, other.data("display")),
        e.data("unverified") ? h("span", { class: "tag" }, "unverified claim") : null,
        ...evidenceBlock(e.data("evidence")));
    });
    return [
      h("span", { class: "kind-chip", style: "background:" + colour }, kindLabel),
      h("h2", {}, d.label),
      h("dl", {}, ...facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
      h("div", { class: "actions" },
        h("a", { href: local(d.id), class: "resource-link" }, d.id.startsWith(BASE) ? "Resource page" : "Open IRI"),
        act("Expand", () => { if (state.view !== "graph") switchTo("graph", d.id); else expand(d.id); }),
        act("Trace", () => switchTo("trace", d.id)),
        act("Path from", () => { state.from = d.id; if (state.to) switchTo("path"); else notice("Path: now choose where to."); }),
        act("Path to", () => { state.to = d.id; if (state.from) switchTo("path"); else notice("Path: now choose where from."); })),
      ...sourceLinks(d.sources || []),
      h("h3", {}, `Relations in this view (${relations.length})`),
      h("ul", { class: "rels" }, ...relations),
    ];
  }

  function evidenceBlock(evidence) {
    return (evidence || []).flatMap((ev) => [
      ev.text ? h("blockquote", {}, ev.text) : null,
      ...sourceLinks(ev.sources),
      ev.method ? h("div", { class: "src muted" }, ev.method.replace(/-/g, " ")) : null,
    ]);
  }

  function edgePanel(edge) {
    const d = edge.data();
    return [
      h("span", { class: "kind-chip", style: "background:" + (GROUPS[d.group] || ["", "#777"])[1] }, "relation"),
      h("h2", {}, `${edge.source().data("display")} ${d.label} ${edge.target().data("display")}`),
      d.unverified ? h("p", { class: "muted" }, "Unverified claim only: the relation is not asserted as a fact.") : null,
      d.evidence.length ? h("h3", {}, "Evidence") : h("p", { class: "muted" }, "No claim with evidence backs this link."),
      ...evidenceBlock(d.evidence),
    ];
  }

  function select(ele) {
    cy.elements().unselect();
    ele.select();
    state.selected = ele.id();
    writeState(false);
    renderPanel(ele);
  }

  function switchTo(view, iri) {
    state.view = view;
    if (iri) state.iri = iri;
    if (view === "graph") { state.expanded = []; state.opened = []; }
    state.selected = null;
    writeState(true);
    load();
  }

  // --- search boxes ------------------------------------------------------------------------------

  function setupSearch(box, onPick) {
    const input = box.querySelector("input"), list = box.querySelector("ul");
    let timer = null, seq = 0, hits = [], active = -1;
    const close = () => { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; };
    const highlight = () => [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === active)));
    const pick = (hit) => { close(); input.value = hit.acronym && hit.acronym !== hit.label ? `${hit.label} (${hit.acronym})` : hit.label; onPick(hit); };
    const show = () => {
      list.replaceChildren(...hits.map((hit) => {
        const sub = [KINDS[hit.kind] ? KINDS[hit.kind][0] : hit.kind, hit.level, hit.matched !== hit.label ? `“${hit.matched}”${hit.lang ? " @" + hit.lang : ""}` : null];
        return h("li", { role: "option", onmousedown: (ev) => { ev.preventDefault(); pick(hit); } },
          hit.label, h("span", { class: "sub" }, sub.filter(Boolean).join(" · ")));
      }));
      if (!hits.length) list.replaceChildren(h("li", { class: "muted", "aria-disabled": "true" }, "No match"));
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const text = input.value.trim();
      if (text.length < 2) { close(); return; }
      timer = setTimeout(async () => {
        const mine = ++seq;
        try {
          const found = await getJSON("/explore/search.json", { q: text });
          if (mine === seq) { hits = found; active = -1; show(); }
        } catch (err) { notice("Search failed: " + err.message, true); }
      }, 160);
    });
    input.addEventListener("keydown", (ev) => {
      if (list.hidden || !hits.length) return;
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        active = (active + (ev.key === "ArrowDown" ? 1 : hits.length - 1)) % hits.length;
        highlight(); ev.preventDefault();
      } else if (ev.key === "Enter") { pick(hits[Math.max(active, 0)]); ev.preventDefault(); }
      else if (ev.key === "Escape") close();
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  }

  // --- exports -----------------------------------------------------------------------------------

  function download(blob, name) {
    const a = h("a", { href: URL.createObjectURL(blob), download: name });
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  const fileBase = () => "migkg-" + state.view + "-" + ((state.view === "path" ? state.to : state.iri) || "view").split(/[/#]/).pop();

  function csv(rows) {
    const cell = (v) => { const s = v === null || v === undefined ? "" : String(v); return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; };
    return rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
  }

  function nodesCSV() {
    const rows = [["id", "label", "acronym", "kind", "level", "type", "date", "band", "depth", "context"]];
    cy.nodes(":visible").not(".band").forEach((n) => {
      const d = n.data();
      rows.push([d.id, d.label, d.acronym, d.kind, d.level, d.type, d.date, d.band, d.depth, d.context]);
    });
    return csv(rows);
  }

  function edgesCSV() {
    const rows = [["source", "relation", "target", "evidence", "evidence_sources", "claims"]];
    cy.edges(":visible").forEach((e) => {
      const ev = e.data("evidence");
      rows.push([e.data("source"), e.data("relation"), e.data("target"), ev.map((x) => x.text).filter(Boolean).join(" | "),
        ev.flatMap((x) => x.sources).join(" "), ev.map((x) => x.claim).join(" ")]);
    });
    return csv(rows);
  }

  const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

  function wrapText(text, width) {
    const lines = [];
    let line = "";
    for (const word of String(text).split(/\s+/)) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; } else line = line ? line + " " + word : word;
    }
    if (line) lines.push(line);
    return lines;
  }

  function toSVG() {
    const bb = cy.elements(":visible").boundingBox({ includeLabels: true });
    const pad = 20, y0 = bb.y1 - pad, hgt = bb.h + 2 * pad;
    const bandLeft = Math.min(Infinity, ...cy.nodes(".band").map((b) => b.position("x") - b.data("w") / 2 - 200));
    const x0 = Math.min(bb.x1 - pad, bandLeft), w = bb.x2 + pad - x0;
    const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(w)}" height="${Math.ceil(hgt)}" viewBox="${x0} ${y0} ${w} ${hgt}" font-family="system-ui, sans-serif">`];
    const colours = new Set(cy.edges(":visible").map((e) => e.style("line-color")));
    out.push("<defs>" + [...colours].map((c, i) => `<marker id="m${i}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10Z" fill="${esc(c)}"/></marker>`).join("") + "</defs>");
    const marker = new Map([...colours].map((c, i) => [c, `m${i}`]));
    out.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${hgt}" fill="#ffffff"/>`);
    cy.nodes(".band").forEach((b) => {
      const p = b.position(), bw = b.data("w"), bh = b.data("h");
      out.push(`<rect x="${p.x - bw / 2}" y="${p.y - bh / 2}" width="${bw}" height="${bh}" fill="${esc(b.data("fill"))}"/>`);
      wrapText(b.data("display"), 24).forEach((line, i, all) => out.push(`<text x="${p.x - bw / 2 - 14}" y="${p.y + (i - (all.length - 1) / 2) * 17 + 5}" text-anchor="end" font-size="14" font-weight="bold" fill="#5b6475">${esc(line)}</text>`));
    });
    cy.edges(":visible").forEach((e) => {
      const s = e.source().position(), t = e.target().position();
      const len = Math.hypot(t.x - s.x, t.y - s.y) || 1, r = e.target().width() / 2 + 3;
      const tx = t.x - ((t.x - s.x) * r) / len, ty = t.y - ((t.y - s.y) * r) / len, c = e.style("line-color");
      out.push(`<line x1="${s.x}" y1="${s.y}" x2="${tx.toFixed(1)}" y2="${ty.toFixed(1)}" stroke="${esc(c)}" stroke-width="${parseFloat(e.style("width"))}" marker-end="url(#${marker.get(c)})"/>`);
      if (e.hasClass("labelled")) out.push(`<text x="${(s.x + t.x) / 2}" y="${(s.y + t.y) / 2 - 3}" text-anchor="middle" font-size="9" fill="#44506a" stroke="#fff" stroke-width="3" paint-order="stroke">${esc(e.data("label"))}</text>`);
    });
    cy.nodes(":visible").not(".band").forEach((n) => {
      const p = n.position(), nw = n.width(), nh = n.height();
      const dash = n.style("border-style") === "dashed" ? ' stroke-dasharray="3,2"' : "";
      out.push(`<path d="${shapePath(n.style("shape"), p.x, p.y, nw, nh)}" fill="${esc(n.style("background-color"))}" fill-opacity="${n.style("background-opacity")}" stroke="${esc(n.style("border-color"))}" stroke-width="${parseFloat(n.style("border-width"))}"${dash}/>`);
      wrapText(n.data("display"), 24).forEach((line, i) => out.push(`<text x="${p.x}" y="${p.y + nh / 2 + 14 + i * 13}" text-anchor="middle" font-size="11" fill="#1d2330" stroke="#fff" stroke-width="3" paint-order="stroke">${esc(line)}</text>`));
    });
    out.push("</svg>");
    return out.join("\n");
  }

  function exportAs(kind) {
    if (kind === "png") download(cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" }), fileBase() + ".png");
    else if (kind === "svg") download(new Blob([toSVG()], { type: "image/svg+xml" }), fileBase() + ".svg");
    else if (kind === "nodes") download(new Blob([nodesCSV()], { type: "text/csv" }), fileBase() + "-nodes.csv");
    else if (kind === "edges") download(new Blob([edgesCSV()], { type: "text/csv" }), fileBase() + "-edges.csv");
  }

  // --- wiring ------------------------------------------------------------------------------------

  function wire() {
    document.querySelectorAll(".ex-modes button").forEach((b) => b.addEventListener("click", () => {
      state.view = b.dataset.view; state.selected = null; writeState(true); load();
    }));
    setupSearch(document.querySelector('.ex-search[data-target="iri"]'), (hit) => {
      state.view = "graph"; state.iri = hit.id; state.expanded = []; state.opened = []; state.selected = null; writeState(true); load();
    });
    setupSearch(document.querySelector('.ex-search[data-target="trace"]'), (hit) => switchTo("trace", hit.id));
    setupSearch(document.querySelector('.ex-search[data-target="from"]'), (hit) => { state.from = hit.id; if (state.to) switchTo("path"); });
    setupSearch(document.querySelector('.ex-search[data-target="to"]'), (hit) => { state.to = hit.id; if (state.from) switchTo("path"); });
    document.getElementById("trace-commitment").addEventListener("change", (ev) => { if (ev.target.value) switchTo("trace", ev.target.value); });
    document.getElementById("depth").addEventListener("change", (ev) => { state.depth = parseInt(ev.target.value, 10); writeState(true); load(); });
    document.querySelectorAll("input[name=rel]").forEach((box) => box.addEventListener("change", () => {
      state.rel = [...document.querySelectorAll("input[name=rel]:checked")].map((b) => b.value);
      writeState(false);
      if (state.view === "trace") applyFilters(); else load();
    }));
    document.querySelector(".ex-filters").addEventListener("change", (ev) => {
      const name = ev.target.name;
      if (name !== "level" && name !== "type") return;
      const hidden = [...document.querySelectorAll(`input[name=${name}]:not(:checked)`)].map((b) => b.value);
      if (name === "level") state.hideLevels = hidden; else state.hideTypes = hidden;
      writeState(false);
      applyFilters();
    });
    document.querySelectorAll("[data-export]").forEach((b) => b.addEventListener("click", () => exportAs(b.dataset.export)));
    document.getElementById("copy-link").addEventListener("click", () => {
      if (navigator.clipboard) navigator.clipboard.writeText(location.href).then(() => notice("Link to this view copied."), () => notice(location.href));
      else notice(location.href);
    });
    cy.on("tap", "node", (ev) => {
      const node = ev.target;
      select(node);
      if (node.data("kind") === "group") openGroup(node);
      else if (state.view === "graph") expand(node.id());
    });
    cy.on("tap", "edge", (ev) => select(ev.target));
    window.addEventListener("popstate", () => { readState(); load(); });
  }

  window.explorer = { state, load, toSVG, nodesCSV, edgesCSV, expand };
  readState();
  buildLevelFilter();
  buildLegend();
  wire();
  load();
})();
