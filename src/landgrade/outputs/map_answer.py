"""What the offline web map needs to answer a click by itself, and its script.

A page opened from a file has no engine to ask, so :func:`answer_data` writes into it what the
answer at a point is made of: each grade's prices with their term and plot ratio (Tables 1–4
and 6), the Table 7 routes in the working CRS, and a cubic polynomial from the shown
longitude/latitude (WGS84, or GCJ-02 over AMap tiles) to the working CRS, fitted over the map
and checked to a centimetre (GCJ-02 is no polynomial: a cubic is off by about 3 mm there).
``map_answer.js`` then gives, for a clicked point, the record of
:func:`landgrade.engine.answer.to_record` — grade, prices, nearest route with its distance and
whether its road-line price applies — and shows it in the page's language. A point is the
point clicked: the answer never describes a whole zone.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from landgrade.build.grade_map import GradeMap
from landgrade.engine.answer import STATUSES
from landgrade.gazette.labels import grade_label, unit, word
from landgrade.io.crs import transform
from landgrade.outputs.map_style import MapError, PriceLegend, working_layer

# Worst error allowed of the fitted lon/lat → working CRS polynomial, metres.
FIT_TOLERANCE_M = 0.01  # the answer gives distances to 0.01 m
_WORDS = ("point", "grade", "prices", "route", "note", "prices_line", "term_ratio",
          "route_line", "route_line_na", "within_depth", "click_outside", "schematic_short",
          "zoom_in", "zoom_out")


@cache
def answer_script() -> str:
    """The page's own script (``map_answer.js``), ready to inline."""
    return (Path(__file__).with_name("map_answer.js").read_text(encoding="utf-8")
            .replace("</script", "<\\/script"))


def _terms(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(u), u, v, u * u, u * v, v * v, u ** 3, u * u * v, u * v * v,
                     v ** 3], axis=-1)


def display_to_working(bounds: tuple[float, float, float, float], display_crs: str,
                       working: Any) -> tuple[list[float], list[float], list[float]]:
    """The origin and the x and y coefficients of a cubic in (lon − lon0, lat − lat0) that
    gives working-CRS metres for a point shown at lon, lat, over ``bounds`` (display CRS)
    widened by half on every side; a fit worse than :data:`FIT_TOLERANCE_M` is an error."""
    x0, y0, x1, y1 = bounds
    dx, dy = (x1 - x0) / 2, (y1 - y0) / 2
    lon, lat = np.meshgrid(np.linspace(x0 - dx, x1 + dx, 25), np.linspace(y0 - dy, y1 + dy, 25))
    lon, lat = lon.ravel(), lat.ravel()
    wx, wy = transform(lon, lat, display_crs, working)
    origin = ((x0 + x1) / 2, (y0 + y1) / 2)
    a = _terms(lon - origin[0], lat - origin[1])
    cx = np.linalg.lstsq(a, np.asarray(wx), rcond=None)[0]
    cy = np.linalg.lstsq(a, np.asarray(wy), rcond=None)[0]
    worst = float(np.max(np.hypot(a @ cx - wx, a @ cy - wy)))
    if not worst <= FIT_TOLERANCE_M:
        raise MapError(f"the web map cannot place clicks in {working} to within "
                       f"{FIT_TOLERANCE_M} m (off by {worst:.3f} m over the map)")
    return [float(v) for v in origin], [float(v) for v in cx], [float(v) for v in cy]


def _routes(grade_map: GradeMap) -> list[dict[str, Any]]:
    routes = working_layer(grade_map, "routes")
    if routes is None or "id" not in routes.columns:
        return []
    depth = (pd.to_numeric(routes["standard_depth_m"], errors="coerce")
             if "standard_depth_m" in routes.columns else pd.Series(np.nan, index=routes.index))
    price = (pd.to_numeric(routes["price"], errors="coerce")
             if "price" in routes.columns else pd.Series(np.nan, index=routes.index))
    out = []
    for i, geom in enumerate(routes.geometry.array):
        parts = [np.round(shapely.get_coordinates(p), 3).tolist()
                 for p in shapely.get_parts(geom)] if geom is not None else []
        row = routes.iloc[i]
        out.append({
            "id": str(row["id"]),
            "name": None if pd.isna(row.get("name")) else str(row.get("name")),
            "standard_depth_m": None if pd.isna(depth.iloc[i]) else float(depth.iloc[i]),
            "price": None if pd.isna(price.iloc[i]) else float(price.iloc[i]),
            "road_class": (None if pd.isna(row.get("road_class"))
                           else str(row.get("road_class"))),
            "parts": parts,
        })
    return out


def answer_data(
    grade_map: GradeMap,
    *,
    map_name: str,
    grades_layer: str,
    grades: list[int],
    bounds: tuple[float, float, float, float],
    display_crs: str,
    prices: PriceLegend | None,
    lang: str,
) -> dict[str, Any]:
    """Everything ``map_answer.js`` reads (see the module docstring), as JSON-ready values;
    ``bounds`` is the map's extent in the display CRS (lon0, lat0, lon1, lat1)."""
    working = grade_map.crs
    origin, cx, cy = display_to_working(bounds, display_crs, working)
    meta = prices.metadata if prices is not None else {}
    per_grade: dict[str, dict[str, Any]] = {}
    for g in grades:
        entry: dict[str, Any] = {"label": grade_label(g, lang)}
        if prices is not None and g in prices.table.index:
            entry["prices"] = {str(u): float(prices.table.at[g, u]) for u in prices.table.columns}
            entry["connotation"] = prices.connotation.get(g, {})
        per_grade[str(g)] = entry
    uses = ([{"key": str(u), "label": prices.labels.get(str(u), str(u))}
             for u in prices.table.columns] if prices is not None else [])
    epsg = working.to_epsg()
    return {
        "map": map_name,
        "grades_layer": grades_layer,
        "bounds": [[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
        "origin": origin, "cx": cx, "cy": cy,
        "display": "GCJ-02" if display_crs == "gcj02" else "WGS84",
        "working": f"EPSG:{epsg}" if epsg else working.name,
        "grades": per_grade,
        "uses": uses,
        "unit": unit(meta, lang),
        "valuation_date": (meta or {}).get("valuation_date"),
        "routes": _routes(grade_map),
        "schematic": bool(grade_map.schematic),
        # where the prices come from, as the answer's ``gazette`` (None without prices)
        "gazette": ({k: meta.get(k) for k in ("document", "issuer", "date", "title")}
                    if meta else None),
        "messages": {k: STATUSES[k] for k in ("ok", "outside_extent")},
        "words": {k: word(k, lang) for k in _WORDS},
    }
