"""Measure the Longgang OSM fixture by hand: check points with their grades, and route lengths.

    python scripts/measure_longgang_points.py      # rewrites tests/data/osm/longgang_points.csv
                                                   # and tests/data/osm/longgang_route_lengths.csv

This is the surveyor's way, deliberately *not* landgrade's builder: the OSM ways are read with
pyogrio as GDAL gives them (no landgrade code), projected with pyproj to CGCS2000 / 3-degree
Gauss-Krüger CM 114°E (EPSG:4547, the zone of 114.2°E), and every answer comes from a picture a
valuer would draw on the paper map:

- a **junction** is the middle of the cluster of points where the carriageways of two roads
  cross;
- a **strip point** stands on a transect square to the road at the middle of a ring stretch:
  walk out across every carriageway of the road on the side the text names (北侧: the side
  whose normal points north), then on past the last (outer) carriageway by 10 m (inside a 20 m
  strip: the better grade) or 35 m (outside it);
- a **corridor point** is the same on either side of 龙岗大道, 15 m (inside 两侧各30米) or 45 m
  (outside) beyond the outer carriageway of that side;
- **以北 / 以西** are judged on a north-south / east-west line through the point: the point is
  north of 龙飞大道 if that road crosses the vertical line through it below it (only points
  whose vertical line does cross 龙飞大道 itself are used, so no extension of the road is
  needed), west of 龙岗大道 if the road crosses the horizontal line east of it;
- a **route length** is measured along each carriageway between the perpendicular feet of the
  two junction centres, and the two carriageways are averaged.

Each CSV row says how its point was measured and why it has its grade.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point

HERE = Path(__file__).resolve().parents[1] / "tests" / "data" / "osm"
OSM = HERE / "longgang.osm.pbf"
EPSG = 4547
TO_GK = Transformer.from_crs(4326, EPSG, always_xy=True)
TO_LL = Transformer.from_crs(EPSG, 4326, always_xy=True)
SIDES = {"北": (0, 1), "南": (0, -1), "东": (1, 0), "西": (-1, 0)}


def roads() -> dict[str, list[LineString]]:
    """Every carriageway piece of each named road, in EPSG:4547 (name:zh equals name here)."""
    df = pyogrio.read_dataframe(OSM, layer="lines")
    df = df[df["highway"].notna() & df["name"].notna()]
    out: dict[str, list[LineString]] = {}
    for name, geom in zip(df["name"], df.geometry, strict=True):
        x, y = TO_GK.transform(*np.asarray(geom.coords).T)
        out.setdefault(name, []).append(LineString(np.c_[x, y]))
    return out


R = roads()


def whole(name: str) -> shapely.Geometry:
    return shapely.union_all(R[name])


def carriageways(name: str) -> list[LineString]:
    # Directed: the two one-way carriageways run opposite ways, so they are not joined into a
    # U where they meet at a road end.
    # A U-turn (where the two meet at a road end) still joins them: cut there.
    merged = shapely.line_merge(whole(name), directed=True)
    out = []
    for line in shapely.get_parts(merged):
        xy = np.asarray(line.coords)
        d = np.diff(xy, axis=0)
        cos = (d[:-1] * d[1:]).sum(axis=1) / np.hypot(*d[:-1].T) / np.hypot(*d[1:].T)
        cuts = [0, *(np.flatnonzero(cos < -0.5) + 1), len(xy) - 1]
        out += [LineString(xy[a:b + 1]) for a, b in itertools.pairwise(cuts)]
    return sorted(out, key=lambda g: -g.length)


def junction(a: str, b: str) -> Point:
    """The middle of the cluster where two roads' carriageways cross."""
    pts = shapely.get_coordinates(shapely.intersection(whole(a), whole(b)))
    return Point(pts.mean(axis=0))


def transect_point(road: str, at: Point, side: str, beyond_m: float) -> tuple[Point, str]:
    """``beyond_m`` past the outer carriageway of ``road`` on ``side``, square to the road."""
    line = min(carriageways(road), key=lambda c: c.distance(at))
    s = line.project(at)
    p0, p1 = line.interpolate(s - 15), line.interpolate(s + 15)
    d = np.array([p1.x - p0.x, p1.y - p0.y])
    d /= np.hypot(*d)
    normal = np.array([-d[1], d[0]])
    if normal @ np.array(SIDES[side]) < 0:
        normal = -normal
    foot = line.interpolate(s)
    probe = LineString([(foot.x - 200 * normal[0], foot.y - 200 * normal[1]),
                        (foot.x + 200 * normal[0], foot.y + 200 * normal[1])])
    hits = shapely.get_coordinates(shapely.intersection(probe, whole(road)))
    along = (hits - [foot.x, foot.y]) @ normal
    near = along[np.abs(along) < 60]  # this road's carriageways, not a parallel street
    outer = near.max()
    p = Point(foot.x + (outer + beyond_m) * normal[0], foot.y + (outer + beyond_m) * normal[1])
    how = (f"square to {road} at the middle of the stretch: {len(near)} carriageway(s) within "
           f"60 m, the outer one on the {side} side {outer:.1f} m out from where the transect "
           f"starts; point {beyond_m:g} m beyond that outer carriageway")
    return p, how


def north_of(road: str, p: Point) -> bool | None:
    hits = shapely.get_coordinates(shapely.intersection(
        LineString([(p.x, p.y - 5000), (p.x, p.y + 5000)]), whole(road)))
    return None if not len(hits) else bool((hits[:, 1] < p.y).all())


def west_of(road: str, p: Point) -> bool | None:
    hits = shapely.get_coordinates(shapely.intersection(
        LineString([(p.x - 5000, p.y), (p.x + 5000, p.y)]), whole(road)))
    return None if not len(hits) else bool((hits[:, 0] > p.x).all())


def face(roads: tuple[str, ...], anchor: Point) -> shapely.Polygon:
    """The face the roads' carriageways enclose around ``anchor`` (a ring's inside)."""
    noded = shapely.node(shapely.union_all([whole(n) for n in roads]))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    return next(f for f in faces if f.contains(anchor))


RING_2_2 = ("红棉路", "爱南路", "龙岗大道", "荷坳路", "荷新路")
INSIDE_2_2 = Point(522700, 2509800)


def region_or_residual(p: Point) -> tuple[int, str]:
    """The grade of a point outside ring 1.1 and off every strip and corridor."""
    if face(RING_2_2, INSIDE_2_2).contains(p):
        return 2, "inside the face the roads of ring 2.2 enclose: ring 2.2"
    n, w = north_of("龙飞大道", p), west_of("龙岗大道", p)
    # One known "no" settles it; otherwise both must be known without extending a road.
    assert n is False or w is False or (n and w), f"{p}: not decidable by hand; choose another"
    said = {True: "", False: "not "}
    checks = ((n, "north of 龙飞大道", "vertical"), (w, "west of 龙岗大道", "horizontal"))
    why = "; ".join(f"{said[v]}{what} on the {line} line through it"
                    for v, what, line in checks if v is not None)
    return (3, why + ": region 3.1") if n and w else (4, why + ": residual 4.1")


def midpoint_between(road: str, a: Point, b: Point) -> Point:
    line = carriageways(road)[0]
    return line.interpolate((line.project(a) + line.project(b)) / 2)


def main() -> None:
    J = {
        "龙翔-爱南": junction("龙翔大道", "爱南路"),
        "爱南-红棉": junction("爱南路", "红棉路"),
        "红棉-龙飞": junction("红棉路", "龙飞大道"),
        "龙飞-龙翔": junction("龙飞大道", "龙翔大道"),
        "龙岗-荷坳": junction("龙岗大道", "荷坳路"),
        "龙岗-爱南": junction("龙岗大道", "爱南路"),
        "龙翔-国际大学园": junction("龙翔大道", "国际大学园路"),
    }
    rows: list[dict[str, object]] = []

    def add(p: Point, grade: int, how: str) -> None:
        lon, lat = TO_LL.transform(p.x, p.y)
        rows.append({"id": f"P{len(rows) + 1:02d}", "lon": f"{lon:.7f}", "lat": f"{lat:.7f}",
                     "x_4547": f"{p.x:.2f}", "y_4547": f"{p.y:.2f}", "grade": grade,
                     "how": how})

    corners = shapely.Polygon([J["龙翔-爱南"], J["爱南-红棉"], J["红棉-龙飞"], J["龙飞-龙翔"]])
    # The ring's inside: the face the four roads' inner carriageways enclose around the middle.
    ring = face(("龙翔大道", "爱南路", "红棉路", "龙飞大道"), corners.centroid)
    add(corners.centroid, 1, "centroid of the four junction centres of ring 1.1: inside the face "
        "the four roads enclose")
    ring_items = [("龙翔大道", "龙飞-龙翔", "龙翔-爱南", "北"),
                  ("爱南路", "龙翔-爱南", "爱南-红棉", "北"),
                  ("红棉路", "红棉-龙飞", "爱南-红棉", "东"),
                  ("龙飞大道", "龙飞-龙翔", "红棉-龙飞", "南")]
    def strip_points(items, ring_face, grade_in, ring_name):
        """A point 10 m into each 20 m strip (the ring's grade) and one 35 m out (beyond it)."""
        for road, a, b, side in items:
            mid = midpoint_between(road, J[a], J[b])
            p, how = transect_point(road, mid, side, 10)
            assert not ring_face.contains(p), f"{road}: the {side} side is not outside {ring_name}"
            add(p, grade_in, f"{how}; 10 m < the 20 m strip {road}（含{side}侧20米）of {ring_name}")
            p, how = transect_point(road, mid, side, 35)
            grade, why = region_or_residual(p)
            add(p, grade, f"{how}; 35 m > the 20 m strip, outside {ring_name}; {why}")

    strip_points(ring_items, ring, 1, "ring 1.1")
    # Ring 2.2's strips: 爱南路 north of its 红棉路–龙岗大道 stretch, 荷新路 south of its own.
    J["荷坳-荷新"] = junction("荷坳路", "荷新路")
    J["荷新-红棉"] = junction("荷新路", "红棉路")
    ring2 = face(RING_2_2, INSIDE_2_2)
    strip_points((("爱南路", "爱南-红棉", "龙岗-爱南", "北"),
                  ("荷新路", "荷坳-荷新", "荷新-红棉", "南")), ring2, 2, "ring 2.2")
    grade, why = region_or_residual(INSIDE_2_2)
    add(INSIDE_2_2, grade, f"chosen point inside ring 2.2, away from its roads; {why}")
    mid = midpoint_between("龙岗大道", J["龙岗-荷坳"], J["龙岗-爱南"])
    for side in ("东", "西"):
        p, how = transect_point("龙岗大道", mid, side, 15)
        add(p, 2, f"{how}; 15 m < 30 m of corridor 2.1 龙岗大道 两侧各30米 (荷坳路–爱南路)")
    p, how = transect_point("龙岗大道", mid, "东", 45)
    grade, why = region_or_residual(p)
    add(p, grade, f"{how}; 45 m > the 30 m corridor; {why}")
    # Region and residual far from every strip, corridor and extension.
    for x, y in ((522000, 2511150), (522750, 2510900), (521600, 2509300), (523400, 2509600),
                 (521700, 2510100)):
        p = Point(x, y)
        grade, why = region_or_residual(p)
        near = min((shapely.distance(p, whole(n)), n) for n in
                   ("龙翔大道", "爱南路", "红棉路", "龙飞大道", "龙岗大道"))
        assert near[0] > 60, f"{p}: {near[0]:.0f} m from {near[1]}, too close to a strip"
        assert not ring.contains(p)
        add(p, grade, f"chosen point {near[0]:.0f} m from the nearest graded road ({near[1]}); "
            f"{why}")
    with (HERE / "longgang_points.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)

    routes = [("L01", "龙翔大道", "龙飞-龙翔", "龙翔-爱南"),
              ("L02", "爱南路", "龙翔-爱南", "爱南-红棉"),
              ("L03", "红棉路", "红棉-龙飞", "爱南-红棉"),
              ("L04", "龙飞大道", "龙飞-龙翔", "红棉-龙飞"),
              ("L05", "龙岗大道", "龙岗-荷坳", "龙岗-爱南"),
              ("L06", "爱南路", "爱南-红棉", "龙岗-爱南"),
              ("L07", "龙翔大道", "龙翔-国际大学园", "龙飞-龙翔")]
    with (HERE / "longgang_route_lengths.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "length_m", "how"])
        for rid, road, a, b in routes:
            cw = [c for c in carriageways(road) if c.distance(J[a]) < 40 and c.distance(J[b]) < 40]
            lengths = [abs(c.project(J[a]) - c.project(J[b])) for c in cw[:2]]
            w.writerow([rid, f"{np.mean(lengths):.1f}",
                        f"along {len(lengths)} carriageway(s) of {road} between the feet of the "
                        f"junction centres {a} and {b}: "
                        + " / ".join(f"{v:.1f}" for v in lengths) + " m, averaged"])
    print(f"{len(rows)} points, {len(routes)} routes written to {HERE}")


if __name__ == "__main__":
    main()
