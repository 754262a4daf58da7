"""Chinese all the way through: every output rendered in Chinese (the county's default for
Dongkou) leaves no English interface word.

Each output is rendered as a user gets it — the build report printed and as CSV, the review page,
the QGIS legend, layer titles, descriptions and aliases in the GeoPackages ``export`` and
``assign`` write, the ``assign`` summary and ``message`` column, ``prices``, the audit,
``convert``, ``cache`` and a ``parse`` error — and scanned for ASCII words of three letters or
more. What is data, not interface, is taken out first, each kind by name in :data:`ALLOWED` and
:func:`leftover`: file names and paths, options with their values, EPSG codes, quoted values,
identifiers with an underscore, status codes (the file's own values), and an analyst's notes in
``decisions.csv``. Anything left is an English word an output still shows.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from landgrade.cli.app import app
from landgrade.engine.answer import STATUSES

runner = CliRunner()

# Words that are names, not interface: products and formats a Chinese user meets by these names,
# the environment variable and size units of `cache`, and the sample data's own values.
ALLOWED = {
    "landgrade", "QGIS", "WGS", "CGCS", "GCJ", "shapefile", "gpkg", "parquet", "WKT",
    "LANDGRADE_CACHE", "KB", "MB", "urban", "town",  # price_src codes, like the status codes
    "Python", "ZIP",  # QGIS's Python, and the ZIP its plugin installer takes
}
_DATA = [
    re.compile(r"\b[\w.-]+/[\w./-]+\.\w+"),  # in the county folder: corrections/rates.csv
    re.compile(r"(?:/|[A-Za-z]:\\)\S+"),  # paths
    re.compile(r"[\w.-]+?\.(?:csv|geojson|gpkg|txt|html|xlsx|shp|json|pkl|qml|md|zip|png|pdf)(?![A-Za-z])"),
    re.compile(r"\blandgrade [a-z]+"),  # a command to type
    re.compile(r"--[\w-]+(?:[ =](?!--)[^\s，；。）]+)?"),  # an option and its value
    re.compile(r"EPSG:\d+"),
    re.compile(r"'[^']*'"),  # a value quoted as given
    re.compile(r"\b\w*_\w*\b"),  # identifiers: road_id, make_valid, outside_extent, …
    re.compile(r"\b[a-z]+:[\w.:-]+(?: [\d.]+)?"),  # decision kinds: road:U01, crossing:2, point:x y
    re.compile(r"\b\d+x+\b"),  # 37xxxxxx: a zone-prefixed easting's shape
]


def leftover(text: str, allowed: set[str] = frozenset()) -> list[str]:
    """The English words left in ``text`` once data is taken out."""
    for pattern in _DATA:
        text = pattern.sub(" ", text)
    words = re.findall(r"[A-Za-z]{3,}", text)
    ok = {w.lower() for w in ALLOWED | set(allowed) | set(STATUSES)}
    return sorted({w for w in words if w.lower() not in ok})


def _decision_notes(dongkou_dir: Path) -> set[str]:
    """The analyst's notes in decisions.csv: data, written in English for Dongkou."""
    with (dongkou_dir / "decisions.csv").open(encoding="utf-8", newline="") as f:
        text = " ".join(r["note"] + " " + r["resolve_as"] for r in csv.DictReader(f))
    return set(re.findall(r"[A-Za-z]{3,}", text))


class _Text(HTMLParser):
    """The text a browser shows of a page: outside <script> and <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, dongkou_dir: Path) -> dict[str, object]:
    """Dongkou built with every output, in the county's language (no --lang given)."""
    tmp = tmp_path_factory.mktemp("zh")
    env = {"LANDGRADE_CACHE": str(tmp / "cache")}
    out = {"dir": tmp, "env": env, "gpkg": tmp / "built.gpkg", "review": tmp / "review.html",
           "report": tmp / "report.csv"}
    res = runner.invoke(app, ["build", "--county", str(dongkou_dir), "-o", str(out["gpkg"]),
                              "--review", str(out["review"]), "--report", str(out["report"])],
                        env=env)
    assert res.exit_code == 0, res.output
    out["stdout"] = res.stdout
    return out


def test_the_build_report_printed_and_as_csv_is_chinese(built: dict, dongkou_dir: Path) -> None:
    stdout = built["stdout"]
    assert "类别" in stdout and "级别" in stdout and "工作坐标系" in stdout
    assert "中央经线111°E" in stdout  # the working CRS named in Chinese
    assert leftover(stdout) == []
    report = Path(built["report"]).read_text(encoding="utf-8-sig")
    assert report.startswith("类别,条款,内容")
    assert leftover(report, _decision_notes(dongkou_dir)) == []


def test_the_review_page_is_chinese_in_its_list_and_tooltips(built: dict,
                                                              dongkou_dir: Path) -> None:
    page = Path(built["review"]).read_text(encoding="utf-8")
    parser = _Text()
    parser.feed(page)
    shown = "\n".join(parser.parts)
    assert "构建审阅" in shown and "路段" in shown and "临街带" in shown
    notes = _decision_notes(dongkou_dir)
    assert leftover(shown, notes) == []
    # what the map's tooltips say of each drawn shape
    said = [json.loads(f'"{m.group(2)}"') for m in
            re.finditer(r'"(label|role_label)": "((?:[^"\\]|\\.)*)"', page)]
    assert said and leftover("\n".join(said), notes) == []
    # the headings of the grade and road tooltips (folium writes them \u-escaped)
    aliases = [json.loads(m.group(1)) for m in re.finditer(r"aliases = (\[[^\]]*\])", page)]
    assert ["级别"] in aliases and ["名称"] in aliases


def _styles(path: Path) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    with sqlite3.connect(path) as db:
        styles = dict(db.execute("SELECT f_table_name, styleQML FROM layer_styles "
                                 "WHERE useAsDefault").fetchall())
        contents = {t: (i, d) for t, i, d in db.execute(
            "SELECT table_name, identifier, description FROM gpkg_contents")}
    return styles, contents


def _style_words(qml: str) -> tuple[list[str], list[str]]:
    root = ET.fromstring(qml.split("\n", 1)[1])
    return ([c.get("label") for c in root.iter("category")],
            [a.get("name") for a in root.iter("alias")])


def test_the_qgis_legend_titles_descriptions_and_aliases_are_chinese(built: dict) -> None:
    tmp = Path(built["dir"])
    exported = tmp / "export.gpkg"
    res = runner.invoke(app, ["export", "-o", str(exported)], env=built["env"])
    assert res.exit_code == 0, res.output
    assert leftover(res.stdout) == []
    for path in (exported, built["gpkg"]):
        styles, contents = _styles(path)
        labels, aliases = _style_words(styles["grades"])
        assert labels[0].startswith("一级 — 商服用地 3194") and labels[0].endswith("（元/平方米）")
        assert "级别" in aliases
        assert contents["grades"][0] == "土地级别" and contents["routes"][0] == "路线价路段"
        words = [*labels, *aliases, *(t for pair in contents.values() for t in pair if t)]
        for qml in styles.values():
            words += _style_words(qml)[1]
        # table names stay the codes every reader finds them by: layer_styles, metadata, …
        assert leftover("\n".join(words), {"layer_styles"}) == [], path


def _assign(tmp: Path, env: dict, rows: pd.DataFrame, name: str, *args: str) -> tuple[str, Path]:
    src, out = tmp / f"{name}.csv", tmp / f"{name}_out.csv"
    rows.to_csv(src, index=False)
    res = runner.invoke(app, ["assign", str(src), "-o", str(out), "--no-progress", *args],
                        env=env)
    assert res.exit_code == 0, res.output
    return res.stderr, out


# Points whose answers cover the statuses a sheet meets: inside grade 1, outside the extent but
# in the county, outside the county, latitude and longitude swapped, no coordinates.
POINTS = pd.DataFrame({
    "编号": ["a", "b", "c", "d", "e"],
    "x": [110.575, 110.45, 113.0, 27.06, None],
    "y": [27.06, 27.10, 28.2, 110.575, None],
})


def test_the_assign_summary_message_column_and_headers_are_chinese(built: dict) -> None:
    tmp, env = Path(built["dir"]), built["env"]
    uses = POINTS.assign(用途=["商服", "住宅", "住宅", "住宅", "不存在的用途"])
    stderr, out = _assign(tmp, env, uses, "uses", "--use-field", "用途")
    towns = POINTS.assign(镇=["高沙镇", "高沙镇", "无此镇", "高沙镇", "高沙镇"],
                          镇级别=["2", "2", "1", "x", "2"])
    stderr2, out2 = _assign(tmp, env, towns, "towns", "--town-field", "镇",
                            "--town-grade-field", "镇级别")
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    table2 = pd.read_csv(out2, dtype=str, keep_default_na=False)
    headers = {"级别", "商服用地·基准地价（元/平方米）", "距离（米）", "说明", "状态"}
    assert headers <= set(table.columns)
    statuses = set(table["状态"]) | set(table2["状态"])
    assert {"ok", "outside_extent", "outside_county", "crs_suspect_swapped", "null_geometry",
            "unknown_town", "bad_town_grade"} <= statuses, statuses
    assert leftover("\n".join(table.columns)) == []
    messages = "\n".join([*table["说明"], *table2["说明"]])
    assert "位于基准地价范围以外" in messages and "乡镇基准地价（表8）" in messages
    assert leftover(messages) == [], messages
    assert leftover(stderr + stderr2) == [], stderr + stderr2


def test_the_assign_geopackage_is_styled_with_chinese_legend_and_aliases(built: dict) -> None:
    tmp, env = Path(built["dir"]), built["env"]
    src, out = tmp / "pts.csv", tmp / "pts.gpkg"
    POINTS.to_csv(src, index=False)
    res = runner.invoke(app, ["assign", str(src), "-o", str(out), "--no-progress"], env=env)
    assert res.exit_code == 0, res.output
    styles, contents = _styles(out)
    labels, aliases = _style_words(styles["pts"])
    assert labels[-1] == "基准地价范围以外" and labels[0].startswith("一级 — 商服用地 3194")
    assert "商服用地·基准地价（元/平方米）" in aliases and "说明" in aliases
    words = [*labels, *aliases, contents["pts"][1]]
    assert leftover("\n".join(words)) == []


@pytest.mark.parametrize("args", [
    [], ["--grade", "2"], ["--town", "高沙镇"], ["--town", "高沙镇", "--grade", "2"], ["--routes"],
])
def test_prices_are_chinese(built: dict, args: list[str]) -> None:
    out = Path(built["dir"]) / "prices.csv"
    res = runner.invoke(app, ["prices", *args, "-o", str(out)], env=built["env"])
    assert res.exit_code == 0, res.output
    assert "元/平方米" in res.stdout
    assert leftover(res.stdout) == []
    assert leftover(out.read_text(encoding="utf-8-sig")) == []


def test_the_audit_is_chinese(built: dict) -> None:
    out = Path(built["dir"]) / "audit.xlsx"
    res = runner.invoke(app, ["audit", "--map", str(built["gpkg"]), "-o", str(out)],
                        env=built["env"])
    assert res.exit_code == 0, res.output
    assert "74/74 条路段与公告所列级别一致" in res.stdout
    assert leftover(res.stdout) == []
    assert leftover(" ".join(pd.read_excel(out).columns)) == []


def test_audit_reasons_are_worded_in_chinese() -> None:
    """Every reason the audit gives, as it writes it, worded whole (the bundled map has none)."""
    from landgrade.outputs.audit import reason_text

    reasons = [
        "unresolved: not drawn by the build",
        "unresolved: B24: no stretch of 蔡锷北路 from 洞口大道路口 to 二级边界: 洞口大道路口 and "
        "二级边界 are the same point on 蔡锷北路",
        "the routes table states no grade a number can be read from ('x')",
        "runs along the boundary of grades 1/2 (60%; the strip is on the other side)",
        "runs along the boundary of grades 1/2 (60%; grade 3 is not on either side)",
        "lies outside every grade (outside the grading extent?)",
        "lies in grade 2 (90%)",
        "crosses grades 1 (40%), 2 (30%) and 3 (30%)",
    ]
    worded = [reason_text(r, "zh") for r in reasons]
    assert worded[6] == "位于二级（90%）"
    assert leftover("\n".join(worded)) == [], worded


def test_convert_cache_and_parse_errors_are_chinese(built: dict, tmp_path: Path) -> None:
    env = built["env"]
    said = []
    for args in (["convert", "37500000", "3000000", "--from", "EPSG:4546", "--to", "EPSG:4326"],
                 ["convert", "110.5", "27.0", "--from", "EPSG:4546"],
                 ["convert", "27.06", "110.575"],
                 ["cache", "info"]):
        res = runner.invoke(app, args, env=env)
        said.append(res.output)
    bad = tmp_path / "t5.txt"
    bad.write_text("一级\t1、桔城路（含东侧16米－雪峰路", encoding="utf-8")
    res = runner.invoke(app, ["parse", str(bad)], env=env)
    assert res.exit_code == 2 and "第1项" in res.stderr
    said.append(res.stderr.removeprefix("error: "))  # the prefix every command's errors share
    assert "带号前缀" in said[0] and "缓存文件夹" in said[3]
    said[2] = said[2].removeprefix("error: ")
    assert leftover("\n".join(said)) == [], said


def test_the_english_build_report_names_its_rows_in_english(built: dict, dongkou_dir: Path) -> None:
    """--lang en is what it was: the scan finds English there, so it does not pass vacuously."""
    res = runner.invoke(app, ["build", "--county", str(dongkou_dir), "-o",
                              str(Path(built["dir"]) / "en.gpkg"), "--lang", "en"],
                        env=built["env"])
    assert res.exit_code == 0, res.output
    assert {"kind", "clause", "warning", "extended"} <= set(leftover(res.stdout))


# --- every message the builder writes has its Chinese wording ------------------------------------
SRC = Path(__file__).resolve().parents[1] / "src" / "landgrade"


def _sample(node: object) -> str | None:
    """A message as its producer would write it: each field filled with a value of its kind (a
    side, a grade, else a Chinese name), or None when the message is not a literal."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None
    parts = []
    for v in node.values:
        if isinstance(v, ast.Constant):
            parts.append(str(v.value))
            continue
        name = ast.unparse(v.value)
        parts.append("E" if "side" in name else "2" if "grade" in name and "(" not in name
                     else "甲路")
    return "".join(parts)


def _builder_messages() -> list[tuple[str, str]]:
    """(where, message) for every literal message the build writes into its report: warnings,
    results that cannot be right, row texts and feature notes, what loading the network noted."""
    import ast

    found = []
    for path in [*(SRC / "build").glob("*.py"), *(SRC / "network").glob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            args: list[object] = []
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                target = ast.unparse(f.value) if isinstance(f, ast.Attribute) else ""
                if name in ("warn", "impossible") and node.args:
                    args = [node.args[0]]
                elif name == "append" and target in ("notes", "choices") and node.args:
                    args = [node.args[0]]
                elif name == "join_notes" and len(node.args) == 2:
                    args = [node.args[1]]
                elif name == "ReportRow":
                    args = [k.value for k in node.keywords if k.arg == "text"]
            elif isinstance(node, ast.Assign) and any(
                    ast.unparse(t).endswith((".warnings", "stale[d.row]")) for t in node.targets):
                args = [node.value]
            for a in args:
                text = _sample(a)
                if text is not None:
                    func = getattr(node, "func", None)
                    prefix = ("cannot be right: "
                              if getattr(func, "attr", "") == "impossible" else "")
                    found.append((f"{path.name}:{node.lineno}", prefix + text))
    return found


def test_every_builder_message_has_a_chinese_wording() -> None:
    """A builder message changed or added without its entry in
    landgrade.gazette.labels_build shows in English in a Chinese report: this names it."""
    from landgrade.build.report import worded

    messages = _builder_messages()
    assert len(messages) > 25, messages  # the scan finds the builder's messages
    left = {where: (text, worded(text, "zh")) for where, text in messages
            if leftover(worded(text, "zh"), {"FIELD"})}
    assert left == {}


@pytest.mark.parametrize("row", [
    # the issue's own misreading trap, and a side word inside a name
    "1、东由南京火车站的新庄村经和平门、玄武门所围成区域。",
    "1、甲路以东乙路-丙路-丁路所围成区域。",
])
def test_a_clause_read_as_a_name_is_refused_in_chinese(tmp_path: Path, row: str) -> None:
    # The refusal names the fragment and why it is no name, in the county's language: a
    # Chinese message with an English sentence inside it was what `parse` printed.
    path = tmp_path / "表5.txt"
    path.write_text(f"一级\t{row}\n", encoding="utf-8")
    result = runner.invoke(app, ["parse", str(path)])
    assert result.exit_code == 2
    assert "表5.txt" in result.output and "一级" in result.output
    # "error:" is the CLI's one prefix in every language (scripts look for it)
    assert leftover(result.output, {"txt", "error"}) == []


def test_what_report_value_map_and_the_plugin_command_print_is_chinese(
    built: dict, dongkou_dir: Path
) -> None:
    """The lines the parcel report, the 测算表, ``value``, ``map`` and ``qgis-plugin`` print —
    which the QGIS provider also shows in its log — carry no English interface word."""
    tmp, env = built["dir"], built["env"]
    parcels = dongkou_dir / "samples" / "parcels.geojson"
    runs = [
        ["report", str(parcels), "-o", str(tmp / "sheets")],
        ["report", str(parcels), "--valuation", "--use-field", "用途", "--term", "40",
         "--plot-ratio", "2", "--date", "2022-06-01", "-o", str(tmp / "sheets.pdf")],
        ["value", str(parcels), "--use-field", "用途", "--term", "40", "--plot-ratio", "2",
         "--date", "2022-06-01", "-o", str(tmp / "valued.csv"), "--no-progress"],
        ["map", "-o", str(tmp / "map.png"), "--dpi", "40"],
        ["qgis-plugin", "-o", str(tmp / "plugin.zip")],
    ]
    for args in runs:
        res = runner.invoke(app, args, env=env)
        assert res.exit_code in (0, 2), res.output  # a parcel outside the county: exit 2
        said = res.output
        assert said.strip(), args
        assert leftover(said) == [], (args[0], said)


def test_the_answer_page_qgis_shows_is_chinese(built: dict) -> None:
    from landgrade.cli.locate import answer_point
    from landgrade.outputs.answer_html import answer_page

    engine, record = answer_point(110.575, 27.06)
    text = _Text()
    text.feed(answer_page(engine, record, 110.575, 27.06, "EPSG:4326", "zh"))
    shown = " ".join(text.parts)
    assert "一级" in shown and "洞政发〔2022〕1号" in shown
    assert leftover(shown) == [], shown


def test_the_answer_page_lays_the_prices_out_as_a_table(built: dict, dongkou_dir: Path) -> None:
    """Each use's Table 6 price sits in a cell of its own, right-aligned, beside its label: the
    terminal's space-padded columns do not survive a browser font."""
    from landgrade.cli.locate import answer_point
    from landgrade.outputs.answer_html import answer_page

    with (dongkou_dir / "urban_prices.csv").open(encoding="utf-8", newline="") as f:
        grade1 = {r["use"]: r["price"] for r in csv.DictReader(f) if r["grade"] == "1"}
    with (dongkou_dir / "uses.csv").open(encoding="utf-8", newline="") as f:
        labels = {r["use"]: r["label_zh"] for r in csv.DictReader(f)}
    engine, record = answer_point(110.575, 27.06)
    page = answer_page(engine, record, 110.575, 27.06, "EPSG:4326", "zh")
    assert record["grade"] == 1 and set(grade1) == set(labels)
    for use, price in grade1.items():
        cell = f"{float(price):g}"
        assert f"<td>{labels[use]}</td><td class='n'>{cell}</td>" in page, (use, cell)
