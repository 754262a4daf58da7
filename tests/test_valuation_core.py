"""The valuation core against real published correction systems (tests/data/corrections/).

Key acceptance: the term formula reproduces every published term table at 4 decimals from its rate.
"""

from __future__ import annotations

import bisect
import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from landgrade.errors import LandgradeError
from landgrade.valuation import load_corrections, term_coefficient, value_parcels
from landgrade.valuation.corrections import Corrections, grade_key
from landgrade.valuation.interpolate import interpolate_plot_ratio

DATA = Path(__file__).parent / "data" / "corrections"
TONGDAO = DATA / "tongdao"
BAZHONG = DATA / "bazhong"
TONGDAO_FACTORS = {
    "距小区级商服中心距离": "较优",
    "距汽车站距离": "较劣",
    "临近道路状况": "较劣",
    "距公交站点距离": "一般",
    "供水保证率": "优",
    "供电保证率": "优",
    "排水状况": "优",
    "公用设施完善度": "优",
    "人口密度": "较优",
    "噪声污染状况": "优",
    "水污染状况": "优",
    "道路规划": "一般",
}


def _term_tables() -> list[tuple[str, str, float, float, str]]:
    """(place, use, rate, N, origin of the rate) for every saved term table."""
    cases = []
    for folder in sorted(p for p in DATA.iterdir() if (p / "corrections" / "term.csv").is_file()):
        c = load_corrections(folder)
        published = c.rate_by_use()
        inferred = {}
        if (folder / "inferred_rates.csv").is_file():
            with open(folder / "inferred_rates.csv", encoding="utf-8") as f:
                inferred = {r["use"]: r for r in csv.DictReader(f)}
        for use in pd.unique(c.term["use"]):
            if use in published:
                rate, origin = published[use], "published"
            else:
                rate, origin = float(inferred[use]["rate"]), "derived"
            big_n = float(inferred[use]["benchmark_years"]) if use in inferred else None
            cases.append((folder.name, use, rate, big_n, origin))
    return cases


@pytest.mark.parametrize(("place", "use", "rate", "big_n", "origin"), _term_tables())
def test_term_formula_reproduces_published_table(place, use, rate, big_n, origin):
    table = load_corrections(DATA / place).term
    sub = table[table["use"] == use]
    assert len(sub) >= 30
    k = term_coefficient(rate, sub["years"].to_numpy(), big_n)
    diff = np.abs(k - sub["coefficient"].to_numpy())
    assert diff.max() <= 0.5e-4 + 1e-12, (origin, sub["years"].to_numpy()[diff.argmax()])
    # the loader's own check agrees: no warning once the rate is known
    rates = pd.DataFrame({"use": [use], "rate": [rate]})
    from landgrade.valuation.corrections import check_term_table

    assert check_term_table(sub, rates, {use: big_n}) == []


def test_term_check_warns_on_a_wrong_rate():
    from landgrade.valuation.corrections import check_term_table

    term = load_corrections(BAZHONG).term
    warnings = check_term_table(
        term, pd.DataFrame({"use": ["工业用地"], "rate": [0.065]}), {"工业用地": 50}
    )
    assert any("工业用地" in w and "published 0.0599" in w for w in warnings)
    assert any("商服用地" in w and "no rate" in w for w in warnings)


def test_published_term_coefficients():
    # Tongdao worked example: r 6.75 %, n 63.97, N 70 → 0.9950
    assert round(float(term_coefficient(0.0675, 63.97, 70)), 4) == 0.9950
    # exam items (worked_examples/source.md)
    assert round(float(term_coefficient(0.06, 45, 50)), 2) == 0.98
    assert round(float(term_coefficient(0.08, 70, 50, allow_longer=True)), 4) == 1.0171
    # vectorised, broadcast
    k = term_coefficient(np.array([0.0854, 0.0748]), np.array([[40.0], [1.0]]), np.array([40, 70]))
    assert k.shape == (2, 2) and k[0, 0] == pytest.approx(1.0) and round(k[1, 1], 4) == 0.0700


@pytest.mark.parametrize(
    ("rate", "n", "big_n", "fragment"),
    [
        (0.0, 10, 40, "must be > 0"),
        (-0.01, 10, 40, "must be > 0"),
        (6.75, 10, 40, "0.0675"),
        (0.07, -1, 40, "negative"),
        (0.07, 41, 40, "exceed"),
        (0.07, 10, 0, "N must be > 0"),
    ],
)
def test_term_refuses(rate, n, big_n, fragment):
    with pytest.raises(LandgradeError, match=fragment):
        term_coefficient(rate, [5.0, n], big_n)


def test_term_nan_propagates():
    assert np.isnan(term_coefficient(0.07, [np.nan], 40)[0])


def test_interpolation_between_listed_ratios():
    c = load_corrections(TONGDAO)
    look = interpolate_plot_ratio(
        c.plot_ratio,
        ["居住用地"] * 5,
        ["2", "2", "1", "5", "3"],
        [4.58, 4.5, 0.6, 7.0, 2.05],
    )
    assert list(look.status) == ["ok"] * 5
    assert round(look.coefficient[0], 4) == 1.4369  # the published Kv of the worked example
    assert look.coefficient[1] == 1.4259  # listed ratio: exactly the listed value
    assert look.coefficient[2] == 0.7001  # published open row ≤1
    assert look.coefficient[3] == 1.3454  # published open row ≥5
    assert look.coefficient[4] == pytest.approx((1.0379 + 1.0560) / 2)


def test_out_of_table_is_refused_not_extrapolated():
    c = load_corrections(DATA / "unattributed_77cn")
    look = interpolate_plot_ratio(
        c.plot_ratio,
        ["商业用地", "商业用地", "商业用地", "住宅用地", "住宅用地", "商业用地", "商业用地"],
        ["4", "9", "9", "1", "3", "2", "5"],
        [0.9, 15.0, 14.9, 2.0, 1.95, 2.0, np.nan],
    )
    assert list(look.status) == [
        "plot_ratio_out_of_table",
        "plot_ratio_out_of_table",
        "ok",
        "plot_ratio_out_of_table",
        "plot_ratio_out_of_table",
        "no_plot_ratio_table",
        "no_plot_ratio",
    ]
    assert np.isnan(look.coefficient[[0, 1, 3, 4, 5, 6]]).all()
    assert look.coefficient[2] == 2.583


@pytest.mark.parametrize("label", ["一级", "1级", "Ⅰ级", "I", "1", "1.0", " 一 级 ", "第一级"])
def test_grade_key(label):
    assert grade_key(label) == "1"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_loader_error_names_file_row_column_and_fix(tmp_path):
    _write(tmp_path / "corrections" / "rates.csv", "use,rate\n商服用地,0.077\n住宅用地,abc\n")
    with pytest.raises(LandgradeError) as err:
        load_corrections(tmp_path)
    msg = str(err.value)
    assert "rates.csv" in msg and "row 3" in msg and "column 'rate'" in msg
    assert "0.0675" in msg  # what would fix it


def test_loader_percent_rate_and_percent_guard(tmp_path):
    _write(tmp_path / "rates.csv", "use,rate\n商服用地,7.70%\n住宅用地,6.75\n")
    with pytest.raises(LandgradeError, match=r"row 3, column 'rate'"):
        load_corrections(tmp_path)
    _write(tmp_path / "rates.csv", "use,rate\n商服用地,7.70%\n")
    assert load_corrections(tmp_path).rate_by_use() == {"商服用地": pytest.approx(0.077)}


def test_loader_reads_gbk_and_names_rows_there_too(tmp_path):
    text = "use,grade,plot_ratio,coefficient\n住宅用地,一级,1.0,0.9\n住宅用地,一级,1.5,1.0\n"
    _write(tmp_path / "plot_ratio.csv", text, "gbk")
    c = load_corrections(tmp_path)
    assert list(c.plot_ratio["grade"]) == ["1", "1"]
    assert c.plot_ratio["coefficient"].tolist() == [0.9, 1.0]
    bad = text + "\n住宅用地,二级,两点,1.1\n"  # a blank line keeps spreadsheet numbering
    _write(tmp_path / "plot_ratio.csv", bad, "gbk")
    with pytest.raises(LandgradeError) as err:
        load_corrections(tmp_path)
    assert "plot_ratio.csv: row 5, column 'plot_ratio'" in str(err.value)
    assert "'两点' is not a plot ratio" in str(err.value)


def test_loader_header_duplicates_and_open_rows(tmp_path):
    _write(tmp_path / "term.csv", "use,year,coefficient\n商服用地,1,0.08\n")
    with pytest.raises(LandgradeError, match=r"missing column.*years"):
        load_corrections(tmp_path)
    _write(tmp_path / "term.csv", "use,years,coefficient\n商服用地,1,0.08\n商服用地,1,0.09\n")
    with pytest.raises(LandgradeError, match=r"row 3.*repeats row 2"):
        load_corrections(tmp_path)
    (tmp_path / "term.csv").unlink()
    _write(
        tmp_path / "plot_ratio.csv",
        "use,grade,plot_ratio,coefficient\n住宅用地,1,1.0,0.9\n住宅用地,1,≤1.5,1.0\n",
    )
    with pytest.raises(LandgradeError, match=r"row 3.*only the lowest row"):
        load_corrections(tmp_path)


def test_loader_dates_and_all_files_optional(tmp_path):
    _write(tmp_path / "date_index.csv", "date,index\n2022年1月1日,102\n2021.10.1,100\n")
    c = load_corrections(tmp_path)
    assert c.present == ("date_index.csv",)
    assert list(c.date_index["index"]) == [100.0, 102.0]
    _write(tmp_path / "date_index.csv", "date,index\n2021-13-01,100\n")
    with pytest.raises(LandgradeError):
        load_corrections(tmp_path)


def test_worked_example_675():
    price = 500 * (1 + -0.13) * 1.06 * 1.51 * 0.97
    assert round(price) == 675
    # the same through the vectorised method: a one-row plot-ratio table holding 1.51, a date index
    # giving 1.06, a rate and term giving 0.97, a factor table giving -13 %.
    rate = 0.07
    big_n = 40.0
    lo, hi = 1.0, 40.0
    while hi - lo > 1e-12:  # remaining years with K_term = 0.97 exactly
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if term_coefficient(rate, mid, big_n) < 0.97 else (lo, mid)
    c = Corrections(
        rates=pd.DataFrame({"use": ["u"], "rate": [rate]}),
        term=Corrections.empty().term,
        plot_ratio=pd.DataFrame(
            {
                "use": ["u", "u"],
                "grade": ["1", "1"],
                "plot_ratio": [1.0, 3.0],
                "coefficient": [1.51, 1.51],
                "bound": ["", ""],
            }
        ),
        factors=pd.DataFrame(
            {
                "use": ["u"],
                "grade": ["1"],
                "factor": ["区域与个别因素"],
                "level": ["较劣"],
                "percent": [-13.0],
            }
        ),
        date_index=pd.DataFrame(
            {"date": pd.to_datetime(["2020-01-01", "2021-01-01"]), "index": [100.0, 106.0]}
        ),
    )
    out = value_parcels(
        base_price=[500],
        use=["u"],
        grade=["一级"],
        remaining_years=[lo],
        plot_ratio=[2.0],
        corrections=c,
        benchmark_years={"u": big_n},
        benchmark_date="2020-01-01",
        valuation_date=["2021-01-01"],
        factor_levels=pd.DataFrame({"区域与个别因素": ["较劣"]}),
    )
    assert out["value_status"].iloc[0] == "valued"
    assert round(out["unit_price"].iloc[0]) == 675


def _tongdao_parcel(**overrides):
    args = dict(
        base_price=[710.0],
        use=["居住用地"],
        grade=["二级"],
        remaining_years=[63.97],
        plot_ratio=[4.58],
        corrections=load_corrections(TONGDAO),
        benchmark_years={"居住用地": 70},
        benchmark_date="2025-04-01",
        valuation_date=["2026-06-03"],
        factor_levels=pd.DataFrame([TONGDAO_FACTORS]),
        area=[19.02],
    )
    args.update(overrides)
    return value_parcels(**args)


def test_worked_example_tongdao_1144_6():
    out = _tongdao_parcel().iloc[0]
    assert out["value_status"] == "valued"
    assert round(out["k_factors"] * 100, 4) == 2.4020
    assert round(out["k_plot_ratio"], 4) == 1.4369
    assert round(out["k_term"], 4) == 0.9950
    # Tongdao has no land-price index (K_t = 1.002^14.07 by a monthly rate): said, not applied
    assert out["k_date"] == 1.0 and "date_unapplied" in out["value_notes"]
    kt = 1.002**14.07
    assert round(kt, 4) == 1.0285
    individual = 0.98 * 1.05 * 1.02 * 1.02  # area, landscape, shape, orientation
    assert round(out["unit_price"] * kt * individual, 1) == 1144.6
    # the published chain of rounded coefficients gives the same
    assert round(710 * 1.024020 * 0.9950 * 1.4369 * 1.0285 * individual, 1) == 1144.6


def test_statuses_block_or_note():
    c = load_corrections(TONGDAO)
    levels = pd.DataFrame([TONGDAO_FACTORS] * 9)
    levels.loc[5, "人口密度"] = None
    levels.loc[6, "人口密度"] = "很好"
    out = value_parcels(
        base_price=[710, np.nan, 710, 710, 710, 710, 710, 710, 710],
        use=[
            "居住用地",
            "居住用地",
            "商服",
            "居住用地",
            "居住用地",
            "居住用地",
            "居住用地",
            "居住用地",
            "居住用地",
        ],
        grade=["二级"] * 8 + ["一级"],
        remaining_years=[70, 70, 40, 71, 70, 70, 70, np.nan, 70],
        plot_ratio=[2.0, 2.0, 2.0, 2.0, 9.0, 2.0, 2.0, 2.0, 2.0],
        corrections=c,
        benchmark_years={"居住用地": 70},
        benchmark_date="2025-04-01",
        valuation_date=["2025-04-01"] * 9,
        factor_levels=levels,
        development=[0, 0, 0, 0, 0, 0, 0, 0, np.nan],
    )
    assert list(out["value_status"]) == [
        "valued",
        "no_base_price",
        "no_benchmark_term;no_plot_ratio_table",  # 商服: no N, no table; every code is said
        "term_exceeds_benchmark",
        "valued",
        "valued",  # a factor not given counts as 一般, and is said
        "unknown_factor_level",
        "no_term",
        "valued",
    ]
    assert "factor_assumed_average" in out["value_notes"].iloc[5]
    # 人口密度 较优 is +0.2735 %, 一般 is 0
    assert out["k_factors"].iloc[5] == pytest.approx(out["k_factors"].iloc[0] - 0.2735 / 100)
    assert out["unit_price"].iloc[0] == pytest.approx(710 * (1 + 0.02402))
    # row 4: ≥5 is a published open row, so 9.0 is priced at the 5.0 coefficient
    assert out["k_plot_ratio"].iloc[4] == 1.4932
    assert out["unit_price"].iloc[1:4].isna().all()
    # grade 1 has no factor table in Tongdao's saved tables: ΣK = 0, said
    assert out["k_factors"].iloc[8] == 0 and "factors_unapplied" in out["value_notes"].iloc[8]
    assert "development_as_connotation" in out["value_notes"].iloc[8]
    assert "date_unapplied" not in out["value_notes"].iloc[0]  # valuation date = 估价期日
    strict = _tongdao_parcel(require_date_index=True)
    assert strict["value_status"].iloc[0] == "no_date_index"
    assert np.isnan(strict["unit_price"].iloc[0])


def test_date_index_outside_and_exempt_use():
    c = Corrections(
        rates=pd.DataFrame({"use": ["工业用地"], "rate": [0.06]}),
        term=Corrections.empty().term,
        plot_ratio=Corrections.empty().plot_ratio,
        factors=Corrections.empty().factors,
        date_index=pd.DataFrame(
            {"date": pd.to_datetime(["2021-10-01", "2022-10-01"]), "index": [100.0, 104.0]}
        ),
    )
    out = value_parcels(
        base_price=[300, 300, 300, 300],
        use=["工业用地"] * 4,
        grade=["1"] * 4,
        remaining_years=[50, 50, 50, 50],
        plot_ratio=[1, 1, np.nan, 1],
        corrections=c,
        benchmark_years={"工业用地": 50},
        benchmark_date="2021-10-01",
        valuation_date=["2022-04-02", "2023-01-01", "2022-10-01", None],
        plot_ratio_exempt_uses={"工业用地"},
    )
    assert list(out["value_status"]) == [
        "valued", "date_outside_index", "valued", "no_valuation_date"]
    assert out["k_date"].iloc[2] == pytest.approx(1.04)
    assert out["k_date"].iloc[0] == pytest.approx(1 + 0.04 * 183 / 365)
    assert "plot_ratio_not_corrected" in out["value_notes"].iloc[2]


def test_term_from_table_when_no_rate():
    c = load_corrections(BAZHONG)
    out = value_parcels(
        base_price=[1000, 1000],
        use=["商服用地", "商服用地"],
        grade=["1", "1"],
        remaining_years=[31, 31.5],
        plot_ratio=[1.8, 1.8],
        corrections=c,
        benchmark_years={"商服用地": 40},
        benchmark_date="2021-08-31",
        valuation_date=["2021-08-31", "2021-08-31"],
        plot_ratio_exempt_uses={"商服用地"},
    )
    assert out["k_term"].iloc[0] == 0.9573 and out["value_status"].iloc[0] == "valued"
    assert "term_from_table" in out["value_notes"].iloc[0]
    assert out["value_status"].iloc[1] == "no_rate"


# ---- vectorised against a plain row-wise reference -------------------------------------------


def _reference_row(row, c: Corrections, big_n: dict, bdate: pd.Timestamp) -> float:
    """The formula for one parcel, written the obvious way (dict lookups, bisect)."""
    rate = c.rate_by_use().get(row["use"])
    if rate is None or pd.isna(row["years"]) or row["years"] > big_n[row["use"]]:
        return np.nan
    k_term = (1 - (1 + rate) ** -row["years"]) / (1 - (1 + rate) ** -big_n[row["use"]])
    t = c.plot_ratio[(c.plot_ratio["use"] == row["use"]) & (c.plot_ratio["grade"] == row["grade"])]
    if t.empty:
        return np.nan
    t = t.sort_values("plot_ratio")
    xs, ys = list(t["plot_ratio"]), list(t["coefficient"])
    x = row["ratio"]
    if x <= xs[0]:
        k_plot = ys[0] if (x == xs[0] or t["bound"].iloc[0] == "le") else np.nan
    elif x >= xs[-1]:
        k_plot = ys[-1] if (x == xs[-1] or t["bound"].iloc[-1] == "ge") else np.nan
    else:
        i = bisect.bisect_right(xs, x)
        k_plot = ys[i - 1] + (ys[i] - ys[i - 1]) * (x - xs[i - 1]) / (xs[i] - xs[i - 1])
    f = c.factors
    total = 0.0
    sub = f[(f["use"] == row["use"]) & (f["grade"] == row["grade"])]
    for factor in pd.unique(sub["factor"]):
        hit = sub[(sub["factor"] == factor) & (sub["level"] == row[factor])]
        if hit.empty:
            return np.nan
        total += hit["percent"].iloc[0]
    return row["base"] * (1 + total / 100) * 1.0 * k_plot * k_term + row["dev"]


def _synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    levels = np.array(["优", "较优", "一般", "较劣", "劣"])
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
    for factor in TONGDAO_FACTORS:
        frame[factor] = rng.choice(levels, n)
    return frame


def test_vectorised_equals_rowwise_reference():
    c = load_corrections(TONGDAO)
    frame = _synthetic(100_000)
    out = value_parcels(
        base_price=frame["base"],
        use=frame["use"],
        grade=frame["grade"],
        remaining_years=frame["years"],
        plot_ratio=frame["ratio"],
        corrections=c,
        benchmark_years={"居住用地": 70},
        benchmark_date="2025-04-01",
        valuation_date=np.full(len(frame), "2025-04-01"),
        factor_levels=frame[list(TONGDAO_FACTORS)],
        development=frame["dev"],
    )
    sample = frame.sample(3_000, random_state=0)  # the reference is slow; every status is covered
    ref = sample.apply(
        _reference_row, axis=1, c=c, big_n={"居住用地": 70}, bdate=pd.Timestamp("2025-04-01")
    )
    got = out.loc[sample.index, "unit_price"]
    # grades other than 2 have no factor table: ΣK = 0, which the reference does by summing nothing
    assert np.array_equal(np.isnan(got.to_numpy()), np.isnan(ref.to_numpy()))
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=1e-12, equal_nan=True)
    assert set(out["value_status"]) == {"valued", "term_exceeds_benchmark"}
