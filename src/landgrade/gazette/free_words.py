"""Free wording around the boundaries: grade lists, exclusions, notes, area endings.

- Grade lists in any spelling: ``一、二级``, ``Ⅰ、Ⅱ、Ⅲ、Ⅳ 级地`` (folded to ``I、II、III、IV级地``),
  ``III级``, ``1、2级``, ``一至三级``.
- *Exclusions* (better grades cut out) as lead-ins or endings: ``三级土地以外,``, ``围绕Ⅰ级地:``,
  ``除上述级别范围外,``, ``（不含本范围内的III级地块）``, ``所围地区除一级地区外的地区``; and named
  landmarks or kinds of land cut out: ``（不含妙峰山和西山）``, ``（扣除丘陵山地）``.
- *Notes*: what a row says that is not a boundary (``面积为4.55平方公里``, a remark in brackets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from landgrade.gazette.names import grade_number

# one grade numeral: Chinese, Arabic or Roman (Ⅳ folds to IV); Roman longest first
GRADE = (r"(?:十[一二三四五六七八九]?|[一二三四五六七八九]十?[一二三四五六七八九]?|\d{1,2}"
         r"|VIII|VII|VI|IV|IX|V|X|III|II|I)")
# a list of grades ends with 级: a numeral alone (三环路, 围绕三…) is never taken for a grade
GRADE_LIST = rf"{GRADE}级?(?:(?:[、,和及]|至){GRADE}级?)*(?<=级)"
_LAND = r"(?:土地|用地|地段|地块|地区|地|区域|范围)?"


def grade_list(text: str) -> list[int]:
    """The grades of a list such as ``I、II、III级`` or ``一至三级`` (ranges expanded)."""
    out: list[int] = []
    for part in re.split(r"[、,和及]", text):
        ends = [grade_number(g) for g in re.findall(GRADE, part)]
        if len(ends) == 2 and "至" in part:
            out += list(range(ends[0], ends[1] + 1))
        else:
            out += ends
    return out


@dataclass
class LeadIn:
    """What the words before an area's boundaries say about it."""

    exclude_grades: tuple[int, ...] = ()
    exclude_above: bool = False  # 除上述级别范围外: every grade listed before this one
    ring: bool = False  # 由以下路线围合而成的区域: / 级别边界: — the lists that follow enclose
    notes: list[str] = field(default_factory=list)

    def merged(self, other: LeadIn) -> LeadIn:
        return LeadIn(tuple(sorted(set(self.exclude_grades) | set(other.exclude_grades))),
                      self.exclude_above or other.exclude_above, self.ring or other.ring,
                      self.notes + other.notes)


_LEAD_INS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"(?P<g>{GRADE_LIST}){_LAND}(?:以外|之外)[,:]"), "exclude"),
    (re.compile(rf"围绕(?P<g>{GRADE_LIST}){_LAND}[,:]?"), "exclude"),
    (re.compile(r"除(?:上述|以上)(?:级别)?(?:范围|区域)?(?:以外|之外|外)(?:[,:]|(?=由|为|[东南西北]))"),
     "above"),
    (re.compile(rf"除(?P<g>{GRADE_LIST}){_LAND}(?:以外|之外|外)[,:]?"
                r"(?=.*(?:所围|围成|围合|合围|至|以[东南西北]|为界|起))"), "exclude"),
    (re.compile(r"由以下(?:道路|路线|线路|界线)?(?:所)?(?:围合|围成|合围)(?:而成)?的?(?:区域|范围)"
                r"(?:为)?:"), "ring"),
    (re.compile(r"(?:级别|范围)边界(?:为)?:"), "ring"),
    (re.compile(r"位于[^,:;]{1,30}[,:]"), "note"),
    (re.compile(r"四至(?:范围)?(?:为|是)?:"), "word"),
    (re.compile(r"(?:级别)?范围(?:为|是)?:"), "word"),
)


def take_lead_ins(text: str) -> tuple[LeadIn, int]:
    """The lead-ins at the start of ``text`` and how many characters they take."""
    lead, pos = LeadIn(), 0
    while True:
        for pattern, kind in _LEAD_INS:
            m = pattern.match(text, pos)
            if not m or m.end() == pos:
                continue
            if kind == "exclude":
                lead.exclude_grades = tuple(sorted(set(lead.exclude_grades)
                                                   | set(grade_list(m.group("g")))))
            elif kind == "above":
                lead.exclude_above = True
            elif kind == "ring":
                lead.ring = True
            elif kind == "word":
                pass  # a heading word (四至:); the area's source keeps it
            else:
                lead.notes.append(m.group(0).rstrip(",:"))
            pos = m.end()
            break
        else:
            return lead, pos


_NOTE = re.compile(r"(?:总)?面积(?:为|约|共|约为)?\d+(?:\.\d+)?"
                   r"(?:平方公里|平方千米|公顷|平方米|亩|km2)")
_REMARK = re.compile(r"\((?P<r>[^()]*(?:最高|最低|越高|越低|价格|说明|注:)[^()]*)\)")
_COUNT = re.compile(r"共(?:分为|分|有)?[一两二三四五六七八九十\d]+[片块个](?:区域|地块)?")


def notes_in(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` that are notes, not boundaries (面积为…, 共两块, remarks in brackets)."""
    spans = [m.span() for p in (_NOTE, _COUNT) for m in p.finditer(text)]
    spans += [m.span() for m in _REMARK.finditer(text)]
    return sorted(spans)


_EXCL_TAIL = re.compile(rf"\((?:除|不含|不包括)(?:本范围内的?)?(?P<g>{GRADE_LIST}){_LAND}"
                        r"(?:以外|之外|外)?\)$|\((?P<g2>" + GRADE_LIST + r")" + _LAND + r"除外\)$")
_EXCL_FEATURES = re.compile(r"\((?:不含|不包括|除去?)(?P<f>[^()]+?)(?:在内)?\)$")
_EXCL_LAND = re.compile(r"(?:\((?:扣除|除去)(?P<l>[^()]+)\)|扣除(?P<l2>[^()]+?)(?:的?地块)?)$")


@dataclass
class Tail:
    exclude_grades: tuple[int, ...] = ()
    exclude_features: tuple[str, ...] = ()
    exclude_land: tuple[str, ...] = ()


def take_exclusion_tails(text: str) -> tuple[str, Tail]:
    """Strip the exclusions at the end of an area: ``(不含本范围内的III级地块)``,
    ``(不含妙峰山和西山)``, ``(扣除丘陵山地)``; returns what is left and what was cut out."""
    tail = Tail()
    while True:
        m = _EXCL_TAIL.search(text)
        if m:
            tail.exclude_grades += tuple(grade_list(m.group("g") or m.group("g2")))
            text = text[:m.start()]
            continue
        m = _EXCL_FEATURES.search(text)
        if m:
            names = re.split(r"[、,和及]", m.group("f"))
            tail.exclude_features += tuple(n for n in names if n)
            text = text[:m.start()]
            continue
        m = _EXCL_LAND.search(text)
        if m and m.start() > 0:
            tail.exclude_land += ((m.group("l") or m.group("l2")),)
            text = text[:m.start()]
            continue
        return text, tail
