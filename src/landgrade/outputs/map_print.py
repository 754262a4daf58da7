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
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.build.grade_map import GradeMap
from landgrade.build.grade_map import grade_levels as check_grade_levels
from landgrade.errors import LandgradeError
from landgrade.gazette.county import county_of_map
from landgrade.gazette.labels import (
    SCHEMATIC_NOTE,
    county_name,
    default_lang,
    gazette_facts,
    grade_label,
    schematic_note,
    unit,
    word,
)
from landgrade.io.crs import gdf_to_crs, gdf_to_working

if TYPE_CHECKING:
    import folium
    from matplotlib.axes import Axes

STATIC_SUFFIXES = (".png", ".svg", ".pdf")
HTML_SUFFIXES = (".html", ".htm")
GCJ02_TILES_PREFIX = "gcj02:"
_XYZ_URL = re.compile(r"(?=.*\{z\})(?=.*\{x\})(?=.*\{-?y\})")
MAP_WIDTH = 0.68  # share of a static map's width given to the map; the legend takes the rest
TITLE_BAND_IN = 0.85  # inches above the map for the title and the 文号/date/CRS line
FOOT_IN = 0.45  # inches below the map for the issuer and the schematic note

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
    ``labels`` maps each use key to the label to show (Chinese when a CJK font is available);
    ``lang`` is the language of the grade words (None: English grade words, as before
    ``--lang``); ``metadata`` the county's metadata.json (文号, valuation date, notes).
    """

    table: pd.DataFrame
    labels: dict[str, str]
    lang: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

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
    county: str | Path | None, grades: Any, *, chinese: bool = True, lang: str | None = None
) -> PriceLegend:
    """The urban benchmark prices (Table 6) of ``grades`` in a county, as a :class:`PriceLegend`.

    With ``chinese=False`` the labels are English, for when no CJK font exists; ``lang`` sets
    the language of labels and grade words alike.
    """
    from landgrade.gazette.pricebook import load_pricebook

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
    label_lang = lang or ("zh" if chinese else "en")
    labels = {str(u): book.use_label(u, lang=label_lang) for u in table.columns}
    return PriceLegend(table=table, labels=labels, lang=lang, metadata=dict(book.metadata))


# --- layers ----------------------------------------------------------------------------------


def _layer(grade_map: GradeMap, name: str) -> gpd.GeoDataFrame | None:
    """A spatial layer in the working CRS (a layer without a CRS is taken to be in it), or None."""
    layer = getattr(grade_map, name)
    if layer is None or len(layer) == 0:
        return None
    working = grade_map.crs
    return gdf_to_working(layer, None if layer.crs is not None else working, layer=name,
                          working=working)


def grade_levels(grade_map: GradeMap, source: str | Path = "grade map") -> pd.Series:
    """The grades layer's ``grade`` column as integers (see :func:`grade_map.grade_levels`)."""
    return check_grade_levels(grade_map.grades, source)


def _grades(grade_map: GradeMap) -> gpd.GeoDataFrame:
    """The grades layer in the working CRS, worst grade first so the best is drawn on top."""
    levels = grade_levels(grade_map)
    grades = _layer(grade_map, "grades")
    grades = grades.assign(grade=levels.to_numpy())
    return grades.sort_values("grade", ascending=False)


def map_title(grade_map: GradeMap, *, chinese: bool = True, lang: str | None = None,
              priced: bool = True) -> str:
    """The map's title: 洞口县城镇土地级别与基准地价图, or its English twin.

    ``lang`` picks the language (default English); in English the Chinese county name is kept
    beside the English one when ``chinese`` (a CJK font exists). The schematic-network note is
    not part of the title: :func:`map_subtitle` and the footer carry it.
    """
    meta = grade_map.metadata
    lang = lang or "en"
    county = county_name(meta, lang)
    if lang == "en" and chinese:  # both names (洞口县 Dongkou) where the font can draw them
        names = [str(meta.get("county") or ""), str(meta.get("county_en") or "")]
        county = " ".join(dict.fromkeys(n for n in names if n))
    title = word("map_title" if priced else "map_title_plain", lang, county=county).strip()
    return title[0].upper() + title[1:]


def map_subtitle(grade_map: GradeMap, county_meta: Mapping[str, Any] | None, lang: str) -> str:
    """文号 · 估价期日 · 坐标系 (and the schematic note when it applies), one line each."""
    meta = county_meta or {}
    parts = gazette_facts(meta, ("document", "valuation_date"), lang)
    crs = grade_map.crs  # the map's own working CRS (its county's Gauss-Krüger zone)
    epsg = crs.to_epsg()
    crs_name = f"{crs.name} (EPSG:{epsg})" if epsg else crs.name
    parts.append(f"{word('crs', lang)} {crs_name}")
    sep = "　" if lang == "zh" else "  ·  "
    lines = [sep.join(parts)]
    if grade_map.schematic:
        lines.append(f"({word('schematic_short', lang)})")
    return "\n".join(lines)


def frontage(routes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each route's frontage strip: the route buffered by its standard depth, flat-ended."""
    depth = pd.to_numeric(routes["standard_depth_m"], errors="coerce").fillna(0).to_numpy()
    strips = shapely.buffer(routes.geometry.array, depth, cap_style="flat")
    return routes.set_geometry(gpd.GeoSeries(strips, index=routes.index, crs=routes.crs))


# --- static map ------------------------------------------------------------------------------

# Paper sizes (ISO 216), millimetres, portrait.
PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
ROUTE_LABELS = ("id", "name", "price")
MM = 1 / 25.4


def page_size(paper: str | None, landscape: bool, width_in: float, aspect: float) -> tuple[
        float, float]:
    """The page in inches: a paper size (portrait unless ``landscape``), or ``width_in`` wide
    and tall enough for a map of ``aspect`` (height / width) beside the legend."""
    if paper is not None:
        key = paper.upper()
        if key not in PAPER_MM:
            raise MapError(f"--paper {paper!r}: use one of {', '.join(PAPER_MM)}")
        w, h = PAPER_MM[key]
        if landscape:
            w, h = h, w
        return w * MM, h * MM
    map_in = MAP_WIDTH * width_in
    return width_in, min(max(map_in * aspect, 3.0), 2.0 * width_in) + TITLE_BAND_IN + FOOT_IN


def print_rc() -> dict[str, Any]:
    """matplotlib settings for print: a CJK font when installed, text kept as text in SVG
    (``svg.fonttype`` none) and fonts embedded as TrueType in PDF (``pdf.fonttype`` 42)."""
    font = cjk_font()
    rc: dict[str, Any] = {
        "font.family": "sans-serif", "svg.fonttype": "none", "pdf.fonttype": 42,
        "ps.fonttype": 42,
    }
    if font:
        rc["font.sans-serif"] = [font, "DejaVu Sans"]
    return rc


def static_map(
    grade_map: GradeMap,
    output: str | Path,
    *,
    prices: PriceLegend | None = None,
    title: str | None = None,
    width_in: float = 10.0,
    dpi: int = 150,
    paper: str | None = None,
    landscape: bool = False,
    lang: str | None = None,
    county_meta: Mapping[str, Any] | None = None,
    route_labels: str = "id",
) -> Path:
    """Draw the grade map to a PNG, SVG or PDF file, ready to print, and return its path.

    The page holds a title (洞口县城镇土地级别与基准地价图), a line with the document number
    (文号), valuation date and CRS from ``county_meta`` (the county's metadata.json; default:
    the one ``prices`` came with), the map with a ticked scale bar and a north arrow (grid north
    of the working CRS), a legend with each grade's commercial and residential prices, and a
    footer with the schematic-network note when it applies. ``paper`` (A4, A3; portrait unless
    ``landscape``) fixes the page; otherwise it is ``width_in`` wide. Route labels (``id``,
    ``name`` = id and name, ``price`` = id, name and road-line price) never overlap: a label
    with no free spot on its route moves off it on a leader line.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    output = Path(output)
    if output.suffix.lower() not in STATIC_SUFFIXES:
        raise MapError(f"{output}: a static map is .png, .svg or .pdf")
    if route_labels not in ROUTE_LABELS:
        raise MapError(f"--route-labels {route_labels!r}: use one of {', '.join(ROUTE_LABELS)}")
    if county_meta is None and prices is not None:
        county_meta = prices.metadata
    font = cjk_font()
    if font is None and county_meta:  # no font for 文号 or issuer: leave them off, no tofu
        county_meta = {k: v for k, v in county_meta.items()
                       if not isinstance(v, str) or v.isascii()}
    if lang is None:
        lang = prices.lang if prices is not None and prices.lang else (
            "zh" if font is not None and default_lang(county_meta) == "zh" else "en")
    grades = _grades(grade_map)
    extent = _layer(grade_map, "extent")
    minx, miny, maxx, maxy = (extent if extent is not None else grades).total_bounds
    pad = 0.03 * max(maxx - minx, maxy - miny)
    aspect = (maxy - miny + 2 * pad) / max(maxx - minx + 2 * pad, 1e-9)
    width, height = page_size(paper, landscape, width_in, aspect)
    # Legend beside the map on a wide page, below it on a tall one.
    beside = paper is None or width >= height
    colors = grade_colors(grades["grade"])
    halo = _halo()

    with plt.rc_context(print_rc()):
        fig = plt.figure(figsize=(width, height), dpi=dpi)
        top = 1.0 - TITLE_BAND_IN / height
        bottom = FOOT_IN / height
        if beside:
            ax = fig.add_axes((0.0, bottom, MAP_WIDTH, top - bottom))
            legend_anchor, legend_loc = (MAP_WIDTH + 0.01, top), "upper left"
        else:
            # The map as tall as its shape asks (leaving 2 inches for the legend), the legend
            # right below it.
            map_h = min(0.96 * width * aspect, (top - bottom) * height - 2.0) / height
            ax = fig.add_axes((0.02, top - map_h - 0.01, 0.96, map_h))
            legend_anchor, legend_loc = (0.5, top - map_h - 0.02), "upper center"
        try:
            handles = draw_layers(ax, grade_map, colors, lang=lang)
            # Room for a legend line: its column less the colour patch, at 7 pt (about 10
            # Chinese or 17 Latin characters an inch).
            legend_in = ((0.98 - MAP_WIDTH) * width if beside else 0.48 * width) - 0.45
            chars = int(legend_in * (10 if lang == "zh" else 17))
            handles[:0] = [
                Patch(facecolor=colors[g], edgecolor="none",
                      label=legend_label(g, prices, lang, width_chars=chars))
                for g in sorted(colors)
            ]
            ax.set_xlim(minx - pad, maxx + pad)
            ax.set_ylim(miny - pad, maxy + pad)
            ax.set_aspect("equal")
            ax.set_axis_off()
            obstacles = [_scale_bar(ax, halo, lang), _north_arrow(ax, lang)]
            routes = _layer(grade_map, "routes")
            if routes is not None:  # after the limits: placement is in page units
                # Labels grow with the page: 4.5 pt on a 10-inch picture, 6 pt on A3.
                label_pt = min(max(_LABEL_PT * max(width, height) / 11.0, _LABEL_PT), 7.0)
                label_routes(routes, ax, style=route_labels, avoid=obstacles,
                             unit=unit(county_meta, lang), fontsize=label_pt)
            legend_title = (
                word("legend_title", lang, unit=unit(county_meta, lang)) if prices
                else word("legend_grades", lang)
            )
            ax.legend(
                handles=handles, title=legend_title, loc=legend_loc, fontsize=7,
                title_fontsize=8, framealpha=0.9, bbox_to_anchor=legend_anchor,
                bbox_transform=fig.transFigure, borderaxespad=0.0,
                ncol=1 if beside else 2,
            )
            if prices is not None:  # the whole Table 6 under the legend
                fig.canvas.draw()  # the legend's size is known only once drawn
                lbox = ax.get_legend().get_window_extent().transformed(fig.transFigure.inverted())
                if beside:
                    rect = (MAP_WIDTH + 0.01, lbox.y0 - 0.045, 0.99 - MAP_WIDTH - 0.01)
                else:
                    rect = (0.08, lbox.y0 - 0.035, 0.84)
                price_table(fig, prices, lang, rect, county_meta)
            centre = MAP_WIDTH / 2 if beside else 0.5
            fig.text(
                centre, 1.0 - 0.12 / height,
                title if title is not None else map_title(
                    grade_map, chinese=font is not None, lang=lang, priced=prices is not None),
                fontsize=14, ha="center", va="top",
            )
            fig.text(centre, 1.0 - 0.42 / height, map_subtitle(grade_map, county_meta, lang),
                     fontsize=7.5, ha="center", va="top", linespacing=1.4)
            _footer(fig, grade_map, county_meta, lang, width)
            _frame_line(fig, ax)
            write_figure(fig, output, dpi=dpi)
        finally:
            plt.close(fig)
    return output


def price_table(
    fig: Any,
    prices: PriceLegend,
    lang: str,
    rect: tuple[float, float, float],
    county_meta: Mapping[str, Any] | None,
) -> None:
    """Every grade's benchmark price for every use (Table 6) as a boxed table whose top left is
    at ``rect[:2]`` and width ``rect[2]`` (figure fractions)."""
    import textwrap

    uses = list(prices.table.columns)
    width_in = rect[2] * fig.get_figwidth()
    chars = max(4, int(width_in / (len(uses) + 1) * (9 if lang == "zh" else 16)))
    header = [word("grade", lang)] + [
        # English breaks between whole words only ("Commerc/ial" reads as a typo); a word
        # wider than the column gets a smaller header font instead (head_pt below).
        "\n".join(textwrap.wrap(prices.labels.get(u, u), chars, break_long_words=lang == "zh"))
        for u in uses
    ]
    rows = [[grade_label(int(g), lang)] + [f"{prices.table.at[g, u]:g}" for u in uses]
            for g in prices.table.index]
    lines = max(h.count("\n") + 1 for h in header)
    row_in = 0.2
    height_in = row_in * (len(rows) + 0.6 * lines + 0.6)
    height = height_in / fig.get_figheight()
    ax = fig.add_axes((rect[0], rect[1] - height, rect[2], height))
    ax.set_axis_off()
    ax.set_title(f"{word('prices', lang)} ({unit(county_meta, lang)})", fontsize=7.5, pad=3)
    table = ax.table(cellText=rows, colLabels=header, loc="upper left", cellLoc="center",
                     bbox=(0, 0, 1, 1))
    table.auto_set_font_size(False)
    table.set_fontsize(6.5)
    longest = max(len(w) for h in header for w in h.split())
    head_pt = 6.5 if longest <= chars else max(4.5, 6.5 * (chars - 1) / longest)
    head_share = 0.6 * lines / (len(rows) + 0.6 * lines)
    for (row, _col), cell in table.get_celld().items():
        cell.set_linewidth(0.4)
        cell.set_height(head_share if row == 0 else (1 - head_share) / len(rows))
        if row == 0:
            cell.set_facecolor("#eeeeee")
            cell.set_fontsize(head_pt)


def _halo() -> list[Any]:
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.0, foreground="white")]


def draw_layers(ax: Axes, grade_map: GradeMap, colors: dict[int, str], *, lang: str,
                route_width: float = 1.0) -> list[Any]:
    """Grades, roads, water, routes and the extent on ``ax``; returns legend handles for all
    but the grades."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    grades = _grades(grade_map)
    grades.plot(
        ax=ax, color=[colors[g] for g in grades["grade"]], edgecolor="white", linewidth=0.4,
        zorder=1,
    )
    handles: list[Any] = []
    roads = _layer(grade_map, "roads")
    if roads is not None:
        roads.plot(ax=ax, color=ROAD_COLOR, linewidth=0.4, alpha=0.6, zorder=2)
        handles.append(Line2D([], [], color=ROAD_COLOR, lw=0.6, label=word("roads", lang)))
    water = _layer(grade_map, "water")
    if water is not None:
        _plot_water(water, ax)
        handles.append(Patch(facecolor=WATER_COLOR, edgecolor=WATER_COLOR,
                             label=word("water", lang)))
    routes = _layer(grade_map, "routes")
    if routes is not None:
        routes.plot(ax=ax, color=ROUTE_COLOR, linewidth=route_width, zorder=4)
        handles.append(Line2D([], [], color=ROUTE_COLOR, lw=route_width,
                              label=word("routes_legend", lang)))
    extent = _layer(grade_map, "extent")
    if extent is not None:
        extent.boundary.plot(ax=ax, color=EXTENT_COLOR, linewidth=1.2, zorder=5)
        handles.append(Line2D([], [], color=EXTENT_COLOR, lw=1.2, label=word("extent", lang)))
    return handles


def write_figure(fig: Any, output: Path, *, dpi: int) -> Path:
    """Save a figure through a temporary file beside ``output``, so the file appears only
    complete (see :func:`landgrade.io.atomic_output`)."""
    from landgrade.io import atomic_output

    output.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(output) as tmp:
        fig.savefig(tmp, dpi=dpi, format=output.suffix.lower().lstrip("."))
    return output


def _footer(fig: Any, grade_map: GradeMap, county_meta: Mapping[str, Any] | None, lang: str,
            width_in: float) -> None:
    """Issuer and date on the left; the schematic note (from metadata) wrapped below."""
    import textwrap

    meta = county_meta or {}
    left = gazette_facts(meta, ("issuer", "date"), lang)
    lines = ["　".join(left) if lang == "zh" else "  ·  ".join(left)] if left else []
    if grade_map.schematic:
        note = schematic_note(meta, lang, SCHEMATIC_NOTE)
        chars = int(width_in * (9 if lang == "zh" else 17))  # 6.5 pt text per inch
        lines += textwrap.wrap(f"{word('note', lang)}: {note}", chars)
    fig.text(0.02, 0.08 / fig.get_figheight(), "\n".join(lines), fontsize=6.5, ha="left",
             va="bottom", color="#333333", linespacing=1.3)


def _frame_line(fig: Any, ax: Axes) -> None:
    """A thin neat line round the map, as printed maps have."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, edgecolor="#444444",
                           linewidth=0.8, zorder=8, clip_on=False))


def legend_label(grade: int, prices: PriceLegend | None, lang: str | None = None,
                 width_chars: int | None = None) -> str:
    """``一级 — 商服用地 3194，住宅用地 1932`` (or ``Grade 1 — …``): a grade and its legend
    prices; the grade word is in ``lang``, else the legend's, else English. With
    ``width_chars`` the prices break onto further lines between uses, never inside one, so a
    long English use name does not run off the page."""
    lang = lang or (prices.lang if prices is not None else None) or "en"
    label = grade_label(grade, lang)
    if prices is None or grade not in prices.table.index:
        return label
    parts = [
        f"{prices.labels.get(u, u)} {prices.table.at[grade, u]:g}" for u in prices.legend_uses()
    ]
    sep = "，" if lang == "zh" else ", "
    lines = [f"{label} — {parts[0]}"]
    for part in parts[1:]:
        if width_chars is not None and len(lines[-1]) + len(sep) + len(part) > width_chars:
            lines[-1] += sep.rstrip()
            lines.append(part)
        else:
            lines[-1] += sep + part
    return "\n".join(lines)


def _plot_water(water: gpd.GeoDataFrame, ax: Axes) -> None:
    kinds = water.geometry.geom_type
    areas = water[kinds.isin(["Polygon", "MultiPolygon"])]
    lines = water[~kinds.isin(["Polygon", "MultiPolygon"])]
    if len(areas):
        areas.plot(ax=ax, color=WATER_COLOR, edgecolor=WATER_COLOR, linewidth=0.5, zorder=3)
    if len(lines):
        lines.plot(ax=ax, color=WATER_COLOR, linewidth=2.0, zorder=3)


# Where along a route its label may sit, in order of preference (fractions of its length), and
# how far off the route (in label heights, either side) before giving up on that spot.
_LABEL_SPOTS = (0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9, 0.425, 0.575, 0.275, 0.725)
_LABEL_OFFSETS = (0.0, 1.3, -1.3, 2.6, -2.6, 4.0, -4.0, 6.0, -6.0, 8.0, -8.0, 10.0, -10.0, 13.0,
                  -13.0, 17.0, -17.0)
_LABEL_PT = 4.5
_LABEL_SHRINK = (1.0, 0.85, 0.7)
_LABEL_BOX = {"boxstyle": "square,pad=0.12", "facecolor": "white", "edgecolor": "none",
              "alpha": 0.8}


def route_label_text(row: pd.Series, style: str, unit_text: str) -> str:
    """A route's label: its id, ``id name`` or ``id name price unit``."""
    text = str(row.get("id", ""))
    if style in ("name", "price") and pd.notna(row.get("name")):
        text += f" {row['name']}"
    if style == "price" and pd.notna(row.get("price")):
        # Without its unit the price reads as part of the name (雪峰中路 5 4112).
        text += f" {float(row['price']):g}" + (f" {unit_text}" if unit_text else "")
    return text


def label_routes(
    routes: gpd.GeoDataFrame,
    ax: Axes,
    *,
    style: str = "id",
    avoid: list[Any] | None = None,
    unit: str = "",
    fontsize: float = _LABEL_PT,
) -> list[Any]:
    """Label every route so that no two labels (nor ``avoid``'s boxes) overlap.

    Each label is measured as drawn; long routes are placed first (they have the most room),
    each at the first free spot along it (:data:`_LABEL_SPOTS`), then at the same spots moved
    off the route across its direction (:data:`_LABEL_OFFSETS`), joined to it by a thin leader
    line. Only when every spot is taken does a label take the least crowded one. Labels sit on
    a white box rather than a stroked halo, which would turn SVG/PDF text into paths. Returns
    the text artists.
    """
    from matplotlib.transforms import Bbox

    if "id" not in routes.columns or not len(routes):
        return []
    fig = ax.figure
    ax.apply_aspect()
    renderer = fig.canvas.get_renderer()
    geoms = routes.geometry.array
    frac = np.asarray(_LABEL_SPOTS)
    pts = [shapely.line_interpolate_point(geoms, f, normalized=True) for f in frac]
    ahead = [shapely.line_interpolate_point(geoms, np.minimum(f + 0.02, 1.0), normalized=True)
             for f in frac]
    behind = [shapely.line_interpolate_point(geoms, np.maximum(f - 0.02, 0.0), normalized=True)
              for f in frac]

    def display(p: np.ndarray) -> np.ndarray:
        return ax.transData.transform(np.c_[shapely.get_x(p), shapely.get_y(p)])

    at = np.stack([display(p) for p in pts], axis=1)  # routes × spots × (x, y)
    direction = np.stack([display(a) - display(b) for a, b in zip(ahead, behind, strict=True)],
                         axis=1)
    norm = np.hypot(direction[..., 0], direction[..., 1])[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        normal = np.where(norm > 0, np.stack([-direction[..., 1], direction[..., 0]], -1) / norm,
                          np.array([0.0, 1.0]))
    frame = ax.get_window_extent(renderer)
    placed: list[Bbox] = [b for b in (avoid or []) if b is not None]
    texts = []
    for i in np.argsort(-shapely.length(geoms), kind="stable"):
        label = route_label_text(routes.iloc[i], style, unit)
        t = ax.text(0, 0, label, fontsize=fontsize, ha="center", va="center", color=ROUTE_COLOR,
                    zorder=6, transform=None, bbox=_LABEL_BOX)
        box = t.get_window_extent(renderer)
        best, best_cost = None, None
        # A crowded label first tries smaller type (85 %, 70 %) before it may overlap another.
        for shrink in _LABEL_SHRINK:
            w, h = box.width * shrink + 2, box.height * shrink + 2
            for off in _LABEL_OFFSETS:
                for j in range(len(frac)):
                    x, y = at[i, j] + normal[i, j] * off * h
                    if not (math.isfinite(x) and math.isfinite(y)):
                        continue
                    cand = Bbox.from_bounds(x - w / 2, y - h / 2, w, h)
                    inside = frame.containsx(cand.x0) and frame.containsx(cand.x1) and \
                        frame.containsy(cand.y0) and frame.containsy(cand.y1)
                    cost = sum(_overlap(cand, b) for b in placed) + (0 if inside else w * h)
                    if best_cost is None or cost < best_cost:
                        best, best_cost = (x, y, off, j, w, h, shrink), cost
                    if cost == 0:
                        break
                if best_cost == 0:
                    break
            if best_cost == 0:
                break
        if best is None:
            t.remove()
            continue
        x, y, off, j, w, h, shrink = best
        t.set_fontsize(fontsize * shrink)
        placed.append(Bbox.from_bounds(x - w / 2, y - h / 2, w, h))
        t.set_transform(ax.transData)
        t.set_position(ax.transData.inverted().transform((x, y)))
        texts.append(t)
        if off:
            ax.plot(*ax.transData.inverted().transform(np.array([at[i, j], (x, y)])).T,
                    color=ROUTE_COLOR, linewidth=0.3, zorder=5.5)
    return texts


def _overlap(a: Any, b: Any) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _nice_length(span: float) -> float:
    """A round length (1, 2 or 5 × 10^n metres) near a fifth of ``span``."""
    target = max(span / 5.0, 1e-9)
    base = 10 ** math.floor(math.log10(target))
    return max((m * base for m in (1, 2, 5) if m * base <= target), default=base)


def _scale_bar(ax: Axes, halo: list[Any], lang: str = "en") -> Any:
    """A checkered scale bar with a tick and a distance at 0, ¼, ½ and the full length, in
    the lower left; returns its box in display units (for label placement)."""
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    height = 0.010 * (y1 - y0)
    left, bottom = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    km = length >= 1000
    scale, unit_word = (1000.0, word("km", lang)) if km else (1.0, word("m", lang))
    ax.add_patch(Rectangle((left - 0.01 * (x1 - x0), bottom - 1.2 * height),
                           length + 0.03 * (x1 - x0), 5.2 * height, facecolor="white",
                           edgecolor="none", alpha=0.8, zorder=7))
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (left + i * length / 4, bottom), length / 4, height,
                facecolor="k" if i % 2 else "w", edgecolor="k", linewidth=0.6, zorder=7,
            )
        )
    for f in (0.0, 0.25, 0.5, 1.0):
        x = left + f * length
        ax.plot([x, x], [bottom + height, bottom + 1.6 * height], color="k", linewidth=0.6,
                zorder=7)
        text = f"{f * length / scale:g}" + (f" {unit_word}" if f == 1.0 else "")
        ax.text(x, bottom + 1.8 * height, text, ha="center", va="bottom", fontsize=6.5,
                zorder=7)
    return _data_box(ax, left - 0.01 * (x1 - x0), bottom - 1.2 * height,
                     left + length + 0.08 * (x1 - x0), bottom + 4.0 * height)


def _north_arrow(ax: Axes, lang: str = "en") -> Any:
    """A north arrow (grid north of the working CRS) in the upper right; returns its box."""
    from matplotlib.patches import Polygon

    cx, tip, base, half = 0.955, 0.975, 0.885, 0.014
    ax.add_patch(Polygon([(cx, tip), (cx - half, base), (cx, base + 0.02)], closed=True,
                         transform=ax.transAxes, facecolor="k", edgecolor="k", linewidth=0.6,
                         zorder=7))
    ax.add_patch(Polygon([(cx, tip), (cx + half, base), (cx, base + 0.02)], closed=True,
                         transform=ax.transAxes, facecolor="w", edgecolor="k", linewidth=0.6,
                         zorder=7))
    ax.text(cx, base - 0.01, word("north", lang), transform=ax.transAxes, ha="center",
            va="top", fontsize=9, zorder=7)
    fig_box = ax.transAxes.transform([(cx - 2 * half, base - 0.05), (cx + 2 * half, tip)])
    from matplotlib.transforms import Bbox

    return Bbox(fig_box)


def _data_box(ax: Axes, x0: float, y0: float, x1: float, y1: float) -> Any:
    from matplotlib.transforms import Bbox

    return Bbox(ax.transData.transform([(x0, y0), (x1, y1)]))


# --- web page --------------------------------------------------------------------------------


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

    grades = _grades(grade_map)
    extent = _layer(grade_map, "extent")
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
    _inline_leaflet(fmap)
    if tiles:
        folium.TileLayer(tiles, attr=tiles_attribution or tiles, name="background").add_to(fmap)

    _add_grades(fmap, grades, colors, prices, display_crs, lang)
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
        _add_routes(fmap, routes, display_crs, lang,
                    unit(prices.metadata if prices is not None else None, lang))
    if extent is not None:
        folium.GeoJson(
            _geojson(extent.boundary.to_frame("geometry"), [], display_crs),
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
    from landgrade.io import atomic_output

    output.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(output) as tmp:
        fmap.save(str(tmp))
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
    aliases = [word(_ROUTE_FIELDS[f], lang) + units.get(f, "") for f in fields]
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
        _geojson(routes, fields, display_crs), name="routes (路线价)",
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


# --- command ---------------------------------------------------------------------------------


def map_command(
    output: str | Path,
    map_path: str | Path | None = None,
    county: str | Path | None = None,
    tiles: str | None = None,
    *,
    lang: str | None = None,
    paper: str | None = None,
    landscape: bool = False,
    dpi: int | None = None,
    route_labels: str = "id",
) -> Path:
    """``landgrade map``: draw the bundled (or ``map_path``) grade map to PNG, SVG, PDF or HTML.

    ``tiles`` is an XYZ URL template for the HTML background; prefix it with ``gcj02:`` for
    tiles of AMap or Tencent maps, which are drawn in GCJ-02. ``lang`` defaults to the county's
    language (metadata.json); ``paper``/``landscape``/``dpi``/``route_labels`` shape a static
    map (see :func:`static_map`).
    """
    from landgrade.engine.engine import load_grade_map
    from landgrade.gazette.labels import check_lang

    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in STATIC_SUFFIXES + HTML_SUFFIXES:
        raise MapError(f"{output}: give a .png, .svg, .pdf or .html file name")
    if tiles and suffix not in HTML_SUFFIXES:
        raise MapError("--tiles only applies to .html maps")
    if lang is not None:
        check_lang(lang)
    if paper is not None and paper.upper() not in PAPER_MM:
        raise MapError(f"--paper {paper!r}: use one of {', '.join(PAPER_MM)}")
    if route_labels not in ROUTE_LABELS:
        raise MapError(f"--route-labels {route_labels!r}: use one of {', '.join(ROUTE_LABELS)}")
    if dpi is not None and not 30 <= dpi <= 1200:
        raise MapError(f"--dpi {dpi}: give a resolution between 30 and 1200")
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
    from landgrade.gazette.county import county_inputs

    io.check_output(output, [map_path, *county_inputs(county)])
    grade_map = load_grade_map(map_path=map_path, county=county)
    grade_levels(grade_map, map_path or "the bundled grade map")
    if lang is None:
        lang = default_lang(_county_metadata(grade_map, county, map_path))
    # HTML is rendered by the browser, which has its own fonts; only matplotlib needs one here.
    chinese = suffix in HTML_SUFFIXES or cjk_font() is not None
    if not chinese:
        print(
            "note: no CJK font found (Debian: apt-get install fonts-wqy-microhei); "
            "the map's words and use names are in English",
            file=sys.stderr,
        )
        lang = "en"
    # static_map and write_html each write atomically (landgrade.io.atomic_output).
    prices = prices_for_map(grade_map, county, map_path, chinese=chinese, lang=lang)
    if suffix in HTML_SUFFIXES:
        fmap = interactive_map(grade_map, prices=prices, tiles=tiles, tiles_crs=tiles_crs,
                               lang=lang)
        written = write_html(fmap, output)
    else:
        written = static_map(
            grade_map, output, prices=prices, lang=lang, paper=paper, landscape=landscape,
            dpi=dpi or 150, route_labels=route_labels,
        )
    print(f"wrote {written}")
    return written


def _county_metadata(
    grade_map: GradeMap, county: str | Path | None, map_path: str | Path | None
) -> dict[str, Any]:
    """The metadata.json of the map's county (see :func:`prices_for_map`), or empty."""
    from landgrade.gazette.county import county_folder

    try:
        folder = (
            county_folder(county) if county is not None or map_path is None
            else county_of_map(grade_map.metadata)
        )
        return dict(folder.metadata) if folder is not None else {}
    except LandgradeError:
        return {}


def prices_for_map(
    grade_map: GradeMap,
    county: str | Path | None,
    map_path: str | Path | None,
    *,
    chinese: bool,
    lang: str | None = None,
) -> PriceLegend | None:
    """The price legend of the map's county: ``--county``, else the county folder the map
    records, else the bundled county for the bundled map. Otherwise grades only, and it says so."""
    grades = grade_levels(grade_map)
    if county is not None or map_path is None:
        return price_legend(county, grades, chinese=chinese, lang=lang)
    folder = county_of_map(grade_map.metadata)
    if folder is not None:
        try:
            return price_legend(folder.root, grades, chinese=chinese, lang=lang)
        except LandgradeError as e:
            print(f"note: {e}", file=sys.stderr)
    print(
        "note: no --county given for this --map; the legend shows grades without prices",
        file=sys.stderr,
    )
    return None
