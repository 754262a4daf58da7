"""Reading and writing the files analysts bring, and every coordinate system they meet.

One module per concern; this package only re-exports the names other stages and users call
(``from landgrade import io; io.read_file(...)``):

- :mod:`~landgrade.io.formats`: the formats by extension (``.shp``, ``.gpkg``, ``.geojson``,
  ``.parquet``, ``.csv``, ``.xlsx``) and :class:`IOInputError`, the one error of every failure,
  naming the file and the fix;
- :mod:`~landgrade.io.encodings`: which encoding a shapefile's attributes or a CSV are in;
- :mod:`~landgrade.io.readers`: :func:`open_source`, :func:`iter_chunks`, :func:`read_file`;
  large inputs are read in chunks through Arrow, so memory stays flat however large the file;
- :mod:`~landgrade.io.excel`: Excel sheets read with their column types, rows written safely;
- :mod:`~landgrade.io.atomic`: :class:`AtomicOutput`, :func:`check_output`, Ctrl-C handling;
- :mod:`~landgrade.io.ogr`: writing through GDAL, GeoPackages as GPKG 1.2;
- :mod:`~landgrade.io.writers`: :class:`ChunkWriter` and :func:`write_file`;
- :mod:`~landgrade.io.tables`: county-folder CSV tables read, reports written as CSV or Excel;
- :mod:`~landgrade.io.crs` and :mod:`~landgrade.io.webmaps`: coordinate systems, and the
  GCJ-02 / BD-09 web-map offsets (imported on their own: ``from landgrade.io import crs``).

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
characters (reported).
"""

from landgrade.io.atomic import (
    SHAPEFILE_PARTS,
    AtomicOutput,
    atomic_output,
    check_interrupted,
    check_output,
    input_parts,
    interrupted,
    note_interrupt,
    output_parts,
    quiet_swallowed_interrupt,
    safe_file_stem,
)
from landgrade.io.encodings import detect_dbf_encoding, looks_garbled
from landgrade.io.formats import FORMATS, TABLE_SUFFIXES, IOInputError, file_format
from landgrade.io.ogr import GPKG_DATASET_OPTIONS, write_gpkg_layer, write_ogr
from landgrade.io.readers import (
    DEFAULT_CHUNK_SIZE,
    WKT_NAMES,
    X_NAMES,
    Y_NAMES,
    RawChunk,
    Source,
    detect_xy_fields,
    iter_chunks,
    open_source,
    points_from_xy,
    read_file,
    wkb_points_xy,
)
from landgrade.io.tables import read_data_table, write_table
from landgrade.io.writers import ChunkWriter, shapefile_field_names, write_file

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "FORMATS",
    "GPKG_DATASET_OPTIONS",
    "SHAPEFILE_PARTS",
    "TABLE_SUFFIXES",
    "WKT_NAMES",
    "X_NAMES",
    "Y_NAMES",
    "AtomicOutput",
    "ChunkWriter",
    "IOInputError",
    "RawChunk",
    "Source",
    "atomic_output",
    "check_interrupted",
    "check_output",
    "detect_dbf_encoding",
    "detect_xy_fields",
    "file_format",
    "input_parts",
    "interrupted",
    "iter_chunks",
    "looks_garbled",
    "note_interrupt",
    "open_source",
    "output_parts",
    "points_from_xy",
    "quiet_swallowed_interrupt",
    "read_data_table",
    "read_file",
    "safe_file_stem",
    "shapefile_field_names",
    "wkb_points_xy",
    "write_file",
    "write_gpkg_layer",
    "write_ogr",
    "write_table",
]
