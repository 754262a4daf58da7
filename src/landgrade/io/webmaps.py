"""The Chinese web-map coordinate systems PROJ does not carry: GCJ-02 and BD-09.

- **GCJ-02** (国测局坐标, "Mars coordinates"; AMap/Gaode, Tencent, Google China): WGS84 longitude
  and latitude displaced by the published obfuscation polynomial, about 300–700 m in mainland China.
- **BD-09** (百度坐标, Baidu's ``bd09ll``): GCJ-02 displaced once more by Baidu's rotation and
  scaling, about another 500 m.

Both are lon/lat on WGS84. Their forward formulas are the well-known public ones (the
"eviltransform" polynomial with a = 6378245 m, ee = 0.00669342162296594323, and Baidu's
x_pi = π·3000/180 formula). Their inverses have no closed form; the one-step inverse most libraries
ship is off by up to ~2 m, so here the inverse is solved by fixed-point iteration over whole arrays
until every point reproduces its input to 1e-10 degrees (~0.01 mm).

**Outside China.** As in eviltransform, coordtransform and gcoord, the GCJ-02 offset is applied only
inside the conventional box 72.004–137.8347°E, 0.8293–55.8271°N (`in_china`); outside it GCJ-02
equals WGS84. The box is crude (it includes Korea, Japan and Mongolia), but it is what every
published implementation and reference pair uses, so coordinates round-trip with them. Whether the
inverse applies the offset is decided on the GCJ-02 input. The Baidu step (GCJ-02 <-> BD-09) is
applied everywhere, as in coordtransform and gcoord.

All conversions take numpy arrays (or scalars, returned as floats) of longitude and
latitude; :mod:`landgrade.io.crs` combines them with every system PROJ knows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from landgrade.errors import LandgradeError

GCJ02 = "gcj02"
BD09 = "bd09"

_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
_BD_X_PI = np.pi * 3000.0 / 180.0
_CHINA_BOX = (72.004, 0.8293, 137.8347, 55.8271)  # lon_min, lat_min, lon_max, lat_max

# 1e-10 degrees is ~0.01 mm: far below the 0.01 m promised, and far above float64 noise at 100°.
INVERSE_TOLERANCE_DEG = 1e-10
# The offsets change by < 2 % per unit of position, so each iteration gains ~2 digits; 5 or 6
# suffice everywhere. The bound only guards against non-finite input slipping through.
INVERSE_MAX_ITERATIONS = 30


def in_china(lon: Any, lat: Any) -> np.ndarray:
    """True where GCJ-02 applies its offset: the conventional box around China (see module doc)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    lon_min, lat_min, lon_max, lat_max = _CHINA_BOX
    return (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 displacement (degrees) of WGS84 points, without the China box test."""
    x = lon - 105.0
    y = lat - 35.0
    shared = (20.0 * np.sin(6.0 * np.pi * x) + 20.0 * np.sin(2.0 * np.pi * x)) * 2.0 / 3.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    north = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    north += shared
    north += (20.0 * np.sin(np.pi * y) + 40.0 * np.sin(np.pi * y / 3.0)) * 2.0 / 3.0
    north += (160.0 * np.sin(np.pi * y / 12.0) + 320.0 * np.sin(np.pi * y / 30.0)) * 2.0 / 3.0
    east = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    east += shared
    east += (20.0 * np.sin(np.pi * x) + 40.0 * np.sin(np.pi * x / 3.0)) * 2.0 / 3.0
    east += (150.0 * np.sin(np.pi * x / 12.0) + 300.0 * np.sin(np.pi * x / 30.0)) * 2.0 / 3.0
    # The polynomial yields metres on Krasovsky's ellipsoid; scale them to degrees there.
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _GCJ_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (north * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (east * 180.0) / (_GCJ_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def _gcj_forward(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def _bd_forward(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _BD_X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _BD_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _invert(
    forward: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    tx: np.ndarray,
    ty: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Solve forward(x, y) = (tx, ty) for 1-D arrays by fixed-point iteration from the target.

    Each round evaluates `forward` once on the points not yet converged, so the cost is a few
    vectorised passes whatever the array size.
    """
    x, y = tx.copy(), ty.copy()
    active = np.flatnonzero(np.isfinite(tx) & np.isfinite(ty))
    for _ in range(INVERSE_MAX_ITERATIONS):
        if active.size == 0:
            break
        fx, fy = forward(x[active], y[active])
        rx, ry = fx - tx[active], fy - ty[active]
        x[active] -= rx
        y[active] -= ry
        active = active[(np.abs(rx) > INVERSE_TOLERANCE_DEG) | (np.abs(ry) > INVERSE_TOLERANCE_DEG)]
    return x, y


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """WGS84 lon/lat to GCJ-02 lon/lat; unchanged outside the China box."""
    lon, lat, scalar = as_coordinate_arrays(lon, lat)
    inside = in_china(lon, lat)
    glon, glat = lon.copy(), lat.copy()
    glon[inside], glat[inside] = _gcj_forward(lon[inside], lat[inside])
    return coordinate_result(glon, glat, scalar)


def gcj02_to_wgs84(lon: Any, lat: Any) -> tuple[Any, Any]:
    """GCJ-02 lon/lat to WGS84 lon/lat: the exact (iterated) inverse of `wgs84_to_gcj02`."""
    lon, lat, scalar = as_coordinate_arrays(lon, lat)
    inside = in_china(lon, lat)
    wlon, wlat = lon.copy(), lat.copy()
    wlon[inside], wlat[inside] = _invert(_gcj_forward, lon[inside], lat[inside])
    return coordinate_result(wlon, wlat, scalar)


def gcj02_to_bd09(lon: Any, lat: Any) -> tuple[Any, Any]:
    """GCJ-02 lon/lat to BD-09 lon/lat (Baidu's formula, applied everywhere)."""
    lon, lat, scalar = as_coordinate_arrays(lon, lat)
    return coordinate_result(*_bd_forward(lon, lat), scalar)


def bd09_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """BD-09 lon/lat to GCJ-02 lon/lat: the exact (iterated) inverse of `gcj02_to_bd09`."""
    lon, lat, scalar = as_coordinate_arrays(lon, lat)
    return coordinate_result(*_invert(_bd_forward, lon, lat), scalar)


def wgs84_to_bd09(lon: Any, lat: Any) -> tuple[Any, Any]:
    """WGS84 lon/lat to BD-09 lon/lat (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: Any, lat: Any) -> tuple[Any, Any]:
    """BD-09 lon/lat to WGS84 lon/lat (via GCJ-02), both steps exact inverses."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def as_coordinate_arrays(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    """Flat float64 copies of x and y (broadcast together), and whether both were scalars:
    every conversion takes arrays or scalars alike (see :func:`coordinate_result`)."""
    try:
        xa = np.asarray(x, dtype=float)
        ya = np.asarray(y, dtype=float)
        xa, ya = np.broadcast_arrays(xa, ya)
    except (TypeError, ValueError) as e:
        raise LandgradeError(f"coordinates must be numbers of matching shape ({e})") from None
    scalar = xa.ndim == 0
    return xa.astype(float).ravel().copy(), ya.astype(float).ravel().copy(), scalar


def coordinate_result(x: np.ndarray, y: np.ndarray, scalar: bool) -> tuple[Any, Any]:
    """The converted arrays, or two floats when the input was two scalars."""
    if scalar:
        return float(x[0]), float(y[0])
    return x, y
