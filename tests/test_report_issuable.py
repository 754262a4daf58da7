"""The 查询单 as a county bureau files and hands it on (issue 21, item 3).

Read back with pdftotext, as a reader of the printed page would: a 查询编号 on every page, unique
within a run; page numbers counted per file; spaces for 经办人/审核/盖章 and the county's
disclaimer (metadata.json ``report``); 土地权利 and 开发程度 from metadata; no page for a point
outside the county; a town page for a point outside the urban extent but inside the county;
numbers right-aligned in one format. Expected values come from the county folder (Tables 6 and
8 through the pricebook, wording from metadata.json) and from geometry computed by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import box
from typer.testing import CliRunner

from landgrade.cli.app import app
from landgrade.gazette.pricebook import load_pricebook
from landgrade.io.crs import transform

runner = CliRunner()
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(
    PDFTOTEXT is None, reason="pdftotext not installed (Debian: apt-get install poppler-utils)")
POINT = (110.575, 27.06)  # the README's grade-1 point in the county seat (WGS84)
OUTSIDE_EXTENT = (110.45, 27.1)  # in Dongkou county, ~13 km west of the county seat
CHANGSHA = (112.9, 28.2)  # the provincial capital, 250 km away: outside the county
QUERY_NO = re.compile(r"查询编号：\s*(430525-\d{8}-\d{6}-[0-9A-F]{6})")
PAGE_NO = re.compile(r"第\s*(\d+)\s*页\s*/\s*共\s*(\d+)\s*页")


def _pages(pdf: Path) -> list[str]:
    """The text of each page of ``pdf``, whitespace runs folded to one space."""
    out = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [" ".join(p.split()) for p in out.split("\f") if p.strip()]


def _meta() -> dict:
    return load_pricebook().metadata


@pytest.fixture(scope="module")
def parcels(tmp_path_factory) -> Path:
    """Four rows: a 40 m × 30 m grade-1 parcel (P-1), the same 5 km east, outside the urban
    extent but in the county (P-2), one in Changsha (P-3, outside the county), and P-1 again
    (same id, same geometry: a second query of one run)."""
    folder = tmp_path_factory.mktemp("parcels")
    x, y = transform(*POINT, "EPSG:4326", "EPSG:4546")
    cx, cy = transform(*CHANGSHA, "EPSG:4326", "EPSG:4546")
    p1 = box(x - 20, y - 15, x + 20, y + 15)
    gdf = gpd.GeoDataFrame(
        {"宗地号": ["P-1", "P-2", "P-3", "P-1"], "用途": ["住宅用地"] * 4},
        geometry=[p1, shapely.affinity.translate(p1, 5000, 0),
                  box(cx - 20, cy - 15, cx + 20, cy + 15), p1],
        crs="EPSG:4546")
    gdf.to_file(folder / "parcels.gpkg")
    return folder / "parcels.gpkg"


@pytest.fixture(scope="module")
def one_file(parcels: Path):
    out = parcels.parent / "all.pdf"
    res = runner.invoke(app, ["report", str(parcels), "--use-field", "用途", "-o", str(out)])
    return res, out


@pytest.fixture(scope="module")
def folder(parcels: Path):
    out = parcels.parent / "pages"
    res = runner.invoke(app, ["report", str(parcels), "--use-field", "用途", "-o", str(out)])
    return res, out


def test_a_row_outside_the_county_gets_no_page_and_is_named_on_stderr(one_file) -> None:
    res, out = one_file
    assert res.exit_code == 2, res.output
    assert "第 3 行（宗地号 P-3）" in res.stderr and "县域以外" in res.stderr
    assert "未生成查询单" in res.stderr
    assert "1 of 4 rows got no page" in res.stderr
    pages = _pages(out)
    assert len(pages) == 3  # P-1, P-2, P-1 again: the others are written
    assert not any("P-3" in p for p in pages)


def test_page_numbers_count_the_pages_of_their_own_file(one_file, folder) -> None:
    _, out = one_file
    pages = _pages(out)
    assert [PAGE_NO.search(p).groups() for p in pages] == [
        ("1", "3"), ("2", "3"), ("3", "3")]
    res, pages_dir = folder
    assert res.exit_code == 2, res.output
    names = sorted(p.name for p in pages_dir.iterdir())
    assert names == ["P-1.pdf", "P-1_2.pdf", "P-2.pdf"]  # none for P-3
    for name in names:
        (text,) = _pages(pages_dir / name)  # one page per file ...
        assert PAGE_NO.search(text).groups() == ("1", "1"), name  # ... that says so


def test_every_page_has_its_own_query_number(one_file, folder) -> None:
    _, out = one_file
    numbers = [QUERY_NO.findall(p) for p in _pages(out)]
    assert all(len(n) == 1 for n in numbers), numbers
    flat = [n[0] for n in numbers]
    assert len(set(flat)) == 3  # P-1 asked twice in one run: two numbers
    _, pages_dir = folder
    again = [QUERY_NO.findall(_pages(p)[0])[0] for p in sorted(pages_dir.iterdir())]
    assert len(set(again)) == 3 and not set(again) & set(flat)  # another run, other numbers
    today = dt.date.today().strftime("%Y%m%d")
    assert all(n.split("-")[1] in (today, (dt.date.today() - dt.timedelta(1)).strftime(
        "%Y%m%d")) for n in flat)


def test_a_page_has_signature_and_seal_spaces_and_the_countys_disclaimer(one_file) -> None:
    meta = _meta()
    text = _pages(one_file[1])[0]
    for block in meta["report"]["signature_blocks"]:
        assert block["zh"] in text
    assert "经办人" in text and "审核" in text and "盖章" in text
    disclaimer = meta["report"]["disclaimer_zh"].format(
        document=meta["document"], valuation_date=meta["valuation_date"], issuer="", county="")
    assert disclaimer[:30] in text.replace(" ", "")  # the metadata's words, filled


def test_a_page_states_the_land_right_and_development_level(one_file) -> None:
    meta = _meta()
    text = _pages(one_file[1])[0]
    level = meta["development_level"]
    assert "土地权利" in text and meta["land_right"] in text
    assert "开发程度" in text and level["name_zh"] in text
    assert level["definition_zh"] in text.replace(" ", "")
    # the note on parks and green space is about public services II, not shown on this page
    assert level["note_uses"] == ["public_2"] and "公园与绿地" not in text


def test_numbers_have_one_format(one_file) -> None:
    book = load_pricebook()
    text = _pages(one_file[1])[0]
    price = book.urban_price(1, "residential")
    assert f"{price:,.0f}" in text  # whole yuan, as Table 6 publishes them, with a separator
    assert f"{price * 1200:,.2f}" in text and "1,200.00" in text  # total and area: 0.01
    assert not re.search(rf"(?<![\d,]){price:.0f}(?![\d,])", text)  # never without the comma


def test_a_point_outside_the_county_writes_no_page(tmp_path: Path) -> None:
    out = tmp_path / "cs.pdf"
    res = runner.invoke(app, ["report", str(CHANGSHA[0]), str(CHANGSHA[1]), "-o", str(out)])
    assert res.exit_code == 2
    assert "112.9, 28.2" in res.stderr and "县域以外" in res.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_point_outside_the_extent_gets_the_town_page(tmp_path: Path) -> None:
    book = load_pricebook()
    out = tmp_path / "town.pdf"
    res = runner.invoke(app, ["report", f"{OUTSIDE_EXTENT[0]},{OUTSIDE_EXTENT[1]}",
                              "-o", str(out)])
    assert res.exit_code == 0, res.output
    (text,) = _pages(out)
    # (a long cell wraps beside the map: the cite may go to the next line)
    assert "城镇定级范围以外、县域以内：适用乡镇基准地价" in text.replace(" ", "")
    assert "乡镇基准地价（表8）" in text  # the table's title
    assert "未确定" in text and "本单不列单价" in text
    for price in book.urban_prices(1).values():  # no urban (Table 6) price on the page
        assert f"{price:,.0f}" not in text
    grid = book.town_price_table(1)  # Table 8 itself, for reference: class 1, grade 1
    assert f"{grid.at[1, 'commercial']:,.0f}" in text
    assert "高沙镇" in text  # which towns are in which class
    assert QUERY_NO.search(text) and "经办人" in text


def test_a_town_without_its_grade_gets_its_class_table_and_no_price(tmp_path: Path) -> None:
    book = load_pricebook()
    out = tmp_path / "town.pdf"
    base = ["report", str(OUTSIDE_EXTENT[0]), str(OUTSIDE_EXTENT[1]), "-o", str(out)]
    res = runner.invoke(app, [*base, "--town", "高沙"])  # a bare name for 高沙镇
    assert res.exit_code == 0, res.output
    text = _pages(out)[0].replace(" ", "")
    assert "高沙镇" in text and "乡镇级别未确定，本单不列单价" in text
    assert f"{book.town_price_table(1).at[4, 'commercial']:,.0f}" in text  # class 1, grade 4
    assert f"{book.town_price_table(2).at[1, 'commercial']:,.0f}" not in text  # not class 2
    res = runner.invoke(app, [*base, "--town", "无此镇"])
    assert res.exit_code == 0, res.output
    assert "无此镇（不在乡镇基准地价表中）" in _pages(out)[0].replace(" ", "")


def test_a_town_and_its_grade_price_the_town_page_from_table_8(tmp_path: Path) -> None:
    book = load_pricebook()
    out = tmp_path / "town.pdf"
    res = runner.invoke(app, ["report", str(OUTSIDE_EXTENT[0]), str(OUTSIDE_EXTENT[1]),
                              "--town", "高沙镇", "--town-grade", "2", "--use", "住宅",
                              "-o", str(out)])
    assert res.exit_code == 0, res.output
    (text,) = _pages(out)
    price = book.town_price("高沙镇", 2, "residential")
    c = book.connotation(2, "residential", "高沙镇")
    row = re.search(r"住宅用地 ([\d,]+) (\d+) ([\d.]+)", text)
    assert row and row.groups() == (f"{price:,.0f}", str(c.term_years), f"{c.plot_ratio:.1f}")
    assert "高沙镇（一等镇）2级" in text


def test_a_town_priced_parcel_totals_its_area(tmp_path: Path, parcels: Path) -> None:
    """A parcel wholly outside the urban extent priced from Table 8 pays for its whole area
    (not 0: the urban share inside the extent is nothing)."""
    book = load_pricebook()
    gdf = gpd.read_file(parcels).iloc[[1]]
    src = tmp_path / "p2.gpkg"
    gdf.to_file(src)
    out = tmp_path / "p2.pdf"
    res = runner.invoke(app, ["report", str(src), "--use-field", "用途", "--town", "高沙镇",
                              "--town-grade", "1", "-o", str(out)])
    assert res.exit_code == 0, res.output
    (text,) = _pages(out)
    price = book.town_price("高沙镇", 1, "residential")
    assert f"{price * 1200:,.2f}" in text


def test_english_pages_carry_the_english_wording(tmp_path: Path) -> None:
    meta = _meta()
    out = tmp_path / "en.pdf"
    res = runner.invoke(app, ["report", str(POINT[0]), str(POINT[1]), "--lang", "en",
                              "-o", str(out)])
    assert res.exit_code == 0, res.output
    (text,) = _pages(out)
    assert re.search(r"Query no\.: 430525-\d{8}-\d{6}-[0-9A-F]{6}", text)
    for block in meta["report"]["signature_blocks"]:
        assert block["en"] in text
    assert "Land right" in text and meta["land_right_en"] in text
    assert "Development level" in text and "site levelled" in text
    assert "parks and green space" in text  # all five uses shown: the note on public II too
    assert "for reference only" in text and "page 1 of 1" in text
    assert "经办人" not in text and "查询编号" not in text


def test_folder_refuses_a_file_of_another_letter_case_unless_overwrite(
    tmp_path: Path, parcels: Path
) -> None:
    gdf = gpd.read_file(parcels).iloc[[0]]
    src = tmp_path / "p1.gpkg"
    gdf.to_file(src)
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "p-1.pdf").write_bytes(b"signed last year")  # P-1.pdf on a Windows disk
    res = runner.invoke(app, ["report", str(src), "-o", str(pages)])
    assert res.exit_code == 2 and "p-1.pdf" in res.stderr and "--overwrite" in res.stderr
    assert (pages / "p-1.pdf").read_bytes() == b"signed last year"
    assert [p.name for p in pages.iterdir()] == ["p-1.pdf"]
    (pages / "p-1.pdf").rename(pages / "P-1.pdf")
    res = runner.invoke(app, ["report", str(src), "-o", str(pages), "--overwrite"])
    assert res.exit_code == 0, res.output
    assert (pages / "P-1.pdf").read_bytes().startswith(b"%PDF")


def test_a_county_without_report_wording_is_told_and_a_bad_one_refused(
    tmp_path: Path, dongkou_dir: Path
) -> None:
    county = tmp_path / "county"
    shutil.copytree(dongkou_dir, county)
    meta = json.loads((county / "metadata.json").read_text(encoding="utf-8"))
    meta["report"]["signature_blocks"] = "经办人"  # a string, not a list
    (county / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False),
                                          encoding="utf-8")
    out = tmp_path / "r.pdf"
    args = ["report", str(POINT[0]), str(POINT[1]), "--county", str(county), "-o", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "report.signature_blocks must be a list" in res.stderr
    assert not out.exists()
    del meta["report"]
    (county / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False),
                                          encoding="utf-8")
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "no report.disclaimer or report.signature_blocks" in res.stderr
    assert "经办人" not in _pages(out)[0]


def test_query_numbers_name_the_county_time_and_query() -> None:
    from landgrade.outputs.query_number import query_numbers

    t = dt.datetime(2026, 2, 7, 14, 30, 12, 123456)
    a = query_numbers({"adcode": "430525"}, t, "county-dongkou-x", ["q", "q", "r"])
    assert all(re.fullmatch(r"430525-20260207-143012-[0-9A-F]{6}", n) for n in a)
    assert len(set(a)) == 3  # the same query twice in one run: two numbers
    later = query_numbers({"adcode": "430525"}, t + dt.timedelta(microseconds=1),
                          "county-dongkou-x", ["q"])
    assert later[0] != a[0]  # the same query at another time: another number
    other_map = query_numbers({"adcode": "430525"}, t, "county-other-y", ["q"])
    assert other_map[0] != a[0]
    assert query_numbers({}, t, "m", ["q"])[0].startswith("20260207-143012-")  # no adcode


def test_report_wording_falls_back_and_names_what_is_wrong() -> None:
    from landgrade.outputs.report_wording import (
        ReportWordingError,
        development_level,
        land_right,
        report_wording,
    )

    meta = {"document": "X〔2022〕1号", "valuation_date": "2021-10-01",
            "report": {"disclaimer_zh": "依据{document}，估价期日{valuation_date}",
                       "signature_blocks": [{"zh": "经办人"}, "审核"]},
            "land_right": {"urban": "出让土地使用权", "town_class_1": "划拨"},
            "development_level": {"name_zh": "五通一平", "definition_zh": "红线外……"}}
    w = report_wording(meta, "en")
    assert w.disclaimer == "依据X〔2022〕1号，估价期日2021-10-01"  # no English: as published
    assert w.signature_blocks == ("经办人", "审核")
    assert land_right(meta, "town_class_1", "zh") == "划拨"  # per area
    assert land_right(meta, "town_class_2", "zh") == ""
    assert development_level(meta, "urban", "en").name == "五通一平"
    assert report_wording({}, "zh").empty
    with pytest.raises(ReportWordingError, match=r"\{date\}"):
        report_wording({"report": {"disclaimer_zh": "估价期日{date}"}}, "zh")
    with pytest.raises(ReportWordingError, match=r"signature_blocks\[0\]"):
        report_wording({"report": {"signature_blocks": [{"fr": "x"}]}}, "zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tallest_pages_keep_clear_of_the_signature_spaces_and_align_numbers(lang: str) -> None:
    """The longest pages (a town page listing all of Table 8; a parcel with a use, its area
    and total): every table and the map end above the signature boxes, inside the page, and
    the numbers of a column share one right edge."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle
    from matplotlib.table import Table

    from landgrade.engine import load_engine
    from landgrade.engine.use_prices import use_price
    from landgrade.outputs.map_style import print_rc
    from landgrade.outputs.parcel_report import PageFacts, report_page

    engine = load_engine()
    x, y = transform(*POINT, "EPSG:4326", "EPSG:4546")
    parcel = box(x - 20, y - 15, x + 20, y + 15)
    town = shapely.Point(*transform(*OUTSIDE_EXTENT, "EPSG:4326", "EPSG:4546"))
    gdf = gpd.GeoDataFrame(geometry=[parcel, town], crs="EPSG:4546")
    answers = use_price(pd.DataFrame(engine.assign(gdf)), pd.Series(["住宅用地", None]),
                        engine.pricebook)
    with plt.rc_context(print_rc()):
        for i, use in ((0, "住宅用地"), (1, None)):
            facts = PageFacts("430525-20260101-000000-ABCDEF", dt.datetime(2026, 1, 1),
                              parcel_id="P-1", use=use, where="-")
            fig = report_page(engine, answers.iloc[i], gdf.geometry.iloc[i], facts, lang=lang)
            try:
                fig.canvas.draw()
                signs = [a for a in fig.artists if isinstance(a, Rectangle)]
                assert len(signs) == 3
                sign_top = max(a.get_window_extent().y1 for a in signs)
                page = fig.bbox
                for ax in fig.axes:
                    b = ax.get_window_extent()
                    assert b.y0 > sign_top, (i, ax)
                    assert page.x0 <= b.x0 and b.x1 <= page.x1 and b.y1 <= page.y1
                tables = [t for ax in fig.axes for t in ax.get_children()
                          if isinstance(t, Table)]
                renderer = fig.canvas.get_renderer()
                numeric = re.compile(r"^-?[\d,]+(\.\d+)?%?$")
                for t in tables:
                    cells = t.get_celld()
                    for col in {c for _, c in cells}:
                        body = [cells[r, c] for r, c in cells if c == col and r > 0
                                and numeric.match(cells[r, c].get_text().get_text())]
                        if len(body) < 2:
                            continue
                        assert all(c.get_text().get_horizontalalignment() == "right"
                                   for c in body)
                        edges = {round(c.get_text().get_window_extent(renderer).x1)
                                 for c in body}
                        assert max(edges) - min(edges) <= 1, edges
            finally:
                plt.close(fig)
