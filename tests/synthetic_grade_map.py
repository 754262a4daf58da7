"""A small grade map drawn by hand, for the map and export tests.

Five concentric square zones around a centre near Dongkou's county seat (EPSG:4546): grade 1 is
the central 400 m square, each further grade a 200 m wide ring around it, grade 5 reaching the
2000 m square extent. Areas by hand (``RING_AREAS``): grade 1 = 400² = 160,000 m², and each ring
the difference of two squares, e.g. grade 2 = 800² − 400² = 480,000 m².
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import LineString, box

from landgrade.build.grade_map import GradeMap
from landgrade.outputs.map_style import PriceLegend

X0, Y0 = 457_800.0, 2_994_300.0  # about 110.575°E, 27.06°N
HALF_SIDES = {1: 200.0, 2: 400.0, 3: 600.0, 4: 800.0, 5: 1000.0}
RING_AREAS = {
    g: (2 * h) ** 2 - (2 * HALF_SIDES[g - 1]) ** 2 if g > 1 else (2 * h) ** 2
    for g, h in HALF_SIDES.items()
}

# Gazette Table 6 (yuan/m²), grades 1–5.
TABLE6 = pd.DataFrame(
    {
        "commercial": [3194, 2248, 1622, 1114, 695],
        "residential": [1932, 1458, 1066, 758, 480],
        "industrial": [585, 490, 420, 360, 307],
        "public_1": [1202, 945, 692, 462, 310],
        "public_2": [610, 492, 422, 362, 308],
    },
    index=pd.Index([1, 2, 3, 4, 5], name="grade"),
)
LABELS_ZH = {
    "commercial": "商服用地",
    "residential": "住宅用地",
    "industrial": "工矿仓储用地",
    "public_1": "公共管理与公共服务用地 I",
    "public_2": "公共管理与公共服务用地 II",
}


def square(h: float) -> shapely.Polygon:
    return box(X0 - h, Y0 - h, X0 + h, Y0 + h)


def synthetic_grade_map(*, schematic: bool = True) -> GradeMap:
    zones = []
    inner = None
    for h in HALF_SIDES.values():
        outer = square(h)
        zones.append(outer if inner is None else outer.difference(inner))
        inner = outer
    grades = gpd.GeoDataFrame(
        {"grade": list(HALF_SIDES), "area_m2": [RING_AREAS[g] for g in HALF_SIDES]},
        geometry=zones, crs=4546,
    )
    routes = gpd.GeoDataFrame(
        {
            "id": ["A01", "B02", "C03"],
            "name": ["桔城路 4", "雪峰中路 5", "洞口大道 1"],
            "from": ["健民路口", "峡口路口", "泰龙路口"],
            "to": ["新村路口", "桔城路口", "金坪路口"],
            "grade": [1, 2, 3],
            "road_class": ["主干道", "次干道", "支路"],
            "standard_depth_m": [20, 16, 12],
            "price": [5714, 2502, 1500],
            "length_m": [300.0, 400.0, 500.0],
        },
        geometry=[
            LineString([(X0 - 150, Y0), (X0 + 150, Y0)]),
            LineString([(X0 + 300, Y0 - 200), (X0 + 300, Y0 + 200)]),
            LineString([(X0 - 250, Y0 + 500), (X0 + 250, Y0 + 500)]),
        ],
        crs=4546,
    )
    water = gpd.GeoDataFrame(
        {"name": ["平溪江"]},
        geometry=[LineString([(X0 - 1000, Y0 - 700), (X0 + 1000, Y0 - 650)])],
        crs=4546,
    )
    roads = gpd.GeoDataFrame(
        {"name": ["健民路", "桔城路"], "road_class": ["次干道", "主干道"]},
        geometry=[
            LineString([(X0 - 150, Y0 - 900), (X0 - 150, Y0 + 900)]),
            LineString([(X0 - 900, Y0), (X0 + 900, Y0)]),
        ],
        crs=4546,
    )
    extent = gpd.GeoDataFrame(geometry=[square(HALF_SIDES[5])], crs=4546)
    report = pd.DataFrame({"clause": ["一级 1", "A01"], "status": ["drawn", "drawn"]})
    metadata = {"county": "测试县", "county_en": "Testshire", "schematic": str(schematic).lower()}
    return GradeMap(
        grades=grades, extent=extent, routes=routes, water=water, roads=roads, report=report,
        metadata=metadata,
    )


def table6_legend() -> PriceLegend:
    return PriceLegend(table=TABLE6.copy(), labels=dict(LABELS_ZH))
