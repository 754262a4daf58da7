"""Rings in other counties' wording: a feature list that the text says encloses the zone.

- ``由A,B、C西围墙,D所围成的区域`` (由 … 所围成), ``为A与B合围而成的区域``,
  ``以A、B、C、D为界的区域`` (the features taken as the boundary, in turn);
- a list after a lead-in that says the lists enclose (``由以下路线围合而成的区域:``,
  ``级别边界:``);
- ``A—B—…—A;所围地区及边界路段外侧地区`` (the ring, then what of it: 所围地区 the inside,
  除一级地区外 minus grade 1, 及边界路段外侧地区 plus the outer frontage at the county's default
  depth).

A list that no word says encloses anything is not a ring here (the Dongkou grammar reads its own
dash chains); it is refused, so that ``西以西站铁路线、规划边界线为界`` never becomes a ring.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from landgrade.gazette.features import read_features, split_members
from landgrade.gazette.free_words import GRADE_LIST, grade_list, take_exclusion_tails
from landgrade.gazette.refusal import Refuse
from landgrade.gazette.rules import Ring
from landgrade.text import normalize

FAMILY = "ring (由…所围成的区域, A—B—…所围地区)"
_ENCLOSE = re.compile(r";?(?:所包围|所围合|所围成|所围|围合|围成|合围)(?:而成)?的?"
                      r"(?P<what>区域|地区|范围|地块|部分)?")
_MINUS = re.compile(rf"中?除(?P<g>{GRADE_LIST})(?:地区|区域|范围|用地|土地|地)?(?:以外|之外|外)"
                    r"的?(?:部分|地区|区域|范围)?")
_FRONTAGE = re.compile(r"及(?:其)?边界(?:路段|道路|线)?(?P<where>外侧|两侧)(?:地区|区域|用地|土地)")


_TAKEN_AS_BOUNDS = re.compile(r"^以(?P<list>.+?)为界(?:所?围成|围合)?的?(?:区域|范围|地块|地区)$")


def looks_like(text: str, ring_lead: bool) -> bool:
    return ring_lead or bool(_TAKEN_AS_BOUNDS.match(text.rstrip("。;"))) or (
        bool(_ENCLOSE.search(text)) and not re.search(r"^(?:东|南|西|北)(?:至|起|以)", text))


def read_ring(text: str, exclude_grades: tuple[int, ...], ring_lead: bool,
              known_names: Collection[str] = ()) -> Ring:
    text = text.rstrip("。;")
    text, tail = take_exclusion_tails(text)
    bounds = _TAKEN_AS_BOUNDS.match(text)
    if bounds:  # 以A、B、C、D为界的区域: the features taken as the boundary, in turn
        try:
            items = read_features(bounds.group("list"), what="a feature of the boundary")
        except Refuse as e:
            raise e.shifted(1, FAMILY) from None
        if len(items) < 3:
            raise Refuse(1, "at least three features around the zone", end=bounds.end("list"),
                         family=FAMILY)
        return Ring(tuple(items), tuple(sorted(set(exclude_grades) | set(tail.exclude_grades))),
                    exclude_features=tail.exclude_features)
    start = 0
    if text.startswith("由") and not ring_lead:
        start = _after_you(text, known_names)
    elif text.startswith("为") and re.search(r"合围|围合|围成", text):
        start = 1
    enclose = None
    for m in _ENCLOSE.finditer(text, start):
        enclose = m
        break
    if enclose is None and not ring_lead:
        raise Refuse(0, "a ring that the text says encloses the zone (所围成的区域)",
                     end=len(text), family=FAMILY)
    list_end = enclose.start() if enclose else len(text)
    body = text[start:list_end]
    if start == 1 and text[0] == "为":
        body = body.replace("与", "、")
    grades = set(exclude_grades) | set(tail.exclude_grades)
    frontage = None
    if enclose:
        rest, pos = text[enclose.end():], enclose.end()
        m = _MINUS.match(rest)
        if m:
            grades |= set(grade_list(m.group("g")))
            rest, pos = rest[m.end():], pos + m.end()
        f = _FRONTAGE.match(rest)
        if f:
            frontage = "outside" if f.group("where") == "外侧" else "both"
            rest, pos = rest[f.end():], pos + f.end()
        m = _MINUS.match(rest)
        if m:
            grades |= set(grade_list(m.group("g")))
            rest, pos = rest[m.end():], pos + m.end()
        if rest.strip("。;"):
            raise Refuse(pos, "the end of the ring after what it encloses (所围成的区域)",
                         end=len(text), family=FAMILY)
    if not body:
        raise Refuse(start, "the features that enclose the zone", family=FAMILY)
    try:
        items = read_features(body, what="a feature of the ring")
    except Refuse as e:
        raise e.shifted(start, FAMILY) from None
    if len(items) < 2:
        raise Refuse(start, "at least two features around the zone", end=list_end,
                     family=FAMILY)
    return Ring(tuple(items), tuple(sorted(grades)), None, frontage,  # type: ignore[arg-type]
                exclude_features=tail.exclude_features)


def _after_you(text: str, known_names: Collection[str]) -> int:
    """Where the list starts after a leading 由 (from): 1, or 0 when 由 begins the first name
    (由义路, known to the network). A short first name (由义路 read as 由 + 义路) without the
    network to decide is refused: either reading could be wrong."""
    first = split_members(text[1:])[0].text
    first = re.split(r"所|围|\(", first)[0]
    if known_names and normalize("由" + first) in known_names:
        return 0
    if len(first) <= 2:
        raise Refuse(0, f"\"由{first}\" is 由 (from) and {first}, or the name 由{first}: "
                     "give the network's names (--names) to decide", end=1 + len(first),
                     family=FAMILY)
    return 1
