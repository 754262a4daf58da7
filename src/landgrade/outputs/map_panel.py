"""The printed map's panel: the legend, the benchmark price table and the route table.

A printed sheet (:func:`landgrade.outputs.map_print.static_map`) is the map frame and this
panel, beside the frame on a landscape page and below it on a portrait one, so that together
they fill the paper. Each block is measured before it is placed (:class:`PanelBlocks`), and
every size comes from the page's :class:`landgrade.outputs.map_style.PrintStyle`, so an A3
sheet's panel is set in larger type than an A4 sheet's.

The route table is the key to the route labels on the map: each Table 7 route's id, road
section and road-line price, in as many columns as the panel holds. The map can then label a
crowded route by its id alone and still name every road and price on the sheet.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from landgrade.gazette.labels import grade_label, table_cite, unit, word
from landgrade.outputs.map_style import PriceLegend, PrintStyle

# Sizes in ems of the block's own type, so that they scale with it.
_ROW_EM = 1.45  # a route table row
_TABLE6_ROW_IN = 0.2  # a Table 6 row at scale 1
_MIN_ROUTE_PT = 4.0  # the smallest type a route table is set in before it is left off


@dataclass
class RouteTableFit:
    """How the route table is set: type size, columns, rows per column and their sizes (in)."""

    pt: float
    columns: int
    rows: int
    col_w: float
    id_w: float
    price_w: float
    row_h: float
    title_h: float
    gap: float  # between columns

    @property
    def width(self) -> float:
        return self.columns * self.col_w + (self.columns - 1) * self.gap

    @property
    def height(self) -> float:
        return self.title_h + (self.rows + 1) * self.row_h  # + the header row


def route_table_rows(routes: pd.DataFrame | None,
                     drawable: bool = True) -> list[tuple[str, str, str]]:
    """(id, road section, road-line price) of every route, in the routes layer's order; names
    no font can draw (Chinese, without a CJK font: ``drawable`` False) are left blank."""
    if routes is None or "id" not in routes.columns or not len(routes):
        return []
    names = routes["name"] if "name" in routes.columns else pd.Series("", index=routes.index)
    if not drawable:
        names = names.where(names.astype(str).map(str.isascii), "")
    prices = (pd.to_numeric(routes["price"], errors="coerce") if "price" in routes.columns
              else pd.Series(float("nan"), index=routes.index))
    return [(str(i), "" if pd.isna(n) else str(n), "" if pd.isna(p) else f"{float(p):g}")
            for i, n, p in zip(routes["id"], names, prices, strict=True)]


def _text_width_in(renderer: Any, text: str, pt: float, dpi: float) -> float:
    from matplotlib.font_manager import FontProperties

    if not text:
        return 0.0
    w, _h, _d = renderer.get_text_width_height_descent(text, FontProperties(size=pt), False)
    return float(w) / dpi


def route_table_head(lang: str) -> tuple[str, str, str]:
    """The route table's column heads: 编号, 路段, 路线价 (id, road section, road-line price)."""
    return word("route_no", lang), word("route_section", lang), word("road_price", lang)


def fit_route_table(
    rows: list[tuple[str, str, str]],
    renderer: Any,
    dpi: float,
    style: PrintStyle,
    width_in: float,
    height_in: float | None,
    lang: str = "zh",
) -> RouteTableFit | None:
    """The largest type (from the style's, down to 4 pt) at which ``rows`` fit a box
    ``width_in`` wide and ``height_in`` tall (None: as tall as needed, in as many columns as
    the width holds); None when they fit at no size."""
    if not rows:
        return None
    # Widths scale with the type: measure once (the widest of each part, its head included).
    base = 10.0
    cells = [route_table_head(lang), *rows]
    id_w = max(_text_width_in(renderer, r[0], base, dpi) for r in cells) / base
    name_w = max(_text_width_in(renderer, r[1], base, dpi) for r in cells) / base
    price_w = max(_text_width_in(renderer, r[2], base, dpi) for r in cells) / base
    space = 1 / 72  # an em (a Chinese character's width) per point of type, in inches
    pt = style.route_table_pt
    while pt >= _MIN_ROUTE_PT - 1e-9:
        col_w = (id_w + name_w + price_w + 1.5 * space) * pt
        row_h = _ROW_EM * pt / 72
        title_h = 1.8 * style.table_title_pt / 72
        gap = 2.0 * space * pt  # two characters between a price and the next column's id
        most = max(1, int((width_in + gap) / (col_w + gap)))
        for columns in range(1, most + 1):
            per_col = math.ceil(len(rows) / columns)
            fit = RouteTableFit(pt, columns, per_col, col_w, id_w * pt + 0.5 * space * pt,
                                price_w * pt, row_h, title_h, gap)
            if height_in is None:
                if columns == most:
                    return fit
                continue
            if fit.height <= height_in:
                return fit
        pt -= 0.25 * style.scale
    return None


def draw_route_table(
    fig: Any,
    rows: list[tuple[str, str, str]],
    fit: RouteTableFit,
    left_in: float,
    top_in: float,
    lang: str,
    county_meta: Mapping[str, Any] | None,
    style: PrintStyle,
) -> None:
    """The route table with its top left at (``left_in``, ``top_in``), page inches."""
    inch = fig.dpi_scale_trans
    cite = table_cite(county_meta, "routes", lang)
    title = word("route_table_title", lang, table=cite, unit=unit(county_meta, lang))
    fig.text(left_in, top_in, title, transform=inch, fontsize=style.table_title_pt,
             ha="left", va="top")
    head = route_table_head(lang)
    y0 = top_in - fit.title_h
    for c in range(fit.columns):
        x = left_in + c * (fit.col_w + fit.gap)
        chunk = rows[c * fit.rows:(c + 1) * fit.rows]
        if not chunk:
            break
        for r, cells in enumerate([head, *chunk]):
            y = y0 - (r + 0.5) * fit.row_h
            colour = "#555555" if r == 0 else "#222222"
            fig.text(x, y, cells[0], transform=inch, fontsize=fit.pt, ha="left", va="center",
                     color=colour)
            fig.text(x + fit.id_w, y, cells[1], transform=inch, fontsize=fit.pt, ha="left",
                     va="center", color=colour)
            fig.text(x + fit.col_w, y, cells[2], transform=inch, fontsize=fit.pt, ha="right",
                     va="center", color=colour)
        # a rule under the header and above the first row, as printed tables have
        fig.add_artist(_rule(fig, x, x + fit.col_w, y0 - fit.row_h, style))


def _rule(fig: Any, x0: float, x1: float, y: float, style: PrintStyle) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([x0, x1], [y, y], transform=fig.dpi_scale_trans, color="#777777",
                  linewidth=0.4 * style.scale)


def price_table_height(prices: PriceLegend, width_in: float, lang: str,
                       style: PrintStyle) -> float:
    """The height (inches) :func:`draw_price_table` takes at ``width_in``, title included."""
    header = _price_header(prices, width_in, lang, style)
    lines = max(h.count("\n") + 1 for h in header)
    row = _TABLE6_ROW_IN * style.scale
    return row * (len(prices.table.index) + 0.6 * lines + 0.6) + 2.0 * style.table_title_pt / 72


def _price_header(prices: PriceLegend, width_in: float, lang: str,
                  style: PrintStyle) -> list[str]:
    uses = list(prices.table.columns)
    chars = _header_chars(prices, width_in, lang, style)
    return [word("grade", lang)] + [
        # English breaks between whole words only ("Commerc/ial" reads as a typo); a word
        # wider than the column gets a smaller header font instead (draw_price_table).
        "\n".join(textwrap.wrap(prices.labels.get(u, u), chars, break_long_words=lang == "zh"))
        for u in uses
    ]


def _header_chars(prices: PriceLegend, width_in: float, lang: str, style: PrintStyle) -> int:
    per_col = width_in / (len(prices.table.columns) + 1)
    return max(4, int(per_col * (9 if lang == "zh" else 16) / style.scale))


def draw_price_table(
    fig: Any,
    prices: PriceLegend,
    lang: str,
    left_in: float,
    top_in: float,
    width_in: float,
    county_meta: Mapping[str, Any] | None,
    style: PrintStyle,
) -> None:
    """Every grade's benchmark price for every use (Table 6) as a boxed table, its title's top
    left at (``left_in``, ``top_in``), page inches."""
    uses = list(prices.table.columns)
    header = _price_header(prices, width_in, lang, style)
    chars = _header_chars(prices, width_in, lang, style)
    rows = [[grade_label(int(g), lang)] + [f"{prices.table.at[g, u]:g}" for u in uses]
            for g in prices.table.index]
    lines = max(h.count("\n") + 1 for h in header)
    title_h = 2.0 * style.table_title_pt / 72
    height_in = price_table_height(prices, width_in, lang, style) - title_h
    fw, fh = fig.get_figwidth(), fig.get_figheight()
    bottom = top_in - title_h - height_in
    ax = fig.add_axes((left_in / fw, bottom / fh, width_in / fw, height_in / fh))
    ax.set_axis_off()
    cite = table_cite(county_meta, "urban_prices", lang)
    ax.set_title(word("price_table_title", lang, table=cite, unit=unit(county_meta, lang)),
                 fontsize=style.table_title_pt, pad=3 * style.scale)
    table = ax.table(cellText=rows, colLabels=header, loc="upper left", cellLoc="center",
                     bbox=(0, 0, 1, 1))
    table.auto_set_font_size(False)
    table.set_fontsize(style.table_pt)
    longest = max(len(w) for h in header for w in h.split())
    head_pt = style.table_pt if longest <= chars else max(
        4.5 * style.scale, style.table_pt * (chars - 1) / longest)
    head_share = 0.6 * lines / (len(rows) + 0.6 * lines)
    for (row, _col), cell in table.get_celld().items():
        cell.set_linewidth(0.4 * style.scale)
        cell.set_height(head_share if row == 0 else (1 - head_share) / len(rows))
        if row == 0:
            cell.set_facecolor("#eeeeee")
            cell.set_fontsize(head_pt)


def make_legend(fig: Any, handles: list[Any], title: str, style: PrintStyle,
                ncol: int = 1) -> tuple[Any, float, float]:
    """The legend as a figure legend, and its width and height in inches (placed later with
    :func:`place_legend`)."""
    legend = fig.legend(
        handles=handles, title=title, loc="upper left", fontsize=style.legend_pt,
        title_fontsize=style.legend_title_pt, framealpha=0.9, bbox_to_anchor=(0, 0),
        bbox_transform=fig.dpi_scale_trans, borderaxespad=0.0, ncol=ncol,
    )
    renderer = fig.canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    return legend, box.width / fig.dpi, box.height / fig.dpi


def place_legend(legend: Any, left_in: float, top_in: float) -> None:
    """Put the legend's top left corner at (``left_in``, ``top_in``), page inches."""
    legend.set_bbox_to_anchor((left_in, top_in), transform=legend.figure.dpi_scale_trans)
