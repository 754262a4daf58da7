"""Maps of a grade map: a static picture (PNG/SVG, matplotlib) and an offline web page (Leaflet).

Both draw the same layers: grade zones in one sequential colour per grade (the best grade, 1, is
darkest), the Table 7 route segments labelled by id, water, the grading extent and faint roads.
When the grade map's network is a schematic reconstruction, the title says so.

The web page opens without a network: Leaflet's JavaScript and CSS are inlined from the
``xstatic-leaflet`` package, and no tile layer is added unless a tile URL is given. Clicking
anywhere answers because the grade polygons partition the grading extent: a click inside the
extent lands on exactly one grade polygon, whose popup lists the grade and its benchmark prices;
the polygons do not pass their clicks on to the map, so a click that reaches the map itself is
outside the extent and says so. Route frontage strips (each route buffered by its standard depth)
answer clicks within the depth with the route's id, name and road-line price.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.county import county_of_map
from landgrade.crs import gdf_to_crs, gdf_to_working
from landgrade.errors import LandgradeError
from landgrade.grade_map import SCHEMATIC_NOTE, WORKING_EPSG, GradeMap
from landgrade.grade_map import grade_levels as check_grade_levels

if TYPE_CHECKING:
    import folium
    from matplotlib.axes import Axes

STATIC_SUFFIXES = (".png", ".svg")
HTML_SUFFIXES = (".html", ".htm")
GCJ02_TILES_PREFIX = "gcj02:"
_XYZ_URL = re.compile(r"(?=.*\{z\})(?=.*\{x\})(?=.*\{-?y\})")
MAP_WIDTH = 0.68  # share of a static map's width given to the map; the legend takes the rest
TITLE_BAND_IN = 0.7  # inches above the map for the title

# Colours of the non-grade layers, shared with the QGIS styles written by landgrade.export.
WATER_COLOR = "#6baed6"
ROUTE_COLOR = "#2b2b2b"
ROAD_COLOR = "#9e9e9e"
EXTENT_COLOR = "#000000"

# Families that cover CJK ideographs, in order of preference (Debian: fonts-noto-cjk,
# fonts-wqy-microhei, fonts-wqy-zenhei; the rest are common on macOS/Windows desktops).
_CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
)
_CJK_FILE_PATTERN = re.compile(r"(cjk|wqy|sourcehan|simhei|msyh|pingfang)", re.IGNORECASE)


class MapError(LandgradeError):
    """A map cannot be drawn; the message names the file or layer and what would fix it."""


@dataclass(frozen=True)
class PriceLegend:
    """Urban benchmark prices per grade for legends and popups.

    ``table`` is indexed by grade with one column per use key, in the county's use order;
    ``labels`` maps each use key to the label to show (Chinese when a CJK font is available).
    """

    table: pd.DataFrame
    labels: dict[str, str]

    def legend_uses(self) -> list[str]:
        """The two uses a legend shows: commercial and residential when the county has them."""
        preferred = [u for u in ("commercial", "residential") if u in self.table.columns]
        return preferred or list(self.table.columns[:2])


# --- colours ---------------------------------------------------------------------------------


def grade_colors(grades: Any) -> dict[int, str]:
    """One sequential colour per grade, best grade (lowest number) darkest, as ``#rrggbb``.

    The colours depend only on the set of grades, so the static map, the web page and the QGIS
    style of one grade map agree.
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    levels = sorted({int(g) for g in grades})
    if not levels:
        return {}
    cmap = colormaps["YlOrRd"]
    positions = np.linspace(0.95, 0.15, len(levels)) if len(levels) > 1 else np.array([0.7])
    return {g: to_hex(cmap(float(p))) for g, p in zip(levels, positions, strict=True)}


# --- fonts -----------------------------------------------------------------------------------


@cache
def cjk_font() -> str | None:
    """The family name of an installed font that renders Chinese, or None.

    matplotlib's font cache predates fonts installed after it was built, so system font files
    whose names look CJK are registered before giving up.
    """
    from matplotlib import font_manager

    def known() -> str | None:
        names = {f.name for f in font_manager.fontManager.ttflist}
        return next((fam for fam in _CJK_FAMILIES if fam in names), None)

    found = known()
    if found:
        return found
    for path in font_manager.findSystemFonts():
        if _CJK_FILE_PATTERN.search(Path(path).name):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError):  # an unreadable font file is just not a candidate
                continue
    return known()


# --- prices ----------------------------------------------------------------------------------


def price_legend(
    county: str | Path | None, grades: Any, *, chinese: bool = True
) -> PriceLegend:
    """The urban benchmark prices (Table 6) of ``grades`` in a county, as a :class:`PriceLegend`.

    With ``chinese=False`` the labels are English, for when no CJK font exists.
    """
    from landgrade.pricebook import load_pricebook

    book = load_pricebook(county)
    levels = sorted({int(g) for g in grades})
    unpriced = [g for g in levels if g not in book.grades]
    if unpriced:
        priced = ", ".join(map(str, book.grades))
        raise MapError(
            f"{book.folder.path('urban_prices.csv')}: prices grades {priced} but the grade map "
            f"has grade {', '.join(map(str, unpriced))}; give the --county the map was built for"
        )
    table = pd.DataFrame.from_dict(
        {g: book.urban_prices(g) for g in levels}, orient="index"
    ).rename_axis("grade")
    labels = {str(u): book.use_label(u, lang="zh" if chinese else "en") for u in table.columns}
    return PriceLegend(table=table, labels=labels)


# --- layers ----------------------------------------------------------------------------------


def _layer(grade_map: GradeMap, name: str) -> gpd.GeoDataFrame | None:
    """A spatial layer in the working CRS (a layer without a CRS is taken to be in it), or None."""
    layer = getattr(grade_map, name)
    if layer is None or len(layer) == 0:
        return None
    return gdf_to_working(layer, None if layer.crs is not None else WORKING_EPSG, layer=name)


def grade_levels(grade_map: GradeMap, source: str | Path = "grade map") -> pd.Series:
    """The grades layer's ``grade`` column as integers (see :func:`grade_map.grade_levels`)."""
    return check_grade_levels(grade_map.grades, source)


def _grades(grade_map: GradeMap) -> gpd.GeoDataFrame:
    """The grades layer in the working CRS, worst grade first so the best is drawn on top."""
    levels = grade_levels(grade_map)
    grades = _layer(grade_map, "grades")
    grades = grades.assign(grade=levels.to_numpy())
    return grades.sort_values("grade", ascending=False)


def map_title(grade_map: GradeMap, *, chinese: bool = True) -> str:
    """Title naming the county and, when the network is schematic, saying it is not surveyed.

    With ``chinese=False`` (no CJK font) a Chinese county name is left out unless the map's
    metadata also has ``county_en``.
    """
    meta = grade_map.metadata
    names = [str(meta.get("county") or ""), str(meta.get("county_en") or "")]
    # Both names where the font can draw them (洞口县 Dongkou), else the ones it can.
    county = " ".join(dict.fromkeys(n for n in names if n and (chinese or n.isascii())))
    title = f"{county} benchmark land price grades".strip()
    title = title[0].upper() + title[1:]
    if grade_map.schematic:
        title += f"\n({SCHEMATIC_NOTE})"
    return title


def frontage(routes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each route's frontage strip: the route buffered by its standard depth, flat-ended."""
    depth = pd.to_numeric(routes["standard_depth_m"], errors="coerce").fillna(0).to_numpy()
    strips = shapely.buffer(routes.geometry.array, depth, cap_style="flat")
    return routes.set_geometry(gpd.GeoSeries(strips, index=routes.index, crs=routes.crs))


# --- static map ------------------------------------------------------------------------------


def static_map(
    grade_map: GradeMap,
    output: str | Path,
    *,
    prices: PriceLegend | None = None,
    title: str | None = None,
    width_in: float = 10.0,
    dpi: int = 150,
) -> Path:
    """Draw the grade map to a PNG or SVG file and return its path.

    The legend shows each grade with its commercial and residential prices (yuan/m²) when
    ``prices`` is given; routes are labelled by id in a small haloed font; a scale bar in metres
    and a north arrow (grid north of the working CRS) sit in the corners.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import patheffects
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    output = Path(output)
    if output.suffix.lower() not in STATIC_SUFFIXES:
        raise MapError(f"{output}: a static map is .png or .svg")
    grades = _grades(grade_map)
    extent = _layer(grade_map, "extent")
    frame = (extent if extent is not None else grades).total_bounds
    minx, miny, maxx, maxy = frame
    pad = 0.03 * max(maxx - minx, maxy - miny)
    aspect = (maxy - miny + 2 * pad) / max(maxx - minx + 2 * pad, 1e-9)
    # The map takes the left MAP_WIDTH of the page, the legend the rest; a band on top holds the
    # title. The page size is fixed (not trimmed) so that width_in × dpi is the picture's width.
    map_in = MAP_WIDTH * width_in
    height_in = min(max(map_in * aspect, 3.0), 2.0 * width_in) + TITLE_BAND_IN
    font = cjk_font()
    rc = {"font.family": "sans-serif", "svg.fonttype": "path"}
    if font:
        rc["font.sans-serif"] = [font, "DejaVu Sans"]
    colors = grade_colors(grades["grade"])
    halo = [patheffects.withStroke(linewidth=2.0, foreground="white")]

    with plt.rc_context(rc):
        fig = plt.figure(figsize=(width_in, height_in), dpi=dpi)
        ax = fig.add_axes((0.0, 0.0, MAP_WIDTH, 1.0 - TITLE_BAND_IN / height_in))
        try:
            grades.plot(
                ax=ax, color=[colors[g] for g in grades["grade"]], edgecolor="white",
                linewidth=0.4, zorder=1,
            )
            handles: list[Any] = [
                Patch(facecolor=colors[g], edgecolor="none", label=legend_label(g, prices))
                for g in sorted(colors)
            ]
            roads = _layer(grade_map, "roads")
            if roads is not None:
                roads.plot(ax=ax, color=ROAD_COLOR, linewidth=0.4, alpha=0.6, zorder=2)
                handles.append(Line2D([], [], color=ROAD_COLOR, lw=0.6, label="roads"))
            water = _layer(grade_map, "water")
            if water is not None:
                _plot_water(water, ax)
                handles.append(Patch(facecolor=WATER_COLOR, edgecolor=WATER_COLOR, label="water"))
            routes = _layer(grade_map, "routes")
            if routes is not None:
                routes.plot(ax=ax, color=ROUTE_COLOR, linewidth=1.0, zorder=4)
                handles.append(
                    Line2D([], [], color=ROUTE_COLOR, lw=1.0, label="road-line price route (id)")
                )
            if extent is not None:
                extent.boundary.plot(ax=ax, color=EXTENT_COLOR, linewidth=1.2, zorder=5)
                handles.append(Line2D([], [], color=EXTENT_COLOR, lw=1.2, label="grading extent"))

            ax.set_xlim(minx - pad, maxx + pad)
            ax.set_ylim(miny - pad, maxy + pad)
            ax.set_aspect("equal")
            ax.set_axis_off()
            if routes is not None:
                _label_routes(routes, ax, halo)  # after the limits: placement is in page units
            _scale_bar(ax, halo)
            _north_arrow(ax)
            legend_title = "Grade — benchmark price, yuan/m²" if prices else "Grade"
            ax.legend(
                handles=handles, title=legend_title, loc="upper left", fontsize=7,
                title_fontsize=8, framealpha=0.9, bbox_to_anchor=(MAP_WIDTH + 0.01, 0.98),
                bbox_transform=fig.transFigure, borderaxespad=0.0,
            )
            fig.suptitle(
                title if title is not None else map_title(grade_map, chinese=font is not None),
                fontsize=11,
                x=MAP_WIDTH / 2, y=1.0 - 0.1 / height_in, va="top",
            )
            output.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(output, dpi=dpi)
        finally:
            plt.close(fig)
    return output


def legend_label(grade: int, prices: PriceLegend | None) -> str:
    """``Grade 1 — 商服用地 3194, 住宅用地 1932``: a grade and its legend prices (yuan/m²)."""
    label = f"Grade {grade}"
    if prices is None or grade not in prices.table.index:
        return label
    parts = [
        f"{prices.labels.get(u, u)} {prices.table.at[grade, u]:g}" for u in prices.legend_uses()
    ]
    return f"{label} — {', '.join(parts)}"


def _plot_water(water: gpd.GeoDataFrame, ax: Axes) -> None:
    kinds = water.geometry.geom_type
    areas = water[kinds.isin(["Polygon", "MultiPolygon"])]
    lines = water[~kinds.isin(["Polygon", "MultiPolygon"])]
    if len(areas):
        areas.plot(ax=ax, color=WATER_COLOR, edgecolor=WATER_COLOR, linewidth=0.5, zorder=3)
    if len(lines):
        lines.plot(ax=ax, color=WATER_COLOR, linewidth=2.0, zorder=3)


# Where along a route its id may sit, in order of preference (fractions of its length).
_LABEL_SPOTS = (0.5, 0.35, 0.65, 0.2, 0.8)
_LABEL_PT = 4.5


def _label_routes(routes: gpd.GeoDataFrame, ax: Axes, halo: list[Any]) -> None:
    """Label each route by id at the first spot along it where the label overlaps no other.

    Long routes are placed first (they have the most room); a label with no free spot takes
    the least crowded one, so every route keeps its label.
    """
    if "id" not in routes.columns or not len(routes):
        return
    ax.apply_aspect()
    geoms = routes.geometry.array
    spots = np.stack([
        ax.transData.transform(np.c_[shapely.get_x(p), shapely.get_y(p)])
        for p in (shapely.line_interpolate_point(geoms, f, normalized=True) for f in _LABEL_SPOTS)
    ], axis=1)  # routes × spots × (x, y) in display pixels
    ids = routes["id"].astype(str).to_numpy()
    px = ax.figure.dpi / 72.0
    half_w = np.array([len(t) for t in ids]) * 0.62 * _LABEL_PT * px / 2 + px
    half_h = 0.75 * _LABEL_PT * px
    placed: list[tuple[float, float, float]] = []  # x, y, half width
    for i in np.argsort(-shapely.length(geoms), kind="stable"):
        best, best_hits = None, None
        for x, y in spots[i]:
            if not (math.isfinite(x) and math.isfinite(y)):
                continue
            hits = sum(abs(x - qx) < half_w[i] + qw and abs(y - qy) < 2 * half_h
                       for qx, qy, qw in placed)
            if best_hits is None or hits < best_hits:
                best, best_hits = (x, y), hits
            if hits == 0:
                break
        if best is None:
            continue
        placed.append((best[0], best[1], half_w[i]))
        x, y = ax.transData.inverted().transform(best)
        ax.text(x, y, ids[i], fontsize=_LABEL_PT, ha="center", va="center", color=ROUTE_COLOR,
                path_effects=halo, zorder=6)


def _nice_length(span: float) -> float:
    """A round length (1, 2 or 5 × 10^n metres) near a fifth of ``span``."""
    target = max(span / 5.0, 1e-9)
    base = 10 ** math.floor(math.log10(target))
    return max((m * base for m in (1, 2, 5) if m * base <= target), default=base)


def _scale_bar(ax: Axes, halo: list[Any]) -> None:
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    height = 0.012 * (y1 - y0)
    left, bottom = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (left + i * length / 4, bottom), length / 4, height,
                facecolor="k" if i % 2 else "w", edgecolor="k", linewidth=0.6, zorder=7,
            )
        )
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    for x, text in ((left, "0"), (left + length, label)):
        ax.text(
            x, bottom + 1.6 * height, text, ha="center", va="bottom", fontsize=7,
            path_effects=halo, zorder=7,
        )


def _north_arrow(ax: Axes) -> None:
    ax.annotate(
        "N", xy=(0.96, 0.97), xytext=(0.96, 0.88), xycoords="axes fraction",
        ha="center", va="center", fontsize=9,
        arrowprops={"arrowstyle": "-|>", "color": "k", "lw": 1.2}, zorder=7,
    )


# --- web page --------------------------------------------------------------------------------


def interactive_map(
    grade_map: GradeMap,
    *,
    prices: PriceLegend | None = None,
    tiles: str | None = None,
    tiles_attribution: str | None = None,
    tiles_crs: str = "EPSG:4326",
) -> folium.Map:
    """A Leaflet map of the grade map whose page works offline (see the module docstring).

    ``tiles`` is an XYZ URL template (``https://…/{z}/{x}/{y}.png``) for a background. Tiles of
    Chinese web maps (AMap, Tencent) are drawn in GCJ-02, about 600 m from WGS84 around Dongkou:
    for those give ``tiles_crs="gcj02"`` and every layer is shifted to sit on them.
    """
    import folium

    display_crs = tiles_crs if tiles else "EPSG:4326"

    grades = _grades(grade_map)
    extent = _layer(grade_map, "extent")
    colors = grade_colors(grades["grade"])
    frame = gpd.GeoDataFrame(
        geometry=[shapely.box(*(extent if extent is not None else grades).total_bounds)],
        crs=WORKING_EPSG,
    )
    lon0, lat0, lon1, lat1 = gdf_to_crs(frame, display_crs).total_bounds

    fmap = folium.Map(
        location=[(lat0 + lat1) / 2, (lon0 + lon1) / 2], tiles=None, control_scale=True,
        prefer_canvas=False,
    )
    _inline_leaflet(fmap)
    if tiles:
        folium.TileLayer(tiles, attr=tiles_attribution or tiles, name="background").add_to(fmap)

    _add_grades(fmap, grades, colors, prices, display_crs)
    roads = _layer(grade_map, "roads")
    if roads is not None:
        _add_lines(
            fmap, roads, "roads", ROAD_COLOR, 1.0, ["name", "road_class"], display_crs, show=True
        )
    water = _layer(grade_map, "water")
    if water is not None:
        folium.GeoJson(
            _geojson(water, ["name"], display_crs), name="water",
            style_function=lambda _f: {
                "color": WATER_COLOR, "weight": 3, "fillColor": WATER_COLOR, "fillOpacity": 0.8,
            },
            tooltip=_tooltip(water, ["name"]),
            bubblingMouseEvents=False,
        ).add_to(fmap)
    routes = _layer(grade_map, "routes")
    if routes is not None:
        _add_routes(fmap, routes, display_crs)
    if extent is not None:
        folium.GeoJson(
            _geojson(extent.boundary.to_frame("geometry"), [], display_crs),
            name="grading extent",
            style_function=lambda _f: {"color": EXTENT_COLOR, "weight": 2, "fill": False},
            interactive=False,
        ).add_to(fmap)

    _add_outside_click(fmap)
    _add_legend(fmap, grade_map, colors, prices)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[lat0, lon0], [lat1, lon1]])
    return fmap


def write_html(fmap: folium.Map, output: str | Path) -> Path:
    """Save a map from :func:`interactive_map` as one self-contained HTML file."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fmap.save(str(output))
    return output


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


def _inline_leaflet(fmap: folium.Map) -> None:
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


def _geojson(layer: gpd.GeoDataFrame, fields: list[str], display_crs: str) -> dict[str, Any]:
    keep = [f for f in fields if f in layer.columns]
    out = gdf_to_crs(layer[[*keep, "geometry"]], display_crs)
    for c in keep:
        if out[c].dtype.kind in "fc":
            out[c] = out[c].round(2)
    return json.loads(out.to_json(na="null", drop_id=True))


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
) -> None:
    import folium

    layer = grades[["grade", "geometry"]].copy()
    fields, aliases = ["grade"], ["grade"]
    if prices is not None:
        for use in prices.table.columns:
            col = f"price_{use}"
            layer[col] = layer["grade"].map(prices.table[use]).astype("float").round(0)
            fields.append(col)
            aliases.append(f"{prices.labels.get(use, use)} (yuan/m²)")
    if "area_m2" in grades.columns:
        layer["area_ha"] = (grades["area_m2"].astype(float) / 1e4).round(1)
        fields.append("area_ha")
        aliases.append("area (ha)")
    folium.GeoJson(
        _geojson(layer, fields, display_crs), name="grades",
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
        _geojson(layer, fields, display_crs), name=name, show=show,
        style_function=lambda _f: {"color": color, "weight": weight, "opacity": 0.7},
        tooltip=_tooltip(layer, fields),
        bubblingMouseEvents=False,
    ).add_to(fmap)


_ROUTE_FIELDS = ["id", "name", "grade", "road_class", "price", "standard_depth_m", "from", "to"]
_ROUTE_ALIASES = [
    "route", "name", "grade", "road class", "road-line price (yuan/m²)", "standard depth (m)",
    "from", "to",
]


def _add_routes(fmap: folium.Map, routes: gpd.GeoDataFrame, display_crs: str) -> None:
    import folium

    fields = [f for f in _ROUTE_FIELDS if f in routes.columns]
    aliases = [a for f, a in zip(_ROUTE_FIELDS, _ROUTE_ALIASES, strict=True) if f in fields]
    if "standard_depth_m" in routes.columns:
        folium.GeoJson(
            _geojson(frontage(routes), fields, display_crs),
            name="route frontage (standard depth)",
            style_function=lambda _f: {
                "stroke": False, "fillColor": ROUTE_COLOR, "fillOpacity": 0.15,
            },
            popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
            bubblingMouseEvents=False,
        ).add_to(fmap)
    folium.GeoJson(
        _geojson(routes, fields, display_crs), name="routes (Table 7)",
        style_function=lambda _f: {"color": ROUTE_COLOR, "weight": 3, "opacity": 0.9},
        highlight_function=lambda _f: {"weight": 6, "color": "#d7301f"},
        tooltip=folium.GeoJsonTooltip(fields=[f for f in ("id", "name") if f in fields]),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases),
        bubblingMouseEvents=False,
    ).add_to(fmap)


def _add_outside_click(fmap: folium.Map) -> None:
    """A click that reaches the map itself missed every grade polygon: it is outside the extent."""
    import folium

    script = f"""
    <script>
    window.addEventListener("load", function () {{
      var map = {fmap.get_name()};
      map.on("click", function (e) {{
        L.popup().setLatLng(e.latlng)
          .setContent("Outside the grading extent: no urban benchmark grade here.")
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
) -> None:
    import folium

    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:14px;margin-right:6px;'
        f'vertical-align:middle;background:{c}"></span>{html.escape(legend_label(g, prices))}'
        "</div>"
        for g, c in sorted(colors.items())
    )
    title = html.escape(map_title(grade_map)).replace("\n", "<br><b>") + (
        "</b>" if grade_map.schematic else ""
    )
    unit = "<div style='color:#555'>prices in yuan/m²</div>" if prices else ""
    unit += "<div style='color:#555'>click anywhere for its grade and prices</div>"
    box = (
        '<div id="landgrade-legend" style="position:fixed;bottom:24px;right:12px;z-index:1000;'
        "background:rgba(255,255,255,0.92);padding:8px 10px;font:12px sans-serif;"
        f'border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,0.3)"><div>{title}</div>'
        f"{rows}{unit}</div>"
    )
    fmap.get_root().html.add_child(folium.Element(box))


# --- command ---------------------------------------------------------------------------------


def map_command(
    output: str | Path,
    map_path: str | Path | None = None,
    county: str | Path | None = None,
    tiles: str | None = None,
) -> Path:
    """``landgrade map``: draw the bundled (or ``map_path``) grade map to PNG, SVG or HTML.

    ``tiles`` is an XYZ URL template for the HTML background; prefix it with ``gcj02:`` for
    tiles of AMap or Tencent maps, which are drawn in GCJ-02.
    """
    from landgrade.engine import load_grade_map

    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in STATIC_SUFFIXES + HTML_SUFFIXES:
        raise MapError(f"{output}: give a .png, .svg or .html file name")
    if tiles and suffix not in HTML_SUFFIXES:
        raise MapError("--tiles only applies to .html maps")
    tiles_crs = "EPSG:4326"
    if tiles and tiles.lower().startswith(GCJ02_TILES_PREFIX):
        tiles, tiles_crs = tiles[len(GCJ02_TILES_PREFIX) :], "gcj02"
    if tiles is not None and not _XYZ_URL.search(tiles):
        # Leaflet would request the text as a file name for every tile and show nothing.
        raise MapError(
            f"--tiles {tiles!r}: not an XYZ tile URL; give one with {{z}}, {{x}} and {{y}}, "
            "e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        )
    from landgrade import io

    io.check_output(output, [map_path, *io.county_inputs(county)])
    grade_map = load_grade_map(map_path=map_path, county=county)
    grade_levels(grade_map, map_path or "the bundled grade map")
    # HTML is rendered by the browser, which has its own fonts; only matplotlib needs one here.
    chinese = suffix in HTML_SUFFIXES or cjk_font() is not None
    if not chinese:
        print(
            "note: no CJK font found (Debian: apt-get install fonts-wqy-microhei); "
            "use names in the legend are in English",
            file=sys.stderr,
        )
    prices = prices_for_map(grade_map, county, map_path, chinese=chinese)
    with io.atomic_output(output) as tmp:  # the picture appears only complete
        if suffix in HTML_SUFFIXES:
            fmap = interactive_map(grade_map, prices=prices, tiles=tiles, tiles_crs=tiles_crs)
            write_html(fmap, tmp)
        else:
            static_map(grade_map, tmp, prices=prices)
    written = output
    print(f"wrote {written}")
    return written


def prices_for_map(
    grade_map: GradeMap,
    county: str | Path | None,
    map_path: str | Path | None,
    *,
    chinese: bool,
) -> PriceLegend | None:
    """The price legend of the map's county: ``--county``, else the county folder the map
    records, else the bundled county for the bundled map. Otherwise grades only, and it says so."""
    grades = grade_levels(grade_map)
    if county is not None or map_path is None:
        return price_legend(county, grades, chinese=chinese)
    folder = county_of_map(grade_map.metadata)
    if folder is not None:
        try:
            return price_legend(folder.root, grades, chinese=chinese)
        except LandgradeError as e:
            print(f"note: {e}", file=sys.stderr)
    print(
        "note: no --county given for this --map; the legend shows grades without prices",
        file=sys.stderr,
    )
    return None
