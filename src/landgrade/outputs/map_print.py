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
    schematic_note,
    unit,
    word,
)
from landgrade.outputs.map_panel import (
    draw_price_table,
    draw_route_table,
    fit_route_table,
    make_legend,
    place_legend,
    price_table_height,
    route_table_rows,
)
from landgrade.outputs.map_style import (
    EXTENT_COLOR,
    MAP_WIDTH,
    ROAD_COLOR,
    ROUTE_COLOR,
    ROUTE_LABELS,
    STATIC_SUFFIXES,
    WATER_COLOR,
    MapError,
    PriceLegend,
    PrintStyle,
    grade_colors,
    grades_for_drawing,
    legend_label,
    map_subtitle,
    map_title,
    page_size,
    print_rc,
    print_style,
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
    of the working CRS), a panel with the legend (each grade's commercial and residential
    prices), Table 6 and the route table (:mod:`landgrade.outputs.map_panel`), and a footer with
    the schematic-network note when it applies. ``paper`` (A4, A3; portrait unless
    ``landscape``) fixes the page, and every type size and line width grows with it
    (:func:`landgrade.outputs.map_style.print_style`); otherwise the page is ``width_in`` wide.
    The map frame takes what the panel leaves of the sheet, beside it on a landscape page and
    below it on a portrait one, and the view is widened to the frame's shape, so the sheet is
    filled. Route labels (``id``, ``name`` = id and name, ``price`` = id, name and road-line
    price) never overlap: a label with no free spot on its route moves off it on a leader
    line, then shrinks, and a name or price with no room left is left to the route table,
    which names every route's road section and price by its id.
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
    routes = working_layer(grade_map, "routes")
    minx, miny, maxx, maxy = (extent if extent is not None else grades).total_bounds
    pad = 0.03 * max(maxx - minx, maxy - miny)
    view = (minx - pad, miny - pad, maxx + pad, maxy + pad)
    aspect = (view[3] - view[1]) / max(view[2] - view[0], 1e-9)
    style = print_style(paper, landscape, width_in)
    width, height = page_size(paper, landscape, width_in, aspect, style)
    # The panel beside the map on a wide page, below it on a tall one.
    beside = paper is None or width >= height
    colors = grade_colors(grades["grade"])
    money = unit(county_meta, lang)

    with plt.rc_context(print_rc()):
        fig = plt.figure(figsize=(width, height), dpi=dpi)
        try:
            ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))  # placed once the panel is measured
            handles = draw_layers(ax, grade_map, colors, lang=lang, style=style)
            if beside:
                panel_w = ((1 - MAP_WIDTH) * width - 0.02 * width if paper is None
                           else max(0.29 * (width - 2 * style.margin_in), 2.6 * style.scale))
            else:
                panel_w = width - 2 * style.margin_in
            # Room for a legend line: its column less the colour patch, at the legend's type
            # (about 10 Chinese or 17 Latin characters an inch at 7 pt).
            legend_in = (panel_w if beside else 0.5 * panel_w) - 0.45 * style.scale
            chars = int(legend_in * (10 if lang == "zh" else 17) / style.scale)
            handles[:0] = [
                Patch(facecolor=colors[g], edgecolor="none",
                      label=legend_label(g, prices, lang, width_chars=chars))
                for g in sorted(colors)
            ]
            legend = make_legend(fig, handles, word("legend_title", lang, unit=money)
                                 if prices else word("legend_grades", lang), style)
            rows = route_table_rows(routes, drawable=font is not None)
            if paper is None:  # a page without a paper size grows to hold the whole panel
                height = max(height, _panel_height(fig, legend, prices, rows, panel_w, lang,
                                                   style))
                fig.set_size_inches(width, height)
            frame, keyed = _lay_out_panel(fig, legend, prices, rows, panel_w, beside, lang,
                                          county_meta, style)
            ax.set_position((frame[0] / width, frame[1] / height, frame[2] / width,
                             frame[3] / height))
            x0, y0, x1, y1 = fill_frame(view, frame[2], frame[3])
            ax.set_xlim(x0, x1)
            ax.set_ylim(y0, y1)
            ax.set_aspect("equal")
            ax.set_axis_off()
            obstacles = [scale_bar(ax, text_halo(), lang, style=style),
                         north_arrow(ax, lang, style=style)]
            if routes is not None:  # after the limits: placement is in page units
                label_routes(routes, ax, style=route_labels, avoid=obstacles, unit=money,
                             fontsize=style.route_label_pt, keyed=keyed,
                             leader_width=style.leader_lw)
            centre = (frame[0] + frame[2] / 2) / width
            fig.text(
                centre, 1.0 - 0.12 * style.scale / height,
                title if title is not None else map_title(
                    grade_map, chinese=font is not None, lang=lang, priced=prices is not None),
                fontsize=style.title_pt, ha="center", va="top",
            )
            fig.text(centre, 1.0 - 0.42 * style.scale / height,
                     map_subtitle(grade_map, county_meta, lang), fontsize=style.subtitle_pt,
                     ha="center", va="top", linespacing=1.4)
            _footer(fig, grade_map, county_meta, lang, width, style)
            _frame_line(fig, ax, style)
            write_figure(fig, output, dpi=dpi)
        finally:
            plt.close(fig)
    return output


def _lay_out_panel(
    fig: Any,
    legend: tuple[Any, float, float],
    prices: PriceLegend | None,
    rows: list[tuple[str, str, str]],
    panel_w: float,
    beside: bool,
    lang: str,
    county_meta: Mapping[str, Any] | None,
    style: PrintStyle,
) -> tuple[tuple[float, float, float, float], bool]:
    """Place the legend, Table 6 and the route table (page inches) and return the map frame
    they leave (left, bottom, width, height) and whether the route table is on the sheet.

    Beside the map the blocks stack down the panel and the route table takes the rest of its
    height, in as many columns as that needs; below it the legend and Table 6 sit side by side
    above a route table as wide as the page.
    """
    width, height = fig.get_figwidth(), fig.get_figheight()
    artist, legend_w, legend_h = legend
    margin, gap = style.margin_in, style.gap_in
    top, bottom = height - style.title_band_in, style.foot_in
    renderer = fig.canvas.get_renderer()
    if beside:
        left = width - margin - panel_w
        place_legend(artist, left, top)
        y = top - legend_h - gap
        if prices is not None:
            draw_price_table(fig, prices, lang, left, y, panel_w, county_meta, style)
            y -= price_table_height(prices, panel_w, lang, style) + gap
        fit = fit_route_table(rows, renderer, fig.dpi, style, panel_w, y - bottom, lang)
        if fit is not None:
            draw_route_table(fig, rows, fit, left, y, lang, county_meta, style)
        return (margin, bottom, left - gap - margin, top - bottom), fit is not None
    fit = fit_route_table(rows, renderer, fig.dpi, style, panel_w, None, lang)
    table_w = panel_w - legend_w - 2 * gap
    upper = max(legend_h, price_table_height(prices, table_w, lang, style)
                if prices is not None else 0.0)
    panel_top = bottom + upper + (gap + fit.height if fit is not None else 0.0)
    place_legend(artist, margin, panel_top)
    if prices is not None:
        draw_price_table(fig, prices, lang, margin + legend_w + 2 * gap, panel_top, table_w,
                         county_meta, style)
    if fit is not None:
        draw_route_table(fig, rows, fit, margin, panel_top - upper - gap, lang, county_meta,
                         style)
    return (margin, panel_top + gap, panel_w, top - panel_top - 2 * gap), fit is not None


def _panel_height(
    fig: Any,
    legend: tuple[Any, float, float],
    prices: PriceLegend | None,
    rows: list[tuple[str, str, str]],
    panel_w: float,
    lang: str,
    style: PrintStyle,
) -> float:
    """The page height (inches) a panel beside the map needs: bands, legend, Table 6 and the
    route table in as many columns as the panel is wide."""
    fit = fit_route_table(rows, fig.canvas.get_renderer(), fig.dpi, style, panel_w, None,
                          lang)
    return (style.title_band_in + legend[2] + style.gap_in
            + (price_table_height(prices, panel_w, lang, style) + style.gap_in
               if prices is not None else 0.0)
            + (fit.height if fit is not None else 0.0) + style.foot_in)


def fill_frame(view: tuple[float, float, float, float], width_in: float,
               height_in: float) -> tuple[float, float, float, float]:
    """``view`` (x0, y0, x1, y1) widened on one axis, about its centre, to the shape of a frame
    ``width_in`` × ``height_in``: drawn at equal scale, the map then fills its frame."""
    x0, y0, x1, y1 = view
    w, h = x1 - x0, y1 - y0
    want = height_in / max(width_in, 1e-9)
    if h / max(w, 1e-9) < want:  # the frame is taller than the view: show more north and south
        grow = (w * want - h) / 2
        return x0, y0 - grow, x1, y1 + grow
    grow = (h / want - w) / 2
    return x0 - grow, y0, x1 + grow, y1


def text_halo() -> list[Any]:
    """A white outline that keeps text legible over the grade colours (matplotlib path effects)."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.0, foreground="white")]


def draw_layers(ax: Axes, grade_map: GradeMap, colors: dict[int, str], *, lang: str,
                route_width: float | None = None, style: PrintStyle | None = None) -> list[Any]:
    """Grades, roads, water, routes and the extent on ``ax``, with the line widths of
    ``style`` (default: an A4 sheet's); returns legend handles for all but the grades."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    style = style or print_style()
    route_width = style.route_lw if route_width is None else route_width
    grades = grades_for_drawing(grade_map)
    grades.plot(
        ax=ax, color=[colors[g] for g in grades["grade"]], edgecolor="white",
        linewidth=style.grade_edge_lw, zorder=1,
    )
    handles: list[Any] = []
    roads = working_layer(grade_map, "roads")
    if roads is not None:
        roads.plot(ax=ax, color=ROAD_COLOR, linewidth=style.road_lw, alpha=0.6, zorder=2)
        handles.append(Line2D([], [], color=ROAD_COLOR, lw=1.5 * style.road_lw,
                              label=word("roads", lang)))
    water = working_layer(grade_map, "water")
    if water is not None:
        _plot_water(water, ax, style)
        handles.append(Patch(facecolor=WATER_COLOR, edgecolor=WATER_COLOR,
                             label=word("water", lang)))
    routes = working_layer(grade_map, "routes")
    if routes is not None:
        routes.plot(ax=ax, color=ROUTE_COLOR, linewidth=route_width, zorder=4)
        handles.append(Line2D([], [], color=ROUTE_COLOR, lw=route_width,
                              label=word("routes_legend", lang)))
    extent = working_layer(grade_map, "extent")
    if extent is not None:
        extent.boundary.plot(ax=ax, color=EXTENT_COLOR, linewidth=style.extent_lw, zorder=5)
        handles.append(Line2D([], [], color=EXTENT_COLOR, lw=style.extent_lw,
                              label=word("extent", lang)))
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
            width_in: float, style: PrintStyle) -> None:
    """Issuer and date on the left; the schematic note (from metadata) wrapped below."""
    import textwrap

    meta = county_meta or {}
    left = gazette_facts(meta, ("issuer", "date"), lang)
    lines = ["　".join(left) if lang == "zh" else "  ·  ".join(left)] if left else []
    if grade_map.schematic:
        note = schematic_note(meta, lang, SCHEMATIC_NOTE)
        # 6.5 pt text per inch, less the margins
        chars = int((width_in - 2 * style.margin_in) * (9 if lang == "zh" else 17) / style.scale)
        lines += textwrap.wrap(f"{word('note', lang)}: {note}", chars)
    left = max(style.margin_in, 0.02 * width_in) / width_in
    fig.text(left, 0.08 * style.scale / fig.get_figheight(), "\n".join(lines),
             fontsize=style.footer_pt, ha="left", va="bottom", color="#333333", linespacing=1.3)


def _frame_line(fig: Any, ax: Axes, style: PrintStyle) -> None:
    """A thin neat line round the map, as printed maps have."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, edgecolor="#444444",
                           linewidth=style.frame_lw, zorder=8, clip_on=False))


def _plot_water(water: gpd.GeoDataFrame, ax: Axes, style: PrintStyle) -> None:
    kinds = water.geometry.geom_type
    areas = water[kinds.isin(["Polygon", "MultiPolygon"])]
    lines = water[~kinds.isin(["Polygon", "MultiPolygon"])]
    if len(areas):
        areas.plot(ax=ax, color=WATER_COLOR, edgecolor=WATER_COLOR, linewidth=0.5, zorder=3)
    if len(lines):
        lines.plot(ax=ax, color=WATER_COLOR, linewidth=style.water_lw, zorder=3)


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
    keyed: bool = False,
    leader_width: float = 0.3,
) -> list[Any]:
    """Label every route so that no two labels (nor ``avoid``'s boxes) overlap.

    Each label is measured as drawn; long routes are placed first (they have the most room),
    each at the first free spot along it (:data:`_LABEL_SPOTS`), then at the same spots moved
    off the route across its direction (:data:`_LABEL_OFFSETS`), joined to it by a thin leader
    line, then in smaller type. With ``keyed`` (the sheet carries the route table) a name or
    price label that still finds no free spot is shortened to the route's id, which the table
    keys; only when even that has no room does a label take the least crowded spot. Labels sit
    on a white box rather than a stroked halo, which would turn SVG/PDF text into paths.
    Returns the text artists.
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

    def best_spot(i: int, box: Any) -> tuple[Any, float | None]:
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
                        return best, best_cost
        return best, best_cost

    texts = []
    for i in np.argsort(-shapely.length(geoms), kind="stable"):
        row = routes.iloc[i]
        t = ax.text(0, 0, route_label_text(row, style, unit), fontsize=fontsize, ha="center",
                    va="center", color=ROUTE_COLOR, zorder=6, transform=None, bbox=_LABEL_BOX)
        best, cost = best_spot(i, t.get_window_extent(renderer))
        if keyed and style != "id" and cost:  # the route table names it: the id is enough
            t.set_text(route_label_text(row, "id", unit))
            short, short_cost = best_spot(i, t.get_window_extent(renderer))
            if short is not None and (cost is None or short_cost < cost):
                best = short
            else:
                t.set_text(route_label_text(row, style, unit))
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
                    color=ROUTE_COLOR, linewidth=leader_width, zorder=5.5)
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


def scale_bar(ax: Axes, halo: list[Any], lang: str = "en",
              style: PrintStyle | None = None) -> Any:
    """A checkered scale bar with a tick and a distance at 0, ¼, ½ and the full length, in
    the lower left, sized by ``style`` (default: an A4 sheet's); returns its box in display
    units (for label placement)."""
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length(x1 - x0)
    if style is None:  # a map snippet (the parcel report): a hundredth of its height
        style = print_style()
        height = 0.010 * (y1 - y0)
    else:  # a sheet: as thick on paper whatever the frame's shape (inches, in data units)
        frame_in = ax.get_window_extent().height / ax.figure.dpi
        height = 0.05 * style.scale * (y1 - y0) / max(frame_in, 1e-9)
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
                facecolor="k" if i % 2 else "w", edgecolor="k", linewidth=0.6 * style.scale,
                zorder=7,
            )
        )
    for f in (0.0, 0.25, 0.5, 1.0):
        x = left + f * length
        ax.plot([x, x], [bottom + height, bottom + 1.6 * height], color="k",
                linewidth=0.6 * style.scale, zorder=7)
        text = f"{f * length / scale:g}" + (f" {unit_word}" if f == 1.0 else "")
        ax.text(x, bottom + 1.8 * height, text, ha="center", va="bottom",
                fontsize=style.scale_bar_pt, zorder=7)
    return data_box(ax, left - 0.01 * (x1 - x0), bottom - 1.2 * height,
                    left + length + 0.08 * (x1 - x0), bottom + 4.0 * height)


def north_arrow(ax: Axes, lang: str = "en", style: PrintStyle | None = None) -> Any:
    """A north arrow (grid north of the working CRS) in the upper right; returns its box. On a
    sheet (``style`` given) it is as big on paper whatever the frame's shape and grows with the
    paper; on a map snippet (the parcel report) it is in proportion to the frame."""
    from matplotlib.patches import Polygon
    from matplotlib.transforms import Bbox

    if style is None:
        style = print_style()
        cx, tip, base, half, notch = 0.955, 0.975, 0.885, 0.014, 0.02
        below, low = base - 0.01, base - 0.05
    else:
        box = ax.get_window_extent()
        fw = max(box.width / ax.figure.dpi, 1e-9)  # the frame in inches
        fh = max(box.height / ax.figure.dpi, 1e-9)
        s = style.scale
        cx, tip, half = 1 - 0.3 * s / fw, 1 - 0.15 * s / fh, 0.09 * s / fw
        base, notch = tip - 0.55 * s / fh, 0.12 * s / fh
        below = base - 0.04 * s / fh
        low = below - 1.4 * style.north_pt / 72 / fh
    width = 0.6 * style.scale
    ax.add_patch(Polygon([(cx, tip), (cx - half, base), (cx, base + notch)], closed=True,
                         transform=ax.transAxes, facecolor="k", edgecolor="k",
                         linewidth=width, zorder=7))
    ax.add_patch(Polygon([(cx, tip), (cx + half, base), (cx, base + notch)], closed=True,
                         transform=ax.transAxes, facecolor="w", edgecolor="k",
                         linewidth=width, zorder=7))
    ax.text(cx, below, word("north", lang), transform=ax.transAxes, ha="center",
            va="top", fontsize=style.north_pt, zorder=7)
    return Bbox(ax.transAxes.transform([(cx - 2 * half, low), (cx + 2 * half, tip)]))


def data_box(ax: Axes, x0: float, y0: float, x1: float, y1: float) -> Any:
    """The box (x0, y0)–(x1, y1) in data units, in display units: an obstacle for labels."""
    from matplotlib.transforms import Bbox

    return Bbox(ax.transData.transform([(x0, y0), (x1, y1)]))


