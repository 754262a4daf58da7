"""``landgrade assign``: stream a file through the engine into an output file.

The words of the output follow the language (``PricingOptions.lang``; ``landgrade assign``
defaults to the county's): the ``message`` column and the summary on stderr are worded in it,
and with Chinese a CSV or Excel output's answer columns are headed in Chinese with their units
(``级别``, ``商服用地·基准地价（元/平方米）``); GIS formats keep the short codes, which their field
names must be, and a GeoPackage gets them as QGIS aliases in the style a later stage hands in
(``style``: what the layer looks like is the outputs' business, stored here through
:mod:`landgrade.io.qgis_styles` before the file is moved into place).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from landgrade.engine.answer import answer_headers, localized_messages, status_text
from landgrade.engine.engine import load_engine
from landgrade.engine.pricing import PricingOptions, check_column
from landgrade.errors import LandgradeError
from landgrade.gazette.labels import lang_for, table_cite, word
from landgrade.io.qgis_styles import LayerStyle
from landgrade.jobs.read_options import ReadOptions

# How a graded GeoPackage layer looks in QGIS, made by a later stage
# (landgrade.outputs.graded_style.graded_layer_style): (engine, layer name, geometry type,
# columns, lang, source file name) → the layer's style.
LayerStyler = Callable[[Any, str, str | None, list[str], str, str], LayerStyle]
# Formats read by people in a spreadsheet: their answer columns are headed in the language.
WORDED_HEADER_FORMATS = ("csv", "xlsx")


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
    then: Callable[[Any, Any], Callable[[Any], Any]] | None = None,
    style: LayerStyler | None = None,
) -> pd.Series:
    """``landgrade assign``: stream a file through :meth:`Engine.assign` into ``output``.

    Default input CRS: the file's own; for CSV and Excel, WGS84 (EPSG:4326). Prints warnings
    (values the output format cannot hold) and a count of rows per status to stderr; returns
    those counts. The output appears only complete (see :class:`landgrade.io.AtomicOutput`); it
    may not be one of the run's inputs (the file, the ``--map``, the county folder's files).
    ``read`` says how the input is read, ``pricing`` how its rows are priced and in which
    language they are told (default: the county's; see the module docstring); ``style`` how a
    GeoPackage output looks in QGIS. ``then``, called with the engine and the opened source
    before any row is read, returns what to do to each answered chunk before it is written
    (``landgrade value`` adds its columns so).
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
    meta = getattr(engine.pricebook, "metadata", None)
    lang = lang_for(pricing.lang, meta)
    pricing = replace(pricing, lang=lang)
    if engine.pricebook is None and engine.no_prices:
        _say("note_line", lang, engine.no_prices)
    elif engine.pricebook is None:
        _say("warning_line", lang, word("assign_no_prices", lang, map=map_path))
    check_pricing(engine, src, pricing)
    size = DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size
    result = grade_file(engine, src, output, spec, chunk_size=size, progress=progress,
                        pricing=pricing, style=style,
                        transform=then(engine, src) if then else None)
    counts = result.counts
    if result.kept:
        _say("note_line", lang, word("assign_kept", lang, output=output,
                                     columns=", ".join(result.kept)))
    for line in result.warnings:
        _say("warning_line", lang, _writer_words(line, lang))
    for line in summary_lines(counts, output, lang, meta):
        print(line, file=sys.stderr)
    if result.worded_headers:
        _say("note_line", lang, word("assign_headers", lang))
    if _label_crs(spec) is None and not src.is_table:
        _say("note_line", lang, word("assign_no_label", lang, output=output, crs=spec))
    return counts


def summary_lines(counts: pd.Series, output: Any, lang: str, metadata: Any = None,
                  parts: int | None = None) -> list[str]:
    """The rows written and a count per status with its message, in ``lang``: what
    ``landgrade assign`` prints on stderr (the status codes are the file's own values)."""
    rows = word("assign_rows", lang, output=output, n=int(counts.sum()))
    if parts is not None:
        rows += word("assign_parts", lang, n=parts)
    lines = [rows]
    for status, n in counts[counts > 0].sort_values(ascending=False).items():
        try:
            said = status_text(str(status), metadata, lang)
        except KeyError:
            said = ""
        lines.append(f"  {status:<28} {int(n):>10}  {said}")
    return lines


def _say(kind: str, lang: str, text: str) -> None:
    print(word(kind, lang, text=text), file=sys.stderr)


def _writer_words(line: str, lang: str) -> str:
    from landgrade.gazette.labels_outputs import WRITER_REWORDINGS
    from landgrade.gazette.rewording import reword

    return reword(line, WRITER_REWORDINGS, lang)


@dataclass
class GradedFile:
    """What :func:`grade_file` wrote: rows per status, the input columns kept under ``src_``
    (named like answer columns), and warnings about values the output format cannot hold."""

    counts: pd.Series
    kept: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    worded_headers: bool = False

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
    transform: Callable[[Any], Any] | None = None,
    style: LayerStyler | None = None,
) -> GradedFile:
    """Stream an opened source (:func:`landgrade.io.open_source`) through ``engine`` into
    ``output``, chunk by chunk: the one loop behind ``landgrade assign`` and the service's
    uploads. The output appears only complete; after a failure a note says what became of it.
    ``pricing``: how rows are priced, and the language of the words (``lang`` None: the
    engine's English messages and the codes). ``max_rows``: refuse (:class:`TooManyRows`) an
    input with more rows than that. ``transform``: applied to each answered chunk before it is
    written. ``style``: how a GeoPackage output looks in QGIS.
    """
    from landgrade.io.formats import file_format
    from landgrade.io.readers import iter_chunks
    from landgrade.io.writers import ChunkWriter

    pricing = pricing or PricingOptions()
    use_field = pricing.use_field
    if file_format(output) == "xlsx":
        _check_excel_rows(src, output)
    lang = pricing.lang or "en"
    meta = getattr(engine.pricebook, "metadata", None)

    label = _label_crs(spec)
    counts: pd.Series = pd.Series(dtype="int64")
    columns: list[str] = []

    def finish(tmp: Path) -> None:  # the QGIS style, in the file before it is moved into place
        from landgrade.io.qgis_styles import geometry_type, store_styles

        kind = geometry_type(tmp, writer.layer)
        store_styles(tmp, [style(engine, writer.layer, kind, columns, lang, src.path.name)],
                     word("layer_styles", lang))

    writer = ChunkWriter(output, csv_geometry=not src.is_table,
                         finish=finish if style is not None and str(output).lower().endswith(
                             ".gpkg") else None)
    headers: dict[str, str] | None = None
    clashes: dict[str, str] = {}
    worded = lang == "zh" and writer.format in WORDED_HEADER_FORMATS
    graded_back = _graded_headers(engine, lang)
    # The Chinese headers that mark a graded file, as ``in_extent status message`` do.
    marks = {h for h, code in graded_back.items() if code in ("in_extent", "status", "message")}
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
                    check_column(use_field, _columns(chunk), f"{src.path}: ")
                if marks and marks <= set(chunk.columns):
                    # A file landgrade graded with Chinese headers: regraded cleanly, as one
                    # with the codes is (landgrade.engine.frames.join_answer).
                    chunk = chunk.rename(columns=graded_back)
                out = engine.assign(chunk, crs=spec, pricing=pricing, xy=xy)
                out = out.set_crs(label, allow_override=True)
                if lang == "zh":
                    out["message"] = localized_messages(out["message"], lang, meta)
                if not kept:
                    kept = [c for c in out.columns if c not in chunk.columns
                            and str(c).startswith("src_")]
                if writer.rows == 0:
                    missing = [c for c in area_columns if c not in out.columns]
                    out = out.reindex(columns=[*out.columns, *missing]) if missing else out
                if transform is not None:
                    out = transform(out)
                if writer.rows == 0:
                    columns = [str(c) for c in out.columns if c != out.geometry.name]
                statuses = out["status"].value_counts()
                if worded:
                    if headers is None:
                        headers, clashes = _worded_headers(engine, out, chunk.columns, lang)
                        kept += list(clashes.values())
                    out = out.rename(columns={**clashes, **headers})
                writer.write(out, wkb=wkb)
                counts = counts.add(statuses, fill_value=0).astype("int64")
    except BaseException:
        print(word("note_line", lang, text=writer.outcome), file=sys.stderr)
        raise
    return GradedFile(counts, kept, list(writer.warnings), worded_headers=bool(headers))


def _graded_headers(engine: Any, lang: str) -> dict[str, str]:
    """``{Chinese header: code}`` of every answer column, to read back a file graded with
    Chinese headers (empty in English)."""
    return {v: k for k, v in answer_headers(engine, None, "zh").items()} if lang == "zh" else {}


def _worded_headers(engine: Any, out: pd.DataFrame, inputs: Any, lang: str
                    ) -> tuple[dict[str, str], dict[str, str]]:
    """The answer columns' headers in ``lang``, and the renames that keep an input column
    named like one of them (``级别``) as ``src_级别``, never two columns of one name."""
    headers = answer_headers(engine, [c for c in out.columns if c != out.geometry.name], lang)
    taken = {str(c) for c in out.columns} | set(headers.values())
    clashes: dict[str, str] = {}
    for c in map(str, inputs):
        if c in headers.values() and c not in headers:
            new = f"src_{c}"
            while new in taken:
                new = f"src_{new}"
            taken.add(new)
            clashes[c] = new
    return headers, clashes


def _check_excel_rows(src: Any, output: Path) -> None:
    """An input with more rows than an Excel sheet holds is refused before any row is graded
    (the writer would find out only when the row after the last one came)."""
    from landgrade.io.excel import EXCEL_MAX_ROWS
    from landgrade.io.formats import IOInputError
    from landgrade.io.readers import count_rows

    most = EXCEL_MAX_ROWS - 1  # under the header row
    rows = count_rows(src, most)
    if rows is not None and rows > most:
        raise IOInputError(
            f"{output}: {src.path.name} has {rows:,} rows, more than the {most:,} an Excel "
            "sheet holds under its header; write .csv, .gpkg or .parquet instead")


class TooManyRows(LandgradeError):
    """An input with more rows than the caller accepts (the service's --max-features)."""


def check_pricing(engine: Any, src: Any, pricing: PricingOptions) -> None:
    """Pricing options that would make every row wrong are refused before any row is read:
    a town without its grade, a column the input lacks, a town or town grade the county's
    Table 8 does not have."""
    pricing.check_town_prices()
    if pricing.use_field is not None and src.columns:
        check_column(pricing.use_field, src.columns, f"{src.path}: ")
    if pricing.use_standard is not None and pricing.use_field is None:
        raise LandgradeError("--use-standard says how to read --use-field: give --use-field too")
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


def _columns(frame: Any) -> list[str]:
    """A chunk's attribute columns (not its geometry), as a user sees them."""
    geometry = getattr(frame, "_geometry_column_name", None)
    return [str(c) for c in frame.columns if c != geometry]


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
