"""The price tables as text and as a spreadsheet table: what ``landgrade prices`` prints and writes.

Urban prices (Table 6: uses as rows, grades as columns), one town's (Table 8), one grade with its
connotation (Tables 1–4), and the road-line price segments (Table 7). Columns line up in a
terminal: a Chinese character counts two columns (:func:`landgrade.text.display_width`).
"""

from __future__ import annotations

import pandas as pd

from landgrade.gazette.names import grade_word
from landgrade.gazette.price_records import URBAN, Connotation, grade_span
from landgrade.gazette.pricebook import PriceBook
from landgrade.text import display_width


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def _number(value: float, min_decimals: int = 0) -> str:
    if min_decimals == 0 and float(value).is_integer():
        return str(int(value))
    text = f"{value:.4f}".rstrip("0")
    decimals = len(text.split(".")[1])
    return f"{value:.{max(decimals, min_decimals)}f}"


def _table(header: list[str], rows: list[list[str]], numeric_from: int) -> list[str]:
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    def line(cells: list[str]) -> str:
        padded = (_pad(c, w, right=i >= numeric_from)
                  for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return "  ".join(padded).rstrip()

    return [line(r) for r in [header, *rows]]


def _units_line(book: PriceBook) -> str:
    zh = book.metadata.get("units_zh")
    return f"单位 units: {zh} ({book.units})" if zh else f"units: {book.units}"


def _connotation_lines(book: PriceBook, grid: pd.DataFrame, grade: int, area: str) -> list[str]:
    header = ["用地类型", "use", "price", "使用年期 term", "容积率 plot ratio"]
    rows = []
    for use in grid.columns:
        c = book.connotation(grade, use, area)
        rows.append([book.use_label(use), use, _number(grid.at[grade, use]),
                     f"{c.term_years} 年", _number(c.plot_ratio, 1)])
    c = book.connotation(grade, book.uses[0], area)
    facts = [("开发程度 development level", c.development_level),
             ("土地权利 land right", c.land_right), ("估价期日 valuation date", c.valuation_date)]
    return [
        *_table(header, rows, numeric_from=2),
        "",
        " · ".join(f"{label}: {value}" for label, value in facts if value is not None),
    ]


def _date_line(c: Connotation) -> list[str]:
    return [] if c.valuation_date is None else [f"估价期日 valuation date: {c.valuation_date}"]


def _grid_lines(book: PriceBook, grid: pd.DataFrame) -> list[str]:
    header = ["用地类型", "use", *(grade_word(int(g)) for g in grid.index)]
    rows = [[book.use_label(u), u, *(_number(v) for v in grid[u])] for u in grid.columns]
    return _table(header, rows, numeric_from=2)


def format_urban_prices(book: PriceBook, grade: int | None = None) -> str:
    """The urban price table (uses as rows, grades as columns), or one grade with connotation."""
    lines = [f"{book.county} 城区基准地价 · urban benchmark land prices", _units_line(book)]
    if grade is None:
        lines += [*_date_line(book.connotation(book.grades[0], book.uses[0])), ""]
        lines += _grid_lines(book, book.urban_price_table())
    else:
        grade = book.urban_grade(grade)
        lines += [f"{grade_word(grade)} (grade {grade})", ""]
        lines += _connotation_lines(book, book.urban_price_table(), grade, URBAN)
    return "\n".join(lines)


def format_town_prices(book: PriceBook, town: str, grade: int | None = None) -> str:
    """One town's prices: all its grades, or one grade with its connotation."""
    name = book.town_name(town)
    cls = book.town_class(name)
    grid = book.town_price_table(cls)
    lines = [
        f"{name} 乡镇基准地价 · town benchmark land prices",
        f"{book.town_class_label(cls)} (town class {cls}), grades {grade_span(list(grid.index))}",
        _units_line(book),
    ]
    if grade is None:
        lines += [*_date_line(book.connotation(int(grid.index[0]), book.uses[0], name)), ""]
        lines += _grid_lines(book, grid)
    else:
        _, grade = book.town_grade_grid(name, grade)
        lines += [f"{grade_word(grade)} (grade {grade})", ""]
        lines += _connotation_lines(book, grid, grade, name)
    return "\n".join(lines)


def format_routes(book: PriceBook, grade: int | None = None) -> str:
    """The road-line price segments (路线价), optionally of one urban grade."""
    routes = book.routes
    if grade is not None:
        routes = routes[routes["grade"] == book.urban_grade(grade)]
    header = ["id", "线路名称 name", "起点 from", "终点 to", "级别", "道路类型", "标准深度 m",
              "路线价 price"]
    rows = [
        [r["id"], r["name"], r["from"], r["to"], grade_word(int(r["grade"])), r["road_class"],
         _number(r["standard_depth_m"]), _number(r["price"])]
        for r in routes.to_dict("records")
    ]
    lines = [f"{book.county} 商服用地路线价 · commercial road-line prices", _units_line(book), ""]
    return "\n".join([*lines, *_table(header, rows, numeric_from=6)])


def prices_table(
    book: PriceBook, *, town: str | None = None, grade: int | None = None, routes: bool = False
) -> pd.DataFrame:
    """What ``landgrade prices`` prints, as one table for a spreadsheet: the urban prices (one
    row per grade, one column per use label), one town's, or the route segments."""
    if routes:
        table = book.routes
        if grade is not None:
            table = table[table["grade"] == book.urban_grade(grade)]
        return table.reset_index(drop=True)
    if town is not None:
        name = book.town_name(town)
        grid = book.town_price_table(book.town_class(name))
        if grade is not None:
            _, g = book.town_grade_grid(name, grade)
            grid = grid.loc[[g]]
        front = {"town": name, "town_class": book.town_class(name)}
    else:
        grid = book.urban_price_table()
        if grade is not None:
            grid = grid.loc[[book.urban_grade(grade)]]
        front = {}
    table = grid.rename(columns={u: book.use_label(u) for u in grid.columns}).reset_index()
    for i, (k, v) in enumerate(front.items()):
        table.insert(i, k, v)
    table.columns.name = None
    table.insert(len(table.columns), "units", book.units)
    return table
