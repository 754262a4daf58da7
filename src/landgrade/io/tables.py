"""Tables without geometry: the county folder's CSV files read, reports written as CSV or Excel.

:func:`read_data_table` reads a county-folder CSV (aliases, decisions, gazette tables) keeping
every cell as text and each row's line number for messages; :func:`write_table` writes an audit,
price list or report as ``.csv`` (with the byte-order mark Excel needs) or ``.xlsx``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from io import StringIO
from pathlib import Path

import geopandas as gpd
import pandas as pd

from landgrade.io.atomic import atomic_output, check_output
from landgrade.io.formats import TABLE_SUFFIXES, IOInputError
from landgrade.io.writers import ChunkWriter


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
