// The offline web map's own script (landgrade.outputs.map_html): the first view, the scale
// and zoom controls in the page's language, and the answer at a clicked point. The answer has
// the schema of landgrade.engine.answer.to_record (the record `landgrade locate --json`
// prints), computed in the page from what map_html writes into it: the grade polygons drawn,
// each grade's prices with their term and plot ratio, and the Table 7 routes in the working
// CRS, with a polynomial from the shown longitude/latitude to that CRS.
"use strict";
window.addEventListener("load", function () {
  const D = JSON.parse(document.getElementById("landgrade-data").textContent);
  const W = D.words;
  const map = window[D.map];
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const fill = (t, f) => t.replace(/\{(\w+)\}/g, (m, k) => (k in f ? String(f[k]) : m));
  const fmt = (v) => (v == null ? "-" : String(v)); // as the terminal answer prints numbers

  // -- the first view: whole, at once --------------------------------------------------------
  // An animated fitBounds at start leaves the vector layers clipped to the view they were first
  // drawn in until the user pans; sized and fitted without animation, they are drawn whole.
  L.control.scale({ imperial: false }).addTo(map); // metres only
  L.control.zoom({ zoomInTitle: W.zoom_in, zoomOutTitle: W.zoom_out }).addTo(map);
  function fitView() {
    map.invalidateSize({ pan: false });
    const legend = document.getElementById("landgrade-legend");
    const layers = document.querySelector(".leaflet-control-layers");
    const w = (b) => (b ? b.offsetWidth : 0), h = (b) => (b ? b.offsetHeight : 0);
    // Room for the legend (bottom right) and the layer list (top right): beside the map in a
    // wide window, above and below it in a tall one; whichever shows the map larger.
    const sides = [
      { paddingTopLeft: [16, 16], paddingBottomRight: [Math.max(w(legend), w(layers)) + 24, 16] },
      { paddingTopLeft: [16, h(layers) + 24], paddingBottomRight: [16, h(legend) + 24] },
    ];
    const zoom = (o) => map.getBoundsZoom(D.bounds, false,
      L.point(o.paddingTopLeft).add(o.paddingBottomRight));
    const best = zoom(sides[0]) >= zoom(sides[1]) ? sides[0] : sides[1];
    map.fitBounds(D.bounds, Object.assign({ animate: false }, best));
  }
  fitView();
  window.landgradeFitView = fitView;

  // -- the answer at a point -----------------------------------------------------------------
  function toWorking(lon, lat) {
    const u = lon - D.origin[0], v = lat - D.origin[1];
    const t = [1, u, v, u * u, u * v, v * v, u * u * u, u * u * v, u * v * v, v * v * v];
    let x = 0, y = 0;
    for (let i = 0; i < t.length; i++) { x += D.cx[i] * t[i]; y += D.cy[i] * t[i]; }
    return [x, y];
  }

  function inRing(x, y, ring) {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  const inPolygon = (x, y, rings) =>
    inRing(x, y, rings[0]) && !rings.slice(1).some((hole) => inRing(x, y, hole));

  let gradeFeatures = null;
  function gradeAt(lon, lat) {
    if (gradeFeatures === null) {
      gradeFeatures = [];
      window[D.grades_layer].eachLayer((l) => gradeFeatures.push(l.feature));
    }
    let best = null; // the better (lower) grade wins, as in the engine
    gradeFeatures.forEach((f) => {
      const g = f.geometry;
      const polygons = g.type === "Polygon" ? [g.coordinates]
        : g.type === "MultiPolygon" ? g.coordinates : [];
      if (polygons.some((p) => inPolygon(lon, lat, p))) {
        const grade = f.properties.grade;
        if (best === null || grade < best) best = grade;
      }
    });
    return best;
  }

  function segmentDistance(px, py, ax, ay, bx, by) {
    const dx = bx - ax, dy = by - ay, len = dx * dx + dy * dy;
    const t = len > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len)) : 0;
    return Math.hypot(px - ax - t * dx, py - ay - t * dy);
  }

  function nearestRoute(x, y) {
    let best = null, bestD = Infinity; // equally near: the route listed first, as the engine
    D.routes.forEach((r) => {
      r.parts.forEach((part) => {
        for (let i = 1; i < part.length; i++) {
          const d = segmentDistance(x, y, part[i - 1][0], part[i - 1][1], part[i][0], part[i][1]);
          if (d < bestD) { bestD = d; best = r; }
        }
      });
    });
    if (best === null) return null;
    const applies = best.standard_depth_m != null && bestD <= best.standard_depth_m;
    return { id: best.id, name: best.name, distance_m: Math.round(bestD * 100) / 100,
      within_standard_depth: applies, applicable: applies,
      price: applies ? best.price : null, standard_depth_m: best.standard_depth_m,
      road_class: best.road_class };
  }

  function answerAt(lon, lat) {
    const [x, y] = toWorking(lon, lat);
    const grade = gradeAt(lon, lat);
    const inside = grade !== null;
    const g = inside ? D.grades[String(grade)] || {} : {};
    const prices = {}, connotation = {};
    D.uses.forEach((u) => {
      prices[u.key] = inside && g.prices ? g.prices[u.key] : null;
      const c = inside && g.connotation ? g.connotation[u.key] : null;
      connotation[u.key] = c || { term_years: null, plot_ratio: null };
    });
    return {
      record: {
        inside_extent: inside, grade: grade, on_boundary: false, prices: prices,
        connotation: connotation, valuation_date: inside ? D.valuation_date : null,
        price_source: inside && D.uses.length ? "urban" : null,
        nearest_route: nearestRoute(x, y),
        town: null, town_class: null,
        status: inside ? "ok" : "outside_extent",
        message: inside ? D.messages.ok : D.messages.outside_extent,
        schematic_network: D.schematic, gazette: D.gazette,
      },
      x: x, y: y,
    };
  }
  window.landgradeAnswerAt = answerAt;

  const line = (head, body, cls) => '<div class="landgrade-line' + (cls ? " " + cls : "") +
    '"><b>' + esc(head) + "</b> " + body + "</div>";

  function render(a, lon, lat) {
    const rec = a.record;
    let h = '<div class="landgrade-answer">';
    h += line(W.point, lon.toFixed(6) + ", " + lat.toFixed(6) + " (" + esc(D.display) + ")<br>" +
      a.x.toFixed(2) + ", " + a.y.toFixed(2) + " (" + esc(D.working) + ")", "landgrade-coord");
    if (rec.inside_extent) {
      h += line(W.grade, '<span class="landgrade-grade">' +
        esc((D.grades[String(rec.grade)] || {}).label || rec.grade) + "</span>");
      if (D.uses.length) {
        h += line(W.prices, esc(fill(W.prices_line, { unit: D.unit,
          date: rec.valuation_date || "-" })));
        h += '<table class="landgrade-prices">';
        D.uses.forEach((u) => {
          const c = rec.connotation[u.key];
          h += '<tr data-use="' + esc(u.key) + '"><td>' + esc(u.label) +
            '</td><td class="num">' + esc(fmt(rec.prices[u.key])) + "</td><td>" +
            esc(fill(W.term_ratio, { term: fmt(c.term_years), ratio: fmt(c.plot_ratio) })) +
            "</td></tr>";
        });
        h += "</table>";
      }
    } else {
      h += '<div class="landgrade-line landgrade-outside">' + esc(W.click_outside) + "</div>";
    }
    const r = rec.nearest_route;
    if (r) {
      const dist = r.distance_m.toFixed(1);
      h += line(W.route, esc(r.applicable
        ? fill(W.route_line, { id: r.id, name: r.name, dist: dist, inside: W.within_depth,
          price: fmt(r.price), unit: D.unit })
        : fill(W.route_line_na, { id: r.id, name: r.name, dist: dist })), "landgrade-route");
    }
    if (D.schematic) h += line(W.note, esc(W.schematic_short));
    return h + "</div>";
  }

  map.on("click", (e) => {
    const lon = e.latlng.lng, lat = e.latlng.lat;
    L.popup({ maxWidth: 520, minWidth: 300 }).setLatLng(e.latlng)
      .setContent(render(answerAt(lon, lat), lon, lat)).openOn(map);
  });
});
