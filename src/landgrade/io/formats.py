"""File formats by extension, and the one error every I/O failure raises.

Formats are chosen by extension (:func:`file_format`), the same way by every reader and writer:

==============  ======================================================================
extension       format
==============  ======================================================================
.shp            ESRI Shapefile (attribute encoding: the ``.cpg``, checked against the
                data; else detected, see :func:`landgrade.io.encodings.detect_dbf_encoding`;
                ``encoding=`` overrides)
.gpkg           GeoPackage (``layer=`` picks a layer; needed when several have geometry)
.geojson .json  GeoJSON
.parquet        GeoParquet (WKB geometry column, ``geo`` metadata)
.csv            a table with coordinate columns (auto-detected among common names, see
                :data:`landgrade.io.readers.X_NAMES` / ``Y_NAMES``, or ``x_field=`` /
                ``y_field=``) or else a WKT column (``WKT_NAMES``); UTF-8 (with or without
                BOM), else GBK; every cell read as text
.xlsx           an Excel sheet with coordinate columns (the first sheet, or ``sheet=``)
==============  ======================================================================
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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


class IOInputError(LandgradeError):
    """An input or output file cannot be used; the message names the file and the fix."""


def file_format(path: str | Path) -> str:
    """The format key of a path, from its extension (see the table above)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise IOInputError(f"{path}: unknown file type {suffix or '(none)'!r}; use one of {known}")
    return FORMATS[suffix]


def is_text_column(s: pd.Series) -> bool:
    """Whether a column holds text (object or string dtype)."""
    return s.dtype == object or isinstance(s.dtype, pd.StringDtype) or \
        pd.api.types.is_string_dtype(s.dtype)


def rows_with_nul(s: pd.Series) -> np.ndarray:
    """Positions of the text values holding a NUL character, which GDAL's writers (C strings)
    would cut at the NUL. Arrow-backed text is scanned as one byte buffer (a millisecond per
    million values); only a buffer holding a zero byte is searched value by value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(s.dtype, pd.CategoricalDtype):
        bad = rows_with_nul(pd.Series(s.cat.categories))
        return np.flatnonzero(np.isin(s.cat.codes.to_numpy(), bad)) if len(bad) else bad
    if s.dtype != object:
        try:
            arr = pa.array(s.array)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            arr = None
        if arr is not None and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
            if all(_no_zero_byte(c) for c in chunks):
                return np.array([], dtype=np.int64)
            found = pc.fill_null(pc.match_substring(arr, "\x00"), False)
            return np.flatnonzero(np.asarray(found))
    return np.array([i for i, v in enumerate(s.tolist()) if isinstance(v, str) and "\x00" in v],
                    dtype=np.int64)


def _no_zero_byte(chunk: Any) -> bool:
    import pyarrow as pa

    _, offsets, data = chunk.buffers()
    if data is None or not len(chunk):
        return True
    wide = pa.types.is_large_string(chunk.type)
    off = np.frombuffer(offsets, dtype=np.int64 if wide else np.int32)
    off = off[chunk.offset: chunk.offset + len(chunk) + 1]
    return bool(np.frombuffer(data, dtype=np.uint8)[off[0]:off[-1]].all())


def cut_to_bytes(text: str, limit: int) -> str:
    """``text`` cut on a whole character to at most ``limit`` bytes of UTF-8."""
    out = text
    while len(out.encode("utf-8")) > limit:
        out = out[:-1]
    return out
