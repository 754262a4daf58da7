"""Valuing answered rows: the engine's answer plus each parcel's own conditions, to a price.

``landgrade value`` answers a point or every row of a file with the engine (grade, Table 6 prices
with their connotation, the nearest road-line price segment), then :func:`value_answers` values
each row by the coefficient method (:mod:`landgrade.valuation.method`) from:

- the row's use (:class:`ValuationOptions` ``use``/``use_field``, read by
  :func:`~landgrade.valuation.system.resolve_use`), which picks its benchmark price ``p_<u>``
  and connotation (term ``t_<u>``, plot ratio ``r_<u>``, 估价期日 ``val_date``);
- its remaining term, plot ratio, valuation date, factor levels, development items and area,
  each one value for every row or a column per row;
- the county's :class:`~landgrade.valuation.system.ValuationSystem`.

Columns added (:data:`VALUE_COLUMNS`): ``value_use`` (the use key applied), ``base_price`` (the
grade's benchmark price, Table 6), ``route_price`` (the road-line price, where the row's use is
the road-line table's use and the row lies within the segment's standard depth), ``price_basis``
(which of the two the county's rule values from: ``grade``, ``route``, or ``both`` when it names
none; empty where no road-line price applies), the coefficients ``k_factors`` (ΣK as a fraction),
``k_date``, ``k_plot_ratio``, ``k_term`` and ``d_development`` (yuan/m²), ``unit_price`` and
``total_price`` (always from ``base_price``), ``route_unit_price`` and ``route_total_price`` (the
same coefficients on ``route_price``), ``value_area`` (the m² totalled: given, else the parcel's
area inside the grading extent), ``value_status`` and ``value_notes``. Vectorised: per-row work
is array arithmetic, lookups are per distinct value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from landgrade.engine.answer import use_short
from landgrade.errors import LandgradeError
from landgrade.valuation.method import (
    BENCHMARK_EXPIRED,
    NOTE_ACROSS_GRADES,
    NOTE_PARTLY_OUTSIDE,
    NOTE_PAST_UPDATE_PERIOD,
    UNKNOWN_USE,
    VALUED,
    as_dates,
    value_parcels,
)
from landgrade.valuation.system import Validity, ValuationSystem
from landgrade.valuation.table_rows import LEVELS, level_key, parse_date

VALUE_COLUMNS = (
    "value_use", "base_price", "route_price", "price_basis", "k_factors", "k_date",
    "k_plot_ratio", "k_term", "d_development", "unit_price", "total_price", "route_unit_price",
    "route_total_price", "value_area", "value_status", "value_notes",
)  # fmt: skip


class ValuationOptionsError(LandgradeError):
    """A valuation option that cannot be right for any row; the message names the option."""


@dataclass(frozen=True)
class ValuationOptions:
    """Each parcel condition the coefficient method needs: one value for every row, or the
    column holding it per row (never both). ``factors`` and ``factor_fields`` pair a factor's
    name (as ``factors.csv`` prints it) with a level (优 … 劣, 1–5) or a column."""

    use: str | None = None
    use_field: str | None = None
    term: float | None = None
    term_field: str | None = None
    plot_ratio: float | None = None
    plot_ratio_field: str | None = None
    date: str | None = None
    date_field: str | None = None
    factors: tuple[tuple[str, str], ...] = ()
    factor_fields: tuple[tuple[str, str], ...] = ()
    development: str | None = None
    development_field: str | None = None
    area: float | None = None
    area_field: str | None = None
    allow_expired: bool = False

    def __post_init__(self) -> None:
        for name in ("use", "term", "plot_ratio", "date", "development", "area"):
            if getattr(self, name) is not None and getattr(self, f"{name}_field") is not None:
                flag = name.replace("_", "-")
                raise ValuationOptionsError(
                    f"--{flag} and --{flag}-field both given: one value for every row, or a "
                    "column per row, not both")
        for name in ("term", "plot_ratio", "area"):
            value = getattr(self, name)
            if value is not None and (not math.isfinite(value) or value < 0):
                raise ValuationOptionsError(
                    f"--{name.replace('_', '-')} {value}: give a number ≥ 0")
        if self.date is not None:
            try:
                parse_date(self.date)
            except ValueError:
                raise ValuationOptionsError(
                    f"--date {self.date!r}: write the valuation date as 2026-12-01") from None
        names = [f for f, _ in self.factors] + [f for f, _ in self.factor_fields]
        twice = sorted({f for f in names if names.count(f) > 1})
        if twice:
            raise ValuationOptionsError(f"factor {', '.join(twice)} given twice")
        for factor, level in self.factors:
            if level_key(level) not in LEVELS:
                raise ValuationOptionsError(
                    f"--factor {factor}={level}: the level is one of {'/'.join(LEVELS)} "
                    "(or 1–5, 1 = 优)")

    @classmethod
    def from_cli(
        cls, *, factor: Iterable[str] | None = None, factor_field: Iterable[str] | None = None,
        **values: Any,
    ) -> ValuationOptions:
        """The options as the command takes them: ``--factor NAME=LEVEL`` and
        ``--factor-field NAME=FIELD`` repeated."""
        return cls(factors=_pairs(factor, "--factor", "NAME=LEVEL"),
                   factor_fields=_pairs(factor_field, "--factor-field", "NAME=FIELD"), **values)

    def require_conditions(self) -> None:
        """The use, remaining term, plot ratio and valuation date are each needed for any price:
        a run giving none of one would value no row, so it is refused before any row is read."""
        missing = [f"--{n.replace('_', '-')} or --{n.replace('_', '-')}-field"
                   for n in ("use", "term", "plot_ratio", "date")
                   if getattr(self, n) is None and getattr(self, f"{n}_field") is None]
        if missing:
            raise ValuationOptionsError(
                f"no row can be valued without {', '.join(missing)}: the coefficient method "
                "needs each parcel's use, remaining term (年期), plot ratio (容积率) and "
                "valuation date (估价时点)")

    def fields(self) -> list[tuple[str, str]]:
        """(option, column) for every input column the options name."""
        named = [(f"--{n.replace('_', '-')}-field", getattr(self, f"{n}_field"))
                 for n in ("use", "term", "plot_ratio", "date", "development", "area")]
        named += [(f"--factor-field {f}", c) for f, c in self.factor_fields]
        return [(o, c) for o, c in named if c is not None]

    def check_columns(self, columns: Sequence[str], source: object) -> None:
        """Every named column must be in ``columns``; else an error naming them all."""
        missing = [f"{o} {c!r}" for o, c in self.fields() if c not in columns]
        if missing:
            raise ValuationOptionsError(
                f"{source}: no column for {', '.join(missing)}; columns present: "
                f"{', '.join(map(str, columns))}")

    @property
    def factor_names(self) -> list[str]:
        return [f for f, _ in self.factors] + [f for f, _ in self.factor_fields]


def _pairs(items: Iterable[str] | None, option: str, form: str) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items or ():
        name, sep, value = str(item).replace("＝", "=").partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValuationOptionsError(f"{option} {item!r}: write {form}")
        out.append((name.strip(), value.strip()))
    return tuple(out)


def read_inputs(
    options: ValuationOptions, frame: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each row's conditions as columns ``use, term, plot_ratio, date, development, area`` (None
    where not given), and its factor levels (one column per factor), aligned with ``frame``."""
    n = len(frame)

    def constant(value: Any) -> pd.Series:  # object dtype: no conversion of 100k copies
        return pd.Series(np.full(n, value, dtype=object), index=frame.index, dtype=object)

    def column(name: str) -> pd.Series:
        fld = getattr(options, f"{name}_field")
        return frame[fld] if fld is not None else constant(getattr(options, name))

    inputs = pd.DataFrame({k: column(k) for k in ("use", "term", "plot_ratio", "date",
                                                  "development", "area")}, index=frame.index)
    levels = pd.DataFrame({f: constant(level) for f, level in options.factors}
                          | {f: frame[fld] for f, fld in options.factor_fields},
                          index=frame.index)
    return inputs, levels


def value_answers(
    system: ValuationSystem, answers: pd.DataFrame, options: ValuationOptions
) -> pd.DataFrame:
    """The valuation columns (:data:`VALUE_COLUMNS`) of answered rows (the engine's answer
    frame, input columns included), aligned with ``answers``; see the module docstring."""
    n = len(answers)
    inputs, levels = read_inputs(options, answers)
    use_key, unknown = _use_keys(system, inputs["use"])
    base, big_n, bench_ratio = (np.full(n, np.nan) for _ in range(3))
    for u in pd.unique(use_key[use_key != ""]):
        rows = use_key == u
        short = use_short(u)
        for target, col in ((base, "p"), (big_n, "t"), (bench_ratio, "r")):
            name = f"{col}_{short}"
            if name in answers:
                values = pd.to_numeric(answers[name], errors="coerce")
                target[rows] = values.to_numpy(dtype=float, na_value=np.nan)[rows]
    bench_date = answers["val_date"] if "val_date" in answers else None
    grade = answers["grade"] if "grade" in answers else np.full(n, "", dtype=object)
    notes = _share_notes(answers)
    dates = inputs["date"]
    expired, past = validity_flags(system.validity, dates, bench_date, n)
    if options.allow_expired:
        past, expired = past | expired, np.zeros(n, dtype=bool)
    notes[NOTE_PAST_UPDATE_PERIOD] = past
    area = _area(inputs, answers)
    valued = value_parcels(
        base_price=base, use=use_key, grade=grade, remaining_years=inputs["term"],
        plot_ratio=inputs["plot_ratio"], corrections=system.corrections, benchmark_years=big_n,
        benchmark_plot_ratio=bench_ratio, benchmark_date=bench_date, valuation_date=dates,
        factor_levels=levels if levels.shape[1] else None,
        development_items=inputs["development"],
        benchmark_development=system.development_items,
        benchmark_development_name=system.development_name, area=area,
        plot_ratio_exempt_uses=system.plot_ratio_exempt,
        require_date_index=system.require_date_index, require_factors=system.require_factors,
        blocks={UNKNOWN_USE: unknown, BENCHMARK_EXPIRED: expired}, notes=notes,
    )
    valued.index = answers.index
    route = _route_price(system, answers, use_key)
    ok = (valued["value_status"] == VALUED).to_numpy()
    coef = ((1 + valued["k_factors"]) * valued["k_date"] * valued["k_plot_ratio"]
            * valued["k_term"]).to_numpy()
    route_unit = np.where(ok & ~np.isnan(route), route * coef + valued["d_development"], np.nan)
    basis = _basis(system.route_rule, base, route)
    out = pd.DataFrame({
        "value_use": use_key, "base_price": base, "route_price": route, "price_basis": basis,
        "k_factors": valued["k_factors"], "k_date": valued["k_date"],
        "k_plot_ratio": valued["k_plot_ratio"], "k_term": valued["k_term"],
        "d_development": valued["d_development"], "unit_price": valued["unit_price"],
        "total_price": valued["total_price"], "route_unit_price": route_unit,
        "route_total_price": route_unit * area, "value_area": np.where(ok, area, np.nan),
        "value_status": valued["value_status"], "value_notes": valued["value_notes"],
    }, index=answers.index)
    return out


def _use_keys(system: ValuationSystem, uses: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each row's use key ("" where none is given), and where the given use is unknown."""
    codes, uniques = pd.factorize(uses, use_na_sentinel=True)
    keys, bad = [], []
    for u in uniques:
        text = str(u).strip()
        try:
            keys.append(system.use(text) if text else "")
            bad.append(False)
        except LandgradeError:
            keys.append("")
            bad.append(True)
    keys_arr = np.array([*keys, ""], dtype=object)
    bad_arr = np.array([*bad, False])
    pick = np.where(codes < 0, len(keys), codes)
    return keys_arr[pick], bad_arr[pick]


def _share_notes(answers: pd.DataFrame) -> dict[str, np.ndarray]:
    """A parcel across grades (its price area-weighted, its grade the largest share's) and one
    partly outside the grading extent (its total only for the part inside)."""
    n = len(answers)
    shares = [c for c in answers.columns if str(c).startswith("share_") and c != "share_out"]
    if not shares:
        return {NOTE_ACROSS_GRADES: np.zeros(n, bool), NOTE_PARTLY_OUTSIDE: np.zeros(n, bool)}
    held = (answers[shares].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy() > 0)
    out = pd.to_numeric(answers.get("share_out", 0.0), errors="coerce")
    out = np.nan_to_num(np.broadcast_to(np.asarray(out, dtype=float), (n,)))
    return {NOTE_ACROSS_GRADES: held.sum(axis=1) > 1, NOTE_PARTLY_OUTSIDE: (out > 0) & (out < 1)}


def _area(inputs: pd.DataFrame, answers: pd.DataFrame) -> np.ndarray:
    """The area to total over: given, else the parcel's area inside the grading extent."""
    given = pd.to_numeric(inputs["area"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if "area_m2" not in answers:
        return given
    inside = pd.to_numeric(answers["area_m2"], errors="coerce").to_numpy(float, na_value=np.nan)
    if "share_out" in answers:
        out = pd.to_numeric(answers["share_out"], errors="coerce").to_numpy(float, na_value=0.0)
        inside = inside * (1 - np.nan_to_num(out))
    return np.where(np.isnan(given), inside, given)


def _route_price(
    system: ValuationSystem, answers: pd.DataFrame, use_key: np.ndarray
) -> np.ndarray:
    """The road-line price where it applies: the row's use is the road-line table's and the
    row lies within the segment's standard depth."""
    n = len(answers)
    if system.route_use is None or "route_px" not in answers or "route_in" not in answers:
        return np.full(n, np.nan)
    within = answers["route_in"].fillna(False).to_numpy(dtype=bool)
    price = pd.to_numeric(answers["route_px"], errors="coerce").to_numpy(float, na_value=np.nan)
    return np.where(within & (use_key == system.route_use), price, np.nan)


def _basis(rule: str | None, base: np.ndarray, route: np.ndarray) -> np.ndarray:
    has = ~np.isnan(route)
    if rule == "higher":
        pick = np.where(route > np.nan_to_num(base, nan=-np.inf), "route", "grade")
    else:
        pick = np.full(len(base), rule or "both", dtype=object)
    return np.where(has, pick, "").astype(object)


def validity_flags(
    validity: Validity, dates: Any, bench_dates: Any, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """(expired, past the update period) per row: the valuation date beyond the benchmark's
    估价期日 plus ``max_age_years`` / ``update_period_years`` (calendar years)."""
    expired, past = np.zeros(n, bool), np.zeros(n, bool)
    if validity.update_period_years is None and validity.max_age_years is None:
        return expired, past
    when = as_dates(dates, n)
    bench = as_dates(bench_dates, n)
    for b in np.unique(bench[~np.isnat(bench)]):
        rows = bench == b
        for years, flags in ((validity.max_age_years, expired),
                             (validity.update_period_years, past)):
            if years is not None:
                limit = pd.Timestamp(b) + pd.DateOffset(months=round(12 * years))
                flags |= rows & ~np.isnat(when) & (when > np.datetime64(limit, "ns"))
    return expired, past & ~expired
