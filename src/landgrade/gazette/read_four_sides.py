"""四至 (four sides): ``东至A、B;南至C;西至D;北至E范围内的地块`` and ``北以X为界,南以Y为界,…``.

Each *side clause* is a direction (东, 东北, ``南和西南``), a verb (至 to, 起 from, 以…为界 taking …
as the boundary) and a feature list. A clause starts at the beginning of the area or after a
separator (``, ; 、 。 :``), so ``北至石祥路、东新路`` keeps 东新路 on the north side. The area ends
with 范围内的地块 / 的地块 / 组成的范围内…用地; brackets at the end cut out grades, landmarks or
kinds of land. ``其中道路含两侧…用地`` adds the frontage of the boundary roads on both sides.
"""

from __future__ import annotations

import re

from landgrade.gazette.features import DIR, DIRECTION_OF, SIDE_VERB, read_features, top_level
from landgrade.gazette.free_words import Tail, take_exclusion_tails
from landgrade.gazette.refusal import Refuse
from landgrade.gazette.rule_areas import FourSides
from landgrade.gazette.rule_items import SideBound

FAMILY = "四至 (东至…, 北以…为界)"
_CLAUSE = re.compile(rf"(?P<dirs>(?:{DIR})(?:(?:和|、)(?:{DIR}))*)(?P<verb>{SIDE_VERB})")
_WITHIN = re.compile(r"(?:县城|城区|市区|中心城区|主城区|镇区|城关镇)")
_BOTH_FRONTAGE = re.compile(r",?其中(?:道路|沿街|临街)?(?:含|包括)(?:道路)?两侧的?"
                            r"(?:[\u4e00-\u9fff]{0,6}用地|地块|土地)?$")
_END = re.compile(r"(?:为界)?(?:之间)?(?:所?组成|围成|所围)?的?(?:范围内?|区域内?)?"
                  r"(?:扣除(?P<land>[^,;()]+?))?的?(?:地块|土地|区域|地区|[\u4e00-\u9fff]{0,6}用地)?$")


def looks_like(text: str) -> bool:
    """At least two side clauses at clause starts: this is a 四至."""
    return len(_clause_starts(text)) >= 2


def _clause_starts(text: str) -> list[re.Match[str]]:
    level = {i for i, _ in top_level(text)}
    out = []
    for m in _CLAUSE.finditer(text):
        p = m.start()
        if p not in level:
            continue
        if p == 0 or text[p - 1] in ",;、。:" or _WITHIN.fullmatch(text[:p]):
            out.append(m)
    return out


def read_four_sides(text: str, exclude_grades: tuple[int, ...]) -> FourSides:
    """A 四至 area from its text (lead-ins already taken); Refuse what it cannot read."""
    text = text.rstrip("。;,")
    frontage = None
    m = _BOTH_FRONTAGE.search(text)
    if m:
        frontage = "both"
        text = text[:m.start()]
    text, tail = take_exclusion_tails(text)
    clauses = _clause_starts(text)
    if not clauses:
        raise Refuse(0, "a 四至 side such as 东至… or 北以…为界", family=FAMILY)
    within = None
    if clauses[0].start() > 0:
        prefix = text[:clauses[0].start()]
        if not _WITHIN.fullmatch(prefix):
            raise Refuse(0, "a 四至 that starts with its first side (东至…, 北以…为界); "
                         f"\"{prefix}\" is not one", end=len(prefix), family=FAMILY)
        within = prefix
    sides: list[SideBound] = []
    for k, c in enumerate(clauses):
        end = clauses[k + 1].start() - 1 if k + 1 < len(clauses) else len(text)
        body, at = text[c.end():end], c.end()
        body, more = take_exclusion_tails(body.rstrip(",;、。"))
        tail = _add(tail, more)
        if c.group("verb") == "以":
            body = re.sub(r"为界$", "", body)
        elif body.endswith("为界") and k + 1 < len(clauses):
            body = body[:-2]
        if k + 1 == len(clauses) or re.search(r"范围内?$", body):
            ending = _END.search(body)
            if ending and ending.start() > 0:
                if ending.group("land"):
                    tail = _add(tail, Tail(exclude_land=(ending.group("land"),)))
                body = body[:ending.start()]
        body, more = take_exclusion_tails(body)
        tail = _add(tail, more)
        if not body:
            raise Refuse(at, f"the feature{'s' if c.group('dirs') else ''} of the "
                         f"{c.group('dirs')} side after \"{c.group(0)}\"", family=FAMILY)
        try:
            items = read_features(body, what=f"a feature of the {c.group('dirs')} side")
        except Refuse as e:
            raise e.shifted(at, FAMILY) from None
        dirs = tuple(DIRECTION_OF[d] for d in re.split(r"和|、", c.group("dirs")))
        sides.append(SideBound(dirs, tuple(items)))  # type: ignore[arg-type]
    directions = {d for s in sides for d in s.directions}
    if len(directions) < 3:
        raise Refuse(0, f"a 四至 with the sides that close it: only {len(directions)} "
                     "side(s) are given", end=len(text), family=FAMILY)
    return FourSides(
        sides=tuple(sides),
        exclude_grades=tuple(sorted(set(exclude_grades) | set(tail.exclude_grades))),
        exclude_features=tail.exclude_features,
        exclude_land=tail.exclude_land,
        boundary_frontage=frontage,  # type: ignore[arg-type]
        within=within,
    )


def _add(a: Tail, b: Tail) -> Tail:
    return Tail(a.exclude_grades + b.exclude_grades, a.exclude_features + b.exclude_features,
                a.exclude_land + b.exclude_land)
