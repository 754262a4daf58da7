"""A county that grades each land use separately: one grade layer per use, and every answer
gives each use its own grade and price.

The folder is the grid town (``synthetic.grid_town``) with Dongkou's price tables (Tables 1–4,
6, 8; Table 7 on the town's routes) and two descriptions of its own in metadata.json
``descriptions``: commercial = the town's ``TABLE5`` (also ``all``, the grading of the other
uses), residential = grade 1 inside the ring 一路-丙街-三路-甲街 (x 200..600, y 200..600), grade 2
the rest. Grades at the check points, read off the descriptions by hand:

================  =====================================================  ===========
point (x, y)      commercial (TABLE5)                                    residential
================  =====================================================  ===========
(300, 300)        1: ring 一路-甲街-二路-乙街 (200..400 × 200..400)      1
(300, 550)        2: 清江以北－二路以西 (y > 500, x < 400)                1
(500, 700)        4: north of 清江, east of 二路: no area of 1–3          2
================  =====================================================  ===========
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from synthetic import ROUTES, TABLE5, write_town, xy

from landgrade.build.builder import BuildInputs, build_from
from landgrade.build.grade_map import GradeMap
from landgrade.engine.answer import to_record
from landgrade.engine.engine import load_engine

GEO = Path(__file__).resolve().parents[1] / "geo" / "dongkou"
RESIDENTIAL = ("级别\t级别范围描述\n一级\t1、一路-丙街-三路-甲街所围成区域。\n"
               "二级\t定级范围一级以外其他区域。\n")
POINTS = [(300, 300), (300, 550), (500, 700)]
COMMERCIAL_GRADE = [1, 2, 4]
RESIDENTIAL_GRADE = [1, 1, 2]
PRICES = pd.read_csv(GEO / "urban_prices.csv").set_index(["use", "grade"])["price"]


def _folder(root: Path, with_all: bool = True) -> Path:
    folder = root / "per-use town"
    shutil.copytree(GEO, folder, ignore=shutil.ignore_patterns(
        "schematic", "samples", "*.geojson", "gazette.txt", "decisions.csv", "aliases.csv"))
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    write_town(folder)
    routes = ROUTES.copy()
    routes["grade"] = [1, 1, 2, 3, 4]  # Table 7 grades as the price book reads them
    routes.to_csv(folder / "routes.csv", index=False)
    (folder / "table5_commercial.txt").write_text(TABLE5, encoding="utf-8")
    (folder / "table5_residential.txt").write_text(RESIDENTIAL, encoding="utf-8")
    descriptions = {"commercial": "table5_commercial.txt", "residential": "table5_residential.txt"}
    if with_all:
        descriptions["all"] = "table5.txt"
    else:
        (folder / "table5.txt").unlink()
    meta.update({"county": "per-use town", "crs": "EPSG:4546", "descriptions": descriptions,
                 "network": {"schematic": True}})
    (folder / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = _folder(tmp_path_factory.mktemp("peruse"))
    out = folder.parent / "map.gpkg"
    from landgrade.outputs.export import write_grade_map

    write_grade_map(build_from(BuildInputs(county=folder)), out, folder)
    return folder, out


def test_each_use_is_drawn_as_its_own_grade_layer(county) -> None:
    _, out = county
    gm = GradeMap.read(out)
    assert set(gm.use_grades) == {"commercial", "residential"}
    assert gm.metadata["main_grading"] == "all"
    areas = {u: layer.set_index("grade").geometry.area.round(1).to_dict()
             for u, layer in gm.use_grades.items()}
    assert areas["residential"] == {1: 160_000.0, 2: 840_000.0}
    assert areas["commercial"] == {1: 55_200.0, 2: 279_000.0, 3: 215_800.0, 4: 450_000.0}
    report = gm.report
    grades = report[report["kind"] == "grade"]
    assert grades["clause"].tolist() == ["1", "2", "3", "4", "commercial:1", "commercial:2",
                                         "commercial:3", "commercial:4", "residential:1",
                                         "residential:2"]
    # Table 7 (commercial road-line prices) is drawn once, on the commercial grading.
    assert sorted(gm.routes["id"]) == sorted(ROUTES["id"])
    assert (report["kind"] == "route").sum() == len(ROUTES)
    ring = report[(report["kind"] == "ring") & (report["clause"] == "residential:1.1")]
    assert ring["source"].iloc[0] == "1、一路-丙街-三路-甲街所围成区域"


def test_locate_gives_each_use_its_own_grade_and_price(county) -> None:
    folder, out = county
    engine = load_engine(map_path=out, county=folder)
    x, y = zip(*(xy(*p) for p in POINTS), strict=True)
    ans = engine.locate(list(x), list(y), crs="EPSG:4546")
    assert ans["grade_comm"].tolist() == COMMERCIAL_GRADE
    assert ans["grade_resi"].tolist() == RESIDENTIAL_GRADE
    assert ans["grade"].tolist() == COMMERCIAL_GRADE  # `all` is TABLE5 as well
    assert ans["p_comm"].tolist() == [PRICES["commercial", g] for g in COMMERCIAL_GRADE]
    assert ans["p_resi"].tolist() == [PRICES["residential", g] for g in RESIDENTIAL_GRADE]
    # A use without its own description is priced by the `all` grading.
    assert ans["p_indu"].tolist() == [PRICES["industrial", g] for g in COMMERCIAL_GRADE]
    record = to_record(engine, ans.iloc[1])
    assert record["use_grades"] == {"commercial": 2, "residential": 1}
    assert record["prices"]["residential"] == PRICES["residential", 1]


def test_assign_prices_each_row_by_its_own_uses_grade(county) -> None:
    folder, out = county
    engine = load_engine(map_path=out, county=folder)
    boxes = [shapely.box(*xy(px - 10, py - 10), *xy(px + 10, py + 10)) for px, py in POINTS]
    parcels = gpd.GeoDataFrame({"用途": ["住宅用地", "住宅用地", "商服用地"]}, geometry=boxes,
                               crs=4546)
    got = engine.assign(parcels, use_field="用途")
    assert got["grade_resi"].tolist() == RESIDENTIAL_GRADE
    assert got["price"].tolist() == [PRICES["residential", 1], PRICES["residential", 1],
                                     PRICES["commercial", 4]]
    assert got["total"].tolist() == [p * 400 for p in got["price"]]  # 20 m × 20 m parcels


def test_without_an_all_description_other_uses_have_no_price(tmp_path: Path) -> None:
    folder = _folder(tmp_path, with_all=False)
    out = tmp_path / "map.gpkg"
    from landgrade.outputs.export import write_grade_map

    write_grade_map(build_from(BuildInputs(county=folder)), out, folder)
    gm = GradeMap.read(out)
    assert gm.metadata["main_grading"] == "commercial"
    engine = load_engine(map_path=out, county=folder)
    x, y = xy(*POINTS[1])
    ans = engine.locate([x], [y], crs="EPSG:4546")
    assert ans["grade"].tolist() == [2] and ans["grade_resi"].tolist() == [1]
    assert ans["p_resi"].tolist() == [PRICES["residential", 1]]
    assert ans["p_indu"].isna().all() and ans["p_pub1"].isna().all()


def test_the_cli_and_the_service_answer_per_use(county) -> None:
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from landgrade.cli.app import app
    from landgrade.service.app import create_app

    folder, out = county
    x, y = xy(*POINTS[1])
    res = CliRunner().invoke(app, ["locate", str(x), str(y), "--crs", "EPSG:4546", "--map",
                                   str(out), "--county", str(folder), "--json"])
    assert res.exit_code == 0, res.output
    cli = json.loads(res.output[res.output.index("{"):])
    assert cli["use_grades"] == {"commercial": 2, "residential": 1}
    engine = load_engine(map_path=out, county=folder)
    client = TestClient(create_app(engine=engine), base_url="http://127.0.0.1")
    api = client.get("/api/locate", params={"x": x, "y": y, "crs": "EPSG:4546"}).json()
    assert api["use_grades"] == cli["use_grades"] and api["prices"] == cli["prices"]


def test_the_main_grading_is_the_route_tables_use_from_the_countys_metadata() -> None:
    # No use is special in code: the grading the routes are drawn with is the use the county's
    # metadata names for its route table (tables.routes.use), Dongkou's commercial or another.
    from landgrade.build.builder import _route_use, main_grading

    by_use = {"residential": object(), "commercial": object()}
    assert main_grading(by_use, "commercial") == "commercial"
    assert main_grading(by_use, "residential") == "residential"
    assert main_grading(by_use) == "residential"  # the county says none: the first described
    assert main_grading({**by_use, "all": object()}, "commercial") == "all"
    assert _route_use({"tables": {"routes": {"zh": "表7", "use": "residential"}}}) == "residential"
    assert _route_use({"tables": {"routes": {"zh": "表7"}}}) is None
