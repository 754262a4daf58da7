"""Writing through GDAL (OGR): one frame at a time, or a GeoPackage streamed chunk by chunk.

:func:`write_ogr` is the one place a vector file is handed to GDAL (through Arrow), and the one
place that sets GeoPackage 1.2 (:data:`GPKG_DATASET_OPTIONS`) and UTF-8 shapefiles.
:func:`ogr_arrow_table` captures the Arrow table and options :func:`write_ogr` would write, so
that :class:`ArrowStreamWriter` can feed GDAL one open layer across chunks with the same
conversion. :func:`write_gpkg_layer` adds an attribute table or layer to a GeoPackage.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from landgrade.io.excel import mixed_as_text
from landgrade.io.formats import OGR_DRIVERS, file_format

# GeoPackages are written as GPKG 1.2: GDAL ≥3.7 writes 1.4 by default, which QGIS 3.22 LTR and
# GDAL 3.6 (what bureaus run) open only with a "may only be partially supported" warning. Every
# GeoPackage writer takes its creation options from here.
GPKG_DATASET_OPTIONS: dict[str, str] = {"VERSION": "1.2"}


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


class ArrowStreamWriter:
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


def _ogr_friendly(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Nullable pandas dtypes GDAL cannot take become plain ones (nullable integers it takes);
    a column mixing text and numbers (an Excel column read cell by cell) becomes text."""
    out = mixed_as_text(gdf)
    for c in gdf.columns:
        dt = gdf[c].dtype
        if isinstance(dt, pd.BooleanDtype):
            out = out.assign(**{c: gdf[c].astype("Int8").astype("float64")})
        elif isinstance(dt, pd.StringDtype):
            out = out.assign(**{c: gdf[c].astype(object)})
    return out


def write_gpkg_layer(df: pd.DataFrame, path: str | Path, layer: str) -> None:
    """Add one layer (a GeoDataFrame, or a DataFrame as an attribute table) to a GeoPackage,
    creating the file as GeoPackage 1.2 (see :data:`GPKG_DATASET_OPTIONS`). Attribute tables
    are why this is not :func:`write_ogr` (Arrow writes need a geometry column); callers wrap
    the whole file in :func:`atomic_output`."""
    import pyogrio

    pyogrio.write_dataframe(_ogr_friendly(df), path, layer=layer, driver="GPKG",
                            dataset_options=GPKG_DATASET_OPTIONS)
