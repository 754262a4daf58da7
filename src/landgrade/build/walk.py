"""Walks: a boundary described turn by turn (西起…向南…折向东…穿越…与起点形成闭合线).

The walk is traced as a surveyor would pace it (the steps are
:class:`~landgrade.gazette.rules.WalkStep`):

- ``start``: the first point: a landmark (its point, or the middle of its outline), or where
  two features cross (``汉口路延长线,北京路以西100米处``; a road said to be extended, 延长线, is
  run on straight until it meets the other); a single road alone is where the first leg
  along another feature meets it;
- ``head``/``turn`` (向南, 折向东): from here the walk goes straight in that compass direction;
- ``along`` (沿汉口路、长春路): the walk follows the features in turn, each until it meets the
  next, in the direction of travel;
- ``parallel`` (距离文昌路40米平行, 平行西宁路): it follows the line that distance from the
  feature's centreline (without a distance: as far as the walk is from it now), on the side the
  walk is on;
- ``to`` (至相府路, 延伸至金昌路以南40米处, 至供销社): the leg ends where it first reaches the
  feature (its line, its offset line, a landmark's outline), going on in the direction of travel;
  a landmark point, or an outline the leg passes beside, ends it abreast; two features
  (至乙路与丙路交叉处) are the point where they cross;
- ``extend`` (延伸40米): the leg goes on that far;
- ``cross`` (穿越西大街): features the next leg must cross — not boundary; a leg that does not
  cross them is a warning (a sign of a misread step);
- ``close`` (与起点形成闭合线): back to the start.

The zone is what the closed path encloses. Every leg is a report row with its length; a leg
that cannot be traced is an error naming the step.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from landgrade.build.boundaries import resolved_boundary
from landgrade.build.context import BuildContext, BuildError, Clause, join_notes
from landgrade.build.geometry import GRID_M, extend_to_extent
from landgrade.build.report import ReportRow
from landgrade.gazette.rules import Offset, RingItem, Walk, WalkStep
from landgrade.network.junctions import COMPASS
from landgrade.text import normalize

_CHINESE = {"E": "东", "W": "西", "S": "南", "N": "北", "NE": "东北", "SE": "东南", "SW": "西南",
            "NW": "西北"}
# A leg that passes a target this close (metres) ends abreast of it, with a note.
_ABREAST_M = 100.0
# A start named as one feature's meeting with another (红棉路与荷新路交叉处).
_MEETING = re.compile(r"^与(?P<other>.+?)(?:交叉|交汇|相交|交界)(?:处|口|点)?$")
_OPS = {"start": "起", "head": "向", "turn": "折向", "along": "沿", "to": "至", "cross": "穿越",
        "parallel": "平行", "extend": "延伸", "close": "回到起点"}


class _Walker:
    """The walk's state: where it is, which way it goes, what it follows."""

    def __init__(self, ctx: BuildContext, clause: Clause) -> None:
        self.ctx, self.clause = ctx, clause
        self.pos: np.ndarray | None = None
        self.start: np.ndarray | None = None
        self.start_line: BaseGeometry | None = None
        self.heading: np.ndarray | None = None
        self.follow: BaseGeometry | None = None  # the line followed; None: straight on
        self.last_target: BaseGeometry | None = None  # the feature the last leg went to
        self.path: list[np.ndarray] = []
        self.to_cross: list[tuple[str, BaseGeometry]] = []
        minx, miny, maxx, maxy = ctx.extent.bounds
        self.reach = 2 * float(np.hypot(maxx - minx, maxy - miny))

    # -- where the walk is --------------------------------------------------------------------
    def move_to(self, xy: np.ndarray) -> None:
        self.pos = np.asarray(xy, dtype=float)
        if self.start is None:
            self.start = self.pos
        self.path.append(self.pos)

    def here(self, step: int) -> np.ndarray:
        if self.pos is None:
            raise self.error(step, "the walk has no starting point yet (西起/南起 a landmark or "
                             "a crossing of two features)")
        return self.pos

    def error(self, step: int, why: str) -> BuildError:
        c = self.clause
        return BuildError(f"grade {c.grade}, area {c.area} (clause {c.id}) step {step}: {why}; "
                          "fix the network or add a decision")


def draw_walk(ctx: BuildContext, clause: Clause, walk: Walk) -> BaseGeometry:
    """The area the walk's closed path encloses."""
    head = ReportRow("walk", clause.id, text=_wording(walk.steps), grade=clause.grade,
                     area=clause.area)
    ctx.rows.append(head)
    w = _Walker(ctx, clause)
    legs: list[ReportRow] = []
    leg = _leg_row(clause, 1)
    leg_start = 0
    for n, step in enumerate(walk.steps, start=1):
        _step(w, n, step, leg)
        leg.text = (leg.text + " " if leg.text else "") + _step_text(step)
        if step.op in ("to", "extend", "close") or (step.op == "along" and len(step.items) > 1):
            moved = w.path[leg_start:]
            leg.length_m = _length(moved)
            _check_crossed(w, moved, leg)
            ctx.record(leg, line=LineString(moved) if len(moved) > 1 else None)
            legs.append(leg)
            leg = _leg_row(clause, len(legs) + 1)
            leg_start = max(len(w.path) - 1, 0)
    if leg.text:
        legs.append(leg)
    if w.start is None or len(w.path) < 3:
        raise w.error(len(walk.steps), "the walk does not trace a closed line")
    if walk.steps[-1].op != "close":
        head.warn("the text does not close the walk (与起点形成闭合线); closed straight back to "
                  "the start")
    coords = np.vstack([*w.path, w.start])
    path = LineString(coords)
    faces = shapely.get_parts(shapely.polygonize([shapely.node(path)]))
    area = shapely.union_all(faces, grid_size=GRID_M) if len(faces) else Polygon()
    if not shapely.is_simple(path):
        head.warn("the walked line crosses itself (check its legs on the review page)")
    ctx.rows.extend(legs)
    head.length_m, head.area_m2 = path.length, float(area.area)
    if area.is_empty:
        head.impossible("the walked line encloses no area")
    ctx.record(head, area=area, path=path)
    return area


def _leg_row(clause: Clause, k: int) -> ReportRow:
    return ReportRow("item", clause.id, grade=clause.grade, area=clause.area, item=str(k))


def _step(w: _Walker, n: int, step: WalkStep, row: ReportRow) -> None:
    """Apply one step to the walker."""
    op = step.op
    if op == "start":
        _start(w, n, step, row)
    elif op in ("head", "turn"):
        if step.direction is None:
            raise w.error(n, f"{_OPS[op]}: no direction")
        w.heading = np.array(COMPASS[step.direction])
        if op == "turn":  # 折向: leaves the line followed (沿X向东 keeps to it)
            w.follow = None
    elif op == "along":
        lines = [_line(w, n, it, row) for it in step.items]
        if w.pos is None and w.start_line is not None:
            w.move_to(_crossing(w, n, w.start_line, lines[0], row))
        _join(w, n, lines[0])
        for a, b in itertools.pairwise(lines):
            _advance_along(w, n, a, b, row)
            _join(w, n, b)
    elif op == "parallel":
        _parallel(w, n, step, row)
    elif op == "cross":
        w.to_cross += [(it.feature, _line(w, n, it, row)) for it in step.items]
    elif op == "to":
        if len(step.items) >= 2:  # 至乙路与丙路交叉处: the point where the two cross
            a, b = (_line(w, n, it, row, near=w.here(n)) for it in step.items[:2])
            target: BaseGeometry = Point(*_crossing(w, n, a, b, row, extend_first=True))
        else:
            target = _line(w, n, step.items[0], row, near=w.here(n))
        if w.follow is None:
            _advance_straight(w, n, target, step.items[0], row)
        else:
            _advance_along(w, n, w.follow, target, row)
        w.last_target = target
    elif op == "extend":
        if step.distance_m is None:
            raise w.error(n, "延伸: no distance")
        _extend(w, n, step.distance_m)
    elif op == "close":
        _close(w, n, row)


def _start(w: _Walker, n: int, step: WalkStep, row: ReportRow) -> None:
    items = step.items
    m = _MEETING.match(normalize(items[0].qualifier or "")) if len(items) == 1 else None
    if m:  # 红棉路(与荷新路交叉处): where the two cross
        items = (RingItem(items[0].feature), RingItem(m.group("other")))
    if len(items) >= 2:
        a, b = (_line(w, n, it, row) for it in items[:2])
        w.move_to(_crossing(w, n, a, b, row, extend_first=True))
        return
    item = items[0]
    net = w.ctx.network
    for name in (item.feature, item.landmark):
        if name and net.has(name) and net.kind(name) in ("landmark", "admin"):
            geom = net.feature(name)
            xy = (shapely.get_coordinates(geom).mean(axis=0) if shapely.get_dimensions(geom) == 0
                  else shapely.get_coordinates(shapely.point_on_surface(geom))[0])
            row.features = join_notes(row.features, f"starts at {name} ({xy[0]:.1f} "
                                      f"{xy[1]:.1f})")
            w.move_to(xy)
            return
    w.start_line = _line(w, n, item, row)


def _close(w: _Walker, n: int, row: ReportRow) -> None:
    """Back to the start: along the line the walk is on when the start lies on it too (the
    feature the last leg followed or went to), else straight."""
    here, start = w.here(n), w.start
    assert start is not None
    tol = max(w.ctx.tolerance_m, 1.0)
    for line in (w.follow, w.last_target):
        if line is None or shapely.get_dimensions(line) != 1:
            continue
        parts = [p for p in shapely.get_parts(shapely.line_merge(line)) if p.length > 0]
        for part in parts:
            if (part.distance(Point(*here)) <= tol and part.distance(Point(*start)) <= tol):
                s0, s1 = part.project(Point(*here)), part.project(Point(*start))
                for xy in shapely.get_coordinates(substring(part, s0, s1))[1:]:
                    w.move_to(xy)
                row.features = join_notes(row.features, "back to the start along the line")
                w.move_to(start)
                return
    w.move_to(start)


def _line(w: _Walker, n: int, item: RingItem, row: ReportRow,
          near: np.ndarray | None = None) -> BaseGeometry:
    """The boundary line an item stands for; a point landmark stays a point."""
    net = w.ctx.network
    for name in (item.feature, item.landmark):
        if (name and net.has(name) and net.kind(name) == "landmark" and item.edge is None
                and shapely.get_dimensions(net.feature(name)) != 1):
            geom = net.feature(name)
            # A landmark the walk goes to: its outline (or point), reached or passed abreast.
            return shapely.boundary(geom) if shapely.get_dimensions(geom) == 2 else geom
    b = resolved_boundary(w.ctx, w.clause.id, f"step {n}", item, row,
                          near=Point(*near) if near is not None else None)
    for note in b.notes:
        row.features = join_notes(row.features, note)
    if item.qualifier and "延长" in item.qualifier:
        ext = extend_to_extent(b.line, w.ctx.extent)
        row.features = join_notes(row.features, f"{item.feature} run on straight "
                                  f"({ext.grown_m:.1f} m, 延长线)")
        return ext.line
    return b.line


def _crossing(w: _Walker, n: int, a: BaseGeometry, b: BaseGeometry, row: ReportRow,
              extend_first: bool = False) -> np.ndarray:
    """Where two lines cross (the one nearest the middle of their crossings); the first run on
    straight to meet the second when ``extend_first`` and they do not cross."""
    hit = shapely.get_coordinates(shapely.intersection(a, b))
    if not len(hit) and extend_first:
        a = extend_to_extent(a, w.ctx.extent, stop_at=b).line
        hit = shapely.get_coordinates(shapely.intersection(a, b))
    if not len(hit):
        gap = float(shapely.distance(a, b))
        if gap > w.ctx.tolerance_m:
            raise w.error(n, f"the two features of the starting point do not meet ({gap:.1f} m "
                          "apart)")
        hit = shapely.get_coordinates(shapely.shortest_line(a, b))
    return hit[0]


def _join(w: _Walker, n: int, line: BaseGeometry) -> None:
    """Step onto a line the walk now follows (the foot of the current point on it)."""
    here = w.here(n)
    foot = shapely.get_coordinates(shapely.shortest_line(Point(*here), line))[1]
    if np.hypot(*(foot - here)) > 1e-6:
        w.move_to(foot)
    w.follow = line


def _parallel(w: _Walker, n: int, step: WalkStep, row: ReportRow) -> None:
    """Follow the line parallel to a feature, at the stated distance or at the current one."""
    here = w.here(n)
    item = step.items[0]
    base = _line(w, n, RingItem(item.feature, qualifier=item.qualifier), row)
    distance = step.distance_m
    if distance is None:
        distance = float(shapely.distance(Point(*here), base))
    offset = RingItem(item.feature, qualifier=item.qualifier, offset=Offset(None, distance))
    line = _line(w, n, offset, row, near=here)
    row.features = join_notes(row.features, f"parallel to {item.feature} at {distance:.1f} m")
    _join(w, n, line)


def _advance_straight(w: _Walker, n: int, target: BaseGeometry, item: RingItem,
                      row: ReportRow) -> None:
    """Go straight on from here to where the heading first meets ``target``."""
    here = w.here(n)
    if w.heading is None:
        raise w.error(n, f"至{item.feature}: no direction to go in (向/折向 a direction first)")
    ray = LineString([here, here + w.reach * w.heading])
    hits = shapely.get_coordinates(shapely.intersection(ray, target))
    ahead = (hits - here) @ w.heading if len(hits) else np.empty(0)
    hits, ahead = (hits[ahead > 0.5], ahead[ahead > 0.5]) if len(hits) else (hits, ahead)
    if len(hits):
        w.move_to(hits[int(np.argmin(ahead))])
        return
    # A point, or an outline the leg passes beside: abreast of its nearest point.
    near = shapely.get_coordinates(shapely.shortest_line(ray, target))
    miss = float(np.hypot(*(near[1] - near[0])))
    along = float((near[1] - here) @ w.heading)
    if miss > _ABREAST_M or along <= 0:
        raise w.error(n, f"going {_direction_name(w.heading)} from {here[0]:.1f} {here[1]:.1f} "
                      f"the walk never reaches {item.feature} (it passes {miss:.1f} m away)")
    if shapely.get_dimensions(target) != 0:
        row.features = join_notes(row.features, f"abreast of {item.feature} ({miss:.1f} m "
                                  "beside the leg)")
    w.move_to(here + along * w.heading)


def _advance_along(w: _Walker, n: int, line: BaseGeometry, target: BaseGeometry,
                   row: ReportRow) -> None:
    """Follow ``line`` from here, in the direction of travel, to where it meets ``target``."""
    here = w.here(n)
    parts = [p for p in shapely.get_parts(shapely.line_merge(line)) if p.length > 0]
    part = min(parts, key=lambda p: p.distance(Point(*here)))
    s0 = part.project(Point(*here))
    hits = shapely.get_coordinates(shapely.intersection(part, target))
    if not len(hits) and shapely.get_dimensions(target) == 0:
        hits = shapely.get_coordinates(target)
    if not len(hits) and len(parts) > 1:
        # A road in sections: the target is met by another section, ahead.
        ahead = _ahead_on_other_parts(w, here, parts, part, target)
        if ahead is not None:
            # Along this section to its end, across to the next, along it to the target.
            s0 = part.project(Point(*here))
            forward = w.heading is None or float(_tangent(part, s0) @ w.heading) >= 0
            for xy in shapely.get_coordinates(
                    substring(part, s0, part.length if forward else 0.0))[1:]:
                w.move_to(xy)
            nxt = min((p for p in parts if p is not part), key=lambda p: p.distance(Point(*ahead)))
            a, b = nxt.project(Point(*w.here(n))), nxt.project(Point(*ahead))
            for xy in shapely.get_coordinates(substring(nxt, a, b)):
                w.move_to(xy)
            row.features = join_notes(row.features, "across a gap between sections of the "
                                      "line followed")
            w.heading = _tangent(nxt, b) * (1.0 if b >= a else -1.0)
            return
    if not len(hits):
        gap = float(shapely.distance(part, target))
        raise w.error(n, f"the line followed does not meet the next feature ({gap:.1f} m apart)")
    at = shapely.line_locate_point(part, shapely.points(hits))
    tangent = _tangent(part, s0)
    sign = 1.0
    if w.heading is not None and float(tangent @ w.heading) < 0:
        sign = -1.0
    ahead = (at - s0) * sign
    if not (ahead > 0.5).any():
        raise w.error(n, "the next feature lies behind the direction of travel along the line")
    s1 = float(at[ahead > 0.5][np.argmin(ahead[ahead > 0.5])])
    stretch = shapely.get_coordinates(substring(part, s0, s1))
    for xy in stretch[1:]:
        w.move_to(xy)
    w.heading = _tangent(part, s1) * sign
    w.follow = line


def _ahead_on_other_parts(w: _Walker, here: np.ndarray, parts: list[LineString],
                          part: LineString, target: BaseGeometry) -> np.ndarray | None:
    """The nearest point ahead (in the direction of travel) where another section of the line
    followed meets ``target``; None if there is none."""
    if w.heading is None:
        return None
    others = [p for p in parts if p is not part]
    hits = shapely.get_coordinates(shapely.intersection(shapely.union_all(others), target))
    if not len(hits):
        return None
    ahead = (hits - here) @ w.heading
    if not (ahead > 0.5).any():
        return None
    return hits[ahead > 0.5][np.argmin(ahead[ahead > 0.5])]


def _extend(w: _Walker, n: int, distance: float) -> None:
    here = w.here(n)
    if w.follow is None:
        if w.heading is None:
            raise w.error(n, "延伸: no direction to go in")
        w.move_to(here + distance * w.heading)
        return
    parts = [p for p in shapely.get_parts(shapely.line_merge(w.follow)) if p.length > 0]
    part = min(parts, key=lambda p: p.distance(Point(*here)))
    s0 = part.project(Point(*here))
    sign = 1.0 if w.heading is None or float(_tangent(part, s0) @ w.heading) >= 0 else -1.0
    s1 = min(max(s0 + sign * distance, 0.0), part.length)
    for xy in shapely.get_coordinates(substring(part, s0, s1))[1:]:
        w.move_to(xy)


def _tangent(part: LineString, s: float) -> np.ndarray:
    a = shapely.get_coordinates(part.interpolate(max(s - 1.0, 0.0)))[0]
    b = shapely.get_coordinates(part.interpolate(min(s + 1.0, part.length)))[0]
    d = b - a
    return d / (np.hypot(*d) or 1.0)


def _check_crossed(w: _Walker, moved: list[np.ndarray], row: ReportRow) -> None:
    """Warn about features the text says this leg crosses (穿越) and it does not."""
    if len(moved) > 1 and w.to_cross:
        leg = LineString(moved)
        missed = [name for name, g in w.to_cross if not shapely.intersects(leg, g)]
        if missed:
            row.warn(f"the leg does not cross {'、'.join(missed)} as the text says (穿越)")
    w.to_cross = []


def _length(points: list[np.ndarray]) -> float:
    return float(LineString(points).length) if len(points) > 1 else 0.0


def _direction_name(v: np.ndarray) -> str:
    return max(COMPASS, key=lambda d: float(np.array(COMPASS[d]) @ v))


def _step_text(step: WalkStep) -> str:
    names = "、".join(i.feature for i in step.items)
    if step.op in ("head", "turn"):
        return f"{_OPS[step.op]}{_CHINESE.get(step.direction or '', '')}"
    if step.op == "extend":
        return f"延伸{step.distance_m:g}米" if step.distance_m is not None else "延伸"
    if step.op == "parallel" and step.distance_m is not None:
        return f"距离{names}{step.distance_m:g}米平行"
    if step.op == "start":
        return f"{_CHINESE.get(step.direction or '', '')}起{names}"
    return f"{_OPS[step.op]}{names}"


def _wording(steps: tuple[WalkStep, ...]) -> str:
    return "，".join(_step_text(s) for s in steps)
