"""``landgrade build``: build a grade map, write it styled, print its report."""

from __future__ import annotations

from pathlib import Path

from landgrade.build.builder import BuildInputs, build_from
from landgrade.build.grade_map import GradeMap
from landgrade.build.report import format_report, summary_lines
from landgrade.gazette.county import county_inputs
from landgrade.gazette.labels import SCHEMATIC_NOTE


def build_command(
    output: Path,
    inputs: BuildInputs,
    quiet: bool = False,
    report_csv: Path | None = None,
    review: Path | None = None,
) -> GradeMap:
    """``landgrade build``: build, write the GeoPackage (and the full report as CSV when asked),
    print the report table (100 columns wide) and a summary whose last line names the rows with
    warnings. ``review``: also write the review page there (``landgrade.outputs.review``)."""
    import typer

    from landgrade.io.atomic import check_output
    from landgrade.io.formats import TABLE_SUFFIXES
    from landgrade.io.tables import write_table
    from landgrade.outputs.export import write_grade_map
    from landgrade.outputs.review import PAGE_SUFFIXES, write_review

    inputs_read = [
        *county_inputs(inputs.county), inputs.rules, inputs.roads, inputs.water,
        inputs.landmarks, inputs.extent, inputs.routes, inputs.aliases, inputs.decisions,
        inputs.admin,
    ]
    check_output(output, inputs_read, suffixes=(".gpkg",))
    if review is not None:
        check_output(review, inputs_read, suffixes=PAGE_SUFFIXES)
    if report_csv is not None:
        check_output(report_csv, inputs_read, suffixes=TABLE_SUFFIXES)
    gm = build_from(inputs)
    # styled and priced, as `export` writes it; atomically: an interrupted build leaves no half map
    write_grade_map(gm, output, inputs.county)
    if review is not None:
        write_review(gm, review)
    if gm.report is not None and not quiet:
        typer.echo(format_report(gm.report))
    if gm.report is not None:
        for text in gm.report.loc[gm.report["kind"] == "input", "text"]:
            typer.echo(text)
    typer.echo(f"working CRS: {gm.metadata.get('crs')}")
    if gm.schematic:
        typer.echo(f"note: {SCHEMATIC_NOTE}; positions are approximate")
    typer.echo(f"wrote {output}")
    if review is not None:
        typer.echo(f"wrote {review}")
    if gm.report is not None and report_csv is not None:
        typer.echo(f"wrote {write_table(gm.report, report_csv)}")
    if gm.report is not None:
        for line in summary_lines(gm.report):
            typer.echo(line)
    return gm
