"""Line pieces merged into roads: gaps snapped, and dual carriageways kept apart.

A surveyed road is drawn in many pieces whose ends may miss each other by a metre or two;
:func:`merge_lines` merges them into as few lines as possible, snapping such gaps with short
connectors. Two carriageways of a dual road that meet at one node merge into one line running out
and back; :func:`split_hairpins` splits such a line where it turns back, so that junctions and
strips see two carriageways again (:mod:`landgrade.network.junctions`).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry


def merge_lines(geoms: Any, snap_m: float = 0.0, hairpins: bool = False) -> BaseGeometry:
    """Merge line pieces into as few lines as possible; polygons contribute their outline.

    Piece ends that miss another piece of the same line by up to ``snap_m`` are joined by a
    straight connector (to the other piece's nearest end if one is that close, else to its
    nearest point), so a surveyed road split with small gaps is one line. With ``hairpins``
    (roads), a merged line that turns back on itself at a vertex is split there (two
    carriageways meeting at one node, see :func:`split_hairpins`).
    """
    split = split_hairpins if hairpins else (lambda g: g)
    geoms = np.asarray(list(geoms), dtype=object)
    if not len(geoms):
        return shapely.LineString()
    dims = shapely.get_dimensions(geoms)
    lines = np.where(dims == 2, shapely.boundary(geoms), geoms)
    merged = split(shapely.line_merge(shapely.union_all(lines)))
    if snap_m <= 0 or merged.geom_type != "MultiLineString":
        return merged
    parts = shapely.get_parts(merged)
    # Slivers shorter than the snap tolerance (two overlapping pieces noded into a tiny spur or
    # loop) are dropped: the gap they leave is joined below like any other.
    tiny = shapely.length(parts) < snap_m
    if tiny.any() and not tiny.all():
        parts = shapely.get_parts(shapely.line_merge(shapely.multilinestrings(parts[~tiny])))
        merged = shapely.multilinestrings(parts) if len(parts) > 1 else parts[0]
        if len(parts) == 1:
            return merged
    open_ = ~shapely.is_closed(parts)
    if open_.sum() == 0:
        return merged
    idx = np.flatnonzero(open_)
    ends = np.concatenate([shapely.get_point(parts[idx], 0), shapely.get_point(parts[idx], -1)])
    owner = np.concatenate([idx, idx])
    tree = shapely.STRtree(ends)
    a, b = tree.query(ends, predicate="dwithin", distance=snap_m)
    keep = (a < b) & (owner[a] != owner[b])
    a, b = a[keep], b[keep]
    connectors = []
    joined = np.zeros(len(ends), dtype=bool)
    if len(a):
        d = shapely.distance(ends[a], ends[b])
        joined[a[d == 0]] = joined[b[d == 0]] = True  # ends at one node are already joined
        order = np.argsort(d, kind="stable")
        order = order[d[order] > 0]
        for i, j in zip(a[order], b[order], strict=True):  # few pairs: one per gap
            if not joined[i] and not joined[j]:
                joined[i] = joined[j] = True
                connectors.append(shapely.shortest_line(ends[i], ends[j]))
    # Ends still loose that stop short of another piece's side (a fork of the same road).
    loose = np.flatnonzero(~joined)
    if len(loose):
        ptree = shapely.STRtree(parts)
        pe, pp = ptree.query(ends[loose], predicate="dwithin", distance=snap_m)
        other = owner[loose[pe]] != pp
        d = shapely.distance(ends[loose[pe]], parts[pp])
        other &= d > 0
        for e, p in zip(loose[pe[other]], pp[other], strict=True):
            connectors.append(shapely.shortest_line(ends[e], parts[p]))
    if not connectors:
        return merged
    return split(shapely.line_merge(shapely.union_all([merged, *connectors])))


_HAIRPIN_COS = -0.7  # a turn sharper than about 135° at one vertex
_HAIRPIN_MIN_M = 5.0  # between segments at least this long


def split_hairpins(geom: BaseGeometry) -> BaseGeometry:
    """Split open merged lines where they turn back on themselves at one vertex.

    Two carriageways of a dual road that meet at one node (where the road narrows to one
    carriageway, or ends) are merged by ``line_merge`` into one line running out along one
    and back along the other; split there they are two carriageways again.
    """
    parts = shapely.get_parts(geom)
    if not len(parts) or shapely.is_closed(parts).all():
        return geom
    xy, owner = shapely.get_coordinates(parts, return_index=True)
    if len(xy) < 3:
        return geom
    d = np.diff(xy, axis=0)
    same = owner[1:] == owner[:-1]
    norm = np.hypot(d[:, 0], d[:, 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        u = d / norm[:, None]
    cos = np.einsum("ij,ij->i", u[:-1], u[1:])
    # Vertex k+1 is a hairpin when segments k and k+1 belong to one part and turn back.
    # Both sides of the turn longer than a connector or a jitter zigzag (a few metres).
    long_ = norm > _HAIRPIN_MIN_M
    hair = same[:-1] & same[1:] & (cos < _HAIRPIN_COS) & long_[:-1] & long_[1:]
    hair &= ~shapely.is_closed(parts)[owner[1:-1]]  # a closed outline keeps its corners
    if not hair.any():
        return geom
    cut = np.zeros(len(xy), dtype=bool)
    cut[np.flatnonzero(hair) + 1] = True
    pieces = []
    for k in range(len(parts)):
        idx = np.flatnonzero(owner == k)
        bounds = [idx[0], *idx[cut[idx]], idx[-1]]
        pieces.extend(shapely.linestrings(xy[a:b + 1]) for a, b in itertools.pairwise(bounds)
                      if b > a)
    return shapely.multilinestrings(pieces) if len(pieces) > 1 else pieces[0]
