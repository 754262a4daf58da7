"""A county's published correction tables (基准地价修正体系), read from ``corrections/*.csv``.

Files, all optional, UTF-8 (with or without BOM) or GBK, one header row; extra columns (``note``)
are ignored:

- ``rates.csv``: ``use,rate`` — land return rate (土地还原率), 0.0675 or 6.75%;
- ``term.csv``: ``use,years,coefficient`` — a published term table: it overrides the formula at
  the years it lists, and is checked against the formula (see below);
- ``plot_ratio.csv``: ``use,grade,plot_ratio,coefficient`` — blank grade: every grade of the use;
  ``≤1`` / ``≥5`` mark a published open end;
- ``factors.csv``: ``use,grade,factor,level,percent`` — regional and individual factors
  (区域因素、个别因素), level 优/较优/一般/较劣/劣 (or 1–5), in percent; blank grade: every grade;
- ``date_index.csv``: ``date,index`` — a land price index (地价指数) by date;
- ``development.csv``: ``use,item,yuan_per_m2`` — what each development item (通路, 通电, …,
  场地平整) adds to a square metre; blank use: every use.

Every row is validated (:mod:`landgrade.valuation.table_rows`): an error names the file, the row
as a spreadsheet shows it, the column and what would fix it. Each table keeps its rows' numbers
in ``row``, so a valuation can cite the row it used. A published term table is compared with the
formula at 4 decimals: disagreements are returned as warnings (the table may use another rate,
or a misprint), never silently preferred.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from landgrade.errors import LandgradeError
from landgrade.valuation.table_rows import (
    LEVELS,
    duplicates,
    grade_key,
    level_key,
    numbers,
    parse_date,
    read_rows,
    require_text,
    resolve_uses,
)
from landgrade.valuation.term import term_coefficient_unchecked

__all__ = ["FILES", "Corrections", "check_term_table", "grade_key", "load_corrections",
           "parse_date"]

FILES: dict[str, tuple[str, ...]] = {
    "rates.csv": ("use", "rate"),
    "term.csv": ("use", "years", "coefficient"),
    "plot_ratio.csv": ("use", "grade", "plot_ratio", "coefficient"),
    "factors.csv": ("use", "grade", "factor", "level", "percent"),
    "date_index.csv": ("date", "index"),
    "development.csv": ("use", "item", "yuan_per_m2"),
}
_DTYPES: dict[str, dict[str, str]] = {
    "rates.csv": {"use": "object", "rate": "float64"},
    "term.csv": {"use": "object", "years": "float64", "coefficient": "float64"},
    "plot_ratio.csv": {"use": "object", "grade": "object", "plot_ratio": "float64",
                       "coefficient": "float64", "bound": "object"},
    "factors.csv": {"use": "object", "grade": "object", "factor": "object", "level": "object",
                    "percent": "float64"},
    "date_index.csv": {"date": "datetime64[ns]", "index": "float64"},
    "development.csv": {"use": "object", "item": "object", "yuan_per_m2": "float64"},
}
UseResolver = Callable[[str], str]


@dataclass(frozen=True)
class Corrections:
    """The correction tables of one benchmark-price system (empty frames for absent files).

    Attributes
    ----------
    rates : pandas.DataFrame
        ``use``, ``rate`` (fraction).
    term : pandas.DataFrame
        ``use``, ``years``, ``coefficient``.
    plot_ratio : pandas.DataFrame
        ``use``, ``grade`` (normalised by :func:`grade_key`; ``""`` = every grade),
        ``plot_ratio``, ``coefficient``, ``bound`` (``"le"``, ``"ge"`` or ``""``).
    factors : pandas.DataFrame
        ``use``, ``grade`` (as above), ``factor``, ``level`` (优 … 劣), ``percent``.
    date_index : pandas.DataFrame
        ``date`` (datetime64), ``index``, sorted by date.
    development : pandas.DataFrame
        ``use`` (``""`` = every use), ``item``, ``yuan_per_m2``.
    present : tuple of str
        The files that were found.
    warnings : tuple of str
        Non-fatal findings, e.g. term-table rows that disagree with the formula.
    folder : pathlib.Path or None
        Where the tables were read from.

    Every frame but ``date_index``'s sort keeps the file's row numbers in ``row``.
    """

    rates: pd.DataFrame
    term: pd.DataFrame
    plot_ratio: pd.DataFrame
    factors: pd.DataFrame
    date_index: pd.DataFrame
    development: pd.DataFrame = field(default_factory=lambda: _empty_frame("development.csv"))
    present: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    folder: Path | None = None

    def rate_by_use(self) -> dict[str, float]:
        """Land return rate per use, as a plain dict."""
        return dict(zip(self.rates["use"], self.rates["rate"], strict=True))

    def has(self, file_name: str) -> bool:
        """Whether the system has that table (``"rates.csv"``, …) with at least one row."""
        return not getattr(self, _attr(file_name)).empty

    @classmethod
    def empty(cls) -> Corrections:
        """A system with no tables at all (every correction left unapplied or blocked)."""
        return cls(**{_attr(name): _empty_frame(name) for name in FILES})


def _attr(file_name: str) -> str:
    return file_name.removesuffix(".csv")


def _empty_frame(file_name: str) -> pd.DataFrame:
    cols = _DTYPES[file_name] | {"row": "int64"}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})


def _parse_rate(text: str) -> float:
    if text.endswith("%"):
        return float(text[:-1]) / 100.0
    value = float(text)
    if value >= 1:
        raise ValueError
    return value


def _load_rates(path: Path, resolver: UseResolver | None) -> pd.DataFrame:
    frame, problems = read_rows(path, FILES["rates.csv"])
    require_text(frame, "use", problems, "the land use as the benchmark table names it")
    resolve_uses(frame, problems, resolver)
    rates = []
    for text, row in zip(frame["rate"], frame["row"], strict=True):
        try:
            value = _parse_rate(text)
        except ValueError:
            problems.add(int(row), "rate", f"'{text}' is not a rate",
                         "write a fraction below 1 (0.0675) or a percent with the sign (6.75%)")
            rates.append(np.nan)
            continue
        if not value > 0:
            problems.add(int(row), "rate", f"{text}: must be > 0", "write the published 土地还原率")
        rates.append(value)
    duplicates(frame, ["use"], problems, "rate")
    problems.raise_if_any()
    return pd.DataFrame({"use": frame["use"].astype(object), "rate": np.array(rates, float),
                         "row": frame["row"].astype("int64")})


def _load_term(path: Path, resolver: UseResolver | None) -> pd.DataFrame:
    frame, problems = read_rows(path, FILES["term.csv"])
    require_text(frame, "use", problems, "the land use as the benchmark table names it")
    resolve_uses(frame, problems, resolver)
    positive = lambda v: None if v > 0 else "must be > 0"  # noqa: E731
    years = numbers(frame, "years", problems, what="the remaining years (> 0), e.g. 35",
                    check=positive)
    coef = numbers(frame, "coefficient", problems,
                   what="the published coefficient, e.g. 0.9573", check=positive)
    frame["years"] = years
    duplicates(frame, ["use", "years"], problems, "coefficient")
    problems.raise_if_any()
    return pd.DataFrame({"use": frame["use"].astype(object), "years": np.array(years, float),
                         "coefficient": np.array(coef, float),
                         "row": frame["row"].astype("int64")})


def _parse_ratio(text: str) -> tuple[float, str]:
    t = text.replace(" ", "")
    for prefix, bound in (("≤", "le"), ("<=", "le"), ("≥", "ge"), (">=", "ge")):
        if t.startswith(prefix):
            return float(t[len(prefix):]), bound
    return float(t), ""


def _load_plot_ratio(path: Path, resolver: UseResolver | None) -> pd.DataFrame:
    frame, problems = read_rows(path, FILES["plot_ratio.csv"])
    require_text(frame, "use", problems, "the land use as the benchmark table names it")
    resolve_uses(frame, problems, resolver)
    ratios: list[float] = []
    bounds: list[str] = []
    for text, row in zip(frame["plot_ratio"], frame["row"], strict=True):
        try:
            value, bound = _parse_ratio(text)
            if not np.isfinite(value):
                raise ValueError
        except ValueError:
            problems.add(int(row), "plot_ratio",
                         f"'{text}' is not a plot ratio" if text else "empty",
                         "write a number (2.5), or ≤1 / ≥5 for a published open end")
            value, bound = np.nan, ""
        else:
            if not value > 0:
                problems.add(int(row), "plot_ratio", f"{text}: must be > 0", "write the ratio")
        ratios.append(value)
        bounds.append(bound)
    coef = numbers(frame, "coefficient", problems,
                   what="the published coefficient, e.g. 1.0379",
                   check=lambda v: None if v > 0 else "must be > 0")
    frame["grade"] = frame["grade"].map(grade_key)
    frame["plot_ratio"] = ratios
    frame["bound"] = bounds
    duplicates(frame, ["use", "grade", "plot_ratio"], problems, "coefficient")
    for (use, grade), sub in frame.groupby(["use", "grade"], sort=False):
        ordered = sub.sort_values("plot_ratio")
        where = f"{use}/{grade or 'every grade'}"
        for pos, (bound, row) in enumerate(zip(ordered["bound"], ordered["row"], strict=True)):
            if bound == "le" and pos != 0:
                problems.add(int(row), "plot_ratio", f"≤ row is not the smallest ratio of {where}",
                             "only the lowest row of a table may be open (≤)")
            if bound == "ge" and pos != len(ordered) - 1:
                problems.add(int(row), "plot_ratio", f"≥ row is not the largest ratio of {where}",
                             "only the highest row of a table may be open (≥)")
    problems.raise_if_any()
    return pd.DataFrame({
        "use": frame["use"].astype(object), "grade": frame["grade"].astype(object),
        "plot_ratio": np.array(ratios, float), "coefficient": np.array(coef, float),
        "bound": np.array(bounds, dtype=object), "row": frame["row"].astype("int64"),
    })


def _load_factors(path: Path, resolver: UseResolver | None) -> pd.DataFrame:
    frame, problems = read_rows(path, FILES["factors.csv"])
    for col, what in (("use", "the land use"),
                      ("factor", "the factor name as the table prints it"),
                      ("level", "the level word (优/较优/一般/较劣/劣)")):
        require_text(frame, col, problems, what)
    resolve_uses(frame, problems, resolver)
    pct = numbers(frame, "percent", problems, what="the percent, e.g. 0.3873 or -4.29",
                  parse=lambda t: float(t.removesuffix("%")))
    levels = frame["level"].map(level_key)
    for text, level, row in zip(frame["level"], levels, frame["row"], strict=True):
        if text and level not in LEVELS:
            problems.add(int(row), "level", f"'{text}' is not a level",
                         f"write one of {'/'.join(LEVELS)} (or 1–5, 1 = 优)")
    frame["level"] = levels
    frame["grade"] = frame["grade"].map(grade_key)
    duplicates(frame, ["use", "grade", "factor", "level"], problems, "percent")
    problems.raise_if_any()
    return pd.DataFrame(
        {c: frame[c].astype(object) for c in ("use", "grade", "factor", "level")}
        | {"percent": np.array(pct, float), "row": frame["row"].astype("int64")}
    )


def _load_date_index(path: Path, resolver: UseResolver | None) -> pd.DataFrame:
    frame, problems = read_rows(path, FILES["date_index.csv"])
    dates: list[pd.Timestamp | None] = []
    for text, row in zip(frame["date"], frame["row"], strict=True):
        try:
            dates.append(parse_date(text))
        except ValueError:
            problems.add(int(row), "date", f"'{text}' is not a date" if text else "empty",
                         "write it as 2021-10-01")
            dates.append(None)
    index = numbers(frame, "index", problems, what="the index value (> 0), e.g. 103.2",
                    check=lambda v: None if v > 0 else "must be > 0")
    frame["date"] = dates
    duplicates(frame, ["date"], problems, "index value")
    problems.raise_if_any()
    out = pd.DataFrame({"date": pd.to_datetime(pd.Series(dates)), "index": np.array(index, float),
                        "row": frame["row"].astype("int64")})
    return out.sort_values("date").reset_index(drop=True)


def _load_development(path: Path, resolver: UseResolver | None) -> pd.DataFrame:
    frame, problems = read_rows(path, FILES["development.csv"])
    require_text(frame, "item", problems, "the development item, e.g. 通路 or 场地平整")
    resolve_uses(frame, problems, resolver, blank_means_all=True)
    cost = numbers(frame, "yuan_per_m2", problems,
                   what="what the item adds, yuan/m² (≥ 0), e.g. 15",
                   check=lambda v: None if v >= 0 else "must be ≥ 0")
    duplicates(frame, ["use", "item"], problems, "amount")
    problems.raise_if_any()
    return pd.DataFrame({"use": frame["use"].astype(object), "item": frame["item"].astype(object),
                         "yuan_per_m2": np.array(cost, float),
                         "row": frame["row"].astype("int64")})


_LOADERS: dict[str, Callable[[Path, UseResolver | None], pd.DataFrame]] = {
    "rates.csv": _load_rates,
    "term.csv": _load_term,
    "plot_ratio.csv": _load_plot_ratio,
    "factors.csv": _load_factors,
    "date_index.csv": _load_date_index,
    "development.csv": _load_development,
}


def load_corrections(
    folder: str | Path,
    benchmark_years: Mapping[str, float] | None = None,
    *,
    use_key: UseResolver | None = None,
) -> Corrections:
    """Read ``folder/corrections/*.csv`` (or ``folder/*.csv`` if there is no ``corrections/``).

    Parameters
    ----------
    folder : str or pathlib.Path
        A county folder holding ``corrections/``, or the ``corrections`` folder itself.
    benchmark_years : mapping of str to float, optional
        The connotation's term N per use, for checking ``term.csv`` against the formula. Where a use
        is missing, N is taken from the table when its longest listed term has coefficient 1.
    use_key : callable, optional
        Maps a table's use text to the county's use key (``商服用地`` → ``commercial``); it raises
        :class:`LandgradeError` for a use the county does not have, which becomes a problem of
        that row. Without it uses are kept as written.

    Returns
    -------
    Corrections
        The tables (empty frames for absent files) and the warnings of the term check.

    Raises
    ------
    LandgradeError
        On the first file with bad rows, listing each bad row with file, row, column and the fix.
    """
    base = Path(folder)
    directory = base / "corrections" if (base / "corrections").is_dir() else base
    if not directory.is_dir():
        raise LandgradeError(
            f"{directory}: no such folder; give the county folder holding corrections/*.csv"
        )
    tables: dict[str, pd.DataFrame] = {}
    present: list[str] = []
    for name, loader in _LOADERS.items():
        path = directory / name
        if path.is_file():
            tables[_attr(name)] = loader(path, use_key)
            present.append(name)
        else:
            tables[_attr(name)] = _empty_frame(name)
    warnings = check_term_table(
        tables["term"], tables["rates"], benchmark_years, source=directory / "term.csv"
    )
    return Corrections(**tables, present=tuple(present), warnings=tuple(warnings), folder=directory)


def check_term_table(
    term: pd.DataFrame,
    rates: pd.DataFrame,
    benchmark_years: Mapping[str, float] | None = None,
    *,
    source: Path | str = "term.csv",
    decimals: int = 4,
) -> list[str]:
    """Compare a published term table with the formula, row by row, at ``decimals`` places.

    Parameters
    ----------
    term, rates : pandas.DataFrame
        As in :class:`Corrections`.
    benchmark_years : mapping, optional
        N per use; otherwise taken from the table (longest term listed with coefficient 1).
    source : path or str
        File name used in the messages.
    decimals : int, default 4
        Published precision; a row disagrees when |formula − published| > 0.5 × 10^-decimals.

    Returns
    -------
    list of str
        One warning per disagreeing row (at most 10 per use, then a count), and one per use that
        cannot be checked (no rate, no N).
    """
    if term.empty:
        return []
    warnings: list[str] = []
    rate_of = dict(zip(rates["use"], rates["rate"], strict=True))
    half = 0.5 * 10.0**-decimals + 1e-12
    for use, sub in term.groupby("use", sort=False):
        big_n = (benchmark_years or {}).get(use)
        if big_n is None:
            last = sub.loc[sub["years"].idxmax()]
            if abs(last["coefficient"] - 1.0) < half:
                big_n = float(last["years"])
        if use not in rate_of:
            warnings.append(
                f"{source}: use '{use}' has no rate in rates.csv, so its table cannot be "
                "checked against the formula; parcels of this use get the table's value "
                "at listed years only"
            )
            continue
        if big_n is None:
            warnings.append(
                f"{source}: use '{use}': the connotation's term N is unknown (give it, or "
                "list the year whose coefficient is 1); the table was not checked"
            )
            continue
        formula = term_coefficient_unchecked(rate_of[use], sub["years"].to_numpy(), big_n)
        bad = np.abs(formula - sub["coefficient"].to_numpy()) > half
        for count, i in enumerate(np.flatnonzero(bad)):
            if count == 10:
                warnings.append(
                    f"{source}: use '{use}': … {int(bad.sum()) - 10} more row(s) disagree"
                )
                break
            warnings.append(
                f"{source}: use '{use}', {sub['years'].iloc[i]:g} years: published "
                f"{sub['coefficient'].iloc[i]:.{decimals}f}, formula with "
                f"r = {rate_of[use]:.4%} and "
                f"N = {big_n:g} gives {formula[i]:.{decimals}f}"
            )
    return warnings
