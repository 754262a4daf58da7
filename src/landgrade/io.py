"""Reading and writing the files analysts bring: the one I/O module.

Formats are chosen by extension:

==============  ======================================================================
extension       format
==============  ======================================================================
.shp            ESRI Shapefile (attribute encoding: the ``.cpg``; else detected, see
                :func:`detect_dbf_encoding`; ``encoding=`` overrides)
.gpkg           GeoPackage (``layer=`` picks a layer; default the first)
.geojson .json  GeoJSON
.parquet        GeoParquet (WKB geometry column, ``geo`` metadata)
.csv            a table with coordinate columns (auto-detected among common names, see
                :data:`X_NAMES` / :data:`Y_NAMES`, or ``x_field=`` / ``y_field=``);
                UTF-8 (with or without BOM), else GBK
==============  ======================================================================

Large inputs are read in chunks (:func:`iter_chunks`) and written by appending
(:class:`ChunkWriter`), so memory stays flat however large the file. Shapefiles are always
written in UTF-8 with a ``.cpg`` and field names cut to the format's 10 characters; the renames
are reported in :attr:`ChunkWriter.renamed`. Every failure is a :class:`IOInputError` that names
the file and the fix.
"""

from __future__ import annotations

import codecs
import csv
import json
import struct
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

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
}
OGR_DRIVERS = {"shapefile": "ESRI Shapefile", "gpkg": "GPKG", "geojson": "GeoJSON"}
# GeoPackage 1.2, not GDAL's default 1.4: GDAL 3.6 and QGIS 3.22 LTR (what bureaus run) warn
# that a 1.4 file "may only be partially supported" on every layer they open.
GPKG_DATASET_OPTIONS = {"VERSION": "1.2"}

# Candidate coordinate column names, compared after lower-casing and stripping spaces.
X_NAMES = ("x", "lon", "lng", "long", "longitude", "经度", "x坐标", "横坐标", "东坐标", "easting",
           "point_x", "coord_x", "xcoord", "gps_lon", "wgs84_lon")
Y_NAMES = ("y", "lat", "latitude", "纬度", "y坐标", "纵坐标", "北坐标", "northing",
           "point_y", "coord_y", "ycoord", "gps_lat", "wgs84_lat")

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
    if cpg.exists():
        name = cpg.read_text(encoding="ascii", errors="ignore").strip()
        if name:
            norm = {"936": "GBK", "65001": "UTF-8", "UTF8": "UTF-8"}.get(name.upper(), name)
            try:
                codecs.lookup(norm)
                return norm, f"from {cpg.name}"
            except LookupError:
                pass
    dbf = shp.with_suffix(".dbf")
    if not dbf.exists():
        dbf = shp.with_suffix(".DBF")
    if not dbf.exists():
        return "UTF-8", "no .dbf"
    raw, ldid = _dbf_text_sample(dbf)
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
    if x is None or y is None:
        raise IOInputError(
            f"{source}: cannot tell which columns hold the coordinates; columns present: "
            f"{', '.join(cols)}. Name them with --x-field and --y-field"
        )
    return x, y


def points_from_xy(df: pd.DataFrame, x: str, y: str, crs: Any = None) -> gpd.GeoDataFrame:
    """Point geometry from two columns; a blank or non-numeric coordinate gives a null geometry."""
    xs = pd.to_numeric(df[x], errors="coerce").to_numpy(dtype=float)
    ys = pd.to_numeric(df[y], errors="coerce").to_numpy(dtype=float)
    geom = shapely.points(xs, ys)
    bad = ~(np.isfinite(xs) & np.isfinite(ys))
    geom[bad] = None
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geom, index=df.index), crs=crs)


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
    crs: Any = None
    n_rows: int | None = None
    columns: list[str] = field(default_factory=list)

    @property
    def is_table(self) -> bool:
        return self.format == "csv"


def open_source(
    path: str | Path,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    x_field: str | None = None,
    y_field: str | None = None,
) -> Source:
    """Inspect an input file; raise :class:`IOInputError` with the fix when it cannot be read."""
    path = Path(path)
    fmt = file_format(path)
    if not path.exists():
        raise IOInputError(f"{path}: no such file")
    if encoding is not None:
        encoding = _encoding_name(encoding, path)
    src = Source(path=path, format=fmt, layer=layer, encoding=encoding)
    if fmt == "csv":
        src.encoding = encoding or _csv_encoding(path)
        try:
            head = pd.read_csv(path, nrows=5, encoding=src.encoding)
        except Exception as e:  # any parser failure is the user's file
            raise IOInputError(f"{path}: not a readable CSV ({str(e).strip()})") from None
        src.columns = [str(c) for c in head.columns]
        src.x_field, src.y_field = detect_xy_fields(src.columns, x_field, y_field, source=path)
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
        return src
    import pyogrio

    if fmt == "shapefile":
        _require_shapefile_parts(path)
    if fmt == "shapefile" and encoding is None:
        src.encoding, src.encoding_note = detect_dbf_encoding(path)
    try:
        if fmt == "gpkg" and layer is None:
            layers = pyogrio.list_layers(path)
            spatial = [n for n, g in layers if g is not None] or [layers[0][0]]
            src.layer = spatial[0]
        info = pyogrio.read_info(path, layer=src.layer, encoding=src.encoding)
    except Exception as e:  # GDAL failures: the file or layer is unusable
        hint = " (check --layer)" if layer else ""
        raise IOInputError(f"{path}: cannot read{hint}: {e}") from None
    if info.get("geometry_type") is None:
        raise IOInputError(
            f"{path}: layer {src.layer or path.stem!r} has no geometry column; pick a layer "
            "with geometry (--layer), or save the table as CSV with coordinate columns"
        )
    src.crs = info.get("crs")
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


def iter_chunks(
    src: Source, chunk_size: int = DEFAULT_CHUNK_SIZE, *, progress: bool = True
) -> Iterator[gpd.GeoDataFrame]:
    """The rows of a source as GeoDataFrames of at most ``chunk_size`` rows, in file order.

    A progress bar goes to stderr. Each chunk's index continues the previous one's, so row
    numbers in messages are file row numbers (0-based).
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
        for chunk in _raw_chunks(src, chunk_size):
            chunk.index = pd.RangeIndex(start, start + len(chunk))
            start += len(chunk)
            bar.update(len(chunk))
            yield chunk
    finally:
        bar.close()


def _raw_chunks(src: Source, chunk_size: int) -> Iterator[gpd.GeoDataFrame]:
    if src.format == "csv":
        try:
            reader = pd.read_csv(src.path, chunksize=chunk_size, encoding=src.encoding,
                                 dtype=str, keep_default_na=False)
            for df in reader:
                df = _restore_numeric(df, keep={src.x_field, src.y_field})
                yield points_from_xy(df, src.x_field, src.y_field)
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
            df = batch.to_pandas(types_mapper=_nullable_ints)
            geom = shapely.from_wkb(df.pop(gcol).to_numpy())
            yield gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geom, index=df.index), crs=src.crs)
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
            yield gpd.GeoDataFrame(df, geometry=df.geometry.name, crs=src.crs)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pyogrio.open_arrow(src.path, layer=src.layer, encoding=src.encoding,
                                batch_size=chunk_size, use_pyarrow=True) as (meta, reader):
            gname = meta.get("geometry_name") or "wkb_geometry"
            fid = meta.get("fid_column")
            for batch in reader:
                df = batch.to_pandas(types_mapper=_nullable_ints)
                if fid and fid in df.columns:
                    df = df.drop(columns=fid)
                geom = shapely.from_wkb(df.pop(gname).to_numpy()) if gname in df.columns else None
                yield gpd.GeoDataFrame(
                    df, geometry=gpd.GeoSeries(geom, index=df.index), crs=src.crs
                )


def _nullable_ints(arrow_type: Any) -> Any:
    """Arrow integers read as pandas' nullable Int64, so a null grade stays an integer column."""
    import pyarrow as pa

    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    return None


def _restore_numeric(df: pd.DataFrame, keep: set[str | None]) -> pd.DataFrame:
    """Columns read as text become numbers where every value is a number (ids keep zeros)."""
    out = df.copy()
    for c in out.columns:
        if c in keep:
            continue
        s = out[c]
        if s.str.match(r"^0\d").any():  # leading zeros: an identifier, keep it text
            continue
        num = pd.to_numeric(s.replace("", np.nan), errors="coerce")
        if num.notna().sum() == (s != "").sum():
            out[c] = num
    return out


def read_file(
    path: str | Path,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    x_field: str | None = None,
    y_field: str | None = None,
) -> gpd.GeoDataFrame:
    """A whole file as one GeoDataFrame (for small inputs; see :func:`iter_chunks`)."""
    src = open_source(path, layer=layer, encoding=encoding, x_field=x_field, y_field=y_field)
    chunks = list(iter_chunks(src, progress=False))
    if not chunks:
        return gpd.GeoDataFrame({"geometry": gpd.GeoSeries([], crs=src.crs)}, crs=src.crs)
    return chunks[0] if len(chunks) == 1 else pd.concat(chunks)


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


def _cut_bytes(text: str, limit: int) -> str:
    out = text
    while len(out.encode("utf-8")) > limit:
        out = out[:-1]
    return out


def check_output(path: str | Path, input_path: str | Path | None = None) -> None:
    """Refuse, before any work, an output that cannot be written or is the input itself.

    Writing replaces the output file first, so an output naming the input would destroy the
    data before it is read.
    """
    path = Path(path)
    file_format(path)
    if not path.parent.exists():
        raise IOInputError(f"{path}: folder {path.parent} does not exist")
    if input_path is None:
        return
    source = Path(input_path)
    same = path.resolve() == source.resolve() or (
        path.exists() and source.exists() and path.samefile(source)
    )
    if same:
        raise IOInputError(
            f"{path}: the output is the input file and would be overwritten before it is read; "
            "give -o another file name"
        )


class ChunkWriter:
    """Write GeoDataFrames to one file, chunk after chunk (the first replaces the file).

    Shapefiles get UTF-8 with a ``.cpg`` and ≤10-character field names (see :attr:`renamed`).
    CSV output keeps the coordinate columns of a CSV input, and otherwise adds a ``wkt`` column.
    """

    def __init__(self, path: str | Path, *, csv_geometry: bool = True) -> None:
        self.path = Path(path)
        self.format = file_format(self.path)
        self.csv_geometry = csv_geometry
        self.renamed: dict[str, str] = {}
        self.rows = 0
        self._parquet: Any = None
        self._schema: Any = None
        check_output(self.path)
        self._remove_existing()

    def _remove_existing(self) -> None:
        if self.format == "shapefile":
            for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                self.path.with_suffix(ext).unlink(missing_ok=True)
        else:
            self.path.unlink(missing_ok=True)

    def write(self, gdf: gpd.GeoDataFrame) -> None:
        first = self.rows == 0 and self._parquet is None
        try:
            if self.format == "csv":
                self._write_csv(gdf, first)
            elif self.format == "parquet":
                self._write_parquet(gdf)
            else:
                self._write_ogr(gdf, first)
        except LandgradeError:
            raise
        except Exception as e:  # GDAL/Arrow refusals become a named error
            raise IOInputError(f"{self.path}: cannot write ({e})") from None
        self.rows += len(gdf)

    def _write_csv(self, gdf: gpd.GeoDataFrame, first: bool) -> None:
        df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        if self.csv_geometry:
            df["wkt"] = shapely.to_wkt(gdf.geometry.to_numpy(), rounding_precision=-1)
        # A byte-order mark at the start makes Excel read the Chinese text as UTF-8.
        df.to_csv(self.path, mode="w" if first else "a", header=first, index=False,
                  encoding="utf-8-sig" if first else "utf-8")

    def _write_ogr(self, gdf: gpd.GeoDataFrame, first: bool) -> None:
        import pyogrio

        out = gdf
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
        out = _ogr_friendly(out)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            # A frame without a CRS (GCJ-02/BD-09 have none) is written as such on purpose.
            warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
            kw: dict[str, Any] = {"encoding": "UTF-8"} if self.format == "shapefile" else {}
            if self.format == "gpkg":
                kw["layer"] = self.path.stem
                kw["dataset_options"] = GPKG_DATASET_OPTIONS
            pyogrio.write_dataframe(out, self.path, driver=OGR_DRIVERS[self.format],
                                    append=not first, **kw)

    def _write_parquet(self, gdf: gpd.GeoDataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table(gdf.to_arrow(geometry_encoding="WKB", index=False))
        gname = gdf.geometry.name
        # Drop the geoarrow extension field metadata: the GeoParquet 'geo' key carries the CRS.
        idx = table.schema.get_field_index(gname)
        table = table.set_column(idx, pa.field(gname, pa.binary()), table.column(idx).cast(
            pa.binary()) if table.column(idx).type != pa.binary() else table.column(idx))
        if self._parquet is None:
            geo = {
                "version": "1.0.0",
                "primary_column": gname,
                "columns": {gname: {"encoding": "WKB", "geometry_types": [],
                                    "crs": gdf.crs.to_json_dict() if gdf.crs else None}},
            }
            schema = table.schema.with_metadata({b"geo": json.dumps(geo).encode()})
            self._schema = schema
            self._parquet = pq.ParquetWriter(self.path, schema)
        table = table.cast(self._schema) if table.schema != self._schema else table
        self._parquet.write_table(table.replace_schema_metadata(self._schema.metadata))

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
    """Write one GeoDataFrame (replacing the file); returns the shapefile field renames."""
    with ChunkWriter(path) as w:
        w.write(gdf)
    return w.renamed


def write_gpkg_layer(df: pd.DataFrame, path: str | Path, layer: str) -> None:
    """Add one layer (a GeoDataFrame, or a DataFrame as an attribute table) to a GeoPackage,
    creating the file as GeoPackage 1.2 (see :data:`GPKG_DATASET_OPTIONS`)."""
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


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    """A table without geometry (audit, report, metadata) as CSV that Excel reads as UTF-8.

    The byte-order mark is what tells Excel the Chinese text is UTF-8, as for ``assign``'s
    CSV output. A missing folder or an unwritable file is an :class:`IOInputError`.
    """
    path = Path(path)
    check_output(path)
    try:
        df.to_csv(path, index=False, encoding="utf-8-sig")
    except OSError as e:
        raise IOInputError(f"{path}: cannot write ({e.strerror})") from None
    return path


@contextmanager
def replace_atomically(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step.

    A reader never sees a half-written file, and a failed write leaves the old file (if any)
    untouched and no temporary file behind. The temporary name keeps the suffix, so writers
    that pick a format by extension still work.
    """
    import os

    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
