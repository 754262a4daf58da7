// landgrade web page: every answer comes from this service's API (relative URLs).
"use strict";
(function () {
  const CONFIG = JSON.parse(document.getElementById("lg-config").textContent);
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  // Numbers as the API gives them, at most d decimals, no trailing zeros (3194, 2.3, 50.33).
  const num = (v, d) => v == null ? "—" : String(parseFloat(v.toFixed(d == null ? 2 : d)));

  if (CONFIG.schematic) {
    $("lg-schematic").hidden = false;
    $("lg-schematic").textContent = "示意路网，非测绘成果 · " + CONFIG.schematic_note;
  }

  const map = L.map("map", { zoomControl: true });
  window.landgradeMap = map;
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
      map.fitBounds(layer.getBounds());
      addLegend(fc);
    }),
    getJSON("ogc/collections/extent/items?limit=10").then((fc) => {
      L.geoJSON(fc, { interactive: false, style: { color: "#111", weight: 2, fill: false, dashArray: "6 4" } }).addTo(map);
    }).catch(() => null),
    getJSON("ogc/collections/routes/items?limit=10000").then((fc) => {
      L.geoJSON(fc, {
        style: { color: "#1d4ed8", weight: 3, opacity: 0.85 },
        onEachFeature: (f, l) => {
          const p = f.properties;
          routeInfo[p.id] = p;
          l.bindTooltip(esc(p.id + " " + p.name) + "<br>路线价 " + num(p.price, 0) + " 元/m²", { sticky: true });
        },
      }).addTo(map);
    }).catch(() => null),
  ]).catch((e) => { $("lg-result").textContent = "地图加载失败 map failed to load: " + e.message; });
  window.landgradeReady = ready;

  function addLegend(fc) {
    const legend = L.control({ position: "bottomleft" });
    legend.onAdd = () => {
      const div = L.DomUtil.create("div", "lg-legend");
      div.style.cssText = "background:rgba(255,255,255,.92);padding:6px 8px;font-size:12px;border-radius:4px";
      const use = CONFIG.uses.length ? CONFIG.uses[0] : null;
      let html = "<b>级别 Grade</b>" + (use ? " · " + esc(use.label_zh) + " 元/m²" : "");
      fc.features.map((f) => f.properties).sort((a, b) => a.grade - b.grade).forEach((p) => {
        const price = use ? " " + num(p["p_" + shortKey(use.use)], 0) : "";
        html += '<div><span style="display:inline-block;width:12px;height:12px;margin-right:5px;background:' +
          esc(CONFIG.colors[String(p.grade)] || "#ccc") + '"></span>' + esc(p.grade) + "级" + price + "</div>";
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
      h += '<div class="lg-grade">级别 Grade: <b class="lg-grade-value">' + esc(rec.grade) + "</b>" +
        (rec.on_boundary ? ' <span class="en">(边界上取较优级别 on a boundary: the better grade)</span>' : "") + "</div>";
      h += "<table class=\"lg-prices\"><tr><th>用途 <span class=\"en\">Use</span></th><th>基准地价 <span class=\"en\">元/m²</span></th>" +
        "<th>年期 <span class=\"en\">Term</span></th><th>容积率 <span class=\"en\">Plot ratio</span></th></tr>";
      CONFIG.uses.forEach((u) => {
        const c = rec.connotation[u.use] || {};
        h += '<tr data-use="' + esc(u.use) + '"><td>' + esc(u.label_zh) + ' <span class="en">' + esc(u.label_en) +
          '</span></td><td class="num lg-price">' + num(rec.prices[u.use]) + '</td><td class="num">' +
          num(c.term_years) + ' 年</td><td class="num">' + num(c.plot_ratio, 1) + "</td></tr>";
      });
      h += "</table>";
      h += '<div class="lg-line">估价期日 <span class="en">Valuation date</span>: <b class="lg-date">' + esc(rec.valuation_date) + "</b></div>";
    } else {
      h += '<div class="lg-grade">级别 Grade: <b class="lg-grade-value">—</b> 不在定级范围内 <span class="en">outside the grading extent</span></div>';
    }
    const r = rec.nearest_route;
    if (r) {
      const info = routeInfo[r.id] || {};
      const depth = info.standard_depth_m != null ? num(info.standard_depth_m, 0) + " 米" : "—";
      h += '<div class="lg-line lg-route">最近路线 <span class="en">Nearest route</span>: <b>' + esc(r.id) + "</b> " + esc(r.name) +
        "<br>距离 <span class=\"en\">distance</span> " + r.distance_m.toFixed(1) + " 米 · 标准深度 <span class=\"en\">standard depth</span> " +
        depth + " (" + (r.within_standard_depth ? "深度内 within" : "深度外 beyond") + ")" +
        "<br>路线价 <span class=\"en\">road-line price</span> " + num(r.price, 0) + " 元/m²</div>";
    }
    h += '<div class="lg-line lg-coord">坐标 <span class="en">Coordinate</span>: ' + lon.toFixed(6) + ", " + lat.toFixed(6) + " (WGS84)" +
      (input ? "<br>输入 <span class=\"en\">input</span>: " + esc(input) : "") + "</div>";
    if (!compact) {  // the popup stays small; the side panel has everything
      h += '<div class="lg-line en">状态 status: ' + esc(rec.status) + " — " + esc(rec.message) + "</div>";
      if (rec.schematic_network) h += '<div class="lg-line en">示意路网 ' + esc(CONFIG.schematic_note) + "</div>";
    }
    return h + "</div>";
  }

  function show(rec, lon, lat, input) {
    $("lg-result").className = "";
    $("lg-result").innerHTML = answerHTML(rec, lon, lat, input, false);
    if (marker) marker.remove();
    marker = L.circleMarker([lat, lon], { radius: 6, color: "#000", fillColor: "#fff", fillOpacity: 1 }).addTo(map);
    L.popup({ maxWidth: 440, autoPanPadding: [20, 20] }).setLatLng([lat, lon])
      .setContent(answerHTML(rec, lon, lat, input, true)).openOn(map);
  }

  map.on("click", async (e) => {
    const lon = e.latlng.lng, lat = e.latlng.lat;
    try {
      const rec = await getJSON("api/locate?x=" + lon + "&y=" + lat + "&crs=EPSG:4326");
      show(rec, lon, lat, null);
    } catch (err) {
      $("lg-result").textContent = "查询失败 failed: " + err.message;
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
  async function postFile(format) {
    const file = $("lg-file").files[0];
    const body = new FormData();
    body.append("file", file, file.name);
    const crs = $("lg-file-crs").value;
    const url = "api/assign?format=" + format + (crs ? "&crs=" + encodeURIComponent(crs) : "");
    const r = await fetch(url, { method: "POST", body });
    if (!r.ok) {
      const b = await r.json().catch(() => ({ detail: r.status + " " + r.statusText }));
      throw new Error(b.detail);
    }
    return r;
  }

  function renderTable(fc) {
    const rows = fc.features.map((f) => f.properties || {});
    const cols = [];
    rows.forEach((p) => Object.keys(p).forEach((k) => { if (!cols.includes(k)) cols.push(k); }));
    let h = "<thead><tr>" + cols.map((c) => {
      const l = CONFIG.columns[c];
      return "<th data-col=\"" + esc(c) + "\">" + (l ? esc(l[0]) + "<small>" + esc(c) + "</small>" : esc(c)) + "</th>";
    }).join("") + "</tr></thead><tbody>";
    rows.slice(0, 2000).forEach((p) => {
      h += "<tr>" + cols.map((c) => {
        const v = p[c];
        return typeof v === "number" ? '<td class="num" data-col="' + esc(c) + '">' + num(v) + "</td>"
          : '<td data-col="' + esc(c) + '">' + esc(v) + "</td>";
      }).join("") + "</tr>";
    });
    $("lg-table").innerHTML = h + "</tbody>";
    $("lg-table-wrap").hidden = false;
    // The status column sits far right: say here how many rows were not answered, and why.
    const counts = {};
    rows.forEach((p) => { counts[p.status] = (counts[p.status] || 0) + 1; });
    const statuses = Object.keys(counts).filter((k) => k !== "undefined")
      .map((k) => k + " " + counts[k]).join(" · ");
    $("lg-rows").textContent = rows.length + " 行 rows" + (statuses ? " — " + statuses : "") +
      (rows.length > 2000 ? " (表中显示前 2000 行 first 2000 shown)" : "");
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
