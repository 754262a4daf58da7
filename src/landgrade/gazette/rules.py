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
from typing import Any, Literal

from landgrade.errors import LandgradeError

Side = Literal["E", "W", "S", "N"]
SIDES: tuple[str, ...] = ("E", "W", "S", "N")


class RulesDataError(LandgradeError):
    """Rules JSON (``landgrade build --rules x.json``) that is not shaped as ``landgrade parse``
    prints it; the message names the file, the place in it (``grades[1].areas[0]``) and the fix."""


@dataclass(frozen=True)
class Override:
    """A different strip on a sub-stretch of a ring item (健民路口至文昌路口段北侧为100米)."""

    from_: str
    to: str
    side: Side | None
    width_m: float

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.from_, "to": self.to, "side": self.side, "width_m": _num(self.width_m)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Override:
        return cls(from_=d["from"], to=d["to"], side=d.get("side"), width_m=d["width_m"])


@dataclass(frozen=True)
class RingItem:
    """One feature on a ring, with the strip of frontage it adds to the zone, if any.

    ``feature`` is the name as printed (``公安局东侧`` and ``河流东侧`` stay whole: they name a line
    beside a landmark or river, not a strip). ``qualifier`` picks a stretch or an unnamed road
    (``平溪江以南段``, ``城西大道路口往西1400米路段``, ``裕丰国际城南侧道路``).
    """

    feature: str
    side: Side | None = None
    width_m: float | None = None
    overrides: tuple[Override, ...] = ()
    qualifier: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "side": self.side,
            "width_m": _num(self.width_m),
            "overrides": [o.to_dict() for o in self.overrides],
            "qualifier": self.qualifier,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RingItem:
        return cls(
            feature=d["feature"],
            side=d.get("side"),
            width_m=d.get("width_m"),
            overrides=tuple(Override.from_dict(o) for o in d.get("overrides") or ()),
            qualifier=d.get("qualifier"),
        )


@dataclass(frozen=True)
class Ring:
    """A zone enclosed by a closed path along features.

    ``within`` is a region prefix (平溪江以南): the zone is clipped to that side.
    """

    items: tuple[RingItem, ...]
    exclude_grades: tuple[int, ...] = ()
    within: str | None = None
    kind: str = field(default="ring", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "ring",
            "items": [i.to_dict() for i in self.items],
            "exclude_grades": list(self.exclude_grades),
            "within": self.within,
        }


@dataclass(frozen=True)
class Corridor:
    """Both sides of a road stretch, ``width_m`` on each side, from one junction to another.

    ``from_`` and ``to`` are both None for a whole-road corridor (人民路两侧各50米区域): the
    road's whole length inside the grading extent.
    """

    features: tuple[str, ...]
    from_: str | None
    to: str | None
    width_m: float
    exclude_grades: tuple[int, ...] = ()
    kind: str = field(default="corridor", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "corridor",
            "features": list(self.features),
            "from": self.from_,
            "to": self.to,
            "width_m": _num(self.width_m),
            "exclude_grades": list(self.exclude_grades),
        }


@dataclass(frozen=True)
class Bound:
    """One side of a feature that bounds a region (平溪江以南 → feature 平溪江, side S)."""

    feature: str
    side: Side

    def to_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "side": self.side}


@dataclass(frozen=True)
class Region:
    """The part of the grading extent on the given side of every bound."""

    bounds: tuple[Bound, ...]
    exclude_grades: tuple[int, ...] = ()
    kind: str = field(default="region", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "region",
            "bounds": [b.to_dict() for b in self.bounds],
            "exclude_grades": list(self.exclude_grades),
        }


@dataclass(frozen=True)
class Residual:
    """The rest of the grading extent, after every higher grade."""

    kind: str = field(default="residual", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "residual"}


Area = Ring | Corridor | Region | Residual


@dataclass(frozen=True)
class GradeRule:
    """The areas of one grade, in the order the description numbers them (1、2、3、…)."""

    grade: int
    areas: tuple[Area, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"grade": self.grade, "areas": [a.to_dict() for a in self.areas]}


@dataclass(frozen=True)
class Rules:
    """A whole grade-zone description: one :class:`GradeRule` per grade, best grade first."""

    grades: tuple[GradeRule, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"grades": [g.to_dict() for g in self.grades]}

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, source: str = "rules JSON") -> Rules:
        """Inverse of :meth:`to_dict`. Anything else is a :class:`RulesDataError` naming
        ``source`` (the file) and the place in it."""
        where = source
        try:
            grades = []
            for i, g in enumerate(_items(d, "grades")):
                where = f"{source}: grades[{i}]"
                grade = g["grade"]
                if isinstance(grade, bool) or not isinstance(grade, int) or grade != i + 1:
                    raise ValueError(f"grade {grade!r} where grade {i + 1} belongs: one entry "
                                     "per grade, 1, 2, … in order")
                areas = []
                for j, a in enumerate(_items(g, "areas")):
                    where = f"{source}: grades[{i}].areas[{j}]"
                    area = _checked(area_from_dict(a))
                    excluded = getattr(area, "exclude_grades", ())
                    if any(isinstance(x, bool) or not isinstance(x, int) or not 1 <= x < grade
                           for x in excluded):
                        raise ValueError(f"exclude_grades {list(excluded)}: only better grades "
                                         f"than {grade} may be excluded")
                    areas.append(area)
                if not areas:
                    raise ValueError(f"grade {grade} has no areas")
                grades.append(GradeRule(grade, tuple(areas)))
            if not grades:
                raise ValueError("no grades")
        except KeyError as e:
            raise RulesDataError(f"{where}: missing key {e}; {_FIX}") from None
        except (TypeError, ValueError, AttributeError) as e:
            raise RulesDataError(f"{where}: {e}; {_FIX}") from None
        return cls(grades=tuple(grades))

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
    if kind == "ring":
        return Ring(tuple(RingItem.from_dict(i) for i in d["items"]), excl, d.get("within"))
    if kind == "corridor":
        return Corridor(tuple(d["features"]), d.get("from"), d.get("to"), d["width_m"], excl)
    if kind == "region":
        return Region(tuple(Bound(b["feature"], b["side"]) for b in d["bounds"]), excl)
    if kind == "residual":
        return Residual()
    raise ValueError(f"unknown area kind {kind!r} (ring, corridor, region or residual)")


_FIX = "write the rules as `landgrade parse` prints them"


def _items(d: Any, key: str) -> list[Any]:
    if not isinstance(d, dict):
        raise TypeError(f"an object with {key!r} is expected, not {type(d).__name__}")
    value = d[key]
    if not isinstance(value, list):
        raise TypeError(f"{key!r} must be a list, not {type(value).__name__}")
    return value


def _checked(area: Area) -> Area:
    """Raise ValueError for a side or width the builder could not use."""
    widths: list[Any] = []
    sides: list[Any] = []
    names: list[Any] = []
    if isinstance(area, Ring):
        for item in area.items:
            names.append(item.feature)
            sides += [item.side, *(o.side for o in item.overrides)]
            widths += [w for w in (item.width_m,) if w is not None]
            widths += [o.width_m for o in item.overrides]
            names += [n for o in item.overrides for n in (o.from_, o.to)]
        if not area.items:
            raise ValueError("a ring needs at least one item")
    elif isinstance(area, Corridor):
        names += list(area.features)
        widths.append(area.width_m)
        if not area.features:
            raise ValueError("a corridor needs at least one feature")
    elif isinstance(area, Region):
        names += [b.feature for b in area.bounds]
        sides += [b.side for b in area.bounds]
    for side in sides:
        if side is not None and side not in SIDES:
            raise ValueError(f"side {side!r} is not one of {', '.join(SIDES)}")
    for w in widths:
        if isinstance(w, bool) or not isinstance(w, int | float) or not math.isfinite(w) or w <= 0:
            raise ValueError(f"width_m {w!r} is not a number of metres greater than 0")
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"feature name {name!r} is not a non-empty text")
    return area


def _num(x: float | None) -> float | int | None:
    """Widths print as integers when whole, as the gazette writes them."""
    if x is None:
        return None
    return int(x) if float(x).is_integer() else float(x)
