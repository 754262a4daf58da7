"""The line a boundary item stands for, beyond a named road or river: offsets, edges and walls.

A :class:`~landgrade.gazette.rules.RingItem` names a feature; the boundary it means is:

- the feature's own line (a road, river or railway: :func:`landgrade.build.lines.item_line`,
  with its decisions and aliases); a planned road (``规划三环路``, ``planned``) is looked up
  under its name, then under ``规划`` + its name;
- with an ``offset`` (``金昌路以南40米处``, ``上渡路东南侧100米``): the line parallel to the
  feature, ``distance_m`` from its **centreline** on the named side. On a dual carriageway the
  centreline is halfway between the carriageways, so the line is the carriageway on that side
  moved out by the distance less half their separation. An offset without a side takes the
  side the caller says (a walk: the side its current point is on);
- with a ``landmark`` and an ``edge`` (``王岘乡北围墙``: the north wall of 王岘乡;
  ``晋安区行政区划东界线``: the east line of 晋安区): the part of the landmark's outline whose
  outward face looks that way (within 60°), from the landmark layer or the administrative
  boundary layer; a landmark drawn as a point gives a straight line through it, square to that
  direction, across the extent;
- a landmark without an edge (``牛港山山麓``, ``扬廷水库``) bounding a zone that lies in a known
  direction from it: the part of its outline facing the zone.

:class:`Boundary` carries the line, the road it runs along when there is one (for junctions and
frontage strips), and notes for the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from landgrade.build.context import BuildContext, BuildError, join_notes
from landgrade.build.lines import item_line
from landgrade.build.report import ReportRow
from landgrade.gazette.rules import RingItem
from landgrade.network.junctions import COMPASS, DUAL_CARRIAGEWAY_M, BaseLine
from landgrade.text import normalize

# An outline segment belongs to the edge facing a direction when its outward normal is within
# 60° of it (a rectangle's north edge, a diamond's two northern edges).
_EDGE_COS = 0.5
# A dual road's centreline is found this often along it (metres).
_CENTRE_STEP_M = 5.0


@dataclass
class Boundary:
    """The line an item stands for (``line``), the road or river it follows (``base``; None for
    an edge, a point landmark's line or an offset) and what the report should say of it."""

    line: BaseGeometry
    base: BaseLine | None
    label: str
    notes: list[str] = field(default_factory=list)


def item_boundary(ctx: BuildContext, clause: str, number: str, item: RingItem, row: ReportRow,
                  facing: str | None = None, near: Point | None = None) -> Boundary:
    """The boundary ``item`` stands for (see the module docstring).

    ``facing`` is the direction from the boundary towards the zone, where the caller knows it
    (a 四至 side 东至X: the zone lies west of X, ``facing="W"``); an edge-less landmark takes
    the part of its outline facing that way. ``near`` is a point on the zone's side, for an
    offset that names no side."""
    context = f"clause {clause} item {number} ({item.feature})"
    landmark = _landmark_name(ctx, item)
    if landmark is not None:
        return _landmark_boundary(ctx, item, landmark, facing, context)
    feature = item.feature
    if item.planned and not ctx.network.has(feature) and ctx.network.has("规划" + feature):
        feature = "规划" + feature
    if item.planned and not ctx.network.has(feature):
        raise BuildError(f"{context}: the planned road {item.feature} (规划) is not in the "
                         "network; draw it in the roads layer (under its name or 规划"
                         f"{item.feature}) or add a decision")
    base = item_line(ctx, clause, number, feature, item.qualifier, row)
    if item.offset is None:
        return Boundary(base.geom, base, base.label)
    # No side in the text (规划北京路100米处): the side of the walk's point, or the zone's side.
    side = item.offset.side or _side_of_point(base, near) or facing
    if side is None:
        raise BuildError(f"{context}: {item.feature} {item.offset.distance_m:g} m: the text "
                         "names no side of it and the clause gives none; add a decision")
    line, note = offset_line(base, side, item.offset.distance_m)
    label = f"{base.label} {side} {item.offset.distance_m:g} m"
    return Boundary(line, None, label, [note])


def resolved_boundary(ctx: BuildContext, clause: str, number: str, item: RingItem,
                      row: ReportRow, facing: str | None = None,
                      near: Point | None = None) -> Boundary:
    """:func:`item_boundary` for one of several items sharing ``row``: the row gets the item's
    warnings and decision, not its feature note (the caller words the row)."""
    scratch = ReportRow(row.kind, row.clause, grade=row.grade, area=row.area, item=number)
    found = item_boundary(ctx, clause, number, item, scratch, facing, near)
    if scratch.warnings:
        row.warn(scratch.warnings)
    if scratch.decision:
        row.decision = join_notes(row.decision, scratch.decision)
    return found


def offset_line(base: BaseLine, side: str, distance: float) -> tuple[BaseGeometry, str]:
    """The line ``distance`` metres on ``side`` of a road's centreline, and a note saying how.

    The centreline (:func:`centrelines`) is the road's own line, or halfway between the
    carriageways of a dual road, point by point; the line is it moved out by ``distance``."""
    u = np.array(COMPASS[side])
    mids = centrelines(list(base.parts), side)
    out = [shapely.offset_curve(c, _hand(c, u) * distance, join_style="round") for c, _ in mids]
    gaps = [gap for _, gap in mids]
    line = shapely.union_all(out) if out else shapely.LineString()
    how = (f"{distance:g} m {side} of the centreline, halfway between carriageways "
           f"up to {max(gaps):.1f} m apart" if gaps and max(gaps) > 0
           else f"{distance:g} m {side} of the road")
    return line, how


def centrelines(lines: list[LineString], side: str) -> list[tuple[LineString, float]]:
    """The road's centreline(s), with the widest gap between carriageways along each.

    Each carriageway with no other one beside it on ``side`` (the outer one on that side; a
    single carriageway) gives one: every vertex of it (densified to
    :data:`_CENTRE_STEP_M`) moved halfway to the nearest point of the carriageways beside it,
    where there is one within :data:`DUAL_CARRIAGEWAY_M`, so a median that widens or narrows
    is followed."""
    out = []
    for c, others in outer_carriageways(lines, side):
        if not others:
            out.append((c, 0.0))
            continue
        dense = shapely.segmentize(c, _CENTRE_STEP_M)
        xy = shapely.get_coordinates(dense)
        pts = shapely.points(xy)
        beside = shapely.union_all(others)
        near = shapely.get_coordinates(shapely.shortest_line(pts, beside)).reshape(-1, 2, 2)[:, 1]
        gap = np.hypot(*(near - xy).T)
        mid = np.where((gap <= DUAL_CARRIAGEWAY_M)[:, None], (xy + near) / 2, xy)
        out.append((LineString(mid), float(gap[gap <= DUAL_CARRIAGEWAY_M].max(initial=0.0))))
    return out


def outer_carriageways(lines: list[LineString], side: str
                       ) -> list[tuple[LineString, list[LineString]]]:
    """The carriageways with no other one beside them (within :data:`DUAL_CARRIAGEWAY_M`) on
    ``side``, each with the carriageways beside it on the other side (none for a single one)."""
    u = np.array(COMPASS[side])
    out = []
    for c in lines:
        if c.length <= 0:
            continue
        mid = shapely.line_interpolate_point(c, 0.5, normalized=True)
        beside, toward = [], []
        for o in lines:
            if o is c or o.length <= 0 or shapely.distance(mid, o) > DUAL_CARRIAGEWAY_M:
                continue
            near = shapely.get_coordinates(shapely.shortest_line(mid, o))
            toward.append(float((near[1] - near[0]) @ u))
            beside.append(o)
        if any(t > 1e-6 for t in toward):
            continue  # an inner carriageway: the outer one on this side gives the line
        out.append((c, beside))
    return out


def centreline_band(lines: list[LineString], side: str, depth: float) -> BaseGeometry:
    """The band ``depth`` metres deep on ``side`` of a road, measured from its centreline
    (halfway between the carriageways of a dual road; the line itself for a single one)."""
    from landgrade.build.geometry import one_sided_strip

    bands = [one_sided_strip(c, side, depth)[0] for c, _ in centrelines(lines, side)]
    return shapely.union_all(bands) if bands else shapely.Polygon()


def _hand(part: LineString, u: np.ndarray) -> float:
    """+1 where ``u`` lies on the line's left (shapely's positive offset), else −1; judged over
    the whole line, segment by segment, weighted by length."""
    c = shapely.get_coordinates(part)
    d = np.diff(c, axis=0)
    left = np.column_stack([-d[:, 1], d[:, 0]])  # left normals, scaled by segment length
    return 1.0 if float((left @ u).sum()) >= 0 else -1.0


def _side_of_point(base: BaseLine, near: Point | None) -> str | None:
    """The compass side (E/W/N/S) of the road ``near`` lies on, judged square to the road."""
    if near is None:
        return None
    foot = shapely.get_coordinates(shapely.shortest_line(near, base.geom))[1]
    v = np.array([near.x, near.y]) - foot
    if not np.hypot(*v):
        return None
    return max(("E", "W", "N", "S"), key=lambda s: float(v @ np.array(COMPASS[s])))


def _landmark_name(ctx: BuildContext, item: RingItem) -> str | None:
    """The landmark (or administrative unit) an item is an edge or foot of, if it is one: the
    item's own name when the network draws it as a landmark, else its ``landmark``."""
    net = ctx.network
    for name in (item.feature, item.landmark):
        if name and net.has(name) and net.kind(name) in ("landmark", "admin"):
            return name
    if item.landmark is not None:
        raise BuildError(
            f"{item.feature}: no landmark named {item.landmark!r} (nor {item.feature!r}) in the "
            f"landmarks{' or administrative' if net.admin is not None else ''} layer; closest: "
            f"{', '.join(net.suggest(item.landmark)) or 'none'}. Add it to the landmarks layer "
            "(a polygon, or a point), or an alias")
    return None


def _landmark_boundary(ctx: BuildContext, item: RingItem, name: str, facing: str | None,
                       context: str) -> Boundary:
    geom = ctx.network.feature(name, context)
    own = normalize(name) == normalize(item.feature)
    direction = item.edge if item.edge is not None and not own else facing
    dim = shapely.get_dimensions(geom)
    if dim == 1:
        return Boundary(geom, None, name, [f"{name}: the line drawn in the landmarks layer"])
    if direction is None:
        raise BuildError(f"{context}: {name} is a landmark; the text names no edge of it and the "
                         "clause gives no side: name its edge (e.g. 北围墙) or add a decision")
    if dim == 0:
        line = _line_through(shapely.get_coordinates(geom).mean(axis=0), direction, ctx.extent)
        return Boundary(line, None, f"{name} {direction}",
                        [f"{name} is a point: a straight line through it, square to "
                         f"{direction}, stands for its {direction} edge"])
    edge = polygon_edge(geom, direction)
    if edge.is_empty:
        raise BuildError(f"{context}: {name} has no outline facing {direction}")
    return Boundary(edge, None, f"{name} {direction}",
                    [f"{name}: the {direction}-facing part of its outline ({edge.length:.0f} m)"])


def polygon_edge(geom: BaseGeometry, direction: str) -> BaseGeometry:
    """The part of a polygon's outline whose outward normal looks within 60° of ``direction``."""
    u = np.array(COMPASS[direction])
    polys = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and p.area > 0]
    runs: list[LineString] = []
    for p in polys:
        c = shapely.get_coordinates(shapely.orient_polygons(p).exterior)  # counter-clockwise
        d = np.diff(c, axis=0)
        length = np.hypot(d[:, 0], d[:, 1])
        ok = length > 0
        normal = np.column_stack([d[:, 1], -d[:, 0]])  # outward for a counter-clockwise ring
        keep = np.zeros(len(d), dtype=bool)
        keep[ok] = (normal[ok] @ u) / length[ok] >= _EDGE_COS
        runs += [LineString(c[k:k + 2]) for k in np.flatnonzero(keep)]
    if not runs:
        return LineString()
    return shapely.line_merge(shapely.union_all(runs))


def _line_through(xy: np.ndarray, direction: str, extent: BaseGeometry) -> LineString:
    """A straight line through ``xy`` square to ``direction``, reaching across the extent."""
    u = np.array(COMPASS[direction])
    along = np.array([-u[1], u[0]])
    minx, miny, maxx, maxy = extent.bounds
    reach = 2 * float(np.hypot(maxx - minx, maxy - miny))
    return LineString([xy - reach * along, xy + reach * along])


def boundary_base(ctx: BuildContext, clause: str, number: str, item: RingItem, row: ReportRow,
                  facing: str | None = None) -> BaseLine:
    """The line a ring item or region bound runs along, as a :class:`BaseLine`: the feature's
    own (:func:`landgrade.build.lines.item_line`, exactly as before for a plain name), or, for an
    item with an offset, a landmark edge or a planned road, the line it stands for."""
    plain = (item.offset is None and item.landmark is None and item.edge is None
             and not item.planned and not (ctx.network.has(item.feature)
                                           and ctx.network.kind(item.feature) == "admin"))
    if plain:
        return item_line(ctx, clause, number, item.feature, item.qualifier, row)
    found = item_boundary(ctx, clause, number, item, row, facing)
    for note in found.notes:
        row.features = join_notes(row.features, note)
    if found.base is not None:
        return found.base
    return BaseLine(found.line, found.label)
