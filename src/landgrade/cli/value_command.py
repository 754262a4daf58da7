"""``landgrade value``: the typer command (its body is :mod:`landgrade.cli.value`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from landgrade.cli import value_options as vo
from landgrade.cli.shell import CountyOpt, LangOpt, LayerOpt, MapOpt, friendly, point_of
from landgrade.errors import LandgradeError


@friendly
def value(
    target: Annotated[str, typer.Argument(help="X (or X,Y), or a file of parcels or points.")],
    y: Annotated[float | None, typer.Argument(help="Y, when TARGET is X.")] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="For a FILE: the output file (any format assign writes).")] = None,
    use: Annotated[str | None, typer.Option(help="Land use (商服用地, …) of every row.")] = None,
    use_field: vo.UseFieldOpt = None,
    term: vo.TermOpt = None, term_field: vo.TermFieldOpt = None,
    plot_ratio: vo.PlotRatioOpt = None, plot_ratio_field: vo.PlotRatioFieldOpt = None,
    date: vo.DateOpt = None, date_field: vo.DateFieldOpt = None,
    factor: vo.FactorOpt = None, factor_field: vo.FactorFieldOpt = None,
    development: vo.DevelopmentOpt = None, development_field: vo.DevelopmentFieldOpt = None,
    area: vo.AreaOpt = None, area_field: vo.AreaFieldOpt = None,
    allow_expired: vo.AllowExpiredOpt = False,
    crs: Annotated[str | None, typer.Option(
        help="EPSG:4326 (default for X Y and CSV), gcj02, bd09, …")] = None,
    map_path: MapOpt = None,
    county: CountyOpt = None,
    lang: LangOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (a point).")] = False,
    layer: LayerOpt = None,
    sheet: Annotated[str | None, typer.Option(help="Excel sheet (default: the first).")] = None,
    encoding: Annotated[str | None, typer.Option(
        help="Text encoding (default: the .cpg, else UTF-8 or GBK).")] = None,
    x_field: Annotated[str | None, typer.Option(help="CSV x column (default: detected).")] = None,
    y_field: Annotated[str | None, typer.Option(help="CSV y column (default: detected).")] = None,
    progress: Annotated[bool, typer.Option(help="Progress bar on stderr.")] = True,
) -> None:
    """A parcel's price by the coefficient method (基准地价系数修正法).

    P = P_base × (1 + ΣK) × K_date × K_plot_ratio × K_term ± D, with the county's correction
    tables (corrections/*.csv). For a point: the 测算 step by step. For a FILE: every row valued
    into -o OUT. No price where a needed input or correction is missing: value_status says which.
    """
    from landgrade.cli import value as body

    options = vo.valuation_options(
        use=use, use_field=use_field, term=term, term_field=term_field, plot_ratio=plot_ratio,
        plot_ratio_field=plot_ratio_field, date=date, date_field=date_field, factor=factor,
        factor_field=factor_field, development=development, development_field=development_field,
        area=area, area_field=area_field, allow_expired=allow_expired)
    if y is not None or (not Path(target).exists() and output is None):
        if output is not None:
            raise LandgradeError("-o is for a FILE; a point's 测算表 is written by "
                                 "landgrade report X Y --valuation … -o OUT.pdf")
        px, py = point_of(target, y)
        body.value_point(px, py, options, crs=crs or "EPSG:4326", map_path=map_path,
                         county=county, lang=lang, as_json=as_json)
        return
    if output is None:
        raise LandgradeError(f"{target}: give -o OUT for the valued rows")
    from landgrade.jobs.read_options import ReadOptions
    from landgrade.jobs.value import value_file_command

    value_file_command(Path(target), output, options, crs=crs, map_path=map_path, county=county,
                       read=ReadOptions(layer=layer, sheet=sheet, encoding=encoding,
                                        x_field=x_field, y_field=y_field),
                       progress=progress, lang=lang)
