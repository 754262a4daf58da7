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
and the fix; that error, the tables' columns, the row reader and the records the book hands out
(:class:`Connotation`, :class:`RouteSegment`) are in :mod:`landgrade.gazette.price_records`.
Lookups take the stable use keys of ``uses.csv`` (``commercial``, …) or their labels; town names
are compared after :func:`landgrade.text.normalize`, so ``高沙镇`` and
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
from pathlib import Path
from typing import Any

import pandas as pd

from landgrade.gazette.county import CountyFolder, county_folder
from landgrade.gazette.price_records import (
    CONNOTATION_COLUMNS,
    ROUTE_COLUMNS,
    TOWN_CLASS_PREFIX,
    TOWN_COLUMNS,
    TOWN_PRICE_COLUMNS,
    URBAN,
    URBAN_PRICE_COLUMNS,
    USES_COLUMNS,
    Connotation,
    PriceBookError,
    RouteSegment,
    TableRow,
    TownGradeError,
    UnknownTownError,
    as_grade,
    grade_span,
    read_rows,
)
from landgrade.text import normalize

_NUMBERED_ID = re.compile(r"^([A-Z]*)(\d+)$")
# Administrative suffixes a user may leave off a town name (高沙 for 高沙镇).
_TOWN_SUFFIXES = ("管理区", "镇", "乡")


def _id_number(route_id: str) -> tuple[str, int] | None:
    m = _NUMBERED_ID.match(route_id)
    return (m.group(1), int(m.group(2))) if m else None


class PriceBook:
    """A county's validated price tables. Build it with :func:`load_pricebook`."""

    def __init__(self, folder: CountyFolder) -> None:
        self.folder = folder
        self.metadata: dict[str, Any] = folder.metadata
        self._load_uses()
        self._urban = self._load_price_grid(
            read_rows(folder, "urban_prices.csv", URBAN_PRICE_COLUMNS),
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
        for r in read_rows(self.folder, "uses.csv", USES_COLUMNS):
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

    def _check_use(self, r: TableRow) -> str:
        use = r.text("use")
        if use not in self._use_info:
            raise r.fail(
                f"unknown use {use!r}; use one of the keys in uses.csv "
                f"({', '.join(self._use_info)}) or add it there"
            )
        return use

    def _load_price_grid(self, rows: list[TableRow], path: Path, scope: str) -> pd.DataFrame:
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
                f"{path}: {scope} has grades {grade_span(grades)} but no grade "
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
        rows = read_rows(self.folder, "town_prices.csv", TOWN_PRICE_COLUMNS)
        by_class: dict[int, list[TableRow]] = {}
        for r in rows:
            by_class.setdefault(r.integer("town_class"), []).append(r)
        self._town_grids = {
            c: self._load_price_grid(by_class[c], rows[0].path, f"town class {c}")
            for c in sorted(by_class)
        }

    def _load_towns(self) -> None:
        self._towns: dict[str, tuple[str, int]] = {}
        first_line: dict[str, int] = {}
        for r in read_rows(self.folder, "towns.csv", TOWN_COLUMNS):
            town = r.text("town")
            key = normalize(town)
            if key in first_line:
                raise r.fail(f"town {town!r} is listed twice (first on line {first_line[key]})")
            first_line[key] = r.line
            cls = r.integer("town_class")
            if cls not in self._town_grids:
                raise r.fail(
                    f"town class {cls} of {town} has no prices in town_prices.csv "
                    f"(it has classes {grade_span(list(self._town_grids)) or 'none'}); "
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
        for r in read_rows(self.folder, "connotation.csv", CONNOTATION_COLUMNS):
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
                    f"(grades {grade_span(list(expected[area].index))}); fix the grade"
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
        for r in read_rows(self.folder, "routes.csv", ROUTE_COLUMNS):
            rid = r.text("id")
            if rid in first_line:
                raise r.fail(f"route id {rid} is used twice (first on line {first_line[rid]})")
            first_line[rid] = r.line
            grade = r.integer("grade", " (write the grade as an integer: 一级 → 1)")
            if grade not in self._urban.index:
                raise r.fail(
                    f"route {rid}: grade {grade} is not an urban grade "
                    f"({grade_span(list(self._urban.index))} in urban_prices.csv); fix the grade"
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

    def urban_grade(self, grade: int) -> int:
        """``grade`` as an int when the urban area has it; else an error listing its grades."""
        grade = as_grade(grade)
        if grade not in self._urban.index:
            raise PriceBookError(
                f"grade {grade}: the urban area has grades {grade_span(self.grades)}"
            )
        return int(grade)

    # -- urban prices ------------------------------------------------------------------------
    def urban_price(self, grade: int, use: str) -> float:
        """The urban benchmark price (yuan/m²) of one grade and use."""
        return float(self._urban.at[self.urban_grade(grade), self.use_key(use)])

    def urban_prices(self, grade: int) -> dict[str, float]:
        """All uses' urban benchmark prices of one grade, keyed by use, in use order."""
        row = self._urban.loc[self.urban_grade(grade)]
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
                f"town class {town_class}: the classes are {grade_span(self.town_classes)}"
            )
        return self._town_grids[town_class].copy()

    def town_grade_grid(self, town: str, grade: int) -> tuple[pd.DataFrame, int]:
        """The price grid of the town's class, and ``grade`` as an int when that class has
        it; else a :class:`TownGradeError` listing the class's grades."""
        grade = as_grade(grade)
        cls = self.town_class(town)
        grid = self._town_grids[cls]
        if grade not in grid.index:
            raise TownGradeError(
                f"{self.town_name(town)} is in town class {cls} ({self.town_class_label(cls)}), "
                f"which has grades {grade_span(list(grid.index))}; there is no grade {grade}"
            )
        return grid, int(grade)

    def town_price(self, town: str, grade: int, use: str) -> float:
        """A town's benchmark price (yuan/m²) for one grade and use."""
        grid, grade = self.town_grade_grid(town, grade)
        return float(grid.at[grade, self.use_key(use)])

    def town_prices(self, town: str, grade: int) -> dict[str, float]:
        """All uses' benchmark prices of one grade of a town, keyed by use."""
        grid, grade = self.town_grade_grid(town, grade)
        return {u: float(grid.at[grade, u]) for u in self.uses}

    # -- connotation -------------------------------------------------------------------------
    def _area(self, area: str) -> str:
        if area == URBAN or area in (f"{TOWN_CLASS_PREFIX}{c}" for c in self.town_classes):
            return area
        if area.startswith(TOWN_CLASS_PREFIX):
            raise PriceBookError(
                f"area {area!r}: the town classes are {grade_span(self.town_classes)}"
            )
        return f"{TOWN_CLASS_PREFIX}{self.town_class(area)}"

    def connotation(self, grade: int, use: str, area: str = URBAN) -> Connotation:
        """The connotation of one benchmark price.

        ``area`` is ``"urban"``, a town class area (``"town_class_2"``) or a town name.
        """
        key = self._area(area)
        use_key = self.use_key(use)
        grade = as_grade(grade)
        if key == URBAN:
            grade = self.urban_grade(grade)
        elif (key, grade, use_key) not in self._connotation:
            cls = int(key.removeprefix(TOWN_CLASS_PREFIX))
            raise TownGradeError(
                f"{area}: town class {cls} has grades "
                f"{grade_span(list(self._town_grids[cls].index))}; there is no grade {grade}"
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
            f"PriceBook({self.county}: urban grades {grade_span(self.grades)}, "
            f"{len(self.uses)} uses, "
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


__all__ = ["PriceBook", "check_route_numbers", "load_pricebook"]

