"""The offline web map of a grade map: one HTML page with Leaflet inlined (folium).

It draws the layers of the static map: grade zones in one sequential colour per grade (the best
grade, 1, is darkest), the Table 7 route segments with their frontage to the standard depth,
water, the grading extent and faint roads; its title, layer list, legend, popups and controls
are in the map's language.

The page opens without a network: Leaflet's JavaScript and CSS are inlined from the
``xstatic-leaflet`` package, and no tile layer is added unless a tile URL is given. It opens
whole: the first view is fitted once the page is laid out, without the animation that left
layers clipped until the user panned, and the scale bar is metric. A click anywhere is
answered for the point clicked, in the schema of ``landgrade locate`` (its coordinates, grade,
prices with term and plot ratio, nearest route and whether its road-line price applies there),
by the page's own script from data written into it (:mod:`landgrade.outputs.map_answer`); a
point outside every grade polygon is outside the extent and says so. The build review page
(:mod:`landgrade.outputs.review`) inlines Leaflet the same way.
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
from landgrade.outputs.map_answer import answer_data, answer_script
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
    for those give ``tiles_crs="gcj02"`` and every layer is shifted to sit on them. Every word of
    the page (title, layer list, legend, popups, controls) is in ``lang``.
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

    # The page sets its own first view, scale (metres only) and zoom buttons (map_answer.js);
    # quarter zoom steps let the map fill the window where there are no tiles to keep whole.
    fmap = folium.Map(
        location=[(lat0 + lat1) / 2, (lon0 + lon1) / 2], tiles=None, control_scale=False,
        zoom_control=False, prefer_canvas=False, zoom_snap=1 if tiles else 0.25,
    )
    fmap.get_root().title = map_title(grade_map, lang=lang, priced=prices is not None)
    inline_leaflet(fmap)
    if tiles:
        folium.TileLayer(tiles, attr=tiles_attribution or tiles,
                         name=word("layer_background", lang)).add_to(fmap)

    grades_layer = _add_grades(fmap, grades, colors, display_crs, lang)
    roads = working_layer(grade_map, "roads")
    if roads is not None:
        _add_lines(fmap, roads, word("roads", lang), ROAD_COLOR, 1.0, ["name", "road_class"],
                   display_crs, lang, show=True)
    water = working_layer(grade_map, "water")
    if water is not None:
        folium.GeoJson(
            layer_geojson(water, ["name"], display_crs), name=word("water", lang),
            style_function=lambda _f: {
                "color": WATER_COLOR, "weight": 3, "fillColor": WATER_COLOR, "fillOpacity": 0.8,
            },
            tooltip=_tooltip(water, ["name"], lang),
        ).add_to(fmap)
    routes = working_layer(grade_map, "routes")
    if routes is not None:
        _add_routes(fmap, routes, display_crs, lang,
                    unit(prices.metadata if prices is not None else None, lang))
    if extent is not None:
        folium.GeoJson(
            layer_geojson(extent.boundary.to_frame("geometry"), [], display_crs),
            name=word("extent", lang),
            style_function=lambda _f: {"color": EXTENT_COLOR, "weight": 2, "fill": False},
            interactive=False,
        ).add_to(fmap)

    _add_legend(fmap, grade_map, colors, prices, lang)
    folium.LayerControl(collapsed=False).add_to(fmap)
    data = answer_data(
        grade_map, map_name=fmap.get_name(), grades_layer=grades_layer,
        grades=sorted(colors), bounds=(lon0, lat0, lon1, lat1), display_crs=display_crs,
        prices=prices, lang=lang,
    )
    # Every text of the data HTML-escaped, as the layers' values are: a road or route name
    # holding markup never reaches the page as markup (a name with & shows as written).
    text = json.dumps(_escaped(data), ensure_ascii=False).replace("</", "<\\/")
    fmap.get_root().html.add_child(folium.Element(
        f"<style>{_ANSWER_CSS}</style>"
        f'<script type="application/json" id="landgrade-data">{text}</script>'
        f"<script>{answer_script()}</script>"))
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


def _tooltip(layer: gpd.GeoDataFrame, fields: list[str], lang: str) -> Any:
    import folium

    keep = [f for f in fields if f in layer.columns]
    aliases = [word(_FIELD_WORDS.get(f, f), lang) for f in keep]
    return folium.GeoJsonTooltip(fields=keep, aliases=aliases) if keep else None


def _add_grades(
    fmap: folium.Map,
    grades: gpd.GeoDataFrame,
    colors: dict[int, str],
    display_crs: str,
    lang: str = "en",
) -> str:
    """The grade zones, coloured; a click is answered for its point by the page's script
    (map_answer.js), never with the zone's own facts. Returns the layer's script name."""
    import folium

    layer = grades[["grade", "geometry"]].copy()
    geo = folium.GeoJson(
        layer_geojson(layer, ["grade"], display_crs), name=word("layer_grades", lang),
        style_function=lambda f: {
            "fillColor": colors.get(int(f["properties"]["grade"]), "#cccccc"),
            "color": "#ffffff", "weight": 1, "fillOpacity": 0.75,
        },
        highlight_function=lambda _f: {"weight": 3, "color": "#333333"},
    )
    geo.add_to(fmap)
    return geo.get_name()


def _add_lines(
    fmap: folium.Map,
    layer: gpd.GeoDataFrame,
    name: str,
    color: str,
    weight: float,
    fields: list[str],
    display_crs: str,
    lang: str,
    *,
    show: bool,
) -> None:
    import folium

    folium.GeoJson(
        layer_geojson(layer, fields, display_crs), name=name, show=show,
        style_function=lambda _f: {"color": color, "weight": weight, "opacity": 0.7},
        tooltip=_tooltip(layer, fields, lang),
    ).add_to(fmap)


# The answer popup: a price table that does not wrap, numbers aligned right.
_ANSWER_CSS = (
    ".landgrade-answer{font:12px/1.45 sans-serif}"
    ".landgrade-answer .landgrade-line{margin:1px 0}"
    ".landgrade-prices{border-collapse:collapse;margin:2px 0 3px}"
    ".landgrade-prices td{padding:0 6px 0 0;white-space:nowrap}"
    ".landgrade-prices td.num{text-align:right;font-variant-numeric:tabular-nums}"
)
# Field: its label word (labels.WORDS), for tooltips.
_FIELD_WORDS = {"name": "name", "road_class": "road_class"}
_ROUTE_FIELDS = {  # field: label word (labels.WORDS)
    "id": "route_id", "name": "name", "grade": "grade", "road_class": "road_class",
    "price": "road_price", "standard_depth_m": "standard_depth", "from": "from", "to": "to",
}


def _add_routes(
    fmap: folium.Map, routes: gpd.GeoDataFrame, display_crs: str, lang: str = "en",
    unit_text: str = "yuan/m²",
) -> None:
    """The Table 7 routes, and each one's frontage within its standard depth (drawn only: a
    click there is answered for its point, with the route when its price applies)."""
    import folium

    fields = [f for f in _ROUTE_FIELDS if f in routes.columns]
    units = {"price": f" ({unit_text})",
             "standard_depth_m": f" ({word('m', lang)})"}
    aliases = [html.escape(word(_ROUTE_FIELDS[f], lang) + units.get(f, "")) for f in fields]
    if "standard_depth_m" in routes.columns:
        folium.GeoJson(
            layer_geojson(frontage(routes), fields, display_crs),
            name=word("layer_frontage", lang),
            style_function=lambda _f: {
                "stroke": False, "fillColor": ROUTE_COLOR, "fillOpacity": 0.15,
            },
            interactive=False,
        ).add_to(fmap)
    shown = [f for f in ("id", "name", "price") if f in fields]
    folium.GeoJson(
        layer_geojson(routes, fields, display_crs), name=word("layer_routes", lang),
        style_function=lambda _f: {"color": ROUTE_COLOR, "weight": 3, "opacity": 0.9},
        highlight_function=lambda _f: {"weight": 6, "color": "#d7301f"},
        tooltip=folium.GeoJsonTooltip(
            fields=shown, aliases=[aliases[fields.index(f)] for f in shown]),
    ).add_to(fmap)


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


def _escaped(value: Any) -> Any:
    """``value`` (JSON-like: dicts, lists, strings, numbers) with every string HTML-escaped."""
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(v) for v in value]
    return value
