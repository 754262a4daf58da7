"""A half-plane (南三环以北) of a road that stops short of the extent line is cut by the road run
on to it, whichever way the road's end is drawn.

Grid town (``synthetic.grid_town``, extent 0..1000 × 0..1000). Each 南三环 below starts on the
west edge and stops inside the extent, 300 m or more short of the east edge; the old reading
took the ends of its pieces for one node (numpy's relative ``isclose`` spans 5–30 m at
Gauss-Krüger coordinates), extended nothing and drew 以北 as the whole extent, flagged "cannot
be right". Areas are computed by hand from the drawn coordinates.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString
from synthetic import grid_town, xy

from landgrade.build.builder import build_grade_map
from landgrade.build.report import IMPOSSIBLE
from landgrade.gazette.rules import Bound, GradeRule, Region, Residual, Rules
from landgrade.network.layers import load_network


def _build(lines: list[list[tuple[float, float]]], side: str):
    t = grid_town()
    extra = gpd.GeoDataFrame(
        {"name": ["南三环"] * len(lines), "road_class": ["主干道"] * len(lines),
         "road_id": [f"s{k}" for k in range(len(lines))]},
        geometry=[LineString([xy(*p) for p in c]) for c in lines], crs=4546)
    roads = gpd.GeoDataFrame(pd.concat([t["roads"], extra], ignore_index=True), crs=4546)
    net = load_network(roads, t["water"], t["landmarks"], t["extent"])
    rules = Rules((GradeRule(1, (Region((Bound("南三环", side),)),)),
                   GradeRule(2, (Residual(),))))
    gm = build_grade_map(rules, net)
    item = gm.report[(gm.report["kind"] == "item") & (gm.report["clause"] == "1.1")].iloc[0]
    return gm.grades.set_index("grade").geometry.area, item


# A dual carriageway 10 m wide that bends north-east and stops at x = 700, its two ends side by
# side (10 m apart, heading east).
NORTH = [(0, 305), (400, 305), (500, 405), (700, 405)]
SOUTH = [(700, 395), (500, 395), (400, 295), (0, 295)]


@pytest.mark.parametrize(("side", "area"), [
    # North of the north carriageway, run on east from (700, 405) to x = 1000:
    # 1000² − (400·305 + 100·(305 + 405)/2 + 500·405) = 1,000,000 − 360,000.
    ("N", 640_000.0),
    # South of the south carriageway: 400·295 + 100·(295 + 395)/2 + 500·395.
    ("S", 350_000.0),
])
def test_a_dual_road_that_bends_and_stops_short_is_run_on_to_the_extent(side, area) -> None:
    areas, item = _build([NORTH, SOUTH], side)
    assert areas[1] == pytest.approx(area, abs=1.0)
    # The median (10 m between the carriageways) is the road, on neither side.
    assert areas[1] + areas[2] == pytest.approx(1_000_000.0, abs=1.0)
    assert "南三环 extended 300.0 m to reach the extent line" in item["warnings"]
    assert IMPOSSIBLE not in item["warnings"]


def test_a_road_ending_in_a_fork_is_run_on_as_one_road() -> None:
    # 南三环 runs east along y = 300 to x = 600 and forks there into two 26.9 m stubs, to
    # (625, 310) and (625, 290). Extended as two rays they would fan out (±21.8°) and cut a
    # wedge; the fork is one end, extended from its middle (625, 300) along its mean heading
    # (east). North of it: the 700 m above y = 300, less the triangle (600, 300), (625, 310),
    # (625, 300) under the upper stub (125 m²); the lower half of the fork's diamond is south.
    road = [(0, 300), (600, 300)]
    fork = [[(600, 300), (625, 310)], [(600, 300), (625, 290)]]
    areas, item = _build([road, *fork], "N")
    assert areas[1] == pytest.approx(700_000.0 - 125.0, abs=1.0)
    assert "南三环 extended 375.0 m to reach the extent line" in item["warnings"]
    assert "1 forked end(s)" in item["features"]
    assert IMPOSSIBLE not in item["warnings"]


def test_an_end_with_a_kink_is_extended_along_the_road_not_the_kink() -> None:
    # The road runs east along y = 300 to x = 599, then its last vertex is snapped 0.5 m north
    # (a 1.118 m segment at about 27°). Straight on from that last segment the extension would
    # climb to y ≈ 500 at the east edge (about 660,000 m² north). Along the road's last 20 m —
    # from 20 − 1.118 = 18.882 m back on the straight, (580.118, 300), to (600, 300.5) — it
    # climbs 0.5 m in 19.882 m: 400 · 0.5 / 19.882 = 10.060 m more at x = 1000.
    # North: 1,000,000 − (599·300 + 1·(300 + 300.5)/2 + 400·(300.5 + 310.560)/2).
    road = [(0, 300), (599, 300), (600, 300.5)]
    areas, _ = _build([road], "N")
    back = 20 - 1.25 ** 0.5
    rise = 400 * 0.5 / (599 + 1 - (599 - back))
    below = 599 * 300 + (300 + 300.5) / 2 + 400 * (300.5 + 300.5 + rise) / 2
    assert areas[1] == pytest.approx(1_000_000 - below, abs=1.0)
