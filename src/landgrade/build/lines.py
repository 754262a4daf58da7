"""The lines and junctions a clause names on the network, through the analyst's decisions.

Every clause kind starts here: a ring item's or region bound's feature (:func:`item_line`), a
road under one or several names (:func:`road_line`), the candidates for an endpoint text
(:func:`endpoint_candidates`), and the stretch of a road between two endpoints
(:func:`stretch_options`, :func:`stretch_between`). Where the text leaves something open, the
decision for that clause and item (``decisions.csv``) names the road, the point, the crossing,
the road's end or the edge of a built grade instead.

The road model (``docs/real_road_data.md``) is made for surveyed centreline layers and
OpenStreetMap as well as hand-drawn sketches:

- a named road is every piece with that name (after normalisation and aliases; an alias with
  several rows means the union of their drawn names), pieces missing each other by up to the
  snap tolerance (``--snap``, default 2 m, :data:`landgrade.network.layers.SNAP_M`) joined, and
  features that close meet; slip, service and unnamed roads are never part of a named road;
- a **dual carriageway** is one road: a junction is the *cluster* of crossings within
  :data:`landgrade.network.junctions.DUAL_CARRIAGEWAY_M` along a line (``crossing:n`` counts
  clusters); a one-sided strip is measured from the carriageway on its side, a corridor from
  each outer carriageway, a half-plane from the road as a whole (a road in sections, with a gap
  where a junction area is drawn under other names, is joined across it end to facing end, and
  the join is a warning);
- ``crossing:n`` and ``end:`` decisions count along the road model's direction (west to east,
  south to north), not the digitising direction.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint
from shapely.geometry.base import BaseGeometry

from landgrade.build.context import BuildContext, BuildError, join_notes
from landgrade.build.decisions import Decision
from landgrade.build.report import ReportRow
from landgrade.errors import LandgradeError
from landgrade.network.junctions import (
    BaseLine,
    Junction,
    JunctionError,
    junction_count,
    parse_endpoint,
)
from landgrade.network.lines import merge_lines
from landgrade.text import normalize


def decided_line(ctx: BuildContext, d: Decision, side_text: str,
                 context: str) -> tuple[BaseGeometry, str]:
    """The line a decision names for an item or a route's road."""
    if d.kind == "road":
        return ctx.network.road(d.value, context), f"road_id {d.value}"
    if d.kind == "landmark":
        side = parse_endpoint(side_text).side or "E"
        geom, _ = ctx.resolver.side_line(d.value, side, context)
        return geom, f"{d.value} {side} side"
    if d.kind in ("water", "feature", "junction"):
        geom, _ = ctx.resolver.feature_line(d.value, context)
        return geom, d.value
    raise BuildError(f"{context}: {d.label()} cannot name a line (use road:, water:, "
                     "landmark: or feature:)")


def item_line(ctx: BuildContext, clause: str, number: str, feature: str, qualifier: str | None,
              row: ReportRow) -> BaseLine:
    """The line of a ring item or region bound, through its decision if there is one."""
    context = f"clause {clause} item {number} ({feature})"
    texts = (feature, f"{feature}({qualifier})" if qualifier else feature)
    d = ctx.decision(clause, number, *texts)
    if d is not None:
        if d.kind == "arc":
            row.decision = d.label()
        else:
            geom, used = decided_line(ctx, d, feature, context)
            row.decision, row.features = d.label(), used
            return BaseLine(geom, f"{feature} ({used})")
    name = feature
    stem = next((x for x in section_stems(feature) if ctx.network.has(x)), None)
    if not ctx.network.has(feature) and stem:
        name = stem
        row.warn(f"{feature}: drawn as the stretch of {stem} between its junctions")
    if not ctx.network.has(name) and parse_endpoint(feature).kind == "feature":
        # An unnamed road (未命名道路) may be drawn under its qualifier (裕丰国际城南侧道路).
        if qualifier and ctx.network.has(qualifier):
            name = qualifier
        else:
            raise BuildError(
                f"{context}: no feature named {feature!r} in the network"
                + (f" (qualifier {qualifier!r})" if qualifier else "")
                + f"; closest: {', '.join(ctx.network.suggest(feature)) or 'none'}. Fix: add "
                f"a decision row '{clause},{number},{feature},road:<road_id>,<why>' or an alias"
            )
    geom, notes = ctx.resolver.feature_line(name, context)
    row.features = row.features or normalize(name)
    for note in notes:
        if "polygon" in note:
            row.warn(note)
    return BaseLine(geom, normalize(feature))


def road_line(ctx: BuildContext, clause: str, features: Iterable[str], row: ReportRow) -> BaseLine:
    """The line of one road under one or several names (双洲路至都梁路), or its decision."""
    features = tuple(features)
    joined = "-".join(features)
    d = ctx.decision(clause, "road", joined, *features)
    if d is not None:
        geom, used = decided_line(ctx, d, joined, f"{clause} road")
        row.decision, row.features = d.label(), used
        return BaseLine(geom, f"{joined} ({used})")
    geoms = [ctx.resolver.feature_line(f, f"{clause} road {f!r}")[0] for f in features]
    merged = (merge_lines(geoms, ctx.network.snap_m, hairpins=True) if len(geoms) > 1
              else geoms[0])
    row.features = joined
    return BaseLine(merged, joined)


def endpoint_candidates(ctx: BuildContext, clause: str, item: str, base: BaseLine, text: str,
                        row: ReportRow) -> list[Junction]:
    """Candidates for a corridor/route endpoint, through its decision if there is one."""
    context = f"{clause} {item} {text!r}"
    d = ctx.decision(clause, item, text)
    if d is not None:
        row.decision = join_notes(row.decision, d.label())
        if d.kind == "point":
            return [snapped_point(ctx, d, base, None, text, context, row)]
        if d.kind == "edge":
            return edge_candidates(ctx, d, base, text, context)
        if d.kind == "end":
            part = base.parts[0] if d.value == "start" else base.parts[-1]
            x, y = shapely.get_coordinates(part)[0 if d.value == "start" else -1]
            return [Junction(float(x), float(y), f"{text} ({d.value} of road)")]
        if d.kind == "crossing":
            cands, notes = ctx.resolver.candidates(base, parse_endpoint(text), context)
            return nth_crossing(cands, int(d.value), context)
        if d.kind in ("road", "water", "landmark", "feature", "junction"):
            geom, used = decided_line(ctx, d, text, context)
            found = ctx.resolver.crossings(base, geom, f"{text} ({used})")
            if not found:
                raise JunctionError(
                    f"{context}: {base.label} does not meet {used} "
                    f"({float(shapely.distance(base.geom, geom)):.1f} m apart)")
            return found
    cands, notes = ctx.resolver.candidates(base, parse_endpoint(text), context)
    for n in notes:
        if "short of" in n or "polygon" in n:
            row.warn(n)
    return cands


def snapped_point(ctx: BuildContext, d: Decision, base: BaseLine, other: BaseGeometry | None,
                  text: str, context: str, row: ReportRow) -> Junction:
    """A decided point, moved to the nearest crossing within the snap tolerance."""
    x, y = d.point()
    try:
        if other is not None:
            cands = ctx.resolver.crossings(base, other, text)
        else:
            cands, _ = ctx.resolver.candidates(base, parse_endpoint(text), context)
    except LandgradeError:
        cands = []
    if cands:
        dist = [float(np.hypot(c.x - x, c.y - y)) for c in cands]
        k = int(np.argmin(dist))
        if dist[k] <= ctx.tolerance_m:
            if dist[k] > 0.01:
                row.warn(f"decided point {x:.1f} {y:.1f} moved {dist[k]:.2f} m to the "
                         f"crossing of {base.label} and {text}")
            return Junction(cands[k].x, cands[k].y, f"{text} (decided point)")
    return Junction(x, y, f"{text} (decided point)")


def edge_candidates(ctx: BuildContext, d: Decision, base: BaseLine, text: str,
                    context: str) -> list[Junction]:
    """Where the base line crosses the edge of the decided grade's zone."""
    grade = int(d.value)
    if grade not in ctx.resolver.grades:
        raise BuildError(f"{context}: {d.label()}: grade {grade} is not built before this "
                         f"clause (built: {sorted(ctx.resolver.grades) or 'none'})")
    edge = shapely.boundary(ctx.resolver.grades[grade])
    found = ctx.resolver.crossings(base, edge, f"{text} (edge of grade {grade})")
    if not found:
        raise JunctionError(f"{context}: {base.label} does not cross the edge of grade "
                            f"{grade} ({d.label()})")
    return found


def stretch_between(ctx: BuildContext, clause: str, base: BaseLine, start: str, end: str,
                    row: ReportRow) -> tuple[LineString, Junction, Junction, MultiPoint]:
    """The sub-line of a road between two endpoint texts; ambiguity → the shortest pair.

    Also every end it could have taken (for review), the chosen two among them."""
    pairs = stretch_options(ctx, clause, base, start, end, row)
    line, a, b = pairs[0]
    if stretch_count(pairs) > 1:
        row.warn(f"{stretch_count(pairs)} possible stretches between {start} and {end}; took "
                 f"the shortest ({line.length:.1f} m)")
    points = sorted({(j.x, j.y) for _, ja, jb in pairs for j in (ja, jb)})
    if len(pairs) > stretch_count(pairs):
        row.features = join_notes(row.features, f"ends among {len(points)} crossing points "
                                  "(dual carriageways)")
    return line, a, b, shapely.multipoints(points)


def stretch_options(ctx: BuildContext, clause: str, base: BaseLine, start: str, end: str,
                    row: ReportRow) -> list[tuple[LineString, Junction, Junction]]:
    """Every sub-line between a candidate of each endpoint, shortest first."""
    ca = endpoint_candidates(ctx, clause, "from", base, start, row)
    cb = endpoint_candidates(ctx, clause, "to", base, end, row)
    options, errors = [], []
    for a, b in itertools.product(ca, cb):
        try:
            line = _run_on_to_centres(base.stretch(a, b), a, b)
        except JunctionError as e:
            errors.append(str(e))
            continue
        if line.length > ctx.tolerance_m:
            options.append((line, a, b))
    if not options:
        why = errors[0] if errors else f"{start} and {end} are the same point on {base.label}"
        raise JunctionError(
            f"{clause}: no stretch of {base.label} from {start} to {end}: {why}")
    options.sort(key=lambda t: t[0].length)
    return options


def stretch_count(options: list[tuple[LineString, Junction, Junction]]) -> int:
    """How many different stretches the options are: pairs of junctions, each junction one
    whichever carriageway of a dual road it was found on (a choice of carriageway is no
    ambiguity)."""
    return len({(a.node, b.node) for _, a, b in options})


def section_stems(name: str) -> list[str]:
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


def nth_crossing(cands: list[Junction], n: int, context: str) -> list[Junction]:
    """The junction a ``crossing:n`` decision picks (counted from 1 along the road): its
    candidates, one per carriageway it was found on."""
    count = junction_count(cands)
    if not 1 <= n <= count:
        raise BuildError(f"{context}: decision crossing:{n}, but there are {count} crossings")
    return [c for c in cands if c.node == n - 1]
