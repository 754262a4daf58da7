"""Which crossing points are one junction: the carriageways of dual roads.

A junction (路口) on real data is a *cluster* of crossings (:mod:`landgrade.network.junctions`
clusters those within ``cluster_m`` along one carriageway of a line). These functions number the
clusters so that one junction met on several carriageways is one number — a choice of
carriageway, not an ambiguity — on plain arrays, for the junction resolver:

- :func:`junction_numbers`: clusters on different carriageways (parts) of the base line that lie
  abreast (within ``cluster_m`` of each other along it) and less than twice ``cluster_m`` apart
  are one junction (a median up to 60 m wide, crossed at any angle from about 45°);
- :func:`across_dual`: on one carriageway of the base, two clusters where it crosses the two
  carriageways of a dual road, more than ``cluster_m`` apart along it (a wide median, met
  square), are one junction too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry


def junction_numbers(xy: np.ndarray, part: np.ndarray, parts: Sequence[LineString],
                     cluster_m: float) -> list[int]:
    """The junction number of each cluster (``xy``, on the base's part ``part``), from 0 in
    line order (first appearance)."""
    n = len(xy)
    if not n:
        return []
    pts = shapely.points(xy)
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    lines = np.array(parts, dtype=object)[part]
    # along[i, k]: how far along cluster i's part the foot of cluster k lies from it.
    own = shapely.line_locate_point(lines, pts)
    along = np.abs(shapely.line_locate_point(lines[:, None], pts[None, :]) - own[:, None])
    linked = ((part[:, None] != part[None, :]) & (d <= 2 * cluster_m)
              & (np.maximum(along, along.T) <= cluster_m))
    return _numbered(n, np.argwhere(np.triu(linked, 1)))


def across_dual(xy: np.ndarray, nodes: np.ndarray, where: Sequence[tuple[int, float]],
                other: BaseGeometry, cluster_m: float) -> list[int]:
    """``nodes`` with consecutive clusters on one base part merged where they lie on the two
    carriageways of a dual ``other`` that run beside each other, less than twice ``cluster_m``
    apart along the base (``where``: part and position of each cluster)."""
    parts = shapely.get_parts(shapely.line_merge(other))
    if len(parts) < 2:
        return list(map(int, nodes))
    pts = shapely.points(xy)
    near = np.argmin(shapely.distance(pts[:, None], parts[None, :]), axis=1)
    pairs = []
    for i in range(len(xy) - 1):
        (ka, pa), (kb, pb) = where[i], where[i + 1]
        if (nodes[i] == nodes[i + 1] or ka != kb or abs(pb - pa) > 2 * cluster_m
                or near[i] == near[i + 1]):
            continue
        # The two carriageways of ``other`` run beside each other here.
        if shapely.distance(pts[i], parts[near[i + 1]]) <= 2 * cluster_m:
            pairs.append((i, i + 1))
    # Same-numbered clusters stay together: link each to the first of its number.
    first = {}
    for i, node in enumerate(nodes):
        j = first.setdefault(int(node), i)
        if j != i:
            pairs.append((j, i))
    return _numbered(len(xy), np.array(pairs, dtype=int).reshape(-1, 2))


def _numbered(n: int, links: np.ndarray) -> list[int]:
    """Numbers for ``n`` items joined by ``links`` (pairs), from 0 in order of first item."""
    label = list(range(n))

    def root(i: int) -> int:
        while label[i] != i:
            label[i] = label[label[i]]
            i = label[i]
        return i

    for i, k in links:
        a, b = root(int(i)), root(int(k))
        label[max(a, b)] = min(a, b)
    first: dict[int, int] = {}
    return [first.setdefault(root(i), len(first)) for i in range(n)]
