"""Regions and frontage in free wording.

- Region: ``铁路和规划三环路以东,江滨东大道以北,鼓山山麓以南,…以西的地块`` — every part a feature
  list and the side of it the zone lies on (``闽江北港以东和以北``: two sides of one feature).
- Frontage: ``A、B、C等街道两侧地区`` (no depth: the county default), ``三环路东侧宽200米范围内``,
  ``南昆高速南侧200米区域`` (one side, a stated depth).
"""

from __future__ import annotations

import re

from landgrade.gazette.features import DIR, DIRECTION_OF, read_features, top_level
from landgrade.gazette.free_words import take_exclusion_tails
from landgrade.gazette.refusal import Refuse
from landgrade.gazette.rule_areas import Frontage
from landgrade.gazette.rule_items import Bound
from landgrade.gazette.rules import Region

REGION = "region (X以东,Y以北…的地块)"
FRONTAGE = "frontage (…两侧地区, …东侧宽200米范围内)"
_SIDES = re.compile(r"以(?P<d>[东南西北])(?:和以(?P<d2>[东南西北]))?$")
_END = re.compile(r"(?:所?围合|所?围成|所围)?(?:范围内|范围)?的?(?:地块|区域|地区|范围|土地)$")


def _parts(text: str) -> list[tuple[int, str]]:
    """The bounds of a region: cut at "," and at "、" after a side (甲路以东、乙路以北)."""
    cuts = [i for i, ch in top_level(text)
            if ch == "," or (ch == "、" and re.search(r"以[东南西北]$", text[:i]))]
    out, start = [], 0
    for c in [*cuts, len(text)]:
        out.append((start, text[start:c]))
        start = c + 1
    return out


def looks_like_region(text: str) -> bool:
    body = _END.sub("", text.rstrip("。;"))
    body, _ = take_exclusion_tails(body)
    parts = _parts(body)
    return bool(parts) and all(_SIDES.search(p) for _, p in parts)


def read_region(text: str, exclude_grades: tuple[int, ...]) -> Region:
    text = text.rstrip("。;")
    text, tail = take_exclusion_tails(text)
    m = _END.search(text)
    if not m:
        raise Refuse(len(text), "the end of the region: …的地块, …区域", family=REGION)
    body = text[:m.start()]
    body, more = take_exclusion_tails(body)
    bounds: list[Bound] = []
    for at, part in _parts(body):
        sides = _SIDES.search(part)
        if not sides:
            raise Refuse(at, "a bound such as 江滨东大道以北", end=at + len(part), family=REGION)
        try:
            items = read_features(part[:sides.start()], what="a feature before 以东/以南/…")
        except Refuse as e:
            raise e.shifted(at, REGION) from None
        for d in (sides.group("d"), sides.group("d2")):
            if d is None:
                continue
            for item in items:
                plain = (item.qualifier is None and not item.planned and item.offset is None
                         and item.landmark is None and item.side is None)
                bounds.append(Bound(item.feature, DIRECTION_OF[d],  # type: ignore[arg-type]
                                    None if plain else item))
    return Region(tuple(bounds),
                  tuple(sorted(set(exclude_grades) | set(tail.exclude_grades)
                               | set(more.exclude_grades))),
                  tail.exclude_features + more.exclude_features)


_BOTH = re.compile(r"^(?:沿|以)?(?P<list>.+?)(?:为中心线?,?)?等?(?:街道|道路|路段|沿线)?两侧"
                   r"(?:各?(?:宽|纵深|进深)?(?P<m>\d+(?:\.\d+)?)(?:米|m))?(?:以内)?(?:的)?"
                   r"(?:地区|用地|区域|范围内?|地块|土地)?$")
_ONE_SIDE = re.compile(rf"^(?:沿)?(?P<list>.+?)(?P<d>{DIR})侧(?:(?:宽|纵深|进深)?"
                       r"(?P<m>\d+(?:\.\d+)?)(?:米|m))?(?:以内)?(?:的)?"
                       r"(?:范围内?|区域|地区|地块|用地)(?:的地块)?$")


def looks_like_frontage(text: str) -> bool:
    text, _ = take_exclusion_tails(text.rstrip("。;"))
    return bool(_BOTH.match(text) or _ONE_SIDE.match(text))


def read_frontage(text: str, exclude_grades: tuple[int, ...]) -> Frontage:
    text, tail = take_exclusion_tails(text.rstrip("。;"))
    if tail.exclude_features or tail.exclude_land:
        raise Refuse(len(text), "frontage without landmarks or land cut out", family=FRONTAGE)
    exclude_grades = tuple(sorted(set(exclude_grades) | set(tail.exclude_grades)))
    m = _ONE_SIDE.match(text) or _BOTH.match(text)
    if not m:
        raise Refuse(0, "frontage: …两侧地区 or …东侧宽200米范围内", family=FRONTAGE)
    body = m.group("list")
    try:
        items = read_features(body, what="a road whose frontage this is")
    except Refuse as e:
        raise e.shifted(m.start("list"), FRONTAGE) from None
    side = DIRECTION_OF[m.group("d")] if m.groupdict().get("d") else None
    width = float(m.group("m")) if m.groupdict().get("m") else None
    if width is not None and width.is_integer():
        width = int(width)
    return Frontage(tuple(items), side, width, exclude_grades=exclude_grades)  # type: ignore[arg-type]
