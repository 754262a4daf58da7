"""The words of the interface in Chinese and English (``--lang zh|en``).

Only the interface's own words live here (``级别``/``grade``, ``估价期日``/``valuation date``).
Everything that is data comes from the county folder: use labels (``uses.csv``: 商服用地), the
county's name, the document number (文号), the issuer, the units (``units_zh``) and the
schematic-network note (``network.note_zh`` / ``network.note`` in ``metadata.json``). A county's
default language is its metadata's ``language`` (``zh`` for a Chinese gazette); without one,
English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from landgrade.errors import LandgradeError
from landgrade.gazette.names import grade_word

LANGS = ("zh", "en")
# Said wherever a schematic (not surveyed) road network is shown: map titles, layers, reports.
SCHEMATIC_NOTE = "the road network is a schematic reconstruction, not a survey"

# key: (Chinese, English). Templates take str.format fields.
WORDS: dict[str, tuple[str, str]] = {
    "point": ("坐标", "point"),
    "grade": ("级别", "grade"),
    "outside_extent": ("- (基准地价范围以外)", "- (outside the grading extent)"),
    "on_boundary": ("(位于级别界线上：取较优级别)", "(on a zone boundary: the better grade)"),
    "prices": ("基准地价", "prices"),
    "prices_line": ("{unit}，估价期日 {date}", "{unit}, valuation date {date}"),
    "term_ratio": ("使用年期 {term} 年，容积率 {ratio}", "term {term} y, plot ratio {ratio}"),
    "route": ("路线价", "route"),
    "route_line": (
        "{id} {name}：距离 {dist} 米（{inside}），路线价 {price} {unit}",
        "{id} {name}: {dist} m ({inside}), road-line price {price} {unit}",
    ),
    "within_depth": ("在标准深度以内", "within its standard depth"),
    "beyond_depth": ("超出标准深度，不适用", "beyond its standard depth"),
    "route_line_na": (
        "{id} {name}：距离 {dist} 米（超出标准深度，路线价不适用）",
        "{id} {name}: {dist} m (beyond its standard depth): no road-line price applies here",
    ),
    "town": ("乡镇", "town"),
    # {table} is the county's own name of the table cited (table_cite): 表8 in Dongkou.
    "town_priced": ("{town}，{cls}类乡镇：乡镇基准地价{table}",
                    "{town}, town class {cls}: town benchmark prices{table}"),
    "town_inside": ("（位于城镇定级范围内：适用城镇基准地价）",
                    " (inside the urban extent: urban prices apply)"),
    "town_hint": ("位于城镇定级范围以外、县域以内：适用乡镇基准地价{table}",
                  "outside the urban extent, inside the county: town prices{table} apply"),
    "town_table": ("{town}，{cls}类乡镇，元/平方米（{uses}）：",
                   "{town}, town class {cls}, yuan/m² ({uses}):"),
    "town_grade_row": ("{grade}级：{cells}", "town grade {grade}: {cells}"),
    "town_one_grade": ("指定级别：--town {town} --town-grade N",
                       "for one grade: --town {town} --town-grade N"),
    "town_how": ("请给出 --town 乡镇名 --town-grade 级别（或 --towns 文件 以确定乡镇）",
                 "give --town NAME --town-grade N (or --towns FILE to name the town)"),
    "status": ("状态", "status"),
    "note": ("注", "note"),
    "schematic_short": ("道路网为示意性重建，并非实测", SCHEMATIC_NOTE),
    "map_title": (
        "{county}城镇土地级别与基准地价图", "{county} urban land grades and benchmark prices"
    ),
    "map_title_plain": ("{county}城镇土地级别图", "{county} urban land grades"),
    "legend_title": ("土地级别 — 基准地价（{unit}）", "Grade — benchmark price ({unit})"),
    "legend_grades": ("土地级别", "Grade"),
    "roads": ("道路", "roads"),
    "water": ("水系", "water"),
    "routes_legend": ("路线价路段（编号）", "road-line price route (id)"),
    "extent": ("基准地价范围界线", "grading extent"),
    "document": ("文号", "document"),
    "issuer": ("发布机关", "issuer"),
    "issued": ("发布日期", "issued"),
    "valuation_date": ("估价期日", "valuation date"),
    "crs": ("坐标系", "CRS"),
    "north": ("北", "N"),
    "km": ("千米", "km"),
    "m": ("米", "m"),
    "unit_area": ("平方米", "m²"),
    "unit_money": ("元", "yuan"),
    "click_hint": ("点击任意位置查看级别与地价", "click anywhere for its grade and prices"),
    "click_outside": ("基准地价范围以外：此处无城镇土地级别。",
                      "Outside the grading extent: no urban benchmark grade here."),
    "area_ha": ("面积（公顷）", "area (ha)"),
    # route fields (web popups, report)
    "route_id": ("路段编号", "route"),
    "name": ("名称", "name"),
    "road_class": ("道路等级", "road class"),
    "road_price": ("路线价", "road-line price"),
    "standard_depth": ("标准深度", "standard depth"),
    "from": ("起点", "from"),
    "to": ("终点", "to"),
    # the parcel report (基准地价查询单)
    "report_title": ("{county}城镇基准地价查询单", "{county} benchmark land price statement"),
    "parcel_id": ("宗地号", "parcel"),
    "location": ("位置", "location"),
    "use": ("用途", "use"),
    "all_uses": ("全部用途", "all uses"),
    "grade_shares": ("级别构成", "grade shares"),
    "share_out": ("范围以外", "outside the extent"),
    "unit_price": ("单价", "unit price"),
    "unit_price_weighted": ("面积加权单价", "area-weighted unit price"),
    "term": ("使用年期（年）", "term (years)"),
    "plot_ratio": ("容积率", "plot ratio"),
    "connotation_from": (
        "使用年期、容积率取面积占比最大的{grade}（{share}）",
        "Term and plot ratio: those of {grade}, the grade with the largest share ({share})",
    ),
    "area": ("面积", "area"),
    "total_price": ("总价（单价 × 面积）", "total (unit price × area)"),
    "nearest_route": ("最近路线价路段", "nearest road-line price route"),
    "distance": ("距离", "distance"),
    "applies_head": ("是否适用", "applies"),
    "applies": ("适用", "yes"),
    "not_applies": ("不适用（超出标准深度）", "no (beyond depth)"),
    "none": ("无", "none"),
    "price_source_town": ("乡镇基准地价{table}", "town benchmark prices{table}"),
    "generated": ("查询日期", "generated"),
    "page": ("第 {i} 页 / 共 {n} 页", "page {i} of {n}"),
    # the 查询单 an office issues: its number, conditions, the town page, refused rows
    "query_no": ("查询编号", "query no."),
    "issued_at": ("查询时间", "issued"),
    "land_right": ("土地权利", "land right"),
    "development_level": ("开发程度", "development level"),
    "disclaimer": ("声明", "disclaimer"),
    "county_outline": ("县界", "county boundary"),
    "query_point": ("查询位置", "queried location"),
    "town_unknown": ("未确定（未给出乡镇）", "not determined (no town given)"),
    "town_hint_unchecked": (
        "位于城镇定级范围以外（未提供县界，未核对是否在县域内）：县域内适用乡镇基准地价{table}",
        "outside the urban extent (no county outline to check it is in the county): inside "
        "the county, town prices{table} apply"),
    "town_priced_fact": ("{town}（{cls}）{grade}级：乡镇基准地价{table}",
                         "{town} ({cls}), town grade {grade}: town benchmark prices{table}"),
    "town_priced_head": ("{town}，{cls}，{grade}级", "{town}, {cls}, town grade {grade}"),
    "town_class": ("乡镇等别", "town class"),
    "town_class_n": ("{n}类", "class {n}"),
    "town_grade": ("乡镇级别", "town grade"),
    "town_not_priced": (
        "乡镇或乡镇级别未确定，本单不列单价；上表供确定乡镇及其级别后查对。",
        "The town or its town grade is not determined, so no price is stated; the table "
        "above is for reference once they are."),
    "town_grade_not_priced": (
        "乡镇级别未确定，本单不列单价；上表为该乡镇所属等别各级地价，供确定级别后查对。",
        "The town grade is not determined, so no price is stated; the table above lists the "
        "town's class by town grade, for reference once it is."),
    "town_not_listed": ("不在乡镇基准地价表中", "not in the town price table"),
    "town_list": ("{cls}：{towns}", "{cls}: {towns}"),
    "refused_row": ("第 {row} 行{id}：{why}；未生成查询单",
                    "row {row}{id}: {why}; no page written"),
    "refused_point": ("{where}：{why}；未生成查询单", "{where}: {why}; no page written"),
}

# Chinese wording of the answer statuses' standard messages (landgrade.answer.STATUSES); a
# status without one here keeps its English message. {table} as in WORDS.
STATUS_ZH: dict[str, str] = {
    "ok": "已查询",
    "boundary": "位于级别界线上：取较优（较低）级别",
    "outside_extent": "位于基准地价范围以外：无城镇土地级别和基准地价",
    "outside_county": "位于县域以外：请检查坐标和 --crs",
    "empty_geometry": "空几何：无法查询",
    "null_geometry": "无几何（或坐标为空、非数字）",
    "invalid_geometry_repaired": "无效几何，已用 make_valid 修复后查询",
    "invalid_geometry": "无效几何，make_valid 无法修复",
    "crs_suspect_swapped": "坐标疑似经纬度颠倒：请交换",
    "crs_suspect_zone_prefix": (
        "东坐标带有高斯-克吕格带号前缀（如 37xxxxxx）：请用带号的 CGCS2000 坐标系 --crs"
        "（EPSG:4513-4533）"
    ),
    "crs_suspect_geographic": "坐标疑似为经纬度而非米：请用 --crs EPSG:4326",
    "crs_suspect_projected": (
        "坐标疑似为米而非经纬度：请用其投影坐标系 --crs（如本县高斯-克吕格带，EPSG:4534-4554）"
    ),
    "crs_suspect": "坐标与所给坐标系不符：请检查 --crs",
    "unknown_town": "镇名不在乡镇基准地价表{table}中：请检查镇名",
    "bad_town_grade": "镇级别不在该镇等别的乡镇基准地价表{table}中",
    "unknown_use": "用途不在本县用途表（uses.csv）中：请给出用途代码或名称",
}


class LanguageError(LandgradeError):
    """An unknown ``--lang``."""


def check_lang(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGS`, else a :class:`LanguageError`."""
    if lang not in LANGS:
        raise LanguageError(f"--lang {lang!r}: use one of {', '.join(LANGS)}")
    return lang


def default_lang(metadata: Mapping[str, Any] | None) -> str:
    """A county's language: its metadata's ``language``, else English."""
    lang = str((metadata or {}).get("language") or "en")
    return lang if lang in LANGS else "en"


def word(key: str, lang: str, **fields: Any) -> str:
    """The interface word ``key`` in ``lang``, with ``fields`` filled in."""
    zh, en = WORDS[key]
    text = zh if check_lang(lang) == "zh" else en
    return text.format(**fields) if fields else text


def grade_label(grade: int, lang: str) -> str:
    """``一级`` or ``Grade 1``."""
    if lang == "zh":
        return grade_word(int(grade))
    return f"Grade {int(grade)}"


def gazette_facts(metadata: Mapping[str, Any] | None, keys: Sequence[str], lang: str) -> list[str]:
    """``文号 洞政发〔2022〕1号``-style items for the ``keys`` the metadata has, in that order:
    the one wording of the gazette's facts under a map title, a footer or a report head."""
    meta = metadata or {}
    said = {"date": "issued"}  # the metadata's issue ``date`` is worded 发布日期
    return [f"{word(said.get(k, k), lang)} {meta[k]}" for k in keys if meta.get(k)]


def table_name(metadata: Mapping[str, Any] | None, key: str, lang: str) -> str | None:
    """The county's own name of one of its gazette's tables (``tables.<key>.zh``/``en`` in
    metadata.json: 表8 / Table 8 for ``town_prices`` in Dongkou), in ``lang`` or else the other
    language as published; None when the county does not name it. Table numbers are each
    gazette's own, so they are data, never interface words."""
    tables = (metadata or {}).get("tables") or {}
    names = tables.get(key) if isinstance(tables, Mapping) else None
    if isinstance(names, str):
        return names or None
    if not isinstance(names, Mapping):
        return None
    other = "en" if lang == "zh" else "zh"
    return str(names.get(lang) or names.get(other) or "") or None


def table_cite(metadata: Mapping[str, Any] | None, key: str, lang: str) -> str:
    """``（表8）`` / `` (Table 8)`` to follow a word, or nothing when the county names no such
    table: the neutral wording then stands alone (乡镇基准地价, town prices)."""
    name = table_name(metadata, key, lang)
    if not name:
        return ""
    return f"（{name}）" if lang == "zh" else f" ({name})"


def unit(metadata: Mapping[str, Any] | None, lang: str) -> str:
    """The price unit: the metadata's ``units_zh`` (元/平方米) in Chinese, else yuan/m²."""
    meta = metadata or {}
    if lang == "zh" and meta.get("units_zh"):
        return str(meta["units_zh"])
    return "yuan/m²"


def county_name(metadata: Mapping[str, Any] | None, lang: str) -> str:
    """The county's name in ``lang``: ``county`` (洞口县) or ``county_en`` (Dongkou)."""
    meta = metadata or {}
    zh, en = str(meta.get("county") or ""), str(meta.get("county_en") or "")
    if lang == "zh":
        return zh or en
    return en or (zh if zh.isascii() else "")


def schematic_note(metadata: Mapping[str, Any] | None, lang: str, fallback: str) -> str:
    """The county's note on its schematic network (``network.note_zh``/``note``), else
    ``fallback``."""
    network = (metadata or {}).get("network") or {}
    if not isinstance(network, Mapping):
        return fallback
    key = "note_zh" if lang == "zh" else "note"
    return str(network.get(key) or fallback)
