"""四至 (four sides): the zone that reaches the named features on each side.

``东至A、B；南至C；西至D；北至E范围内的地块`` (and ``北以X为界…``, ``东北至…``, ``南和西南至…``)
names, for each side of the zone, the features that bound it there, in order. Each item is the
boundary it stands for (:mod:`landgrade.build.boundaries`: a road, an offset line, a wall or a
landmark's edge facing the zone).

- **Closed through the junctions of its sides**: where, going round the compass (E, NE, N, …),
  every side meets the next, the sides' features are one ring (each side's items in the order
  printed, or reversed where that is the way they meet the sides around them) and the zone is
  drawn exactly as a ring is (:func:`landgrade.build.ring.draw_ring`: junctions chosen
  consistently, dual carriageways, junction rows in the report).
- **The intersection of half-planes**: where two neighbouring sides do not meet (a wall, an
  offset line or a road that stops short), or a side is missing (no 西至), each side is one
  line (its items joined straight across where they do not meet) and the zone is the part of
  the extent on the zone's side of every one of them (:func:`landgrade.build.region.half_plane`:
  the line run on to the extent line, the report says how far).

The report's first row of the clause says which, and names the corners that did not meet.
``boundary_frontage`` adds the frontage of the boundary roads (其中道路含两侧…用地), the stated
depth or the county's default; ``exclude_land`` (扣除山坡地) needs an analyst's layer and is a
warning; ``within`` (平溪江以南) clips the zone to a half-plane.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from landgrade.build.boundaries import Boundary, resolved_boundary
from landgrade.build.context import BuildContext, BuildError, Clause, frontage_depth, join_notes
from landgrade.build.geometry import GRID_M, polygonal
from landgrade.build.region import HALF_PLANE_TEXT, check_part, half_plane, half_plane_named
from landgrade.build.report import ReportRow
from landgrade.build.ring import draw_ring
from landgrade.gazette.rules import FourSides, Ring, RingItem, SideBound
from landgrade.network.junctions import COMPASS, BaseLine

_CHINESE = {"E": "东", "W": "西", "S": "南", "N": "北", "NE": "东北", "SE": "东南", "SW": "西南",
            "NW": "西北"}
# At most this many orders of a side's items are tried for a closed ring.
_MAX_ORDERS = 64


@dataclass
class _Side:
    """One side as resolved: its directions, items and their boundaries, and its report row."""

    number: int
    directions: tuple[str, ...]
    items: tuple[RingItem, ...]
    bounds: list[Boundary]
    row: ReportRow

    @property
    def vector(self) -> np.ndarray:
        v = np.sum([COMPASS[d] for d in self.directions], axis=0)
        return v / (np.hypot(*v) or 1.0)

    @property
    def angle(self) -> float:
        return float(np.degrees(np.arctan2(self.vector[1], self.vector[0]))) % 360.0

    @property
    def zone_side(self) -> str:
        """The compass side of its features the zone lies on (东至X: west of X)."""
        return nearest_direction(-self.vector)


def draw_four_sides(ctx: BuildContext, clause: Clause, fs: FourSides) -> BaseGeometry:
    """The zone each side's features bound, as the module docstring describes."""
    head = ReportRow("four_sides", clause.id, text=_wording(fs.sides), grade=clause.grade,
                     area=clause.area)
    ctx.rows.append(head)
    sides = sorted((_resolve_side(ctx, clause, k, s) for k, s in enumerate(fs.sides, start=1)),
                   key=lambda s: s.angle)
    gaps = [(a, b, _gap(a, b)) for a, b in zip(sides, sides[1:] + sides[:1], strict=True)]
    open_corners = [(a, b, g) for a, b, g in gaps if g > ctx.tolerance_m] if len(sides) > 1 else []
    area = None
    as_ring = False
    if len(sides) > 1 and not open_corners:
        order = _ring_order(ctx, sides)
        if order is not None:
            try:
                area = draw_ring(ctx, clause, Ring(order), head=head)
                as_ring = True
                head.features = join_notes(head.features, "closed through the junctions of "
                                           "its sides (drawn as a ring)")
            except BuildError as e:
                head.features = join_notes(head.features, f"the sides meet but do not close "
                                           f"as a ring ({e})")
    if area is None:
        area = _half_planes(ctx, sides, head)
        why = ("; ".join(f"{_side_name(a)} and {_side_name(b)} do not meet ({g:.1f} m apart)"
                         for a, b, g in open_corners) or "the sides do not close as a ring")
        head.features = join_notes(head.features, "drawn as the intersection of the sides' "
                                   f"half-planes: {why}")
    drawn = area
    area = _finish(ctx, clause, fs, sides, area, head)
    head.area_m2 = float(area.area)
    if not as_ring or not area.equals(drawn):  # a ring records its own area
        ctx.record(head, area=area)
    return area


def _resolve_side(ctx: BuildContext, clause: Clause, k: int, side: SideBound) -> _Side:
    """A side's items resolved to the boundaries they stand for (facing the zone)."""
    row = ReportRow("item", clause.id, text=_wording((side,)), grade=clause.grade,
                    area=clause.area, item=str(k))
    s = _Side(k, tuple(side.directions), tuple(side.items), [], row)
    s.bounds = [resolved_boundary(ctx, clause.id, f"{k}.{j}", it, row, facing=s.zone_side)
                for j, it in enumerate(side.items, start=1)]
    return s


def _gap(a: _Side, b: _Side) -> float:
    return float(shapely.distance(shapely.union_all([x.line for x in a.bounds]),
                                  shapely.union_all([x.line for x in b.bounds])))


def _ring_order(ctx: BuildContext, sides: list[_Side]) -> tuple[RingItem, ...] | None:
    """The sides' items as one ring, going round the compass: each side's items in the order
    printed or reversed, the first order in which every item meets the next; None if none."""
    tol = ctx.tolerance_m
    choices = [((False,) if len(s.items) == 1 else (False, True)) for s in sides]
    for k, flips in enumerate(itertools.product(*choices)):
        if k >= _MAX_ORDERS:
            break
        seq: list[tuple[RingItem, Boundary]] = []
        for s, flip in zip(sides, flips, strict=True):
            pairs = list(zip(s.items, s.bounds, strict=True))
            seq += pairs[::-1] if flip else pairs
        if all(shapely.distance(a[1].line, b[1].line) <= tol
               for a, b in zip(seq, seq[1:] + seq[:1], strict=True)):
            return tuple(it for it, _ in seq)
    return None


def _half_planes(ctx: BuildContext, sides: list[_Side], head: ReportRow) -> BaseGeometry:
    """The extent on the zone's side of every side's line (items joined where they part)."""
    area = ctx.extent
    for s in sorted(sides, key=lambda s: s.number):  # the report lists them as printed
        lines = [b.line for b in s.bounds]
        joins, notes = [], [n for b in s.bounds for n in b.notes]
        for a, b, bb in zip(lines, lines[1:], s.bounds[1:], strict=False):
            gap = float(shapely.distance(a, b))
            if gap > ctx.tolerance_m:
                joins.append(shapely.shortest_line(a, b))
                notes.append(f"joined to {bb.label} across {gap:.1f} m")
        s.row.features = "; ".join([" + ".join(b.label for b in s.bounds), *notes])
        label = "、".join(b.label for b in s.bounds)
        base = BaseLine(shapely.union_all([*lines, *joins]), label)
        half, bound = half_plane(ctx, base, s.zone_side, s.row, as_note=True)
        s.row.features = join_notes(s.row.features, f"the zone lies {s.zone_side} of it")
        s.row.length_m = float(shapely.length(shapely.intersection(base.geom, ctx.extent)))
        s.row.area_m2 = float(half.area)
        ctx.rows.append(s.row)
        ctx.record(s.row, line=bound, area=half)
        area = polygonal(shapely.intersection(area, half, grid_size=GRID_M))
    missing = _missing_sides(sides)
    if missing:
        head.features = join_notes(head.features, f"no {'、'.join(missing)} side: open to the "
                                   "extent line there")
    check_part(ctx, area, f"四至 {head.text}", head)
    return area


def _missing_sides(sides: list[_Side]) -> list[str]:
    """Compass sides (of N, E, S, W) no side's directions come within 45° of."""
    return [_CHINESE[d] for d in ("N", "E", "S", "W")
            if not any(float(np.array(COMPASS[d]) @ np.array(COMPASS[x])) > 0.7
                       for s in sides for x in s.directions)]


def _finish(ctx: BuildContext, clause: Clause, fs: FourSides, sides: list[_Side],
            area: BaseGeometry, head: ReportRow) -> BaseGeometry:
    """The lead-in limit, the boundary roads' frontage and the land that cannot be cut."""
    if fs.within:
        within = (half_plane_named(ctx, fs.within, clause.id, head)
                  if HALF_PLANE_TEXT.match(fs.within) else None)
        if within is None:
            head.warn(f"lead-in {fs.within!r} is not drawn (not a half-plane or a feature the "
                      "network knows); the zone is not limited by it")
        else:
            area = polygonal(shapely.intersection(area, within, grid_size=GRID_M))
    if fs.boundary_frontage is not None:
        depth = frontage_depth(ctx, clause, fs.boundary_frontage_m, "boundary road frontage",
                               head)
        roads = [b.line for s in sides for b in s.bounds if b.base is not None]
        edge = shapely.buffer(shapely.boundary(area), max(ctx.tolerance_m, 1.0))
        if roads and not area.is_empty:
            along = shapely.intersection(shapely.union_all(roads), edge)
            strip = shapely.buffer(along, depth, cap_style="flat", join_style="mitre")
            area = shapely.union(area, strip, grid_size=GRID_M)
            head.features = join_notes(head.features, f"boundary roads' frontage {depth:g} m "
                                       f"({fs.boundary_frontage})")
        else:
            head.warn("boundary frontage: no boundary road to take frontage along")
    for land in fs.exclude_land:
        head.warn(f"{land} (扣除{land}) is not cut out: the network has no layer of it; an "
                  "analyst must draw it")
    pieces = [p for p in shapely.get_parts(area) if p.area > 1.0]
    if len(pieces) > 1:
        head.warn(f"the zone is in {len(pieces)} separate pieces (check the sides on the review "
                  "page)")
    return area


def nearest_direction(v: np.ndarray) -> str:
    """The compass direction (of eight) nearest to a vector."""
    return max(COMPASS, key=lambda d: float(np.array(COMPASS[d]) @ v))


def _side_name(s: _Side) -> str:
    return "".join(_CHINESE[d] for d in s.directions) + "侧"


def _wording(sides: tuple[SideBound, ...]) -> str:
    """The sides as the gazette words them: 北至A、B；东至C."""
    return "；".join("和".join(_CHINESE[d] for d in s.directions) + "至"
                    + "、".join(i.feature for i in s.items) for s in sides)
