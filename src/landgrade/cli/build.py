"""``landgrade build``: build a grade map, write it styled, print its report."""

from __future__ import annotations

from pathlib import Path

from landgrade.build.builder import BuildInputs, build_from
from landgrade.build.grade_map import GradeMap
from landgrade.build.report import format_report, localized_report, summary_lines, worded
from landgrade.gazette.county import county_folder, county_inputs
from landgrade.gazette.labels import SCHEMATIC_NOTE, crs_label, lang_for, word


def build_command(
    output: Path,
    inputs: BuildInputs,
    quiet: bool = False,
    report_csv: Path | None = None,
    review: Path | None = None,
    lang: str | None = None,
) -> GradeMap:
    """``landgrade build``: build, write the GeoPackage (and the full report as CSV when asked),
    print the report table (100 columns wide) and a summary whose last line names the rows with
    warnings. ``review``: also write the review page there (``landgrade.outputs.review``).
    ``lang``: the language of everything printed and written (default: the county's)."""
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
    folder = (county_folder(inputs.county)
              if inputs.county is not None or inputs.rules is None else None)
    meta = folder.metadata if folder is not None else None
    lang = lang_for(lang, meta)
    check_output(output, inputs_read, suffixes=(".gpkg",))
    if review is not None:
        check_output(review, inputs_read, suffixes=PAGE_SUFFIXES)
    if report_csv is not None:
        check_output(report_csv, inputs_read, suffixes=TABLE_SUFFIXES)
    gm = build_from(inputs)
    # styled and priced, as `export` writes it; atomically: an interrupted build leaves no half map
    write_grade_map(gm, output, inputs.county, lang=lang)
    if review is not None:
        write_review(gm, review, lang=lang)
    if gm.report is not None and not quiet:
        typer.echo(format_report(gm.report, lang=lang))
    if gm.report is not None:
        for text in gm.report.loc[gm.report["kind"] == "input", "text"]:
            typer.echo(worded(text, lang))
    code = gm.metadata.get("crs")
    typer.echo(word("build_crs", lang, code=code, name=gm.crs.name, label=crs_label(code, lang)))
    if gm.schematic:
        note = SCHEMATIC_NOTE if lang == "en" else word("schematic_short", lang)
        typer.echo(word("build_schematic", lang, note=note))
    typer.echo(word("wrote", lang, path=output))
    if review is not None:
        typer.echo(word("wrote", lang, path=review))
    if gm.report is not None and report_csv is not None:
        table = localized_report(gm.report, lang, codes=False)
        typer.echo(word("wrote", lang, path=write_table(table, report_csv)))
    if gm.report is not None:
        for line in summary_lines(gm.report, lang):
            typer.echo(line)
    return gm

