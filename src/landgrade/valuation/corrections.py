"""A county's published correction tables (基准地价修正体系), read from ``corrections/*.csv``.

Files, all optional, UTF-8 (with or without BOM) or GBK, one header row:

- ``rates.csv``: ``use,rate`` — land return rate (土地还原率), 0.0675 or 6.75%;
- ``term.csv``: ``use,years,coefficient`` — a published term table (checked, see below);
- ``plot_ratio.csv``: ``use,grade,plot_ratio,coefficient`` — ``≤1`` / ``≥5`` mark open ends;
- ``factors.csv``: ``use,grade,factor,level,percent`` — regional/individual factors, in percent;
- ``date_index.csv``: ``date,index`` — a land price index (地价指数) by date.

Every row is validated; an error names the file, the row as a spreadsheet shows it (the header is
row 1, the first data row is row 2), the column, and what would fix it. Extra columns (e.g.
``note``) are ignored. A published term table is compared with the formula at 4 decimals:
disagreements are returned as warnings (the table may use another rate, or a misprint), never
silently preferred.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from landgrade.errors import LandgradeError
from landgrade.valuation.term import term_coefficient_unchecked

__all__ = ["FILES", "Corrections", "grade_key", "load_corrections", "read_table_text"]

FILES: dict[str, tuple[str, ...]] = {
    "rates.csv": ("use", "rate"),
    "term.csv": ("use", "years", "coefficient"),
    "plot_ratio.csv": ("use", "grade", "plot_ratio", "coefficient"),
    "factors.csv": ("use", "grade", "factor", "level", "percent"),
    "date_index.csv": ("date", "index"),
}

_MAX_ERRORS = 12
_CN_DIGITS = {
    "一": "1",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
    "十": "10",
    "Ⅰ": "1",
    "Ⅱ": "2",
    "Ⅲ": "3",
    "Ⅳ": "4",
    "Ⅴ": "5",
    "Ⅵ": "6",
    "Ⅶ": "7",
    "Ⅷ": "8",
    "Ⅸ": "9",
    "Ⅹ": "10",
}
_ROMAN = {
    "I": "1",
    "II": "2",
    "III": "3",
    "IV": "4",
    "V": "5",
    "VI": "6",
    "VII": "7",
    "VIII": "8",
    "IX": "9",
    "X": "10",
}
_GRADE_RE = re.compile(
    r"^(?:第)?([0-9]+|[一二三四五六七八九十]|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|[IVX]+)(?:级(?:地|土地)?)?$"
)
_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def grade_key(value: object) -> str:
    """Normalise a grade label so ``一级``, ``1级``, ``Ⅰ级``, ``I``, ``1`` and ``1.0`` all read
    ``"1"``.

    Parameters
    ----------
    value : object
        A grade label; anything that is not a numbered grade (``工业集中区``) is returned stripped.

    Returns
    -------
    str
        The normalised key; ``""`` for a missing value.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    m = _GRADE_RE.match(text)
    if not m:
        return text
    g = m.group(1)
    if g.isdigit():
        return str(int(g))
    return _CN_DIGITS.get(g) or _ROMAN.get(g) or text


@dataclass(frozen=True)
class Corrections:
    """The correction tables of one benchmark-price system.

    Attributes
    ----------
    rates : pandas.DataFrame
        ``use`` (str), ``rate`` (float fraction).
    term : pandas.DataFrame
        ``use``, ``years`` (float), ``coefficient`` (float).
    plot_ratio : pandas.DataFrame
        ``use``, ``grade`` (normalised by :func:`grade_key`), ``plot_ratio``, ``coefficient``,
        ``bound`` (``"le"``, ``"ge"`` or ``""``).
    factors : pandas.DataFrame
        ``use``, ``grade`` (normalised), ``factor``, ``level``, ``percent`` (float, in percent).
    date_index : pandas.DataFrame
        ``date`` (datetime64), ``index`` (float), sorted by date.
    present : tuple of str
        The files that were found.
    warnings : tuple of str
        Non-fatal findings, e.g. term-table rows that disagree with the formula.
    folder : pathlib.Path or None
        Where the tables were read from.
    """

    rates: pd.DataFrame
    term: pd.DataFrame
    plot_ratio: pd.DataFrame
    factors: pd.DataFrame
    date_index: pd.DataFrame
    present: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    folder: Path | None = None

    def rate_by_use(self) -> dict[str, float]:
        """Land return rate per use, as a plain dict."""
        return dict(zip(self.rates["use"], self.rates["rate"], strict=True))

    @classmethod
    def empty(cls) -> Corrections:
        """A system with no tables at all (every correction left unapplied or blocked)."""
        return cls(**{_attr(name): _empty_frame(name) for name in FILES})


def _attr(file_name: str) -> str:
    return file_name.removesuffix(".csv")


def _empty_frame(file_name: str) -> pd.DataFrame:
    cols = {
        "rates.csv": {"use": "object", "rate": "float64"},
        "term.csv": {"use": "object", "years": "float64", "coefficient": "float64"},
        "plot_ratio.csv": {
            "use": "object",
            "grade": "object",
            "plot_ratio": "float64",
            "coefficient": "float64",
            "bound": "object",
        },
        "factors.csv": {
            "use": "object",
            "grade": "object",
            "factor": "object",
            "level": "object",
            "percent": "float64",
        },
        "date_index.csv": {"date": "datetime64[ns]", "index": "float64"},
    }[file_name]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})


def read_table_text(path: Path) -> str:
    """Read a CSV's text, trying UTF-8 (BOM or not) then GBK.

    Raises
    ------
    LandgradeError
        When neither encoding decodes the file.
    """
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LandgradeError(
        f"{path}: neither UTF-8 nor GBK can decode this file; save it as UTF-8 CSV "
        "(Excel: 另存为 → CSV UTF-8)"
    )


class _Problems:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, row: int | None, column: str | None, problem: str, fix: str) -> None:
        where = f"row {row}" if row is not None else "header"
        col = f", column '{column}'" if column else ""
        self.items.append(f"{self.path}: {where}{col}: {problem}; {fix}")

    def raise_if_any(self) -> None:
        if self.items:
            shown = self.items[:_MAX_ERRORS]
            more = len(self.items) - len(shown)
            tail = f"\n… and {more} more problem(s)" if more else ""
            raise LandgradeError("\n".join(shown) + tail)


def _read_rows(path: Path, required: tuple[str, ...]) -> tuple[pd.DataFrame, _Problems]:
    text = read_table_text(path)
    problems = _Problems(path)
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LandgradeError(
            f"{path}: not a readable CSV table ({exc}); it needs a header row "
            f"{','.join(required)} and one row per entry"
        ) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        problems.add(
            None,
            None,
            f"missing column(s) {', '.join(missing)} (found: {', '.join(frame.columns)})",
            f"the header must read {','.join(required)}",
        )
        problems.raise_if_any()
    frame = frame[list(required)].fillna("").astype(str).apply(lambda s: s.str.strip())
    frame["_row"] = np.arange(2, len(frame) + 2)
    frame = frame[(frame[list(required)] != "").any(axis=1)].reset_index(drop=True)
    return frame, problems


def _numbers(
    frame: pd.DataFrame,
    column: str,
    problems: _Problems,
    *,
    what: str,
    check: Callable[[float], str | None] | None = None,
    parse: Callable[[str], float] | None = None,
) -> list[float]:
    out: list[float] = []
    for text, row in zip(frame[column], frame["_row"], strict=True):
        try:
            value = parse(text) if parse else float(text)
            if np.isnan(value):
                raise ValueError
        except ValueError:
            problems.add(
                int(row), column, f"'{text}' is not a number" if text else "empty", f"write {what}"
            )
            out.append(np.nan)
            continue
        if check is not None and (msg := check(value)):
            problems.add(int(row), column, f"{text}: {msg}", f"write {what}")
        out.append(value)
    return out


def _require_text(frame: pd.DataFrame, column: str, problems: _Problems, what: str) -> None:
    for text, row in zip(frame[column], frame["_row"], strict=True):
        if not text:
            problems.add(int(row), column, "empty", f"write {what}")


def _duplicates(frame: pd.DataFrame, keys: list[str], problems: _Problems, what: str) -> None:
    dup = frame[frame.duplicated(keys, keep=False)]
    for _key, sub in dup.groupby(keys, sort=False):
        rows = [int(r) for r in sub["_row"]]
        label = ", ".join(f"{k}={v}" for k, v in zip(keys, sub.iloc[0][keys], strict=True))
        problems.add(
            rows[1],
            keys[-1],
            f"{label} repeats row {rows[0]}",
            f"keep one {what} per {'/'.join(keys)}",
        )


def _parse_rate(text: str) -> float:
    if text.endswith("%"):
        return float(text[:-1]) / 100.0
    value = float(text)
    if value >= 1:
        raise ValueError
    return value


def _load_rates(path: Path) -> pd.DataFrame:
    frame, problems = _read_rows(path, FILES["rates.csv"])
    _require_text(frame, "use", problems, "the land use as the benchmark table names it")
    rates = []
    for text, row in zip(frame["rate"], frame["_row"], strict=True):
        try:
            value = _parse_rate(text)
        except ValueError:
            problems.add(
                int(row),
                "rate",
                f"'{text}' is not a rate",
                "write a fraction below 1 (0.0675) or a percent with the sign (6.75%)",
            )
            rates.append(np.nan)
            continue
        if not value > 0:
            problems.add(int(row), "rate", f"{text}: must be > 0", "write the published 土地还原率")
        rates.append(value)
    _duplicates(frame, ["use"], problems, "rate")
    problems.raise_if_any()
    return pd.DataFrame({"use": frame["use"].astype(object), "rate": np.array(rates, float)})


def _load_term(path: Path) -> pd.DataFrame:
    frame, problems = _read_rows(path, FILES["term.csv"])
    _require_text(frame, "use", problems, "the land use as the benchmark table names it")
    years = _numbers(
        frame,
        "years",
        problems,
        what="the remaining years (> 0), e.g. 35",
        check=lambda v: None if v > 0 else "must be > 0",
    )
    coef = _numbers(
        frame,
        "coefficient",
        problems,
        what="the published coefficient, e.g. 0.9573",
        check=lambda v: None if v > 0 else "must be > 0",
    )
    frame["years"] = years
    _duplicates(frame, ["use", "years"], problems, "coefficient")
    problems.raise_if_any()
    return pd.DataFrame(
        {
            "use": frame["use"].astype(object),
            "years": np.array(years, float),
            "coefficient": np.array(coef, float),
        }
    )


def _parse_ratio(text: str) -> tuple[float, str]:
    t = text.replace(" ", "")
    for prefix, bound in (("≤", "le"), ("<=", "le"), ("≥", "ge"), (">=", "ge")):
        if t.startswith(prefix):
            return float(t[len(prefix) :]), bound
    return float(t), ""


def _load_plot_ratio(path: Path) -> pd.DataFrame:
    frame, problems = _read_rows(path, FILES["plot_ratio.csv"])
    _require_text(frame, "use", problems, "the land use as the benchmark table names it")
    _require_text(frame, "grade", problems, "the grade (级别), e.g. 一级")
    ratios: list[float] = []
    bounds: list[str] = []
    for text, row in zip(frame["plot_ratio"], frame["_row"], strict=True):
        try:
            value, bound = _parse_ratio(text)
        except ValueError:
            problems.add(
                int(row),
                "plot_ratio",
                f"'{text}' is not a plot ratio" if text else "empty",
                "write a number (2.5), or ≤1 / ≥5 for a published open end",
            )
            value, bound = np.nan, ""
        else:
            if not value > 0:
                problems.add(int(row), "plot_ratio", f"{text}: must be > 0", "write the ratio")
        ratios.append(value)
        bounds.append(bound)
    coef = _numbers(
        frame,
        "coefficient",
        problems,
        what="the published coefficient, e.g. 1.0379",
        check=lambda v: None if v > 0 else "must be > 0",
    )
    frame["grade"] = frame["grade"].map(grade_key)
    frame["plot_ratio"] = ratios
    frame["bound"] = bounds
    _duplicates(frame, ["use", "grade", "plot_ratio"], problems, "coefficient")
    for (use, grade), sub in frame.groupby(["use", "grade"], sort=False):
        ordered = sub.sort_values("plot_ratio")
        for pos, (bound, row) in enumerate(zip(ordered["bound"], ordered["_row"], strict=True)):
            if bound == "le" and pos != 0:
                problems.add(
                    int(row),
                    "plot_ratio",
                    f"≤ row is not the smallest ratio of {use}/{grade}",
                    "only the lowest row of a table may be open (≤)",
                )
            if bound == "ge" and pos != len(ordered) - 1:
                problems.add(
                    int(row),
                    "plot_ratio",
                    f"≥ row is not the largest ratio of {use}/{grade}",
                    "only the highest row of a table may be open (≥)",
                )
    problems.raise_if_any()
    return pd.DataFrame(
        {
            "use": frame["use"].astype(object),
            "grade": frame["grade"].astype(object),
            "plot_ratio": np.array(ratios, float),
            "coefficient": np.array(coef, float),
            "bound": np.array(bounds, dtype=object),
        }
    )


def _load_factors(path: Path) -> pd.DataFrame:
    frame, problems = _read_rows(path, FILES["factors.csv"])
    for col, what in (
        ("use", "the land use"),
        ("grade", "the grade (级别)"),
        ("factor", "the factor name as the table prints it"),
        ("level", "the level word (优/较优/一般/较劣/劣)"),
    ):
        _require_text(frame, col, problems, what)
    pct = _numbers(
        frame,
        "percent",
        problems,
        what="the percent, e.g. 0.3873 or -4.29 (no % sign)",
        parse=lambda t: float(t.removesuffix("%")),
    )
    frame["grade"] = frame["grade"].map(grade_key)
    _duplicates(frame, ["use", "grade", "factor", "level"], problems, "percent")
    problems.raise_if_any()
    return pd.DataFrame(
        {c: frame[c].astype(object) for c in ("use", "grade", "factor", "level")}
        | {"percent": np.array(pct, float)}
    )


def parse_date(text: str) -> pd.Timestamp:
    """Parse ``2021-10-01``, ``2021/10/1``, ``2021.10.1`` or ``2021年10月1日``.

    Raises
    ------
    ValueError
        When the text is none of those.
    """
    m = _DATE_RE.match(str(text))
    if not m:
        raise ValueError(text)
    return pd.Timestamp(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _load_date_index(path: Path) -> pd.DataFrame:
    frame, problems = _read_rows(path, FILES["date_index.csv"])
    dates: list[pd.Timestamp | None] = []
    for text, row in zip(frame["date"], frame["_row"], strict=True):
        try:
            dates.append(parse_date(text))
        except ValueError:
            problems.add(
                int(row),
                "date",
                f"'{text}' is not a date" if text else "empty",
                "write it as 2021-10-01",
            )
            dates.append(None)
    index = _numbers(
        frame,
        "index",
        problems,
        what="the index value (> 0), e.g. 103.2",
        check=lambda v: None if v > 0 else "must be > 0",
    )
    frame["date"] = dates
    _duplicates(frame, ["date"], problems, "index value")
    problems.raise_if_any()
    out = pd.DataFrame({"date": pd.to_datetime(pd.Series(dates)), "index": np.array(index, float)})
    return out.sort_values("date").reset_index(drop=True)


_LOADERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "rates.csv": _load_rates,
    "term.csv": _load_term,
    "plot_ratio.csv": _load_plot_ratio,
    "factors.csv": _load_factors,
    "date_index.csv": _load_date_index,
}


def load_corrections(
    folder: str | Path, benchmark_years: Mapping[str, float] | None = None
) -> Corrections:
    """Read ``folder/corrections/*.csv`` (or ``folder/*.csv`` if there is no ``corrections/``).

    Parameters
    ----------
    folder : str or pathlib.Path
        A county folder holding ``corrections/``, or the ``corrections`` folder itself.
    benchmark_years : mapping of str to float, optional
        The connotation's term N per use, for checking ``term.csv`` against the formula. Where a use
        is missing, N is taken from the table when its longest listed term has coefficient 1.

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
            tables[_attr(name)] = loader(path)
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
                "at listed whole years only"
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
