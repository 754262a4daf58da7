"""The print-ready map of a grade map: a PNG, SVG or PDF page drawn with matplotlib.

The page holds the title and the 文号/date/CRS line, the map (grade zones in their colours, faint
roads, water, the Table 7 routes labelled so that no two labels overlap, the grading extent) with
a ticked scale bar and a north arrow, a legend with each grade's prices and the whole Table 6
under it, and a footer with the issuer and, where it applies, the schematic-network note. The
parcel report draws its map snippet with the same layers, labels, scale bar and north arrow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

# The font is read through its module: one answer (or one replacement) reaches every caller.
import landgrade.outputs.map_style as map_style
from landgrade.build.grade_map import GradeMap
from landgrade.gazette.labels import (
    SCHEMATIC_NOTE,
    default_lang,
    gazette_facts,
    grade_label,
    schematic_note,
    unit,
    word,
)
from landgrade.outputs.map_style import (
    EXTENT_COLOR,
    FOOT_IN,
    MAP_WIDTH,
    ROAD_COLOR,
    ROUTE_COLOR,
    ROUTE_LABELS,
    STATIC_SUFFIXES,
    TITLE_BAND_IN,
    WATER_COLOR,
    MapError,
    PriceLegend,
    grade_colors,
    grades_for_drawing,
    legend_label,
    map_subtitle,
    map_title,
    page_size,
    print_rc,
    working_layer,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


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
    font = map_style.cjk_font()
    if font is None and county_meta:  # no font for 文号 or issuer: leave them off, no tofu
        county_meta = {k: v for k, v in county_meta.items()
                       if not isinstance(v, str) or v.isascii()}
    if lang is None:
        lang = prices.lang if prices is not None and prices.lang else (
            "zh" if font is not None and default_lang(county_meta) == "zh" else "en")
    grades = grades_for_drawing(grade_map)
    extent = working_layer(grade_map, "extent")
    minx, miny, maxx, maxy = (extent if extent is not None else grades).total_bounds
    pad = 0.03 * max(maxx - minx, maxy - miny)
    aspect = (maxy - miny + 2 * pad) / max(maxx - minx + 2 * pad, 1e-9)
    width, height = page_size(paper, landscape, width_in, aspect)
    # Legend beside the map on a wide page, below it on a tall one.
    beside = paper is None or width >= height
    colors = grade_colors(grades["grade"])
    halo = text_halo()

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
            obstacles = [scale_bar(ax, halo, lang), north_arrow(ax, lang)]
            routes = working_layer(grade_map, "routes")
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


def text_halo() -> list[Any]:
    """A white outline that keeps text legible over the grade colours (matplotlib path effects)."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.0, foreground="white")]


def draw_layers(ax: Axes, grade_map: GradeMap, colors: dict[int, str], *, lang: str,
                route_width: float = 1.0) -> list[Any]:
    """Grades, roads, water, routes and the extent on ``ax``; returns legend handles for all
    but the grades."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    grades = grades_for_drawing(grade_map)
    grades.plot(
        ax=ax, color=[colors[g] for g in grades["grade"]], edgecolor="white", linewidth=0.4,
        zorder=1,
    )
    handles: list[Any] = []
    roads = working_layer(grade_map, "roads")
    if roads is not None:
        roads.plot(ax=ax, color=ROAD_COLOR, linewidth=0.4, alpha=0.6, zorder=2)
        handles.append(Line2D([], [], color=ROAD_COLOR, lw=0.6, label=word("roads", lang)))
    water = working_layer(grade_map, "water")
    if water is not None:
        _plot_water(water, ax)
        handles.append(Patch(facecolor=WATER_COLOR, edgecolor=WATER_COLOR,
                             label=word("water", lang)))
    routes = working_layer(grade_map, "routes")
    if routes is not None:
        routes.plot(ax=ax, color=ROUTE_COLOR, linewidth=route_width, zorder=4)
        handles.append(Line2D([], [], color=ROUTE_COLOR, lw=route_width,
                              label=word("routes_legend", lang)))
    extent = working_layer(grade_map, "extent")
    if extent is not None:
        extent.boundary.plot(ax=ax, color=EXTENT_COLOR, linewidth=1.2, zorder=5)
        handles.append(Line2D([], [], color=EXTENT_COLOR, lw=1.2, label=word("extent", lang)))
    return handles


def write_figure(fig: Any, output: Path, *, dpi: int) -> Path:
    """Save a figure through a temporary file beside ``output``, so the file appears only
    complete (see :func:`landgrade.io.atomic_output`)."""
    from landgrade.io.atomic import atomic_output

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


def scale_bar(ax: Axes, halo: list[Any], lang: str = "en") -> Any:
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
    return data_box(ax, left - 0.01 * (x1 - x0), bottom - 1.2 * height,
                     left + length + 0.08 * (x1 - x0), bottom + 4.0 * height)


def north_arrow(ax: Axes, lang: str = "en") -> Any:
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


def data_box(ax: Axes, x0: float, y0: float, x1: float, y1: float) -> Any:
    """The box (x0, y0)–(x1, y1) in data units, in display units: an obstacle for labels."""
    from matplotlib.transforms import Bbox

    return Bbox(ax.transData.transform([(x0, y0), (x1, y1)]))


