"""The price book: a county's benchmark land prices, their connotation and road-line prices.

Terms, as the gazette uses them:

- 基准地价 (benchmark land price): the price, in yuan/m², of a typical parcel of one land use in
  one grade. Urban grades (级别) are numbered 1 (best) … N; each town class (城镇等别, e.g. 一等镇)
  has its own, shorter list of grades.
- 内涵 (connotation): the conditions a benchmark price assumes — 使用年期 (``term_years``),
  容积率 (``plot_ratio``), 开发程度 (``development_level``, e.g. 五通一平), 估价期日
  (``valuation_date``) and 土地权利 (``land_right``).
- 路线价 (road-line price): the commercial price of frontage along one road segment between two
  junctions (a *route segment*), valid to the 标准深度 (``standard_depth_m``) of its road class.

Everything comes from a county folder (see :mod:`landgrade.gazette.county`); nothing here knows a
county.
:func:`load_pricebook` reads and validates the folder's tables once per folder state. Every
problem in the data is a :class:`PriceBookError` naming the file, the line (and 1-based data row)
and the fix. Lookups take the stable use keys of ``uses.csv`` (``commercial``, …) or their
labels; town names are compared after :func:`landgrade.names.normalize`, so ``高沙镇`` and
``高沙 镇`` are the same town, and the bare ``高沙`` finds it when only one town matches.

Route names and endpoints stay exactly as printed (``桔城路 4``, ``双洲路 - 都梁路``,
``未命名道路路口 (至二级地)``): the table is a record of the gazette, and name matching belongs to
:mod:`landgrade.gazette.names` and the junction resolver.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from landgrade.gazette.county import CountyDataError, CountyFolder, county_folder
from landgrade.gazette.names import grade_word
from landgrade.io.formats import IOInputError
from landgrade.io.tables import read_data_table
from landgrade.text import display_width, normalize

URBAN = "urban"
TOWN_CLASS_PREFIX = "town_class_"

USES_COLUMNS = ("use", "label_zh")  # label_en and definition_zh are optional
CONNOTATION_COLUMNS = ("area", "grade", "use", "term_years", "plot_ratio")
URBAN_PRICE_COLUMNS = ("grade", "use", "price")
ROUTE_COLUMNS = ("id", "name", "from", "to", "grade", "road_class", "standard_depth_m", "price")
TOWN_PRICE_COLUMNS = ("town_class", "use", "grade", "price")
TOWN_COLUMNS = ("town", "town_class")

_NUMBERED_ID = re.compile(r"^([A-Z]*)(\d+)$")
# Administrative suffixes a user may leave off a town name (高沙 for 高沙镇).
_TOWN_SUFFIXES = ("管理区", "镇", "乡")


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
class _Row:
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


def _read_table(folder: CountyFolder, name: str, columns: tuple[str, ...]) -> list[_Row]:
    """The non-blank data rows of a UTF-8 CSV, each with its line and 1-based row number."""
    path = folder.require(name)
    try:
        df = read_data_table(path, columns)
    except IOInputError as e:
        raise PriceBookError(str(e)) from None
    header = [c for c in df.columns if c != "line"]
    return [
        _Row(path, int(line), i, dict(zip(header, cells, strict=True)))
        for i, (line, *cells) in enumerate(
            zip(df["line"], *(df[c] for c in header), strict=True), start=1
        )
    ]


def _span(values: list[int] | tuple[int, ...]) -> str:
    values = sorted(values)
    if values and values == list(range(values[0], values[-1] + 1)) and len(values) > 2:
        return f"{values[0]}–{values[-1]}"
    return ", ".join(str(v) for v in values)


def _id_number(route_id: str) -> tuple[str, int] | None:
    m = _NUMBERED_ID.match(route_id)
    return (m.group(1), int(m.group(2))) if m else None


def _as_grade(grade: Any) -> int:
    """A grade given as 2, numpy's 2, 2.0 or "2"; anything else is an error."""
    try:
        value = float(grade)
    except (TypeError, ValueError):
        value = math.nan
    if not value.is_integer():
        raise PriceBookError(f"grade {grade!r} is not a whole number; grades are 1, 2, …")
    return int(value)


class PriceBook:
    """A county's validated price tables. Build it with :func:`load_pricebook`."""

    def __init__(self, folder: CountyFolder) -> None:
        self.folder = folder
        self.metadata: dict[str, Any] = folder.metadata
        self._load_uses()
        self._urban = self._load_price_grid(
            _read_table(folder, "urban_prices.csv", URBAN_PRICE_COLUMNS),
            folder.path("urban_prices.csv"), "the urban area",
        )
        self._load_town_prices()
        self._load_towns()
        self._load_connotation()
        self._load_routes()

    # -- loading -----------------------------------------------------------------------------
    def _load_uses(self) -> None:
        self._use_info: dict[str, dict[str, str]] = {}
        first_line: dict[str, int] = {}
        for r in _read_table(self.folder, "uses.csv", USES_COLUMNS):
            key = r.text("use")
            if key in first_line:
                raise r.fail(f"use {key!r} is listed twice (first on line {first_line[key]})")
            first_line[key] = r.line
            self._use_info[key] = {
                "label_zh": r.text("label_zh"),
                "label_en": r.cells.get("label_en") or key,
                "definition_zh": r.cells.get("definition_zh", ""),
            }
        if not self._use_info:
            raise PriceBookError(f"{self.folder.path('uses.csv')}: no uses; list at least one")
        self._use_lookup: dict[str, str] = {}
        for key, info in self._use_info.items():
            zh = normalize(info["label_zh"]).lower()
            en = normalize(info["label_en"]).lower()
            for form in (normalize(key).lower(), zh, zh.removesuffix("用地"), en):
                self._use_lookup.setdefault(form, key)

    def _check_use(self, r: _Row) -> str:
        use = r.text("use")
        if use not in self._use_info:
            raise r.fail(
                f"unknown use {use!r}; use one of the keys in uses.csv "
                f"({', '.join(self._use_info)}) or add it there"
            )
        return use

    def _load_price_grid(self, rows: list[_Row], path: Path, scope: str) -> pd.DataFrame:
        """grade × use prices from rows, checked to be complete and gap-free."""
        seen: dict[tuple[int, str], int] = {}
        prices: dict[tuple[int, str], float] = {}
        for r in rows:
            grade = r.integer("grade", " (write the grade as an integer: 一级 → 1)")
            use = self._check_use(r)
            if (grade, use) in seen:
                raise r.fail(
                    f"grade {grade}, {use} already has a price on line {seen[grade, use]}; "
                    "keep one row per grade and use"
                )
            seen[grade, use] = r.line
            prices[grade, use] = r.positive("price")
        if not prices:
            raise PriceBookError(f"{path}: no prices for {scope}; add a row per grade and use")
        grades = sorted({g for g, _ in prices})
        gaps = sorted(set(range(1, grades[-1] + 1)) - set(grades))
        if gaps:
            raise PriceBookError(
                f"{path}: {scope} has grades {_span(grades)} but no grade "
                f"{', '.join(map(str, gaps))}; grades run from 1 without gaps"
            )
        for use in self._use_info:
            lacking = [g for g in grades if (g, use) not in prices]
            if lacking:
                other = next(u for u in self._use_info if (lacking[0], u) in prices)
                raise PriceBookError(
                    f"{path}: {scope}: {use} has no price for grade "
                    f"{', '.join(map(str, lacking))}, while {other} has grade {lacking[0]}; "
                    "every use needs a price in every grade"
                )
        grid = pd.DataFrame(
            [[prices[g, u] for u in self._use_info] for g in grades],
            index=pd.Index(grades, name="grade"),
            columns=list(self._use_info),
            dtype=float,
        )
        grid.columns.name = "use"
        return grid

    def _load_town_prices(self) -> None:
        rows = _read_table(self.folder, "town_prices.csv", TOWN_PRICE_COLUMNS)
        by_class: dict[int, list[_Row]] = {}
        for r in rows:
            by_class.setdefault(r.integer("town_class"), []).append(r)
        self._town_grids = {
            c: self._load_price_grid(by_class[c], rows[0].path, f"town class {c}")
            for c in sorted(by_class)
        }

    def _load_towns(self) -> None:
        self._towns: dict[str, tuple[str, int]] = {}
        first_line: dict[str, int] = {}
        for r in _read_table(self.folder, "towns.csv", TOWN_COLUMNS):
            town = r.text("town")
            key = normalize(town)
            if key in first_line:
                raise r.fail(f"town {town!r} is listed twice (first on line {first_line[key]})")
            first_line[key] = r.line
            cls = r.integer("town_class")
            if cls not in self._town_grids:
                raise r.fail(
                    f"town class {cls} of {town} has no prices in town_prices.csv "
                    f"(it has classes {_span(list(self._town_grids)) or 'none'}); "
                    "add the class's prices or fix the class"
                )
            self._towns[key] = (town, cls)
        labels = self.metadata.get("town_classes", {})
        if not isinstance(labels, dict):
            raise PriceBookError(
                f"{self.folder.path('metadata.json')}: town_classes must map each class number "
                'to its name, e.g. {"1": "一等镇", "2": "二等镇"}'
            )

    def _load_connotation(self) -> None:
        expected: dict[str, pd.DataFrame] = {URBAN: self._urban}
        expected |= {f"{TOWN_CLASS_PREFIX}{c}": g for c, g in self._town_grids.items()}
        self._connotation: dict[tuple[str, int, str], tuple[int, float]] = {}
        seen: dict[tuple[str, int, str], int] = {}
        path = self.folder.path("connotation.csv")
        for r in _read_table(self.folder, "connotation.csv", CONNOTATION_COLUMNS):
            area = r.text("area")
            if area not in expected:
                raise r.fail(
                    f"area {area!r} is not {URBAN} or a priced town class "
                    f"({', '.join(a for a in expected if a != URBAN)}); fix the area"
                )
            grade = r.integer("grade", " (write the grade as an integer: 一级 → 1)")
            use = self._check_use(r)
            if grade not in expected[area].index:
                raise r.fail(
                    f"{area} has no grade {grade} in its price table "
                    f"(grades {_span(list(expected[area].index))}); fix the grade"
                )
            key = (area, grade, use)
            if key in seen:
                raise r.fail(
                    f"{area}, grade {grade}, {use} already has a row on line {seen[key]}; "
                    "keep one row per area, grade and use"
                )
            seen[key] = r.line
            self._connotation[key] = (r.integer("term_years"), r.positive("plot_ratio"))
        for area, grid in expected.items():
            for grade in grid.index:
                for use in grid.columns:
                    if (area, int(grade), use) not in self._connotation:
                        raise PriceBookError(
                            f"{path}: no row for {area}, grade {grade}, {use}; every priced "
                            "grade and use needs its term_years and plot_ratio"
                        )
        self._area_facts: dict[str, tuple[str | None, dt.date | None, str | None]] = {}
        for area in expected:
            date = self._area_value("valuation_date", area)
            self._area_facts[area] = (
                self._area_value("development_level", area),
                None if date is None else self._parse_date(date),
                self._area_value("land_right", area),
            )

    def _area_value(self, key: str, area: str) -> str | None:
        """A metadata value: absent, one value for all areas, or a mapping per area."""
        where = f"{self.folder.path('metadata.json')}: {key}"
        value = self.metadata.get(key)
        if value is None:
            return None
        if isinstance(value, dict) and "name_zh" not in value:
            if area not in value:
                raise PriceBookError(f"{where} has no entry for {area}; add one")
            value = value[area]
        if isinstance(value, dict):
            value = value.get("name_zh")
        if not isinstance(value, str) or not value.strip():
            raise PriceBookError(f"{where} for {area} must be text")
        return value

    def _parse_date(self, text: str) -> dt.date:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise PriceBookError(
                f"{self.folder.path('metadata.json')}: valuation_date {text!r} is not a date; "
                "write it as YYYY-MM-DD"
            ) from None

    def _load_routes(self) -> None:
        depths = self.metadata.get("standard_depth_m")
        meta = self.folder.path("metadata.json")
        if not isinstance(depths, dict) or not depths:
            raise PriceBookError(
                f"{meta}: standard_depth_m is missing; add the standard depth of each road "
                'class, e.g. {"主干道": 20, "次干道": 16, "支路": 12}'
            )
        for road_class, depth in depths.items():
            if isinstance(depth, bool) or not isinstance(depth, int | float) or depth <= 0:
                raise PriceBookError(
                    f"{meta}: standard_depth_m of {road_class} is {depth!r}; give metres > 0"
                )
        records: list[dict[str, Any]] = []
        first_line: dict[str, int] = {}
        for r in _read_table(self.folder, "routes.csv", ROUTE_COLUMNS):
            rid = r.text("id")
            if rid in first_line:
                raise r.fail(f"route id {rid} is used twice (first on line {first_line[rid]})")
            first_line[rid] = r.line
            grade = r.integer("grade", " (write the grade as an integer: 一级 → 1)")
            if grade not in self._urban.index:
                raise r.fail(
                    f"route {rid}: grade {grade} is not an urban grade "
                    f"({_span(list(self._urban.index))} in urban_prices.csv); fix the grade"
                )
            road_class = r.text("road_class")
            if road_class not in depths:
                raise r.fail(
                    f"route {rid}: road_class {road_class!r} is not one of "
                    f"{', '.join(depths)} (metadata.json standard_depth_m); fix it or add it there"
                )
            depth = r.positive("standard_depth_m")
            if depth != float(depths[road_class]):
                raise r.fail(
                    f"route {rid}: standard_depth_m {r.cells['standard_depth_m']} does not match "
                    f"{road_class}, whose standard depth is {depths[road_class]} m in "
                    "metadata.json; fix the depth or the road class"
                )
            record: dict[str, Any] = {c: r.cells[c] for c in r.cells}
            record |= {
                "id": rid, "name": r.text("name"), "from": r.text("from"), "to": r.text("to"),
                "grade": grade, "road_class": road_class, "standard_depth_m": depth,
                "price": r.positive("price"),
            }
            records.append(record)
        extra = [c for c in (records[0] if records else {}) if c not in ROUTE_COLUMNS]
        self._routes = pd.DataFrame.from_records(records, columns=[*ROUTE_COLUMNS, *extra])
        self._routes = self._routes.astype({"grade": "int64", "standard_depth_m": float,
                                            "price": float})
        self._route_row = {rid: i for i, rid in enumerate(self._routes["id"])}
        # A1 and a01 find A01: ids are compared as letters + number when that is unambiguous.
        numbered: dict[tuple[str, int] | None, list[str]] = {}
        for rid in self._route_row:
            numbered.setdefault(_id_number(rid.upper()), []).append(rid)
        self._route_by_number = {k: v[0] for k, v in numbered.items() if k and len(v) == 1}

    # -- uses and grades ---------------------------------------------------------------------
    @property
    def county(self) -> str:
        return self.folder.name

    @property
    def uses(self) -> tuple[str, ...]:
        """The use keys, in the order of uses.csv."""
        return tuple(self._use_info)

    @property
    def grades(self) -> tuple[int, ...]:
        """The urban grades, best first."""
        return tuple(int(g) for g in self._urban.index)

    @property
    def units(self) -> str:
        return str(self.metadata.get("units", "yuan/m2"))

    def use_key(self, use: str) -> str:
        """The use key of a key or a label.

        ``commercial``, ``商服用地``, ``商服`` and the English label all give ``commercial``.
        """
        key = self._use_lookup.get(normalize(str(use)).lower())
        if key is None:
            raise PriceBookError(
                f"unknown use {use!r}; use one of {', '.join(self.uses)} (or their labels: "
                f"{', '.join(i['label_zh'] for i in self._use_info.values())})"
            )
        return key

    def use_label(self, use: str, lang: str = "zh") -> str:
        """The display label of a use: Chinese (``lang="zh"``) or English (``"en"``)."""
        if lang not in ("zh", "en"):
            raise PriceBookError(f"label language {lang!r}: use 'zh' or 'en'")
        return self._use_info[self.use_key(use)][f"label_{lang}"]

    def use_definition(self, use: str) -> str:
        """What the use covers, from the table notes (empty when the gazette gives none)."""
        return self._use_info[self.use_key(use)]["definition_zh"]

    def _urban_grade(self, grade: int) -> int:
        grade = _as_grade(grade)
        if grade not in self._urban.index:
            raise PriceBookError(
                f"grade {grade}: the urban area has grades {_span(self.grades)}"
            )
        return int(grade)

    # -- urban prices ------------------------------------------------------------------------
    def urban_price(self, grade: int, use: str) -> float:
        """The urban benchmark price (yuan/m²) of one grade and use."""
        return float(self._urban.at[self._urban_grade(grade), self.use_key(use)])

    def urban_prices(self, grade: int) -> dict[str, float]:
        """All uses' urban benchmark prices of one grade, keyed by use, in use order."""
        row = self._urban.loc[self._urban_grade(grade)]
        return {u: float(row[u]) for u in self.uses}

    def urban_price_table(self) -> pd.DataFrame:
        """Urban prices: one row per grade (index ``grade``), one float column per use key."""
        return self._urban.copy()

    # -- towns -------------------------------------------------------------------------------
    @property
    def towns(self) -> pd.DataFrame:
        """Every town with its class (columns ``town``, ``town_class``), in towns.csv order."""
        return pd.DataFrame(list(self._towns.values()), columns=list(TOWN_COLUMNS))

    @property
    def town_classes(self) -> tuple[int, ...]:
        return tuple(self._town_grids)

    def town_class_label(self, town_class: int) -> str:
        """The gazette's name of a town class (``一等镇``) from metadata, else ``class N``."""
        labels = self.metadata.get("town_classes", {})
        return str(labels.get(str(town_class), f"class {town_class}"))

    def town_name(self, town: str) -> str:
        """The town's name as listed in towns.csv, for any accepted spelling of it."""
        key = normalize(str(town))
        if key in self._towns:
            return self._towns[key][0]
        # A bare name (高沙) may stand for the one town it names; a wrong suffix (高沙乡) may not.
        if key and not key.endswith(_TOWN_SUFFIXES):
            candidates = [name for k, (name, _) in self._towns.items()
                          if any(k == key + s for s in _TOWN_SUFFIXES)]
            if len(candidates) == 1:
                return candidates[0]
        names = [name for name, _ in self._towns.values()]
        close = difflib.get_close_matches(key, names, n=5, cutoff=0.3)
        hint = (f"closest: {', '.join(close)}" if close
                else f"the towns are: {', '.join(names)}" if names else "it lists no towns")
        raise UnknownTownError(f"unknown town {town!r} (not in towns.csv); {hint}")

    def town_class(self, town: str) -> int:
        """The town class (城镇等别) of a town: 1 for 一等镇, …"""
        return self._towns[normalize(self.town_name(town))][1]

    def town_grades(self, town: str) -> tuple[int, ...]:
        return tuple(int(g) for g in self._town_grids[self.town_class(town)].index)

    def town_price_table(self, town_class: int) -> pd.DataFrame:
        """One town class's prices: one row per grade, one float column per use key."""
        if town_class not in self._town_grids:
            raise PriceBookError(
                f"town class {town_class}: the classes are {_span(self.town_classes)}"
            )
        return self._town_grids[town_class].copy()

    def _town_grade(self, town: str, grade: int) -> tuple[pd.DataFrame, int]:
        grade = _as_grade(grade)
        cls = self.town_class(town)
        grid = self._town_grids[cls]
        if grade not in grid.index:
            raise TownGradeError(
                f"{self.town_name(town)} is in town class {cls} ({self.town_class_label(cls)}), "
                f"which has grades {_span(list(grid.index))}; there is no grade {grade}"
            )
        return grid, int(grade)

    def town_price(self, town: str, grade: int, use: str) -> float:
        """A town's benchmark price (yuan/m²) for one grade and use."""
        grid, grade = self._town_grade(town, grade)
        return float(grid.at[grade, self.use_key(use)])

    def town_prices(self, town: str, grade: int) -> dict[str, float]:
        """All uses' benchmark prices of one grade of a town, keyed by use."""
        grid, grade = self._town_grade(town, grade)
        return {u: float(grid.at[grade, u]) for u in self.uses}

    # -- connotation -------------------------------------------------------------------------
    def _area(self, area: str) -> str:
        if area == URBAN or area in (f"{TOWN_CLASS_PREFIX}{c}" for c in self.town_classes):
            return area
        if area.startswith(TOWN_CLASS_PREFIX):
            raise PriceBookError(
                f"area {area!r}: the town classes are {_span(self.town_classes)}"
            )
        return f"{TOWN_CLASS_PREFIX}{self.town_class(area)}"

    def connotation(self, grade: int, use: str, area: str = URBAN) -> Connotation:
        """The connotation of one benchmark price.

        ``area`` is ``"urban"``, a town class area (``"town_class_2"``) or a town name.
        """
        key = self._area(area)
        use_key = self.use_key(use)
        grade = _as_grade(grade)
        if key == URBAN:
            grade = self._urban_grade(grade)
        elif (key, grade, use_key) not in self._connotation:
            cls = int(key.removeprefix(TOWN_CLASS_PREFIX))
            raise TownGradeError(
                f"{area}: town class {cls} has grades "
                f"{_span(list(self._town_grids[cls].index))}; there is no grade {grade}"
            )
        term, ratio = self._connotation[key, grade, use_key]
        development_level, valuation_date, land_right = self._area_facts[key]
        return Connotation(
            term_years=term,
            plot_ratio=ratio,
            development_level=development_level,
            valuation_date=valuation_date,
            land_right=land_right,
            area=key,
            grade=grade,
            use=use_key,
        )

    # -- routes ------------------------------------------------------------------------------
    @property
    def routes(self) -> pd.DataFrame:
        """The road-line price segments: routes.csv columns; grade int, depth and price float."""
        return self._routes.copy()

    def route(self, route_id: str) -> RouteSegment:
        """One road-line price segment by its id (``A01``; case and width do not matter)."""
        rid = normalize(str(route_id)).upper()
        if rid not in self._route_row:
            rid = self._route_by_number.get(_id_number(rid), rid)
        if rid not in self._route_row:
            close = difflib.get_close_matches(rid, list(self._route_row), n=5, cutoff=0.5)
            hint = f"closest: {', '.join(close)}" if close else f"ids are {self._id_range()}"
            raise PriceBookError(f"unknown route id {route_id!r} (not in routes.csv); {hint}")
        rec = self._routes.iloc[self._route_row[rid]]
        return RouteSegment(
            id=rec["id"], name=rec["name"], from_=rec["from"], to=rec["to"],
            grade=int(rec["grade"]), road_class=rec["road_class"],
            standard_depth_m=float(rec["standard_depth_m"]), price=float(rec["price"]),
        )

    def _id_range(self) -> str:
        ids = list(self._route_row)
        return f"{ids[0]} … {ids[-1]}" if ids else "none"

    def __repr__(self) -> str:
        return (
            f"PriceBook({self.county}: urban grades {_span(self.grades)}, {len(self.uses)} uses, "
            f"{len(self._towns)} towns in {len(self._town_grids)} classes, "
            f"{len(self._routes)} route segments)"
        )


# -- loading with a cache ------------------------------------------------------------------
_TABLE_FILES = ("metadata.json", "uses.csv", "connotation.csv", "urban_prices.csv",
                "routes.csv", "town_prices.csv", "towns.csv")
_cache: dict[tuple[Path, str], PriceBook] = {}


def _state(folder: CountyFolder) -> str:
    """A digest of the table files' contents: any edit invalidates the cached book.

    Contents, not modification times: an edit within the clock's resolution that keeps the size
    (3194 → 3200) must still be seen. The files are a few kilobytes.
    """
    digest = hashlib.blake2b(digest_size=16)
    for name in _TABLE_FILES:
        p = folder.path(name)
        digest.update(name.encode())
        digest.update(p.read_bytes() if p.is_file() else b"\0missing")
    return digest.hexdigest()


def load_pricebook(county: str | Path | CountyFolder | None = None) -> PriceBook:
    """The validated price book of a county folder (path, name under ``geo/``, or default).

    Loaded once per folder and reloaded when one of its files changes.
    """
    folder = county if isinstance(county, CountyFolder) else county_folder(county)
    key = (folder.root.resolve(), _state(folder))
    book = _cache.get(key)
    if book is None:
        # CountyFolder caches metadata; a fresh one sees an edited metadata.json.
        book = PriceBook(CountyFolder(folder.root))
        _cache[key] = book
    return book


# -- plain-text tables for the CLI ---------------------------------------------------------
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
        grade = book._urban_grade(grade)
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
        f"{book.town_class_label(cls)} (town class {cls}), grades {_span(list(grid.index))}",
        _units_line(book),
    ]
    if grade is None:
        lines += [*_date_line(book.connotation(int(grid.index[0]), book.uses[0], name)), ""]
        lines += _grid_lines(book, grid)
    else:
        _, grade = book._town_grade(name, grade)
        lines += [f"{grade_word(grade)} (grade {grade})", ""]
        lines += _connotation_lines(book, grid, grade, name)
    return "\n".join(lines)


def format_routes(book: PriceBook, grade: int | None = None) -> str:
    """The road-line price segments (路线价), optionally of one urban grade."""
    routes = book.routes
    if grade is not None:
        routes = routes[routes["grade"] == book._urban_grade(grade)]
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
            table = table[table["grade"] == book._urban_grade(grade)]
        return table.reset_index(drop=True)
    if town is not None:
        name = book.town_name(town)
        grid = book.town_price_table(book.town_class(name))
        if grade is not None:
            _, g = book._town_grade(name, grade)
            grid = grid.loc[[g]]
        front = {"town": name, "town_class": book.town_class(name)}
    else:
        grid = book.urban_price_table()
        if grade is not None:
            grid = grid.loc[[book._urban_grade(grade)]]
        front = {}
    table = grid.rename(columns={u: book.use_label(u) for u in grid.columns}).reset_index()
    for i, (k, v) in enumerate(front.items()):
        table.insert(i, k, v)
    table.columns.name = None
    table.insert(len(table.columns), "units", book.units)
    return table


def print_prices(
    county: str | Path | CountyFolder | None = None,
    *,
    town: str | None = None,
    grade: int | None = None,
    routes: bool = False,
    output: str | Path | None = None,
) -> None:
    """``landgrade prices``: print the urban table, one town's prices, or the route segments;
    with ``output`` (``.csv`` or ``.xlsx``), also write them as a table."""
    import typer

    from landgrade.gazette.county import county_inputs
    from landgrade.io.atomic import check_output
    from landgrade.io.formats import TABLE_SUFFIXES
    from landgrade.io.tables import write_table

    inputs = county_inputs(county if not isinstance(county, CountyFolder) else county.root)
    if output is not None:
        check_output(output, inputs, suffixes=TABLE_SUFFIXES)
    book = load_pricebook(county)
    if routes and town is not None:
        raise PriceBookError(
            "--routes lists the urban road-line prices; leave out --town, or drop --routes"
        )
    if output is not None:
        write_table(prices_table(book, town=town, grade=grade, routes=routes), output, inputs)
    if routes:
        text = format_routes(book, grade)
    elif town is not None:
        text = format_town_prices(book, town, grade)
    else:
        text = format_urban_prices(book, grade)
    typer.echo(text)
    if output is not None:
        typer.echo(f"wrote {output}")


def check_route_numbers(table: pd.DataFrame, path: str | Path) -> None:
    """Table 7 prices and standard depths, where a routes CSV gives them, must be positive
    numbers; ``table`` has the file's ``line`` numbers (see :func:`read_data_table`)."""
    for column in ("price", "standard_depth_m"):
        if column not in table:
            continue
        for value, line in zip(table[column], table["line"], strict=True):
            text = normalize(str(value)).strip()
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if not math.isfinite(number) or number <= 0:
                raise PriceBookError(
                    f"{path}, line {line}: {column} {value!r} is not a positive number; "
                    "write plain digits such as 5714 (yuan/m²) or 20 (m)"
                )


__all__ = [
    "Connotation",
    "PriceBook",
    "PriceBookError",
    "RouteSegment",
    "TownGradeError",
    "UnknownTownError",
    "display_width",
    "format_routes",
    "format_town_prices",
    "format_urban_prices",
    "load_pricebook",
    "prices_table",
    "print_prices",
]

