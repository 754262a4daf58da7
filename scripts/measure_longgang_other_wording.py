"""Measure by hand the check points of a Longgang description in other counties' wording.

    python scripts/measure_longgang_other_wording.py
    # rewrites tests/data/osm/longgang_other_points.csv

``tests/data/osm/longgang_other/table5.txt`` is CONSTRUCTED for the tests (not a published text):
the wording other counties publish — a 四至 on diagonal sides, a 四至 with an offset side
(沈海高速以南40米处), frontage with no depth (龙岗大道两侧地区: the test county's
``default_frontage_m`` of 30 m), a lead-in ring (由以下路线围合而成的区域：A—…—A), a one-sided
band (荷坳路西南侧50米区域) and a turn-by-turn walk — written on the real OpenStreetMap roads of
``longgang.osm.pbf``.

As ``measure_longgang_points.py`` (whose helpers this uses), this is the surveyor's way, not the
builder's: the OSM ways read with pyogrio, projected with pyproj to EPSG:4547, and each grade
decided from a picture drawn by hand:

- 一级1 (四至): inside the face the four roads' inner carriageways enclose;
- 一级2 (四至 with an offset): on a line square to 沈海高速 (a dual carriageway), the centreline
  is halfway between the two carriageway crossings; the zone is more than 40 m south of it,
  between 荷坳路 (west) and 龙岗大道 (east);
- 二级1: within 30 m of a carriageway of 龙岗大道 (both sides, from each outer carriageway);
- 二级2: inside the face of 红棉路, 爱南路, 龙岗大道, 荷坳路 and 荷新路;
- 三级1: within 50 m of 荷坳路 (one carriageway: its centreline) on its south-west side;
- 三级2: inside the polygon walked by hand: from where 荷新路 meets 荷坳路, along 荷坳路 to its
  first crossing with 沈海高速, 250 m due west, due north to 荷新路, along 荷新路 back;
- better grades win; the rest is 四级.

Every point is chosen well clear of the lines that decide it (the script asserts the margins),
and each CSV row says how it was measured.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import substring

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure_longgang_points import (  # the sibling script's helpers
    HERE,
    INSIDE_2_2,
    RING_2_2,
    TO_LL,
    carriageways,
    face,
    junction,
    midpoint_between,
    whole,
)

OUT = HERE / "longgang_other_points.csv"
DIAMOND = ("龙翔大道", "爱南路", "红棉路", "龙飞大道")


def transect(road: str, at: Point, toward: np.ndarray, beyond_m: float) -> tuple[Point, str]:
    """``beyond_m`` past the last carriageway of ``road`` met going from ``at`` towards
    ``toward`` (a unit vector), on the line square to the road there."""
    line = min(carriageways(road), key=lambda c: c.distance(at))
    s = line.project(at)
    p0, p1 = line.interpolate(s - 15), line.interpolate(s + 15)
    d = np.array([p1.x - p0.x, p1.y - p0.y])
    d /= np.hypot(*d)
    n = np.array([-d[1], d[0]])
    if n @ toward < 0:
        n = -n
    foot = line.interpolate(s)
    probe = LineString([(foot.x - 200 * n[0], foot.y - 200 * n[1]),
                        (foot.x + 200 * n[0], foot.y + 200 * n[1])])
    hits = shapely.get_coordinates(shapely.intersection(probe, whole(road)))
    along = (hits - [foot.x, foot.y]) @ n
    near = along[np.abs(along) < 60]
    last = near.max()
    p = Point(foot.x + (last + beyond_m) * n[0], foot.y + (last + beyond_m) * n[1])
    return p, (f"square to {road}: {len(near)} carriageway(s), the last {last:.1f} m along the "
               f"transect; point {beyond_m:g} m beyond it")


def centre_of(road: str, at: Point) -> tuple[Point, np.ndarray, float]:
    """Where the line square to a dual road at ``at`` crosses its centreline (halfway between
    the two carriageway crossings), the unit normal (pointing south), and the gap."""
    line = min(carriageways(road), key=lambda c: c.distance(at))
    s = line.project(at)
    p0, p1 = line.interpolate(s - 15), line.interpolate(s + 15)
    d = np.array([p1.x - p0.x, p1.y - p0.y])
    d /= np.hypot(*d)
    n = np.array([-d[1], d[0]])
    if n[1] > 0:
        n = -n
    foot = line.interpolate(s)
    probe = LineString([(foot.x - 60 * n[0], foot.y - 60 * n[1]),
                        (foot.x + 60 * n[0], foot.y + 60 * n[1])])
    hits = shapely.get_coordinates(shapely.intersection(probe, whole(road)))
    assert len(hits) == 2, f"{road}: {len(hits)} carriageways on the transect"
    c = hits.mean(axis=0)
    return Point(*c), n, float(np.hypot(*(hits[0] - hits[1])))


def first_along(road: str, start: Point, other: str, heading: np.ndarray) -> Point:
    """Going along ``road`` from ``start`` in the direction of ``heading``: the first crossing
    with ``other``."""
    line = shapely.line_merge(whole(road))
    s0 = line.project(start)
    t = np.array(line.interpolate(s0 + 1).coords[0]) - np.array(line.interpolate(s0).coords[0])
    sign = 1 if t @ heading >= 0 else -1
    pos = [line.project(Point(xy)) for xy in
           shapely.get_coordinates(shapely.intersection(line, whole(other)))]
    ahead = [p for p in pos if (p - s0) * sign > 0.5]
    return line.interpolate(min(ahead, key=lambda p: abs(p - s0)))


def walked_polygon() -> tuple[Polygon, dict[str, Point]]:
    """三级2 walked by hand (see the module docstring)."""
    j = Point(shapely.get_coordinates(shapely.intersection(whole("荷新路"), whole("荷坳路")))[0])
    m = first_along("荷坳路", j, "沈海高速", np.array([0.0, -1.0]))
    w = Point(m.x - 250, m.y)
    up = LineString([(w.x, w.y), (w.x, w.y + 2000)])
    hits = shapely.get_coordinates(shapely.intersection(up, whole("荷新路")))
    n = Point(hits[np.argmin(hits[:, 1])])
    road = shapely.line_merge(whole("荷坳路"))
    down = shapely.get_coordinates(substring(road, road.project(j), road.project(m)))
    xin = shapely.line_merge(whole("荷新路"))
    back = shapely.get_coordinates(substring(xin, xin.project(n), xin.project(j)))
    ring = np.vstack([down, [[w.x, w.y]], back])
    return Polygon(ring), {"start": j, "motorway": m, "west": w, "north": n}


def main() -> None:
    J = {
        "龙翔-爱南": junction("龙翔大道", "爱南路"),
        "爱南-红棉": junction("爱南路", "红棉路"),
        "红棉-龙飞": junction("红棉路", "龙飞大道"),
        "龙飞-龙翔": junction("龙飞大道", "龙翔大道"),
        "龙岗-荷坳": junction("龙岗大道", "荷坳路"),
        "龙岗-爱南": junction("龙岗大道", "爱南路"),
        "荷坳-沈海": junction("荷坳路", "沈海高速"),
        "龙岗-沈海": junction("龙岗大道", "沈海高速"),
    }
    centre = shapely.Polygon([J["龙翔-爱南"], J["爱南-红棉"], J["红棉-龙飞"],
                              J["龙飞-龙翔"]]).centroid
    diamond = face(DIAMOND, centre)
    ring2 = face(RING_2_2, INSIDE_2_2)
    walk, corners = walked_polygon()
    frontage = shapely.buffer(whole("龙岗大道"), 30)
    # The region 一级2 can be in at all (its corners, with room to spare): points elsewhere
    # must be clear of it.
    near_12 = shapely.buffer(Polygon([J["荷坳-沈海"], J["龙岗-沈海"], J["龙岗-荷坳"]]), 80)

    def southwest_of_heao(p: Point) -> bool:
        """On the south-west side of 荷坳路, judged square to it at the point's foot."""
        road = shapely.line_merge(whole("荷坳路"))
        s = road.project(p)
        foot = road.interpolate(s)
        t = (np.array(road.interpolate(min(s + 5, road.length)).coords[0])
             - np.array(road.interpolate(max(s - 5, 0)).coords[0]))
        left = np.array([-t[1], t[0]])
        v = np.array([p.x - foot.x, p.y - foot.y])
        return bool((v @ left) * (left @ np.array([-1.0, -1.0])) > 0)

    def band_31(p: Point) -> bool:
        road = shapely.line_merge(whole("荷坳路"))
        s = road.project(p)
        foot = road.interpolate(s)
        t = (np.array(road.interpolate(min(s + 5, road.length)).coords[0])
             - np.array(road.interpolate(max(s - 5, 0)).coords[0]))
        v = np.array([p.x - foot.x, p.y - foot.y])
        southwest = np.array([-1.0, -1.0]) / np.sqrt(2)
        left = np.array([-t[1], t[0]])
        on_sw = (v @ left) * (left @ southwest) > 0
        return bool(p.distance(road) < 50 and on_sw)

    def grade_of(p: Point) -> tuple[int, str]:
        if diamond.contains(p):
            return 1, "inside the face of the four roads of 一级1 (四至)"
        # 一级2 lies north-east of 荷坳路: a point clear of that road on its south-west side
        # is not in it; any other point must be clear of the whole region.
        beyond = southwest_of_heao(p) and p.distance(whole("荷坳路")) >= 10
        assert beyond or not near_12.contains(p), f"{p}: too near 一级2 to decide here"
        if frontage.contains(p):
            return 2, "within 30 m of a carriageway of 龙岗大道 (二级1, default depth)"
        if ring2.contains(p):
            return 2, "inside the face of the roads of 二级2 (lead-in ring)"
        if band_31(p):
            return 3, "within 50 m of 荷坳路 on its south-west side (三级1)"
        if walk.contains(p):
            return 3, "inside the polygon walked by hand (三级2)"
        return 4, "in none of the areas: 四级"

    rows: list[dict[str, object]] = []

    def add(p: Point, grade: int, how: str) -> None:
        lon, lat = TO_LL.transform(p.x, p.y)
        rows.append({"id": f"Q{len(rows) + 1:02d}", "lon": f"{lon:.7f}", "lat": f"{lat:.7f}",
                     "x_4547": f"{p.x:.2f}", "y_4547": f"{p.y:.2f}", "grade": grade,
                     "how": how})

    def clear(p: Point, roads: tuple[str, ...], margin: float) -> None:
        for r in roads:
            assert p.distance(whole(r)) >= margin, f"{p}: {p.distance(whole(r)):.1f} m from {r}"

    # 一级1: the middle, and 10 m in from the inner carriageway / out from the outer one of
    # each side, at the middle of its stretch between the junction centres.
    add(centre, 1, "centroid of the four junction centres of 一级1: " + grade_of(centre)[1])
    sides = [("龙翔大道", "龙飞-龙翔", "龙翔-爱南"), ("爱南路", "龙翔-爱南", "爱南-红棉"),
             ("红棉路", "爱南-红棉", "红棉-龙飞"), ("龙飞大道", "红棉-龙飞", "龙飞-龙翔")]
    for road, a, b in sides:
        mid = midpoint_between(road, J[a], J[b])
        inward = np.array([centre.x - mid.x, centre.y - mid.y])
        inward /= np.hypot(*inward)
        p, how = transect(road, mid, inward, 10)
        grade, why = grade_of(p)
        assert grade == 1, f"{road}: the point 10 m in is not inside the four roads"
        add(p, grade, f"{how} (inwards); {why}")
        p, how = transect(road, mid, -inward, 10)
        grade, why = grade_of(p)
        add(p, grade, f"{how} (outwards); {why}")
    # 一级2: 30 m and 50 m south of 沈海高速's centreline, between 荷坳路 and 龙岗大道.
    at = Point((J["荷坳-沈海"].x + J["龙岗-沈海"].x) / 2, (J["荷坳-沈海"].y + J["龙岗-沈海"].y) / 2)
    c, south, gap = centre_of("沈海高速", at)
    for dist in (30.0, 50.0):
        p = Point(c.x + dist * south[0], c.y + dist * south[1])
        row = LineString([(p.x - 500, p.y), (p.x + 500, p.y)])
        xs = {r: shapely.get_coordinates(shapely.intersection(row, whole(r)))[:, 0]
              for r in ("荷坳路", "龙岗大道")}
        assert (xs["荷坳路"] < p.x - 20).any() and (xs["龙岗大道"] > p.x + 20).any()
        how = (f"on the line square to 沈海高速 halfway between its crossings of 荷坳路 and "
               f"龙岗大道: carriageways {gap:.1f} m apart, centreline halfway; point {dist:g} m "
               f"south of it; 荷坳路 to its west, 龙岗大道 to its east")
        if dist > 40:
            add(p, 1, f"{how}; {dist:g} m > 40 m: 一级2 (四至, 北至沈海高速以南40米处)")
        else:
            assert ring2.contains(p) and not diamond.contains(p)
            add(p, 2, f"{how}; {dist:g} m < 40 m: not 一级2; inside the face of 二级2")
    # 二级1: 15 m and 45 m east of 龙岗大道's east carriageway (outside 二级2), north of 爱南路.
    mid = midpoint_between("龙岗大道", J["龙岗-荷坳"], J["龙岗-爱南"])
    for beyond in (15.0, 45.0):
        p, how = transect("龙岗大道", mid, np.array([1.0, 0.0]), beyond)
        grade, why = grade_of(p)
        add(p, grade, f"{how}; {why}")
    # 二级2 (lead-in ring): a point inside, away from its roads.
    clear(INSIDE_2_2, RING_2_2, 60)
    grade, why = grade_of(INSIDE_2_2)
    add(INSIDE_2_2, grade, f"chosen point at least 60 m from every road of 二级2; {why}")
    # 三级1: 30 m and 70 m south-west of 荷坳路, between 沈海高速 and 龙岗大道.
    road = shapely.line_merge(whole("荷坳路"))
    s = (road.project(J["荷坳-沈海"]) + road.project(J["龙岗-荷坳"])) / 2
    foot = road.interpolate(s)
    for beyond in (30.0, 70.0):
        p, how = transect("荷坳路", foot, np.array([-1.0, -1.0]) / np.sqrt(2), beyond)
        grade, why = grade_of(p)
        add(p, grade, f"{how} (south-west; one carriageway: from its centreline); {why}")
    # 三级2 (the walk): a point deep inside it; 15 m either side of 荷新路 along its leg; 20 m
    # west of its north-going leg.
    inside = shapely.maximum_inscribed_circle(walk)
    deep = Point(shapely.get_coordinates(inside)[0])
    grade, why = grade_of(deep)
    radius = inside.length
    add(deep, grade, f"centre of the largest circle in the walked polygon ({radius:.0f} m from "
        f"its edges); {why}")
    xin = shapely.line_merge(whole("荷新路"))
    s = (xin.project(corners["north"]) + xin.project(corners["start"])) / 2
    for toward in (np.array([0.0, 1.0]), np.array([0.0, -1.0])):
        p, how = transect("荷新路", xin.interpolate(s), toward, 15)
        grade, why = grade_of(p)
        add(p, grade, f"{how}; {why}")
    w, n = corners["west"], corners["north"]
    p = Point(w.x - 20, (w.y + n.y) / 2)
    grade, why = grade_of(p)
    add(p, grade, f"20 m west of the walk's leg due north from 250 m west of 沈海高速; {why}")
    for r in rows:
        assert r["grade"] in (1, 2, 3, 4)
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} points written to {OUT}")


if __name__ == "__main__":
    main()
