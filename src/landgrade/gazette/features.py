"""Lists of boundary features as other counties print them, read into ring items.

A *feature list* is what follows 东至 / 北以…为界 / 沿 / 由 … 所围成: names joined by
、 , — - 和 及, each possibly carrying

- a wall or edge word (``王岘乡北围墙``, ``莲花池公园北边界``, ``晋安区行政区划东界线``), which a
  、-group shares: ``王岘乡、区林业局北围墙`` is two north walls;
- an offset (``金昌路以南40米处``, ``上渡路东南侧100米``, ``规划北京路100米处``);
- 规划 (planned), a stretch (``建新南路东段``, ``福兴路北段(化工路至福新东路之间)``, ``延长线``),
  a side of the road (``东四环中路西侧``), a note (``【第Ⅲ级第⒀地块的东北边界】``).

Text is folded (:mod:`landgrade.gazette.folding`): brackets and commas are ASCII.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from landgrade.gazette.refusal import Refuse
from landgrade.gazette.rule_items import Offset, RingItem

DIR = "东北|东南|西北|西南|东|南|西|北"
DIRECTION_OF: dict[str, str] = {"东": "E", "南": "S", "西": "W", "北": "N", "东北": "NE",
                                "东南": "SE", "西北": "NW", "西南": "SW"}
DASHES = "-—–‐‑―─"
# the verb of a 四至 side: 东至 (to), 北起 (from), 北以…为界 (taking … as the boundary), 东临/东邻
# (bordering), 南到/南抵 (reaching), 北止于 (ending at)
SIDE_VERB = "至|起|以|临|邻|到|抵|止于"
_ROAD_END = ("大道", "路", "街", "道", "巷", "高速", "公路", "快速路", "高架桥", "桥", "线")
# a name ending like this is a feature of its own kind: a wall word does not distribute onto it
_OWN_KIND_END = (*_ROAD_END, "江", "河", "渠", "港", "溪", "湖", "库", "山", "麓", "墙", "界", "坑",
                 "塘", "洋", "门")
_EDGE_WORDS = "外围墙线|围墙线|外围线|围墙|边界线|边界|界线"
_SHARED_EDGE = re.compile(rf"(?:{DIR})侧?(?:{_EDGE_WORDS})$")
_SIDE_ONLY = re.compile(rf"^(?P<d>{DIR})侧(?P<w>{_EDGE_WORDS})?$")
_EXTENT_LINES = ("规划边界线", "基准地价范围界线", "基准地价范围线", "定级范围线", "定级范围界线",
                 "定级边界线")
_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("rail", ("铁路", "铁路线", "专用线")),
    ("wall", ("围墙", "围墙线")),
    ("edge", ("边界", "外围线", "边界线")),
    ("line", ("界线", "范围线")),
    ("hill", ("山麓", "山脚", "山岭", "山")),
    ("water", ("水库", "湖", "洋", "海")),
    ("river", ("江", "河", "渠", "港", "溪", "运河", "塘河", "江东岸")),
    ("road", _ROAD_END),
    ("place", ("镇", "乡", "村", "街道", "社区", "庄")),
)
_ADDRESS = re.compile(r"\d+号(?:院|楼)?$")


@dataclass(frozen=True)
class Member:
    """One name of a list, with its offset in the list text and the separator before it."""

    text: str
    start: int
    sep: str


def top_level(text: str) -> list[tuple[int, str]]:
    """``(offset, char)`` of every character outside brackets ``()`` and ``【】``."""
    out, depth = [], 0
    for i, ch in enumerate(text):
        if ch in "(【":
            depth += 1
        elif ch in ")】":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append((i, ch))
    return out


def split_members(text: str) -> list[Member]:
    """Split a feature list at 、 , dashes, and 和/及 between two whole features."""
    cuts: list[tuple[int, int, str]] = []  # (start, end, separator)
    chars = dict(top_level(text))
    i = 0
    while i < len(text):
        ch = text[i]
        if i in chars and ch in "、," + DASHES:
            j = i
            while j + 1 < len(text) and text[j + 1] in DASHES and ch in DASHES:
                j += 1
            cuts.append((i, j + 1, "-" if ch in DASHES else ch))
            i = j + 1
            continue
        if i in chars and ch in "和及" and _joins_two(text, i):
            cuts.append((i, i + 1, ch))
        i += 1
    members, start, sep = [], 0, ""
    for a, b, s in cuts:
        members.append(Member(text[start:a], start, sep))
        start, sep = b, s
    members.append(Member(text[start:], start, sep))
    return members


def _joins_two(text: str, i: int) -> bool:
    """和/及 at ``i`` joins two features (铁路和规划三环路), not part of a name (人和路, 和睦支路)
    nor 及其连接线 (a qualifier)."""
    left = re.split(rf"[、,{DASHES}]", text[:i])[-1]
    left = re.sub(r"(?:\([^()]*\)|【[^【】]*】)$", "", left)
    right = text[i + 1:]
    return (len(left) >= 2 and left.endswith(_OWN_KIND_END) and len(right) >= 2
            and not right.startswith("其"))


def read_features(text: str, *, what: str = "a feature") -> list[RingItem]:
    """Every feature of a list, wall words shared over their 、-group; Refuse on an empty name."""
    members = split_members(text)
    for m in members:
        if not m.text:
            raise Refuse(m.start, f"{what} here: a name between the separators")
    names = _distribute([m.text for m in members], [m.sep for m in members])
    return [read_feature(n, start=m.start) for n, m in zip(names, members, strict=True)]


def _distribute(names: list[str], seps: list[str]) -> list[str]:
    """Share an edge word over its 、-group (``A、B北围墙`` → A北围墙, B北围墙) and a landmark over
    bare sides (``尾矿坝西侧、北侧外围线`` → 尾矿坝西侧外围线, 尾矿坝北侧外围线)."""
    out = list(names)
    for k in range(len(out) - 1, -1, -1):
        side_only = _SIDE_ONLY.match(out[k])
        if side_only and side_only.group("w") and k > 0 and seps[k] == "、":
            prev = re.match(rf"^(?P<lm>.+?)(?P<d>{DIR})侧$", out[k - 1])
            if prev:
                out[k - 1] = f"{prev.group('lm')}{prev.group('d')}侧{side_only.group('w')}"
                out[k] = f"{prev.group('lm')}{out[k]}"
        edge = _SHARED_EDGE.search(out[k])
        if not edge or out[k] in _EXTENT_LINES:
            continue
        j = k
        while j > 0 and seps[j] == "、" and not _bracketed(out[j - 1]) \
                and not out[j - 1].endswith(_OWN_KIND_END):
            out[j - 1] += edge.group(0)
            j -= 1
    return out


def _bracketed(name: str) -> bool:
    return name.endswith((")", "】"))


_OFFSET = re.compile(rf"^(?:距离?)?(?P<n>.+?)(?:以(?P<d1>{DIR})|(?P<d2>{DIR})侧?)?"
                     r"(?P<m>\d+(?:\.\d+)?)(?:米|m)处?$")
_EDGE = re.compile(rf"^(?P<lm>.+?)(?:行政区划|行政区)?(?P<d>{DIR})?(?P<side>侧)?"
                   rf"(?P<w>{_EDGE_WORDS})$")
_GLUED_SIDE = re.compile(rf"^(?P<n>.+?(?:大道|路|街|道|巷|高速|公路))(?P<q>(?:{DIR})侧)$")
_STRETCH_SUFFIX = re.compile(r"^(?P<n>.+?(?:大道|路|街|道|巷|线|高速|公路))"
                             r"(?P<q>[东南西北中]段|延长线|延伸段|及其连接线|(?:道路)?中心线|(?:道路)?红线|"
                             r"[东南西北]?边线)$")
_MEETS = re.compile(r"^(?P<n>.+?)(?P<q>与(?P<other>.+?)(?:交汇|相交|交叉|十字路口|交叉口)处?)$")
_TRAILING_NOTE = re.compile(r"(?:\((?P<p>[^()]*)\)|【(?P<b>[^【】]*)】)$")
_FRONTAGE = re.compile(r"^含(?P<d>[东南西北])侧(?P<m>\d+(?:\.\d+)?)(?:米|m)$")


def read_feature(text: str, *, start: int = 0) -> RingItem:
    """One feature reference; the name it keeps is the thing the builder looks up."""
    qualifiers: list[str] = []
    side = width = None
    name = text
    while True:
        note = _TRAILING_NOTE.search(name)
        if not note or note.start() == 0:
            break
        inner = note.group("p") if note.group("p") is not None else note.group("b")
        frontage = _FRONTAGE.match(inner)
        if frontage and note.group("p") is not None:
            side = {"东": "E", "南": "S", "西": "W", "北": "N"}[frontage.group("d")]
            width = _number(frontage.group("m"))
        elif inner == "规划":
            qualifiers.insert(0, "规划")
        else:
            qualifiers.insert(0, inner)
        name = name[:note.start()]
    if "(" in name or ")" in name or "【" in name or "】" in name:
        raise Refuse(start, f"a feature name with its note in brackets at the end, not \"{text}\"")
    planned = "规划" in qualifiers
    if planned:
        qualifiers.remove("规划")
    offset = None
    m = _OFFSET.match(name)
    if m and not re.search(r"宽\d", name):
        name = m.group("n")
        direction = m.group("d1") or m.group("d2")
        offset = Offset(DIRECTION_OF[direction] if direction else None,  # type: ignore[arg-type]
                        _number(m.group("m")))
    meets = _MEETS.match(name)
    if meets:
        name = meets.group("n")
        qualifiers.insert(0, meets.group("q"))
    if name.startswith("规划") and _planned_road(name[2:]):
        name, planned = name[2:], True
    landmark = edge = None
    stretch = _STRETCH_SUFFIX.match(name)
    glued = _GLUED_SIDE.match(name)
    edge_m = _EDGE.match(name)
    if stretch:
        name = stretch.group("n")
        qualifiers.insert(0, stretch.group("q"))
    elif glued:
        name = glued.group("n")
        qualifiers.insert(0, glued.group("q"))
    elif edge_m and name not in _EXTENT_LINES and len(edge_m.group("lm")) >= 2 and (
            edge_m.group("d") or edge_m.group("w") == "界线"):
        landmark = edge_m.group("lm")
        edge = DIRECTION_OF[edge_m.group("d")] if edge_m.group("d") else None
    elif name.endswith("山麓") and len(name) > 3:
        landmark = name[:-2]
    if name.startswith("规划") and _planned_road(name[2:]):
        name, planned = name[2:], True
    return RingItem(
        feature=name,
        side=side,  # type: ignore[arg-type]
        width_m=width,
        qualifier=",".join(qualifiers) if qualifiers else None,
        landmark=landmark,
        edge=edge,  # type: ignore[arg-type]
        offset=offset,
        planned=planned,
        feature_kind=feature_kind(name, landmark is not None),
    )


def _planned_road(rest: str) -> bool:
    """规划 + rest is a planned road (规划三环路), not a planning line (规划边界线)."""
    return len(rest) >= 2 and not rest.endswith(("边界线", "界线", "范围线", "边界")) and bool(
        re.search(r"(?:大道|路|街|道|巷|高速|公路)(?:\d+(?:\.\d+)?米处?|延伸段|延长线)?$", rest))


def feature_kind(name: str, edge_of_landmark: bool = False) -> str | None:
    """What the name says the feature is (see :data:`~landgrade.gazette.rule_items.
    FEATURE_KINDS`), or None when it does not say."""
    if name in _EXTENT_LINES:
        return "line"
    if re.search(r"行政区划.*界线$|行政区.*界线$", name):
        return "admin_line"
    if edge_of_landmark and re.search(r"围墙线?$", name):
        return "wall"
    if _ADDRESS.search(name):
        return "address"
    for kind, ends in _KINDS:
        if name.endswith(ends):
            return kind
    return None


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value
