"""The one junction resolver: where a stretch starts and ends, for Table 5 and Table 7 alike.

A *junction* (路口) is a point on a *base line* (the road, river or extent line a stretch runs
along) where something else meets it. Endpoint texts, as printed in Table 5 items and Table 7
routes, are read by :func:`parse_endpoint` with this small grammar (after
:func:`~landgrade.names.normalize`):

=====================================  ============================================================
text                                   meaning
=====================================  ============================================================
``… (note)``                           a trailing bracketed note is kept as a note, not a name
                                       (``未命名道路路口 (至二级地)``, ``沪昆高速处(未级端)``)
``…处`` / ``…段``                       "at …" / "stretch": the marker is dropped (``河流处``)
``X路口往西1400米``                     ``distance``: 1400 m from the junction with X, westwards
``基准地价范围线`` ``基准地价范围界线``  ``extent``: the grading extent line
``边界范围`` ``定级范围线``
``二级边界`` ``三级边界线``              ``grade_boundary``: outer edge of grades 1…N, once built
``五级末端`` ``末端``                    ``road_end``: where the road ends or leaves grades 1…N
                                       (the extent when N is absent or the last grade)
``公安局东侧``                           ``side``: a line along the named side of a landmark (a
                                       north–south line at its east edge); for a road or river,
                                       the feature itself
anything else                          ``feature``: a road, river or landmark name, the junction
                                       marker 路口/口 dropped (``健民路口`` → ``健民路``)
=====================================  ============================================================

A gazette typo or an unnamed road is an alias or an analyst decision (data), never code.

Crossings closer than ``tolerance_m`` (default 1 m) count as meeting, so a T-junction drawn a
little short still meets. A *junction* is a cluster of crossings: on one carriageway, those
within ``cluster_m`` (30 m) along it; across the carriageways (parts) of a dual road, those
within ``cluster_m`` of each other. Each candidate :class:`Junction` carries its cluster's
number (``node``, counted along the line): the two carriageways of a dual road give one
candidate each for one junction, which is a choice of carriageway, not an ambiguity. Where two
features meet at more than one junction (a road crossing a river twice), the builder chooses
among them (consistently with the neighbouring junctions) and warns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from landgrade.errors import LandgradeError
from landgrade.gazette.names import SIDE_OF_CHAR, grade_number, strip_junction_marker
from landgrade.network.clusters import across_dual, junction_numbers
from landgrade.network.layers import Network
from landgrade.network.lines import split_hairpins
from landgrade.text import normalize

EndpointKind = Literal["feature", "side", "distance", "road_end", "extent", "grade_boundary"]

DUAL_CARRIAGEWAY_M = 30.0
"""Crossings closer than this along a line are one junction; carriageways of one road closer
than this are one dual carriageway (7–16 m apart in practice; crossed at 45° they are 22 m
apart along the crossing road)."""
EXTENT_WORDS: tuple[str, ...] = (
    "基准地价范围线", "基准地价范围界线", "边界范围", "定级范围线", "定级范围",
)
_D = 0.5 ** 0.5
COMPASS: dict[str, tuple[float, float]] = {"E": (1.0, 0.0), "W": (-1.0, 0.0), "N": (0.0, 1.0),
                                           "S": (0.0, -1.0), "NE": (_D, _D), "SE": (_D, -_D),
                                           "SW": (-_D, -_D), "NW": (-_D, _D)}
"""Unit vectors of the compass directions a description names (东北 → NE, as 四至 and offsets
use them), in the working CRS (grid north)."""
OPPOSITE: dict[str, str] = {"E": "W", "W": "E", "N": "S", "S": "N", "NE": "SW", "SW": "NE",
                            "SE": "NW", "NW": "SE"}
_NOTE = re.compile(r"^(?P<body>.*?)\((?P<note>[^()]*)\)$")
_DISTANCE = re.compile(
    r"^(?P<anchor>.+?)往(?P<dir>[东西南北])(?P<m>\d+(?:\.\d+)?)米(?:路段|段|路)?$"
)
_GRADE_EDGE = re.compile(r"^(?P<g>[一二三四五六七八九十]+)级(?P<what>边界线?|末端|端)$")
_SIDE = re.compile(r"^(?P<name>.+?)(?P<side>[东西南北])侧$")


class JunctionError(LandgradeError):
    """An endpoint cannot be found: the message names the clause, the features and the gap."""


@dataclass(frozen=True)
class Endpoint:
    """An endpoint text as printed, and what the grammar reads it as."""

    text: str
    kind: EndpointKind
    name: str | None = None
    side: str | None = None
    distance_m: float | None = None
    grade: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class Junction:
    """A point where a stretch starts or ends; ``label`` says what met there.

    ``centre`` is set where a road ends at the near carriageway of a dual road: the centre of
    the crossing, between the two carriageways, straight on from the road's end. A route or
    corridor ending there runs on to it. ``node`` numbers the junction (the cluster of
    crossings) this point belongs to, from 0 along the line: candidates sharing it are one
    junction met on different carriageways.
    """

    x: float
    y: float
    label: str
    centre: tuple[float, float] | None = None
    node: int = 0

    @property
    def point(self) -> Point:
        return Point(self.x, self.y)

    def text(self) -> str:
        return f"{self.x:.1f} {self.y:.1f}"


def junction_count(found: list[Junction]) -> int:
    """How many junctions candidates stand for (one per cluster, whatever the carriageways)."""
    return len({j.node for j in found})


def parse_endpoint(text: str) -> Endpoint:
    """Read an endpoint text with the grammar in the module docstring."""
    body = normalize(text)
    note = None
    m = _NOTE.match(body)
    if m and m.group("body"):
        body, note = m.group("body"), m.group("note")
    for marker in ("处", "段"):
        if body.endswith(marker) and len(body) > len(marker):
            body = body[: -len(marker)]
    if body in EXTENT_WORDS:
        return Endpoint(text, "extent", note=note)
    if body == "末端":
        return Endpoint(text, "road_end", note=note)
    m = _GRADE_EDGE.match(body)
    if m:
        kind: EndpointKind = "grade_boundary" if m.group("what").startswith("边界") else "road_end"
        return Endpoint(text, kind, grade=grade_number(m.group("g")), note=note)
    m = _DISTANCE.match(body)
    if m:
        return Endpoint(text, "distance", name=strip_junction_marker(m.group("anchor")),
                        side=SIDE_OF_CHAR[m.group("dir")], distance_m=float(m.group("m")),
                        note=note)
    m = _SIDE.match(body)
    if m:
        return Endpoint(text, "side", name=m.group("name"), side=SIDE_OF_CHAR[m.group("side")],
                        note=note)
    return Endpoint(text, "feature", name=strip_junction_marker(body), note=note)


def orient_lines(parts: list[LineString]) -> list[LineString]:
    """Open lines in the road model's direction, and in that order: from the west end to the
    east end, or from the south end to the north end for a line running more north–south.

    Surveyed pieces come in any direction, so "the first crossing" (``crossing:1``) and "the
    start of the road" (``end:start``) must not depend on how a line was digitised.
    """
    arr = np.array(parts, dtype=object)
    first = shapely.get_coordinates(shapely.get_point(arr, 0))
    last = shapely.get_coordinates(shapely.get_point(arr, -1))
    d = last - first
    east_west = np.abs(d[:, 0]) >= np.abs(d[:, 1])
    backward = np.where(east_west, d[:, 0] < 0, d[:, 1] < 0) & ~shapely.is_closed(arr)
    arr[backward] = shapely.reverse(arr[backward])
    start = np.where(backward[:, None], last, first)
    # Parts in the same order: west to east, or south to north, by where each starts.
    total = last[:, :] - first[:, :]
    main_ew = np.abs(total[:, 0]).sum() >= np.abs(total[:, 1]).sum()
    order = np.lexsort((start[:, 1], start[:, 0])) if main_ew else np.lexsort(
        (start[:, 0], start[:, 1]))
    return list(arr[order])


class BaseLine:
    """A line a stretch runs along, in parts (see :func:`orient_lines`); positions are metres
    along one part."""

    def __init__(self, geom: BaseGeometry, label: str,
                 reach_m: float = DUAL_CARRIAGEWAY_M) -> None:
        self.geom = geom
        self.label = label
        self.reach_m = reach_m
        merged = shapely.line_merge(geom) if geom.geom_type.startswith("Multi") else geom
        # Carriageways of a dual road that meet at one node stay two parts (split_hairpins).
        parts = [p for p in shapely.get_parts(split_hairpins(merged)) if not p.is_empty]
        if not parts or any(p.geom_type != "LineString" for p in parts):
            raise JunctionError(f"{label}: not a line feature")
        self.parts = orient_lines(parts)

    @property
    def length(self) -> float:
        return float(sum(p.length for p in self.parts))

    def locate(self, j: Junction) -> tuple[int, float]:
        """(part index, metres along that part) of the point of the line nearest to ``j``."""
        pt = j.point
        d = shapely.distance(np.array(self.parts, dtype=object), pt)
        k = int(np.argmin(d))
        return k, float(shapely.line_locate_point(self.parts[k], pt))

    def stretch(self, a: Junction, b: Junction, arc: str = "short") -> LineString:
        """The sub-line from ``a`` to ``b`` along the geometry (on a closed line: ``arc``).

        ``arc`` is ``"short"`` or ``"long"``, or ``"forward"``/``"backward"`` along the
        drawing direction. A stretch whose ends lie on different pieces is an error.
        """
        ka, pa = self.locate(a)
        kb, pb = self.locate(b)
        if ka != kb:
            # On a dual carriageway the two ends may be found on different carriageways: the
            # stretch runs along one of them, the end moved across to it (within reach_m).
            da = float(shapely.distance(a.point, self.parts[kb]))
            db = float(shapely.distance(b.point, self.parts[ka]))
            if min(da, db) <= self.reach_m:
                if da <= db:
                    ka, pa = kb, float(shapely.line_locate_point(self.parts[kb], a.point))
                else:
                    kb, pb = ka, float(shapely.line_locate_point(self.parts[ka], b.point))
        if ka != kb:
            gap = _pieces_gap(self.parts[ka], self.parts[kb])
            raise JunctionError(
                f"{self.label}: {a.label} and {b.label} lie on different pieces of the line, "
                f"which are {gap:.1f} m apart; join the pieces in the layer or add a decision"
            )
        part = self.parts[ka]
        if not part.is_closed:
            return as_linestring(substring(part, pa, pb))
        length = part.length
        fwd = (pb - pa) % length
        forward = _closed_arc(part, pa, pb)
        choose_forward = {
            "short": fwd <= length - fwd, "long": fwd > length - fwd,
            "forward": True, "backward": False,
        }[arc]
        return forward if choose_forward else _closed_arc(part, pb, pa).reverse()

    def alongside(self, line: LineString) -> list[LineString]:
        """The stretches of the base's other parts that run beside ``line`` (a stretch of one
        part) within ``reach_m`` at its start, middle and end: the other carriageway(s) of a dual
        carriageway, from abreast of ``line``'s start to abreast of its end."""
        if len(self.parts) < 2 or line.length <= 0:
            return []
        probe = shapely.line_interpolate_point(line, [0.0, 0.5, 1.0], normalized=True)
        out = []
        for part in self.parts:
            d = shapely.distance(probe, part)
            if not (d <= self.reach_m).all() or d.max() < 1e-6:
                continue
            pa, pb = shapely.line_locate_point(part, probe[[0, 2]])
            if abs(pb - pa) > 1e-6:
                out.append(as_linestring(substring(part, min(pa, pb), max(pa, pb))))
        return out

    def arcs(self, a: Junction, b: Junction) -> list[LineString]:
        """Both stretches from ``a`` to ``b`` on a closed line; one stretch on an open one."""
        ka, _ = self.locate(a)
        if not self.parts[ka].is_closed:
            return [self.stretch(a, b)]
        return [self.stretch(a, b, "forward"), self.stretch(a, b, "backward")]


class JunctionResolver:
    """Finds junctions on base lines, for every endpoint kind of the grammar.

    ``grades`` maps grade → its built polygon (best grades first); grade-boundary and
    grade-end endpoints need the grades up to theirs to be built.
    """

    def __init__(self, network: Network, tolerance_m: float = 1.0,
                 cluster_m: float = DUAL_CARRIAGEWAY_M) -> None:
        self.network = network
        self.tolerance_m = tolerance_m
        self.cluster_m = max(cluster_m, tolerance_m)
        self.grades: dict[int, BaseGeometry] = {}

    # -- features -------------------------------------------------------------------------------
    def feature_line(self, text: str, context: str = "") -> tuple[BaseGeometry, list[str]]:
        """The line a Table 5 item or route road follows, with notes on how it was read."""
        ep = parse_endpoint(text)
        if ep.kind == "extent":
            return self.network.extent_line, ["the grading extent line"]
        if ep.kind == "side":
            return self.side_line(ep.name or "", ep.side or "E", context)
        name = ep.name if ep.kind == "feature" else normalize(text)
        return self._named_line(name or text, context)

    def _named_line(self, name: str, context: str) -> tuple[BaseGeometry, list[str]]:
        net = self.network
        geom = net.feature(name, context)
        notes = []
        if net.kind(name) == "landmark":
            raise JunctionError(
                f"{context}: {name!r} is a landmark, not a line; name its side (e.g. {name}东侧) "
                "or add a decision"
            )
        if net.water_is_polygon(name):
            notes.append(f"{name} is drawn as a polygon: its outline (banks) is used as the line")
        return geom, notes

    def side_line(self, name: str, side: str, context: str = "") -> tuple[BaseGeometry, list[str]]:
        """A line along the ``side`` of a landmark; for a road or river, the feature itself."""
        net = self.network
        if net.kind(name) != "landmark":
            geom, notes = self._named_line(name, context)
            return geom, [*notes, f"{name} {side} side: the feature line itself"]
        g = net.feature(name, context)
        minx, miny, maxx, maxy = g.bounds
        ex0, ey0, ex1, ey1 = net.extent.bounds
        pad = max(ex1 - ex0, ey1 - ey0)
        if side in ("E", "W"):
            x = maxx if side == "E" else minx
            line = LineString([(x, ey0 - pad), (x, ey1 + pad)])
        else:
            y = maxy if side == "N" else miny
            line = LineString([(ex0 - pad, y), (ex1 + pad, y)])
        course = "north-south" if side in "EW" else "east-west"
        return line, [f"{name} {side} side: a straight {course} line along its {side} edge"]

    # -- junctions ------------------------------------------------------------------------------
    def crossings(self, base: BaseLine, other: BaseGeometry, label: str) -> list[Junction]:
        """Every point where ``other`` meets the base line (within the tolerance), in line order."""
        if shapely.get_dimensions(other) == 0:
            # A point landmark: the junction is its foot on the line ("沪昆高速处").
            pts = [shapely.line_interpolate_point(p, shapely.line_locate_point(p, q))
                   for q in shapely.get_parts(other) for p in [_nearest_part(base, q)]]
            return self._ordered(base, np.array([[p.x, p.y] for p in pts]), label)
        inter = shapely.intersection(base.geom, other)
        exact = _points_of(inter)
        near = shapely.intersection(base.geom, shapely.buffer(other, self.tolerance_m))
        extra = []
        for piece in shapely.get_parts(shapely.get_parts(near)):
            if piece.is_empty:
                continue
            if len(exact) and shapely.distance(piece, shapely.multipoints(exact)) < 1e-6:
                continue
            extra.append(shapely.get_coordinates(shapely.shortest_line(piece, other))[0])
        pts = np.vstack([exact, *[np.array([e]) for e in extra]]) if extra else exact
        found = [self._centred(base, other, j) for j in self._ordered(base, pts, label)]
        return self._across_other(base, other, found)

    def _across_other(self, base: BaseLine, other: BaseGeometry,
                      found: list[Junction]) -> list[Junction]:
        """One junction where one carriageway of the base crosses both carriageways of a dual
        ``other`` more than ``cluster_m`` apart (:func:`landgrade.network.clusters.across_dual`).
        """
        if len(found) < 2:
            return found
        where = [base.locate(j) for j in found]
        nodes = across_dual(np.array([[j.x, j.y] for j in found]),
                            np.array([j.node for j in found]), where, other, self.cluster_m)
        if all(j.node == n for j, n in zip(found, nodes, strict=True)):
            return found
        return [replace(j, node=n) for j, n in zip(found, nodes, strict=True)]

    def _centred(self, base: BaseLine, other: BaseGeometry, j: Junction) -> Junction:
        """``j`` with its ``centre`` when the base ends at one carriageway of a dual road."""
        k, pos = base.locate(j)
        part = base.parts[k]
        tol = self.tolerance_m
        if part.is_closed or tol < pos < part.length - tol:
            return j
        c = shapely.get_coordinates(part)
        tip, prev = (c[0], c[1]) if pos <= tol else (c[-1], c[-2])
        u = (tip - prev) / (np.hypot(*(tip - prev)) or 1.0)
        parts = shapely.get_parts(other)
        if len(parts) < 2:
            return j
        pt = shapely.points(j.x, j.y)
        d = shapely.distance(parts, pt)
        near = int(np.argmin(d))
        if d[near] > tol:
            return j
        far = np.flatnonzero((d > tol) & (d <= self.cluster_m))
        if not len(far):
            return j
        # Straight on from the road's end, across the road to its other carriageway.
        ray = LineString([(j.x, j.y), (j.x + self.cluster_m * u[0], j.y + self.cluster_m * u[1])])
        hits = shapely.get_coordinates(shapely.intersection(ray, parts[far]))
        if not len(hits):
            return j
        v = hits - (j.x, j.y)
        across = shapely.distance(shapely.points(hits), parts[near])
        ok = across >= 0.5 * np.hypot(v[:, 0], v[:, 1])  # not a branch of the near carriageway
        if not ok.any():
            return j
        v = v[ok][int(np.argmin(np.hypot(v[ok, 0], v[ok, 1])))]
        # The centre is halfway between the carriageways (the end may stop short of the near).
        reach = shapely.get_coordinates(shapely.intersection(ray, parts[near]))
        start = np.array([j.x, j.y])
        if len(reach):
            start = reach[int(np.argmin(np.hypot(*(reach - start).T)))]
        far_pt = np.array([j.x, j.y]) + v
        cx, cy = (start + far_pt) / 2
        return Junction(j.x, j.y, j.label, (float(cx), float(cy)), j.node)

    def _ordered(self, base: BaseLine, pts: np.ndarray, label: str) -> list[Junction]:
        """Crossings in line order, each cluster of them one junction.

        Consecutive crossings on one part of the base line less than ``cluster_m`` apart along
        it are one junction (a dual carriageway crossed, or crossing, in 2–8 points): the point
        of the part at their mean position. Crossings within the snap tolerance of the first of
        a cluster are the same point: the first is kept.
        """
        if len(pts) == 0:
            return []
        js = [Junction(float(x), float(y), label) for x, y in pts]
        keyed = sorted(((*base.locate(j), j) for j in js), key=lambda t: (t[0], t[1]))
        groups: list[list[tuple[int, float, Junction]]] = []
        for k, pos, j in keyed:
            last = groups[-1][-1] if groups else None
            if last is not None and last[0] == k and pos - last[1] <= self.cluster_m:
                groups[-1].append((k, pos, j))
            else:
                groups.append([(k, pos, j)])
        out: list[Junction] = []
        for g in groups:
            first = g[0][2]
            if all(abs(first.x - j.x) + abs(first.y - j.y) <= self.tolerance_m for _, _, j in g):
                out.append(first)
                continue
            mean = float(np.mean([pos for _, pos, _ in g]))
            p = shapely.line_interpolate_point(base.parts[g[0][0]], mean)
            out.append(Junction(p.x, p.y, f"{label} (cluster of {len(g)} crossings)"))
        nodes = junction_numbers(np.array([[j.x, j.y] for j in out]).reshape(-1, 2),
                                 np.array([g[0][0] for g in groups], dtype=int), base.parts,
                                 self.cluster_m)
        return [replace(j, node=n) for j, n in zip(out, nodes, strict=True)]

    def gap(self, base: BaseLine, other: BaseGeometry) -> float:
        """How far apart two features that do not meet are, in metres."""
        return float(shapely.distance(base.geom, other))

    def target(self, ep: Endpoint, context: str = "") -> tuple[BaseGeometry, list[str]]:
        """The geometry whose crossings with a base line are the endpoint's junctions."""
        if ep.kind == "extent":
            return self.network.extent_line, []
        if ep.kind == "grade_boundary":
            return shapely.boundary(self._grades_upto(ep.grade or 0, ep, context)), []
        if ep.kind == "side":
            return self.side_line(ep.name or "", ep.side or "E", context)
        if ep.kind == "feature":
            net = self.network
            name = ep.name or ep.text
            geom = net.feature(name, context)
            if net.kind(name) == "landmark":
                return geom, [f"{name}: a landmark; the junction is where the line reaches it"]
            if net.water_is_polygon(name):
                return geom, [f"{name} is drawn as a polygon: its outline (banks) is used"]
            return geom, []
        raise JunctionError(f"{context}: {ep.text!r} is not a feature endpoint")

    def candidates(self, base: BaseLine, ep: Endpoint, context: str = "") -> tuple[list[Junction],
                                                                                     list[str]]:
        """Every junction an endpoint could mean on a base line, in line order, with notes."""
        if ep.kind == "distance":
            return self._distance(base, ep, context)
        if ep.kind == "road_end":
            return self._road_ends(base, ep, context)
        other, notes = self.target(ep, context)
        found = self.crossings(base, other, ep.text)
        if not found:
            raise JunctionError(
                f"{context}: {base.label} does not meet {ep.text!r} (they are "
                f"{self.gap(base, other):.1f} m apart at the closest; snap tolerance "
                f"{self.tolerance_m:g} m). Fix the layer, raise --snap, or add a decision."
            )
        return found, notes

    def _distance(self, base: BaseLine, ep: Endpoint, context: str) -> tuple[list[Junction],
                                                                             list[str]]:
        anchor_ep = Endpoint(ep.text, "feature", name=ep.name)
        anchors, notes = self.candidates(base, anchor_ep, context)
        out = []
        ux, uy = COMPASS[ep.side or "E"]
        for a in anchors:
            k, pos = base.locate(a)
            part = base.parts[k]
            d = ep.distance_m or 0.0
            ends = [min(part.length, pos + d), max(0.0, pos - d)]
            pts = [shapely.line_interpolate_point(part, e) for e in ends]
            score = [(p.x - a.x) * ux + (p.y - a.y) * uy for p in pts]
            best = pts[int(np.argmax(score))]
            travelled = abs(ends[int(np.argmax(score))] - pos)
            if travelled + 1e-6 < (ep.distance_m or 0):
                notes.append(f"{base.label} ends {travelled:.0f} m from {ep.name}, short of "
                             f"{ep.distance_m:g} m: the stretch stops at the road end")
            out.append(Junction(best.x, best.y, ep.text, node=a.node))
        return out, notes

    def _road_ends(self, base: BaseLine, ep: Endpoint, context: str) -> tuple[list[Junction],
                                                                              list[str]]:
        if ep.grade is None or not self.grades or ep.grade >= max(self.grades):
            area = self.network.extent
            what = "the grading extent"
        else:
            area = self._grades_upto(ep.grade, ep, context)
            what = f"grades 1–{ep.grade}"
        inside = shapely.intersection(base.geom, shapely.buffer(area, self.tolerance_m))
        ends = [shapely.get_coordinates(p)[[0, -1]] for p in shapely.get_parts(
            shapely.line_merge(inside)) if p.geom_type == "LineString" and p.length > 0]
        if not ends:
            raise JunctionError(f"{context}: {base.label} does not run inside {what}")
        pts = np.vstack(ends)
        return self._ordered(base, pts, ep.text), [f"{ep.text}: an end of {base.label} in {what}"]

    def _grades_upto(self, grade: int, ep: Endpoint, context: str) -> BaseGeometry:
        built = [g for g in self.grades if g <= grade]
        if grade not in self.grades:
            raise JunctionError(
                f"{context}: {ep.text!r} needs grade {grade} built first (built so far: "
                f"{', '.join(map(str, sorted(self.grades))) or 'none'})"
            )
        return shapely.union_all([self.grades[g] for g in built])


def _points_of(geom: BaseGeometry) -> np.ndarray:
    """Crossing points of an intersection: points, and both ends of any shared stretch."""
    out = []
    for p in shapely.get_parts(shapely.get_parts(geom)):
        if p.is_empty:
            continue
        c = shapely.get_coordinates(p)
        out.append(c if p.geom_type == "Point" else c[[0, -1]])
    return np.vstack(out) if out else np.empty((0, 2))


def _nearest_part(base: BaseLine, q: BaseGeometry) -> LineString:
    d = shapely.distance(np.array(base.parts, dtype=object), q)
    return base.parts[int(np.argmin(d))]


def _pieces_gap(a: BaseGeometry, b: BaseGeometry) -> float:
    return float(shapely.distance(a, b))


def as_linestring(line: BaseGeometry) -> LineString:
    """A substring as a LineString; a zero-length stretch (both ends at one point) stays a line."""
    c = shapely.get_coordinates(line)
    return LineString(np.vstack([c, c]) if len(c) == 1 else c)


def _closed_arc(ring: LineString, start: float, end: float) -> LineString:
    """From ``start`` forward to ``end`` on a closed line, wrapping past its first vertex."""
    if end >= start:
        return as_linestring(substring(ring, start, end))
    a = shapely.get_coordinates(substring(ring, start, ring.length))
    b = shapely.get_coordinates(substring(ring, 0, end))
    return LineString(np.vstack([a, b[1:]]) if len(b) > 1 else a)
