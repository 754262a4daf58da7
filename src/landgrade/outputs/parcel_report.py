"""The parcel report (基准地价查询单): one printed A4 page per point or parcel.

``landgrade report X Y`` and ``landgrade report FILE -o OUT`` (:mod:`landgrade.cli.report`)
answer each point or parcel with the engine (:meth:`Engine.locate` / :meth:`Engine.assign`);
here each answer row becomes the one answer record (:func:`landgrade.engine.answer.to_record`)
and that record is laid out as a page: a map snippet (the parcel or point, grades, nearby routes,
scale bar, north arrow), the grade (or a parcel's grade shares), the benchmark price of its use
(or of every use) with term and plot ratio, the valuation date, area and total price
(单价 × 面积) when the use is known, the nearest road-line price segment with its distance,
standard depth, price and whether it applies, the document number (文号) and issuer, and the
schematic-network note where it applies. Nothing on the page is computed a second way: every
figure comes from the record.

Pages are drawn with matplotlib (already a dependency) as figures; :mod:`landgrade.cli.report`
writes them with ``PdfPages``, fonts embedded as TrueType (``pdf.fonttype`` 42), so the Chinese
text survives printing and ``pdftotext``.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.engine.answer import status_message, to_record
from landgrade.errors import LandgradeError
from landgrade.gazette.labels import (
    SCHEMATIC_NOTE,
    county_name,
    gazette_facts,
    grade_label,
    schematic_note,
    table_cite,
    unit,
    word,
)
from landgrade.gazette.landuse import route_table_use

if TYPE_CHECKING:
    from landgrade.engine.engine import Engine

A4_IN = (210 / 25.4, 297 / 25.4)
MARGIN_IN = 0.7
MAP_HEIGHT_IN = 3.6
MIN_WINDOW_M = 250.0  # half-height of the snippet around a point or small parcel


def report_pages(
    engine: Engine,
    answers: pd.DataFrame,
    geoms: np.ndarray,
    *,
    lang: str,
    ids: list[str | None] | None = None,
    uses: list[str | None] | None = None,
    where: list[str] | None = None,
) -> list[Any]:
    """One matplotlib figure per answer row (see the module docstring).

    ``geoms`` are the rows' geometries in the working CRS; ``ids``, ``uses`` and ``where``
    (a location line per row) are optional per-row texts.
    """
    figs = []
    n = len(answers)
    for i in range(n):
        record = to_record(engine, answers.iloc[i])
        figs.append(_page(
            engine, record, geoms[i], lang=lang,
            parcel_id=ids[i] if ids else None, use=uses[i] if uses else None,
            where=where[i] if where else "", page=(i + 1, n),
        ))
    return figs


def _page(
    engine: Engine,
    r: dict[str, Any],
    geom: Any,
    *,
    lang: str,
    parcel_id: str | None,
    use: str | None,
    where: str,
    page: tuple[int, int],
) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    book = engine.pricebook
    meta: Mapping[str, Any] = getattr(book, "metadata", None) or {}
    gazette = r.get("gazette") or {}
    money = unit(meta, lang)
    fig = plt.figure(figsize=A4_IN)
    w_in, h_in = A4_IN

    def y(top_in: float) -> float:  # figure fraction of a distance from the top, inches
        return 1.0 - top_in / h_in

    x0, x1 = MARGIN_IN / w_in, 1.0 - MARGIN_IN / w_in
    county = county_name(meta or engine.grade_map.metadata, lang)
    fig.text(0.5, y(0.55), word("report_title", lang, county=county), ha="center", va="top",
             fontsize=17)
    head = (gazette_facts(gazette, ("document", "issuer"), lang)
            + gazette_facts(r, ("valuation_date",), lang))
    fig.text(0.5, y(0.98), ("　" if lang == "zh" else "  ·  ").join(head), ha="center", va="top",
             fontsize=8.5)
    fig.add_artist(matplotlib.lines.Line2D([x0, x1], [y(1.25), y(1.25)], color="k", lw=0.8))

    # Facts: what was asked and what it is.
    facts: list[tuple[str, str]] = []
    if parcel_id is not None:
        facts.append((word("parcel_id", lang), parcel_id))
    facts.append((word("location", lang), where))
    # The use as the row's record read it (use_price): a class code is shown with its class.
    use_key = r.get("use") if "use" in r else _use_key(book, use)
    if use:
        facts.append((word("use", lang), _use_fact(book, use, use_key, r, lang)))
    facts.append((word("grade", lang), _grade_text(r, lang)))
    for u, g in (r.get("use_grades") or {}).items():  # a county graded per use: its own grade
        if r["inside_extent"] and (use_key is None or u == use_key):
            facts.append((_paren(word('grade', lang), book.use_label(u, lang) if book else u, lang),
                          grade_label(g, lang) if g is not None else "-"))
    if "area_m2" in r:
        facts.append((word("area", lang), f"{r['area_m2']:,.2f} {word('unit_area', lang)}"))
    if r.get("price_source") == "town":
        facts.append((word("prices", lang), word(
            "price_source_town", lang, table=table_cite(meta, "town_prices", lang))))
    if r["status"] != "ok":
        # The reader's words only: the code (outside_extent) is for --json and the table. A
        # long message (what to give for a use) runs on over rows of its own, not off the page.
        lines = _wrap_cell(status_message(r, lang, meta))
        facts += [(word("status", lang) if i == 0 else "", line) for i, line in enumerate(lines)]
    top = 1.45
    top = _table(fig, [[_cap(a), b] for a, b in facts], None, top, (x0, x1), (0.22, 0.78), h_in)

    # Map snippet.
    ax = fig.add_axes((x0, y(top + 0.15 + MAP_HEIGHT_IN), x1 - x0, MAP_HEIGHT_IN / h_in))
    # Route labels carry prices only where they could apply: no use asked, or the route's use.
    _snippet(ax, engine, geom, lang, money,
             prices=not use or (use_key is not None and use_key == route_table_use(book)))
    top += 0.5 + MAP_HEIGHT_IN

    # Prices: the row's use, or every use. A parcel across grades (or the extent's edge) gets
    # the area-weighted price, which no gazette row prints: say so in the column head.
    price_word = word("unit_price_weighted" if len(r.get("grade_shares") or {}) > 1
                      else "unit_price", lang)
    shown = [use_key] if use_key else list(r["prices"])
    rows = []
    for u in shown:
        c = r["connotation"].get(u, {})
        rows.append([book.use_label(u, lang) if book is not None else u,
                     _num(r["prices"].get(u)), _num(c.get("term_years")),
                     _num(c.get("plot_ratio"))])
    header = [word("use", lang), _paren(price_word, money, lang), word("term", lang),
              word("plot_ratio", lang)]
    title = _cap(word("prices", lang))
    if not use_key:
        title = _paren(title, word("all_uses", lang), lang)
    fig.text(x0, y(top), title, fontsize=10, va="bottom")
    top = _table(fig, rows, header, top + 0.08, (x0, x1), (0.40, 0.28, 0.16, 0.16), h_in)
    source = connotation_note(r, lang)
    if source:
        fig.text(x0, y(top + 0.06), source, fontsize=8, va="top")
        top += 0.22

    # Area and total, when the use is known.
    if use_key and r.get("total") is not None:
        price = r.get("price")
        rows = [[f"{r.get('area_m2', 0):,.2f}", _num(price), f"{r['total']:,.2f}"]]
        header = [_paren(word("area", lang), word("unit_area", lang), lang),
                  _paren(price_word, money, lang),
                  _paren(word("total_price", lang), word("unit_money", lang), lang)]
        top = _table(fig, rows, header, top + 0.2, (x0, x1), (0.3, 0.3, 0.4), h_in)

    # Nearest road-line price segment.
    nr = r.get("nearest_route")
    fig.text(x0, y(top + 0.25), _cap(word("nearest_route", lang)), fontsize=10, va="bottom")
    if nr:
        applies = _applies(book, nr, lang)
        rows = [[f"{nr['id']} {nr['name']}", f"{nr['distance_m']:.1f}",
                 _num(nr.get("standard_depth_m")), _num(nr.get("price")), applies]]
    else:
        rows = [[word("none", lang), "-", "-", "-", "-"]]
    header = [word("route_id", lang), _paren(word("distance", lang), word("m", lang), lang),
              _paren(word("standard_depth", lang), word("m", lang), lang),
              _paren(word("road_price", lang), money, lang), word("applies_head", lang)]
    top = _table(fig, rows, header, top + 0.33, (x0, x1), (0.24, 0.14, 0.16, 0.2, 0.26), h_in)

    # Footer: schematic note, source, date and page.
    notes = []
    if r.get("schematic_network"):
        note = schematic_note(meta, lang, SCHEMATIC_NOTE)
        notes += textwrap.wrap(f"{word('note', lang)}: {note}", 62 if lang == "zh" else 120)
    if gazette.get("title"):
        notes.append(f"{gazette.get('document') or ''} {gazette['title']}".strip())
    fig.text(x0, y(h_in - 0.55), "\n".join(notes), fontsize=7, va="bottom", color="#333333",
             linespacing=1.35)
    fig.add_artist(matplotlib.lines.Line2D([x0, x1], [y(h_in - 0.5)] * 2, color="k", lw=0.5))
    fig.text(x0, y(h_in - 0.45), f"{word('generated', lang)} {dt.date.today().isoformat()}",
             fontsize=7, va="top")
    fig.text(x1, y(h_in - 0.45), word("page", lang, i=page[0], n=page[1]), fontsize=7,
             va="top", ha="right")
    return fig


def connotation_note(r: dict[str, Any], lang: str) -> str:
    """Where a parcel's term and plot ratio come from, when it lies in more than one grade: the
    record's ``grade``, the one with the largest share (an area-weighted term means nothing).
    Empty for a point or a parcel wholly in one grade."""
    shares = {g: s for g, s in (r.get("grade_shares") or {}).items() if g != "outside"}
    if len(shares) < 2 or r.get("grade") not in shares or r.get("price_source") == "town":
        return ""
    g = r["grade"]
    return word("connotation_from", lang, grade=grade_label(g, lang),
                share=f"{100 * shares[g]:.2f}%")


def _use_key(book: Any, use: str | None) -> str | None:
    if not use or book is None:
        return None
    try:
        return book.use_key(use)
    except LandgradeError:
        return None


def _use_fact(book: Any, use: str, use_key: str | None, r: dict[str, Any], lang: str) -> str:
    """The use line: the gazette use's label, with the class it was read from when that says
    more (``住宅用地（0701 城镇住宅用地（GB/T 21010-2017））``); the value as given when it could
    not be priced (the status line says why)."""
    if not use_key or book is None:
        return use
    label = book.use_label(use_key, lang)
    read = r.get("use_class")
    if not read or read == label:
        return label
    return f"{label}（{read}）" if lang == "zh" else f"{label} ({read})"


def _applies(book: Any, nr: dict[str, Any], lang: str) -> str:
    """Whether the nearest route's road-line price applies, and if not, why."""
    reason = nr.get("not_applicable")
    if nr.get("applicable"):  # and for which use: the route table prices one
        if nr.get("use") and book is not None:
            return word("route_applies_use", lang, use=book.use_label(nr["use"], lang))
        return word("applies", lang)
    if reason in ("other_use", "use_not_priced") and nr.get("use") and book is not None:
        return word("route_other_use", lang, use=book.use_label(nr["use"], lang))
    return word("not_applies", lang)


def _wrap_cell(text: str, columns: int = 86) -> list[str]:
    """``text`` in lines of at most ``columns`` display columns (a CJK character is two)."""
    from landgrade.text import display_width

    lines, line = [], ""
    for ch in text:
        if display_width(line + ch) > columns:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line]


def _grade_text(r: dict[str, Any], lang: str) -> str:
    shares = r.get("grade_shares")
    if shares:
        sep = "，" if lang == "zh" else ", "
        parts = [
            f"{grade_label(g, lang) if g != 'outside' else word('share_out', lang)} "
            f"{100 * s:.2f}%"
            for g, s in shares.items()
        ]
        return sep.join(parts)
    if not r["inside_extent"]:
        return word("outside_extent", lang)
    text = grade_label(r["grade"], lang)
    if r["on_boundary"]:
        text += " " + word("on_boundary", lang)
    return text


def _paren(text: str, inner: str, lang: str) -> str:
    """``单价（元/平方米）`` with full-width brackets in Chinese, ``unit price (yuan/m²)``."""
    return f"{text}（{inner}）" if lang == "zh" else f"{text} ({inner})"


def _cap(text: str) -> str:
    """English labels start with a capital on the page (Chinese ones are unchanged)."""
    return text[:1].upper() + text[1:]


def _num(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "-"
    return f"{v:g}" if isinstance(v, float) else str(v)


def _table(
    fig: Any,
    rows: list[list[str]],
    header: list[str] | None,
    top_in: float,
    xs: tuple[float, float],
    widths: tuple[float, ...],
    h_in: float,
    row_in: float = 0.27,
) -> float:
    """A boxed table whose top is ``top_in`` inches from the page top; returns its bottom."""
    n = len(rows) + (1 if header else 0)
    height = n * row_in
    ax = fig.add_axes((xs[0], 1 - (top_in + height) / h_in, xs[1] - xs[0], height / h_in))
    ax.set_axis_off()
    header = [_cap(h) for h in header] if header else None
    table = ax.table(cellText=rows, colLabels=header, colWidths=list(widths), loc="upper left",
                     cellLoc="left", bbox=(0, 0, 1, 1))
    table.auto_set_font_size(False)
    table.set_fontsize(8.5)
    for (row, _col), cell in table.get_celld().items():
        cell.set_linewidth(0.5)
        cell.PAD = 0.03
        if header and row == 0:
            cell.set_facecolor("#eeeeee")
        elif not header and _col == 0:
            cell.set_facecolor("#f5f5f5")
    return top_in + height


def _snippet(ax: Any, engine: Engine, geom: Any, lang: str, money: str, *,
             prices: bool = True) -> None:
    """The parcel or point over grades and routes near it, with scale bar and north arrow;
    route labels with their road-line prices only when ``prices`` (the page's use is the route
    table's), else with id and name."""
    from matplotlib.patches import Patch

    from landgrade.outputs.map_print import (
        data_box,
        draw_layers,
        label_routes,
        north_arrow,
        scale_bar,
        text_halo,
    )
    from landgrade.outputs.map_style import grade_colors, working_layer

    gm = engine.grade_map
    colors = grade_colors(gm.grades["grade"])
    draw_layers(ax, gm, colors, lang=lang, route_width=1.4)
    if geom is None or shapely.is_empty(geom):
        cx, cy = shapely.centroid(shapely.union_all(gm.extent.geometry.array)).coords[0]
        half = MIN_WINDOW_M * 4
    else:
        minx, miny, maxx, maxy = shapely.bounds(geom)
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        half = max(MIN_WINDOW_M, 0.8 * max(maxx - minx, maxy - miny))
        kind = shapely.get_type_id(geom)
        if kind in (3, 6):
            gpd.GeoSeries([geom]).plot(ax=ax, facecolor="none", edgecolor="#1f4e9e",
                                       linewidth=2.0, zorder=9)
        else:
            px, py = shapely.get_coordinates(shapely.point_on_surface(geom))[0]
            ax.plot([px], [py], marker="*", markersize=14, color="#1f4e9e",
                    markeredgecolor="white", zorder=9)
    bbox = ax.get_position(original=True)
    fig_w, fig_h = ax.figure.get_size_inches()
    aspect = (bbox.width * fig_w) / (bbox.height * fig_h)
    ax.set_xlim(cx - half * aspect, cx + half * aspect)
    ax.set_ylim(cy - half, cy + half)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    halo = text_halo()
    handles = [Patch(facecolor=colors[g], edgecolor="none", label=grade_label(g, lang))
               for g in sorted(colors)]
    legend = ax.legend(handles=handles, loc="lower right", fontsize=6.5, framealpha=0.9)
    ax.apply_aspect()
    obstacles = [scale_bar(ax, halo, lang), north_arrow(ax, lang),
                 legend.get_window_extent(ax.figure.canvas.get_renderer())]
    if geom is not None and not shapely.is_empty(geom):  # labels stay off the parcel itself
        obstacles.append(data_box(ax, *shapely.bounds(geom)))
    routes = working_layer(gm, "routes")
    if routes is not None:
        window = shapely.box(cx - half * aspect, cy - half, cx + half * aspect, cy + half)
        near = routes[routes.intersects(window)]
        if len(near):
            near = near.set_geometry(near.geometry.intersection(window))
            label_routes(near, ax, style="price" if prices else "name", avoid=obstacles,
                         unit=money, fontsize=6.5)
