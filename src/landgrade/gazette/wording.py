"""Rules back to the gazette's wording: the canonical text of a grade-zone description.

:func:`to_gazette_text` prints rules in canonical gazette wording that parses back to the same
rules (``parse_rules(to_gazette_text(r)) == r`` for any ``r`` that
:func:`landgrade.gazette.parse.parse_rules` produced): ``landgrade parse --text`` shows it, and
the parser's property tests use it to check that nothing is lost either way.
"""

from __future__ import annotations

from landgrade.errors import LandgradeError
from landgrade.gazette.names import CHAR_OF_SIDE, grade_word, grade_word_of
from landgrade.gazette.rules import Area, Corridor, Region, Ring, RingItem, Rules
from landgrade.gazette.wording_kinds import area_text, is_plain


def to_gazette_text(rules: Rules) -> str:
    """Rules in canonical gazette wording, one line per grade: ``一级\\t1、…；2、…。``.

    Full-width brackets and separators, widths without spaces, every ring closed by 所围成区域,
    every corridor as ``X（A至B）两侧各20米区域``. Parsing the result gives back ``rules``.
    """
    lines = []
    for g in rules.grades:
        parts = [(f"{a.subarea}：" if a.subarea else "")
                 + (_area_text(a, g.grade) if is_plain(a) else area_text(a, g.grade))
                 for a in g.areas]
        if len(parts) > 1:
            parts = [f"{k}、{p}" for k, p in enumerate(parts, start=1)]
        notes = "".join(f"{n}。" for n in g.notes)
        lines.append(f"{grade_word(g.grade)}\t{'；'.join(parts)}。{notes}\n")
    return "".join(lines)


def _area_text(area: Area, grade: int) -> str:
    if isinstance(area, Ring):
        prefix = f"{area.within}：" if area.within else ""
        path = "－".join(map(_ring_item_text, area.items))
        return f"{prefix}{path}所围成区域{_exclusion_text(area.exclude_grades)}"
    if isinstance(area, Corridor):
        stretch = f"（{area.from_}至{area.to}）" if area.from_ is not None else ""
        return (f"{'至'.join(area.features)}{stretch}两侧各"
                f"{_width_text(area.width_m)}米区域{_exclusion_text(area.exclude_grades)}")
    if isinstance(area, Region):
        bounds = "－".join(f"{b.feature}以{CHAR_OF_SIDE[b.side]}" for b in area.bounds)
        return f"{bounds}区域{_exclusion_text(area.exclude_grades)}"
    if grade == 1:
        return "其余区域"
    better = "、".join(grade_word_of(k) for k in range(1, grade))
    return f"定级范围{better}级以外其他区域"


def _ring_item_text(item: RingItem) -> str:
    if (item.side is None) != (item.width_m is None) or (item.overrides and item.side is None):
        raise LandgradeError(f"ring item {item.feature}: a frontage strip needs both a side and a "
                             f"width (side={item.side!r}, width_m={item.width_m!r})")
    text = ("规划" if item.planned else "") + item.feature
    if item.side is not None and item.width_m is not None:
        clauses = [f"含{CHAR_OF_SIDE[item.side]}侧{_width_text(item.width_m)}米"]
        clauses += [
            f"{o.from_}至{o.to}段{CHAR_OF_SIDE[o.side or item.side]}侧为{_width_text(o.width_m)}米"
            for o in item.overrides
        ]
        text += f"（{'；'.join(clauses)}）"
    if item.qualifier:
        text += f"（{item.qualifier}）"
    return text


def _exclusion_text(grades: tuple[int, ...]) -> str:
    if not grades:
        return ""
    return f"（除{'、'.join(grade_word_of(g) for g in grades)}级区域以外）"


def _width_text(width: float) -> str:
    return str(int(width)) if float(width).is_integer() else repr(float(width))
