"""四至 (four sides): the zone that reaches the named features on each side.

``东至A、B；南至C；西至D；北至E范围内的地块`` (and ``北以X为界…``, ``东北至…``, ``南和西南至…``)
names, for each side of the zone, the features that bound it there, in order. Each side is
drawn as one line: its items' boundaries (:mod:`landgrade.build.boundaries`: roads, offsets,
walls and landmark edges) in the order printed, joined straight across where two of them do not
meet. The zone is then every part of the extent from which, looking in each side's direction
(or one of them: 南和西南), that side's line lies ahead — the faces the side lines and the
extent line cut the extent into, each kept when it passes every side's test.

Where every side meets the next (going round the compass), the zone is *closed through the
junctions of its sides*: the block the side lines enclose. Where two neighbouring sides do not
meet, each side's loose ends are run on straight until they meet another side or the extent
line, and the zone is the *intersection of the sides' half-planes*; the report says which, and
names the corners that did not meet. A missing side (no 西至) leaves the zone open to the extent
line on that side. ``boundary_frontage`` adds the frontage of the boundary roads (其中道路含两侧
…用地), the stated depth or the county's default; ``exclude_land`` (扣除山坡地) needs an analyst's
layer and is a warning; ``within`` (平溪江以南) clips the zone to a half-plane.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from landgrade.build.boundaries import Boundary, resolved_boundary
from landgrade.build.context import BuildContext, Clause, frontage_depth, join_notes
from landgrade.build.geometry import GRID_M, extend_to_extent, polygonal
from landgrade.build.region import HALF_PLANE_TEXT, half_plane_named
from landgrade.build.report import ReportRow
from landgrade.gazette.rules import FourSides, SideBound
from landgrade.network.junctions import COMPASS

# Neighbouring sides (going round the compass) at most this far apart in direction form a
# corner; N and S with no side between them do not.
_CORNER_MAX_DEG = 135.0
_CHINESE = {"E": "东", "W": "西", "S": "南", "N": "北", "NE": "东北", "SE": "东南", "SW": "西南",
            "NW": "西北"}


@dataclass
class _Side:
    """One side as drawn: its directions, its line (items joined), report row and items."""

    number: int
    directions: tuple[str, ...]
    line: BaseGeometry
    row: ReportRow
    bounds: list[Boundary]

    @property
    def vector(self) -> np.ndarray:
        v = np.sum([COMPASS[d] for d in self.directions], axis=0)
        return v / (np.hypot(*v) or 1.0)

    @property
    def angle(self) -> float:
        return float(np.degrees(np.arctan2(self.vector[1], self.vector[0])))


def draw_four_sides(ctx: BuildContext, clause: Clause, fs: FourSides) -> BaseGeometry:
    """The zone each side's features bound, as the module docstring describes."""
    head = ReportRow("four_sides", clause.id, text=_wording(fs.sides), grade=clause.grade,
                     area=clause.area)
    ctx.rows.append(head)
    sides = [_draw_side(ctx, clause, k, s) for k, s in enumerate(fs.sides, start=1)]
    corners, missing = _corners(sides, ctx.tolerance_m)
    open_corners = [(a, b, gap) for a, b, gap in corners if gap > ctx.tolerance_m]
    if open_corners:
        for s in sides:
            others = shapely.union_all([o.line for o in sides if o is not s])
            ext = extend_to_extent(s.line, ctx.extent, stop_at=others)
            if ext.grown_m > ctx.tolerance_m:
                s.row.features = join_notes(s.row.features, f"run on up to {ext.grown_m:.1f} m "
                                            "to meet the next side or the extent line")
            s.line = ext.line
        gaps = ", ".join(f"{_side_name(a)} and {_side_name(b)} ({gap:.1f} m apart)"
                         for a, b, gap in open_corners)
        head.features = join_notes(head.features, "drawn as the intersection of the sides' "
                                   f"half-planes: {gaps} do not meet, so each side is run on "
                                   "straight to the next")
    else:
        head.features = join_notes(head.features, "closed through the junctions of its sides")
    if missing:
        head.features = join_notes(head.features, f"no {', '.join(missing)} side: open to the "
                                   "extent line there")
    area = _faces_within(ctx, sides)
    if fs.within:
        within = (half_plane_named(ctx, fs.within, clause.id, head)
                  if HALF_PLANE_TEXT.match(fs.within) else None)
        if within is None:
            head.warn(f"lead-in {fs.within!r} is not drawn (not a half-plane or a feature the "
                      "network knows); the zone is not limited by it")
        else:
            area = polygonal(shapely.intersection(area, within, grid_size=GRID_M))
    if fs.boundary_frontage is not None:
        area = _with_frontage(ctx, clause, fs, sides, area, head)
    for land in fs.exclude_land:
        head.warn(f"{land} (扣除{land}) is not cut out: the network has no layer of it; an "
                  "analyst must draw it")
    pieces = [p for p in shapely.get_parts(area) if p.area > 1.0]
    if not pieces:
        head.impossible("no part of the extent lies within every side")
    elif len(pieces) > 1:
        head.warn(f"the zone is in {len(pieces)} separate pieces (check the sides on the review "
                  "page)")
    head.area_m2 = float(area.area)
    ctx.record(head, area=area)
    for s in sides:
        ctx.record(s.row, line=s.line)
    return area


def _draw_side(ctx: BuildContext, clause: Clause, k: int, side: SideBound) -> _Side:
    """One side's line: its items' boundaries in printed order, joined where they do not meet."""
    row = ReportRow("item", clause.id, text=_wording((side,)), grade=clause.grade,
                    area=clause.area, item=str(k))
    draft = _Side(k, tuple(side.directions), LineString(), row, [])
    toward = _nearest_direction(-draft.vector)  # from the side's features towards the zone
    bounds = [resolved_boundary(ctx, clause.id, f"{k}.{j}", it, row, facing=toward)
              for j, it in enumerate(side.items, start=1)]
    lines = [b.line for b in bounds]
    joins, notes = [], [n for b in bounds for n in b.notes]
    for a, b, bb in zip(lines, lines[1:], bounds[1:], strict=False):
        gap = float(shapely.distance(a, b))
        if gap > ctx.tolerance_m:
            joins.append(shapely.shortest_line(a, b))
            notes.append(f"joined to {bb.label} across {gap:.1f} m")
    row.features = "; ".join([" + ".join(b.label for b in bounds), *notes])
    draft.line = shapely.union_all([*lines, *joins])
    draft.bounds = bounds
    row.length_m = float(shapely.length(shapely.intersection(draft.line, ctx.extent)))
    ctx.rows.append(row)
    return draft


def _corners(sides: list[_Side], tol: float) -> tuple[list[tuple[_Side, _Side, float]],
                                                       list[str]]:
    """Neighbouring sides round the compass, and how far apart their lines are; and the
    compass sides left out between two sides that are too far apart to form a corner."""
    order = sorted(sides, key=lambda s: s.angle)
    if len(order) < 2:
        return [], []
    corners, missing = [], []
    for a, b in zip(order, order[1:] + order[:1], strict=True):
        turn = (b.angle - a.angle) % 360.0 or 360.0
        if turn > _CORNER_MAX_DEG:
            mid = np.radians(a.angle + turn / 2)
            missing.append(_CHINESE[_nearest_direction(np.array([np.cos(mid), np.sin(mid)]))])
            continue
        corners.append((a, b, float(shapely.distance(a.line, b.line))))
    return corners, missing


def _faces_within(ctx: BuildContext, sides: list[_Side]) -> BaseGeometry:
    """The faces of the extent (cut by every side line) from which each side lies ahead in one
    of its directions."""
    extent = ctx.extent
    lines = [shapely.intersection(s.line, shapely.buffer(extent, 1.0)) for s in sides]
    noded = shapely.node(shapely.union_all([shapely.boundary(extent), *lines]))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    faces = faces[shapely.area(faces) > 0]
    probe = shapely.point_on_surface(faces)
    faces = faces[shapely.contains(extent, probe)]
    probe = shapely.point_on_surface(faces)
    if not len(faces):
        return Polygon()
    minx, miny, maxx, maxy = extent.bounds
    reach = 2 * float(np.hypot(maxx - minx, maxy - miny))
    xy = shapely.get_coordinates(probe)
    keep = np.ones(len(faces), dtype=bool)
    for s in sides:
        ahead = np.zeros(len(faces), dtype=bool)
        for d in s.directions:
            u = np.array(COMPASS[d])
            rays = shapely.linestrings(np.stack([xy, xy + reach * u], axis=1))
            ahead |= shapely.intersects(rays, s.line)
        keep &= ahead
    chosen = faces[keep]
    return shapely.union_all(chosen, grid_size=GRID_M) if len(chosen) else Polygon()


def _with_frontage(ctx: BuildContext, clause: Clause, fs: FourSides, sides: list[_Side],
                   area: BaseGeometry, head: ReportRow) -> BaseGeometry:
    """The zone plus the frontage of its boundary roads (其中道路含两侧…用地): the stretches
    of the side lines along the zone's edge, buffered by the depth (on both sides: the inner
    side is in the zone already)."""
    depth = frontage_depth(ctx, clause, fs.boundary_frontage_m, "boundary road frontage", head)
    edge = shapely.buffer(shapely.boundary(area), max(ctx.tolerance_m, 1.0))
    roads = [b.line for s in sides for b in s.bounds if b.base is not None]
    if not roads or area.is_empty:
        head.warn("boundary frontage: no boundary road to take frontage along")
        return area
    along = shapely.intersection(shapely.union_all(roads), edge)
    strip = shapely.buffer(along, depth, cap_style="flat", join_style="mitre")
    head.features = join_notes(head.features, f"boundary roads' frontage {depth:g} m "
                               f"({fs.boundary_frontage})")
    return shapely.union(area, strip, grid_size=GRID_M)


def _nearest_direction(v: np.ndarray) -> str:
    """The compass direction (of eight) nearest to a vector."""
    return max(COMPASS, key=lambda d: float(np.array(COMPASS[d]) @ v))


def _side_name(s: _Side) -> str:
    return "".join(_CHINESE[d] for d in s.directions) + "侧"


def _wording(sides: tuple[SideBound, ...]) -> str:
    """The sides as the gazette words them: 北至A、B；东至C."""
    return "；".join("和".join(_CHINESE[d] for d in s.directions) + "至"
                    + "、".join(i.feature for i in s.items) for s in sides)

