"""Administrative areas and the residual of the grading extent, in free wording.

- Admin: ``展览路街道办事处所辖地域``, ``新兴镇、象溪镇行政区域内的生产经营用地``,
  ``县城(西屏街道、水南街道)以内的除一级用地范围以外的其他行政区域``,
  ``展览路街道办事处行政区域西直门外部分`` (a part only an analyst can cut),
  ``…人工岛珠海辖区范围``.
- Residual: ``除Ⅰ、Ⅱ级地以外定级范围内的所有土地``, ``定级范围之内,Ⅰ…级地界线以外的土地``,
  ``估价范围内二级范围外的区域``; ``(…不参与定级)`` names places taken out of the grading.
"""

from __future__ import annotations

import re

from landgrade.gazette.free_words import GRADE_LIST, grade_list, take_exclusion_tails
from landgrade.gazette.refusal import Refuse
from landgrade.gazette.rule_areas import AdminArea
from landgrade.gazette.rules import Residual

ADMIN = "administrative area (…行政区域, …所辖地域)"
RESIDUAL = "the rest of the extent (除…以外定级范围内的所有土地)"
_USE_LAND = r"(?:的)?(?:[\u4e00-\u9fff]{0,6}用地|土地|区域|地域|范围)?"
_ADMIN_FORMS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?P<within>县城|城区|市区|中心城区)?\((?P<units>[^()]+)\)以内的?"
               rf"(?:除(?P<g>{GRADE_LIST})(?:用地|土地|地)?(?:范围)?(?:以外|之外)的?)?"
               r"(?:其他|其余)?行政区域$"),
    re.compile(r"^(?:以及)?(?P<units>.+?)(?:行政区域|行政区划范围|行政辖区)(?P<part>[^()]*?部分)$"),
    re.compile(rf"^(?:以及)?(?P<units>.+?)(?:行政区域|行政区划范围|行政辖区)(?:内|范围内)?{_USE_LAND}$"),
    re.compile(r"^(?:以及)?(?P<units>.+?)所辖(?:的)?(?:地域|区域|范围|土地)$"),
    re.compile(r"^(?:以及)?(?P<units>.+?)等?(?P<part>部分地域|部分区域)$"),
    re.compile(r"^(?!.*行政区域)(?P<units>.+(?:岛|区|县|市|镇|乡|街道|港|园))"
               r"(?P<part>[\u4e00-\u9fff]{1,4}辖区范围)$"),
)


def looks_like_admin(text: str) -> bool:
    return bool(re.search(r"行政区域|行政区划范围|行政辖区|所辖|辖区范围|部分地域", text)) and not \
        re.search(r"界线|边界", text)


def read_admin(text: str, exclude_grades: tuple[int, ...]) -> AdminArea:
    text, tail = take_exclusion_tails(text.rstrip("。;"))
    if tail.exclude_features or tail.exclude_land:
        raise Refuse(len(text), "an administrative area without landmarks or land cut out",
                     family=ADMIN)
    exclude_grades = tuple(sorted(set(exclude_grades) | set(tail.exclude_grades)))
    for form in _ADMIN_FORMS:
        m = form.match(text)
        if not m:
            continue
        units_text = m.group("units")
        groups = m.groupdict()
        within = groups.get("within")
        lead = re.match(r"(?:县城|城区|市区|中心城区)(?=.{2,})", units_text)
        if lead and within is None:  # 县城西屏街道行政区域内: the lead-in is not the unit's name
            within, units_text = lead.group(0), units_text[lead.end():]
        units = re.split(r"[、,]", units_text)
        if not all(units):
            raise Refuse(m.start("units"), "a unit name between the separators", family=ADMIN)
        grades = tuple(grade_list(groups["g"])) if groups.get("g") else ()
        return AdminArea(tuple(units), groups.get("part"), within,
                         tuple(sorted(set(exclude_grades) | set(grades))))
    raise Refuse(0, "an administrative area: …行政区域(内), …所辖地域, …部分地域",
                 end=len(text), family=ADMIN)


_RESIDUAL_FORMS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"^除?(?P<g>{GRADE_LIST})(?:土地|用地|地|区域|范围)?(?:界线)?(?:以外|之外|外)的?"
               r"(?:定级范围|估价范围|基准地价范围|评估范围)?(?:之内|内)?的?"
               r"(?:所有|全部|其他|其余|其它)?的?(?:土地|区域|地区|范围|地块)$"),
    re.compile(r"^(?:定级范围|估价范围|基准地价范围|评估范围)(?:之内|内)?,?"
               rf"(?P<g>{GRADE_LIST})(?:土地|用地|地|区域|范围)?(?:界线)?(?:以外|之外|外)的?"
               r"(?:所有|全部|其他|其余|其它)?的?(?:土地|区域|地区|范围|地块)$"),
    re.compile(r"^除(?:上述|以上)(?:级别)?(?:范围|区域)?(?:以外|之外|外)的?"
               r"(?:定级范围|估价范围|基准地价范围)?(?:之内|内)?的?(?:所有|全部|其他|其余|其它)?的?"
               r"(?:土地|区域|地区|范围|地块)$"),
)
_RESIDUAL_FORMS += (
    re.compile(rf"^除?(?P<g>{GRADE_LIST})(?:土地|用地|地|区域|范围)?(?:以外|之外|外)的?"
               r"(?:城区|县城|市区|镇区|规划区|建成区|城镇)(?:范围|区域)?(?:内)?(?:的)?"
               r"(?:所有|全部|其他|其余|其它)?(?:的)?(?:土地|区域|地区|地段|地块)?$"),
    re.compile(r"^(?:(?:定级|估价|基准地价|评估)范围|城区|县城|市区|镇区)?(?:之内|内)?的?"
               r"(?:其余|其他|其它|剩余)的?(?:地段|土地|区域|地区|范围|地块)$"),
)
_NOT_GRADED = re.compile(r"\((?P<names>[^()]+?)不(?:参与|参加|纳入)定级\)$")


def looks_like_residual(text: str) -> bool:
    text = _NOT_GRADED.sub("", text.rstrip("。;"))
    return any(f.match(text) for f in _RESIDUAL_FORMS)


def read_residual(text: str, grade: int, better: tuple[int, ...]) -> Residual:
    """``better`` are the grades listed before this one in the description."""
    text = text.rstrip("。;")
    excluded: tuple[str, ...] = ()
    m = _NOT_GRADED.search(text)
    if m:
        names = m.group("names")
        if re.search(r"部分", names):
            at = m.start("names") + names.index("部分")
            raise Refuse(at, "whole places taken out of the grading: \"部分土地\" (part of a "
                         "place) does not say which part — an analyst must draw it",
                         end=m.end(), family=RESIDUAL)
        excluded = tuple(n for n in re.split(r"[、,和及]", names) if n)
        text = text[:m.start()]
    for form in _RESIDUAL_FORMS:
        f = form.match(text)
        if not f:
            continue
        named = grade_list(f.group("g")) if f.groupdict().get("g") else list(better)
        bad = [g for g in named if not 1 <= g < grade]
        if bad:
            raise Refuse(f.start("g"), f"only better grades than {grade} before 以外, "
                         f"not {bad[0]}", family=RESIDUAL)
        return Residual(exclude_features=excluded)
    raise Refuse(0, "the rest of the extent: 除…级以外定级范围内的所有土地", end=len(text),
                 family=RESIDUAL)

