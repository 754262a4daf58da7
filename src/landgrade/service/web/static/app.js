// landgrade web page: every answer comes from this service's API (relative URLs); every word
// comes from the page's configuration (CONFIG.words, in the service's language).
"use strict";
(function () {
  const CONFIG = JSON.parse(document.getElementById("lg-config").textContent);
  const W = CONFIG.words;
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const fill = (t, f) => t.replace(/\{(\w+)\}/g, (m, k) => (k in f ? String(f[k]) : m));
  // Numbers as the API gives them, at most d decimals, no trailing zeros (3194, 2.3, 50.33).
  const num = (v, d) => v == null ? "—" : String(parseFloat(v.toFixed(d == null ? 2 : d)));
  const gradeWord = (g) => CONFIG.grade_labels[String(g)] || String(g);

  if (CONFIG.schematic) {
    $("lg-schematic").hidden = false;
    $("lg-schematic").textContent = CONFIG.schematic_note;
  }

  const map = L.map("map", { zoomControl: true });
  window.landgradeMap = map;
  // Layers arrive in any order: panes keep water and routes above the grades whatever comes
  // first (the overlay pane is at z-index 400).
  map.createPane("lg-water").style.zIndex = 410;
  map.createPane("lg-routes").style.zIndex = 420;
  L.control.scale({ imperial: false }).addTo(map);
  const routeInfo = {};
  let marker = null;
  let gradedLayer = null;

  async function getJSON(url, options) {
    const r = await fetch(url, options);
    const body = await r.json().catch(() => ({ detail: r.status + " " + r.statusText }));
    if (!r.ok) throw new Error(body.detail || r.statusText);
    return body;
  }

  // --- layers ----------------------------------------------------------------------------
  const ready = Promise.all([
    getJSON("ogc/collections/grades/items?limit=10000").then((fc) => {
      const layer = L.geoJSON(fc, {
        interactive: false,
        style: (f) => ({ color: "#444", weight: 1, fillOpacity: 0.55,
                         fillColor: CONFIG.colors[String(f.properties.grade)] || "#ccc" }),
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { animate: false });
      addLegend(fc);
    }),
    getJSON("ogc/collections/water/items?limit=10000").then((fc) => {
      L.geoJSON(fc, { interactive: false, pane: "lg-water",  // as the printed map draws it
                      style: { color: CONFIG.layer_colors.water, weight: 3, opacity: 0.9,
                               fillColor: CONFIG.layer_colors.water, fillOpacity: 0.7 } })
        .addTo(map);
    }).catch(() => null),
    getJSON("ogc/collections/extent/items?limit=10").then((fc) => {
      L.geoJSON(fc, { interactive: false, style: { color: "#111", weight: 2, fill: false, dashArray: "6 4" } }).addTo(map);
    }).catch(() => null),
    getJSON("ogc/collections/routes/items?limit=10000").then((fc) => {
      L.geoJSON(fc, {
        pane: "lg-routes",
        style: { color: CONFIG.layer_colors.routes, weight: 3, opacity: 0.85 },
        onEachFeature: (f, l) => {
          const p = f.properties;
          routeInfo[p.id] = p;
          l.bindTooltip(esc(p.id + " " + p.name) + "<br>" + esc(W.road_price) + " " +
            num(p.price, 0) + " " + esc(CONFIG.unit), { sticky: true });
        },
      }).addTo(map);
    }).catch(() => null),
  ]).catch((e) => { $("lg-result").textContent = W.web_failed_map + ": " + e.message; });
  window.landgradeReady = ready;

  function addLegend(fc) {
    const legend = L.control({ position: "bottomleft" });
    legend.onAdd = () => {
      const div = L.DomUtil.create("div", "lg-legend");
      const use = CONFIG.uses.length ? CONFIG.uses[0] : null;
      let html = "<b>" + esc(W.legend_grades) + "</b>" +
        (use ? " · " + esc(use.label) + " " + esc(CONFIG.unit) : "");
      fc.features.map((f) => f.properties).sort((a, b) => a.grade - b.grade).forEach((p) => {
        const price = use ? " " + num(p["p_" + shortKey(use.use)], 0) : "";
        html += '<div><span class="lg-swatch" style="background:' +
          esc(CONFIG.colors[String(p.grade)] || "#ccc") + '"></span>' + esc(gradeWord(p.grade)) +
          price + "</div>";
      });
      div.innerHTML = html;
      return div;
    };
    legend.addTo(map);
  }

  function shortKey(use) {  // as landgrade.answer.use_short
    const i = use.lastIndexOf("_");
    const head = i > 0 ? use.slice(0, i) : "", tail = i > 0 ? use.slice(i + 1) : "";
    return head && /^\d+$/.test(tail) ? head.slice(0, 3) + tail : use.slice(0, 4);
  }

  // --- answers ---------------------------------------------------------------------------
  function answerHTML(rec, lon, lat, input, compact) {
    let h = '<div class="lg-answer">';
    if (rec.inside_extent) {
      h += '<div class="lg-grade">' + esc(W.grade) + ': <b class="lg-grade-value" data-grade="' +
        esc(rec.grade) + '">' + esc(gradeWord(rec.grade)) + "</b>" +
        (rec.on_boundary ? ' <span class="lg-note">' + esc(W.on_boundary) + "</span>" : "") +
        "</div>";
      h += '<table class="lg-prices"><tr><th>' + esc(W.use) + "</th><th>" + esc(W.prices) +
        " (" + esc(CONFIG.unit) + ")</th><th>" + esc(W.term) + "</th><th>" +
        esc(W.plot_ratio) + "</th></tr>";
      CONFIG.uses.forEach((u) => {
        const c = rec.connotation[u.use] || {};
        h += '<tr data-use="' + esc(u.use) + '"><td>' + esc(u.label) +
          '</td><td class="num lg-price">' + num(rec.prices[u.use]) + '</td><td class="num">' +
          (c.term_years == null ? "—" : esc(fill(W.web_years, { n: c.term_years }))) +
          '</td><td class="num">' + num(c.plot_ratio, 1) + "</td></tr>";
      });
      h += "</table>";
      h += '<div class="lg-line">' + esc(W.valuation_date) + ': <b class="lg-date">' +
        esc(rec.valuation_date) + "</b></div>";
    } else {
      h += '<div class="lg-grade">' + esc(W.grade) + ': <b class="lg-grade-value" data-grade="">' +
        esc(W.outside_extent) + "</b></div>";
    }
    const r = rec.nearest_route;
    if (r) {
      const info = routeInfo[r.id] || {};
      const depth = info.standard_depth_m != null ? num(info.standard_depth_m, 0) + " " + esc(W.m) : "—";
      h += '<div class="lg-line lg-route">' + esc(W.nearest_route) + ": <b>" + esc(r.id) + "</b> " +
        esc(r.name) + "<br>" + esc(W.distance) + " " + r.distance_m.toFixed(1) + " " + esc(W.m) +
        " · " + esc(W.standard_depth) + " " + depth + " (" +
        esc(r.within_standard_depth ? W.web_within : W.web_beyond) + ")" +
        "<br>" + esc(W.road_price) + " " + (r.price == null ? "—" : num(r.price, 0) + " " +
        esc(CONFIG.unit)) + "</div>";
    }
    h += '<div class="lg-line lg-coord">' + esc(W.point) + ": " + lon.toFixed(6) + ", " +
      lat.toFixed(6) + " (WGS84)" +
      (input ? "<br>" + esc(W.web_input) + ": " + esc(input) : "") + "</div>";
    if (!compact) {  // the popup stays small; the side panel has everything
      h += '<div class="lg-line lg-note">' + esc(W.status) + ": " +
        esc(CONFIG.statuses[rec.status] || rec.message) + "</div>";
      if (rec.schematic_network) {
        h += '<div class="lg-line lg-note">' + esc(W.note) + ": " + esc(W.schematic_short) +
          "</div>";
      }
    }
    return h + "</div>";
  }

  function show(rec, lon, lat, input) {
    $("lg-result").className = "";
    $("lg-result").innerHTML = answerHTML(rec, lon, lat, input, false);
    if (marker) marker.remove();
    marker = L.circleMarker([lat, lon], { radius: 6, color: "#000", fillColor: "#fff", fillOpacity: 1 }).addTo(map);
    L.popup({ maxWidth: 460, autoPanPadding: [20, 20] }).setLatLng([lat, lon])
      .setContent(answerHTML(rec, lon, lat, input, true)).openOn(map);
  }

  map.on("click", async (e) => {
    const lon = e.latlng.lng, lat = e.latlng.lat;
    try {
      const rec = await getJSON("api/locate?x=" + lon + "&y=" + lat + "&crs=EPSG:4326");
      show(rec, lon, lat, null);
    } catch (err) {
      $("lg-result").textContent = W.web_failed + ": " + err.message;
    }
  });

  $("lg-paste").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("lg-paste-error").textContent = "";
    const xy = $("lg-xy").value.trim(), crs = $("lg-crs").value;
    const q = "xy=" + encodeURIComponent(xy);
    try {
      const [rec, pos] = await Promise.all([
        getJSON("api/locate?" + q + "&crs=" + encodeURIComponent(crs)),
        getJSON("api/convert?" + q + "&from=" + encodeURIComponent(crs) + "&to=EPSG:4326"),
      ]);
      map.setView([pos.y, pos.x], Math.max(map.getZoom(), 14), { animate: false });
      show(rec, pos.x, pos.y, xy + " (" + $("lg-crs").selectedOptions[0].text + ")");
    } catch (err) {
      $("lg-paste-error").textContent = err.message;
    }
  });

  // --- files -----------------------------------------------------------------------------
  // The columns of a chosen CSV or GeoJSON file, offered for the land-use field (a zipped
  // shapefile or a GeoPackage cannot be read here: the field is then typed).
  $("lg-file").addEventListener("change", async () => {
    const list = $("lg-use-fields");
    list.innerHTML = "";
    const file = $("lg-file").files[0];
    $("lg-file-name").textContent = file ? file.name : W.web_no_file;
    if (!file || file.size > 50 * 1024 * 1024) return;
    let cols = [];
    try {
      if (/\.csv$/i.test(file.name)) {
        const head = (await file.slice(0, 65536).text()).replace(/^\uFEFF/, "").split(/\r?\n/)[0];
        cols = head.split(",").map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
      } else if (/\.(geo)?json$/i.test(file.name)) {
        const fc = JSON.parse(await file.text());
        const first = (fc.features || []).find((f) => f && f.properties) || {};
        cols = Object.keys(first.properties || {});
      }
    } catch (err) { cols = []; }
    cols.filter((c) => c).forEach((c) => {
      const o = document.createElement("option");
      o.value = c;
      list.appendChild(o);
    });
  });

  async function postFile(format) {
    const file = $("lg-file").files[0];
    const body = new FormData();
    body.append("file", file, file.name);
    const crs = $("lg-file-crs").value, useField = $("lg-use-field").value.trim();
    const url = "api/assign?format=" + format + (crs ? "&crs=" + encodeURIComponent(crs) : "") +
      (useField ? "&use_field=" + encodeURIComponent(useField) : "");
    const r = await fetch(url, { method: "POST", body });
    if (!r.ok) {
      const b = await r.json().catch(() => ({ detail: r.status + " " + r.statusText }));
      throw new Error(b.detail);
    }
    return r;
  }

  function cell(c, v) {
    if (typeof v === "boolean") {  // 是/否 in Chinese, true/false in English
      return '<td class="lg-bool" data-col="' + esc(c) + '" data-value="' + v + '">' +
        esc(v ? W.yes : W.no) + "</td>";
    }
    return typeof v === "number" ? '<td class="num" data-col="' + esc(c) + '">' + num(v) + "</td>"
      : '<td data-col="' + esc(c) + '">' + esc(v) + "</td>";
  }

  function renderTable(fc) {
    const rows = fc.features.map((f) => f.properties || {});
    const cols = [];
    rows.forEach((p) => Object.keys(p).forEach((k) => { if (!cols.includes(k)) cols.push(k); }));
    let h = "<thead><tr>" + cols.map((c) => {
      const l = CONFIG.columns[c];
      return "<th data-col=\"" + esc(c) + "\">" + (l ? esc(l) + "<small>" + esc(c) + "</small>" : esc(c)) + "</th>";
    }).join("") + "</tr></thead><tbody>";
    rows.slice(0, 2000).forEach((p) => {
      h += "<tr>" + cols.map((c) => cell(c, p[c])).join("") + "</tr>";
    });
    $("lg-table").innerHTML = h + "</tbody>";
    $("lg-table-wrap").hidden = false;
    // The status column sits far right: say here how many rows were not answered, and why.
    const counts = {};
    rows.forEach((p) => { counts[p.status] = (counts[p.status] || 0) + 1; });
    const statuses = Object.keys(counts).filter((k) => k !== "undefined")
      .map((k) => k + " " + counts[k]).join(" · ");
    $("lg-rows").textContent = fill(W.web_rows, { n: rows.length }) +
      (statuses ? " — " + statuses : "") +
      (rows.length > 2000 ? fill(W.web_first_rows, { n: 2000 }) : "");
  }

  $("lg-upload").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("lg-upload-error").textContent = "";
    try {
      const fc = await (await postFile("geojson")).json();
      renderTable(fc);
      $("lg-download").hidden = false;
      if (gradedLayer) gradedLayer.remove();
      const crs = $("lg-file-crs").value;
      const named = fc.crs && fc.crs.properties ? String(fc.crs.properties.name) : "";
      const wgs84 = !named || /CRS84|4326/.test(named);
      if ((!crs || crs === "EPSG:4326") && wgs84) {  // only WGS84 output can be drawn as is
        gradedLayer = L.geoJSON(fc, { pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 4 }),
                                      style: { color: "#059669", weight: 2 } }).addTo(map);
      }
    } catch (err) {
      $("lg-upload-error").textContent = err.message;
    }
  });

  // The name the service gives the graded file (宗地.zip → 宗地_graded.zip): its UTF-8
  // filename* (RFC 6266/5987) first, so Chinese names survive; the ASCII filename otherwise.
  function downloadName(disposition) {
    const utf8 = /filename\*\s*=\s*UTF-8''([^;\s]+)/i.exec(disposition);
    if (utf8) {
      try { return decodeURIComponent(utf8[1]); } catch (err) { /* malformed: the ASCII one */ }
    }
    const plain = /filename\s*=\s*"([^"]+)"/i.exec(disposition);
    return plain ? plain[1] : "graded";
  }

  $("lg-download-btn").addEventListener("click", async () => {
    $("lg-upload-error").textContent = "";
    try {
      const r = await postFile($("lg-format").value);
      const name = downloadName(r.headers.get("content-disposition") || "");
      const a = document.createElement("a");
      a.href = URL.createObjectURL(await r.blob());
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (err) {
      $("lg-upload-error").textContent = err.message;
    }
  });
})();
