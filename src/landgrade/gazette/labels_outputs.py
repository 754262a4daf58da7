"""The words of the QGIS export, ``assign``, the audit, ``prices``, ``convert`` and ``cache``, in
Chinese and English (part of :mod:`landgrade.gazette.labels`, kept apart to keep each table
short): layer names and descriptions, the answer columns' headers, the command lines, and the
Chinese wording of the English messages the engine and the audit write
(:mod:`landgrade.gazette.rewording`). Data stays in the county folder: use labels (uses.csv),
the price unit (``units_zh``), table names (``tables``).
"""

from __future__ import annotations

import re

from landgrade.gazette.names import grade_word
from landgrade.gazette.rewording import Rewordings, templates

# key: (Chinese, English), as labels.WORDS.
OUTPUT_WORDS: dict[str, tuple[str, str]] = {
    "note_line": ("注：{text}", "note: {text}"),
    "warning_line": ("警告：{text}", "warning: {text}"),
    # what `report FILE` and `value FILE` say beside their files
    "report_flagged": ("{path}：{n} 行为 {flag}：{why}（每页注明原因）",
                       "{path}: {n} row(s) {flag}: {why} (each page says why)"),
    "report_named_by": ("文件以字段 {field} 命名{how}", "files named by column {field}{how}"),
    "report_choose_id": ("（可用 --id-field 另选）", " (choose another with --id-field)"),
    "report_numbered": ("没有宗地编号字段（{known}……）：文件按行号编号；"
                        "可用 --id-field 指定命名字段",
                        "no parcel-number column ({known}, ...): files are numbered by row; name "
                        "them by a column with --id-field"),
    "value_status_head": ("{output}：测算状态（value_status）", "{output}: value_status"),
    # the layers of a grade map handed on (export, build): names QGIS shows, descriptions
    "layer_routes": ("路线价路段", "routes"),
    "layer_extent": ("基准地价范围界线", "extent"),
    "layer_water": ("水系", "water"),
    "layer_roads": ("道路", "roads"),
    "layer_report": ("构建报告", "report"),
    "layer_metadata": ("元数据", "metadata"),
    "layer_styles": ("QGIS 图层样式", "QGIS layer styles"),
    "layer_desc_use_grades": ("{use}用地土地级别（按该用途自己的级别范围描述）",
                              "land grades of {use} land, by its own description"),
    "layer_desc_grades": ("基准地价土地级别（每级一个多面，一级最优）",
                          "Benchmark land price grade zones (one multipolygon per grade; "
                          "grade 1 is best)"),
    "layer_desc_routes": ("商服用地路线价路段：编号、名称、起止点、级别、道路等级、标准深度（米）、"
                          "路线价（{unit}）",
                          "Commercial road-line price (路线价) routes: id, name, endpoints, "
                          "grade, road class, standard depth (m), road-line price ({unit})"),
    "layer_desc_extent": ("城镇基准地价定级范围",
                          "Grading extent of the urban benchmark land prices"),
    "layer_desc_water": ("级别描述所提及的河流与沟渠", "Rivers and ditches named by the grade "
                         "descriptions"),
    "layer_desc_roads": ("构建级别所用道路网的道路中心线",
                         "Road centrelines of the network the grades were built on"),
    "layer_desc_report": ("构建报告：各级别条款与路线价路段如何绘出",
                          "Build report: how each grade-zone clause and road-line price route "
                          "was drawn"),
    "layer_desc_metadata": ("构建信息（键/值）：县、来源公告、道路网来源",
                            "Key/value facts of the build: county, source gazette, network "
                            "provenance"),
    "layer_desc_graded": ("{source}的基准地价查询结果：级别、基准地价、最近路线价路段",
                          "{source} graded: grade, benchmark prices, nearest road-line price "
                          "route"),
    "layer_county": ("{county}：{text}", "{county}: {text}"),
    "layer_schematic": ("{text}（{note}）", "{text} — {note}"),
    "outside_grades": ("基准地价范围以外", "outside the grading extent"),
    "legend_with_unit": ("{label}（{unit}）", "{label} {unit}"),
    "shapefile_renamed": ("{layer}：shapefile 字段名已缩短：{pairs}",
                          "{layer}: shapefile field names shortened: {pairs}"),
    # assign
    "assign_rows": ("{output}：已写入 {n} 行", "{output}: {n} rows written"),
    "assign_parts": ("（共 {n} 个分块）", " in {n} parts"),
    "assign_kept": ("{output}：与结果列同名的输入列已保留为 {columns}",
                    "{output}: input column(s) named like answer columns kept as {columns}"),
    "assign_no_prices": ("{map}：没有与此图相符的县数据表，因此没有地价；请给出 --county 县文件夹",
                         "{map}: no county tables match this map, so no prices; "
                         "pass --county FOLDER"),
    "assign_no_label": ("{output}：几何保持为所给的 {crs}，没有 .prj 或坐标系标注能表示它；"
                        "读取时请按此声明",
                        "{output}: the geometry stays in {crs} as given, which no .prj or CRS "
                        "label can name; declare it as such when loading it"),
    "assign_headers": ("列名为中文（含单位）；脚本需要字段代码时请加 --lang en",
                       "column names are the field codes (--lang zh: Chinese, with units)"),
    # audit
    "audit_schematic": ("{note}；本审计检查的是示意图", "{note}; this audits the sketch"),
    "audit_empty": ("级别图中没有路线价路段（构建时是否给了路线价表？）",
                    "no routes in the grade map (was it built with a routes table?)"),
    "audit_agrees": ("一致", "agrees"),
    "audit_total": ("{agree}/{n} 条路段与公告所列级别一致",
                    "{agree}/{n} routes agree with their stated grade"),
    # prices
    "prices_urban_title": ("{county} 城区基准地价", "{county} 城区基准地价 · urban benchmark "
                           "land prices"),
    "prices_town_title": ("{town} 乡镇基准地价", "{town} 乡镇基准地价 · town benchmark land "
                          "prices"),
    "prices_routes_title": ("{county} 商服用地路线价", "{county} 商服用地路线价 · commercial "
                            "road-line prices"),
    "prices_units": ("单位：{unit}", "单位 units: {unit} ({units})"),
    "prices_units_plain": ("单位：{units}", "units: {units}"),
    "prices_date": ("估价期日：{date}", "估价期日 valuation date: {date}"),
    "prices_grade": ("{word}", "{word} (grade {grade})"),
    "prices_town_class": ("{label}，级别 {grades}", "{label} (town class {cls}), grades {grades}"),
    "prices_fact": ("{label}：{value}", "{label}: {value}"),
    # convert
    "convert_prefix": ("东坐标 {x} 带有第 {zone} 带的带号前缀；按 EPSG:{code} 读取",
                       "easting {x} carries the zone-{zone} prefix; read as EPSG:{code}"),
    "convert_doubt": ("{x} {y}（{crs}）：{problem}", "{x} {y} in {crs}: {problem}"),
    "convert_swapped": ("{x} {y}（{crs}）：{problem}；请先给经度：{command}",
                        "{x} {y} in {crs}: {problem}; give longitude first: {command}"),
    "convert_not_geographic": ("{x} {y}：{crs} 以度为单位，但这些数值不是经纬度；请用 --from "
                               "给出其所在的投影坐标系（如 EPSG:4546）",
                               "{x} {y}: {crs} is in degrees but these values are not "
                               "longitude/latitude; give --from with the projected system they "
                               "are in (e.g. EPSG:4546)"),
    "convert_nowhere": ("{x} {y}（{crs}）在 {to} 中没有位置", "{x} {y} in {crs} has no position in "
                        "{to}"),
    # cache
    "cache_folder": ("缓存文件夹 {folder}", "cache folder {folder}"),
    "cache_move": ("（设置 LANDGRADE_CACHE 可移动）", " (set LANDGRADE_CACHE to move it)"),
    "cache_total": ("{n} 项，共 {size}", "{n} entries, {size}"),
    "cache_removed": ("已从 {folder} 删除 {n} 项缓存（{size}）",
                      "removed {n} cache entries ({size}) from {folder}"),
    "cache_left": ("保留了最近 {minutes} 分钟内写入的 {n} 个临时文件（可能另一个 landgrade 正在"
                   "缓存级别图；请稍后再清除）：",
                   "left {n} temporary file(s) written in the last {minutes} minutes (another "
                   "landgrade may be caching a map now; clear again later):"),
    "cache_building": ("首次构建{county}的级别图；之后从 {folder} 读取",
                       "building the grade map of {county} once; later runs load it from "
                       "{folder}"),
    "cache_building_uncached": ("正在构建{county}的级别图（不缓存）",
                                "building the grade map of {county} (not cached)"),
    "cache_unusable": ("缓存文件夹不可用（{error}）；不使用缓存运行。请将 LANDGRADE_CACHE 设为"
                       "可写的文件夹以保留构建好的级别图",
                       "cache folder unusable ({error}); working without a cache. Set "
                       "LANDGRADE_CACHE to a writable folder to keep built maps"),
    # the county's working CRS, as printed
    "crs_gk3": ("2000国家大地坐标系 3度带高斯-克吕格投影 中央经线{cm}°E{zone}",
                "CGCS2000 / 3-degree Gauss-Kruger CM {cm}E{zone}"),
    "crs_gk3_zone": (" 带号{zone}（东坐标含带号）", " (zone {zone}, prefixed eastings)"),
    "crs_cgcs2000": ("2000国家大地坐标系（经纬度）", "CGCS2000 (longitude, latitude)"),
    "crs_wgs84": ("WGS 84（经纬度）", "WGS 84 (longitude, latitude)"),
    "crs_gcj02": ("GCJ-02（高德、腾讯地图）", "GCJ-02 (AMap, Tencent)"),
    "crs_bd09": ("BD-09（百度地图）", "BD-09 (Baidu)"),
    "crs_named": ("{name}（EPSG:{epsg}）", "{name} (EPSG:{epsg})"),
}

# The answer columns' Chinese headers (CSV and Excel with --lang zh) and QGIS aliases; English
# keeps the codes. ``{use}`` is the use's label (uses.csv), ``{unit}`` the price unit,
# ``{grade}`` a grade word (一级). A code not listed here keeps its code.
ANSWER_HEADERS: dict[str, str] = {
    "in_extent": "在定级范围内",
    "grade": "级别",
    "p_{use}": "{use}·基准地价（{unit}）",
    "t_{use}": "{use}·使用年期（年）",
    "r_{use}": "{use}·容积率",
    "val_date": "估价期日",
    "price_src": "地价来源",
    "town_cls": "乡镇等别",
    "town": "乡镇",
    "route_id": "路线价路段编号",
    "route_name": "路线价路段名称",
    "route_m": "距离（米）",
    "route_in": "在标准深度以内",
    "route_px": "路线价（{unit}）",
    "on_bound": "位于级别界线上",
    "status": "状态",
    "message": "说明",
    "share_{grade}": "{grade}面积占比",
    "share_out": "范围以外面积占比",
    "area_m2": "面积（平方米）",
    "price": "用途基准地价（{unit}）",
    "total": "总价（元）",
    "use_key": "计价用途",
    "use_class": "读出的地类",
}

# Tables written for people: the audit's and `prices -o`'s columns in Chinese.
AUDIT_HEADERS: dict[str, str] = {
    "id": "路段编号", "name": "线路名称", "stated_grade": "公告级别", "majority_grade": "图上级别",
    "share": "占比", "boundary_share": "沿级别界线占比", "agrees": "是否一致", "reason": "原因",
}
ROUTE_HEADERS: dict[str, str] = {
    "id": "路段编号", "name": "线路名称", "from": "起点", "to": "终点", "grade": "级别",
    "road_class": "道路等级", "standard_depth_m": "标准深度（米）", "price": "路线价（{unit}）",
}
PRICE_TABLE_HEADERS: dict[str, str] = {
    "grade": "级别", "town": "乡镇", "town_class": "乡镇等别", "units": "单位",
}

_GRADES = {str(g): grade_word(g) for g in range(1, 21)}

# The engine's own wording of a row's town and use (landgrade.engine.town_prices, answer): the
# statuses' standard messages are added per county by landgrade.engine.answer.
MESSAGE_REWORDINGS = Rewordings(
    templates([
        ("{message}: '{town}' grade {grade} is not a whole number",
         "{message}：'{town}' 的镇级别 {grade} 不是整数"),
        ("{message}: '{town}' grade {grade}", "{message}：'{town}'，镇级别 {grade}"),
        ("inside the urban grading extent: urban prices kept, town {town} grade {grade} not "
         "used", "位于城镇定级范围内：保留城镇基准地价，未采用{town}镇级别 {grade}"),
        ("town prices{table} of {town}, town grade {grade}",
         "{town}乡镇基准地价{table}，镇级别 {grade}"),
        ("town prices{table} of {town}, town grade {grade} shown unchecked",
         "已给出{town}乡镇基准地价{table}（镇级别 {grade}），未经核对"),
    ]),
    data=frozenset({"town", "grade", "table"}),
)

# The audit's reasons (landgrade.outputs.audit); an unresolved route's reason quotes its build
# report warning, worded by landgrade.gazette.labels_build.
AUDIT_REWORDINGS = Rewordings(
    templates([
        ("unresolved: {warning}", "未解决：{warning}"),
        ("the routes table states no grade a number can be read from ({printed})",
         "路线价表所列级别读不出数字（{printed}）"),
        ("runs along the boundary of grades {pair} ({share}; {why})",
         "沿 {pair} 级的界线（{share}；{why}）"),
        ("grade {grade} is not on either side", "两侧都不是{grade}"),
        ("lies in grade {grade} ({share})", "位于{grade}（{share}）"),
        ("crosses grades {grades} and {last}", "跨越 {grades} 和 {last} 级"),
    ]),
    values={"grade": _GRADES},
    words={
        "not drawn by the build": "构建时未绘出",
        "the strip is on the other side": "临街带在另一侧",
        "lies outside every grade (outside the grading extent?)":
            "不在任何级别内（在定级范围以外？）",
    },
    data=frozenset({"printed", "pair", "share", "grades", "last"}),
)

# What a file format could not hold (landgrade.io.writers.ChunkWriter.warnings).
WRITER_REWORDINGS = Rewordings(
    templates([
        ("{path}: column {column}: {n} value(s) longer than {limit} bytes cut by the shapefile "
         "format; write .gpkg or .parquet to keep them whole",
         "{path}：列 {column}：{n} 个值超过 {limit} 字节，被 shapefile 格式截断；要保持完整请写为 "
         ".gpkg 或 .parquet"),
        ("{path}: column {column}: {n} number(s) too large or too small for a shapefile's "
         "24-character number field were changed; write .gpkg or .parquet to keep them",
         "{path}：列 {column}：{n} 个数值超出 shapefile 24 位数字字段的范围而被改变；要保留原值请"
         "写为 .gpkg 或 .parquet"),
        ("{path}: field name {name} cut to {short} (shapefile names hold 10 characters)",
         "{path}：字段名 {name} 截为 {short}（shapefile 字段名最多 10 个字符）"),
        ("{path}: column {column}: {n} integer(s) longer than Excel's 15 digits written as text "
         "so that they keep every digit",
         "{path}：列 {column}：{n} 个整数超过 Excel 的 15 位，已写为文本以保留每一位"),
    ]),
    data=frozenset({"path", "column", "n", "limit", "name", "short"}),
)

# What convert says about a coordinate that looks wrong (landgrade.io.crs.PROBLEMS).
CRS_PROBLEMS_ZH: dict[str, str] = {
    "not_finite": "坐标缺失或不是有限数值",
    "gk_zone_prefix": ("东坐标带有高斯-克吕格带号前缀（如 37xxxxxx.xx 是 EPSG:4525，而非 "
                       "EPSG:4546）；请声明带号坐标系或用 fix_zone_prefix"),
    "lat_lon_swapped": "经度和纬度疑似颠倒（x 像纬度，y 像经度）",
    "not_geographic": "声明为经纬度，但数值超出 ±180/±90：是米吗？",
    "looks_geographic": "声明为米，但数值像经纬度",
    "outside_valid_area": "位置在工作坐标系的适用范围以外",
}

_GK3 = re.compile(r"^CGCS2000 / 3-degree Gauss-Kruger (?:CM (?P<cm>\d+)E|zone (?P<zone>\d+))$")


def gauss_kruger_zone(name: str) -> tuple[int, int | None] | None:
    """``(central meridian, zone)`` of a CGCS2000 3-degree Gauss-Krüger system's name as PROJ
    gives it (the zone only for the zone-prefixed twins), else None."""
    m = _GK3.match(name)
    if m is None:
        return None
    if m.group("cm"):
        return int(m.group("cm")), None
    zone = int(m.group("zone"))
    return zone * 3, zone

# What `landgrade parse` says of a description it cannot read (landgrade.gazette.parse_errors):
# the place, and in words what the grammar would have accepted.
PARSE_WORDS: dict[str, tuple[str, str]] = {
    "parse_where_grade": ("{word}（{grade}）", "grade {word} ({grade})"),
    "parse_where_item": ("第{item}项", "item {item}"),
    "parse_where_at": ("第{offset}个字符处", "at character {offset}"),
    "parse_where_end": ("行尾，第{offset}个字符处", "at the end of the row, character {offset}"),
    "parse_error": ("{source}：{where}：“{fragment}” — 此处应为{expected}",
                    "{source}: {where}: \"{fragment}\" — expected {expected}"),
    "parse_line": ("（第{line}行第{column}列）", " (line {line}, column {column})"),
}
PARSE_REWORDINGS = Rewordings(
    templates([
        ("{a} or {b}", "{a}或{b}"),
        ("{a}, {b}", "{a}、{b}"),
        ("{a} after the road stretch", "路段之后的{a}"),
        ('"{w}"', "“{w}”"),
        ("the description of {word} after the grade word", "级别词之后{word}的描述"),
        ("{source}: the description is empty — expected {expected}",
         "{source}：描述为空 — 应为{expected}"),
        ("the rows in order, one per grade: {word} appears twice",
         "按级别顺序每级一行：{word} 出现了两次"),
        ("{word} here: the grades must be 一级, 二级, … in order, none missing",
         "此处应为{word}：各级须按 一级、二级 … 的顺序排列，不缺级"),
        ("no row after {a}: its residual area (…以外其他区域) leaves nothing for {b}",
         "{a}之后不应再有行：其余区域（…以外其他区域）已不给{b}留下任何区域"),
        ("item number {k} (items are numbered 1、2、3、… in order)",
         "项号 {k}（各项按 1、2、3、… 顺序编号）"),
        ('only better grades than {a} before "以外其他区域", not {b}',
         "“以外其他区域”之前只能列比{a}更优的级别，而非{b}"),
        ('only better grades than {a} in "（除…级区域以外）", not {b}',
         "“（除…级区域以外）”中只能列比{a}更优的级别，而非{b}"),
        # a clause read as a name (landgrade.gazette.connectives): refused, never drawn
        ('the name "{name}" holds {problem}: "{w}" — a clause read as a name is a misreading; '
         "if this really is the feature's name, give the network that has it (the build checks "
         "names against it)",
         "名称“{name}”含有{problem}：“{w}”——把从句当作名称即为误读；如这确是要素的名称，"
         "请提供含有该名称的路网（构建时据此核对名称）"),
    ]),
    values={"problem": {
        "由 (from)": "“由”（从）", "经 (via)": "“经”（经过）", "至 (to)": "“至”（到）",
        "起 (starting at)": "“起”（起点）", "沿 (along)": "“沿”（沿着）",
        "向 (towards)": "“向”（朝向）", "折 (turning)": "“折”（转折）",
        "位于 (located at)": "“位于”", "以 (taking … as)": "“以”（以…为）",
        "a side (以东, 以南, …)": "方位词（以东、以南…）",
        "a descriptive phrase (的, 之间), not a name": "描述性短语（的、之间），并非名称",
        "与/及 (and): two features, or a junction": "“与/及”：两个要素或一个交点",
        "a walk word (穿越, 延伸, 平行, 一线)": "走向用语（穿越、延伸、平行、一线）",
        "a word that ends an area, not a name": "结束一个范围的用语，并非名称",
        "a distance (…米), not a name": "距离（…米），并非名称",
        "a separator inside a name": "名称中的分隔符",
        "a side word followed by a connective": "方位词后接连接词",
    }},
    words={
        '"－" and the next boundary feature': "“－”和下一个边界要素",
        '"－" and the next bound, as in "沟渠以西"': "“－”和下一条界线，如“沟渠以西”",
        'a frontage width such as "（含东侧16米）"': "临街宽度，如“（含东侧16米）”",
        '"）" closing the bracket': "闭合括号的“）”",
        '"米" after the width': "宽度后的“米”",
        "a side: 东, 西, 南 or 北": "方位：东、西、南或北",
        '"侧" after the side': "方位后的“侧”",
        "a width in metres, as in 16米": "以米计的宽度，如 16米",
        "a road, river or landmark name": "道路、河流或地标名称",
        "a junction, as in 健民路口": "路口，如 健民路口",
        'a qualifier such as "平溪江以南段", or a width with its side: "（含东侧20米）"':
            "限定语，如“平溪江以南段”，或带方位的宽度：“（含东侧20米）”",
        "a note": "注记",
        'the stretch of road, as in "（益民路口起至凤凰路口止）"':
            "路段，如“（益民路口起至凤凰路口止）”",
        '"以东", "以南", "以西" or "以北"': "“以东”、“以南”、“以西”或“以北”",
        '"；" and a sub-stretch width (健民路口至文昌路口段北侧为100米)':
            "“；”和分段宽度（健民路口至文昌路口段北侧为100米）",
        '"；" before the next item (or "。" at the end)': "下一项前的“；”（或结尾的“。”）",
        "a grade numeral 一 … 十": "级别数字 一 … 十",
        '"、" and another grade': "“、”和另一个级别",
        "an item number, as in 1、": "项号，如 1、",
        "the end of the grade's description": "该级别描述的结尾",
        "the end of the row": "行尾",
        'the end of the row: nothing may follow the residual area ("…以外其他区域")':
            "行尾：其余区域（“…以外其他区域”）之后不能再有内容",
        "something else": "其他内容",
        'grade rows such as "一级<tab>1、…；2、…。", one per grade':
            "级别行，如“一级<tab>1、…；2、…。”，每级一行",
        '"）" to close the bracket opened here': "闭合此处所开括号的“）”",
        'no "）" here: it closes no bracket': "此处不应有“）”：它没有对应的左括号",
        "a grade word such as 一级 or 十级": "级别词，如 一级 或 十级",
        'a grade row: a grade word at the start of the line, as in "一级<tab>1、…；2、…。"':
            "级别行：行首为级别词，如“一级<tab>1、…；2、…。”",
        "one width bracket per feature (put a second width into the first: "
        "（含北侧16米；A路口至B路口段北侧为100米）)":
            "每个要素只能有一个宽度括号（第二个宽度请写进第一个：（含北侧16米；A路口至B路口段北侧为100米））",
        "one stretch per corridor": "每条走廊只能有一个路段",
        "a grade range from the better grade, as in 一至三级":
            "从较优级别起的级别范围，如 一至三级",
        "a width greater than 0 metres": "大于 0 米的宽度",
    },
)
OUTPUT_WORDS.update(PARSE_WORDS)
