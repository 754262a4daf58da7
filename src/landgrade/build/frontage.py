"""Frontage (沿街): land along roads, to a depth, on one side or both.

``三环路东侧宽200米范围内`` (east side, 200 m), ``南昆高速南侧200米区域``, ``…等街道两侧地区`` and
``沿街道两侧`` (both sides, no depth: the county's ``default_frontage_m`` from metadata.json, or
an analyst's ``width:<m>`` decision — never a guessed number; see
:func:`landgrade.build.context.frontage_depth`).

Each road is taken wherever it runs inside the extent, or between two junctions when the text
names them. Both sides are measured from each outer carriageway (as a corridor). One side is a
band measured from the road's centreline (as an offset is: halfway between the carriageways of
a dual road), judged segment by segment from the road's own direction, so a bending road keeps
its band on the named side.
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from landgrade.build.boundaries import centreline_band
from landgrade.build.context import BuildContext, BuildError, Clause, frontage_depth, join_notes
from landgrade.build.geometry import GRID_M, one_sided_strip
from landgrade.build.lines import item_line, road_line, stretch_between
from landgrade.build.report import ReportRow
from landgrade.gazette.rules import Frontage
from landgrade.network.junctions import JunctionError

_CHINESE = {"E": "东", "W": "西", "S": "南", "N": "北", "NE": "东北", "SE": "东南", "SW": "西南",
            "NW": "西北"}
# A side that misfits the road over more than this share of it is warned about (as a ring's).
_SIDE_MISFIT_WARN = 0.5


def draw_frontage(ctx: BuildContext, clause: Clause, f: Frontage) -> BaseGeometry:
    """The frontage of every road of the clause, ``width_m`` (or the default) deep."""
    side = f"{_CHINESE[f.side]}侧" if f.side else "两侧"
    head = ReportRow("frontage", clause.id, grade=clause.grade, area=clause.area,
                     text=f"{'、'.join(i.feature for i in f.items)}{side}"
                          + (f"{f.width_m:g}米" if f.width_m else ""))
    ctx.rows.append(head)
    depth = frontage_depth(ctx, clause, f.width_m, "frontage", head)
    try:
        if f.from_ is not None and f.to is not None:
            base = road_line(ctx, clause.id, [i.feature for i in f.items], head)
            line, a, b, ends = stretch_between(ctx, clause.id, base, f.from_, f.to, head)
            head.junctions = f"{a.text()}; {b.text()}"
            strips = [_strip(ctx, base, line, f.side, depth, head)]
            head.length_m = line.length
            ctx.record(head, line=line, point=shapely.multipoints([a.point, b.point]),
                       candidates=ends)
        else:
            strips = []
            for k, it in enumerate(f.items, start=1):
                row = ReportRow("item", clause.id, text=it.feature, grade=clause.grade,
                                area=clause.area, item=str(k))
                base = item_line(ctx, clause.id, str(k), it.feature, it.qualifier, row)
                line = shapely.intersection(base.geom, ctx.extent)
                if line.is_empty:
                    row.impossible(f"{it.feature} does not run inside the extent")
                s = _strip(ctx, base, line, f.side, depth, row)
                row.length_m, row.area_m2 = line.length, float(s.area)
                ctx.rows.append(row)
                ctx.record(row, line=line, area=s)
                strips.append(s)
    except JunctionError as e:
        raise BuildError(f"grade {clause.grade}, area {clause.area}: {e}") from None
    area = shapely.union_all(strips, grid_size=GRID_M)
    head.area_m2 = float(area.area)
    ctx.record(head, area=area)
    return area


def _strip(ctx: BuildContext, base, line: BaseGeometry, side: str | None, depth: float,
           row: ReportRow) -> BaseGeometry:
    """The frontage of one stretch: both sides from the outer carriageways, or one side from
    every carriageway (the outer one on that side reaching furthest)."""
    parts = [p for p in shapely.get_parts(shapely.line_merge(line)) if p.length > 0]
    beside = [o for p in parts for o in base.alongside(p)]
    if side is None:
        geom = shapely.buffer(shapely.union_all([*parts, *beside]), depth, cap_style="flat",
                              join_style="mitre")
        if beside:
            row.features = join_notes(row.features, "dual carriageway: from each outer "
                                      "carriageway")
        return geom
    # One side: the band from the road's centreline (an offset band, 南侧200米区域).
    carriageways = [*parts, *beside]
    misfit_len = sum(one_sided_strip(p, side, depth)[1] * p.length for p in carriageways)
    total = sum(p.length for p in carriageways) or 1.0
    if misfit_len / total > _SIDE_MISFIT_WARN:
        row.warn(f"the {side} side does not fit the road's direction over "
                 f"{misfit_len / total:.0%} of it; the band takes the side closest to it")
    if beside:
        row.features = join_notes(row.features, f"{side} band from the centreline between "
                                  "the carriageways")
    return shapely.union_all([centreline_band(carriageways, side, depth)], grid_size=GRID_M)
