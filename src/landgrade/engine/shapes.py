"""Exact facts about lines and polygons read straight from their coordinates.

:func:`edges_of` lists every straight edge of lines and polygon rings without building a
geometry object per ring where it can; :func:`convex_polygons` recognises strictly convex
simple polygons (most surveyed parcels), which are valid by construction and hold the mean of
their vertices inside: GEOS's validity check and interior point are needed only for the rest.
"""

from __future__ import annotations

import numpy as np
import shapely


def edges_of(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The straight edges of every line and polygon ring, in geometry order.

    Returns the edges (m × 4: ax, ay, bx, by, as stored), the geometry row of each, the line or
    ring each lies on (an id), and per such id its kind: 0 a line, 1 a polygon's exterior ring,
    2 an interior ring.
    Polygons without holes (most parcels) are read straight from their coordinates; only the
    rest are taken apart into rings, which costs a geometry object each.
    """
    simple = (shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0)
    plain = np.flatnonzero(simple)
    coords, idx = shapely.get_coordinates(geoms[plain], return_index=True)
    owner, line_of, kind = plain[idx], idx, np.ones(len(plain), dtype=np.int8)
    other = np.flatnonzero(~simple)
    if len(other):
        parts, part_of = shapely.get_parts(geoms[other], return_index=True)
        is_poly = shapely.get_type_id(parts) == 3
        rings, ring_part = shapely.get_rings(parts[is_poly], return_index=True)
        first = np.r_[True, ring_part[1:] != ring_part[:-1]] if len(rings) else []
        lines = np.concatenate([parts[~is_poly], rings])
        lines_owner = other[np.concatenate([part_of[~is_poly], part_of[is_poly][ring_part]])]
        lines_kind = np.concatenate([np.zeros(int((~is_poly).sum()), dtype=np.int8),
                                     np.where(first, 1, 2).astype(np.int8)])
        c2, i2 = shapely.get_coordinates(lines, return_index=True)
        coords = np.concatenate([coords, c2])
        owner = np.concatenate([owner, lines_owner[i2]])
        line_of = np.concatenate([line_of, i2 + len(plain)])
        kind = np.concatenate([kind, lines_kind])
        order = np.argsort(owner, kind="stable")
        coords, owner, line_of = coords[order], owner[order], line_of[order]
    same = line_of[1:] == line_of[:-1]
    seg = np.hstack([coords[:-1][same], coords[1:][same]])
    return seg, owner[:-1][same], line_of[:-1][same], kind


def convex_polygons(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which geometries are strictly convex simple polygons, and the mean of each one's
    vertices (a point of its interior; NaN for the others).

    A polygon without holes whose every turn has the same sign or goes straight on (at least
    three turning), none a reversal, and whose turns add up to one full revolution is simple and
    convex: GEOS would call it valid. Anything else (holes, repeated vertices, non-finite
    coordinates, multi-part shapes) answers False and is left to GEOS.
    """
    n = len(geoms)
    ok = (shapely.get_type_id(geoms) == 3) & (shapely.get_num_interior_rings(geoms) == 0)
    mx, my = np.full(n, np.nan), np.full(n, np.nan)
    rows = np.flatnonzero(ok)
    if not len(rows):
        return ok, mx, my
    xy, idx = shapely.get_coordinates(geoms[rows], return_index=True)
    # A closed ring: every edge's start is a distinct vertex; the next edge of the last is the
    # first.
    same = idx[1:] == idx[:-1]
    start, stop = xy[:-1][same], xy[1:][same]
    owner = idx[:-1][same]
    if not len(owner):
        return np.zeros(n, dtype=bool), mx, my
    d = stop - start
    first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    count = np.diff(np.r_[first, len(owner)])
    nxt = np.arange(len(owner)) + 1
    nxt[first + count - 1] = first
    dn = d[nxt]
    with np.errstate(invalid="ignore"):
        cross = d[:, 0] * dn[:, 1] - d[:, 1] * dn[:, 0]
        dot = d[:, 0] * dn[:, 0] + d[:, 1] * dn[:, 1]
        turn = np.arctan2(cross, dot)
        # A straight-through vertex (surveyed sides often have them) turns by exactly 0.
        straight = (cross == 0) & (dot > 0)
        n_left = np.add.reduceat((cross > 0).astype(np.int64), first)
        n_right = np.add.reduceat((cross < 0).astype(np.int64), first)
        n_straight = np.add.reduceat(straight.astype(np.int64), first)
        sharp = np.add.reduceat((np.abs(turn) > np.pi - 1e-6).astype(np.int64), first) > 0
        once = np.abs(np.abs(np.add.reduceat(turn, first)) - 2 * np.pi) < 1e-6
    one_way = ((n_left + n_straight == count) & (n_left >= 3)) | (
        (n_right + n_straight == count) & (n_right >= 3))
    convex = one_way & ~sharp & once
    good = rows[owner[first][convex]]
    ok[:] = False
    ok[good] = True
    mx[good] = (np.add.reduceat(start[:, 0], first) / count)[convex]
    my[good] = (np.add.reduceat(start[:, 1], first) / count)[convex]
    return ok, mx, my
