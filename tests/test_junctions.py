"""The junction resolver: the endpoint grammar and where junctions fall on a line."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString
from synthetic import grid_town, xy

from landgrade.network.junctions import BaseLine, JunctionError, JunctionResolver, parse_endpoint
from landgrade.network.layers import load_network


@pytest.mark.parametrize(
    ("text", "kind", "name", "extra"),
    [
        ("健民路口", "feature", "健民路", {}),
        ("洞口大道口", "feature", "洞口大道", {}),
        ("平溪江", "feature", "平溪江", {}),
        ("河流处", "feature", "河流", {}),
        ("沪昆高速处(未级端)", "feature", "沪昆高速", {"note": "未级端"}),
        ("未命名道路路口 (至二级地)", "feature", "未命名道路", {"note": "至二级地"}),
        ("基准地价范围线", "extent", None, {}),
        ("基准地价范围界线", "extent", None, {}),
        ("边界范围", "extent", None, {}),
        ("二级边界", "grade_boundary", None, {"grade": 2}),
        ("三级边界线", "grade_boundary", None, {"grade": 3}),
        ("五级末端", "road_end", None, {"grade": 5}),
        ("公安局东侧", "side", "公安局", {"side": "E"}),
        ("城西大道路口往西1400米路段", "distance", "城西大道", {"side": "W", "distance_m": 1400}),
    ],
)
def test_endpoint_grammar(text, kind, name, extra):
    ep = parse_endpoint(text)
    assert ep.kind == kind
    assert ep.name == name
    for k, v in extra.items():
        assert getattr(ep, k) == v


@pytest.fixture(scope="module")
def resolver():
    t = grid_town()
    # 曲江 crosses 一路 (x=200) three times: at y = 480, 520 and 560.
    extra = gpd.GeoDataFrame(
        {"name": ["曲江", "短路"]},
        geometry=[LineString([xy(0, 480), xy(300, 480), xy(300, 520), xy(100, 520), xy(100, 560),
                              xy(1000, 560)]),
                  LineString([xy(100, 250), xy(199.5, 250)])],  # stops 0.5 m short of 一路
        crs=4546,
    )
    water = gpd.GeoDataFrame(pd.concat([t["water"], extra.iloc[:1]]), crs=4546)
    roads = gpd.GeoDataFrame(pd.concat([t["roads"], extra.iloc[1:]]), crs=4546)
    net = load_network(roads, water, t["landmarks"], t["extent"])
    return JunctionResolver(net)


def _xy(js):
    return [(round(j.x - 500_000, 3), round(j.y - 3_000_000, 3)) for j in js]


def line(r, name):
    return BaseLine(r.network.feature(name), name)


def test_road_crossing_road(resolver):
    js, _ = resolver.candidates(line(resolver, "一路"), parse_endpoint("甲街路口"))
    assert _xy(js) == [(200, 200)]


def test_multiple_crossings_in_line_order(resolver):
    js, _ = resolver.candidates(line(resolver, "曲江"), parse_endpoint("一路口"))
    assert _xy(js) == [(200, 480), (200, 520), (200, 560)]


def test_near_miss_within_tolerance_meets_and_a_gap_is_reported(resolver):
    js, _ = resolver.candidates(line(resolver, "短路"), parse_endpoint("一路口"))
    assert _xy(js) == [(199.5, 250)]
    strict = JunctionResolver(resolver.network, tolerance_m=0.1)
    with pytest.raises(JunctionError, match=r"0\.5 m apart"):
        strict.candidates(line(strict, "短路"), parse_endpoint("一路口"))


def test_distance_along_a_road(resolver):
    js, _ = resolver.candidates(line(resolver, "一路"), parse_endpoint("甲街路口往北250米"))
    assert _xy(js) == [(200, 450)]
    js, _ = resolver.candidates(line(resolver, "甲街"), parse_endpoint("二路口往西100米"))
    assert _xy(js) == [(300, 200)]


def test_landmark_side(resolver):
    js, notes = resolver.candidates(line(resolver, "乙街"), parse_endpoint("公安局东侧"))
    assert _xy(js) == [(470, 400)]
    assert notes


def test_extent_and_road_end(resolver):
    js, _ = resolver.candidates(line(resolver, "三路"), parse_endpoint("基准地价范围线"))
    assert _xy(js) == [(600, 0), (600, 1000)]
    js, _ = resolver.candidates(line(resolver, "弯路"), parse_endpoint("末端"))
    assert _xy(js) == [(0, 900), (300, 1000)]


def test_grade_boundary_needs_the_grade_built(resolver):
    from shapely.geometry import box

    with pytest.raises(JunctionError, match="grade 2 built first"):
        resolver.candidates(line(resolver, "三路"), parse_endpoint("二级边界"))
    r = JunctionResolver(resolver.network)
    r.grades = {1: box(*xy(0, 0), *xy(1000, 300)), 2: box(*xy(0, 300), *xy(1000, 700))}
    js, _ = r.candidates(line(r, "三路"), parse_endpoint("二级边界"))
    assert (600, 700) in _xy(js)


def test_stretch_follows_the_road_not_a_straight_line(resolver):
    base = line(resolver, "弯路")
    a = resolver.candidates(base, parse_endpoint("一路"))[0][0]  # (200, 900)
    end = resolver.candidates(base, parse_endpoint("末端"))[0][1]  # (300, 1000)
    s = base.stretch(a, end)
    assert s.length == pytest.approx(100 + 100)  # along the bend, not the 141 m chord
    assert s.coords[1] == pytest.approx(xy(300, 900))
