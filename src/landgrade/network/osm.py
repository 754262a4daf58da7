"""OpenStreetMap input as analysts download it: ``.osm`` / ``.osm.pbf`` files and Overpass exports.

An OpenStreetMap (OSM) extract carries everything in one file; the builder wants roads and water
as separate layers with a ``name``. This module is the one place that knows OSM's shape:

- ``.osm`` (XML, "Export" on openstreetmap.org or JOSM) and ``.osm.pbf`` (Geofabrik, osmium) are
  read through GDAL's OSM driver (pyogrio). Its ``lines`` layer holds the ways, its
  ``multipolygons`` layer the areas; tags without a column of their own sit in ``other_tags``
  as ``"key"=>"value",…``, from which ``name:zh`` and ``ref`` are taken with one vectorised
  regular expression per key.
- An Overpass-turbo GeoJSON export (osmtogeojson) is read as it comes: properties ``@id``
  (``way/123``), ``highway``, ``name``, ``name:zh``, … .

Roads are ``highway=*`` lines; water is ``waterway=*`` lines plus ``natural=water`` and
``waterway=riverbank`` areas. The name is ``name:zh`` where mapped, else ``name`` (Chinese OSM
data often has ``name`` in Chinese and sometimes in pinyin with ``name:zh`` beside it). Every
frame is in EPSG:4326 with the columns ``osm_id`` (``way/123``, ``relation/45``), ``name`` and
the class tag (``highway`` and ``ref`` for roads; ``waterway`` and ``natural`` for water).
Slip roads, service roads and footways are kept with their ``highway`` value: telling them
apart is the road model's job, not the reader's.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.errors import LandgradeError

__all__ = ["OSMError", "is_osm", "read_osm_layer", "read_osm_roads", "read_osm_water"]

ROAD_COLUMNS = ("osm_id", "name", "highway", "ref")
WATER_COLUMNS = ("osm_id", "name", "waterway", "natural")
_GEOJSON_SUFFIXES = (".geojson", ".json")
_LINES = ("LineString", "MultiLineString")
_AREAS = ("Polygon", "MultiPolygon")


class OSMError(LandgradeError):
    """An OpenStreetMap file cannot be read or lacks what was asked of it; names file and fix."""


def is_osm(path: str | Path) -> bool:
    """Whether ``path`` is OSM data: ``.osm``/``.osm.pbf``/``.pbf``, or an Overpass GeoJSON export.

    An Overpass export is recognised by its ``@id`` property (``way/123``); any other GeoJSON is
    an ordinary GIS layer.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".osm", ".pbf"):
        return True
    if suffix not in _GEOJSON_SUFFIXES or not path.is_file():
        return False
    import pyogrio

    try:
        fields = pyogrio.read_info(path)["fields"]
    except Exception:  # not readable as GeoJSON: the ordinary reader says why
        return False
    return "@id" in set(fields)


def read_osm_layer(path: str | Path, role: str) -> gpd.GeoDataFrame:
    """The ``roads`` or ``water`` layer of an OSM file (the network loader's entry point)."""
    if role == "roads":
        return read_osm_roads(path)
    if role == "water":
        return read_osm_water(path)
    raise OSMError(f"{path}: OpenStreetMap files are read for --roads and --water only; give the "
                   f"{role} as a GIS layer (GeoPackage, Shapefile, GeoJSON)")


def read_osm_roads(path: str | Path) -> gpd.GeoDataFrame:
    """Every ``highway=*`` line of an OSM file as ``osm_id, name, highway, ref`` in EPSG:4326.

    A file without any highway line is an :class:`OSMError` naming it.
    """
    path = Path(path)
    if _is_geojson(path):
        df = _read_overpass(path)
        lines = df[df.geometry.geom_type.isin(_LINES).to_numpy() & _present(df, "highway")]
        roads = _frame(lines, _tag(lines, "highway"), "highway", ROAD_COLUMNS,
                       ref=_tag(lines, "ref"))
    else:
        lines = _read_gdal(path, "lines", "highway IS NOT NULL")
        lines = lines[_present(lines, "highway")]
        roads = _frame(lines, lines["highway"], "highway", ROAD_COLUMNS,
                       ref=_other_tag(lines, "ref"))
    if roads.empty:
        raise OSMError(f"{path}: no highway=* lines in this OpenStreetMap file; export an area "
                       "that has roads (with highway=* ways), or give the road layer instead")
    return roads


def read_osm_water(path: str | Path) -> gpd.GeoDataFrame:
    """``waterway=*`` lines and ``natural=water``/``waterway=riverbank`` areas, in EPSG:4326.

    Columns ``osm_id, name, waterway, natural``. A file without any is an :class:`OSMError`.
    """
    path = Path(path)
    if _is_geojson(path):
        df = _read_overpass(path)
        waterway, natural = _tag(df, "waterway"), _tag(df, "natural")
        kind = df.geometry.geom_type
        keep = ((kind.isin(_LINES) & waterway.notna())
                | (kind.isin(_AREAS) & ((natural == "water") | (waterway == "riverbank"))))
        keep = keep.to_numpy()
        water = _frame(df[keep], waterway[keep], "waterway", WATER_COLUMNS,
                       natural=natural[keep])
    else:
        lines = _read_gdal(path, "lines", "waterway IS NOT NULL")
        lines = lines[_present(lines, "waterway")]
        # GDAL keeps a closed riverbank way as a line; its water is the ring's inside.
        ring = (lines["waterway"] == "riverbank").to_numpy() & lines.geometry.is_ring.to_numpy()
        geoms = lines.geometry.to_numpy().copy()
        geoms[ring] = shapely.build_area(geoms[ring])
        lines = lines.set_geometry(gpd.GeoSeries(geoms, index=lines.index, crs=lines.crs))
        areas = _read_gdal(path, "multipolygons", "natural = 'water' OR other_tags LIKE "
                           "'%\"waterway\"=>\"riverbank\"%'")
        a_waterway = _other_tag(areas, "waterway")
        a_natural = areas["natural"] if "natural" in areas else _other_tag(areas, "natural")
        pick = ((a_natural == "water") | (a_waterway == "riverbank")).to_numpy()
        areas = areas[pick]
        water = pd.concat([
            _frame(lines, lines["waterway"], "waterway", WATER_COLUMNS,
                   natural=_other_tag(lines, "natural")),
            _frame(areas, a_waterway[pick], "waterway", WATER_COLUMNS, natural=a_natural[pick]),
        ], ignore_index=True)
        water = gpd.GeoDataFrame(water, geometry="geometry", crs="EPSG:4326")
    if water.empty:
        raise OSMError(f"{path}: no waterway=* lines or natural=water areas in this OpenStreetMap "
                       "file; leave out --water, or give an extract or layer that has the water")
    return water


# -- reading ------------------------------------------------------------------------------------
def _is_geojson(path: Path) -> bool:
    return path.suffix.lower() in _GEOJSON_SUFFIXES


def _read_gdal(path: Path, layer: str, where: str) -> gpd.GeoDataFrame:
    """The features of one layer of GDAL's OSM driver that ``where`` keeps.

    Filtering in GDAL keeps a large extract's other features out of memory (pyogrio reads an
    OSM layer on its own through SQL, as GDAL's driver needs). A file GDAL cannot read is an
    :class:`OSMError`.
    """
    import pyogrio

    if not path.is_file():
        raise OSMError(f"{path}: no such file")
    try:
        df = pyogrio.read_dataframe(path, layer=layer, where=where)
    except Exception as e:  # GDAL's message is the useful part; any failure means "not OSM"
        raise OSMError(f"{path}: not a readable OpenStreetMap .osm/.osm.pbf file ({e}); export "
                       "it again (openstreetmap.org Export, Geofabrik, or osmium)") from None
    if df.crs is None:
        df = df.set_crs("EPSG:4326")
    if "osm_id" not in df:
        df["osm_id"] = None
    # Areas made from a closed way carry its id in osm_way_id; those from relations in osm_id.
    if "osm_way_id" in df:
        way = df["osm_way_id"].notna()
        df["osm_id"] = np.where(way, "way/" + df["osm_way_id"].astype(str),
                                "relation/" + df["osm_id"].astype(str))
    else:
        df["osm_id"] = "way/" + df["osm_id"].astype(str)
    return df


def _read_overpass(path: Path) -> gpd.GeoDataFrame:
    import pyogrio

    try:
        df = pyogrio.read_dataframe(path)
    except Exception as e:
        raise OSMError(f"{path}: not a readable GeoJSON file ({e}); export it again from "
                       "Overpass turbo (Export → GeoJSON)") from None
    if df.crs is None:
        df = df.set_crs("EPSG:4326")
    if "@id" not in df:
        raise OSMError(f"{path}: not an Overpass export (its features have no @id property); "
                       "export it from Overpass turbo, or read it as a GIS layer with a name "
                       "field")
    df = df[df.geometry.notna().to_numpy()]
    df["osm_id"] = df["@id"].astype(str)
    return df


# -- tags ---------------------------------------------------------------------------------------
def _present(df: pd.DataFrame, key: str) -> np.ndarray:
    """Rows whose tag ``key`` is set (a column of its own, non-empty)."""
    if key not in df:
        return np.zeros(len(df), dtype=bool)
    v = df[key]
    return (v.notna() & (v.astype(str).str.strip() != "")).to_numpy()


def _tag(df: pd.DataFrame, key: str) -> pd.Series:
    """An Overpass property as strings (None where absent)."""
    if key not in df:
        return pd.Series([None] * len(df), index=df.index, dtype=object)
    v = df[key].astype(object)
    return v.where(v.notna() & (v.astype(str).str.strip() != ""), None)


def _other_tag(df: pd.DataFrame, key: str) -> pd.Series:
    """The value of ``key`` inside GDAL's ``other_tags`` (``"k"=>"v",…``), None where absent."""
    if "other_tags" not in df or df.empty:
        return pd.Series([None] * len(df), index=df.index, dtype=object)
    pattern = '"' + re.escape(key) + r'"=>"((?:[^"\\]|\\.)*)"'
    found = df["other_tags"].astype("string").str.extract(pattern, expand=False)
    found = found.str.replace(r'\\(.)', r"\1", regex=True)
    return found.astype(object).where(found.notna(), None)


def _frame(df: gpd.GeoDataFrame, kind: pd.Series, kind_column: str, columns: tuple[str, ...],
           **extra: pd.Series) -> gpd.GeoDataFrame:
    """``osm_id, name, <kind>, …`` with the name taken from ``name:zh`` first, then ``name``."""
    if df.empty:
        return gpd.GeoDataFrame({c: pd.Series([], dtype=object) for c in columns},
                                geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    zh = _tag(df, "name:zh") if "name:zh" in df else _other_tag(df, "name:zh")
    name = zh.where(zh.notna(), _tag(df, "name"))
    out = {"osm_id": df["osm_id"].astype(str), "name": name, kind_column: kind.astype(object)}
    out.update(extra)
    frame = gpd.GeoDataFrame({c: out[c].to_numpy() for c in columns},
                             geometry=df.geometry.to_numpy(), crs=df.crs)
    return frame.to_crs("EPSG:4326") if str(frame.crs) != "EPSG:4326" else frame
