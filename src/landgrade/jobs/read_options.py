"""How an input file is read: one value that travels with a job, to a dask worker too.

``landgrade assign``, the service's uploads and every ``--dask`` part open their input with
the same options — the GeoPackage layer, the Excel sheet, the shapefile's text encoding, the
coordinate columns of a CSV or Excel table — so a part is read as the whole file would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from landgrade import io


@dataclass(frozen=True)
class ReadOptions:
    """The read options of :func:`landgrade.io.open_source`; None: the file's own or detected."""

    layer: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    x_field: str | None = None
    y_field: str | None = None
    # The most an Excel workbook may unpack to, MB (None: io.excel.DEFAULT_MAX_XLSX_MB).
    max_xlsx_mb: float | None = None

    def open(self, path: str | Path) -> io.Source:
        """The input opened with these options; :class:`landgrade.io.IOInputError` with the
        fix when it cannot be read."""
        return io.open_source(path, layer=self.layer, sheet=self.sheet, encoding=self.encoding,
                              x_field=self.x_field, y_field=self.y_field,
                              max_xlsx_mb=self.max_xlsx_mb)
