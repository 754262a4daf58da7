"""The residual (其他区域): what of the grading extent no better grade took.

``定级范围一、二、三、四级以外其他区域`` draws the whole extent; subtracting the better grades
(:func:`landgrade.build.builder.build_grade_map` draws them first) leaves the rest. Its report
row's area is the grade's own, known once the grade is drawn, so the row waits in
``ctx.rows_taking_grade_area``.
"""

from __future__ import annotations

from shapely.geometry.base import BaseGeometry

from landgrade.build.context import BuildContext, Clause
from landgrade.build.report import ReportRow
from landgrade.gazette.rules import Residual


def draw_residual(ctx: BuildContext, clause: Clause, residual: Residual) -> BaseGeometry:
    """The whole extent; the better grades are taken out of it by the build."""
    row = ReportRow("residual", clause.id, text="the rest of the extent", grade=clause.grade,
                    area=clause.area)
    ctx.rows.append(row)
    ctx.rows_taking_grade_area.append(row)
    return ctx.extent
