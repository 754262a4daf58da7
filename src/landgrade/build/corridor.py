"""Corridors (两侧各20米区域): both sides of a road stretch, flat ends at the junctions.

``X道路（A至B路口段）两侧各20米区域`` and its two other phrasings are the road between junctions
A and B buffered ``width_m`` on each side; on a dual carriageway, from each outer carriageway.
A whole-road corridor (人民路两侧各50米区域) is the road wherever it runs inside the extent.
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from landgrade.build.context import BuildContext, BuildError, Clause, join_notes
from landgrade.build.lines import road_line, stretch_between
from landgrade.build.report import ReportRow
from landgrade.gazette.rules import Corridor
from landgrade.network.junctions import JunctionError


def draw_corridor(ctx: BuildContext, clause: Clause, corridor: Corridor) -> BaseGeometry:
    """Both sides of the corridor's road stretch, ``width_m`` on each."""
    try:
        return _both_sides(ctx, clause, corridor)
    except JunctionError as e:
        raise BuildError(f"grade {clause.grade}, area {clause.area}: {e}") from None


def _both_sides(ctx: BuildContext, clause: Clause, c: Corridor) -> BaseGeometry:
    stretch = f"{c.from_}–{c.to}" if c.from_ is not None else "whole road"
    row = ReportRow("corridor", clause.id, grade=clause.grade, area=clause.area,
                    text=f"{'-'.join(c.features)} ({stretch}) 2×{c.width_m:g} m")
    ctx.rows.append(row)
    base = road_line(ctx, clause.id, c.features, row)
    if c.from_ is None or c.to is None:
        # Both sides of the road wherever it runs inside the extent.
        line = shapely.intersection(base.geom, ctx.extent)
        geom = shapely.buffer(line, c.width_m, cap_style="flat", join_style="mitre")
        row.length_m, row.area_m2 = line.length, float(geom.area)
        ctx.record(row, line=line, area=geom)
        return geom
    line, a, b, ends = stretch_between(ctx, clause.id, base, c.from_, c.to, row)
    # Both sides of the road: on a dual carriageway, from each outer carriageway.
    beside = base.alongside(line)
    geom = shapely.buffer(shapely.union_all([line, *beside]) if beside else line, c.width_m,
                          cap_style="flat", join_style="mitre")
    if beside:
        row.features = join_notes(row.features, "dual carriageway: from each outer carriageway")
    row.length_m, row.junctions = line.length, f"{a.text()}; {b.text()}"
    row.area_m2 = float(geom.area)
    ctx.record(row, line=line, area=geom, point=shapely.multipoints([a.point, b.point]),
               candidates=ends)
    return geom
