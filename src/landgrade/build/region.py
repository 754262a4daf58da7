"""Regions (区域): the part of the grading extent on named sides of features.

``平溪江以南－沟渠以西区域`` is the extent cut by each bound feature, keeping the side named
for every bound (以南: south of it). A bound that stops short of the extent line is extended
straight on to it (:func:`landgrade.build.geometry.extend_to_extent`: along its last 20 m; a fork
or turning loop at its end as one end), and the report row says how far; a road in sections is
joined across its gaps first. The half-plane of one
line (:func:`half_plane`) also serves a ring's ``within`` (平溪江以南) and its items'
qualifiers (平溪江以南段).
"""

from __future__ import annotations

import re

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from landgrade.build.boundaries import boundary_base
from landgrade.build.context import BuildContext, Clause, join_notes
from landgrade.build.geometry import (
    GRID_M,
    bridge_gaps,
    crossings_of_extent,
    extend_to_extent,
    polygonal,
    side_of,
)
from landgrade.build.lines import item_line
from landgrade.build.report import ReportRow
from landgrade.gazette.names import CHAR_OF_SIDE, SIDE_OF_CHAR
from landgrade.gazette.rules import Region
from landgrade.network.junctions import COMPASS, BaseLine
from landgrade.text import normalize

HALF_PLANE_TEXT = re.compile(r"^(?P<name>.+?)以(?P<side>[东西南北])(?:段|侧)?$")
"""A half-plane named in text: a feature and a side (平溪江以南, 平溪江以南段)."""


def draw_region(ctx: BuildContext, clause: Clause, r: Region) -> BaseGeometry:
    """The extent cut by each bound, on the side named for it."""
    row = ReportRow("region", clause.id, grade=clause.grade, area=clause.area,
                    text="-".join(f"{b.feature}以{CHAR_OF_SIDE[b.side]}" for b in r.bounds))
    ctx.rows.append(row)
    area = ctx.extent
    for k, b in enumerate(r.bounds, start=1):
        brow = ReportRow("item", clause.id, text=f"{b.feature}以{CHAR_OF_SIDE[b.side]}",
                         grade=clause.grade, area=clause.area, item=str(k))
        line = (boundary_base(ctx, clause.id, str(k), b.item, brow, facing=b.side)
                if b.item is not None else item_line(ctx, clause.id, str(k), b.feature, None,
                                                     brow))
        half, bound = half_plane(ctx, line, b.side, brow)
        brow.area_m2 = float(half.area)
        ctx.rows.append(brow)
        ctx.record(brow, line=bound, area=half)
        area = polygonal(shapely.intersection(area, half, grid_size=GRID_M))
    row.area_m2 = float(area.area)
    check_part(ctx, area, f"region {row.text}", row)
    ctx.record(row, area=area)
    return area


def half_plane(ctx: BuildContext, line: BaseLine, side: str, row: ReportRow,
               as_note: bool = False) -> tuple[BaseGeometry, BaseGeometry]:
    """The part of the extent on ``side`` of a line, extended to the extent line, and the
    line as it divides the extent (joined and extended, for review).

    A road in sections with a gap between them (a junction area drawn under other names)
    is taken as a whole: facing loose ends are joined across the gap first, and only the
    ends left over are extended. ``as_note``: the joins and extensions are the method of the
    caller's kind (a 四至 whose sides do not meet), said in the row's notes, not warned about."""
    say = (lambda m: setattr(row, "features", join_notes(row.features, m))) if as_note else (
        row.warn)
    joined, gaps = bridge_gaps(line.geom, ctx.extent)
    if gaps:
        say(f"{line.label} is in sections {', '.join(f'{g:.1f}' for g in gaps)} m apart: "
            "joined straight across for the half-plane (check it on the review page)")
    ext = extend_to_extent(joined, ctx.extent)
    extended, grown = ext.line, ext.grown_m
    if grown > ctx.tolerance_m:
        say(f"{line.label} extended {grown:.1f} m to reach the extent line")
    if ext.forked_ends:
        row.features = join_notes(row.features, f"{ext.forked_ends} forked end(s) (a fork or "
                                  "turning loop) extended as one, along the road's mean heading")
    if (grown > ctx.tolerance_m or gaps) and crossings_of_extent(line.geom,
                                                                 ctx.extent) >= 2:
        how = (f"a loose end was extended {grown:.1f} m" if grown > ctx.tolerance_m
               else f"it was joined across a gap of {max(gaps):.1f} m")
        row.impossible(
            f"{line.label} already reaches the extent line on both sides, yet {how} (a "
            f"piece that does not join the road?); join the pieces (--snap) or add a "
            f"decision")
    if extended.is_empty:
        # The line lies wholly outside the extent: the extent is on one side of it.
        rp = shapely.point_on_surface(ctx.extent)
        near = shapely.get_coordinates(shapely.shortest_line(rp, line.geom))
        ahead = float((near[0] - near[1]) @ np.array(COMPASS[side])) > 0
        half = ctx.extent if ahead else Polygon()
    else:
        half = side_of(extended, side, ctx.extent)
    name = f"{line.label}以{CHAR_OF_SIDE[side]}"
    check_part(ctx, half, name, row)
    return half, extended if not extended.is_empty else line.geom


def half_plane_named(ctx: BuildContext, text: str, clause: str,
                     row: ReportRow) -> BaseGeometry | None:
    """The half-plane a text names (平溪江以南), or None if the text names none."""
    m = HALF_PLANE_TEXT.match(normalize(text))
    if not m:
        return None
    line = item_line(ctx, clause, "within", m.group("name"), None, row)
    return half_plane(ctx, line, SIDE_OF_CHAR[m.group("side")], row)[0]


def check_part(ctx: BuildContext, geom: BaseGeometry, what: str, row: ReportRow) -> None:
    """Flag a half-plane or region that covers the whole extent or nothing."""
    whole = float(ctx.extent.area)
    if geom.area <= 1.0:
        row.impossible(f"{what} covers nothing of the extent")
    elif geom.area >= whole * (1 - 1e-6):
        row.impossible(f"{what} covers the whole extent (the line does not divide it: "
                       "is it drawn in disconnected pieces, or beside the extent?)")
