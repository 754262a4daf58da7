"""Coordinate systems: the working CRS, any EPSG system, and the Chinese web-map offsets.

Every geometry landgrade builds or queries is in a **working CRS**, in metres: the county's own
CGCS2000 / 3-degree Gauss-Krüger zone (EPSG:4534–4554, central meridians 75°E…135°E), chosen by
`county_working_crs` from the centre of the grading extent unless the county's ``metadata.json``
names one (``"crs"``). A grade map records its working CRS (the CRS of its layers); the engine,
maps, exports and the audit take it from the map. ``WORKING_CRS`` (CM 111E, EPSG:4546, Dongkou's
zone) is only the default for code given no map. A county built in a zone far from its own is
drawn rotated and stretched (at 113.7°E a CM-111 grid is turned about 1.5°). Inputs may come
in any 2-D geographic or projected system pyproj knows, or in one of the two web-map systems
PROJ does not carry: GCJ-02 (AMap, Tencent) and BD-09 (Baidu), whose offsets and exact inverses
are :mod:`landgrade.io.webmaps`.

**Zone prefix.** Gauss-Krüger eastings are often written with the zone number in front: Dongkou's
3-degree zone 37 gives ``37xxxxxx.xx``, which is EPSG:4525, not EPSG:4546. `detect_crs_problem`
flags such values and `fix_zone_prefix` re-reads them in their zone's CGCS2000 system (3-degree
zones 25–45: EPSG:4513–4533; 6-degree zones 13–23: EPSG:4491–4501).

All conversions take numpy arrays (or scalars, returned as floats), with x = easting or longitude
and y = northing or latitude, whatever axis order the EPSG definition declares.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyproj
import shapely
from pyproj.exceptions import CRSError

from landgrade.errors import LandgradeError
from landgrade.io.webmaps import (
    BD09,
    GCJ02,
    as_coordinate_arrays,
    bd09_to_gcj02,
    bd09_to_wgs84,
    coordinate_result,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

WORKING_EPSG = 4546
WORKING_CRS = pyproj.CRS.from_epsg(WORKING_EPSG)
WGS84 = pyproj.CRS.from_epsg(4326)
CHINA_AREA = (73.0, 3.0, 136.0, 54.0)
"""A lon/lat box around China's Gauss-Krüger zones: where a county's layers may lie."""

# CGCS2000 / 3-degree Gauss-Krüger CM 75E … CM 135E (no zone prefix in the eastings).
GK3_FIRST_EPSG, GK3_FIRST_CM, GK3_LAST_CM = 4534, 75, 135

Area = tuple[float, float, float, float]
"""A lon/lat box: (lon_min, lat_min, lon_max, lat_max)."""

_OFFSET_ALIASES = {
    "gcj02": GCJ02, "gcj": GCJ02, "amap": GCJ02, "gaode": GCJ02, "autonavi": GCJ02,
    "tencent": GCJ02, "qq": GCJ02, "mars": GCJ02,
    "bd09": BD09, "bd09ll": BD09, "bd": BD09, "baidu": BD09,
}
_NAMED_EPSG = {"wgs84": 4326, "cgcs2000": 4490, "working": WORKING_EPSG}
ACCEPTED_FORMS = (
    "an EPSG code (4326, '4546', 'EPSG:4546'), 'WGS84', 'CGCS2000', "
    "'gcj02' (GCJ-02: AMap, Tencent; also 'GCJ-02', 'gcj', 'amap', 'tencent'), "
    "'bd09' (BD-09: Baidu; also 'BD-09', 'baidu'), or any 2-D CRS pyproj reads (WKT, PROJ string)"
)

PROBLEMS = {
    "not_finite": "the coordinate is missing or not a finite number",
    "gk_zone_prefix": (
        "the easting carries a Gauss-Krüger zone prefix (e.g. 37xxxxxx.xx is EPSG:4525, not "
        "EPSG:4546); declare the prefixed system or use fix_zone_prefix"
    ),
    "lat_lon_swapped": "longitude and latitude look swapped (x is a latitude, y a longitude)",
    "not_geographic": "declared in degrees, but the values are beyond ±180/±90: metres?",
    "looks_geographic": "declared in metres, but the values look like longitude/latitude degrees",
    "outside_valid_area": "the position lies outside the area the working CRS is valid for",
}
"""Codes of `detect_crs_problem`, with the explanation shown to users."""
# A coordinate pair as pasted from a web map or a spreadsheet: "110.575,27.06", "110.575，27.06",
# "110.575 27.06", "(110.575; 27.06)".
_PASTED_XY_SPLIT = re.compile(r"[\s,，;；]+")


def parse_xy(text: str) -> tuple[float, float]:
    """The two numbers of a pasted coordinate pair (half- or full-width comma, semicolon or
    spaces between, brackets around); a LandgradeError naming the text otherwise."""
    parts = [p for p in _PASTED_XY_SPLIT.split(str(text).strip().strip("()[]（）")) if p]
    try:
        if len(parts) == 2:
            x, y = float(parts[0]), float(parts[1])
            if np.isfinite(x) and np.isfinite(y):
                return x, y
    except ValueError:
        pass
    raise LandgradeError(
        f"{text!r} is not a coordinate pair: give X,Y as pasted from a map (110.575,27.06)"
    )


# --- coordinate systems from untrusted sources --------------------------------------------
# A CRS is text that PROJ and GDAL interpret, and some of it names files or addresses: a grid
# (+nadgrids=, +geoidgrids=, WKT1's EXTENSION["PROJ4_GRIDS"], WKT2's PARAMETERFILE, a PROJJSON
# parameter's file value), an init file (+init=), a pipeline's steps, a URL, a path (GDAL reads
# a CRS from a file it names). PROJ opens such a file as soon as the CRS is related to another,
# and GDAL already when it opens a layer carrying it, so a request must never hand one on.
CRS_CODE_TEXT = re.compile(r"^[A-Za-z0-9:_\-. ]{1,64}$")
"""What a request may name a coordinate system with: a code or a name (EPSG:4546, gcj02)."""
_FILE_REFERENCES = re.compile(
    r"(?P<grid>grids|gridshift|tinshift|deformation|defmodel|parameter_?file"
    r"|\"value\"\s*:\s*\")"  # PROJJSON: a parameter whose value is text names a file
    r"|(?P<key>\b(?:init|file|model)\s*=)"
    r"|(?P<pipeline>pipeline)"
    r"|(?P<optional>@)"
    r"|(?P<vsi>/vsi\w*/)"
    r"|(?P<url>\b[a-z][a-z0-9+.\-]*://[^\s\"'<>()\[\]{},]*|\bfile:)"
    # a value that is a path: after =, a quote, a comma or a bracket (names say "A / B")
    r"|(?P<path>(?:^|[=\"',\[(])\s*(?:[/\\~]|\.\.?[/\\]|[a-z]:[/\\]))",
    re.IGNORECASE)
_HARMLESS_URLS = re.compile(
    r"^https?://(?:www\.)?opengis\.net/def/crs/[\w./\-]*$|^https://proj\.org/schemas/[\w./\-]*$",
    re.IGNORECASE)
_REFERENCE_WORDS = {
    "grid": "a grid or model file", "key": "an init, model or other file",
    "pipeline": "a PROJ pipeline", "optional": "an optional grid file (@)",
    "vsi": "a GDAL virtual file", "url": "a network address", "path": "a file path",
}


class UntrustedCrsError(LandgradeError):
    """A coordinate system from a request or an upload that would make PROJ or GDAL open a
    file or the network."""


def check_untrusted_crs(definition: Any, where: str, *, code_only: bool = False) -> None:
    """Refuse a coordinate system that a request (a ``crs=`` parameter: ``code_only``) or an
    uploaded file (a ``.prj``, a GeoJSON ``crs`` member, a GeoPackage's or GeoParquet's CRS)
    gave, when it refers to anything but itself: a grid or init file, a pipeline, a path, a URL.

    Nothing is handed to PROJ or GDAL here: the text alone is read, so a refused CRS opens no
    file. Codes, names, and WKT or PROJJSON describing a datum and a projection pass. Raises
    :class:`UntrustedCrsError` naming ``where`` (the parameter or the file) and what was found.
    """
    text = definition if isinstance(definition, str) else str(definition)
    if code_only:
        if not CRS_CODE_TEXT.match(text.strip()):
            raise UntrustedCrsError(
                f"{where}: {text[:80]!r} is not a coordinate system code; give an EPSG code "
                "(EPSG:4326, EPSG:4546, EPSG:4525), WGS84, CGCS2000, gcj02 or bd09")
        return
    for found in _FILE_REFERENCES.finditer(text):
        if found.lastgroup == "url" and _HARMLESS_URLS.match(found.group()):
            continue  # an OGC CRS identifier or PROJJSON's $schema: names, never fetched
        shown = text[found.start():found.start() + 40].strip(" \"',[(=")
        raise UntrustedCrsError(
            f"{where}: its coordinate system refers to {_REFERENCE_WORDS[found.lastgroup]} "
            f"({shown!r}), which is never opened for a request; save the file in a coordinate "
            "system given by its parameters or code (EPSG:4326, EPSG:4546)")


@dataclass(frozen=True)
class CrsSpec:
    """A resolved coordinate system.

    ``crs`` is the PROJ system the numbers live on; for GCJ-02 and BD-09 that is WGS84
    (EPSG:4326) and ``offset`` names the web-map displacement on top of it.
    """

    name: str
    crs: pyproj.CRS
    offset: str | None = None

    def __str__(self) -> str:
        return self.name

    @property
    def is_geographic(self) -> bool:
        return self.offset is not None or bool(self.crs.is_geographic)

    @property
    def epsg(self) -> int | None:
        """The EPSG code, or None for GCJ-02/BD-09 and systems without one."""
        return None if self.offset else self.crs.to_epsg()


def resolve_crs(spec: Any) -> CrsSpec:
    """Read a CRS given as an EPSG code, a name, a pyproj CRS, or 'gcj02'/'bd09'.

    Raises LandgradeError naming the spec and the accepted forms if it is none of them.
    """
    if isinstance(spec, CrsSpec):
        return spec
    if spec is None or (isinstance(spec, str) and not spec.strip()):
        raise LandgradeError(f"no coordinate system given; give {ACCEPTED_FORMS}")
    if isinstance(spec, pyproj.CRS):
        return _from_pyproj(spec, spec)
    if isinstance(spec, bool):
        raise LandgradeError(f"{spec!r} is not a coordinate system; give {ACCEPTED_FORMS}")
    if isinstance(spec, int | np.integer) or (isinstance(spec, float) and spec.is_integer()):
        return _from_pyproj(_epsg(int(spec), spec), spec)
    if not isinstance(spec, str):
        # Objects such as rasterio/fiona CRS or geopandas' own crs attribute.
        try:
            return _from_pyproj(pyproj.CRS.from_user_input(spec), spec)
        except CRSError:
            raise LandgradeError(
                f"{spec!r} is not a coordinate system; give {ACCEPTED_FORMS}"
            ) from None
    text = spec.strip()
    key = text.lower().replace("-", "").replace("_", "").replace(" ", "")
    if key in _OFFSET_ALIASES:
        offset = _OFFSET_ALIASES[key]
        return CrsSpec(offset, WGS84, offset)
    if key.startswith(("bd09mc", "bdmc")):
        raise LandgradeError(
            f"{text!r}: Baidu Mercator (BD-09MC) metres are not supported; convert them to "
            "Baidu lon/lat (bd09) first"
        )
    if key in _NAMED_EPSG:
        return _from_pyproj(_epsg(_NAMED_EPSG[key], spec), spec)
    if key.isdigit():
        return _from_pyproj(_epsg(int(key), spec), spec)
    try:
        crs = pyproj.CRS.from_user_input(text)
    except CRSError:
        raise LandgradeError(
            f"unknown coordinate system {text!r}; give {ACCEPTED_FORMS}"
        ) from None
    return _from_pyproj(crs, spec)


def _epsg(code: int, spec: Any) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_epsg(code)
    except CRSError:
        raise LandgradeError(
            f"unknown coordinate system {spec!r}: EPSG:{code} is not in the EPSG database; "
            f"give {ACCEPTED_FORMS}"
        ) from None


def _from_pyproj(crs: pyproj.CRS, spec: Any) -> CrsSpec:
    if not (crs.is_geographic or crs.is_projected):
        raise LandgradeError(
            f"coordinate system {spec!r} ({crs.name}) is neither geographic nor projected; "
            "landgrade takes 2-D longitude/latitude or easting/northing"
        )
    try:  # PROJ knows systems no coordinate on Earth can be in (on Mars, say)
        _transformer(crs, pyproj.CRS.from_epsg(4326))
    except pyproj.exceptions.ProjError:
        raise LandgradeError(
            f"coordinate system {spec!r} ({crs.name}) cannot be converted to the county's "
            "(not on Earth?); give an Earth system such as EPSG:4326, EPSG:4546, gcj02 or bd09"
        ) from None
    code = crs.to_epsg()
    name = f"EPSG:{code}" if code is not None else crs.name
    return CrsSpec(name, crs)


_TO_WGS84 = {GCJ02: gcj02_to_wgs84, BD09: bd09_to_wgs84}
_FROM_WGS84 = {GCJ02: wgs84_to_gcj02, BD09: wgs84_to_bd09}
_BETWEEN_OFFSETS = {(GCJ02, BD09): gcj02_to_bd09, (BD09, GCJ02): bd09_to_gcj02}


@functools.lru_cache(maxsize=64)
def _transformer(src: pyproj.CRS, dst: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


def _transform_flat(
    x: np.ndarray, y: np.ndarray, src: CrsSpec, dst: CrsSpec
) -> tuple[np.ndarray, np.ndarray]:
    if src == dst:
        return x, y
    if src.offset and dst.offset:
        return _BETWEEN_OFFSETS[src.offset, dst.offset](x, y)
    if src.offset:
        x, y = _TO_WGS84[src.offset](x, y)
    if src.crs != dst.crs:
        x, y = _transformer(src.crs, dst.crs).transform(x, y)
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if dst.offset:
        x, y = _FROM_WGS84[dst.offset](x, y)
    return x, y


def transform(x: Any, y: Any, from_crs: Any, to_crs: Any) -> tuple[Any, Any]:
    """Convert coordinates between any two supported systems.

    x, y are arrays (any shape; they are broadcast together and returned flat) or scalars
    (returned as floats). A point with no position in the target comes back as inf.
    """
    src, dst = resolve_crs(from_crs), resolve_crs(to_crs)
    xs, ys, scalar = as_coordinate_arrays(x, y)
    return coordinate_result(*_transform_flat(xs, ys, src, dst), scalar)


def to_working(x: Any, y: Any, crs: Any, working: Any = None) -> tuple[Any, Any]:
    """Convert coordinates in `crs` to the working CRS (`working`, default EPSG:4546)."""
    return transform(x, y, crs, working if working is not None else WORKING_CRS)


def from_working(x: Any, y: Any, crs: Any, working: Any = None) -> tuple[Any, Any]:
    """Convert working-CRS coordinates (`working`, default EPSG:4546) to `crs`."""
    return transform(x, y, working if working is not None else WORKING_CRS, crs)


def gk3_zone_epsg(lon: float) -> int:
    """The CGCS2000 3-degree Gauss-Krüger EPSG code (4534–4554) whose zone holds longitude `lon`.

    Zones are 3° wide and centred on multiples of 3°E (CM 111E covers 109.5–112.5°E). A
    longitude outside 73.5–136.5°E (China's zones) is a LandgradeError.
    """
    if not np.isfinite(lon) or not GK3_FIRST_CM - 1.5 <= lon <= GK3_LAST_CM + 1.5:
        raise LandgradeError(
            f"longitude {lon!r} is outside China's Gauss-Krüger zones (73.5–136.5°E); name the "
            "county's working CRS in its metadata.json (\"crs\": \"EPSG:…\")"
        )
    cm = min(max(3 * int(np.floor(lon / 3 + 0.5)), GK3_FIRST_CM), GK3_LAST_CM)
    return GK3_FIRST_EPSG + (cm - GK3_FIRST_CM) // 3


def county_working_crs(area: Any, crs: Any = None, declared: Any = None) -> pyproj.CRS:
    """The working CRS of a county: `declared` if given (metadata.json's ``crs``), else the
    3-degree Gauss-Krüger zone (EPSG:4534–4554) of the centre of `area`.

    `area` is a shapely geometry (the grading extent) in `crs`, or a GeoDataFrame/GeoSeries
    carrying its own CRS.
    """
    if declared is not None and str(declared).strip():
        spec = resolve_crs(declared)
        if spec.offset or spec.crs.is_geographic:
            raise LandgradeError(f"working CRS {declared!r} (the county's metadata.json \"crs\") "
                                 "must be projected, in metres: a CGCS2000 Gauss-Krüger zone "
                                 "such as EPSG:4546, or remove it to use the extent's zone")
        return spec.crs
    if hasattr(area, "total_bounds"):
        crs = crs if crs is not None else (area.attrs.get("coordinate_system") or area.crs)
        x0, y0, x1, y1 = area.total_bounds
    else:
        x0, y0, x1, y1 = area.bounds
    if crs is None:
        raise LandgradeError("the grading extent has no coordinate system; save it with one")
    lon, _ = transform((x0 + x1) / 2, (y0 + y1) / 2, crs, WGS84)
    return pyproj.CRS.from_epsg(gk3_zone_epsg(float(lon)))


def transform_geometry(geometry: Any, from_crs: Any, to_crs: Any) -> Any:
    """Convert shapely geometries (one, an array or a GeoSeries) vertex by vertex, vectorised."""
    src, dst = resolve_crs(from_crs), resolve_crs(to_crs)

    def convert(coords: np.ndarray) -> np.ndarray:
        cx, cy = _transform_flat(coords[:, 0].copy(), coords[:, 1].copy(), src, dst)
        return np.column_stack([cx, cy])

    if hasattr(geometry, "values") and hasattr(geometry, "index"):  # a GeoSeries
        geometry = np.asarray(geometry.values, dtype=object)
    return shapely.transform(geometry, convert)


def gdf_to_crs(gdf: Any, to_crs: Any, from_crs: Any = None, *, layer: str | None = None) -> Any:
    """A copy of a GeoDataFrame converted to `to_crs`.

    `from_crs`, when given, says what the coordinates really are and overrides the layer's own
    label: files of AMap or Baidu data usually claim EPSG:4326 while holding GCJ-02/BD-09. It
    must agree with the label on whether the layer is in degrees or metres. Without it the
    layer's own CRS is used; a layer with neither gets a LandgradeError naming `layer`.
    GeoPandas cannot label GCJ-02/BD-09, so a frame converted to one of them is labelled
    EPSG:4326 and carries ``attrs["coordinate_system"]`` = 'gcj02' or 'bd09'.
    """
    name = layer or "layer"
    declared = gdf.crs
    if from_crs is None and gdf.attrs.get("coordinate_system") in (GCJ02, BD09):
        from_crs = gdf.attrs["coordinate_system"]
    if from_crs is None:
        if declared is None:
            raise LandgradeError(
                f"{name}: has no coordinate system; give its CRS (e.g. --crs EPSG:4326, EPSG:4546, "
                "or gcj02 for AMap data)"
            )
        src = resolve_crs(declared)
    else:
        src = resolve_crs(from_crs)
        if declared is not None and bool(declared.is_geographic) != src.is_geographic:
            raise LandgradeError(
                f"{name}: the file says {resolve_crs(declared)} but {src} was given; one is in "
                "degrees and the other in metres. Check which is right."
            )
    dst = resolve_crs(to_crs)
    if src.offset or dst.offset:
        out = gdf.copy()
        out = out.set_geometry(transform_geometry(gdf.geometry, src, dst), crs=dst.crs)
    else:
        out = gdf.set_crs(src.crs, allow_override=True).to_crs(dst.crs)
    out.attrs = {k: v for k, v in gdf.attrs.items() if k != "coordinate_system"}
    if dst.offset:
        out.attrs["coordinate_system"] = dst.offset
    return out


def gdf_to_working(
    gdf: Any, crs: Any = None, *, layer: str | None = None, working: Any = None
) -> Any:
    """A copy of a GeoDataFrame in the working CRS (`working`, default EPSG:4546); `crs` as
    `from_crs` of `gdf_to_crs`."""
    return gdf_to_crs(gdf, working if working is not None else WORKING_CRS, crs, layer=layer)


def gdf_from_working(gdf: Any, crs: Any, working: Any = None) -> Any:
    """A copy of a working-CRS GeoDataFrame converted to `crs` (GCJ-02/BD-09 included)."""
    return gdf_to_crs(gdf, crs, working if working is not None else WORKING_CRS)


def valid_area(crs: Any = WORKING_CRS) -> Area:
    """(lon_min, lat_min, lon_max, lat_max) where `crs` is valid, from the EPSG database."""
    area = resolve_crs(crs).crs.area_of_use
    if area is None:
        return (-180.0, -90.0, 180.0, 90.0)
    return (area.west, area.south, area.east, area.north)


def _inside(lon: np.ndarray, lat: np.ndarray, area: Area) -> np.ndarray:
    lon_min, lat_min, lon_max, lat_max = area
    return (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)


def prefixed_zone_epsg(zone: np.ndarray) -> np.ndarray:
    """EPSG code of the CGCS2000 Gauss-Krüger system with a zone prefix, 0 if not a zone."""
    zone = np.asarray(zone)
    return np.where(
        (zone >= 25) & (zone <= 45), 4513 + zone - 25,
        np.where((zone >= 13) & (zone <= 23), 4491 + zone - 13, 0),
    ).astype(int)


def _zone_of(x: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(x) & (x >= 1e7), np.floor(x / 1e6), 0).astype(int)


def fix_zone_prefix(x: Any, y: Any, crs: Any = WORKING_CRS) -> tuple[Any, Any]:
    """Convert eastings written with a Gauss-Krüger zone prefix into `crs`.

    Values whose easting is ``ZZxxxxxx`` with ZZ a CGCS2000 zone number are read in that zone's
    prefixed system (zone 37: EPSG:4525) and converted to `crs`; the other values are returned
    as they are, being taken to be in `crs` already.
    """
    dst = resolve_crs(crs)
    xs, ys, scalar = as_coordinate_arrays(x, y)
    codes = prefixed_zone_epsg(_zone_of(xs))
    for code in np.unique(codes[codes > 0]):
        rows = codes == code
        xs[rows], ys[rows] = _transform_flat(xs[rows], ys[rows], resolve_crs(int(code)), dst)
    return coordinate_result(xs, ys, scalar)


def detect_crs_problem(
    x: Any, y: Any, crs: Any, area: Area | None = None
) -> np.ndarray:
    """Per point, a code from `PROBLEMS` saying why the coordinate looks wrong, or None.

    `area` is the (lon_min, lat_min, lon_max, lat_max) a right coordinate must fall in; by
    default the working CRS's area of use. The rules, first match wins:

    - ``not_finite``: x or y is NaN or infinite;
    - declared geographic (including GCJ-02/BD-09): ``lat_lon_swapped`` if (y, x) falls in
      the area and (x, y) does not; ``not_geographic`` if |x| > 180 or |y| > 90;
    - declared projected: ``gk_zone_prefix`` if the point is outside the area but lies in it
      when the easting is read with its zone prefix; ``looks_geographic`` if the values are
      degrees in the area (either order);
    - ``outside_valid_area``: anything else that does not fall in the area.

    The GCJ-02/BD-09 offsets (< 0.02°) are ignored for the area test.
    """
    src = resolve_crs(crs)
    xs, ys, _ = as_coordinate_arrays(x, y)
    area = area or valid_area(WORKING_CRS)
    problem = np.full(xs.shape, None, dtype=object)
    finite = np.isfinite(xs) & np.isfinite(ys)
    as_degrees = finite & (np.abs(xs) <= 180.0) & (np.abs(ys) <= 90.0)
    degrees_in_area = as_degrees & _inside(xs, ys, area)
    swapped_in_area = finite & _inside(ys, xs, area)
    if src.is_geographic:
        lon, lat = xs, ys
        if src.offset is None and not src.crs.equals(WGS84):
            lon, lat = _transform_flat(xs, ys, src, resolve_crs(4326))
        ok = as_degrees & _inside(lon, lat, area)
        problem[finite & ~ok] = "outside_valid_area"
        problem[finite & ~as_degrees] = "not_geographic"
        problem[finite & ~ok & swapped_in_area] = "lat_lon_swapped"
    else:
        with np.errstate(invalid="ignore"):
            lon, lat = _transform_flat(xs, ys, src, resolve_crs(4326))
        ok = finite & _inside(lon, lat, area)
        problem[finite & ~ok] = "outside_valid_area"
        problem[finite & ~ok & (degrees_in_area | swapped_in_area)] = "looks_geographic"
        prefixed = finite & ~ok & (prefixed_zone_epsg(_zone_of(xs)) > 0)
        if prefixed.any():
            fx, fy = fix_zone_prefix(xs[prefixed], ys[prefixed], 4326)
            rows = np.flatnonzero(prefixed)[_inside(fx, fy, area)]
            problem[rows] = "gk_zone_prefix"
    problem[~finite] = "not_finite"
    return problem


def looks_like(x: Any, y: Any, area: Area | None = None) -> str:
    """Guess the family of a set of coordinates whose CRS is unknown, by majority of points.

    Returns 'geographic' (lon/lat degrees; WGS84, CGCS2000, GCJ-02 and BD-09 cannot be told
    apart), 'geographic_swapped' (lat/lon), 'projected_zone_prefix' (Gauss-Krüger eastings
    with a zone prefix), 'projected' (metres in the working CRS's area) or 'unknown'.
    """
    xs, ys, _ = as_coordinate_arrays(x, y)
    area = area or valid_area(WORKING_CRS)
    finite = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[finite], ys[finite]
    if xs.size == 0:
        return "unknown"
    family = np.full(xs.shape, "unknown", dtype=object)
    with np.errstate(invalid="ignore"):
        wlon, wlat = _transform_flat(xs, ys, resolve_crs(WORKING_CRS), resolve_crs(4326))
    family[_inside(wlon, wlat, area)] = "projected"
    prefixed = prefixed_zone_epsg(_zone_of(xs)) > 0
    if prefixed.any():
        plon, plat = fix_zone_prefix(xs[prefixed], ys[prefixed], 4326)
        family[np.flatnonzero(prefixed)[_inside(plon, plat, area)]] = "projected_zone_prefix"
    family[_inside(ys, xs, area)] = "geographic_swapped"
    family[_inside(xs, ys, area)] = "geographic"
    return Counter(family.tolist()).most_common(1)[0][0]
