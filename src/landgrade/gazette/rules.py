"""Grade rules: the plain dataclasses a Table 5 description parses into.

A county's *grade-zone description* (土地级别范围描述, Table 5 of the Dongkou gazette) says,
for each land grade (级别), which areas belong to it. Each area is one of four kinds:

- :class:`Ring` — a closed path along features ("A（含东侧16米）-B-…所围成区域"); each
  :class:`RingItem` may add a one-sided strip of road frontage (含东侧16米) to the zone.
- :class:`Corridor` — both sides of a stretch of one or more roads ("…两侧各20米区域").
- :class:`Region` — the part of the grading extent on given sides of features
  ("平溪江以南－沟渠以西区域").
- :class:`Residual` — whatever of the grading extent no higher grade took ("定级范围…以外其他区域").

Sides are compass letters ``"E" | "W" | "S" | "N"``. Widths are metres. Junction names have
their trailing 路口/口 marker removed (``凤凰路口`` → ``凤凰路``). The JSON form
(``to_dict``/``from_dict``) is the one ``landgrade parse`` prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from landgrade.errors import LandgradeError
from landgrade.gazette.rule_areas import (
    AdminArea,
    BoundaryFrontage,
    FourSides,
    Frontage,
    Walk,
    area_tail,
)
from landgrade.gazette.rule_items import (
    DIRECTIONS,
    SIDES,
    WALK_OPS,
    Bound,
    Direction,
    Offset,
    Override,
    RingItem,
    Side,
    SideBound,
    WalkStep,
    num,
)


class RulesDataError(LandgradeError):
    """Rules JSON (``landgrade build --rules x.json``) that is not shaped as ``landgrade parse``
    prints it; the message names the file, the place in it (``grades[1].areas[0]``) and the fix."""


@dataclass(frozen=True)
class Ring:
    """A zone enclosed by a closed path along features.

    ``within`` is a region prefix (平溪江以南): the zone is clipped to that side.
    ``boundary_frontage`` adds the frontage of the boundary roads: "outside" for
    ``所围地区及边界路段外侧地区`` (the outer side of every boundary road), "both" for both sides;
    ``boundary_frontage_m`` deep, or the county's ``default_frontage_m`` when None.
    """

    items: tuple[RingItem, ...]
    exclude_grades: tuple[int, ...] = ()
    within: str | None = None
    boundary_frontage: BoundaryFrontage | None = None
    boundary_frontage_m: float | None = None
    exclude_features: tuple[str, ...] = ()
    subarea: str | None = None
    source: str | None = field(default=None, compare=False)
    kind: str = field(default="ring", init=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": "ring",
            "items": [i.to_dict() for i in self.items],
            "within": self.within,
        }
        if self.boundary_frontage is not None:
            d["boundary_frontage"] = self.boundary_frontage
            d["boundary_frontage_m"] = num(self.boundary_frontage_m)
        return d | area_tail(self)


@dataclass(frozen=True)
class Corridor:
    """Both sides of a road stretch, ``width_m`` on each side, from one junction to another.

    ``from_`` and ``to`` are both None for a whole-road corridor (人民路两侧各50米区域): the
    road's whole length inside the grading extent. (Frontage with no stated depth, or on one side
    only, is a :class:`~landgrade.gazette.rule_areas.Frontage`.)
    """

    features: tuple[str, ...]
    from_: str | None
    to: str | None
    width_m: float
    exclude_grades: tuple[int, ...] = ()
    exclude_features: tuple[str, ...] = ()
    subarea: str | None = None
    source: str | None = field(default=None, compare=False)
    kind: str = field(default="corridor", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "corridor",
            "features": list(self.features),
            "from": self.from_,
            "to": self.to,
            "width_m": num(self.width_m),
        } | area_tail(self)


@dataclass(frozen=True)
class Region:
    """The part of the grading extent on the given side of every bound."""

    bounds: tuple[Bound, ...]
    exclude_grades: tuple[int, ...] = ()
    exclude_features: tuple[str, ...] = ()
    subarea: str | None = None
    source: str | None = field(default=None, compare=False)
    kind: str = field(default="region", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "region", "bounds": [b.to_dict() for b in self.bounds]} | area_tail(self)


@dataclass(frozen=True)
class Residual:
    """The rest of the grading extent, after every higher grade (定级范围…以外其他区域,
    除上述级别范围外…的所有土地).

    ``exclude_features`` are named places the text takes out of it (``…不参与定级``).
    """

    exclude_features: tuple[str, ...] = ()
    subarea: str | None = None
    source: str | None = field(default=None, compare=False)
    kind: str = field(default="residual", init=False)

    @property
    def exclude_grades(self) -> tuple[int, ...]:
        return ()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": "residual"}
        if self.exclude_features:
            d["exclude_features"] = list(self.exclude_features)
        if self.subarea is not None:
            d["subarea"] = self.subarea
        d["source"] = self.source
        return d


Area = Ring | Corridor | Region | Residual | FourSides | Walk | Frontage | AdminArea
AREA_KINDS: tuple[str, ...] = (
    "ring", "corridor", "region", "residual", "four_sides", "walk", "frontage", "admin",
)


@dataclass(frozen=True)
class GradeRule:
    """The areas of one grade, in the order the description numbers them (1、2、3、…).

    ``notes`` keep what the row says that is not a boundary (``面积为4.55平方公里``, a remark in
    brackets): printed, never drawn. ``label`` is the grade word as published (``Ⅳ级住宅用地``).
    """

    grade: int
    areas: tuple[Area, ...]
    notes: tuple[str, ...] = ()
    label: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"grade": self.grade, "areas": [a.to_dict() for a in self.areas]}
        if self.notes:
            d["notes"] = list(self.notes)
        if self.label is not None:
            d["label"] = self.label
        return d


@dataclass(frozen=True)
class Rules:
    """A whole grade-zone description: one :class:`GradeRule` per grade, best grade first.

    A description may start above 一级 or leave grades out (a table of Ⅳ and Ⅴ only): grades
    are strictly increasing, not necessarily 1, 2, 3. ``use`` is the land use the description
    grades (``commercial``; None for a single, comprehensive grading). ``known_names_used`` are
    the names that would have been refused as holding a connective (至善路, 由义路) but were
    accepted because the network knows them.
    """

    grades: tuple[GradeRule, ...]
    use: str | None = None
    known_names_used: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"grades": [g.to_dict() for g in self.grades]}
        if self.use is not None:
            d["use"] = self.use
        if self.known_names_used:
            d["known_names_used"] = list(self.known_names_used)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, source: str = "rules JSON") -> Rules:
        """Inverse of :meth:`to_dict`. Anything else is a :class:`RulesDataError` naming
        ``source`` (the file) and the place in it."""
        where = source
        try:
            grades: list[GradeRule] = []
            for i, g in enumerate(_items(d, "grades")):
                where = f"{source}: grades[{i}]"
                grade = g["grade"]
                if isinstance(grade, bool) or not isinstance(grade, int) or grade < 1:
                    raise ValueError(f"grade {grade!r} is not a grade number 1, 2, …")
                if grades and grade <= grades[-1].grade:
                    raise ValueError(f"grade {grade} after grade {grades[-1].grade}: one entry "
                                     "per grade, best grade first, in order")
                areas = []
                for j, a in enumerate(_items(g, "areas")):
                    where = f"{source}: grades[{i}].areas[{j}]"
                    area = _checked(area_from_dict(a))
                    excluded = area.exclude_grades
                    if any(isinstance(x, bool) or not isinstance(x, int) or not 1 <= x < grade
                           for x in excluded):
                        raise ValueError(f"exclude_grades {list(excluded)}: only better grades "
                                         f"than {grade} may be excluded")
                    areas.append(area)
                if not areas:
                    raise ValueError(f"grade {grade} has no areas")
                notes = tuple(str(n) for n in g.get("notes") or ())
                grades.append(GradeRule(grade, tuple(areas), notes, g.get("label")))
            if not grades:
                raise ValueError("no grades")
        except KeyError as e:
            raise RulesDataError(f"{where}: missing key {e}; {_FIX}") from None
        except (TypeError, ValueError, AttributeError) as e:
            raise RulesDataError(f"{where}: {e}; {_FIX}") from None
        return cls(grades=tuple(grades), use=d.get("use"),
                   known_names_used=tuple(d.get("known_names_used") or ()))

    def grade(self, grade: int) -> GradeRule:
        for g in self.grades:
            if g.grade == grade:
                return g
        raise KeyError(f"no grade {grade} in the rules")


def area_from_dict(d: dict[str, Any]) -> Area:
    """Inverse of ``Area.to_dict``."""
    if not isinstance(d, dict):
        raise TypeError(f"an area is an object with a 'kind', not {type(d).__name__}")
    kind = d["kind"]
    excl = tuple(d.get("exclude_grades") or ())
    common: dict[str, Any] = {
        "exclude_features": tuple(d.get("exclude_features") or ()),
        "subarea": d.get("subarea"),
        "source": d.get("source"),
    }
    if kind == "ring":
        return Ring(tuple(RingItem.from_dict(i) for i in d["items"]), excl, d.get("within"),
                    d.get("boundary_frontage"), d.get("boundary_frontage_m"), **common)
    if kind == "corridor":
        return Corridor(tuple(d["features"]), d.get("from"), d.get("to"), d["width_m"], excl,
                        **common)
    if kind == "region":
        return Region(tuple(Bound.from_dict(b) for b in d["bounds"]), excl, **common)
    if kind == "residual":
        return Residual(**common)
    if kind == "four_sides":
        return FourSides.from_dict(d)
    if kind == "walk":
        return Walk.from_dict(d)
    if kind == "frontage":
        return Frontage.from_dict(d)
    if kind == "admin":
        return AdminArea.from_dict(d)
    raise ValueError(f"unknown area kind {kind!r} ({', '.join(AREA_KINDS)})")


_FIX = "write the rules as `landgrade parse` prints them"


def _items(d: Any, key: str) -> list[Any]:
    if not isinstance(d, dict):
        raise TypeError(f"an object with {key!r} is expected, not {type(d).__name__}")
    value = d[key]
    if not isinstance(value, list):
        raise TypeError(f"{key!r} must be a list, not {type(value).__name__}")
    return value


def area_items(area: Area) -> list[RingItem]:
    """Every feature reference of an area (ring items, 四至 sides, walk steps, frontage)."""
    if isinstance(area, Ring):
        return list(area.items)
    if isinstance(area, FourSides):
        return [i for s in area.sides for i in s.items]
    if isinstance(area, Walk):
        return [i for s in area.steps for i in s.items]
    if isinstance(area, Frontage):
        return list(area.items)
    if isinstance(area, Region):
        return [b.item for b in area.bounds if b.item is not None]
    return []


def _checked(area: Area) -> Area:
    """Raise ValueError for a side or width the builder could not use."""
    widths: list[Any] = []
    sides: list[Any] = []
    directions: list[Any] = []
    names: list[Any] = []
    for item in area_items(area):
        names.append(item.feature)
        sides += [item.side, *(o.side for o in item.overrides)]
        widths += [w for w in (item.width_m,) if w is not None]
        widths += [o.width_m for o in item.overrides]
        names += [n for o in item.overrides for n in (o.from_, o.to)]
        directions.append(item.edge)
        if item.offset is not None:
            directions.append(item.offset.side)
            widths.append(item.offset.distance_m)
    if isinstance(area, Ring) and not area.items:
        raise ValueError("a ring needs at least one item")
    if isinstance(area, Corridor):
        names += list(area.features)
        widths.append(area.width_m)
        if not area.features:
            raise ValueError("a corridor needs at least one feature")
    elif isinstance(area, Region):
        names += [b.feature for b in area.bounds]
        sides += [b.side for b in area.bounds]
    elif isinstance(area, FourSides):
        if not area.sides or any(not s.items or not s.directions for s in area.sides):
            raise ValueError("a four_sides area needs sides, each with directions and items")
        directions += [d for s in area.sides for d in s.directions]
    elif isinstance(area, Walk):
        bad = [s.op for s in area.steps if s.op not in WALK_OPS]
        if bad:
            raise ValueError(f"walk step {bad[0]!r} is not one of {', '.join(WALK_OPS)}")
        directions += [s.direction for s in area.steps]
        widths += [s.distance_m for s in area.steps if s.distance_m is not None]
    elif isinstance(area, Frontage):
        if not area.items:
            raise ValueError("a frontage needs at least one feature")
        directions.append(area.side)
    elif isinstance(area, AdminArea):
        names += list(area.units)
        if not area.units:
            raise ValueError("an admin area needs at least one unit")
    for w in (getattr(area, "width_m", None), getattr(area, "boundary_frontage_m", None)):
        if w is not None and not isinstance(area, Corridor):
            widths.append(w)
    for side in sides:
        if side is not None and side not in SIDES:
            raise ValueError(f"side {side!r} is not one of {', '.join(SIDES)}")
    for direction in directions:
        if direction is not None and direction not in DIRECTIONS:
            raise ValueError(f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
    for w in widths:
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w <= 0:
            raise ValueError(f"width_m {w!r} is not a number of metres greater than 0")
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"feature name {name!r} is not a non-empty text")
    return area


__all__ = [
    "AREA_KINDS", "DIRECTIONS", "SIDES", "AdminArea", "Area", "Bound", "Corridor", "Direction",
    "FourSides", "Frontage", "GradeRule", "Offset", "Override", "Region", "Residual", "Ring",
    "RingItem", "Rules", "RulesDataError", "Side", "SideBound", "Walk", "WalkStep",
    "area_from_dict", "area_items",
]
