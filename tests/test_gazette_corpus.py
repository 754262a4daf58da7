"""Real published grade-range texts of eight places (tests/data/gazettes), read with --keep-going.

Every area the parser reads must equal the hand reading in the place's ``expected.json`` (no area
misread); an area it does not read must be refused by name (the grade and the verbatim fragment);
and at least 80 % of the areas bounded by roads, rivers and railways must be read right. The
hand readings were written before the parser, from the texts alone (three were corrected after
review; each correction carries a note in its ``reading_notes``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gazette_expected import (
    expected,
    grade_files,
    hand_reading,
    linear,
    match,
    places,
    reading,
)
from typer.testing import CliRunner

from landgrade.cli.app import app
from landgrade.gazette.parse import Reading, parse_rules, read_file
from landgrade.gazette.rules import Rules
from landgrade.gazette.wording import to_gazette_text

FILES = [(place, use, path) for place in places() for use, path in grade_files(place).items()]
IDS = [f"{place}-{use}" for place, use, _ in FILES]


def _entries(place: str, use: str) -> list[dict]:
    return [e for e in expected(place) if e["use"] == use]


def _read(path: Path) -> Reading:
    return read_file(path)


@pytest.mark.parametrize("place,use,path", FILES, ids=IDS)
def test_no_area_is_misread(place: str, use: str, path: Path) -> None:
    entries = _entries(place, use)
    result = _read(path)
    for g in result.rules.grades if result.rules else ():
        mine = [e for e in entries if e["grade"] == g.grade]
        for area in g.areas:
            e = match(area, mine)
            assert e is not None, f"{place} grade {g.grade}: read an area no hand reading has: " \
                                  f"{area.source}"
            assert e["kind"] != "unreadable", (
                f"{place} grade {g.grade} part {e['part']} cannot be read ({e['why']}), yet "
                f"it was read as {area.kind}")
            assert reading(area) == hand_reading(e), f"{place} grade {g.grade} part {e['part']}"


@pytest.mark.parametrize("place,use,path", FILES, ids=IDS)
def test_every_area_is_read_or_refused_by_name(place: str, use: str, path: Path) -> None:
    """No text silently dropped: each hand-read area is read, or a refusal names its text."""
    text = path.read_text("utf-8")
    result = _read(path)
    read = [a for g in (result.rules.grades if result.rules else ()) for a in g.areas]
    for area in read:
        assert area.source and area.source in text  # verbatim
    for r in result.refusals:
        assert r.fragment and r.fragment in text and r.grade_word in r.message()
        assert r.fragment in r.message() and r.reason
    for e in _entries(place, use):
        got = [a for a in read if match(a, [e]) is e]
        refused = [r for r in result.refusals
                   if r.grade == e["grade"] and (r.fragment in e["source"]
                                                 or e["source"].strip(";。") in r.fragment)]
        assert got or refused, f"{place} grade {e['grade']} part {e['part']} vanished"


def test_most_areas_bounded_by_roads_rivers_and_railways_read_right() -> None:
    right = total = 0
    for place, use, path in FILES:
        result = _read(path)
        areas = [(g.grade, a) for g in (result.rules.grades if result.rules else ())
                 for a in g.areas]
        for e in _entries(place, use):
            if not linear(e):
                continue
            total += 1
            right += any(grade == e["grade"] and match(a, [e]) is e
                         and reading(a) == hand_reading(e) for grade, a in areas)
    assert total >= 10
    assert right / total >= 0.8, f"{right}/{total}"


def test_the_unreadable_areas_are_refused_naming_their_words() -> None:
    """Fuzhou Ⅳ③ (西至乌龙江东岸沿三环路东侧宽200米…: two readings) and Ⅴ② (a triangle with two
    sides), Hangzhou 六级 (1) (…五堡村一线: a line through villages)."""
    fuzhou = _read(grade_files("fuzhou")["residential"])
    at = {(r.grade, r.item): r for r in fuzhou.refusals}
    assert "沿" in at[(4, 3)].reason and "乌龙江东岸沿三环路" in at[(4, 3)].at
    assert at[(5, 2)].fragment == "②大腹山以西至闽江北港之间的三角形地块"
    hangzhou = _read(grade_files("hangzhou")["all"])
    [line] = [r for r in hangzhou.refusals if r.grade == 6]
    assert "一线" in line.reason and line.fragment.startswith("(1)北区片:")


def test_notes_are_kept_and_not_drawn() -> None:
    rules = _read(grade_files("baiyin")["all"]).rules
    assert rules is not None
    assert rules.grade(1).notes == ("面积为4.55237913平方公里",)
    assert rules.grade(5).notes == ("面积为46.00285274平方公里",)
    songyang = _read(grade_files("songyang")["all"]).rules
    assert songyang is not None
    assert songyang.grade(1).notes == ("(一级为最高,等级越高,价格越贵)",)


@pytest.mark.parametrize("place,use,path", FILES, ids=IDS)
def test_what_was_read_prints_back_as_the_same_rules(place: str, use: str, path: Path) -> None:
    rules = _read(path).rules
    assert rules is not None
    assert parse_rules(to_gazette_text(rules)) == rules


runner = CliRunner()


@pytest.mark.parametrize("place,use,path", FILES, ids=IDS)
def test_keep_going_prints_what_reads_and_one_line_per_refusal(place: str, use: str,
                                                              path: Path) -> None:
    result = runner.invoke(app, ["parse", "--keep-going", str(path)])
    refusals = _read(path).refusals
    assert result.exit_code == (2 if refusals else 0), result.output
    rules = Rules.from_dict(json.loads(result.stdout))
    assert rules == _read(path).rules
    for area in (a for g in rules.grades for a in g.areas):
        assert area.source in path.read_text("utf-8")
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("refused: ")]
    assert len(lines) == len(refusals)
    for line, r in zip(lines, refusals, strict=True):
        assert r.grade_word in line and r.fragment in line


def test_without_keep_going_the_first_refusal_is_an_error() -> None:
    path = grade_files("fuzhou")["residential"]
    result = runner.invoke(app, ["parse", "--lang", "en", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "grade 四级 (4)" in result.stderr and "福建农林大学之北的山岭" in result.stderr
