"""The road network a grade map is drawn on: named roads, water, landmarks and the grading extent.

A :class:`Network` holds every layer in the county's **working CRS** (the CGCS2000 3-degree
Gauss-Krüger zone of the extent's centre, or the one the county's ``metadata.json`` names; see
:mod:`landgrade.io.crs`) and answers one question for the builder: *which geometry does this name
(or road id) mean?*

The road model, built for the layers analysts really have (a county's surveyed centreline layer
道路中心线, or OpenStreetMap), not only for a hand-drawn sketch:

- **names**: a named road is every feature carrying that name after
  :func:`landgrade.names.normalize` and the county's alias table, however many pieces it is drawn
  in. Aliases work both ways: ``alias,name`` rows with the same alias mean the *union* of their
  drawn names (``解放路,解放东路`` + ``解放路,解放西路``: the gazette's 解放路 is both sections),
  and several aliases may name one drawn road (``雪峰中路,雪峰路``). Aliases are data.
- **fields**: the name attribute is ``name_field`` for every layer, a per-layer mapping
  (``{"roads": "道路名称", "water": "名称"}``), or, when not given, found among the usual spellings
  (:data:`landgrade.network.fields.NAME_FIELDS`: ``name``, ``NAME``, ``名称``, ``道路名称``,
  ``路名``, ``name:zh``, …); the choice is recorded in :attr:`Network.choices` and printed by the
  build. ``id_field`` (default ``road_id``) is the road id that ``road:<id>`` decisions use;
  pieces sharing an id are one road.
- **snapping**: pieces of one road whose ends miss each other by up to ``snap_m`` (default 2 m)
  are joined by a connector, and junctions that miss by up to the same tolerance still meet
  (:mod:`landgrade.network.lines`, :mod:`landgrade.network.junctions`). Vertex jitter of
  surveyed data is left as it is.
- **minor roads**: slip roads (OSM ``*_link``), service roads, tracks and paths (judged from a
  ``highway``/``fclass``/``road_class``/``type`` attribute,
  :data:`landgrade.network.fields.MINOR_ROAD_CLASSES`) and unnamed pieces never belong to a
  named road, so they never add crossings to junction finding; they stay in the layer for
  ``road:<id>`` decisions.
- a river or ditch drawn as a line is that line; drawn as a polygon, its *outline* (the banks) is
  the line junctions and ring stretches follow — the report says so;
- a landmark is a point or a polygon; the builder only uses its sides (``公安局东侧``);
- the extent (基准地价范围界线, the grading extent) is one polygon, the union of its layer.

Dual carriageways (a road drawn as two parallel lines) are one road: the junction resolver
clusters their crossings (:mod:`landgrade.network.junctions`) and the builder measures strips and
corridors from the outer carriageway (:mod:`landgrade.build.ring`, :mod:`landgrade.build.corridor`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from landgrade.gazette.names import strip_junction_marker
from landgrade.io.formats import IOInputError
from landgrade.io.tables import read_data_table
from landgrade.network.errors import NetworkError
from landgrade.network.fields import (
    NameFields,
    detect_name_field,
    minor_roads,
    name_field_map,
    set_road_ids,
)
from landgrade.network.lines import merge_lines
from landgrade.text import normalize

FeatureKind = Literal["road", "water", "landmark", "admin"]
LayerInput = str | Path | gpd.GeoDataFrame

SNAP_M = 2.0
"""Default snap tolerance (metres): pieces and junctions that miss each other by this much meet."""


# A trailing section number of a Table 7 route name (桔城路 4, 雪峰中路 5).
_SECTION_NUMBER = re.compile(r"\d+$")


@dataclass
class Network:
    """Roads, water, landmarks and the grading extent in the working CRS, looked up by name.

    ``roads``/``water``/``landmarks`` carry a ``name`` column holding the normalised name as drawn
    (``""`` for unnamed pieces; roads also ``road_id`` and ``minor``, True for slip/service roads
    that never belong to a named road); ``aliases`` maps a normalised alias → the normalised
    names it stands for (several: their union). ``notes`` says what loading left out (features
    without geometry), for the build report; ``choices`` says which fields were used.
    ``snap_m`` is the snap tolerance; ``crs`` the working CRS of every layer.
    """

    roads: gpd.GeoDataFrame
    extent: BaseGeometry
    water: gpd.GeoDataFrame | None = None
    landmarks: gpd.GeoDataFrame | None = None
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    snap_m: float = SNAP_M
    crs: Any = None
    admin: gpd.GeoDataFrame | None = None

    def __post_init__(self) -> None:
        self.aliases = {k: (v,) if isinstance(v, str) else tuple(v)
                        for k, v in self.aliases.items()}
        if self.crs is None:
            self.crs = self.roads.crs
        if "minor" not in self.roads:
            self.roads["minor"] = False
        self._kinds: dict[str, FeatureKind] = {}
        layers = (("admin", self.admin), ("landmark", self.landmarks), ("water", self.water),
                  ("road", self.roads))
        for kind, layer in layers:
            if layer is not None:
                names = layer["name"] if kind != "road" else layer["name"][~layer["minor"]]
                # Later kinds win: a road and a landmark sharing a name means the road.
                for n in names.dropna().unique():
                    if n:
                        self._kinds[n] = kind  # type: ignore[assignment]
        self._cache: dict[tuple[str, str], BaseGeometry] = {}

    # -- names ----------------------------------------------------------------------------------
    def names(self) -> list[str]:
        """Every feature name drawn in the network (normalised)."""
        return sorted(self._kinds)

    def members(self, name: str) -> tuple[str, ...]:
        """The drawn names ``name`` stands for (through aliases and junction markers), or ().

        A drawn name stands for itself (plus any names an alias row of the same spelling adds);
        an alias for the union of its rows' names, followed through further aliases.
        """
        n = normalize(name)
        for candidate in (n, strip_junction_marker(n)):
            found = self._expand(candidate, set())
            if found:
                return found
        return ()

    def _expand(self, name: str, seen: set[str]) -> tuple[str, ...]:
        if name in seen:
            return ()
        seen.add(name)
        out: list[str] = [name] if name in self._kinds else []
        for target in self.aliases.get(name, ()):
            out.extend(x for x in self._expand(target, seen) if x not in out)
        # A drawn name of another kind than the alias targets would mix a road with a river.
        kinds = {self._kinds[x] for x in out}
        if len(kinds) > 1 and name in self._kinds:
            return (name,)
        return tuple(out)

    def canonical(self, name: str) -> str | None:
        """The drawn name ``name`` refers to (through aliases and junction markers), or None.

        For an alias standing for several drawn names, the alias itself (normalised): the
        feature of that key is the union of them.
        """
        found = self.members(name)
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        n = normalize(name)
        return n if n in self.aliases else strip_junction_marker(n)

    def kind(self, name: str) -> FeatureKind | None:
        """``"road"``, ``"water"``, ``"landmark"`` or ``"admin"`` (a unit of the administrative
        boundary layer) for a known name, else None."""
        found = self.members(name)
        return self._kinds[found[0]] if found else None

    def has(self, name: str) -> bool:
        return bool(self.members(name))

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
        """The geometry a name means: a merged road or water line, or a landmark geometry.

        Pieces of a line whose ends miss each other by up to ``snap_m`` are joined.
        """
        found = self.members(name)
        if not found:
            raise self.unknown(name, context)
        kind = self._kinds[found[0]]
        key = (kind, "|".join(found))
        if key not in self._cache:
            layer = {"road": self.roads, "water": self.water, "landmark": self.landmarks,
                     "admin": self.admin}[kind]
            mask = layer["name"].isin(found).to_numpy().copy()
            if kind == "road":
                mask &= ~layer["minor"].to_numpy(dtype=bool)
            geoms = layer.geometry.values[mask]
            self._cache[key] = (merge_lines(geoms, self.snap_m, hairpins=kind == "road")
                                if kind in ("road", "water") else shapely.union_all(geoms))
        return self._cache[key]

    def area_of(self, name: str) -> BaseGeometry:
        """The polygons drawn under a name (a landmark's or administrative unit's area, a water
        area), empty when the name is drawn only as points or lines."""
        found = self.members(name)
        polys = []
        for layer in (self.landmarks, self.water, self.admin):
            if layer is None or not found:
                continue
            geoms = layer.geometry.values[layer["name"].isin(found).to_numpy()]
            polys += [g for g in shapely.get_parts(geoms) if shapely.get_dimensions(g) == 2]
        return shapely.union_all(polys) if polys else shapely.Polygon()

    def road(self, road_id: str, context: str = "") -> BaseGeometry:
        """The merged line of the road feature(s) with this ``road_id`` (the ``--id-field``)."""
        ids = self.roads["road_id"].astype(str) if "road_id" in self.roads else None
        if ids is None or not (ids == str(road_id)).any():
            known = sorted(ids.unique())[:20] if ids is not None else []
            where = f"{context}: " if context else ""
            raise NetworkError(
                f"{where}no road with road_id {road_id!r} in the roads layer"
                + (f" (ids look like: {', '.join(known)})" if known else " (no road_id field)")
            )
        pieces = self.roads.geometry.values[(ids == str(road_id)).to_numpy()]
        return merge_lines(pieces, self.snap_m, hairpins=True)

    def water_is_polygon(self, name: str) -> bool:
        """True when a water feature is drawn as a polygon (its outline stands in for the line)."""
        found = self.members(name)
        if not found or self._kinds.get(found[0]) != "water" or self.water is None:
            return False
        geoms = self.water.geometry.values[self.water["name"].isin(found).to_numpy()]
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
    aliases: str | Path | pd.DataFrame | Mapping[str, Any] | None = None,
    name_field: NameFields = None,
    crs: Any = None,
    *,
    id_field: str = "road_id",
    working_crs: Any = None,
    snap_m: float = SNAP_M,
    admin: LayerInput | None = None,
) -> Network:
    """Load a network from vector files (anything GDAL reads) or GeoDataFrames.

    Every layer is reprojected to the working CRS: ``working_crs`` if given (the county's
    ``metadata.json`` ``crs``), else the 3-degree Gauss-Krüger zone of the extent's centre
    (GCJ-02/BD-09 inputs included, via landgrade.io.crs). ``crs`` is assumed for layers that carry
    none; without it such a layer is an error naming the file. ``extent`` is required: the grades
    partition it. ``aliases`` is an ``alias,name`` CSV (or a DataFrame, or a dict).
    ``name_field`` is one field for every layer, ``{"roads": "道路名称", …}`` per layer (a key
    ``"*"`` for the rest), or None to find it among
    :data:`~landgrade.network.fields.NAME_FIELDS`. ``id_field`` names the road id of
    ``road:<id>`` decisions (rows are numbered when the default ``road_id`` is absent).
    """
    from landgrade.io.crs import county_working_crs

    if extent is None:
        raise NetworkError("no grading extent given (--extent): the grades partition the extent")
    if snap_m < 0 or not np.isfinite(snap_m):
        raise NetworkError(f"snap tolerance {snap_m!r} must be a distance in metres ≥ 0 (--snap)")
    sources: dict[str, str] = {}
    notes: list[str] = []
    choices: list[str] = []
    if isinstance(extent, BaseGeometry):
        if working_crs is None:
            from landgrade.io.crs import WORKING_CRS

            working_crs = WORKING_CRS  # a bare geometry is taken to be in the working CRS already
        raw_extent = gpd.GeoDataFrame(geometry=[extent], crs=working_crs)
        sources["extent"] = "geometry"
    else:
        raw_extent = _read_raw(extent, "extent", sources, notes)
    if working_crs is None:
        if raw_extent.crs is None and crs is None:
            raise _no_crs(sources["extent"], raw_extent)
        working = county_working_crs(raw_extent, crs if raw_extent.crs is None else None)
    else:
        working = county_working_crs(None, declared=working_crs)
    fields = name_field_map(name_field)
    road_gdf = _prepare(_read_raw(roads, "roads", sources, notes), "roads", sources, fields,
                        crs, working, choices)
    set_road_ids(road_gdf, id_field, sources["roads"], choices)
    road_gdf["minor"] = minor_roads(road_gdf, choices, sources["roads"])
    water_gdf = None
    if water is not None:
        water_gdf = _prepare(_read_raw(water, "water", sources, notes), "water", sources, fields,
                             crs, working, choices)
    land_gdf = None
    if landmarks is not None:
        land_gdf = _prepare(_read_raw(landmarks, "landmarks", sources, notes), "landmarks",
                            sources, fields, crs, working, choices)
    admin_gdf = None
    if admin is not None:
        admin_gdf = _prepare(_read_raw(admin, "admin", sources, notes), "admin", sources,
                             fields, crs, working, choices)
        _check_admin_polygons(admin_gdf, sources["admin"])
    named = {k for k in fields if k != "*"}
    known = {k for role, label in sources.items() if role != "extent"
             for k in (role, Path(label).name, Path(label).stem)}
    if named - known:
        layers = ", ".join(f"{r} ({lbl})" for r, lbl in sources.items() if r != "extent")
        raise NetworkError(f"--name-field {sorted(named - known)[0]}=…: no such layer; the "
                           f"layers are {layers}")
    ext = _to_working(raw_extent, sources["extent"], crs, working)
    extent_geom = shapely.union_all(ext.geometry.values)
    if extent_geom.is_empty or extent_geom.geom_type not in ("Polygon", "MultiPolygon"):
        where = sources.get("extent", "extent")
        raise NetworkError(f"{where}: the grading extent must be a polygon")
    extent_geom = check_extent(shapely.make_valid(extent_geom), sources.get("extent", "extent"))
    _check_roads_reach(road_gdf, extent_geom, sources)
    return Network(
        roads=road_gdf, extent=extent_geom, water=water_gdf, landmarks=land_gdf,
        aliases=read_aliases(aliases), sources=sources, notes=notes, choices=choices,
        snap_m=float(snap_m), crs=working, admin=admin_gdf,
    )


def _check_admin_polygons(admin: gpd.GeoDataFrame, where: str) -> None:
    """An administrative boundary layer holds the units' areas: polygons with names."""
    dims = shapely.get_dimensions(admin.geometry.to_numpy())
    if len(admin) and (dims != 2).any():
        raise NetworkError(f"{where}: an administrative boundary layer (--admin) holds polygons "
                           f"(街道, 镇, 村 areas); {int((dims != 2).sum())} feature(s) are not")
    if len(admin) and not (admin["name"].fillna("") != "").any():
        raise NetworkError(f"{where}: no feature has a name; give the unit name field with "
                           "--admin-field")


def _check_roads_reach(roads: gpd.GeoDataFrame, extent: BaseGeometry,
                       sources: dict[str, str]) -> None:
    """A roads layer none of whose roads reach the extent is another place's (or one in the
    wrong CRS): say so, rather than let the first clause fail on a name it cannot find."""
    geoms = roads.geometry.values
    if not len(geoms) or shapely.intersects(geoms, extent).any():
        return
    gap_km = float(shapely.distance(shapely.union_all(geoms).envelope, extent)) / 1000
    raise NetworkError(
        f"{sources['roads']}: no road reaches the grading extent ({sources['extent']}); the "
        f"nearest is {gap_km:,.1f} km away. Give the roads of this county, or check that both "
        "files say the coordinate system they are really in"
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


def read_aliases(
    aliases: str | Path | pd.DataFrame | Mapping[str, Any] | None,
) -> dict[str, tuple[str, ...]]:
    """The alias table as normalised ``alias → names``; a malformed row is an error naming it.

    Several rows with one alias give it several names (their union is meant).
    """
    if aliases is None:
        return {}
    if isinstance(aliases, Mapping):
        return {normalize(k): tuple(normalize(x) for x in ((v,) if isinstance(v, str) else v))
                for k, v in aliases.items()}
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
    out: dict[str, tuple[str, ...]] = {}
    for i, a, n in zip(df["line"], df["alias"], df["name"], strict=True):
        if not isinstance(a, str) or not isinstance(n, str) or not a.strip() or not n.strip():
            raise NetworkError(f"{source}: line {i} needs both an alias and a name")
        a, n = normalize(a), normalize(n)
        if a != n and n not in out.get(a, ()):
            out[a] = (*out.get(a, ()), n)
    return out


def _read_raw(src: LayerInput, role: str, sources: dict[str, str],
              notes: list[str]) -> gpd.GeoDataFrame:
    """A layer as read, in its own CRS, without features that have no geometry (noted)."""
    if isinstance(src, gpd.GeoDataFrame):
        gdf, label = src.copy(), f"{role} (GeoDataFrame)"
    else:
        path = Path(src)
        label = str(path)
        if not path.exists():
            raise NetworkError(f"{path}: no such {role} file")
        gdf = _read_source(path, role)
    sources[role] = label
    empty = (gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy()
    if empty.any():
        rows = np.flatnonzero(empty) + 1
        shown = ", ".join(map(str, rows[:10])) + (", …" if len(rows) > 10 else "")
        notes.append(f"{label}: {len(rows)} feature(s) without geometry left out "
                     f"(feature {shown})")
    return gdf[~empty].reset_index(drop=True)


def _read_source(path: Path, role: str) -> gpd.GeoDataFrame:
    """Read one layer file. This is the single place a reader is chosen by file type: vector
    formats GDAL reads go through :func:`landgrade.io.read_file`; a non-GDAL-vector source
    (e.g. an OpenStreetMap extract) is dispatched here to its own module."""
    from landgrade.io.readers import read_file
    from landgrade.network.osm import is_osm, read_osm_layer

    # An OpenStreetMap file holds every layer; the OSM reader takes out this one, with its
    # name (name:zh, else name) in a `name` column.
    return read_osm_layer(path, role) if is_osm(path) else read_file(path)


def _prepare(gdf: gpd.GeoDataFrame, role: str, sources: dict[str, str], fields: dict[str, str],
             crs: Any, working: Any, choices: list[str]) -> gpd.GeoDataFrame:
    """A layer in the working CRS with a normalised ``name`` column from its name field."""
    label = sources[role]
    gdf = _to_working(gdf, label, crs, working)
    keys = [k for k in (role, Path(label).name, Path(label).stem) if k in fields]
    fld = fields[keys[0]] if keys else fields.get("*")
    if fld is not None:
        if fld not in gdf.columns:
            raise NetworkError(
                f"{label}: no name field {fld!r} (fields: {', '.join(map(str, gdf.columns))}); "
                f"pass --name-field {role}=FIELD"
            )
        values = gdf[fld]
    else:
        fld, values = detect_name_field(gdf, label, role)
        choices.append(f"{Path(label).name}: names from field {fld!r} (found; "
                       f"--name-field {role}=FIELD to choose)")
    gdf["name"] = values.map(lambda v: normalize(v) if isinstance(v, str) else "")
    return gdf


def _no_crs(label: str, gdf: gpd.GeoDataFrame | None = None) -> NetworkError:
    """A layer without a CRS: `landgrade build` has no option to declare one, so the fix named
    is to label the file itself. The bounds say whether it is degrees or metres (a hint only:
    WGS84, CGCS2000 and GCJ-02 degrees cannot be told apart, so nothing is assumed)."""
    hint = ""
    if gdf is not None and len(gdf):
        x0, y0, x1, y1 = gdf.total_bounds
        if -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90:
            hint = f" (x {x0:.3f}..{x1:.3f}, y {y0:.3f}..{y1:.3f} look like degrees)"
        else:
            hint = f" (x {x0:.0f}..{x1:.0f} look like metres of a projected zone)"
    return NetworkError(
        f"{label}: the layer has no CRS{hint}; label the file with its coordinate system, e.g. "
        f"ogr2ogr -a_srs EPSG:4326 fixed.gpkg {Path(label).name} (or EPSG:4490 for CGCS2000 "
        "degrees, EPSG:45xx for a projected Gauss-Kruger zone)"
    )


def _to_working(gdf: gpd.GeoDataFrame, label: str, crs: Any, working: Any) -> gpd.GeoDataFrame:
    """Reproject to the working CRS (``crs`` says what a layer without a CRS is in)."""
    from landgrade.io.crs import gdf_to_working

    if gdf.crs is None and crs is None:
        raise _no_crs(label, gdf)
    _check_coordinates(gdf, label, gdf.crs if gdf.crs is not None else crs)
    return gdf_to_working(gdf, crs if gdf.crs is None else None, layer=label, working=working)


def _check_coordinates(gdf: gpd.GeoDataFrame, label: str, crs: Any) -> None:
    """A NaN vertex or coordinates that do not fit the layer's CRS is an error naming a feature.

    Positions are checked against China's Gauss-Krüger zones, not one zone: the county may lie
    in any of them.
    """
    from landgrade.io.crs import CHINA_AREA, PROBLEMS, detect_crs_problem

    xy, owner = shapely.get_coordinates(gdf.geometry.to_numpy(), return_index=True)
    if not len(xy):
        return
    problem = detect_crs_problem(xy[:, 0], xy[:, 1], crs, CHINA_AREA)
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


