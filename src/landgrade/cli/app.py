"""The ``landgrade`` command. Each command is a thin shell over one module's public API.

typer is used because the commands are plain typed functions: the same signatures document the
options, and ``--help`` comes from the type hints and docstrings without a second description.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from landgrade.cli import value_options as vo
from landgrade.cli.shell import (
    CountyOpt,
    LangOpt,
    LayerOpt,
    MapOpt,
    UseFieldOpt,
    UseStandardOpt,
    app,
    default_lang,
    friendly,
    point_of,
)
from landgrade.cli.value_command import value as value_command
from landgrade.errors import LandgradeError


# --- prices (prices.py) ---------------------------------------------------------------------
@app.command()
@friendly
def prices(
    county: CountyOpt = None,
    town: Annotated[str | None, typer.Option(help="A town (乡镇) name, e.g. 高沙镇.")] = None,
    grade: Annotated[int | None, typer.Option(help="One grade, with its connotation.")] = None,
    routes: Annotated[
        bool, typer.Option("--routes", help="List the road-line price segments (路线价) instead.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Also write the table: .csv or .xlsx.")
    ] = None,
    lang: LangOpt = None,
) -> None:
    """Print the price tables: urban, one town's, or road-line."""
    from landgrade.cli.prices import print_prices

    print_prices(county, town=town, grade=grade, routes=routes, output=output, lang=lang)


# --- convert (convert.py) ---------------------------------------------------------------------
@app.command()
@friendly
def convert(
    x: Annotated[float, typer.Argument(help="Easting or longitude.")],
    y: Annotated[float, typer.Argument(help="Northing or latitude.")],
    from_crs: Annotated[
        str, typer.Option("--from", help="EPSG:xxxx, gcj02 or bd09.")
    ] = "EPSG:4326",
    to_crs: Annotated[str, typer.Option("--to", help="EPSG:xxxx, gcj02 or bd09.")] = "EPSG:4546",
    lang: LangOpt = None,
) -> None:
    """Convert one coordinate between two systems; prints `X Y`."""
    from landgrade.cli.convert import convert_command

    convert_command(x, y, from_crs, to_crs, lang=default_lang(lang))


# --- parse (parse.py) ------------------------------------------------------------------------
@app.command()
@friendly
def parse(
    file: Annotated[
        Path, typer.Argument(help="Grade-zone description (土地级别范围描述) text file (UTF-8).")
    ],
    text: Annotated[bool, typer.Option("--text", help="Print canonical gazette wording.")] = False,
    lang: LangOpt = None,
    keep_going: Annotated[bool, typer.Option(
        "--keep-going", help="Print every area that reads; one line per refused area on "
        "stderr; exit 2 if any was refused.")] = False,
    names: Annotated[Path | None, typer.Option(
        help="Feature names of the network, one per line: a name holding a connective "
        "(至善路) is accepted only when listed.")] = None,
) -> None:
    """Parse a grade-zone description into rules (JSON).

    FILE is a description, or a county folder: each use's description as metadata.json names
    them."""
    from landgrade.cli.parse import parse_command

    parse_command(file, as_text=text, keep_going=keep_going, names=names,
                  lang=default_lang(lang))


# --- build (build.py) ------------------------------------------------------------------------
@app.command()
@friendly
def build(
    output: Annotated[Path, typer.Option("-o", "--output", help="Output GeoPackage.")],
    county: CountyOpt = None,
    rules: Annotated[Path | None, typer.Option(help="Grade-zone description text.")] = None,
    roads: Annotated[Path | None, typer.Option(help="Road centrelines.")] = None,
    water: Annotated[Path | None, typer.Option(help="Rivers, ditches.")] = None,
    landmarks: Annotated[Path | None, typer.Option(help="Landmarks.")] = None,
    extent: Annotated[Path | None, typer.Option(help="Grading extent polygon.")] = None,
    routes: Annotated[Path | None, typer.Option(help="Road-line price routes CSV.")] = None,
    aliases: Annotated[Path | None, typer.Option(help="alias,name CSV.")] = None,
    decisions: Annotated[Path | None, typer.Option(help="Analyst decisions file.")] = None,
    name_field: Annotated[
        list[str] | None,
        typer.Option(help="Name attribute: FIELD for every layer, or LAYER=FIELD (roads, water, "
                     "landmarks), repeatable. Default: found among name, NAME, 名称, 道路名称, …"),
    ] = None,
    id_field: Annotated[
        str, typer.Option(help="Road id attribute that road:<id> decisions name.")
    ] = "road_id",
    snap: Annotated[
        float, typer.Option(help="Snap tolerance, metres: pieces and junctions this close meet.")
    ] = 2.0,
    strict: Annotated[
        bool, typer.Option(help="Fail when a route is unresolved, a decision is stale, or a "
                           "result cannot be right (whole-extent half-plane, empty grade, …).")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="Print only the summary, not the report.")] = False,
    report: Annotated[
        Path | None, typer.Option(help="Also write the full build report as CSV.")
    ] = None,
    review: Annotated[
        Path | None, typer.Option(help="Also write an offline review page (.html) of every clause.")
    ] = None,
    lang: LangOpt = None,
    admin: Annotated[
        Path | None, typer.Option(help="Administrative boundary polygons (街道, 镇, 村) for areas "
                                  "described by unit (…街道办事处所辖地域).")
    ] = None,
    admin_field: Annotated[
        str | None, typer.Option(help="The unit name field of --admin (default: found).")
    ] = None,
) -> None:
    """Build the grade map (grades, routes, report) on roads.

    Either `--county geo/<county>` (files taken from the county folder) or `--rules`,
    `--roads` and `--extent`; explicit options override the county folder's files.
    """
    from landgrade.build.builder import BuildInputs
    from landgrade.cli.build import build_command
    from landgrade.network.fields import parse_name_fields

    build_command(output, BuildInputs(
        county=county, rules=rules, roads=roads, water=water, landmarks=landmarks,
        extent=extent, routes=routes, aliases=aliases, decisions=decisions,
        name_field=parse_name_fields(name_field) or None, id_field=id_field, snap_m=snap,
        strict=strict, admin=admin, admin_field=admin_field,
    ), quiet=quiet, report_csv=report, review=review, lang=lang)


# --- audit (audit.py) ------------------------------------------------------------------------
@app.command()
@friendly
def audit(
    county: CountyOpt = None,
    map_path: MapOpt = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Also write the table: .csv or .xlsx.")
    ] = None,
    lang: LangOpt = None,
) -> None:
    """Check each route's stated grade against the grade map.

    The zone holding most of a route's length is its grade on the map.
    """
    from landgrade.outputs.audit import audit_command

    audit_command(county=county, map_path=map_path, output=output, lang=lang)


# --- locate, assign (engine.py, jobs/assign.py) ----------------------------------------------


TownOpt = Annotated[str | None, typer.Option(help="Town (乡镇) name for town benchmark prices.")]
TownGradeOpt = Annotated[
    int | None, typer.Option(help="Town grade; town prices apply outside the urban extent.")
]
TownsOpt = Annotated[
    Path | None,
    typer.Option("--towns", help="Township boundary layer: names each point's town."),
]
TownFieldOpt = Annotated[
    str | None,
    typer.Option(help="Column holding the town; with --towns, that layer's name field."),
]
TownGradeFieldOpt = Annotated[str | None, typer.Option(help="Column holding the town grade.")]


@app.command()
@friendly
def locate(
    x: Annotated[str, typer.Argument(
        help="Longitude or easting; or X,Y in one argument (110.575,27.06).", metavar="X")],
    y: Annotated[float | None, typer.Argument(
        help="Latitude or northing.", metavar="Y", show_default=False)] = None,
    crs: Annotated[str, typer.Option(help="EPSG:4326, EPSG:4546, gcj02, bd09, …")] = "EPSG:4326",
    map_path: MapOpt = None,
    county: CountyOpt = None,
    town: TownOpt = None,
    town_grade: TownGradeOpt = None,
    towns: TownsOpt = None,
    town_field: Annotated[
        str | None, typer.Option(help="Town-name field of --towns (default: detected).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    lang: LangOpt = None,
    use: Annotated[
        str | None, typer.Option(help="The point's land use (用途 or class): its price, and a "
                                 "road-line price only if the route table prices that use.")
    ] = None,
    use_standard: UseStandardOpt = None,
) -> None:
    """Grade, prices and nearest priced road of one coordinate."""
    from landgrade.cli.locate import locate_command
    from landgrade.engine.pricing import PricingOptions

    px, py = point_of(x, y)
    # A point has no columns: locate's --town-field is only the --towns layer's name field.
    pricing = PricingOptions.from_options(
        town=town, town_grade=town_grade, towns_file=towns,
        town_field=town_field if towns is not None else None, lang=lang,
        use_standard=use_standard)
    locate_command(px, py, crs=crs, map_path=map_path, county=county, as_json=as_json,
                   pricing=pricing, use=use)


@app.command()
@friendly
def assign(
    input_path: Annotated[
        Path, typer.Argument(help="Points or parcels (shp, gpkg, geojson, parquet, csv, xlsx).")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output file.")],
    crs: Annotated[
        str | None,
        typer.Option(help="What the coordinates really are (overrides the file's label; "
                     "e.g. gcj02 for AMap data). CSV default: EPSG:4326."),
    ] = None,
    map_path: MapOpt = None,
    county: CountyOpt = None,
    x_field: Annotated[str | None, typer.Option(help="CSV x column (default: detected).")] = None,
    y_field: Annotated[str | None, typer.Option(help="CSV y column (default: detected).")] = None,
    layer: LayerOpt = None,
    sheet: Annotated[str | None, typer.Option(
        help="Excel sheet (default: the first visible one).")] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding (default: the .cpg, else UTF-8 or GBK).")
    ] = None,
    max_xlsx_mb: Annotated[float | None, typer.Option(
        min=1, help="Refuse an Excel workbook unpacking to more than this, MB (default 1024).")
    ] = None,
    town: TownOpt = None,
    town_grade: TownGradeOpt = None,
    towns: TownsOpt = None,
    town_field: TownFieldOpt = None,
    town_grade_field: TownGradeFieldOpt = None,
    chunk_size: Annotated[
        int, typer.Option(min=1, help="Rows per chunk when streaming.")
    ] = 200_000,
    progress: Annotated[bool, typer.Option(help="Progress bar on stderr.")] = True,
    use_field: UseFieldOpt = None,
    use_standard: UseStandardOpt = None,
    dask: Annotated[
        bool, typer.Option("--dask", help="Run on dask: INPUT a folder or glob of GeoParquet "
                           "parts, OUTPUT a folder (pip install \"landgrade[dask]\").")
    ] = False,
    scheduler: Annotated[
        str | None, typer.Option(help="With --dask: a running scheduler, tcp://host:8786.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="With --dask and no --scheduler: local workers.")
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="zh or en (default: the county's language): the message "
                     "column, the summary, and CSV/Excel headers (en: the field codes)."),
    ] = None,
) -> None:
    """Grade, prices and nearest route for every row of a file.

    Input CRS: the file's own; CSV and Excel default to WGS84 (EPSG:4326). Prints a count per
    status. The output appears only when complete and may not replace any input.
    """
    from landgrade.engine.pricing import PricingOptions
    from landgrade.jobs.read_options import ReadOptions

    if not dask and (scheduler or workers):
        raise LandgradeError("--scheduler and --workers go with --dask")
    read = ReadOptions(layer=layer, sheet=sheet, encoding=encoding, x_field=x_field,
                       y_field=y_field, max_xlsx_mb=max_xlsx_mb)
    pricing = PricingOptions.from_options(
        town=town, town_grade=town_grade, towns_file=towns, town_field=town_field,
        town_grade_field=town_grade_field, use_field=use_field, use_standard=use_standard,
        lang=lang)
    if dask:
        from landgrade.jobs.dask import assign_parts

        assign_parts(str(input_path), output, map_path=map_path, county=county, crs=crs,
                     read=read, pricing=pricing, chunk_size=chunk_size, scheduler=scheduler,
                     workers=workers, progress=progress)
        return
    from landgrade.jobs.assign import assign_command
    from landgrade.outputs.graded_style import graded_layer_style

    assign_command(input_path, output, crs=crs, map_path=map_path, county=county, read=read,
                   pricing=pricing, chunk_size=chunk_size, progress=progress,
                   style=graded_layer_style)


# --- value (value.py, jobs/value.py): defined in value_command.py ------------------------
app.command(name="value")(value_command)


# --- report (report.py) ----------------------------------------------------------------------
@app.command()
@friendly
def report(
    target: Annotated[str, typer.Argument(help="X (or X,Y), or a file of points or parcels.")],
    y: Annotated[float | None, typer.Argument(help="Y, when TARGET is X.")] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="OUT.pdf (a page per row) or a folder (a file per "
                     "row). Default for a point: report.pdf."),
    ] = None,
    crs: Annotated[
        str | None, typer.Option(help="EPSG:4326 (default for X Y and CSV), gcj02, bd09, …")
    ] = None,
    id_field: Annotated[
        str | None, typer.Option(help="Column with the parcel id (宗地号).")
    ] = None,
    use_field: UseFieldOpt = None,
    use: Annotated[
        str | None, typer.Option(help="One land use for every row or the point.")
    ] = None,
    use_standard: UseStandardOpt = None,
    map_path: MapOpt = None,
    county: CountyOpt = None,
    lang: LangOpt = None,
    layer: LayerOpt = None,
    # --valuation: the 宗地地价测算表 instead (cli/valuation_report.py), with value's options
    valuation: Annotated[bool, typer.Option(
        "--valuation", help="Write the 宗地地价测算表 (基准地价系数修正法): -o OUT.pdf or "
        ".xlsx, with the options of landgrade value.")] = False,
    term: vo.TermOpt = None, term_field: vo.TermFieldOpt = None,
    plot_ratio: vo.PlotRatioOpt = None, plot_ratio_field: vo.PlotRatioFieldOpt = None,
    date: vo.DateOpt = None, date_field: vo.DateFieldOpt = None,
    factor: vo.FactorOpt = None, factor_field: vo.FactorFieldOpt = None,
    development: vo.DevelopmentOpt = None, development_field: vo.DevelopmentFieldOpt = None,
    area: vo.AreaOpt = None, area_field: vo.AreaFieldOpt = None,
    allow_expired: vo.AllowExpiredOpt = False,
    town: TownOpt = None,
    town_grade: TownGradeOpt = None,
    towns: TownsOpt = None,
    town_field: TownFieldOpt = None,
    town_grade_field: TownGradeFieldOpt = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="With -o FOLDER: replace files already there "
                           "(default: refuse, naming them).")
    ] = False,
) -> None:
    """Write the parcel report (基准地价查询单) as PDF.

    One page per point or parcel: 查询编号, map snippet, grade, prices, 土地权利 and 开发程度,
    route, signature and seal spaces, disclaimer. A point outside the county gets no page
    (exit 2); outside the urban extent, the town price table applies."""
    if valuation:
        from landgrade.cli.valuation_report import valuation_report_command

        options = vo.valuation_options(
            use=use, use_field=use_field, term=term, term_field=term_field,
            plot_ratio=plot_ratio, plot_ratio_field=plot_ratio_field, date=date,
            date_field=date_field, factor=factor, factor_field=factor_field,
            development=development, development_field=development_field, area=area,
            area_field=area_field, allow_expired=allow_expired)
        valuation_report_command(target, y, output, options, crs=crs, id_field=id_field,
                                 map_path=map_path, county=county, lang=lang, layer=layer)
        return
    from landgrade.cli.report import report_command
    from landgrade.engine.pricing import PricingOptions

    pricing = PricingOptions.from_options(
        town=town, town_grade=town_grade, towns_file=towns, town_field=town_field,
        town_grade_field=town_grade_field, use_field=use_field, use_standard=use_standard,
        lang=lang)
    report_command(target, y, output, crs=crs, id_field=id_field, pricing=pricing, use=use,
                   map_path=map_path, county=county, layer=layer, overwrite=overwrite)


# --- uses (uses.py) ---------------------------------------------------------------------------
@app.command()
@friendly
def uses(
    standard: Annotated[
        str | None, typer.Option("--standard", help="Only this standard's classes: tdly2017 "
                                 "(GB/T 21010-2017) or ydyh2023 (2023 用地用海分类).")
    ] = None,
    county: CountyOpt = None,
    lang: LangOpt = None,
) -> None:
    """List the land uses and land-use classes a row may give.

    The gazette's uses and, per standard, the classes each prices, those to ask about and those
    not priced."""
    from landgrade.cli.uses import uses_command

    uses_command(county=county, standard=standard, lang=lang)


# --- map, export (map.py, export.py) ---------------------------------------------------------
@app.command(name="map")
@friendly
def map_(
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.png, .svg, .pdf, .html.")],
    map_path: MapOpt = None,
    county: CountyOpt = None,
    tiles: Annotated[
        str | None,
        typer.Option(help="XYZ tile URL for HTML maps; prefix gcj02: for AMap/Tencent tiles."),
    ] = None,
    lang: LangOpt = None,
    paper: Annotated[
        str | None, typer.Option(help="Print page: A4 or A3 (portrait; see --landscape).")
    ] = None,
    landscape: Annotated[bool, typer.Option("--landscape", help="Turn the page.")] = False,
    dpi: Annotated[int | None, typer.Option(help="Resolution of PNG output (default 150).")] = None,
    route_labels: Annotated[
        str, typer.Option(help="Route labels: id, name (id and name) or price (and price).")
    ] = "id",
) -> None:
    """Draw the grade map (.png, .svg, .pdf to print; .html page)."""
    from landgrade.cli.map import map_command

    map_command(output, map_path=map_path, county=county, tiles=tiles, lang=lang, paper=paper,
                landscape=landscape, dpi=dpi, route_labels=route_labels)


@app.command()
@friendly
def export(
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.gpkg or FILE.shp.")],
    map_path: MapOpt = None,
    county: CountyOpt = None,
    lang: LangOpt = None,
) -> None:
    """Export the grade map for QGIS, styled."""
    from landgrade.outputs.export import export_command

    export_command(output, map_path=map_path, county=county, lang=lang)


@app.command(name="qgis-plugin")
@friendly
def qgis_plugin(
    output: Annotated[Path, typer.Option("-o", "--output", help="The plugin ZIP.")] = Path(
        "landgrade_qgis.zip"),
    lang: LangOpt = None,
) -> None:
    """Write the QGIS plugin ZIP, for QGIS's Install from ZIP.

    In QGIS: Plugins > Manage and Install Plugins > Install from ZIP. The plugin adds the
    Processing provider "landgrade"; QGIS's Python must also import this landgrade (README,
    "In QGIS")."""
    from landgrade.cli.qgis_plugin import qgis_plugin_command

    qgis_plugin_command(output, default_lang(lang))


# --- cache (cache.py) ------------------------------------------------------------------------
cache_app = typer.Typer(
    help="Show or clear the cache of built grade maps.",
    no_args_is_help=True, rich_markup_mode=None, context_settings={"max_content_width": 80},
)
app.add_typer(cache_app, name="cache")




@cache_app.command("info")
@friendly
def cache_info(lang: LangOpt = None) -> None:
    """Show the cache folder, its entries and their size."""
    from landgrade.engine import cache

    for line in cache.info_lines(default_lang(lang)):
        typer.echo(line)


@cache_app.command("clear")
@friendly
def cache_clear(lang: LangOpt = None) -> None:
    """Delete the cached grade maps (they are rebuilt on next use).

    A map another process is caching right now (a temporary file written in the last hour) is
    left, and named.
    """
    from landgrade.engine import cache

    for line in cache.clear_lines(lang=default_lang(lang)):
        typer.echo(line)


# --- serve (service/) ------------------------------------------------------------------------
@app.command()
@friendly
def serve(
    map_path: MapOpt = None,
    county: CountyOpt = None,
    host: Annotated[str, typer.Option(help="Address to bind; 0.0.0.0 opens it to the network.")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    cors: Annotated[list[str] | None, typer.Option(
        "--cors", help="Allow browser pages from this origin (repeatable); default: none.")] = None,
    max_body_mb: Annotated[float, typer.Option(help="Largest request body, MB.")] = 50,
    max_features: Annotated[int, typer.Option(
        help="Most points or features per request.")] = 200_000,
    root_path: Annotated[str, typer.Option(help="URL prefix when behind a reverse proxy.")] = "",
    allowed_host: Annotated[list[str] | None, typer.Option(
        "--allowed-host", help="Host name to answer besides localhost and IP addresses (a "
        "reverse proxy's; repeatable; *.DOMAIN, or * for any).")] = None,
    body_timeout: Annotated[float, typer.Option(
        help="Seconds a request body may stall before it is dropped (0: never).")] = 30,
    lang: LangOpt = None,
) -> None:
    """Serve an HTTP API, OGC API – Features (QGIS) and a web page."""
    from landgrade.service import serve as run

    run(map_path=map_path, county=county, host=host, port=port, cors=cors,
        max_body_mb=max_body_mb, max_features=max_features, root_path=root_path,
        allowed_hosts=allowed_host, body_timeout=body_timeout, lang=lang)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
