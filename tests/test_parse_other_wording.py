"""Other counties' wording, one phrasing at a time, and the misreadings that must never happen.

CONSTRUCTED, NOT PUBLISHED: every text in this file was written for the test, in the phrasings the
issue lists that the real corpus (tests/data/gazettes, test_gazette_corpus.py) lacks or has only
once. Road names are invented (甲乙丙…) except where a trap needs a real-looking one. Expected
readings are written by hand from the text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from landgrade.cli.app import app
from landgrade.gazette.county import CountyDataError, CountyFolder
from landgrade.gazette.parse import RulesSyntaxError, parse_rules, read_rules
from landgrade.gazette.per_use import parse_descriptions, uses_from_dict
from landgrade.gazette.rule_areas import AdminArea, FourSides, Frontage, Walk
from landgrade.gazette.rule_items import Offset, RingItem, SideBound, WalkStep
from landgrade.gazette.rules import Region, Residual, Ring, area_items
from landgrade.gazette.wording import to_gazette_text

RING1 = "一级\t甲一路－乙二路－丙三路所围成区域\n"


def road(name: str, **kw: object) -> RingItem:
    return RingItem(name, feature_kind="road", **kw)  # type: ignore[arg-type]


def only(text: str, grade: int = 1, known: set[str] | None = None) -> Any:
    """The single area of ``grade`` in ``text`` (strict: nothing refused)."""
    rules = parse_rules(text, known_names=known)
    [area] = rules.grade(grade).areas
    assert parse_rules(to_gazette_text(rules), known_names=known) == rules  # prints back
    return area


def names(area: object) -> list[str]:
    return [i.feature for i in area_items(area)]  # type: ignore[arg-type]


# --- 1. exclusions in free wording ------------------------------------------------------------
@pytest.mark.parametrize("text,grades", [
    ("二级\t甲一路、乙二路、丙三路所围成的区域中除一级范围外的部分", (1,)),
    ("二级\t除上述级别范围外，由以下路线围合而成的区域：甲一路—乙二路—丙三路—甲一路", (1,)),
    ("二级\t围绕Ⅰ级地，北以甲一路为界，南以乙二路为界，西以丙三路为界，东以丁四路为界", (1,)),
    ("二级\t一级土地以外，东至甲一路，南至乙二路，西至丙三路，北至丁四路", (1,)),
    ("二级\t东至甲一路，南至乙二路，西至丙三路，北至丁四路范围内的地块（不含本范围内的Ⅰ级地块）",
     (1,)),
])
def test_exclusions_in_free_wording(text: str, grades: tuple[int, ...]) -> None:
    assert only(RING1 + text, 2).exclude_grades == grades


@pytest.mark.parametrize("text", [
    "估价范围内二级范围外的区域",
    "除Ⅰ、Ⅱ级地以外定级范围内的所有土地",
    "定级范围之内，Ⅰ、Ⅱ级地界线以外的土地",
    "除上述级别范围外的其他区域",
])
def test_the_rest_in_free_wording(text: str) -> None:
    rules = parse_rules(RING1 + "二级\t丁四路－戊五路－己六路所围成区域\n三级\t" + text)
    assert rules.grade(3).areas == (Residual(),)


def test_places_taken_out_of_the_grading_whole_or_refused_when_only_a_part() -> None:
    rules = parse_rules(RING1 + "二级\t定级范围之内，Ⅰ级地界线以外的土地（甲里、乙园不参与定级）")
    assert rules.grade(2).areas == (Residual(exclude_features=("甲里", "乙园")),)
    with pytest.raises(RulesSyntaxError, match="部分"):
        parse_rules(RING1 + "二级\t定级范围之内，Ⅰ级地界线以外的土地（甲里部分土地不参与定级）")


# --- 2. landmarks and walls ---------------------------------------------------------------------
def test_walls_edges_and_house_numbers_as_boundaries() -> None:
    area = only("一级\t由甲公司、乙厂北围墙，丙三路，莲花公园西边界，中山东路75号所围成的区域")
    assert isinstance(area, Ring)
    assert area.items == (
        RingItem("甲公司北围墙", landmark="甲公司", edge="N", feature_kind="wall"),
        RingItem("乙厂北围墙", landmark="乙厂", edge="N", feature_kind="wall"),
        road("丙三路"),
        RingItem("莲花公园西边界", landmark="莲花公园", edge="W", feature_kind="edge"),
        RingItem("中山东路75号", feature_kind="address"),
    )


# --- 3. 四至 ----------------------------------------------------------------------------------
def test_four_sides_with_diagonals_and_shared_sides() -> None:
    area = only("一级\t东北至甲一路、乙二路；南和西南至铁路；西至丙三江；北至丁四路范围内的地块")
    assert area == FourSides((
        SideBound(("NE",), (road("甲一路"), road("乙二路"))),
        SideBound(("S", "SW"), (RingItem("铁路", feature_kind="rail"),)),
        SideBound(("W",), (RingItem("丙三江", feature_kind="river"),)),
        SideBound(("N",), (road("丁四路"),)),
    ))


def test_four_sides_as_boundaries_taken() -> None:
    area = only("一级\t北以甲一路为界，南以乙二路为界，西以丙三路为界，东以丁四路为界。")
    assert [(s.directions, names(FourSides((s,)))) for s in area.sides] == [
        (("N",), ["甲一路"]), (("S",), ["乙二路"]), (("W",), ["丙三路"]), (("E",), ["丁四路"])]


def test_a_four_sides_needs_the_sides_that_close_it() -> None:
    with pytest.raises(RulesSyntaxError, match="only 2 side"):
        parse_rules("一级\t东至甲一路，西至乙二路范围内的地块")


# --- 4. sub-areas and counts --------------------------------------------------------------------
def test_sub_areas_with_counts_and_lead_ins() -> None:
    rules = parse_rules("一级\t共分为两片。第一片位于火车站东侧，级别边界：甲一路——乙二路——丙三路——"
                        "甲一路；第二片位于火车站西侧，级别边界：丁四路——戊五路——己六路——丁四路。")
    a, b = rules.grade(1).areas
    assert (a.subarea, b.subarea) == ("第一片", "第二片")
    assert names(a) == ["甲一路", "乙二路", "丙三路", "甲一路"] and names(b)[0] == "丁四路"
    assert rules.grade(1).notes == ("共分为两片", "位于火车站东侧", "位于火车站西侧")


def test_labelled_sub_areas_and_numbered_ones() -> None:
    rules = parse_rules("一级\t(1)北区片:东至甲一路，南至乙二路，西至丙三路，北至丁四路。"
                        "(2)南区片:戊五路—己六路—庚七路所围地区。")
    a, b = rules.grade(1).areas
    assert (a.kind, a.subarea, b.kind, b.subarea) == ("four_sides", "北区片", "ring", "南区片")


# --- 5. rings with a lead-in or without 所围 --------------------------------------------------
@pytest.mark.parametrize("text", [
    "级别边界：甲一路——乙二路——丙三路——甲一路",
    "由以下路线围合而成的区域：甲一路—乙二路—丙三路—甲一路",
    "由甲一路、乙二路、丙三路、甲一路所围成的区域",
    "由甲一路,乙二路,丙三路,甲一路所围成的区域",
    "甲一路—-乙二路─丙三路———甲一路所围成的区域",
])
def test_ring_lead_ins_and_dash_runs(text: str) -> None:
    assert names(only("一级\t" + text)) == ["甲一路", "乙二路", "丙三路", "甲一路"]


def test_two_features_that_close_around_the_zone() -> None:
    assert names(only("一级\t为甲一路与乙二江合围而成的区域")) == ["甲一路", "乙二江"]


def test_the_frontage_outside_a_ring_at_the_county_default_depth() -> None:
    area = only("一级\t甲一路—乙二路—丙三路—甲一路;所围地区及边界路段外侧地区。")
    assert isinstance(area, Ring) and area.boundary_frontage == "outside"
    assert area.boundary_frontage_m is None  # the county's default_frontage_m, never a guess


# --- 6. walks -----------------------------------------------------------------------------------
def test_a_walk_turn_by_turn() -> None:
    area = only("一级\t西起甲一路口，向南，穿越乙二路，延伸至丙三路以南40米处折向东，沿丙三路"
                "至丁四路折向北，延伸60米折向西，至甲一路口与起点形成闭合线。")
    assert isinstance(area, Walk)
    assert [(s.op, [i.feature for i in s.items], s.direction, s.distance_m)
            for s in area.steps] == [
        ("start", ["甲一路口"], "W", None), ("head", [], "S", None),
        ("cross", ["乙二路"], None, None), ("to", ["丙三路"], None, None),
        ("turn", [], "E", None), ("along", ["丙三路"], None, None),
        ("to", ["丁四路"], None, None), ("turn", [], "N", None), ("extend", [], None, 60),
        ("turn", [], "W", None), ("to", ["甲一路口"], None, None), ("close", [], None, None)]
    assert area.steps[3].items[0].offset == Offset("S", 40)


def test_a_walk_along_roads_going_south_and_turning_onto_another() -> None:
    area = only("一级\t北起甲一路口，沿甲一路南下至乙二路，拐到乙二路，沿乙二路东行至丙三路，"
                "折向北，沿丙三路至丁四路，折向西，沿丁四路至甲一路与起点形成闭合线。")
    ops = [s.op for s in area.steps]
    assert ops[:5] == ["start", "along", "head", "to", "along"]
    assert area.steps[2].direction == "S" and ops[-1] == "close"


def test_a_walk_between_crossings_closing_as_it_goes_on() -> None:
    area = only("一级\t西起红棉路与荷新路交叉处，沿红棉路向东至甲一路，折向南，沿甲一路至乙二路与"
                "丙三路交叉处，折向西，沿乙二路至荷新路，折向北，沿荷新路向北与起点形成闭合线")
    assert area.steps[0].items == (road("红棉路"), road("荷新路"))
    assert area.steps[6].items == (road("乙二路"), road("丙三路"))
    assert [s.op for s in area.steps[-3:]] == ["along", "head", "close"]


def test_a_walk_that_does_not_close_is_refused() -> None:
    with pytest.raises(RulesSyntaxError, match="closes"):
        parse_rules("一级\t西起甲一路，向南，至乙二路折向东，至丙三路折向北，至甲一路闭合")


# --- 7. administrative units --------------------------------------------------------------------
@pytest.mark.parametrize("text,units,part", [
    ("人民路街道办事处所辖地域", ("人民路街道办事处",), None),
    ("东风社区、红旗社区等部分地域", ("东风社区", "红旗社区"), "部分地域"),
    ("新兴镇、象溪镇行政区域内的土地", ("新兴镇", "象溪镇"), None),
])
def test_administrative_areas(text: str, units: tuple[str, ...], part: str | None) -> None:
    area = only(RING1 + "二级\t" + text, 2)
    assert area == AdminArea(units, part)


def test_an_administrative_line_bounds_a_region() -> None:
    area = only("一级\t甲一路以东，乙区行政区划东界线以西的地块")
    assert isinstance(area, Region)
    assert [(b.feature, b.side) for b in area.bounds] == [("甲一路", "E"),
                                                           ("乙区行政区划东界线", "W")]
    assert area.bounds[1].item == RingItem("乙区行政区划东界线", landmark="乙区", edge="E",
                                           feature_kind="admin_line")


# --- 8. frontage with no width; 9. offsets -----------------------------------------------------
@pytest.mark.parametrize("text,side,width", [
    ("甲一路、乙二路、丙三路等街道两侧地区", None, None),
    ("沿甲一路、乙二路两侧地区", None, None),
    ("甲一路东侧宽200米范围内", "E", 200),
    ("南昆高速南侧200米区域", "S", 200),
])
def test_frontage(text: str, side: str | None, width: float | None) -> None:
    area = only("一级\t" + text)
    assert isinstance(area, Frontage) and (area.side, area.width_m) == (side, width)


def test_offsets_as_boundaries() -> None:
    area = only("一级\t北至甲一路以南40米处，东至乙二路东南侧100米，南至丙三路，西至丁四路100米处"
                "范围内的地块")
    offsets = [i.offset for i in area_items(area)]
    assert offsets == [Offset("S", 40), Offset("SE", 100), None, Offset(None, 100)]


# --- 10. planned roads --------------------------------------------------------------------------
@pytest.mark.parametrize("written", ["规划甲一路", "甲一路（规划）"])
def test_planned_roads(written: str) -> None:
    area = only(f"一级\t东至{written}，南至乙二路，西至丙三路，北至丁四路范围内的地块")
    assert area.sides[0].items == (road("甲一路", planned=True),)


# --- 11. grade words ----------------------------------------------------------------------------
@pytest.mark.parametrize("first,second", [
    ("Ⅰ", "Ⅱ"), ("Ⅰ级地", "Ⅱ级地"), ("一级地", "二级地"), ("一级土地", "二级土地"),
    ("一等地段", "二等地段"), ("I级", "II级"), ("①", "②"), ("Ⅰ级商服用地", "Ⅱ级商服用地"),
])
def test_grade_words(first: str, second: str) -> None:
    rules = parse_rules(f"{first}\t甲一路－乙二路－丙三路所围成区域\n{second}\t其余区域")
    assert [g.grade for g in rules.grades] == [1, 2]
    assert rules.grades[0].label == first  # as published, for the report


def test_a_table_that_starts_above_the_first_grade() -> None:
    rules = parse_rules("Ⅳ级\t甲一路－乙二路－丙三路所围成区域。面积为4.55平方公里。\n"
                        "Ⅴ级\t其余区域")
    assert [g.grade for g in rules.grades] == [4, 5]
    assert rules.grade(4).notes == ("面积为4.55平方公里",)


def test_keep_going_accepts_a_missing_grade_and_says_so() -> None:
    text = "一级\t甲一路－乙二路－丙三路所围成区域\n三级\t其余区域"
    with pytest.raises(RulesSyntaxError, match="二级 here"):
        parse_rules(text)
    reading = read_rules(text)
    assert [g.grade for g in reading.rules.grades] == [1, 3]
    assert len(reading.refusals) == 1 and "二级 here" in reading.refusals[0].reason


# --- never misread ------------------------------------------------------------------------------
def _all_names(text: str, known: set[str] | None = None) -> list[str]:
    reading = read_rules(text, known_names=known)
    return [n for g in (reading.rules.grades if reading.rules else ()) for a in g.areas
            for n in names(a)]


def test_a_side_clause_is_never_a_ring_of_two_roads() -> None:
    text = "一级\t西以西站铁路线、规划边界线为界"
    reading = read_rules(text)
    assert reading.rules is None and len(reading.refusals) == 1
    assert "西以" in reading.refusals[0].reason
    assert reading.refusals[0].fragment == "西以西站铁路线、规划边界线为界"
    # the same words inside a whole 四至 read as the west side
    area = only(text + "；东以甲一路为界；南以乙二路为界；北以丙三路为界。")
    assert names(FourSides((area.sides[0],))) == ["西站铁路线", "规划边界线"]


def test_a_route_description_is_never_a_road_name() -> None:
    text = "一级\t东由南京火车站的新庄村经和平门、玄武门、太平门至中山门"
    assert _all_names(text) == []
    reading = read_rules(text)
    assert len(reading.refusals) == 1 and reading.refusals[0].fragment == text.split("\t")[1]
    assert reading.refusals[0].at == "东由南京火车站的新庄村经和平门"
    assert "东由" in reading.refusals[0].reason
    with pytest.raises(RulesSyntaxError, match="grade 一级"):
        parse_rules(text)


@pytest.mark.parametrize("text", [
    "一级\t甲一路、乙二路、丙三路",  # a list that encloses nothing
    "一级\t甲一路、乙二路",
])
def test_a_list_is_a_ring_only_where_the_text_says_it_encloses(text: str) -> None:
    with pytest.raises(RulesSyntaxError, match="encloses"):
        parse_rules(text)


@pytest.mark.parametrize("text,bad", [
    ("一级\t至善路－由义路－甲一路所围成区域", "至善路"),
    ("一级\t由义路、甲一路、乙二路所围成的区域", "由义路"),
    ("一级\t东至至善路，南至由义路，西至甲一路，北至乙二路范围内的地块", "至善路"),
    ("一级\t西起甲一路，沿由义路至乙二路折向东，至丙三路折向北，至甲一路与起点形成闭合线",
     "由义路"),
])
def test_names_holding_a_connective_are_accepted_only_when_the_network_has_them(
        text: str, bad: str) -> None:
    with pytest.raises(RulesSyntaxError, match=bad):
        parse_rules(text)
    known = {"至善路", "由义路"}
    rules = parse_rules(text, known_names=known)
    found = {n for g in rules.grades for a in g.areas for n in names(a)}
    assert bad in found and "义路" not in found
    assert bad in rules.known_names_used


def test_common_names_with_those_characters_are_plain_names() -> None:
    assert names(only("一级\t沿江路－沿河路－向阳路－自由路－经六路所围成区域")) == [
        "沿江路", "沿河路", "向阳路", "自由路", "经六路"]


# --- per-use descriptions ----------------------------------------------------------------------
def _county(tmp_path: Path, descriptions: object) -> Path:
    folder = tmp_path / "county"
    folder.mkdir()
    (folder / "metadata.json").write_text(json.dumps(
        {"county": "某县", "descriptions": descriptions, "default_frontage_m": 20}),
        encoding="utf-8")
    (folder / "uses.csv").write_text("use,label_zh\ncommercial,商服用地\nresidential,住宅用地\n",
                                     encoding="utf-8")
    (folder / "t5_commercial.txt").write_text(
        "一级\t甲一路－乙二路－丙三路所围成区域\n二级\t其余区域\n", encoding="utf-8")
    (folder / "t5_residential.txt").write_text(
        "一级\t丁四路－戊五路－己六路所围成区域\n二级\t其余区域\n", encoding="utf-8")
    return folder


def test_one_description_per_use(tmp_path: Path) -> None:
    folder = CountyFolder(_county(tmp_path, {"commercial": "t5_commercial.txt",
                                             "residential": "t5_residential.txt"}))
    assert folder.default_frontage_m == 20
    rules = parse_descriptions(folder)
    assert list(rules) == ["commercial", "residential"]
    assert rules["commercial"].use == "commercial"
    assert names(rules["residential"].grade(1).areas[0])[0] == "丁四路"
    result = CliRunner().invoke(app, ["parse", str(folder.root)])
    assert result.exit_code == 0, result.output
    back = uses_from_dict(json.loads(result.stdout))
    assert back == rules


@pytest.mark.parametrize("descriptions,problem", [
    ({"shops": "t5_commercial.txt"}, "uses.csv does not list"),
    ({"commercial": "missing.txt"}, "missing"),
    (["t5_commercial.txt"], "one file per use"),
])
def test_per_use_metadata_errors_name_the_fix(tmp_path: Path, descriptions: object,
                                              problem: str) -> None:
    with pytest.raises(CountyDataError, match=problem):
        CountyFolder(_county(tmp_path, descriptions)).descriptions()


def test_names_file_for_the_command_line(tmp_path: Path) -> None:
    text = tmp_path / "t5.txt"
    text.write_text("一级\t至善路－甲一路－乙二路所围成区域\n", encoding="utf-8")
    names_file = tmp_path / "names.txt"
    names_file.write_text("至善路\n甲一路\n", encoding="utf-8")
    refused = CliRunner().invoke(app, ["parse", "--keep-going", str(text)])
    assert refused.exit_code == 2 and "至善路" in refused.stderr
    assert json.loads(refused.stdout) == {"grades": []}
    read = CliRunner().invoke(app, ["parse", "--names", str(names_file), str(text)])
    assert read.exit_code == 0, read.output
    assert json.loads(read.stdout)["known_names_used"] == ["至善路"]


# --- any mix of these words: read and printed back, or refused by name -------------------------
WORDS = ["东至", "南至", "西至", "北以", "为界", "、", "，", "；", "。", "甲一路", "乙二路",
         "丙三江", "铁路", "北围墙", "规划", "以南", "40米处", "范围内的地块", "所围成的区域",
         "由", "起",
         "向南", "折向东", "穿越", "沿", "与起点形成闭合线", "行政区域", "两侧地区",
         "东侧宽200米范围内", "（不含", "）", "Ⅰ", "级地", "以外", "除上述级别范围外", "：", "拱北",
         "—", "面积为4.5平方公里", "(1)", "第一片", "位于", "级别边界", "定级范围", "的所有土地",
         "不参与定级", "部分", "以东", "和", "西南", "东北至", "至善路", "所围地区",
         "及边界路段外侧地区"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30).map("".join))
def test_any_mix_reads_back_or_is_refused_by_name(body: str) -> None:
    text = RING1 + "二级\t" + body
    reading = read_rules(text)
    for r in reading.refusals:
        assert r.fragment in text and r.reason
    if reading.rules is None:
        return
    for g in reading.rules.grades:
        for a in g.areas:
            assert a.source and a.source in text
    assert parse_rules(to_gazette_text(reading.rules)) == reading.rules


# --- more wordings of the same kinds ------------------------------------------------------------
def test_four_sides_with_other_verbs_and_endings() -> None:
    area = only(RING1 + "二级\t东起戊五路，西至己六路，南起庚七街，北至辛八街之间的区域"
                "（一级地除外）", 2)
    assert isinstance(area, FourSides) and area.exclude_grades == (1,)
    assert [s.directions for s in area.sides] == [("E",), ("W",), ("S",), ("N",)]
    area = only("一级\t四至：东临戊五路中心线，南临己六山脚，西邻庚七路，北到辛八路所围区域")
    assert area.sides[0].items == (road("戊五路", qualifier="中心线"),)
    assert area.sides[1].items == (RingItem("己六山脚", feature_kind="hill"),)


@pytest.mark.parametrize("text,side,width", [
    ("以戊五路为中心，两侧各100米范围", None, 100),
    ("沿戊五路、己六路两侧", None, None),
])
def test_more_frontage(text: str, side: str | None, width: float | None) -> None:
    area = only(RING1 + "二级\t" + text, 2)
    assert isinstance(area, Frontage) and (area.side, area.width_m) == (side, width)


@pytest.mark.parametrize("text", ["除一级以外的城区范围", "城区内其余地段"])
def test_more_residuals(text: str) -> None:
    assert only(RING1 + "二级\t" + text, 2) == Residual()


def test_a_walk_from_a_crossing_back_to_the_start() -> None:
    area = only("一级\t自戊五路与己六路交叉口起，沿戊五路向东至庚七路，折向南沿庚七路至辛八路，"
                "折向西沿辛八路至己六路，折向北沿己六路回到起点")
    assert area.steps[0] == WalkStep("start", (road("戊五路"), road("己六路")))  # their crossing
    assert [s.op for s in area.steps[1:4]] == ["along", "head", "to"]
    assert area.steps[-1].op == "close"


def test_features_taken_as_the_boundary_enclose_the_zone() -> None:
    assert names(only("一级\t以甲一路、乙二路、丙三路、丁四路为界的区域")) == [
        "甲一路", "乙二路", "丙三路", "丁四路"]
    assert names(only("一级\t级别范围：甲一路—乙二路—丙三路—甲一路所围区域"))[0] == "甲一路"


def test_a_region_of_sides_joined_by_commas() -> None:
    area = only("一级\t甲一路以东、乙二路以西、丙三路以南、丁四江以北围合区域")
    assert [(b.feature, b.side) for b in area.bounds] == [
        ("甲一路", "E"), ("乙二路", "W"), ("丙三路", "S"), ("丁四江", "N")]


def test_a_side_word_inside_a_name_is_refused() -> None:
    for text in ("一级\t甲一路以东乙二路以北区域",
                 RING1 + "二级\t东至甲一路以东，南至乙二路，西至丙三路，北至丁四路范围内的地块"):
        with pytest.raises(RulesSyntaxError, match="以东"):
            parse_rules(text)


def test_a_numeral_is_a_grade_only_with_its_grade_word() -> None:
    """围绕三环路 is not 围绕三(级): the lead-in is refused, never read as excluding grade 3."""
    reading = read_rules("一级\t围绕三环路，东至甲一路，南至乙二路，西至丙三路，北至丁四路")
    assert reading.rules is None and "围绕三环路" in reading.refusals[0].reason


def test_a_lead_in_is_not_part_of_a_units_name() -> None:
    area = only(RING1 + "二级\t县城西屏街道行政区域内的土地", 2)
    assert area == AdminArea(("西屏街道",), within="县城")
