"""Which function draws each clause kind: the one place a kind is registered.

A kind is a dataclass of :mod:`landgrade.gazette.rules` (what the parser makes of one area of
a grade) and a module of this package with one function
``draw_<kind>(ctx: BuildContext, clause: Clause, rule: <Kind>) -> BaseGeometry`` (see
:class:`landgrade.build.context.DrawClause`). To add a kind: write its module, and add one line
to :data:`DRAWERS`. The build calls the function for every area of that kind, best grade first,
and takes care of the rest (exclusions, higher grades winning, the partition of the extent).

What a drawing function does: append its report rows to ``ctx.rows`` (keyed ``clause.id``, with
``clause.grade`` and ``clause.area``; the last row appended gets the ``minus grade(s)`` note of
an ``exclude_grades`` rule), keep the geometry each row was drawn from with ``ctx.record``, warn
with ``row.warn`` / ``row.impossible``, raise :class:`~landgrade.build.context.BuildError`
naming the clause when it cannot be drawn, and return the area (clipped to the extent by the
build). The lines and junctions a clause names come from :mod:`landgrade.build.lines`, shared
geometry from :mod:`landgrade.build.geometry`, a half-plane from
:func:`landgrade.build.region.half_plane`.
"""

from __future__ import annotations

from landgrade.build.admin_area import draw_admin
from landgrade.build.context import DrawClause
from landgrade.build.corridor import draw_corridor
from landgrade.build.four_sides import draw_four_sides
from landgrade.build.frontage import draw_frontage
from landgrade.build.region import draw_region
from landgrade.build.residual import draw_residual
from landgrade.build.ring import draw_ring
from landgrade.build.walk import draw_walk
from landgrade.gazette.rules import (
    AdminArea,
    Corridor,
    FourSides,
    Frontage,
    Region,
    Residual,
    Ring,
    Walk,
)

DRAWERS: dict[type, DrawClause] = {
    Ring: draw_ring,
    Corridor: draw_corridor,
    Region: draw_region,
    Residual: draw_residual,
    FourSides: draw_four_sides,
    Walk: draw_walk,
    Frontage: draw_frontage,
    AdminArea: draw_admin,
}
"""The drawing function of each clause kind (a rules dataclass)."""
