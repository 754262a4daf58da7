"""Reading any input file as GeoDataFrames: opened as a :class:`Source`, then read in chunks.

:func:`open_source` inspects a file far enough to know its format, size, CRS and columns, and
refuses what cannot be read right (a GeoPackage with several layers and none named, a shapefile
whose parts disagree); :func:`iter_chunks` reads its rows through Arrow in chunks of at most
``chunk_size`` rows, so memory stays flat however large the file; :func:`read_file` reads a
small file whole. A CSV or Excel table gets its geometry from coordinate columns found among the
usual names (:data:`X_NAMES` / :data:`Y_NAMES`, or named by the user), else from a WKT column
(:data:`WKT_NAMES`).
"""

from __future__ import annotations

import json
import struct
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.errors import LandgradeError
from landgrade.io.encodings import csv_encoding, detect_dbf_encoding, encoding_name
from landgrade.io.excel import excel_sheet_head, read_excel_sheet
from landgrade.io.formats import IOInputError, file_format, is_text_column
from landgrade.progress import advance

# Candidate coordinate column names, compared after lower-casing and stripping spaces.
X_NAMES = ("x", "lon", "lng", "long", "longitude", "经度", "x坐标", "横坐标", "东坐标", "easting",
           "point_x", "coord_x", "xcoord", "gps_lon", "wgs84_lon")
Y_NAMES = ("y", "lat", "latitude", "纬度", "y坐标", "纵坐标", "北坐标", "northing",
           "point_y", "coord_y", "ycoord", "gps_lat", "wgs84_lat")

# A table without coordinate columns may carry its geometry as WKT (landgrade's own CSV output).
WKT_NAMES = ("wkt", "geometry_wkt", "geometry", "geom", "the_geom", "shape")

DEFAULT_CHUNK_SIZE = 200_000


def _norm_col(name: str) -> str:
    return str(name).strip().lower().replace(" ", "")


def detect_xy_fields(
    columns: list[str], x_field: str | None = None, y_field: str | None = None, *, source: Any = ""
) -> tuple[str, str]:
    """The x and y column names of a coordinate table: the given ones, else the common names."""
    cols = [str(c) for c in columns]
    for given in (x_field, y_field):
        if given is not None and given not in cols:
            raise IOInputError(
                f"{source}: no column {given!r}; columns present: {', '.join(cols)}"
            )
    norm = {_norm_col(c): c for c in cols}
    x = x_field or next((norm[n] for n in X_NAMES if n in norm), None)
    y = y_field or next((norm[n] for n in Y_NAMES if n in norm), None)
    if x is not None and x == y:
        raise IOInputError(
            f"{source}: column {x!r} is given for both x and y, so every point would be wrong; "
            "name two different columns with --x-field and --y-field"
        )
    if x is None or y is None:
        raise IOInputError(
            f"{source}: cannot tell which columns hold the coordinates; columns present: "
            f"{', '.join(cols)}. Name them with --x-field and --y-field"
        )
    return x, y


def _table_geometry(src: Source, x_field: str | None, y_field: str | None) -> None:
    """Where a table's geometry is: its x/y columns, else a WKT column (as landgrade's own
    CSV and Excel output of a layer has), else an error naming the columns."""
    try:
        src.x_field, src.y_field = detect_xy_fields(src.columns, x_field, y_field,
                                                    source=src.path)
    except IOInputError:
        norm = {_norm_col(c): c for c in src.columns}
        wkt = next((norm[n] for n in WKT_NAMES if n in norm), None)
        if x_field is not None or y_field is not None or wkt is None:
            raise
        src.wkt_field = wkt


def _table_frame(df: pd.DataFrame, src: Source) -> gpd.GeoDataFrame:
    if src.wkt_field is None:
        return points_from_xy(df, src.x_field, src.y_field)
    text = df[src.wkt_field].to_numpy(dtype=object)
    text = np.where(pd.isna(text) | (text == ""), None, text)
    geom = shapely.from_wkt(text, on_invalid="ignore")  # unreadable text: a null geometry
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geom, index=df.index))


def points_from_xy(df: pd.DataFrame, x: str, y: str, crs: Any = None) -> gpd.GeoDataFrame:
    """Point geometry from two columns; a blank or non-numeric coordinate gives a null geometry.

    Text typed with a Chinese input method (full-width digits ``１１０.５７``, an ideographic
    space) is read as the number it shows (:func:`landgrade.names.normalize`)."""
    xs, ys = _coordinates(df[x]), _coordinates(df[y])
    geom = shapely.points(xs, ys)
    bad = ~(np.isfinite(xs) & np.isfinite(ys))
    geom[bad] = None
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geom, index=df.index), crs=crs)


def _coordinates(values: pd.Series) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, copy=True)
    # Only the cells that did not parse are normalised, so clean data pays nothing.
    retry = np.flatnonzero(np.isnan(numbers)) if is_text_column(values) else []
    if len(retry):
        from landgrade.text import normalize

        texts = values.iloc[retry].map(lambda v: normalize(v) if isinstance(v, str) else v)
        numbers[retry] = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float)
    return numbers


@dataclass
class Source:
    """An input file, opened far enough to know its format, size, CRS and columns."""

    path: Path
    format: str
    layer: str | None = None
    encoding: str | None = None
    encoding_note: str = ""
    x_field: str | None = None
    y_field: str | None = None
    wkt_field: str | None = None
    sheet: str | None = None
    crs: Any = None
    n_rows: int | None = None
    columns: list[str] = field(default_factory=list)
    geometry_types: list[str] = field(default_factory=list)

    @property
    def is_table(self) -> bool:
        return self.format in ("csv", "xlsx")

    @property
    def points_only(self) -> bool:
        """True when every geometry is known to be a point (coordinate columns, a point layer)."""
        if self.is_table:
            return self.wkt_field is None
        return bool(self.geometry_types) and all(
            t.removesuffix(" Z").removesuffix("Z").strip() in ("Point", "MultiPoint")
            for t in self.geometry_types)


def open_source(
    path: str | Path,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    x_field: str | None = None,
    y_field: str | None = None,
    sheet: str | None = None,
    max_xlsx_mb: float | None = None,
) -> Source:
    """Inspect an input file; raise :class:`IOInputError` with the fix when it cannot be read.

    Nothing is guessed silently: a GeoPackage with several layers needs ``layer``, a shapefile
    whose parts disagree (record counts, a ``.cpg`` naming the wrong encoding) is an error.
    An Excel workbook is read from its first visible sheet unless ``sheet`` names one; one that
    unpacks to more than ``max_xlsx_mb`` (default
    :data:`landgrade.io.excel.DEFAULT_MAX_XLSX_MB`) is refused before it is read.
    """
    path = Path(path)
    fmt = file_format(path)
    if not path.exists():
        raise IOInputError(f"{path}: no such file")
    if encoding is not None:
        encoding = encoding_name(encoding, path)
    src = Source(path=path, format=fmt, layer=layer, encoding=encoding, sheet=sheet)
    if fmt == "xlsx":
        src.sheet, header, src.n_rows = excel_sheet_head(path, sheet, max_xlsx_mb)
        src.columns = header
        _table_geometry(src, x_field, y_field)
        return src
    if fmt == "csv":
        src.encoding = encoding or csv_encoding(path)
        try:
            head = pd.read_csv(path, nrows=5, encoding=src.encoding)
        except Exception as e:  # any parser failure is the user's file
            raise IOInputError(f"{path}: not a readable CSV ({str(e).strip()}); quote a field "
                               "that contains a comma") from None
        src.columns = [str(c) for c in head.columns]
        _table_geometry(src, x_field, y_field)
        return src
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(path)
        except Exception as e:
            raise IOInputError(f"{path}: not a readable Parquet file ({e})") from None
        geo = _geo_metadata(pf.schema_arrow.metadata)
        if geo is None:
            raise IOInputError(
                f"{path}: a Parquet file without GeoParquet 'geo' metadata; write it with "
                "GeoDataFrame.to_parquet, or export it as CSV with coordinate columns"
            )
        src.n_rows = pf.metadata.num_rows
        src.columns = [c for c in pf.schema_arrow.names]
        col = geo["columns"][geo["primary_column"]]
        src.crs = _crs_from_geo(col)
        src.geometry_types = [str(t) for t in col.get("geometry_types") or []]
        return src
    import pyogrio

    if fmt == "shapefile":
        _require_shapefile_parts(path)
        _check_shapefile_counts(path)
    if fmt == "shapefile" and encoding is None:
        src.encoding, src.encoding_note = detect_dbf_encoding(path)
    try:
        if fmt == "gpkg":
            layers = pyogrio.list_layers(path)
            names = [str(n) for n, _ in layers]
            spatial = [str(n) for n, g in layers if g is not None]
            if layer is None and len(spatial) > 1:
                raise IOInputError(
                    f"{path}: has {len(spatial)} layers with geometry ({', '.join(spatial)}); "
                    "say which one with --layer"
                )
            if layer is not None and layer not in names:
                raise IOInputError(
                    f"{path}: no layer {layer!r}; layers: {', '.join(names)}"
                )
            src.layer = layer or (spatial or names)[0]
        info = pyogrio.read_info(path, layer=src.layer, encoding=src.encoding)
    except LandgradeError:
        raise
    except Exception as e:  # GDAL failures: the file or layer is unusable
        hint = " (check --layer)" if layer else ""
        raise IOInputError(f"{path}: cannot read{hint}: {e}") from None
    if info.get("geometry_type") is None:
        raise IOInputError(
            f"{path}: layer {src.layer or path.stem!r} has no geometry column; pick a layer "
            "with geometry (--layer), or save the table as CSV with coordinate columns"
        )
    src.crs = info.get("crs")
    src.geometry_types = [str(info["geometry_type"])] if info.get("geometry_type") not in (
        None, "Unknown") else []
    src.n_rows = int(info["features"]) if info.get("features", -1) >= 0 else None
    src.columns = [str(c) for c in info["fields"]]
    return src


def count_rows(src: Source, beyond: int) -> int | None:
    """The number of data rows of ``src`` when it is known or cheap to learn: the file's own
    count, or for a CSV its lines (exact, parsed, only when there are more than ``beyond``,
    since a quoted value may hold a line break). None when neither."""
    if src.n_rows is not None or src.format != "csv":
        return src.n_rows
    lines, last = -1, b""  # -1: the header
    with src.path.open("rb") as f:
        while block := f.read(1 << 24):
            lines += block.count(b"\n")
            last = block
    lines += bool(last) and not last.endswith(b"\n")  # a last line without its line break
    if lines <= beyond:
        return max(lines, 0)
    try:
        reader = pd.read_csv(src.path, usecols=[0], dtype=str, keep_default_na=False,
                             encoding=src.encoding, chunksize=1 << 20)
        return sum(len(df) for df in reader)
    except Exception:  # what cannot be parsed here fails, naming the line, when it is read
        return None


def _require_shapefile_parts(shp: Path) -> None:
    """A shapefile needs its .shx (record offsets) and .dbf (attributes) beside the .shp.

    GDAL reads a .shp without its .dbf, but every attribute column would silently be lost.
    """
    for ext, holds in ((".shx", "record index"), (".dbf", "attributes")):
        if not (shp.with_suffix(ext).exists() or shp.with_suffix(ext.upper()).exists()):
            raise IOInputError(
                f"{shp}: the shapefile's {ext} ({holds}) is missing; copy {shp.stem}{ext} "
                "next to the .shp"
            )


def _check_shapefile_counts(shp: Path) -> None:
    """The .shx (one entry per shape), .shp and .dbf (one record per row) must agree, or rows
    would be lost or shifted without a word."""
    def part(ext: str) -> Path:
        p = shp.with_suffix(ext)
        return p if p.exists() else shp.with_suffix(ext.upper())

    shx, dbf = part(".shx"), part(".dbf")
    shx_size = shx.stat().st_size
    if shx_size < 100 or (shx_size - 100) % 8:
        raise IOInputError(f"{shx}: not a shapefile index (size {shx_size}); is it complete?")
    shapes = (shx_size - 100) // 8
    with dbf.open("rb") as f:
        head = f.read(32)
    if len(head) < 32:
        raise IOInputError(f"{dbf}: not a dBase file (too short); is the shapefile complete?")
    records = struct.unpack("<I", head[4:8])[0]
    if records != shapes:
        raise IOInputError(
            f"{shp}: its parts disagree: {dbf.name} has {records} records but {shx.name} "
            f"indexes {shapes} shapes; rows would be lost; re-export the shapefile whole"
        )
    if shapes:
        with shx.open("rb") as f:
            f.seek(100 + (shapes - 1) * 8)
            offset, length = struct.unpack(">ii", f.read(8))
        need = (offset + length) * 2 + 8
        if shp.stat().st_size < need:
            raise IOInputError(
                f"{shp}: the .shp is cut short ({shp.stat().st_size} bytes, its index needs "
                f"{need}); re-export the shapefile whole"
            )


def _geo_metadata(meta: dict[bytes, bytes] | None) -> dict[str, Any] | None:
    if not meta or b"geo" not in meta:
        return None
    return json.loads(meta[b"geo"])


def _crs_from_geo(col: dict[str, Any]) -> Any:
    from pyproj import CRS

    if "crs" not in col:
        return "OGC:CRS84"  # the GeoParquet default when the key is absent
    if col["crs"] is None:
        return None
    return CRS.from_user_input(col["crs"])


class RawChunk(NamedTuple):
    """A chunk with the file's own geometry encoding, for :func:`iter_chunks` ``raw=True``.

    ``wkb``: the geometry as the file stores it (an Arrow binary array; GeoParquet only, else
    None). ``xy``: the coordinates when every row is a 2-D point read straight from ``wkb``; the
    frame's geometry is then left empty (None) instead of building shapely points.
    """

    frame: gpd.GeoDataFrame
    wkb: Any
    xy: np.ndarray | None


def iter_chunks(
    src: Source, chunk_size: int = DEFAULT_CHUNK_SIZE, *, progress: bool = True,
    raw: bool = False, watched: bool = True,
) -> Iterator[Any]:
    """The rows of a source as GeoDataFrames of at most ``chunk_size`` rows, in file order.

    A progress bar goes to stderr. Each chunk's index continues the previous one's, so row
    numbers in messages are file row numbers (0-based). Column types come from the file's own
    schema (CSV: every cell text, exactly as written), so no value changes between chunks.

    Unless ``watched`` is False, each chunk is told to the run's watcher before it is yielded
    (:func:`landgrade.progress.advance`: a progress bar, a cancel button).

    With ``raw``, yields :class:`RawChunk` s, whose geometry a writer can pass through
    unchanged (see :meth:`ChunkWriter.write`) without it ever becoming shapely objects.
    """
    from tqdm import tqdm

    if chunk_size < 1:
        raise IOInputError(
            f"{src.path}: chunk size {chunk_size} reads no rows; give a chunk size of 1 or more"
        )
    bar = tqdm(total=src.n_rows, unit="row", file=sys.stderr,
               disable=not progress or not sys.stderr.isatty(),
               desc=src.path.name, leave=False)
    start = 0
    try:
        for chunk, wkb, xy in _raw_chunks(src, chunk_size, lazy=raw):
            if watched:  # before the chunk's work: the watcher may stop it here
                advance(start, src.n_rows, src.path.name)
            chunk.index = pd.RangeIndex(start, start + len(chunk))
            start += len(chunk)
            bar.update(len(chunk))
            yield RawChunk(chunk, wkb, xy) if raw else chunk
        if watched:
            advance(start, src.n_rows, src.path.name)
    finally:
        bar.close()


def _raw_chunks(
    src: Source, chunk_size: int, *, lazy: bool = False
) -> Iterator[tuple[gpd.GeoDataFrame, Any, np.ndarray | None]]:
    if src.format == "xlsx":
        df = read_excel_sheet(src.path, src.sheet, src.columns)
        # A sheet with a header and no rows is one empty chunk, as a CSV is: the output then
        # has the input's columns and the answer's.
        for lo in range(0, max(len(df), 1), chunk_size):
            yield _table_frame(df.iloc[lo:lo + chunk_size], src), None, None
        return
    if src.format == "csv":
        try:
            # Every cell is read as the text it is ('001', '+5', '1.10', a 22-digit id), so it is
            # written back the same; the coordinates are parsed for the geometry only.
            reader = pd.read_csv(src.path, chunksize=chunk_size, encoding=src.encoding,
                                 dtype=str, keep_default_na=False)
            for df in reader:
                if not isinstance(df.index, pd.RangeIndex):
                    # pandas takes a first row with one field more than the header as having
                    # a row label, shifting every value one column left: x would be read as y.
                    raise IOInputError(
                        f"{src.path}: line 2 has more fields than the header line; quote a "
                        "field that contains a comma, or name the extra column in the header"
                    )
                yield _table_frame(df, src), None, None
        except UnicodeDecodeError as e:
            raise IOInputError(
                f"{src.path}: text is not {src.encoding} ({e.reason}); pass --encoding"
            ) from None
        except pd.errors.ParserError as e:  # e.g. an unquoted comma deep in the file
            raise IOInputError(
                f"{src.path}: not a readable CSV ({str(e).strip()}); quote a field that "
                "contains a comma"
            ) from None
        return
    if src.format == "parquet":
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(src.path)
        geo = _geo_metadata(pf.schema_arrow.metadata)
        gcol = geo["primary_column"]
        for batch in pf.iter_batches(batch_size=chunk_size):
            wkb = batch.column(gcol)
            df = batch.drop_columns([gcol]).to_pandas(types_mapper=_nullable_ints)
            xy = wkb_points_xy(wkb)
            if xy is None:
                geom = shapely.from_wkb(wkb.to_numpy(zero_copy_only=False))
            else:  # building shapely points costs as much as decoding: only when asked for
                geom = np.full(len(xy), None, dtype=object) if lazy else shapely.points(xy)
            yield gpd.GeoDataFrame(
                df, geometry=gpd.GeoSeries(geom, index=df.index), crs=src.crs), wkb, xy
        return
    import pyogrio

    if src.format == "shapefile":
        # pyogrio applies a shapefile's encoding as a process-wide GDAL option for as long as a
        # reader is open, which would also recode the output being written between chunks; so
        # each chunk is one closed read (shapefiles seek to a row cheaply).
        total = src.n_rows if src.n_rows is not None else pyogrio.read_info(src.path)["features"]
        for lo in range(0, max(total, 0), chunk_size):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                df = pyogrio.read_dataframe(src.path, encoding=src.encoding, skip_features=lo,
                                            max_features=chunk_size, use_arrow=True,
                                            arrow_to_pandas_kwargs={"types_mapper": _nullable_ints})
            yield gpd.GeoDataFrame(df, geometry=df.geometry.name, crs=src.crs), None, None
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        # A GeoJSON feature's own integer ``id`` (beside its properties) is GDAL's fid: read it
        # too, and keep it as an ``id`` column unless it is only GDAL's row count 0, 1, 2, …
        want_fids = src.format == "geojson" and "id" not in src.columns
        # GeoJSON has no date type: a text that looks like a date stays the text it is.
        options = {"DATE_AS_STRING": "YES"} if src.format == "geojson" else {}
        with pyogrio.open_arrow(src.path, layer=src.layer, encoding=src.encoding,
                                batch_size=chunk_size, use_pyarrow=True,
                                return_fids=want_fids, **options) as (meta, reader):
            gname = meta.get("geometry_name") or "wkb_geometry"
            fid = meta.get("fid_column")
            # GDAL reports a GeoJSON property named ``id`` as the fid column as well as a
            # field: it is the user's data, so only a fid that is not a field is dropped.
            drop_fid = fid and fid not in set(map(str, meta.get("fields", [])))
            keep_ids: bool | None = None
            seen = 0
            for batch in reader:
                df = batch.to_pandas(types_mapper=_nullable_ints)
                if want_fids and fid in df.columns:
                    ids = df.pop(fid)
                    if keep_ids is None:  # decided once, so every chunk has the same columns
                        keep_ids = not np.array_equal(ids.to_numpy(dtype="int64"),
                                                      np.arange(seen, seen + len(ids)))
                    if keep_ids:
                        df.insert(0, "id", ids)
                elif drop_fid and fid in df.columns:
                    df = df.drop(columns=fid)
                seen += len(df)
                geom = shapely.from_wkb(df.pop(gname).to_numpy()) if gname in df.columns else None
                yield gpd.GeoDataFrame(
                    df, geometry=gpd.GeoSeries(geom, index=df.index), crs=src.crs
                ), None, None


def _nullable_ints(arrow_type: Any) -> Any:
    """Arrow integers read as pandas' nullable Int64, so a null grade stays an integer column."""
    import pyarrow as pa

    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    return None


def wkb_points_xy(wkb: Any) -> np.ndarray | None:
    """x, y of 2-D points straight from a WKB Arrow array's buffer, without shapely objects.

    Returns None (the caller decodes with shapely) unless every value is a little-endian 2-D
    WKB point with finite coordinates, stored back to back.
    """
    import pyarrow as pa

    if isinstance(wkb, pa.ChunkedArray):
        wkb = wkb.combine_chunks()
    n = len(wkb)
    if n == 0 or wkb.null_count or not (pa.types.is_binary(wkb.type)
                                        or pa.types.is_large_binary(wkb.type)):
        return None
    off_type = np.int64 if pa.types.is_large_binary(wkb.type) else np.int32
    _, offsets_buf, data_buf = wkb.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=off_type)[wkb.offset: wkb.offset + n + 1]
    start = int(offsets[0])
    if int(offsets[-1]) - start != 21 * n or not (np.diff(offsets) == 21).all():
        return None
    rows = np.frombuffer(data_buf, dtype=np.uint8)[start: start + 21 * n].reshape(n, 21)
    if not ((rows[:, 0] == 1).all() and (rows[:, 1:5] == (1, 0, 0, 0)).all()):
        return None
    xy = np.ascontiguousarray(rows[:, 5:]).view("<f8").reshape(n, 2)
    return xy if np.isfinite(xy).all() else None


def read_file(
    path: str | Path,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    x_field: str | None = None,
    y_field: str | None = None,
    sheet: str | None = None,
) -> gpd.GeoDataFrame:
    """A whole file as one GeoDataFrame (for small inputs; see :func:`iter_chunks`)."""
    src = open_source(path, layer=layer, encoding=encoding, x_field=x_field, y_field=y_field,
                      sheet=sheet)
    # A whole small file read on the way (a table, a sample): not the run's progress.
    chunks = list(iter_chunks(src, progress=False, watched=False))
    if not chunks:
        return gpd.GeoDataFrame({"geometry": gpd.GeoSeries([], crs=src.crs)}, crs=src.crs)
    return chunks[0] if len(chunks) == 1 else pd.concat(chunks)
