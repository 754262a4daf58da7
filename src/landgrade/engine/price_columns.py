"""Benchmark prices and their connotation (term, plot ratio) as arrays aligned to grades.

The engine fills a million rows' price columns with one ``np.take`` per column, so the price
book's tables (Table 6 and the connotation of Tables 1-4) are laid out here once per engine:
one row per answer column, one column per grade, a last all-NaN column for rows without one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from landgrade.engine.answer import use_short
from landgrade.errors import LandgradeError


class PriceColumns:
    """Per-grade price and connotation arrays from a pricebook, aligned to grade values."""

    def __init__(self, pricebook: Any, grade_values: np.ndarray) -> None:
        self.pricebook = pricebook
        self.uses: list[str] = list(pricebook.uses) if pricebook is not None else []
        self.short = {u: use_short(u) for u in self.uses}
        self.grades: list[int] = sorted(set(grade_values.tolist()))
        self._lookup = np.full(max(self.grades) + 2, -1, dtype=np.int64)
        self._lookup[self.grades] = np.arange(len(self.grades))
        self.prices = pd.DataFrame(index=pd.Index(self.grades))
        self.terms = self.prices.copy()
        self.ratios = self.prices.copy()
        self.valuation_date = ""
        self.table = np.full((0, len(self.grades) + 1), np.nan)
        if pricebook is None:
            return
        table = pricebook.urban_price_table()
        self.prices = table.reindex(index=self.prices.index, columns=self.uses).astype(float)
        for u in self.uses:
            terms, ratios = [], []
            for g in self.prices.index:
                c = connotation_of(pricebook, int(g), u, "urban")
                terms.append(connotation_value(c, "term_years"))
                ratios.append(connotation_value(c, "plot_ratio"))
                date = connotation_value(c, "valuation_date")
                self.valuation_date = self.valuation_date or str(date or "")
            self.terms[u] = terms
            self.ratios[u] = ratios
        self.table = self._table()

    def _table(self) -> np.ndarray:
        """(columns, grades + 1) array: p, t, r of each use per grade; the last column (no
        grade) is all NaN, so one 2-D take fills every price column at once."""
        rows = []
        for u in self.uses:
            rows += [self.prices[u], self.terms[u], self.ratios[u]]
        table = np.full((len(rows), len(self.grades) + 1), np.nan)
        for i, r in enumerate(rows):
            table[i, :-1] = pd.to_numeric(r, errors="coerce").to_numpy(dtype=float)
        return table

    @property
    def columns(self) -> list[str]:
        return [f"{k}_{self.short[u]}" for u in self.uses for k in ("p", "t", "r")]

    def position(self, grade: np.ndarray) -> np.ndarray:
        """Row of each grade in the price tables; -1 for no grade."""
        if len(grade) and grade.min() >= -1 and grade.max() < len(self._lookup) - 1:
            return self._lookup[grade]  # -1 reads the last entry, which is -1
        ok = (grade >= 0) & (grade < len(self._lookup))
        return np.where(ok, self._lookup[np.where(ok, grade, 0)], -1)

    def fill(self, out: np.ndarray, terms: np.ndarray, terms_na: np.ndarray, pos: np.ndarray,
             shares: np.ndarray | None, price_decimals: int) -> None:
        """Write price and plot ratio of every use into ``out`` (rows p, r per use) and the
        whole-year terms into ``terms``/``terms_na`` (an integer column needs no float pass),
        from one table; parcels (rows of ``shares`` with a finite total) get area-weighted
        prices, rounded to the published precision."""
        if not len(self.uses):
            return
        pos = np.where(pos < 0, len(self.grades), pos)
        table = self.table
        term_na = np.isnan(table[1::3])
        term_int = np.where(term_na, 0, np.round(np.nan_to_num(table[1::3]))).astype(np.int64)
        for j in range(len(self.uses)):  # row by row: a 2-D take along axis 1 is slower
            np.take(table[3 * j], pos, out=out[2 * j], mode="clip")  # in range: clip is free
            np.take(table[3 * j + 2], pos, out=out[2 * j + 1], mode="clip")
            np.take(term_int[j], pos, out=terms[j], mode="clip")
            np.take(term_na[j], pos, out=terms_na[j], mode="clip")
        if shares is not None:
            tot = shares.sum(axis=1)
            rows = np.flatnonzero(np.isfinite(tot))
            if len(rows):
                part, tot = shares[rows], tot[rows]
                for j in range(len(self.uses)):
                    with np.errstate(invalid="ignore", divide="ignore"):
                        weighted = (part * np.nan_to_num(table[3 * j, :-1])).sum(axis=1) / tot
                    # the table is already at the published precision; weights are not
                    out[2 * j][rows] = np.round(np.where(tot > 0, weighted, np.nan),
                                                price_decimals)


def connotation_of(pricebook: Any, grade: int, use: str, area: str) -> Any:
    """The connotation (term, plot ratio, valuation date) of a use and grade in an area
    (``urban`` or ``town_class_<n>``); None where the price book has none."""
    try:
        return pricebook.connotation(grade, use, area=area)
    except (KeyError, LookupError, LandgradeError):
        return None


def connotation_value(obj: Any, name: str) -> Any:
    """One field of a connotation (an object or a dict); NaN where there is none."""
    if obj is None:
        return np.nan
    if isinstance(obj, dict):
        return obj.get(name, np.nan)
    return getattr(obj, name, np.nan)
