"""The working CRS belongs to the county: the Gauss-Krüger zone of its extent, recorded on the map.

The grid town is placed at 113.7°E (3-degree zone CM 114°E, EPSG:4547) and handed over in
WGS84. Built there, its streets stay axis-parallel and its areas are the hand-computed ones; in
Dongkou's fixed CM-111 zone the same town would be turned about 1.3° (the meridian convergence
(114 − 111)° × sin 27°). The engine, the audit and the maps take the CRS from the map.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import affinity
from synthetic import ROUTES, TABLE5, TABLE5_AREAS, grid_town, write_town

from landgrade.build.builder import BuildInputs, build_from
from landgrade.build.grade_map import GradeMap
from landgrade.errors import LandgradeError
from landgrade.io.crs import county_working_crs, gk3_zone_epsg

ZONE_114 = 4547


def _town_at_114e() -> dict[str, gpd.GeoDataFrame]:
    """The grid town drawn in EPSG:4547 (CM 114°E), near 113.7°E 27°N, as WGS84 layers."""
    out = {}
    for name, gdf in grid_town().items():
        # synthetic.grid_town is at (500 000, 3 000 000) in its CRS: relabel it as CM 114°E and
        # move it 30 km west, to about 113.7°E.
        moved = gdf.set_crs(ZONE_114, allow_override=True)
        moved = moved.set_geometry(moved.geometry.map(lambda g: affinity.translate(g, -30_000)))
        out[name] = moved.to_crs(4326)
    return out


def test_zone_of_a_longitude():
    assert gk3_zone_epsg(110.57) == 4546  # Dongkou, CM 111°E
    assert gk3_zone_epsg(113.7) == 4547  # CM 114°E
    assert gk3_zone_epsg(126.6) == 4551  # Harbin, CM 126°E
    assert gk3_zone_epsg(75.0) == 4534 and gk3_zone_epsg(135.0) == 4554
    with pytest.raises(LandgradeError, match=r"metadata\.json"):
        gk3_zone_epsg(150.0)


def test_metadata_crs_wins_over_the_extent_zone():
    box = shapely.box(113.6, 27.0, 113.8, 27.1)
    assert county_working_crs(box, 4326).to_epsg() == 4547
    assert county_working_crs(box, 4326, declared="EPSG:4546").to_epsg() == 4546
    with pytest.raises(LandgradeError, match="projected"):
        county_working_crs(box, 4326, declared="EPSG:4326")


@pytest.fixture(scope="module")
def town_map(tmp_path_factory) -> tuple[GradeMap, object]:
    folder = write_town(tmp_path_factory.mktemp("town114"), _town_at_114e(), TABLE5, ROUTES)
    gm = build_from(BuildInputs(county=folder))
    path = folder / "grades.gpkg"
    gm.to_gpkg(path)
    return gm, path


def test_a_county_at_113_7e_is_built_in_its_own_zone(town_map):
    gm, path = town_map
    assert gm.crs.to_epsg() == ZONE_114
    assert gm.metadata["crs"] == "EPSG:4547"
    assert GradeMap.read(path).crs.to_epsg() == ZONE_114
    areas = dict(zip(gm.grades["grade"], gm.grades["area_m2"], strict=True))
    for g, expected in TABLE5_AREAS.items():
        assert areas[g] == pytest.approx(expected, rel=1e-5), g
    # The streets run north-south in their own zone, but not in CM 111°E.
    road = gm.roads[gm.roads["name"] == "二路"].geometry
    c = shapely.get_coordinates(road.to_numpy())
    assert abs(c[-1, 0] - c[0, 0]) < 0.01
    c111 = shapely.get_coordinates(road.to_crs(4546).to_numpy())
    turned = np.degrees(np.arctan2(c111[-1, 0] - c111[0, 0], c111[-1, 1] - c111[0, 1]))
    assert 1.2 < abs(turned) < 1.5


def test_engine_and_audit_take_the_crs_from_the_map(town_map):
    from landgrade.engine import Engine
    from landgrade.outputs.audit import audit_grade_map

    _, path = town_map
    read = GradeMap.read(path)
    engine = Engine(read)
    # The centre of the grade-1 ring (town 300, 300), asked for in WGS84.
    centre = gpd.GeoSeries([shapely.Point(500_300 - 30_000, 3_000_300)], crs=ZONE_114)
    lon, lat = centre.to_crs(4326).iloc[0].coords[0]
    answer = engine.locate([lon], [lat], crs="EPSG:4326")
    assert int(answer["grade"].iloc[0]) == 1
    audit = audit_grade_map(read)
    assert len(audit) == len(ROUTES)


def test_the_web_map_lies_at_the_town(town_map):
    from landgrade.outputs.map_html import interactive_map

    gm, _ = town_map
    fmap = interactive_map(gm)
    (lat0, lon0), (lat1, lon1) = fmap.get_bounds()
    assert 113.6 < lon0 < lon1 < 113.8 and 26.9 < lat0 < lat1 < 27.2
