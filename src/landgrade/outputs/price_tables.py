"""The price tables as text and as a spreadsheet table: what ``landgrade prices`` prints and writes.

Urban prices (Table 6: uses as rows, grades as columns), one town's (Table 8), one grade with its
connotation (Tables 1–4), and the road-line price segments (Table 7). Columns line up in a
terminal: a Chinese character counts two columns (:func:`landgrade.text.display_width`).
In Chinese (``lang="zh"``) everything is worded in Chinese; in English the tables keep the
gazette's Chinese words beside the English ones (the use labels are the county's).
"""

from __future__ import annotations

import pandas as pd

from landgrade.gazette.labels import word
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


def _units_line(book: PriceBook, lang: str = "en") -> str:
    zh = book.metadata.get("units_zh")
    if zh:
        return word("prices_units", lang, unit=zh, units=book.units)
    return word("prices_units_plain", lang, units=book.units)


# Column heads of the printed tables: (Chinese, English as printed beside the Chinese).
_HEADS = {
    "use": ("用地类型", "用地类型"), "key": (None, "use"), "price": ("基准地价", "price"),
    "term": ("使用年期", "使用年期 term"), "ratio": ("容积率", "容积率 plot ratio"),
    "id": ("编号", "id"), "name": ("线路名称", "线路名称 name"), "from": ("起点", "起点 from"),
    "to": ("终点", "终点 to"), "grade": ("级别", "级别"), "class": ("道路类型", "道路类型"),
    "depth": ("标准深度（米）", "标准深度 m"), "route_price": ("路线价", "路线价 price"),
}
_FACTS = {"development": ("开发程度", "开发程度 development level"),
          "right": ("土地权利", "土地权利 land right"),
          "date": ("估价期日", "估价期日 valuation date")}


def _heads(lang: str, *keys: str) -> list[str]:
    """The printed heads of ``keys`` in ``lang`` (a head with no Chinese form is left out)."""
    i = 0 if lang == "zh" else 1
    return [h for h in (_HEADS[k][i] for k in keys) if h is not None]


def _connotation_lines(book: PriceBook, grid: pd.DataFrame, grade: int, area: str,
                       lang: str = "en") -> list[str]:
    zh = lang == "zh"
    header = _heads(lang, "use", "key", "price", "term", "ratio")
    rows = []
    for use in grid.columns:
        c = book.connotation(grade, use, area)
        rows.append([book.use_label(use), *([] if zh else [use]), _number(grid.at[grade, use]),
                     f"{c.term_years} 年", _number(c.plot_ratio, 1)])
    c = book.connotation(grade, book.uses[0], area)
    i = 0 if zh else 1
    facts = [(_FACTS["development"][i], c.development_level),
             (_FACTS["right"][i], c.land_right), (_FACTS["date"][i], c.valuation_date)]
    return [
        *_table(header, rows, numeric_from=1 if zh else 2),
        "",
        " · ".join(word("prices_fact", lang, label=label, value=value)
                   for label, value in facts if value is not None),
    ]


def _date_line(c: Connotation, lang: str = "en") -> list[str]:
    return [] if c.valuation_date is None else [word("prices_date", lang, date=c.valuation_date)]


def _grid_lines(book: PriceBook, grid: pd.DataFrame, lang: str = "en") -> list[str]:
    zh = lang == "zh"
    header = [*_heads(lang, "use", "key"), *(grade_word(int(g)) for g in grid.index)]
    rows = [[book.use_label(u), *([] if zh else [u]), *(_number(v) for v in grid[u])]
            for u in grid.columns]
    return _table(header, rows, numeric_from=1 if zh else 2)


def _grade_line(grade: int, lang: str) -> str:
    return word("prices_grade", lang, word=grade_word(grade), grade=grade)


def format_urban_prices(book: PriceBook, grade: int | None = None, lang: str = "en") -> str:
    """The urban price table (uses as rows, grades as columns), or one grade with connotation,
    in ``lang``."""
    lines = [word("prices_urban_title", lang, county=book.county), _units_line(book, lang)]
    if grade is None:
        lines += [*_date_line(book.connotation(book.grades[0], book.uses[0]), lang), ""]
        lines += _grid_lines(book, book.urban_price_table(), lang)
    else:
        grade = book.urban_grade(grade)
        lines += [_grade_line(grade, lang), ""]
        lines += _connotation_lines(book, book.urban_price_table(), grade, URBAN, lang)
    return "\n".join(lines)


def format_town_prices(book: PriceBook, town: str, grade: int | None = None,
                       lang: str = "en") -> str:
    """One town's prices: all its grades, or one grade with its connotation, in ``lang``."""
    name = book.town_name(town)
    cls = book.town_class(name)
    grid = book.town_price_table(cls)
    grades = list(grid.index)
    span = grade_span(grades) if lang == "en" else "至".join(
        grade_word(int(g)) for g in (grades[0], grades[-1])) if len(grades) > 2 else "、".join(
        grade_word(int(g)) for g in grades)
    lines = [
        word("prices_town_title", lang, town=name),
        word("prices_town_class", lang, label=book.town_class_label(cls), cls=cls, grades=span),
        _units_line(book, lang),
    ]
    if grade is None:
        lines += [*_date_line(book.connotation(int(grid.index[0]), book.uses[0], name), lang),
                  ""]
        lines += _grid_lines(book, grid, lang)
    else:
        _, grade = book.town_grade_grid(name, grade)
        lines += [_grade_line(grade, lang), ""]
        lines += _connotation_lines(book, grid, grade, name, lang)
    return "\n".join(lines)


def format_routes(book: PriceBook, grade: int | None = None, lang: str = "en") -> str:
    """The road-line price segments (路线价), optionally of one urban grade, in ``lang``."""
    routes = book.routes
    if grade is not None:
        routes = routes[routes["grade"] == book.urban_grade(grade)]
    header = _heads(lang, "id", "name", "from", "to", "grade", "class", "depth", "route_price")
    rows = [
        [r["id"], r["name"], r["from"], r["to"], grade_word(int(r["grade"])), r["road_class"],
         _number(r["standard_depth_m"]), _number(r["price"])]
        for r in routes.to_dict("records")
    ]
    lines = [word("prices_routes_title", lang, county=book.county), _units_line(book, lang), ""]
    return "\n".join([*lines, *_table(header, rows, numeric_from=6)])


def localized_prices_table(book: PriceBook, table: pd.DataFrame, *, routes: bool,
                           lang: str) -> pd.DataFrame:
    """:func:`prices_table` for people in ``lang``: Chinese column names (with the unit) and
    grade words; English keeps the codes."""
    from landgrade.gazette.labels import unit
    from landgrade.gazette.labels_outputs import PRICE_TABLE_HEADERS, ROUTE_HEADERS

    if lang != "zh":
        return table
    out = table.copy()
    money = unit(book.metadata, lang)
    if "grade" in out:
        out["grade"] = [grade_word(int(g)) for g in out["grade"]]
    if "units" in out:
        out["units"] = money
    heads = ROUTE_HEADERS if routes else PRICE_TABLE_HEADERS
    return out.rename(columns={k: v.format(unit=money) for k, v in heads.items()})


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
