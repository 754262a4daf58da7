"""Land-use vocabularies: a row's use in GB/T 21010-2017 or 2023 用地用海分类 codes and names,
everyday names or the gazette's own words, priced by the gazette use the notes to Tables 1–4
give it, or flagged with what to give; and road-line prices only for the route table's use.

The 225-row sheet (``tests/data/landuse/sheet200.csv``) was written by hand from the two
standards and the notes of 洞政发〔2022〕1号: each row's expected gazette use (or ``ask``, or
``none`` for a class the gazette does not price) with the reason, independently of
``geo/dongkou/use_classes.csv``. Prices come from the pricebook (Table 6), route prices from
``routes.csv`` (Table 7).
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from landgrade.cli.app import app
from landgrade.engine import load_engine
from landgrade.gazette.county import CountyDataError, bundled_counties, county_folder
from landgrade.gazette.pricebook import load_pricebook
from landgrade.gazette.use_resolver import read_uses, resolve_uses
from landgrade.io.crs import transform

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[1]
SHEET = ROOT / "tests" / "data" / "landuse" / "sheet200.csv"
POINT = (110.575, 27.06)  # the README's grade-1 point, 50 m from the nearest route (beyond depth)
PDFTOTEXT = shutil.which("pdftotext")
GAZETTE_USES = ("商服用地", "住宅用地", "工矿仓储用地", "公共管理与公共服务用地 I",
                "公共管理与公共服务用地 II")


@pytest.fixture(scope="module")
def book():
    return load_pricebook()


@pytest.fixture(scope="module")
def engine():
    return load_engine()


def _sheet() -> list[dict[str, str]]:
    with open(SHEET, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# -- the 200-row sheet ---------------------------------------------------------------------------
@pytest.mark.parametrize("standard", ["tdly2017", "ydyh2023"])
def test_sheet_every_row_priced_right_or_flagged_with_what_to_give(
    tmp_path: Path, book, standard: str
) -> None:
    rows = [r for r in _sheet() if r["standard"] == standard]
    assert len(rows) > 70
    src, out = tmp_path / "sheet.csv", tmp_path / "out.csv"
    pd.DataFrame({"编号": range(1, len(rows) + 1), "经度": POINT[0], "纬度": POINT[1],
                  "用途": [r["用途"] for r in rows]}).to_csv(src, index=False)
    res = runner.invoke(app, ["assign", str(src), "-o", str(out), "--lang", "en",
                              "--use-field", "用途", "--use-standard", standard, "--no-progress"])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(got) == len(rows)
    grade1 = book.urban_prices(1)
    for r, (_, g) in zip(rows, got.iterrows(), strict=True):
        case = f"{standard} {r['用途']!r} ({r['why']}): {g['status']} {g['message']}"
        assert g["用途"] == r["用途"], case  # the input comes back as it went in
        if r["expected"] in grade1:  # priced: the gazette's Table 6 price of that use
            assert g["status"] == "ok" and g["use_key"] == r["expected"], case
            assert float(g["price"]) == grade1[r["expected"]], case
        elif r["expected"] == "ask":  # flagged, saying what to give instead
            assert g["status"] == "ambiguous_use" and g["price"] == "", case
            assert g["use_key"] == "" and ("请" in g["message"] or "give" in g["message"]), case
        else:  # not priced: flagged with the accepted list
            assert r["expected"] == "none"
            assert g["status"] == "unknown_use" and g["price"] == "", case
            assert all(u in g["message"] for u in GAZETTE_USES), case
            assert "landgrade uses" in g["message"], case


def test_sheet_rows_read_once_per_distinct_value(book, monkeypatch) -> None:
    from landgrade.gazette import use_resolver

    calls: list[str] = []
    real = use_resolver._Reader.read
    monkeypatch.setattr(use_resolver._Reader, "read",
                        lambda self, text: calls.append(text) or real(self, text))
    values = ["0701", "商服用地", "0808", None, 701, ""] * 5000
    use, status, _ = resolve_uses(values, book, "tdly2017")
    assert sorted(calls) == sorted(["0701", "商服用地", "0808", "701"])
    assert list(use[:6]) == ["residential", "commercial", None, None, "residential", None]
    assert list(status[:6]) == ["ok", "ok", "ambiguous_use", "blank", "ok", "blank"]


# -- codes collide; a bare code is read in one declared standard only ----------------------------
def test_0803_is_education_in_2017_and_culture_in_2023(book) -> None:
    old = read_uses(["0803"], book, "tdly2017")
    new = read_uses(["0803"], book, "ydyh2023")
    assert "教育用地" in old.read_as[0] and "GB/T 21010-2017" in old.read_as[0]
    assert "文化用地" in new.read_as[0] and "2023" in new.read_as[0]
    default = read_uses(["0803"], book)  # Dongkou declares tdly2017 in metadata.json
    assert default.read_as[0] == old.read_as[0]


def test_codes_that_mean_different_uses_follow_the_declared_standard(book) -> None:
    codes = ["0501", "0601", "1001", "1101", "0901", "05"]
    old = read_uses(codes, book, "tdly2017")
    new = read_uses(codes, book, "ydyh2023")
    # 2017: 零售商业, 工业, 铁路, 河流水面, 军事设施, 商服; 2023: 森林沼泽, 农村道路, 工业,
    # 物流仓储, 商业, 湿地
    assert list(old.use) == ["commercial", "industrial", None, None, None, "commercial"]
    assert list(new.use) == [None, None, "industrial", "industrial", "commercial", None]


def _county_without_standard(tmp_path: Path) -> Path:
    folder = tmp_path / "county"
    shutil.copytree(ROOT / "geo" / "dongkou", folder,
                    ignore=shutil.ignore_patterns("*.geojson", "schematic", "samples"))
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    del meta["use_standard"]
    (folder / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    return folder


def test_a_bare_code_is_never_guessed_across_standards(tmp_path: Path) -> None:
    book = load_pricebook(_county_without_standard(tmp_path))
    r = read_uses(["0803", "0808", "教育用地", "0803 教育用地", "工业"], book, lang="en")
    assert list(r.status) == ["ambiguous_use", "ambiguous_use", "ok", "ok", "ok"]
    assert "--use-standard" in r.message[0]
    assert "教育用地" in r.message[0] and "文化用地" in r.message[0]  # both meanings named
    assert list(r.use[2:]) == ["public_1", "public_1", "industrial"]  # names decide themselves


def test_0808_sports_land_is_flagged_never_priced(book) -> None:
    r = read_uses(["0808", "体育用地", "0805"], book, "tdly2017", lang="zh")
    assert list(r.status[:2]) == ["ambiguous_use", "ambiguous_use"]
    assert r.use[0] is None and r.use[1] is None
    assert "室内" in r.message[0] and "公共管理与公共服务用地 I" in r.message[0]
    assert "公共管理与公共服务用地 II" in r.message[0]
    assert r.use[2] == "public_1"  # 0805 is 医疗卫生用地 in GB/T 21010-2017
    in_2023 = read_uses(["0808", "0805"], book, "ydyh2023", lang="en")
    assert in_2023.status[0] == "unknown_use"  # 2023 has no 0808 …
    assert "--use-standard tdly2017" in in_2023.message[0]  # … but 2017 does: said
    assert in_2023.status[1] == "ambiguous_use"  # 2023's 0805 is 体育用地


# -- road-line prices belong to their use --------------------------------------------------------
@pytest.fixture(scope="module")
def on_route(engine, book) -> tuple[float, float, str, float]:
    """WGS84 lon/lat of the middle of a Table 7 route, its id and its road-line price."""
    routes = engine.grade_map.routes
    row = routes[routes["id"] == "A01"].iloc[0]
    mid = shapely.line_interpolate_point(row.geometry, 0.5, normalized=True)
    lon, lat = transform(mid.x, mid.y, routes.crs, "EPSG:4326")
    return float(lon), float(lat), "A01", book.route("A01").price


def test_residential_on_a_route_gets_no_road_line_price_in_assign(
    tmp_path: Path, book, on_route
) -> None:
    lon, lat, rid, price = on_route
    src, out = tmp_path / "p.csv", tmp_path / "out.csv"
    pd.DataFrame({"经度": [lon] * 4, "纬度": [lat] * 4,
                  "用途": ["住宅用地", "商服用地", "0701", ""]}).to_csv(src, index=False)
    # --lang en: the CSV keeps the field codes as heads (zh heads them in words)
    res = runner.invoke(app, ["assign", str(src), "-o", str(out), "--lang", "en",
                              "--use-field", "用途", "--no-progress"])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert (got["route_id"] == rid).all() and (got["route_in"].str.lower() == "true").all()
    for i in (0, 2):  # residential, by name and by 2017 code
        assert got.loc[i, "route_px"] == "" and got.loc[i, "status"] == "ok"
        message = got.loc[i, "message"]
        assert "Commercial" in message and "Residential" in message
        assert float(got.loc[i, "price"]) == book.urban_price(1, "residential")
    assert float(got.loc[1, "route_px"]) == price  # commercial: Table 7 applies
    assert float(got.loc[3, "route_px"]) == price  # no use given: the route table's price


def test_residential_on_a_route_gets_no_road_line_price_in_locate(on_route) -> None:
    lon, lat, rid, price = on_route
    res = runner.invoke(app, ["locate", repr(lon), repr(lat), "--use", "住宅用地", "--json"])
    assert res.exit_code == 0, res.output
    nr = json.loads(res.stdout)["nearest_route"]
    assert nr["id"] == rid and nr["within_standard_depth"] is True
    assert nr["applicable"] is False and nr["price"] is None and nr["use"] == "commercial"
    assert nr["not_applicable"] == "other_use"
    text = runner.invoke(app, ["locate", repr(lon), repr(lat), "--use", "住宅用地"]).stdout
    route_line = next(line for line in text.splitlines() if line.startswith("路线价"))
    assert rid in route_line and f"{price:g}" not in route_line and "不适用于住宅用地" in route_line
    commercial = json.loads(runner.invoke(app, ["locate", repr(lon), repr(lat), "--use",
                                                "商服用地", "--json"]).stdout)["nearest_route"]
    assert commercial["applicable"] is True and commercial["price"] == price


def test_residential_on_a_route_gets_no_road_line_price_from_the_service(
    engine, on_route, tmp_path: Path
) -> None:
    pytest.importorskip("fastapi", reason="the serve extra is not installed")
    from fastapi.testclient import TestClient

    from landgrade.service.app import create_app

    lon, lat, rid, price = on_route
    with TestClient(create_app(engine=engine), base_url="http://127.0.0.1") as client:
        got = client.get("/api/locate", params={"x": lon, "y": lat, "use": "住宅用地"}).json()
        cli = json.loads(runner.invoke(app, ["locate", repr(lon), repr(lat), "--use", "住宅用地",
                                             "--json"]).stdout)
        assert got == cli  # the service answers as the command does
        assert got["nearest_route"]["price"] is None and got["use"] == "residential"
        many = client.post("/api/locate", json={"x": [lon, lon], "y": [lat, lat],
                                                "use": ["住宅用地", "商服用地"]}).json()
        assert [a["nearest_route"]["price"] for a in many["answers"]] == [None, price]
        fc = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"用途": u},
             "geometry": {"type": "Point", "coordinates": [lon, lat]}}
            for u in ("住宅用地", "商服用地")]}
        graded = client.post("/api/assign", params={"use_field": "用途"}, json=fc).json()
        props = [f["properties"] for f in graded["features"]]
        assert props[0]["route_px"] is None and props[0]["route_id"] == rid
        assert props[1]["route_px"] == price
        typo = client.post("/api/assign", params={"use_field": "用图"}, json=fc)
        assert typo.status_code == 400 and "用途" in typo.json()["detail"]


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext not installed (poppler-utils)")
def test_residential_report_shows_no_road_line_price(tmp_path: Path, book, on_route) -> None:
    lon, lat, rid, price = on_route
    pages = {}
    for use in ("住宅用地", "商服用地"):
        out = tmp_path / f"{use}.pdf"
        res = runner.invoke(app, ["report", repr(lon), repr(lat), "--use", use, "-o", str(out)])
        assert res.exit_code == 0, res.output
        pages[use] = subprocess.run([PDFTOTEXT, "-layout", str(out), "-"], capture_output=True,
                                    text=True).stdout
    residential, commercial = pages["住宅用地"], pages["商服用地"]
    assert rid in residential and "不适用（仅限商服用地）" in residential
    # The page prints prices with thousands separators (5,714): look for both forms.
    def shows(number: float, page: str) -> bool:
        return f"{number:g}" in page or f"{number:,.0f}" in page

    assert not shows(price, residential)  # not in the route table, not on the map labels
    assert shows(price, commercial) and "适用" in commercial
    assert shows(book.urban_price(1, "residential"), residential)


# -- --use-field typos; landuse is not a county --------------------------------------------------
def test_use_field_typo_lists_the_columns(tmp_path: Path) -> None:
    src = tmp_path / "p.csv"
    pd.DataFrame({"经度": [POINT[0]], "纬度": [POINT[1]], "用途": ["住宅用地"],
                  "宗地号": ["A-1"]}).to_csv(src, index=False)
    for command in (["assign", str(src), "-o", str(tmp_path / "o.csv")],
                    ["report", str(src), "-o", str(tmp_path / "o.pdf")]):
        res = runner.invoke(app, [*command, "--use-field", "用图"])
        assert res.exit_code == 2, res.output
        assert "'用图' is not a column" in res.output
        assert "closest: 用途" in res.output and "宗地号" in res.output
    assert not (tmp_path / "o.csv").exists() and not (tmp_path / "o.pdf").exists()


def test_landuse_folder_is_never_a_county() -> None:
    assert "landuse" not in bundled_counties() and "dongkou" in bundled_counties()
    with pytest.raises(CountyDataError) as err:
        county_folder("landuse")
    assert "dongkou" in str(err.value) and "landuse" not in str(err.value).split("bundled")[1]


# -- the table of accepted uses; the data's own checks -------------------------------------------
def test_uses_command_lists_classes_per_use_in_chinese_by_default() -> None:
    res = runner.invoke(app, ["uses"])
    assert res.exit_code == 0, res.output
    text = res.stdout
    assert "基准地价用途" in text and "《土地利用现状分类》（GB/T 21010-2017）" in text
    classes = text.split("《土地利用现状分类》（GB/T 21010-2017）")[1]
    line = next(x for x in classes.splitlines()
                if x.strip().startswith("公共管理与公共服务用地 I "))
    assert "0801 机关团体用地" in line and "0803 教育用地" in classes
    assert "0808 体育用地：" in text and "ambiguous_use" in text
    one = runner.invoke(app, ["uses", "--standard", "ydyh2023", "--lang", "en"]).stdout
    assert "Current land use classification" not in one and "0805 体育用地" in one
    assert "Not priced" in one and "基准地价用途" not in one
    bad = runner.invoke(app, ["uses", "--standard", "gb2007"])
    assert bad.exit_code == 2 and "tdly2017" in bad.output


def test_route_table_use_must_be_a_county_use(tmp_path: Path) -> None:
    folder = _county_without_standard(tmp_path)
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    meta["tables"]["routes"]["use"] = "comercial"
    (folder / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    with pytest.raises(CountyDataError) as err:
        read_uses(["住宅用地"], load_pricebook(folder))
    assert "tables.routes.use 'comercial'" in str(err.value) and "commercial" in str(err.value)


def test_landuse_data_checks_pass() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_landuse.py")],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout
    assert "ok: tdly2017 85 classes, ydyh2023 175 classes" in out.stdout  # 12 + 73 in 2017


def test_blank_uses_leave_price_empty_and_status_alone(engine) -> None:
    from landgrade.engine.use_prices import use_price

    x, y = transform(*POINT, "EPSG:4326", "EPSG:4546")
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(x, y)] * 3, crs="EPSG:4546")
    out = use_price(engine.assign(gdf), [None, np.nan, "  "], engine.pricebook)
    assert out["price"].isna().all() and (out["status"].astype(str) == "ok").all()
