"""Synthetic towns for the build tests: straight streets, a river, a landmark, a square extent.

Every coordinate is a round number of metres from an origin in EPSG:4546, so areas and lengths
can be computed by hand. The grid town (before any offset)::

    y=1000 +-------------------------------------------+   extent: 0..1000 × 0..1000
           |      |      |      |      |               |
    y=800  +--丁街-+------+------+------+---            |   roads 一路…四路: x = 200…800
    y=600  +--丙街-+------+------+------+---            |   streets 甲街…丁街: y = 200…800
    y=500  ~~~~~~~~~~~~~~~ 清江 (river) ~~~~~~~~~~~~~~~~  |   (all spanning 0..1000)
    y=400  +--乙街-+------+------+------+---            |   沟渠 (ditch): x = 700, y 0..500
    y=200  +--甲街-+------+------+------+---            |   公安局: box 430..470 × 630..670
           |  一路    二路    三路    四路                |   弯路: (0,900)-(300,900)-(300,1000)
    y=0    +-------------------------------------------+
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, Point, Polygon, box

ORIGIN = (500_000.0, 3_000_000.0)
EPSG = 4546


def _shift(geom, origin=ORIGIN):
    from shapely import affinity

    return affinity.translate(geom, origin[0], origin[1])


def grid_town(origin: tuple[float, float] = ORIGIN) -> dict[str, gpd.GeoDataFrame]:
    """The grid town's layers as GeoDataFrames in EPSG:4546."""
    roads = []
    for i, (name, x) in enumerate(zip(["一路", "二路", "三路", "四路"], [200, 400, 600, 800],
                                      strict=True)):
        # Each road is drawn in two pieces, as real layers are (one per block group).
        roads.append((name, "主干道", f"v{i}a", LineString([(x, 0), (x, 500)])))
        roads.append((name, "主干道", f"v{i}b", LineString([(x, 500), (x, 1000)])))
    for i, (name, y) in enumerate(zip(["甲街", "乙街", "丙街", "丁街"], [200, 400, 600, 800],
                                      strict=True)):
        roads.append((name, "次干道", f"h{i}", LineString([(0, y), (1000, y)])))
    roads.append(("弯路", "支路", "bend", LineString([(0, 900), (300, 900), (300, 1000)])))
    road_gdf = gpd.GeoDataFrame(
        {"name": [r[0] for r in roads], "road_class": [r[1] for r in roads],
         "road_id": [r[2] for r in roads]},
        geometry=[_shift(r[3], origin) for r in roads], crs=EPSG,
    )
    water = gpd.GeoDataFrame(
        {"name": ["清江", "沟渠"]},
        geometry=[_shift(LineString([(0, 500), (1000, 500)]), origin),
                  _shift(LineString([(700, 0), (700, 500)]), origin)],
        crs=EPSG,
    )
    landmarks = gpd.GeoDataFrame(
        {"name": ["公安局", "水塔"]},
        geometry=[_shift(box(430, 630, 470, 670), origin), _shift(Point(900, 300), origin)],
        crs=EPSG,
    )
    extent = gpd.GeoDataFrame({"name": ["范围"]},
                              geometry=[_shift(box(0, 0, 1000, 1000), origin)], crs=EPSG)
    return {"roads": road_gdf, "water": water, "landmarks": landmarks, "extent": extent}


def xy(x: float, y: float, origin: tuple[float, float] = ORIGIN) -> tuple[float, float]:
    """A town coordinate in EPSG:4546."""
    return (x + origin[0], y + origin[1])


def town_polygon(coords: list[tuple[float, float]], origin=ORIGIN) -> Polygon:
    return _shift(Polygon(coords), origin)


TABLE5 = (
    "级别\t级别范围描述\n"
    "一级\t1、一路（含西侧16米）-甲街（含南侧20米）-二路-乙街所围成区域；"
    " 2、三路道路（甲街至乙街路口段）两侧各20米区域。\n"
    "二级\t1、一路-甲街-三路（含东侧16米；乙街路口至清江段东侧为30米）-清江所围成区域"
    "（除一级区域以外）； 2、清江以北－二路以西区域。\n"
    "三级\t1、清江以南－沟渠以西区域（除一、二级区域以外）。\n"
    "四级\t定级范围一、二、三级以外其他区域。\n"
)


def table5_rules():
    """TABLE5 as rules, built by hand (so the build tests do not depend on the parser)."""
    from landgrade.gazette.rules import (
        Bound,
        Corridor,
        GradeRule,
        Override,
        Region,
        Residual,
        Ring,
        RingItem,
        Rules,
    )

    return Rules((
        GradeRule(1, (
            Ring((RingItem("一路", "W", 16), RingItem("甲街", "S", 20), RingItem("二路"),
                  RingItem("乙街"))),
            Corridor(("三路",), "甲街", "乙街", 20),
        )),
        GradeRule(2, (
            Ring((RingItem("一路"), RingItem("甲街"),
                  RingItem("三路", "E", 16, (Override("乙街", "清江", "E", 30),)),
                  RingItem("清江")), exclude_grades=(1,)),
            Region((Bound("清江", "N"), Bound("二路", "W"))),
        )),
        GradeRule(3, (Region((Bound("清江", "S"), Bound("沟渠", "W")), exclude_grades=(1, 2)),)),
        GradeRule(4, (Residual(),)),
    ))


# Hand-computed areas of TABLE5 on the grid town (m²); see tests/test_build.py for the sums.
TABLE5_AREAS = {1: 55_200.0, 2: 279_000.0, 3: 215_800.0, 4: 450_000.0}


ROUTES = pd.DataFrame(
    {
        "id": ["A01", "A02", "B03", "C04", "D05"],
        "name": ["一路 1", "甲街 2", "三路 3", "丁街", "四路 1"],
        "from": ["甲街路口", "一路口", "清江", "二路口", "甲街路口"],
        "to": ["乙街路口", "二路口", "丙街路口", "基准地价范围线", "五级末端"],
        "grade": ["一级", "一级", "二级", "三级", "四级"],
        "road_class": ["主干道", "次干道", "主干道", "次干道", "主干道"],
        "standard_depth_m": [20, 16, 20, 16, 20],
        "price": [5000, 4000, 3000, 2000, 1000],
    }
)


def write_town(folder: Path, layers: dict[str, gpd.GeoDataFrame] | None = None,
               table5: str = TABLE5, routes: pd.DataFrame | None = None,
               decisions: str | None = None, aliases: str | None = None) -> Path:
    """Write a county folder for the grid town (GeoJSON layers, Table 5 text, routes CSV)."""
    folder.mkdir(parents=True, exist_ok=True)
    layers = layers or grid_town()
    for name, gdf in layers.items():
        gdf.to_file(folder / f"{name}.geojson", driver="GeoJSON", engine="pyogrio")
    (folder / "table5.txt").write_text(table5, encoding="utf-8")
    (routes if routes is not None else ROUTES).to_csv(folder / "routes.csv", index=False)
    (folder / "aliases.csv").write_text(aliases or "alias,name\n清江河,清江\n", encoding="utf-8")
    (folder / "decisions.csv").write_text(
        decisions or "clause,item,text,resolve_as,note\n", encoding="utf-8")
    (folder / "metadata.json").write_text(
        '{"county": "grid town", "network": {"schematic": true}}', encoding="utf-8")
    return folder
