"""Write the sample parcels of a county folder: a few squares drawn on its built grade map.

The README's Python example and new users need parcels to try ``assign`` on. These are not
real parcels (宗地): each is a 40 m square placed on the bundled grade map — one well inside
grade 1, one on the boundary between grades 1 and 2, one inside grade 3, one outside the grading
extent but inside the county — and every feature says so in its ``note``. On Dongkou the map is
the schematic network's, so the parcels are as schematic as it is.

Usage (from the repository root)::

    python scripts/make_sample_parcels.py dongkou geo/dongkou/samples/parcels.geojson
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import shapely

from landgrade.build.builder import build_county
from landgrade.io.crs import WORKING_CRS

HALF_SIDE_M = 20.0
NOTE = "sample parcel drawn on the bundled (schematic) grade map; not a real parcel"


def sample_parcels(county: str) -> gpd.GeoDataFrame:
    gm = build_county(county)
    zones = dict(zip(gm.grades["grade"], gm.grades.geometry, strict=True))
    def inside(zone: shapely.Geometry) -> shapely.Point:
        """A point of the zone's largest part at least a parcel's width from its edges."""
        largest = max(shapely.get_parts(zone), key=lambda part: part.area)
        return largest.buffer(-HALF_SIDE_M * 2).representative_point()

    centre_1 = inside(zones[1])
    shared = zones[1].boundary.intersection(zones[2].boundary)
    boundary = shapely.line_interpolate_point(shapely.get_parts(shapely.line_merge(shared))[0],
                                              0.5, normalized=True)
    centre_3 = inside(zones[3])
    _, ymin, xmax, ymax = gm.extent.total_bounds
    outside = shapely.Point(xmax + 800, (ymin + ymax) / 2)
    centres = [centre_1, boundary, centre_3, outside]
    squares = [shapely.box(p.x - HALF_SIDE_M, p.y - HALF_SIDE_M, p.x + HALF_SIDE_M,
                           p.y + HALF_SIDE_M) for p in centres]
    parcels = gpd.GeoDataFrame(
        {"宗地号": ["DK-S01", "DK-S02", "DK-S03", "DK-S04"],
         "用途": ["商服用地", "住宅用地", "住宅用地", "工矿仓储用地"],
         "note": [NOTE] * 4},
        geometry=squares, crs=WORKING_CRS,
    )
    return parcels.to_crs("EPSG:4326")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("county")
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    parcels = sample_parcels(args.county)
    doc = json.loads(parcels.to_json(drop_id=True))
    for feature in doc["features"]:
        ring = feature["geometry"]["coordinates"][0]
        feature["geometry"]["coordinates"] = [[[round(x, 7), round(y, 7)] for x, y in ring]]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
