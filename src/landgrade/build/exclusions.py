"""Named places an area leaves out (``（不含妙峰山和西山）``, ``…金川公园不参与定级``).

An area's ``exclude_features`` are cut out of it where the network draws them as areas: a
landmark polygon, a unit of the administrative boundary layer, or a water area. A name the
network does not know, or knows only as a point or a line, cannot be cut: the area is drawn
whole and its report row warns, naming the place and how to supply it.
"""

from __future__ import annotations

from collections.abc import Iterable

import shapely
from shapely.geometry.base import BaseGeometry

from landgrade.build.context import BuildContext, Clause, join_notes
from landgrade.build.geometry import GRID_M, polygonal
from landgrade.build.report import ReportRow


def cut_features(ctx: BuildContext, clause: Clause, geom: BaseGeometry, names: Iterable[str],
                 row: ReportRow) -> BaseGeometry:
    """``geom`` without the named places the network draws as areas; the rest warned about."""
    net = ctx.network
    cut: list[BaseGeometry] = []
    for name in names:
        if not net.has(name):
            row.warn(f"{name} not cut out: no landmark, water or administrative area of that "
                     f"name (closest: {', '.join(net.suggest(name)) or 'none'}); add it to the "
                     "landmarks layer as a polygon")
            continue
        area = net.area_of(name)
        if area.is_empty:
            row.warn(f"{name} not cut out: the network draws it as a point or a line, not an "
                     "area; add its outline to the landmarks layer")
            continue
        cut.append(area)
        row.features = join_notes(row.features, f"minus {name} ({area.area:,.0f} m²)")
    if not cut:
        return geom
    return polygonal(shapely.difference(geom, shapely.union_all(cut), grid_size=GRID_M))
