"""The coordinate system an uploaded file carries, checked before GDAL or PROJ sees it.

A ``crs=`` parameter is a code or a name (:func:`landgrade.io.crs.check_untrusted_crs` with
``code_only``), but a file brings its own CRS: a shapefile's ``.prj``, a GeoJSON ``crs`` member,
a GeoPackage's ``gpkg_spatial_ref_sys``, GeoParquet's ``geo`` metadata. GDAL reads it as soon as
it opens the layer, and PROJ then opens any grid file it names (``+nadgrids=/etc/passwd`` in a
GeoJSON ``crs``, ``EXTENSION["PROJ4_GRIDS", …]`` in a ``.prj``). So each of those is read here
as plain text — JSON, SQLite and Parquet metadata, nothing PROJ or GDAL parses — and put through
the same guard; a CSV carries none.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from landgrade.io.crs import check_untrusted_crs
from landgrade.service.guards import BadRequest


def check_upload_crs(path: Path, name: str) -> None:
    """Refuse (400, naming ``name``, the client's file name) an uploaded file at ``path`` whose
    own coordinate system refers to a file, a pipeline or an address."""
    try:
        for text in _crs_texts(path, name):
            check_untrusted_crs(text, name)
    except BadRequest:
        raise
    except Exception as e:  # UntrustedCrsError, or the file's CRS unreadable as text
        raise BadRequest(str(e)) from None


def _crs_texts(path: Path, name: str) -> Iterator[str]:
    ext = path.suffix.lower()
    if ext == ".shp":
        for part in path.parent.glob(f"{path.stem}.*"):
            if part.suffix.lower() == ".prj":
                yield part.read_bytes().decode("utf-8", errors="replace")
    elif ext == ".geojson":
        yield from _geojson_crs(path.read_bytes(), name)
    elif ext == ".gpkg":
        yield from _gpkg_crs(path)
    elif ext == ".parquet":
        yield from _parquet_crs(path)


def _geojson_crs(data: bytes, name: str) -> Iterator[str]:
    """The top-level ``crs`` member GDAL would read, as JSON text."""
    if b'"crs"' not in data and b"\\u" not in data:
        return  # no crs key, not even one spelled with escapes: nothing to parse
    try:
        doc = json.loads(data)
    except RecursionError:
        raise BadRequest(f"{name}: JSON nested too deeply to read") from None
    except ValueError as e:  # what Python cannot read, GDAL's lenient parser might: refuse
        if not isinstance(e, json.JSONDecodeError) and "digits" in str(e):
            raise BadRequest(f"{name}: holds a number of more than 4,300 digits, more than any "
                             "coordinate or attribute needs; write it as a string") from None
        raise BadRequest(f"{name}: not valid JSON ({_short(e)})") from None
    if isinstance(doc, dict) and doc.get("crs") is not None:
        yield json.dumps(doc["crs"], ensure_ascii=False)


def _gpkg_crs(path: Path) -> Iterator[str]:
    """Every definition in the GeoPackage's spatial reference table (WKT1, and WKT2 when the
    crs_wkt extension's column is there). A file SQLite cannot read, GDAL cannot either."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return
    try:
        columns = [r[1] for r in con.execute("PRAGMA table_info(gpkg_spatial_ref_sys)")]
        wanted = [c for c in ("definition", "definition_12_063") if c in columns]
        if wanted:
            rows = con.execute(f"SELECT {', '.join(wanted)} FROM gpkg_spatial_ref_sys")
            for row in rows:
                yield from (str(v) for v in row if v is not None)
    except sqlite3.Error:
        return
    finally:
        con.close()


def _parquet_crs(path: Path) -> Iterator[str]:
    """Each geometry column's ``crs`` (PROJJSON or text) in GeoParquet's ``geo`` metadata, and
    in a GeoArrow extension type's metadata."""
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception:  # not readable: the reader refuses it, naming the file
        return
    texts: list[Any] = []
    geo = _json((schema.metadata or {}).get(b"geo"))
    if isinstance(geo, dict) and isinstance(geo.get("columns"), dict):
        texts += [c.get("crs") for c in geo["columns"].values() if isinstance(c, dict)]
    for f in schema:
        ext = _json((f.metadata or {}).get(b"ARROW:extension:metadata"))
        if isinstance(ext, dict):
            texts.append(ext.get("crs"))
    for crs in texts:
        if crs is not None:
            yield crs if isinstance(crs, str) else json.dumps(crs, ensure_ascii=False)


def _json(raw: bytes | None) -> Any:
    try:
        return json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        return None


def _short(e: Exception) -> str:
    text = str(e)
    return text if len(text) <= 120 else text[:117] + "..."
