"""``landgrade value`` and the 测算表, end to end on the bundled map.

Expected values: the exam item P = 500 × (1 − 0.13) × 1.06 × 1.51 × 0.97 = 675
(tests/data/corrections/worked_examples), reproduced through a county folder whose tables give
exactly those coefficients (tests/valuation_county.py); Dongkou's own gazette, which publishes no
correction tables (Tables 1–4: term 40/70/50, plot ratio per grade, 五通一平, 2021-10-01; Table 6;
Table 7, the commercial road-line prices).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner
from valuation_county import (
    EXAMPLE_ARGS,
    EXAMPLE_PRICE,
    GRADE5_POINT,
    make_county,
    make_tongdao_county,
)

from landgrade.cli.app import app
from landgrade.engine.engine import load_engine
from landgrade.errors import LandgradeError
from landgrade.gazette.pricebook import load_pricebook
from landgrade.valuation.parcels import ValuationOptions, value_answers
from landgrade.valuation.system import load_system

runner = CliRunner()
COMMERCIAL_ON_A09 = ("110.56955", "27.05699")  # 3 m from route A09 文昌路 3 (5035, depth 20 m)
PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext not installed")


def cli(*args: object) -> object:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def grade_map(tmp_path_factory) -> Path:
    """The bundled Dongkou grade map as a file: the example counties are Dongkou copies that
    differ in tables and metadata only, so each is valued on this map (built once)."""
    path = tmp_path_factory.mktemp("map") / "dongkou.gpkg"
    res = cli("build", "--county", "dongkou", "-o", path, "--quiet")
    assert res.exit_code == 0, res.output
    return path


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    return make_county(tmp_path_factory.mktemp("c") / "example_county")


def value(grade_map: Path, county: Path | str, *args: object) -> object:
    return cli("value", *args, "--map", grade_map, "--county", county)


# --- the worked example ----------------------------------------------------------------------
def test_worked_example_675_through_landgrade_value(grade_map, county):
    res = value(grade_map, county, *GRADE5_POINT, *EXAMPLE_ARGS, "--json")
    assert res.exit_code == 0, res.output
    record = json.loads(res.stdout)
    v = record["valuation"]
    assert v["value_status"] == "valued"
    assert v["base_price"] == 500
    assert v["k_factors"] == pytest.approx(-0.13)
    assert v["k_date"] == pytest.approx(1.06)
    assert v["k_plot_ratio"] == pytest.approx(1.51)
    assert v["k_term"] == 0.97  # the published table overrides the formula (0.970001)
    assert v["d_development"] == 0
    assert v["unit_price"] == pytest.approx(EXAMPLE_PRICE)
    assert round(v["unit_price"]) == 675
    assert "development_as_connotation" in v["value_notes"]
    text = value(grade_map, county, *GRADE5_POINT, *EXAMPLE_ARGS, "--area", 1200)
    assert text.exit_code == 0, text.output
    assert "500 × (1 − 0.1300) × 1.0600 × 1.5100 × 0.9700 + 0 = 675.37" in text.stdout
    assert f"675.37 × 1,200.00 平方米 = {EXAMPLE_PRICE * 1200:,.2f} 元" in text.stdout


def test_every_coefficient_cites_its_file_row_or_formula(grade_map, county):
    res = value(grade_map, county, *GRADE5_POINT, *EXAMPLE_ARGS, "--term", 35.5,
                "--development", "通路,通电,通上水,通下水,场地平整,通讯", "--lang", "en")
    # --term twice: the second wins, 35.5 is not in term.csv: the formula with r, n, N
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "r = 6.59% (corrections/rates.csv row 2), n = 35.5, N = 70" in out
    assert "corrections/date_index.csv rows 2, 3" in out
    assert "c(2.5) = 1.5100 (row 3) ÷ c(1.5) = 1.0000 (row 2)" in out
    assert "corrections/factors.csv rows 6, 11" in out  # 区域因素 劣, 个别因素 劣
    assert "as the connotation (五通一平)" in out  # the six items are 五通一平
    k = (1 - 1.0659 ** -35.5) / (1 - 1.0659 ** -70)
    assert f"{k:.4f}" in out


def test_development_items_beyond_or_short_of_the_connotation(grade_map, county):
    more = value(grade_map, county, *GRADE5_POINT, *EXAMPLE_ARGS, "--json",
                 "--development", "通路,通电,通上水,通下水,通讯,场地平整,通气")
    assert more.exit_code == 0
    assert json.loads(more.stdout)["valuation"]["value_status"] == "no_development_item"
    less = value(grade_map, county, *GRADE5_POINT, *EXAMPLE_ARGS, "--json",
                 "--development", "通路,通电,通上水,通下水")  # no 通讯, no 场地平整
    v = json.loads(less.stdout)["valuation"]
    assert v["d_development"] == -35
    assert v["unit_price"] == pytest.approx(EXAMPLE_PRICE - 35)


def test_interpolated_plot_ratio_and_out_of_table(grade_map, county):
    mid = value(grade_map, county, *GRADE5_POINT, *EXAMPLE_ARGS, "--plot-ratio", 2.0, "--json")
    assert json.loads(mid.stdout)["valuation"]["k_plot_ratio"] == pytest.approx(1.255)
    out = value(grade_map, county, *GRADE5_POINT, *EXAMPLE_ARGS, "--plot-ratio", 2.6, "--json")
    v = json.loads(out.stdout)["valuation"]
    assert v["value_status"] == "plot_ratio_out_of_table" and v["unit_price"] is None


TONGDAO_LEVELS = ["距小区级商服中心距离=较优", "距汽车站距离=较劣", "临近道路状况=较劣",
                  "距公交站点距离=一般", "供水保证率=优", "供电保证率=优", "排水状况=优",
                  "公用设施完善度=优", "人口密度=较优", "噪声污染状况=优", "水污染状况=优"]
# 道路规划 is left out: not given, it counts as 一般 (0), as in the published example


def test_tongdao_published_example_through_landgrade_value(grade_map, tmp_path):
    """通道侗族自治县 (tests/data/corrections/tongdao/expected.md): residential grade 2, 710
    yuan/m², n = 63.97, plot ratio 4.58, the twelve factors → ΣK 2.4020 %, Kv 1.4369, Ky 0.9950;
    with the date (1.0285, a monthly rate, not an index) and the individual multipliers outside
    landgrade's formula multiplied in by hand, P = 1144.6."""
    county = make_tongdao_county(tmp_path / "tongdao_like")
    factors = [a for lv in TONGDAO_LEVELS for a in ("--factor", lv)]
    res = value(grade_map, county, "110.565", "27.065", "--use", "住宅用地", "--term", 63.97,
                "--plot-ratio", 4.58, "--date", "2026-06-03", *factors, "--json")
    assert res.exit_code == 0, res.output
    v = json.loads(res.stdout)["valuation"]
    assert v["value_status"] == "valued" and v["base_price"] == 710
    assert round(v["k_factors"] * 100, 4) == 2.4020
    assert round(v["k_plot_ratio"], 4) == 1.4369
    assert round(v["k_term"], 4) == 0.9950
    assert v["k_date"] == 1 and "date_unapplied" in v["value_notes"]  # no index published
    assert "factor_assumed_average" in v["value_notes"]  # 道路规划
    individual = 0.98 * 1.05 * 1.02 * 1.02  # area, landscape, shape, orientation
    assert round(v["unit_price"] * 1.002 ** 14.07 * individual, 1) == 1144.6


# --- Dongkou: no correction tables --------------------------------------------------------------
def test_dongkou_applies_what_it_can_and_names_every_correction_it_could_not():
    res = cli("value", *COMMERCIAL_ON_A09, "--use", "商服用地", "--term", 35.5,
              "--plot-ratio", 2.8, "--date", "2026-12-01", "--factor", "交通便捷度=较优")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "不能测算地价" in out and "no_rate;no_plot_ratio_table" in out
    # each of the five corrections named, with the file it would need
    for named in ("无 corrections/factors.csv", "给出的 交通便捷度=较优 未能使用",
                  "无 corrections/date_index.csv", "无容积率修正系数表", "无土地还原率",
                  "未给出宗地开发程度，按内涵（五通一平）"):
        assert named in out, named
    assert "3194 元/平方米（表6 一级商服用地）" in out
    assert "使用年期 40 年，容积率 2.3，五通一平，估价期日 2021-10-01" in out
    assert "道路网为示意性重建" in out


def test_dongkou_at_the_connotation_is_valued_at_the_benchmark():
    res = cli("value", *COMMERCIAL_ON_A09, "--use", "商服用地", "--term", 40, "--plot-ratio",
              2.3, "--date", "2021-10-01", "--development", "五通一平", "--json")
    v = json.loads(res.stdout)["valuation"]
    assert v["value_status"] == "valued"
    assert v["unit_price"] == 3194  # Table 6, grade 1 commercial: every K is 1, D is 0
    assert v["value_notes"] == "factors_unapplied;no_area"  # still said: no factor table


def test_dongkou_date_other_than_the_connotation_is_said_not_applied():
    res = cli("value", *COMMERCIAL_ON_A09, "--use", "商服用地", "--term", 40, "--plot-ratio",
              2.3, "--date", "2026-12-01", "--json", "--lang", "en")
    v = json.loads(res.stdout)["valuation"]
    assert v["value_status"] == "valued" and v["k_date"] == 1
    assert "date_unapplied" in v["value_notes"]


# --- road-line prices ----------------------------------------------------------------------------
def test_commercial_parcel_on_a_route_shows_both_prices_labelled():
    res = cli("value", *COMMERCIAL_ON_A09, "--use", "商服用地", "--term", 40, "--plot-ratio",
              2.3, "--date", "2021-10-01", "--area", 100)
    out = res.stdout
    assert "级别基准地价  3194 元/平方米" in out
    assert "路线价        5035 元/平方米；A09 文昌路 3" in out and "（表7）" in out
    assert "本县未规定采用级别基准地价或路线价：两者并列测算" in out
    assert "= 3,194.00 元/平方米" in out and "= 5,035.00 元/平方米" in out
    v = json.loads(cli("value", *COMMERCIAL_ON_A09, "--use", "商服用地", "--term", 40,
                       "--plot-ratio", 2.3, "--date", "2021-10-01", "--json").stdout)
    assert v["valuation"]["price_basis"] == "both"
    assert v["valuation"]["route_price"] == 5035 and v["valuation"]["route_unit_price"] == 5035


def test_residential_parcel_on_a_route_gets_no_road_line_price():
    res = cli("value", *COMMERCIAL_ON_A09, "--use", "住宅用地", "--term", 70, "--plot-ratio",
              2.8, "--date", "2021-10-01", "--json")
    v = json.loads(res.stdout)
    assert v["answer"]["nearest_route"]["within_standard_depth"]  # on the route …
    assert v["valuation"]["route_price"] is None  # … but Table 7 prices commercial land only
    assert v["valuation"]["price_basis"] == "" and v["valuation"]["unit_price"] == 1932
    text = cli("value", *COMMERCIAL_ON_A09, "--use", "住宅用地", "--term", 70,
               "--plot-ratio", 2.8, "--date", "2021-10-01").stdout
    assert "路线价        无（路线价表仅适用于商服用地）" in text
    assert "5035" not in text


def test_county_rule_picks_the_road_line_price(grade_map, tmp_path):
    rule = {"route_price_rule": "route", "route_price_rule_zh": "临街商服用地采用路线价"}
    county = make_county(tmp_path / "c", valuation=rule)
    res = value(grade_map, county, *COMMERCIAL_ON_A09, "--use", "商服用地", "--term", 40,
                "--plot-ratio", 2.3, "--date", "2021-10-01")
    assert "路线价（本县规定：临街商服用地采用路线价）" in res.stdout
    first = res.stdout.index("按路线价单价")
    assert first < res.stdout.index("\n单价")  # the price the rule values from comes first


# --- validity ----------------------------------------------------------------------------------
RULE = {"update_period_years": 3, "max_age_years": 6,
        "validity_rule_zh": "基准地价每3年更新一次，超过6年未更新的不得用于基准地价系数修正法",
        "validity_source": "示例规定"}


def test_validity_warns_past_the_period_and_refuses_past_the_limit(grade_map, tmp_path):
    county = make_county(tmp_path / "c", valuation=RULE)
    index = "date,index\n2021-10-01,100\n2026-12-01,106\n2028-01-01,108\n"
    (county / "corrections" / "date_index.csv").write_text(index, encoding="utf-8")
    ok = value(grade_map, county, *GRADE5_POINT, *EXAMPLE_ARGS, "--date", "2024-09-30")
    assert ok.exit_code == 0 and "超过更新周期" not in ok.output
    warned = value(grade_map, county, *GRADE5_POINT, *EXAMPLE_ARGS)  # 2026-12-01: 5 years
    assert warned.exit_code == 0
    assert "基准地价已超过更新周期 3 年：基准地价每3年更新一次" in warned.output
    refused = value(grade_map, county, *GRADE5_POINT, *EXAMPLE_ARGS, "--date", "2027-10-02")
    assert refused.exit_code == 2
    assert "不得用于基准地价系数修正法" in refused.output and "示例规定" in refused.output
    allowed = value(grade_map, county, *GRADE5_POINT, *EXAMPLE_ARGS, "--date", "2027-10-02",
                    "--allow-expired", "--json")
    assert allowed.exit_code == 0
    assert json.loads(allowed.stdout)["valuation"]["value_status"] == "valued"


def test_dongkou_publishes_no_validity_rule():
    assert load_system(load_pricebook("dongkou")).validity.max_age_years is None


# --- a file -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def parcels(tmp_path_factory) -> Path:
    """Three 30 m squares in the example's grade 5 and one outside the extent, in EPSG:4326."""
    engine = load_engine()
    x, y = (float(v) for v in GRADE5_POINT)
    from landgrade.io import crs as crsmod

    cx, cy = crsmod.transform(np.array([x]), np.array([y]), "EPSG:4326", engine.working_crs)
    squares = [shapely.box(cx[0] + dx, cy[0], cx[0] + dx + 30, cy[0] + 30) for dx in (0, 40, 80)]
    squares.append(shapely.box(cx[0] + 30_000, cy[0], cx[0] + 30_030, cy[0] + 30))
    gdf = gpd.GeoDataFrame({
        "宗地号": ["P1", "P2", "P3", "P4"], "用途": ["住宅用地", "住宅", "住宅用地", "住宅用地"],
        "剩余年期": [50, 50, None, 50], "容积率": [2.5, 2.0, 2.5, 2.5],
        "估价时点": ["2026-12-01", "2026-12-01", "2026-12-01", "2026-12-01"],
        "区位": ["劣", "5", "劣", "劣"], "unit_price": [1, 2, 3, 4],
    }, geometry=squares, crs=engine.working_crs).to_crs(4326)
    path = tmp_path_factory.mktemp("p") / "parcels.gpkg"
    gdf.to_file(path)
    return path


FILE_ARGS = ["--use-field", "用途", "--term-field", "剩余年期", "--plot-ratio-field", "容积率",
             "--date-field", "估价时点", "--factor-field", "区域因素=区位", "--factor",
             "个别因素=劣", "--no-progress"]


@pytest.mark.parametrize("suffix", [".csv", ".gpkg", ".shp", ".parquet", ".xlsx", ".geojson"])
def test_file_rows_valued_one_out_per_row_in(grade_map, county, parcels, tmp_path, suffix):
    out = tmp_path / f"valued{suffix}"
    # --lang en: the answer columns keep their codes in CSV and Excel too (zh heads them in words)
    res = value(grade_map, county, parcels, *FILE_ARGS, "--lang", "en", "-o", out)
    assert res.exit_code == 0, res.output
    from landgrade.io.readers import read_file

    got = pd.DataFrame(read_file(out))
    for column in ("unit_price", "total_price"):  # CSV cells come back as text
        if column in got:
            got[column] = pd.to_numeric(got[column].replace("", None), errors="coerce")
    assert len(got) == 4 and list(got["宗地号"].astype(str)) == ["P1", "P2", "P3", "P4"]
    status = "value_stat" if suffix == ".shp" else "value_status"
    unit = "unit_price"
    assert list(got[status]) == ["valued", "valued", "no_term", "no_base_price"]
    assert float(got[unit].iloc[0]) == pytest.approx(EXAMPLE_PRICE)
    # P2: 住宅 is the same use; level 5 is 劣; ratio 2.0 is between the listed 1.5 and 2.5
    assert float(got[unit].iloc[1]) == pytest.approx(500 * 0.87 * 1.06 * 1.255 * 0.97)
    assert pd.isna(got[unit].iloc[2]) and pd.isna(got[unit].iloc[3])
    # the input's own column is kept, not overwritten
    assert ("src_unit_p" if suffix == ".shp" else "src_unit_price") in got.columns
    if suffix != ".shp":
        assert float(got["total_price"].iloc[0]) == pytest.approx(EXAMPLE_PRICE * 900, rel=1e-4)
        for column in ("base_price", "k_factors", "k_date", "k_plot_ratio", "k_term",
                       "d_development", "value_notes", "grade", "route_id"):
            assert column in got.columns


def test_file_options_are_checked_before_any_row(grade_map, county, parcels, tmp_path):
    res = value(grade_map, county, parcels, "--use-field", "用途", "--term-field", "年期",
                "--plot-ratio", 2, "--date", "2026-12-01", "-o", tmp_path / "x.csv")
    assert res.exit_code == 2 and "--term-field '年期'" in res.output
    assert not (tmp_path / "x.csv").exists()
    both = value(grade_map, county, parcels, "--term", 30, "--term-field", "剩余年期",
                 "-o", tmp_path / "x.csv")
    assert both.exit_code == 2 and "not both" in both.output
    none = value(grade_map, county, parcels, "--use-field", "用途", "--term", 30,
                 "-o", tmp_path / "x.csv")
    assert none.exit_code == 2 and "--plot-ratio or --plot-ratio-field" in none.output
    assert "--date or --date-field" in none.output and not (tmp_path / "x.csv").exists()


def test_unknown_use_in_a_correction_table_names_file_and_row(grade_map, tmp_path):
    county = make_county(tmp_path / "c", corrections={"rates.csv": "use,rate\n住宅用地,0.06\n"
                                                                    "居住用地,0.07\n"})
    res = value(grade_map, county, *GRADE5_POINT, *EXAMPLE_ARGS)
    assert res.exit_code == 2
    assert "rates.csv: row 3, column 'use'" in res.output and "居住用地" in res.output


def test_value_answers_vectorised_matches_one_row_at_a_time(county):
    """The file path values rows together; each row alone gives the same numbers."""
    system = load_system(load_pricebook(county))
    engine = load_engine()
    x = np.linspace(110.55, 110.61, 40)
    answers = engine.locate(x, np.full(40, 27.055), crs="EPSG:4326")
    rng = np.random.default_rng(3)
    answers["u"] = rng.choice(["住宅用地", "商服用地", "工矿仓储用地"], 40)
    answers["n"] = rng.choice([35.5, 50, 70, 40], 40)
    answers["r"] = rng.choice([1.5, 2.0, 2.5], 40)
    options = ValuationOptions(use_field="u", term_field="n", plot_ratio_field="r",
                               date="2026-12-01")
    together = value_answers(system, answers, options)
    for i in range(len(answers)):
        alone = value_answers(system, answers.iloc[[i]], options).iloc[0]
        for col in ("unit_price", "k_term", "k_plot_ratio", "value_status"):
            a, b = together[col].iloc[i], alone[col]
            assert (pd.isna(a) and pd.isna(b)) or a == b, (i, col, a, b)
    assert set(together["value_status"]) >= {"valued", "no_plot_ratio_table"}


# --- the 测算表 ---------------------------------------------------------------------------------
@needs_pdftotext
def test_valuation_sheet_pdf_holds_every_coefficient_and_its_source(grade_map, county, tmp_path):
    pdf = tmp_path / "sheet.pdf"
    res = cli("report", *GRADE5_POINT, "--valuation", *EXAMPLE_ARGS, "--term", 35.5,
              "--area", 1200, "--map", grade_map, "--county", county, "-o", pdf)
    assert res.exit_code == 0, res.output
    text = subprocess.run([PDFTOTEXT, str(pdf), "-"], capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    k_term = (1 - 1.0659 ** -35.5) / (1 - 1.0659 ** -70)
    for expected in ("宗地地价测算表（基准地价系数修正法）", "洞政发〔2022〕1号",
                     "500 元/平方米（表6 五级住宅用地）", "-0.1300", "1.0600", "1.5100",
                     f"{k_term:.4f}", "r = 6.59%", "n = 35.5", "N = 70",
                     "corrections/rates.csv 第2行", "corrections/date_index.csv 第2、3行",
                     "c(2.5) = 1.5100", "corrections/factors.csv 第6、11行",
                     "区域因素 劣 -8%", "个别因素 劣 -5%", "按内涵（五通一平）",
                     "道路网为示意性重建", "测算人", "复核人"):
        assert expected in flat, expected
    unit = 500 * 0.87 * 1.06 * 1.51 * k_term
    assert f"{unit:,.2f}" in flat and f"{unit * 1200:,.2f}" in flat


def test_valuation_sheet_as_a_workbook(grade_map, county, parcels, tmp_path):
    from openpyxl import load_workbook

    xlsx = tmp_path / "sheets.xlsx"
    res = cli("report", parcels, "--valuation", *[a for a in FILE_ARGS if a != "--no-progress"],
              "--map", grade_map, "--county", county, "-o", xlsx)
    assert res.exit_code == 0, res.output
    book = load_workbook(xlsx)
    assert book.sheetnames == ["汇总", "P1", "P2", "P3", "P4"]
    cells = " ".join(str(c) for row in book["P1"].iter_rows(values_only=True) for c in row if c)
    for expected in ("三、修正系数", "1.0600", "1.5100", "0.9700", "corrections/term.csv",
                     "675.37"):
        assert expected in cells, expected
    summary = list(book["汇总"].iter_rows(values_only=True))
    assert [r[-1] for r in summary[1:]] == ["valued", "valued", "no_term", "no_base_price"]


def test_valuation_sheets_of_a_file_are_drawn_one_page_at_a_time(grade_map, county, parcels,
                                                                  tmp_path, monkeypatch):
    # A file of many parcels must not hold every page in memory until the end (as the 查询单
    # once did): at each save at most the page being saved is open, and none is left after.
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    open_at_save: list[int] = []
    real = PdfPages.savefig

    def counting(self, figure=None, **kw):
        open_at_save.append(len(plt.get_fignums()))
        return real(self, figure, **kw)

    monkeypatch.setattr(PdfPages, "savefig", counting)
    pdf = tmp_path / "sheets.pdf"
    res = cli("report", parcels, "--valuation", *[a for a in FILE_ARGS if a != "--no-progress"],
              "--map", grade_map, "--county", county, "-o", pdf)
    assert res.exit_code == 0, res.output
    assert len(open_at_save) == 4 and max(open_at_save) == 1
    assert plt.get_fignums() == []


def test_valuation_options_refuse_what_cannot_be_right():
    with pytest.raises(LandgradeError, match="--date"):
        ValuationOptions(date="2026-13-01")
    with pytest.raises(LandgradeError, match="优/较优/一般/较劣/劣"):
        ValuationOptions.from_cli(factor=["交通=很好"])
    with pytest.raises(LandgradeError, match="NAME=LEVEL"):
        ValuationOptions.from_cli(factor=["交通"])


def test_readme_valuation_example_runs_as_written():
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Valuing a parcel")
    section = readme[start:readme.find("\n## ", start + 1)]
    (block,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    *body, last = block.strip().splitlines()
    ns: dict = {}
    exec(compile("\n".join(body) + f"\nresult = {last}", "README.md", "exec"), ns)
    row = ns["result"].iloc[0]
    assert row["value_status"] == "valued" and row["unit_price"] == 3194  # Table 6, grade 1
