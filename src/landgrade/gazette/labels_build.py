"""The words of the build report and the review page, in Chinese (part of
:mod:`landgrade.gazette.labels`, kept apart to keep each table short).

The builder writes its report in English where it finds each fact (see
:mod:`landgrade.gazette.rewording`); :data:`REPORT_REWORDINGS` words every such message — the
report's texts, warnings, feature notes, decision labels and the reasons a route is unresolved —
in Chinese, with the same fields. A builder message changed without its entry here shows in
English in a Chinese report, and the zh output tests say which.
"""

from __future__ import annotations

from landgrade.gazette.names import grade_word
from landgrade.gazette.rewording import Rewordings, templates

# Report row kinds and statuses (the report's codes, kept as codes in the grade map's layer).
REPORT_KINDS: dict[str, str] = {
    "grade": "级别", "ring": "环线", "corridor": "走廊", "region": "区域", "residual": "其余",
    "item": "边界项", "junction": "交点", "strip": "临街带", "route": "路段", "decision": "决定",
    "extent": "范围", "network": "路网", "input": "输入",
}
REPORT_STATUSES: dict[str, str] = {
    "ok": "正常", "warning": "警告", "unresolved": "未解决", "stale": "已失效",
    "unused": "未使用", "error": "错误",
}
# A decision's or route endpoint's item (decisions.csv ``item``), as shown.
REPORT_ITEMS: dict[str, str] = {"from": "起点", "to": "终点", "road": "道路", "within": "范围"}
REPORT_COLUMNS: dict[str, str] = {
    "kind": "类别", "clause": "条款", "text": "内容", "grade": "级别", "area": "片区",
    "item": "项", "features": "要素", "junctions": "交点坐标", "length_m": "长度（米）",
    "area_m2": "面积（平方米）", "decision": "决定", "warnings": "警告", "status": "状态",
    "source": "原文",
}

# key: (Chinese, English), as labels.WORDS.
BUILD_WORDS: dict[str, tuple[str, str]] = {
    "report_warning": ("  警告：", "  warning: "),
    "report_decision_line": ("第{line}行", "line {line}"),
    "report_grade_area": ("{grade}：{area} 平方米", "grade {grade}: {area} m²"),
    "report_unresolved": ("未解决 {kind} {clause} {text}：{warnings}",
                          "UNRESOLVED {kind} {clause} {text}: {warnings}"),
    "report_suspect": ("存疑 {what} {text}：{warnings}", "SUSPECT {what} {text}: {warnings}"),
    "report_suspect_item": (" 第{item}项", " item {item}"),
    "report_decision_status": ("{status}的决定 {clause} {item}：{warnings}",
                               "{status} decision {clause} {item}: {warnings}"),
    "report_flagged_head": ("{n} 行有警告：", "{n} row(s) with warnings: "),
    "report_flagged_tail": ("（详见构建报告图层）", " (see the report layer)"),
    "report_flagged_more": ("等，另 {n} 行", " and {n} more"),
    "report_flagged_sep": ("；", "; "),
    "build_crs": ("工作坐标系：{label}", "working CRS: {code} ({name})"),
    "build_schematic": ("注：{note}；位置为近似值", "note: {note}; positions are approximate"),
    "wrote": ("已写入 {path}", "wrote {path}"),
    # the review page
    "review_title": ("构建审阅：{title}", "Build review: {title}"),
    "review_summary": ("报告共 {rows} 行，<b>{flagged}</b> 行需核查。"
                       "选择一个条款以查看为其所绘内容。",
                       "{rows} report rows, <b>{flagged}</b> flagged. Select a clause to see "
                       "what was drawn for it."),
    "review_nothing": ("（未绘出）", " (nothing drawn)"),
    "review_grades": ("级别", "Grades"),
    "review_decisions": ("分析决定", "Decisions"),
    "review_build": ("构建", "build"),
}

# The roles of what the review page draws for a clause.
REVIEW_ROLES: dict[str, str] = {
    "stretch": "路段", "strip": "临街带", "side": "半平面", "junction": "交点",
    "candidate": "候选交点", "area": "区域", "route": "路线",
}

_SIDES = {"E": "东", "W": "西", "S": "南", "N": "北"}
_GRADES = {str(g): grade_word(g) for g in range(1, 21)}

REPORT_REWORDINGS = Rewordings(
    templates([
        # prefix of a result that cannot be right (landgrade.build.report.IMPOSSIBLE)
        ("cannot be right: {message}", "结果不可能正确：{message}"),
        # report texts
        ("grade {grade}", "{grade}"),
        ("{features} ({stretch}) 2×{width} m", "{features}（{stretch}）两侧各 {width} 米"),
        # region bounds and half-planes (landgrade.build.region)
        ("{line} is in sections {gaps} m apart: joined straight across for the half-plane "
         "(check it on the review page)",
         "{line}分为多段，相距 {gaps} 米：已直线连接以划分半平面（请在审阅页核对）"),
        ("{line} extended {m} m to reach the extent line", "{line}延长 {m} 米至定级范围界线"),
        ("{line} already reaches the extent line on both sides, yet {how} (a piece that does "
         "not join the road?); join the pieces (--snap) or add a decision",
         "{line}两端均已达到定级范围界线，却{how}（有一段未与道路相连？）；请连接各段"
         "（--snap）或添加分析决定"),
        ("a loose end was extended {m} m", "仍将一个悬空端点延长了 {m} 米"),
        ("it was joined across a gap of {m} m", "仍跨越 {m} 米的缺口相连"),
        ("{part} covers nothing of the extent", "{part}未覆盖定级范围的任何部分"),
        ("{part} covers the whole extent (the line does not divide it: is it drawn in "
         "disconnected pieces, or beside the extent?)",
         "{part}覆盖整个定级范围（该线未将其分开：是否画成了互不相连的几段，或位于范围之外？）"),
        # lines and stretches (landgrade.build.lines, landgrade.network.junctions)
        ("{feature}: drawn as the stretch of {stem} between its junctions",
         "{feature}：按{stem}在其交点之间的一段绘制"),
        ("{name} is drawn as a polygon: its outline (banks) is used as the line",
         "{name}为面要素：以其轮廓（岸线）作为线"),
        ("{line} ends {m} m from {name}, short of {d} m: the stretch stops at the road end",
         "{line}在距{name} {m} 米处终止，不足 {d} 米：路段止于道路尽头"),
        ("decided point {x} {y} moved {d} m to the crossing of {a} and {b}",
         "决定的点 {x} {y} 移动 {d} 米至{a}与{b}的交叉点"),
        ("{n} possible stretches between {start} and {end}; took the shortest ({m} m)",
         "{start}与{end}之间有 {n} 种可能的路段；取最短者（{m} 米）"),
        ("{n} possible stretches; took the one least overlapping the other routes of the "
         "road, then the shortest ({m} m)",
         "有 {n} 种可能的路段；取与该路其他路段重叠最少者，再取最短者（{m} 米）"),
        ("{road}: drawn on {stem}", "{road}：绘于{stem}上"),
        # rings (landgrade.build.ring)
        ("{n} crossings of {a} and {b}; took crossing {k} along {c} (the one consistent with "
         "the neighbouring junctions)",
         "{a}与{b}有 {n} 个交叉点；取沿{c}的第 {k} 个（与相邻交点一致者）"),
        ("the closed path encloses no area", "闭合路径未围成任何面积"),
        ("the ring takes {share} of the extent (a wrong crossing or arc?); check its junctions",
         "该环线占定级范围的 {share}（交叉点或弧段有误？）；请检查其交点"),
        ("qualifier {q} is not drawn (a note; a decision can pin it)",
         "限定语 {q} 未绘出（视为注记；可用分析决定确定）"),
        ("the strip runs along {a} m of its {b} m stretch (under a tenth): check the "
         "qualifier or override junctions",
         "临街带仅沿其 {b} 米路段中的 {a} 米（不足十分之一）：请检查限定语或分段宽度的交点"),
        ("clause {clause} item {n} {feature}: the {side} side does not fit the road's "
         "direction over {share} of the stretch; the strip takes the side closest to it",
         "条款 {clause} 第 {n} 项 {feature}：在路段 {share} 的长度上{side}侧与道路走向不符；"
         "临街带取最接近的一侧"),
        ("strip limited to {q}: {m} m of the stretch", "临街带限于{q}：路段中的 {m} 米"),
        # grades, extent, decisions (landgrade.build.builder)
        ("{area} m² of the extent is in no grade (no residual clause)",
         "定级范围中有 {area} 平方米不属于任何级别（没有其余区域条款）"),
        ("grade {grade} ends with no area (higher grades took all of it, or its clauses draw "
         "nothing)", "{grade}最终没有面积（被更高级别全部占去，或其条款未绘出任何区域）"),
        ("no clause or route asked for this decision", "没有条款或路段用到此决定"),
        ("the rules now read {now} there, not {was}", "此处规则现为 {now}，而非 {was}"),
        ("decision on line {number} ({resolved}: {note})",
         "决定第{number}行（{resolved}：{note}）"),
        ("minus grade(s) {grades}", "扣除{grades}级"),
        ("dual carriageway: from each outer carriageway", "双幅路：自两侧外侧车行道起算"),
        ("{side} strip from the {side} carriageway", "{side}侧临街带自{side}侧车行道起算"),
        ("override {a}–{b}: {side} {width} m over {m} m",
         "分段 {a}–{b}：{side}侧 {width} 米，长 {m} 米"),
        # routes (landgrade.build.routes) and why one is unresolved
        ("{fields} left empty in the routes table; fill it in", "路线价表中{fields}为空；请填写"),
        ("{a} and {b}", "{a}和{b}"),
        ("{context}: {line} does not meet {other} (they are {d} m apart at the closest; snap "
         "tolerance {t} m). Fix the layer, raise --snap, or add a decision.",
         "{context}：{line}与{other}不相交（最近处相距 {d} 米；吸附容差 {t} 米）。请修正图层、"
         "增大 --snap 或添加分析决定。"),
        ("{context}: {line} does not meet {other} ({d} m apart)",
         "{context}：{line}与{other}不相交（相距 {d} 米）"),
        ("{clause}: no stretch of {line} from {start} to {end}: {why}",
         "{clause}：{line}上没有从{start}到{end}的路段：{why}"),
        ("{start} and {end} are the same point on {line}", "{start}与{end}是{line}上的同一点"),
        ("{line}: {a} and {b} lie on different pieces of the line, which are {gap} m apart; "
         "join the pieces in the layer or add a decision",
         "{line}：{a}与{b}位于该线不相连的两段上，相距 {gap} 米；请在图层中连接各段或添加分析决定"),
        ("{context}: no feature named {feature} in the network (qualifier {q}); closest: "
         "{closest}. Fix: add a decision row {row} or an alias",
         "{context}：道路网中没有名为 {feature} 的要素（限定语 {q}）；最接近的：{closest}。"
         "请添加分析决定 {row} 或别名"),
        ("{context}: no feature named {feature} in the network; closest: {closest}. Fix: add "
         "a decision row {row} or an alias",
         "{context}：道路网中没有名为 {feature} 的要素；最接近的：{closest}。"
         "请添加分析决定 {row} 或别名"),
        ("{context}: {line} does not run inside {what}", "{context}：{line}不经过{what}"),
        ("{context}: {line} does not cross the edge of grade {grade} ({decision})",
         "{context}：{line}不与{grade}的边界相交（{decision}）"),
        ("{context}: decision crossing:{n}, but there are {m} crossings",
         "{context}：决定为 crossing:{n}，但只有 {m} 个交叉点"),
        ("{context}: {name} is a landmark, not a line; name its side (e.g. {example}) or add "
         "a decision",
         "{context}：{name}是地标而非线；请写明其哪一侧（如 {example}）或添加分析决定"),
        ("grades 1–{grade}", "一至{grade}"),
        ("clause {clause} item {n} ({feature})", "条款 {clause} 第 {n} 项（{feature}）"),
        ("clause {clause} item {n}", "条款 {clause} 第 {n} 项"),
        ("{clause} road {feature}", "{clause} 道路 {feature}"),
        ("{clause} road", "{clause} 道路"),
        # what loading the network said (landgrade.network)
        ("{layer}: {n} feature(s) without geometry left out (feature {rows})",
         "{layer}：{n} 个要素没有几何，已略去（第 {rows} 个要素）"),
        ("{file}: names from field {field} (found; --name-field {role}=FIELD to choose)",
         "{file}：名称取自字段 {field}（自动识别；可用 --name-field {role}=字段名 指定）"),
        ("{file}: road ids from field {field}", "{file}：道路编号取自字段 {field}"),
        ("{file}: {n} named slip/service piece(s) kept out of the named roads (they never make "
         "a junction)", "{file}：{n} 段有名称的匝道或辅路未计入命名道路（不构成交点）"),
        # the clause kinds of other counties' wording (四至, walks, frontage, admin areas)
        ("the text means only {part} of it, which is not a boundary: drawn whole; an analyst "
         "must cut it (a decision, or the part's own polygon)",
         "原文仅指其中的{part}，而该部分并非边界：已整体绘制；须由分析人员裁切（添加决定，或提供该部分的面）"),
        ("limit {within} is not drawn (no half-plane or area of that name)",
         "限定范围{within}未绘制（无此名称的半平面或面）"),
        ("minus {name} ({area} m²)", "扣除{name}（{area} 平方米）"),
        ("{name} not cut out: no landmark, water or administrative area of that name (closest: "
         "{closest}); add it to the landmarks layer as a polygon",
         "{name}未扣除：无此名称的地物、水系或行政区（相近：{closest}）；请以面要素加入地物图层"),
        ("{name} not cut out: the network draws it as a point or a line, not an area; add its "
         "outline to the landmarks layer",
         "{name}未扣除：路网中其为点或线而非面；请将其轮廓加入地物图层"),
        ("drawn as the intersection of the sides' half-planes: {why}",
         "按各边半平面的交集绘制：{why}"),
        ("the sides do not close as a ring", "各边不能闭合成环"),
        ("closed through the junctions of its sides (drawn as a ring)",
         "经各边交点闭合（按环绘制）"),
        ("the zone lies {side} of it", "范围位于其{side}侧"),
        ("no {sides} side: open to the extent line there", "无{sides}边：该处以定级范围界线为界"),
        ("{land} (扣除{land2}) is not cut out: the network has no layer of it; an analyst must "
         "draw it", "{land}（扣除{land2}）未扣除：路网中无此图层；须由分析人员绘制"),
        ("the zone is in {n} separate pieces (check the sides on the review page)",
         "范围分为 {n} 个互不相连的部分（请在审阅页核对各边）"),
        ("lead-in {within} is not drawn (not a half-plane or a feature the network knows); the "
         "zone is not limited by it",
         "引导语中的{within}未绘制（既非半平面也非路网已知要素）；范围未受其限定"),
        ("boundary roads' frontage {depth} m ({how})", "边界道路临街 {depth} 米（{how}）"),
        ("boundary frontage: no boundary road to take frontage along",
         "边界临街：无可取临街带的边界道路"),
        ("joined to {label} across {gap} m", "跨越 {gap} 米与{label}相接"),
        ("the sides meet but do not close as a ring ({why})", "各边相交但不能闭合成环（{why}）"),
        ("{n} forked end(s) (a fork or turning loop) extended as one, along the road's mean "
         "heading", "{n} 个分叉端（岔路或回车环）按道路平均走向合并延长"),
        ("ends among {n} crossing points (dual carriageways)",
         "端点位于 {n} 个交叉点之间（双幅路）"),
        ("parallel to {feature} at {m} m", "与{feature}平行，相距 {m} 米"),
        ("the text does not close the walk (与起点形成闭合线); closed straight back to the start",
         "原文未闭合走向线（与起点形成闭合线）；已直线回到起点闭合"),
        ("the walked line crosses itself (check its legs on the review page)",
         "走向线自相交（请在审阅页核对各段）"),
        ("the walked line encloses no area", "走向线未围成任何面积"),
        ("{feature} run on straight ({m} m, 延长线)", "{feature}直线延长（{m} 米，延长线）"),
        ("abreast of {feature} ({m} m beside the leg)", "至{feature}对面（距该段 {m} 米）"),
        ("starts at {name} ({x} {y})", "起于{name}（{x} {y}）"),
        ("across a gap between sections of the line followed", "跨越所循线路各段之间的缺口"),
        ("the leg does not cross {names} as the text says (穿越)", "该段未如原文所述穿越{names}"),
        ("back to the start along the line", "沿线路回到起点"),
        ("boundary stretches' frontage {depth} m ({how})", "边界路段临街 {depth} 米（{how}）"),
        ("closes on {feature}, named again at its end", "闭合于{feature}（末尾再次提及）"),
        ("the {side} side does not fit the road's direction over {share} of it; the band takes "
         "the side closest to it", "{side}侧在{share}的长度上与道路走向不符；临街带取最接近的一侧"),
        ("{side} band from the centreline between the carriageways",
         "{side}侧临街带自两幅路之间的中线量起"),
        ("{feature} does not run inside the extent", "{feature}不在定级范围内"),
        ("depth {m} m: the county's default_frontage_m (the text gives none)",
         "进深 {m} 米：本县的默认临街进深 default_frontage_m（原文未给出）"),
        ("sub-area {name}", "片区 {name}"),
    ]),
    values={"side": _SIDES, "grade": _GRADES},
    data=frozenset({
        "note", "resolved", "part", "feature", "name", "road", "stem", "start", "end", "q",
        "file", "field", "layer", "role", "rows", "closest", "row", "example", "line", "other",
        "features", "stretch", "a", "b", "c", "x", "y", "n", "m", "d", "t", "k", "gap", "gaps",
        "share", "width", "area", "clause", "number", "grades", "decision",
    }),
    words={
        "the rest of the extent": "定级范围内其余区域",
        "grading extent": "定级范围",
        "the grading extent": "定级范围",
        "the grading extent line": "定级范围界线",
        "features left out": "略去的要素",
        # landgrade.gazette.labels.SCHEMATIC_NOTE, the first row of a schematic build's report
        "the road network is a schematic reconstruction, not a survey":
            "道路网为示意性重建，并非实测",
        "whole road": "全路段",
        "name": "线路名称",
        "from": "起点",
        "to": "终点",
        "none": "无",
    },
)
