"""The engine: grade, prices and nearest priced road for points and parcels.

:func:`load_engine` (or :func:`load_grade_map` + :class:`Engine`) loads a built grade map — the
bundled county's by default, built once and cached (see :mod:`landgrade.cache`) — and answers:

- :meth:`Engine.locate` for coordinates (scalars or arrays), returning a DataFrame;
- :meth:`Engine.assign` for a GeoDataFrame of points or parcels, returning it with the answer
  columns added: one row out per row in, same order, every input attribute kept.

The answer columns and their rules are defined in :mod:`landgrade.answer`; the vectorised grid
kernels behind them in :mod:`landgrade.grid`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.answer import (
    CRS_FLAG_STATUS,
    MESSAGES,
    NO_ROUTE_STATUSES,
    STATUS_CODE,
    STATUSES,
    to_record,
    to_text,
    use_short,
)
from landgrade.crs import WORKING_CRS, WORKING_EPSG
from landgrade.errors import LandgradeError
from landgrade.grade_map import GradeMap
from landgrade.grid import (
    GradeIndex,
    build_index,
    grade_rows_xy,
    nearest_route_geoms,
    nearest_route_xy,
)

# Status codes of rows whose coordinates do not fit their CRS.
CRS_CODES = {STATUS_CODE[code] for code in CRS_FLAG_STATUS.values()}


def _to_working_xy(x: np.ndarray, y: np.ndarray, spec: Any) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in the working CRS (no work when they already are)."""
    from landgrade import crs as crsmod

    src = crsmod.resolve_crs(spec)
    if src.offset is None and src.epsg == WORKING_EPSG:
        return x, y
    wx, wy = crsmod.transform(x, y, src, WORKING_CRS)
    return np.asarray(wx, dtype=float), np.asarray(wy, dtype=float)


def _flag_crs(x: np.ndarray, y: np.ndarray, spec: Any, status: np.ndarray, far: np.ndarray) -> None:
    """Set a crs_suspect_* status on rows that landed outside the extent and look mis-declared.

    Only rows outside the extent are checked: a coordinate that falls inside it is taken as
    right, and checking only the rest keeps the common case fast.
    """
    from landgrade import crs as crsmod

    rows = np.flatnonzero(far & (status == STATUS_CODE["ok"]))
    if not len(rows):
        return
    flags = np.asarray(crsmod.detect_crs_problem(x[rows], y[rows], spec), dtype=object)
    for flag, code in CRS_FLAG_STATUS.items():
        status[rows[flags == flag]] = STATUS_CODE[code]


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
        status = np.full(len(x), STATUS_CODE["ok"], dtype=np.int8)
        status[~(np.isfinite(x) & np.isfinite(y))] = STATUS_CODE["null_geometry"]
        spec = crs or WORKING_CRS
        wx, wy = _to_working_xy(x, y, spec)
        rows, on_bound = grade_rows_xy(self.index, wx, wy)
        grade = np.where(rows >= 0, self.index.grade_values[np.maximum(rows, 0)], -1)
        _flag_crs(x, y, spec, status, grade < 0)
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
        ok = status == STATUS_CODE["ok"]
        if self.outline is not None:
            far = ok & ~inside
            in_county = shapely.intersects_xy(self.outline, x[far], y[far])
            status[np.flatnonzero(far)[~in_county]] = STATUS_CODE["outside_county"]
        status[(status == STATUS_CODE["ok"]) & ~inside] = STATUS_CODE["outside_extent"]
        # A nearest road kilometres outside the county, or for a point read in the wrong CRS,
        # answers nothing: those rows get no route.
        has_route = (route >= 0) & ~np.isin(status, NO_ROUTE_STATUSES)
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
        msg[(status == STATUS_CODE["ok"]) & on_bound] = len(STATUSES)
        cols["message"] = pd.Categorical.from_codes(msg, categories=MESSAGES)
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
        xy: np.ndarray | None = None,
    ) -> gpd.GeoDataFrame:
        """The input with the answer columns added; one row per input row, same order.

        ``xy`` (n × 2): the rows' coordinates when every row is a 2-D point already decoded
        (:func:`landgrade.io.wkb_points_xy`); the frame's geometry is then not read, so it may
        be left empty while the file's own geometry passes through to the output.

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

        rest = np.flatnonzero(~is_point & ~missing & (status == STATUS_CODE["ok"]))
        is_area = np.zeros(n, dtype=bool)
        if len(rest):
            g = geom[rest]
            empty = shapely.is_empty(g)
            status[rest[empty]] = STATUS_CODE["empty_geometry"]
            invalid = ~empty & ~shapely.is_valid(g)
            if invalid.any():
                fixed = shapely.make_valid(g[invalid])
                bad = shapely.is_empty(fixed) | shapely.is_missing(fixed)
                geom = geom.copy()
                geom[rest[invalid]] = fixed
                status[rest[invalid][bad]] = STATUS_CODE["invalid_geometry"]
                status[rest[invalid][~bad]] = STATUS_CODE["invalid_geometry_repaired"]
            rest = rest[~empty]
            rest = rest[status[rest] != STATUS_CODE["invalid_geometry"]]
            g = geom[rest]
            area_like = np.isin(shapely.get_type_id(g), (3, 6)) | (shapely.area(g) > 0)
            is_area[rest[area_like]] = True
            rep = shapely.point_on_surface(g)
            xy, which = shapely.get_coordinates(rep, return_index=True)
            rx[rest[which]], ry[rest[which]] = xy[:, 0], xy[:, 1]

        wx, wy = _to_working_xy(rx, ry, spec)
        cells = self.index.cell_of(wx, wy)
        rows, on_bound = grade_rows_xy(self.index, wx, wy, cells)
        grade = np.where(rows >= 0, self.index.grade_values[np.maximum(rows, 0)], -1)
        route, dist = nearest_route_xy(self.index, wx, wy, cells)
        shares = None
        area = None
        # A coordinate inside the extent's bounds is plausible in its CRS; only the rest is checked.
        _flag_crs(rx, ry, spec, status, (grade < 0) & ~cells[1])
        if len(rest):
            # A parcel whose coordinates do not fit its CRS is flagged like a point, not measured.
            unfit = np.isin(status[rest], list(CRS_CODES)) | ~np.isfinite(wx[rest] + wy[rest])
            is_area[rest[unfit]] = False
            rest = rest[~unfit]
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
        return crsmod.gdf_to_working(g, crs=spec).geometry.to_numpy()

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
    """Input columns then answer columns.

    A graded input (one carrying ``in_extent``, ``status`` and ``message``) has its old answer
    columns replaced by the new ones; any other input column named like an answer column is
    kept as ``src_<name>`` (``src_src_<name>`` if that is taken too), never overwritten.
    """
    gname = gdf.geometry.name
    base = gdf
    if {"in_extent", "status", "message"} <= set(gdf.columns):
        base = gdf.drop(columns=[c for c in answer.columns if c in gdf.columns and c != gname])
    taken = set(map(str, base.columns)) | set(map(str, answer.columns))
    renames: dict[Any, str] = {}
    for c in answer.columns:
        if c in base.columns and c != gname:
            new = f"src_{c}"
            while new in taken:
                new = f"src_{new}"
            taken.add(new)
            renames[c] = new
    base = base.rename(columns=renames) if renames else base
    out = pd.concat([pd.DataFrame(base), answer], axis=1)
    return gpd.GeoDataFrame(out, geometry=gname, crs=gdf.crs)


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
    pricebook, outline = _county_extras(folder)
    return Engine(grade_map, pricebook, index=index, outline=outline)


def _county_of(grade_map: GradeMap, county: str | Path | None, bundled: bool) -> Any:
    from landgrade.county import county_folder, county_of_map

    if county is None and bundled:
        return county_folder(None)
    return county_of_map(grade_map.metadata, county)


def _county_extras(folder: Any) -> tuple[Any, Any]:
    """The pricebook and the county outline (working CRS) of a county folder, if any."""
    if folder is None:
        return None, None
    from landgrade.pricebook import load_pricebook

    pricebook = load_pricebook(folder)
    outline = None
    if folder.has("outline.geojson"):
        from landgrade import crs as crsmod
        from landgrade.io import read_file

        g = crsmod.gdf_to_working(read_file(folder.path("outline.geojson")))
        outline = shapely.union_all(g.geometry.to_numpy())
    return pricebook, outline


# --- command shell -------------------------------------------------------------------------------
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
    if not str(crs).strip():
        raise LandgradeError("--crs '' names no coordinate system; give e.g. --crs EPSG:4326")
    engine = load_engine(map_path=map_path, county=county)
    if engine.pricebook is None:
        print(f"warning: {map_path}: no county tables match this map, so no prices; "
              "pass --county FOLDER", file=sys.stderr)
    row = engine.locate(x, y, crs=crs).iloc[0]
    result = to_record(engine, row)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(to_text(engine, result, x, y, crs))
    return result
