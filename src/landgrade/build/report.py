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


def fit(text: str, width: int) -> str:
    """``text`` cut (with …) or padded to exactly ``width`` terminal columns."""
    from landgrade.text import display_width

    if display_width(text) > width:
        while display_width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - display_width(text))


def format_report(df: pd.DataFrame, width: int = TERMINAL_WIDTH) -> str:
    """The report as a plain-text table that fits ``width`` terminal columns.

    Long cells are cut; a row's warnings follow it on lines of their own, in full. The whole
    report, uncut, is the ``report`` layer of the grade map (and ``build --report FILE.csv``).
    """
    import textwrap

    def cell(col: str, v: object) -> str:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return ""
        if col == "length_m":
            return f"{v:,.1f}"
        if col == "area_m2":
            return f"{v:,.0f}"
        if col == "decision":  # "decision on line 17 (…)": the line of decisions.csv
            found = re.search(r"line (\d+)", str(v))
            return f"line {found.group(1)}" if found else str(v)
        return str(v)

    right = {"length_m", "area_m2"}
    header = " ".join(fit(c, w) if c not in right else c.rjust(w) for c, w in PRINTED_COLUMNS)
    lines = [header.rstrip()]
    for row in df.to_dict("records"):
        cells = []
        for col, w in PRINTED_COLUMNS:
            text = cell(col, row.get(col))
            cells.append(fit(text, w) if col not in right else text.rjust(w)[-w:])
        lines.append(" ".join(cells).rstrip())
        warnings = cell("warnings", row.get("warnings"))
        if warnings:
            lines.extend(textwrap.wrap(warnings, width=width - 12, initial_indent="  warning: ",
                                       subsequent_indent=" " * 11))
    return "\n".join(lines)


def warning_rows(df: pd.DataFrame) -> list[str]:
    """``kind clause item`` of every row with warnings, as the report names them."""
    rows = df[df["status"] == "warning"]
    return [" ".join(str(v) for v in (r["kind"], r["clause"], r["item"]) if str(v))
            for r in rows.to_dict("records")]


def summary_lines(df: pd.DataFrame) -> list[str]:
    """Short lines for the end of a build: grade areas, unresolved routes, stale decisions,
    and last, the rows with warnings by name."""
    lines = []
    grades = df[df["kind"] == "grade"]
    for _, r in grades.iterrows():
        lines.append(f"{r['text']}: {r['area_m2']:,.0f} m²")  # "grade 1", "residential grade 1"
    bad = df[df["status"].isin(["unresolved", "error"])]
    for _, r in bad.iterrows():
        lines.append(f"UNRESOLVED {r['kind']} {r['clause']} {r['text']}: {r['warnings']}")
    for _, r in df[df["warnings"].fillna("").str.contains(IMPOSSIBLE, regex=False)].iterrows():
        what = f"{r['kind']} {r['clause']}" + (f" item {r['item']}" if r["item"] else "")
        lines.append(f"SUSPECT {what} {r['text']}: {r['warnings']}")
    for status in ("stale", "unused"):
        for _, r in df[(df["kind"] == "decision") & (df["status"] == status)].iterrows():
            lines.append(f"{status} decision {r['clause']} {r['item']}: {r['warnings']}")
    named = warning_rows(df)
    if named:
        head, tail = f"{len(named)} row(s) with warnings: ", " (see the report layer)"
        room = TERMINAL_WIDTH - len(head) - len(tail)
        if len("; ".join(named)) > room:
            room -= len(" and 999 more")
        shown: list[str] = []
        for name in named:  # as many names as fit the terminal; the count says the rest
            if len("; ".join([*shown, name])) > room:
                break
            shown.append(name)
        more = f" and {len(named) - len(shown)} more" if len(shown) < len(named) else ""
        lines.append(f"{head}{'; '.join(shown)}{more}{tail}")
    return lines
