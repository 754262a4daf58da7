"""``landgrade assign``: stream a file through the engine into an output file."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from landgrade.engine.answer import STATUSES
from landgrade.engine.engine import load_engine
from landgrade.engine.pricing import PricingOptions
from landgrade.errors import LandgradeError
from landgrade.gazette.labels import table_cite
from landgrade.jobs.read_options import ReadOptions


def assign_command(
    input_path: Path,
    output: Path,
    *,
    crs: str | None = None,
    map_path: Path | None = None,
    county: str | None = None,
    read: ReadOptions | None = None,
    pricing: PricingOptions | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
) -> pd.Series:
    """``landgrade assign``: stream a file through :meth:`Engine.assign` into ``output``.

    Default input CRS: the file's own; for CSV and Excel, WGS84 (EPSG:4326). Prints warnings
    (values the output format cannot hold) and a count of rows per status to stderr; returns
    those counts. The output appears only complete (see :class:`landgrade.io.AtomicOutput`); it
    may not be one of the run's inputs (the file, the ``--map``, the county folder's files).
    ``read`` says how the input is read, ``pricing`` how its rows are priced.
    """
    from landgrade.gazette.county import county_inputs
    from landgrade.io.atomic import check_output
    from landgrade.io.formats import IOInputError, file_format
    from landgrade.io.readers import DEFAULT_CHUNK_SIZE

    file_format(output)
    check_output(output, [input_path, map_path, *county_inputs(county)])
    if crs is not None and not crs.strip():
        raise LandgradeError("--crs '' names no coordinate system; give e.g. --crs EPSG:4326, "
                             "EPSG:4546 or gcj02, or leave it out to use the file's own")
    read = read or ReadOptions()
    pricing = pricing or PricingOptions()
    src = read.open(input_path)
    if src.encoding_note and "garbled" in src.encoding_note:
        print(f"warning: {input_path}: {src.encoding_note}", file=sys.stderr)
    spec = crs or src.crs
    if spec is None and src.is_table:
        spec = "EPSG:4326"
    if spec is None:
        raise IOInputError(
            f"{input_path}: the file has no CRS (no .prj or CRS metadata); pass --crs, "
            "e.g. --crs EPSG:4546 or --crs EPSG:4326"
        )
    _label_crs(spec)  # an unknown --crs fails here, before any row is read
    engine = load_engine(map_path=map_path, county=county)
    if engine.pricebook is None and engine.no_prices:
        print(f"note: {engine.no_prices}", file=sys.stderr)
    elif engine.pricebook is None:
        print(f"warning: {map_path}: no county tables match this map, so no prices; "
              "pass --county FOLDER", file=sys.stderr)
    check_pricing(engine, src, pricing)
    size = DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size
    result = grade_file(engine, src, output, spec, chunk_size=size, progress=progress,
                        pricing=pricing)
    counts = result.counts
    if result.kept:
        print(f"note: {output}: input column(s) named like answer columns kept as "
              f"{', '.join(result.kept)}", file=sys.stderr)
    for line in result.warnings:
        print(f"warning: {line}", file=sys.stderr)
    total = int(counts.sum())
    print(f"{output}: {total} rows written", file=sys.stderr)
    for status, n in counts[counts > 0].sort_values(ascending=False).items():
        print(f"  {status:<28} {int(n):>10}  {STATUSES.get(str(status), '')}", file=sys.stderr)
    if _label_crs(spec) is None and not src.is_table:
        print(f"note: {output}: the geometry stays in {spec} as given, which no .prj or CRS "
              "label can name; declare it as such when loading it", file=sys.stderr)
    return counts


@dataclass
class GradedFile:
    """What :func:`grade_file` wrote: rows per status, the input columns kept under ``src_``
    (named like answer columns), and warnings about values the output format cannot hold."""

    counts: pd.Series
    kept: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return int(self.counts.sum())


def grade_file(
    engine: Any,
    src: Any,
    output: Path,
    spec: Any,
    *,
    chunk_size: int,
    progress: bool = False,
    pricing: PricingOptions | None = None,
    max_rows: int | None = None,
) -> GradedFile:
    """Stream an opened source (:func:`landgrade.io.open_source`) through ``engine`` into
    ``output``, chunk by chunk: the one loop behind ``landgrade assign`` and the service's
    uploads. The output appears only complete; after a failure a note says what became of it.
    ``pricing``: how rows are priced. ``max_rows``: refuse (:class:`TooManyRows`) an input with
    more rows than that.
    """
    from landgrade.io.formats import IOInputError
    from landgrade.io.readers import iter_chunks
    from landgrade.io.writers import ChunkWriter

    pricing = pricing or PricingOptions()
    use_field = pricing.use_field

    label = _label_crs(spec)
    counts: pd.Series = pd.Series(dtype="int64")
    writer = ChunkWriter(output, csv_geometry=not src.is_table)
    # The parcel columns (share_<g>, area_m2) exist only for chunks holding areas: the output
    # has them from the first row on unless every geometry is known to be a point.
    area_columns = [] if src.points_only else _area_columns(engine)
    kept: list[str] = []
    rows = 0
    try:
        with writer:
            # GeoParquet to GeoParquet: the geometry passes through as the file's own WKB, and
            # points are answered from x/y read straight from it, never as shapely objects.
            raw = src.format == "parquet" and writer.format == "parquet"
            for chunk in iter_chunks(src, chunk_size, progress=progress, raw=raw):
                chunk, wkb, xy = chunk if raw else (chunk, None, None)
                rows += len(chunk)
                if max_rows is not None and rows > max_rows:
                    raise TooManyRows(f"{src.path}: more than {max_rows} rows")
                if use_field is not None and use_field not in chunk.columns:
                    raise IOInputError(f"{src.path}: no column {use_field!r} for --use-field")
                out = engine.assign(chunk, crs=spec, pricing=pricing, xy=xy)
                out = out.set_crs(label, allow_override=True)
                if not kept:
                    kept = [c for c in out.columns if c not in chunk.columns
                            and str(c).startswith("src_")]
                if writer.rows == 0:
                    missing = [c for c in area_columns if c not in out.columns]
                    out = out.reindex(columns=[*out.columns, *missing]) if missing else out
                writer.write(out, wkb=wkb)
                counts = counts.add(out["status"].value_counts(), fill_value=0).astype("int64")
    except BaseException:
        print(f"note: {writer.outcome}", file=sys.stderr)
        raise
    return GradedFile(counts, kept, list(writer.warnings))


class TooManyRows(LandgradeError):
    """An input with more rows than the caller accepts (the service's --max-features)."""


def check_pricing(engine: Any, src: Any, pricing: PricingOptions) -> None:
    """Pricing options that would make every row wrong are refused before any row is read:
    a town without its grade, a column the input lacks, a town or town grade the county's
    Table 8 does not have."""
    pricing.check_town_prices()
    for fld in (pricing.town_field, pricing.town_grade_field):
        if fld is not None and src.columns and fld not in src.columns:
            raise LandgradeError(
                f"{src.path}: no column {fld!r} for towns; columns present: "
                f"{', '.join(src.columns)}"
            )
    town, town_grade = pricing.town, pricing.town_grade
    if town is None:
        return
    book = engine.pricebook
    if book is None:
        raise LandgradeError(f"--town {town}: no county tables (town prices) for this map; "
                             "pass --county FOLDER")
    try:
        grades = book.town_grades(town)
    except (KeyError, LookupError, LandgradeError) as e:
        raise LandgradeError(f"--town {town}: {e}") from None
    if town_grade is not None and int(town_grade) not in grades:
        cite = table_cite(getattr(book, "metadata", None), "town_prices", "en")
        raise LandgradeError(
            f"--town-grade {town_grade}: {town} has town grades "
            f"{', '.join(map(str, grades))}{cite}; pick one of those"
        )


def _area_columns(engine: Any) -> list[str]:
    """The answer columns a parcel gets, from one probe parcel in the grading extent."""
    import geopandas as gpd
    import shapely

    layer = engine.grade_map.extent
    probe = shapely.buffer(shapely.point_on_surface(shapely.union_all(layer.geometry)), 1.0)
    out = engine.assign(gpd.GeoDataFrame(geometry=[probe], crs=layer.crs))
    return [str(c) for c in out.columns if str(c).startswith("share_") or c == "area_m2"]


def _label_crs(spec: str) -> Any:
    """The CRS to label output geometry with; GCJ-02/BD-09 have none in PROJ."""
    from landgrade.io.crs import resolve_crs

    resolved = resolve_crs(spec)
    return None if resolved.offset else resolved.crs
