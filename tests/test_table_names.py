"""Gazette table numbers are the county's data, not interface words.

Dongkou's gazette prints its town prices as 表 8 (geo/dongkou/gazette.txt), and metadata.json
``tables.town_prices`` names it so; every text that cites the town table takes the name from
there. A county copy that names the table otherwise shows its own name, and a county that names
none gets the neutral wording without a number. The map and outline are test_assign_cli's hand
map (grade 1 west of x=100; 高沙镇 is a class-1 town of the bundled Table of town prices).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from test_assign_cli import runner, setup  # noqa: F401 - the CLI fixture
from test_engine import rel

from landgrade.cli.app import app
from landgrade.engine import load_engine
from landgrade.gazette.labels import table_cite
from landgrade.io.crs import transform

OUTSIDE = (600, 50)  # east of the hand map's extent, inside its county outline


def _lonlat(x: float, y: float) -> list[str]:
    return [repr(v) for v in transform(*rel(x, y), "EPSG:4546", "EPSG:4326")]


def _with_tables(opts: list[str], tables: dict | None) -> list[str]:
    """The setup's county copy with metadata ``tables`` replaced (None: removed)."""
    county = Path(opts[opts.index("--county") + 1])
    meta_path = county / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.pop("tables", None)
    if tables is not None:
        meta["tables"] = tables
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return opts


def _locate(opts: list[str], *extra: str) -> str:
    res = runner.invoke(app, ["locate", *_lonlat(*OUTSIDE), *opts, *extra])
    assert res.exit_code == 0, res.output
    return res.stdout


def test_dongkou_names_its_town_table_as_its_gazette_prints_it(dongkou_dir: Path) -> None:
    meta = json.loads((dongkou_dir / "metadata.json").read_text(encoding="utf-8"))
    gazette = (dongkou_dir / "gazette.txt").read_text(encoding="utf-8")
    zh = meta["tables"]["town_prices"]["zh"]
    caption = re.search(r"^表\s*8\s*(.+)$", gazette, re.M)
    assert caption and "乡镇" in caption.group(1) and "基准地价" in caption.group(1)
    assert re.sub(r"\s", "", caption.group(0)).startswith(zh)  # 表8 …各乡镇级别基准地价表
    assert meta["tables"]["town_prices"]["en"] == "Table " + zh.removeprefix("表")


def test_dongkou_town_texts_cite_table_8(setup, dongkou_dir: Path) -> None:  # noqa: F811
    _, opts = setup
    names = json.loads((dongkou_dir / "metadata.json").read_text(encoding="utf-8"))["tables"]
    en, zh = names["town_prices"]["en"], names["town_prices"]["zh"]
    assert f"town prices ({en}) apply" in _locate(opts, "--lang", "en")
    assert f"适用乡镇基准地价（{zh}）" in _locate(opts, "--lang", "zh")
    priced = _locate(opts, "--town", "高沙镇", "--town-grade", "2", "--lang", "en")
    assert f"town class 1: town benchmark prices ({en})" in priced
    record = json.loads(_locate(opts, "--town", "高沙镇", "--town-grade", "2", "--json"))
    assert record["message"] == f"town prices ({en}) of 高沙镇, town grade 2"
    hint = json.loads(_locate(opts, "--json"))["town_prices"]
    assert hint["note"] == f"outside the urban extent, inside the county: town prices ({en}) apply"


def _unknown_town_message(opts: list[str]) -> str:
    county = opts[opts.index("--county") + 1]
    engine = load_engine(map_path=Path(opts[opts.index("--map") + 1]), county=county)
    pts = gpd.GeoDataFrame({"镇": ["无此镇"], "镇级": [1]},
                           geometry=[shapely.Point(rel(*OUTSIDE))], crs="EPSG:4546")
    out = engine.assign(pts, town_field="镇", town_grade_field="镇级")
    assert out["status"].iloc[0] == "unknown_town"
    return str(out["message"].iloc[0])


def test_a_county_that_names_its_town_table_otherwise_shows_that_name(setup) -> None:  # noqa: F811
    _, opts = setup
    opts = _with_tables(opts, {"town_prices": {"zh": "附表三", "en": "Schedule 3"}})
    en, zh = _locate(opts, "--lang", "en"), _locate(opts, "--lang", "zh")
    assert "town prices (Schedule 3) apply" in en and "适用乡镇基准地价（附表三）" in zh
    priced = _locate(opts, "--town", "高沙镇", "--town-grade", "2", "--lang", "en")
    assert "town benchmark prices (Schedule 3)" in priced
    message = _unknown_town_message(opts)
    assert message.startswith("town not in the town table (Schedule 3): check the town name")
    for text in (en, zh, priced, message):
        assert "Table 8" not in text and "表8" not in text


def test_a_county_that_names_no_tables_gets_the_neutral_wording(setup) -> None:  # noqa: F811
    _, opts = setup
    opts = _with_tables(opts, None)
    en, zh = _locate(opts, "--lang", "en"), _locate(opts, "--lang", "zh")
    assert "inside the county: town prices apply" in en and "适用乡镇基准地价\n" in zh + "\n"
    record = json.loads(_locate(opts, "--town", "高沙镇", "--town-grade", "2", "--json"))
    assert record["message"] == "town prices of 高沙镇, town grade 2"
    message = _unknown_town_message(opts)
    assert message.startswith("town not in the town table: check the town name")
    for text in (en, zh, record["message"], message):
        assert not re.search(r"Table \d|表 ?\d", text), text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_table_named_in_one_language_only_is_cited_as_published(lang: str) -> None:
    meta = {"tables": {"town_prices": {"zh": "表九"}}}
    assert table_cite(meta, "town_prices", lang) == ("（表九）" if lang == "zh" else " (表九)")
    assert table_cite({"tables": {}}, "town_prices", lang) == ""
    assert table_cite(None, "town_prices", lang) == ""


def test_a_standard_town_status_is_worded_in_chinese_with_the_county_table(
    dongkou_dir: Path,
) -> None:
    from landgrade.engine.answer import STATUSES, status_message, status_text

    meta = json.loads((dongkou_dir / "metadata.json").read_text(encoding="utf-8"))
    zh = meta["tables"]["town_prices"]["zh"]
    for status in ("unknown_town", "bad_town_grade"):
        cited = status_text(status, meta)
        assert cited != STATUSES[status] and meta["tables"]["town_prices"]["en"] in cited
        for message in (cited, STATUSES[status]):  # with or without the county's table
            worded = status_message({"status": status, "message": message}, "zh", meta)
            assert f"乡镇基准地价表（{zh}）" in worded
        assert "（" not in status_text(status, None, "zh")  # no county: no table cited


@pytest.mark.parametrize("key, words", [
    ("description", "级别范围描述"), ("urban_prices", "城区级别基准地价"),
    ("routes", "路线价"), ("town_prices", "乡镇级别基准地价"),
])
def test_every_table_dongkou_names_is_the_gazette_table_of_that_content(
    dongkou_dir: Path, key: str, words: str
) -> None:
    """Each ``tables`` entry, not only the town table cited today, names the gazette's table
    whose caption says what the key means: a wrong number would cite the wrong table."""
    meta = json.loads((dongkou_dir / "metadata.json").read_text(encoding="utf-8"))
    gazette = (dongkou_dir / "gazette.txt").read_text(encoding="utf-8")
    captions = {re.sub(r"\s", "", m.group(1)): m.group(2)
                for m in re.finditer(r"^(表\s*\d+)\s*(.+)$", gazette, re.M)}
    names = meta["tables"][key]
    assert words in captions[names["zh"]]
    assert names["en"] == "Table " + names["zh"].removeprefix("表")


def test_the_engine_s_unknown_town_message_is_worded_in_chinese_with_its_detail(
    setup, dongkou_dir: Path  # noqa: F811
) -> None:
    """The engine follows the standard message with the row's town and grade; in Chinese the
    standard part is worded as STATUS_ZH says and the detail is kept, not left all English."""
    from landgrade.engine.answer import status_message

    _, opts = setup
    message = _unknown_town_message(opts)
    meta = json.loads((dongkou_dir / "metadata.json").read_text(encoding="utf-8"))
    worded = status_message({"status": "unknown_town", "message": message}, "zh", meta)
    zh = meta["tables"]["town_prices"]["zh"]
    assert worded.startswith(f"镇名不在乡镇基准地价表（{zh}）中：请检查镇名"), worded
    assert "'无此镇'" in worded and "town not in" not in worded
    zh_text = _locate(opts, "--town", "无此镇", "--town-grade", "1", "--lang", "zh")
    assert "镇名不在乡镇基准地价表" in zh_text and "town not in" not in zh_text
