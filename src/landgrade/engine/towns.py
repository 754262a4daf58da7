"""Township boundaries (乡镇界): which town (乡镇) each point lies in.

Table 8 prices a town's land by town class and town grade, and says which towns are in which
class, but the gazette draws no town boundaries, and no open data set holds them (the bundled
county outline has none). An analyst with the county's township layer gives it as
``--towns FILE --town-field NAME``; ``locate`` and ``assign`` then name the town of every point,
and with ``--town-grade`` price the points outside the urban extent from that town's Table 8 row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from landgrade.errors import LandgradeError

# Name attributes township layers commonly carry, tried in order when --town-field is not given.
NAME_FIELDS = ("name", "名称", "乡镇", "乡镇名称", "乡镇名", "xzqmc", "town", "name_zh", "name:zh")


class TownLayerError(LandgradeError):
    """A township layer cannot be used; the message names the file and the fix."""


@dataclass
class TownLayer:
    """Town polygons in the working CRS and the name of each."""

    names: np.ndarray
    polygons: np.ndarray
    source: str

    def __post_init__(self) -> None:
        self._tree = shapely.STRtree(self.polygons)

    def names_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The town of each working-CRS coordinate (None outside every town; where towns
        overlap, the first listed)."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        out = np.full(len(x), None, dtype=object)
        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if not len(ok) or not len(self.polygons):
            return out
        pts, polys = self._tree.query(shapely.points(x[ok], y[ok]), predicate="intersects")
        first = np.unique(pts, return_index=True)[1]  # query sorts by point, then polygon
        out[ok[pts[first]]] = self.names[polys[first]]
        return out


def load_towns(path: str | Path, field: str | None = None, layer: str | None = None) -> TownLayer:
    """A township layer (any format :mod:`landgrade.io` reads, any CRS) with ``field`` holding
    the town names (default: the first of :data:`NAME_FIELDS` present)."""
    from landgrade.io import crs as crsmod
    from landgrade.io.formats import IOInputError
    from landgrade.io.readers import read_file

    try:
        gdf = read_file(path, layer=layer)
    except IOInputError as e:
        if layer is None and "say which one with --layer" in str(e):
            # --layer picks the input's layer, not this one's: the fix is a one-layer file.
            raise TownLayerError(
                f"{str(e).split('; say which')[0]}; --towns needs a file holding only the "
                f"township layer: export it alone (ogr2ogr towns.gpkg {Path(path).name} LAYER)"
            ) from None
        raise
    if gdf.crs is None:
        raise TownLayerError(f"{path}: the township layer has no CRS; give it a .prj or CRS")
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    if field is None:
        lower = {str(c).lower(): c for c in columns}
        field = next((lower[n] for n in NAME_FIELDS if n in lower), None)
        if field is None:
            among = f"among {', '.join(map(str, columns))}" if columns else \
                "(the layer has no attribute fields)"
            raise TownLayerError(
                f"{path}: no town-name field found {among}; name it with --town-field"
            )
    elif field not in gdf.columns:
        raise TownLayerError(
            f"{path}: no field {field!r}; fields present: {', '.join(map(str, columns))}"
        )
    geom = gdf.geometry.to_numpy()
    areal = shapely.get_type_id(geom)
    keep = np.isin(areal, (3, 6)) & ~shapely.is_empty(geom)
    if not keep.any():
        raise TownLayerError(f"{path}: the township layer holds no polygons")
    _check_coordinates_fit(gdf[keep], path)
    working = crsmod.gdf_to_working(gdf[keep])
    polygons = shapely.make_valid(working.geometry.to_numpy())
    names = working[field].astype(object).where(working[field].notna(), None).to_numpy()
    return TownLayer(names=np.asarray(names, dtype=object), polygons=polygons, source=str(path))


def _check_coordinates_fit(gdf: Any, path: str | Path) -> None:
    """A layer whose coordinates cannot be in its declared CRS (metres labelled EPSG:4326, a
    Gauss-Krüger zone prefix, latitude and longitude swapped) would name no town for any row:
    refuse it, as inputs with such coordinates are flagged ``crs_suspect_*``."""
    from landgrade.io import crs as crsmod

    x0, y0, x1, y1 = gdf.total_bounds
    problems = crsmod.detect_crs_problem([x0, x1, x0, x1], [y0, y1, y1, y0], gdf.crs,
                                         crsmod.CHINA_AREA)
    found = next((p for p in problems if p in _MISDECLARED), None)
    if found is not None:
        raise TownLayerError(
            f"{path}: the township layer's coordinates ({x0:.6g}, {y0:.6g} … {x1:.6g}, "
            f"{y1:.6g}) do not fit its CRS {crsmod.resolve_crs(gdf.crs)}: "
            f"{crsmod.PROBLEMS[found]}; save the layer with its real CRS")


_MISDECLARED = ("not_geographic", "looks_geographic", "gk_zone_prefix", "lat_lon_swapped")


def maybe_load_towns(path: Any, field: str | None) -> TownLayer | None:
    """:func:`load_towns`, or None without a path."""
    return None if path is None else load_towns(path, field)
