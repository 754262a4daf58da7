"""Area kinds other counties' descriptions use, beyond Dongkou's ring, corridor, region, residual.

- :class:`FourSides` — 四至: the zone reaches given features on each side
  (``东至A、B；南至C；西至D；北至E范围内的地块``, ``北以X为界，南以Y为界…``).
- :class:`Walk` — a turn-by-turn closed boundary walk (``西起X，向南…折向东…与起点形成闭合线``).
- :class:`Frontage` — road frontage of one or both sides, with a stated depth (``三环路东侧宽200米
  范围内``) or none (``…等街道两侧地区``: the county's ``default_frontage_m``, never a guess).
- :class:`AdminArea` — the land of named administrative units (``…街道办事处所辖地域``,
  ``古市镇行政区域内``).

Every area carries, besides its shape: ``exclude_grades`` (better grades the text cuts out, as
written: 除上述级别范围外, 围绕Ⅰ级地), ``source`` (the exact substring of its row it was read from;
not part of equality), and ``subarea`` (a published sub-area label such as 拱北 or 北区片: a label,
never a feature).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from landgrade.gazette.rule_items import Direction, RingItem, SideBound, WalkStep, num

BoundaryFrontage = Literal["outside", "both"]


def area_tail(area: Any) -> dict[str, Any]:
    """The keys every area prints after its own: exclusions, sub-area label, source."""
    d: dict[str, Any] = {"exclude_grades": list(area.exclude_grades)}
    if getattr(area, "exclude_features", ()):
        d["exclude_features"] = list(area.exclude_features)
    if area.subarea is not None:
        d["subarea"] = area.subarea
    d["source"] = area.source
    return d


@dataclass(frozen=True)
class FourSides:
    """四至 (four sides): the zone lies within the named features on each side.

    ``sides`` in the order printed. ``exclude_features`` are named landmarks cut out
    (``（不含妙峰山和西山）``); ``exclude_land`` unnamed kinds of land cut out (``扣除山坡地``,
    ``（扣除丘陵山地）``), which only an analyst can draw. ``boundary_frontage`` adds frontage of
    the boundary roads (``其中道路含两侧…用地`` → "both"), ``boundary_frontage_m``
    deep, or the county's default depth when None. ``within`` is a lead-in that limits
    the zone (``县城``).
    """

    sides: tuple[SideBound, ...]
    exclude_grades: tuple[int, ...] = ()
    exclude_features: tuple[str, ...] = ()
    exclude_land: tuple[str, ...] = ()
    boundary_frontage: BoundaryFrontage | None = None
    boundary_frontage_m: float | None = None
    within: str | None = None
    subarea: str | None = None
    source: str | None = field(default=None, compare=False)
    kind: str = field(default="four_sides", init=False)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": "four_sides", "sides": [s.to_dict() for s in self.sides]}
        if self.exclude_land:
            d["exclude_land"] = list(self.exclude_land)
        if self.boundary_frontage is not None:
            d["boundary_frontage"] = self.boundary_frontage
            d["boundary_frontage_m"] = num(self.boundary_frontage_m)
        if self.within is not None:
            d["within"] = self.within
        return d | area_tail(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FourSides:
        return cls(
            sides=tuple(SideBound.from_dict(s) for s in d["sides"]),
            exclude_grades=tuple(d.get("exclude_grades") or ()),
            exclude_features=tuple(d.get("exclude_features") or ()),
            exclude_land=tuple(d.get("exclude_land") or ()),
            boundary_frontage=d.get("boundary_frontage"),
            boundary_frontage_m=d.get("boundary_frontage_m"),
            within=d.get("within"),
            subarea=d.get("subarea"),
            source=d.get("source"),
        )


@dataclass(frozen=True)
class Walk:
    """A closed boundary walked turn by turn (西起…向南…折向东…穿越…与起点形成闭合线).

    The zone is the inside of the closed line the steps trace (:class:`WalkStep` says what each
    step means). Features the walk only crosses (穿越) are not boundary.
    """

    steps: tuple[WalkStep, ...]
    exclude_grades: tuple[int, ...] = ()
    exclude_features: tuple[str, ...] = ()
    subarea: str | None = None
    source: str | None = field(default=None, compare=False)
    kind: str = field(default="walk", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "walk", "steps": [s.to_dict() for s in self.steps]} | area_tail(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Walk:
        return cls(
            steps=tuple(WalkStep.from_dict(s) for s in d["steps"]),
            exclude_grades=tuple(d.get("exclude_grades") or ()),
            exclude_features=tuple(d.get("exclude_features") or ()),
            subarea=d.get("subarea"),
            source=d.get("source"),
        )


@dataclass(frozen=True)
class Frontage:
    """Frontage along features: ``width_m`` deep on ``side`` of them, or on both sides.

    ``side`` None means both sides (``…等街道两侧地区``, ``沿街道两侧``); a direction means that
    side only (``三环路东侧宽200米范围内`` → E, 200; ``南昆高速南侧200米区域`` → S, 200).
    ``width_m`` None means the text gives no depth: the county's ``default_frontage_m``
    (metadata.json) applies, or an analyst's decision — never a guessed number.
    ``from_``/``to`` limit the stretch (None, None: the whole feature inside the extent).
    """

    items: tuple[RingItem, ...]
    side: Direction | None = None
    width_m: float | None = None
    from_: str | None = None
    to: str | None = None
    exclude_grades: tuple[int, ...] = ()
    exclude_features: tuple[str, ...] = ()
    subarea: str | None = None
    source: str | None = field(default=None, compare=False)
    kind: str = field(default="frontage", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "frontage",
            "items": [i.to_dict() for i in self.items],
            "side": self.side,
            "width_m": num(self.width_m),
            "from": self.from_,
            "to": self.to,
        } | area_tail(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Frontage:
        return cls(
            items=tuple(RingItem.from_dict(i) for i in d["items"]),
            side=d.get("side"),
            width_m=d.get("width_m"),
            from_=d.get("from"),
            to=d.get("to"),
            exclude_grades=tuple(d.get("exclude_grades") or ()),
            exclude_features=tuple(d.get("exclude_features") or ()),
            subarea=d.get("subarea"),
            source=d.get("source"),
        )


@dataclass(frozen=True)
class AdminArea:
    """The land of named administrative units (行政区域): 街道 (subdistricts), 镇, 乡, 村, 社区.

    ``展览路街道办事处所辖地域`` → units ("展览路街道办事处",); ``新兴镇、象溪镇…行政区域内`` → four
    units. ``part`` is a restriction the text adds that is not a boundary list
    (``西直门外部分``, ``部分地域``): the builder cannot cut it without an analyst. ``within``
    limits the units (``县城``). The units' outlines come from an administrative boundary layer.
    """

    units: tuple[str, ...]
    part: str | None = None
    within: str | None = None
    exclude_grades: tuple[int, ...] = ()
    exclude_features: tuple[str, ...] = ()
    subarea: str | None = None
    source: str | None = field(default=None, compare=False)
    kind: str = field(default="admin", init=False)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "admin", "units": list(self.units), "part": self.part,
                "within": self.within} | area_tail(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AdminArea:
        return cls(
            units=tuple(d["units"]),
            part=d.get("part"),
            within=d.get("within"),
            exclude_grades=tuple(d.get("exclude_grades") or ()),
            exclude_features=tuple(d.get("exclude_features") or ()),
            subarea=d.get("subarea"),
            source=d.get("source"),
        )


__all__ = ["AdminArea", "BoundaryFrontage", "Direction", "FourSides", "Frontage", "Walk",
           "area_tail"]
