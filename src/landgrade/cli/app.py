"""The ``landgrade`` command. Each command is a thin shell over one module's public API.

typer is used because the commands are plain typed functions: the same signatures document the
options, and ``--help`` comes from the type hints and docstrings without a second description.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from landgrade.errors import LandgradeError

app = typer.Typer(
    name="landgrade",
    help="Grade zones and benchmark land prices (城镇基准地价) from a county gazette.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help: it wraps at the terminal (at most 80 columns) without boxes that cut
    # long option names short in a narrow terminal.
    rich_markup_mode=None,
    context_settings={"max_content_width": 80},
)

F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn a LandgradeError into its message on stderr and exit status 2, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _terminate_as_interrupt()
        try:
            return fn(*args, **kwargs)
        except LandgradeError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(2) from None
        except OSError as e:  # a path the system refuses: missing, a directory, too long, …
            where = f"{e.filename}: " if e.filename else ""
            typer.echo(f"error: {where}{e.strerror or e}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:  # Ctrl-C: outputs are written atomically, so nothing is half
            typer.echo("error: interrupted; no output was left half-written", err=True)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _quiet_printed_interrupt(exc_type: Any, exc: BaseException, tb: Any) -> None:
    """``sys.excepthook``: C code that prints an exception it cannot raise (PyErr_Print) goes
    through here; a remembered Ctrl-C is reported once by the CLI, not as a traceback."""
    from landgrade.io.atomic import interrupted

    if issubclass(exc_type, KeyboardInterrupt) and interrupted():
        return
    sys.__excepthook__(exc_type, exc, tb)


def _terminate_as_interrupt() -> None:
    """SIGTERM (a scheduler or `kill` stopping a run) cleans up like Ctrl-C: the atomic
    writers then remove their temporary files instead of leaving them behind."""
    import signal
    import threading

    from landgrade.io.atomic import note_interrupt, quiet_swallowed_interrupt

    if threading.current_thread() is not threading.main_thread():
        return
    sys.unraisablehook = quiet_swallowed_interrupt
    sys.excepthook = _quiet_printed_interrupt
    # Both signals are also remembered: a KeyboardInterrupt raised inside a C callback (pyproj's
    # logger, say) is swallowed there, and the writers must still refuse to commit.
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, note_interrupt)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, note_interrupt)


LangOpt = Annotated[
    str | None,
    typer.Option("--lang", help="zh or en (default: the county's language, from metadata)."),
]
CountyOpt = Annotated[
    str | None,
    typer.Option("--county", help="County folder (path, or name under geo/); default: dongkou."),
]
MapOpt = Annotated[Path | None, typer.Option("--map", help="A built grade map.")]
LayerOpt = Annotated[
    str | None, typer.Option(help="Input layer (needed when a GeoPackage has several).")
]
UseFieldOpt = Annotated[
    str | None,
    typer.Option(help="Column with each row's land use (用途, key or label): adds price "
                 "and total."),
]


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
) -> None:
    """Print the price tables: urban, one town's, or road-line."""
    from landgrade.cli.prices import print_prices

    print_prices(county, town=town, grade=grade, routes=routes, output=output)


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
) -> None:
    """Convert one coordinate between two systems; prints `X Y`."""
    from landgrade.cli.convert import convert_command

    convert_command(x, y, from_crs, to_crs)


# --- parse (parse.py) ------------------------------------------------------------------------
@app.command()
@friendly
def parse(
    file: Annotated[
        Path, typer.Argument(help="Grade-zone description (土地级别范围描述) text file (UTF-8).")
    ],
    text: Annotated[bool, typer.Option("--text", help="Print canonical gazette wording.")] = False,
) -> None:
    """Parse a grade-zone description into rules (JSON)."""
    from landgrade.cli.parse import parse_command

    parse_command(file, as_text=text)


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
) -> None:
    """Build the grade map (grades, routes, report) on a road network.

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
        strict=strict,
    ), quiet=quiet, report_csv=report, review=review)


# --- audit (audit.py) ------------------------------------------------------------------------
@app.command()
@friendly
def audit(
    county: CountyOpt = None,
    map_path: MapOpt = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Also write the table: .csv or .xlsx.")
    ] = None,
) -> None:
    """Check each road-line price route's stated grade against the map.

    The zone holding most of a route's length is its grade on the map.
    """
    from landgrade.outputs.audit import audit_command

    audit_command(county=county, map_path=map_path, output=output)


# --- locate, assign (engine.py, jobs/assign.py) ----------------------------------------------
def _point(x: str, y: float | None) -> tuple[float, float]:
    """``X Y`` as two arguments, or one ``X,Y`` as copied from AMap (half- or full-width comma)."""
    from landgrade.io.crs import parse_xy

    return parse_xy(x if y is None else f"{x} {y}")


TownOpt = Annotated[str | None, typer.Option(help="Town (乡镇) name for town benchmark prices.")]
TownGradeOpt = Annotated[
    int | None, typer.Option(help="Town grade; town prices apply outside the urban extent.")
]
TownsOpt = Annotated[
    Path | None,
    typer.Option("--towns", help="Township boundary layer: names each point's town."),
]


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
) -> None:
    """Grade, prices and nearest priced road of one coordinate."""
    from landgrade.cli.locate import locate_command
    from landgrade.engine.pricing import PricingOptions

    px, py = _point(x, y)
    # A point has no columns: locate's --town-field is only the --towns layer's name field.
    pricing = PricingOptions.from_options(
        town=town, town_grade=town_grade, towns_file=towns,
        town_field=town_field if towns is not None else None, lang=lang)
    locate_command(px, py, crs=crs, map_path=map_path, county=county, as_json=as_json,
                   pricing=pricing)


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
    sheet: Annotated[str | None, typer.Option(help="Excel sheet (default: the first).")] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding (default: the .cpg, else UTF-8 or GBK).")
    ] = None,
    town: Annotated[str | None, typer.Option(help="Town (乡镇) of every row: town prices.")] = None,
    town_grade: Annotated[int | None, typer.Option(help="Town grade of every row.")] = None,
    towns: TownsOpt = None,
    town_field: Annotated[
        str | None,
        typer.Option(help="Column holding the town; with --towns, that layer's name field."),
    ] = None,
    town_grade_field: Annotated[
        str | None, typer.Option(help="Column holding the town grade.")
    ] = None,
    chunk_size: Annotated[
        int, typer.Option(min=1, help="Rows per chunk when streaming.")
    ] = 200_000,
    progress: Annotated[bool, typer.Option(help="Progress bar on stderr.")] = True,
    use_field: UseFieldOpt = None,
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
) -> None:
    """Assign grade, prices and nearest route to every row of a file.

    Input CRS: the file's own; CSV and Excel default to WGS84 (EPSG:4326). Prints a count per
    status. The output appears only when complete and may not replace any input.
    """
    from landgrade.engine.pricing import PricingOptions
    from landgrade.jobs.read_options import ReadOptions

    if not dask and (scheduler or workers):
        raise LandgradeError("--scheduler and --workers go with --dask")
    read = ReadOptions(layer=layer, sheet=sheet, encoding=encoding, x_field=x_field,
                       y_field=y_field)
    pricing = PricingOptions.from_options(
        town=town, town_grade=town_grade, towns_file=towns, town_field=town_field,
        town_grade_field=town_grade_field, use_field=use_field)
    if dask:
        from landgrade.jobs.dask import assign_parts

        assign_parts(str(input_path), output, map_path=map_path, county=county, crs=crs,
                     read=read, pricing=pricing, chunk_size=chunk_size, scheduler=scheduler,
                     workers=workers, progress=progress)
        return
    from landgrade.jobs.assign import assign_command

    assign_command(input_path, output, crs=crs, map_path=map_path, county=county, read=read,
                   pricing=pricing, chunk_size=chunk_size, progress=progress)


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
    map_path: MapOpt = None,
    county: CountyOpt = None,
    lang: LangOpt = None,
    layer: LayerOpt = None,
    town: TownOpt = None,
    town_grade: TownGradeOpt = None,
    towns: TownsOpt = None,
    town_field: Annotated[
        str | None,
        typer.Option(help="Column holding the town; with --towns, that layer's name field."),
    ] = None,
    town_grade_field: Annotated[
        str | None, typer.Option(help="Column holding the town grade.")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="With -o FOLDER: replace files already there "
                           "(default: refuse, naming them).")
    ] = False,
) -> None:
    """Write the parcel report (基准地价查询单) as PDF.

    One page per point or parcel: 查询编号, map snippet, grade, prices, 土地权利 and 开发程度,
    route, signature and seal spaces, disclaimer. A point outside the county gets no page
    (exit 2); outside the urban extent, the town price table applies."""
    from landgrade.cli.report import report_command
    from landgrade.engine.pricing import PricingOptions

    pricing = PricingOptions.from_options(
        town=town, town_grade=town_grade, towns_file=towns, town_field=town_field,
        town_grade_field=town_grade_field, use_field=use_field, lang=lang)
    report_command(target, y, output, crs=crs, id_field=id_field, pricing=pricing, use=use,
                   map_path=map_path, county=county, layer=layer, overwrite=overwrite)


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
) -> None:
    """Export the grade map for QGIS, styled."""
    from landgrade.outputs.export import export_command

    export_command(output, map_path=map_path, county=county)


# --- cache (cache.py) ------------------------------------------------------------------------
cache_app = typer.Typer(
    help="Show or clear the cache of built grade maps.",
    no_args_is_help=True, rich_markup_mode=None, context_settings={"max_content_width": 80},
)
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
@friendly
def cache_info() -> None:
    """Show the cache folder, its entries and their size."""
    from landgrade.engine import cache

    for line in cache.info_lines():
        typer.echo(line)


@cache_app.command("clear")
@friendly
def cache_clear() -> None:
    """Delete the cached grade maps (they are rebuilt on next use).

    A map another process is caching right now (a temporary file written in the last hour) is
    left, and named.
    """
    from landgrade.engine import cache

    for line in cache.clear_lines():
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
) -> None:
    """Serve an HTTP API, OGC API – Features (QGIS) and a web page."""
    from landgrade.service import serve as run

    run(map_path=map_path, county=county, host=host, port=port, cors=cors,
        max_body_mb=max_body_mb, max_features=max_features, root_path=root_path)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
