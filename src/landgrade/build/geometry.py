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

from dataclasses import dataclass
from typing import Any

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
_SAME_POINT_M = 1e-6
# Loose ends side by side whose headings agree within about 15° are a dual road's carriageways.
_PARALLEL_COS = 0.966


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


def _same_point(points: np.ndarray, tip: np.ndarray) -> np.ndarray:
    """Which of ``points`` are ``tip`` (to a micrometre). An absolute tolerance: a relative one
    (numpy's ``isclose``) spans metres at Gauss-Krüger coordinates of 10⁶ m, so ends of pieces
    5–25 m apart were taken for one node and never extended."""
    return np.all(np.abs(points - tip) <= _SAME_POINT_M, axis=1)


def _loose_ends(parts: list[LineString], extent: BaseGeometry, on_line: bool = False
                ) -> Any:
    """The ends of ``parts`` that meet no other end and lie inside the extent: their
    coordinates, headings (unit vectors, outwards over the last ``_END_HEADING_M``) and part
    numbers; with ``on_line``, also the ends on the extent line, and which those are."""
    tips, heads, owner, edge = [], [], [], []
    ends = shapely.get_coordinates(shapely.boundary(np.array(parts, dtype=object)))
    boundary = shapely.boundary(extent)
    for k, p in enumerate(parts):
        if p.is_closed:
            continue
        for at in (0.0, p.length):
            tip = shapely.get_coordinates(p.interpolate(at))[0]
            if np.sum(_same_point(ends, tip)) != 1:
                continue
            at_edge = on_line and shapely.distance(boundary, shapely.points(tip)) < 1e-6
            if not at_edge and not shapely.contains_xy(extent, *tip):
                continue
            back_at = abs(at - min(_END_HEADING_M, p.length))
            back = shapely.get_coordinates(p.interpolate(back_at))[0]
            d = tip - back
            tips.append(tip)
            heads.append(d / (np.hypot(*d) or 1.0))
            owner.append(k)
            edge.append(bool(at_edge))
    out = (np.array(tips, dtype=float).reshape(-1, 2), np.array(heads, dtype=float).reshape(-1, 2),
           np.array(owner, dtype=int))
    return (*out, np.array(edge, dtype=bool)) if on_line else out


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


@dataclass(frozen=True)
class Extension:
    """A line run on to the extent line: the line (clipped to the extent), the longest
    extension in metres, and how many forked ends were extended as one (see
    :func:`extend_to_extent`)."""

    line: BaseGeometry
    grown_m: float
    forked_ends: int = 0


def extend_to_extent(geom: BaseGeometry, extent: BaseGeometry,
                     stop_at: BaseGeometry | None = None) -> Extension:
    """Extend each loose end lying inside the extent straight on until it reaches the extent line.

    A loose end is an end of a part that meets no other end (exactly: pieces within the snap
    tolerance were joined when the network was loaded). Its heading is the road's over its last
    ``_END_HEADING_M`` metres, as :func:`bridge_gaps` judges it, so that a kink at the very end
    (a vertex snapped to a junction) does not turn the extension. Loose ends within
    :data:`DUAL_CARRIAGEWAY_M` of one another are one end of the road: side by side and parallel
    (the two carriageways of a dual road) each is extended, so the median between them stays
    the road; otherwise (a fork, or the two tips of a turning loop) they are extended as one,
    from their middle along their mean heading, rather than as rays fanning out across the
    extent. An end drawn on the extent line is pushed a metre across it. With ``stop_at``, an
    extension stops where it first meets that geometry (another side of a 四至), if that comes
    before the extent line.
    """
    boundary = shapely.boundary(extent)
    stops = boundary if stop_at is None else shapely.union(boundary, stop_at)
    minx, miny, maxx, maxy = extent.bounds
    reach = 2 * float(np.hypot(maxx - minx, maxy - miny))
    parts = [p for p in shapely.get_parts(shapely.line_merge(geom)) if p.geom_type == "LineString"]
    if not parts:
        return Extension(shapely.intersection(geom, extent), 0.0)
    tips, heads, _, on_line = _loose_ends(parts, extent, on_line=True)
    extra = [LineString([t, t + u]) for t, u in zip(tips[on_line], heads[on_line], strict=True)]
    tips, heads = tips[~on_line], heads[~on_line]
    starts, ways, links = _end_groups(tips, heads)
    extra += links
    grown = 0.0
    for tip, u in zip(starts, ways, strict=True):
        ray = LineString([tip, tip + reach * u])
        pts = shapely.get_coordinates(shapely.intersection(ray, stops))
        pts = pts[np.hypot(*(pts - tip).T) > 1e-6] if len(pts) else pts
        if len(pts) == 0:
            continue
        nearest = pts[np.argmin(np.hypot(*(pts - tip).T))]
        # Overshoot by a metre: a line that crosses the extent line is noded with it
        # exactly, whereas one ending on a computed point of it may miss it by 1e-9 m.
        extra.append(LineString([tip, nearest + u]))
        grown = max(grown, float(np.hypot(*(nearest - tip))))
    line = shapely.union_all([geom, *extra])
    return Extension(shapely.intersection(line, shapely.buffer(extent, 0.5, join_style="mitre")),
                     grown, len({tuple(c.coords[-1]) for c in links}))


def _end_groups(tips: np.ndarray,
                heads: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[LineString]]:
    """The ends to extend: each loose end, except that ends within :data:`DUAL_CARRIAGEWAY_M`
    of each other and not parallel (a fork, a turning loop) are one, from their middle along
    their mean heading. Returns starts, headings, and the links from each such end's tips to
    its middle (so that the extension stays joined to the road)."""
    n = len(tips)
    if n < 2:
        return tips, heads, []
    d = np.hypot(*(tips[:, None, :] - tips[None, :, :]).transpose(2, 0, 1))
    linked = (d <= DUAL_CARRIAGEWAY_M) & (heads @ heads.T < _PARALLEL_COS)
    group = np.arange(n)
    for i, k in zip(*np.nonzero(np.triu(linked, 1)), strict=True):
        group[group == group[k]] = group[i]
    starts, ways, links = [], [], []
    for g in np.unique(group):
        members = group == g
        u = heads[members].sum(axis=0)
        norm = float(np.hypot(*u))
        if members.sum() > 1 and norm > 1e-9:
            mid = tips[members].mean(axis=0)
            starts.append(mid)
            ways.append(u / norm)
            links += [LineString([t, mid]) for t in tips[members]]
        else:
            starts.extend(tips[members])
            ways.extend(heads[members])
    return np.array(starts).reshape(-1, 2), np.array(ways).reshape(-1, 2), links


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

