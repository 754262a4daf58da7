"""The parcel kernel: each parcel's area inside each zone, without building the overlap.

By Green's theorem a region's area is the integral of ½(x dy − y dx) round its boundary, and
the boundary of parcel ∩ zone is the part of the parcel's boundary inside the zone plus the
part of the zone's boundary inside the parcel. Along a straight edge ``a + t·d`` the integral
over a stretch of parameter length L is ½·cross(a, d)·L, so the whole overlap area follows
from where edges cross and whether an edge ends inside: no polygon is ever assembled. Every
step is numpy over (parcel edge, zone edge) pairs that a tree query found near each other.

Where the arithmetic could be ambiguous (a vertex on or within 1e-9 of an edge of the other
shape, collinear overlapping edges, a parcel vertex on a zone boundary, a result outside
[0, area]) the parcel is handed back to be overlaid by GEOS: the kernel answers only what it
can answer cleanly. Zones must be plain (multi)polygons that do not overlap each other (the
grades of a grade map are); :attr:`ZoneEdges.usable` says whether they are, and when not,
every parcel goes to GEOS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from landgrade.engine.grid import GradeIndex, grade_rows_xy
from landgrade.engine.shapes import edges_of

# A crossing this close (in edge parameter) to an edge's end is treated as touching: GEOS decides.
_EPS = 1e-9
_BLOCK = 100_000  # parcels per vectorised block: bounds the pair arrays' memory


@dataclass
class _Edges:
    """Straight edges of polygon rings: start, direction, owner, and orientation sign (+1 when
    the polygon's interior lies to the left of the edge as stored)."""

    ax: np.ndarray
    ay: np.ndarray
    dx: np.ndarray
    dy: np.ndarray
    owner: np.ndarray
    sign: np.ndarray


def _ring_edges(geoms: np.ndarray) -> tuple[_Edges, np.ndarray]:
    """The ring edges of every polygon part of ``geoms``, and a mask of geometries that are not
    plain (multi)polygons with rings of non-zero area (they are left to GEOS)."""
    odd = ~np.isin(shapely.get_type_id(geoms), (3, 6))
    seg, owner, ring, kind = edges_of(np.where(odd, None, geoms))
    # Signed area of each ring about its first vertex: its orientation.
    first = np.r_[True, ring[1:] != ring[:-1]] if len(ring) else np.zeros(0, dtype=bool)
    start = np.flatnonzero(first)
    o = seg[np.repeat(start, np.diff(np.r_[start, len(ring)])), :2]
    ax, ay = seg[:, 0] - o[:, 0], seg[:, 1] - o[:, 1]
    bx, by = seg[:, 2] - o[:, 0], seg[:, 3] - o[:, 1]
    twice = np.add.reduceat(ax * by - ay * bx, start) if len(start) else np.zeros(0)
    odd[owner[start[twice == 0]]] = True
    ring_sign = np.where((twice > 0) == (kind[ring[start]] == 1), 1.0, -1.0)
    sign = np.repeat(ring_sign, np.diff(np.r_[start, len(ring)]))
    edges = _Edges(seg[:, 0], seg[:, 1], seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1], owner,
                   sign)
    return edges, odd


@dataclass
class ZoneEdges:
    """A grade index's zone boundaries as oriented edges, with a tree over them (once per
    index)."""

    edges: _Edges
    tree: shapely.STRtree
    usable: bool

    @classmethod
    def of(cls, index: GradeIndex) -> ZoneEdges:
        zones = index.grade_geoms
        # A zone that is not a plain (multi)polygon (make_valid can leave a collection) would
        # lose its edges here while the grid still finds points in it: not usable.
        edges, odd = _ring_edges(zones)
        lines = shapely.linestrings(
            np.stack([edges.ax, edges.ay, edges.ax + edges.dx, edges.ay + edges.dy], axis=1)
            .reshape(-1, 2, 2))
        area = shapely.area(zones)
        union = shapely.area(shapely.union_all(zones)) if len(zones) else 0.0
        disjoint = bool(abs(area.sum() - union) <= 1e-9 * max(union, 1.0))
        return cls(edges, shapely.STRtree(lines), disjoint and not odd.any())


def zone_areas(index: GradeIndex, zones: ZoneEdges, geoms: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """Area of each (multi)polygon inside each zone (n × zones, columns in ``index`` row order),
    and a mask of the geometries the kernel did not answer (overlay those with GEOS)."""
    n = len(geoms)
    out = np.zeros((n, len(index.grade_geoms)))
    todo = np.ones(n, dtype=bool)
    if not zones.usable:
        return out, todo
    for lo in range(0, n, _BLOCK):
        sl = slice(lo, min(lo + _BLOCK, n))
        out[sl], todo[sl] = _zone_areas_block(index, zones, geoms[sl])
    return out, todo


def _zone_areas_block(index: GradeIndex, zones: ZoneEdges, geoms: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    n, nz = len(geoms), len(index.grade_geoms)
    pe, odd = _ring_edges(geoms)
    area = np.zeros((n, nz))
    if not len(pe.owner):
        return area, np.ones(n, dtype=bool)
    # Local coordinates about each parcel's first vertex keep cross products small and exact.
    e_ptr = np.searchsorted(pe.owner, np.arange(n + 1))
    has = e_ptr[1:] > e_ptr[:-1]
    ox = np.where(has, pe.ax[np.minimum(e_ptr[:-1], len(pe.ax) - 1)], 0.0)
    oy = np.where(has, pe.ay[np.minimum(e_ptr[:-1], len(pe.ay) - 1)], 0.0)
    ax, ay = pe.ax - ox[pe.owner], pe.ay - oy[pe.owner]
    # Parcel edges inside a zone: the zone at each edge's end, from the grid's exact lookup.
    zone_end, on_bound = grade_rows_xy(index, pe.ax + pe.dx, pe.ay + pe.dy)
    bad = odd.copy()
    bad[pe.owner[on_bound]] = True
    half_e = 0.5 * pe.sign * (ax * pe.dy - ay * pe.dx)
    inside = zone_end >= 0
    np.add.at(area, (pe.owner[inside], zone_end[inside]), half_e[inside])

    # Zone edges whose box meets the parcel's box, then every parcel edge against each of them.
    pi, fj = zones.tree.query(geoms)
    ze = zones.edges
    cnt = (e_ptr[1:] - e_ptr[:-1])[pi]
    pair = np.repeat(np.arange(len(pi)), cnt)
    start = np.repeat(e_ptr[pi] - (np.cumsum(cnt) - cnt), cnt)
    e = start + np.arange(len(pair))
    p, f = pi[pair], fj[pair]
    eax, eay, edx, edy = ax[e], ay[e], pe.dx[e], pe.dy[e]
    fax, fay = ze.ax[f] - ox[p], ze.ay[f] - oy[p]
    fdx, fdy = ze.dx[f], ze.dy[f]
    wx, wy = fax - eax, fay - eay
    den = edx * fdy - edy * fdx
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (wx * fdy - wy * fdx) / den
        u = (wx * edy - wy * edx) / den
    near = (t > -_EPS) & (t < 1 + _EPS) & (u > -_EPS) & (u < 1 + _EPS)
    clear = (t > _EPS) & (t < 1 - _EPS) & (u > _EPS) & (u < 1 - _EPS)
    bad[p[near & ~clear]] = True
    # Nearly parallel edges: where they cross is ill-conditioned (an error in t of about
    # 1e-16 / sin(angle)), so below sin 1e-6, where that could exceed _EPS, a pair that lies
    # close enough to cross within the edges (or on one line, overlapping) is left to GEOS.
    len_e2 = edx * edx + edy * edy
    len_f2 = fdx * fdx + fdy * fdy
    par = np.flatnonzero(~np.isfinite(t) | (np.abs(den) <= 1e-6 * np.sqrt(len_e2 * len_f2)))
    if len(par):
        le = np.sqrt(len_e2[par])
        off_a = np.abs(wx[par] * edy[par] - wy[par] * edx[par]) / le
        off_b = np.abs((wx[par] + fdx[par]) * edy[par] - (wy[par] + fdy[par]) * edx[par]) / le
        s0 = (wx[par] * edx[par] + wy[par] * edy[par]) / len_e2[par]
        s1 = s0 + (fdx[par] * edx[par] + fdy[par] * edy[par]) / len_e2[par]
        lap = (np.maximum(s0, s1) >= -1e-6) & (np.minimum(s0, s1) <= 1 + 1e-6)
        reach = 1e-5 * (le + np.sqrt(len_f2[par])) + 1e-7
        bad[p[par[(np.minimum(off_a, off_b) <= reach) & lap]]] = True
    x = np.flatnonzero(clear)
    xs, xp, xf, xe = np.sign(den[x]), p[x], f[x], e[x]
    # Along a parcel edge: entering the zone (zone's interior on the left of its edge) closes
    # the stretch after t, leaving opens the one before it.
    enter_zone = ze.sign[xf] * -xs > 0
    np.add.at(area, (xp, ze.owner[xf]), half_e[xe] * np.where(enter_zone, -t[x], t[x]))
    # Along a zone edge: the same, with the parcel's interior.
    half_f = 0.5 * ze.sign[f] * (fax * fdy - fay * fdx)
    enter_parcel = pe.sign[xe] * xs > 0
    np.add.at(area, (xp, ze.owner[xf]), half_f[x] * np.where(enter_parcel, -u[x], u[x]))
    # A zone edge ending inside the parcel: crossing number of a ray from its end towards +x.
    bx, by = fax + fdx, fay + fdy
    with np.errstate(divide="ignore", invalid="ignore"):
        ray = (((eay > by) != (eay + edy > by))
               & (bx < eax + (by - eay) * edx / edy))
    ends_in = np.bincount(pair, weights=ray, minlength=len(pi)) % 2 == 1
    first = np.searchsorted(pair, np.arange(len(pi)))
    k = first[ends_in]
    np.add.at(area, (pi[ends_in], ze.owner[fj[ends_in]]), half_f[k])

    # What cannot be right is not kept: overlaps outside [0, parcel area] or summing past it.
    whole = shapely.area(geoms)
    tol = 1e-9 * whole + 1e-9
    bad |= ((area < -tol[:, None]) | (area > whole[:, None] + tol[:, None])).any(axis=1)
    bad |= area.sum(axis=1) > whole + tol
    bad |= ~np.isfinite(area).all(axis=1)
    np.clip(area, 0.0, None, out=area)
    area[bad] = 0.0
    return area, bad
