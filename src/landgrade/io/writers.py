"""Writing GeoDataFrames to any format, chunk after chunk, safely: :class:`ChunkWriter`.

Values round-trip: CSV cells as text, column types from the first chunk's schema, GeoParquet
geometry passed through as its own WKB. What a format cannot hold as given is reported in
:attr:`ChunkWriter.warnings`, never changed silently: shapefiles are written in UTF-8 with a
``.cpg`` and field names cut to the format's 10 characters (:func:`shapefile_field_names`),
text over 254 bytes and numbers beyond a ``.dbf`` field are counted. Every file is written
through :class:`landgrade.io.atomic.AtomicOutput`.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.errors import LandgradeError
from landgrade.io.atomic import AtomicOutput, check_interrupted, check_output
from landgrade.io.excel import EXCEL_MAX_ROWS, excel_rows, mixed_as_text
from landgrade.io.formats import (
    IOInputError,
    cut_to_bytes,
    file_format,
    is_text_column,
    rows_with_nul,
)
from landgrade.io.ogr import ArrowStreamWriter, ogr_arrow_table, write_ogr

SHAPEFILE_FIELD_LIMIT = 10
# What a shapefile's .dbf can hold: text fields of at most 254 bytes.
SHAPEFILE_TEXT_LIMIT = 254


def shapefile_field_names(columns: list[str]) -> dict[str, str]:
    """Renames that fit a dBase field name (≤10 bytes in UTF-8) and keep names unique."""
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    for c in columns:
        name = str(c)
        if len(name.encode("utf-8")) <= SHAPEFILE_FIELD_LIMIT and name.lower() not in taken:
            taken.add(name.lower())
            continue
        base = cut_to_bytes(name, SHAPEFILE_FIELD_LIMIT)
        new, i = base, 1
        while new.lower() in taken:
            suffix = f"_{i}"
            new = cut_to_bytes(name, SHAPEFILE_FIELD_LIMIT - len(suffix)) + suffix
            i += 1
        taken.add(new.lower())
        renamed[name] = new
    return renamed


class ChunkWriter:
    """Write GeoDataFrames to one file, chunk after chunk, safely.

    The chunks go to a temporary file beside ``path``; :meth:`close` moves it into place, and an
    exception inside ``with ChunkWriter(...)`` (or :meth:`abort`) removes it, leaving an existing
    ``path`` untouched (see :class:`AtomicOutput`). The first chunk fixes the columns: a later
    chunk lacking one gets it empty, a later chunk with a new one is refused.

    Shapefiles get UTF-8 with a ``.cpg`` and ≤10-character field names (see :attr:`renamed`);
    values they cannot hold are counted in :attr:`warnings`. CSV and Excel output keep the
    coordinate columns of a table input, and otherwise add a ``wkt`` column.
    """

    def __init__(self, path: str | Path, *, csv_geometry: bool = True,
                 layer: str | None = None,
                 finish: Callable[[Path], None] | None = None) -> None:
        self.path = Path(path)
        # Run on the complete temporary file before it is moved into place (e.g. a GeoPackage's
        # QGIS style, landgrade.io.qgis_styles), so that the output appears with it or not at all.
        self.finish = finish
        self.format = file_format(self.path)
        self.csv_geometry = csv_geometry
        self.layer = layer or self.path.stem
        self.renamed: dict[str, str] = {}
        self.rows = 0
        self.columns: list[str] | None = None
        self._too_long: dict[str, int] = {}
        self._excel_text: dict[str, int] = {}
        self._changed: dict[str, int] = {}
        self._parquet: Any = None
        self._schema: Any = None
        self._csv: Any = None
        self._xlsx: Any = None
        self._geojson: list[gpd.GeoDataFrame] = []
        self._gpkg: Any = None  # the GeoPackage stream; False once chunks are appended
        check_output(self.path)
        self._out = AtomicOutput(self.path)

    # -- public --------------------------------------------------------------------------------
    @property
    def warnings(self) -> list[str]:
        """What the format could not hold as given, one line per column: shapefile text over
        254 bytes, numbers beyond its 24 characters and names over 10 characters, Excel
        integers beyond 15 digits."""
        return [
            f"{self.path}: column {c!r}: {n} value(s) longer than {SHAPEFILE_TEXT_LIMIT} bytes "
            "cut by the shapefile format; write .gpkg or .parquet to keep them whole"
            for c, n in self._too_long.items()
        ] + [
            f"{self.path}: column {c!r}: {n} number(s) too large or too small for a shapefile's "
            "24-character number field were changed; write .gpkg or .parquet to keep them"
            for c, n in self._changed.items()
        ] + [
            f"{self.path}: field name {a!r} cut to {b!r} (shapefile names hold 10 characters)"
            for a, b in self.renamed.items()
        ] + [
            f"{self.path}: column {c!r}: {n} integer(s) longer than Excel's 15 digits written "
            "as text so that they keep every digit"
            for c, n in self._excel_text.items()
        ]

    @property
    def outcome(self) -> str:
        return self._out.outcome

    def write(self, gdf: gpd.GeoDataFrame, *, wkb: Any = None) -> None:
        """Append one chunk. ``wkb``: the chunk's geometry already encoded (an Arrow binary
        array), written as is to GeoParquet instead of encoding the shapely objects again."""
        check_interrupted()  # stop at the next chunk, not only at the commit
        gdf = self._fixed_columns(gdf)
        if self.format in ("gpkg", "geojson", "shapefile"):
            self._refuse_nul(gdf)
        try:
            if self.format == "csv":
                self._write_csv(gdf)
            elif self.format == "xlsx":
                self._write_xlsx(gdf)
            elif self.format == "parquet":
                self._write_parquet(gdf, wkb)
            elif self.format == "geojson":
                # One JSON document: GDAL would re-read (and re-type, e.g. a date-like text as
                # a Date) and rewrite the whole file per appended chunk, so it is written once.
                self._geojson.append(gdf)
            else:
                self._write_ogr(gdf)
        except LandgradeError:
            raise
        except Exception as e:  # GDAL/Arrow refusals become a named error
            raise IOInputError(f"{self.path}: cannot write ({str(e).strip()})") from None
        self.rows += len(gdf)

    def close(self) -> None:
        """Finish the file and move it into place."""
        try:
            self._finish()
            if self.rows == 0 and not self._out.tmp.exists():
                self._write_empty()
            if self.finish is not None:
                self.finish(self._out.tmp)
            self._out.commit()
        except BaseException:
            self.abort()
            raise

    def abort(self) -> None:
        """Drop everything written so far; the destination stays as it was."""
        self._geojson = []
        # An unfinished workbook is dropped, not saved: saving writes out every row appended so
        # far (tens of seconds after a Ctrl-C on a large file) only for the file to be removed.
        book, self._xlsx = self._xlsx, None
        if book is not None:  # the rows already sit in openpyxl's own temporary file: remove it
            with contextlib.suppress(Exception):
                self._sheet.close()
                self._sheet._writer.cleanup()
        with contextlib.suppress(BaseException):
            self._end_gpkg(abort=True)
        with contextlib.suppress(Exception):
            self._finish()
        self._out.abort()

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    # -- formats -------------------------------------------------------------------------------
    def _fixed_columns(self, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        cols = [str(c) for c in gdf.columns]
        if self.columns is None:
            self.columns = cols
            return gdf
        if cols == self.columns:
            return gdf
        new = [c for c in cols if c not in self.columns]
        if new:
            raise IOInputError(
                f"{self.path}: column(s) {', '.join(new)} appear after the first "
                f"{self.rows} rows; give a --chunk-size larger than the file"
            )
        return gdf.reindex(columns=self.columns)

    def _plain(self, gdf: gpd.GeoDataFrame) -> pd.DataFrame:
        df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        if self.csv_geometry:
            # The geometry as text, in a column of its own: ``wkt``, or ``geometry_wkt`` …
            # when the data already has a ``wkt`` column, which is kept as it is.
            name = next(n for n in ("wkt", "geometry_wkt", *(f"wkt_{i}" for i in range(1, 99)))
                        if n not in df.columns)
            df[name] = shapely.to_wkt(gdf.geometry.to_numpy(), rounding_precision=-1)
        return df

    def _write_csv(self, gdf: gpd.GeoDataFrame) -> None:
        import pyarrow.csv as pcsv

        table = _arrow_table(self._plain(gdf))
        first = self._csv is None
        if first:
            self._csv = self._out.tmp.open("wb")
            # A byte-order mark at the start makes Excel read the Chinese text as UTF-8.
            self._csv.write(codecs.BOM_UTF8)
        pcsv.write_csv(table, self._csv, pcsv.WriteOptions(include_header=first))

    def _write_xlsx(self, gdf: gpd.GeoDataFrame) -> None:
        df = self._plain(gdf)
        if self._xlsx is None:
            from openpyxl import Workbook

            self._xlsx = Workbook(write_only=True)
            title = re.sub(r"[\[\]:*?/\\]", "_", self.path.stem)[:31] or "Sheet1"
            self._sheet = self._xlsx.create_sheet(title)
            self._sheet.append([str(c) for c in df.columns])
        if self.rows + len(df) + 1 > EXCEL_MAX_ROWS:
            raise IOInputError(
                f"{self.path}: more than {EXCEL_MAX_ROWS - 1:,} rows, the most an Excel sheet "
                "holds; write .csv, .gpkg or .parquet instead"
            )
        from openpyxl.utils.exceptions import IllegalCharacterError

        try:
            for row in excel_rows(df, self._sheet, self.path, self._excel_text):
                self._sheet.append(row)
        except IllegalCharacterError:
            raise IOInputError(
                f"{self.path}: a value holds a control character an Excel cell cannot store; "
                "write .csv instead"
            ) from None

    def _write_ogr(self, gdf: gpd.GeoDataFrame) -> None:
        out = gdf
        if self.format == "gpkg" and self._stream_gpkg(gdf):
            return
        first = not self._out.tmp.exists()
        if self.format == "shapefile":
            if first:
                self.renamed = shapefile_field_names(
                    [c for c in gdf.columns if c != gdf.geometry.name]
                )
            out = gdf.rename(columns=self.renamed)
            kinds = set(shapely.get_type_id(out.geometry.dropna().to_numpy()).tolist()) - {7}
            dims = {0: 0, 4: 0, 1: 1, 5: 1, 2: 2, 6: 2, 3: 2}
            if len({dims.get(k, k) for k in kinds}) > 1:
                raise IOInputError(
                    f"{self.path}: a shapefile holds one kind of geometry, this data mixes "
                    "points, lines and polygons; write .gpkg or .parquet instead"
                )
            self._count_long_text(gdf)
        # The layer name, not the temp file's: GeoJSON stores it as the collection's "name".
        write_ogr(out, self._out.tmp,
                  layer=self.layer if self.format in ("gpkg", "geojson") else None,
                  append=not first)
        if self.format == "shapefile":
            self._count_changed_numbers(gdf, out)

    def _stream_gpkg(self, gdf: gpd.GeoDataFrame) -> bool:
        """GeoPackage chunks go to GDAL as one Arrow stream (one open layer, its spatial index
        built once at the end): appending chunk by chunk made SQLite update the R-tree row by
        row through its triggers, 2–3× the whole write. False: write this chunk by appending
        (a chunk whose types differ from the first's, after the stream was ended)."""
        if self._gpkg is False:
            return False
        table, options = ogr_arrow_table(gdf, self._out.tmp, layer=self.layer,
                                         append=self._gpkg is not None)
        if self._gpkg is None:
            self._gpkg = ArrowStreamWriter(table, options)
            return True
        try:
            table = _cast_to(table, self._gpkg.schema, self.path)
        except IOInputError:  # types differ from the first chunk's: GDAL converts on append
            self._end_gpkg()
            self._gpkg = False
            return False
        self._gpkg.put(table)
        return True

    def _end_gpkg(self, abort: bool = False) -> None:
        stream = self._gpkg
        if isinstance(stream, ArrowStreamWriter):
            self._gpkg = False if not abort else None
            try:
                stream.finish(abort=abort)
            except LandgradeError:
                raise
            except Exception as e:  # a GDAL refusal becomes a named error
                raise IOInputError(f"{self.path}: cannot write ({str(e).strip()})") from None

    def _refuse_nul(self, gdf: gpd.GeoDataFrame) -> None:
        """GDAL takes text as C strings: a value holding a NUL character would be cut at it
        without a word, so it is refused, naming the column and row."""
        for i, c in enumerate(gdf.columns):
            s = gdf.iloc[:, i]
            if c == gdf.geometry.name or not is_text_column(s):
                continue
            bad = rows_with_nul(s)
            if len(bad):
                row = gdf.index[bad[0]]
                where = f"data row {row + 1}" if isinstance(row, int | np.integer) else \
                    f"row {row!r}"
                raise IOInputError(
                    f"{self.path}: column {c!r}, {where}: the value holds a NUL character, "
                    f"which a {self.path.suffix} file cannot store (it would be cut there); "
                    "write .csv or .parquet to keep it whole")

    def _count_long_text(self, gdf: gpd.GeoDataFrame) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        for c in gdf.columns:
            if c == gdf.geometry.name or not is_text_column(gdf[c]):
                continue
            values = gdf[c].astype(object).where(gdf[c].notna(), None)
            try:
                lengths = pc.binary_length(pa.array(values, pa.large_string(), from_pandas=True))
                n = int(pc.sum(pc.greater(lengths, SHAPEFILE_TEXT_LIMIT)).as_py() or 0)
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed values: GDAL writes them as text
                n = sum(len(str(v).encode("utf-8")) > SHAPEFILE_TEXT_LIMIT
                        for v in values if v is not None)
            if n:
                self._too_long[str(c)] = self._too_long.get(str(c), 0) + n

    def _count_changed_numbers(self, gdf: gpd.GeoDataFrame, out: gpd.GeoDataFrame) -> None:
        """A .dbf holds a number as at most 24 characters with 15 decimals, so very large or
        very small values change (1e-152 → 0): read this chunk back and count them. A change
        below 1e-12 of the value (the 16th digit) is the format's ordinary rounding."""
        import pyogrio

        floats = [c for c in gdf.columns if c != gdf.geometry.name
                  and pd.api.types.is_float_dtype(gdf[c].dtype)]
        if not floats or not len(gdf):
            return
        names = [str(self.renamed.get(str(c), c)) for c in floats]
        _, back = pyogrio.read_arrow(self._out.tmp, columns=names, read_geometry=False,
                                     skip_features=self.rows, max_features=len(gdf))
        for c, name in zip(floats, names, strict=True):
            given = gdf[c].to_numpy(dtype=float, na_value=np.nan)
            read = back.column(name).to_numpy(zero_copy_only=False).astype(float)
            changed = ~np.isclose(read, given, rtol=1e-12, atol=0.0, equal_nan=True)
            if changed.any():
                self._changed[str(c)] = self._changed.get(str(c), 0) + int(changed.sum())

    def _write_parquet(self, gdf: gpd.GeoDataFrame, wkb: Any) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        gname = gdf.geometry.name
        table = _arrow_table(pd.DataFrame(gdf.drop(columns=gname)))
        if wkb is None or len(wkb) != len(gdf):
            wkb = pa.array(shapely.to_wkb(gdf.geometry.to_numpy()), pa.binary())
        table = table.append_column(pa.field(gname, pa.binary()), wkb.cast(pa.binary()))
        if self._parquet is None:
            geo = {
                "version": "1.0.0",
                "primary_column": gname,
                "columns": {gname: {"encoding": "WKB", "geometry_types": [],
                                    "crs": gdf.crs.to_json_dict() if gdf.crs else None}},
            }
            self._schema = table.schema.with_metadata({b"geo": json.dumps(geo).encode()})
            self._parquet = pq.ParquetWriter(self._out.tmp, self._schema)
        if table.schema != self._schema:
            table = _cast_to(table, self._schema, self.path)
        self._parquet.write_table(table.replace_schema_metadata(self._schema.metadata))

    def _write_empty(self) -> None:
        """No rows at all: still a valid, empty file of the format."""
        if self.format == "csv":
            self._out.tmp.write_bytes(codecs.BOM_UTF8)
        elif self.format == "xlsx":
            from openpyxl import Workbook

            Workbook().save(self._out.tmp)
        else:
            empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=None))
            if self.format == "parquet":
                empty.to_parquet(self._out.tmp)
            else:
                write_ogr(empty, self._out.tmp, layer=self.layer)

    def _finish(self) -> None:
        self._end_gpkg()
        if self._geojson:
            chunks, self._geojson = self._geojson, []
            whole = chunks[0] if len(chunks) == 1 else pd.concat(chunks)
            self._write_ogr(whole)
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._csv is not None:
            self._csv.close()
            self._csv = None
        if self._xlsx is not None:
            book, self._xlsx = self._xlsx, None
            book.save(self._out.tmp)


def _arrow_table(df: pd.DataFrame) -> Any:
    """A frame as an Arrow table with stable types: categories as plain text, NaN as null."""
    import pyarrow as pa

    table = pa.Table.from_pandas(mixed_as_text(df), preserve_index=False)
    for i, f in enumerate(table.schema):
        if pa.types.is_dictionary(f.type):
            table = table.set_column(i, pa.field(f.name, f.type.value_type),
                                     table.column(i).cast(f.type.value_type))
    return table.replace_schema_metadata(None)


def _cast_to(table: Any, schema: Any, path: Path) -> Any:
    """A later chunk in the first chunk's types; a value the cast would change is refused."""
    import pyarrow as pa

    cols = []
    for f in schema:
        col = table.column(f.name)
        if col.type != f.type:
            if pa.types.is_null(col.type):
                col = pa.nulls(len(table), f.type)
            else:
                try:
                    col = col.cast(f.type)  # safe cast: refuses truncation and overflow
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    raise IOInputError(
                        f"{path}: column {f.name!r} holds {col.type} after the first rows where "
                        f"it held {f.type}; give a --chunk-size larger than the file"
                    ) from None
        cols.append(col)
    return pa.Table.from_arrays(cols, schema=schema)


def write_file(gdf: gpd.GeoDataFrame, path: str | Path) -> dict[str, str]:
    """Write one GeoDataFrame (safely replacing the file); returns the shapefile field renames."""
    with ChunkWriter(path) as w:
        w.write(gdf)
    return w.renamed
