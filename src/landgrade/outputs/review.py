"""The review page: one offline HTML file to check a build clause by clause against the paper map.

``landgrade build … --review review.html`` writes it. The left column lists every row of the
build report, grouped by clause (each ring, corridor, region and residual, then each Table 7
route, then decisions); rows with a warning, an unresolved route or a stale decision are marked.
Selecting a clause draws on the map the geometry the builder drew it from
(``GradeMap.clauses``, the one per-clause record a build keeps):

- the *stretch* each ring item, region bound or corridor runs along (blue),
- each one-sided *strip* (orange), and a region bound's *side*, the half-plane it keeps (faint),
- each *junction* taken (red dot) and the other *candidate* junctions it chose among (hollow
  grey circles): on real data a junction is a cluster of crossings, and this is where a wrong
  pick shows,
- the clause's whole *area* (dashed outline; for the residual, what it ends up as), and a
  *route*'s line (purple) with its endpoints,

and zooms to them; the clause's report rows, with their warnings, appear under the list entry.
The grades, roads and water are drawn underneath. The page is a Leaflet map inlined exactly as
``landgrade map``'s web page is (``landgrade.outputs.map_html``), so it opens without a network.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.build.grade_map import GradeMap
from landgrade.build.report import localized_report
from landgrade.errors import LandgradeError
from landgrade.gazette.labels import word
from landgrade.gazette.labels_build import (
    REPORT_ITEMS,
    REPORT_KINDS,
    REPORT_STATUSES,
    REVIEW_ROLES,
)

if TYPE_CHECKING:
    import folium

__all__ = ["PAGE_SUFFIXES", "ReviewError", "review_map", "write_review"]

# Report kinds that open a clause (an area of a grade) or stand alone (a route, a decision).
_HEADS = ("ring", "corridor", "region", "residual", "four_sides", "walk", "frontage", "admin",
          "route")
_FLAGGED = ("warning", "unresolved", "stale", "unused", "error")
_ROW_FIELDS = ("kind", "clause", "item", "text", "features", "length_m", "area_m2", "decision",
               "warnings", "status", "source")


# The review page is a web page; `landgrade build` checks --review against these (with
# io.check_output, the one output check) before building, so a wrong name costs no build.
PAGE_SUFFIXES = (".html", ".htm")


class ReviewError(LandgradeError):
    """The review page cannot be written; the message names the file and the fix."""


def write_review(grade_map: GradeMap, output: str | Path, lang: str = "en") -> Path:
    """Write the review page of a fresh build to ``output`` (``.html``), in ``lang``."""
    from landgrade.io.atomic import check_output
    from landgrade.outputs.map_html import write_html

    output = Path(output)
    check_output(output, suffixes=PAGE_SUFFIXES)
    if grade_map.clauses is None or grade_map.report is None:
        raise ReviewError(f"{output}: the review page needs a fresh build (what each clause "
                          "drew is not stored in a grade map file); run `landgrade build "
                          f"… --review {output.name}`")
    return write_html(review_map(grade_map, lang), output)


def review_map(grade_map: GradeMap, lang: str = "en") -> folium.Map:
    """The review page as a folium map (see the module docstring), in ``lang``: the clause
    list, its report rows (worded as the build report is) and the map's tooltips."""
    import folium
    from branca.element import Template

    from landgrade.outputs.map_html import inline_leaflet, layer_geojson
    from landgrade.outputs.map_style import EXTENT_COLOR, ROAD_COLOR, WATER_COLOR, grade_colors

    grades = grade_map.grades
    colors = grade_colors(grades["grade"])
    extent = grade_map.extent if grade_map.extent is not None else grades
    lon0, lat0, lon1, lat1 = extent.to_crs(4326).total_bounds
    fmap = folium.Map(location=[(lat0 + lat1) / 2, (lon0 + lon1) / 2], tiles=None)
    # Metres only: folium's control_scale adds a feet bar no land-grading analyst reads.
    scale = folium.MacroElement()
    scale._template = Template("{% macro script(this, kwargs) %}L.control.scale({imperial: false})"
                               ".addTo({{ this._parent.get_name() }});{% endmacro %}")
    fmap.add_child(scale)
    inline_leaflet(fmap)
    folium.GeoJson(
        layer_geojson(grades, ["grade"], "EPSG:4326"), name="grades",
        style_function=lambda f: {"fillColor": colors[int(f["properties"]["grade"])],
                                  "fillOpacity": 0.45, "color": "#555", "weight": 0.5},
        tooltip=folium.GeoJsonTooltip(fields=["grade"], aliases=[word("grade", lang)]),
    ).add_to(fmap)
    for name, color, weight in (("roads", ROAD_COLOR, 1.0), ("water", WATER_COLOR, 2.0)):
        layer = getattr(grade_map, name)
        if layer is not None and len(layer):
            fields = [c for c in ("name",) if c in layer.columns]
            folium.GeoJson(
                layer_geojson(layer, fields, "EPSG:4326"), name=name,
                style_function=lambda _f, c=color, w=weight: {"color": c, "weight": w,
                                                              "fillColor": c, "fillOpacity": 0.5},
                tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[word("name", lang)])
                if fields else None,
            ).add_to(fmap)
    folium.GeoJson(
        layer_geojson(extent.boundary.to_frame("geometry"), [], "EPSG:4326"), name="grading extent",
        style_function=lambda _f: {"color": EXTENT_COLOR, "weight": 2, "fill": False},
        interactive=False,
    ).add_to(fmap)

    root = fmap.get_root()
    # The map fills what the clause list leaves (folium's own CSS would make it full width).
    css = _CSS + (f"#{fmap.get_name()} {{ position: absolute !important; left: 32% !important; "
                  "width: 68% !important; top: 0; height: 100% !important; }")
    root.header.add_child(folium.Element(f"<style>{css}</style>"), name="review_css")
    if lang == "zh":
        root.header.add_child(folium.Element('<meta http-equiv="Content-Language" content="zh">'),
                              name="review_lang")
    root.html.add_child(folium.Element(_panel(grade_map, lang)), name="review_panel")
    data = json.dumps(_shapes(grade_map, lang), ensure_ascii=False)
    root.script.add_child(folium.Element(
        _SCRIPT.replace("__MAP__", fmap.get_name())
        .replace("__BOUNDS__", json.dumps([[lat0, lon0], [lat1, lon1]]))
        .replace("__SHAPES__", data.replace("</", "<\\/"))), name="review_script")
    return fmap


def _shapes(grade_map: GradeMap, lang: str = "en") -> dict[str, Any]:
    """``GradeMap.clauses`` as what the page draws, in WGS84: each geometry with its page role
    (stretch, strip, side, junction, candidate, area, route), the clause and item, a label from
    the report row and whether that row is flagged. A MultiPoint is split so each point is one
    marker (a strip or stretch in several parts stays one shape), and a row's candidates
    leave out the junction it took."""
    from landgrade.io.crs import gdf_to_crs

    clauses, report = grade_map.clauses, grade_map.report
    assert clauses is not None and report is not None
    if clauses.empty:
        return {"type": "FeatureCollection", "features": []}
    c = clauses.reset_index(drop=True)
    head = c[c["kind"].isin(_HEADS)].drop_duplicates("clause").set_index("clause")["kind"]
    in_ring = c["clause"].map(head).isin(["ring", "frontage"]).to_numpy()
    kind, role = c["kind"].to_numpy(), c["role"].to_numpy()
    page_role = np.select(
        [role == "point", role == "candidates", (kind == "route") & (role == "line"),
         role == "line", (kind == "item") & (role == "area") & in_ring,
         (kind == "item") & (role == "area"), role == "area"],
        ["junction", "candidate", "route", "stretch", "strip", "side", "area"], default="")
    geoms = c.geometry.to_numpy()
    # A row's candidates minus what it took (same report row, role point).
    taken = c[c["role"] == "point"].set_index("report_row").geometry
    cand = page_role == "candidate"
    took = c.loc[cand, "report_row"].map(taken).to_numpy()
    has = pd.notna(took)
    sub = geoms[cand]
    sub[has] = shapely.difference(sub[has], np.asarray(took[has], dtype=object))
    geoms[cand] = sub
    worded = localized_report(report, lang)
    rows = worded.iloc[c["report_row"].to_numpy()].reset_index(drop=True)
    label = rows["text"].fillna("").astype(str)
    warn = rows["warnings"].fillna("").astype(str)
    roles = REVIEW_ROLES if lang == "zh" else {}
    out = gpd.GeoDataFrame({
        "clause": c["clause"], "item": c["item"].fillna("").astype(str), "role": page_role,
        "role_label": [roles.get(r, r) for r in page_role],
        "label": label.where(warn == "", label + " — " + warn),
        "flagged": c["status"].isin(_FLAGGED)}, geometry=geoms, crs=c.crs)
    out = out[(out["role"] != "") & ~out.geometry.is_empty]
    # One marker per point; a strip or stretch in several parts stays one shape.
    points = out.geom_type == "MultiPoint"
    out = pd.concat([out[~points], out[points].explode(index_parts=False)], ignore_index=True)
    # Lines and areas simplified to 0.2 m: far below what the eye sees, and a lighter page.
    out = out.set_geometry(shapely.simplify(out.geometry.to_numpy(), 0.2), crs=out.crs)
    return json.loads(gdf_to_crs(out, "EPSG:4326").to_json(na="null", drop_id=True))


def _panel(grade_map: GradeMap, lang: str = "en") -> str:
    """The clause list: one entry per clause, its report rows inside, flagged rows marked."""
    report = grade_map.report
    assert report is not None
    report = localized_report(report, lang)
    rows = report.astype(object).where(report.notna(), None)
    shown = set(grade_map.clauses["clause"]) if grade_map.clauses is not None else set()
    entries: list[str] = []
    general = rows[~rows["kind"].isin(_HEADS) & rows["clause"].isin(["", "extent", None])]
    n_flag = int(rows["status"].isin(_FLAGGED).sum())
    title = (grade_map.metadata.get("county") or grade_map.metadata.get("source")
             or word("review_build", lang))
    kinds = REPORT_KINDS if lang == "zh" else {}

    def row(r: dict[str, Any], lead: str = "") -> str:
        return _row(r, lead, lang)

    entries.append(
        f'<h2>{html.escape(word("review_title", lang, title=title))}</h2><p class="summary">'
        + word("review_summary", lang, rows=len(rows), flagged=n_flag) + "</p>"
        + "".join(row(r) for r in general.to_dict("records")))
    heads = rows[rows["kind"].isin(_HEADS)]
    for clause, group in heads.groupby("clause", sort=False):
        mine = rows[(rows["clause"] == clause) & (rows["kind"] != "decision")]
        head = group.iloc[0]
        flagged = bool(mine["status"].isin(_FLAGGED).any())
        cls = "clause flagged" if flagged else "clause"
        nothing = "" if clause in shown else word("review_nothing", lang)
        kind = kinds.get(str(head["kind"]), str(head["kind"]))
        entries.append(
            f'<div class="{cls}" data-clause="{html.escape(str(clause))}">'
            f'<div class="head"><span class="kind">{html.escape(kind)}</span> '
            f'<b>{html.escape(str(clause))}</b> {html.escape(str(head["text"] or ""))}'
            f'{nothing}</div><div class="rows">'
            + "".join(row(r) for r in mine.to_dict("records")) + "</div></div>")
    grades = rows[rows["kind"] == "grade"]
    if len(grades):
        # The map's fill colours, keyed here: without them the zones can be told apart only
        # by hovering each one.
        from landgrade.outputs.map_style import grade_colors

        colors = grade_colors(grade_map.grades["grade"])
        entries.append(f"<h3>{word('review_grades', lang)}</h3>" + "".join(
            row(r, lead=f'<span class="swatch" style="background:{colors[int(r["grade"])]}">'
                "</span>")
            for r in grades.to_dict("records")))
    decisions = rows[rows["kind"] == "decision"]
    if len(decisions):
        entries.append(f"<h3>{word('review_decisions', lang)}</h3>"
                       + "".join(row(r) for r in decisions.to_dict("records")))
    roles = REVIEW_ROLES if lang == "zh" else {}
    legend = "".join(f'<span class="key {role}">{roles.get(role, role)}</span>' for role in (
        "stretch", "strip", "side", "junction", "candidate", "area", "route"))
    return (f'<div id="review-panel"><div class="legend">{legend}</div>{"".join(entries)}'
            "</div>")


def _row(r: dict[str, Any], lead: str = "", lang: str = "en") -> str:
    """One report row (already worded, codes kept) as a line of the list."""
    cls = "row flagged" if r["status"] in _FLAGGED else "row"
    bits = [lead] if lead else []
    zh = lang == "zh"
    for f in _ROW_FIELDS:
        v = r.get(f)
        if v is None or v == "" or (f == "status" and v == "ok"):
            continue
        if f in ("length_m", "area_m2"):
            unit_word = word("m" if f == "length_m" else "unit_area", lang)
            v = f"{float(v):,.1f} {unit_word}"
        elif zh and f == "kind":
            v = REPORT_KINDS.get(str(v), str(v))
        elif zh and f == "status":
            v = REPORT_STATUSES.get(str(v), str(v))
        elif zh and f == "item":
            v = REPORT_ITEMS.get(str(v), str(v))
        bits.append(f'<span class="{f}">{html.escape(str(v))}</span>')
    status = html.escape(str(r["status"]))
    return f'<div class="{cls}" data-status="{status}">{" ".join(bits)}</div>'


_CSS = """
body { margin: 0; font: 13px/1.35 sans-serif; }
#review-panel { position: fixed; left: 0; top: 0; width: 32%; height: 100%; overflow-y: auto;
  box-sizing: border-box; padding: 6px 8px; border-right: 1px solid #aaa; background: #fafafa; }
#review-panel h2 { font-size: 15px; margin: 4px 0; } #review-panel h3 { font-size: 14px; }
.clause { border: 1px solid #ccc; border-radius: 3px; margin: 4px 0; background: #fff; }
.clause .head { padding: 3px 5px; cursor: pointer; }
.clause.flagged { border-color: #e08000; } .clause.flagged .head { background: #fff1dc; }
.clause.selected { border: 2px solid #1f5fbf; } .clause.selected .head { background: #dde8fa; }
.clause .rows { display: none; padding: 0 5px 4px; } .clause.selected .rows { display: block; }
.row { border-top: 1px dotted #ddd; padding: 2px 0; } .row span { margin-right: 4px; }
.row.flagged { background: #ffe3c2; } .row .warnings { color: #a33000; }
.row .source { display: block; color: #345; font-style: italic; }
.row .status { font-weight: bold; color: #a33000; } .row .kind, .head .kind { color: #666; }
.legend .key { display: inline-block; margin: 0 6px 4px 0; padding: 0 4px; border-radius: 2px; }
.key.stretch { border-bottom: 3px solid #1f5fbf; } .key.strip { background: #ffb347; }
.key.junction { color: #d7191c; } .key.candidate { color: #777; }
.key.area { border: 1px dashed #000; } .key.side { background: #d9d2f0; }
.key.route { border-bottom: 3px solid #9c27b0; }
.swatch { display: inline-block; width: 14px; height: 10px; border: 1px solid #555;
  vertical-align: middle; }
"""

_SCRIPT = """
// Runs at "load": folium writes the map's own script after this one.
window.addEventListener("load", function () {
  var map = __MAP__;
  var shapes = __SHAPES__;
  // Not animated: a zoom animation under way makes Leaflet ignore the next fitBounds.
  map.fitBounds(__BOUNDS__, {animate: false});
  var styles = {
    area: {color: "#000", weight: 2, dashArray: "6 4", fill: true, fillOpacity: 0.08},
    stretch: {color: "#1f5fbf", weight: 5, opacity: 0.9},
    strip: {color: "#e07b00", weight: 1, fillColor: "#ffb347", fillOpacity: 0.75},
    side: {stroke: false, fillColor: "#6a51a3", fillOpacity: 0.12},
    route: {color: "#9c27b0", weight: 5, opacity: 0.9}
  };
  var shown = L.featureGroup().addTo(map);
  // A tooltip's text is markup: road names and report text come from the user's layers.
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function marker(feature, latlng) {
    var p = feature.properties;
    if (p.role === "candidate") {
      return L.circleMarker(latlng, {radius: 7, color: "#555", weight: 2, fill: false});
    }
    // A junction whose report row is flagged (e.g. chosen among several crossings) is ringed
    // in orange, as its row is in the list.
    return L.circleMarker(latlng, {radius: 6, color: p.flagged ? "#ff8c00" : "#fff",
                                   weight: p.flagged ? 3 : 1.5, fillColor: "#d7191c",
                                   fillOpacity: 1});
  }
  function show(clause) {
    shown.clearLayers();
    var order = ["side", "area", "strip", "stretch", "route", "candidate", "junction"];
    var mine = shapes.features.filter(function (f) { return f.properties.clause === clause; });
    order.forEach(function (role) {
      var these = mine.filter(function (f) { return f.properties.role === role; });
      if (!these.length) { return; }
      L.geoJSON({type: "FeatureCollection", features: these}, {
        style: function (f) { return styles[f.properties.role] || {}; },
        pointToLayer: marker,
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.options.role = p.role;
          layer.bindTooltip((p.flagged ? "\u26a0 " : "") + esc(p.role_label)
                            + (p.item ? " " + esc(p.item) : "") + ": " + esc(p.label || ""));
        }
      }).eachLayer(function (layer) { shown.addLayer(layer); });
    });
    document.querySelectorAll("#review-panel .clause").forEach(function (el) {
      el.classList.toggle("selected", el.dataset.clause === clause);
    });
    if (shown.getLayers().length) {
      map.invalidateSize();
      map.fitBounds(shown.getBounds(), {padding: [30, 30], maxZoom: 18, animate: false});
    }
  }
  document.querySelectorAll("#review-panel .clause .head").forEach(function (el) {
    el.addEventListener("click", function () { show(el.parentNode.dataset.clause); });
  });
  // For scripted checks: what is on the map now, by role.
  window.landgradeReview = {
    show: show,
    shown: function () {
      var count = {};
      shown.eachLayer(function (l) { count[l.options.role] = (count[l.options.role] || 0) + 1; });
      return count;
    }
  };
});
"""

