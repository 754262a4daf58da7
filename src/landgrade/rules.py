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

from dataclasses import dataclass, field
from typing import Any, Literal

Side = Literal["E", "W", "S", "N"]
SIDES: tuple[str, ...] = ("E", "W", "S", "N")


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
    def from_dict(cls, d: dict[str, Any]) -> Rules:
        return cls(grades=tuple(GradeRule(g["grade"], tuple(map(area_from_dict, g["areas"])))
                                for g in d["grades"]))

    def grade(self, grade: int) -> GradeRule:
        for g in self.grades:
            if g.grade == grade:
                return g
        raise KeyError(f"no grade {grade} in the rules")


def area_from_dict(d: dict[str, Any]) -> Area:
    """Inverse of ``Area.to_dict``."""
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
    raise ValueError(f"unknown area kind {kind!r}")


def _num(x: float | None) -> float | int | None:
    """Widths print as integers when whole, as the gazette writes them."""
    if x is None:
        return None
    return int(x) if float(x).is_integer() else float(x)
