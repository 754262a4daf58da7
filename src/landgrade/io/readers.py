"""Reading and writing the files analysts bring: the one I/O module.

Formats are chosen by extension:

==============  ======================================================================
extension       format
==============  ======================================================================
.shp            ESRI Shapefile (attribute encoding: the ``.cpg``, checked against the
                data; else detected, see :func:`detect_dbf_encoding`; ``encoding=``
                overrides)
.gpkg           GeoPackage (``layer=`` picks a layer; needed when several have geometry)
.geojson .json  GeoJSON
.parquet        GeoParquet (WKB geometry column, ``geo`` metadata)
.csv            a table with coordinate columns (auto-detected among common names, see
                :data:`X_NAMES` / :data:`Y_NAMES`, or ``x_field=`` / ``y_field=``) or
                else a WKT column (:data:`WKT_NAMES`); UTF-8 (with or without BOM),
                else GBK; every cell read as text
.xlsx           an Excel sheet with coordinate columns (the first sheet, or ``sheet=``)
==============  ======================================================================

Large inputs are read in chunks (:func:`iter_chunks`) through Arrow and written by appending
(:class:`ChunkWriter`), so memory stays flat however large the file.

A user's files are sacred (README, "What landgrade promises about your files"):

- every output goes through :class:`AtomicOutput`: written to a temporary file beside the
  destination and moved into place only when complete, so an interrupted or failed run leaves no
  destination or the old one untouched, and concurrent writers cannot mix;
- :func:`check_output` refuses an output that is, or would replace, one of the run's inputs;
- values round-trip: CSV cells as text, column types from the file's schema, GeoParquet geometry
  passed through as its own WKB; what a format cannot hold is reported in
  :attr:`ChunkWriter.warnings`;
- GeoPackages are GPKG 1.2 (:data:`GPKG_DATASET_OPTIONS`, used by :func:`write_ogr`).

Shapefiles are always written in UTF-8 with a ``.cpg`` and field names cut to the format's 10
characters (reported). Every failure is an :class:`IOInputError` that names the file and the fix.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import json
import os
import re
import signal
import struct
import sys
import threading
import uuid
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.errors import LandgradeError

FORMATS: dict[str, str] = {
    ".shp": "shapefile",
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".json": "geojson",
    ".parquet": "parquet",
    ".geoparquet": "parquet",
    ".csv": "csv",
    ".xlsx": "xlsx",
}
# Formats of tables without geometry (audit, prices, reports).
TABLE_SUFFIXES = (".csv", ".xlsx")
OGR_DRIVERS = {"shapefile": "ESRI Shapefile", "gpkg": "GPKG", "geojson": "GeoJSON"}

# Candidate coordinate column names, compared after lower-casing and stripping spaces.
X_NAMES = ("x", "lon", "lng", "long", "longitude", "经度", "x坐标", "横坐标", "东坐标", "easting",
           "point_x", "coord_x", "xcoord", "gps_lon", "wgs84_lon")
Y_NAMES = ("y", "lat", "latitude", "纬度", "y坐标", "纵坐标", "北坐标", "northing",
           "point_y", "coord_y", "ycoord", "gps_lat", "wgs84_lat")

# A table without coordinate columns may carry its geometry as WKT (landgrade's own CSV output).
WKT_NAMES = ("wkt", "geometry_wkt", "geometry", "geom", "the_geom", "shape")
SHAPEFILE_FIELD_LIMIT = 10
DEFAULT_CHUNK_SIZE = 200_000
# Text that survived a wrong decoding: the replacement character, 锟斤拷 (UTF-8 of U+FFFD read as
# GBK) and Latin-1 renderings of UTF-8 lead bytes.
_GARBLE_MARKERS = ("\ufffd", "锟斤拷", "Ã", "Â", "â€", "ï¼", "å", "æ", "ç", "è", "é")
_LDID_ENCODINGS = {0x4D: "GBK", 0x7A: "GBK", 0x57: "CP1252", 0x03: "CP1252", 0x01: "CP437"}


class IOInputError(LandgradeError):
    """An input or output file cannot be used; the message names the file and the fix."""


def file_format(path: str | Path) -> str:
    """The format key of a path, from its extension (see the module table)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise IOInputError(f"{path}: unknown file type {suffix or '(none)'!r}; use one of {known}")
    return FORMATS[suffix]


# --- encodings ---------------------------------------------------------------------------------
def looks_garbled(texts: list[str]) -> bool:
    """True when decoded text shows the usual signs of a wrong encoding."""
    return any(m in t for t in texts for m in _GARBLE_MARKERS)


def _dbf_text_sample(dbf: Path, max_bytes: int = 1 << 20) -> tuple[bytes, int | None]:
    """Raw bytes of the field names and the first records of a .dbf, and its language-driver id."""
    with dbf.open("rb") as f:
        head = f.read(32)
        if len(head) < 32:
            raise IOInputError(f"{dbf}: not a dBase file (too short); is the shapefile complete?")
        header_len, record_len = struct.unpack("<HH", head[8:12])
        ldid = head[29] or None
        fields = f.read(max(header_len - 32, 0))
        body = f.read(min(max_bytes, record_len * 20_000))
    return fields + body, ldid


def detect_dbf_encoding(shp: str | Path) -> tuple[str, str]:
    """The attribute encoding of a shapefile and how it was decided.

    Order: the ``.cpg`` file; else the bytes decode as strict UTF-8 → ``UTF-8``; else as GBK
    (GB18030, its superset, so rare characters survive) → ``GBK``; else the dBase language-driver
    byte; else ``UTF-8`` with replacement, flagged by the reason text.
    """
    shp = Path(shp)
    cpg = shp.with_suffix(".cpg")
    if not cpg.exists():
        cpg = shp.with_suffix(".CPG")
    dbf = shp.with_suffix(".dbf")
    if not dbf.exists():
        dbf = shp.with_suffix(".DBF")
    raw, ldid = _dbf_text_sample(dbf) if dbf.exists() else (b"", None)
    if cpg.exists():
        name = cpg.read_text(encoding="ascii", errors="ignore").strip()
        if name:
            norm = {"936": "GBK", "65001": "UTF-8", "UTF8": "UTF-8"}.get(name.upper(), name)
            try:
                codecs.lookup(norm)
            except LookupError:
                norm = ""
            if norm:
                _check_cpg(cpg, norm, raw)
                return norm, f"from {cpg.name}"
    if not dbf.exists():
        return "UTF-8", "no .dbf"
    if raw.isascii():
        return "UTF-8", "attributes are plain ASCII"
    for enc in ("utf-8", "gb18030"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if not looks_garbled([text]):
            name = "UTF-8" if enc == "utf-8" else "GB18030"
            return name, f"no .cpg; attributes decode as {enc}"
    if ldid in _LDID_ENCODINGS:
        return _LDID_ENCODINGS[ldid], f"no .cpg; dBase language driver 0x{ldid:02X}"
    return "UTF-8", "no .cpg and no encoding decodes cleanly: text may be garbled, pass --encoding"


def _reads_as(raw: bytes, encoding: str) -> bool:
    """True when ``raw`` reads cleanly in ``encoding``: at most a few broken characters (a
    writer that cut text at 254 bytes splits the last character) and no signs of garbling."""
    text = raw.decode(encoding, errors="replace")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    broken = text.count("\ufffd")
    return broken <= 0.02 * max(non_ascii, 1) and not looks_garbled([text.replace("\ufffd", "")])


def _check_cpg(cpg: Path, encoding: str, raw: bytes) -> None:
    """A ``.cpg`` that names the wrong encoding is an error naming it, not garbled text."""
    if raw.isascii():
        return
    is_utf8 = codecs.lookup(encoding).name == "utf-8"
    if _reads_as(raw, encoding) and (is_utf8 or not _reads_as(raw, "utf-8")):
        return
    actual = next((name for enc, name in (("utf-8", "UTF-8"), ("gb18030", "GBK"))
                   if codecs.lookup(enc).name != codecs.lookup(encoding).name
                   and _reads_as(raw, enc)), None)
    fix = f"pass --encoding {actual}, or write {actual} into" if actual else "fix or delete"
    raise IOInputError(
        f"{cpg}: says the attributes are {encoding} but they are not"
        f"{f' (they read as {actual})' if actual else ''}; {fix} {cpg.name}"
    )


def _encoding_name(encoding: str, path: Path) -> str:
    """A user's encoding name in the spelling both Python and GDAL (iconv) accept."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise IOInputError(
            f"{path}: unknown encoding {encoding!r}; try UTF-8, GBK, GB18030 or CP1252"
        ) from None
    return {"iso8859-1": "ISO-8859-1", "utf-8": "UTF-8", "gbk": "GBK"}.get(name, name.upper())


def _csv_encoding(path: Path) -> str:
    with path.open("rb") as f:
        raw = f.read(1 << 20)
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        if e.start > len(raw) - 4:  # the sample cut a character in two
            return "utf-8"
    return "gb18030"


# --- coordinate columns ------------------------------------------------------------------------
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
    retry = np.flatnonzero(np.isnan(numbers)) if _is_text(values) else []
    if len(retry):
        from landgrade.text import normalize

        texts = values.iloc[retry].map(lambda v: normalize(v) if isinstance(v, str) else v)
        numbers[retry] = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float)
    return numbers


# --- reading -----------------------------------------------------------------------------------
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
) -> Source:
    """Inspect an input file; raise :class:`IOInputError` with the fix when it cannot be read.

    Nothing is guessed silently: a GeoPackage with several layers needs ``layer``, a shapefile
    whose parts disagree (record counts, a ``.cpg`` naming the wrong encoding) is an error.
    An Excel workbook is read from its first sheet unless ``sheet`` names one.
    """
    path = Path(path)
    fmt = file_format(path)
    if not path.exists():
        raise IOInputError(f"{path}: no such file")
    if encoding is not None:
        encoding = _encoding_name(encoding, path)
    src = Source(path=path, format=fmt, layer=layer, encoding=encoding, sheet=sheet)
    if fmt == "xlsx":
        src.sheet, header, src.n_rows = _excel_sheet_head(path, sheet)
        src.columns = header
        _table_geometry(src, x_field, y_field)
        return src
    if fmt == "csv":
        src.encoding = encoding or _csv_encoding(path)
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
    raw: bool = False,
) -> Iterator[Any]:
    """The rows of a source as GeoDataFrames of at most ``chunk_size`` rows, in file order.

    A progress bar goes to stderr. Each chunk's index continues the previous one's, so row
    numbers in messages are file row numbers (0-based). Column types come from the file's own
    schema (CSV: every cell text, exactly as written), so no value changes between chunks.

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
            chunk.index = pd.RangeIndex(start, start + len(chunk))
            start += len(chunk)
            bar.update(len(chunk))
            yield RawChunk(chunk, wkb, xy) if raw else chunk
    finally:
        bar.close()


def _raw_chunks(
    src: Source, chunk_size: int, *, lazy: bool = False
) -> Iterator[tuple[gpd.GeoDataFrame, Any, np.ndarray | None]]:
    if src.format == "xlsx":
        df = _read_excel(src)
        for lo in range(0, len(df), chunk_size):
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


# --- Excel ---------------------------------------------------------------------------------------
def _open_workbook(path: Path) -> Any:
    try:
        from openpyxl import load_workbook

        return load_workbook(path, read_only=True, data_only=True)
    except ImportError:  # pragma: no cover - a dependency
        raise IOInputError(f"{path}: reading Excel needs openpyxl (pip install openpyxl)") from None
    except Exception as e:
        raise IOInputError(f"{path}: not a readable .xlsx workbook ({e})") from None


def _excel_sheet_head(path: Path, sheet: str | None) -> tuple[str, list[str], int]:
    """The sheet to read (the first unless named), its header and its number of data rows."""
    book = _open_workbook(path)
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise IOInputError(f"{path}: no sheet {sheet!r}; sheets: {', '.join(names)}")
        ws = book[sheet or names[0]]
        head = next(ws.iter_rows(max_row=1, values_only=True), ())
        header = [("" if v is None else str(v)).strip() for v in head]
        while header and not header[-1]:
            header.pop()
        if not header:
            raise IOInputError(
                f"{path}: sheet {ws.title!r} has no header row; put the column names in row 1"
            )
        return ws.title, _unique_names(header), max((ws.max_row or 1) - 1, 0)
    finally:
        book.close()


def _unique_names(header: list[str]) -> list[str]:
    """Column names as pandas names a CSV's: a blank one ``Unnamed: i``, a repeat ``name.1``,
    so that no column is lost to another of the same name."""
    out: list[str] = []
    for i, name in enumerate(header):
        name = name or f"Unnamed: {i}"
        new, k = name, 0
        while new in out:
            k += 1
            new = f"{name}.{k}"
        out.append(new)
    return out


def _read_excel(src: Source) -> pd.DataFrame:
    """A sheet as a frame, each column typed from all its cells: all numbers stay numbers, all
    dates dates; a column mixing kinds is text (numbers written as Excel shows them)."""
    book = _open_workbook(src.path)
    try:
        rows = book[src.sheet].iter_rows(min_row=2, values_only=True)
        width = len(src.columns)
        data = []
        for i, r in enumerate(rows, start=2):
            if not any(v is not None and v != "" for v in r):
                continue  # a blank line, as in a CSV
            extra = [j for j, v in enumerate(r[width:], start=width) if v not in (None, "")]
            if extra:
                from openpyxl.utils import get_column_letter

                raise IOInputError(
                    f"{src.path}: sheet {src.sheet!r}, cell {get_column_letter(extra[0] + 1)}{i} "
                    "has a value but its column has no name in row 1; name the column"
                )
            data.append(tuple(r[:width]) + (None,) * (width - len(r)))
    finally:
        book.close()
    cols = list(zip(*data, strict=True)) if data else [()] * width
    return pd.DataFrame({name: _excel_column(list(v)) for name, v in
                         zip(src.columns, cols, strict=True)})


def _excel_column(values: list[Any]) -> Any:
    import datetime as dt

    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return pd.Series(values, dtype=object)
    if kinds <= {int}:
        return pd.array(values, dtype="Int64")
    if kinds <= {int, float}:
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    if kinds <= {bool}:
        return pd.array(values, dtype="boolean")
    if kinds <= {dt.datetime}:
        return pd.to_datetime(pd.Series(values, dtype=object))
    return pd.Series([v if v is None or isinstance(v, str) else _cell_text(v) for v in values],
                     dtype=object)


def _cell_text(v: Any) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        text = repr(v)
        return text[:-2] if text.endswith(".0") else text
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


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
    chunks = list(iter_chunks(src, progress=False))
    if not chunks:
        return gpd.GeoDataFrame({"geometry": gpd.GeoSeries([], crs=src.crs)}, crs=src.crs)
    return chunks[0] if len(chunks) == 1 else pd.concat(chunks)


# --- safe output -------------------------------------------------------------------------------
# Every file landgrade writes goes through :class:`AtomicOutput`: the data is written to a
# temporary file beside the destination (same folder, so the final move is a rename on one file
# system) and moved into place only once complete. An interrupted or failed run removes its
# temporary files and leaves the destination as it was; two runs writing one destination each
# write their own uniquely named temporary, so the last complete one wins and no mix is possible.

# GeoPackages are written as GPKG 1.2: GDAL ≥3.7 writes 1.4 by default, which QGIS 3.22 LTR and
# GDAL 3.6 (what bureaus run) open only with a "may only be partially supported" warning. Every
# GeoPackage writer takes its creation options from here.
GPKG_DATASET_OPTIONS: dict[str, str] = {"VERSION": "1.2"}
# Parts of one shapefile: written, replaced and removed together. The spatial indexes are listed
# so that a stale index of an old file is never left beside new data.
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")
# What a shapefile's .dbf can hold: text fields of at most 254 bytes.
SHAPEFILE_TEXT_LIMIT = 254
EXCEL_MAX_ROWS = 1_048_576
EXCEL_TEXT_LIMIT = 32_767
EXCEL_EXACT_INT = 2**53  # Excel numbers are doubles: integers beyond this lose digits
_TEMP_TAG = ".lgtmp-"


def _temp_stem(path: Path) -> str:
    return f".{path.stem}{_TEMP_TAG}{uuid.uuid4().hex[:12]}"


def output_parts(path: str | Path) -> list[Path]:
    """The files that writing ``path`` creates or replaces (a shapefile's parts; a GeoPackage's
    journal files). GDAL names a shapefile's parts in lower case whatever the given suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".shp":
        return [path.with_suffix(ext) for ext in SHAPEFILE_PARTS]
    if suffix == ".gpkg":
        return [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]
    return [path]


def input_parts(path: str | Path) -> list[Path]:
    """The files a run reads when given ``path``: a folder's files, a shapefile's parts (any
    letter case), or the file itself."""
    path = Path(path)
    if path.is_dir():
        return [p for p in path.rglob("*") if p.is_file()]
    if path.suffix.lower() == ".shp" and path.parent.is_dir():
        stem = path.stem.casefold()
        return [p for p in path.parent.iterdir() if p.stem.casefold() == stem
                and p.suffix.lower() in (*SHAPEFILE_PARTS, ".xml")] or [path]
    return [path]


def _same_file(a: Path, b: Path) -> bool:
    """Same file, compared case-insensitively: on Windows and macOS names differing only in
    letter case are one file, and GDAL writes a shapefile's parts in lower case anyway."""
    ra, rb = a.resolve(), b.resolve()
    if str(ra).casefold() == str(rb).casefold():
        return True
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def check_output(
    path: str | Path,
    inputs: str | Path | Iterable[str | Path | None] | None = None,
    *,
    suffixes: Iterable[str] | None = None,
) -> None:
    """Refuse, before any work, an output that cannot be written or would replace an input.

    ``inputs`` are the run's inputs: files (a shapefile counts with all its parts), the
    ``--map``, the county folder (all its files). ``suffixes`` limits the output's extension.
    Every refusal is an :class:`IOInputError` naming the file and the fix.
    """
    path = Path(path)
    if suffixes is not None:
        allowed = tuple(s.lower() for s in suffixes)
        if path.suffix.lower() not in allowed:
            raise IOInputError(
                f"{path}: cannot write {path.suffix or 'a file without extension'!r} here; "
                f"use one of {', '.join(allowed)}"
            )
    if path.is_dir():
        raise IOInputError(f"{path}: is a folder; give a file name")
    if not path.parent.exists():
        raise IOInputError(f"{path}: folder {path.parent} does not exist; create it first")
    if inputs is None:
        return
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    read = [p for i in inputs if i is not None for p in input_parts(i)]
    for out in output_parts(path):
        for src in read:
            if _same_file(out, src):
                what = "is the input file" if out == path else f"would replace {src.name}"
                raise IOInputError(
                    f"{path}: the output {what} ({src}), one of this run's inputs, which would "
                    "be lost; give -o another file name or folder"
                )


@contextlib.contextmanager
def _commit_lock(folder: Path) -> Iterator[None]:
    """Serialise the final moves of concurrent writers into one folder, and hold off Ctrl-C
    while a shapefile's parts move, so that its parts always come from one run."""
    fd = None
    try:
        fd = os.open(folder, os.O_RDONLY)
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)
    except (OSError, ImportError):  # no directory locks here (e.g. Windows): moves still atomic
        pass
    blocked = hasattr(signal, "pthread_sigmask")
    if blocked:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        if fd is not None:
            os.close(fd)


_INTERRUPTED: list[int] = []  # signals received by this process (see note_interrupt)


def note_interrupt(signum: int, frame: Any) -> None:
    """Signal handler for SIGINT/SIGTERM: remember the signal, then interrupt as Ctrl-C does.

    Remembering matters because a KeyboardInterrupt raised while C code calls back into Python
    is printed and dropped; :meth:`AtomicOutput.commit` then still refuses to move an output
    into place."""
    _INTERRUPTED.append(signum)
    raise KeyboardInterrupt


def quiet_swallowed_interrupt(unraisable: Any) -> None:
    """``sys.unraisablehook``: a KeyboardInterrupt that C code swallowed (raised inside pyproj's
    logging callback, say) is already remembered by :func:`note_interrupt`; printing its
    traceback would only make a clean Ctrl-C look like a crash. Anything else is printed as
    Python would."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt) and _INTERRUPTED:
        return
    sys.__unraisablehook__(unraisable)


def interrupted() -> bool:
    """Whether this process received SIGINT/SIGTERM (see :func:`note_interrupt`)."""
    return bool(_INTERRUPTED)


def check_interrupted() -> None:
    """Raise KeyboardInterrupt if this process was interrupted (see :func:`note_interrupt`)."""
    if _INTERRUPTED:
        raise KeyboardInterrupt


class AtomicOutput:
    """A temporary path beside ``path`` to write to, moved into place by :meth:`commit`.

    Use as a context manager: the body writes :attr:`tmp` (with any tool); on normal exit the
    file — every part of a shapefile — replaces the destination; on an exception or Ctrl-C the
    temporary files are removed and the destination is left as it was.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        suffix = self.path.suffix.lower() if self.path.suffix.lower() == ".shp" \
            else self.path.suffix
        self.tmp = self.path.parent / f"{_temp_stem(self.path)}{suffix}"
        self.existed = self.path.exists()
        self.done = False

    def _temp_files(self) -> list[Path]:
        folder, stem = self.tmp.parent, self.tmp.stem
        if not folder.exists():
            return []
        return [p for p in folder.iterdir() if p.name.startswith(stem + ".")
                or p.name.startswith(self.tmp.name)]

    def commit(self) -> Path:
        """Move the finished temporary file(s) into place; returns the destination."""
        check_interrupted()  # an interrupt swallowed on the way must not commit
        if self.path.suffix.lower() == ".shp":
            made = {p.suffix.lower(): p for p in self._temp_files()}
            if ".shp" not in made:
                raise IOInputError(f"{self.path}: nothing was written")
            order = [e for e in SHAPEFILE_PARTS if e != ".shp"] + [".shp"]
            with _commit_lock(self.path.parent):
                for ext in order:  # the .shp last: a reader never sees a .shp without its parts
                    dest = self.path.with_suffix(ext)
                    if ext in made:
                        os.replace(made[ext], dest)
                    else:
                        dest.unlink(missing_ok=True)  # a stale .prj/.cpg/index of the old file
        else:
            if not self.tmp.exists():
                raise IOInputError(f"{self.path}: nothing was written")
            with _commit_lock(self.path.parent):
                os.replace(self.tmp, self.path)
        self.done = True
        self.abort()  # e.g. a GeoPackage's leftover journal
        return self.path

    def abort(self) -> None:
        """Remove the temporary files; the destination is not touched."""
        for p in self._temp_files():
            with contextlib.suppress(OSError):
                p.unlink()

    @property
    def outcome(self) -> str:
        """What happened to the destination, for the message after a failure."""
        if self.done:
            return f"{self.path} was written"
        if self.existed:
            return f"{self.path} not written; the existing file is left as it was"
        return f"{self.path} not written; no partial file left"

    def __enter__(self) -> Path:
        return self.tmp

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self.abort()
            return
        try:
            self.commit()
        except BaseException:
            self.abort()
            raise


def atomic_output(path: str | Path) -> AtomicOutput:
    """``with atomic_output(dest) as tmp: write(tmp)``: see :class:`AtomicOutput`."""
    return AtomicOutput(path)


# --- writing -----------------------------------------------------------------------------------
def shapefile_field_names(columns: list[str]) -> dict[str, str]:
    """Renames that fit a dBase field name (≤10 bytes in UTF-8) and keep names unique."""
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    for c in columns:
        name = str(c)
        if len(name.encode("utf-8")) <= SHAPEFILE_FIELD_LIMIT and name.lower() not in taken:
            taken.add(name.lower())
            continue
        base = _cut_bytes(name, SHAPEFILE_FIELD_LIMIT)
        new, i = base, 1
        while new.lower() in taken:
            suffix = f"_{i}"
            new = _cut_bytes(name, SHAPEFILE_FIELD_LIMIT - len(suffix)) + suffix
            i += 1
        taken.add(new.lower())
        renamed[name] = new
    return renamed


# Names Windows refuses whatever the extension (CON.pdf, con.1.pdf are the device CON).
_RESERVED_STEMS = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                   *(f"lpt{i}" for i in range(1, 10))}
MAX_STEM_BYTES = 120  # well under the 255-byte file-name limit, with room for a suffix


def safe_file_stem(name: str, max_bytes: int = MAX_STEM_BYTES) -> str:
    """``name`` (a parcel number, an upload's name) made safe as a file stem on any disk: path
    separators, ``..``, control characters, blanks and what Windows refuses become ``_``; cut
    to ``max_bytes`` of UTF-8 on a whole character; a Windows device name gets a leading
    ``_``. Empty when nothing is left: the caller names the fallback."""
    stem = re.sub(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+', "_", name).strip("._ ")
    stem = _cut_bytes(stem, max_bytes)
    if stem and stem.split(".")[0].casefold() in _RESERVED_STEMS:
        stem = f"_{stem}"
    return stem


def _cut_bytes(text: str, limit: int) -> str:
    out = text
    while len(out.encode("utf-8")) > limit:
        out = out[:-1]
    return out


def write_ogr(gdf: gpd.GeoDataFrame, path: str | Path, *, layer: str | None = None,
              append: bool = False, **kw: Any) -> None:
    """Write a frame with GDAL (through Arrow); the one place that sets GPKG 1.2.

    ``path`` is written as is: callers wanting a safe replace wrap it in :func:`atomic_output`.
    """
    import pyogrio

    path = Path(path)
    fmt = file_format(path)
    opts: dict[str, Any] = dict(kw)
    if fmt == "gpkg" and not append:
        opts["dataset_options"] = {**GPKG_DATASET_OPTIONS, **opts.get("dataset_options", {})}
    if fmt == "shapefile":
        opts.setdefault("encoding", "UTF-8")
    # Held while writing: ogr_arrow_table swaps pyogrio's write_arrow for a capture, and a
    # write from another thread (the service's file jobs) must never fall into that window.
    with _ARROW_CAPTURE_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        # A frame without a CRS (GCJ-02/BD-09 have none) is written as such on purpose.
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
        pyogrio.write_dataframe(_ogr_friendly(gdf), path, driver=OGR_DRIVERS[fmt], layer=layer,
                                append=append, use_arrow=True, **opts)


_ARROW_CAPTURE_LOCK = threading.RLock()


def ogr_arrow_table(gdf: gpd.GeoDataFrame, path: str | Path, *, layer: str | None = None,
                    append: bool = False) -> tuple[Any, dict[str, Any]]:
    """The Arrow table and GDAL options :func:`write_ogr` would hand to ``pyogrio.raw
    .write_arrow``, captured instead of written: one conversion path for both writers."""
    from unittest import mock

    import pyogrio.raw

    captured: dict[str, Any] = {}

    def capture(table: Any, _path: Any, **options: Any) -> None:
        captured.update(table=table, options=options)

    with _ARROW_CAPTURE_LOCK, mock.patch.object(pyogrio.raw, "write_arrow", capture):
        write_ogr(gdf, path, layer=layer, append=append)
    import pyarrow as pa

    return pa.table(captured["table"]), {"path": path, **captured["options"]}


class _ArrowStreamWriter:
    """One GDAL write fed with Arrow tables as they come, from a thread: the layer stays open
    across chunks. The queue holds one table, so memory stays that of a chunk or two."""

    _END, _ABORT = object(), object()

    def __init__(self, first: Any, options: dict[str, Any]) -> None:
        import queue
        import threading

        self.schema = first.schema
        self._options = options
        self._queue: Any = queue.Queue(maxsize=1)
        self._queue.put(first)
        self.error: BaseException | None = None
        self._reading = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        with warnings.catch_warnings():
            # As in write_ogr (a frame without a CRS is written as such on purpose). The
            # thread warns before it reads the first table, while this thread waits here, so
            # the filters are not changed under another thread's feet.
            warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
            self._thread.start()
            while not self._reading.wait(0.05) and self._thread.is_alive():
                pass

    def _batches(self) -> Iterator[Any]:
        self._reading.set()
        while True:
            table = self._queue.get()
            if table is self._END:
                return
            if table is self._ABORT:
                raise RuntimeError("write abandoned")
            yield from table.to_batches()

    def _run(self) -> None:
        import pyarrow as pa
        import pyogrio.raw

        options = dict(self._options)
        path = options.pop("path")
        with _ARROW_CAPTURE_LOCK:  # the real function, never another thread's capture
            write_arrow = pyogrio.raw.write_arrow
        try:
            reader = pa.RecordBatchReader.from_batches(self.schema, self._batches())
            write_arrow(reader, path, **options)
        except BaseException as e:  # handed to the caller at its next put / finish
            self.error = e

    def put(self, item: Any) -> None:
        import queue

        while self._thread.is_alive():
            try:
                self._queue.put(item, timeout=0.05)
                return
            except queue.Full:
                continue
        if item is not self._ABORT and item is not self._END:
            self._raise()

    def finish(self, abort: bool = False) -> None:
        self.put(self._ABORT if abort else self._END)
        self._thread.join()
        if not abort:
            self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error
        if not self._thread.is_alive() and self._queue.qsize():
            raise RuntimeError("GDAL stopped reading the chunks")


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
                 layer: str | None = None) -> None:
        self.path = Path(path)
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
            for row in _excel_rows(df, self._sheet, self.path, self._excel_text):
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
            self._gpkg = _ArrowStreamWriter(table, options)
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
        if isinstance(stream, _ArrowStreamWriter):
            self._gpkg = False if not abort else None
            try:
                stream.finish(abort=abort)
            except LandgradeError:
                raise
            except Exception as e:  # a GDAL refusal becomes a named error
                raise IOInputError(f"{self.path}: cannot write ({str(e).strip()})") from None

    def _count_long_text(self, gdf: gpd.GeoDataFrame) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        for c in gdf.columns:
            if c == gdf.geometry.name or not _is_text(gdf[c]):
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


def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or isinstance(s.dtype, pd.StringDtype) or \
        pd.api.types.is_string_dtype(s.dtype)


def _arrow_table(df: pd.DataFrame) -> Any:
    """A frame as an Arrow table with stable types: categories as plain text, NaN as null."""
    import pyarrow as pa

    table = pa.Table.from_pandas(df, preserve_index=False)
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


def _excel_rows(df: pd.DataFrame, sheet: Any, path: Path,
                as_text: dict[str, int]) -> Iterator[list[Any]]:
    """Rows of Python values for openpyxl: blanks for missing values, text kept as text;
    ``as_text`` counts, per column, integers too long for Excel written as text."""
    columns = []
    for c in df.columns:
        s = df[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        values = s.astype(object).where(s.notna(), None).tolist()
        if _is_text(s):
            texts = [v for v in values if isinstance(v, str)]
            if any(len(t) > EXCEL_TEXT_LIMIT for t in texts):
                raise IOInputError(
                    f"{path}: column {c!r} has text longer than {EXCEL_TEXT_LIMIT} characters, "
                    "more than an Excel cell holds; write .csv, .gpkg or .parquet instead"
                )
            # Text starting with '=' is text, not a formula to evaluate.
            if any(t.startswith("=") for t in texts):
                values = [_text_cell(sheet, v) if isinstance(v, str) and v.startswith("=")
                          else v for v in values]
        else:
            values = [v.item() if isinstance(v, np.generic) else v for v in values]
            # Excel stores numbers as doubles: an integer id beyond 2**53 would come back
            # changed, so it is written as its text instead (and counted for a warning).
            big = [i for i, v in enumerate(values) if isinstance(v, int)
                   and not isinstance(v, bool) and abs(v) > EXCEL_EXACT_INT]
            if big:
                as_text[str(c)] = as_text.get(str(c), 0) + len(big)
                for i in big:
                    values[i] = str(values[i])
        columns.append(values)
    yield from (list(r) for r in zip(*columns, strict=True))


def _text_cell(sheet: Any, value: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _ogr_friendly(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Nullable pandas dtypes GDAL cannot take become plain ones (nullable integers it takes)."""
    out = gdf
    for c in gdf.columns:
        dt = gdf[c].dtype
        if isinstance(dt, pd.BooleanDtype):
            out = out.assign(**{c: gdf[c].astype("Int8").astype("float64")})
        elif isinstance(dt, pd.StringDtype):
            out = out.assign(**{c: gdf[c].astype(object)})
    return out


def write_file(gdf: gpd.GeoDataFrame, path: str | Path) -> dict[str, str]:
    """Write one GeoDataFrame (safely replacing the file); returns the shapefile field renames."""
    with ChunkWriter(path) as w:
        w.write(gdf)
    return w.renamed


def write_gpkg_layer(df: pd.DataFrame, path: str | Path, layer: str) -> None:
    """Add one layer (a GeoDataFrame, or a DataFrame as an attribute table) to a GeoPackage,
    creating the file as GeoPackage 1.2 (see :data:`GPKG_DATASET_OPTIONS`). Attribute tables
    are why this is not :func:`write_ogr` (Arrow writes need a geometry column); callers wrap
    the whole file in :func:`atomic_output`."""
    import pyogrio

    pyogrio.write_dataframe(_ogr_friendly(df), path, layer=layer, driver="GPKG",
                            dataset_options=GPKG_DATASET_OPTIONS)


def read_data_table(path: str | Path, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A county-folder CSV (aliases, decisions, gazette tables) as stripped strings.

    Every cell stays text, blank lines are skipped, and a ``line`` column holds each row's line
    number in the file so that later checks can name it. A file that is missing, not UTF-8,
    has a row with the wrong number of fields (an unquoted comma) or lacks one of ``columns``
    is an :class:`IOInputError` naming the file, the line and the fix.
    """
    path = Path(path)
    if not path.exists():
        raise IOInputError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise IOInputError(
            f"{path}: not UTF-8 (bad byte at offset {e.start}); save it as UTF-8"
        ) from None
    reader = csv.reader(StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise IOInputError(
            f"{path}: missing column(s) {', '.join(missing)}; the header line must name "
            f"{', '.join(columns)}"
        )
    rows: list[list[str]] = []
    lines: list[int] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise IOInputError(
                f"{path}, line {reader.line_num}: {len(cells)} fields where the header has "
                f"{len(header)}; quote a field that contains a comma"
            )
        rows.append([c.strip() for c in cells])
        lines.append(reader.line_num)
    df = pd.DataFrame(rows, columns=header, dtype=object)
    df["line"] = lines
    return df


def write_table(df: pd.DataFrame, path: str | Path,
                inputs: Iterable[str | Path | None] | None = None) -> Path:
    """A table without geometry (audit, prices, report, metadata) as ``.csv`` or ``.xlsx``.

    CSV gets a byte-order mark, which is what tells Excel the Chinese text is UTF-8, as for
    ``assign``'s CSV output. Written safely (see :class:`AtomicOutput`); an output that is one
    of ``inputs``, a missing folder or an unwritable file is an :class:`IOInputError`.
    """
    path = Path(path)
    check_output(path, inputs, suffixes=TABLE_SUFFIXES)
    try:
        if path.suffix.lower() == ".xlsx":
            with ChunkWriter(path, csv_geometry=False) as w:
                w.write(gpd.GeoDataFrame(df.reset_index(drop=True),
                                         geometry=gpd.GeoSeries([None] * len(df))))
        else:
            with atomic_output(path) as tmp:
                df.to_csv(tmp, index=False, encoding="utf-8-sig")
    except OSError as e:
        raise IOInputError(f"{path}: cannot write ({e.strerror})") from None
    return path
