"""The pieces areas are made of: features, sides, offsets and walk steps.

A *feature* (地物) is a named thing a boundary follows: a road, river, railway, a wall of a unit's
compound (围墙), the edge of a park (公园北边界), a hill foot (山麓), an administrative line
(行政区划东界线). :class:`RingItem` is the one reference to a feature every area kind uses.

Directions are compass letters: ``"E" | "W" | "S" | "N"`` and, for 四至 and offsets,
``"NE" | "SE" | "SW" | "NW"`` (东北至, 东南侧100米). Widths and distances are metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Side = Literal["E", "W", "S", "N"]
SIDES: tuple[str, ...] = ("E", "W", "S", "N")
Direction = Literal["E", "W", "S", "N", "NE", "SE", "SW", "NW"]
DIRECTIONS: tuple[str, ...] = ("E", "W", "S", "N", "NE", "SE", "SW", "NW")

# What a feature is, as far as its printed name tells (a hint for the builder, never a guess
# the builder must trust): 路/街/大道 road, 江/河/渠 river, 铁路 rail, 围墙 wall, 边界/外围线 edge
# of a landmark, 界线 administrative or planning line, 山/山麓 hill, 水库/湖 water,
# 镇/村/街道 place, 中山东路75号 address (a house number: a point, not a line).
FEATURE_KINDS: tuple[str, ...] = (
    "road", "river", "rail", "wall", "edge", "admin_line", "hill", "water", "place", "unit",
    "line", "address",
)


@dataclass(frozen=True)
class Override:
    """A different strip on a sub-stretch of a ring item (健民路口至文昌路口段北侧为100米)."""

    from_: str
    to: str
    side: Side | None
    width_m: float

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.from_, "to": self.to, "side": self.side, "width_m": num(self.width_m)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Override:
        return cls(from_=d["from"], to=d["to"], side=d.get("side"), width_m=d["width_m"])


@dataclass(frozen=True)
class Offset:
    """A line parallel to a feature, ``distance_m`` away on ``side`` of it.

    ``金昌路以南40米处`` → side S, 40 m; ``上渡路东南侧100米`` → side SE, 100 m. ``side`` is None
    where the text gives only the distance (``规划北京路100米处``): the builder must ask which side.
    """

    side: Direction | None
    distance_m: float

    def to_dict(self) -> dict[str, Any]:
        return {"side": self.side, "distance_m": num(self.distance_m)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Offset:
        return cls(side=d.get("side"), distance_m=d["distance_m"])


@dataclass(frozen=True)
class RingItem:
    """One feature on a boundary (a ring, a 四至 side, a walk), with what the text adds to it.

    ``feature`` is the name as printed (``公安局东侧`` and ``河流东侧`` stay whole: they name a line
    beside a landmark or river, not a strip). A wall word shared by a 、-list is distributed:
    ``王岘乡、区林业局北围墙`` gives ``王岘乡北围墙`` and ``区林业局北围墙``.

    - ``side``/``width_m``/``overrides``: a strip of road frontage the zone takes on that side
      (含东侧16米, Dongkou); ``qualifier`` picks a stretch or an unnamed road
      (``平溪江以南段``, ``延长线``, ``北段(化工路至福新东路之间)``).
    - ``landmark``/``edge``: the feature is one edge of a landmark: ``王岘乡北围墙`` is the north
      (``edge="N"``) wall of ``landmark="王岘乡"``; ``莲花池公园北边界`` the north edge of
      莲花池公园; ``晋安区行政区划东界线`` the east line of 晋安区. The edge is the landmark's own
      face, NOT the side of the zone (a north wall can bound a zone on its south).
    - ``offset``: the boundary is not the feature but a line beside it (``金昌路以南40米处``).
    - ``planned``: a planned feature not yet built (规划三环路, ``（规划）``); the name is
      without 规划.
    - ``feature_kind``: one of :data:`FEATURE_KINDS` where the name says it, else None.
    """

    feature: str
    side: Side | None = None
    width_m: float | None = None
    overrides: tuple[Override, ...] = ()
    qualifier: str | None = None
    landmark: str | None = None
    edge: Direction | None = None
    offset: Offset | None = None
    planned: bool = False
    feature_kind: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "feature": self.feature,
            "side": self.side,
            "width_m": num(self.width_m),
            "overrides": [o.to_dict() for o in self.overrides],
            "qualifier": self.qualifier,
        }
        # the keys below appear only when said, so Dongkou's JSON stays as it always printed
        if self.landmark is not None or self.edge is not None:
            d["landmark"], d["edge"] = self.landmark, self.edge
        if self.offset is not None:
            d["offset"] = self.offset.to_dict()
        if self.planned:
            d["planned"] = True
        if self.feature_kind is not None:
            d["feature_kind"] = self.feature_kind
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RingItem:
        return cls(
            feature=d["feature"],
            side=d.get("side"),
            width_m=d.get("width_m"),
            overrides=tuple(Override.from_dict(o) for o in d.get("overrides") or ()),
            qualifier=d.get("qualifier"),
            landmark=d.get("landmark"),
            edge=d.get("edge"),
            offset=Offset.from_dict(d["offset"]) if d.get("offset") else None,
            planned=bool(d.get("planned", False)),
            feature_kind=d.get("feature_kind"),
        )


@dataclass(frozen=True)
class Bound:
    """One side of a feature that bounds a region (平溪江以南 → feature 平溪江, side S).

    ``item`` carries what else the text says of the feature (规划, an edge, a qualifier) where
    it says more than the name; ``feature`` is then ``item.feature``.
    """

    feature: str
    side: Side
    item: RingItem | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"feature": self.feature, "side": self.side}
        if self.item is not None:
            d["item"] = self.item.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Bound:
        item = RingItem.from_dict(d["item"]) if d.get("item") else None
        return cls(d["feature"], d["side"], item)


@dataclass(frozen=True)
class SideBound:
    """One side of a 四至 (four-sides) description: the zone reaches ``items`` on ``directions``.

    ``东至A、B`` → directions ("E",), items A, B in the order printed (the side runs along them
    in turn); ``北以X为界`` and ``北起X`` mean the same. ``南和西南至铁路`` → directions
    ("S", "SW"): one feature bounds two sides. Directions are the side of the ZONE the
    features lie on.
    """

    directions: tuple[Direction, ...]
    items: tuple[RingItem, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"directions": list(self.directions), "items": [i.to_dict() for i in self.items]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SideBound:
        return cls(tuple(d["directions"]), tuple(RingItem.from_dict(i) for i in d["items"]))


WalkOp = Literal["start", "head", "along", "to", "turn", "cross", "parallel", "extend", "close"]
WALK_OPS: tuple[str, ...] = (
    "start", "head", "along", "to", "turn", "cross", "parallel", "extend", "close",
)


@dataclass(frozen=True)
class WalkStep:
    """One step of a turn-by-turn boundary walk (西起…向南…折向东…与起点形成闭合线).

    ``op`` and what it uses:

    - ``start`` (西起X / 南起X): ``items`` name the starting point: one feature, or two whose
      crossing it is (``汉口路延长线,北京路以西100米处``: the 汉口路 extension where it meets the
      line 100 m west of 北京路; ``西起红棉路与荷新路交叉处``: 红棉路 and 荷新路);
      ``direction`` is the side of the zone the start lies on (西起 → W) where the text says it.
    - ``head`` (向南) / ``turn`` (折向东): ``direction`` the walk goes from here.
    - ``along`` (沿汉口路、长春路): the walk follows ``items`` in turn; they ARE boundary.
    - ``to`` (至X / 延伸至X处): the leg ends where it reaches ``items`` (a point on a feature or
      on an offset line; two items: where they cross, ``至A与B交叉处``).
    - ``cross`` (穿越西大街、金昌路): the walk crosses ``items``; they are NOT boundary.
    - ``parallel`` (平行西宁路 / 距离文昌路40米平行): the leg runs parallel to ``items[0]``,
      ``distance_m`` from it where said.
    - ``extend`` (延伸40米): the leg goes on ``distance_m`` in its direction.
    - ``close`` (与起点重合形成闭合线): back to the start; the walk is a closed ring.
    """

    op: WalkOp
    items: tuple[RingItem, ...] = ()
    direction: Direction | None = None
    distance_m: float | None = None
    qualifier: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "items": [i.to_dict() for i in self.items],
            "direction": self.direction,
            "distance_m": num(self.distance_m),
            "qualifier": self.qualifier,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> WalkStep:
        return cls(
            op=d["op"],
            items=tuple(RingItem.from_dict(i) for i in d.get("items") or ()),
            direction=d.get("direction"),
            distance_m=d.get("distance_m"),
            qualifier=d.get("qualifier"),
        )


def num(x: float | None) -> float | int | None:
    """Widths print as integers when whole, as the gazette writes them."""
    if x is None:
        return None
    return int(x) if float(x).is_integer() else float(x)
