"""The spatial-join engine: grade, prices and nearest priced road for points and parcels.

:func:`load_engine` (or :func:`load_grade_map` + :class:`Engine`) loads a built grade map — the
bundled county's by default, built once and cached (see :mod:`landgrade.cache`) — and answers:

- :meth:`Engine.locate` for coordinates (scalars or arrays), returning a DataFrame;
- :meth:`Engine.assign` for a GeoDataFrame of points or parcels, returning it with the answer
  columns added: one row out per row in, same order, every input attribute kept.

Answer columns (names fit a shapefile's 10 characters; ``<u>`` is a use's short key, e.g.
``comm, resi, indu, pub1, pub2`` for commercial, residential, industrial, public_1, public_2):

============  ===================================================================================
column        meaning
============  ===================================================================================
in_extent     inside the grading extent (基准地价范围界线), boundary included
grade         urban land grade (土地级别), null outside the extent
p_<u>         benchmark price per use, yuan/m² (parcels: area-weighted over the part in the extent)
t_<u>         land-use term of that price, years (使用年期)
r_<u>         plot ratio of that price (容积率)
val_date      valuation date (估价期日)
price_src     ``urban`` (Table 6), ``town`` (Table 8, given a town and town grade) or empty
town_cls      the town's class when town prices were used
route_id      nearest road-line price segment (路线价, Table 7)
route_name    its name
route_m       distance to it, metres
route_in      within that segment's standard depth (标准深度): ``route_m <= standard_depth_m``
route_px      its road-line price, yuan/m²
on_bound      the point lies on a boundary between grades (or of the extent)
status        one of :data:`STATUSES`
message       what the status means for this row, and the fix
share_<g>     parcels: share of the parcel's area in grade g (0–1); ``share_out`` outside
area_m2       parcels: area in the working CRS
============  ===================================================================================

Rules, stated once:

- **Boundary tie rule.** A point on the shared boundary of two grades takes the better (lower
  numbered) grade, as the gazette lets higher grades win, and gets ``on_bound``. A point on the
  extent's outer edge is inside (grade of the zone it touches). Points in the interior of a zone
  are decided exactly (``shapely.contains_xy`` semantics); a regular grid only skips the exact
  test in cells that no zone boundary crosses.
- **Nearest route ties.** Distances are exact point-to-segment distances (the same arithmetic
  as GEOS); equally near routes resolve to the one listed first in the routes layer.
- **Parcels.** ``grade`` is the grade holding the largest share of the parcel's area (ties: the
  better grade); prices are area-weighted over the part inside the extent.
- **Other geometry** (lines, multipoints) is graded at a point on the geometry
  (``shapely.point_on_surface``); the nearest route uses the whole geometry.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.crs import WORKING_CRS
from landgrade.errors import LandgradeError
from landgrade.grade_map import SCHEMATIC_NOTE, GradeMap

STATUSES: dict[str, str] = {
    "ok": "answered",
    "outside_extent": "outside the grading extent: no urban grade or price",
    "outside_county": "outside the county outline: check the coordinates and --crs",
    "empty_geometry": "empty geometry: nothing to locate",
    "null_geometry": "no geometry (or blank/non-numeric coordinates)",
    "invalid_geometry_repaired": "invalid geometry, repaired with make_valid before use",
    "invalid_geometry": "invalid geometry that make_valid could not repair",
    "crs_suspect_swapped": "coordinates look like latitude/longitude swapped: swap them",
    "crs_suspect_zone_prefix": (
        "easting has a Gauss-Krüger zone prefix (e.g. 37xxxxxx): use --crs EPSG:4525"
    ),
    "crs_suspect_geographic": "coordinates look like degrees, not metres: use --crs EPSG:4326",
    "crs_suspect_projected": "coordinates look like metres, not degrees: use --crs EPSG:4546",
    "crs_suspect": "coordinates do not fit the given CRS: check --crs",
    "unknown_town": "town not in the town table (Table 8): check the town name",
    "bad_town_grade": "town grade not in the town's class table (Table 8)",
}
_CRS_FLAG_STATUS = {
    "lat_lon_swapped": "crs_suspect_swapped",
    "swapped": "crs_suspect_swapped",
    "gk_zone_prefix": "crs_suspect_zone_prefix",
    "looks_geographic": "crs_suspect_geographic",
    "not_geographic": "crs_suspect_projected",
}
# Flags that need no status of their own: missing coordinates are already null_geometry, and a
# point outside the CRS's area of use is reported as outside_county / outside_extent.
_CRS_FLAGS_IGNORED = {"not_finite", "outside_valid_area"}
_CODE = {k: i for i, k in enumerate(STATUSES)}
_NO_ROUTE = [_CODE[k] for k in STATUSES if k == "outside_county" or k.startswith("crs_suspect")]
_BOUNDARY_MESSAGE = "on a boundary between zones: the better (lower) grade is taken"
_MESSAGES = [*STATUSES.values(), _BOUNDARY_MESSAGE]
_BLOCK = 250_000  # points per vectorised block: bounds temporary memory


def use_short(use: str) -> str:
    """Short key of a use for 10-character column names: ``public_1`` → ``pub1``."""
    head, _, tail = use.rpartition("_")
    if head and tail.isdigit():
        return head[:3] + tail
    return use[:4]


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
    parts, owner = shapely.get_parts(geoms, return_index=True)
    rings, ring_owner = shapely.get_rings(parts, return_index=True)
    is_poly = shapely.get_type_id(parts) == 3
    lines = np.concatenate([parts[~is_poly], rings])
    line_owner = np.concatenate([owner[~is_poly], owner[ring_owner]])
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    same = idx[1:] == idx[:-1]
    seg = np.hstack([coords[:-1][same], coords[1:][same]])
    return seg, line_owner[idx[:-1][same]]


def point_segment_distance(px: np.ndarray, py: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Distance from points to segments ``(ax, ay, bx, by)`` rows, with GEOS's arithmetic.

    GEOS's ``Distance::pointToSegment`` is reproduced operation for operation, so distances are
    bit-identical to ``shapely.distance`` and ties between routes resolve exactly as in GEOS.
    """
    seg = np.asarray(seg, dtype=float)
    return _segment_distance(px, py, seg[:, 0], seg[:, 1], seg[:, 2], seg[:, 3])


def _segment_distance(
    px: np.ndarray, py: np.ndarray, ax: np.ndarray, ay: np.ndarray, bx: np.ndarray, by: np.ndarray
) -> np.ndarray:
    dx = bx - ax
    dy = by - ay
    len2 = dx * dx + dy * dy
    pax = px - ax
    pay = py - ay
    with np.errstate(divide="ignore", invalid="ignore"):
        r = pax * dx
        r += pay * dy
        r /= len2
        # GEOS: s = ((A.y - p.y) * dx - (A.x - p.x) * dy) / len2; negation is exact, so this
        # is the same number.
        dist = pax * dy
        dist -= pay * dx
        dist /= len2
        np.abs(dist, out=dist)
        dist *= np.sqrt(len2)
    before = (r <= 0.0) | (len2 == 0)
    after = r >= 1.0
    if before.any():
        ex, ey = pax[before], pay[before]
        dist[before] = np.sqrt(ex * ex + ey * ey)
    if after.any():
        ex, ey = px[after] - bx[after], py[after] - by[after]
        dist[after] = np.sqrt(ex * ex + ey * ey)
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
    sx, sy, ex, ey = (np.ascontiguousarray(index.seg[:, k]) for k in range(4))
    for lo in range(0, n, _BLOCK):
        sl = slice(lo, min(lo + _BLOCK, n))
        sel = np.flatnonzero(inside[sl] & ok[sl]) + lo
        if len(sel):
            c = cid[sel]
            start = index.cand_ptr[c]
            cnt = index.cand_ptr[c + 1] - start
            # Most cells have a single candidate segment: no pairs to expand there.
            one = cnt == 1
            p1, s1 = sel[one], index.cand_seg[start[one]]
            dist[p1] = _segment_distance(x[p1], y[p1], sx[s1], sy[s1], ex[s1], ey[s1])
            route[p1] = index.seg_route[s1]
            sel, start, cnt = sel[~one], start[~one], cnt[~one]
        if len(sel):
            first = np.cumsum(cnt) - cnt
            pair_pt = np.repeat(np.arange(len(sel)), cnt)
            seg_ix = index.cand_seg[np.repeat(start - first, cnt) + np.arange(cnt.sum())]
            pts = sel[pair_pt]
            d = _segment_distance(x[pts], y[pts], sx[seg_ix], sy[seg_ix], ex[seg_ix], ey[seg_ix])
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


def _to_working_xy(
    x: np.ndarray, y: np.ndarray, spec: Any, working: Any = WORKING_CRS
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in the map's working CRS ``working`` (no work when they already are)."""
    from landgrade import crs as crsmod

    src = crsmod.resolve_crs(spec)
    if src.offset is None and src.crs.equals(working):
        return x, y
    wx, wy = crsmod.transform(x, y, src, working)
    return np.asarray(wx, dtype=float), np.asarray(wy, dtype=float)


def _flag_crs(x: np.ndarray, y: np.ndarray, spec: Any, status: np.ndarray, far: np.ndarray,
              working: Any = WORKING_CRS) -> None:
    """Set a crs_suspect_* status on rows that landed outside the extent and look mis-declared.

    Only rows outside the extent are checked: a coordinate that falls inside it is taken as
    right, and checking only the rest keeps the common case fast.
    """
    from landgrade import crs as crsmod

    rows = np.flatnonzero(far & (status == _CODE["ok"]))
    if not len(rows):
        return
    area = crsmod.valid_area(working)  # the map's own zone: where its coordinates belong
    flags = np.asarray(crsmod.detect_crs_problem(x[rows], y[rows], spec, area), dtype=object)
    for flag, code in _CRS_FLAG_STATUS.items():
        status[rows[flags == flag]] = _CODE[code]


# --- prices --------------------------------------------------------------------------------------
class _PriceColumns:
    """Per-grade price and connotation arrays from a pricebook, aligned to grade values."""

    def __init__(self, pricebook: Any, grade_values: np.ndarray) -> None:
        self.pricebook = pricebook
        self.uses: list[str] = list(pricebook.uses) if pricebook is not None else []
        self.short = {u: use_short(u) for u in self.uses}
        self.grades: list[int] = sorted(set(grade_values.tolist()))
        self._lookup = np.full(max(self.grades) + 2, -1, dtype=np.int64)
        self._lookup[self.grades] = np.arange(len(self.grades))
        self.prices = pd.DataFrame(index=pd.Index(self.grades))
        self.terms = self.prices.copy()
        self.ratios = self.prices.copy()
        self.valuation_date = ""
        if pricebook is None:
            return
        table = pricebook.urban_price_table()
        self.prices = table.reindex(index=self.prices.index, columns=self.uses).astype(float)
        for u in self.uses:
            terms, ratios = [], []
            for g in self.prices.index:
                c = _connotation(pricebook, int(g), u, "urban")
                terms.append(_attr(c, "term_years"))
                ratios.append(_attr(c, "plot_ratio"))
                self.valuation_date = self.valuation_date or str(_attr(c, "valuation_date") or "")
            self.terms[u] = terms
            self.ratios[u] = ratios


    def position(self, grade: np.ndarray) -> np.ndarray:
        """Row of each grade in the price tables; -1 for no grade."""
        ok = (grade >= 0) & (grade < len(self._lookup))
        return np.where(ok, self._lookup[np.where(ok, grade, 0)], -1)


def _connotation(pricebook: Any, grade: int, use: str, area: str) -> Any:
    try:
        return pricebook.connotation(grade, use, area=area)
    except (KeyError, LookupError, LandgradeError):
        return None


def _attr(obj: Any, name: str) -> Any:
    if obj is None:
        return np.nan
    if isinstance(obj, dict):
        return obj.get(name, np.nan)
    return getattr(obj, name, np.nan)


# --- the engine ----------------------------------------------------------------------------------
class Engine:
    """Answers grade, prices and nearest route for points and parcels on one grade map.

    ``pricebook`` is a :class:`landgrade.pricebook.PriceBook` (or anything with ``uses``,
    ``urban_price_table()``, ``connotation()``, ``town_prices()`` and ``town_class()``); without
    one only grades and routes are answered. ``outline`` is the county outline in the working
    CRS, used to tell ``outside_county`` from ``outside_extent``.
    """

    def __init__(
        self,
        grade_map: GradeMap,
        pricebook: Any = None,
        *,
        index: GradeIndex | None = None,
        outline: Any = None,
    ) -> None:
        self.grade_map = grade_map
        # The map's own working CRS (its county's Gauss-Krüger zone): queries are converted to it.
        self.working_crs = grade_map.crs
        self.index = index if index is not None else build_index(grade_map)
        self.pricebook = pricebook
        self.outline = outline
        if outline is not None:
            shapely.prepare(outline)
        self._prices = _PriceColumns(pricebook, self.index.grade_values)
        self._route_codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        routes = grade_map.routes
        self.routes = (
            pd.DataFrame(routes.drop(columns=routes.geometry.name)).reset_index(drop=True)
            if routes is not None else pd.DataFrame()
        )

    # -- points ------------------------------------------------------------------------------
    def locate(self, x: Any, y: Any, crs: Any = "EPSG:4326") -> pd.DataFrame:
        """Answer columns (see the module docstring) for coordinates in ``crs``, one row each."""
        x = np.atleast_1d(np.asarray(x, dtype=float)).ravel()
        y = np.atleast_1d(np.asarray(y, dtype=float)).ravel()
        if x.shape != y.shape:
            raise LandgradeError(f"locate: {len(x)} x values but {len(y)} y values")
        status = np.full(len(x), _CODE["ok"], dtype=np.int8)
        status[~(np.isfinite(x) & np.isfinite(y))] = _CODE["null_geometry"]
        spec = crs or self.working_crs
        wx, wy = _to_working_xy(x, y, spec, self.working_crs)
        rows, on_bound = grade_rows_xy(self.index, wx, wy)
        grade = np.where(rows >= 0, self.index.grade_values[np.maximum(rows, 0)], -1)
        _flag_crs(x, y, spec, status, grade < 0, self.working_crs)
        route, dist = nearest_route_xy(self.index, wx, wy)
        return self._frame(grade, on_bound, route, dist, status, wx, wy)

    def _frame(
        self,
        grade: np.ndarray,
        on_bound: np.ndarray,
        route: np.ndarray,
        dist: np.ndarray,
        status: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        shares: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """The answer columns from per-row arrays; ``shares`` (rows × grades) weights prices."""
        n = len(grade)
        inside = grade >= 0
        pc = self._prices
        pos = pc.position(grade)
        cols: dict[str, Any] = {
            "in_extent": inside,
            "grade": pd.arrays.IntegerArray(np.where(inside, grade, 0).astype(np.int64), ~inside),
        }
        for u in pc.uses:
            k = pc.short[u]
            price = _take(pc.prices[u].to_numpy(dtype=float), pos)
            if shares is not None:
                tot = shares.sum(axis=1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    weighted = (shares * np.nan_to_num(pc.prices[u].to_numpy(dtype=float))).sum(
                        axis=1) / tot
                price = np.where(np.isnan(tot), price, np.where(tot > 0, weighted, np.nan))
            cols[f"p_{k}"] = price
            cols[f"t_{k}"] = _take(pc.terms[u].to_numpy(dtype=float), pos)
            cols[f"r_{k}"] = _take(pc.ratios[u].to_numpy(dtype=float), pos)
        priced = inside & bool(pc.uses)
        cols["val_date"] = pd.Categorical.from_codes(
            np.where(priced, 1, 0), categories=["", pc.valuation_date or "-"])
        cols["price_src"] = pd.Categorical.from_codes(
            np.where(priced, 1, 0), categories=["", "urban", "town"])
        cols["town_cls"] = pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool))
        ok = status == _CODE["ok"]
        if self.outline is not None:
            far = ok & ~inside
            in_county = shapely.intersects_xy(self.outline, x[far], y[far])
            status[np.flatnonzero(far)[~in_county]] = _CODE["outside_county"]
        status[(status == _CODE["ok"]) & ~inside] = _CODE["outside_extent"]
        # A nearest road kilometres outside the county, or for a point read in the wrong CRS,
        # answers nothing: those rows get no route.
        has_route = (route >= 0) & ~np.isin(status, _NO_ROUTE)
        route = np.where(has_route, route, -1)
        rt = self.routes
        for col, src in (("route_id", "id"), ("route_name", "name")):
            cats = rt[src].astype(str) if src in rt else pd.Series([""] * len(rt))
            codes = self._route_codes[src] if src in self._route_codes else None
            if codes is None:
                uniq, codes = np.unique(cats.to_numpy(dtype=str), return_inverse=True)
                self._route_codes[src] = codes = (uniq, codes)
            uniq, inv = codes
            cols[col] = pd.Categorical.from_codes(
                np.where(has_route, inv[np.maximum(route, 0)] if len(inv) else -1, -1),
                categories=uniq)
        cols["route_m"] = np.where(has_route, dist, np.nan)
        with np.errstate(invalid="ignore"):
            cols["route_in"] = has_route & (dist <= _take(_num_col(rt, "standard_depth_m"), route))
        cols["route_px"] = _take(_num_col(rt, "price"), route)
        cols["on_bound"] = on_bound
        cols["status"] = pd.Categorical.from_codes(status, categories=list(STATUSES))
        msg = status.astype(np.int16)
        msg[(status == _CODE["ok"]) & on_bound] = len(STATUSES)
        cols["message"] = pd.Categorical.from_codes(msg, categories=_MESSAGES)
        return pd.DataFrame(cols, copy=False)

    # -- files and frames ----------------------------------------------------------------------
    def assign(
        self,
        gdf: gpd.GeoDataFrame,
        crs: Any = None,
        town: str | None = None,
        town_grade: int | None = None,
        town_field: str | None = None,
        town_grade_field: str | None = None,
    ) -> gpd.GeoDataFrame:
        """The input with the answer columns added; one row per input row, same order.

        ``crs`` overrides the frame's own CRS (needed for ``gcj02``/``bd09`` or a frame without
        one). Town prices (Table 8) come from ``town``/``town_grade`` or the named columns; they
        replace the urban prices on rows that have both a town and a town grade.
        """
        spec = crs or gdf.attrs.get("coordinate_system") or gdf.crs
        if spec is None:
            raise LandgradeError(
                "input has no CRS: pass --crs (e.g. EPSG:4326, EPSG:4546, gcj02, bd09)"
            )
        geom = gdf.geometry.to_numpy()
        n = len(geom)
        status = np.full(n, _CODE["ok"], dtype=np.int8)
        xy, which = shapely.get_coordinates(geom, return_index=True)
        if len(which) == n and (n == 0 or which[-1] == n - 1):
            # One coordinate per row: every row is a point (the common, large case).
            type_id = np.zeros(n, dtype=np.int8)
        else:
            type_id = shapely.get_type_id(geom)
        missing = type_id < 0
        status[missing] = _CODE["null_geometry"]
        is_point = type_id == 0
        # Points are cheap to check in bulk; everything else goes through the slower path.
        pt_rows = np.flatnonzero(is_point)
        rx, ry = np.full(n, np.nan), np.full(n, np.nan)
        if len(pt_rows) == n:
            rx, ry = xy[:, 0].copy(), xy[:, 1].copy()
        else:
            xy, which = shapely.get_coordinates(geom[pt_rows], return_index=True)
            rx[pt_rows[which]], ry[pt_rows[which]] = xy[:, 0], xy[:, 1]
            empty_pt = np.ones(len(pt_rows), dtype=bool)
            empty_pt[which] = False  # an empty point has no coordinates
            status[pt_rows[empty_pt]] = _CODE["empty_geometry"]
            is_point[pt_rows[empty_pt]] = False

        rest = np.flatnonzero(~is_point & ~missing & (status == _CODE["ok"]))
        is_area = np.zeros(n, dtype=bool)
        if len(rest):
            g = geom[rest]
            empty = shapely.is_empty(g)
            status[rest[empty]] = _CODE["empty_geometry"]
            invalid = ~empty & ~shapely.is_valid(g)
            if invalid.any():
                fixed = shapely.make_valid(g[invalid])
                bad = shapely.is_empty(fixed) | shapely.is_missing(fixed)
                geom = geom.copy()
                geom[rest[invalid]] = fixed
                status[rest[invalid][bad]] = _CODE["invalid_geometry"]
                status[rest[invalid][~bad]] = _CODE["invalid_geometry_repaired"]
            rest = rest[~empty]
            rest = rest[status[rest] != _CODE["invalid_geometry"]]
            g = geom[rest]
            area_like = np.isin(shapely.get_type_id(g), (3, 6)) | (shapely.area(g) > 0)
            is_area[rest[area_like]] = True
            rep = shapely.point_on_surface(g)
            xy, which = shapely.get_coordinates(rep, return_index=True)
            rx[rest[which]], ry[rest[which]] = xy[:, 0], xy[:, 1]

        wx, wy = _to_working_xy(rx, ry, spec, self.working_crs)
        cells = self.index.cell_of(wx, wy)
        rows, on_bound = grade_rows_xy(self.index, wx, wy, cells)
        grade = np.where(rows >= 0, self.index.grade_values[np.maximum(rows, 0)], -1)
        route, dist = nearest_route_xy(self.index, wx, wy, cells)
        shares = None
        area = None
        if len(rest):
            wgeom = self._geoms_to_working(geom[rest], spec)
            route[rest], dist[rest] = nearest_route_geoms(self.index, wgeom)
            a_rows = np.flatnonzero(is_area)
            if len(a_rows):
                share_a, area_a = self._shares(wgeom[is_area[rest]])
                shares = np.full((n, share_a.shape[1]), np.nan)
                shares[a_rows] = share_a
                area = np.full(n, np.nan)
                area[a_rows] = area_a
                grade[a_rows] = _best_grade(share_a, self._prices.grades)
                on_bound[a_rows] = False
        # A coordinate inside the extent's bounds is plausible in its CRS; only the rest is checked.
        _flag_crs(rx, ry, spec, status, (grade < 0) & ~cells[1], self.working_crs)
        answer = self._frame(grade, on_bound, route, dist, status, wx, wy, shares=shares)
        if shares is not None:
            for j, g in enumerate(self._prices.grades):
                answer[f"share_{g}"] = shares[:, j]
            answer["share_out"] = 1 - shares.sum(axis=1)
            answer["area_m2"] = area
        self._apply_towns(answer, gdf, town, town_grade, town_field, town_grade_field)
        answer.index = gdf.index
        return _join(gdf, answer)

    def _geoms_to_working(self, geoms: np.ndarray, spec: Any) -> np.ndarray:
        from landgrade import crs as crsmod

        g = gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms))
        return crsmod.gdf_to_working(g, crs=spec, working=self.working_crs).geometry.to_numpy()

    def _shares(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Share of each geometry's area per grade (columns: ``self._prices.grades``), areas."""
        idx = self.index
        area = shapely.area(geoms)
        tree = shapely.STRtree(idx.grade_geoms)
        gi, zi = tree.query(geoms, predicate="intersects")
        inter = shapely.area(shapely.intersection(geoms[gi], idx.grade_geoms[zi]))
        col = self._prices.position(idx.grade_values[zi])
        table = np.zeros((len(geoms), len(self._prices.grades)))
        np.add.at(table, (gi, col), inter)
        with np.errstate(invalid="ignore", divide="ignore"):
            shares = table / area[:, None]
        return np.nan_to_num(shares), area

    def _apply_towns(
        self,
        answer: pd.DataFrame,
        gdf: gpd.GeoDataFrame,
        town: str | None,
        town_grade: int | None,
        town_field: str | None,
        town_grade_field: str | None,
    ) -> None:
        has_town = town is not None or town_field is not None
        has_grade = town_grade is not None or town_grade_field is not None
        if has_town != has_grade:
            raise LandgradeError(
                "town prices (Table 8) need both a town and its town grade: give --town with "
                "--town-grade, or --town-field with --town-grade-field"
            )
        if not has_town:
            return
        n = len(answer)
        for fld in (town_field, town_grade_field):
            if fld is not None and fld not in gdf.columns:
                raise LandgradeError(
                    f"no column {fld!r} for towns; columns present: "
                    f"{', '.join(map(str, gdf.columns))}"
                )
        towns = gdf[town_field].to_numpy(dtype=object) if town_field else np.full(n, town, object)
        tgrades = (
            pd.to_numeric(gdf[town_grade_field], errors="coerce").to_numpy()
            if town_grade_field else np.full(n, np.nan if town_grade is None else town_grade)
        )
        tgrades = tgrades.astype(float)
        named = pd.notna(towns) & (towns != "")
        whole = np.isfinite(tgrades) & (tgrades == np.round(tgrades))
        given = named & whole
        if not named.any() or self.pricebook is None:
            return
        pc = self._prices
        for col in ("message", "val_date"):
            answer[col] = answer[col].astype(object)
        # A town whose grade is blank, text or fractional is flagged, not priced as urban land.
        unusable = np.flatnonzero(named & ~whole)
        if len(unusable):
            if town_grade_field:
                raw = gdf[town_grade_field].to_numpy(dtype=object)[unusable]
            else:
                raw = np.full(len(unusable), town_grade, dtype=object)
            answer.loc[unusable, "status"] = "bad_town_grade"
            answer.loc[unusable, "message"] = [
                f"{STATUSES['bad_town_grade']}: {t!r} grade {g!r} is not a whole number"
                for t, g in zip(towns[unusable], raw, strict=True)
            ]
        keys = pd.DataFrame({"t": towns[given], "g": tgrades[given].astype(int)})
        rows_all = np.flatnonzero(given)
        for (t, g), grp in keys.groupby(["t", "g"]).groups.items():
            rows = rows_all[np.asarray(grp)]
            try:
                cls = self.pricebook.town_class(t)
                prices = self.pricebook.town_prices(t, int(g))
            except (KeyError, LookupError, LandgradeError):
                try:
                    self.pricebook.town_class(t)
                    status = "bad_town_grade"
                except (KeyError, LookupError, LandgradeError):
                    status = "unknown_town"
                answer.loc[rows, "status"] = status
                answer.loc[rows, "message"] = f"{STATUSES[status]}: {t!r} grade {g}"
                continue
            area = f"town_class_{cls}"
            for u in pc.uses:
                k = pc.short[u]
                c = _connotation(self.pricebook, int(g), u, area)
                answer.loc[rows, f"p_{k}"] = float(prices.get(u, np.nan))
                answer.loc[rows, f"t_{k}"] = _attr(c, "term_years")
                answer.loc[rows, f"r_{k}"] = _attr(c, "plot_ratio")
            answer.loc[rows, "price_src"] = "town"
            answer.loc[rows, "town_cls"] = int(cls)
            answer.loc[rows, "val_date"] = pc.valuation_date
            moved = rows[answer.loc[rows, "status"].isin(["outside_extent", "outside_county"])]
            answer.loc[moved, "status"] = "ok"
            answer.loc[moved, "message"] = f"town prices (Table 8) of {t}, town grade {g}"


def _take(values: np.ndarray, pos: np.ndarray, fill: Any = np.nan) -> np.ndarray:
    """values[pos] with ``fill`` where pos < 0."""
    if not len(values):
        return np.full(len(pos), fill, dtype=object if fill is None else float)
    out = values[np.maximum(pos, 0)]
    if fill is None:
        out = out.astype(object)
        out[pos < 0] = None
    else:
        out = out.astype(float)
        out[pos < 0] = fill
    return out


def _num_col(df: pd.DataFrame, col: str) -> np.ndarray:
    if col not in df:
        return np.full(len(df), np.nan)
    return pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)


def _best_grade(shares: np.ndarray, grades: list[int]) -> np.ndarray:
    """Grade with the largest share per row (ties: the better grade); -1 when no share."""
    if shares.shape[1] == 0:
        return np.full(len(shares), -1)
    best = np.asarray(grades)[np.argmax(shares, axis=1)]  # argmax keeps the first maximum
    return np.where(shares.max(axis=1) > 0, best, -1)


def _join(gdf: gpd.GeoDataFrame, answer: pd.DataFrame) -> gpd.GeoDataFrame:
    """Input columns then answer columns; an input column with an answer's name gets ``src_``."""
    clash = [c for c in answer.columns if c in gdf.columns and c != gdf.geometry.name]
    base = gdf.rename(columns={c: f"src_{c}"[:10] for c in clash}) if clash else gdf
    out = pd.concat([pd.DataFrame(base), answer], axis=1)
    return gpd.GeoDataFrame(out, geometry=gdf.geometry.name, crs=gdf.crs)


# --- loading -------------------------------------------------------------------------------------
def load_grade_map(
    map_path: str | Path | None = None, county: str | Path | None = None
) -> GradeMap:
    """A built grade map: ``map_path`` if given, else the county's (bundled Dongkou by default),
    built on first use and cached on disk (see :mod:`landgrade.cache`)."""
    from landgrade import cache

    return cache.cached_grade_map(map_path=map_path, county=county)


def load_engine(map_path: str | Path | None = None, county: str | Path | None = None) -> Engine:
    """An :class:`Engine` over :func:`load_grade_map`, with the county's prices and outline.

    With ``map_path`` and no ``county``, the county is the bundled folder whose name matches the
    map's ``county`` metadata; when none matches, only grades and routes are answered.
    """
    from landgrade import cache

    grade_map, index, _ = cache.cached_map_and_index(map_path=map_path, county=county)
    folder = _county_of(grade_map, county, map_path is None)
    pricebook, outline = _county_extras(folder, grade_map.crs)
    return Engine(grade_map, pricebook, index=index, outline=outline)


def _county_of(grade_map: GradeMap, county: str | Path | None, bundled: bool) -> Any:
    from landgrade.county import county_folder, county_of_map

    if county is None and bundled:
        return county_folder(None)
    return county_of_map(grade_map.metadata, county)


def _county_extras(folder: Any, working: Any = WORKING_CRS) -> tuple[Any, Any]:
    """The pricebook and the county outline (working CRS) of a county folder, if any."""
    if folder is None:
        return None, None
    from landgrade.pricebook import load_pricebook

    pricebook = load_pricebook(folder)
    outline = None
    if folder.has("outline.geojson"):
        from landgrade import crs as crsmod
        from landgrade.io import read_file

        g = crsmod.gdf_to_working(read_file(folder.path("outline.geojson")), working=working)
        outline = shapely.union_all(g.geometry.to_numpy())
    return pricebook, outline


# --- command shells ------------------------------------------------------------------------------
def locate_command(
    x: float,
    y: float,
    *,
    crs: str = "EPSG:4326",
    map_path: Path | None = None,
    county: str | None = None,
    as_json: bool = False,
) -> dict[str, Any]:
    """``landgrade locate``: print one coordinate's answer, as text or one JSON object."""
    engine = load_engine(map_path=map_path, county=county)
    if engine.pricebook is None:
        print(f"warning: {map_path}: no county tables match this map, so no prices; "
              "pass --county FOLDER", file=sys.stderr)
    row = engine.locate(x, y, crs=crs).iloc[0]
    result = _row_to_json(engine, row)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(_row_to_text(engine, result, x, y, crs))
    return result


def _clean(v: Any) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _int_or_none(v: Any) -> int | None:
    v = _clean(v)
    return None if v is None else int(v)


def _row_to_json(engine: Engine, row: pd.Series) -> dict[str, Any]:
    pc = engine._prices
    prices = {u: _clean(row[f"p_{pc.short[u]}"]) for u in pc.uses}
    conn = {
        u: {"term_years": _int_or_none(row[f"t_{pc.short[u]}"]),
            "plot_ratio": _clean(row[f"r_{pc.short[u]}"])}
        for u in pc.uses
    }
    route = None
    if not pd.isna(row["route_id"]):
        route = {
            "id": row["route_id"], "name": row["route_name"],
            "distance_m": round(float(row["route_m"]), 2),
            "within_standard_depth": bool(row["route_in"]),
            "price": _clean(row["route_px"]),
        }
    return {
        "inside_extent": bool(row["in_extent"]),
        "grade": _clean(row["grade"]),
        "on_boundary": bool(row["on_bound"]),
        "prices": prices,
        "connotation": conn,
        "valuation_date": row["val_date"] or None,
        "nearest_route": route,
        "status": row["status"],
        "message": row["message"],
        "schematic_network": engine.grade_map.schematic,
    }


def _row_to_text(engine: Engine, r: dict[str, Any], x: float, y: float, crs: str) -> str:
    lines = [f"point      {x} {y} ({crs})"]
    if r["inside_extent"]:
        tie = "  (on a zone boundary: the better grade)" if r["on_boundary"] else ""
        lines.append(f"grade      {r['grade']}{tie}")
    else:
        lines.append("grade      - (outside the grading extent)")
    if engine.pricebook is not None and r["inside_extent"]:
        lines.append(f"prices     yuan/m², valuation date {r['valuation_date']}")
        labels = _use_labels(engine.pricebook)
        from landgrade.names import display_width

        width = max(display_width(labels.get(u, u)) for u in r["prices"])
        for u, p in r["prices"].items():
            c = r["connotation"][u]
            label = labels.get(u, u)
            pad = " " * (width - display_width(label))
            lines.append(
                f"  {label}{pad} {_fmt(p):>8}"
                f"   term {_fmt(c['term_years'])} y, plot ratio {_fmt(c['plot_ratio'])}"
            )
    nr = r["nearest_route"]
    if nr:
        inside = "within" if nr["within_standard_depth"] else "beyond"
        lines.append(
            f"route      {nr['id']} {nr['name']}: {nr['distance_m']:.1f} m ({inside} its "
            f"standard depth), road-line price {_fmt(nr['price'])} yuan/m²"
        )
    lines.append(f"status     {r['status']}: {r['message']}")
    if engine.grade_map.schematic:
        lines.append(f"note       {SCHEMATIC_NOTE}")
    return "\n".join(lines)


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    return f"{v:g}" if isinstance(v, float) else str(v)


def _use_labels(pricebook: Any) -> dict[str, str]:
    try:
        return {u: pricebook.use_label(u) for u in pricebook.uses}
    except (AttributeError, LandgradeError):
        return {}


def assign_command(
    input_path: Path,
    output: Path,
    *,
    crs: str | None = None,
    map_path: Path | None = None,
    county: str | None = None,
    x_field: str | None = None,
    y_field: str | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    town: str | None = None,
    town_grade: int | None = None,
    town_field: str | None = None,
    town_grade_field: str | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
) -> pd.Series:
    """``landgrade assign``: stream a file through :meth:`Engine.assign` into ``output``.

    Default input CRS: the file's own; for CSV, WGS84 (EPSG:4326). Prints the shapefile field
    renames and a count of rows per status to stderr; returns those counts.
    """
    from landgrade import io

    io.check_output(output, input_path)
    src = io.open_source(input_path, layer=layer, encoding=encoding, x_field=x_field,
                         y_field=y_field)
    if src.encoding_note and "garbled" in src.encoding_note:
        print(f"warning: {input_path}: {src.encoding_note}", file=sys.stderr)
    spec = crs or src.crs
    if spec is None and src.is_table:
        spec = "EPSG:4326"
    if spec is None:
        raise io.IOInputError(
            f"{input_path}: the file has no CRS (no .prj or CRS metadata); pass --crs, "
            "e.g. --crs EPSG:4546 or --crs EPSG:4326"
        )
    engine = load_engine(map_path=map_path, county=county)
    if engine.pricebook is None:
        print(f"warning: {map_path}: no county tables match this map, so no prices; "
              "pass --county FOLDER", file=sys.stderr)
    counts: pd.Series = pd.Series(dtype="int64")
    size = io.DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size
    with io.ChunkWriter(output, csv_geometry=not src.is_table) as writer:
        for chunk in io.iter_chunks(src, size, progress=progress):
            out = engine.assign(chunk, crs=spec, town=town, town_grade=town_grade,
                                town_field=town_field, town_grade_field=town_grade_field)
            out = out.set_crs(_label_crs(spec), allow_override=True)
            writer.write(out)
            counts = counts.add(out["status"].value_counts(), fill_value=0).astype("int64")
    if writer.renamed:
        pairs = ", ".join(f"{a} -> {b}" for a, b in writer.renamed.items())
        print(f"{output}: field names cut to 10 characters: {pairs}", file=sys.stderr)
    total = int(counts.sum())
    print(f"{output}: {total} rows written", file=sys.stderr)
    for status, n in counts[counts > 0].sort_values(ascending=False).items():
        print(f"  {status:<28} {int(n):>10}  {STATUSES.get(str(status), '')}", file=sys.stderr)
    if _label_crs(spec) is None and not src.is_table:
        print(f"note: {output}: the geometry stays in {spec} as given, which no .prj or CRS "
              "label can name; declare it as such when loading it", file=sys.stderr)
    return counts


def _label_crs(spec: str) -> Any:
    """The CRS to label output geometry with; GCJ-02/BD-09 have none in PROJ."""
    from landgrade.crs import resolve_crs

    resolved = resolve_crs(spec)
    return None if resolved.offset else resolved.crs
