"""Every value in geo/dongkou/ equals the gazette, read independently from the seed text.

The CSVs were transcribed by hand; these tests parse the seed's tab-separated Tables 1–8 with
small regular expressions of their own (no landgrade code) and compare value by value.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

GRADE_WORDS = {"一级": 1, "二级": 2, "三级": 3, "四级": 4, "五级": 5}
CLASS_WORDS = {"一等镇": 1, "二等镇": 2, "三等镇": 3, "四等": 4}
NUMBER = re.compile(r"^\d+(\.\d+)?$")


def read_csv(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def section(seed: str, start: str, end: str | None) -> list[str]:
    """The lines of the seed from the heading ``start`` up to ``end`` (None: to the end)."""
    i = seed.index(start)
    return seed[i : len(seed) if end is None else seed.index(end, i)].split("\n")


@pytest.fixture(scope="module")
def use_of_label(dongkou_dir: Path) -> dict[str, str]:
    """Printed use label → use key; Table 8 prints 商服 for 商服用地."""
    out = {}
    for row in read_csv(dongkou_dir, "uses.csv"):
        out[row["label_zh"]] = row["use"]
        out[row["label_zh"].removesuffix("用地")] = row["use"]
    return out


def test_uses_are_the_five_gazette_uses_in_table_order(dongkou_dir: Path, seed_text: str) -> None:
    rows = read_csv(dongkou_dir, "uses.csv")
    header = section(seed_text, "表 1 ", "一级\t")[2].split("\t")
    printed = [c for c in header if c.endswith(("用地", " I", " II"))]
    assert [r["label_zh"] for r in rows] == printed
    assert [r["use"] for r in rows] == [
        "commercial", "residential", "industrial", "public_1", "public_2"
    ]


def test_public_use_definitions_are_the_table_1_notes(dongkou_dir: Path, seed_text: str) -> None:
    notes = "\n".join(section(seed_text, "表 1 ", "表 2 "))
    rows = {r["use"]: r for r in read_csv(dongkou_dir, "uses.csv")}
    for use, numeral in (("public_1", "I"), ("public_2", "II")):
        m = re.search(rf"公共管理与公共服务用地 {numeral} 指：(.+?)；", notes)
        assert m is not None
        assert rows[use]["definition_zh"] == m.group(1)


def connotation_rows(seed: str, table: str, next_table: str) -> dict[tuple[int, str], tuple]:
    """(grade, use label) → (term years, plot ratio) of one of Tables 1–4."""
    lines = section(seed, table, next_table)
    header = next(line for line in lines if line.startswith("级别\t"))
    labels = [c for c in header.split("\t")[2:] if c.endswith(("用地", " I", " II"))]
    out = {}
    for line in lines:
        cells = line.split("\t")
        if cells[0] not in GRADE_WORDS:
            continue
        pairs = re.findall(r"\t(\d+) 年\t(\d+\.\d+)", line)
        assert len(pairs) == len(labels), line
        for label, (term, ratio) in zip(labels, pairs, strict=True):
            out[GRADE_WORDS[cells[0]], label] = (int(term), float(ratio))
    return out


@pytest.mark.parametrize(
    ("table", "next_table", "areas"),
    [
        ("表 1 ", "表 2 ", ["urban"]),
        ("表 2 ", "表 3 ", ["town_class_1"]),
        ("表 3 ", "表 4 ", ["town_class_2"]),
        ("表 4 ", "二、级别范围", ["town_class_3", "town_class_4"]),
    ],
    ids=["table1-urban", "table2-class1", "table3-class2", "table4-class3-4"],
)
def test_connotation_equals_tables_1_to_4(
    dongkou_dir: Path, seed_text: str, use_of_label: dict[str, str],
    table: str, next_table: str, areas: list[str],
) -> None:
    printed = connotation_rows(seed_text, table, next_table)
    assert printed  # the table was found and read
    for area in areas:
        data = {
            (int(r["grade"]), r["use"]): (int(r["term_years"]), float(r["plot_ratio"]))
            for r in read_csv(dongkou_dir, "connotation.csv") if r["area"] == area
        }
        assert data == {(g, use_of_label[label]): v for (g, label), v in printed.items()}


def test_connotation_has_no_other_areas(dongkou_dir: Path) -> None:
    areas = {r["area"] for r in read_csv(dongkou_dir, "connotation.csv")}
    assert areas == {"urban", "town_class_1", "town_class_2", "town_class_3", "town_class_4"}


def test_metadata_matches_the_notice(dongkou_dir: Path, seed_text: str) -> None:
    meta = json.loads((dongkou_dir / "metadata.json").read_text(encoding="utf-8"))
    notice = seed_text[: seed_text.index("附件：洞口县城镇基准地价更新成果一览表")]
    assert meta["document"] in notice
    assert "洞口县人民政府\n\n2022年2月7日" in seed_text
    assert meta["date"] == "2022-02-07"
    tables = "\n".join(section(seed_text, "表 1 ", "二、级别范围"))
    # Every table prints 2021.10.1 (Tables 3–4 with spaces) and 五通一平.
    dates = re.findall(r"\t(\d{4})\.\s*(\d+)\.\s*(\d+)\s*$", tables, flags=re.M)
    assert len(dates) == 4
    assert {f"{y}-{int(m):02d}-{int(d):02d}" for y, m, d in dates} == {meta["valuation_date"]}
    assert tables.count("\t五通一平\t") == 4
    assert meta["development_level"]["name_zh"] == "五通一平"
    assert f"五通一平指：{meta['development_level']['definition_zh']}，" in tables
    # Table 3 and 4 split the land right over several rows; joined it reads the same.
    for table, nxt in (("表 1 ", "表 2 "), ("表 3 ", "表 4 "), ("表 4 ", "二、级别范围")):
        col = [ln.split("\t")[1] for ln in section(seed_text, table, nxt)
               if ln.split("\t")[0] in GRADE_WORDS]
        assert "".join(col) == meta["land_right"]
    depth = re.search(r"标准深度：(\d+) 米（主干道）、(\d+) 米（次干道）、(\d+) 米（支路）", tables)
    assert depth is not None
    assert meta["standard_depth_m"] == {
        "主干道": int(depth.group(1)), "次干道": int(depth.group(2)), "支路": int(depth.group(3))
    }


def test_urban_prices_equal_table_6(
    dongkou_dir: Path, seed_text: str, use_of_label: dict[str, str]
) -> None:
    printed = {}
    for line in section(seed_text, "表 6 ", "表 7 "):
        cells = [c for c in line.split("\t") if c]
        if len(cells) >= 6 and all(NUMBER.match(c) for c in cells[-5:]):
            use = use_of_label[cells[-6]]
            for grade, price in enumerate(cells[-5:], 1):
                printed[grade, use] = float(price)
    assert len(printed) == 25
    data = {(int(r["grade"]), r["use"]): float(r["price"])
            for r in read_csv(dongkou_dir, "urban_prices.csv")}
    assert data == printed


ROUTE_LINE = re.compile(
    r"^(\d+)\t([A-E]\d{2})\t([^\t]+)\t([^\t]+)\t([^\t]+)\t([一二三四五]级)\t"
    r"(主干道|次干道|支路)\t(\d+)\t(\d+)$"
)


def test_routes_equal_table_7(dongkou_dir: Path, seed_text: str) -> None:
    printed = [ROUTE_LINE.match(line) for line in section(seed_text, "表 7 ", "表 8 ")]
    printed = [m.groups() for m in printed if m]
    assert [int(p[0]) for p in printed] == list(range(1, 75))
    with (dongkou_dir / "routes.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        assert next(reader) == [
            "id", "name", "from", "to", "grade", "road_class", "standard_depth_m", "price"
        ]
        rows = list(reader)
    assert len(rows) == 74
    for row, p in zip(rows, printed, strict=True):
        expected = [p[1], p[2], p[3], p[4], str(GRADE_WORDS[p[5]]), p[6], p[7], p[8]]
        assert row == expected, f"{row[0]}: {row} != {expected}"


def test_route_grade_letter_and_depth_agree(dongkou_dir: Path) -> None:
    depth = {"主干道": "20", "次干道": "16", "支路": "12"}
    for r in read_csv(dongkou_dir, "routes.csv"):
        assert "ABCDE".index(r["id"][0]) + 1 == int(r["grade"]), r["id"]
        assert depth[r["road_class"]] == r["standard_depth_m"], r["id"]


def table_8(seed: str) -> tuple[dict[tuple[int, str, int], float], dict[str, int]]:
    """(class, use label, grade) → price, and town → class, from the printed Table 8."""
    prices: dict[tuple[int, str, int], float] = {}
    towns: dict[str, int] = {}
    current = 0
    for line in section(seed, "表 8 ", None):  # the last table of the notice
        cells = line.split("\t")
        if len(cells) < 8 or cells[0] == "城镇等别":
            continue
        if cells[0]:
            current = CLASS_WORDS[cells[0]]
            for town in re.split("、|及", cells[1]):
                assert town not in towns, town
                towns[town] = current
        for grade, cell in enumerate(cells[3:7], 1):
            if cell:
                prices[current, cells[2], grade] = float(cell)
    return prices, towns


def test_town_prices_equal_table_8(
    dongkou_dir: Path, seed_text: str, use_of_label: dict[str, str]
) -> None:
    printed, _ = table_8(seed_text)
    assert len(printed) == 5 * (4 + 3 + 2 + 2)
    data = {(int(r["town_class"]), r["use"], int(r["grade"])): float(r["price"])
            for r in read_csv(dongkou_dir, "town_prices.csv")}
    assert data == {(c, use_of_label[label], g): p for (c, label, g), p in printed.items()}


def test_every_town_maps_to_its_class(dongkou_dir: Path, seed_text: str) -> None:
    _, printed = table_8(seed_text)
    assert len(printed) == 21  # 20 towns and 茶铺茶场管理区
    rows = read_csv(dongkou_dir, "towns.csv")
    assert len(rows) == len({r["town"] for r in rows})
    assert {r["town"]: int(r["town_class"]) for r in rows} == printed


def test_table5_is_the_gazette_text_verbatim(dongkou_dir: Path, seed_text: str) -> None:
    lines = (dongkou_dir / "table5.txt").read_text(encoding="utf-8").splitlines()
    grade_lines = [ln for ln in lines if ln.split("\t")[0] in GRADE_WORDS]
    assert [ln.split("\t")[0] for ln in grade_lines] == list(GRADE_WORDS)
    seed_lines = set(seed_text.split("\n"))
    for line in lines:
        assert line in seed_lines, line[:40]


def test_gazette_excerpt_is_verbatim(seed_text: str) -> None:
    """geo/dongkou/gazette.txt is the whole first notice, from its title to the end of Table 8;
    when the published issue is beside the checkout, it is an unchanged part of it."""
    from conftest import SEED

    assert seed_text.startswith("洞口县人民政府\n\n关于公布实施洞口县城镇基准地价更新成果的通知")
    headings = [f"表 {n} " for n in range(1, 9)]
    assert [seed_text.index(h) for h in headings] == sorted(seed_text.index(h) for h in headings)
    if SEED.exists():  # the whole issue is not part of a clone; compare when it is at hand
        assert seed_text in SEED.read_text(encoding="utf-8")
