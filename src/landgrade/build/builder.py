"""Build the grade map: rules + network (+ Table 7 routes, decisions) → grades, routes, report.

Each grade is the union of its areas, best grade first; a grade keeps only what no better grade
took ("higher grades win"), and the residual takes whatever of the extent is left, so the grades
*partition* the extent. All overlay work runs on a common precision grid of 1 mm
(``GRID_M``), which makes "no overlap" and "union = extent" exact rather than approximate.

Areas:

- **ring** — the closed path along the items between consecutive junctions, polygonised; each
  item may add a one-sided strip (含东侧16米) on its compass side, judged per segment from the
  road's local direction, with flat ends at the junctions (the text gives each strip along
  its stretch only, so the square diagonally beyond a junction, where two strips would meet
  on the outside of a turn, is not added); per-stretch overrides change the width or side
  between two junctions; ``within`` (平溪江以南) clips the ring to that side.
- **corridor** — both sides of a road stretch, flat ends at the junctions.
- **region** — the extent cut by each bound feature (extended to the extent line if it stops
  short), keeping the side named for every bound.
- **residual** — what of the extent no better grade took.

The road model (``docs/real_road_data.md``) is made for surveyed centreline layers and
OpenStreetMap as well as hand-drawn sketches:

- a named road is every piece with that name (after normalisation and aliases; an alias with
  several rows means the union of their drawn names), pieces missing each other by up to the
  snap tolerance (``--snap``, default 2 m, :data:`landgrade.network.SNAP_M`) joined, and
  features that close meet; slip, service and unnamed roads are never part of a named road;
- a **dual carriageway** is one road: a junction is the *cluster* of crossings within
  :data:`landgrade.junctions.DUAL_CARRIAGEWAY_M` along a line (``crossing:n`` counts clusters);
  a one-sided strip is measured from the carriageway on its side, a corridor from each outer
  carriageway, a half-plane from the road as a whole (a road in sections, with a gap where a
  junction area is drawn under other names, is joined across it end to facing end, and the
  join is a warning);
- ``crossing:n`` and ``end:`` decisions count along the road model's direction (west to east,
  south to north), not the digitising direction;
- everything is drawn in the network's working CRS (the county's Gauss-Krüger zone), which the
  map records.

A result that cannot be right — a half-plane or region covering the whole extent or nothing, a
grade with no area, a strip along less than a tenth of its stretch, an extension of a line (or a
join across a gap in it) that already spans the extent, a ring over half the extent — is a
report warning starting ``cannot be right:`` naming the clause (``--strict`` fails on it).
The geometry each report row was drawn from is kept in :attr:`GradeMap.clauses` for review.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from landgrade.build.decisions import Decision, Decisions, read_decisions
from landgrade.build.geometry import (
    GRID_M,
    bridge_gaps,
    crossings_of_extent,
    extend_to_extent,
    multipolygon,
    one_sided_strip,
    polygonal,
    side_of,
)
from landgrade.build.grade_map import GradeMap
from landgrade.build.report import IMPOSSIBLE, ReportRow, report_frame
from landgrade.errors import LandgradeError
from landgrade.gazette.labels import SCHEMATIC_NOTE
from landgrade.gazette.names import CHAR_OF_SIDE, SIDE_OF_CHAR
from landgrade.gazette.rules import Corridor, GradeRule, Region, Residual, Ring, RingItem, Rules
from landgrade.io import IOInputError, read_data_table
from landgrade.network.junctions import (
    COMPASS,
    DUAL_CARRIAGEWAY_M,
    BaseLine,
    Endpoint,
    Junction,
    JunctionError,
    JunctionResolver,
    as_linestring,
    parse_endpoint,
)
from landgrade.network.layers import (
    SNAP_M,
    NameFields,
    Network,
    load_network,
    merge_lines,
    route_road_name,
)
from landgrade.text import normalize

TOLERANCE_M = SNAP_M
# Never-ok thresholds: a ring taking more than this share of the extent, a strip shorter than
# this share of its stretch.
_RING_SHARE_MAX = 0.5
_STRIP_SHARE_MIN = 0.1
ROUTE_COLUMNS = ("id", "name", "from", "to", "grade", "road_class", "standard_depth_m", "price")
# A strip whose side misfits the road over more than this share of its stretch is warned about:
# a bend or two may misfit, half the stretch means the text's side and the road disagree.
_SIDE_MISFIT_WARN = 0.5
_MAX_COMBINATIONS = 4096
_HALF = re.compile(r"^(?P<name>.+?)以(?P<side>[东西南北])(?:段|侧)?$")


class BuildError(LandgradeError):
    """A clause cannot be drawn; the message names the grade, area, item and what to fix."""


@dataclass
class _Stretch:
    """One item of a ring, drawn: its line, its junctions and the arc taken on closed lines."""

    line: LineString
    start: Junction
    end: Junction


@dataclass
class _Builder:
    network: Network
    decisions: Decisions
    tolerance_m: float = TOLERANCE_M
    rows: list[ReportRow] = field(default_factory=list)
    clauses: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.resolver = JunctionResolver(self.network, self.tolerance_m)
        self.extent = shapely.set_precision(self.network.extent, GRID_M)

    # -- decisions ------------------------------------------------------------------------------
    def decision(self, clause: str, item: str, *texts: str) -> Decision | None:
        return self.decisions.lookup(clause, item, tuple(texts))

    def decided_line(self, d: Decision, side_text: str, context: str) -> tuple[BaseGeometry, str]:
        """The line a decision names for an item or a route's road."""
        if d.kind == "road":
            return self.network.road(d.value, context), f"road_id {d.value}"
        if d.kind == "landmark":
            side = parse_endpoint(side_text).side or "E"
            geom, _ = self.resolver.side_line(d.value, side, context)
            return geom, f"{d.value} {side} side"
        if d.kind in ("water", "feature", "junction"):
            geom, _ = self.resolver.feature_line(d.value, context)
            return geom, d.value
        raise BuildError(f"{context}: {d.label()} cannot name a line (use road:, water:, "
                         "landmark: or feature:)")

    # -- lines ----------------------------------------------------------------------------------
    def item_line(self, clause: str, number: str, feature: str, qualifier: str | None,
                  row: ReportRow) -> BaseLine:
        """The line of a ring item or region bound, through its decision if there is one."""
        context = f"clause {clause} item {number} ({feature})"
        texts = (feature, f"{feature}({qualifier})" if qualifier else feature)
        d = self.decision(clause, number, *texts)
        if d is not None:
            if d.kind == "arc":
                row.decision = d.label()
            else:
                geom, used = self.decided_line(d, feature, context)
                row.decision, row.features = d.label(), used
                return BaseLine(geom, f"{feature} ({used})")
        name = feature
        stem = next((x for x in _section_stems(feature) if self.network.has(x)), None)
        if not self.network.has(feature) and stem:
            name = stem
            row.warn(f"{feature}: drawn as the stretch of {stem} between its junctions")
        if not self.network.has(name) and parse_endpoint(feature).kind == "feature":
            # An unnamed road (未命名道路) may be drawn under its qualifier (裕丰国际城南侧道路).
            if qualifier and self.network.has(qualifier):
                name = qualifier
            else:
                raise BuildError(
                    f"{context}: no feature named {feature!r} in the network"
                    + (f" (qualifier {qualifier!r})" if qualifier else "")
                    + f"; closest: {', '.join(self.network.suggest(feature)) or 'none'}. Fix: add "
                    f"a decision row '{clause},{number},{feature},road:<road_id>,<why>' or an alias"
                )
        geom, notes = self.resolver.feature_line(name, context)
        row.features = row.features or normalize(name)
        for note in notes:
            if "polygon" in note:
                row.warn(note)
        return BaseLine(geom, normalize(feature))

    # -- junction candidates --------------------------------------------------------------------
    def endpoint_candidates(self, clause: str, item: str, base: BaseLine, text: str,
                            row: ReportRow) -> list[Junction]:
        """Candidates for a corridor/route endpoint, through its decision if there is one."""
        context = f"{clause} {item} {text!r}"
        d = self.decision(clause, item, text)
        if d is not None:
            row.decision = _join(row.decision, d.label())
            if d.kind == "point":
                return [self.snapped_point(d, base, None, text, context, row)]
            if d.kind == "edge":
                return self.edge_candidates(d, base, text, context)
            if d.kind == "end":
                part = base.parts[0] if d.value == "start" else base.parts[-1]
                x, y = shapely.get_coordinates(part)[0 if d.value == "start" else -1]
                return [Junction(float(x), float(y), f"{text} ({d.value} of road)")]
            if d.kind == "crossing":
                cands, notes = self.resolver.candidates(base, parse_endpoint(text), context)
                return [_nth(cands, int(d.value), context)]
            if d.kind in ("road", "water", "landmark", "feature", "junction"):
                geom, used = self.decided_line(d, text, context)
                found = self.resolver.crossings(base, geom, f"{text} ({used})")
                if not found:
                    raise JunctionError(
                        f"{context}: {base.label} does not meet {used} "
                        f"({float(shapely.distance(base.geom, geom)):.1f} m apart)")
                return found
        cands, notes = self.resolver.candidates(base, parse_endpoint(text), context)
        for n in notes:
            if "short of" in n or "polygon" in n:
                row.warn(n)
        return cands

    def snapped_point(self, d: Decision, base: BaseLine, other: BaseGeometry | None, text: str,
                      context: str, row: ReportRow) -> Junction:
        """A decided point, moved to the nearest crossing within the snap tolerance."""
        x, y = d.point()
        try:
            if other is not None:
                cands = self.resolver.crossings(base, other, text)
            else:
                cands, _ = self.resolver.candidates(base, parse_endpoint(text), context)
        except LandgradeError:
            cands = []
        if cands:
            dist = [float(np.hypot(c.x - x, c.y - y)) for c in cands]
            k = int(np.argmin(dist))
            if dist[k] <= self.tolerance_m:
                if dist[k] > 0.01:
                    row.warn(f"decided point {x:.1f} {y:.1f} moved {dist[k]:.2f} m to the "
                             f"crossing of {base.label} and {text}")
                return Junction(cands[k].x, cands[k].y, f"{text} (decided point)")
        return Junction(x, y, f"{text} (decided point)")

    def edge_candidates(self, d: Decision, base: BaseLine, text: str,
                        context: str) -> list[Junction]:
        """Where the base line crosses the edge of the decided grade's zone."""
        grade = int(d.value)
        if grade not in self.resolver.grades:
            raise BuildError(f"{context}: {d.label()}: grade {grade} is not built before this "
                             f"clause (built: {sorted(self.resolver.grades) or 'none'})")
        edge = shapely.boundary(self.resolver.grades[grade])
        found = self.resolver.crossings(base, edge, f"{text} (edge of grade {grade})")
        if not found:
            raise JunctionError(f"{context}: {base.label} does not cross the edge of grade "
                                f"{grade} ({d.label()})")
        return found

    # -- strips ---------------------------------------------------------------------------------
    def strips(self, clause: str, number: int, item: RingItem, base: BaseLine,
               stretch: _Stretch, row: ReportRow) -> BaseGeometry:
        """The item's one-sided strip(s) along its stretch, overrides applied."""
        line = stretch.line
        if line.length <= 0:
            return shapely.Polygon()
        length = line.length
        pieces: list[tuple[float, float, str | None, float | None]] = [
            (0.0, length, item.side, item.width_m)]
        if item.qualifier:
            lim = self.qualifier_interval(clause, number, item, base, line, row)
            if lim is not None:
                pieces = [(lim[0], lim[1], item.side, item.width_m)]
        for o in item.overrides:
            a = self.position_on(clause, f"{number}", base, line, o.from_, row)
            b = self.position_on(clause, f"{number}", base, line, o.to, row)
            lo, hi = sorted((a, b))
            pieces = _overlay(pieces, lo, hi, o.side or item.side, o.width_m)
            row.features = _join(row.features, f"override {o.from_}–{o.to}: "
                                 f"{o.side or item.side} {o.width_m:g} m over {hi - lo:.1f} m")
        drawn = sum(hi - lo for lo, hi, side, width in pieces if side and width)
        if item.side and item.width_m and drawn < _STRIP_SHARE_MIN * length:
            row.impossible(
                f"the strip runs along {drawn:.1f} m of its {length:.1f} m stretch (under a "
                f"tenth): check the qualifier or override junctions")
        polys = []
        for lo, hi, side, width in pieces:
            if not side or not width or hi - lo <= 1e-6:
                continue
            seg = as_linestring(substring(line, lo, hi))
            poly, misfit = one_sided_strip(seg, side, width)
            polys.append(poly)
            # A dual carriageway: the strip is measured from the carriageway on its side.
            mid = shapely.line_interpolate_point(seg, 0.5, normalized=True)
            for other in base.alongside(seg):
                near = shapely.get_coordinates(shapely.shortest_line(mid, other))
                if float((near[1] - near[0]) @ np.array(COMPASS[side])) > 0:
                    polys.append(one_sided_strip(other, side, width)[0])
                    row.features = _join(row.features, f"{side} strip from the {side} carriageway")
            if misfit > _SIDE_MISFIT_WARN:
                row.warn(
                    f"clause {clause} item {number} {item.feature}: the {side} side does not fit "
                    f"the road's direction over {misfit:.0%} of the stretch; the strip takes the "
                    "side closest to it"
                )
        return shapely.union_all(polys) if polys else shapely.Polygon()

    def position_on(self, clause: str, item: str, base: BaseLine, line: LineString, text: str,
                    row: ReportRow) -> float:
        """Metres along a stretch of the junction named ``text`` (nearest candidate to it)."""
        context = f"clause {clause} item {item} override {text!r}"
        cands, _ = self.resolver.candidates(base, parse_endpoint(text), context)
        best = min(cands, key=lambda j: shapely.distance(line, j.point))
        return float(shapely.line_locate_point(line, best.point))

    def qualifier_interval(self, clause: str, number: int, item: RingItem, base: BaseLine,
                           line: LineString, row: ReportRow) -> tuple[float, float] | None:
        """The part of a stretch a distance qualifier (城西大道路口往西1400米路段) names."""
        ep = parse_endpoint(item.qualifier or "")
        if ep.kind != "distance":
            return None
        context = f"clause {clause} item {number}"
        anchor = self.resolver.candidates(base, Endpoint(ep.text, "feature", name=ep.name),
                                          context)[0]
        far, notes = self.resolver.candidates(base, ep, context)
        a = min(anchor, key=lambda j: shapely.distance(line, j.point))
        b = min(far, key=lambda j: shapely.distance(line, j.point))
        pa = float(shapely.line_locate_point(line, a.point))
        pb = float(shapely.line_locate_point(line, b.point))
        for n in notes:
            row.warn(n)
        row.warn(f"strip limited to {item.qualifier}: {abs(pb - pa):.1f} m of the stretch")
        return (min(pa, pb), max(pa, pb))

    # -- half planes ----------------------------------------------------------------------------
    def half_plane(self, line: BaseLine, side: str,
                   row: ReportRow) -> tuple[BaseGeometry, BaseGeometry]:
        """The part of the extent on ``side`` of a line, extended to the extent line, and the
        line as it divides the extent (joined and extended, for review).

        A road in sections with a gap between them (a junction area drawn under other names)
        is taken as a whole: facing loose ends are joined across the gap first, and only the
        ends left over are extended."""
        joined, gaps = bridge_gaps(line.geom, self.extent)
        if gaps:
            row.warn(f"{line.label} is in sections {', '.join(f'{g:.1f}' for g in gaps)} m apart: "
                     "joined straight across for the half-plane (check it on the review page)")
        extended, grown = extend_to_extent(joined, self.extent)
        if grown > self.tolerance_m:
            row.warn(f"{line.label} extended {grown:.1f} m to reach the extent line")
        if (grown > self.tolerance_m or gaps) and crossings_of_extent(line.geom,
                                                                       self.extent) >= 2:
            how = (f"a loose end was extended {grown:.1f} m" if grown > self.tolerance_m
                   else f"it was joined across a gap of {max(gaps):.1f} m")
            row.impossible(
                f"{line.label} already reaches the extent line on both sides, yet {how} (a "
                f"piece that does not join the road?); join the pieces (--snap) or add a "
                f"decision")
        if extended.is_empty:
            # The line lies wholly outside the extent: the extent is on one side of it.
            rp = shapely.point_on_surface(self.extent)
            near = shapely.get_coordinates(shapely.shortest_line(rp, line.geom))
            ahead = float((near[0] - near[1]) @ np.array(COMPASS[side])) > 0
            half = self.extent if ahead else Polygon()
        else:
            half = side_of(extended, side, self.extent)
        name = f"{line.label}以{CHAR_OF_SIDE[side]}"
        self.check_part(half, name, row)
        return half, extended if not extended.is_empty else line.geom

    def check_part(self, geom: BaseGeometry, what: str, row: ReportRow) -> None:
        """Flag a half-plane or region that covers the whole extent or nothing."""
        whole = float(self.extent.area)
        if geom.area <= 1.0:
            row.impossible(f"{what} covers nothing of the extent")
        elif geom.area >= whole * (1 - 1e-6):
            row.impossible(f"{what} covers the whole extent (the line does not divide it: "
                           "is it drawn in disconnected pieces, or beside the extent?)")

    def parse_half(self, text: str, clause: str, row: ReportRow) -> BaseGeometry | None:
        m = _HALF.match(normalize(text))
        if not m:
            return None
        line = self.item_line(clause, "within", m.group("name"), None, row)
        return self.half_plane(line, SIDE_OF_CHAR[m.group("side")], row)[0]

    # -- areas ----------------------------------------------------------------------------------
    def ring(self, clause: str, ring: Ring, grade: int, area_no: int) -> BaseGeometry:
        items = ring.items
        n = len(items)
        head = ReportRow("ring", clause, grade=grade, area=area_no,
                         text="-".join(i.feature for i in items))
        self.rows.append(head)
        item_rows = [ReportRow("item", clause, text=_item_text(it), grade=grade, area=area_no,
                               item=str(k + 1)) for k, it in enumerate(items)]
        lines = [self.item_line(clause, str(k + 1), it.feature, it.qualifier, item_rows[k])
                 for k, it in enumerate(items)]
        within = self.parse_half(ring.within, clause, head) if ring.within else None
        # Candidates for each junction k: between item k and item k+1 (cyclic).
        cands: list[list[Junction]] = []
        jrows: list[ReportRow] = []
        for k in range(n):
            m = (k + 1) % n
            jtext = f"{items[k].feature}-{items[m].feature}"
            jrow = ReportRow("junction", clause, text=jtext, grade=grade, area=area_no,
                             item=f"{k + 1}>{m + 1}")
            cands.append(self.ring_junction(clause, k, m, lines, jtext, jrow, grade, area_no))
            jrows.append(jrow)
        arcs = [self.arc_options(clause, k, lines[k], item_rows[k]) for k in range(n)]
        halves = [self.qualifier_half(clause, k, it, item_rows[k]) for k, it in enumerate(items)]
        choice, stretches = self.choose_ring(clause, lines, cands, arcs, halves, within)
        for k in range(n):
            if len(cands[k]) > 1:
                jrows[k].warn(
                    f"{len(cands[k])} crossings of {items[k].feature} and "
                    f"{items[(k + 1) % n].feature}; took crossing {choice[k] + 1} along "
                    f"{items[k].feature} (the one consistent with the neighbouring junctions)")
            j = cands[k][choice[k]]
            jrows[k].junctions = j.text()
            jrows[k].features = f"{lines[k].label} × {lines[(k + 1) % n].label}"
        coords = np.vstack([shapely.get_coordinates(s.line) for s in stretches])
        path = LineString(np.vstack([coords, coords[:1]]))
        faces = shapely.get_parts(shapely.polygonize([shapely.node(path)]))
        inside = shapely.union_all(faces, grid_size=GRID_M) if len(faces) else Polygon()
        strips: list[BaseGeometry] = []
        for k, it in enumerate(items):
            item_rows[k].length_m = stretches[k].line.length
            item_rows[k].junctions = f"{stretches[k].start.text()}; {stretches[k].end.text()}"
            s = self.strips(clause, k + 1, it, lines[k], stretches[k], item_rows[k])
            if not s.is_empty:
                item_rows[k].area_m2 = float(s.area)
            strips.append(s)
        area = shapely.union_all([inside, *strips], grid_size=GRID_M)
        if within is not None:
            area = polygonal(shapely.intersection(area, within, grid_size=GRID_M))
        self.rows.extend(jrows)
        self.rows.extend(item_rows)
        head.length_m = path.length
        head.area_m2 = float(area.area)
        if inside.is_empty:
            head.impossible("the closed path encloses no area")
        elif area.area > _RING_SHARE_MAX * self.extent.area:
            head.impossible(f"the ring takes {area.area / self.extent.area:.0%} of the extent "
                            "(a wrong crossing or arc?); check its junctions")
        self.record(head, area=area, path=path)
        for k in range(n):
            self.record(item_rows[k], line=stretches[k].line, area=strips[k])
        for k in range(n):
            self.record(jrows[k], point=cands[k][choice[k]].point,
                        candidates=shapely.multipoints([(c.x, c.y) for c in cands[k]]))
        return area

    def record(self, row: ReportRow, **geoms: Any) -> None:
        """Keep the geometry a report row was drawn from, for review (see GradeMap.clauses)."""
        self.clauses.append({"row": row, **geoms})

    def ring_junction(self, clause: str, k: int, m: int, lines: list[BaseLine], jtext: str,
                      row: ReportRow, grade: int, area_no: int) -> list[Junction]:
        d = self.decision(clause, f"{k + 1}>{m + 1}", jtext)
        if d is not None:
            row.decision = d.label()
            if d.kind == "point":
                return [self.snapped_point(d, lines[k], lines[m].geom, jtext, jtext, row)]
            if d.kind == "edge":
                return self.edge_candidates(d, lines[k], jtext, jtext)
            if d.kind == "end":
                part = lines[k].parts[0 if d.value == "start" else -1]
                x, y = shapely.get_coordinates(part)[0 if d.value == "start" else -1]
                return [Junction(float(x), float(y), jtext)]
        found = self.resolver.crossings(lines[k], lines[m].geom, jtext)
        if not found:
            gap = float(shapely.distance(lines[k].geom, lines[m].geom))
            raise BuildError(
                f"grade {grade}, area {area_no} (clause {clause}): the ring does not close between "
                f"item {k + 1} {lines[k].label} and item {m + 1} {lines[m].label}: they do not "
                f"meet, the gap is {gap:.1f} m (snap tolerance {self.tolerance_m:g} m). Fix the "
                f"network, raise --snap, or add a decision for item {k + 1}>{m + 1} "
                "(point:<x> <y>)."
            )
        if d is not None and d.kind == "crossing":
            return [_nth(found, int(d.value), f"clause {clause} junction {k + 1}>{m + 1}")]
        return found

    def arc_options(self, clause: str, k: int, line: BaseLine, row: ReportRow) -> list[str]:
        if not any(p.is_closed for p in line.parts):
            return ["short"]
        d = next((x for x in self.decisions.rows if x.clause == clause and x.item == str(k + 1)
                  and x.kind == "arc" and x.row in self.decisions.used), None)
        if d is not None:
            return [d.value]
        return ["short", "long"]

    def qualifier_half(self, clause: str, k: int, item: RingItem,
                       row: ReportRow) -> BaseGeometry | None:
        if not item.qualifier:
            return None
        q = normalize(item.qualifier)
        if _HALF.match(q):
            return self.parse_half(q, clause, row)
        if parse_endpoint(q).kind != "distance" and not self.network.has(q) and not row.decision:
            row.warn(f"qualifier {item.qualifier!r} is not drawn (a note; a decision can pin it)")
        return None

    def choose_ring(self, clause: str, lines: list[BaseLine], cands: list[list[Junction]],
                    arcs: list[list[str]], halves: list[BaseGeometry | None],
                    within: BaseGeometry | None) -> tuple[list[int], list[_Stretch]]:
        """The junction crossings and arcs that give the most plausible closed ring.

        Preference, in order: every qualified stretch on its named side (平溪江以南段) and every
        extent arc inside ``within``; a simple (non-self-crossing) path; the shortest path.
        """
        n = len(lines)
        cache: dict[tuple[int, int, int, str], _Stretch | str] = {}

        def stretch(k: int, a: int, b: int, arc: str) -> _Stretch | str:
            key = (k, a, b, arc)
            if key not in cache:
                ja, jb = cands[(k - 1) % n][a], cands[k][b]
                try:
                    cache[key] = _Stretch(lines[k].stretch(ja, jb, arc), ja, jb)
                except JunctionError as e:
                    cache[key] = str(e)
            return cache[key]

        def score(choice: tuple[int, ...], arc: tuple[str, ...]) -> tuple[float, ...] | str:
            parts = []
            bad = 0
            for k in range(n):
                s = stretch(k, choice[(k - 1) % n], choice[k], arc[k])
                if isinstance(s, str):
                    return s
                parts.append(s)
                mid = shapely.line_interpolate_point(s.line, 0.5, normalized=True)
                if halves[k] is not None and not shapely.intersects(halves[k], mid):
                    bad += 1
                if within is not None and len(arcs[k]) > 1 and not shapely.intersects(within, mid):
                    bad += 1
            path = LineString(np.vstack([shapely.get_coordinates(p.line) for p in parts]))
            simple = shapely.is_simple(LineString([*path.coords, path.coords[0]]))
            return (bad, 0 if simple else 1, path.length)

        ranges = [range(len(c)) for c in cands]
        total = int(np.prod([len(c) for c in cands])) * int(np.prod([len(a) for a in arcs]))
        best: tuple[Any, ...] | None = None
        errors: list[str] = []
        if total <= _MAX_COMBINATIONS:
            combos: Iterable[tuple[tuple[int, ...], tuple[str, ...]]] = itertools.product(
                itertools.product(*ranges), itertools.product(*arcs))
        else:
            combos = self.greedy_combos(cands, arcs)
        for choice, arc in combos:
            sc = score(choice, arc)
            if isinstance(sc, str):
                errors.append(sc)
                continue
            if best is None or sc < best[0]:
                best = (sc, choice, arc)
        if best is None:
            raise BuildError(f"clause {clause}: the ring cannot be drawn: {errors[0]}")
        _, choice, arc = best
        out = []
        for k in range(n):
            s = stretch(k, choice[(k - 1) % n], choice[k], arc[k])
            assert isinstance(s, _Stretch)
            out.append(s)
        return list(choice), out

    @staticmethod
    def greedy_combos(cands: list[list[Junction]],
                      arcs: list[list[str]]) -> Iterable[tuple[tuple[int, ...], tuple[str, ...]]]:
        """Too many combinations: vary one junction or arc at a time around the first choice."""
        base = tuple(0 for _ in cands)
        arc0 = tuple(a[0] for a in arcs)
        yield base, arc0
        for k, c in enumerate(cands):
            for i in range(1, len(c)):
                yield (*base[:k], i, *base[k + 1:]), arc0
        for k, a in enumerate(arcs):
            for v in a[1:]:
                yield base, (*arc0[:k], v, *arc0[k + 1:])

    def corridor(self, clause: str, c: Corridor, grade: int, area_no: int) -> BaseGeometry:
        stretch = f"{c.from_}–{c.to}" if c.from_ is not None else "whole road"
        row = ReportRow("corridor", clause, grade=grade, area=area_no,
                        text=f"{'-'.join(c.features)} ({stretch}) 2×{c.width_m:g} m")
        self.rows.append(row)
        base = self.road_line(clause, c.features, row)
        if c.from_ is None or c.to is None:
            # Both sides of the road wherever it runs inside the extent.
            line = shapely.intersection(base.geom, self.extent)
            geom = shapely.buffer(line, c.width_m, cap_style="flat", join_style="mitre")
            row.length_m, row.area_m2 = line.length, float(geom.area)
            self.record(row, line=line, area=geom)
            return geom
        line, a, b, ends = self.stretch_between(clause, base, c.from_, c.to, row)
        # Both sides of the road: on a dual carriageway, from each outer carriageway.
        beside = base.alongside(line)
        geom = shapely.buffer(shapely.union_all([line, *beside]) if beside else line, c.width_m,
                              cap_style="flat", join_style="mitre")
        if beside:
            row.features = _join(row.features, "dual carriageway: from each outer carriageway")
        row.length_m, row.junctions = line.length, f"{a.text()}; {b.text()}"
        row.area_m2 = float(geom.area)
        self.record(row, line=line, area=geom, point=shapely.multipoints([a.point, b.point]),
                    candidates=ends)
        return geom

    def road_line(self, clause: str, features: Iterable[str], row: ReportRow) -> BaseLine:
        """The line of one road under one or several names (双洲路至都梁路), or its decision."""
        features = tuple(features)
        joined = "-".join(features)
        d = self.decision(clause, "road", joined, *features)
        if d is not None:
            geom, used = self.decided_line(d, joined, f"{clause} road")
            row.decision, row.features = d.label(), used
            return BaseLine(geom, f"{joined} ({used})")
        geoms = [self.resolver.feature_line(f, f"{clause} road {f!r}")[0] for f in features]
        merged = (merge_lines(geoms, self.network.snap_m, hairpins=True) if len(geoms) > 1
                  else geoms[0])
        row.features = joined
        return BaseLine(merged, joined)

    def stretch_between(self, clause: str, base: BaseLine, start: str, end: str,
                        row: ReportRow) -> tuple[LineString, Junction, Junction, MultiPoint]:
        """The sub-line of a road between two endpoint texts; ambiguity → the shortest pair.

        Also every end it could have taken (for review), the chosen two among them."""
        pairs = self.stretch_options(clause, base, start, end, row)
        line, a, b = pairs[0]
        if len(pairs) > 1:
            row.warn(f"{len(pairs)} possible stretches between {start} and {end}; took the "
                     f"shortest ({line.length:.1f} m)")
        ends = shapely.multipoints(sorted({(j.x, j.y) for _, ja, jb in pairs for j in (ja, jb)}))
        return line, a, b, ends

    def stretch_options(self, clause: str, base: BaseLine, start: str, end: str,
                        row: ReportRow) -> list[tuple[LineString, Junction, Junction]]:
        """Every sub-line between a candidate of each endpoint, shortest first."""
        ca = self.endpoint_candidates(clause, "from", base, start, row)
        cb = self.endpoint_candidates(clause, "to", base, end, row)
        options, errors = [], []
        for a, b in itertools.product(ca, cb):
            try:
                line = _run_on_to_centres(base.stretch(a, b), a, b)
            except JunctionError as e:
                errors.append(str(e))
                continue
            if line.length > self.tolerance_m:
                options.append((line, a, b))
        if not options:
            why = errors[0] if errors else f"{start} and {end} are the same point on {base.label}"
            raise JunctionError(
                f"{clause}: no stretch of {base.label} from {start} to {end}: {why}")
        options.sort(key=lambda t: t[0].length)
        return options

    def region(self, clause: str, r: Region, grade: int, area_no: int) -> BaseGeometry:
        row = ReportRow("region", clause, grade=grade, area=area_no,
                        text="-".join(f"{b.feature}以{CHAR_OF_SIDE[b.side]}" for b in r.bounds))
        self.rows.append(row)
        area = self.extent
        for k, b in enumerate(r.bounds, start=1):
            brow = ReportRow("item", clause, text=f"{b.feature}以{CHAR_OF_SIDE[b.side]}",
                             grade=grade, area=area_no, item=str(k))
            line = self.item_line(clause, str(k), b.feature, None, brow)
            half, bound = self.half_plane(line, b.side, brow)
            brow.area_m2 = float(half.area)
            self.rows.append(brow)
            self.record(brow, line=bound, area=half)
            area = polygonal(shapely.intersection(area, half, grid_size=GRID_M))
        row.area_m2 = float(area.area)
        self.check_part(area, f"region {row.text}", row)
        self.record(row, area=area)
        return area

    # -- grades ---------------------------------------------------------------------------------
    def grades(self, rules: Rules) -> dict[int, BaseGeometry]:
        taken: BaseGeometry = Polygon()
        built: dict[int, BaseGeometry] = {}
        for rule in sorted(rules.grades, key=lambda g: g.grade):
            geom = self.grade(rule, taken)
            built[rule.grade] = geom
            self.resolver.grades[rule.grade] = geom
            taken = shapely.union(taken, geom, grid_size=GRID_M)
        left = shapely.difference(self.extent, taken, grid_size=GRID_M)
        if left.area > 1.0:
            row = ReportRow("extent", "extent", text="grading extent")
            row.area_m2 = float(left.area)
            row.warn(f"{left.area:,.0f} m² of the extent is in no grade (no residual clause)")
            self.rows.append(row)
        return built

    def grade(self, rule: GradeRule, taken: BaseGeometry) -> BaseGeometry:
        pieces: list[BaseGeometry] = []
        residuals: list[ReportRow] = []  # their area is known once the grade is
        for area_no, area in enumerate(rule.areas, start=1):
            clause = f"{rule.grade}.{area_no}"
            if isinstance(area, Ring):
                geom = self.ring(clause, area, rule.grade, area_no)
            elif isinstance(area, Corridor):
                try:
                    geom = self.corridor(clause, area, rule.grade, area_no)
                except JunctionError as e:
                    raise BuildError(f"grade {rule.grade}, area {area_no}: {e}") from None
            elif isinstance(area, Region):
                geom = self.region(clause, area, rule.grade, area_no)
            elif isinstance(area, Residual):
                geom = self.extent
                residuals.append(ReportRow("residual", clause, text="the rest of the extent",
                                           grade=rule.grade, area=area_no))
                self.rows.append(residuals[-1])
            else:  # pragma: no cover - Rules only holds the four kinds
                raise BuildError(f"clause {clause}: unknown area kind {area!r}")
            excl = getattr(area, "exclude_grades", ())
            if excl:
                self.rows[-1].features = _join(self.rows[-1].features,
                                               f"minus grade(s) {', '.join(map(str, excl))}")
            pieces.append(polygonal(shapely.intersection(geom, self.extent, grid_size=GRID_M)))
        union = shapely.union_all(pieces, grid_size=GRID_M) if pieces else Polygon()
        geom = shapely.difference(union, taken, grid_size=GRID_M)
        for residual in residuals:  # what the residual ends up as: the rest of the extent
            self.record(residual, area=geom)
        row = ReportRow("grade", str(rule.grade), text=f"grade {rule.grade}", grade=rule.grade)
        row.area_m2 = float(geom.area)
        if geom.area <= 1.0:
            row.impossible(f"grade {rule.grade} ends with no area (higher grades took all of it, "
                           "or its clauses draw nothing)")
        self.rows.append(row)
        return geom

    # -- routes ---------------------------------------------------------------------------------
    def routes(self, table: pd.DataFrame, source: str) -> gpd.GeoDataFrame:
        missing = [c for c in ("id", "name", "from", "to") if c not in table.columns]
        if missing:
            raise BuildError(f"{source}: the routes table needs columns {', '.join(ROUTE_COLUMNS)} "
                             f"(missing {', '.join(missing)})")
        options: list[list[tuple[LineString, Junction, Junction]]] = []
        rows: list[ReportRow] = []
        roads: list[str] = []
        for r in table.to_dict("records"):
            rid, name, start, end = (str(r[c]) for c in ("id", "name", "from", "to"))
            row = ReportRow("route", rid, text=f"{name}: {start} → {end}")
            rows.append(row)
            empty = [c for c, v in (("name", name), ("from", start), ("to", end))
                     if not v.strip() or v == "nan"]
            if empty:
                row.status = "unresolved"
                row.warnings = f"{' and '.join(empty)} left empty in the routes table; fill it in"
                options.append([])
                roads.append("")
                continue
            try:
                base = self.route_base(rid, name, row)
                options.append(self.stretch_options(rid, base, start, end, row))
                roads.append(base.label)
            except LandgradeError as e:
                row.status, row.warnings = "unresolved", str(e)
                options.append([])
                roads.append("")
        chosen = _choose_routes(options, roads)
        geoms, lengths, status = [], [], []
        for row, opts, pick in zip(rows, options, chosen, strict=True):
            if not opts:
                geoms.append(None)
                lengths.append(np.nan)
                status.append("unresolved")
                continue
            line, a, b = opts[pick]
            if len(opts) > 1:
                row.warn(f"{len(opts)} possible stretches; took the one least overlapping the "
                         f"other routes of the road, then the shortest ({line.length:.1f} m)")
            row.length_m, row.junctions = line.length, f"{a.text()}; {b.text()}"
            ends = {(j.x, j.y) for _, ja, jb in opts for j in (ja, jb)}
            self.record(row, line=line, point=shapely.multipoints([a.point, b.point]),
                        candidates=shapely.multipoints(sorted(ends)))
            geoms.append(line)
            lengths.append(line.length)
            status.append("ok")
        self.rows.extend(rows)
        out = gpd.GeoDataFrame(table.reset_index(drop=True).copy(), geometry=geoms,
                               crs=self.network.roads.crs)
        out["length_m"] = np.round(np.array(lengths, dtype=float), 3)
        out["status"] = status
        return out

    def route_base(self, rid: str, name: str, row: ReportRow) -> BaseLine:
        d = self.decision(rid, "road", name)
        if d is not None:
            geom, used = self.decided_line(d, name, f"route {rid} road")
            row.decision, row.features = d.label(), used
            return BaseLine(geom, f"{name} ({used})")
        road = route_road_name(name)
        stem = next((x for x in _section_stems(road) if self.network.has(x)), None)
        if not self.network.has(road) and stem:
            row.warn(f"{road}: drawn on {stem}")
            road = stem
        parts = [road] if self.network.has(road) else [p for p in re.split(r"[-－—]", road) if p]
        return self.road_line(rid, parts, row)

    def decision_rows(self) -> None:
        for d in self.decisions.rows:
            row = ReportRow("decision", d.clause, item=d.item, text=d.text,
                            decision=d.label())
            if d.row in self.decisions.stale:
                row.status, row.warnings = "stale", self.decisions.stale[d.row]
            elif d.row not in self.decisions.used:
                row.status = "unused"
                row.warnings = "no clause or route asked for this decision"
            self.rows.append(row)



def _overlay(pieces: list[tuple[float, float, str | None, float | None]], lo: float, hi: float,
             side: str | None, width: float) -> list[tuple[float, float, str | None, float | None]]:
    """Intervals along a stretch with [lo, hi] replaced by (side, width)."""
    out = []
    for a, b, s, w in pieces:
        if b <= lo or a >= hi:
            out.append((a, b, s, w))
            continue
        if a < lo:
            out.append((a, lo, s, w))
        if b > hi:
            out.append((hi, b, s, w))
    lo2, hi2 = max(lo, min(p[0] for p in pieces)), min(hi, max(p[1] for p in pieces))
    if hi2 > lo2:
        out.append((lo2, hi2, side, width))
    return sorted(out)


def _choose_routes(options: list[list[tuple[LineString, Junction, Junction]]],
                   roads: list[str]) -> list[int]:
    """For each route, the option overlapping least the other routes of its road, then shortest."""
    chosen = [0] * len(options)
    for i, opts in enumerate(options):
        if len(opts) < 2:
            continue
        others = [options[j][chosen[j]][0] for j in range(len(options))
                  if j != i and options[j] and roads[j] == roads[i]]
        if not others:
            continue
        other = shapely.union_all(others)
        # Within half the dual-carriageway distance: a route on the other carriageway overlaps.
        near = shapely.buffer(other, DUAL_CARRIAGEWAY_M / 2, cap_style="flat")
        overlap = [shapely.intersection(o[0], near).length for o in opts]
        lengths = np.array([o[0].length for o in opts])
        chosen[i] = int(np.lexsort((lengths, np.round(overlap, 1)))[0])
    return chosen


def _section_stems(name: str) -> list[str]:
    """The road of a named stretch (段): ``洞口大道西段`` → ``洞口大道``."""
    n = normalize(name)
    if not n.endswith("段") or len(n) < 3:
        return []
    stems = [n[:-1]]
    if n[-2] in "东西南北中":
        stems.append(n[:-2])
    return stems


def _run_on_to_centres(line: LineString, a: Junction, b: Junction) -> LineString:
    """A stretch run on, at an end meeting a dual road's near carriageway, to the crossing's
    centre between the carriageways (:attr:`Junction.centre`)."""
    if a.centre is None and b.centre is None:
        return line
    c = shapely.get_coordinates(line)
    head = [a.centre] if a.centre is not None else []
    tail = [b.centre] if b.centre is not None else []
    return LineString(np.vstack([*(np.array([h]) for h in head), c,
                                 *(np.array([t]) for t in tail)]))


def _nth(cands: list[Junction], n: int, context: str) -> Junction:
    if not 1 <= n <= len(cands):
        raise BuildError(f"{context}: decision crossing:{n}, but there are {len(cands)} crossings")
    return cands[n - 1]


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a and b else a or b


def _item_text(it: RingItem) -> str:
    text = it.feature
    if it.side and it.width_m:
        text += f"（含{CHAR_OF_SIDE[it.side]}侧{it.width_m:g}米）"
    if it.qualifier:
        text += f"（{it.qualifier}）"
    return text


# -- public API -----------------------------------------------------------------------------------
def build_grade_map(
    rules: Rules,
    network: Network,
    routes: pd.DataFrame | None = None,
    decisions: Decisions | None = None,
    source: str = "",
    tolerance_m: float | None = None,
    metadata: dict[str, Any] | None = None,
) -> GradeMap:
    """Draw every grade of ``rules`` on ``network`` (and the Table 7 ``routes``) as a grade map.

    The grades partition the network's extent, in the network's working CRS (recorded on the
    map). ``tolerance_m`` (default: the network's snap tolerance) is how far apart two features
    may be and still meet. A clause that cannot be drawn raises :class:`BuildError` naming it;
    a route that cannot be resolved gets status ``unresolved`` with the reason in the report.
    """
    tol = network.snap_m if tolerance_m is None else tolerance_m
    b = _Builder(network, decisions or Decisions(), tol)
    built = b.grades(rules)
    epsg = network.crs.to_epsg() if hasattr(network.crs, "to_epsg") else None
    crs = f"EPSG:{epsg}" if epsg else network.crs
    grades = gpd.GeoDataFrame(
        {"grade": np.array(list(built), dtype=int),
         "area_m2": np.round([g.area for g in built.values()], 3)},
        geometry=[multipolygon(g) for g in built.values()], crs=crs,
    )
    route_layer = b.routes(routes, source) if routes is not None else None
    b.decision_rows()
    meta: dict[str, Any] = {"source": source, "crs": str(crs), "snap_m": tol,
                            "built_with": _version()}
    meta.update(metadata or {})
    for choice in reversed(network.choices):
        b.rows.insert(0, ReportRow("input", "", text=choice))
    for k, note in enumerate(network.notes):
        row = ReportRow("network", "", text="features left out")
        row.warn(note)
        b.rows.insert(k, row)
    if meta.get("schematic"):
        b.rows.insert(0, ReportRow("network", "", text=SCHEMATIC_NOTE))
    return GradeMap(
        grades=grades,
        extent=gpd.GeoDataFrame({"name": ["extent"]}, geometry=[b.extent], crs=crs),
        routes=route_layer,
        water=network.water[["name", "geometry"]] if network.water is not None else None,
        roads=network.roads[[c for c in ("name", "road_class", "road_id", "geometry")
                             if c in network.roads]],
        report=report_frame(b.rows),
        metadata=meta,
        clauses=_clause_layer(b, crs),
    )


def _clause_layer(b: _Builder, crs: Any) -> gpd.GeoDataFrame:
    """The geometry each report row was drawn from (see :attr:`GradeMap.clauses`)."""
    position = {id(r): i for i, r in enumerate(b.rows)}
    recs = []
    for rec in b.clauses:
        row = rec["row"]
        for role in ("area", "path", "line", "point", "candidates"):
            g = rec.get(role)
            if g is None or g.is_empty:
                continue
            recs.append({"report_row": position.get(id(row), -1), "kind": row.kind,
                         "clause": row.clause, "item": row.item, "role": role,
                         "status": row.status, "warnings": row.warnings, "geometry": g})
    cols = ["report_row", "kind", "clause", "item", "role", "status", "warnings", "geometry"]
    return gpd.GeoDataFrame(pd.DataFrame(recs, columns=cols), geometry="geometry", crs=crs)


def _version() -> str:
    from landgrade._version import __version__

    return f"landgrade {__version__}"


def read_routes(path: str | Path) -> pd.DataFrame:
    """A Table 7 CSV as strings (prices stay as printed; the pricebook validates them)."""
    try:
        df = read_data_table(path, ("id", "name", "from", "to"))
    except IOInputError as e:
        raise BuildError(f"{e} (a routes CSV has columns {','.join(ROUTE_COLUMNS)})") from None
    # Decisions, the report and the audit key routes by id: it must name one row.
    blank = df["line"][df["id"] == ""].tolist()
    if blank:
        raise BuildError(f"{path}: line {blank[0]} has no id; give every route an id (A01)")
    repeated = df[df["id"].duplicated(keep=False)]
    if len(repeated):
        rid = repeated["id"].iloc[0]
        lines = ", ".join(map(str, repeated.loc[repeated["id"] == rid, "line"]))
        raise BuildError(f"{path}: id {rid} is on lines {lines}; each route needs its own id")
    from landgrade.gazette.pricebook import check_route_numbers

    check_route_numbers(df, path)
    df = df.drop(columns="line")
    for c in ("standard_depth_m", "price"):
        if c in df:
            num = pd.to_numeric(df[c], errors="coerce")
            if num.notna().all():
                df[c] = num
    return df


def _load_rules(path: Path) -> Rules:
    if not path.exists():
        raise BuildError(f"{path}: no such grade-zone description file")
    if path.suffix.lower() == ".json":
        import json

        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise BuildError(f"{path}: not a rules JSON file ({e}); write it with "
                             "`landgrade parse`, or give the grade-zone description text "
                             "instead") from None
        return Rules.from_dict(data, source=str(path))
    from landgrade.gazette.parse import parse_file

    return parse_file(path)


@dataclass(frozen=True)
class BuildInputs:
    """What ``landgrade build`` reads: a county folder, and files that replace its own.

    Without ``county``, ``rules``, ``roads`` and ``extent`` must be given; with it, each file not
    given is the folder's (``table5.txt``, ``roads.geojson``, …) when the folder has one.
    """

    county: str | Path | None = None
    rules: Path | None = None
    roads: Path | None = None
    water: Path | None = None
    landmarks: Path | None = None
    extent: Path | None = None
    routes: Path | None = None
    aliases: Path | None = None
    decisions: Path | None = None
    name_field: NameFields = None
    id_field: str = "road_id"
    snap_m: float = SNAP_M
    strict: bool = False


def build_county(county: str | Path | None = None, strict: bool = False) -> GradeMap:
    """Build a county folder's grade map from its own files (the engine's default map)."""
    return build_from(BuildInputs(county=county, strict=strict))


def build_from(inputs: BuildInputs) -> GradeMap:
    """Build the grade map ``inputs`` name; with ``strict``, unresolved or stale rows, and
    results that cannot be right (a report warning starting ``cannot be right:``), fail it."""
    from landgrade.gazette.county import county_folder, folder_reference

    i = inputs
    folder = county_folder(i.county) if (i.county is not None or i.rules is None) else None
    meta: dict[str, Any] = {}

    def pick(given: Path | None, name: str, required: bool = False) -> Path | None:
        if given is not None:
            return Path(given)
        if folder is not None and folder.has(name):
            return folder.path(name)
        if required:
            where = f" in {folder.root}" if folder is not None else ""
            raise BuildError(f"no {name}{where}: give it as an option or in the county folder")
        return None

    rules_p = pick(i.rules, "table5.txt", True)
    roads_p = pick(i.roads, "roads.geojson", True)
    extent_p = pick(i.extent, "extent.geojson", True)
    assert rules_p is not None and roads_p is not None and extent_p is not None
    network = load_network(
        roads_p, water=pick(i.water, "water.geojson"),
        landmarks=pick(i.landmarks, "landmarks.geojson"), extent=extent_p,
        aliases=pick(i.aliases, "aliases.csv"), name_field=i.name_field,
        id_field=i.id_field, snap_m=i.snap_m,
        # The county's own working CRS when its metadata.json names one, else the extent's zone.
        working_crs=folder.metadata.get("crs") if folder is not None else None,
    )
    routes_p = pick(i.routes, "routes.csv")
    if folder is not None:
        meta = {
            "county": folder.name,
            "county_en": folder.metadata.get("county_en", folder.root.name),
            "county_folder": folder_reference(folder),
            # The folder's note describes its own layers, not a road layer given instead.
            "schematic": folder.schematic and i.roads is None,
        }
    gm = build_grade_map(
        _load_rules(rules_p), network,
        routes=read_routes(routes_p) if routes_p is not None else None,
        decisions=read_decisions(pick(i.decisions, "decisions.csv")),
        source=str(rules_p), metadata=meta,
    )
    if i.strict and gm.report is not None:
        impossible = gm.report["warnings"].fillna("").str.contains(IMPOSSIBLE, regex=False)
        bad = gm.report[gm.report["status"].isin(["unresolved", "stale"]) | impossible]
        if len(bad):
            raise BuildError("--strict: " + "; ".join(
                f"{r.kind} {r.clause}: {r.warnings}" for r in bad.itertuples()))
    return gm
