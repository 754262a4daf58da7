"""The build report: one row per grade, area clause, ring item, junction, route and decision.

Every clause of the description and every Table 7 route shows up here with the features and
junctions it was drawn from, its length or area, the analyst decision that served it and any
warning, so a valuer can check the drawing clause by clause. Saved as the ``report`` layer of
the grade map and printed by ``landgrade build``.
"""

from __future__ import annotations

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
    map's working CRS) separated by ``;``.
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


def format_report(df: pd.DataFrame, width: int = 48) -> str:
    """The report as a plain-text table (long cells shortened to ``width`` characters)."""
    shown = ["kind", "clause", "item", "text", "length_m", "area_m2", "status", "decision",
             "warnings"]
    out = df[shown].copy()
    for c in ("text", "decision", "warnings"):
        out[c] = out[c].fillna("").map(lambda s: s if len(s) <= width else s[: width - 1] + "…")
    out["length_m"] = out["length_m"].map(lambda v: "" if pd.isna(v) else f"{v:,.1f}")
    out["area_m2"] = out["area_m2"].map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
    return out.to_string(index=False)


def summary_lines(df: pd.DataFrame) -> list[str]:
    """Short lines for the end of a build: grade areas, unresolved routes, warnings, decisions."""
    lines = []
    grades = df[df["kind"] == "grade"]
    for _, r in grades.iterrows():
        lines.append(f"grade {r['clause']}: {r['area_m2']:,.0f} m²")
    bad = df[df["status"].isin(["unresolved", "error"])]
    for _, r in bad.iterrows():
        lines.append(f"UNRESOLVED {r['kind']} {r['clause']} {r['text']}: {r['warnings']}")
    for _, r in df[df["warnings"].fillna("").str.contains(IMPOSSIBLE, regex=False)].iterrows():
        what = f"{r['kind']} {r['clause']}" + (f" item {r['item']}" if r["item"] else "")
        lines.append(f"SUSPECT {what} {r['text']}: {r['warnings']}")
    n_warn = int((df["status"] == "warning").sum())
    if n_warn:
        lines.append(f"{n_warn} row(s) with warnings (see the report layer)")
    for status in ("stale", "unused"):
        for _, r in df[(df["kind"] == "decision") & (df["status"] == status)].iterrows():
            lines.append(f"{status} decision {r['clause']} {r['item']}: {r['warnings']}")
    return lines
