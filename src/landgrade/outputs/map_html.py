"""The offline web map of a grade map: one HTML page with Leaflet inlined (folium).

It draws the layers of the static map: grade zones in one sequential colour per grade (the best
grade, 1, is darkest), the Table 7 route segments, water, the grading extent and faint roads.

The page opens without a network: Leaflet's JavaScript and CSS are inlined from the
``xstatic-leaflet`` package, and no tile layer is added unless a tile URL is given. Clicking
anywhere answers because the grade polygons partition the grading extent: a click inside the
extent lands on exactly one grade polygon, whose popup lists the grade and its benchmark prices;
the polygons do not pass their clicks on to the map, so a click that reaches the map itself is
outside the extent and says so. Route frontage strips (each route buffered by its standard depth)
answer clicks within the depth with the route's id, name and road-line price. The build review
page (:mod:`landgrade.outputs.review`) inlines Leaflet the same way.
"""

from __future__ import annotations

import base64
import html
import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely

from landgrade.build.grade_map import GradeMap
from landgrade.gazette.labels import gazette_facts, unit, word
from landgrade.io.crs import gdf_to_crs
from landgrade.outputs.map_style import (
    EXTENT_COLOR,
    ROAD_COLOR,
    ROUTE_COLOR,
    WATER_COLOR,
    MapError,
    PriceLegend,
    grade_colors,
    grades_for_drawing,
    legend_label,
    map_title,
    working_layer,
)

if TYPE_CHECKING:
    import folium


def frontage(routes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each route's frontage strip: the route buffered by its standard depth, flat-ended."""
    depth = pd.to_numeric(routes["standard_depth_m"], errors="coerce").fillna(0).to_numpy()
    strips = shapely.buffer(routes.geometry.array, depth, cap_style="flat")
    return routes.set_geometry(gpd.GeoSeries(strips, index=routes.index, crs=routes.crs))



def interactive_map(
    grade_map: GradeMap,
    *,
    prices: PriceLegend | None = None,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
    tiles_crs: str = "EPSG:4326",
    lang: str = "en",
) -> folium.Map:
    """A Leaflet map of the grade map whose page works offline (see the module docstring).

    ``tiles`` is an XYZ URL template (``https://…/{z}/{x}/{y}.png``) for a background. Tiles of
    Chinese web maps (AMap, Tencent) are drawn in GCJ-02, about 600 m from WGS84 around Dongkou:
    for those give ``tiles_crs="gcj02"`` and every layer is shifted to sit on them.
    """
    import folium

    display_crs = tiles_crs if tiles else "EPSG:4326"

    grades = grades_for_drawing(grade_map)
    extent = working_layer(grade_map, "extent")
    colors = grade_colors(grades["grade"])
    frame = gpd.GeoDataFrame(
        geometry=[shapely.box(*(extent if extent is not None else grades).total_bounds)],
        crs=grade_map.crs,
    )
    lon0, lat0, lon1, lat1 = gdf_to_crs(frame, display_crs).total_bounds

    fmap = folium.Map(
        location=[(lat0 + lat1) / 2, (lon0 + lon1) / 2], tiles=None, control_scale=True,
        prefer_canvas=False,
    )
    inline_leaflet(fmap)
    if tiles:
        folium.TileLayer(tiles, attr=tiles_attribution or tiles, name="background").add_to(fmap)

    _add_grades(fmap, grades, colors, prices, display_crs, lang)
    roads = working_layer(grade_map, "roads")
    if roads is not None:
        _add_lines(
            fmap, roads, "roads", ROAD_COLOR, 1.0, ["name", "road_class"], display_crs, show=True
        )
    water = working_layer(grade_map, "water")
    if water is not None:
        folium.GeoJson(
            layer_geojson(water, ["name"], display_crs), name="water",
            style_function=lambda _f: {
                "color": WATER_COLOR, "weight": 3, "fillColor": WATER_COLOR, "fillOpacity": 0.8,
            },
            tooltip=_tooltip(water, ["name"]),
            bubblingMouseEvents=False,
        ).add_to(fmap)
    routes = working_layer(grade_map, "routes")
    if routes is not None:
        _add_routes(fmap, routes, display_crs, lang,
                    unit(prices.metadata if prices is not None else None, lang))
    if extent is not None:
        folium.GeoJson(
            layer_geojson(extent.boundary.to_frame("geometry"), [], display_crs),
            name="grading extent",
            style_function=lambda _f: {"color": EXTENT_COLOR, "weight": 2, "fill": False},
            interactive=False,
        ).add_to(fmap)

    _add_outside_click(fmap, lang)
    _add_legend(fmap, grade_map, colors, prices, lang)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[lat0, lon0], [lat1, lon1]])
    return fmap


def write_html(fmap: folium.Map, output: str | Path) -> Path:
    """Save a map from :func:`interactive_map` as one self-contained HTML file."""
    output = Path(output)
    from landgrade.io.atomic import atomic_output

    output.parent.mkdir(parents=True, exist_ok=True)
    page = fmap.get_root().render()
    # folium embeds data through Jinja's tojson, which writes "&" as \u0026: the values
    # layer_geojson escaped then read \u0026lt;img… in the file. To JavaScript both are the same
    # character; written back, the file says &lt;img… as it means (and as one searching it
    # for markup expects).
    page = _TOJSON_ENTITY.sub(r"&\1;", page)
    with atomic_output(output) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return output


_TOJSON_ENTITY = re.compile(r"\\u0026(lt|gt|amp|quot|#x27|#39);")


@cache
def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's JS and CSS from xstatic-leaflet, with the CSS's images inlined as data URIs."""
    try:
        from xstatic.pkg import leaflet as xleaflet
    except ImportError:
        raise MapError(
            "the offline web map needs the `xstatic-leaflet` package (pip install xstatic-leaflet)"
        ) from None
    base = Path(xleaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        image = base / match.group(1)
        if not image.exists():
            return match.group(0)
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[^)]+\.png)\)", inline, css)
    return js, css


def inline_leaflet(fmap: folium.Map) -> None:
    """Replace folium's CDN links (Leaflet, jQuery, Bootstrap, icon fonts) by inlined Leaflet.

    Nothing on this page uses jQuery, Bootstrap or marker icons, so Leaflet alone is enough.
    """
    import folium

    js, css = _leaflet_assets()
    fmap.default_js = []
    fmap.default_css = []
    # "</script" inside the library text would end the inline element early.
    js = js.replace("</script", "<\\/script")
    header = fmap.get_root().header
    header.add_child(folium.Element(f"<style>{css}</style>"), name="leaflet_css", index=0)
    header.add_child(folium.Element(f"<script>{js}</script>"), name="leaflet_js", index=1)


def layer_geojson(layer: gpd.GeoDataFrame, fields: list[str], display_crs: str) -> dict[str, Any]:
    """``layer``'s geometry and those of ``fields`` it has, as GeoJSON in ``display_crs``;
    decimals rounded to two places, text HTML-escaped: Leaflet's tooltips and popups (folium's
    GeoJsonTooltip / GeoJsonPopup) put values into the page as markup, and a road name from a
    user's layer may be ``<img onerror=…>``."""
    keep = [f for f in fields if f in layer.columns]
    out = gdf_to_crs(layer[[*keep, "geometry"]], display_crs)
    for c in keep:
        if out[c].dtype.kind in "fc":
            out[c] = out[c].round(2)
    data = json.loads(out.to_json(na="null", drop_id=True))
    for feature in data["features"]:
        props = feature.get("properties") or {}
        for k, v in props.items():
            if isinstance(v, str):
                props[k] = html.escape(v)
    return data


def _tooltip(layer: gpd.GeoDataFrame, fields: list[str]) -> Any:
    import folium

    keep = [f for f in fields if f in layer.columns]
    return folium.GeoJsonTooltip(fields=keep) if keep else None


def _add_grades(
    fmap: folium.Map,
    grades: gpd.GeoDataFrame,
    colors: dict[int, str],
    prices: PriceLegend | None,
    display_crs: str,
    lang: str = "en",
) -> None:
    import folium

    layer = grades[["grade", "geometry"]].copy()
    fields, aliases = ["grade"], [word("grade", lang)]
    if prices is not None:
        for use in prices.table.columns:
            col = f"price_{use}"
            layer[col] = layer["grade"].map(prices.table[use]).astype("float").round(0)
            fields.append(col)
            aliases.append(f"{prices.labels.get(use, use)} ({unit(prices.metadata, lang)})")
    if "area_m2" in grades.columns:
        layer["area_ha"] = (grades["area_m2"].astype(float) / 1e4).round(1)
        fields.append("area_ha")
        aliases.append(word("area_ha", lang))
    aliases = [html.escape(a) for a in aliases]  # county data (uses.csv), shown as markup
    folium.GeoJson(
        layer_geojson(layer, fields, display_crs), name="grades",
        style_function=lambda f: {
            "fillColor": colors.get(int(f["properties"]["grade"]), "#cccccc"),
            "color": "#ffffff", "weight": 1, "fillOpacity": 0.75,
        },
        highlight_function=lambda _f: {"weight": 3, "color": "#333333"},
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, localize=True),
        bubblingMouseEvents=False,
    ).add_to(fmap)


def _add_lines(
    fmap: folium.Map,
    layer: gpd.GeoDataFrame,
    name: str,
    color: str,
    weight: float,
    fields: list[str],
    display_crs: str,
    *,
    show: bool,
) -> None:
    import folium

    folium.GeoJson(
        layer_geojson(layer, fields, display_crs), name=name, show=show,
        style_function=lambda _f: {"color": color, "weight": weight, "opacity": 0.7},
        tooltip=_tooltip(layer, fields),
        bubblingMouseEvents=False,
    ).add_to(fmap)


_ROUTE_FIELDS = {  # field: label word (labels.WORDS)
    "id": "route_id", "name": "name", "grade": "grade", "road_class": "road_class",
    "price": "road_price", "standard_depth_m": "standard_depth", "from": "from", "to": "to",
}


def _add_routes(
    fmap: folium.Map, routes: gpd.GeoDataFrame, display_crs: str, lang: str = "en",
    unit_text: str = "yuan/m²",
) -> None:
    import folium

    fields = [f for f in _ROUTE_FIELDS if f in routes.columns]
    units = {"price": f" ({unit_text})",
             "standard_depth_m": f" ({word('m', lang)})"}
    aliases = [html.escape(word(_ROUTE_FIELDS[f], lang) + units.get(f, "")) for f in fields]
    if "standard_depth_m" in routes.columns:
        folium.GeoJson(
            layer_geojson(frontage(routes), fields, display_crs),
            name="route frontage (standard depth)",
            style_function=lambda _f: {
                "stroke": False, "fillColor": ROUTE_COLOR, "fillOpacity": 0.15,
            },
            popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
            bubblingMouseEvents=False,
        ).add_to(fmap)
    folium.GeoJson(
        layer_geojson(routes, fields, display_crs), name="routes (路线价)",
        style_function=lambda _f: {"color": ROUTE_COLOR, "weight": 3, "opacity": 0.9},
        highlight_function=lambda _f: {"weight": 6, "color": "#d7301f"},
        tooltip=folium.GeoJsonTooltip(fields=[f for f in ("id", "name") if f in fields]),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
        bubblingMouseEvents=False,
    ).add_to(fmap)


def _add_outside_click(fmap: folium.Map, lang: str = "en") -> None:
    """A click that reaches the map itself missed every grade polygon: it is outside the extent."""
    import folium

    script = f"""
    <script>
    window.addEventListener("load", function () {{
      var map = {fmap.get_name()};
      map.on("click", function (e) {{
        L.popup().setLatLng(e.latlng)
          .setContent({json.dumps(word("click_outside", lang), ensure_ascii=False)})
          .openOn(map);
      }});
    }});
    </script>"""
    fmap.get_root().html.add_child(folium.Element(script))


def _add_legend(
    fmap: folium.Map,
    grade_map: GradeMap,
    colors: dict[int, str],
    prices: PriceLegend | None,
    lang: str = "en",
) -> None:
    import folium

    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:14px;margin-right:6px;'
        f'vertical-align:middle;background:{c}"></span>{html.escape(legend_label(g, prices, lang))}'
        "</div>"
        for g, c in sorted(colors.items())
    )
    title = f"<b>{html.escape(map_title(grade_map, lang=lang, priced=prices is not None))}</b>"
    if grade_map.schematic:
        title += f"<br>({html.escape(word('schematic_short', lang))})"
    meta = prices.metadata if prices is not None else {}
    notes = [word("legend_title", lang, unit=unit(meta, lang))] if prices else []
    notes += gazette_facts(meta, ("document", "valuation_date"), lang)
    notes.append(word("click_hint", lang))
    unit_html = "".join(f"<div style='color:#555'>{html.escape(n)}</div>" for n in notes)
    box = (
        '<div id="landgrade-legend" style="position:fixed;bottom:24px;right:12px;z-index:1000;'
        "background:rgba(255,255,255,0.92);padding:8px 10px;font:12px sans-serif;"
        f'border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,0.3)"><div>{title}</div>'
        f"{rows}{unit_html}</div>"
    )
    fmap.get_root().html.add_child(folium.Element(box))


