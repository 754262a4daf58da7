"""The coefficient method over many parcels at once (基准地价系数修正法, GB/T 18508-2014).

P = P_base × (1 + ΣK_factors) × K_date × K_plot_ratio × K_term ± D_development

Every row gets a ``value_status``: :data:`OK`, or the first code (in the order of :data:`BLOCKING`)
of a missing or unusable input, in which case it has **no price**. All of a row's blocking codes are
in ``value_reasons``; corrections that were *left unapplied and said* are in ``value_notes`` and do
not block.

Which correction blocks and which is left unapplied and said:

- base price, use, rate (or a published term-table value at exactly the parcel's years), the
  connotation's term N, the remaining term, the plot ratio and its table — needed, they block;
- plot ratio of a use listed in ``plot_ratio_exempt_uses`` (e.g. industrial, where a system
  publishes no plot-ratio correction) — K = 1, note :data:`NOTE_PLOT_RATIO_EXEMPT`;
- factors: no factor table or no factor columns given — ΣK = 0, note
  :data:`NOTE_FACTORS_UNAPPLIED` (blocks with :data:`NO_FACTORS_TABLE` when ``require_factors``).
  When a table covers the row's (use, grade), every factor it lists needs a level: a missing one
  blocks (:data:`NO_FACTOR_LEVEL`), a level word the table does not know blocks
  (:data:`UNKNOWN_FACTOR_LEVEL`);
- date: with a land-price index, K_date = I(valuation date) / I(估价期日), linear in time
  between listed dates; a date outside the index blocks (:data:`DATE_OUTSIDE_INDEX`), a missing
  valuation date blocks (:data:`NO_VALUATION_DATE`). Without an index, K_date = 1: silently when
  the valuation date is the 估价期日, else note :data:`NOTE_DATE_UNAPPLIED` (blocks with
  :data:`NO_DATE_INDEX` when ``require_date_index``);
- development: a missing D is 0 (the parcel's development taken as the connotation's, e.g.
  五通一平), note :data:`NOTE_DEVELOPMENT_ASSUMED`;
- area: only the total needs it; a missing area leaves ``total_price`` NaN, note
  :data:`NOTE_NO_AREA`.

Nothing is rounded here: coefficients and prices are full floats. Published worked examples round
coefficients to 4 decimals and prices to 0.1 or 1 yuan/m²; round for display, not before
multiplying.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from landgrade.valuation import interpolate as _interp
from landgrade.valuation.corrections import Corrections, grade_key, parse_date
from landgrade.valuation.term import term_coefficient_unchecked

__all__ = [
    "BLOCKING",
    "DATE_OUTSIDE_INDEX",
    "NOTES",
    "NOTE_DATE_UNAPPLIED",
    "NOTE_DEVELOPMENT_ASSUMED",
    "NOTE_FACTORS_UNAPPLIED",
    "NOTE_FACTOR_NOT_IN_TABLE",
    "NOTE_NO_AREA",
    "NOTE_PLOT_RATIO_EXEMPT",
    "NOTE_TERM_FROM_TABLE",
    "NO_BASE_PRICE",
    "NO_BENCHMARK_TERM",
    "NO_DATE_INDEX",
    "NO_FACTORS_TABLE",
    "NO_FACTOR_LEVEL",
    "NO_PLOT_RATIO",
    "NO_PLOT_RATIO_TABLE",
    "NO_RATE",
    "NO_TERM",
    "NO_USE",
    "NO_VALUATION_DATE",
    "OK",
    "PLOT_RATIO_OUT_OF_TABLE",
    "TERM_EXCEEDS_BENCHMARK",
    "TERM_NEGATIVE",
    "UNKNOWN_FACTOR_LEVEL",
    "value_parcels",
]

OK = "ok"
# Blocking statuses, in the order value_status reports them.
NO_BASE_PRICE = "no_base_price"
NO_USE = "no_use"
NO_RATE = "no_rate"
NO_BENCHMARK_TERM = "no_benchmark_term"
NO_TERM = "no_term"
TERM_NEGATIVE = "term_negative"
TERM_EXCEEDS_BENCHMARK = "term_exceeds_benchmark"
NO_PLOT_RATIO = _interp.MISSING_RATIO
NO_PLOT_RATIO_TABLE = _interp.NO_TABLE
PLOT_RATIO_OUT_OF_TABLE = _interp.OUT_OF_TABLE
NO_VALUATION_DATE = "no_valuation_date"
NO_DATE_INDEX = "no_date_index"
DATE_OUTSIDE_INDEX = "date_outside_index"
NO_FACTORS_TABLE = "no_factors_table"
NO_FACTOR_LEVEL = "no_factor_level"
UNKNOWN_FACTOR_LEVEL = "unknown_factor_level"
BLOCKING: tuple[str, ...] = (
    NO_BASE_PRICE,
    NO_USE,
    NO_RATE,
    NO_BENCHMARK_TERM,
    NO_TERM,
    TERM_NEGATIVE,
    TERM_EXCEEDS_BENCHMARK,
    NO_PLOT_RATIO,
    NO_PLOT_RATIO_TABLE,
    PLOT_RATIO_OUT_OF_TABLE,
    NO_VALUATION_DATE,
    NO_DATE_INDEX,
    DATE_OUTSIDE_INDEX,
    NO_FACTORS_TABLE,
    NO_FACTOR_LEVEL,
    UNKNOWN_FACTOR_LEVEL,
)
# Notes: corrections left unapplied and said (the row still has a price).
NOTE_FACTORS_UNAPPLIED = "factors_unapplied"
NOTE_FACTOR_NOT_IN_TABLE = "factor_not_in_table"
NOTE_DATE_UNAPPLIED = "date_unapplied"
NOTE_TERM_FROM_TABLE = "term_from_table"
NOTE_PLOT_RATIO_EXEMPT = "plot_ratio_not_corrected"
NOTE_DEVELOPMENT_ASSUMED = "development_as_connotation"
NOTE_NO_AREA = "no_area"
NOTES: tuple[str, ...] = (
    NOTE_FACTORS_UNAPPLIED,
    NOTE_FACTOR_NOT_IN_TABLE,
    NOTE_DATE_UNAPPLIED,
    NOTE_TERM_FROM_TABLE,
    NOTE_PLOT_RATIO_EXEMPT,
    NOTE_DEVELOPMENT_ASSUMED,
    NOTE_NO_AREA,
)

_EPS = 1e-9


def _as_float(values: ArrayLike | None, n: int) -> NDArray[np.float64]:
    if values is None:
        return np.full(n, np.nan)
    return pd.to_numeric(pd.Series(np.asarray(values, dtype=object)), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )


def _as_key(values: ArrayLike, *, grade: bool = False) -> NDArray[np.object_]:
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object))
    codes, uniques = pd.factorize(s, use_na_sentinel=False)
    if grade:
        mapping = {u: grade_key(u) for u in uniques}
    else:
        mapping = {u: "" if u is None or u is pd.NA or u != u else str(u).strip() for u in uniques}
    keys = np.array([mapping[u] for u in uniques], dtype=object)
    return keys[codes]


def _as_dates(values: ArrayLike | None, n: int) -> NDArray[np.datetime64]:
    if values is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    s = pd.Series(np.asarray(values, dtype=object))
    parsed = pd.to_datetime(s, errors="coerce", format="mixed")
    text = s[parsed.isna() & s.notna()]
    if len(text):
        fixed = {}
        for t in pd.unique(text):
            try:
                fixed[t] = parse_date(str(t))
            except ValueError:
                fixed[t] = pd.NaT
        parsed[text.index] = text.map(fixed)
    return parsed.to_numpy(dtype="datetime64[ns]")


def _term(
    use: NDArray[np.object_],
    years: NDArray[np.float64],
    corrections: Corrections,
    benchmark_years: Mapping[str, float],
) -> tuple[NDArray[np.float64], dict[str, NDArray[np.bool_]]]:
    n = years.shape[0]
    rate = pd.Series(use).map(corrections.rate_by_use()).to_numpy(dtype=np.float64, na_value=np.nan)
    big_n = pd.Series(use).map(dict(benchmark_years)).to_numpy(dtype=np.float64, na_value=np.nan)
    k = term_coefficient_unchecked(rate, years, big_n)
    from_table = np.zeros(n, dtype=bool)
    if not corrections.term.empty:
        table = corrections.term.set_index(["use", "years"])["coefficient"]
        need = np.isnan(rate) & ~np.isnan(years)
        if need.any():
            idx = pd.MultiIndex.from_arrays([use[need], years[need]])
            found = table.reindex(idx).to_numpy(dtype=np.float64, na_value=np.nan)
            rows = np.flatnonzero(need)
            hit = ~np.isnan(found)
            k[rows[hit]] = found[hit]
            from_table[rows[hit]] = True
    has_rate = ~np.isnan(rate) | from_table
    flags = {
        NO_RATE: ~has_rate,
        NO_BENCHMARK_TERM: np.isnan(big_n) & ~from_table,
        NO_TERM: np.isnan(years),
        TERM_NEGATIVE: years < 0,
        TERM_EXCEEDS_BENCHMARK: years > big_n + _EPS,
        NOTE_TERM_FROM_TABLE: from_table,
    }
    return k, flags


def _date(
    dates: NDArray[np.datetime64],
    corrections: Corrections,
    benchmark_date: pd.Timestamp | None,
    require_date_index: bool,
) -> tuple[NDArray[np.float64], dict[str, NDArray[np.bool_]]]:
    n = dates.shape[0]
    missing = np.isnat(dates)
    index = corrections.date_index
    if index.empty:
        if benchmark_date is None:
            differs = np.ones(n, dtype=bool)
        else:
            differs = missing | (dates != np.datetime64(benchmark_date, "ns"))
        flags = {
            NO_DATE_INDEX: differs if require_date_index else np.zeros(n, dtype=bool),
            NOTE_DATE_UNAPPLIED: differs if not require_date_index else np.zeros(n, dtype=bool),
        }
        return np.ones(n), flags
    xs = index["date"].to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
    ys = index["index"].to_numpy(dtype=np.float64)
    q = dates.astype(np.int64).astype(np.float64)
    outside = ~missing & ((q < xs[0]) | (q > xs[-1]))
    if benchmark_date is None:
        base_value = np.nan
        outside |= True
    else:
        b = float(np.datetime64(benchmark_date, "ns").astype(np.int64))
        base_value = float(np.interp(b, xs, ys)) if xs[0] <= b <= xs[-1] else np.nan
        if np.isnan(base_value):
            outside |= True
    k = np.interp(q, xs, ys) / base_value
    k[missing | outside] = np.nan
    return k, {NO_VALUATION_DATE: missing, DATE_OUTSIDE_INDEX: outside & ~missing}


def _level_codes(values: ArrayLike) -> tuple[NDArray[np.intp], NDArray[np.object_]]:
    """Factorise level words; missing → ``""``; stripped, so `` 优`` and ``优`` are one level."""
    data = values if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    raw_codes, raw = pd.factorize(data, use_na_sentinel=True)
    cleaned = np.array([str(u).strip() for u in raw] + [""], dtype=object)
    remap, uniques = pd.factorize(cleaned)
    return remap[raw_codes], np.asarray(uniques, dtype=object)  # code -1 → the appended ""


def _factors(
    use: NDArray[np.object_],
    grade: NDArray[np.object_],
    levels: pd.DataFrame | None,
    corrections: Corrections,
    require_factors: bool,
) -> tuple[NDArray[np.float64], dict[str, NDArray[np.bool_]]]:
    n = use.shape[0]
    zeros = np.zeros(n, dtype=bool)
    table = corrections.factors
    if table.empty or levels is None or levels.shape[1] == 0:
        unapplied = np.ones(n, dtype=bool)
        flags = {
            NO_FACTORS_TABLE: unapplied if require_factors else zeros,
            NOTE_FACTORS_UNAPPLIED: zeros if require_factors else unapplied,
        }
        return np.zeros(n), flags
    # Integer codes throughout: group = (use, grade) of the table, level = factorised words.
    groups = table[["use", "grade"]].drop_duplicates().reset_index(drop=True)
    group_index = pd.MultiIndex.from_frame(groups)
    gid = group_index.get_indexer(pd.MultiIndex.from_arrays([use, grade]))
    covered = gid >= 0
    g_safe = np.where(covered, gid, 0)
    table_gid = group_index.get_indexer(pd.MultiIndex.from_frame(table[["use", "grade"]]))
    given = {str(c): levels[c] for c in levels.columns}
    total = np.zeros(n)
    no_level = np.zeros(n, dtype=bool)
    unknown = np.zeros(n, dtype=bool)
    not_in_table = np.zeros(n, dtype=bool)
    factor_names = pd.unique(table["factor"])
    for factor in set(factor_names) | set(given):
        in_table = table["factor"].to_numpy() == factor
        required_by_group = np.zeros(len(groups), dtype=bool)
        required_by_group[table_gid[in_table]] = True
        required = covered & required_by_group[g_safe]
        if factor in given:
            codes, uniques = _level_codes(given[factor])
        else:
            codes, uniques = np.zeros(n, dtype=np.int64), np.array([""], dtype=object)
        empty = uniques[codes] == ""
        pct = np.full((len(groups), len(uniques)), np.nan)
        level_code = pd.Index(uniques).get_indexer(table.loc[in_table, "level"].to_numpy())
        known = level_code >= 0
        pct[table_gid[in_table][known], level_code[known]] = table.loc[
            in_table, "percent"
        ].to_numpy()[known]
        value = pct[g_safe, codes]
        no_level |= required & empty
        unknown |= required & ~empty & np.isnan(value)
        total += np.where(required & ~np.isnan(value), value, 0.0)
        not_in_table |= covered & ~required & ~empty
    flags = {
        NO_FACTORS_TABLE: ~covered if require_factors else zeros,
        NO_FACTOR_LEVEL: no_level,
        UNKNOWN_FACTOR_LEVEL: unknown,
        NOTE_FACTORS_UNAPPLIED: zeros if require_factors else ~covered,
        NOTE_FACTOR_NOT_IN_TABLE: not_in_table,
    }
    return total / 100.0, flags


def _join_codes(flags: dict[str, NDArray[np.bool_]], order: tuple[str, ...], n: int) -> NDArray:
    out = np.full(n, "", dtype=object)
    for code in order:
        mask = flags.get(code)
        if mask is not None and mask.any():
            out[mask] = out[mask] + code + ";"
    return np.array([s[:-1] for s in out], dtype=object) if n else out


def value_parcels(
    *,
    base_price: ArrayLike,
    use: ArrayLike,
    grade: ArrayLike,
    remaining_years: ArrayLike,
    plot_ratio: ArrayLike,
    corrections: Corrections,
    benchmark_years: Mapping[str, float],
    benchmark_date: str | pd.Timestamp | None = None,
    valuation_date: ArrayLike | None = None,
    factor_levels: pd.DataFrame | None = None,
    development: ArrayLike | None = None,
    area: ArrayLike | None = None,
    plot_ratio_exempt_uses: Collection[str] = (),
    require_date_index: bool = False,
    require_factors: bool = False,
) -> pd.DataFrame:
    """Value every parcel by the coefficient method.

    Parameters
    ----------
    base_price : array_like
        P_base per row, yuan/m² (the benchmark price of the row's use and grade).
    use, grade : array_like
        Land use as the correction tables name it; grade in any of ``一级``/``1``/``Ⅰ级`` forms.
    remaining_years : array_like
        Remaining term n in years (fractions allowed).
    plot_ratio : array_like
        The parcel's plot ratio (容积率).
    corrections : Corrections
        The county's tables, from :func:`~landgrade.valuation.corrections.load_corrections`.
    benchmark_years : mapping of str to float
        The connotation's term N per use (e.g. ``{"商服用地": 40, "住宅用地": 70}``).
    benchmark_date : str or pandas.Timestamp, optional
        The connotation's 估价期日 (e.g. ``"2021-10-01"``).
    valuation_date : array_like, optional
        The valuation date per row.
    factor_levels : pandas.DataFrame, optional
        One column per factor (named as in ``factors.csv``), one row per parcel, values the
        level words.
    development : array_like, optional
        D_development per row, yuan/m², signed (+ when the parcel is more developed than the
        connotation).
    area : array_like, optional
        Parcel area, m², for ``total_price``.
    plot_ratio_exempt_uses : collection of str, optional
        Uses the system does not correct for plot ratio (K = 1, noted).
    require_date_index, require_factors : bool, default False
        Make a missing index / factor table block the row instead of being left unapplied and said.

    Returns
    -------
    pandas.DataFrame
        Columns ``k_factors`` (ΣK as a fraction), ``k_date``, ``k_plot_ratio``, ``k_term``,
        ``d_development``, ``unit_price``, ``total_price``, ``value_status``, ``value_reasons``,
        ``value_notes``; one row per input row, indexed like ``base_price`` when it is a Series.
    """
    index = base_price.index if isinstance(base_price, pd.Series) else None
    price = _as_float(base_price, len(np.asarray(base_price, dtype=object)))
    n = price.shape[0]
    use_k = _as_key(use)
    grade_k = _as_key(grade, grade=True)
    years = _as_float(remaining_years, n)
    ratio = _as_float(plot_ratio, n)
    flags: dict[str, NDArray[np.bool_]] = {
        NO_BASE_PRICE: ~(price > 0),
        NO_USE: use_k == "",
    }

    k_term, term_flags = _term(use_k, years, corrections, benchmark_years)
    flags.update(term_flags)

    exempt = np.isin(use_k, list(plot_ratio_exempt_uses))
    lookup = _interp.interpolate_plot_ratio(corrections.plot_ratio, use_k, grade_k, ratio)
    k_plot = np.where(exempt, 1.0, lookup.coefficient)
    for code in (NO_PLOT_RATIO, NO_PLOT_RATIO_TABLE, PLOT_RATIO_OUT_OF_TABLE):
        flags[code] = (lookup.status == code) & ~exempt
    flags[NOTE_PLOT_RATIO_EXEMPT] = exempt

    bdate = (
        None
        if benchmark_date is None
        else pd.Timestamp(
            parse_date(benchmark_date) if isinstance(benchmark_date, str) else benchmark_date
        )
    )
    k_date, date_flags = _date(_as_dates(valuation_date, n), corrections, bdate, require_date_index)
    flags.update(date_flags)

    k_factors, factor_flags = _factors(use_k, grade_k, factor_levels, corrections, require_factors)
    flags.update(factor_flags)

    d = _as_float(development, n)
    flags[NOTE_DEVELOPMENT_ASSUMED] = np.isnan(d)
    d = np.where(np.isnan(d), 0.0, d)

    blocked = np.zeros(n, dtype=bool)
    for code in BLOCKING:
        blocked |= flags.get(code, np.zeros(n, dtype=bool))
    with np.errstate(invalid="ignore"):
        unit = price * (1.0 + k_factors) * k_date * k_plot * k_term + d
    unit = np.where(blocked, np.nan, unit)
    a = _as_float(area, n)
    flags[NOTE_NO_AREA] = np.isnan(a) & ~blocked
    total = unit * a

    status = np.select(
        [flags.get(code, np.zeros(n, dtype=bool)) for code in BLOCKING], list(BLOCKING), OK
    ).astype(object)
    return pd.DataFrame(
        {
            "k_factors": k_factors,
            "k_date": k_date,
            "k_plot_ratio": k_plot,
            "k_term": k_term,
            "d_development": d,
            "unit_price": unit,
            "total_price": total,
            "value_status": status,
            "value_reasons": _join_codes(flags, BLOCKING, n),
            "value_notes": _join_codes(flags, NOTES, n),
        },
        index=index,
    )
