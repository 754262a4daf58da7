"""Administrative areas (行政区域): the land of named units — 街道, 镇, 乡, 村, 社区.

``展览路街道办事处所辖地域``, ``新兴镇、象溪镇…行政区域内``: the union of the units' polygons in the
administrative boundary layer (``landgrade build --admin FILE --admin-field NAME``, or the
county folder's ``admin.geojson``). A unit is found under its printed name, else without the
words that only say "its land" (办事处, 所辖地域, 行政区域, 辖区, 范围), else through the aliases.
A restriction the text adds that is not a boundary (``西直门外部分``, ``部分地域``) cannot be
cut without an analyst: the whole units are drawn and the report row warns.
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from landgrade.build.context import BuildContext, BuildError, Clause, join_notes
from landgrade.build.geometry import GRID_M, polygonal
from landgrade.build.region import HALF_PLANE_TEXT, half_plane_named
from landgrade.build.report import ReportRow
from landgrade.gazette.rules import AdminArea
from landgrade.text import normalize

# Words after a unit's name that say "the land of it", not part of the name.
_LAND_WORDS = ("所辖地域", "所辖区域", "行政区域内", "行政区域", "辖区范围", "辖区", "范围内",
               "范围", "办事处")


def draw_admin(ctx: BuildContext, clause: Clause, a: AdminArea) -> BaseGeometry:
    """The union of the named units' areas (see the module docstring)."""
    head = ReportRow("admin", clause.id, text="、".join(a.units), grade=clause.grade,
                     area=clause.area)
    ctx.rows.append(head)
    net = ctx.network
    if net.admin is None and net.landmarks is None:
        raise BuildError(
            f"grade {clause.grade}, area {clause.area} (clause {clause.id}): "
            f"{'、'.join(a.units)} is an administrative area; give the boundary layer of the "
            "units: landgrade build --admin FILE --admin-field NAME")
    areas = []
    for unit in a.units:
        name = unit_name(ctx, unit)
        if name is None:
            where = "administrative" if net.admin is not None else "landmarks (no --admin)"
            raise BuildError(
                f"grade {clause.grade}, area {clause.area} (clause {clause.id}): no unit named "
                f"{unit!r} in the {where} layer; closest: "
                f"{', '.join(net.suggest(unit)) or 'none'}. Add an alias row or give the layer "
                "with --admin FILE --admin-field NAME")
        area = net.area_of(name)
        if area.is_empty:
            raise BuildError(f"clause {clause.id}: {name} is drawn as a point or a line, not an "
                             "area; the administrative layer needs its polygon")
        if normalize(name) != normalize(unit):
            head.features = join_notes(head.features, f"{unit} as {name}")
        areas.append(area)
    area = shapely.union_all(areas, grid_size=GRID_M)
    if a.part:
        head.warn(f"the text means only {a.part!r} of it, which is not a boundary: drawn whole; "
                  "an analyst must cut it (a decision, or the part's own polygon)")
    if a.within:
        limit = None
        if HALF_PLANE_TEXT.match(normalize(a.within)):
            limit = half_plane_named(ctx, a.within, clause.id, head)
        elif unit_name(ctx, a.within) is not None:
            limit = net.area_of(unit_name(ctx, a.within) or "")
        if limit is None or limit.is_empty:
            head.warn(f"limit {a.within!r} is not drawn (no half-plane or area of that name)")
        else:
            area = polygonal(shapely.intersection(area, limit, grid_size=GRID_M))
    head.area_m2 = float(area.area)
    ctx.record(head, area=area)
    return area


def unit_name(ctx: BuildContext, unit: str) -> str | None:
    """The name an administrative unit is drawn under, or None."""
    net = ctx.network
    n = normalize(unit)
    candidates = [n]
    for word in _LAND_WORDS:
        if n.endswith(word) and len(n) > len(word) + 1:
            candidates.append(n[: -len(word)])
    candidates += [c[: -len("办事处")] for c in list(candidates) if c.endswith("办事处")]
    for c in candidates:
        if net.has(c) and net.kind(c) in ("admin", "landmark"):
            return c
    return None
