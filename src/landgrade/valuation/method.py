"""The coefficient method over many parcels at once (基准地价系数修正法, GB/T 18508-2014).

P = P_base × (1 + ΣK_factors) × K_date × K_plot_ratio × K_term ± D_development

Every row gets a ``value_status``: :data:`VALUED`, or every code (in the order of
:data:`BLOCKING`, joined by ``;``) of a missing or unusable input, in which case it has **no
price**. Corrections that were *left unapplied and said* are in ``value_notes`` (order of
:data:`NOTES`) and do not block.

A correction whose parcel condition equals the benchmark's connotation needs no table: K_term = 1
when the remaining term is the connotation's N, K_plot_ratio = 1 at the benchmark's own plot
ratio, K_date = 1 on the 估价期日, D = 0 for the connotation's development. Otherwise:

- term: K = [1 − 1/(1+r)^n] / [1 − 1/(1+r)^N] with the use's rate; a published term table
  overrides it at the years it lists (note :data:`NOTE_TERM_FROM_TABLE`). No rate and no listed
  year blocks (:data:`NO_RATE`), as do a missing or negative n and n > N;
- plot ratio: K = c(parcel's ratio) / c(benchmark's ratio) from the use's (grade's) table, linear
  between listed ratios; no table, a ratio outside it or a missing ratio blocks; a use the county
  does not correct for plot ratio (``plot_ratio_exempt_uses``) gets K = 1, noted;
- factors: ΣK = the sum of the percents of each factor's level in the table of the row's use and
  grade; a factor not given counts as 一般 (note :data:`NOTE_FACTOR_ASSUMED_AVERAGE`); a level the
  table does not list blocks; no table for the row: ΣK = 0, note :data:`NOTE_FACTORS_UNAPPLIED`
  (blocks with ``require_factors``);
- date: K = I(valuation date) / I(估价期日), linear in time between listed dates; a date outside
  the index or a missing valuation date blocks. No index: K = 1, note :data:`NOTE_DATE_UNAPPLIED`
  (blocks with ``require_date_index``);
- development: D = Σ yuan/m² of the items the parcel has beyond the connotation's − Σ of those it
  lacks; an item the table does not price blocks; no table (or no benchmark items): D = 0, note
  :data:`NOTE_DEVELOPMENT_UNAPPLIED`; no development given: D = 0, note
  :data:`NOTE_DEVELOPMENT_AS_CONNOTATION`;
- area: only the total needs it; a missing area leaves ``total_price`` empty, note
  :data:`NOTE_NO_AREA`.

Nothing is rounded here: coefficients and prices are full floats. Published worked examples round
coefficients to 4 decimals and prices to 0.1 or 1 yuan/m²; round for display, not before
multiplying.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from landgrade.valuation import interpolate as _interp
from landgrade.valuation.corrections import Corrections
from landgrade.valuation.table_rows import LEVELS, grade_key, level_key, parse_date
from landgrade.valuation.term import term_coefficient_unchecked

VALUED = "valued"
# Blocking statuses, in the order value_status lists them.
NO_BASE_PRICE = "no_base_price"
NO_USE = "no_use"
UNKNOWN_USE = "unknown_use"
BENCHMARK_EXPIRED = "benchmark_expired"
NO_TERM = "no_term"
TERM_NEGATIVE = "term_negative"
NO_BENCHMARK_TERM = "no_benchmark_term"
TERM_EXCEEDS_BENCHMARK = "term_exceeds_benchmark"
NO_RATE = "no_rate"
NO_PLOT_RATIO = _interp.MISSING_RATIO
NO_BENCHMARK_PLOT_RATIO = "no_benchmark_plot_ratio"
NO_PLOT_RATIO_TABLE = _interp.NO_TABLE
PLOT_RATIO_OUT_OF_TABLE = _interp.OUT_OF_TABLE
BENCHMARK_PLOT_RATIO_OUT_OF_TABLE = "benchmark_plot_ratio_out_of_table"
NO_VALUATION_DATE = "no_valuation_date"
NO_DATE_INDEX = "no_date_index"
DATE_OUTSIDE_INDEX = "date_outside_index"
NO_FACTORS_TABLE = "no_factors_table"
NO_FACTOR_LEVEL = "no_factor_level"
UNKNOWN_FACTOR_LEVEL = "unknown_factor_level"
NO_DEVELOPMENT_ITEM = "no_development_item"
BLOCKING: tuple[str, ...] = (
    NO_BASE_PRICE, NO_USE, UNKNOWN_USE, BENCHMARK_EXPIRED, NO_TERM, TERM_NEGATIVE,
    NO_BENCHMARK_TERM, TERM_EXCEEDS_BENCHMARK, NO_RATE, NO_PLOT_RATIO, NO_BENCHMARK_PLOT_RATIO,
    NO_PLOT_RATIO_TABLE, PLOT_RATIO_OUT_OF_TABLE, BENCHMARK_PLOT_RATIO_OUT_OF_TABLE,
    NO_VALUATION_DATE, NO_DATE_INDEX, DATE_OUTSIDE_INDEX, NO_FACTORS_TABLE, NO_FACTOR_LEVEL,
    UNKNOWN_FACTOR_LEVEL, NO_DEVELOPMENT_ITEM,
)  # fmt: skip
# Notes: corrections left unapplied (or assumed) and said; the row keeps its price.
NOTE_FACTORS_UNAPPLIED = "factors_unapplied"
NOTE_FACTOR_ASSUMED_AVERAGE = "factor_assumed_average"
NOTE_FACTOR_NOT_IN_TABLE = "factor_not_in_table"
NOTE_DATE_UNAPPLIED = "date_unapplied"
NOTE_TERM_FROM_TABLE = "term_from_table"
NOTE_PLOT_RATIO_EXEMPT = "plot_ratio_not_corrected"
NOTE_DEVELOPMENT_UNAPPLIED = "development_unapplied"
NOTE_DEVELOPMENT_AS_CONNOTATION = "development_as_connotation"
NOTE_NO_AREA = "no_area"
NOTE_ACROSS_GRADES = "across_grades"
NOTE_PARTLY_OUTSIDE = "partly_outside_extent"
NOTE_PAST_UPDATE_PERIOD = "benchmark_past_update_period"
NOTES: tuple[str, ...] = (
    NOTE_FACTORS_UNAPPLIED, NOTE_FACTOR_ASSUMED_AVERAGE, NOTE_FACTOR_NOT_IN_TABLE,
    NOTE_DATE_UNAPPLIED, NOTE_TERM_FROM_TABLE, NOTE_PLOT_RATIO_EXEMPT, NOTE_DEVELOPMENT_UNAPPLIED,
    NOTE_DEVELOPMENT_AS_CONNOTATION, NOTE_NO_AREA, NOTE_ACROSS_GRADES, NOTE_PARTLY_OUTSIDE,
    NOTE_PAST_UPDATE_PERIOD,
)  # fmt: skip
COLUMNS = ("k_factors", "k_date", "k_plot_ratio", "k_term", "d_development", "unit_price",
           "total_price", "value_status", "value_notes")

_EPS = 1e-9
_ITEM_SPLIT = re.compile(r"[,，、;；/\s]+")
Flags = dict[str, NDArray[np.bool_]]


def _as_float(values: ArrayLike | None, n: int) -> NDArray[np.float64]:
    if values is None:
        return np.full(n, np.nan)
    if np.ndim(values) == 0:
        values = np.full(n, values, dtype=object)
    if isinstance(values, pd.Series | np.ndarray) and pd.api.types.is_numeric_dtype(values.dtype) \
            and not pd.api.types.is_bool_dtype(values.dtype):
        return np.asarray(pd.Series(values).astype("float64").to_numpy(na_value=np.nan))
    return pd.to_numeric(pd.Series(np.asarray(values, dtype=object)), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )


def factorize(values: ArrayLike) -> tuple[NDArray[np.intp], NDArray[np.object_]]:
    """Codes (-1 for missing) and distinct values: pandas columns as they are (Arrow strings
    factorise fast, converting them to objects does not), anything else as an object array
    (pandas would first turn 100k texts into Arrow strings)."""
    if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        codes, uniques = pd.factorize(values)
    else:
        codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return codes, np.asarray(uniques, dtype=object)


def _keys(values: ArrayLike, n: int, *, grade: bool = False) -> NDArray[np.object_]:
    """Per-row keys, computed once per distinct value (a file has few uses and grades)."""
    if np.ndim(values) == 0:
        values = [values] * n
    codes, uniques = factorize(values)
    if grade:
        keys = [grade_key(u) for u in uniques]
    else:
        keys = [str(u).strip() for u in uniques]
    return np.array([*keys, ""], dtype=object)[np.where(codes < 0, len(keys), codes)]


def as_dates(values: ArrayLike | None, n: int) -> NDArray[np.datetime64]:
    """Per-row dates from ISO text, 2021年10月1日, 2021.10.1, timestamps; NaT where none."""
    if values is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if np.ndim(values) == 0 or isinstance(values, str):
        values = [values] * n
    codes, uniques = factorize(values)
    parsed = []
    for u in uniques:
        parsed.append(_one_date(u))
    table = pd.DatetimeIndex([*parsed, pd.NaT]).to_numpy(dtype="datetime64[ns]")
    return table[np.where(codes < 0, len(parsed), codes)]


def _one_date(value: object) -> pd.Timestamp:
    """One date from any of the forms a valuer types or a file holds; NaT when none."""
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError:
            pass
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        return pd.NaT
    return stamp if stamp is pd.NaT else stamp.normalize().tz_localize(None)


def _term(
    use: NDArray[np.object_], years: NDArray[np.float64], big_n: NDArray[np.float64],
    corrections: Corrections,
) -> tuple[NDArray[np.float64], Flags]:
    rates = corrections.rate_by_use()
    codes, uniques = pd.factorize(use)
    rate = np.array([rates.get(u, np.nan) for u in uniques] + [np.nan])[codes]
    k = term_coefficient_unchecked(rate, years, big_n)
    equal = np.abs(years - big_n) <= _EPS
    k[equal] = 1.0
    from_table = np.zeros(years.shape[0], dtype=bool)
    need = ~np.isnan(years) & ~equal
    for table_use, sub in corrections.term.groupby("use", sort=False):  # a published table
        rows = np.flatnonzero(need & (use == table_use))  # overrides at the years it lists
        listed = sub.sort_values("years")
        ys = listed["years"].to_numpy(dtype=np.float64)
        at = np.clip(np.searchsorted(ys, years[rows]), 0, len(ys) - 1)
        hit = ys[at] == years[rows]
        k[rows[hit]] = listed["coefficient"].to_numpy(dtype=np.float64)[at[hit]]
        from_table[rows[hit]] = True
    missing, unknown_n = np.isnan(years), np.isnan(big_n)
    usable = ~missing & ~unknown_n & (years >= 0) & (years <= big_n + _EPS)
    flags = {
        NO_TERM: missing,
        TERM_NEGATIVE: years < 0,
        NO_BENCHMARK_TERM: unknown_n & ~from_table,
        TERM_EXCEEDS_BENCHMARK: years > big_n + _EPS,
        NO_RATE: usable & np.isnan(rate) & ~from_table & ~equal,
        NOTE_TERM_FROM_TABLE: from_table,
    }
    k[~(usable | from_table)] = np.nan
    return k, flags


def _plot_ratio(
    use: NDArray[np.object_], grade: NDArray[np.object_], ratio: NDArray[np.float64],
    bench: NDArray[np.float64] | None, corrections: Corrections, exempt_uses: Collection[str],
) -> tuple[NDArray[np.float64], Flags]:
    exempt = np.isin(use, list(exempt_uses))
    look = _interp.interpolate_plot_ratio(corrections.plot_ratio, use, grade, ratio)
    k = look.coefficient.copy()
    zeros = np.zeros(ratio.shape[0], dtype=bool)
    no_bench = bench_out = equal = zeros
    if bench is not None:
        equal = np.abs(ratio - bench) <= _EPS
        base = _interp.interpolate_plot_ratio(corrections.plot_ratio, use, grade, bench)
        k = k / base.coefficient
        no_bench = np.isnan(bench) & ~np.isnan(ratio)
        bench_out = (look.status == _interp.OK) & (base.status == _interp.OUT_OF_TABLE)
        k[equal] = 1.0
    k[exempt] = 1.0
    keep = ~exempt & ~equal
    flags = {
        NO_PLOT_RATIO: (look.status == NO_PLOT_RATIO) & ~exempt,
        NO_BENCHMARK_PLOT_RATIO: no_bench & keep,
        NO_PLOT_RATIO_TABLE: (look.status == NO_PLOT_RATIO_TABLE) & keep & ~no_bench,
        PLOT_RATIO_OUT_OF_TABLE: (look.status == PLOT_RATIO_OUT_OF_TABLE) & keep,
        BENCHMARK_PLOT_RATIO_OUT_OF_TABLE: bench_out & keep,
        NOTE_PLOT_RATIO_EXEMPT: exempt,
    }
    return k, flags


def _date(
    dates: NDArray[np.datetime64], bench: NDArray[np.datetime64], corrections: Corrections,
    require_date_index: bool,
) -> tuple[NDArray[np.float64], Flags]:
    missing = np.isnat(dates)
    equal = ~missing & (dates == bench)
    index = corrections.date_index
    if index.empty:
        unapplied = ~missing & ~equal
        k = np.where(missing, np.nan, 1.0)
        none = np.zeros(dates.shape[0], dtype=bool)
        return k, {
            NO_VALUATION_DATE: missing,
            NO_DATE_INDEX: unapplied if require_date_index else none,
            NOTE_DATE_UNAPPLIED: none if require_date_index else unapplied,
        }
    xs = index["date"].to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
    ys = index["index"].to_numpy(dtype=np.float64)
    q = dates.astype(np.int64).astype(np.float64)
    b = bench.astype(np.int64).astype(np.float64)
    q_out = (q < xs[0]) | (q > xs[-1])
    b_out = np.isnat(bench) | (b < xs[0]) | (b > xs[-1])
    with np.errstate(invalid="ignore", divide="ignore"):
        k = np.interp(q, xs, ys) / np.interp(b, xs, ys)
    outside = ~missing & ~equal & (q_out | b_out)
    k[equal] = 1.0
    k[missing | outside] = np.nan
    return k, {NO_VALUATION_DATE: missing, DATE_OUTSIDE_INDEX: outside}


def _factors(
    use: NDArray[np.object_], grade: NDArray[np.object_], levels: pd.DataFrame | None,
    corrections: Corrections, require_factors: bool,
) -> tuple[NDArray[np.float64], Flags]:
    n = use.shape[0]
    none = np.zeros(n, dtype=bool)
    table = corrections.factors
    if table.empty:
        flags = {NO_FACTORS_TABLE: ~none if require_factors else none,
                 NOTE_FACTORS_UNAPPLIED: none if require_factors else ~none}
        return np.zeros(n), flags
    groups, gid = _interp.row_groups(table, use, grade)
    covered = gid >= 0
    g = np.where(covered, gid, 0)
    position = {k: i for i, k in enumerate(groups)}
    table_gid = np.array([position[k] for k in zip(*_interp.table_keys(table), strict=True)])
    table_level = pd.Index(LEVELS).get_indexer(table["level"].to_numpy())
    average = LEVELS.index("一般")
    given = {} if levels is None else {str(c): levels[c] for c in levels.columns}
    total = np.zeros(n)
    flags = {k: none.copy() for k in (NO_FACTOR_LEVEL, UNKNOWN_FACTOR_LEVEL,
                                      NOTE_FACTOR_ASSUMED_AVERAGE, NOTE_FACTOR_NOT_IN_TABLE)}
    for factor in list(pd.unique(table["factor"])) + [f for f in given if f not in
                                                       set(table["factor"])]:
        in_table = (table["factor"] == factor).to_numpy()
        pct = np.full((len(groups), len(LEVELS) + 1), np.nan)  # last column: not a level
        pct[table_gid[in_table], table_level[in_table]] = table["percent"].to_numpy()[in_table]
        required = covered & ~np.isnan(pct[:, :-1]).all(axis=1)[g]
        if factor in given:
            codes, uniques = factorize(given[factor])
            words = [level_key(u) for u in uniques] + [""]
            level_idx = np.array([LEVELS.index(w) if w in LEVELS else len(LEVELS) for w in words])
            empty = np.array([w == "" for w in words])[codes]  # code -1 reads the appended ""
            idx = level_idx[codes]
        else:
            empty, idx = ~none, np.full(n, len(LEVELS))
        value = pct[g, np.where(empty, average, idx)]
        assumed = required & empty
        flags[NOTE_FACTOR_ASSUMED_AVERAGE] |= assumed
        flags[NO_FACTOR_LEVEL] |= assumed & np.isnan(value)
        flags[UNKNOWN_FACTOR_LEVEL] |= required & ~empty & np.isnan(value)
        flags[NOTE_FACTOR_NOT_IN_TABLE] |= covered & ~required & ~empty
        total += np.where(required & ~np.isnan(value), value, 0.0)
    flags[NO_FACTORS_TABLE] = ~covered if require_factors else none
    flags[NOTE_FACTORS_UNAPPLIED] = none if require_factors else ~covered
    return total / 100.0, flags


def development_items(value: object) -> tuple[str, ...] | None:
    """A parcel's development items from ``通路,通电、通讯`` (or a list); None when not given."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        items = [p for p in _ITEM_SPLIT.split(value.strip()) if p]
    else:
        items = [str(p).strip() for p in value if str(p).strip()]
    return tuple(dict.fromkeys(items)) if items else None


def _development(
    use: NDArray[np.object_], items: ArrayLike | None, benchmark: Sequence[str],
    benchmark_name: str | None, corrections: Corrections,
) -> tuple[NDArray[np.float64], Flags]:
    n = use.shape[0]
    d = np.zeros(n)
    flags = {k: np.zeros(n, dtype=bool) for k in (
        NO_DEVELOPMENT_ITEM, NOTE_DEVELOPMENT_UNAPPLIED, NOTE_DEVELOPMENT_AS_CONNOTATION)}
    if items is None:
        flags[NOTE_DEVELOPMENT_AS_CONNOTATION][:] = True
        return d, flags
    item_codes, item_uniq = factorize(items)
    texts = [development_items(v) or () for v in item_uniq] + [()]
    use_codes, use_uniq = factorize(use)
    pair = use_codes.astype(np.int64) * (len(texts) + 1) + np.where(item_codes < 0,
                                                                     len(texts) - 1, item_codes)
    codes, uniques = pd.factorize(pair)
    table = corrections.development
    cost = {(u, i): c for u, i, c in zip(table["use"], table["item"], table["yuan_per_m2"],
                                         strict=True)}
    bench = set(benchmark)
    for j, key in enumerate(uniques):
        u_code, t_code = divmod(int(key), len(texts) + 1)
        row_use, given = str(use_uniq[u_code]), list(texts[t_code])
        rows = codes == j
        if not given:
            flags[NOTE_DEVELOPMENT_AS_CONNOTATION][rows] = True
            continue
        parcel = bench if benchmark_name and given == [benchmark_name] else set(given)
        changed = sorted(parcel ^ bench)
        if not changed:
            continue
        if not bench or not any(u in (row_use, "") for u, _ in cost):
            flags[NOTE_DEVELOPMENT_UNAPPLIED][rows] = True
            continue
        prices = [cost.get((row_use, i), cost.get(("", i))) for i in changed]
        if any(p is None for p in prices):
            flags[NO_DEVELOPMENT_ITEM][rows] = True
            continue
        d[rows] = sum(p if i in parcel else -p for i, p in zip(changed, prices, strict=True))
    return d, flags


# What a row without a benchmark (no use, an unknown use, no base price) cannot have anyway: its
# connotation and its tables follow from the benchmark, so only the parcel's own inputs are said.
_FROM_BENCHMARK = (
    NO_BENCHMARK_TERM, NO_RATE, NO_BENCHMARK_PLOT_RATIO, NO_PLOT_RATIO_TABLE,
    PLOT_RATIO_OUT_OF_TABLE, BENCHMARK_PLOT_RATIO_OUT_OF_TABLE, NO_DATE_INDEX, DATE_OUTSIDE_INDEX,
    NO_FACTORS_TABLE, NO_FACTOR_LEVEL, UNKNOWN_FACTOR_LEVEL, NO_DEVELOPMENT_ITEM, *NOTES,
)  # fmt: skip


def _drop_consequences(flags: Flags, n: int) -> NDArray[np.bool_]:
    """Clear, on rows without a benchmark, the codes that follow from it; returns those rows."""
    none = np.zeros(n, dtype=bool)
    no_use = flags.get(NO_USE, none) | flags.get(UNKNOWN_USE, none)
    flags[NO_BASE_PRICE] = flags[NO_BASE_PRICE] & ~no_use
    without = no_use | flags[NO_BASE_PRICE]
    if without.any():
        for code in _FROM_BENCHMARK:
            if code in flags:
                flags[code] = flags[code] & ~without
    return without


def join_codes(flags: Flags, order: tuple[str, ...], n: int, empty: str = "") -> pd.Series:
    """Per row, the codes set in ``flags`` in ``order`` joined by ``;`` (``empty`` for none), as
    a string column built from one text per distinct combination, not one per row."""
    bits = np.zeros(n, dtype=np.int64)
    for i, code in enumerate(order):
        mask = flags.get(code)
        if mask is not None:
            bits |= mask.astype(np.int64) << i
    uniques, inverse = np.unique(bits, return_inverse=True)
    texts = [";".join(c for i, c in enumerate(order) if u >> i & 1) or empty for u in uniques]
    return pd.Series(pd.array(texts, dtype="string")).take(inverse.reshape(-1)).reset_index(
        drop=True)


def value_parcels(
    *,
    base_price: ArrayLike,
    use: ArrayLike,
    grade: ArrayLike,
    remaining_years: ArrayLike,
    plot_ratio: ArrayLike,
    corrections: Corrections,
    benchmark_years: Mapping[str, float] | ArrayLike,
    benchmark_plot_ratio: ArrayLike | None = None,
    benchmark_date: str | pd.Timestamp | ArrayLike | None = None,
    valuation_date: ArrayLike | None = None,
    factor_levels: pd.DataFrame | None = None,
    development: ArrayLike | None = None,
    development_items: ArrayLike | None = None,
    benchmark_development: Sequence[str] = (),
    benchmark_development_name: str | None = None,
    area: ArrayLike | None = None,
    plot_ratio_exempt_uses: Collection[str] = (),
    require_date_index: bool = False,
    require_factors: bool = False,
    blocks: Flags | None = None,
    notes: Flags | None = None,
) -> pd.DataFrame:
    """Value every parcel by the coefficient method (see the module docstring).

    Parameters
    ----------
    base_price : array_like
        P_base per row, yuan/m² (the benchmark price of the row's use and grade).
    use, grade : array_like
        Land use as the correction tables name it; grade in any of ``一级``/``1``/``Ⅰ级`` forms.
    remaining_years, plot_ratio : array_like
        The parcel's remaining term n (years, fractions allowed) and plot ratio (容积率).
    corrections : Corrections
        The county's tables (:func:`~landgrade.valuation.corrections.load_corrections`).
    benchmark_years : mapping of use to years, or array_like
        The connotation's term N, per use or per row.
    benchmark_plot_ratio : array_like, optional
        The connotation's plot ratio per row; K = c(ratio) / c(benchmark ratio). Without it K is
        the table's value itself (tables are normalised to 1 at the benchmark's ratio).
    benchmark_date, valuation_date : str, timestamp or array_like, optional
        The connotation's 估价期日 (one, or per row) and the valuation date per row.
    factor_levels : pandas.DataFrame, optional
        One column per factor (named as in ``factors.csv``), values level words or 1–5.
    development : array_like, optional
        D_development per row, yuan/m², signed; instead of ``development_items``.
    development_items : array_like, optional
        Per row the parcel's development items (``通路,通电,…`` or a list; the benchmark's name,
        e.g. ``五通一平``, stands for ``benchmark_development``); None/blank: as the connotation.
    benchmark_development, benchmark_development_name : optional
        The connotation's items and their name (``五通一平``).
    area : array_like, optional
        Area per row, m², for ``total_price``.
    plot_ratio_exempt_uses : collection of str, optional
        Uses the system does not correct for plot ratio (K = 1, noted).
    require_date_index, require_factors : bool, default False
        Make a missing index / factor table block the row instead of being left unapplied and said.
    blocks, notes : mapping of code to boolean array, optional
        The caller's own blocking codes and notes per row (``unknown_use``, ``across_grades``, …),
        reported in their place in :data:`BLOCKING` / :data:`NOTES`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; one row per input row, indexed like ``base_price`` when it is a
        Series.
    """
    index = base_price.index if isinstance(base_price, pd.Series) else None
    price = _as_float(base_price, len(np.asarray(base_price, dtype=object)))
    n = price.shape[0]
    use_k = _keys(use, n)
    grade_k = _keys(grade, n, grade=True)
    years = _as_float(remaining_years, n)
    ratio = _as_float(plot_ratio, n)
    if isinstance(benchmark_years, Mapping):
        codes, uniques = factorize(use_k)
        big_n = np.array([float(benchmark_years.get(u, np.nan)) for u in uniques] + [np.nan])[codes]
    else:
        big_n = _as_float(benchmark_years, n)
    bench_ratio = None if benchmark_plot_ratio is None else _as_float(benchmark_plot_ratio, n)
    flags: Flags = {NO_BASE_PRICE: ~(price > 0), NO_USE: use_k == ""}
    for extra in (blocks or {}), (notes or {}):
        flags.update({k: np.asarray(v, dtype=bool) for k, v in extra.items()})

    k_term, more = _term(use_k, years, big_n, corrections)
    flags.update(more)
    k_plot, more = _plot_ratio(use_k, grade_k, ratio, bench_ratio, corrections,
                               plot_ratio_exempt_uses)
    flags.update(more)
    k_date, more = _date(as_dates(valuation_date, n), as_dates(benchmark_date, n), corrections,
                         require_date_index)
    flags.update(more)
    k_factors, more = _factors(use_k, grade_k, factor_levels, corrections, require_factors)
    flags.update(more)
    if development is not None:
        d = _as_float(development, n)
        flags[NOTE_DEVELOPMENT_AS_CONNOTATION] = np.isnan(d)
        d = np.where(np.isnan(d), 0.0, d)
    else:
        d, more = _development(use_k, development_items, benchmark_development,
                               benchmark_development_name, corrections)
        flags.update(more)

    without = _drop_consequences(flags, n)
    for k in (k_factors, k_date, k_plot, k_term, d):
        k[without] = np.nan  # no benchmark: no correction means anything
    blocked = np.zeros(n, dtype=bool)
    for code in BLOCKING:
        blocked |= flags.get(code, False)
    with np.errstate(invalid="ignore"):
        unit = price * (1.0 + k_factors) * k_date * k_plot * k_term + d
    unit[blocked] = np.nan
    a = _as_float(area, n)
    flags[NOTE_NO_AREA] = np.isnan(a) & ~blocked
    labels = index if index is not None else pd.RangeIndex(n)
    status = join_codes(flags, BLOCKING, n, empty=VALUED).set_axis(labels)
    return pd.DataFrame(
        {
            "k_factors": k_factors,
            "k_date": k_date,
            "k_plot_ratio": k_plot,
            "k_term": k_term,
            "d_development": d,
            "unit_price": unit,
            "total_price": unit * a,
            "value_status": status,
            "value_notes": join_codes(flags, NOTES, n).set_axis(labels),
        },
        index=index,
    )
