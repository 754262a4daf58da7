"""The grid kernels: a grade map prepared as arrays, and vectorised point queries on it.

:func:`build_index` turns a :class:`~landgrade.grade_map.GradeMap` into a :class:`GradeIndex`
(a regular grid whose interior cells are pre-classified, plus per-cell candidate route
segments); :func:`grade_rows_xy` and :func:`nearest_route_xy` answer millions of points with
numpy, testing exactly only where a zone boundary crosses a cell. No prices, statuses or
rendering here: :mod:`landgrade.engine` builds answers on top of these kernels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import shapely

from landgrade.build.grade_map import GradeMap
from landgrade.engine.shapes import edges_of
from landgrade.errors import LandgradeError

_BLOCK = 250_000  # points per vectorised block: bounds temporary memory


# --- the prepared index --------------------------------------------------------------------------
@dataclass
class GradeIndex:
    """Arrays prepared once from a grade map so that queries are vectorised numpy.

    A regular grid over the extent's bounds stores, per cell, the grade row whose interior holds
    the whole cell (``cell_grade`` ≥ 0), ``-1`` for cells outside every grade, ``-2`` for cells a
    boundary crosses (exact test there). For nearest routes each cell lists (CSR arrays
    ``cand_ptr``/``cand_seg``) every route segment that can be nearest to some point of the cell.
    """

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int
    cell_grade: np.ndarray
    grade_values: np.ndarray
    grade_geoms: np.ndarray
    seg: np.ndarray  # (n, 4): ax, ay, bx, by
    seg_route: np.ndarray
    cand_ptr: np.ndarray
    cand_seg: np.ndarray
    route_geoms: np.ndarray

    @cached_property
    def seg_terms(self) -> np.ndarray:
        """(8, n) per-segment distance terms of :func:`segment_terms`, computed once."""
        return segment_terms(self.seg)

    @cached_property
    def cell_single(self) -> np.ndarray:
        """The only candidate segment of each cell (most cells have one), else -1."""
        cnt = np.diff(self.cand_ptr)
        single = np.full(len(cnt), -1, dtype=np.int32)
        one = np.flatnonzero(cnt == 1)
        single[one] = self.cand_seg[self.cand_ptr[one]]
        return single

    @cached_property
    def open_cells_sum(self) -> np.ndarray:
        """Summed-area table of cells not wholly inside one zone (crossed or outside): a box
        of cells holding none of them lies wholly inside one zone's interior."""
        open_ = (self.cell_grade < 0).reshape(self.ny, self.nx).astype(np.int32)
        table = np.zeros((self.ny + 1, self.nx + 1), dtype=np.int32)
        np.cumsum(np.cumsum(open_, axis=0), axis=1, out=table[1:, 1:])
        return table

    @cached_property
    def route_ends(self) -> tuple[np.ndarray, np.ndarray, shapely.STRtree]:
        """The route segments' distinct end points (k × 2), the lowest route row with a
        segment ending at each, and a tree over them."""
        ends = np.concatenate([self.seg[:, :2], self.seg[:, 2:]])
        rows = np.concatenate([self.seg_route, self.seg_route])
        uniq, inv = np.unique(ends, axis=0, return_inverse=True)
        low = np.full(len(uniq), np.iinfo(np.int64).max)
        np.minimum.at(low, inv.ravel(), rows)
        return uniq, low, shapely.STRtree(shapely.points(uniq))

    def zone_holding_boxes(self, bounds: np.ndarray) -> np.ndarray:
        """Row of the zone whose interior wholly holds each box (xmin, ymin, xmax, ymax), from
        the grid alone; -1 where the box reaches a crossed or outside cell (test exactly)."""
        pad = self.cell * 1e-6  # a box edge on a cell edge also checks the cell beside it
        with np.errstate(invalid="ignore"):
            lo_x = np.floor((bounds[:, 0] - pad - self.x0) / self.cell)
            lo_y = np.floor((bounds[:, 1] - pad - self.y0) / self.cell)
            hi_x = np.floor((bounds[:, 2] + pad - self.x0) / self.cell)
            hi_y = np.floor((bounds[:, 3] + pad - self.y0) / self.cell)
            ok = (lo_x >= 0) & (lo_y >= 0) & (hi_x < self.nx) & (hi_y < self.ny)
        x0, y0, x1, y1 = (np.where(ok, v, 0).astype(np.int64) + d
                          for v, d in ((lo_x, 0), (lo_y, 0), (hi_x, 1), (hi_y, 1)))
        t = self.open_cells_sum
        n_open = t[y1, x1] - t[y0, x1] - t[y1, x0] + t[y0, x0]
        held = ok & (n_open == 0)
        return np.where(held, self.cell_grade[y0 * self.nx + x0], -1)

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(invalid="ignore"):
            ix = np.floor((x - self.x0) / self.cell)
            iy = np.floor((y - self.y0) / self.cell)
            inside = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        cid = np.where(inside, iy * self.nx + ix, 0).astype(np.int64)
        return cid, inside


def build_index(
    grade_map: GradeMap, max_cells: int = 1024, min_cell_m: float = 4.0
) -> GradeIndex:
    """Prepare a grade map for queries (about a second for a county seat; cached on disk)."""
    grades = grade_map.grades
    if grades is None or not len(grades):
        raise LandgradeError(
            "grade map has no grades layer rows; rebuild it with `landgrade build`"
        )
    geoms = shapely.make_valid(grades.geometry.to_numpy())
    values = grades["grade"].astype(int).to_numpy()
    order = np.argsort(values, kind="stable")  # better grades first: they win boundary ties
    geoms, values = geoms[order], values[order]
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    span = max(xmax - xmin, ymax - ymin, 1.0)
    # Cells finer than a few metres buy nothing on a county seat and cost memory.
    cell = max(span / max_cells, min(min_cell_m, span / 8)) * (1 + 1e-9)
    nx = max(int(np.ceil((xmax - xmin) / cell)), 1)
    ny = max(int(np.ceil((ymax - ymin) / cell)), 1)
    iy, ix = np.divmod(np.arange(nx * ny), nx)
    bx0, by0 = xmin + ix * cell, ymin + iy * cell
    boxes = shapely.box(bx0, by0, bx0 + cell, by0 + cell)
    centers_x, centers_y = bx0 + cell / 2, by0 + cell / 2

    boundary = _segments_of(shapely.boundary(geoms))[0]
    tree = shapely.STRtree(shapely.linestrings(boundary.reshape(-1, 2, 2)))
    crossed = np.zeros(nx * ny, dtype=bool)
    crossed[np.unique(tree.query(boxes, predicate="intersects")[0])] = True
    cell_grade = np.full(nx * ny, -1, dtype=np.int32)
    for i, g in enumerate(geoms):
        shapely.prepare(g)
        hit = (cell_grade == -1) & shapely.contains_xy(g, centers_x, centers_y)
        cell_grade[hit] = i
    cell_grade[crossed] = -2

    route_geoms = np.empty(0, dtype=object)
    seg = np.empty((0, 4))
    seg_route = np.empty(0, dtype=np.int64)
    cand_ptr = np.zeros(nx * ny + 1, dtype=np.int64)
    cand_seg = np.empty(0, dtype=np.int32)
    routes = grade_map.routes
    if routes is not None and len(routes):
        route_geoms = routes.geometry.to_numpy()
        seg, seg_route = _segments_of(route_geoms)
        if len(seg):
            seg_lines = shapely.linestrings(seg.reshape(-1, 2, 2))
            stree = shapely.STRtree(seg_lines)
            centers = shapely.points(centers_x, centers_y)
            _, d_c = stree.query_nearest(centers, return_distance=True, all_matches=False)
            # Any point of a cell lies within half a diagonal h of its centre, so its nearest
            # segment is within d_c + h of it and within d_c + 2h of the centre.
            reach = d_c + cell * np.sqrt(2) * (1 + 1e-9) + 1e-6
            pc, ps = stree.query(centers, predicate="dwithin", distance=reach)
            order = np.lexsort((ps, pc))
            pc, ps = pc[order], ps[order]
            counts = np.bincount(pc, minlength=nx * ny)
            cand_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
            cand_seg = ps.astype(np.int32)
    return GradeIndex(
        x0=float(xmin), y0=float(ymin), cell=float(cell), nx=nx, ny=ny, cell_grade=cell_grade,
        grade_values=values, grade_geoms=geoms, seg=seg, seg_route=seg_route,
        cand_ptr=cand_ptr, cand_seg=cand_seg, route_geoms=route_geoms,
    )


def _segments_of(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2-point segments (ax, ay, bx, by) of the lines (or rings) of each geometry, and its row."""
    seg, owner, _, _ = edges_of(geoms)
    return seg, owner


def segment_terms(seg: np.ndarray) -> np.ndarray:
    """(8, n) per-segment distance terms: ax, ay, dx, dy, dx² + dy², √(dx² + dy²), bx, by.

    Computed with the same operations GEOS performs per query, so distances from them stay
    bit-identical while each query does less arithmetic.
    """
    seg = np.asarray(seg, dtype=float)
    ax, ay, bx, by = (np.ascontiguousarray(seg[:, k]) for k in range(4))
    dx, dy = bx - ax, by - ay
    len2 = dx * dx + dy * dy
    return np.stack([ax, ay, dx, dy, len2, np.sqrt(len2), bx, by])


def point_segment_distance(px: np.ndarray, py: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Distance from points to segments ``(ax, ay, bx, by)`` rows, with GEOS's arithmetic.

    GEOS's ``Distance::pointToSegment`` is reproduced operation for operation, so distances are
    bit-identical to ``shapely.distance`` and ties between routes resolve exactly as in GEOS.
    """
    terms = segment_terms(seg)
    return _segment_distance_terms(px, py, terms, np.arange(terms.shape[1]))


def _segment_distance_terms(px: np.ndarray, py: np.ndarray, terms: np.ndarray, s: np.ndarray
                            ) -> np.ndarray:
    """:func:`point_segment_distance` to segments ``s`` from their :func:`segment_terms`.

    All three cases (foot of the perpendicular on the segment, before A, beyond B) are computed
    for every pair and the right one picked with masks: cheaper than gathering the end cases.
    """
    ax, ay, dx, dy, len2, length, bx, by = (np.take(t, s, mode="clip") for t in terms)
    pax = px - ax
    pay = py - ay
    with np.errstate(divide="ignore", invalid="ignore"):
        r = pax * dx
        r += pay * dy
        r /= len2
        dist = pax * dy
        dist -= pay * dx
        dist /= len2
        np.abs(dist, out=dist)
        dist *= length
    before = (r <= 0.0) | (len2 == 0)
    pbx = px - bx
    pby = py - by
    np.copyto(dist, np.sqrt(pbx * pbx + pby * pby), where=r >= 1.0)
    np.copyto(dist, np.sqrt(pax * pax + pay * pay), where=before)
    return dist


def grade_rows_xy(
    index: GradeIndex,
    x: np.ndarray,
    y: np.ndarray,
    cells: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Row into ``index.grade_values`` for each point (-1 outside), and the on-boundary flag."""
    cid, inside = cells if cells is not None else index.cell_of(x, y)
    row = np.where(inside, index.cell_grade[cid], -1)
    on_bound = np.zeros(len(x), dtype=bool)
    exact = np.flatnonzero(row == -2)
    if len(exact):
        ex, ey = x[exact], y[exact]
        found = np.full(len(exact), -1, dtype=np.int32)
        for i, g in enumerate(index.grade_geoms):
            shapely.prepare(g)
            todo = np.flatnonzero(found == -1)
            found[todo[shapely.contains_xy(g, ex[todo], ey[todo])]] = i
        # Not inside any zone's interior: on a boundary (better grade first), or outside.
        for i, g in enumerate(index.grade_geoms):
            todo = np.flatnonzero(found == -1)
            if not len(todo):
                break
            hit = todo[shapely.intersects_xy(g, ex[todo], ey[todo])]
            found[hit] = i
            on_bound[exact[hit]] = True
        row[exact] = found
    return row, on_bound


def nearest_route_xy(
    index: GradeIndex,
    x: np.ndarray,
    y: np.ndarray,
    cells: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Row of the nearest route (-1 if none) and its distance, for points in the working CRS."""
    n = len(x)
    route = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.nan)
    if not len(index.seg):
        return route, dist
    ok = np.isfinite(x) & np.isfinite(y)
    cid, inside = cells if cells is not None else index.cell_of(x, y)
    terms, single = index.seg_terms, index.cell_single
    for lo in range(0, n, _BLOCK):
        sl = slice(lo, min(lo + _BLOCK, n))
        usable = inside[sl] & ok[sl]
        s1 = np.where(usable, single[cid[sl]], -1)
        # Most cells have a single candidate segment: no pairs to expand there.
        one = s1 >= 0
        if one.all():
            p1 = None
            xs, ys, s1 = x[sl], y[sl], s1
        else:
            p1 = np.flatnonzero(one)
            xs, ys, s1 = x[sl][p1], y[sl][p1], s1[p1]
        if len(s1):
            d1 = _segment_distance_terms(xs, ys, terms, s1)
            r1 = index.seg_route[s1]
            if p1 is None:
                dist[sl], route[sl] = d1, r1
            else:
                dist[lo + p1], route[lo + p1] = d1, r1
        sel = np.flatnonzero(usable & ~one) + lo
        if len(sel):
            c = cid[sel]
            start = index.cand_ptr[c]
            cnt = index.cand_ptr[c + 1] - start
            first = np.cumsum(cnt) - cnt
            pair_pt = np.repeat(np.arange(len(sel)), cnt)
            seg_ix = index.cand_seg[np.repeat(start - first, cnt) + np.arange(cnt.sum())]
            pts = sel[pair_pt]
            d = _segment_distance_terms(x[pts], y[pts], terms, seg_ix)
            dmin = np.minimum.reduceat(d, first)
            r = np.where(d == dmin[pair_pt], index.seg_route[seg_ix], np.iinfo(np.int64).max)
            route[sel] = np.minimum.reduceat(r, first)
            dist[sel] = dmin
        far = np.flatnonzero(~inside[sl] & ok[sl]) + lo
        if len(far):
            route[far], dist[far] = nearest_route_geoms(index, shapely.points(x[far], y[far]))
    return route, dist


def nearest_route_geoms(index: GradeIndex, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest route row and distance for any geometries (GEOS distance; ties: lowest row)."""
    route = np.full(len(geoms), -1, dtype=np.int64)
    dist = np.full(len(geoms), np.nan)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not len(index.route_geoms) or not valid.any():
        return route, dist
    tree = shapely.STRtree(index.route_geoms)
    (gi, ri), d = tree.query_nearest(geoms[valid], return_distance=True, all_matches=True)
    order = np.lexsort((ri, gi))
    gi, ri, d = gi[order], ri[order], d[order]
    first = np.flatnonzero(np.r_[True, gi[1:] != gi[:-1]])
    rows = np.flatnonzero(valid)[gi[first]]
    route[rows] = ri[first]
    dist[rows] = d[first]
    return route, dist


def nearest_route_shapes(
    index: GradeIndex, geoms: np.ndarray, seg_tree: shapely.STRtree
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest route row and distance for parcels and lines, exactly as
    :func:`nearest_route_geoms` answers (``shapely.distance``, ties to the lowest row), in numpy.

    GEOS measures a geometry against a segment as the least of: each of the geometry's vertices
    to the segment, each segment end to each of the geometry's edges, or 0 where an edge and the
    segment cross (its own r/s test) or the segment starts inside a polygon. So the distance to
    the nearest route is the least of three sets, each cheap to gather:

    - every vertex through the point kernel (:func:`nearest_route_xy`), which also bounds the
      answer from above;
    - route segment ends within that bound of the geometry's box (``index.route_ends``), to
      the geometry's edges;
    - route segments whose box meets the geometry's box (``seg_tree``), tested for crossing.

    Each term is computed with GEOS's operations, so distances are bit-identical and ties
    resolve as GEOS's do.
    """
    n = len(geoms)
    route = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.nan)
    if not len(index.seg) or not n:
        return route, dist
    edges, edge_of, line_of, kind = edges_of(geoms)
    if not len(edges):
        return route, dist
    # The vertices: every edge's start, and the last end of each line (a ring's is its start).
    last = np.r_[line_of[1:] != line_of[:-1], True] & (kind[line_of] == 0)
    vx = np.concatenate([edges[:, 0], edges[last, 2]])
    vy = np.concatenate([edges[:, 1], edges[last, 3]])
    owner = np.concatenate([edge_of, edge_of[last]])
    vr, vd = nearest_route_xy(index, vx, vy)
    # Each geometry's nearest vertex, ties to the lowest row.
    bound = np.full(n, np.inf)
    np.fmin.at(bound, owner, vd)
    at_min = vd == bound[owner]
    g_all, d_all, r_all = [owner[at_min]], [vd[at_min]], [vr[at_min]]
    e_ptr = np.searchsorted(edge_of, np.arange(n + 1))

    def expand(gi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(pair, edge) rows: every edge of each pair's geometry."""
        cnt = e_ptr[gi + 1] - e_ptr[gi]
        pair = np.repeat(np.arange(len(gi)), cnt)
        return pair, np.repeat(e_ptr[gi] - (np.cumsum(cnt) - cnt), cnt) + np.arange(len(pair))

    # Route segment ends near the geometry, to its edges: every point of the geometry lies
    # within half its box's diagonal of the box's centre, so an end as near as the nearest
    # vertex lies within that bound plus the half diagonal of the centre.
    has = np.flatnonzero(np.isfinite(bound))
    if len(has):
        ends, end_route, end_tree = index.route_ends
        b = shapely.bounds(geoms[has])
        centre = shapely.points((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2)
        half_diag = np.hypot(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) / 2
        reach = (bound[has] + half_diag) * (1 + 1e-9) + 1e-6
        gi, wi = end_tree.query(centre, predicate="dwithin", distance=reach)
        gi = has[gi]
        pair, e = expand(gi)
        d = _segment_distance_terms(ends[wi[pair], 0], ends[wi[pair], 1],
                                    segment_terms(edges[e]), np.arange(len(e)))
        g_all.append(gi[pair])
        d_all.append(d)
        r_all.append(end_route[wi[pair]])

    # Route segments meeting the geometry: GEOS's crossing test per edge, and a polygon holding
    # the segment's start (crossing number of a ray towards +x).
    gi, si = seg_tree.query(geoms)
    if len(gi):
        pair, e = expand(gi)
        ax, ay, bx, by = (edges[e, k] for k in range(4))
        cx, cy, dx, dy = (index.seg[si[pair], k] for k in range(4))
        with np.errstate(divide="ignore", invalid="ignore"):
            denom = (bx - ax) * (dy - cy) - (by - ay) * (dx - cx)
            r_num = (ay - cy) * (dx - cx) - (ax - cx) * (dy - cy)
            s_num = (ay - cy) * (bx - ax) - (ax - cx) * (by - ay)
            s_ = s_num / denom
            r_ = r_num / denom
            env = ((np.minimum(ax, bx) <= np.maximum(cx, dx))
                   & (np.maximum(ax, bx) >= np.minimum(cx, dx))
                   & (np.minimum(ay, by) <= np.maximum(cy, dy))
                   & (np.maximum(ay, by) >= np.minimum(cy, dy)))
            cross = env & (denom != 0) & (r_ >= 0) & (r_ <= 1) & (s_ >= 0) & (s_ <= 1)
            cross &= ~((ax == bx) & (ay == by)) & ~((cx == dx) & (cy == dy))
            ray = ((ay > cy) != (by > cy)) & (cx < ax + (cy - ay) * (bx - ax) / (by - ay))
        # Only polygon rings hold anything (a repaired parcel may also carry loose lines).
        ray &= kind[line_of[e]] != 0
        inside = np.bincount(pair, weights=ray, minlength=len(gi)) % 2 == 1
        meets = inside | (np.bincount(pair, weights=cross, minlength=len(gi)) > 0)
        g_all.append(gi[meets])
        d_all.append(np.zeros(int(meets.sum())))
        r_all.append(index.seg_route[si[meets]])

    g, d, r = np.concatenate(g_all), np.concatenate(d_all), np.concatenate(r_all)
    np.minimum.at(dist_min := np.full(n, np.inf), g, d)
    at_min = d == dist_min[g]
    low = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(low, g[at_min], r[at_min])
    found = np.isfinite(dist_min)
    route[found], dist[found] = low[found], dist_min[found]
    return route, dist
