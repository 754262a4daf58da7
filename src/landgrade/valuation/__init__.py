"""The benchmark-coefficient method (基准地价系数修正法, GB/T 18508-2014), vectorised.

P = P_base × (1 + ΣK_factors) × K_date × K_plot_ratio × K_term ± D_development

- :mod:`.term` — the land-use term coefficient K_term from the land return rate.
- :mod:`.interpolate` — plot-ratio coefficients, linear between listed ratios, never extrapolated.
- :mod:`.corrections` — a county's published correction tables read from ``corrections/*.csv``
  (their rows read and checked by :mod:`.table_rows`).
- :mod:`.method` — the whole computation over arrays of parcels, with a status per row.
- :mod:`.system` — what a county adds: its tables, the connotation's development items, the
  road-line table's use, its rules (which price, how long the benchmark may be used).
- :mod:`.parcels` — answered rows (the engine's answer) and each parcel's conditions to prices.
- :mod:`.steps` — one row's 测算, step by step, with the source of every figure.

The stage sits between the engine and the jobs: it reads the engine's answer, never a file.
"""

from __future__ import annotations

from landgrade.valuation.corrections import Corrections, load_corrections
from landgrade.valuation.interpolate import interpolate_plot_ratio
from landgrade.valuation.method import value_parcels
from landgrade.valuation.term import term_coefficient

__all__ = [
    "Corrections",
    "interpolate_plot_ratio",
    "load_corrections",
    "term_coefficient",
    "value_parcels",
]
