"""Rings (所围成区域) and their frontage strips (含东侧16米).

``桔城路（含东侧16米）-雪峰路（含北侧20米）-…所围成区域`` is the closed path along the items,
each between its junctions with its neighbours, polygonised. Each item may add a one-sided
strip of road frontage on its compass side (含东侧16米: the 16 m on the east side), judged per
segment from the road's local direction (:func:`landgrade.build.geometry.one_sided_strip`),
with flat ends at the junctions: the text gives each strip along its stretch only, so the
square diagonally beyond a junction, where two strips would meet on the outside of a turn, is
not added. On a dual carriageway a strip is measured from the carriageway on its side.

A sub-stretch override (健民路口至文昌路口段北侧为100米) changes the width or side between two
junctions; a distance qualifier (城西大道路口往西1400米路段) limits the strip to that part; a
half-plane qualifier (平溪江以南段) picks the stretch on that side, and ``within`` (平溪江以南)
clips the whole ring to it. Where two items cross more than once, or an item is a closed line
(two arcs between its junctions), the crossings and arcs giving the most plausible ring are
taken (:func:`_choose_ring`) and the report says which.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from landgrade.build.boundaries import boundary_base
from landgrade.build.context import (
    BuildContext,
    BuildError,
    Clause,
    frontage_depth,
    join_notes,
)
from landgrade.build.geometry import GRID_M, one_sided_strip, polygonal
from landgrade.build.lines import edge_candidates, nth_crossing, snapped_point
from landgrade.build.region import HALF_PLANE_TEXT, half_plane_named
from landgrade.build.report import ReportRow
from landgrade.gazette.names import CHAR_OF_SIDE
from landgrade.gazette.rules import Ring, RingItem
from landgrade.network.junctions import (
    COMPASS,
    BaseLine,
    Endpoint,
    Junction,
    JunctionError,
    as_linestring,
    junction_count,
    parse_endpoint,
)
from landgrade.text import normalize

# Never-ok thresholds: a ring taking more than this share of the extent, a strip shorter than
# this share of its stretch.
_RING_SHARE_MAX = 0.5
_STRIP_SHARE_MIN = 0.1
# A strip whose side misfits the road over more than this share of its stretch is warned about:
# a bend or two may misfit, half the stretch means the text's side and the road disagree.
_SIDE_MISFIT_WARN = 0.5
# Up to this many combinations of crossings and arcs are all scored; more are varied one at a time.
_MAX_COMBINATIONS = 4096


@dataclass
class _Stretch:
    """One item of a ring, drawn: its line, its junctions and the arc taken on closed lines."""

    line: LineString
    start: Junction
    end: Junction


def draw_ring(ctx: BuildContext, clause: Clause, ring: Ring,
              head: ReportRow | None = None) -> BaseGeometry:
    """The area the ring encloses, with its items' frontage strips. ``head`` is the clause's
    report row when another kind draws its area as a ring (a 四至 whose sides all meet)."""
    items = ring.items
    # A—B—C—A: the ring closes on its first feature, named again to end it; one item, unless
    # an analyst pinned the junction between the two mentions (a decision for n>1).
    closing = (len(items) > 2 and normalize(items[-1].feature) == normalize(items[0].feature)
               and (items[-1].side is None or items[0].side is None)
               and not any(d.clause == clause.id and d.item == f"{len(items)}>1"
                           for d in ctx.decisions.rows))
    if closing:
        first, last = items[0], items[-1]
        items = (first if first.side is not None else last, *items[1:-1])
    n = len(items)
    if head is None:
        head = ReportRow("ring", clause.id, text="-".join(i.feature for i in items),
                         grade=clause.grade, area=clause.area)
        ctx.rows.append(head)
    if closing:
        head.features = join_notes(head.features, f"closes on {items[0].feature}, named again "
                                   "at its end")
    item_rows = [ReportRow("item", clause.id, text=_item_text(it), grade=clause.grade,
                           area=clause.area, item=str(k + 1)) for k, it in enumerate(items)]
    lines = [boundary_base(ctx, clause.id, str(k + 1), it, item_rows[k])
             for k, it in enumerate(items)]
    within = half_plane_named(ctx, ring.within, clause.id, head) if ring.within else None
    # Candidates for each junction k: between item k and item k+1 (cyclic).
    cands: list[list[Junction]] = []
    jrows: list[ReportRow] = []
    for k in range(n):
        m = (k + 1) % n
        jtext = f"{items[k].feature}-{items[m].feature}"
        jrow = ReportRow("junction", clause.id, text=jtext, grade=clause.grade, area=clause.area,
                         item=f"{k + 1}>{m + 1}")
        cands.append(_ring_junction(ctx, clause, k, m, lines, jtext, jrow))
        jrows.append(jrow)
    arcs = [_arc_options(ctx, clause.id, k, lines[k], item_rows[k]) for k in range(n)]
    halves = [_qualifier_half(ctx, clause.id, k, it, item_rows[k]) for k, it in enumerate(items)]
    choice, stretches = _choose_ring(ctx, clause.id, lines, cands, arcs, halves, within)
    for k in range(n):
        # Candidates of one junction on the carriageways of a dual road are no ambiguity.
        if junction_count(cands[k]) > 1:
            jrows[k].warn(
                f"{junction_count(cands[k])} crossings of {items[k].feature} and "
                f"{items[(k + 1) % n].feature}; took crossing {cands[k][choice[k]].node + 1} "
                f"along {items[k].feature} (the one consistent with the neighbouring junctions)")
        j = cands[k][choice[k]]
        jrows[k].junctions = j.text()
        jrows[k].features = f"{lines[k].label} × {lines[(k + 1) % n].label}"
        if len(cands[k]) > junction_count(cands[k]):
            jrows[k].features += (f"; {len(cands[k])} crossing points in "
                                  f"{junction_count(cands[k])} junction(s) (dual carriageways)")
    coords = np.vstack([shapely.get_coordinates(s.line) for s in stretches])
    path = LineString(np.vstack([coords, coords[:1]]))
    faces = shapely.get_parts(shapely.polygonize([shapely.node(path)]))
    inside = shapely.union_all(faces, grid_size=GRID_M) if len(faces) else Polygon()
    strips: list[BaseGeometry] = []
    for k, it in enumerate(items):
        item_rows[k].length_m = stretches[k].line.length
        item_rows[k].junctions = f"{stretches[k].start.text()}; {stretches[k].end.text()}"
        s = _frontage_strips(ctx, clause.id, k + 1, it, lines[k], stretches[k], item_rows[k])
        if not s.is_empty:
            item_rows[k].area_m2 = float(s.area)
        strips.append(s)
    area = shapely.union_all([inside, *strips], grid_size=GRID_M)
    if ring.boundary_frontage is not None:
        area = _boundary_frontage(ctx, clause, ring, stretches, area, head)
    if within is not None:
        area = polygonal(shapely.intersection(area, within, grid_size=GRID_M))
    ctx.rows.extend(jrows)
    ctx.rows.extend(item_rows)
    head.length_m = path.length
    head.area_m2 = float(area.area)
    if inside.is_empty:
        head.impossible("the closed path encloses no area")
    elif area.area > _RING_SHARE_MAX * ctx.extent.area:
        head.impossible(f"the ring takes {area.area / ctx.extent.area:.0%} of the extent "
                        "(a wrong crossing or arc?); check its junctions")
    ctx.record(head, area=area, path=path)
    for k in range(n):
        ctx.record(item_rows[k], line=stretches[k].line, area=strips[k])
    for k in range(n):
        ctx.record(jrows[k], point=cands[k][choice[k]].point,
                   candidates=shapely.multipoints([(c.x, c.y) for c in cands[k]]))
    return area


def _boundary_frontage(ctx: BuildContext, clause: Clause, ring: Ring, stretches: list[_Stretch],
                       area: BaseGeometry, head: ReportRow) -> BaseGeometry:
    """The ring plus the frontage of its boundary stretches (所围地区及边界路段外侧地区: the outer
    side; 两侧: both, the inner side being in the ring already), the stated or default depth."""
    depth = frontage_depth(ctx, clause, ring.boundary_frontage_m, "boundary road frontage", head)
    strip = shapely.buffer(shapely.union_all([s.line for s in stretches]), depth,
                           cap_style="flat", join_style="mitre")
    head.features = join_notes(head.features, f"boundary stretches' frontage {depth:g} m "
                               f"({ring.boundary_frontage})")
    return shapely.union(area, strip, grid_size=GRID_M)


def _ring_junction(ctx: BuildContext, clause: Clause, k: int, m: int, lines: list[BaseLine],
                   jtext: str, row: ReportRow) -> list[Junction]:
    """Candidates for the junction of item ``k`` and the next item ``m``, or its decision."""
    d = ctx.decision(clause.id, f"{k + 1}>{m + 1}", jtext)
    if d is not None:
        row.decision = d.label()
        if d.kind == "point":
            return [snapped_point(ctx, d, lines[k], lines[m].geom, jtext, jtext, row)]
        if d.kind == "edge":
            return edge_candidates(ctx, d, lines[k], jtext, jtext)
        if d.kind == "end":
            part = lines[k].parts[0 if d.value == "start" else -1]
            x, y = shapely.get_coordinates(part)[0 if d.value == "start" else -1]
            return [Junction(float(x), float(y), jtext)]
    found = ctx.resolver.crossings(lines[k], lines[m].geom, jtext)
    if not found:
        gap = float(shapely.distance(lines[k].geom, lines[m].geom))
        raise BuildError(
            f"grade {clause.grade}, area {clause.area} (clause {clause.id}): the ring does not "
            f"close between item {k + 1} {lines[k].label} and item {m + 1} {lines[m].label}: "
            f"they do not meet, the gap is {gap:.1f} m (snap tolerance {ctx.tolerance_m:g} m). "
            f"Fix the network, raise --snap, or add a decision for item {k + 1}>{m + 1} "
            "(point:<x> <y>)."
        )
    if d is not None and d.kind == "crossing":
        return nth_crossing(found, int(d.value), f"clause {clause.id} junction {k + 1}>{m + 1}")
    return found


def _arc_options(ctx: BuildContext, clause: str, k: int, line: BaseLine,
                 row: ReportRow) -> list[str]:
    """The arcs an item may take between its junctions: a closed line (a loop road, a lake
    shore) has two, unless an ``arc:`` decision picks one."""
    if not any(p.is_closed for p in line.parts):
        return ["short"]
    d = next((x for x in ctx.decisions.rows if x.clause == clause and x.item == str(k + 1)
              and x.kind == "arc" and x.row in ctx.decisions.used), None)
    if d is not None:
        return [d.value]
    return ["short", "long"]


def _qualifier_half(ctx: BuildContext, clause: str, k: int, item: RingItem,
                    row: ReportRow) -> BaseGeometry | None:
    """The half-plane an item's qualifier names (平溪江以南段), which its stretch must lie in."""
    if not item.qualifier:
        return None
    q = normalize(item.qualifier)
    if HALF_PLANE_TEXT.match(q):
        return half_plane_named(ctx, q, clause, row)
    if parse_endpoint(q).kind != "distance" and not ctx.network.has(q) and not row.decision:
        row.warn(f"qualifier {item.qualifier!r} is not drawn (a note; a decision can pin it)")
    return None


def _choose_ring(ctx: BuildContext, clause: str, lines: list[BaseLine], cands: list[list[Junction]],
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
        combos = _greedy_combos(cands, arcs)
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


def _greedy_combos(cands: list[list[Junction]],
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


def _frontage_strips(ctx: BuildContext, clause: str, number: int, item: RingItem,
                     base: BaseLine, stretch: _Stretch, row: ReportRow) -> BaseGeometry:
    """The item's one-sided strip(s) along its stretch, overrides applied."""
    line = stretch.line
    if line.length <= 0:
        return shapely.Polygon()
    length = line.length
    pieces: list[tuple[float, float, str | None, float | None]] = [
        (0.0, length, item.side, item.width_m)]
    if item.qualifier:
        lim = _qualifier_interval(ctx, clause, number, item, base, line, row)
        if lim is not None:
            pieces = [(lim[0], lim[1], item.side, item.width_m)]
    for o in item.overrides:
        a = _position_on(ctx, clause, f"{number}", base, line, o.from_, row)
        b = _position_on(ctx, clause, f"{number}", base, line, o.to, row)
        lo, hi = sorted((a, b))
        pieces = _overlay(pieces, lo, hi, o.side or item.side, o.width_m)
        row.features = join_notes(row.features, f"override {o.from_}–{o.to}: "
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
                row.features = join_notes(row.features, f"{side} strip from the {side} carriageway")
        if misfit > _SIDE_MISFIT_WARN:
            row.warn(
                f"clause {clause} item {number} {item.feature}: the {side} side does not fit "
                f"the road's direction over {misfit:.0%} of the stretch; the strip takes the "
                "side closest to it"
            )
    return shapely.union_all(polys) if polys else shapely.Polygon()


def _position_on(ctx: BuildContext, clause: str, item: str, base: BaseLine, line: LineString,
                 text: str, row: ReportRow) -> float:
    """Metres along a stretch of the junction named ``text`` (nearest candidate to it)."""
    context = f"clause {clause} item {item} override {text!r}"
    cands, _ = ctx.resolver.candidates(base, parse_endpoint(text), context)
    best = min(cands, key=lambda j: shapely.distance(line, j.point))
    return float(shapely.line_locate_point(line, best.point))


def _qualifier_interval(ctx: BuildContext, clause: str, number: int, item: RingItem, base: BaseLine,
                        line: LineString, row: ReportRow) -> tuple[float, float] | None:
    """The part of a stretch a distance qualifier (城西大道路口往西1400米路段) names."""
    ep = parse_endpoint(item.qualifier or "")
    if ep.kind != "distance":
        return None
    context = f"clause {clause} item {number}"
    anchor = ctx.resolver.candidates(base, Endpoint(ep.text, "feature", name=ep.name),
                                     context)[0]
    far, notes = ctx.resolver.candidates(base, ep, context)
    a = min(anchor, key=lambda j: shapely.distance(line, j.point))
    b = min(far, key=lambda j: shapely.distance(line, j.point))
    pa = float(shapely.line_locate_point(line, a.point))
    pb = float(shapely.line_locate_point(line, b.point))
    for n in notes:
        row.warn(n)
    row.warn(f"strip limited to {item.qualifier}: {abs(pb - pa):.1f} m of the stretch")
    return (min(pa, pb), max(pa, pb))


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


def _item_text(it: RingItem) -> str:
    text = it.feature
    if it.side and it.width_m:
        text += f"（含{CHAR_OF_SIDE[it.side]}侧{it.width_m:g}米）"
    if it.qualifier:
        text += f"（{it.qualifier}）"
    return text
