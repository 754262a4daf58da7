"""Property: whatever the rules, the built grades partition the extent."""

from __future__ import annotations

import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synthetic import grid_town

from landgrade.build.builder import build_grade_map
from landgrade.gazette.rules import (
    Bound,
    Corridor,
    GradeRule,
    Region,
    Residual,
    Ring,
    RingItem,
    Rules,
)
from landgrade.network.layers import load_network

_TOWN = grid_town()
_NET = load_network(_TOWN["roads"], _TOWN["water"], _TOWN["landmarks"], _TOWN["extent"])
ROADS = ["一路", "二路", "三路", "四路"]
STREETS = ["甲街", "乙街", "丙街", "丁街"]
sides = st.sampled_from(["E", "W", "S", "N"])
widths = st.sampled_from([None, 12.0, 16.0, 20.0, 35.5])


@st.composite
def rings(draw):
    i, j = sorted(draw(st.lists(st.integers(0, 3), min_size=2, max_size=2, unique=True)))
    k, m = sorted(draw(st.lists(st.integers(0, 3), min_size=2, max_size=2, unique=True)))
    names = [ROADS[i], STREETS[k], ROADS[j], STREETS[m]]
    items = []
    for n in names:
        w = draw(widths)
        items.append(RingItem(n, draw(sides) if w else None, w))
    return Ring(tuple(items))


@st.composite
def corridors(draw):
    road = draw(st.sampled_from(ROADS))
    a, b = draw(st.lists(st.sampled_from(STREETS), min_size=2, max_size=2, unique=True))
    return Corridor((road,), a, b, draw(st.sampled_from([5.0, 20.0, 40.0])))


@st.composite
def regions(draw):
    across = Bound(draw(st.sampled_from([*ROADS, "沟渠"])), draw(st.sampled_from(["E", "W"])))
    return Region((Bound("清江", draw(st.sampled_from(["N", "S"]))), across))


@st.composite
def rule_sets(draw):
    n = draw(st.integers(1, 3))
    grades = [GradeRule(g + 1, tuple(draw(st.lists(st.one_of(rings(), corridors(), regions()),
                                                   min_size=1, max_size=2))))
              for g in range(n)]
    if draw(st.booleans()):
        grades.append(GradeRule(n + 1, (Residual(),)))
    return Rules(tuple(grades))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_sets())
def test_grades_never_overlap_and_cover_what_they_claim(rules):
    gm = build_grade_map(rules, _NET)
    geoms = list(gm.grades.geometry.values)
    extent = _NET.extent
    union = shapely.union_all(geoms)
    overlap = sum(g.area for g in geoms) - union.area
    assert abs(overlap) < 1e-3
    assert union.difference(extent).area < 1e-3
    if isinstance(rules.grades[-1].areas[0], Residual):
        assert abs(union.area - extent.area) <= 1e-4 * extent.area
