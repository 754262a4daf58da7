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
from landgrade.gazette.labels_build import BUILD_WORDS
from landgrade.gazette.labels_outputs import ANSWER_HEADERS, OUTPUT_WORDS, gauss_kruger_zone
from landgrade.gazette.labels_qgis import QGIS_WORDS
from landgrade.gazette.names import grade_word
from landgrade.gazette.valuation_labels import VALUATION_WORDS, VALUE_STATUS_WORDS

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
    # the printed sheet's tables: {table} the county's own name of the table (table_cite)
    "price_table_title": ("城镇基准地价{table}　单位：{unit}", "Benchmark prices{table}, {unit}"),
    "route_table_title": ("路线价{table}　单位：{unit}", "Road-line prices{table}, {unit}"),
    "route_section": ("路段", "road section"),
    "route_no": ("编号", "id"),
    "extent": ("基准地价范围界线", "grading extent"),
    "document": ("文号", "document"),
    "issuer": ("发布机关", "issuer"),
    "issued": ("发布日期", "issued"),
    "valuation_date": ("估价期日", "valuation date"),
    "crs": ("坐标系", "CRS"),
    # a Gauss-Krüger system's name (map subtitles): datum, zone width, central meridian or zone
    "crs_gk": ("{datum} 高斯-克吕格投影 {deg}度带 {where}",
               "{datum} / {deg}-degree Gauss-Kruger {where}"),
    "crs_gk_cm": ("中央经线 {cm}°{hemi}", "CM {cm}{hemi}"),
    "crs_gk_zone": ("第{zone}带（带号坐标）", "zone {zone}"),
    "crs_utm": ("{datum} UTM投影 第{zone}带", "{datum} / UTM zone {zone}"),
    "north": ("北", "N"),
    "km": ("千米", "km"),
    "m": ("米", "m"),
    "unit_area": ("平方米", "m²"),
    "unit_money": ("元", "yuan"),
    "click_hint": ("点击任意位置查看级别与地价", "click anywhere for its grade and prices"),
    "click_outside": ("基准地价范围以外：此处无城镇土地级别。",
                      "Outside the grading extent: no urban benchmark grade here."),
    "area_ha": ("面积（公顷）", "area (ha)"),
    # the offline web map's layer list and controls
    "layer_grades": ("土地级别", "land grades"),
    "layer_routes": ("路线价路段", "road-line price routes"),
    "layer_frontage": ("路线价标准深度范围", "route frontage (standard depth)"),
    "layer_background": ("底图", "background"),
    "zoom_in": ("放大", "zoom in"),
    "zoom_out": ("缩小", "zoom out"),
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
    # the service's web page (landgrade serve): its words, the answers it shows
    "serve_started": (
        "landgrade serve：{county}{note}\n"
        "  网页 {where}/   API 文档 {where}/docs   OGC API - Features {where}/ogc\n"
        "  限制：每个请求体 {mb} MB，每个请求最多 {n} 个点或要素",
        "landgrade serve: {county}{note}\n"
        "  web page {where}/   API docs {where}/docs   OGC API - Features {where}/ogc\n"
        "  limits: {mb} MB per request body, {n} points or features per request"),
    "serve_hosts": (
        "  应答发往 localhost、IP 地址或 {names} 的请求（反向代理的域名用 --allowed-host 名称）",
        "  answers requests addressed to localhost or an IP address, or to {names} "
        "(--allowed-host NAME for a reverse proxy's name)"),
    "serve_hosts_local": (
        "  应答发往 localhost 或 IP 地址的请求（反向代理的域名用 --allowed-host 名称）",
        "  answers requests addressed to localhost or an IP address "
        "(--allowed-host NAME for a reverse proxy's name)"),
    "serve_open": (
        "  注意：服务绑定在 {host}，能访问本机的任何人都可使用（服务无登录）；"
        "建议绑定 127.0.0.1 并置于反向代理之后",
        "  note: bound to {host}: anyone who can reach this machine can use the service "
        "(it has no login); prefer 127.0.0.1 behind a reverse proxy"),
    "web_map": ("地图", "map"),
    "web_click_head": ("点击地图查询", "Click the map"),
    "web_click_hint": ("点击地图任意位置，查看该点的级别与地价",
                       "Click anywhere on the map for that point's grade and prices"),
    "web_paste_head": ("输入坐标", "Paste a coordinate"),
    "web_locate": ("查询", "Locate"),
    "web_upload_head": ("宗地文件定级", "Grade a parcel file"),
    "web_choose_file": ("选择文件", "Choose a file"),
    "web_no_file": ("未选择文件", "no file chosen"),
    "web_file_crs": ("文件自带坐标系（CSV 默认 WGS84）", "the file's own (CSV: WGS84)"),
    "web_use_field": ("用途字段", "Land-use field"),
    "web_use_field_hint": ("可选：文件中记载用途的列（如 用途、DLMC），按各行用途计价",
                           "optional: the column holding each row's land use (e.g. 用途, "
                           "DLMC); prices each row by its use"),
    "web_upload": ("上传定级", "Upload and grade"),
    "web_download": ("下载", "Download"),
    "web_table_head": ("定级结果", "Graded table"),
    "web_docs": ("API 文档", "API docs"),
    "web_failed_map": ("地图加载失败", "the map failed to load"),
    "web_failed": ("查询失败", "the request failed"),
    "web_rows": ("共 {n} 行", "{n} rows"),
    "web_first_rows": ("（表中显示前 {n} 行）", " (the first {n} shown)"),
    "web_input": ("输入", "input"),
    "web_years": ("{n} 年", "{n} years"),
    "web_within": ("在标准深度以内", "within"),
    "web_beyond": ("超出标准深度", "beyond"),
    "web_crs_wgs84": ("WGS84 经纬度（GPS）", "WGS84 longitude, latitude (GPS)"),
    "web_crs_gcj02": ("GCJ-02（高德、腾讯地图）", "GCJ-02 (AMap, Tencent)"),
    "web_crs_bd09": ("BD-09（百度地图）", "BD-09 (Baidu)"),
    # the OGC API collections' descriptions ({unit}: the price unit)
    "ogc_grades": ("基准地价级别范围；各级别的各用途基准地价 p_<用途>（{unit}）、使用年期 t_<用途>"
                   "（整年）、容积率 r_<用途> 与估价期日",
                   "Benchmark land price grade zones; each grade with its benchmark prices "
                   "p_<use> ({unit}), land-use term t_<use> (whole years, an integer), plot "
                   "ratio r_<use> and valuation date"),
    "ogc_routes": ("路线价路段：编号、名称、起止、级别、道路等级、标准深度（米）、路线价（{unit}）",
                   "Road-line price segments: id, name, endpoints, grade, road class, standard "
                   "depth (m), road-line price ({unit})"),
    "ogc_extent": ("基准地价范围界线", "The grading extent"),
    "ogc_roads": ("定级所依据的道路中心线", "Road centrelines the grades were built on"),
    "ogc_water": ("水系（河流、沟渠）", "Water: rivers and channels"),
    "yes": ("是", "true"),
    "no": ("否", "false"),
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

# The Chinese names of the geodetic datums of Chinese maps, by pyproj's name of the datum (or of
# the geographic system).
DATUM_ZH: dict[str, str] = {
    "CGCS2000": "2000国家大地坐标系",
    "China Geodetic Coordinate System 2000": "2000国家大地坐标系",
    "Xian 1980": "1980西安坐标系",
    "Beijing 1954": "1954北京坐标系",
    "New Beijing": "新1954北京坐标系",
    "WGS 84": "WGS 84 坐标系",
}

WORDS |= VALUATION_WORDS  # the valuation's words (landgrade value, the 测算表)

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
    "unknown_use": "用途无法定价",
    "ambiguous_use": "用途需说明，未定价",
}

# Land-use words (landgrade.gazette.use_resolver, `landgrade uses`, the road-line price's use).
WORDS.update({
    "use_accepted": (
        "可用：{uses}（或 {keys}），{standards}的地类名称、简称或编码（{codes}）；"
        "landgrade uses 列出全部",
        "accepted: {uses} (or {keys}), class names, short forms and codes of {standards} "
        "({codes}); `landgrade uses` lists them",
    ),
    "use_codes_in": ("编码按{standard}读取，另一标准用 --use-standard",
                     "codes read in {standard}; another with --use-standard"),
    "use_codes_need": ("编码须用 --use-standard 声明标准", "codes need --use-standard"),
    "use_not_known": ("{value} 不是基准地价用途，也不是地类名称或编码{closest}",
                      "{value} is not a gazette use, nor a land-use class name or code{closest}"),
    "use_closest": ("（相近：{names}）", " (closest: {names})"),
    "use_not_priced": ("{value} 为 {cls}，基准地价未对此类用地定价",
                       "{value} is {cls}, a class the gazette gives no benchmark price"),
    "use_code_absent": ("{value} 不是{standard}的地类编码",
                        "{value} is not a class code of {standard}"),
    "use_code_elsewhere": ("；{value} 在{standard}中为 {cls}，如文件按该标准编码请给出 "
                           "--use-standard {std_key}",
                           "; in {standard} {value} is {cls}: give --use-standard {std_key} if the "
                           "file is coded in it"),
    "use_code_no_standard": ("{value} 为地类编码，但未声明地类标准（{meanings}）：请给出 "
                             "--use-standard {keys}",
                             "{value} is a class code, but no standard is declared to read it "
                             "in ({meanings}): give --use-standard {keys}"),
    "use_name_standards": ("{value} 在各标准中用途不同（{meanings}）：请给出 --use-standard {keys}",
                           "{value} is priced differently in the standards ({meanings}): give "
                           "--use-standard {keys}"),
    "use_ask": ("{value} 为 {cls}：{ask}", "{value} is {cls}: {ask}"),
    "use_ask_name": ("{value}：{ask}", "{value}: {ask}"),
    "use_mixed": ("{value} 含 {meanings}，用途不一：请给出具体地类",
                  "{value} covers {meanings}, of different uses: give the class"),
    "use_code_name_mismatch": ("{value} 的编码与名称不是同一地类（{meanings}）",
                               "{value}: the code and the name are not one class ({meanings})"),
    "use_class": ("{code} {name}（{standard}）", "{code} {name} ({standard})"),
    "use_means": ("{standard}：{cls}", "{standard}: {cls}"),
    "use_unpriced": ("未定价", "not priced"),
    "use_to_ask": ("需说明", "to ask"),
    "use_unpriced_row": ("用途未定价的宗地", "a row whose use is not priced"),
    "use_no_book": ("无本县基准地价表，无法按用途定价",
                    "no county price tables: no use can be priced"),
    "use_route_note": ("路线价{table}为{route_use}路线价，不适用于{use}",
                       "the road-line prices{table} are {route_use} prices: none applies to {use}"),
    "use_route_no_use": ("本县未说明路线价{table}属何用途，不按用途给出路线价",
                         "the county does not say which use its road-line prices{table} are for: "
                         "none is given for a row of a known use"),
    "route_other_use": ("不适用（仅限{use}）", "no ({use} only)"),
    "route_applies_use": ("适用（{use}）", "yes"),
    "route_line_use": (
        "{id} {name}：距离 {dist} 米（{inside}），{use}路线价 {price} {unit}",
        "{id} {name}: {dist} m ({inside}), road-line price ({use}) {price} {unit}",
    ),
    "route_line_other_use": (
        "{id} {name}：距离 {dist} 米（路线价为{route_use}路线价，不适用于{use}）",
        "{id} {name}: {dist} m (road-line prices are for {route_use}: none applies to {use})",
    ),
    "uses_title": ("{county}基准地价用途与地类对照", "{county}: gazette uses and land-use classes"),
    "uses_source": ("{document}；地类编码默认按{standard}读取（--use-standard 可改）",
                    "{document}; class codes are read in {standard} unless --use-standard says"),
    "uses_source_none": ("{document}；未声明地类标准：编码须给出 --use-standard",
                         "{document}; no standard declared: codes need --use-standard"),
    "uses_gazette": ("基准地价用途（可写名称、简称或代码）",
                     "Gazette uses (write the name, short form or key)"),
    "uses_ask": ("需说明（状态 ambiguous_use，不定价）", "Ask (status ambiguous_use, not priced)"),
    "uses_unpriced": ("不定价（状态 unknown_use）", "Not priced (status unknown_use)"),
    "uses_subclasses": ("及其下属地类", "and their sub-classes"),
    "uses_county_names": ("本县其他名称", "The county's own names"),
    "uses_everyday": ("常用名称", "Everyday names"),
    "uses_none": ("无", "none"),
})
# The words of the build report and review page, and of the other outputs reworded for
# Chinese (issue 21): kept in their own modules to keep this table short.
WORDS.update(BUILD_WORDS)
WORDS.update(OUTPUT_WORDS)
WORDS.update(QGIS_WORDS)  # the QGIS Processing provider's


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


def value_codes_text(codes: str, lang: str) -> list[str]:
    """The words of a ``value_status`` or ``value_notes`` (codes joined by ``;``), one per code;
    a code without words is shown as it is."""
    i = 0 if check_lang(lang) == "zh" else 1
    return [VALUE_STATUS_WORDS[c][i] if c in VALUE_STATUS_WORDS else c
            for c in str(codes or "").split(";") if c]


# --- issue 21: the language of every output ---------------------------------------------------


def lang_for(lang: str | None, metadata: Mapping[str, Any] | None) -> str:
    """``lang`` when given (checked), else the county's language (:func:`default_lang`)."""
    return check_lang(lang) if lang is not None else default_lang(metadata)


def crs_label(crs: Any, lang: str) -> str:
    """A coordinate system as printed for people: ``2000国家大地坐标系 3度带高斯-克吕格投影
    中央经线111°E（EPSG:4546）`` in Chinese, ``CGCS2000 / 3-degree Gauss-Kruger CM 111E
    (EPSG:4546)`` in English; GCJ-02 and BD-09 by their web maps. ``crs``: anything pyproj
    reads, or ``gcj02``/``bd09``."""
    import pyproj

    text = str(crs).strip()
    if text.lower() in ("gcj02", "bd09"):
        return word(f"crs_{text.lower()}", lang)
    try:
        parsed = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError:
        return text
    epsg = parsed.to_epsg()
    gk = gauss_kruger_zone(parsed.name)
    if gk is not None:
        cm, zone = gk
        name = word("crs_gk3", lang, cm=cm,
                    zone=word("crs_gk3_zone", lang, zone=zone) if zone else "")
    elif epsg == 4490:
        name = word("crs_cgcs2000", lang)
    elif epsg == 4326:
        name = word("crs_wgs84", lang)
    else:
        name = parsed.name
    return word("crs_named", lang, name=name, epsg=epsg) if epsg else name


def answer_headers(columns: Sequence[str], lang: str, *, uses: Mapping[str, str],
                   unit_text: str, grades: Sequence[int] = ()) -> dict[str, str]:
    """``{code: header}`` for the answer columns among ``columns`` (``p_comm`` →
    ``商服用地·基准地价（元/平方米）``) in ``lang``; English keeps the codes, so the map is
    empty. ``uses``: use short key (``comm``) → label; ``grades``: the grades of ``share_<g>``."""
    if lang != "zh":
        return {}
    known: dict[str, str] = {}
    for code, header in ANSWER_HEADERS.items():
        if "{use}" in code:
            for short, label in uses.items():
                known[code.replace("{use}", short)] = header.format(use=label, unit=unit_text)
        elif "{grade}" in code:
            for g in grades:
                known[code.replace("{grade}", str(g))] = header.format(grade=grade_label(g, lang))
        else:
            known[code] = header.format(unit=unit_text)
    return {c: known[c] for c in columns if c in known}
