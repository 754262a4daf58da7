"""What every map of a grade map shares: its look and its words.

One sequential colour per grade (the best grade, 1, darkest) and the colours of the other layers,
shared by the static map (:mod:`landgrade.outputs.map_print`), the web page
(:mod:`landgrade.outputs.map_html`), the parcel report and the QGIS styles; the CJK font and the
print settings; the price legend (Table 6 per grade) and its legend lines; the title and the
文号/date/CRS subtitle; the page sizes; and the layers as drawn (in the working CRS, worst grade
first so the best is drawn on top). When the grade map's network is a schematic reconstruction,
the subtitle says so.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landgrade.build.grade_map import GradeMap
from landgrade.build.grade_map import grade_levels as check_grade_levels
from landgrade.errors import LandgradeError
from landgrade.gazette.county import county_of_map
from landgrade.gazette.labels import (
    DATUM_ZH,
    county_name,
    gazette_facts,
    grade_label,
    word,
)
from landgrade.io.crs import gdf_to_working

STATIC_SUFFIXES = (".png", ".svg", ".pdf")
HTML_SUFFIXES = (".html", ".htm")
MAP_WIDTH = 0.68  # share of a static map's width given to the map; the legend takes the rest
TITLE_BAND_IN = 0.85  # inches above the map for the title and the 文号/date/CRS line
FOOT_IN = 0.45  # inches below the map for the issuer and the schematic note

# Colours of the non-grade layers, shared with the QGIS styles written by landgrade.outputs.export.
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
    ``--lang``); ``metadata`` the county's metadata.json (文号, valuation date, notes);
    ``connotation`` grade → use → ``{"term_years", "plot_ratio"}`` of each price (Tables 1–4),
    as the answer schema gives them (:func:`landgrade.engine.answer.to_record`).
    """

    table: pd.DataFrame
    labels: dict[str, str]
    lang: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    connotation: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)

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
    connotation: dict[int, dict[str, dict[str, Any]]] = {}
    for g in levels:
        for u in table.columns:
            try:
                c = book.connotation(g, u)
            except (LookupError, LandgradeError):  # a price without a stated connotation
                continue
            connotation.setdefault(g, {})[str(u)] = {
                "term_years": None if c.term_years is None else int(c.term_years),
                "plot_ratio": None if c.plot_ratio is None else float(c.plot_ratio)}
    return PriceLegend(table=table, labels=labels, lang=lang, metadata=dict(book.metadata),
                       connotation=connotation)


# --- layers ----------------------------------------------------------------------------------


def working_layer(grade_map: GradeMap, name: str) -> gpd.GeoDataFrame | None:
    """A spatial layer in the working CRS (a layer without a CRS is taken to be in it), or None."""
    layer = getattr(grade_map, name)
    if layer is None or len(layer) == 0:
        return None
    working = grade_map.crs
    return gdf_to_working(layer, None if layer.crs is not None else working, layer=name,
                          working=working)


def grade_levels(grade_map: GradeMap, source: str | Path = "grade map") -> pd.Series:
    """The grades layer's ``grade`` column as integers (see
    :func:`landgrade.build.grade_map.grade_levels`)."""
    return check_grade_levels(grade_map.grades, source)


def grades_for_drawing(grade_map: GradeMap) -> gpd.GeoDataFrame:
    """The grades layer in the working CRS, worst grade first so the best is drawn on top."""
    levels = grade_levels(grade_map)
    grades = working_layer(grade_map, "grades")
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


_GK_NAME = re.compile(
    r"^(?P<datum>[^/]+?) / (?:(?P<deg>[36])-degree )?Gauss-Kruger "
    r"(?:CM (?P<cm>\d+)(?P<hemi>[EW])|zone (?P<zone>\d+))$")
_UTM_NAME = re.compile(r"^(?P<datum>[^/]+?) / UTM zone (?P<zone>\d+[NS])$")


def crs_words(crs: Any, lang: str) -> str:
    """A coordinate system's name in ``lang``, with its EPSG code: ``CGCS2000 / 3-degree
    Gauss-Kruger CM 111E (EPSG:4546)``, or in Chinese ``2000国家大地坐标系 高斯-克吕格投影 3度带
    中央经线 111°E (EPSG:4546)``. Systems without a Chinese wording keep their own name."""
    import pyproj

    crs = pyproj.CRS.from_user_input(crs)
    epsg = crs.to_epsg()
    name = crs.name
    if lang == "zh":
        gk = _GK_NAME.match(name)
        datum = DATUM_ZH.get((gk.group("datum") if gk else name).strip())
        if gk and datum:
            where = (word("crs_gk_cm", lang, cm=gk.group("cm"),
                          hemi="E" if gk.group("hemi") == "E" else "W")
                     if gk.group("cm") else word("crs_gk_zone", lang, zone=gk.group("zone")))
            name = word("crs_gk", lang, datum=datum, deg=gk.group("deg") or "6", where=where)
        elif (utm := _UTM_NAME.match(name)) and utm.group("datum") in DATUM_ZH:
            name = word("crs_utm", lang, datum=DATUM_ZH[utm.group("datum")],
                        zone=utm.group("zone"))
        elif datum:
            name = datum
    return f"{name} (EPSG:{epsg})" if epsg else name


def map_subtitle(grade_map: GradeMap, county_meta: Mapping[str, Any] | None, lang: str) -> str:
    """文号 · 估价期日 · 坐标系 (and the schematic note when it applies), one line each."""
    meta = county_meta or {}
    parts = gazette_facts(meta, ("document", "valuation_date"), lang)
    # The map's own working CRS (its county's Gauss-Krüger zone), worded in the map's language.
    parts.append(f"{word('crs', lang)} {crs_words(grade_map.crs, lang)}")
    sep = "　" if lang == "zh" else "  ·  "
    lines = [sep.join(parts)]
    if grade_map.schematic:
        lines.append(f"({word('schematic_short', lang)})")
    return "\n".join(lines)

# --- page -----------------------------------------------------------------------------------

# Paper sizes (ISO 216), millimetres, portrait.
PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
ROUTE_LABELS = ("id", "name", "price")
MM = 1 / 25.4
_A4_LONG_IN = 297.0 * MM  # the sheet every type size below is set for


@dataclass(frozen=True)
class PrintStyle:
    """Type sizes (points), line widths (points) and bands (inches) of a printed map.

    Everything on the sheet grows with the paper: ``scale`` is the page's long side over A4's,
    so an A3 sheet (√2 × A4) sets every word and line √2 times larger and reads from as far
    as it is bigger. :func:`print_style` gives the style of a page.
    """

    scale: float
    title_pt: float
    subtitle_pt: float
    legend_pt: float
    legend_title_pt: float
    table_pt: float
    table_title_pt: float
    route_label_pt: float
    route_table_pt: float
    footer_pt: float
    scale_bar_pt: float
    north_pt: float
    grade_edge_lw: float
    road_lw: float
    water_lw: float
    route_lw: float
    extent_lw: float
    frame_lw: float
    leader_lw: float
    title_band_in: float
    foot_in: float
    margin_in: float
    gap_in: float


def print_style(paper: str | None = None, landscape: bool = False,
                width_in: float = 10.0) -> PrintStyle:
    """The style of a printed map on ``paper`` (A4, A3), or on a page ``width_in`` wide.

    A4 is the reference (scale 1; so is a page narrower than A4's long side); A3 is √2.
    """
    if paper is not None:
        key = paper.upper()
        if key not in PAPER_MM:
            raise MapError(f"--paper {paper!r}: use one of {', '.join(PAPER_MM)}")
        s = max(PAPER_MM[key]) * MM / _A4_LONG_IN
    else:
        s = max(1.0, width_in / _A4_LONG_IN)
    return PrintStyle(
        scale=s, title_pt=14 * s, subtitle_pt=7.5 * s, legend_pt=7 * s, legend_title_pt=8 * s,
        table_pt=6.5 * s, table_title_pt=7.5 * s, route_label_pt=5.5 * s,
        route_table_pt=5.5 * s, footer_pt=6.5 * s, scale_bar_pt=6.5 * s, north_pt=9 * s,
        grade_edge_lw=0.4 * s, road_lw=0.4 * s, water_lw=2.0 * s, route_lw=1.0 * s,
        extent_lw=1.2 * s, frame_lw=0.8 * s, leader_lw=0.3 * s,
        title_band_in=TITLE_BAND_IN * s, foot_in=FOOT_IN * s,
        margin_in=0.3 * s if paper is not None else 0.15 * s, gap_in=0.12 * s,
    )


def page_size(paper: str | None, landscape: bool, width_in: float, aspect: float,
              style: PrintStyle | None = None) -> tuple[float, float]:
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
    style = style or print_style(None, width_in=width_in)
    map_in = MAP_WIDTH * width_in
    return width_in, (min(max(map_in * aspect, 3.0), 2.0 * width_in) + style.title_band_in
                      + style.foot_in)


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
