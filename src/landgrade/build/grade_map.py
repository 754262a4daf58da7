"""The grade map: what a build produces and what the engine, maps and exports read.

A grade map is a set of layers in its county's working CRS (a CGCS2000 3-degree Gauss-Krüger
zone, EPSG:4534–4554; EPSG:4546 for Dongkou), saved as one GeoPackage. The map records that CRS
(its layers carry it, and the ``crs`` metadata row names it); :attr:`GradeMap.crs` is what the
engine, maps, exports and the audit measure in:

=========  =================================================================================
layer      content
=========  =================================================================================
grades     one row per grade: ``grade`` (int), ``area_m2``; MultiPolygon. The grades partition
           the extent: they do not overlap and their union is the extent.
grades_<u> a county that grades each land use separately (one description per use): that use's
           grades, shaped as ``grades`` (``grades_commercial``, …). ``grades`` is then the
           grading of every use without a description of its own (``all``), or, without one,
           the first use's; the ``main_grading`` metadata row says which.
routes     Table 7 segments: ``id,name,from,to,grade,road_class,standard_depth_m,price`` and
           ``length_m``; LineString along the road between the two endpoints
extent     the grading extent (基准地价范围界线), one polygon
water      rivers and ditches, for maps (optional)
roads      road centrelines, for maps (optional)
report     the build report, one row per clause or route (no geometry)
metadata   ``key,value`` rows: county, source, whether the network is schematic, version
=========  =================================================================================
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from landgrade.errors import LandgradeError
from landgrade.io.crs import WORKING_EPSG
from landgrade.io.ogr import write_gpkg_layer

__all__ = [
    "SPATIAL_LAYERS", "TABLE_LAYERS", "WORKING_EPSG", "GradeMap", "GradeMapError", "grade_levels",
]

SPATIAL_LAYERS = ("grades", "routes", "extent", "water", "roads")
USE_LAYER_PREFIX = "grades_"
"""Layers ``grades_<use>``: one land use's own grading (see the module docstring)."""
TABLE_LAYERS = ("report", "metadata")


class GradeMapError(LandgradeError):
    """A grade map file cannot be read; the message names the file and what is missing."""


@dataclass
class GradeMap:
    """The built layers of one grading; see the module docstring.

    ``clauses`` (set by a build, not saved in the GeoPackage) is the geometry each clause was
    drawn from, for reviewing a build against the paper map: one row per report row and
    ``role``, with ``report_row`` (position in ``report``), ``kind``, ``clause``, ``item``,
    ``status``, ``warnings`` and the geometry:

    - ``area``: what the row contributes (a ring's polygon, an item's strip, a corridor's
      buffer, a region bound's half-plane, a region, what the residual ends up as);
    - ``path``: a ring's closed path; ``line``: an item's stretch, a corridor's stretch, a
      region bound's line as it divides the extent (sections joined, loose ends extended);
    - a route (``kind`` ``route``) has its ``line``, ``point`` and ``candidates``;
    - ``point``: a junction taken (a corridor's or route's two ends as a MultiPoint);
    - ``candidates``: every junction (cluster of crossings) it could have been, the one taken
      among them (MultiPoint; a corridor's or route's every possible end).

    ``use_grades`` holds, for a county graded per land use, each described use's grades layer
    (keyed by the use of ``uses.csv``); empty for a single grading.
    """

    grades: gpd.GeoDataFrame
    extent: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame | None = None
    water: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    report: pd.DataFrame | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    clauses: gpd.GeoDataFrame | None = None
    use_grades: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)

    @property
    def crs(self) -> Any:
        """The map's working CRS (a projected pyproj CRS, in metres): the ``crs`` metadata row a
        build records, else its grades layer's CRS, else the Gauss-Krüger zone of the grades
        (a layer saved in degrees), else EPSG:4546 (maps from before the CRS was per county)."""
        import pyproj

        from landgrade.io.crs import county_working_crs

        recorded = self.metadata.get("crs")
        if recorded:
            crs = pyproj.CRS.from_user_input(recorded)
            if crs.is_projected:
                return crs
        layer = self.grades
        if layer is not None and layer.crs is not None:
            if layer.crs.is_projected:
                return layer.crs
            if len(layer):
                return county_working_crs(layer)
        return pyproj.CRS.from_epsg(WORKING_EPSG)

    @property
    def schematic(self) -> bool:
        return str(self.metadata.get("schematic", "false")).lower() == "true"

    def to_gpkg(self, path: str | Path) -> Path:
        """Write every layer to one GeoPackage, replacing the file."""
        path = Path(path)
        if not path.parent.is_dir():
            raise GradeMapError(f"{path}: folder {path.parent} does not exist; create it first")
        if path.is_dir():
            raise GradeMapError(f"{path}: is a folder; give a file name ending in .gpkg")
        try:
            path.unlink(missing_ok=True)
            for name in SPATIAL_LAYERS:
                layer = getattr(self, name)
                if layer is not None and len(layer):
                    write_gpkg_layer(layer, path, name)
            for use, layer in self.use_grades.items():
                write_gpkg_layer(layer, path, f"{USE_LAYER_PREFIX}{use}")
            if self.report is not None:
                _write_table(path, "report", self.report)
            meta = pd.DataFrame({"key": list(self.metadata),
                                 "value": [_as_text(v) for v in self.metadata.values()]})
            _write_table(path, "metadata", meta)
        except (OSError, RuntimeError) as e:  # pyogrio's errors derive from RuntimeError
            raise GradeMapError(f"{path}: cannot write the grade map ({e})") from None
        return path

    @classmethod
    def read(cls, path: str | Path) -> GradeMap:
        """Read a GeoPackage written by :meth:`to_gpkg` (or by ``landgrade build``)."""
        import pyogrio

        path = Path(path)
        if not path.exists():
            raise GradeMapError(f"{path}: no such grade map (build one with `landgrade build`)")
        try:
            layers = {name for name, _ in pyogrio.list_layers(path)}
        except Exception as e:  # any GDAL failure means "not a grade map"
            raise GradeMapError(f"{path}: not a readable GeoPackage ({e})") from None
        missing = {"grades", "extent"} - layers
        if missing:
            raise GradeMapError(
                f"{path}: not a grade map, layer(s) {', '.join(sorted(missing))} missing "
                "(build it with `landgrade build`)"
            )
        kw: dict[str, Any] = {}
        for name in SPATIAL_LAYERS:
            if name in layers:
                kw[name] = gpd.read_file(path, layer=name, engine="pyogrio")
        kw["grades"] = kw["grades"].assign(grade=grade_levels(kw["grades"], path).to_numpy())
        uses = {}
        for name in sorted(layers):
            if name.startswith(USE_LAYER_PREFIX):
                layer = gpd.read_file(path, layer=name, engine="pyogrio")
                uses[name[len(USE_LAYER_PREFIX):]] = layer.assign(
                    grade=grade_levels(layer, f"{path} ({name})").to_numpy())
        kw["use_grades"] = uses
        if "report" in layers:
            kw["report"] = _read_table(path, "report")
        meta: dict[str, Any] = {}
        if "metadata" in layers:
            t = _read_table(path, "metadata")
            meta = dict(zip(t["key"], t["value"], strict=True))
        _locate_county_folder(meta, path)
        return cls(metadata=meta, **kw)


def _locate_county_folder(meta: dict[str, Any], path: Path) -> None:
    """A county folder the map records relative to itself (``../my county``, as ``build`` and
    ``export`` write it) is resolved against the map's own folder when it is there, so that the
    map finds its prices wherever the two were copied together; a bundled county's name is
    left as it is."""
    recorded = meta.get("county_folder")
    if not isinstance(recorded, str) or not recorded or Path(recorded).is_absolute():
        return
    beside = path.resolve().parent / recorded
    if (beside / "metadata.json").is_file():
        meta["county_folder"] = str(beside.resolve())


def grade_levels(grades: gpd.GeoDataFrame | None, source: str | Path = "grade map") -> pd.Series:
    """The ``grade`` column of a grades layer as integers.

    A missing or empty layer, a missing column, or a grade that is empty or not a whole number
    is a :class:`GradeMapError` naming ``source``, the feature and the fix.
    """
    if grades is None or len(grades) == 0 or "grade" not in grades.columns:
        raise GradeMapError(
            f"{source}: the grades layer is empty or has no `grade` column; rebuild the map "
            "with `landgrade build`"
        )
    levels = pd.to_numeric(grades["grade"], errors="coerce")
    bad = levels.isna() | (levels != levels.round())
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        value = grades["grade"].iloc[row]
        problem = "is empty" if pd.isna(value) else f"{value} is not a whole number"
        raise GradeMapError(
            f"{source}: grades layer, feature {row + 1}: the grade {problem}; rebuild the map "
            "with `landgrade build`"
        )
    return levels.astype(int)


def _as_text(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def _write_table(path: Path, layer: str, df: pd.DataFrame) -> None:
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str) else _as_text(v))
    write_gpkg_layer(out, path, layer)


def _read_table(path: Path, layer: str) -> pd.DataFrame:
    import pyogrio

    return pd.DataFrame(pyogrio.read_dataframe(path, layer=layer, read_geometry=False))
