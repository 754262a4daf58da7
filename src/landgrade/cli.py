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


def _terminate_as_interrupt() -> None:
    """SIGTERM (a scheduler or `kill` stopping a run) cleans up like Ctrl-C: the atomic
    writers then remove their temporary files instead of leaving them behind."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, signal.default_int_handler)


CountyOpt = Annotated[
    str | None,
    typer.Option("--county", help="County folder (path, or name under geo/); default: dongkou."),
]


# --- prices (pricebook.py) -------------------------------------------------------------------
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
    """Print the urban benchmark price table, one town's prices, or the road-line prices."""
    from landgrade.pricebook import print_prices

    print_prices(county, town=town, grade=grade, routes=routes, output=output)


# --- convert (crs.py) ------------------------------------------------------------------------
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
    """Convert one coordinate between any two supported systems; prints `X Y`."""
    from landgrade.crs import convert_command

    convert_command(x, y, from_crs, to_crs)


# --- parse (parse.py) ------------------------------------------------------------------------
@app.command()
@friendly
def parse(
    file: Annotated[Path, typer.Argument(help="Table 5 text file (UTF-8).")],
    text: Annotated[bool, typer.Option("--text", help="Print canonical gazette wording.")] = False,
) -> None:
    """Parse a grade-zone description (Table 5) into rules, printed as JSON."""
    from landgrade.parse import parse_command

    parse_command(file, as_text=text)


# --- build (build.py) ------------------------------------------------------------------------
@app.command()
@friendly
def build(
    output: Annotated[Path, typer.Option("-o", "--output", help="Output GeoPackage.")],
    county: CountyOpt = None,
    rules: Annotated[Path | None, typer.Option(help="Table 5 text.")] = None,
    roads: Annotated[Path | None, typer.Option(help="Road centrelines.")] = None,
    water: Annotated[Path | None, typer.Option(help="Rivers, ditches.")] = None,
    landmarks: Annotated[Path | None, typer.Option(help="Landmarks.")] = None,
    extent: Annotated[Path | None, typer.Option(help="Grading extent polygon.")] = None,
    routes: Annotated[Path | None, typer.Option(help="Table 7 CSV.")] = None,
    aliases: Annotated[Path | None, typer.Option(help="alias,name CSV.")] = None,
    decisions: Annotated[Path | None, typer.Option(help="Analyst decisions file.")] = None,
    name_field: Annotated[str, typer.Option(help="Name attribute of the layers.")] = "name",
    strict: Annotated[
        bool, typer.Option(help="Fail when a route is unresolved or a decision is stale.")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="Print only the summary, not the report.")] = False,
) -> None:
    """Build the grade map (grades, routes, report) from rules and a road network.

    Either `--county geo/<county>` (files taken from the county folder) or `--rules`,
    `--roads` and `--extent`; explicit options override the county folder's files.
    """
    from landgrade.build import BuildInputs, build_command

    build_command(output, BuildInputs(
        county=county, rules=rules, roads=roads, water=water, landmarks=landmarks,
        extent=extent, routes=routes, aliases=aliases, decisions=decisions,
        name_field=name_field, strict=strict,
    ), quiet=quiet)


# --- audit (audit.py) ------------------------------------------------------------------------
@app.command()
@friendly
def audit(
    county: CountyOpt = None,
    map_path: Annotated[Path | None, typer.Option("--map", help="A built grade map.")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Also write the table: .csv or .xlsx.")
    ] = None,
) -> None:
    """Compare each Table 7 segment's stated grade with the zone holding most of its length."""
    from landgrade.audit import audit_command

    audit_command(county=county, map_path=map_path, output=output)


# --- locate, assign (engine.py, io.py) -------------------------------------------------------
@app.command()
@friendly
def locate(
    x: Annotated[float, typer.Argument(help="Easting or longitude.")],
    y: Annotated[float, typer.Argument(help="Northing or latitude.")],
    crs: Annotated[str, typer.Option(help="EPSG:4326, EPSG:4546, gcj02, bd09, …")] = "EPSG:4326",
    map_path: Annotated[Path | None, typer.Option("--map", help="A built grade map.")] = None,
    county: CountyOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Grade, benchmark prices and nearest priced road of one coordinate."""
    from landgrade.engine import locate_command

    locate_command(x, y, crs=crs, map_path=map_path, county=county, as_json=as_json)


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
    map_path: Annotated[Path | None, typer.Option("--map", help="A built grade map.")] = None,
    county: CountyOpt = None,
    x_field: Annotated[str | None, typer.Option(help="CSV x column (default: detected).")] = None,
    y_field: Annotated[str | None, typer.Option(help="CSV y column (default: detected).")] = None,
    layer: Annotated[
        str | None, typer.Option(help="Input layer (needed when a GeoPackage has several).")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel sheet (default: the first).")] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding (default: the .cpg, else UTF-8 or GBK).")
    ] = None,
    town: Annotated[str | None, typer.Option(help="Town (乡镇) of every row: Table 8.")] = None,
    town_grade: Annotated[int | None, typer.Option(help="Town grade of every row.")] = None,
    town_field: Annotated[str | None, typer.Option(help="Column holding the town.")] = None,
    town_grade_field: Annotated[
        str | None, typer.Option(help="Column holding the town grade.")
    ] = None,
    chunk_size: Annotated[
        int, typer.Option(min=1, help="Rows per chunk when streaming.")
    ] = 200_000,
    progress: Annotated[bool, typer.Option(help="Progress bar on stderr.")] = True,
) -> None:
    """Assign grade, prices and nearest route to every row of a file.

    Input CRS: the file's own; CSV and Excel default to WGS84 (EPSG:4326). Prints a count per
    status. The output appears only when complete and may not replace any input.
    """
    from landgrade.assign import assign_command

    assign_command(
        input_path, output, crs=crs, map_path=map_path, county=county, x_field=x_field,
        y_field=y_field, layer=layer, sheet=sheet, encoding=encoding, town=town,
        town_grade=town_grade,
        town_field=town_field, town_grade_field=town_grade_field, chunk_size=chunk_size,
        progress=progress,
    )


# --- map, export (maps.py, export.py) --------------------------------------------------------
@app.command(name="map")
@friendly
def map_(
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.png, .svg or .html.")],
    map_path: Annotated[Path | None, typer.Option("--map", help="A built grade map.")] = None,
    county: CountyOpt = None,
    tiles: Annotated[
        str | None,
        typer.Option(help="XYZ tile URL for HTML maps; prefix gcj02: for AMap/Tencent tiles."),
    ] = None,
) -> None:
    """Draw the grade map as a static picture or an offline interactive page."""
    from landgrade.maps import map_command

    map_command(output, map_path=map_path, county=county, tiles=tiles)


@app.command()
@friendly
def export(
    output: Annotated[Path, typer.Option("-o", "--output", help="FILE.gpkg or FILE.shp.")],
    map_path: Annotated[Path | None, typer.Option("--map", help="A built grade map.")] = None,
    county: CountyOpt = None,
) -> None:
    """Export the grade map for QGIS, styled."""
    from landgrade.export import export_command

    export_command(output, map_path=map_path, county=county)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
