// The world map: world-atlas shapes (ISO 3166 numeric ids) joined to /map.json on mig:iso3166Numeric,
// projected with d3-geo (Equal Earth), coloured by the chosen measure; each country links to its profile.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const figure = document.getElementById("map");
  if (!figure) return;
  const NONE = "#eef0f3";
  const SEQUENTIAL = ["#c6dbef", "#8fb8de", "#5a93c9", "#2f6cae", "#154a85"];
  const STATUS = { "ratification": "#1f5fa8", "accession": "#8a4b00", "ratification-or-accession": "#6a3d9a",
                   "signature": "#2b8cbe", "party": "#00695c" };
  const STATUS_TEXT = { "ratification": "ratified", "accession": "acceded", "ratification-or-accession":
                        "ratified or acceded (source does not say which)", "signature": "signed only",
                        "party": "party (no status recorded)" };

  function el(name, attrs) {
    const node = document.createElementNS(SVG, name);
    for (const key in attrs) node.setAttribute(key, attrs[key]);
    return node;
  }
  function bins(max) {
    // Upper bounds of five classes: 1, then doubling up to the maximum.
    const bounds = [];
    let b = 1;
    while (bounds.length < 4 && b < max) { bounds.push(b); b = Math.max(b * 2, Math.ceil(max / Math.pow(2, 4 - bounds.length))); }
    bounds.push(max);
    return bounds.filter(function (v, i, a) { return a.indexOf(v) === i; });
  }
  function legend(items) {
    const box = document.getElementById("map-legend");
    box.textContent = "";
    const list = document.createElement("ul");
    list.className = "legend";
    items.forEach(function (item) {
      const li = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch"; swatch.style.background = item.colour;
      li.appendChild(swatch); li.appendChild(document.createTextNode(item.text));
      list.appendChild(li);
    });
    box.appendChild(list);
  }
  Promise.all([fetch(figure.dataset.shapes).then(function (r) { return r.json(); }),
               fetch(figure.dataset.source).then(function (r) { return r.json(); })])
    .then(function (loaded) {
      const topology = loaded[0], data = loaded[1];
      // Joined on the ISO numeric code only; the countries world-atlas has no shape for (shape: false,
      // e.g. historic States) are listed beside the map by the page and named at the foot of the SVG.
      const byNumeric = {};
      data.countries.forEach(function (c) {
        if (c.numeric && c.shape !== false) byNumeric[String(c.numeric).padStart(3, "0")] = c;
      });
      const unshaped = data.countries.filter(function (c) { return c.shape === false; });
      const status = data.measure === "status";
      const max = Math.max(1, ...data.countries.map(function (c) { return c.value || 0; }));
      const bounds = bins(max);
      function colour(c) {
        if (!c) return NONE;
        if (status) return STATUS[c.category] || NONE;
        if (!c.value) return NONE;
        for (let i = 0; i < bounds.length; i++) if (c.value <= bounds[i]) return SEQUENTIAL[i + SEQUENTIAL.length - bounds.length];
        return SEQUENTIAL[SEQUENTIAL.length - 1];
      }
      function describe(c, name) {
        if (!c) return name + ": not in the graph";
        if (status) return c.label + ": " + (STATUS_TEXT[c.category] || "no status recorded");
        return c.label + ": " + (c.value || 0) + (data.measure === "blas" ? " bilateral labour agreements" : " instruments");
      }
      const countries = topojson.feature(topology, topology.objects.countries);
      const width = 960, mapHeight = 500, height = mapHeight + (unshaped.length ? 24 : 0);
      const projection = d3.geoEqualEarth().fitSize([width, mapHeight - 10], countries);
      const path = d3.geoPath(projection);
      const svg = el("svg", { viewBox: "0 0 " + width + " " + height, role: "img", width: "100%",
                              "aria-label": "World map: " + (status ? "status of " + data.instrument : data.measure),
                              "font-family": "system-ui, sans-serif" });
      svg.appendChild(el("rect", { x: 0, y: 0, width: width, height: height, fill: "#ffffff" }));
      svg.appendChild(el("path", { d: path({ type: "Sphere" }), fill: "#f7f9fc", stroke: "#8a93a3", "stroke-width": 0.5 }));
      let drawn = 0;
      countries.features.forEach(function (feature) {
        const name = (feature.properties && feature.properties.name) || "unnamed";
        const c = byNumeric[feature.id];
        const shape = el("path", { d: path(feature), fill: colour(c), stroke: "#4e5a6b", "stroke-width": 0.3,
                                   "data-numeric": feature.id || "" });
        const title = el("title", {}); title.textContent = describe(c, name); shape.appendChild(title);
        if (c) {
          const link = el("a", { href: "/countries/" + c.code, "data-code": c.code, "aria-label": describe(c, name) });
          link.appendChild(shape); svg.appendChild(link); drawn += 1;
        } else {
          svg.appendChild(shape);
        }
      });
      if (unshaped.length) {
        const note = el("text", { x: 8, y: mapHeight + 16, "font-size": 12, fill: "#3b4350", class: "unshaped" });
        note.textContent = "Not drawn (no shape in world-atlas): " + unshaped.map(function (c) {
          return c.label + " " + (status ? (STATUS_TEXT[c.category] || "no status recorded") : (c.value || 0));
        }).join(" · ");
        svg.appendChild(note);
      }
      figure.querySelector(".map-canvas").appendChild(svg);
      figure.dataset.drawn = String(drawn);
      if (status) {
        legend(Object.keys(STATUS).map(function (k) { return { colour: STATUS[k], text: STATUS_TEXT[k] }; })
          .concat([{ colour: NONE, text: "no status recorded" }]));
      } else {
        let low = 1;
        const items = bounds.map(function (b, i) {
          const item = { colour: SEQUENTIAL[i + SEQUENTIAL.length - bounds.length], text: low === b ? String(b) : low + "–" + b };
          low = b + 1; return item;
        });
        legend([{ colour: NONE, text: "0 or not in the graph" }].concat(items));
      }
      figure.classList.add("drawn");
    })
    .catch(function (err) {
      figure.querySelector(".map-canvas").textContent = "The map could not be drawn: " + err;
    });
})();
