"""The words of the QGIS Processing provider (:mod:`landgrade.qgis`), in Chinese and English:
the algorithms' names, groups and help, their parameters, and what a run says in the
Processing log. Part of :mod:`landgrade.gazette.labels`, kept apart to keep each table short.
"""

from __future__ import annotations

# key: (Chinese, English), as labels.WORDS.
QGIS_WORDS: dict[str, tuple[str, str]] = {
    "qgis_provider": ("landgrade 城镇基准地价", "landgrade benchmark land prices"),
    "qgis_group_query": ("查询与赋值", "Query"),
    "qgis_group_value": ("宗地估价", "Valuation"),
    "qgis_group_map": ("级别图", "Grade map"),
    # the algorithms
    "qgis_assign": ("赋土地级别与基准地价", "Assign grades and prices"),
    "qgis_assign_help": (
        "为图层的每个要素（点或宗地面）给出土地级别、各用途基准地价和最近的路线价路段，"
        "结果与命令 landgrade assign 相同：原有字段保留，另加答案字段，带中文别名和级别样式。"
        "坐标：图层自身的坐标系；来自高德、腾讯地图的经纬度选 GCJ-02，来自百度地图的选 BD-09。",
        "Gives every feature of a layer (points or parcel polygons) its land grade, its benchmark "
        "price per use and its nearest priced road segment, as `landgrade assign` does: the "
        "layer's own fields kept, the answer's added, with aliases and the grade style. "
        "Coordinates: the layer's own CRS; for longitude/latitude from AMap or Tencent maps "
        "choose GCJ-02, from Baidu maps BD-09."),
    "qgis_locate": ("查询一点", "Locate a point"),
    "qgis_locate_help": (
        "在地图上点一下（或输入坐标），得到该点的土地级别、各用途基准地价及其内涵、最近的路线价"
        "路段，以 HTML 报告显示在处理结果查看器中，与 landgrade locate 相同。",
        "Click on the map (or type a coordinate) for the point's grade, benchmark prices with "
        "their connotation and nearest priced road segment, shown as an HTML report in the "
        "Processing results viewer, as `landgrade locate` prints it."),
    "qgis_build": ("构建级别图", "Build a grade map"),
    "qgis_build_help": (
        "由县的资料文件夹（公告文本与价格表）和道路、水系、地标图层构建土地级别图，写成带样式的 "
        "GeoPackage，并把构建报告作为表图层加入工程，与 landgrade build 相同。未给的图层取自县"
        "文件夹；道路图层可以是任何矢量图层，包括 OpenStreetMap。",
        "Builds the grade map from a county folder (the gazette's text and price tables) and "
        "road, water and landmark layers, written as a styled GeoPackage with the build report "
        "added as a table layer, as `landgrade build` does. Layers not given come from the "
        "county folder; the roads may be any vector layer, OpenStreetMap included."),
    "qgis_report": ("基准地价查询单", "Parcel report (查询单)"),
    "qgis_report_help": (
        "为每个要素出一份基准地价查询单（PDF），写入所选文件夹，以宗地编号命名，与 landgrade "
        "report 相同。不在基准地价范围内的要素不出单，并在日志中列出。",
        "Writes a benchmark price query sheet (PDF) for every feature into the chosen folder, "
        "named by the parcel number, as `landgrade report` does. A feature outside the county "
        "gets no sheet and is listed in the log."),
    "qgis_value": ("宗地地价测算（系数修正法）", "Value parcels (coefficient method)"),
    "qgis_value_help": (
        "用基准地价系数修正法测算每宗地的地价：P = 基准地价 ×（1 + ΣK）× 期日修正 × 容积率修正 × "
        "年期修正 ± 开发程度修正，修正系数取自县的修正表，与 landgrade value 相同。可另写每宗地的"
        "测算表（PDF）。",
        "Values every parcel by the benchmark-coefficient method: P = benchmark × (1 + ΣK) × "
        "K_date × K_plot_ratio × K_term ± D, with the county's correction tables, as `landgrade "
        "value` does. Optionally also writes each parcel's 测算表 (PDF)."),
    "qgis_export": ("导出级别图", "Export the grade map"),
    "qgis_export_help": (
        "把级别图（县自带的或已构建的）导出为带样式、图例价格和中文别名的 GeoPackage，"
        "与 landgrade export 相同。",
        "Exports the grade map (the county's own or a built one) as a GeoPackage styled for "
        "QGIS, with prices in the legend and aliases, as `landgrade export` does."),
    # parameters
    "qgis_p_input": ("点或宗地图层", "Point or parcel layer"),
    "qgis_p_coordinates": ("坐标", "Coordinates"),
    "qgis_coords_layer": ("按图层坐标系", "As the layer's CRS says"),
    "qgis_coords_point": ("按点的坐标系", "As the point's CRS says"),
    "qgis_coords_gcj02": ("GCJ-02 经纬度（高德、腾讯地图）", "GCJ-02 longitude/latitude (AMap, "
                          "Tencent)"),
    "qgis_coords_bd09": ("BD-09 经纬度（百度地图）", "BD-09 longitude/latitude (Baidu)"),
    "qgis_p_use_field": ("用途字段（土地用途，商服用地或地类编码）",
                         "Land-use field (商服用地, or a class code)"),
    "qgis_p_use_standard": ("地类编码标准", "Land-use code standard"),
    "qgis_standard_county": ("县的默认标准", "The county's default"),
    "qgis_standard_tdly2017": ("GB/T 21010-2017 土地利用现状分类",
                               "GB/T 21010-2017 (land use status)"),
    "qgis_standard_ydyh2023": ("国土空间调查、规划、用途管制用地用海分类（2023）",
                               "用地用海分类 2023"),
    "qgis_p_town": ("乡镇（所有要素同一乡镇，表8价格）", "Town of every feature (town prices)"),
    "qgis_p_town_grade": ("乡镇级别（所有要素）", "Town grade of every feature"),
    "qgis_p_town_field": ("乡镇名称字段", "Town field"),
    "qgis_p_town_grade_field": ("乡镇级别字段", "Town grade field"),
    "qgis_p_towns": ("乡镇界线图层", "Township boundary layer"),
    "qgis_p_map": ("已构建的级别图（GeoPackage，默认：县自带）",
                   "A built grade map (GeoPackage; default: the county's own)"),
    "qgis_p_county": ("县资料文件夹（默认：{county}）", "County folder (default: {county})"),
    "qgis_p_lang": ("输出语言", "Language of the output"),
    "qgis_lang_county": ("县的默认语言", "The county's language"),
    "qgis_lang_zh": ("中文", "Chinese"),
    "qgis_lang_en": ("英文", "English"),
    "qgis_p_output_graded": ("级别与地价", "Grades and prices"),
    "qgis_p_point": ("查询点", "Point"),
    "qgis_p_use": ("用途（可选：商服用地或地类编码）", "Land use (optional: 商服用地 or a code)"),
    "qgis_p_output_html": ("查询结果", "Answer"),
    "qgis_p_rules": ("级别描述文本（默认：县文件夹的）", "Grade-zone text (default: the county's)"),
    "qgis_p_roads": ("道路中心线图层（默认：县文件夹的）",
                     "Road centrelines (default: the county's)"),
    "qgis_p_water": ("水系图层", "Rivers and ditches"),
    "qgis_p_landmarks": ("地标图层", "Landmarks"),
    "qgis_p_extent": ("基准地价范围图层", "Grading extent"),
    "qgis_p_admin": ("行政区界线图层（街道、镇、村）", "Administrative units (街道, 镇, 村)"),
    "qgis_p_admin_field": ("行政区名称字段", "Unit name field"),
    "qgis_p_routes": ("路线价表（CSV）", "Route price table (CSV)"),
    "qgis_p_decisions": ("分析员决定文件（CSV）", "Analyst decisions (CSV)"),
    "qgis_p_name_field": ("名称字段（FIELD，或 roads=FIELD;water=FIELD）",
                          "Name field (FIELD, or roads=FIELD;water=FIELD)"),
    "qgis_p_snap": ("捕捉容差（米）", "Snap tolerance (m)"),
    "qgis_p_strict": ("严格：有未解决的路段或不可能的结果时失败",
                      "Strict: fail on an unresolved route or an impossible result"),
    "qgis_p_output_map": ("级别图", "Grade map"),
    "qgis_p_id_field": ("宗地编号字段（默认：自动识别）", "Parcel number field (default: found)"),
    "qgis_p_overwrite": ("替换文件夹中已有的同名文件", "Replace files of the same name"),
    "qgis_p_output_folder": ("查询单文件夹", "Folder for the sheets"),
    "qgis_p_term": ("剩余使用年期（年，所有要素）", "Remaining term, years (every feature)"),
    "qgis_p_term_field": ("剩余使用年期字段", "Remaining term field"),
    "qgis_p_plot_ratio": ("容积率（所有要素）", "Plot ratio (every feature)"),
    "qgis_p_plot_ratio_field": ("容积率字段", "Plot ratio field"),
    "qgis_p_date": ("估价期日（2026-12-01）", "Valuation date (2026-12-01)"),
    "qgis_p_date_field": ("估价期日字段", "Valuation date field"),
    "qgis_p_factors": ("因素条件（名称=等级，以分号分隔：交通便捷度=较优;…）",
                       "Factor levels (NAME=LEVEL separated by ';': 交通便捷度=较优;…)"),
    "qgis_p_factor_fields": ("因素等级字段（名称=字段，以分号分隔）",
                             "Factor level fields (NAME=FIELD separated by ';')"),
    "qgis_p_development": ("开发程度（所有要素：五通一平，或 通路,通电,…）",
                           "Development (every feature: 五通一平, or 通路,通电,…)"),
    "qgis_p_development_field": ("开发程度字段", "Development field"),
    "qgis_p_area": ("面积（平方米，所有要素）", "Area, m² (every feature)"),
    "qgis_p_area_field": ("面积字段（默认：宗地面积）", "Area field (default: the parcel's own)"),
    "qgis_p_allow_expired": ("基准地价超过系数修正法的期限时仍测算",
                             "Value with a benchmark past the method's age limit"),
    "qgis_p_output_valued": ("测算结果", "Valued parcels"),
    "qgis_p_sheets": ("测算表（PDF 或 Excel，可选）", "测算表 (PDF or Excel, optional)"),
    "qgis_p_output_export": ("导出的级别图", "Exported grade map"),
    # what a run says
    "qgis_loading": ("载入级别图……", "Loading the grade map…"),
    "qgis_input_as": ("读取 {layer}：{path}", "Reading {layer}: {path}"),
    "qgis_rows": ("已处理 {done}/{total} {what}", "{done} of {total} {what} done"),
    "qgis_cancelled": ("已取消：未写出任何文件", "Cancelled: no file was written"),
    "qgis_gpkg_table": (
        "{target}：处理工具要把结果写入已有 GeoPackage 中的一个表，会替换整个文件及其他图层；"
        "请选择“保存到文件”，写成单独的文件",
        "{target}: writing a table into an existing GeoPackage would replace the whole file and "
        "its other layers; choose 'Save to File' for a file of its own"),
    "qgis_numeric_use_field": (
        "{layer}：用途字段 '{field}' 在 QGIS 中是数值类型，以 0 开头的地类编码已失去前导零；"
        "0701 读成 701 可以复原，05 读成 5 则无法读出（该行标为 unknown_use）。请让该字段保持"
        "文本：分隔文本图层载入时不勾选“检测字段类型”，或在 .csvt 文件中写 String",
        "{layer}: the land-use field '{field}' is a number in QGIS, so class codes lost their "
        "leading 0: 0701 read as 701 is restored, 05 read as 5 cannot be (that row is "
        "unknown_use). Keep the field as text: load the delimited text without 'Detect field "
        "types', or say String in a .csvt file"),
    "qgis_database_output": (
        "{target}：landgrade 把结果写成文件（GeoPackage、Shapefile 等），不写入数据库；请选择"
        "“保存到文件”，再用 QGIS 导入数据库",
        "{target}: landgrade writes its results as files (GeoPackage, shapefile, …), not into a "
        "database; choose 'Save to File', then import it with QGIS"),
    "qgis_not_geographic": (
        "{layer}：选择了 {coords}，但图层坐标系 {crs} 不是经纬度；网络地图坐标是经纬度，请把图层"
        "坐标系设为 EPSG:4326，或选“按图层坐标系”",
        "{layer}: {coords} was chosen but the layer's CRS {crs} is not longitude/latitude; web-map "
        "coordinates are longitude/latitude: set the layer's CRS to EPSG:4326, or choose 'As the "
        "layer's CRS says'"),
    "qgis_no_crs": (
        "{layer}：图层没有有效的坐标系；请在图层属性中设置坐标系后再运行",
        "{layer}: the layer has no valid CRS; set it in the layer's properties and run again"),
    "qgis_bad_pairs": (
        "{what}：{item!r} 不是“名称=值”；用分号分隔多项：交通便捷度=较优;临街状况=一般",
        "{what}: {item!r} is not NAME=VALUE; separate several with ';': "
        "交通便捷度=较优;临街状况=一般"),
    "qgis_unexpected": (
        "{alg}：意外错误 {kind}：{text}（这是 landgrade 的缺陷，请附上此信息报告）",
        "{alg}: unexpected error {kind}: {text} (a landgrade bug: please report it with this "
        "message)"),
    "qgis_answer_title": ("{county}城镇基准地价查询结果", "{county}: benchmark land price answer"),
    "qgis_zip_next": (
        "在 QGIS 中：插件 → 管理并安装插件 → 从 ZIP 安装，选择 {path}；QGIS 的 Python 还须能"
        "导入 landgrade（见 README.md 的 'In QGIS' 一节）",
        "In QGIS: Plugins > Manage and Install Plugins > Install from ZIP, choose {path}; QGIS's "
        "Python must also import landgrade (README, 'In QGIS')"),
    "qgis_gpkg_only": ("{path}：级别图写为 GeoPackage（.gpkg）",
                       "{path}: the grade map is written as a GeoPackage (.gpkg)"),
    "qgis_sheets_suffix": ("{path}：测算表写为 .pdf 或 .xlsx", "{path}: the 测算表 is written as "
                           ".pdf or .xlsx"),
    "qgis_sheets_written": ("测算表：{path}", "测算表: {path}"),
}
