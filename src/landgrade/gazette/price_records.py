"""The records of a county's price tables, and the errors of a price book.

The columns each table must have; each data row read with its line and row number, every cell
checked (filled in, a whole number, a positive number) by an error that names the file, the
line and the 1-based row; the two records :class:`landgrade.gazette.pricebook.PriceBook` hands
out — a price's :class:`Connotation` (内涵) and a road-line :class:`RouteSegment` (路线价); and
:class:`PriceBookError` with its kinds.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from landgrade.gazette.county import CountyDataError, CountyFolder
from landgrade.io.formats import IOInputError
from landgrade.io.tables import read_data_table
from landgrade.text import normalize

URBAN = "urban"
TOWN_CLASS_PREFIX = "town_class_"

USES_COLUMNS = ("use", "label_zh")  # label_en and definition_zh are optional
CONNOTATION_COLUMNS = ("area", "grade", "use", "term_years", "plot_ratio")
URBAN_PRICE_COLUMNS = ("grade", "use", "price")
ROUTE_COLUMNS = ("id", "name", "from", "to", "grade", "road_class", "standard_depth_m", "price")
TOWN_PRICE_COLUMNS = ("town_class", "use", "grade", "price")
TOWN_COLUMNS = ("town", "town_class")


class PriceBookError(CountyDataError):
    """A price-book table is wrong, or a lookup asks for something the book does not have."""


class UnknownTownError(PriceBookError):
    """A town name that towns.csv does not list (the message names the closest ones)."""


class TownGradeError(PriceBookError):
    """A grade that the town's class does not have."""


@dataclass(frozen=True)
class Connotation:
    """The conditions one benchmark price assumes (内涵)."""

    term_years: int
    plot_ratio: float
    development_level: str | None
    valuation_date: dt.date | None
    land_right: str | None
    area: str
    grade: int
    use: str

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON: the date as ``YYYY-MM-DD``; facts metadata lacks are None."""
        d = asdict(self)
        d["valuation_date"] = self.valuation_date and self.valuation_date.isoformat()
        return d


@dataclass(frozen=True)
class RouteSegment:
    """One road-line price segment (路线价): a road stretch between two printed endpoints."""

    id: str
    name: str
    from_: str
    to: str
    grade: int
    road_class: str
    standard_depth_m: float
    price: float

    def to_dict(self) -> dict[str, Any]:
        """The fields under the routes.csv column names (``from``, not ``from_``)."""
        d = asdict(self)
        d["from"] = d.pop("from_")
        return {c: d[c] for c in ROUTE_COLUMNS}


@dataclass(frozen=True)
class TableRow:
    """One data row of a price table; each accessor checks its cell and fails naming the file,
    line and row."""

    path: Path
    line: int
    row: int
    cells: dict[str, str]

    def where(self) -> str:
        return f"{self.path}, line {self.line} (row {self.row})"

    def fail(self, problem: str) -> PriceBookError:
        return PriceBookError(f"{self.where()}: {problem}")

    def text(self, column: str) -> str:
        value = self.cells[column]
        if not value:
            raise self.fail(f"{column} is empty; fill it in")
        return value

    def integer(self, column: str, hint: str = "") -> int:
        value = self.text(column)
        try:
            number = int(normalize(value))
        except ValueError:
            raise self.fail(f"{column} {value!r} is not a whole number{hint}") from None
        if number < 1:
            raise self.fail(f"{column} {value!r} must be 1 or more{hint}")
        return number

    def positive(self, column: str) -> float:
        value = self.text(column)
        try:
            number = float(normalize(value))
        except ValueError:
            raise self.fail(
                f"{column} {value!r} is not a number; write plain digits such as 1234 or 1.5"
            ) from None
        if not math.isfinite(number) or number <= 0:
            raise self.fail(f"{column} {value!r} must be a positive number")
        return number


def read_rows(folder: CountyFolder, name: str, columns: tuple[str, ...]) -> list[TableRow]:
    """The non-blank data rows of a UTF-8 CSV, each with its line and 1-based row number."""
    path = folder.require(name)
    try:
        df = read_data_table(path, columns)
    except IOInputError as e:
        raise PriceBookError(str(e)) from None
    header = [c for c in df.columns if c != "line"]
    return [
        TableRow(path, int(line), i, dict(zip(header, cells, strict=True)))
        for i, (line, *cells) in enumerate(
            zip(df["line"], *(df[c] for c in header), strict=True), start=1
        )
    ]


def grade_span(values: list[int] | tuple[int, ...]) -> str:
    """Grades as a range (``1–5``) when three or more run on; else listed (``1, 3``)."""
    values = sorted(values)
    if values and values == list(range(values[0], values[-1] + 1)) and len(values) > 2:
        return f"{values[0]}–{values[-1]}"
    return ", ".join(str(v) for v in values)


def as_grade(grade: Any) -> int:
    """A grade given as 2, numpy's 2, 2.0 or "2"; anything else is an error."""
    try:
        value = float(grade)
    except (TypeError, ValueError):
        value = math.nan
    if not value.is_integer():
        raise PriceBookError(f"grade {grade!r} is not a whole number; grades are 1, 2, …")
    return int(value)
