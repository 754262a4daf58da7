"""The build report: one row per grade, area clause, ring item, junction, route and decision.

Every clause of the description and every Table 7 route shows up here with the features and
junctions it was drawn from, its length or area, the analyst decision that served it and any
warning, so a valuer can check the drawing clause by clause. Saved as the ``report`` layer of
the grade map and printed by ``landgrade build``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields

import pandas as pd

from landgrade.gazette.labels import word
from landgrade.gazette.labels_build import (
    REPORT_COLUMNS,
    REPORT_ITEMS,
    REPORT_KINDS,
    REPORT_REWORDINGS,
    REPORT_STATUSES,
)
from landgrade.gazette.rewording import reword

STATUSES = ("ok", "warning", "unresolved", "stale", "unused", "error")
IMPOSSIBLE = "cannot be right: "
"""Prefix of a warning on a result that cannot be right (a half-plane covering the whole extent
or nothing, a grade with no area, …); ``landgrade build --strict`` fails on these rows."""


@dataclass
class ReportRow:
    """One line of the report.

    ``kind`` is ``grade``, ``ring``/``corridor``/``region``/``residual`` (an area clause),
    ``item`` (a ring item or region bound), ``junction``, ``strip``, ``route``, ``decision``,
    ``extent``, ``network`` (what loading left out) or ``input`` (which field was used).
    ``clause`` is the area id ``G.A`` or the route id. ``junctions`` lists ``x y`` pairs (the
    map's working CRS) separated by ``;``. ``source`` is, on an area clause's first row, the
    exact text of the description the area was read from (empty where the rules carry none).
    """

    kind: str
    clause: str
    text: str = ""
    grade: int | None = None
    area: int | None = None
    item: str = ""
    features: str = ""
    junctions: str = ""
    length_m: float | None = None
    area_m2: float | None = None
    decision: str = ""
    warnings: str = ""
    status: str = "ok"
    source: str = ""

    def impossible(self, message: str) -> None:
        """Warn that this clause's result cannot be right (see :data:`IMPOSSIBLE`)."""
        self.warn(IMPOSSIBLE + message)

    def warn(self, message: str) -> None:
        self.warnings = f"{self.warnings}; {message}" if self.warnings else message
        if self.status == "ok":
            self.status = "warning"


COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ReportRow))


def report_frame(rows: list[ReportRow]) -> pd.DataFrame:
    """The report rows as a DataFrame with the columns of :class:`ReportRow`."""
    df = pd.DataFrame([asdict(r) for r in rows], columns=list(COLUMNS))
    df["grade"] = df["grade"].astype("Int64")
    df["area"] = df["area"].astype("Int64")
    for c in ("length_m", "area_m2"):
        df[c] = pd.to_numeric(df[c]).round(2)
    return df


# The printed report's columns and their widths in terminal columns (CJK characters take two).
PRINTED_COLUMNS = (("kind", 8), ("clause", 6), ("item", 5), ("text", 30), ("length_m", 9),
                   ("area_m2", 11), ("status", 10), ("decision", 14))
TERMINAL_WIDTH = 100
# Chinese headers of the printed number columns, short enough for their width.
_PRINTED_UNITS = {"length_m": "长度/米", "area_m2": "面积/平方米"}


def fit(text: str, width: int) -> str:
    """``text`` cut (with …) or padded to exactly ``width`` terminal columns."""
    from landgrade.text import display_width

    if display_width(text) > width:
        while display_width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - display_width(text))


# What the builder writes in words (English, see landgrade.gazette.rewording): worded in the
# report's language when it is shown or written for people.
WORDED_COLUMNS = ("text", "features", "decision", "warnings")


def worded(text: object, lang: str) -> str:
    """One report text (a warning, a row's text, a decision label) in ``lang``."""
    return reword(text, REPORT_REWORDINGS, lang)


def localized_report(df: pd.DataFrame, lang: str, *, codes: bool = True) -> pd.DataFrame:
    """The report in ``lang``: its texts, feature notes, decisions and warnings worded. With
    ``codes`` (a grade map's ``report`` layer, which the audit and ``--strict`` read) the
    ``kind`` and ``status`` codes and the column names stay; without (a table for people,
    ``build --report FILE.csv``) they are worded too."""
    if lang == "en":
        return df
    out = df.copy()
    for col in WORDED_COLUMNS:
        if col in out:
            values = out[col].astype(object)
            uniq = {v: worded(v, lang) for v in pd.unique(values[values.notna()])}
            out[col] = values.map(uniq).where(values.notna(), values)
    if codes:
        return out
    for col, words in (("kind", REPORT_KINDS), ("status", REPORT_STATUSES),
                       ("item", REPORT_ITEMS)):
        if col in out:
            out[col] = out[col].map(lambda v, w=words: w.get(v, v) if isinstance(v, str) else v)
    return out.rename(columns=REPORT_COLUMNS)


def format_report(df: pd.DataFrame, width: int = TERMINAL_WIDTH, lang: str = "en") -> str:
    """The report as a plain-text table that fits ``width`` terminal columns, in ``lang``.

    Long cells are cut; a row's warnings follow it on lines of their own, in full. The whole
    report, uncut, is the ``report`` layer of the grade map (and ``build --report FILE.csv``).
    """
    import textwrap

    from landgrade.text import display_width

    zh = lang == "zh"
    df = localized_report(df, lang)

    def cell(col: str, v: object) -> str:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return ""
        if col == "length_m":
            return f"{v:,.1f}"
        if col == "area_m2":
            return f"{v:,.0f}"
        if col == "decision":  # "decision on line 17 (…)": the line of decisions.csv
            found = re.search(r"line (\d+)|第(\d+)行", str(v))
            if found:
                return word("report_decision_line", lang,
                            line=found.group(1) or found.group(2))
            return str(v)
        if zh and col in ("kind", "status", "item"):
            words = {"kind": REPORT_KINDS, "status": REPORT_STATUSES, "item": REPORT_ITEMS}[col]
            return words.get(str(v), str(v))
        return str(v)

    def head(col: str) -> str:
        return ({**REPORT_COLUMNS, **_PRINTED_UNITS}.get(col, col)) if zh else col

    def rjust(text: str, w: int) -> str:
        return " " * max(w - display_width(text), 0) + text

    right = {"length_m", "area_m2"}
    header = " ".join(fit(head(c), w) if c not in right else rjust(head(c), w)
                      for c, w in PRINTED_COLUMNS)
    lines = [header.rstrip()]
    lead = word("report_warning", lang)
    for row in df.to_dict("records"):
        cells = []
        for col, w in PRINTED_COLUMNS:
            text = cell(col, row.get(col))
            cells.append(fit(text, w) if col not in right else text.rjust(w)[-w:])
        lines.append(" ".join(cells).rstrip())
        warnings = cell("warnings", row.get("warnings"))
        if warnings:
            # A CJK character takes two columns: wrap Chinese at half the width.
            room = (width - 12) // (2 if zh else 1)
            lines.extend(textwrap.wrap(warnings, width=room, initial_indent=lead,
                                       subsequent_indent=" " * display_width(lead)))
    return "\n".join(lines)


def warning_rows(df: pd.DataFrame, lang: str = "en") -> list[str]:
    """``kind clause item`` of every row with warnings, as the report names them."""
    rows = df[df["status"] == "warning"]
    kinds = REPORT_KINDS if lang == "zh" else {}
    return [" ".join(str(v) for v in (kinds.get(r["kind"], r["kind"]), r["clause"], r["item"])
                     if str(v))
            for r in rows.to_dict("records")]


def summary_lines(df: pd.DataFrame, lang: str = "en") -> list[str]:
    """Short lines for the end of a build, in ``lang``: grade areas, unresolved routes, stale
    decisions, and last, the rows with warnings by name."""
    from landgrade.gazette.labels import grade_label
    from landgrade.text import display_width

    zh = lang == "zh"
    suspect = df["warnings"].fillna("").str.contains(IMPOSSIBLE, regex=False)
    df = localized_report(df, lang)
    kinds = REPORT_KINDS if zh else {}
    lines = []
    grades = df[df["kind"] == "grade"]
    for _, r in grades.iterrows():
        use, _, number = str(r["clause"]).rpartition(":")  # "residential:1" graded per use
        if zh and number.isdigit():
            grade = (f"{use} " if use else "") + grade_label(int(number), lang)
            lines.append(word("report_grade_area", lang, grade=grade,
                              area=f"{r['area_m2']:,.0f}"))
        else:
            lines.append(f"{r['text']}: {r['area_m2']:,.0f} m²")  # "residential grade 1"
    bad = df[df["status"].isin(["unresolved", "error"])]
    for _, r in bad.iterrows():
        lines.append(word("report_unresolved", lang, kind=kinds.get(r["kind"], r["kind"]),
                          clause=r["clause"], text=r["text"], warnings=r["warnings"]))
    for _, r in df[suspect].iterrows():
        what = f"{kinds.get(r['kind'], r['kind'])} {r['clause']}" + (
            word("report_suspect_item", lang, item=r["item"]) if r["item"] else "")
        lines.append(word("report_suspect", lang, what=what, text=r["text"],
                          warnings=r["warnings"]))
    for status in ("stale", "unused"):
        for _, r in df[(df["kind"] == "decision") & (df["status"] == status)].iterrows():
            said = REPORT_STATUSES[status] if zh else status
            item = REPORT_ITEMS.get(r["item"], r["item"]) if zh else r["item"]
            lines.append(word("report_decision_status", lang, status=said, clause=r["clause"],
                              item=item, warnings=r["warnings"]))
    named = warning_rows(df, lang)
    if named:
        head = word("report_flagged_head", lang, n=len(named))
        tail = word("report_flagged_tail", lang)
        sep = word("report_flagged_sep", lang)
        room = TERMINAL_WIDTH - display_width(head) - display_width(tail)
        if display_width(sep.join(named)) > room:
            room -= display_width(word("report_flagged_more", lang, n=999))
        shown: list[str] = []
        for name in named:  # as many names as fit the terminal; the count says the rest
            if display_width(sep.join([*shown, name])) > room:
                break
            shown.append(name)
        more = (word("report_flagged_more", lang, n=len(named) - len(shown))
                if len(shown) < len(named) else "")
        lines.append(f"{head}{sep.join(shown)}{more}{tail}")
    return lines
