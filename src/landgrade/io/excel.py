"""Excel workbooks: a sheet read with each column's type kept, and rows made ready to write.

Reading (:func:`excel_sheet_head`, :func:`read_excel_sheet`) types each column from all its
cells, as a CSV reader would not: all numbers stay numbers, all dates dates; a column mixing
kinds keeps each cell as it is (a number, a date, a text), and formats that type a column
(:func:`mixed_as_text`: CSV, GeoPackage, …) get it as text as Excel shows it. The first visible
sheet is read unless one is named. What cannot be read right is refused before anything is
read: a workbook that unpacks to more than a bound, or far more than XML compresses (a zip
bomb), and formulas that were never calculated (no value is stored for them).
Writing (:func:`excel_rows`, used by the ``.xlsx`` writer of
:class:`landgrade.io.writers.ChunkWriter`) keeps what a cell cannot hold from changing silently:
text starting with ``=`` stays text, integers beyond 2**53 are written as text and counted.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landgrade.io.formats import IOInputError, is_text_column

EXCEL_MAX_ROWS = 1_048_576
EXCEL_TEXT_LIMIT = 32_767
EXCEL_EXACT_INT = 2**53  # Excel numbers are doubles: integers beyond this lose digits
# A workbook is refused when its parts unpack to more than this (ReadOptions.max_xlsx_mb,
# `landgrade assign --max-xlsx-mb`): a full sheet of 1,048,576 rows × 20 columns is ~1 GB of
# XML, and openpyxl reads it at some MB a second.
DEFAULT_MAX_XLSX_MB = 1024
# ... or when one part unpacks to more than this many times its packed size: sheet XML of real
# data packs 5-20×, padding thousands× (Apache POI refuses beyond 100× too). Small parts, whose
# ratio says nothing, are not judged.
MAX_XLSX_RATIO, RATIO_FLOOR_BYTES = 100, 1 << 20


def _check_unpacked_size(path: Path, max_mb: float | None) -> None:
    """Refuse a workbook whose parts would inflate beyond the bound, from the sizes the zip
    declares, before any part is unpacked (zipfile never inflates a part beyond its declared
    size: a lying header fails its CRC check instead)."""
    limit = (DEFAULT_MAX_XLSX_MB if max_mb is None else max_mb) * (1 << 20)
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise IOInputError(f"{path}: not a readable .xlsx workbook ({e})") from None
    total = sum(p.file_size for p in parts)
    if total > limit:
        raise IOInputError(
            f"{path}: the workbook unpacks to {total / (1 << 20):,.0f} MB, more than the "
            f"{limit / (1 << 20):,.0f} MB read from a workbook; save the sheet as .csv, or "
            "raise the bound with --max-xlsx-mb")
    for p in parts:
        if p.file_size > RATIO_FLOOR_BYTES and p.file_size > MAX_XLSX_RATIO * p.compress_size:
            raise IOInputError(
                f"{path}: its part {p.filename} unpacks to {p.file_size / (1 << 20):,.0f} MB "
                f"from {p.compress_size / 1024:,.0f} KB ({p.file_size // max(p.compress_size, 1):,}"
                f"×), far more than a worksheet compresses: refused as a zip bomb; open and save "
                "it in Excel, or save the sheet as .csv")


def _open_workbook(path: Path, max_mb: float | None = None) -> Any:
    _check_unpacked_size(path, max_mb)
    try:
        from openpyxl import load_workbook

        return load_workbook(path, read_only=True, data_only=True)
    except ImportError:  # pragma: no cover - a dependency
        raise IOInputError(f"{path}: reading Excel needs openpyxl (pip install openpyxl)") from None
    except Exception as e:
        raise IOInputError(f"{path}: not a readable .xlsx workbook ({e})") from None


def excel_sheet_head(path: Path, sheet: str | None,
                     max_mb: float | None = None) -> tuple[str, list[str], int]:
    """The sheet to read (the first visible one unless named), its header and its number of
    data rows. ``max_mb``: the bound on the unpacked workbook (default
    :data:`DEFAULT_MAX_XLSX_MB`)."""
    book = _open_workbook(path, max_mb)
    try:
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            raise IOInputError(f"{path}: no sheet {sheet!r}; sheets: {', '.join(names)}")
        if sheet is None:  # what Excel opens on: a hidden first sheet is not what the user sees
            shown = [w for w in book.worksheets if w.sheet_state == "visible"]
            if not shown:
                raise IOInputError(f"{path}: every sheet is hidden; name one with --sheet "
                                   f"({', '.join(names)})")
            ws = shown[0]
        else:
            ws = book[sheet]
        _refuse_uncalculated(path, ws)
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


# A cell whose formula is followed by no value, or an empty one (openpyxl writes <v />): the
# end of its <f>, maybe an empty <v>, then the end of the cell (or an inline string or an
# extension list, which come after a value's place).
_FORMULA_WITHOUT_VALUE = re.compile(
    rb"(?:</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>)\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*"
    rb"(?:</(?:\w+:)?c>|<(?:\w+:)?(?:is|extLst)\b)")


def _refuse_uncalculated(path: Path, ws: Any) -> None:
    """A formula that no spreadsheet program ever calculated (a workbook written by a script)
    has no stored value, and would be read as a blank without a word: refuse it, naming the
    sheet and cells. The sheet's XML is scanned as bytes; cells are located only when one is
    found."""
    member = getattr(ws, "_worksheet_path", None)
    if member is None:  # pragma: no cover - openpyxl's read-only sheets all have one
        return
    with zipfile.ZipFile(path) as z, z.open(member.lstrip("/")) as f:
        tail = b""
        while chunk := f.read(1 << 20):
            if _FORMULA_WITHOUT_VALUE.search(tail + chunk):
                break
            tail = chunk[-4096:]
        else:
            return
        f.seek(0)
        cells = _cells_without_value(f)
    if cells:
        shown = ", ".join(f"{ws.title}!{c}" for c in cells[:5])
        more = f" and {len(cells) - 5} more" if len(cells) > 5 else ""
        raise IOInputError(
            f"{path}: sheet {ws.title!r}: formula cell(s) {shown}{more} hold no calculated "
            "value (the workbook was written by a program, not saved by a spreadsheet): open "
            "and save it in Excel or WPS so the formulas are calculated, or paste their values")


def _cells_without_value(xml: Any) -> list[str]:
    from xml.etree.ElementTree import iterparse

    cells: list[str] = []
    for _, el in iterparse(xml):
        if el.tag.rsplit("}", 1)[-1] != "c":
            if el.tag.rsplit("}", 1)[-1] == "row":
                el.clear()
            continue
        kids = {k.tag.rsplit("}", 1)[-1]: k for k in el}
        value = kids.get("v")
        # An empty value is a formula's empty text only in a text cell (t="str").
        if "f" in kids and (value is None or (not (value.text or "").strip()
                                              and el.get("t") not in ("str", "s", "inlineStr"))):
            cells.append(el.get("r") or "?")
    return cells


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


def read_excel_sheet(path: Path, sheet: str | None, columns: list[str]) -> pd.DataFrame:
    """A sheet as a frame, each column typed from all its cells: all numbers stay numbers, all
    dates dates; a column mixing kinds keeps each cell's own value (object dtype)."""
    book = _open_workbook(path)
    try:
        rows = book[sheet].iter_rows(min_row=2, values_only=True)
        width = len(columns)
        data = []
        for i, r in enumerate(rows, start=2):
            if not any(v is not None and v != "" for v in r):
                continue  # a blank line, as in a CSV
            extra = [j for j, v in enumerate(r[width:], start=width) if v not in (None, "")]
            if extra:
                from openpyxl.utils import get_column_letter

                raise IOInputError(
                    f"{path}: sheet {sheet!r}, cell {get_column_letter(extra[0] + 1)}{i} "
                    "has a value but its column has no name in row 1; name the column"
                )
            data.append(tuple(r[:width]) + (None,) * (width - len(r)))
    finally:
        book.close()
    cols = list(zip(*data, strict=True)) if data else [()] * width
    return pd.DataFrame({name: _excel_column(list(v)) for name, v in
                         zip(columns, cols, strict=True)})


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
    # Mixed kinds: each cell as it is (100, 200.5, 'n/a'); an .xlsx output writes them back
    # the same, formats that type a column get them as text (mixed_as_text).
    return pd.Series(values, dtype=object)


def mixed_as_text(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each column that mixes text with numbers, dates or booleans (an Excel column
    read cell by cell) made text as Excel shows it, for formats whose columns have one type."""
    out = None
    for i in range(df.shape[1]):
        s = df.iloc[:, i]
        if s.dtype != object or pd.api.types.infer_dtype(s, skipna=True) not in (
                "mixed", "mixed-integer"):
            continue
        if out is None:
            out = df.copy()
        out.isetitem(i, s.map(lambda v: v if v is None or isinstance(v, str) or v is pd.NA
                               or (isinstance(v, float) and v != v) else _cell_text(v)))
    return df if out is None else out


def _cell_text(v: Any) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        text = repr(v)
        return text[:-2] if text.endswith(".0") else text
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def excel_rows(df: pd.DataFrame, sheet: Any, path: Path,
                as_text: dict[str, int]) -> Iterator[list[Any]]:
    """Rows of Python values for openpyxl: blanks for missing values, text kept as text;
    ``as_text`` counts, per column, integers too long for Excel written as text."""
    columns = []
    for c in df.columns:
        s = df[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        values = s.astype(object).where(s.notna(), None).tolist()
        if is_text_column(s):
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
        if s.dtype == object or not is_text_column(s):
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
