"""Gazette wording of the areas other counties' descriptions use (四至, walks, frontage, admin
areas, rings and regions whose features carry more than a name), and of sub-area labels and notes.

Each area is printed in the wording its reader reads back (``parse_rules(to_gazette_text(r))``
gives ``r`` again); what no wording can carry is a :class:`~landgrade.errors.LandgradeError`
naming the area, never a silent approximation.
"""

from __future__ import annotations

from landgrade.errors import LandgradeError
from landgrade.gazette.names import grade_word_of
from landgrade.gazette.rule_areas import AdminArea, FourSides, Frontage, Walk
from landgrade.gazette.rule_items import Offset, RingItem, WalkStep
from landgrade.gazette.rules import Area, Corridor, Region, Residual, Ring

CHINESE = {"E": "东", "S": "南", "W": "西", "N": "北", "NE": "东北", "SE": "东南", "SW": "西南",
           "NW": "西北"}


def is_plain(area: Area) -> bool:
    """An area Dongkou's grammar prints and reads (its items are names and frontage only)."""
    if isinstance(area, Ring):
        return area.boundary_frontage is None and not area.exclude_features and all(
            _plain_item(i) for i in area.items)
    if isinstance(area, Region):
        return not area.exclude_features and all(b.item is None for b in area.bounds)
    if isinstance(area, Residual):
        return not area.exclude_features
    return isinstance(area, Corridor) and not area.exclude_features


def _plain_item(i: RingItem) -> bool:
    """A name the grammar reads back as it is, or enriches the same way (规划乙路, 丙厂北围墙)."""
    if i.offset is not None:
        return False
    if i.planned or i.landmark is not None:
        return True
    return i.feature_kind is None and i.edge is None


def area_text(area: Area, grade: int) -> str:
    """The wording of an area that is not plain (see :func:`is_plain`)."""
    if isinstance(area, FourSides):
        return _four_sides(area)
    if isinstance(area, Walk):
        return _walk(area)
    if isinstance(area, Frontage):
        return _frontage(area)
    if isinstance(area, AdminArea):
        return _admin(area)
    if isinstance(area, Ring):
        return _ring(area)
    if isinstance(area, Region):
        bounds = "，".join(f"{item_text(b.item or RingItem(b.feature))}以{CHINESE[b.side]}"
                          for b in area.bounds)
        return f"{bounds}的地块{_tails(area.exclude_grades, area.exclude_features)}"
    if isinstance(area, Residual):
        better = "、".join(grade_word_of(k) for k in range(1, grade))
        names = "、".join(area.exclude_features)
        rest = f"定级范围{better}级以外其他区域" if better else "定级范围内其他区域"
        return f"{rest}（{names}不参与定级）"
    raise LandgradeError(f"{area.kind} area with landmarks cut out: no gazette wording "
                         "prints it")


def item_text(i: RingItem) -> str:
    if i.overrides:
        raise LandgradeError(f"{i.feature}: a sub-stretch width is printed only in Dongkou's "
                             "ring wording, not beside a wall, offset or planned road")
    text = ("规划" if i.planned else "") + i.feature
    if i.offset is not None:
        text += _offset(i.offset)
    if (i.side is None) != (i.width_m is None):
        raise LandgradeError(f"{i.feature}: a frontage strip needs both a side and a width")
    if i.side is not None and i.width_m is not None:
        text += f"（含{CHINESE[i.side]}侧{_w(i.width_m)}米）"
    if i.qualifier:
        q = i.qualifier
        text += f"【{q}】" if any(c in q for c in "()（）【】") else f"（{q}）"
    return text


def _offset(o: Offset) -> str:
    return (f"以{CHINESE[o.side]}" if o.side else "") + f"{_w(o.distance_m)}米处"


def _tails(grades: tuple[int, ...], features: tuple[str, ...] = (),
           land: tuple[str, ...] = ()) -> str:
    text = "".join(f"（扣除{x}）" for x in land)
    if features:
        text += f"（不含{'、'.join(features)}）"
    if grades:
        text += f"（除{'、'.join(grade_word_of(g) for g in grades)}级区域以外）"
    return text


def _four_sides(a: FourSides) -> str:
    sides = "，".join(
        f"{'和'.join(CHINESE[d] for d in s.directions)}至{'，'.join(map(item_text, s.items))}"
        for s in a.sides)
    text = f"{a.within or ''}{sides}范围内的地块"
    text += _tails(a.exclude_grades, a.exclude_features, a.exclude_land)
    if a.boundary_frontage == "both" and a.boundary_frontage_m is None:
        text += "，其中道路含两侧用地"
    elif a.boundary_frontage is not None:
        raise LandgradeError("a 四至 with boundary frontage other than both sides at the "
                             "default depth has no gazette wording")
    return text


def _ring(a: Ring) -> str:
    if a.within:
        raise LandgradeError(f"ring of {a.items[0].feature}: a region prefix ({a.within}) is "
                             "printed only with plain features")
    text = f"由{'，'.join(map(item_text, a.items))}所围成的区域"
    if a.boundary_frontage is not None:
        if a.boundary_frontage_m is not None:
            raise LandgradeError("a ring's boundary frontage of a stated depth has no gazette "
                                 "wording")
        text += "及边界路段外侧地区" if a.boundary_frontage == "outside" else "及边界路段两侧地区"
    return text + _tails(a.exclude_grades, a.exclude_features)


def _walk(a: Walk) -> str:
    if a.exclude_features:
        raise LandgradeError("a walk with landmarks cut out has no gazette wording")
    parts = [_step(s) for s in a.steps]
    text = "，".join(p for p in parts[:-1] if p)
    return text + parts[-1] + _tails(a.exclude_grades)


def _step(s: WalkStep) -> str:
    items = "、".join(map(item_text, s.items))
    if s.op == "start":
        points = "，".join(map(item_text, s.items))
        return f"{CHINESE[s.direction]}起{points}" if s.direction else f"自{points}起"
    if s.op == "head":
        return f"向{CHINESE[s.direction or 'N']}"
    if s.op == "turn":
        return f"折向{CHINESE[s.direction or 'N']}"
    if s.op == "along":
        return f"沿{items}"
    if s.op == "cross":
        return f"穿越{items}"
    if s.op == "to":
        if len(s.items) == 2:
            a, b = s.items
            if not (_plain_name(a) and _plain_name(b)):
                raise LandgradeError(f"walk leg to {a.feature} and {b.feature}: a crossing of "
                                     "features that carry more than a name has no wording")
            return f"至{a.feature}与{b.feature}交叉处"
        return f"至{items}"
    if s.op == "parallel":
        if s.distance_m is not None:
            return f"距离{items}{_w(s.distance_m)}米平行{s.qualifier or ''}"
        return f"平行{items}"
    if s.op == "extend":
        return f"延伸{_w(s.distance_m or 0)}米"
    return "与起点形成闭合线"


def _plain_name(i: RingItem) -> bool:
    return item_text(i) == i.feature


def _frontage(a: Frontage) -> str:
    if a.from_ is not None or a.to is not None or a.exclude_features:
        raise LandgradeError("frontage on a stretch, or with landmarks cut out, has no gazette "
                             "wording outside Dongkou's corridors")
    items = "、".join(map(item_text, a.items))
    if a.side is None:
        width = f"各宽{_w(a.width_m)}米" if a.width_m is not None else ""
        text = f"{items}等街道两侧{width}地区"
    else:
        width = f"宽{_w(a.width_m)}米" if a.width_m is not None else ""
        text = f"{items}{CHINESE[a.side]}侧{width}范围内"
    return text + _tails(a.exclude_grades)


def _admin(a: AdminArea) -> str:
    units = "、".join(a.units)
    if a.exclude_features:
        raise LandgradeError("an administrative area with landmarks cut out has no gazette "
                             "wording")
    if a.within:
        if a.part:
            raise LandgradeError("an administrative area with both a lead-in and a part has no "
                                 "gazette wording")
        grades = "、".join(grade_word_of(g) for g in a.exclude_grades)
        excl = f"除{grades}级用地范围以外的" if grades else ""
        return f"{a.within}（{units}）以内的{excl}其他行政区域"
    if a.part is None:
        text = f"{units}行政区域内的土地"
    elif a.part.endswith(("辖区范围", "部分地域", "部分区域")):
        text = f"{units}{a.part}"
    elif a.part.endswith("部分"):
        text = f"{units}行政区域{a.part}"
    else:
        raise LandgradeError(f"administrative area {units}: no gazette wording for the part "
                             f"\"{a.part}\"")
    return text + _tails(a.exclude_grades)


def _w(width: float) -> str:
    return str(int(width)) if float(width).is_integer() else repr(float(width))
