"""Plot-ratio coefficients (容积率修正系数): straight lines between the listed ratios of each table.

Published systems say "容积率介于表中两者之间的，用内插法求取" (or show it in a worked example:
Tongdao's 4.58 → 1.4369 between 4.5 and 4.6). A ratio outside a table is never extrapolated: it gets
NaN and the status :data:`OUT_OF_TABLE`, unless the table's end row is published as open (``≤1`` /
``≥5``), in which case that row's coefficient holds beyond it, as the published table says.
A row's table is the one of its (use, grade); a table listed with a blank grade serves every grade
of its use that has no table of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from landgrade.valuation.table_rows import grade_key

__all__ = [
    "MISSING_RATIO",
    "NO_TABLE",
    "OK",
    "OUT_OF_TABLE",
    "PlotRatioLookup",
    "interpolate_plot_ratio",
    "row_groups",
    "table_keys",
    "table_of",
]

OK = "ok"
NO_TABLE = "no_plot_ratio_table"
OUT_OF_TABLE = "plot_ratio_out_of_table"
MISSING_RATIO = "no_plot_ratio"

# Tolerance for "on the end of the table": published ratios have 1–2 decimals.
_EDGE = 1e-9


@dataclass(frozen=True)
class PlotRatioLookup:
    """Coefficients and per-row status of one lookup.

    Attributes
    ----------
    coefficient : numpy.ndarray
        K_plot_ratio per row; NaN where status is not ``"ok"``.
    status : numpy.ndarray
        Object array of :data:`OK`, :data:`NO_TABLE`, :data:`OUT_OF_TABLE`, :data:`MISSING_RATIO`.
    """

    coefficient: NDArray[np.float64]
    status: NDArray[np.object_]


def interpolate_plot_ratio(
    table: pd.DataFrame, use: ArrayLike, grade: ArrayLike, plot_ratio: ArrayLike
) -> PlotRatioLookup:
    """Look up K_plot_ratio for every row, linear between listed ratios of its (use, grade) table.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``use``, ``grade``, ``plot_ratio`` (float), ``coefficient`` (float) and optionally
        ``bound`` (``"le"`` for a published ``≤x`` row, ``"ge"`` for ``≥x``, ``""`` otherwise).
        Ratios must be unique per (use, grade);
        :func:`~landgrade.valuation.corrections.load_corrections`
        guarantees it.
    use, grade : array_like
        Keys per row, compared as strings.
    plot_ratio : array_like
        The parcels' plot ratios.

    Returns
    -------
    PlotRatioLookup
        Coefficients and statuses aligned with the inputs.
    """
    ratio = np.asarray(plot_ratio, dtype=np.float64)
    n = ratio.shape[0]
    out = np.full(n, np.nan)
    status = np.full(n, NO_TABLE, dtype=object)
    if table is None or table.empty:
        status[np.isnan(ratio)] = MISSING_RATIO
        return PlotRatioLookup(out, status)

    has_bound = "bound" in table.columns
    keys, group_of_row = row_groups(table, use, grade)
    t_use, t_grade = table_keys(table)
    groups = [(k, table[(t_use == k[0]) & (t_grade == k[1])]) for k in keys]
    for gi, (_key, sub) in enumerate(groups):
        rows = np.flatnonzero(group_of_row == gi)
        if rows.size == 0:
            continue
        sub = sub.sort_values("plot_ratio")
        xs = sub["plot_ratio"].to_numpy(dtype=np.float64)
        ys = sub["coefficient"].to_numpy(dtype=np.float64)
        q = ratio[rows]
        low_open = has_bound and sub["bound"].iloc[0] == "le"
        high_open = has_bound and sub["bound"].iloc[-1] == "ge"
        inside = (q >= xs[0] - _EDGE) & (q <= xs[-1] + _EDGE)
        if low_open:
            inside |= q < xs[0]
        if high_open:
            inside |= q > xs[-1]
        values = np.interp(q, xs, ys)  # np.interp holds the end values flat beyond the ends
        good = inside & ~np.isnan(q)
        out[rows[good]] = values[good]
        row_status = np.where(np.isnan(q), MISSING_RATIO, np.where(inside, OK, OUT_OF_TABLE))
        status[rows] = row_status
    no_table = group_of_row < 0
    status[no_table & np.isnan(ratio)] = MISSING_RATIO
    return PlotRatioLookup(out, status)


def row_groups(
    table: pd.DataFrame, use: ArrayLike, grade: ArrayLike
) -> tuple[list[tuple[str, str]], NDArray[np.intp]]:
    """The (use, grade) tables of ``table``, in order of first appearance, and each row's one:
    its grade's own, else its use's every-grade table (blank grade); -1 where none.

    Rows are matched per distinct (use, grade) pair, never per row: a file has few of them.
    """
    t_use, t_grade = table_keys(table)
    keys = list(dict.fromkeys(zip(t_use, t_grade, strict=True)))
    pos = {k: i for i, k in enumerate(keys)}
    u_codes, u_uniq = _factorize(use)
    g_codes, g_uniq = _factorize(grade)
    width = len(g_uniq) + 1
    pair_codes, pairs = pd.factorize((u_codes + 1) * width + (g_codes + 1))
    lookup = np.full(len(pairs), -1, dtype=np.intp)
    for j, pair in enumerate(pairs):
        ui, gi = divmod(int(pair), width)
        if ui == 0:
            continue
        u, g = str(u_uniq[ui - 1]).strip(), grade_key(g_uniq[gi - 1]) if gi else ""
        lookup[j] = pos.get((u, g), pos.get((u, ""), -1))
    return keys, lookup[pair_codes]


def table_keys(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """A table's use and grade as compared: text, and grades read as ``1`` whether written
    ``一级``, ``1`` or ``Ⅰ级`` (a table built in code may hold integers)."""
    return (table["use"].astype(str).str.strip(),
            table["grade"].map(grade_key).astype(object))


def _factorize(values: ArrayLike) -> tuple[NDArray[np.intp], Any]:
    if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        return pd.factorize(values)
    return pd.factorize(np.asarray(values, dtype=object))


def table_of(table: pd.DataFrame, use: str, grade: str) -> pd.DataFrame:
    """The rows of ``table`` that serve one (use, grade), sorted by ratio: the grade's own
    table, else the use's every-grade table (blank grade), else an empty frame. Used to cite the
    rows a coefficient came from."""
    if table is None or table.empty:
        return table.iloc[0:0] if table is not None else pd.DataFrame()
    for g in (grade, ""):
        sub = table[(table["use"] == use) & (table["grade"] == g)]
        if len(sub):
            return sub.sort_values("plot_ratio")
    return table.iloc[0:0]
