"""Audit: does each priced road segment lie in the grade zone its table says?

Table 7 of a benchmark-price notice (商服用地路线价表) states a grade (所属级别) for every route
segment, and Table 5 draws the grade zones. The two are written separately, so they can disagree:
on a county's surveyed network this audit finds inconsistencies in the gazette itself; on a
sketched network it checks the sketch.

For each route the audit measures how much of its length lies *inside* each grade. A road that
bounds a ring is inside the zone only thanks to its strip of frontage (含…侧): the centre line then
lies within the strip. Where a route runs exactly along the line between two grades (no strip on
that road, or the strip on the other side), that length belongs to neither grade and is reported
as *on the boundary*; a tolerance of :data:`BOUNDARY_TOLERANCE_M` absorbs drawing noise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import typer

from landgrade.build.grade_map import GradeMap
from landgrade.engine.answer import SHARE_DECIMALS
from landgrade.gazette.county import county_inputs
from landgrade.gazette.labels import SCHEMATIC_NOTE, lang_for, word
from landgrade.gazette.names import grade_number
from landgrade.io.atomic import check_output
from landgrade.io.formats import TABLE_SUFFIXES
from landgrade.io.tables import write_table
from landgrade.text import display_width

BOUNDARY_TOLERANCE_M = 0.5
"""Route length closer than this to the line between two grades counts as on the boundary."""

_ALONG_FACTOR = 4.0  # a crossing at 30° or steeper stays within the band for under 4 tolerances

AUDIT_COLUMNS = ("id", "name", "stated_grade", "majority_grade", "share", "boundary_share",
                 "agrees", "reason")


def grade_lengths(routes: np.ndarray, grades: np.ndarray,
                  tolerance_m: float = BOUNDARY_TOLERANCE_M) -> tuple[np.ndarray, np.ndarray]:
    """Length of each route inside each grade, and each route's length along grade boundaries.

    ``routes`` and ``grades`` are arrays of geometries; the first result has one row per route and
    one column per grade. A stretch of route running within ``tolerance_m`` of a grade's outline
    for longer than a crossing would (:data:`_ALONG_FACTOR` × the tolerance) runs *along* it and
    counts in no grade; the rest of the route is shared out by the grade polygons.
    """
    band = shapely.buffer(shapely.union_all(shapely.boundary(grades)), tolerance_m)
    near = shapely.intersection(routes, band)
    parts, owner = shapely.get_parts(near, return_index=True)
    keep = (shapely.get_type_id(parts) == 1) & (shapely.length(parts) > _ALONG_FACTOR * tolerance_m)
    along = np.full(len(routes), None, dtype=object)
    if keep.any():
        owners = np.unique(owner[keep])
        along[owners] = shapely.multilinestrings(parts[keep], indices=np.searchsorted(
            owners, owner[keep]))
    boundary = np.nan_to_num(shapely.length(along), nan=0.0)
    rest = np.where(shapely.is_missing(along), routes,
                    shapely.difference(routes, shapely.buffer(along, tolerance_m)))
    lengths = shapely.length(shapely.intersection(rest[:, None], grades[None, :]))
    return np.nan_to_num(lengths, nan=0.0), boundary


def audit_grade_map(grade_map: GradeMap) -> pd.DataFrame:
    """One row per Table 7 route: stated grade, the grade holding most of its length, and why.

    Columns: ``id``, ``name``, ``stated_grade``, ``majority_grade`` (``<NA>`` when most of the
    route is on a boundary, outside every grade, or unresolved), ``share`` (of the route's length
    inside the majority grade), ``boundary_share``, ``agrees`` and ``reason`` (empty when the
    route agrees).
    """
    routes = grade_map.routes
    if routes is None or routes.empty:
        return pd.DataFrame(columns=list(AUDIT_COLUMNS))
    grade_numbers = grade_map.grades["grade"].astype(int).to_numpy()
    grade_geoms = grade_map.grades.geometry.to_numpy()
    geoms = routes.geometry.to_numpy()
    resolved = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if "status" in routes:
        resolved &= (routes["status"].astype(str) == "ok").to_numpy()

    lengths, boundary = grade_lengths(np.where(resolved, geoms, None), grade_geoms)
    total = np.nan_to_num(shapely.length(np.where(resolved, geoms, None)), nan=0.0)
    safe_total = np.where(total > 0, total, 1.0)
    shares = lengths / safe_total[:, None]
    boundary_share = boundary / safe_total
    if len(grade_numbers):
        best = shares.argmax(axis=1)
        best_share = shares[np.arange(len(routes)), best]
    else:
        best, best_share = np.zeros(len(routes), dtype=int), np.zeros(len(routes))
    majority_known = resolved & (best_share > 0) & (best_share >= boundary_share)

    printed = routes["grade"] if "grade" in routes else pd.Series([""] * len(routes))
    stated = printed.map(_stated_grade).to_numpy(dtype=float)
    majority = np.where(majority_known, grade_numbers[best] if len(grade_numbers) else 0, -1)
    agrees = majority_known & (majority == stated)

    why_unresolved = _route_warnings(grade_map)
    touching = shapely.intersects(
        shapely.buffer(np.where(resolved, geoms, None), BOUNDARY_TOLERANCE_M)[:, None],
        grade_geoms[None, :])
    reasons = [
        _reason(ok=bool(agrees[i]), resolved=bool(resolved[i]), stated=stated[i],
                shares=shares[i], boundary_share=float(boundary_share[i]),
                grades=grade_numbers, touching=touching[i],
                status=why_unresolved.get(str(routes["id"].iloc[i]), "not drawn by the build"),
                printed=printed.iloc[i])
        for i in range(len(routes))
    ]
    out = pd.DataFrame({
        "id": routes["id"].astype(str).to_numpy(),
        "name": routes["name"].astype(str).to_numpy(),
        "stated_grade": pd.array(stated, dtype="Int64"),
        "majority_grade": pd.array(np.where(majority > 0, majority, None), dtype="Int64"),
        "share": np.round(np.where(majority_known, best_share, np.nan), SHARE_DECIMALS),
        "boundary_share": np.round(np.where(resolved, boundary_share, np.nan), SHARE_DECIMALS),
        "agrees": agrees,
        "reason": reasons,
    })
    return out


def _route_warnings(grade_map: GradeMap) -> dict[str, str]:
    """Route id → the build report's warning for it (why it could not be drawn)."""
    report = grade_map.report
    if report is None or not {"kind", "clause", "warnings"} <= set(report.columns):
        return {}
    rows = report[(report["kind"] == "route") & report["warnings"].fillna("").astype(bool)]
    return dict(zip(rows["clause"].astype(str), rows["warnings"].astype(str), strict=True))


def _stated_grade(value: object) -> float:
    """The grade a Table 7 row states (``2``, ``二级``, ``II``), NaN when it states none."""
    try:
        return float(grade_number(str(value).strip()))
    except ValueError:
        return np.nan


def _reason(*, ok: bool, resolved: bool, stated: float, shares: np.ndarray,
            boundary_share: float, grades: np.ndarray, touching: np.ndarray,
            status: str, printed: object) -> str:
    """Why a route disagrees with its stated grade, in one line (empty when it agrees)."""
    if ok:
        return ""
    if not resolved:
        return f"unresolved: {status}"
    if np.isnan(stated):
        return f"the routes table states no grade a number can be read from ({printed!r})"
    held = [(int(g), float(s)) for g, s in zip(grades, shares, strict=True) if s >= 0.005]
    held.sort(key=lambda t: -t[1])
    if boundary_share >= 0.5 or (held and boundary_share >= held[0][1]):
        sides = sorted(int(g) for g, t in zip(grades, touching, strict=True) if t)
        pair = "/".join(map(str, sides)) if sides else "?"
        why = ("the strip is on the other side" if int(stated) in sides
               else f"grade {int(stated)} is not on either side")
        return f"runs along the boundary of grades {pair} ({boundary_share:.0%}; {why})"
    if not held:
        return "lies outside every grade (outside the grading extent?)"
    if len(held) == 1:
        return f"lies in grade {held[0][0]} ({held[0][1]:.0%})"
    parts = [f"{g} ({s:.0%})" for g, s in held]
    return "crosses grades " + ", ".join(parts[:-1]) + " and " + parts[-1]


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a CJK character takes two)."""
    return text + " " * max(width - display_width(text), 0)


def reason_text(reason: str, lang: str) -> str:
    """A route's reason in ``lang``: the audit writes it in English (a route's build warning
    quoted in it is worded as the build report words it)."""
    from landgrade.gazette.labels_build import REPORT_REWORDINGS
    from landgrade.gazette.labels_outputs import AUDIT_REWORDINGS
    from landgrade.gazette.rewording import reword

    if lang != "zh" or not reason:
        return reason
    return reword(reason, AUDIT_REWORDINGS.extended(REPORT_REWORDINGS), lang)


def localized_audit(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The audit table for people in ``lang``: reasons worded, columns headed in Chinese."""
    from landgrade.gazette.labels_outputs import AUDIT_HEADERS

    if lang != "zh":
        return table
    out = table.copy()
    out["reason"] = [reason_text(r, lang) for r in out["reason"]]
    return out.rename(columns=AUDIT_HEADERS)


def format_audit(table: pd.DataFrame, lang: str = "en") -> str:
    """The audit as a text table, disagreements first, and the agreement count, in ``lang``."""
    from landgrade.gazette.labels_outputs import AUDIT_HEADERS

    n, agree = len(table), int(table["agrees"].sum()) if len(table) else 0
    if not n:
        return word("audit_empty", lang)
    shown = table.sort_values(["agrees", "id"], kind="stable")
    if lang == "zh":
        h = {k: AUDIT_HEADERS[k] for k in ("id", "stated_grade", "majority_grade", "share",
                                           "name", "reason")}
        head = (f"{_pad(h['id'], 8)} {_pad(h['stated_grade'], 8)} {_pad(h['majority_grade'], 8)} "
                f"{_pad(h['share'], 6)}  {_pad(h['name'], 18)} {h['reason']}")
        widths = (8, 8, 8, 6)
    else:
        head = f"{'id':<5} {'stated':>6} {'found':>5} {'share':>6}  {_pad('name', 18)} reason"
        widths = (5, 6, 5, 6)
    lines = [head]
    for r in shown.itertuples(index=False):
        found = "-" if pd.isna(r.majority_grade) else str(int(r.majority_grade))
        share = "-" if pd.isna(r.share) else f"{r.share:.0%}"
        mark = reason_text(r.reason, lang) if r.reason else word("audit_agrees", lang)
        stated = "-" if pd.isna(r.stated_grade) else str(int(r.stated_grade))
        w_id, w_stated, w_found, w_share = widths
        lines.append(f"{r.id:<{w_id}} {stated:>{w_stated}} {found:>{w_found}} "
                     f"{share:>{w_share}}  {_pad(r.name, 18)} {mark}")
    lines.append(word("audit_total", lang, agree=agree, n=n))
    return "\n".join(lines)


def audit_command(county: str | Path | None = None, map_path: str | Path | None = None,
                  output: str | Path | None = None, lang: str | None = None) -> None:
    """Print the audit of a built grade map (``map_path``), else of the county's (bundled) map,
    in ``lang`` (default: the county's).

    With ``output``, also write the table as ``.csv`` (UTF-8 with a byte-order mark, so
    spreadsheet programs show the Chinese names) or ``.xlsx``; in Chinese its columns and
    reasons are worded too.
    """
    from landgrade.engine.engine import load_grade_map
    from landgrade.gazette.county import county_folder, county_of_map

    inputs = [map_path, *county_inputs(county)]
    if output is not None:
        check_output(output, inputs, suffixes=TABLE_SUFFIXES)
    grade_map = load_grade_map(map_path=map_path, county=county)
    folder = (county_folder(county) if county is not None or map_path is None
              else county_of_map(grade_map.metadata))
    lang = lang_for(lang, folder.metadata if folder is not None else None)
    if grade_map.schematic:
        note = SCHEMATIC_NOTE if lang == "en" else word("schematic_short", lang)
        typer.echo(word("note_line", lang, text=word("audit_schematic", lang, note=note)))
    table = audit_grade_map(grade_map)
    typer.echo(format_audit(table, lang))
    if output is not None:
        write_table(localized_audit(table, lang), output, inputs)
        typer.echo(word("wrote", lang, path=output))
