"""Excel workbooks: a sheet read with each column's type kept, and rows made ready to write.

Reading (:func:`excel_sheet_head`, :func:`read_excel_sheet`) types each column from all its
cells, as a CSV reader would not: all numbers stay numbers, all dates dates, a mixed column is
text as Excel shows it. Writing (:func:`excel_rows`, used by the ``.xlsx`` writer of
:class:`landgrade.io.writers.ChunkWriter`) keeps what a cell cannot hold from changing silently:
text starting with ``=`` stays text, integers beyond 2**53 are written as text and counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from landgrade.io.formats import IOInputError, is_text_column

EXCEL_MAX_ROWS = 1_048_576
EXCEL_TEXT_LIMIT = 32_767
EXCEL_EXACT_INT = 2**53  # Excel numbers are doubles: integers beyond this lose digits


def _open_workbook(path: Path) -> Any:
    try:
        from openpyxl import load_workbook

        return load_workbook(path, read_only=True, data_only=True)
    except ImportError:  # pragma: no cover - a dependency
        raise IOInputError(f"{path}: reading Excel needs openpyxl (pip install openpyxl)") from None
    except Exception as e:
        raise IOInputError(f"{path}: not a readable .xlsx workbook ({e})") from None


def excel_sheet_head(path: Path, sheet: str | None) -> tuple[str, list[str], int]:
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


def read_excel_sheet(path: Path, sheet: str | None, columns: list[str]) -> pd.DataFrame:
    """A sheet as a frame, each column typed from all its cells: all numbers stay numbers, all
    dates dates; a column mixing kinds is text (numbers written as Excel shows them)."""
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
