"""Table 7 route segments (路线价): each priced road stretch drawn between its endpoints.

A route names a road (``雪峰路``, or ``A-B`` for a road under two names) and two endpoints:
junctions with other roads, the river, a grade boundary (``二级边界``), the extent line
(``基准地价范围线``), the road's end (``五级末端``) or a landmark; the same junction resolver
as Table 5 finds them (:mod:`landgrade.build.lines`). A route that cannot be resolved is kept
with status ``unresolved`` and the reason in the report, never dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString

from landgrade.build.context import BuildContext, BuildError
from landgrade.build.lines import (
    decided_line,
    road_line,
    section_stems,
    stretch_count,
    stretch_options,
)
from landgrade.build.report import ReportRow
from landgrade.errors import LandgradeError
from landgrade.gazette.pricebook import ROUTE_COLUMNS, check_route_numbers
from landgrade.io.formats import IOInputError
from landgrade.io.tables import read_data_table
from landgrade.network.junctions import DUAL_CARRIAGEWAY_M, BaseLine, Junction
from landgrade.network.layers import route_road_name


def draw_routes(ctx: BuildContext, table: pd.DataFrame, source: str) -> gpd.GeoDataFrame:
    """The route layer: ``table``'s rows with their lines, ``length_m`` and ``status``."""
    missing = [c for c in ("id", "name", "from", "to") if c not in table.columns]
    if missing:
        raise BuildError(f"{source}: the routes table needs columns {', '.join(ROUTE_COLUMNS)} "
                         f"(missing {', '.join(missing)})")
    options: list[list[tuple[LineString, Junction, Junction]]] = []
    rows: list[ReportRow] = []
    roads: list[str] = []
    for r in table.to_dict("records"):
        rid, name, start, end = (str(r[c]) for c in ("id", "name", "from", "to"))
        row = ReportRow("route", rid, text=f"{name}: {start} → {end}")
        rows.append(row)
        empty = [c for c, v in (("name", name), ("from", start), ("to", end))
                 if not v.strip() or v == "nan"]
        if empty:
            row.status = "unresolved"
            row.warnings = f"{' and '.join(empty)} left empty in the routes table; fill it in"
            options.append([])
            roads.append("")
            continue
        try:
            base = _route_base(ctx, rid, name, row)
            options.append(stretch_options(ctx, rid, base, start, end, row))
            roads.append(base.label)
        except LandgradeError as e:
            row.status, row.warnings = "unresolved", str(e)
            options.append([])
            roads.append("")
    chosen = _choose_routes(options, roads)
    geoms, lengths, status = [], [], []
    for row, opts, pick in zip(rows, options, chosen, strict=True):
        if not opts:
            geoms.append(None)
            lengths.append(np.nan)
            status.append("unresolved")
            continue
        line, a, b = opts[pick]
        if stretch_count(opts) > 1:
            row.warn(f"{stretch_count(opts)} possible stretches; took the one least overlapping "
                     f"the other routes of the road, then the shortest ({line.length:.1f} m)")
        row.length_m, row.junctions = line.length, f"{a.text()}; {b.text()}"
        ends = {(j.x, j.y) for _, ja, jb in opts for j in (ja, jb)}
        ctx.record(row, line=line, point=shapely.multipoints([a.point, b.point]),
                   candidates=shapely.multipoints(sorted(ends)))
        geoms.append(line)
        lengths.append(line.length)
        status.append("ok")
    ctx.rows.extend(rows)
    out = gpd.GeoDataFrame(table.reset_index(drop=True).copy(), geometry=geoms,
                           crs=ctx.network.roads.crs)
    out["length_m"] = np.round(np.array(lengths, dtype=float), 3)
    out["status"] = status
    return out


def _route_base(ctx: BuildContext, rid: str, name: str, row: ReportRow) -> BaseLine:
    """The road a route is priced along: its decision, its name, or the names it joins."""
    d = ctx.decision(rid, "road", name)
    if d is not None:
        geom, used = decided_line(ctx, d, name, f"route {rid} road")
        row.decision, row.features = d.label(), used
        return BaseLine(geom, f"{name} ({used})")
    road = route_road_name(name)
    stem = next((x for x in section_stems(road) if ctx.network.has(x)), None)
    if not ctx.network.has(road) and stem:
        row.warn(f"{road}: drawn on {stem}")
        road = stem
    parts = [road] if ctx.network.has(road) else [p for p in re.split(r"[-－—]", road) if p]
    return road_line(ctx, rid, parts, row)


def _choose_routes(options: list[list[tuple[LineString, Junction, Junction]]],
                   roads: list[str]) -> list[int]:
    """For each route, the option overlapping least the other routes of its road, then shortest."""
    chosen = [0] * len(options)
    for i, opts in enumerate(options):
        if len(opts) < 2:
            continue
        others = [options[j][chosen[j]][0] for j in range(len(options))
                  if j != i and options[j] and roads[j] == roads[i]]
        if not others:
            continue
        other = shapely.union_all(others)
        # Within half the dual-carriageway distance: a route on the other carriageway overlaps.
        near = shapely.buffer(other, DUAL_CARRIAGEWAY_M / 2, cap_style="flat")
        overlap = [shapely.intersection(o[0], near).length for o in opts]
        lengths = np.array([o[0].length for o in opts])
        chosen[i] = int(np.lexsort((lengths, np.round(overlap, 1)))[0])
    return chosen


def read_routes(path: str | Path) -> pd.DataFrame:
    """A Table 7 CSV as strings (prices stay as printed; the pricebook validates them)."""
    try:
        df = read_data_table(path, ("id", "name", "from", "to"))
    except IOInputError as e:
        raise BuildError(f"{e} (a routes CSV has columns {','.join(ROUTE_COLUMNS)})") from None
    # Decisions, the report and the audit key routes by id: it must name one row.
    blank = df["line"][df["id"] == ""].tolist()
    if blank:
        raise BuildError(f"{path}: line {blank[0]} has no id; give every route an id (A01)")
    repeated = df[df["id"].duplicated(keep=False)]
    if len(repeated):
        rid = repeated["id"].iloc[0]
        lines = ", ".join(map(str, repeated.loc[repeated["id"] == rid, "line"]))
        raise BuildError(f"{path}: id {rid} is on lines {lines}; each route needs its own id")
    check_route_numbers(df, path)
    df = df.drop(columns="line")
    for c in ("standard_depth_m", "price"):
        if c in df:
            num = pd.to_numeric(df[c], errors="coerce")
            if num.notna().all():
                df[c] = num
    return df
