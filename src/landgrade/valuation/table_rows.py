"""Reading the rows of a correction table: text, numbers, grades, levels and dates, each checked.

Every problem is collected with the file, the row as a spreadsheet shows it (the header is row 1,
the first data row is row 2), the column, and what would fix it; :class:`Problems` raises them
together, so a user fixes a file in one pass rather than one error at a time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from landgrade.errors import LandgradeError

__all__ = [
    "LEVELS",
    "Problems",
    "duplicates",
    "grade_key",
    "level_key",
    "numbers",
    "parse_date",
    "read_rows",
    "read_table_text",
    "require_text",
    "resolve_uses",
]

# The five levels of a factor table (优 best … 劣 worst), as published; 一般 is the average.
LEVELS: tuple[str, ...] = ("优", "较优", "一般", "较劣", "劣")
_LEVEL_OF = {w: w for w in LEVELS} | {str(i + 1): w for i, w in enumerate(LEVELS)} | {
    "好": "优", "较好": "较优", "中": "一般", "中等": "一般", "较差": "较劣", "差": "劣",
}
_MAX_ERRORS = 12
_CN_DIGITS = dict(zip("一二三四五六七八九十", map(str, range(1, 11)), strict=True))
_CN_DIGITS |= dict(zip("ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ", map(str, range(1, 11)), strict=True))
_ROMAN = dict(zip(("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"),
                  map(str, range(1, 11)), strict=True))
_GRADE_RE = re.compile(
    r"^(?:第)?([0-9]+|[一二三四五六七八九十]|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]|[IVX]+)(?:级(?:地|土地)?)?$"
)
_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def grade_key(value: object) -> str:
    """A grade label made comparable: ``一级``, ``1级``, ``Ⅰ级``, ``I``, ``1`` and ``1.0`` all read
    ``"1"``; anything that is not a numbered grade (``工业集中区``) is returned stripped, and a
    missing value is ``""``."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    m = _GRADE_RE.match(text)
    if not m:
        return text
    g = m.group(1)
    if g.isdigit():
        return str(int(g))
    return _CN_DIGITS.get(g) or _ROMAN.get(g) or text


def level_key(value: object) -> str:
    """A factor level as the tables name it: ``优``/``较优``/``一般``/``较劣``/``劣``, from those
    words, 1–5 (1 = 优) or 好/较好/中/较差/差; ``""`` for a missing value; any other text is
    returned stripped (and will match no table row)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"[1-5]\.0+", text):
        text = text[0]
    return _LEVEL_OF.get(text, text)


def parse_date(text: object) -> pd.Timestamp:
    """``2021-10-01``, ``2021/10/1``, ``2021.10.1`` or ``2021年10月1日`` as a timestamp.

    Raises
    ------
    ValueError
        When the text is none of those, or not a calendar date.
    """
    m = _DATE_RE.match(str(text))
    if not m:
        raise ValueError(text)
    return pd.Timestamp(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def read_table_text(path: Path) -> str:
    """A CSV's text, read as UTF-8 (with or without BOM), else GBK.

    Raises
    ------
    LandgradeError
        When neither encoding decodes the file.
    """
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LandgradeError(
        f"{path}: neither UTF-8 nor GBK can decode this file; save it as UTF-8 CSV "
        "(Excel: 另存为 → CSV UTF-8)"
    )


class Problems:
    """The problems found in one file, raised together as one :class:`LandgradeError`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, row: int | None, column: str | None, problem: str, fix: str) -> None:
        where = f"row {row}" if row is not None else "header"
        col = f", column '{column}'" if column else ""
        self.items.append(f"{self.path}: {where}{col}: {problem}; {fix}")

    def raise_if_any(self) -> None:
        if self.items:
            shown = self.items[:_MAX_ERRORS]
            more = len(self.items) - len(shown)
            tail = f"\n… and {more} more problem(s)" if more else ""
            raise LandgradeError("\n".join(shown) + tail)


def read_rows(path: Path, required: tuple[str, ...]) -> tuple[pd.DataFrame, Problems]:
    """The file's required columns as stripped text, with its spreadsheet row number in ``row``;
    blank lines are skipped but counted, so row numbers match what a spreadsheet shows."""
    text = read_table_text(path)
    problems = Problems(path)
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LandgradeError(
            f"{path}: not a readable CSV table ({exc}); it needs a header row "
            f"{','.join(required)} and one row per entry"
        ) from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        problems.add(
            None,
            None,
            f"missing column(s) {', '.join(missing)} (found: {', '.join(frame.columns)})",
            f"the header must read {','.join(required)}",
        )
        problems.raise_if_any()
    frame = frame[list(required)].fillna("").astype(str).apply(lambda s: s.str.strip())
    frame["row"] = np.arange(2, len(frame) + 2)
    frame = frame[(frame[list(required)] != "").any(axis=1)].reset_index(drop=True)
    return frame, problems


def numbers(
    frame: pd.DataFrame,
    column: str,
    problems: Problems,
    *,
    what: str,
    check: Callable[[float], str | None] | None = None,
    parse: Callable[[str], float] | None = None,
) -> list[float]:
    """The column as floats; a cell that is not a number (or fails ``check``) is a problem."""
    out: list[float] = []
    for text, row in zip(frame[column], frame["row"], strict=True):
        try:
            value = parse(text) if parse else float(text)
            if not np.isfinite(value):
                raise ValueError
        except ValueError:
            problems.add(
                int(row), column, f"'{text}' is not a number" if text else "empty", f"write {what}"
            )
            out.append(np.nan)
            continue
        if check is not None and (msg := check(value)):
            problems.add(int(row), column, f"{text}: {msg}", f"write {what}")
        out.append(value)
    return out


def require_text(frame: pd.DataFrame, column: str, problems: Problems, what: str) -> None:
    """An empty cell in ``column`` is a problem."""
    for text, row in zip(frame[column], frame["row"], strict=True):
        if not text:
            problems.add(int(row), column, "empty", f"write {what}")


def duplicates(frame: pd.DataFrame, keys: list[str], problems: Problems, what: str) -> None:
    """A row repeating another's ``keys`` is a problem (which value would hold?)."""
    dup = frame[frame.duplicated(keys, keep=False)]
    for _key, sub in dup.groupby(keys, sort=False):
        rows = [int(r) for r in sub["row"]]
        label = ", ".join(f"{k}={v}" for k, v in zip(keys, sub.iloc[0][keys], strict=True))
        problems.add(
            rows[1],
            keys[-1],
            f"{label} repeats row {rows[0]}",
            f"keep one {what} per {'/'.join(keys)}",
        )


def resolve_uses(
    frame: pd.DataFrame,
    problems: Problems,
    resolver: Callable[[str], str] | None,
    *,
    blank_means_all: bool = False,
) -> None:
    """Replace the ``use`` column's text by the county's use keys (``resolver``), in place; a use
    the county does not know is a problem naming it. Without a resolver the text is kept."""
    if resolver is None:
        return
    keys = []
    for text, row in zip(frame["use"], frame["row"], strict=True):
        if not text and blank_means_all:
            keys.append("")
            continue
        try:
            keys.append(resolver(text))
        except LandgradeError as exc:
            problems.add(int(row), "use", str(exc), "write a use of the county's uses.csv")
            keys.append(text)
    frame["use"] = keys
