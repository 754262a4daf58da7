"""``landgrade assign``: stream a file through the engine into an output file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd

from landgrade.answer import STATUSES, use_price
from landgrade.engine import load_engine


def assign_command(
    input_path: Path,
    output: Path,
    *,
    crs: str | None = None,
    map_path: Path | None = None,
    county: str | None = None,
    x_field: str | None = None,
    y_field: str | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    town: str | None = None,
    town_grade: int | None = None,
    town_field: str | None = None,
    town_grade_field: str | None = None,
    chunk_size: int | None = None,
    progress: bool = True,
    towns: Any = None,
    use_field: str | None = None,
) -> pd.Series:
    """``landgrade assign``: stream a file through :meth:`Engine.assign` into ``output``.

    Default input CRS: the file's own; for CSV, WGS84 (EPSG:4326). Prints the shapefile field
    renames and a count of rows per status to stderr; returns those counts.
    """
    from landgrade import io

    io.check_output(output, input_path)
    src = io.open_source(input_path, layer=layer, encoding=encoding, x_field=x_field,
                         y_field=y_field)
    if src.encoding_note and "garbled" in src.encoding_note:
        print(f"warning: {input_path}: {src.encoding_note}", file=sys.stderr)
    spec = crs or src.crs
    if spec is None and src.is_table:
        spec = "EPSG:4326"
    if spec is None:
        raise io.IOInputError(
            f"{input_path}: the file has no CRS (no .prj or CRS metadata); pass --crs, "
            "e.g. --crs EPSG:4546 or --crs EPSG:4326"
        )
    engine = load_engine(map_path=map_path, county=county)
    if engine.pricebook is None:
        print(f"warning: {map_path}: no county tables match this map, so no prices; "
              "pass --county FOLDER", file=sys.stderr)
    counts: pd.Series = pd.Series(dtype="int64")
    size = io.DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size
    with io.ChunkWriter(output, csv_geometry=not src.is_table) as writer:
        for chunk in io.iter_chunks(src, size, progress=progress):
            out = engine.assign(chunk, crs=spec, town=town, town_grade=town_grade,
                                town_field=town_field, town_grade_field=town_grade_field,
                                towns=towns)
            if use_field is not None:  # the row's own use picks `price`; `total` = price × area
                if use_field not in chunk.columns:
                    raise io.IOInputError(f"{input_path}: no column {use_field!r} for --use-field")
                out = use_price(out, chunk[use_field], engine.pricebook)
            out = out.set_crs(_label_crs(spec), allow_override=True)
            writer.write(out)
            counts = counts.add(out["status"].value_counts(), fill_value=0).astype("int64")
    if writer.renamed:
        pairs = ", ".join(f"{a} -> {b}" for a, b in writer.renamed.items())
        print(f"{output}: field names cut to 10 characters: {pairs}", file=sys.stderr)
    total = int(counts.sum())
    print(f"{output}: {total} rows written", file=sys.stderr)
    for status, n in counts[counts > 0].sort_values(ascending=False).items():
        print(f"  {status:<28} {int(n):>10}  {STATUSES.get(str(status), '')}", file=sys.stderr)
    if _label_crs(spec) is None and not src.is_table:
        print(f"note: {output}: the geometry stays in {spec} as given, which no .prj or CRS "
              "label can name; declare it as such when loading it", file=sys.stderr)
    return counts


def _label_crs(spec: str) -> Any:
    """The CRS to label output geometry with; GCJ-02/BD-09 have none in PROJ."""
    from landgrade.crs import resolve_crs

    resolved = resolve_crs(spec)
    return None if resolved.offset else resolved.crs
