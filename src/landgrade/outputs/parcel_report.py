"""The parcel report (基准地价查询单): one A4 page per point or parcel, as an office issues it.

``landgrade report`` (:mod:`landgrade.cli.report`) answers each point or parcel with the engine;
here one answer row becomes the one answer record (:func:`landgrade.engine.answer.to_record`)
and that record is laid out as a page, top to bottom:

- the title, the 文号, issuer and valuation date, the 查询编号 (:mod:`.query_number`) and the
  time of the query;
- what was asked and what it is: parcel number, location, use, grade (a parcel's share per
  grade), area; outside the urban grading extent, the town and which town price table applies;
- a map: the parcel or point over the grades and nearby routes (:mod:`.report_map`); outside the
  extent, the county with the extent and the point;
- the benchmark price of the row's use (or of every use) with term and plot ratio; a parcel
  across grades gets the area-weighted price and a note naming the grade whose term and plot
  ratio are shown; outside the extent, the town's prices when the town and its town grade are
  given, else the town price table itself with no price stated;
- the conditions the prices assume: 土地权利 and 开发程度 (from metadata, :mod:`.report_wording`);
- area and total price (单价 × 面积) when the use is known;
- the nearest road-line price segment with distance, standard depth, price and whether it
  applies (not on a page outside the extent);
- spaces to sign and seal and the county's disclaimer (metadata ``report``), the
  schematic-network note where it applies, the source and the page number of its file.

Figures follow one number format (:class:`.report_layout.Numbers`). Nothing on the page is
computed a second way: every figure comes from the record. Pages are matplotlib figures, drawn
one at a time; the caller saves and closes each (PDF, fonts embedded as TrueType).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

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
from landgrade.outputs.report_layout import DASH, Numbers, Table, wrap
from landgrade.outputs.report_map import draw_snippet
from landgrade.outputs.report_wording import development_level, land_right, report_wording

if TYPE_CHECKING:
    from landgrade.engine.engine import Engine

A4_IN = (210 / 25.4, 297 / 25.4)
MARGIN_IN = 0.7
MAP_MAX_IN, MAP_MIN_IN = 3.6, 1.2
SIDE_MAP_IN = (2.5, 2.2)  # a county overview beside the facts: width, height
SIGN_IN = 1.15  # height of the signature and seal boxes: room for a round seal
NOTE_PT = 6.5
# Rows that name no place in the county get no page: a page would look like an answer.
NO_PAGE_STATUSES = ("outside_county", "null_geometry", "empty_geometry", "invalid_geometry")


def page_refused(status: str) -> bool:
    """Whether a row of this status gets no page (outside the county, no usable geometry, or
    coordinates that do not fit their CRS)."""
    return status in NO_PAGE_STATUSES or status.startswith("crs_suspect")


@dataclass(frozen=True)
class PageFacts:
    """What the command knows of one page beyond its answer row."""

    query_no: str
    issued: dt.datetime
    page: tuple[int, int] = (1, 1)
    parcel_id: str | None = None
    use: str | None = None
    where: str = ""
    town: str | None = None
    town_grade: int | None = None


def numbers_of(engine: Engine) -> Numbers:
    """The page's number format for this county: decimals as its tables publish them."""
    book = engine.pricebook
    if book is None:
        return Numbers()
    prices = [book.urban_price_table().to_numpy().ravel()]
    ratios = []
    for cls in book.town_classes:
        prices.append(book.town_price_table(cls).to_numpy().ravel())
    routes = getattr(book, "routes", None)
    if routes is not None and "price" in routes:
        prices.append(pd.to_numeric(routes["price"], errors="coerce").to_numpy())
    for g in book.grades:
        ratios += [book.connotation(g, u).plot_ratio for u in book.uses]
    return Numbers.of(np.concatenate(prices), ratios)


def report_page(engine: Engine, row: pd.Series, geom: Any, facts: PageFacts, *, lang: str,
                numbers: Numbers | None = None) -> Any:
    """The page of one answer row (see the module docstring) as a matplotlib figure, which the
    caller saves and closes. ``geom`` is the row's geometry in the working CRS."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=A4_IN)
    try:
        _Page(fig, engine, to_record(engine, row, town=facts.town), geom, facts, lang,
              numbers or numbers_of(engine)).draw()
    except BaseException:
        plt.close(fig)
        raise
    return fig


class _Page:
    """One page being laid out: what is known of it and the drawing cursor."""

    def __init__(self, fig: Any, engine: Engine, r: dict[str, Any], geom: Any,
                 facts: PageFacts, lang: str, numbers: Numbers) -> None:
        self.fig, self.engine, self.r, self.geom, self.facts = fig, engine, r, geom, facts
        self.lang, self.n = lang, numbers
        self.book = engine.pricebook
        self.meta: Mapping[str, Any] = getattr(self.book, "metadata", None) or {}
        self.money = unit(self.meta, lang)
        self.w_in, self.h_in = fig.get_size_inches()
        self.x0, self.width = MARGIN_IN, self.w_in - 2 * MARGIN_IN
        shares = r.get("grade_shares") or {}
        urban_part = r["inside_extent"] or any(g != "outside" for g in shares)
        # Wholly outside the urban grading extent: a town page (Table 8 applies there).
        self.town_page = not urban_part
        # The use as the row's record read it (a class code reads as its gazette use).
        self.use_key = r.get("use") or _use_key(self.book, facts.use)
        self.shown_uses: list[str] = []  # the uses whose prices the page lists

    def y(self, top_in: float) -> float:
        """Figure fraction of a distance from the page top, in inches."""
        return 1.0 - top_in / self.h_in

    def draw(self) -> None:
        top = self._head()
        facts = Table([[_cap(a), b] for a, b in self._facts()], None, (0.22, 0.78),
                      ("left", "left"), shade_first_column=True)
        sections = self._sections()
        bottom = self._foot()
        below = sum(s.height(self.fig, self.width) + _GAP for s in sections)
        # The map takes what the tables leave above the signature spaces. A county overview
        # (a town page) that has too little room below the facts stands beside them; where
        # even that leaves too little for a readable map, the page has none rather than
        # overprint the spaces to sign.
        map_in = min(MAP_MAX_IN, bottom - top - 0.15 - below
                     - facts.height(self.fig, self.width))
        if map_in >= SIDE_MAP_IN[1] or not self.town_page:
            top = facts.draw(self.fig, top, self.x0, self.width)
            if map_in >= MAP_MIN_IN:
                self._map(top + 0.15, self.x0, self.width, map_in)
                top += 0.15 + map_in
        else:
            side_w, side_h = SIDE_MAP_IN
            facts_w = self.width - side_w - 0.15
            room = bottom - top - below
            side_h = min(side_h, room)
            end = facts.draw(self.fig, top, self.x0, facts_w)
            if side_h >= MAP_MIN_IN:
                self._map(top, self.x0 + facts_w + 0.15, side_w, side_h)
                end = max(end, top + side_h)
            top = end
        for s in sections:
            top = s.draw(self, top + _GAP)
        self.body_bottom, self.body_limit = top, bottom  # for tests: the body ends above

    def _map(self, top: float, x0: float, width: float, height: float) -> None:
        ax = self.fig.add_axes((x0 / self.w_in, self.y(top + height), width / self.w_in,
                                height / self.h_in))
        # Route labels carry prices only where they could apply: no use asked, or the route's use.
        draw_snippet(ax, self.engine, self.geom, self.lang, self.money,
                     overview=self.town_page, price_text=self.n.price,
                     prices=not self.facts.use or (self.use_key is not None
                                                   and self.use_key == route_table_use(self.book)))

    # -- head and foot --------------------------------------------------------------------------
    def _head(self) -> float:
        import matplotlib

        fig, lang, x1 = self.fig, self.lang, self.x0 + self.width
        county = county_name(self.meta or self.engine.grade_map.metadata, lang)
        fig.text(0.5, self.y(0.45), word("report_title", lang, county=county), ha="center",
                 va="top", fontsize=17)
        head = (gazette_facts(self.r.get("gazette") or {}, ("document", "issuer"), lang)
                + gazette_facts(self.meta, ("valuation_date",), lang))
        fig.text(0.5, self.y(0.82), ("　" if lang == "zh" else "  ·  ").join(head),
                 ha="center", va="top", fontsize=8.5)
        sep = "：" if lang == "zh" else ": "
        fig.text(self.x0 / self.w_in, self.y(1.07),
                 f"{_cap(word('query_no', lang))}{sep}{self.facts.query_no}",
                 va="top", fontsize=9.5)
        when = self.facts.issued.strftime("%Y-%m-%d %H:%M:%S")
        fig.text(x1 / self.w_in, self.y(1.07), f"{_cap(word('issued_at', lang))}{sep}{when}",
                 va="top", ha="right", fontsize=8.5)
        fig.add_artist(matplotlib.lines.Line2D([self.x0 / self.w_in, x1 / self.w_in],
                                               [self.y(1.3)] * 2, color="k", lw=0.8))
        return 1.42

    def _foot(self) -> float:
        """Footer, notes and signature spaces from the page bottom up; returns the top of what
        it drew (the body must end above it)."""
        import matplotlib
        from matplotlib.patches import Rectangle

        fig, lang = self.fig, self.lang
        x0f, x1f = self.x0 / self.w_in, (self.x0 + self.width) / self.w_in
        gazette = self.r.get("gazette") or {}
        rule = self.h_in - 0.5
        fig.add_artist(matplotlib.lines.Line2D([x0f, x1f], [self.y(rule)] * 2, color="k",
                                               lw=0.5))
        source = f"{gazette.get('document') or ''} {gazette.get('title') or ''}".strip()
        if source:
            fig.text(x0f, self.y(rule + 0.06), source, fontsize=7, va="top")
        fig.text(x1f, self.y(rule + 0.06), word("page", lang, i=self.facts.page[0],
                                                n=self.facts.page[1]),
                 fontsize=7.5, va="top", ha="right")
        wording = report_wording(self.meta, lang)
        notes = []
        sep = "：" if lang == "zh" else ": "
        if self.r.get("schematic_network"):
            notes.append(f"{_cap(word('note', lang))}{sep}"
                         f"{schematic_note(self.meta, lang, SCHEMATIC_NOTE)}")
        if wording.disclaimer:
            notes.append(f"{_cap(word('disclaimer', lang))}{sep}{wording.disclaimer}")
        renderer = fig.canvas.get_renderer()
        lines = [ln for note in notes
                 for ln in wrap(note, self.width, NOTE_PT, renderer, fig.dpi)]
        line_in = NOTE_PT * 1.4 / 72
        bottom = rule - 0.1
        top = bottom - len(lines) * line_in
        if lines:
            fig.text(x0f, self.y(bottom), "\n".join(lines), fontsize=NOTE_PT, va="bottom",
                     color="#333333", linespacing=1.4)
        blocks = wording.signature_blocks
        if not blocks:
            return top - 0.15
        sign_top = top - 0.15 - SIGN_IN
        box_w = self.width / len(blocks)
        for i, label in enumerate(blocks):
            bx = self.x0 + i * box_w
            fig.add_artist(Rectangle((bx / self.w_in, self.y(sign_top + SIGN_IN)),
                                     box_w / self.w_in, SIGN_IN / self.h_in,
                                     transform=fig.transFigure, fill=False, lw=0.6))
            fig.text((bx + 0.08) / self.w_in, self.y(sign_top + 0.08), label, fontsize=9,
                     va="top")
            if wording.date_line:
                fig.text((bx + 0.08) / self.w_in, self.y(sign_top + SIGN_IN - 0.08),
                         wording.date_line, fontsize=8, va="bottom")
        return sign_top - 0.15

    # -- what the row is ------------------------------------------------------------------------
    def _facts(self) -> list[tuple[str, str]]:
        r, lang, f = self.r, self.lang, self.facts
        facts: list[tuple[str, str]] = []
        if f.parcel_id is not None:
            facts.append((word("parcel_id", lang), f.parcel_id))
        facts.append((word("location", lang), f.where))
        if f.use:
            label = self.book.use_label(self.use_key, lang) if self.use_key else f.use
            facts.append((word("use", lang), label))
        facts.append((word("grade", lang), self._grade_text()))
        if r.get("area_m2") is not None:
            facts.append((word("area", lang),
                          f"{self.n.amount(r['area_m2'])} {word('unit_area', lang)}"))
        cite = table_cite(self.meta, "town_prices", lang)
        if r.get("price_source") == "town":
            facts.append((word("prices", lang), word(
                "town_priced_fact", lang, town=r.get("town") or DASH,
                cls=self._class_label(r.get("town_class")), grade=self._town_grade(),
                table=cite)))
        elif self.town_page:
            town = r.get("town")
            if town and (r.get("town_prices") or {}).get("town_class") is None:
                town = _paren(town, word("town_not_listed", lang), lang)
            elif town:
                town = self.book.town_name(town)  # 高沙 → 高沙镇, as Table 8 names it
            facts.append((word("town", lang), town or word("town_unknown", lang)))
            hint = "town_hint" if self.engine.outline is not None else "town_hint_unchecked"
            facts.append((word("prices", lang), word(hint, lang, table=cite)))
        if r["status"] not in ("ok", "outside_extent"):
            # The reader's words only: the code (unknown_use) is for --json and the table.
            facts.append((word("status", lang), status_message(r, lang, self.meta)))
        return facts

    def _grade_text(self) -> str:
        r, lang = self.r, self.lang
        shares = r.get("grade_shares")
        sep = "，" if lang == "zh" else ", "
        if shares:
            return sep.join(
                f"{grade_label(g, lang) if g != 'outside' else word('share_out', lang)} "
                f"{self.n.share(s)}" for g, s in shares.items())
        if not r["inside_extent"]:
            return word("outside_extent", lang)
        text = grade_label(r["grade"], lang)
        if r["on_boundary"]:
            text += " " + word("on_boundary", lang)
        return text

    def _class_label(self, cls: Any) -> str:
        if cls is None:
            return DASH
        if self.lang == "zh" and self.book is not None:
            return self.book.town_class_label(int(cls))
        return word("town_class_n", self.lang, n=int(cls))

    def _town_grade(self) -> str:
        return DASH if self.facts.town_grade is None else str(self.facts.town_grade)

    # -- the sections below the map -------------------------------------------------------------
    def _sections(self) -> list[Any]:
        out: list[Any] = []
        if self.town_page and self.r.get("price_source") != "town":
            out += self._town_table()
        else:
            out += self._prices()
        out += self._connotation()
        if self.use_key and self.r.get("total") is not None:
            out.append(self._total())
        if not self.town_page:
            out.append(self._route())
        return out

    def _prices(self) -> list[Any]:
        r, lang, n = self.r, self.lang, self.n
        weighted = len([g for g in (r.get("grade_shares") or {}) if g != "outside"]) > 1
        price_word = word("unit_price_weighted" if weighted else "unit_price", lang)
        shown = [self.use_key] if self.use_key else list(r["prices"])
        rows = []
        for u in shown:
            c = r["connotation"].get(u, {})
            rows.append([self.book.use_label(u, lang) if self.book is not None else u,
                         n.price(r["prices"].get(u)), n.term(c.get("term_years")),
                         n.ratio(c.get("plot_ratio"))])
        header = [word("use", lang), _paren(price_word, self.money, lang), word("term", lang),
                  word("plot_ratio", lang)]
        title = _cap(word("prices", lang))
        if r.get("price_source") == "town":
            title = _paren(title, word("town_priced_head", lang, town=r.get("town") or DASH,
                                       cls=self._class_label(r.get("town_class")),
                                       grade=self._town_grade()), lang)
        elif not self.use_key:
            title = _paren(title, word("all_uses", lang), lang)
        note = connotation_note(r, lang)
        self.shown_uses = shown
        return [_Titled(title, Table(rows, header, (0.40, 0.28, 0.16, 0.16),
                                     ("left", "right", "right", "right")), note)]

    def _town_table(self) -> list[Any]:
        """Outside the extent with no town price: the town price table, no price stated."""
        lang, book, n = self.lang, self.book, self.n
        town = self.r.get("town")
        classes = list(book.town_classes) if book is not None else []
        hint = self.r.get("town_prices") or {}
        known = bool(town) and hint.get("town_class") is not None
        if known:
            classes = [int(hint["town_class"])]
        uses = list(book.uses) if book is not None else []
        rows = []
        for cls in classes:
            grid = book.town_price_table(cls)
            for g in grid.index:
                rows.append([self._class_label(cls), str(int(g)),
                             *(n.price(grid.at[g, u]) for u in uses)])
        header = [word("town_class", lang), word("town_grade", lang),
                  *(book.use_label(u, lang) for u in uses)]
        share = 0.78 / max(1, len(uses))
        title = _cap(word("price_source_town", lang,
                          table=table_cite(self.meta, "town_prices", lang)))
        lines = [word("town_grade_not_priced" if known else "town_not_priced", lang)]
        if not known and book is not None:
            towns = book.towns
            sep = "、" if lang == "zh" else ", "
            for cls in classes:
                names = towns.loc[towns["town_class"] == cls, "town"].astype(str).tolist()
                lines.append(word("town_list", lang, cls=self._class_label(cls),
                                  towns=sep.join(names)))
        self.shown_uses = uses
        table = Table(rows, header, (0.12, 0.1, *([share] * len(uses))),
                      ("left", "right", *(["right"] * len(uses))), fontsize=7.5, pad_in=0.06)
        return [_Titled(_cap(title), table, "\n".join(lines))]

    def _connotation(self) -> list[Any]:
        """土地权利 and 开发程度 of the prices shown (metadata, per area)."""
        lang, r = self.lang, self.r
        area = "urban"
        if r.get("price_source") == "town" and r.get("town_class") is not None:
            area = f"town_class_{int(r['town_class'])}"
        elif self.town_page:
            cls = (r.get("town_prices") or {}).get("town_class")
            area = f"town_class_{int(cls)}" if cls is not None else "town"
        rows = []
        right = land_right(self.meta, area, lang)
        if right:
            rows.append([_cap(word("land_right", lang)), right])
        level = development_level(self.meta, area, lang)
        if level is not None:
            sep = "：" if lang == "zh" else ": "
            text = f"{level.name}{sep}{level.definition}" if level.definition else level.name
            if level.note and (not level.note_uses
                               or set(level.note_uses) & set(self.shown_uses)):
                text += f"\n{word('note', lang)}{sep}{level.note}"
            rows.append([_cap(word("development_level", lang)), text])
        if not rows:
            return []
        return [_Titled(None, Table(rows, None, (0.22, 0.78), ("left", "left"),
                                    shade_first_column=True))]

    def _total(self) -> Any:
        r, lang, n = self.r, self.lang, self.n
        weighted = len([g for g in (r.get("grade_shares") or {}) if g != "outside"]) > 1
        price_word = word("unit_price_weighted" if weighted else "unit_price", lang)
        rows = [[n.amount(r.get("area_m2")), n.price(r.get("price")), n.amount(r["total"])]]
        header = [_paren(word("area", lang), word("unit_area", lang), lang),
                  _paren(price_word, self.money, lang),
                  _paren(word("total_price", lang), word("unit_money", lang), lang)]
        return _Titled(None, Table(rows, header, (0.3, 0.3, 0.4), ("right",) * 3))

    def _route(self) -> Any:
        lang, n = self.lang, self.n
        nr = self.r.get("nearest_route")
        if nr:
            applies = _applies(self.book, nr, lang)
            rows = [[f"{nr['id']} {nr['name']}", n.amount(nr["distance_m"]),
                     n.published(nr.get("standard_depth_m")), n.price(nr.get("price")),
                     applies]]
        else:
            rows = [[word("none", lang), DASH, DASH, DASH, DASH]]
        header = [word("route_id", lang), _paren(word("distance", lang), word("m", lang), lang),
                  _paren(word("standard_depth", lang), word("m", lang), lang),
                  _paren(word("road_price", lang), self.money, lang), word("applies_head", lang)]
        return _Titled(_cap(word("nearest_route", lang)),
                       Table(rows, header, (0.24, 0.14, 0.16, 0.2, 0.26),
                             ("left", "right", "right", "right", "left")))


_GAP = 0.1  # inches between sections
TITLE_IN = 0.26
NOTE_LINE_IN = 8 * 1.4 / 72  # a line of an 8 pt note


@dataclass
class _Titled:
    """A section: an optional title above a table and an optional note below it."""

    title: str | None
    table: Table
    note: str = ""

    def _note_lines(self, fig: Any, width_in: float) -> list[str]:
        if not self.note:
            return []
        return wrap(self.note, width_in, 8, fig.canvas.get_renderer(), fig.dpi)

    def height(self, fig: Any, width_in: float) -> float:
        h = (TITLE_IN if self.title else 0) + self.table.height(fig, width_in)
        lines = self._note_lines(fig, width_in)
        return h + (0.06 + len(lines) * NOTE_LINE_IN if lines else 0)

    def draw(self, page: _Page, top: float) -> float:
        fig = page.fig
        if self.title:
            fig.text(page.x0 / page.w_in, page.y(top + TITLE_IN - 0.07), self.title,
                     fontsize=10, va="bottom")
            top += TITLE_IN
        top = self.table.draw(fig, top, page.x0, page.width)
        lines = self._note_lines(fig, page.width)
        if lines:
            fig.text(page.x0 / page.w_in, page.y(top + 0.06), "\n".join(lines), fontsize=8,
                     va="top", linespacing=1.4)
            top += 0.06 + len(lines) * NOTE_LINE_IN
        return top


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


def _paren(text: str, inner: str, lang: str) -> str:
    """``单价（元/平方米）`` with full-width brackets in Chinese, ``unit price (yuan/m²)``."""
    return f"{text}（{inner}）" if lang == "zh" else f"{text} ({inner})"


def _cap(text: str) -> str:
    """English labels start with a capital on the page (Chinese ones are unchanged)."""
    return text[:1].upper() + text[1:]


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
