"""The state one build shares between the clause kinds: what each ``draw_<kind>`` receives.

A build draws the clauses of a grade-zone description one by one; each drawing function
(:mod:`landgrade.build.kinds`) gets the :class:`BuildContext` and the :class:`Clause` it
draws, appends its report rows to ``ctx.rows``, keeps the geometry each row was drawn from
with ``ctx.record`` (the review page shows it) and returns the clause's area.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import shapely
from shapely.geometry.base import BaseGeometry

from landgrade.build.decisions import Decision, Decisions
from landgrade.build.geometry import GRID_M
from landgrade.build.report import ReportRow
from landgrade.errors import LandgradeError
from landgrade.network.junctions import JunctionResolver
from landgrade.network.layers import Network


class BuildError(LandgradeError):
    """A clause cannot be drawn; the message names the grade, area, item and what to fix."""


@dataclass(frozen=True)
class Clause:
    """Which area of which grade a drawing function draws: ``id`` is ``G.A`` (``2.1``), the
    key of its report rows and of the analyst's decisions."""

    id: str
    grade: int
    area: int


@dataclass
class BuildContext:
    """The network a build draws on, the analyst's decisions, and what it has drawn so far.

    ``rows`` is the build report in order; ``clauses`` the geometry each row was drawn from
    (:attr:`GradeMap.clauses`); ``rows_taking_grade_area`` the rows whose area is their whole
    grade's, known only once every area of the grade is drawn (the residual's).
    ``resolver.grades`` holds the grades built so far (an ``edge:`` decision names one).
    ``default_frontage_m`` is the county's depth of road frontage for a text that gives none
    (metadata.json ``default_frontage_m``; see :func:`frontage_depth`). ``clause_prefix``
    starts every clause id of the build (``residential:`` for one use's description of a
    county graded per use).
    """

    network: Network
    decisions: Decisions
    tolerance_m: float
    default_frontage_m: float | None = None
    clause_prefix: str = ""
    rows: list[ReportRow] = field(default_factory=list)
    clauses: list[dict[str, Any]] = field(default_factory=list)
    rows_taking_grade_area: list[ReportRow] = field(default_factory=list)
    resolver: JunctionResolver = field(init=False)
    extent: BaseGeometry = field(init=False)

    def __post_init__(self) -> None:
        self.resolver = JunctionResolver(self.network, self.tolerance_m)
        self.extent = shapely.set_precision(self.network.extent, GRID_M)

    def decision(self, clause: str, item: str, *texts: str) -> Decision | None:
        """The analyst's decision for an item of a clause or route, if there is one."""
        return self.decisions.lookup(clause, item, tuple(texts))

    def record(self, row: ReportRow, **geoms: Any) -> None:
        """Keep the geometry a report row was drawn from, for review (see GradeMap.clauses);
        ``geoms`` by role: ``area``, ``path``, ``line``, ``point``, ``candidates``."""
        self.clauses.append({"row": row, **geoms})


class DrawClause(Protocol):
    """A clause kind's drawing function: the area of one clause, in the working CRS."""

    def __call__(self, ctx: BuildContext, clause: Clause, rule: Any, /) -> BaseGeometry: ...


def join_notes(a: str, b: str) -> str:
    """Two report notes as one (``a; b``), either of them possibly empty."""
    return f"{a}; {b}" if a and b else a or b


def frontage_depth(ctx: BuildContext, clause: Clause, stated: float | None, what: str,
                   row: ReportRow) -> float:
    """The depth of a frontage: as the text states it; else an analyst's ``width:<m>`` decision
    for the clause; else the county's ``default_frontage_m``. Never a guessed number: with
    none of them the clause cannot be drawn, and the error says how to give one."""
    if stated is not None:
        return float(stated)
    d = ctx.decision(clause.id, "width", what)
    if d is not None:
        row.decision = join_notes(row.decision, d.label())
        return float(d.value)
    if ctx.default_frontage_m is not None:
        row.features = join_notes(row.features, f"depth {ctx.default_frontage_m:g} m: the "
                                  "county's default_frontage_m (the text gives none)")
        return float(ctx.default_frontage_m)
    raise BuildError(
        f"grade {clause.grade}, area {clause.area} (clause {clause.id}): {what} gives no depth "
        "and the county sets no default_frontage_m; set \"default_frontage_m\" in the county's "
        f"metadata.json, or add a decision '{clause.id},width,{what},width:<metres>,<why>'")
