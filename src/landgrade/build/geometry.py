"""The geometry the clause kinds share: pure functions of lines, sides and the extent.

Everything here is vectorised over segments or parts (no per-feature Python loop on a hot
path) and knows nothing of clauses, decisions or the report:

- :func:`one_sided_strip` — the strip of frontage on a compass side of a road, judged per
  segment from the road's own direction;
- :func:`side_of` — the faces of the extent on a compass side of a line (a half-plane);
- :func:`bridge_gaps` and :func:`extend_to_extent` — a road in sections joined across its gaps,
  and its loose ends run on to the extent line, so that it divides the extent;
- :func:`polygonal` and :func:`multipolygon` — the polygons of an overlay result.

All overlays run on the precision grid :data:`GRID_M`.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from landgrade.network.junctions import COMPASS, DUAL_CARRIAGEWAY_M

GRID_M = 0.001
"""The precision grid of every overlay (1 mm): "no overlap" and "union = extent" are exact."""

# A side that meets the road at less than this angle (|cos| of the normal) does not fit it.
_SIDE_FIT_MIN = 0.5
# A loose end's heading is taken over its last this many metres: long enough to ride over the
# kink of a snapped vertex, short enough to follow a road that bends before its end.
_END_HEADING_M = 20.0
# A narrow face is the median of a dual carriageway when the votes of the segments beside it
# balance within this share (a face truly on one side gets nearly all of them).
_MEDIAN_VOTE_BALANCE = 0.2


def one_sided_strip(line: LineString, side: str, width: float) -> tuple[BaseGeometry, float]:
    """The strip ``width`` metres deep on the compass ``side`` of a line.

    The side is judged per segment from the segment's own direction (so a curved road keeps the
    strip on its north side as it bends); runs of segments on the same hand are buffered single
    sided with flat ends and mitred joins. Returns the strip and the share of the length where
    the side does not fit the road (|cos| < 0.5 between the side and the road's normal).
    """
    c = shapely.get_coordinates(line)
    keep = np.r_[True, np.any(np.diff(c, axis=0) != 0, axis=1)]
    c = c[keep]
    if len(c) < 2:
        return Polygon(), 0.0
    d = np.diff(c, axis=0)
    seg = np.hypot(d[:, 0], d[:, 1])
    unit = d / seg[:, None]
    left_normal = np.column_stack([-unit[:, 1], unit[:, 0]])
    cx, cy = COMPASS[side]
    dot = left_normal @ np.array([cx, cy])
    left = dot >= 0
    misfit = float(seg[np.abs(dot) < _SIDE_FIT_MIN].sum() / seg.sum())
    # Runs of consecutive segments on the same hand become one single-sided buffer each.
    breaks = np.flatnonzero(np.diff(left.astype(int))) + 1
    starts = np.r_[0, breaks]
    stops = np.r_[breaks, len(seg)]
    runs = [LineString(c[s:e + 1]) for s, e in zip(starts, stops, strict=True)]
    dist = np.where(left[starts], width, -width)
    polys = shapely.buffer(np.array(runs, dtype=object), dist, single_sided=True,
                           cap_style="flat", join_style="mitre")
    return shapely.union_all(polys), misfit


def _loose_ends(parts: list[LineString], extent: BaseGeometry
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ends of ``parts`` that meet no other end and lie inside the extent: their
    coordinates, headings (unit vectors, outwards over the last ``_END_HEADING_M``) and part
    numbers."""
    tips, heads, owner = [], [], []
    ends = shapely.get_coordinates(shapely.boundary(np.array(parts, dtype=object)))
    for k, p in enumerate(parts):
        if p.is_closed:
            continue
        for at in (0.0, p.length):
            tip = shapely.get_coordinates(p.interpolate(at))[0]
            if np.sum(np.all(np.isclose(ends, tip), axis=1)) != 1:
                continue
            if not shapely.contains_xy(extent, *tip):
                continue
            back_at = abs(at - min(_END_HEADING_M, p.length))
            back = shapely.get_coordinates(p.interpolate(back_at))[0]
            d = tip - back
            tips.append(tip)
            heads.append(d / (np.hypot(*d) or 1.0))
            owner.append(k)
    return (np.array(tips, dtype=float).reshape(-1, 2), np.array(heads, dtype=float).reshape(-1, 2),
            np.array(owner, dtype=int))


def bridge_gaps(geom: BaseGeometry, extent: BaseGeometry,
                facing: float = 0.5) -> tuple[BaseGeometry, list[float]]:
    """Join a road's sections across the gaps between them (straight, facing end to facing end).

    Two loose ends inside the extent, of different parts, are joined when each lies ahead of
    the other (within 60° of its heading, ``facing`` = cos 60°): the two carriageways of a dual
    road end side by side, not facing, and are never joined to each other. Closest pairs first,
    each end once. Returns the line with the joins and the gap lengths (metres).
    """
    parts = [p for p in shapely.get_parts(shapely.line_merge(geom)) if p.geom_type == "LineString"]
    if len(parts) < 2:
        return geom, []
    tips, heads, owner = _loose_ends(parts, extent)
    if len(tips) < 2:
        return geom, []
    gap = tips[None, :, :] - tips[:, None, :]  # [i, j]: from tip i to tip j
    dist = np.hypot(gap[..., 0], gap[..., 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        ahead = np.einsum("ijk,ik->ij", gap, heads) / dist
    ok = (owner[:, None] != owner[None, :]) & (ahead > facing) & (ahead.T > facing)
    joins, used = [], set()
    for i, j in zip(*np.unravel_index(np.argsort(np.where(ok, dist, np.inf), axis=None),
                                      dist.shape), strict=True):
        if not ok[i, j] or i in used or j in used:
            continue
        used |= {int(i), int(j)}
        joins.append(LineString([tips[i], tips[j]]))
    if not joins:
        return geom, []
    return shapely.union_all([geom, *joins]), [float(j.length) for j in joins]


def extend_to_extent(geom: BaseGeometry, extent: BaseGeometry) -> tuple[BaseGeometry, float]:
    """Extend each loose end lying inside the extent straight on until it reaches the extent line.

    Returns the extended line clipped to the extent, and the longest extension in metres.
    """
    boundary = shapely.boundary(extent)
    minx, miny, maxx, maxy = extent.bounds
    reach = 2 * float(np.hypot(maxx - minx, maxy - miny))
    parts = [p for p in shapely.get_parts(shapely.line_merge(geom)) if p.geom_type == "LineString"]
    ends = shapely.get_coordinates(shapely.boundary(np.array(parts, dtype=object)))
    all_ends = {tuple(np.round(e, 6)) for e in ends}
    grown = 0.0
    extra = []
    for p in parts:
        c = shapely.get_coordinates(p)
        if p.is_closed:
            continue
        for tip, prev in ((c[-1], c[-2]), (c[0], c[1])):
            degree = sum(1 for e in ends if np.allclose(e, tip))
            if degree != 1 or tuple(np.round(tip, 6)) not in all_ends:
                continue
            on_line = shapely.distance(boundary, shapely.points(tip)) < 1e-6
            if not shapely.contains_xy(extent, *tip) and not on_line:
                continue
            if on_line:
                # An end drawn on the extent line (or a reprojection's 1e-9 m from it) is pushed
                # a metre across, so that it divides the extent for certain.
                u = (tip - prev) / np.hypot(*(tip - prev))
                extra.append(LineString([tip, tip + u]))
                continue
            u = (tip - prev) / np.hypot(*(tip - prev))
            ray = LineString([tip, tip + reach * u])
            hit = shapely.intersection(ray, boundary)
            pts = shapely.get_coordinates(hit)
            if len(pts) == 0:
                continue
            nearest = pts[np.argmin(np.hypot(*(pts - tip).T))]
            # Overshoot by a metre: a line that crosses the extent line is noded with it
            # exactly, whereas one ending on a computed point of it may miss it by 1e-9 m.
            extra.append(LineString([tip, nearest + u]))
            grown = max(grown, float(np.hypot(*(nearest - tip))))
    line = shapely.union_all([geom, *extra])
    return shapely.intersection(line, shapely.buffer(extent, 0.5, join_style="mitre")), grown


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygons of an overlay result (two areas that touch also give lines and points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = shapely.get_parts(shapely.get_parts(geom))
    polys = parts[shapely.get_type_id(parts) == 3]
    return shapely.multipolygons(polys) if len(polys) else Polygon()


def crossings_of_extent(line: BaseGeometry, extent: BaseGeometry) -> int:
    """How many separate places a road meets the extent line: crossings closer than
    :data:`DUAL_CARRIAGEWAY_M` are one (the two carriageways of a dual road leaving together)."""
    hit = shapely.intersection(line, shapely.buffer(shapely.boundary(extent), 1.0))
    parts = shapely.get_parts(shapely.get_parts(hit))
    lines = parts[shapely.get_type_id(parts) == 1]
    if not len(lines):
        return 0
    places = shapely.buffer(shapely.line_merge(shapely.multilinestrings(lines)),
                            DUAL_CARRIAGEWAY_M / 2)
    return len(shapely.get_parts(places))


def side_of(line: BaseGeometry, side: str, extent: BaseGeometry, eps: float = 0.05) -> BaseGeometry:
    """The faces of the extent cut by ``line`` that lie on the compass ``side`` of it.

    Each face is judged by the line's own segments beside it: points nudged ``eps`` metres to
    the named side of each segment's midpoint vote for their face, points nudged the other way
    vote against, weighted by how squarely the segment faces that direction. A narrow face
    with the line on both sides in balance (the median of a dual carriageway) is on neither
    side: the half-plane is taken from the road as a whole.
    """
    rings = shapely.boundary(extent)
    noded = shapely.node(shapely.union_all([rings, line]))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    faces = faces[shapely.area(faces) > 0]
    faces = faces[shapely.contains(extent, shapely.point_on_surface(faces))]
    c_lines = [p for p in shapely.get_parts(shapely.get_parts(line)) if p.geom_type == "LineString"]
    if not len(faces) or not c_lines:
        return extent
    segs = np.vstack([np.hstack([shapely.get_coordinates(p)[:-1], shapely.get_coordinates(p)[1:]])
                      for p in c_lines])
    d = segs[:, 2:] - segs[:, :2]
    length = np.hypot(d[:, 0], d[:, 1])
    ok = length > 0
    segs, d, length = segs[ok], d[ok], length[ok]
    mid = (segs[:, :2] + segs[:, 2:]) / 2
    u = np.array(COMPASS[side])
    weight = np.abs(d[:, 0] * u[1] - d[:, 1] * u[0])  # = length × |sin| to the compass direction
    plus, minus = mid + eps * u, mid - eps * u
    keep = []
    for f in faces:
        ahead = (weight * shapely.contains_xy(f, plus[:, 0], plus[:, 1])).sum()
        behind = (weight * shapely.contains_xy(f, minus[:, 0], minus[:, 1])).sum()
        vote = ahead - behind
        if ahead > 0 and behind > 0 and abs(vote) < _MEDIAN_VOTE_BALANCE * (ahead + behind) and (
                2 * f.area / f.length < DUAL_CARRIAGEWAY_M):
            # A narrow face with the line on both sides: the median between the carriageways
            # of a dual road, which is the road itself, on neither side of it.
            keep.append(False)
            continue
        if vote == 0:
            # A face the line does not border: judge it from its nearest point on the line.
            rp = shapely.point_on_surface(f)
            near = shapely.get_coordinates(shapely.shortest_line(rp, line))[1]
            vote = float((np.array([rp.x, rp.y]) - near) @ u)
        keep.append(vote > 0)
    chosen = faces[np.array(keep)]
    return shapely.union_all(chosen, grid_size=GRID_M) if len(chosen) else Polygon()



def multipolygon(g: BaseGeometry) -> BaseGeometry:
    """The polygons of ``g`` with an area, as one MultiPolygon (a grade map's geometry type)."""
    polys = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and p.area > 0]
    return shapely.multipolygons(polys) if polys else shapely.MultiPolygon()

