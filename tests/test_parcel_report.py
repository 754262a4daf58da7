"""The parcel report (基准地价查询单) and the use-priced columns of ``assign --use-field``.

Expected values come from the county folder (Table 6 through the pricebook, 文号 and valuation
date from metadata.json) and from geometry computed by hand; the PDFs are read back with
pdftotext, as a reader of the printed page would.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box
from typer.testing import CliRunner

from landgrade.cli.app import app
from landgrade.engine import load_engine
from landgrade.engine.use_prices import use_price
from landgrade.gazette.pricebook import load_pricebook
from landgrade.io.crs import transform

runner = CliRunner()
PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None, reason="pdftotext not installed (Debian: apt-get install poppler-utils)"
)
POINT = (110.575, 27.06)  # the README's grade-1 point in the county seat (WGS84)


def _text(pdf: Path) -> str:
    out = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True, text=True)
    return out.stdout


@pytest.fixture(scope="module")
def engine():
    return load_engine()


@pytest.fixture(scope="module")
def grade1_parcel(engine) -> shapely.Polygon:
    """A 40 m × 30 m parcel (1200 m² by hand) around the grade-1 point, wholly in grade 1."""
    x, y = transform(*POINT, "EPSG:4326", "EPSG:4546")
    parcel = box(x - 20, y - 15, x + 20, y + 15)
    grades = engine.grade_map.grades.to_crs(4546)
    grade1 = shapely.union_all(grades[grades["grade"] == 1].geometry.array)
    assert grade1.contains(parcel), "test parcel must lie wholly in grade 1"
    return parcel


@needs_pdftotext
def test_grade1_point_report_holds_grade_table6_document_and_date(tmp_path: Path) -> None:
    book = load_pricebook()
    out = tmp_path / "point.pdf"
    res = runner.invoke(app, ["report", str(POINT[0]), str(POINT[1]), "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = _text(out)
    assert "一级" in text
    for use, price in book.urban_prices(1).items():  # Table 6, grade 1, every use
        assert f"{price:,.0f}" in text, (use, price)  # whole yuan, thousands separated
        assert book.use_label(use) in text
    assert book.metadata["document"] in text  # 洞政发〔2022〕1号
    assert book.metadata["issuer"] in text
    assert book.metadata["valuation_date"] in text
    assert "示意性重建" in text  # the bundled network is schematic: the page says so
    assert "洞口县城镇基准地价查询单" in text
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert "CID TrueType" in fonts and " yes " in fonts  # CJK font embedded


@needs_pdftotext
def test_english_report_differs_from_the_chinese_one(tmp_path: Path) -> None:
    book = load_pricebook()
    out = tmp_path / "en.pdf"
    res = runner.invoke(app, ["report", f"{POINT[0]},{POINT[1]}", "-o", str(out), "--lang", "en"])
    assert res.exit_code == 0, res.output
    text = _text(out)
    assert "Grade 1" in text and "一级" not in text
    assert "Dongkou benchmark land price statement" in text
    assert book.use_label("commercial", "en") in text and "商服用地" not in text
    assert book.metadata["document"] in text  # data stays as published
    assert "schematic reconstruction" in text


@needs_pdftotext
def test_parcel_with_a_known_use_has_total_price_times_area(
    tmp_path: Path, grade1_parcel: shapely.Polygon
) -> None:
    book = load_pricebook()
    parcels = gpd.GeoDataFrame(
        {"宗地号": ["DK-1", "DK-2"], "用途": ["商服用地", "residential"]},
        geometry=[grade1_parcel, shapely.affinity.translate(grade1_parcel, 5000, 0)],
        crs="EPSG:4546",
    )
    src = tmp_path / "parcels.gpkg"
    parcels.to_file(src)
    out = tmp_path / "pages"
    res = runner.invoke(app, ["report", str(src), "--id-field", "宗地号", "--use-field", "用途",
                              "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["DK-1.pdf", "DK-2.pdf"]  # one per parcel
    text = _text(out / "DK-1.pdf")
    price = book.urban_price(1, "commercial")
    assert "DK-1" in text and "商服用地" in text and "1,200.00" in text  # 40 m × 30 m
    assert f"{price * 1200:,.2f}" in text  # 单价 × 面积
    assert "一级 100.00%" in text and "面积加权" not in text  # one grade: the gazette's own price
    assert "住宅用地" not in text  # the use's own price only, not all five
    outside = _text(out / "DK-2.pdf")  # 5 km east: outside the grading extent
    assert "范围以外 100.00%" in outside and f"{price * 1200:,.2f}" not in outside
    assert "outside_extent" not in outside  # the status in words, not its code


@needs_pdftotext
def test_parcel_across_two_grades_says_its_price_is_area_weighted(tmp_path: Path) -> None:
    """DK-S02 of the bundled samples straddles the 一级/二级 line: its price is no gazette row."""
    src = Path(__file__).parents[1] / "geo" / "dongkou" / "samples" / "parcels.geojson"
    out = tmp_path / "pages"
    res = runner.invoke(app, ["report", str(src), "--id-field", "宗地号", "--use-field", "用途",
                              "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = _text(out / "DK-S02.pdf")
    assert "一级" in text and "二级" in text
    assert "面积加权单价" in text
    assert "面积加权单价" not in _text(out / "DK-S01.pdf")  # wholly grade 1


def test_assign_use_field_gives_price_and_total(
    tmp_path: Path, grade1_parcel: shapely.Polygon
) -> None:
    book = load_pricebook()
    parcels = gpd.GeoDataFrame(
        {"id": [1, 2, 3, 4], "用途": ["住宅用地", "industrial", "", "农田"]},
        geometry=[grade1_parcel] * 4, crs="EPSG:4546",
    )
    src, out = tmp_path / "p.gpkg", tmp_path / "out.gpkg"
    parcels.to_file(src)
    res = runner.invoke(app, ["assign", str(src), "-o", str(out), "--use-field", "用途"])
    assert res.exit_code == 0, res.output
    got = gpd.read_file(out)
    assert got["price"].iloc[0] == book.urban_price(1, "residential")
    assert got["total"].iloc[0] == pytest.approx(book.urban_price(1, "residential") * 1200)
    assert got["price"].iloc[1] == book.urban_price(1, "industrial")
    assert np.isnan(got["price"].iloc[2]) and got["status"].iloc[2] == "ok"  # blank: no use
    assert got["status"].iloc[3] == "unknown_use" and "农田" in got["message"].iloc[3]
    assert np.isnan(got["price"].iloc[3])


def test_use_price_totals_only_the_part_inside_the_extent() -> None:
    book = load_pricebook()
    answer = pd.DataFrame({
        "p_comm": [3194.0, 2248.0], "p_resi": [1932.0, 1458.0],
        "area_m2": [1000.0, 1000.0], "share_out": [0.0, 0.25],
        "status": pd.Categorical(["ok", "ok"]), "message": ["answered", "answered"],
    })
    out = use_price(answer, ["commercial", "商服"], book)
    assert out["price"].tolist() == [3194.0, 2248.0]
    assert out["total"].tolist() == [3194.0 * 1000, 2248.0 * 750]  # 25 % outside is unpriced


def test_report_errors_name_the_option_and_fix(tmp_path: Path, grade1_parcel) -> None:
    src = tmp_path / "p.gpkg"
    gpd.GeoDataFrame({"id": [1]}, geometry=[grade1_parcel], crs="EPSG:4546").to_file(src)
    res = runner.invoke(app, ["report", str(src), "--id-field", "宗地号", "-o",
                              str(tmp_path / "r.pdf")])
    assert res.exit_code == 2
    assert "--id-field '宗地号' is not a column" in res.output and "id" in res.output
    res = runner.invoke(app, ["report", str(src)])
    assert res.exit_code == 2 and "-o OUT.pdf" in res.output
    res = runner.invoke(app, ["report", "110.575", "27.06", "--lang", "fr", "-o",
                              str(tmp_path / "x.pdf")])
    assert res.exit_code == 2 and "zh, en" in res.output
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "r.pdf").exists()


def test_record_carries_parcel_shares_area_and_route_depth(engine, grade1_parcel) -> None:
    from landgrade.engine.answer import to_record

    row = engine.assign(gpd.GeoDataFrame(geometry=[grade1_parcel], crs="EPSG:4546")).iloc[0]
    r = to_record(engine, row)
    assert r["area_m2"] == pytest.approx(1200.0)
    assert r["grade_shares"] == {1: 1.0}
    route = engine.routes.set_index("id").loc[r["nearest_route"]["id"]]
    assert r["nearest_route"]["standard_depth_m"] == float(route["standard_depth_m"])
    assert r["gazette"]["document"] == load_pricebook().metadata["document"]


def test_standard_status_messages_are_worded_in_chinese_and_own_messages_kept() -> None:
    from landgrade.engine.answer import STATUSES, status_message

    outside = {"status": "outside_extent", "message": STATUSES["outside_extent"]}
    assert status_message(outside, "en") == STATUSES["outside_extent"]
    assert "基准地价范围以外" in status_message(outside, "zh")
    own = {"status": "ok", "message": "town prices (Table 8) of 高沙镇, town grade 2"}
    assert status_message(own, "zh") == own["message"]  # a row's own message is data


def test_file_without_crs_names_the_county_zone_not_a_fixed_one(
    tmp_path: Path, engine, grade1_parcel
) -> None:
    src = tmp_path / "nocrs.shp"  # a shapefile without its .prj
    gpd.GeoDataFrame(geometry=[grade1_parcel]).to_file(src)
    res = runner.invoke(app, ["report", str(src), "-o", str(tmp_path / "r.pdf")])
    assert res.exit_code == 2 and "no CRS" in res.output
    assert f"--crs EPSG:{engine.grade_map.crs.to_epsg()}" in res.output
    assert not (tmp_path / "r.pdf").exists()


def _report_to_folder(tmp_path: Path, columns: dict, parcel: shapely.Polygon):
    """``landgrade report`` of one row per value of ``columns`` (all on ``parcel``) into the
    folder tmp_path/pages; returns the run and the page names, sorted."""
    n = len(next(iter(columns.values())))
    src = tmp_path / "p.gpkg"
    gpd.GeoDataFrame(columns, geometry=[parcel] * n, crs="EPSG:4546").to_file(src)
    out = tmp_path / "pages"
    res = runner.invoke(app, ["report", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    return res, sorted(p.name for p in out.iterdir())


def test_folder_pages_are_named_by_the_parcel_number_column_the_county_lists(
    tmp_path: Path, grade1_parcel: shapely.Polygon
) -> None:
    """No --id-field: the column named in metadata.json parcel_id_fields (地块编号) names the
    files, and the command says which column it used and how to choose another."""
    id_names = load_pricebook().metadata["parcel_id_fields"]
    assert "地块编号" in id_names
    res, names = _report_to_folder(
        tmp_path, {"fid_old": [7, 8], "地块编号": ["A-01", "A-02"]}, grade1_parcel)
    assert names == ["A-01.pdf", "A-02.pdf"]
    assert "'地块编号'" in res.output and "--id-field" in res.output


def test_folder_pages_are_numbered_when_no_column_names_a_parcel(
    tmp_path: Path, grade1_parcel: shapely.Polygon
) -> None:
    res, names = _report_to_folder(tmp_path, {"用途": ["住宅用地", "住宅用地"]}, grade1_parcel)
    assert names == ["1.pdf", "2.pdf"]
    assert "按行号编号" in res.output and "--id-field" in res.output  # the county speaks Chinese


def test_duplicate_and_unsafe_ids_neither_overwrite_nor_leave_the_folder(
    tmp_path: Path, grade1_parcel: shapely.Polygon
) -> None:
    ids = ["../escape", "..", "", "a/b", "DK-1", "DK-1", "DK-1_2", "/etc/x"]
    src = tmp_path / "p.gpkg"
    gpd.GeoDataFrame({"宗地号": ids}, geometry=[grade1_parcel] * len(ids),
                     crs="EPSG:4546").to_file(src)
    out = tmp_path / "deep" / "pages"
    res = runner.invoke(app, ["report", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == len(ids)  # one page per row: none overwrote another
    assert all(p.is_file() and p.suffix == ".pdf" for p in out.iterdir())
    assert {"DK-1.pdf", "DK-1_2.pdf", "DK-1_3.pdf"} <= set(names)  # the literal DK-1_2 kept
    assert "3.pdf" in names  # a blank id keeps its row number
    # nothing written beside or above the folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "p.gpkg"]
    assert [p.name for p in (tmp_path / "deep").iterdir()] == ["pages"]


def test_file_stems_are_distinct_on_a_case_insensitive_disk() -> None:
    from landgrade.cli.report import file_stems

    stems = file_stems(["a", "A", "a_2", "CON", "x" * 400, "..", "."])
    assert len({s.casefold() for s in stems}) == len(stems)
    assert stems[:3] == ["a", "A_3", "a_2"]
    assert stems[3].casefold() != "con"  # a name Windows refuses
    # ... whatever follows a dot: CON.1.pdf and nul.tar.pdf are devices there too
    assert all(s.split(".")[0].casefold() not in ("con", "nul")
               for s in file_stems(["CON.1", "nul.tar"]))
    assert file_stems(["宗" * 100])[0] == "宗" * 40  # cut at 120 bytes, not mid-character
    assert len(stems[4].encode()) <= 255
    assert all("/" not in s and s not in (".", "..", "") for s in stems)


def _straddling_parcel(engine) -> tuple[shapely.Polygon, dict[int, float]]:
    """A 40 m × 40 m parcel on the bundled map's 一级/二级 line, with its grade shares by hand
    (shapely intersection with each grade's polygons); not a tie, nothing of another grade."""
    grades = engine.grade_map.grades.to_crs(4546)
    zone = {g: shapely.union_all(grades[grades["grade"] == g].geometry.array) for g in (1, 2)}
    line = max(shapely.get_parts(shapely.intersection(zone[1].boundary, zone[2].buffer(0.5))),
               key=lambda part: part.length)
    for f in np.linspace(0.1, 0.9, 17):
        p = line.interpolate(f, normalized=True)
        parcel = box(p.x - 12, p.y - 28, p.x + 28, p.y + 12)  # off-centre: unequal shares
        shares = {g: parcel.intersection(z).area / parcel.area for g, z in zone.items()}
        if abs(sum(shares.values()) - 1) < 1e-6 and min(shares.values()) > 0.1 \
                and abs(shares[1] - shares[2]) > 0.05:
            return parcel, shares
    raise AssertionError("no straddling parcel found on the 一级/二级 line")


@needs_pdftotext
def test_straddling_parcel_says_which_grade_its_term_and_plot_ratio_come_from(
    tmp_path: Path, engine
) -> None:
    book = load_pricebook()
    parcel, shares = _straddling_parcel(engine)
    major = max(shares, key=shares.get)
    src = tmp_path / "p.gpkg"
    gpd.GeoDataFrame({"宗地号": ["S-1"]}, geometry=[parcel], crs="EPSG:4546").to_file(src)
    for lang, grade_name in (("zh", "一级" if major == 1 else "二级"), ("en", f"Grade {major}")):
        out = tmp_path / f"{lang}.pdf"
        res = runner.invoke(app, ["report", str(src), "--lang", lang, "-o", str(out)])
        assert res.exit_code == 0, res.output
        text = " ".join(_text(out).split())
        share = f"{100 * shares[major]:.2f}%"
        if lang == "zh":
            assert f"使用年期、容积率取面积占比最大的{grade_name}（{share}）" in text, text
        else:
            assert f"those of {grade_name}, the grade with the largest share ({share})" in text
    # The figures in the table are that grade's connotation (Tables 1–4), not the other's.
    c = book.connotation(major, "commercial")
    row = next(ln for ln in _text(tmp_path / "zh.pdf").splitlines() if "商服用地" in ln).split()
    assert row[-2:] == [f"{c.term_years:g}", f"{c.plot_ratio:g}"]
    minor = book.connotation(3 - major, "commercial")
    assert minor.plot_ratio != c.plot_ratio  # the test would not tell the grades apart else


def test_parcel_in_one_grade_or_a_point_needs_no_connotation_note() -> None:
    from landgrade.outputs.parcel_report import connotation_note

    assert connotation_note({"grade": 1, "grade_shares": {1: 1.0}}, "zh") == ""
    assert connotation_note({"grade": 1, "grade_shares": {1: 0.6, "outside": 0.4}}, "en") == ""
    assert connotation_note({"grade": 2}, "en") == ""
    assert "Grade 2" in connotation_note({"grade": 2, "grade_shares": {1: 0.3, 2: 0.7}}, "en")


def test_a_null_integer_parcel_number_keeps_its_row_number(
    tmp_path: Path, grade1_parcel: shapely.Polygon
) -> None:
    """宗地号 as whole numbers with a gap is read as a nullable integer column; the gap is a blank
    id (row 2 → 2.pdf), not a parcel named after pandas' <NA>."""
    _, names = _report_to_folder(
        tmp_path, {"宗地号": pd.array([12, None], dtype="Int64")}, grade1_parcel)
    assert names == ["12.pdf", "2.pdf"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_table_cell_of_a_report_page_fits_its_text(engine, lang: str) -> None:
    """The longest heads (English "Area-weighted unit price (yuan/m²)") stay inside their cells
    instead of running under the next cell, as a reader of the printed page would see them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from landgrade.outputs.map_style import print_rc

    parcel, _ = _straddling_parcel(engine)
    gdf = gpd.GeoDataFrame(geometry=[parcel], crs="EPSG:4546")
    answers = use_price(pd.DataFrame(engine.assign(gdf)), pd.Series(["商服用地"]),
                        engine.pricebook)
    with plt.rc_context(print_rc()):  # the report's fonts, as `landgrade report` prints them
        fig = _page(engine, answers.iloc[0], parcel, lang, use="商服用地")
        _check_cells_fit(fig)
        # A point with no use lists every use: the longest use names must fit too.
        point = gpd.GeoDataFrame(geometry=[shapely.Point(*transform(*POINT, "EPSG:4326",
                                                                    "EPSG:4546"))],
                                 crs="EPSG:4546")
        fig = _page(engine, pd.DataFrame(engine.assign(point)).iloc[0],
                    point.geometry.iloc[0], lang)
        _check_cells_fit(fig)


def _page(engine, row, geom, lang: str, use: str | None = None):
    """One report page of an answer row, as `landgrade report` draws it."""
    import datetime as dt

    from landgrade.outputs.parcel_report import PageFacts, report_page

    facts = PageFacts(query_no="430525-20260101-000000-ABCDEF",
                      issued=dt.datetime(2026, 1, 1), use=use, where="-")
    return report_page(engine, row, geom, facts, lang=lang)


def _check_cells_fit(fig) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.table import Table

    try:
        renderer = fig.canvas.get_renderer()
        tables = [t for ax in fig.axes for t in ax.get_children() if isinstance(t, Table)]
        assert len(tables) >= 3  # facts, prices, area and total, route
        fig.canvas.draw()
        for t in tables:
            for cell in t.get_celld().values():
                text, box = cell.get_text(), cell.get_window_extent(renderer)
                extent = text.get_window_extent(renderer)
                assert box.x0 <= extent.x0 and extent.x1 <= box.x1, text.get_text()
                # a wrapped cell grew its row: no line runs over the row's rules either
                assert box.y0 <= extent.y0 + 0.5 and extent.y1 <= box.y1 + 0.5, text.get_text()
    finally:
        plt.close(fig)


def test_parcel_id_fields_not_a_list_is_an_error_not_ignored() -> None:
    from landgrade.cli.report import ReportError, parcel_id_column

    assert parcel_id_column(["FID", " 宗地号 "], {"parcel_id_fields": ["宗地号"]}) == " 宗地号 "
    assert parcel_id_column(["FID"], {}) is None
    with pytest.raises(ReportError, match="parcel_id_fields must be a list"):
        parcel_id_column(["宗地号"], {"parcel_id_fields": "宗地号"})
