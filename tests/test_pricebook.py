"""The price book: lookups (values from the gazette), validation of broken folders, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from landgrade.cli.app import app
from landgrade.errors import LandgradeError
from landgrade.gazette.county import CountyFolder
from landgrade.gazette.price_records import RouteSegment, TownGradeError, UnknownTownError
from landgrade.gazette.pricebook import PriceBook, load_pricebook
from landgrade.text import display_width

TABLE_FILES = ("metadata.json", "uses.csv", "connotation.csv", "urban_prices.csv", "routes.csv",
               "town_prices.csv", "towns.csv")
USES = ("commercial", "residential", "industrial", "public_1", "public_2")


@pytest.fixture(scope="module")
def book(dongkou_dir: Path) -> PriceBook:
    return load_pricebook(dongkou_dir)


# -- lookups: expected values are the gazette's ----------------------------------------------
def test_urban_price_by_grade_and_use(book: PriceBook) -> None:
    assert book.urban_price(1, "commercial") == 3194  # Table 6, 商服用地 一级
    assert book.urban_price(5, "public_2") == 308
    assert book.urban_price(3, "住宅用地") == 1066  # a Chinese label works as well as the key


def test_urban_prices_of_a_grade_in_use_order(book: PriceBook) -> None:
    assert book.urban_prices(2) == {
        "commercial": 2248, "residential": 1458, "industrial": 490, "public_1": 945,
        "public_2": 492,
    }
    assert list(book.urban_prices(2)) == list(USES)


def test_urban_price_table_shape(book: PriceBook) -> None:
    table = book.urban_price_table()
    assert list(table.index) == [1, 2, 3, 4, 5]
    assert table.index.name == "grade"
    assert list(table.columns) == list(USES)
    assert table.loc[4, "industrial"] == 360
    # Prices fall with the grade in every use of Table 6.
    assert (table.diff().dropna() < 0).all().all()
    table.loc[1, "commercial"] = 0  # a copy: the book is not changed
    assert book.urban_price(1, "commercial") == 3194


def test_uses_grades_and_labels(book: PriceBook) -> None:
    assert book.uses == USES
    assert book.grades == (1, 2, 3, 4, 5)
    assert book.use_label("industrial") == "工矿仓储用地"
    assert book.use_label("public_2") == "公共管理与公共服务用地 II"
    assert book.use_label("commercial", lang="en").startswith("Commercial")
    assert book.use_key("商服") == "commercial"  # Table 8's short label
    assert book.use_key("公共管理与公共服务用地 I") == "public_1"
    assert "室内体育用地" in book.use_definition("public_1")


def test_town_prices_and_classes(book: PriceBook) -> None:
    assert book.town_class("高沙镇") == 1
    assert book.town_class("醪田镇") == 2
    assert book.town_class("月溪镇") == 3
    assert book.town_class("茶铺茶场管理区") == 4
    assert book.town_price("高沙镇", 2, "residential") == 530
    assert book.town_price("大屋瑶族乡", 2, "public_2") == 176
    assert book.town_prices("毓兰镇", 3) == {
        "commercial": 472, "residential": 348, "industrial": 188, "public_1": 250,
        "public_2": 190,
    }
    assert book.town_grades("石江镇") == (1, 2, 3)
    assert len(book.towns) == 21


@pytest.mark.parametrize("spelling", ["高沙镇", "高沙 镇", " 高沙镇 ", "高沙"])
def test_town_names_are_compared_normalised(book: PriceBook, spelling: str) -> None:
    assert book.town_name(spelling) == "高沙镇"
    assert book.town_price(spelling, 1, "commercial") == 1328


def test_unknown_town_lists_the_closest_names(book: PriceBook) -> None:
    with pytest.raises(UnknownTownError, match=r"unknown town '高沙乡'.*closest: 高沙镇"):
        book.town_class("高沙乡")  # a wrong suffix is not silently corrected
    with pytest.raises(LandgradeError, match="郝溪瑶族乡"):
        book.town_price("郝溪", 1, "commercial")


def test_town_grade_outside_its_class(book: PriceBook) -> None:
    with pytest.raises(TownGradeError, match=r"town class 3 \(三等镇\).*grades 1, 2.*no grade 3"):
        book.town_prices("杨林镇", 3)
    with pytest.raises(LandgradeError, match="grades 1–4; there is no grade 5"):
        book.town_price("高沙镇", 5, "commercial")


def test_unknown_grade_use_and_route(book: PriceBook) -> None:
    with pytest.raises(LandgradeError, match="grade 6: the urban area has grades 1–5"):
        book.urban_prices(6)
    with pytest.raises(LandgradeError, match=r"unknown use 'farmland'.*commercial"):
        book.urban_price(1, "farmland")
    with pytest.raises(LandgradeError, match="unknown route id 'F75'"):
        book.route("F75")


def test_connotation_urban(book: PriceBook) -> None:
    c = book.connotation(1, "residential")  # Table 1: 一级 住宅 70 年, 2.8
    assert (c.term_years, c.plot_ratio) == (70, 2.8)
    assert c.development_level == "五通一平"
    assert c.valuation_date == dt.date(2021, 10, 1)
    assert c.land_right == "出让土地使用权"
    assert book.connotation(5, "public_1").plot_ratio == 1.0
    assert book.connotation(4, "commercial").to_dict()["valuation_date"] == "2021-10-01"


def test_connotation_of_towns(book: PriceBook) -> None:
    assert book.connotation(1, "public_1", "town_class_1").plot_ratio == 1.6  # Table 2
    assert book.connotation(2, "commercial", "town_class_2").plot_ratio == 1.4  # Table 3
    # Table 4 covers classes 3 and 4 alike.
    for area in ("town_class_3", "town_class_4", "水东镇", "古楼乡"):
        c = book.connotation(1, "public_1", area)
        assert (c.term_years, c.plot_ratio) == (50, 1.2)
    with pytest.raises(LandgradeError, match="town class 4 has grades 1, 2; there is no grade 3"):
        book.connotation(3, "commercial", "古楼乡")


def test_route_segments(book: PriceBook) -> None:
    assert book.route("A01") == RouteSegment(
        id="A01", name="桔城路 4", from_="健民路口", to="新村路口", grade=1,
        road_class="主干道", standard_depth_m=20, price=5714,
    )
    c65 = book.route("C65")
    assert (c65.from_, c65.to) == ("沪昆高速处", "未命名道路路口 (至二级地)")  # as printed
    assert c65.standard_depth_m == 16
    assert book.route("a1").id == "A01"  # case and zero padding do not matter
    assert book.route("A01").to_dict()["from"] == "健民路口"


def test_routes_table(book: PriceBook) -> None:
    routes = book.routes
    assert list(routes.columns) == [
        "id", "name", "from", "to", "grade", "road_class", "standard_depth_m", "price"
    ]
    assert len(routes) == 74
    assert routes["grade"].value_counts().sort_index().tolist() == [20, 34, 12, 7, 1]
    assert routes.loc[routes["id"] == "E74", "price"].item() == 1007


def test_load_is_cached_and_reloads_an_edited_folder(tmp_path: Path, dongkou_dir: Path) -> None:
    folder = copy_county(dongkou_dir, tmp_path)
    first = load_pricebook(folder)
    assert load_pricebook(str(folder)) is first
    assert load_pricebook(CountyFolder(folder)) is first
    edit(folder / "urban_prices.csv", "1,commercial,3194", "1,commercial,3200")
    assert load_pricebook(folder).urban_price(1, "commercial") == 3200


def test_default_county_is_dongkou() -> None:
    assert load_pricebook().county == "洞口县"


# -- validation: broken copies of the folder -------------------------------------------------
def copy_county(src: Path, dest: Path) -> Path:
    folder = dest / "county"
    folder.mkdir()
    for name in TABLE_FILES:
        shutil.copy(src / name, folder / name)
    return folder


def edit(path: Path, old: str | tuple[str, ...], new: str | tuple[str, ...]) -> None:
    """Replace text that occurs once (or each of several texts) in a file."""
    text = path.read_text(encoding="utf-8")
    pairs = zip(old, new, strict=True) if isinstance(old, tuple) else [(old, new)]
    for a, b in pairs:
        assert text.count(a) == 1, a
        text = text.replace(a, b)
    path.write_text(text, encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    return next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text in ln)


BROKEN = {
    "missing file": ("towns.csv", None, "", r"towns\.csv: missing"),
    "missing column": ("routes.csv", "standard_depth_m,price", "depth,price",
                       r"routes\.csv: missing column\(s\) standard_depth_m"),
    "use lacking a grade": ("urban_prices.csv", "3,residential,1066\n", "",
                            r"urban_prices\.csv: .*residential has no price for grade 3"),
    "grade gap": ("town_prices.csv",
                  tuple(f"3,{u},2," for u in USES), tuple(f"3,{u},3," for u in USES),
                  r"town_prices\.csv: town class 3 has grades 1, 3 but no grade 2"),
    "duplicate route id": ("routes.csv", "A02,桔城路 5", "A01,桔城路 5",
                           r"routes\.csv, line 3 \(row 2\): route id A01 is used twice"),
    "duplicate grade and use": ("urban_prices.csv", "2,commercial,2248", "1,commercial,2248",
                                r"line 3 \(row 2\): grade 1, commercial already has a price "
                                r"on line 2"),
    "zero price": ("urban_prices.csv", "5,industrial,307", "5,industrial,0",
                   r"urban_prices\.csv, line 16 \(row 15\): price '0' must be a positive number"),
    "negative price": ("routes.csv", "1007", "-1007", r"price '-1007' must be a positive number"),
    "non-numeric price": ("town_prices.csv", "4,residential,2,300", "4,residential,2,300元",
                          r"town_prices\.csv, line 50 \(row 49\): price '300元' is not a number"),
    "unknown use": ("urban_prices.csv", "1,public_2,610", "1,public_3,610",
                    r"line 22 \(row 21\): unknown use 'public_3'"),
    "town listed twice": ("towns.csv", "月溪镇,3", "高沙 镇,3",
                          r"towns\.csv, line 15 \(row 14\): town '高沙 镇' is listed twice "
                          r"\(first on line 2\)"),
    "town class without prices": ("towns.csv", "古楼乡,4", "古楼乡,5",
                                  r"towns\.csv, line 16 \(row 15\): town class 5 of 古楼乡 has no "
                                  r"prices in town_prices\.csv"),
    "route grade not urban": ("routes.csv", "E74,雪峰东路 10,城东大道口,五级末端,5",
                              "E74,雪峰东路 10,城东大道口,五级末端,6",
                              r"line 75 \(row 74\): route E74: grade 6 is not an urban grade"),
    "depth not matching class": ("routes.csv", "A03,双龙路 1,健民路口,新村路口,1,次干道,16",
                                 "A03,双龙路 1,健民路口,新村路口,1,次干道,20",
                                 r"line 4 \(row 3\): route A03: standard_depth_m 20 does not match "
                                 r"次干道, whose standard depth is 16 m"),
    "unknown road class": ("routes.csv", "A05,雪峰广场东路段,砚龙路口,桔城路口,1,支路",
                           "A05,雪峰广场东路段,砚龙路口,桔城路口,1,小巷",
                           r"route A05: road_class '小巷' is not one of 主干道, 次干道, 支路"),
    "grade not a number": ("urban_prices.csv", "4,residential,758", "四级,residential,758",
                           r"grade '四级' is not a whole number \(write the grade as an integer"),
    "connotation row missing": ("connotation.csv", "town_class_4,2,public_2,50,1.0\n", "",
                                r"connotation\.csv: no row for town_class_4, grade 2, public_2"),
    "connotation unknown area": ("connotation.csv", "town_class_4,2,public_2", "rural,2,public_2",
                                 r"area 'rural' is not urban or a priced town class"),
    "ragged row": ("towns.csv", "高沙镇,1", "高沙镇,1,extra",
                   r"towns\.csv, line 2: 3 fields where the header has 2"),
    "bad valuation date": ("metadata.json", '"valuation_date": "2021-10-01"',
                           '"valuation_date": "2021.10.1"',
                           r"valuation_date '2021\.10\.1' is not a date; write it as YYYY-MM-DD"),
}


@pytest.mark.parametrize(("name", "old", "new", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_folder_is_a_clear_error(
    tmp_path: Path, dongkou_dir: Path, name: str, old: str | tuple | None, new: str | tuple,
    message: str,
) -> None:
    folder = copy_county(dongkou_dir, tmp_path)
    if old is None:
        (folder / name).unlink()
    else:
        edit(folder / name, old, new)
    with pytest.raises(LandgradeError, match=message) as err:
        load_pricebook(folder)
    assert str(folder / name) in str(err.value)  # the message names the file


@pytest.mark.parametrize(("content", "message"), [
    (b"[1, 2]", "must hold one JSON object"),
    (b'"dongkou"', "must hold one JSON object"),
    ('{"county": "洞口县"}'.encode("gbk"), "not UTF-8"),
    ('{"county": "x", "standard_depth_m": {"a": 1}, "town_classes": ["一等镇"]}'.encode(),
     "town_classes must map each class number to its name"),
])
def test_metadata_of_the_wrong_shape_is_a_clear_error(
    tmp_path: Path, dongkou_dir: Path, content: bytes, message: str
) -> None:
    folder = copy_county(dongkou_dir, tmp_path)
    (folder / "metadata.json").write_bytes(content)
    result = runner.invoke(app, ["prices", "--county", str(folder)])
    assert result.exit_code == 2, result.output
    assert f"{folder / 'metadata.json'}: " in result.stderr and message in result.stderr
    assert "Traceback" not in result.output


def test_line_numbers_in_messages_are_the_files_own(tmp_path: Path, dongkou_dir: Path) -> None:
    folder = copy_county(dongkou_dir, tmp_path)
    path = folder / "routes.csv"
    edit(path, "泰龙路口,2,主干道,20,2860", "泰龙路口,2,主干道,20,n/a")  # B40
    with pytest.raises(LandgradeError, match=rf"line {line_of(path, 'B40')} \(row 40\)"):
        load_pricebook(folder)


def test_full_width_digits_are_read_as_numbers(tmp_path: Path, dongkou_dir: Path) -> None:
    """A table typed with a Chinese input method has full-width digits (３１９４, １)."""
    folder = copy_county(dongkou_dir, tmp_path)
    edit(folder / "urban_prices.csv", "1,commercial,3194", "１,commercial,３１９４")
    assert load_pricebook(folder).urban_price(1, "commercial") == 3194


def test_blank_lines_and_a_bom_are_accepted(tmp_path: Path, dongkou_dir: Path) -> None:
    folder = copy_county(dongkou_dir, tmp_path)
    towns = folder / "towns.csv"
    towns.write_text("\ufeff" + towns.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    assert load_pricebook(folder).town_class("高沙镇") == 1


# -- any county folder, not Dongkou alone ----------------------------------------------------
def write_invented_county(root: Path) -> Path:
    """A two-grade, two-use county with one town class and per-area valuation dates."""
    folder = root / "invented"
    folder.mkdir()
    files = {
        "uses.csv": "use,label_zh,label_en\nshop,商业用地,Shops\nhome,住宅用地,Homes\n",
        "urban_prices.csv": "grade,use,price\n1,shop,900\n2,shop,500\n1,home,600\n2,home,350.5\n",
        "town_prices.csv": "town_class,use,grade,price\n1,shop,1,200\n1,home,1,150\n",
        "towns.csv": "town,town_class\n青石镇,1\n",
        "connotation.csv": "area,grade,use,term_years,plot_ratio\n"
        "urban,1,shop,40,2.0\nurban,2,shop,40,1.5\nurban,1,home,70,2.5\nurban,2,home,70,1.8\n"
        "town_class_1,1,shop,40,1.2\ntown_class_1,1,home,70,1.2\n",
        "routes.csv": "id,name,from,to,grade,road_class,standard_depth_m,price\n"
        "R1,长街 1,东门口,西门口,1,主街,25,1500\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    meta = {
        "county": "虚构县", "units": "yuan/m2", "units_zh": "元/平方米",
        "valuation_date": {"urban": "2020-01-01", "town_class_1": "2019-07-01"},
        "land_right": "出让土地使用权", "development_level": "三通一平",
        "standard_depth_m": {"主街": 25},
    }
    (folder / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return folder


def test_any_county_folder(tmp_path: Path) -> None:
    book = load_pricebook(write_invented_county(tmp_path))
    assert book.uses == ("shop", "home")
    assert book.grades == (1, 2)
    assert book.urban_price(2, "住宅用地") == 350.5
    assert book.town_price("青石", 1, "shop") == 200
    assert book.connotation(1, "home", "青石镇").valuation_date == dt.date(2019, 7, 1)
    assert book.connotation(2, "shop").valuation_date == dt.date(2020, 1, 1)
    assert book.connotation(2, "shop").development_level == "三通一平"
    assert book.route("R1").standard_depth_m == 25


def test_minimal_folder_without_optional_facts(tmp_path: Path) -> None:
    """label_en and the connotation facts of metadata are optional; absent facts are None."""
    folder = write_invented_county(tmp_path)
    edit(folder / "uses.csv", "use,label_zh,label_en\nshop,商业用地,Shops\nhome,住宅用地,Homes",
         "use,label_zh\nshop,商业用地\nhome,住宅用地")
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    for key in ("valuation_date", "land_right", "development_level"):
        del meta[key]
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    book = load_pricebook(folder)
    assert book.use_label("shop", lang="en") == "shop"
    c = book.connotation(1, "shop")
    assert (c.plot_ratio, c.valuation_date, c.land_right) == (2.0, None, None)
    assert c.to_dict()["valuation_date"] is None
    result = runner.invoke(app, ["prices", "--county", str(folder), "--grade", "1"])
    assert result.exit_code == 0, result.output
    assert "valuation date" not in result.output


def test_per_area_metadata_must_cover_every_area(tmp_path: Path) -> None:
    folder = write_invented_county(tmp_path)
    edit(folder / "metadata.json", ', "town_class_1": "2019-07-01"', "")
    with pytest.raises(LandgradeError, match="valuation_date has no entry for town_class_1"):
        load_pricebook(folder)


# -- the CLI ---------------------------------------------------------------------------------
runner = CliRunner()


def table_lines(output: str, first: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith(first))
    return [ln for ln in lines[start:] if ln.strip()][:6]


def test_cli_urban_table() -> None:
    result = runner.invoke(app, ["prices", "--lang", "en"])  # the gazette's words beside English
    assert result.exit_code == 0, result.output
    assert "元/平方米" in result.output and "yuan/m2" in result.output
    rows = table_lines(result.output, "用地类型")
    assert rows[0].split()[2:] == ["一级", "二级", "三级", "四级", "五级"]
    assert rows[1].split() == ["商服用地", "commercial", "3194", "2248", "1622", "1114", "695"]
    assert rows[5].split()[-5:] == ["610", "492", "422", "362", "308"]
    # Right-aligned last column: every row ends at the same terminal column, CJK counted double.
    assert len({display_width(r) for r in rows}) == 1


def test_cli_town_and_grade() -> None:
    result = runner.invoke(app, ["prices", "--town", "高沙镇", "--grade", "2", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "town class 1" in result.output and "一等镇" in result.output
    rows = table_lines(result.output, "用地类型")
    prices = {r.split()[-5]: r.split()[-4] for r in rows[1:]}
    assert prices == {"commercial": "1006", "residential": "530", "industrial": "260",
                      "public_1": "396", "public_2": "262"}
    assert "40 年" in rows[1] and rows[1].split()[-1] == "1.6"  # Table 2: 二级 商服 1.6


def test_cli_town_alone_shows_all_its_grades() -> None:
    result = runner.invoke(app, ["prices", "--town", "毓兰镇", "--lang", "en"])
    assert result.exit_code == 0, result.output
    header = table_lines(result.output, "用地类型")[0].split()
    assert header[2:] == ["一级", "二级", "三级"]


def test_cli_grade_alone_is_the_urban_grade() -> None:
    result = runner.invoke(app, ["prices", "--grade", "3"])
    assert result.exit_code == 0, result.output
    assert "1622" in result.output and "3194" not in result.output
    assert "三级" in result.output


def test_cli_routes() -> None:
    result = runner.invoke(app, ["prices", "--routes", "--grade", "4"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    ids = [ln.split()[0] for ln in lines if ln[:1] in "ABCDE" and ln[1:2].isdigit()]
    assert ids == ["D67", "D68", "D69", "D70", "D71", "D72", "D73"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["prices", "--town", "高沙乡"], "closest: 高沙镇"),
        (["prices", "--town", "高沙镇", "--grade", "5"], "grades 1–4; there is no grade 5"),
        (["prices", "--grade", "9"], "grades 1–5"),
        (["prices", "--routes", "--town", "高沙镇"], "leave out --town"),
        (["prices", "--county", "/nonexistent/county"], "no such county folder"),
    ],
)
def test_cli_errors_exit_2_without_traceback(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_other_county(tmp_path: Path) -> None:
    folder = write_invented_county(tmp_path)
    result = runner.invoke(app, ["prices", "--county", str(folder)])
    assert result.exit_code == 0, result.output
    assert "虚构县" in result.output
    assert table_lines(result.output, "用地类型")[2].split() == ["住宅用地", "home", "600", "350.5"]


def test_prices_of_a_town_written_as_csv_are_table_8s_row(tmp_path: Path,
                                                          dongkou_dir: Path) -> None:
    """`landgrade prices --town 高沙镇 -o t.csv`: the gazette's Table 8 row for 高沙镇 (一等镇),
    grade by grade; --grade keeps one grade. Values copied from the gazette text."""
    import pandas as pd

    out = tmp_path / "t.csv"
    res = CliRunner().invoke(app, ["prices", "--town", "高沙镇", "-o", str(out),
                                   "--county", str(dongkou_dir), "--lang", "en"])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out, encoding="utf-8-sig")
    assert t["town"].unique().tolist() == ["高沙镇"] and t["town_class"].unique().tolist() == [1]
    assert t["grade"].tolist() == [1, 2, 3, 4]
    assert t["商服用地"].tolist() == [1328, 1006, 745, 540]
    assert t["住宅用地"].tolist() == [662, 530, 432, 360]
    res = CliRunner().invoke(app, ["prices", "--town", "高沙镇", "--grade", "2", "-o", str(out),
                                   "--county", str(dongkou_dir), "--lang", "en"])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(out, encoding="utf-8-sig")
    assert t["grade"].tolist() == [2] and t["工矿仓储用地"].tolist() == [260]
