"""The 宗地地价测算表 (基准地价系数修正法): one A4 page per parcel, or one workbook sheet.

``landgrade report … --valuation`` (:mod:`landgrade.cli.valuation_report`) values each parcel
(:mod:`landgrade.valuation.parcels`) and explains it (:mod:`landgrade.valuation.steps`); here each
:class:`~landgrade.valuation.steps.Explanation` is laid out as the document a county office or an
appraisal firm files: the title and the gazette it rests on, 一、宗地概况 (the parcel's
conditions), 二、基准地价 (the grade benchmark and road-line price with their tables, which one the
county's rule values from), 三、修正系数 (each coefficient, its value and its source: the
correction file and row, or the formula with r, n and N), 四、测算结果 (the chain of
multiplications, the unit and total price), every correction not applied, the signature lines, and
the schematic-network note where it applies. Nothing is computed here.

Pages are matplotlib figures (:func:`sheet_page`, one per parcel), written with fonts embedded
as TrueType so ``pdftotext`` reads every figure and word; :func:`write_workbook` writes the
same as ``.xlsx`` (openpyxl), one sheet per parcel and a summary sheet.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from landgrade.gazette.labels import county_name, gazette_facts, word
from landgrade.valuation.steps import Explanation

A4_IN = (210 / 25.4, 297 / 25.4)
MARGIN_IN = 0.75
FONT = 8.5
_STATE_MARK = {"unapplied": "v_unapplied", "missing": "v_missing", "assumed": "v_assumed"}


@dataclass
class SheetRow:
    """One parcel's sheet: its explanation, id, location line and the page's remarks."""

    explanation: Explanation
    parcel_id: str | None
    where: str
    remarks: Sequence[str] = ()


def _em(ch: str) -> float:
    """Approximate advance of a character, in ems, for wrapping table text."""
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    return 0.3 if ch == " " else 0.56


def wrap(text: str, width_em: float) -> list[str]:
    """``text`` broken into lines of at most ``width_em`` ems: CJK anywhere, Latin at spaces."""
    lines: list[str] = []
    for para in str(text).split("\n"):
        line, used = "", 0.0
        tokens: list[str] = []
        word_buf = ""
        for ch in para:  # a Latin word is one token, each CJK character its own
            if unicodedata.east_asian_width(ch) in "WF" or ch == " ":
                if word_buf:
                    tokens.append(word_buf)
                    word_buf = ""
                tokens.append(ch)
            else:
                word_buf += ch
        if word_buf:
            tokens.append(word_buf)
        for tok in tokens:
            w = sum(_em(c) for c in tok)
            if used + w > width_em and line.strip():
                lines.append(line.rstrip())
                line, used = ("", 0.0) if tok == " " else (tok, w)
                continue
            line += tok
            used += w
        lines.append(line.rstrip())
    return lines or [""]


class _Page:
    """A page being laid out from the top, in inches."""

    def __init__(self) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        self.fig = plt.figure(figsize=A4_IN)
        self.w, self.h = A4_IN
        self.x0, self.x1 = MARGIN_IN, self.w - MARGIN_IN
        self.top = 0.6

    def fx(self, x_in: float) -> float:
        return x_in / self.w

    def fy(self, top_in: float) -> float:
        return 1.0 - top_in / self.h

    def text(self, x_in: float, top_in: float, s: str, **kw: Any) -> None:
        kw.setdefault("fontsize", FONT)
        kw.setdefault("va", "top")
        self.fig.text(self.fx(x_in), self.fy(top_in), s, **kw)

    def rule(self, top_in: float, lw: float = 0.8) -> None:
        from matplotlib.lines import Line2D

        self.fig.add_artist(Line2D([self.fx(self.x0), self.fx(self.x1)],
                                   [self.fy(top_in)] * 2, color="k", lw=lw))

    def section(self, title: str) -> None:
        self.text(self.x0, self.top + 0.12, title, fontsize=11)
        self.top += 0.36

    def table(self, rows: Sequence[Sequence[str]], widths: Sequence[float],
              header: Sequence[str] | None = None, shade: Sequence[int] = (0,)) -> None:
        """A ruled table; ``widths`` are fractions of the text width; cells wrap."""
        from matplotlib.patches import Rectangle

        total = self.x1 - self.x0
        pad, line_h = 0.06, FONT * 1.45 / 72
        xs = [self.x0]
        for f in widths:
            xs.append(xs[-1] + f * total)
        body = [list(header)] + [list(r) for r in rows] if header else [list(r) for r in rows]
        body = [[_cap(c) if j in shade or (header and i == 0) else c for j, c in enumerate(r)]
                for i, r in enumerate(body)]
        for i, row in enumerate(body):
            cells = [wrap(c, (xs[j + 1] - xs[j] - 2 * pad) / (FONT / 72))
                     for j, c in enumerate(row)]
            height = max(len(c) for c in cells) * line_h + 2 * pad
            is_head = bool(header) and i == 0
            for j, lines in enumerate(cells):
                shaded = is_head or (j in shade and not header) or (j in shade and i > 0)
                face = "#e9e9e9" if is_head else ("#f5f5f5" if shaded else "white")
                self.fig.add_artist(Rectangle(
                    (self.fx(xs[j]), self.fy(self.top + height)), self.fx(xs[j + 1] - xs[j]),
                    height / self.h, facecolor=face, edgecolor="black", lw=0.5))
                self.text(xs[j] + pad, self.top + pad, "\n".join(lines), linespacing=1.45)
            self.top += height

    def paragraph(self, text: str, size: float = FONT, color: str = "black") -> None:
        lines = wrap(text, (self.x1 - self.x0) / (size / 72))
        self.text(self.x0, self.top, "\n".join(lines), fontsize=size, color=color,
                  linespacing=1.45)
        self.top += len(lines) * size * 1.45 / 72 + 0.05


def _cap(text: str) -> str:
    """English labels start with a capital on the page (Chinese ones are unchanged)."""
    return text[:1].upper() + text[1:]


def sheet_page(meta: Mapping[str, Any], row: SheetRow, lang: str, page: tuple[int, int]) -> Any:
    """The 测算表 page of one parcel, ``page`` = (its number, the file's count)."""
    e = row.explanation
    p = _Page()
    county = county_name(meta, lang)
    p.text(p.w / 2, p.top, f"{county}{word('v_title', lang)}" if lang == "zh"
           else f"{county}: {word('v_title', lang)}", fontsize=16, ha="center")
    p.top += 0.42
    head = gazette_facts(meta, ("document", "issuer"), lang)
    head += gazette_facts({"valuation_date": meta.get("valuation_date")}, ("valuation_date",),
                          lang)
    p.text(p.w / 2, p.top, ("　" if lang == "zh" else "  ·  ").join(head), fontsize=8.5,
           ha="center")
    p.top += 0.3
    p.rule(p.top)
    p.top += 0.12

    p.section(word("v_section_parcel", lang))
    facts = []
    if row.parcel_id is not None:
        facts.append((word("parcel_id", lang), row.parcel_id))
    facts.append((word("location", lang), row.where))
    facts += e.facts
    pairs = [[a, b, c, d] for (a, b), (c, d) in zip(facts[0::2], [*facts[1::2], ("", "")],
                                                    strict=False)]
    p.table(pairs, (0.16, 0.34, 0.16, 0.34), shade=(0, 2))
    p.top += 0.12

    p.section(word("v_section_base", lang))
    p.table([[a, b] for a, b in e.bases], (0.2, 0.8))
    p.top += 0.12

    p.section(word("v_section_coef", lang))
    p.paragraph(f"{word('v_formula_head', lang)}：{word('v_formula', lang)}" if lang == "zh"
                else f"{word('v_formula_head', lang).capitalize()}: {word('v_formula', lang)}")
    steps = []
    for s in e.steps:
        mark = f"〔{word(_STATE_MARK[s.state], lang)}〕" if s.state in _STATE_MARK else ""
        steps.append([s.label, s.value, f"{mark}{s.source}"])
    p.table(steps, (0.22, 0.16, 0.62), header=[word("v_head_item", lang),
                                               word("v_head_value", lang),
                                               word("v_head_source", lang)])
    p.top += 0.12

    p.section(word("v_section_result", lang))
    results = [[a, b] for a, b in e.results]
    results.append([word("v_status", lang), word("v_valued", lang) if e.status == "valued"
                    else e.status])
    p.table(results, (0.2, 0.8))
    p.top += 0.1
    sep = "；" if lang == "zh" else "; "
    if e.unapplied:
        p.paragraph(f"{word('v_cannot', lang)}：{sep.join(e.unapplied)}" if lang == "zh"
                    else f"{word('v_cannot', lang).capitalize()}: {sep.join(e.unapplied)}")

    sign_top = max(p.top + 0.35, p.h - 1.55)
    third = (p.x1 - p.x0) / 3
    for i, key in enumerate(("v_valuer", "v_checker", "v_sign_date")):
        p.text(p.x0 + i * third, sign_top, word(key, lang), fontsize=9.5)
        from matplotlib.lines import Line2D

        x_a = p.x0 + i * third + (0.75 if lang == "zh" else 0.95)
        p.fig.add_artist(Line2D([p.fx(x_a), p.fx(p.x0 + (i + 1) * third - 0.2)],
                                [p.fy(sign_top + 0.17)] * 2, color="k", lw=0.5))

    foot = [f"{word('note', lang)}：{r}" if lang == "zh" else f"{word('note', lang)}: {r}"
            for r in row.remarks]
    if meta.get("title"):
        foot.append(f"{meta.get('document') or ''} {meta['title']}".strip())
    p.top = p.h - 0.55 - 0.16 * len(foot)
    for line in foot:
        p.text(p.x0, p.top, line, fontsize=7, color="#333333")
        p.top += 0.16
    p.rule(p.h - 0.5, lw=0.5)
    p.text(p.x0, p.h - 0.45, f"{word('generated', lang)} {dt.date.today().isoformat()}",
           fontsize=7)
    p.text(p.x1, p.h - 0.45, word("page", lang, i=page[0], n=page[1]), fontsize=7, ha="right")
    return p.fig


def write_workbook(path: Path, metadata: Mapping[str, Any], rows: Sequence[SheetRow],
                   lang: str) -> None:
    """The same sheets as an ``.xlsx`` workbook: a summary sheet, then one sheet per parcel
    (named by its id, else its row number), written atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from landgrade.io.atomic import atomic_output

    book = Workbook()
    summary = book.active
    summary.title = word("v_sheet_summary", lang)[:31]
    keys = ["parcel_id", "v_use", "v_grade", "v_k_factors", "v_k_date", "v_k_plot_ratio",
            "v_k_term", "v_d_development", "v_unit_price", "v_status"]
    summary.append([word(k, lang) for k in keys])
    wrap_top = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    grey = PatternFill("solid", fgColor="EEEEEE")
    names: set[str] = {summary.title}
    for i, row in enumerate(rows):
        e = row.explanation
        facts = dict(e.facts)
        unit_price = e.results[0][1] if e.results else ""
        summary.append([row.parcel_id or str(i + 1), facts.get(word("v_use", lang), ""),
                        facts.get(word("v_grade", lang), ""),
                        *[s.value for s in e.steps], unit_price, e.status])
        sheet = book.create_sheet(_sheet_name(row.parcel_id or str(i + 1), names))
        county = county_name(metadata, lang)
        sheet.append([f"{county}{word('v_title', lang)}" if lang == "zh"
                      else f"{county}: {word('v_title', lang)}"])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append(["　".join(gazette_facts(metadata, ("document", "issuer"), lang))])
        sheet.append([])
        blocks: list[tuple[str, list[list[str]]]] = [
            (word("v_section_parcel", lang),
             ([[word("parcel_id", lang), row.parcel_id]] if row.parcel_id else [])
             + [[word("location", lang), row.where]] + [[a, b] for a, b in e.facts]),
            (word("v_section_base", lang), [[a, b] for a, b in e.bases]),
            (word("v_section_coef", lang),
             [[word("v_formula_head", lang), word("v_formula", lang)],
              [word("v_head_item", lang), word("v_head_value", lang),
               word("v_head_source", lang)]]
             + [[s.label, s.value, (f"〔{word(_STATE_MARK[s.state], lang)}〕"
                                    if s.state in _STATE_MARK else "") + s.source]
                for s in e.steps]),
            (word("v_section_result", lang),
             [[a, b] for a, b in e.results] + [[word("v_status", lang), e.status]]
             + ([[word("v_cannot", lang), "；".join(e.unapplied)]] if e.unapplied else [])),
        ]
        for title, lines in blocks:
            sheet.append([title])
            sheet.cell(sheet.max_row, 1).font = bold
            for line in lines:
                sheet.append(line)
                for cell in sheet[sheet.max_row]:
                    cell.alignment = wrap_top
                sheet.cell(sheet.max_row, 1).fill = grey
            sheet.append([])
        for r in row.remarks:
            sheet.append([f"{word('note', lang)}: {r}"])
        sheet.column_dimensions["A"].width = 22
        sheet.column_dimensions["B"].width = 60
        sheet.column_dimensions["C"].width = 70
    for col, w in zip("ABCDEFGHIJ", (14, 14, 10, 18, 10, 10, 10, 12, 60, 28), strict=True):
        summary.column_dimensions[col].width = w
    for cell in summary[1]:
        cell.font = bold
        cell.fill = grey
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as tmp:
        book.save(tmp)


def _sheet_name(name: str, taken: set[str]) -> str:
    """A worksheet title: no ``[]:*?/\\``, at most 31 characters, unique in the book."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in str(name)).strip("'") or "row"
    base = base[:31]
    out, k = base, 1
    while out.casefold() in {t.casefold() for t in taken}:
        k += 1
        out = f"{base[:31 - len(str(k)) - 1]}_{k}"
    taken.add(out)
    return out
