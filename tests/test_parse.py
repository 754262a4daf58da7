"""The Table 5 description language: every Dongkou clause, the variants, errors, round trips, CLI.

Expected values are written by hand from the gazette text (seed Table 5), not from the parser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from landgrade.cli.app import app
from landgrade.errors import LandgradeError
from landgrade.gazette.parse import (
    RulesEncodingError,
    RulesSyntaxError,
    grade_number,
    grade_word,
    parse_file,
    parse_rules,
)
from landgrade.gazette.rules import (
    Bound,
    Corridor,
    GradeRule,
    Override,
    Region,
    Residual,
    Ring,
    RingItem,
    Rules,
)
from landgrade.gazette.wording import to_gazette_text

DESCRIPTIONS = Path(__file__).parent / "data" / "descriptions"


def it(feature: str, side: str | None = None, width: float | None = None,
       qualifier: str | None = None, overrides: tuple[Override, ...] = ()) -> RingItem:
    return RingItem(feature, side, width, overrides, qualifier)  # type: ignore[arg-type]


# Dongkou Table 5, read clause by clause from the gazette (洞政发〔2022〕1号, 表5).
DONGKOU = Rules((
    GradeRule(1, (
        Ring((it("桔城路", "E", 16), it("雪峰路", "N", 20), it("健民路", "W", 16),
              it("桔城路", "N", 20), it("龙安路", "W", 12), it("平溪江"))),
        Corridor(("文昌南路",), "平溪江", "凤凰路", 20),
        Corridor(("双洲路", "都梁路"), "益民路", "凤凰路", 20),
    )),
    GradeRule(2, (
        Ring((it("平溪江"), it("泰龙路", "E", 16), it("雪峰路", "S", 20), it("公安局东侧"),
              it("洞口大道", "N", 20), it("金坪路", "E", 20), it("洞口大道", "N", 200),
              it("文昌北路", "E", 20), it("未命名道路", "N", 12), it("健民路"),
              it("未命名道路", "N", 20), it("城西大道", "W", 20), it("桔城路", "S", 20),
              it("河流东侧"), it("平溪江")), (1,)),
        Ring((it("城西大道", "W", 20, "平溪江以南段"), it("华荣路", "S", 20),
              it("梨园西路", "W", 16), it("未命名道路", "S", 12, "裕丰国际城南侧道路"),
              it("河流"), it("新河路"), it("蔡锷南路", "E", 20), it("平溪江")), (1,)),
    )),
    GradeRule(3, (
        Ring((it("金坪路", "E", 20), it("富水东路"), it("芙蓉路", "E", 16),
              it("德民路", "N", 16, overrides=(Override("健民路", "文昌路", "N", 100),)),
              it("未命名道路"), it("洞口大道", "N", 20),
              it("未命名道路", "W", 12, "博雅职校东侧道路"), it("雪峰路", "N", 20),
              it("平溪北路"), it("平溪江")), (1, 2)),
        Corridor(("蔡锷路",), "德民路", "惠民路", 20),
        Region((Bound("平溪江", "S"), Bound("沟渠", "W")), (1, 2)),
    )),
    GradeRule(4, (
        Ring((it("聚福路", "E", 20), it("基准地价范围界线"), it("平溪江")), (1, 2, 3),
             within="平溪江以南"),
        Ring((it("城东大道", "E", 20), it("站前大道以南未命名道路"), it("基准地价范围界线"),
              it("惠民路"), it("城西大道", "W", 20),
              it("洞口大道西段", "N", 20, "城西大道路口往西1400米路段"), it("平溪江")),
             (1, 2, 3), within="平溪江以北"),
        Corridor(("蔡锷北路",), "惠民路", "边界范围", 20),
    )),
    GradeRule(5, (Residual(),)),
))


def seed_table5(seed_text: str) -> str:
    """Table 5 as printed in the gazette: caption, repeated header lines, blank lines."""
    start = seed_text.index("表 5")
    return seed_text[start: seed_text.index("三、城区基准地价", start)]


def grade(body: str, g: int = 3) -> GradeRule:
    """Parse ``body`` as grade ``g`` of a description whose better grades are a plain ring."""
    rows = [f"{grade_word(k)}\t甲路－乙路所围成区域" for k in range(1, g)]
    return parse_rules("\n".join([*rows, f"{grade_word(g)}\t{body}"])).grade(g)


def area(body: str, g: int = 3):
    (only,) = grade(body, g).areas
    return only


# --- Dongkou ---------------------------------------------------------------------------------
def test_dongkou_table5_file_parses_to_the_gazette_rules(dongkou_dir: Path) -> None:
    rules = parse_file(dongkou_dir / "table5.txt")
    assert [len(g.areas) for g in rules.grades] == [3, 2, 3, 3, 1]
    for got, want in zip(rules.grades, DONGKOU.grades, strict=True):
        for k, (a, b) in enumerate(zip(got.areas, want.areas, strict=True), start=1):
            assert a == b, f"grade {got.grade} item {k}"
    assert rules == DONGKOU


def test_seed_table5_as_printed_parses_the_same(seed_text: str) -> None:
    assert parse_rules(seed_table5(seed_text), "seed") == DONGKOU


def test_dongkou_json_has_the_documented_fields(dongkou_dir: Path) -> None:
    d = parse_file(dongkou_dir / "table5.txt").to_dict()
    ring = d["grades"][2]["areas"][0]
    assert ring["kind"] == "ring" and ring["exclude_grades"] == [1, 2]
    assert ring["items"][3] == {"feature": "德民路", "side": "N", "width_m": 16, "qualifier": None,
                                "overrides": [{"from": "健民路", "to": "文昌路", "side": "N",
                                               "width_m": 100}]}
    assert d["grades"][0]["areas"][2] == {"kind": "corridor", "features": ["双洲路", "都梁路"],
                                          "from": "益民路", "to": "凤凰路", "width_m": 20,
                                          "exclude_grades": [],
                                          "source": "3、双洲路至都梁路两侧各 20 米区域"
                                                    "（益民路口起至凤凰路口止）"}
    assert d["grades"][2]["areas"][2]["bounds"] == [{"feature": "平溪江", "side": "S"},
                                                   {"feature": "沟渠", "side": "W"}]
    assert d["grades"][4]["areas"] == [{"kind": "residual",
                                        "source": "定级范围一、二、三、四级以外其他区域"}]


# --- variants --------------------------------------------------------------------------------
@pytest.mark.parametrize("marker", ["1、", "1.", "(1)", "（1）", "1)", "①", "１、", ""])
def test_item_numbers(marker: str) -> None:
    second = marker.replace("1", "2").replace("１", "２").replace("①", "②") if marker else ""
    g = grade(f"{marker}甲路－乙路所围成区域；{second}丙路－丁路所围成区域。", 1)
    assert [a.items[0].feature for a in g.areas] == ["甲路", "丙路"]


@pytest.mark.parametrize("sep", ["-", "－", "—", "–", "——", "、"])
def test_ring_separators(sep: str) -> None:
    ring = area(f"桔城路（含东侧16米）{sep}雪峰路{sep}平溪江所围成区域", 1)
    assert ring.items == (it("桔城路", "E", 16), it("雪峰路"), it("平溪江"))


@pytest.mark.parametrize("width", ["16米", "16 米", "１６米", "１６ 米", "16m", " 16米"])
def test_widths_in_any_spelling(width: str) -> None:
    assert area(f"桔城路（含东侧{width}）－平溪江所围成区域", 1).items[0].width_m == 16


def test_decimal_widths() -> None:
    ring = area("桔城路（含北侧12.5米；甲路口至乙路口段北侧为7.25米）－平溪江", 2)
    assert ring.items[0].width_m == 12.5
    assert ring.items[0].overrides == (Override("甲路", "乙路", "N", 7.25),)


@pytest.mark.parametrize("side,letter", [("东", "E"), ("西", "W"), ("南", "S"), ("北", "N")])
def test_sides(side: str, letter: str) -> None:
    assert area(f"甲路（含{side}侧20米）－乙路", 2).items[0].side == letter


@pytest.mark.parametrize("ending", ["所围成区域", "所围成的区域", "所围区域", "围成的区域", ""])
def test_ring_endings(ending: str) -> None:
    assert area(f"甲路－乙路－丙江{ending}", 2).items[-1] == it("丙江")


def test_brackets_full_and_half_width() -> None:
    assert area("甲路(含东侧16米)－乙路（含西侧12米)", 2).items[:2] == (
        it("甲路", "E", 16), it("乙路", "W", 12))


@pytest.mark.parametrize("text,grades", [
    ("（除一级区域以外）", (1,)),
    ("（除一、二、三级区域以外）", (1, 2, 3)),
    ("（除一级、二级区域以外）", (1, 2)),
    ("（除一至三级区域以外）", (1, 2, 3)),
    ("（除1、2级区域以外）", (1, 2)),
    ("(除一、二级以外)", (1, 2)),
    ("（不含一级区域）", (1,)),
])
def test_exclusions(text: str, grades: tuple[int, ...]) -> None:
    assert area(f"甲路－乙路{text}", 4).exclude_grades == grades


def test_ring_items_kept_whole_as_printed() -> None:
    ring = area("公安局东侧－河流东侧－洞口大道西段－站前大道以南未命名道路－基准地价范围界线", 2)
    assert [i.feature for i in ring.items] == [
        "公安局东侧", "河流东侧", "洞口大道西段", "站前大道以南未命名道路", "基准地价范围界线"]


def test_substretch_override() -> None:
    item = area("德民路（含北侧 16 米；健民路口至文昌路口段北侧为 100 米）－平溪江", 3).items[0]
    assert item == it("德民路", "N", 16, overrides=(Override("健民路", "文昌路", "N", 100),))


def test_override_without_side_takes_the_item_side() -> None:
    item = area("德民路（含北侧16米；健民路口至文昌路口段为100米）－平溪江", 3).items[0]
    assert item.overrides == (Override("健民路", "文昌路", "N", 100),)


@pytest.mark.parametrize("text,expected", [
    ("城西大道（含西侧 20 米）（平溪江以南段）", it("城西大道", "W", 20, "平溪江以南段")),
    ("洞口大道西段（含北侧 20 米）（城西大道路口往西 1400 米路段）",
     it("洞口大道西段", "N", 20, "城西大道路口往西1400米路段")),
    ("未命名道路（含南侧 12 米）（裕丰国际城南侧道路）",
     it("未命名道路", "S", 12, "裕丰国际城南侧道路")),
    ("未命名道路（含西侧 12 米，博雅职校东侧道路）", it("未命名道路", "W", 12, "博雅职校东侧道路")),
    ("未命名道路（火车站以东段）", it("未命名道路", qualifier="火车站以东段")),
    ("环城路（含北侧20米）（东风路口至人民路口段）", it("环城路", "N", 20, "东风路口至人民路口段")),
    ("环城路（人民路口至东风路口段）", it("环城路", qualifier="人民路口至东风路口段")),
])
def test_qualifiers(text: str, expected: RingItem) -> None:
    assert area(f"{text}－平溪江所围成区域", 2).items[0] == expected


def test_region_prefix() -> None:
    ring = area("平溪江以南：聚福路（含东侧 20 米）－基准地价范围界线－平溪江所围成的区域"
                "（除一、二、三级区域以外）", 4)
    assert ring == Ring((it("聚福路", "E", 20), it("基准地价范围界线"), it("平溪江")),
                        (1, 2, 3), "平溪江以南")


@pytest.mark.parametrize("text,expected", [
    ("文昌南路道路（平溪江至凤凰路口段）两侧各 20 米区域",
     Corridor(("文昌南路",), "平溪江", "凤凰路", 20)),
    ("蔡锷路段（德民路口至惠民路口）道路两侧 20 米区域",
     Corridor(("蔡锷路",), "德民路", "惠民路", 20)),
    ("新华路路段（人民路口至解放路口）道路两侧30米区域",
     Corridor(("新华路",), "人民路", "解放路", 30)),
    ("双洲路至都梁路两侧各 20 米区域（益民路口起至凤凰路口止）",
     Corridor(("双洲路", "都梁路"), "益民路", "凤凰路", 20)),
    ("蔡锷北路道路两侧 20 米（惠民路口至边界范围路段）",
     Corridor(("蔡锷北路",), "惠民路", "边界范围", 20)),
    ("学府路(五一路口至站北路口)两侧各20米区域", Corridor(("学府路",), "五一路", "站北路", 20)),
    ("东风路两侧各20米范围（解放路口至环城路口段）（除一级区域以外）",
     Corridor(("东风路",), "解放路", "环城路", 20, (1,))),
    ("未命名道路（甲路口至乙路口）两侧各12米区域", Corridor(("未命名道路",), "甲路", "乙路", 12)),
    ("工业大道道路两侧30米（解放路口至基准地价范围线路段）",
     Corridor(("工业大道",), "解放路", "基准地价范围线", 30)),
    ("人民路两侧各50米区域", Corridor(("人民路",), None, None, 50)),
    ("人民路道路两侧各50米区域（除一级区域以外）", Corridor(("人民路",), None, None, 50, (1,))),
])
def test_corridors(text: str, expected: Corridor) -> None:
    assert area(text, 2) == expected


@pytest.mark.parametrize("text,bounds", [
    ("平溪江以南－沟渠以西区域", (Bound("平溪江", "S"), Bound("沟渠", "W"))),
    ("平溪江以南-沟渠以西区域", (Bound("平溪江", "S"), Bound("沟渠", "W"))),
    ("龙潭河以东、环城路以北区域", (Bound("龙潭河", "E"), Bound("环城路", "N"))),
    ("平溪江以北区域", (Bound("平溪江", "N"),)),
])
def test_regions(text: str, bounds: tuple[Bound, ...]) -> None:
    assert area(f"{text}（除一、二级区域以外）", 3) == Region(bounds, (1, 2))


@pytest.mark.parametrize("text", [
    "定级范围一、二、三、四级以外其他区域。",
    "定级范围一、二、三、四级以外的其他区域",
    "除一、二、三、四级区域以外的其他区域",
    "一至四级以外的其余区域",
    "其余区域",
    "其他区域。",
    "定级范围内其他区域",
    "除上述区域以外的其他区域",
])
def test_residuals(text: str) -> None:
    assert grade(text, 5).areas == (Residual(),)


def test_residual_after_other_items() -> None:
    g = grade("1、甲路－乙路所围成区域；2、其余区域。", 2)
    assert isinstance(g.areas[0], Ring) and g.areas[1] == Residual()


@pytest.mark.parametrize("text,expected", [
    ("甲路（含东侧纵深16米范围）－乙路所围合的区域", Ring((it("甲路", "E", 16), it("乙路")))),
    ("甲路（含北侧16米，其中丙路口至丁路口段为100米）－乙路所包围的区域",
     Ring((it("甲路", "N", 16, overrides=(Override("丙路", "丁路", "N", 100),)), it("乙路")))),
    ("丙路（戊路口—己路口）两侧各纵深20米区域（一级区域除外）",
     Corridor(("丙路",), "戊路", "己路", 20, (1,))),
    ("甲路－乙路（一、二级区域除外）", Ring((it("甲路"), it("乙路")), (1, 2))),
])
def test_more_phrasings(text: str, expected: object) -> None:
    assert area(text, 3) == expected


def test_grade_row_words() -> None:
    rules = parse_rules("一级地\t1、甲路－乙路\n第二级：甲路－乙路\nIII级 其余区域")
    assert [g.grade for g in rules.grades] == [1, 2, 3]


@pytest.mark.parametrize("word,n", [("一级", 1), ("五级", 5), ("十级", 10), ("1级", 1),
                                    ("十二", 12), ("二十", 20), ("III", 3)])
def test_grade_words(word: str, n: int) -> None:
    assert grade_number(word) == n


def test_grade_word_prints_chinese_numerals() -> None:
    assert [grade_word(n) for n in (1, 4, 10, 11, 20)] == [
        "一级", "四级", "十级", "十一级", "二十级"]


def test_rows_with_colon_wrapped_paragraphs_and_headers() -> None:
    text = ("表5 某县城区土地级别范围描述\n级别\t级别范围描述\n"
            "一级：1、甲路－乙路所围成区域；\n2、丙路－丁路所围成区域。\n\n"
            "级别 级别范围描述\n二级\n其余区域\n")
    rules = parse_rules(text)
    assert [len(g.areas) for g in rules.grades] == [2, 1]
    assert rules.grades[0].areas[1].items[1] == it("丁路")


def test_rows_without_a_tab_and_wrapped_mid_clause() -> None:
    text = ("一级1、甲路－乙路所围成区域\n二级甲路－乙路－丙江（除一\n级区域以外）；"
            "2、丙路－丁路（除\n一级区域以外）\n三级定级范围一、二级以外其他区域")
    rules = parse_rules(text)
    assert [len(g.areas) for g in rules.grades] == [1, 2, 1]
    assert [a.exclude_grades for a in rules.grades[1].areas] == [(1,), (1,)]


def test_ten_grades() -> None:
    rows = [f"{grade_word(k)}\t甲路－乙路所围成区域" for k in range(1, 11)]
    assert [g.grade for g in parse_rules("\n".join(rows)).grades] == list(range(1, 11))


# --- invented towns ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(p.stem for p in DESCRIPTIONS.glob("*.txt")))
def test_invented_towns(name: str) -> None:
    expected = Rules.from_dict(json.loads((DESCRIPTIONS / f"{name}.json").read_text("utf-8")))
    rules = parse_file(DESCRIPTIONS / f"{name}.txt")
    assert rules == expected
    assert parse_rules(to_gazette_text(rules)) == rules


# --- errors --------------------------------------------------------------------------------------
def _error(text: str) -> RulesSyntaxError:
    with pytest.raises(RulesSyntaxError) as info:
        parse_rules(text, "table5.txt")
    return info.value


ROW1 = "一级\t1、甲路－乙路所围成区域\n"


@pytest.mark.parametrize("text,at,grade_no,item,expected", [
    # unbalanced bracket: points at the bracket left open
    (ROW1 + "二级\t1、甲路－乙路；2、桔城路（含东侧16米－雪峰路", "（含东侧16米－", 2, 2, "）"),
    # a width without its unit
    (ROW1 + "二级\t1、桔城路（含东侧16）－雪峰路", "）－雪峰路", 2, 1, "米"),
    # a side that is not 东/西/南/北
    (ROW1 + "二级\t1、桔城路（含上侧16米）－雪峰路", "上侧", 2, 1, "东, 西, 南 or 北"),
    # an empty item
    (ROW1 + "二级\t1、甲路－乙路；2、；3、丙路－丁路", "；3、", 2, 2, "name"),
    # text after the residual
    (ROW1 + "二级\t定级范围一级以外其他区域。桔城路", "桔城路", 2, 2, "nothing may follow"),
    # a corridor stretch without 两侧…米区域
    (ROW1 + "二级\t1、甲路－乙路；2、蔡锷路段（德民路口至惠民路口）道路20米区域",
     "20米区域", 2, 2, "两侧…米区域"),
    # a ring that stops at its first feature
    (ROW1 + "二级\t1、桔城路（含东侧16米）", None, 2, 1, "－"),
    # items out of order
    (ROW1 + "二级\t1、甲路－乙路；3、丙路－丁路", "3、丙路", 2, 2, "item number 2"),
    # an exclusion of a grade that is not better
    (ROW1 + "二级\t1、甲路－乙路（除二级区域以外）", "（除二级", 2, 1, "better grades"),
    # two width brackets on one feature
    (ROW1 + "二级\t1、健民路（含东侧20米）（含西侧20米）－龙安路", "（含西侧", 2, 1,
     "one width bracket"),
    # a width of zero
    (ROW1 + "二级\t1、健民路（含东侧0米）－龙安路", "0米", 2, 1, "greater than 0"),
    # a region with a direction that is not one
    (ROW1 + "二级\t1、平溪江以南－沟渠在上", None, 2, 1, "以南"),
    # a width that lost its side
    (ROW1 + "二级\t1、金坪路（20 米）－洞口大道", "20 米", 2, 1, "含东侧20米"),
    # a stray closing bracket
    (ROW1 + "二级\t1、甲路）－乙路", "）－乙路", 2, 1, "closes no bracket"),
    # a grade row with nothing after the grade word
    (ROW1 + "二级\t", None, 2, 1, "description of 二级"),
    # a negative width: the phrase names the width, not the grammar's optional 纵深 token
    (ROW1 + "二级\t1、健民路（含东侧-5米）－龙安路", "-5米", 2, 1, "a width in metres"),
])
def test_malformed(text: str, at: str | None, grade_no: int, item: int, expected: str) -> None:
    err = _error(text)
    offset = text.index(at) if at else len(text.rstrip())
    assert (err.grade, err.item, err.offset) == (grade_no, item, offset)
    assert expected in err.expected
    assert not re.search(r"\b_[A-Z]|\$END", err.expected), err.expected  # no grammar names
    assert err.source == "table5.txt"
    message = str(err)
    assert message.startswith(f"table5.txt: grade {grade_word(grade_no)} ({grade_no}), item {item}")
    assert f"at character {offset}" in message or f"character {offset}:" in message
    if at:
        assert err.fragment.startswith(at[:4])


def test_every_grammar_terminal_has_a_phrase_or_is_quiet() -> None:
    """A terminal added to description.lark without a phrase would print its grammar name."""
    from landgrade.gazette.parse import _parser
    from landgrade.gazette.parse_errors import _PHRASES, _QUIET

    terminals = {t.name for t in _parser().terminals}
    assert terminals - set(_PHRASES) - _QUIET == set()


def test_error_message_shape() -> None:
    text = (ROW1 + "二级\t1、甲路－乙路\n"
            "三级\t1、甲路－乙路；2、蔡锷路段（德民路口至惠民路口）道路20米区域")
    err = _error(text)
    assert re.fullmatch(
        r'table5\.txt: grade 三级 \(3\), item 2, at character \d+: "20米区域" — expected '
        r'"两侧…米区域" after the road stretch.*', str(err))
    assert err.line == 3


@pytest.mark.parametrize("text,expected", [
    ("", "empty"),
    ("   \n\n", "empty"),
    ("桔城路－雪峰路", "grade row"),
    ("一级\t1、甲路－乙路\n三级\t其余区域", "二级 here"),
    ("一级\t1、甲路－乙路\n一级\t其余区域", "appears twice"),
    ("一级\t其余区域\n二级\t甲路－乙路", "leaves nothing for 二级"),
    ("\x00\x01\x02garbage", "grade row"),
])
def test_malformed_rows(text: str, expected: str) -> None:
    err = _error(text)
    assert expected in str(err)
    assert 0 <= err.offset <= len(text)


def test_errors_are_landgrade_errors() -> None:
    assert issubclass(RulesSyntaxError, LandgradeError)


# --- round trips ---------------------------------------------------------------------------------
def test_dongkou_round_trip(dongkou_dir: Path) -> None:
    rules = parse_file(dongkou_dir / "table5.txt")
    text = to_gazette_text(rules)
    assert parse_rules(text) == rules
    assert to_gazette_text(parse_rules(text)) == text


def test_canonical_text_is_one_line_per_grade() -> None:
    lines = to_gazette_text(DONGKOU).splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("一级\t1、桔城路（含东侧16米）－雪峰路（含北侧20米）")
    assert lines[2].split("\t")[1].startswith("1、") and lines[2].endswith("。")
    assert "德民路（含北侧16米；健民路至文昌路段北侧为100米）" in lines[2]
    assert lines[4] == "五级\t定级范围一、二、三、四级以外其他区域。"


def test_rules_json_round_trip(dongkou_dir: Path) -> None:
    rules = parse_file(dongkou_dir / "table5.txt")
    assert Rules.from_dict(json.loads(json.dumps(rules.to_dict()))) == rules


RING = {"kind": "ring", "items": [{"feature": "甲路", "side": "E", "width_m": 16}]}


@pytest.mark.parametrize("data,where,problem", [
    ([], "rules.json", "an object with 'grades'"),
    ({"grades": []}, "rules.json", "no grades"),
    ({"grades": [{"grade": 2, "areas": [RING]}, {"grade": 1, "areas": [RING]}]}, "grades[1]",
     "grade 1 after grade 2"),  # a table may start above 一级, but best grade first
    ({"grades": [{"grade": 1, "areas": []}]}, "grades[0]", "no areas"),
    ({"grades": [{"grade": 1, "areas": [{"kind": "ring"}]}]}, "grades[0].areas[0]",
     "missing key 'items'"),
    ({"grades": [{"grade": 1, "areas": [{"kind": "strip"}]}]}, "grades[0].areas[0]",
     "unknown area kind 'strip'"),
    ({"grades": [{"grade": 1, "areas": ["甲路"]}]}, "grades[0].areas[0]", "object with a 'kind'"),
    ({"grades": [{"grade": 1, "areas": [
        {**RING, "items": [{"feature": "甲路", "side": "东", "width_m": 16}]}]}]},
     "grades[0].areas[0]", "side '东' is not one of E, W, S, N"),
    ({"grades": [{"grade": 1, "areas": [
        {"kind": "corridor", "features": ["甲路"], "width_m": "20米"}]}]},
     "grades[0].areas[0]", "width_m '20米'"),
    ({"grades": [{"grade": 1, "areas": [{**RING, "exclude_grades": [1]}]}]},
     "grades[0].areas[0]", "only better grades than 1"),
])
def test_rules_json_of_the_wrong_shape_is_a_located_error(data: object, where: str,
                                                         problem: str) -> None:
    with pytest.raises(LandgradeError) as info:
        Rules.from_dict(data, source="rules.json")  # type: ignore[arg-type]
    message = str(info.value)
    assert message.startswith(f"rules.json{'' if where == 'rules.json' else ': ' + where}: ")
    assert problem in message and "landgrade parse" in message


def test_printing_refuses_a_half_frontage() -> None:
    bad = Rules((GradeRule(1, (Ring((it("甲路", "E", None), it("乙路"))),)),))
    with pytest.raises(LandgradeError, match="甲路"):
        to_gazette_text(bad)


# --- files and the command line ------------------------------------------------------------------
runner = CliRunner()


def test_cli_prints_json(dongkou_dir: Path) -> None:
    result = runner.invoke(app, ["parse", str(dongkou_dir / "table5.txt")])
    assert result.exit_code == 0, result.output
    assert Rules.from_dict(json.loads(result.stdout)) == DONGKOU
    assert "桔城路" in result.stdout  # not \\u escapes


def test_cli_prints_text(dongkou_dir: Path) -> None:
    result = runner.invoke(app, ["parse", "--text", str(dongkou_dir / "table5.txt")])
    assert result.exit_code == 0, result.output
    assert parse_rules(result.stdout) == DONGKOU


@pytest.mark.parametrize("content,expected", [
    (b"", "empty"),
    ("一级\t1、桔城路（含东侧16米－雪峰路".encode(), "item 1, at character 8"),
    ("一级\t1、桔城路－雪峰路所围成区域".encode("gbk"), "not UTF-8"),
    (bytes(range(256)), "binary"),
    ("一级\t其余区域".encode("utf-16"), "UTF-16"),
])
def test_cli_errors_exit_2_without_traceback(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "table5.txt"
    path.write_bytes(content)
    result = runner.invoke(app, ["parse", str(path), "--lang", "en"])
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "table5.txt" in result.stderr
    assert "Traceback" not in result.output


def test_gbk_file_error_says_how_to_fix(tmp_path: Path) -> None:
    path = tmp_path / "t5.txt"
    path.write_bytes("一级\t1、桔城路－雪峰路所围成区域".encode("gbk"))
    with pytest.raises(RulesEncodingError, match="re-save it as UTF-8"):
        parse_file(path)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "t5.txt"
    path.write_bytes("\ufeff一级\t1、桔城路－雪峰路所围成区域".encode())
    assert parse_file(path).grades[0].areas[0].items[0].feature == "桔城路"


def test_cli_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["parse", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "nope.txt" in result.stderr


def test_cli_a_path_the_system_refuses(tmp_path: Path) -> None:
    """Any OSError on the way in (here a name longer than the file system allows) is a one-line
    error, not only the missing-file kind."""
    result = runner.invoke(app, ["parse", str(tmp_path / ("表" * 200 + ".txt"))])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "表表表" in result.stderr
    assert "Traceback" not in result.output
