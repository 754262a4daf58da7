"""Property tests of the description language: printing then parsing gives back the rules, and
no text, however broken, gets anything but rules or a located RulesSyntaxError."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landgrade.gazette.parse import RulesSyntaxError, parse_rules
from landgrade.gazette.rules import (
    SIDES,
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

# Name characters that are no keyword and no part of one (至, 侧, 段, 以…, 区域, 口, 东南西北, …).
ALPHABET = ("桔城雪峰健民龙安泰金坪华荣梨新芙蓉德文昌凤凰双洲都梁益惠蔡锷聚福站前沟渠溪"
            "公职校博雅裕丰国际富水红星光明胜利人ABC")
SUFFIXES = ("路", "大道", "街", "巷", "江", "河", "渠", "公园")

name = st.builds(lambda stem, suffix: stem + suffix,
                 st.text(ALPHABET, min_size=1, max_size=4), st.sampled_from(SUFFIXES))
side = st.sampled_from(SIDES)
width = st.one_of(st.integers(1, 500), st.integers(1, 5000).map(lambda x: x / 10))
qualifier = st.one_of(
    st.text(ALPHABET, min_size=1, max_size=8),
    st.builds(lambda a, d: f"{a}以{d}段", name, st.sampled_from("东南西北")),
    st.builds(lambda a, b: f"{a}至{b}段", name, name),
)


@st.composite
def ring_item(draw: st.DrawFn) -> RingItem:
    if not draw(st.booleans()):
        return RingItem(draw(name), qualifier=draw(st.none() | qualifier))
    s = draw(side)
    overrides = tuple(Override(draw(name), draw(name), draw(side), draw(width))
                      for _ in range(draw(st.integers(0, 2))))
    return RingItem(draw(name), s, draw(width), overrides, draw(st.none() | qualifier))


def exclusions(grade: int) -> st.SearchStrategy[tuple[int, ...]]:
    return st.sets(st.integers(1, grade - 1), max_size=grade - 1).map(
        lambda s: tuple(sorted(s))) if grade > 1 else st.just(())


def area(grade: int) -> st.SearchStrategy:
    within = st.none() | st.builds(lambda n, d: f"{n}以{d}", name, st.sampled_from("东南西北"))
    return st.one_of(
        st.builds(Ring, st.lists(ring_item(), min_size=1, max_size=5).map(tuple),
                  exclusions(grade), within),
        st.builds(Corridor, st.lists(name, min_size=1, max_size=3).map(tuple), name, name,
                  width, exclusions(grade)),
        st.builds(Corridor, st.lists(name, min_size=1, max_size=3).map(tuple), st.none(),
                  st.none(), width, exclusions(grade)),  # the whole road
        st.builds(Region, st.lists(st.builds(Bound, name, side), min_size=1, max_size=3)
                  .map(tuple), exclusions(grade)),
    )


@st.composite
def rules(draw: st.DrawFn) -> Rules:
    grades = []
    last = draw(st.integers(1, 5))
    for g in range(1, last + 1):
        # only the last grade may end with the residual: it leaves nothing for a grade after it
        areas = draw(st.lists(area(g), min_size=0 if g == last else 1, max_size=3))
        if not areas or (g == last and draw(st.booleans())):
            areas.append(Residual())
        grades.append(GradeRule(g, tuple(areas)))
    return Rules(tuple(grades))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules())
def test_print_then_parse_is_identity(r: Rules) -> None:
    text = to_gazette_text(r)
    assert parse_rules(text) == r
    assert to_gazette_text(parse_rules(text)) == text


# Arbitrary text, biased towards the language's own words so that it gets deep into the grammar.
PIECES = [
    "一级\t", "二级\t", "三级 ", "\n", "1、", "2、", "(1)", "（2）", "；", ";", "。", "，",
    "（", "）", "(", ")", "含", "东", "西", "南", "北", "侧", "16", "１６", " ", "米", "m",
    "-", "－",
    "—", "至", "起", "止", "段", "路口", "两侧各", "道路", "区域", "所围成的区域", "以南", "以西",
    "：", "除", "一、二", "级", "以外", "其他区域", "定级范围", "为", ".", "0", "桔城路", "平溪江",
    "未命名道路", "\t", "\x00", "①",
]
noisy_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES) | st.text(max_size=2), max_size=40).map("".join),
    st.lists(st.sampled_from(PIECES), max_size=40).map(lambda p: "一级\t" + "".join(p)),
)


@settings(max_examples=200, deadline=None)
@given(noisy_text)
def test_any_text_gives_rules_or_a_located_error(text: str) -> None:
    try:
        r = parse_rules(text)
    except RulesSyntaxError as e:
        assert 0 <= e.offset <= len(text)
        assert e.expected and str(e)
        assert not re.search(r"\b_[A-Z]|\$END", e.expected), e.expected  # no grammar names
        if e.grade is not None:
            assert e.item is None or e.item >= 1
        return
    assert isinstance(r, Rules) and r.grades
    assert parse_rules(to_gazette_text(r)) == r
