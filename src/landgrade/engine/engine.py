"""The engine: grade, prices and nearest priced road for points and parcels.

:func:`load_engine` (or :func:`load_grade_map` + :class:`Engine`) loads a built grade map —
the bundled county's by default, built once and cached (see :mod:`landgrade.engine.cache`) — and
answers:

- :meth:`Engine.locate` for coordinates (scalars or arrays), returning a DataFrame;
- :meth:`Engine.assign` for a GeoDataFrame of points or parcels, returning it with the answer
  columns added: one row out per row in, same order, every input attribute kept.

The answer columns and their rules are defined in :mod:`landgrade.engine.answer`; the vectorised
grid kernels behind them in :mod:`landgrade.engine.grid`.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.build.grade_map import GradeMap
from landgrade.engine.answer import (
    AREA_DECIMALS,
    CRS_FLAG_STATUS,
    DISTANCE_DECIMALS,
    MESSAGES,
    NO_ROUTE_STATUSES,
    SHARE_DECIMALS,
    STATUS_CODE,
    STATUSES,
    published_decimals,
    route_facts_table,
)
from landgrade.engine.frames import (
    best_grade,
    categorical,
    frame_from_blocks,
    join_answer,
    numeric_column,
    onehot,
)
from landgrade.engine.grid import (
    GradeIndex,
    build_index,
    grade_rows_xy,
    nearest_route_shapes,
    nearest_route_xy,
)
from landgrade.engine.overlay import ZoneEdges, zone_areas
from landgrade.engine.price_columns import PriceColumns
from landgrade.engine.pricing import PricingOptions, check_column, pricing_of
from landgrade.engine.shapes import convex_polygons
from landgrade.engine.town_prices import apply_town_prices
from landgrade.engine.use_grades import use_engines, with_use_grades
from landgrade.engine.use_prices import use_price
from landgrade.errors import LandgradeError
from landgrade.io.crs import WORKING_CRS

# Status codes of rows whose coordinates do not fit their CRS.
CRS_CODES = {STATUS_CODE[code] for code in CRS_FLAG_STATUS.values()}


def _to_working_xy(
    x: np.ndarray, y: np.ndarray, spec: Any, working: Any = WORKING_CRS
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in the map's working CRS ``working`` (no work when they already are)."""
    from landgrade.io import crs as crsmod

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
    from landgrade.io import crs as crsmod

    rows = np.flatnonzero(far & (status == STATUS_CODE["ok"]))
    if not len(rows):
        return
    area = crsmod.valid_area(working)  # the map's own zone: where its coordinates belong
    flags = np.asarray(crsmod.detect_crs_problem(x[rows], y[rows], spec, area), dtype=object)
    for flag, code in CRS_FLAG_STATUS.items():
        status[rows[flags == flag]] = STATUS_CODE[code]


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
        # Why there are no prices, when a county folder was found but holds no price tables.
        self.no_prices: str | None = None
        self.outline = outline
        if outline is not None:
            shapely.prepare(outline)
        self._prices = PriceColumns(pricebook, self.index.grade_values)
        self._price_decimals = published_decimals(self._prices.prices.to_numpy())
        self._route_codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        routes = grade_map.routes
        self.routes = (
            pd.DataFrame(routes.drop(columns=routes.geometry.name)).reset_index(drop=True)
            if routes is not None else pd.DataFrame()
        )

    # -- points ------------------------------------------------------------------------------
    def locate(self, x: Any, y: Any, crs: Any = "EPSG:4326") -> pd.DataFrame:
        """Answer columns (see the module docstring) for coordinates in ``crs``, one row each."""
        try:
            x = np.atleast_1d(np.asarray(x, dtype=float)).ravel()
            y = np.atleast_1d(np.asarray(y, dtype=float)).ravel()
        except (TypeError, ValueError) as e:
            raise LandgradeError(f"locate: coordinates must be numbers ({e})") from None
        if x.shape != y.shape:
            raise LandgradeError(f"locate: {len(x)} x values but {len(y)} y values")
        status = np.full(len(x), STATUS_CODE["ok"], dtype=np.int8)
        status[~(np.isfinite(x) & np.isfinite(y))] = STATUS_CODE["null_geometry"]
        spec = crs or self.working_crs
        wx, wy = _to_working_xy(x, y, spec, self.working_crs)
        rows, on_bound = grade_rows_xy(self.index, wx, wy)
        grade = np.where(rows >= 0, self.index.grade_values[np.maximum(rows, 0)], -1)
        _flag_crs(x, y, spec, status, grade < 0, self.working_crs)
        route, dist = nearest_route_xy(self.index, wx, wy)
        frame = self._frame(grade, on_bound, route, dist, status, wx, wy)
        if self.grade_map.use_grades:  # each use its own grade (landgrade.engine.use_grades)
            frame = with_use_grades(self, frame, lambda e: e.locate(x, y, crs))
        return frame

    @cached_property
    def use_engines(self) -> dict[str, Engine]:
        """One engine per land use with its own grading (empty for a single grading)."""
        return use_engines(self)

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
        area: np.ndarray | None = None,
    ) -> pd.DataFrame:
        """The answer columns from per-row arrays; ``shares`` (rows × grades) weights prices.

        Built as one block per dtype (floats, bools) written in place and handed to pandas
        without copies: at a million rows, per-column arrays and pandas' block merging cost
        more than the spatial queries.
        """
        n = len(grade)
        inside = grade >= 0
        pc = self._prices
        ok = status == STATUS_CODE["ok"]
        if self.outline is not None:
            far = np.flatnonzero(ok & ~inside)
            far = far[~self._surely_in_county(x[far], y[far])]
            in_county = shapely.intersects_xy(self.outline, x[far], y[far])
            status[far[~in_county]] = STATUS_CODE["outside_county"]
        status[(status == STATUS_CODE["ok"]) & ~inside] = STATUS_CODE["outside_extent"]
        # A nearest road kilometres outside the county, or for a point read in the wrong CRS,
        # answers nothing: those rows get no route.
        has_route = (route >= 0) & ~np.isin(status, NO_ROUTE_STATUSES)
        route_pos = np.where(has_route, route, len(self.routes))

        names = ["in_extent", "grade", *pc.columns, "val_date", "price_src", "town_cls",
                 "route_id", "route_name", "route_m", "route_in", "route_px", "on_bound",
                 "status", "message"]
        share_names: list[str] = []
        if shares is not None:
            share_names = [f"share_{g}" for g in pc.grades] + ["share_out", "area_m2"]
        place = {c: i for i, c in enumerate(names + share_names)}
        nu = len(pc.uses)
        pr_names = [f"{k}_{pc.short[u]}" for u in pc.uses for k in ("p", "r")]
        float_names = [*pr_names, "route_m", "route_px", *share_names]
        # A column per array, not one (columns × n) block: arrays above glibc's 32 MiB mmap
        # ceiling are fresh pages on every call (page faults cost a quarter of the answer at
        # 1M points); a column-sized array is served again from the heap.
        floats = [np.empty(n) for _ in float_names]
        terms = [np.empty(n, dtype=np.int64) for _ in range(nu)]
        terms_na = [np.empty(n, dtype=bool) for _ in range(nu)]
        k = len(pr_names)
        pc.fill(floats[:k], terms, terms_na, pc.position(grade), shares, self._price_decimals)
        # Published precision ("Rounding" in landgrade.engine.answer), in place: no column copies.
        np.round(np.where(has_route, dist, np.nan), DISTANCE_DECIMALS, out=floats[k])
        route_tab = self._route_table
        np.take(route_tab[1], route_pos, out=floats[k + 1], mode="clip")
        if shares is not None:
            ng = shares.shape[1]
            for i in range(ng):
                np.round(shares[:, i], SHARE_DECIMALS, out=floats[k + 2 + i])
            np.round(1 - shares.sum(axis=1), SHARE_DECIMALS, out=floats[k + 2 + ng])
            np.round(area, AREA_DECIMALS, out=floats[k + 3 + ng])
        bools = np.empty((3, n), dtype=bool)
        bools[0] = inside
        with np.errstate(invalid="ignore"):
            np.less_equal(dist, route_tab[0][route_pos], out=bools[1])
        bools[1] &= has_route
        bools[2] = on_bound
        # A road-line price only where its route applies (within the standard depth).
        floats[k + 1][~bools[1]] = np.nan

        priced = (inside & bool(pc.uses)).view(np.int8)
        msg = status.astype(np.int16)
        msg[(status == STATUS_CODE["ok"]) & on_bound] = len(STATUSES)
        ext: dict[str, Any] = {
            "grade": pd.arrays.IntegerArray(np.where(inside, grade, 0).astype(np.int64),
                                            ~inside),
            **{f"t_{pc.short[u]}": pd.arrays.IntegerArray(terms[j], terms_na[j])
               for j, u in enumerate(pc.uses)},
            "val_date": categorical(priced, ["", pc.valuation_date or "-"]),
            "price_src": categorical(priced, ["", "urban", "town"]),
            "town_cls": pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool)),
            "status": categorical(status, list(STATUSES)),
            "message": categorical(msg, MESSAGES),
        }
        for col, src in (("route_id", "id"), ("route_name", "name")):
            uniq, inv = self._route_codes_of(src)
            ext[col] = categorical(np.where(has_route, inv[np.maximum(route, 0)], -1)
                                    if len(inv) else np.full(n, -1), uniq)
        blocks = [
            *((col[None, :], [place[c]]) for c, col in zip(float_names, floats, strict=True)),
            (bools, [place[c] for c in ("in_extent", "route_in", "on_bound")]),
            *((arr, [place[c]]) for c, arr in ext.items()),
        ]
        return frame_from_blocks(blocks, names + share_names, n)

    @cached_property
    def _county_cells(self) -> tuple[float, float, float, float, int, np.ndarray]:
        """A 64×64 grid over the county outline's bounds: origin, cell size, and which cells
        lie wholly inside the outline (once per engine)."""
        n = 64
        x0, y0, x1, y1 = shapely.bounds(self.outline)
        cw, ch = (x1 - x0) / n or 1.0, (y1 - y0) / n or 1.0
        iy, ix = np.divmod(np.arange(n * n), n)
        boxes = shapely.box(x0 + ix * cw, y0 + iy * ch, x0 + (ix + 1) * cw, y0 + (iy + 1) * ch)
        return x0, y0, cw, ch, n, shapely.contains_properly(self.outline, boxes)

    def _surely_in_county(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """True where a point lies in a coarse cell wholly inside the county outline, so the
        exact test (thousands of outline vertices) is needed only near the outline."""
        x0, y0, cw, ch, n, inner = self._county_cells
        with np.errstate(invalid="ignore"):
            ix, iy = np.floor((x - x0) / cw), np.floor((y - y0) / ch)
            ok = (ix >= 0) & (ix < n) & (iy >= 0) & (iy < n)
        cell = np.where(ok, iy * n + ix, 0).astype(np.int64)
        return ok & inner[cell]

    @cached_property
    def route_facts(self) -> dict[str, dict[str, Any]]:
        """Standard depth and road class per route id, for the answer record."""
        return route_facts_table(self.routes)

    @cached_property
    def _route_table(self) -> tuple[np.ndarray, np.ndarray]:
        """Standard depth and road-line price per route row, with a NaN row for no route."""
        rt = self.routes
        return (np.r_[numeric_column(rt, "standard_depth_m"), np.nan],
                np.r_[numeric_column(rt, "price"), np.nan])

    def _route_codes_of(self, src: str) -> tuple[np.ndarray, np.ndarray]:
        if src not in self._route_codes:
            rt = self.routes
            cats = rt[src].astype(str) if src in rt else pd.Series([""] * len(rt))
            uniq, codes = np.unique(cats.to_numpy(dtype=str), return_inverse=True)
            self._route_codes[src] = (uniq, codes)
        return self._route_codes[src]

    # -- files and frames ----------------------------------------------------------------------
    def assign(
        self,
        gdf: gpd.GeoDataFrame,
        crs: Any = None,
        *,
        pricing: PricingOptions | None = None,
        xy: np.ndarray | None = None,
        town: str | None = None,
        town_grade: int | None = None,
        town_field: str | None = None,
        town_grade_field: str | None = None,
        towns: Any = None,
        use_field: str | None = None,
    ) -> gpd.GeoDataFrame:
        """The input with the answer columns added; one row per input row, same order.

        ``xy`` (n × 2): the rows' coordinates when every row is a 2-D point already decoded
        (:func:`landgrade.io.wkb_points_xy`); the frame's geometry is then not read, so it may
        be left empty while the file's own geometry passes through to the output.

        ``crs`` overrides the frame's own CRS (needed for ``gcj02``/``bd09`` or a frame without
        one). ``pricing`` (:class:`landgrade.engine.pricing.PricingOptions`) says how rows are
        priced: town prices (Table 8) apply only outside the urban grading extent (inside it the
        urban prices stay, and the row's message says the town was not used); a township layer
        names each row's ``town``; ``use_field`` picks each row's ``price`` and ``total``. The
        older keywords (``town=``, ``towns=``, ``use_field=``, …) build the same value.
        """
        if not isinstance(gdf, gpd.GeoDataFrame):
            hint = (" (a file: read it first, landgrade.io.read_file(path))"
                    if isinstance(gdf, str | Path) else
                    " (coordinates: Engine.locate(x, y, crs))" if isinstance(gdf, dict) else "")
            raise TypeError(f"Engine.assign takes a GeoDataFrame, not a {type(gdf).__name__}"
                            f"{hint}")
        pricing = pricing_of(pricing, town=town, town_grade=town_grade, town_field=town_field,
                             town_grade_field=town_grade_field, towns=towns,
                             use_field=use_field)
        spec = crs or gdf.attrs.get("coordinate_system") or gdf.crs
        if spec is None:
            raise LandgradeError(
                "input has no CRS: pass --crs (e.g. EPSG:4326, EPSG:4546, gcj02, bd09)"
            )
        given_xy = xy
        geom = gdf.geometry.to_numpy()
        n = len(geom)
        status = np.full(n, STATUS_CODE["ok"], dtype=np.int8)
        if xy is None:
            xy, which = shapely.get_coordinates(geom, return_index=True)
        else:  # every row a 2-D point, decoded by the caller without shapely objects
            xy, which = np.asarray(xy, dtype=float).reshape(n, 2), np.arange(n)
        if len(which) == n and (n == 0 or which[-1] == n - 1):
            # One coordinate per row: every row is a point (the common, large case).
            type_id = np.zeros(n, dtype=np.int8)
        else:
            type_id = shapely.get_type_id(geom)
        missing = type_id < 0
        status[missing] = STATUS_CODE["null_geometry"]
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
            status[pt_rows[empty_pt]] = STATUS_CODE["empty_geometry"]
            is_point[pt_rows[empty_pt]] = False
        # A NaN or infinite coordinate is no position: null_geometry, as Engine.locate says.
        status[is_point & ~(np.isfinite(rx) & np.isfinite(ry))] = STATUS_CODE["null_geometry"]

        rest = np.flatnonzero(~is_point & ~missing & (status == STATUS_CODE["ok"]))
        is_area = np.zeros(n, dtype=bool)
        if len(rest):
            g = geom[rest]
            # Strictly convex parcels are valid and hold their vertices' mean: GEOS's validity
            # check and interior point are for the rest.
            convex, cx, cy = convex_polygons(g)
            convex &= np.isfinite(cx) & np.isfinite(cy)
            empty = shapely.is_empty(g)
            status[rest[empty]] = STATUS_CODE["empty_geometry"]
            invalid = ~empty & ~convex
            # A vertex that is NaN or infinite: no position, and GEOS would raise on it.
            unfit = np.flatnonzero(invalid)
            coords, owner = shapely.get_coordinates(g[unfit], return_index=True)
            nonfinite = unfit[np.unique(owner[~np.isfinite(coords).all(axis=1)])]
            status[rest[nonfinite]] = STATUS_CODE["null_geometry"]
            empty[nonfinite] = True  # dropped from the parcels below, as an empty one is
            invalid[nonfinite] = False
            invalid[invalid] = ~shapely.is_valid(g[invalid])
            if invalid.any():
                fixed = shapely.make_valid(g[invalid])
                bad = shapely.is_empty(fixed) | shapely.is_missing(fixed)
                geom = geom.copy()
                geom[rest[invalid]] = fixed
                status[rest[invalid][bad]] = STATUS_CODE["invalid_geometry"]
                status[rest[invalid][~bad]] = STATUS_CODE["invalid_geometry_repaired"]
            keep = ~empty & (status[rest] != STATUS_CODE["invalid_geometry"])
            rest, convex, cx, cy = rest[keep], convex[keep], cx[keep], cy[keep]
            g = geom[rest]
            area_like = np.isin(shapely.get_type_id(g), (3, 6)) | (shapely.area(g) > 0)
            is_area[rest[area_like]] = True
            rx[rest[convex]], ry[rest[convex]] = cx[convex], cy[convex]
            other = np.flatnonzero(~convex)
            xy, which = shapely.get_coordinates(shapely.point_on_surface(g[other]),
                                                return_index=True)
            rx[rest[other[which]]], ry[rest[other[which]]] = xy[:, 0], xy[:, 1]

        wx, wy = _to_working_xy(rx, ry, spec, self.working_crs)
        cells = self.index.cell_of(wx, wy)
        rows, on_bound = grade_rows_xy(self.index, wx, wy, cells)
        grade = np.where(rows >= 0, self.index.grade_values[np.maximum(rows, 0)], -1)
        shares = None
        area = None
        # A coordinate inside the extent's bounds is plausible in its CRS; only the rest is checked.
        _flag_crs(rx, ry, spec, status, (grade < 0) & ~cells[1], self.working_crs)
        if len(rest):
            # A parcel whose coordinates do not fit its CRS is flagged like a point, not measured.
            unfit = np.isin(status[rest], list(CRS_CODES)) | ~np.isfinite(wx[rest] + wy[rest])
            is_area[rest[unfit]] = False
            rest = rest[~unfit]
        if len(rest):
            # Parcels and lines are measured whole below; their representative point is not.
            by_point = np.ones(n, dtype=bool)
            by_point[rest] = False
            route, dist = np.full(n, -1, dtype=np.int64), np.full(n, np.nan)
            route[by_point], dist[by_point] = nearest_route_xy(
                self.index, wx[by_point], wy[by_point],
                (cells[0][by_point], cells[1][by_point]))
            wgeom = self._geoms_to_working(geom[rest], spec)
            route[rest], dist[rest] = nearest_route_shapes(self.index, wgeom, self._seg_tree)
            a_rows = np.flatnonzero(is_area)
            if len(a_rows):
                share_a, area_a = self._shares(wgeom[is_area[rest]])
                shares = np.full((n, share_a.shape[1]), np.nan)
                shares[a_rows] = share_a
                area = np.full(n, np.nan)
                area[a_rows] = area_a
                grade[a_rows] = best_grade(share_a, self._prices.grades)
                on_bound[a_rows] = False
        else:
            route, dist = nearest_route_xy(self.index, wx, wy, cells)
        answer = self._frame(grade, on_bound, route, dist, status, wx, wy, shares=shares,
                             area=area)
        layer_towns = pricing.towns.names_at(wx, wy) if pricing.towns is not None else None
        apply_town_prices(answer, gdf, self.pricebook, self._prices, pricing, layer_towns)
        if self.grade_map.use_grades:
            answer = with_use_grades(self, answer,
                                     lambda e: e.assign(gdf, crs=spec, xy=given_xy))
        answer.index = gdf.index
        out = join_answer(gdf, answer)
        if pricing.use_field is not None:  # the row's own use picks `price`; total = price × area
            geometry = getattr(gdf, "_geometry_column_name", None)
            check_column(pricing.use_field, [c for c in gdf.columns if c != geometry])
            out = use_price(out, gdf[pricing.use_field], self.pricebook,
                            standard=pricing.use_standard, lang=pricing.lang)
        return out

    def _geoms_to_working(self, geoms: np.ndarray, spec: Any) -> np.ndarray:
        from landgrade.io import crs as crsmod

        g = gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms))
        return crsmod.gdf_to_working(g, crs=spec, working=self.working_crs).geometry.to_numpy()

    def _shares(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Share of each geometry's area per grade (columns: ``self._prices.grades``), areas.

        A parcel wholly inside one zone gets share 1 of its grade without any overlay: the grid
        shows every cell under its bounding box inside one zone. The rest get their area per
        zone from :func:`landgrade.overlay.zone_areas` (numpy, no polygon built); the few it
        leaves (a vertex on a boundary, odd geometry) are overlaid by GEOS, skipping those
        wholly inside a prepared zone (``contains_properly``).
        """
        idx = self.index
        area = shapely.area(geoms)
        table = np.zeros((len(geoms), len(self._prices.grades)))
        col_of_zone = self._prices.position(idx.grade_values)
        held = idx.zone_holding_boxes(shapely.bounds(geoms))
        by_grid = np.flatnonzero(held >= 0)
        table[by_grid, col_of_zone[held[by_grid]]] = 1.0
        rest = np.flatnonzero(held < 0)
        part = np.zeros((len(rest), len(idx.grade_geoms)))
        if len(rest):
            part, todo = zone_areas(idx, self._zone_edges, geoms[rest])
            rest_geos = rest[todo]
            part[todo] = self._geos_zone_areas(geoms[rest_geos], area[rest_geos])
        with np.errstate(invalid="ignore", divide="ignore"):
            table[rest] = (part / area[rest, None]) @ onehot(col_of_zone, table.shape[1])
        return np.nan_to_num(table), area

    def _geos_zone_areas(self, geoms: np.ndarray, area: np.ndarray) -> np.ndarray:
        """Area per zone row by GEOS overlay; a geometry wholly inside a prepared zone is not
        overlaid (its area is its own)."""
        idx = self.index
        out = np.zeros((len(geoms), len(idx.grade_geoms)))
        if not len(geoms):
            return out
        # Boxes only, then predicates on the prepared zones: the tree's own predicate would
        # test each parcel against a whole unprepared zone.
        gi, zi = self._zone_tree.query(geoms)
        inside = shapely.contains_properly(idx.grade_geoms[zi], geoms[gi])
        out[gi[inside], zi[inside]] = area[gi[inside]]
        gi, zi = gi[~inside], zi[~inside]
        meet = shapely.intersects(idx.grade_geoms[zi], geoms[gi])
        gi, zi = gi[meet], zi[meet]
        np.add.at(out, (gi, zi), shapely.area(shapely.intersection(geoms[gi],
                                                                   idx.grade_geoms[zi])))
        return out

    @cached_property
    def _zone_edges(self) -> ZoneEdges:
        """The zones' boundaries as oriented edges for :func:`zone_areas` (once per engine)."""
        return ZoneEdges.of(self.index)

    @cached_property
    def _seg_tree(self) -> shapely.STRtree:
        """The routes' 2-point segments in a tree (once per engine)."""
        return shapely.STRtree(shapely.linestrings(self.index.seg.reshape(-1, 2, 2)))

    @cached_property
    def _zone_tree(self) -> shapely.STRtree:
        """The zones in a tree, each prepared (once per engine)."""
        shapely.prepare(self.index.grade_geoms)
        return shapely.STRtree(self.index.grade_geoms)


# --- loading -------------------------------------------------------------------------------------
def load_grade_map(
    map_path: str | Path | None = None, county: str | Path | None = None
) -> GradeMap:
    """A built grade map: ``map_path`` if given, else the county's (bundled Dongkou by default),
    built on first use and cached on disk (see :mod:`landgrade.engine.cache`)."""
    from landgrade.engine import cache

    return cache.cached_grade_map(map_path=map_path, county=county)


def load_engine(map_path: str | Path | None = None, county: str | Path | None = None) -> Engine:
    """An :class:`Engine` over :func:`load_grade_map`, with the county's prices and outline.

    With ``map_path`` and no ``county``, the county is the bundled folder whose name matches the
    map's ``county`` metadata; when none matches, only grades and routes are answered. Keeps
    freed memory for reuse in this process (:mod:`landgrade.engine.memory`; opt out with
    ``LANDGRADE_KEEP_FREED_MEMORY=0``).
    """
    from landgrade.engine import cache
    from landgrade.engine.memory import keep_freed_memory_once

    keep_freed_memory_once()  # answers reuse freed heap instead of faulting it in (memory.py)
    grade_map, index, _ = cache.cached_map_and_index(map_path=map_path, county=county)
    folder = _county_of(grade_map, county, map_path is None)
    pricebook, outline = _county_extras(folder, grade_map.crs)
    engine = Engine(grade_map, pricebook, index=index, outline=outline)
    if folder is not None and pricebook is None:
        engine.no_prices = (f"{folder.root}: the county folder has no price tables "
                            f"({PRICE_TABLE}), so grades only")
    return engine


PRICE_TABLE = "urban_prices.csv"
"""The county folder file without which a map is answered with grades only, not an error: a
county built from its grade-zone text and roads before (or without) its price tables."""


def _county_of(grade_map: GradeMap, county: str | Path | None, bundled: bool) -> Any:
    from landgrade.gazette.county import county_folder, county_of_map

    if county is None and bundled:
        return county_folder(None)
    return county_of_map(grade_map.metadata, county)


def _county_extras(folder: Any, working: Any = WORKING_CRS) -> tuple[Any, Any]:
    """The pricebook and the county outline (working CRS) of a county folder, if any."""
    if folder is None:
        return None, None
    from landgrade.gazette.pricebook import load_pricebook

    pricebook = load_pricebook(folder) if folder.has(PRICE_TABLE) else None
    outline = None
    if folder.has("outline.geojson"):
        from landgrade.io import crs as crsmod
        from landgrade.io.readers import read_file

        g = crsmod.gdf_to_working(read_file(folder.path("outline.geojson")), working=working)
        outline = shapely.union_all(g.geometry.to_numpy())
    return pricebook, outline
