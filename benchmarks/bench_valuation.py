"""Benchmark the coefficient method: vectorised ``value_parcels`` against pandas ``apply``.

    PYTHONPATH=src python benchmarks/bench_valuation.py               # 100,000 parcels
    PYTHONPATH=src python benchmarks/bench_valuation.py --parcels 20000

Seeded residential parcels of Tongdao (tests/data/corrections/tongdao: published rates, the 5-grade
plot-ratio table with its open ``≤1`` / ``≥5`` rows, normalised by each grade's connotation ratio,
the grade-2 factor table of 12 factors, one in twenty levels not given and so 一般), with remaining
terms 0–72 years (some beyond N = 70, refused), plot ratios 0.5–5.5 and development adjustments.
The baseline is what a pandas user writes: ``DataFrame.apply(axis=1)`` with the tables pre-indexed
in dicts (``bisect`` for the plot-ratio line). Every unit price must be equal (both NaN, or within
1e-9 relative), else exit 1. Prints both times and ``ratio`` = baseline / landgrade.
"""

from __future__ import annotations

import argparse
import bisect
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from landgrade.valuation import load_corrections, value_parcels

TONGDAO = Path(__file__).resolve().parents[1] / "tests" / "data" / "corrections" / "tongdao"
FACTORS = [
    "距小区级商服中心距离", "距汽车站距离", "临近道路状况", "距公交站点距离",
    "供水保证率", "供电保证率", "排水状况", "公用设施完善度",
    "人口密度", "噪声污染状况", "水污染状况", "道路规划",
]  # fmt: skip
# Tongdao's residential connotation: plot ratio per grade (tests/data/corrections/tongdao/source.md)
BENCHMARK_RATIO = {"1": 2.0, "2": 2.0, "3": 1.8, "4": 1.6, "5": 1.5}


def parcels(n: int, seed: int = 7) -> pd.DataFrame:
    """Seeded parcels: base price, use, grade, years, plot ratio, development, 12 factor levels."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "base": rng.choice([790.0, 710.0, 590.0, 510.0, 460.0], n),
            "use": "居住用地",
            "grade": rng.choice(["1", "2", "3", "4", "5"], n),
            "years": np.round(rng.uniform(0, 72, n), 2),
            "ratio": np.round(rng.uniform(0.5, 5.5, n), 3),
            "dev": rng.choice([0.0, 15.0, -10.0], n),
        }
    )
    levels = np.array(["优", "较优", "一般", "较劣", "劣", None], dtype=object)
    for factor in FACTORS:
        frame[factor] = rng.choice(levels, n, p=[0.19, 0.19, 0.19, 0.19, 0.19, 0.05])
    frame["bench_ratio"] = frame["grade"].map(BENCHMARK_RATIO)
    return frame


def baseline(frame: pd.DataFrame, corrections, big_n: dict[str, float]) -> pd.Series:
    """Row-wise pandas: the same formula with dict lookups, one parcel at a time."""
    rates = corrections.rate_by_use()
    lines = {
        key: (
            list(t["plot_ratio"]),
            list(t["coefficient"]),
            t["bound"].iloc[0],
            t["bound"].iloc[-1],
        )
        for key, t in corrections.plot_ratio.sort_values("plot_ratio").groupby(["use", "grade"])
    }
    f = corrections.factors
    percent = {
        (u, g, fa, lv): p
        for u, g, fa, lv, p in zip(
            f["use"], f["grade"], f["factor"], f["level"], f["percent"], strict=False
        )
    }
    factors_of = f.groupby(["use", "grade"])["factor"].unique().to_dict()

    def one(row: pd.Series) -> float:
        use, n = row["use"], row["years"]
        if use not in rates or n > big_n[use]:
            return np.nan
        r = rates[use]
        k_term = (1 - (1 + r) ** -n) / (1 - (1 + r) ** -big_n[use])
        xs, ys, low, high = lines[(use, row["grade"])]

        def c(x: float) -> float:
            if x <= xs[0]:
                return ys[0] if (x == xs[0] or low == "le") else np.nan
            if x >= xs[-1]:
                return ys[-1] if (x == xs[-1] or high == "ge") else np.nan
            i = bisect.bisect_right(xs, x)
            return ys[i - 1] + (ys[i] - ys[i - 1]) * (x - xs[i - 1]) / (xs[i] - xs[i - 1])

        x, bench = row["ratio"], row["bench_ratio"]
        k_plot = 1.0 if x == bench else c(x) / c(bench)
        total = 0.0
        for factor in factors_of.get((use, row["grade"]), ()):
            level = row[factor] if isinstance(row[factor], str) else "一般"  # not given: 一般
            total += percent[(use, row["grade"], factor, level)]
        return row["base"] * (1 + total / 100) * k_plot * k_term + row["dev"]

    return frame.apply(one, axis=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    args = parser.parse_args()
    corrections = load_corrections(TONGDAO)
    big_n = {"居住用地": 70.0}
    frame = parcels(args.parcels)

    t0 = time.perf_counter()
    out = value_parcels(
        base_price=frame["base"], use=frame["use"], grade=frame["grade"],
        remaining_years=frame["years"], plot_ratio=frame["ratio"], corrections=corrections,
        benchmark_years=big_n, benchmark_plot_ratio=frame["bench_ratio"],
        benchmark_date="2025-04-01",
        valuation_date=np.full(len(frame), "2025-04-01"),
        factor_levels=frame[FACTORS], development=frame["dev"],
    )  # fmt: skip
    t_landgrade = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = baseline(frame, corrections, big_n)
    t_baseline = time.perf_counter() - t0

    got = out["unit_price"].to_numpy()
    want = ref.to_numpy(dtype=np.float64)
    same_nan = np.array_equal(np.isnan(got), np.isnan(want))
    ok = same_nan and np.allclose(got, want, rtol=1e-9, atol=0.0, equal_nan=True)
    print(f"parcels            {len(frame):,}")
    print(f"priced             {int(np.isfinite(got).sum()):,}")
    print(f"landgrade          {t_landgrade:.3f} s  (value_parcels, vectorised)")
    print(f"pandas apply       {t_baseline:.3f} s  (row-wise, dict lookups)")
    print(f"ratio              {t_baseline / t_landgrade:.1f}")
    print(f"unit prices equal  {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
