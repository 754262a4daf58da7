"""Feature names that hold a connective or a clause are misreadings, unless the network knows them.

A *connective* (连接词) is a word that links the parts of a boundary description rather than
naming a thing: 由 (from), 经 (via), 以…为界 (taking … as the boundary), 至 (to), 起 (starting at),
沿 (along), 向/折向 (towards/turning to), 位于 (located at), 的 (of), 与/及 (and), 穿越 (crossing),
延伸 (extending), 一线 (the line through). A name such as ``东由南京火车站的新庄村经和平门`` or
``规划边界线为界`` is a clause read as a name: refused, naming the connective. A real name that
holds one (至善路, 由义路, 沿江路) is accepted when the network has it (``known_names``), and
the caller says which name matched.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from landgrade.text import normalize

_DIR = "东北|东南|西北|西南|东|南|西|北"
# (pattern, what it is) — each pattern finds a connective where a plain name would not have one
_CONNECTIVES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"^(?:{_DIR})(?:由|以|至|起|沿|向|经|从|临|邻|到|抵)"),
     "a side word followed by a connective"),
    (re.compile(r"为界|为止"), "为界 (… as the boundary)"),
    (re.compile(r"(?<!自)由|^由"), "由 (from)"),
    (re.compile(r"(?<=.)经(?!济)|^经(?![一二三四五六七八九十\d]+[路街道巷])"), "经 (via)"),
    (re.compile(r"至"), "至 (to)"),
    (re.compile(r"^(?:东|南|西|北)起|起$|起至|起点"), "起 (starting at)"),
    (re.compile(r"沿(?![江河湖海山溪滨])"), "沿 (along)"),
    (re.compile(rf"向(?:{_DIR})(?![路街巷]|大道)"), "向 (towards)"),
    (re.compile(r"折"), "折 (turning)"),
    (re.compile(r"位于"), "位于 (located at)"),
    (re.compile(r"以(?![东南西北])"), "以 (taking … as)"),
    # a side inside a name is a clause (甲路以东乙路), except the gazette's way of naming an
    # unnamed road by where it lies (站前大道以南未命名道路)
    (re.compile(r"以[东南西北](?!未命名|无名)"), "a side (以东, 以南, …)"),
    (re.compile(r"的|之间|之[东南西北]"), "a descriptive phrase (的, 之间), not a name"),
    (re.compile(r"与|及|并"), "与/及 (and): two features, or a junction"),
    (re.compile(r"穿越|穿过|延伸|平行|一线|闭合"), "a walk word (穿越, 延伸, 平行, 一线)"),
    (re.compile(r"所围|围成|围合|范围内|区域|地块|地区$"), "a word that ends an area, not a name"),
    (re.compile(r"\d+(?:\.\d+)?米"), "a distance (…米), not a name"),
    (re.compile(r"[、,;:。()【】\-—]"), "a separator inside a name"),
)


# in a name a phrasing reader cut out, a side word (以东) is left over from a clause; Dongkou's
# grammar keeps descriptive names whole (站前大道以南未命名道路) and is not held to this
_READER_ONLY: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"以(?:东|南|西|北)"), "a side (以东, 以南, …)"),
)


def connective_in(name: str, *, cut_by_reader: bool = False) -> str | None:
    """What makes ``name`` a clause rather than a name, or None for a plain name."""
    for pattern, what in (*_CONNECTIVES, *(_READER_ONLY if cut_by_reader else ())):
        m = pattern.search(name)
        if m:
            return f"{what}: \"{m.group(0)}\""
    return None


def name_problem(name: str, known_names: Collection[str] = (), *,
                 cut_by_reader: bool = False) -> tuple[str | None, bool]:
    """``(problem, matched_known)``: the problem with ``name`` as a feature name (None when it
    reads as a name), and whether it was accepted only because the network knows it."""
    problem = connective_in(name, cut_by_reader=cut_by_reader)
    if problem is None:
        return None, False
    if known_names and normalize(name) in known_names:
        return None, True
    return (f"the name \"{name}\" holds {problem} — a clause read as a name is a misreading; "
            "if this really is the feature's name, give the network that has it (the build "
            "checks names against it)"), False
