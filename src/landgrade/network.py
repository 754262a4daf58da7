"""The road network a grade map is drawn on: named roads, water, landmarks and the grading extent.

A :class:`Network` holds every layer in the working CRS (EPSG:4546) and answers one question for
the builder: *which geometry does this name (or road id) mean?* Names are folded with
:func:`landgrade.names.normalize` and resolved through the county's alias table (``alias,name``
rows, data in the county folder), so ``雪峰中路`` can mean the road drawn as ``雪峰路``.

Geometry conventions:

- a road is every road feature with that name, merged with ``shapely.line_merge``; a road that is
  drawn in disconnected pieces stays a MultiLineString;
- a river or ditch drawn as a line is that line; drawn as a polygon, its *outline* (the banks) is
  the line junctions and ring stretches follow — the report says so;
- a landmark is a point or a polygon; the builder only uses its sides (``公安局东侧``);
- the extent (基准地价范围界线, the grading extent) is one polygon, the union of its layer.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from landgrade.errors import LandgradeError
from landgrade.io import IOInputError, read_data_table
from landgrade.names import normalize, strip_junction_marker

FeatureKind = Literal["road", "water", "landmark"]
LayerInput = str | Path | gpd.GeoDataFrame

# A trailing section number of a Table 7 route name (桔城路 4, 雪峰中路 5).
_SECTION_NUMBER = re.compile(r"\d+$")


class NetworkError(LandgradeError):
    """A network layer is unusable or a name is unknown; the message names the file or name."""


@dataclass
class Network:
    """Roads, water, landmarks and the grading extent in EPSG:4546, looked up by name.

    ``roads``/``water``/``landmarks`` carry a ``name`` column holding the normalised name as drawn
    (and ``road_id`` for roads); ``aliases`` maps normalised alias → normalised name.
    ``notes`` says what loading left out (features without geometry), for the build report.
    """

    roads: gpd.GeoDataFrame
    extent: BaseGeometry
    water: gpd.GeoDataFrame | None = None
    landmarks: gpd.GeoDataFrame | None = None
    aliases: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._kinds: dict[str, FeatureKind] = {}
        layers = (("landmark", self.landmarks), ("water", self.water), ("road", self.roads))
        for kind, layer in layers:
            if layer is not None:
                # Later kinds win: a road and a landmark sharing a name means the road.
                for n in layer["name"].dropna().unique():
                    if n:
                        self._kinds[n] = kind  # type: ignore[assignment]
        self._cache: dict[tuple[str, str], BaseGeometry] = {}

    # -- names ----------------------------------------------------------------------------------
    def names(self) -> list[str]:
        """Every feature name drawn in the network (normalised)."""
        return sorted(self._kinds)

    def canonical(self, name: str) -> str | None:
        """The drawn name ``name`` refers to (through aliases and junction markers), or None."""
        n = normalize(name)
        for candidate in (n, strip_junction_marker(n)):
            seen: set[str] = set()
            while (candidate not in self._kinds and candidate in self.aliases
                   and candidate not in seen):
                seen.add(candidate)
                candidate = self.aliases[candidate]
            if candidate in self._kinds:
                return candidate
        return None

    def kind(self, name: str) -> FeatureKind | None:
        """``"road"``, ``"water"`` or ``"landmark"`` for a known name, else None."""
        c = self.canonical(name)
        return self._kinds.get(c) if c else None

    def has(self, name: str) -> bool:
        return self.canonical(name) is not None

    def suggest(self, name: str, n: int = 5) -> list[str]:
        """The closest known names (drawn names and aliases) to ``name``."""
        pool = list(self._kinds) + list(self.aliases)
        return difflib.get_close_matches(normalize(name), pool, n=n, cutoff=0.3)

    def unknown(self, name: str, context: str = "") -> NetworkError:
        """The error for a name that is not in the network, with suggestions and the fix."""
        close = self.suggest(name)
        hint = f"; closest known names: {', '.join(close)}" if close else ""
        where = f"{context}: " if context else ""
        return NetworkError(
            f"{where}{name!r} is not a road, water or landmark name in the network{hint}. "
            "Fix: add an alias row (alias,name) to aliases.csv, or a decision to decisions.csv."
        )

    # -- geometry -------------------------------------------------------------------------------
    def feature(self, name: str, context: str = "") -> BaseGeometry:
        """The geometry a name means: a merged road or water line, or a landmark geometry."""
        c = self.canonical(name)
        if c is None:
            raise self.unknown(name, context)
        kind = self._kinds[c]
        key = (kind, c)
        if key not in self._cache:
            layer = {"road": self.roads, "water": self.water, "landmark": self.landmarks}[kind]
            geoms = layer.geometry.values[(layer["name"] == c).to_numpy()]
            self._cache[key] = _as_line(geoms) if kind != "landmark" else shapely.union_all(geoms)
        return self._cache[key]

    def road(self, road_id: str, context: str = "") -> BaseGeometry:
        """The merged line of the road feature(s) with this ``road_id``."""
        ids = self.roads["road_id"].astype(str) if "road_id" in self.roads else None
        if ids is None or not (ids == str(road_id)).any():
            known = sorted(ids.unique())[:20] if ids is not None else []
            where = f"{context}: " if context else ""
            raise NetworkError(
                f"{where}no road with road_id {road_id!r} in the roads layer"
                + (f" (ids look like: {', '.join(known)})" if known else " (no road_id field)")
            )
        return _as_line(self.roads.geometry.values[(ids == str(road_id)).to_numpy()])

    def water_is_polygon(self, name: str) -> bool:
        """True when a water feature is drawn as a polygon (its outline stands in for the line)."""
        c = self.canonical(name)
        if c is None or self._kinds.get(c) != "water" or self.water is None:
            return False
        geoms = self.water.geometry.values[(self.water["name"] == c).to_numpy()]
        return bool(shapely.get_dimensions(geoms).max(initial=0) == 2)

    @property
    def extent_line(self) -> BaseGeometry:
        """The grading extent's outer boundary (基准地价范围界线) as one closed line."""
        polys = shapely.get_parts(self.extent)
        biggest = polys[int(shapely.area(polys).argmax())]
        return shapely.linestrings(shapely.get_coordinates(shapely.get_exterior_ring(biggest)))


def route_road_name(name: str) -> str:
    """The road of a Table 7 route name: the name minus its trailing section number."""
    return _SECTION_NUMBER.sub("", normalize(name))


# -- loading ------------------------------------------------------------------------------------
def load_network(
    roads: LayerInput,
    water: LayerInput | None = None,
    landmarks: LayerInput | None = None,
    extent: LayerInput | BaseGeometry | None = None,
    aliases: str | Path | pd.DataFrame | dict[str, str] | None = None,
    name_field: str = "name",
    crs: Any = None,
) -> Network:
    """Load a network from vector files (anything GDAL reads) or GeoDataFrames.

    Every layer is reprojected to EPSG:4546 (GCJ-02/BD-09 included, via landgrade.crs). ``crs``
    is assumed for layers that carry none; without it such a layer is an error naming the file.
    ``extent`` is required: the grades partition it. ``aliases`` is an ``alias,name`` CSV (or a
    DataFrame, or a dict).
    """
    if extent is None:
        raise NetworkError("no grading extent given (--extent): the grades partition the extent")
    sources: dict[str, str] = {}
    notes: list[str] = []
    road_gdf = _read_layer(roads, "roads", name_field, crs, sources, notes)
    if "road_id" not in road_gdf:
        road_gdf["road_id"] = [str(i) for i in range(len(road_gdf))]
    road_gdf["road_id"] = road_gdf["road_id"].astype(str)
    water_gdf = None
    if water is not None:
        water_gdf = _read_layer(water, "water", name_field, crs, sources, notes)
    land_gdf = None
    if landmarks is not None:
        land_gdf = _read_layer(landmarks, "landmarks", name_field, crs, sources, notes)
    if isinstance(extent, BaseGeometry):
        extent_geom = extent
        sources["extent"] = "geometry"
    else:
        ext = _read_layer(extent, "extent", None, crs, sources, notes)
        extent_geom = shapely.union_all(ext.geometry.values)
    if extent_geom.is_empty or extent_geom.geom_type not in ("Polygon", "MultiPolygon"):
        where = sources.get("extent", "extent")
        raise NetworkError(f"{where}: the grading extent must be a polygon")
    extent_geom = check_extent(shapely.make_valid(extent_geom), sources.get("extent", "extent"))
    return Network(
        roads=road_gdf, extent=extent_geom, water=water_gdf, landmarks=land_gdf,
        aliases=read_aliases(aliases), sources=sources, notes=notes,
    )


# A grading extent is a county seat's boundary, kilometres across; one narrower than this is a
# wrong file or CRS, and would only make every later geometric step fail.
MIN_EXTENT_WIDTH_M = 50.0


def check_extent(extent: BaseGeometry, where: str) -> BaseGeometry:
    """The polygonal part of a (made valid) extent; a flat, tiny or empty one is a one-line
    :class:`NetworkError` naming the file and its size."""
    geom = extent
    if extent.geom_type not in ("Polygon", "MultiPolygon"):  # make_valid gave a collection
        polys = [g for g in shapely.get_parts(extent)
                 if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(polys) if polys else shapely.Polygon()
    width = 0.0
    if not geom.is_empty:
        ring = shapely.get_coordinates(shapely.oriented_envelope(geom))
        sides = np.hypot(*np.diff(ring, axis=0).T) if len(ring) > 1 else np.zeros(1)
        width = float(sides.min())
    if geom.is_empty or geom.area <= 0 or width < MIN_EXTENT_WIDTH_M:
        raise NetworkError(
            f"{where}: the grading extent is degenerate ({width:.1f} m across, area "
            f"{geom.area:.1f} m²); it must be the county seat's boundary, at least "
            f"{MIN_EXTENT_WIDTH_M:.0f} m across: check the file and its CRS"
        )
    return geom


def read_aliases(aliases: str | Path | pd.DataFrame | dict[str, str] | None) -> dict[str, str]:
    """The alias table as normalised ``alias → name``; a malformed row is an error naming it."""
    if aliases is None:
        return {}
    if isinstance(aliases, dict):
        return {normalize(k): normalize(v) for k, v in aliases.items()}
    source = str(aliases) if not isinstance(aliases, pd.DataFrame) else "aliases"
    if isinstance(aliases, pd.DataFrame):
        df = aliases.assign(line=range(2, len(aliases) + 2))
        missing = {"alias", "name"} - set(df.columns)
        if missing:
            absent = ", ".join(sorted(missing))
            raise NetworkError(f"{source}: needs columns alias,name (missing {absent})")
    else:
        try:
            df = read_data_table(Path(aliases), ("alias", "name"))
        except IOInputError as e:
            raise NetworkError(str(e)) from None
    out: dict[str, str] = {}
    for i, a, n in zip(df["line"], df["alias"], df["name"], strict=True):
        if not isinstance(a, str) or not isinstance(n, str) or not a.strip() or not n.strip():
            raise NetworkError(f"{source}: line {i} needs both an alias and a name")
        out[normalize(a)] = normalize(n)
    return out


def _read_layer(
    src: LayerInput, role: str, name_field: str | None, crs: Any, sources: dict[str, str],
    notes: list[str],
) -> gpd.GeoDataFrame:
    if isinstance(src, gpd.GeoDataFrame):
        gdf, label = src.copy(), f"{role} (GeoDataFrame)"
    else:
        path = Path(src)
        label = str(path)
        if not path.exists():
            raise NetworkError(f"{path}: no such {role} file")
        from landgrade.io import read_file

        gdf = read_file(path)
    sources[role] = label
    empty = (gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    if empty.any():
        rows = np.flatnonzero(empty) + 1
        shown = ", ".join(map(str, rows[:10])) + (", …" if len(rows) > 10 else "")
        notes.append(f"{label}: {len(rows)} feature(s) without geometry left out "
                     f"(feature {shown})")
    gdf = gdf[~empty].reset_index(drop=True)
    gdf = _to_working(gdf, label, crs)
    if name_field is not None:
        if name_field not in gdf.columns:
            raise NetworkError(
                f"{label}: no name field {name_field!r} "
                f"(fields: {', '.join(map(str, gdf.columns))}); pass --name-field"
            )
        gdf["name"] = gdf[name_field].map(lambda v: normalize(v) if isinstance(v, str) else "")
    return gdf


def _to_working(gdf: gpd.GeoDataFrame, label: str, crs: Any) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4546 (``crs`` says what a layer without a CRS is in)."""
    from landgrade.crs import gdf_to_working

    if gdf.crs is None and crs is None:
        raise NetworkError(
            f"{label}: the layer has no CRS; save it with one (e.g. a .prj file) or give its CRS"
        )
    _check_coordinates(gdf, label, gdf.crs if gdf.crs is not None else crs)
    return gdf_to_working(gdf, crs if gdf.crs is None else None, layer=label)


def _check_coordinates(gdf: gpd.GeoDataFrame, label: str, crs: Any) -> None:
    """A NaN vertex or coordinates that do not fit the layer's CRS is an error naming a feature.

    Positions merely outside the working CRS's zone are let through: another county may lie
    there, and the build measures in metres all the same.
    """
    from landgrade.crs import PROBLEMS, detect_crs_problem

    xy, owner = shapely.get_coordinates(gdf.geometry.to_numpy(), return_index=True)
    if not len(xy):
        return
    problem = detect_crs_problem(xy[:, 0], xy[:, 1], crs)
    bad = np.flatnonzero(problem.astype(bool) & (problem != "outside_valid_area"))
    if not len(bad):
        return
    feature = int(owner[bad[0]])
    others = len(np.unique(owner[bad])) - 1
    name = gdf["name"].iloc[feature] if "name" in gdf else None
    what = f"feature {feature + 1}" + (f" ({name})" if isinstance(name, str) and name else "")
    more = f" and {others} other feature(s)" if others else ""
    raise NetworkError(f"{label}: {what}{more}: {PROBLEMS[problem[bad[0]]]}. Fix the "
                       "feature(s), or save the layer with the CRS its coordinates are in")


def _as_line(geoms: Any) -> BaseGeometry:
    """Merge line pieces into as few lines as possible; polygons contribute their outline."""
    geoms = list(geoms)
    lines = [shapely.boundary(g) if shapely.get_dimensions(g) == 2 else g for g in geoms]
    merged = shapely.line_merge(shapely.union_all(lines))
    return merged
