"""The parcel report (基准地价查询单): one printed A4 page per point or parcel.

``landgrade report X Y`` and ``landgrade report FILE -o OUT`` answer each point or parcel with the
engine (:meth:`Engine.locate` / :meth:`Engine.assign`), turn each answer row into the one answer
record (:func:`landgrade.answer.to_record`) and lay that record out as a page: a map snippet
(the parcel or point, grades, nearby routes, scale bar, north arrow), the grade (or a parcel's
grade shares), the benchmark price of its use (or of every use) with term and plot ratio, the
valuation date, area and total price (单价 × 面积) when the use is known, the nearest road-line
price segment with its distance, standard depth, price and whether it applies, the document
number (文号) and issuer, and the schematic-network note where it applies. Nothing on the page
is computed a second way: every figure comes from the record.

Pages are drawn with matplotlib (already a dependency) and written with ``PdfPages``; fonts are
embedded as TrueType (``pdf.fonttype`` 42), so the Chinese text survives printing and
``pdftotext``. Output ``OUT.pdf`` is one file with a page per row; any other ``OUT`` is a folder
with one PDF per row, named by ``--id-field`` (else the row number).
"""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.engine.answer import STATUSES, answer_lang, status_message, to_record, use_price
from landgrade.engine.pricing import PricingOptions
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

if TYPE_CHECKING:
    from landgrade.engine.engine import Engine

A4_IN = (210 / 25.4, 297 / 25.4)
MARGIN_IN = 0.7
MAP_HEIGHT_IN = 3.6
MIN_WINDOW_M = 250.0  # half-height of the snippet around a point or small parcel


class ReportError(LandgradeError):
    """A report cannot be written; the message names the input or option and the fix."""


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
    use_key = _use_key(book, use)
    if use:
        facts.append((word("use", lang), book.use_label(use_key, lang) if use_key else use))
    facts.append((word("grade", lang), _grade_text(r, lang)))
    if "area_m2" in r:
        facts.append((word("area", lang), f"{r['area_m2']:,.2f} {word('unit_area', lang)}"))
    if r.get("price_source") == "town":
        facts.append((word("prices", lang), word(
            "price_source_town", lang, table=table_cite(meta, "town_prices", lang))))
    if r["status"] != "ok":
        # The reader's words only: the code (outside_extent) is for --json and the table.
        facts.append((word("status", lang), status_message(r, lang, meta)))
    top = 1.45
    top = _table(fig, [[_cap(a), b] for a, b in facts], None, top, (x0, x1), (0.22, 0.78), h_in)

    # Map snippet.
    ax = fig.add_axes((x0, y(top + 0.15 + MAP_HEIGHT_IN), x1 - x0, MAP_HEIGHT_IN / h_in))
    _snippet(ax, engine, geom, lang, money)
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
        applies = word("applies" if nr["within_standard_depth"] else "not_applies", lang)
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


def _snippet(ax: Any, engine: Engine, geom: Any, lang: str, money: str) -> None:
    """The parcel or point over grades and routes near it, with scale bar and north arrow."""
    from matplotlib.patches import Patch

    from landgrade.outputs.maps import (
        _halo,
        _layer,
        _north_arrow,
        _scale_bar,
        draw_layers,
        grade_colors,
        label_routes,
    )

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
    halo = _halo()
    handles = [Patch(facecolor=colors[g], edgecolor="none", label=grade_label(g, lang))
               for g in sorted(colors)]
    legend = ax.legend(handles=handles, loc="lower right", fontsize=6.5, framealpha=0.9)
    ax.apply_aspect()
    obstacles = [_scale_bar(ax, halo, lang), _north_arrow(ax, lang),
                 legend.get_window_extent(ax.figure.canvas.get_renderer())]
    if geom is not None and not shapely.is_empty(geom):  # labels stay off the parcel itself
        from landgrade.outputs.maps import _data_box

        obstacles.append(_data_box(ax, *shapely.bounds(geom)))
    routes = _layer(gm, "routes")
    if routes is not None:
        window = shapely.box(cx - half * aspect, cy - half, cx + half * aspect, cy + half)
        near = routes[routes.intersects(window)]
        if len(near):
            near = near.set_geometry(near.geometry.intersection(window))
            label_routes(near, ax, style="price", avoid=obstacles, unit=money, fontsize=6.5)


# --- command ---------------------------------------------------------------------------------

def report_command(
    target: str,
    y: float | None,
    output: Path | None,
    *,
    crs: str | None = None,
    id_field: str | None = None,
    pricing: PricingOptions | None = None,
    use: str | None = None,
    map_path: Path | None = None,
    county: str | None = None,
    layer: str | None = None,
) -> list[Path]:
    """``landgrade report``: write the 基准地价查询单 of a point (``X Y``, or ``X,Y``) or of
    every row of a file (see the module docstring). ``pricing``: how rows are priced (the use
    column, the language). Returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from landgrade.outputs.maps import print_rc

    # Fonts are resolved when the pages are saved, so the print settings span drawing and saving.
    with plt.rc_context(print_rc()):
        return _report(target, y, output, crs=crs, id_field=id_field,
                       pricing=pricing or PricingOptions(), use=use, map_path=map_path,
                       county=county, layer=layer)


def _report(
    target: str,
    y: float | None,
    output: Path | None,
    *,
    crs: str | None,
    id_field: str | None,
    pricing: PricingOptions,
    use: str | None,
    map_path: Path | None,
    county: str | None,
    layer: str | None,
) -> list[Path]:
    from landgrade.engine.engine import load_engine
    from landgrade.outputs.maps import cjk_font

    point = _as_point(target, y)
    if point is None and output is None:
        raise ReportError(f"{target}: give -o OUT.pdf (one file) or -o FOLDER (one per row)")
    engine = load_engine(map_path=map_path, county=county)
    if engine.pricebook is None:
        raise ReportError(
            f"{map_path}: no county tables match this map, so no prices to report; "
            "pass --county FOLDER"
        )
    lang = answer_lang(engine, pricing.lang)
    if lang == "zh" and cjk_font() is None:
        print("note: no CJK font found (Debian: apt-get install fonts-wqy-microhei); the report "
              "is in English", file=sys.stderr)
        lang = "en"
    if point is not None:
        x, yy = point
        spec = crs or "EPSG:4326"
        answers = engine.locate(x, yy, crs=spec)
        if use:
            answers = use_price(answers, [use], engine.pricebook)
        geoms = _to_working(gpd.GeoSeries([shapely.Point(x, yy)]), spec, engine.working_crs)
        figs = report_pages(engine, answers, geoms, lang=lang, uses=[use] if use else None,
                            where=[f"{x:g}, {yy:g} ({spec})"])
        return _write(figs, output or Path("report.pdf"), names=["report"])
    return _file_report(engine, Path(target), output, crs=crs, id_field=id_field,
                        pricing=pricing, use=use, lang=lang, layer=layer)


def _as_point(target: str, y: float | None) -> tuple[float, float] | None:
    """``X Y`` or a pasted ``X,Y`` (:func:`landgrade.crs.parse_xy`); None for a file name."""
    from landgrade.io.crs import parse_xy

    if y is not None:
        try:
            return parse_xy(f"{target} {y}")
        except LandgradeError:
            raise ReportError(f"{target!r} {y}: give X Y as two numbers, or a file") from None
    if Path(target).exists():
        return None
    try:
        return parse_xy(target)
    except LandgradeError:
        return None


def _to_working(geoms: gpd.GeoSeries, spec: Any, working: Any) -> np.ndarray:
    """Geometries in the map's own working CRS (its county's Gauss-Krüger zone)."""
    from landgrade.io.crs import gdf_to_working

    frame = gpd.GeoDataFrame(geometry=geoms.reset_index(drop=True))
    return gdf_to_working(frame, crs=spec, working=working).geometry.to_numpy()


def _file_report(
    engine: Engine,
    path: Path,
    output: Path,
    *,
    crs: str | None,
    id_field: str | None,
    pricing: PricingOptions,
    use: str | None,
    lang: str,
    layer: str | None,
) -> list[Path]:
    from landgrade import io

    use_field = pricing.use_field

    if output.resolve() == path.resolve():
        raise ReportError(f"{output}: is the input file; give another -o")
    src = io.open_source(path, layer=layer)
    spec = crs or src.crs or ("EPSG:4326" if src.is_table else None)
    if spec is None:
        epsg = engine.grade_map.crs.to_epsg()  # the county's own zone, not a fixed one
        raise ReportError(f"{path}: the file has no CRS; pass --crs, e.g. --crs EPSG:4326 or "
                          f"--crs EPSG:{epsg}")
    gdf = io.read_file(path, layer=layer)
    for name, fld in (("--id-field", id_field), ("--use-field", use_field)):
        if fld is not None and fld not in gdf.columns:
            raise ReportError(
                f"{path}: {name} {fld!r} is not a column; columns: "
                f"{', '.join(map(str, gdf.columns.drop(gdf.geometry.name)))}"
            )
    if not len(gdf):
        raise ReportError(f"{path}: no rows to report")
    answers = pd.DataFrame(engine.assign(gdf, crs=spec, pricing=pricing))
    uses = None
    if use_field is not None or use is not None:
        raw = gdf[use_field] if use_field else pd.Series([use] * len(gdf), index=gdf.index)
        if use_field is None:  # the engine priced each row's own use; --use is one for all
            answers = use_price(answers, raw, engine.pricebook)
        uses = [None if pd.isna(v) or str(v).strip() == "" else str(v) for v in raw]
    named_by = id_field or parcel_id_column(
        gdf.columns.drop(gdf.geometry.name), getattr(engine.pricebook, "metadata", None))
    ids = _row_ids(gdf[named_by]) if named_by else None
    geoms = _to_working(gdf.geometry, spec, engine.working_crs)
    rep = shapely.point_on_surface(gdf.geometry.to_numpy())
    where = [
        f"{px:.6g}, {py:.7g} ({spec})" if np.isfinite(px) else "-"
        for px, py in zip(shapely.get_x(rep), shapely.get_y(rep), strict=True)
    ]
    unknown = answers["status"].astype(str) == "unknown_use"
    if unknown.any():
        print(f"warning: {path}: {int(unknown.sum())} row(s) with {STATUSES['unknown_use']}",
              file=sys.stderr)
    if output.suffix.lower() != ".pdf":  # a folder: say what names its files, and how to choose
        if named_by:
            how = "" if id_field else " (choose another with --id-field)"
            print(f"note: files named by column {named_by!r}{how}", file=sys.stderr)
        else:
            known = ", ".join(_id_names(getattr(engine.pricebook, "metadata", None))[:4])
            print(f"note: no parcel-number column ({known}, ...): files are numbered by row; "
                  "name them by a column with --id-field", file=sys.stderr)
    figs = report_pages(engine, answers, geoms, lang=lang, ids=ids, uses=uses, where=where)
    names = ids or [str(i + 1) for i in range(len(figs))]
    return _write(figs, output, names=names)


def parcel_id_column(columns: Any, metadata: Mapping[str, Any] | None) -> str | None:
    """The column of ``columns`` that holds parcel numbers: the first of the county's
    ``parcel_id_fields`` (metadata.json: 宗地号, 地块编号, …) present, compared without case or
    surrounding spaces; None when the county lists none or none is present."""
    present = {str(c).strip().casefold(): str(c) for c in columns}
    for name in _id_names(metadata):
        if name.strip().casefold() in present:
            return present[name.strip().casefold()]
    return None


def _id_names(metadata: Mapping[str, Any] | None) -> list[str]:
    names = (metadata or {}).get("parcel_id_fields") or []
    if not isinstance(names, list):  # "宗地号" alone would be dropped without a word
        raise ReportError(f"metadata.json: parcel_id_fields must be a list of column names, "
                          f'such as ["宗地号", "地块编号"], not {names!r}')
    return [str(n) for n in names]


def _row_ids(values: pd.Series) -> list[str]:
    """Each row's id as text; a blank id keeps the row's number (1-based), not an empty name."""
    out = []
    for i, v in enumerate(values.tolist()):
        # pd.isna: a null in a nullable integer column (Int64, how io reads 宗地号 12) is pd.NA
        text = "" if v is None or (pd.api.types.is_scalar(v) and pd.isna(v)) else str(v).strip()
        if isinstance(v, float) and v.is_integer():
            text = str(int(v))  # a parcel number read as 12.0 is parcel 12
        out.append(text or str(i + 1))
    return out


def file_stems(names: list[str]) -> list[str]:
    """A safe, distinct file stem for each name, in order.

    Each name is made safe by :func:`landgrade.io.safe_file_stem` (no name leaves the folder;
    an empty one becomes ``row``). Two names that would share a file (``a`` twice, or ``A`` and
    ``a`` on a case-insensitive disk) get ``_2``, ``_3`` … without taking a later name's stem.
    """
    from landgrade.io import safe_file_stem

    stems = [safe_file_stem(str(name)) or "row" for name in names]
    taken = {s.casefold() for s in stems}
    used: set[str] = set()
    out = []
    for stem in stems:
        unique, k = stem, 1
        # A suffixed name another row holds literally (``a_2``) is left to that row.
        while unique.casefold() in used or (k > 1 and unique.casefold() in taken):
            k += 1
            unique = f"{stem}_{k}"
        used.add(unique.casefold())
        out.append(unique)
    return out


def _write(figs: list[Any], output: Path, *, names: list[str]) -> list[Path]:
    """One PDF with every page (``OUT.pdf``), or one PDF per page in the folder ``OUT``."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from landgrade.io import atomic_output

    written = []
    try:
        if output.suffix.lower() == ".pdf":
            output.parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(output) as tmp, PdfPages(tmp) as pdf:
                for fig in figs:
                    pdf.savefig(fig)
            written.append(output)
        else:
            if output.exists() and not output.is_dir():
                raise ReportError(f"{output}: not a folder; give OUT.pdf or a folder name")
            output.mkdir(parents=True, exist_ok=True)
            for fig, stem in zip(figs, file_stems(names), strict=True):
                target = output / f"{stem}.pdf"
                with atomic_output(target) as tmp, PdfPages(tmp) as pdf:
                    pdf.savefig(fig)
                written.append(target)
    finally:
        for fig in figs:
            plt.close(fig)
    for p in written:
        print(f"wrote {p}")
    return written
