"""Town prices (Table 8) only outside the urban extent, township layers, and `locate`'s hints.

The map is test_engine's hand map (extent 300 × 200 m; grade 1 west of x=100, grade 2 east;
route R1 along y=100, standard depth 16 m; R2 along x=50, 20 m) inside a county outline from
-1000 to 1300 m. Town prices are the bundled county's Table 8 (高沙镇 is a class-1 town).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from test_assign_cli import runner, setup  # noqa: F401 - the CLI fixture
from test_engine import CRS, PRICES, X0, Y0, box, engine, rel  # noqa: F401 - fixture

from landgrade.cli.app import app
from landgrade.engine import Engine
from landgrade.engine.towns import TownLayerError, load_towns
from landgrade.io.crs import transform


def _table8(county: Path) -> dict[tuple[int, str, int], float]:
    with (county / "town_prices.csv").open(encoding="utf-8", newline="") as f:
        return {(int(r["town_class"]), r["use"], int(r["grade"])): float(r["price"])
                for r in csv.DictReader(f)}


def _points(*xy: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[shapely.Point(rel(x, y)) for x, y in xy], crs=CRS)


def test_town_prices_never_replace_urban_prices_inside_the_extent(engine: Engine) -> None:  # noqa: F811
    out = engine.assign(_points((20, 20), (150, 50), (600, 50)), town="高沙镇", town_grade=2)
    # inside grades 1 and 2: Table 6 (here the test's urban prices) stay, and the row says so
    assert out["p_comm"].tolist()[:2] == [PRICES[1][0], PRICES[2][0]]
    assert out["price_src"].tolist() == ["urban", "urban", "town"]
    assert out["status"].tolist() == ["ok", "ok", "ok"]
    for message in out["message"].iloc[:2]:
        assert "urban prices kept" in message and "高沙镇" in message and "not used" in message
    # outside the extent, inside the county: the town's grade-2 prices (the fake book: 200 + i)
    assert out["p_comm"].iloc[2] == 200.0 and out["town_cls"].iloc[2] == 1


@pytest.fixture
def townships(tmp_path: Path) -> Path:
    """Two towns side by side: 西镇 west of x=500 (holding the urban extent), 高沙镇 east."""
    path = tmp_path / "towns.gpkg"
    gpd.GeoDataFrame(
        {"乡镇名称": ["西镇", "高沙镇"]},
        geometry=[box(-1000, -1000, 500, 1200), box(500, -1000, 1300, 1200)], crs=CRS,
    ).to_crs(4326).to_file(path)
    return path


def test_a_township_layer_names_the_town_of_every_point(engine: Engine, townships: Path) -> None:  # noqa: F811
    towns = load_towns(townships)  # the name field is detected
    out = engine.assign(_points((20, 20), (400, 50), (600, 50), (5000, 0)), towns=towns)
    assert out["town"].tolist()[:3] == ["西镇", "西镇", "高沙镇"]
    assert out["town"].isna().iloc[3]  # outside every town
    assert out["price_src"].tolist() == ["urban", "", "", ""]  # no town grade: no town price
    graded = engine.assign(_points((20, 20), (600, 50)), towns=towns, town_grade=1)
    assert graded["p_comm"].tolist() == [PRICES[1][0], 100.0]  # the fake book's 高沙镇 grade 1
    assert graded["price_src"].tolist() == ["urban", "town"]


def test_a_township_layer_without_the_named_field_is_an_error(townships: Path) -> None:
    with pytest.raises(TownLayerError, match="no field 'NAME'; fields present: 乡镇名称"):
        load_towns(townships, "NAME")


def _lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = transform(X0 + x, Y0 + y, "EPSG:4546", "EPSG:4326")
    return float(lon), float(lat)


@pytest.mark.parametrize("sep", [",", "，", ", "])
def test_locate_takes_a_coordinate_pasted_as_one_argument(setup, sep: str) -> None:  # noqa: F811
    _, opts = setup
    lon, lat = _lonlat(20, 20)
    one = runner.invoke(app, ["locate", f"{lon!r}{sep}{lat!r}", "--json", *opts])
    two = runner.invoke(app, ["locate", repr(lon), repr(lat), "--json", *opts])
    assert one.exit_code == 0, one.output
    assert json.loads(one.stdout) == json.loads(two.stdout)
    assert json.loads(one.stdout)["grade"] == 1


def test_locate_rejects_a_coordinate_it_cannot_read(setup) -> None:  # noqa: F811
    _, opts = setup
    res = runner.invoke(app, ["locate", "110.575/27.06", *opts])
    assert res.exit_code == 2
    assert "is not a coordinate" in res.output and "X,Y" in res.output


def test_road_line_price_only_within_the_standard_depth(setup) -> None:  # noqa: F811
    _, opts = setup
    near = json.loads(runner.invoke(app, ["locate", *map(repr, _lonlat(200, 110)), "--json",
                                          *opts]).stdout)["nearest_route"]
    assert near["id"] == "R1" and near["distance_m"] == pytest.approx(10, abs=0.01)
    assert near["applicable"] and near["price"] == 3000
    far = json.loads(runner.invoke(app, ["locate", *map(repr, _lonlat(200, 160)), "--json",
                                         *opts]).stdout)["nearest_route"]
    assert far["id"] == "R1" and far["distance_m"] == pytest.approx(60, abs=0.01)
    assert far["applicable"] is False and far["price"] is None
    text = runner.invoke(
        app, ["locate", *map(repr, _lonlat(200, 160)), *opts, "--lang", "en"]).stdout
    assert "no road-line price applies" in text and "3000" not in text


def test_locate_outside_the_extent_shows_what_town_prices_would_give(
    setup, dongkou_dir: Path  # noqa: F811
) -> None:
    _, opts = setup
    point = [*map(repr, _lonlat(600, 50))]
    plain = runner.invoke(app, ["locate", *point, *opts, "--lang", "en"]).stdout
    assert "outside_extent" in plain and "--town NAME --town-grade N" in plain
    res = runner.invoke(app, ["locate", *point, "--town", "高沙镇", "--json", *opts])
    hint = json.loads(res.stdout)["town_prices"]
    table8 = _table8(dongkou_dir)
    assert hint["town_class"] == 1
    assert set(hint["by_town_grade"]) == {"1", "2", "3", "4"}  # a class-1 town has 4 grades
    for g, prices in hint["by_town_grade"].items():
        assert prices["commercial"] == table8[(1, "commercial", int(g))]
    priced = json.loads(runner.invoke(
        app, ["locate", *point, "--town", "高沙镇", "--town-grade", "2", "--json", *opts]).stdout)
    assert priced["status"] == "ok" and priced["price_source"] == "town"
    assert priced["prices"]["residential"] == table8[(1, "residential", 2)]
    inside = json.loads(runner.invoke(
        app, ["locate", *map(repr, _lonlat(20, 20)), "--town", "高沙镇", "--town-grade", "2",
              "--json", *opts]).stdout)
    assert inside["price_source"] == "urban" and inside["grade"] == 1
    assert inside["prices"]["commercial"] == np.float64(3194)  # Table 6, grade 1 commercial
    assert "not used" in inside["message"]


def test_locate_with_a_township_layer_names_the_town(setup, townships: Path) -> None:  # noqa: F811
    _, opts = setup
    res = runner.invoke(app, ["locate", *map(repr, _lonlat(600, 50)), "--towns",
                              str(townships), "--town-field", "乡镇名称", "--json", *opts])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["town"] == "高沙镇" and out["town_prices"]["town_class"] == 1


def test_a_township_file_with_several_layers_or_no_fields_names_the_real_fix(tmp_path) -> None:
    """--layer picks the input's layer, so it cannot be the fix for a --towns GeoPackage with
    several layers; a layer without attribute fields says so instead of 'found among ;'."""
    towns = gpd.GeoDataFrame({"name": ["洞口镇"]}, geometry=[shapely.box(0, 0, 10, 10)],
                             crs="EPSG:4546")
    both = tmp_path / "both.gpkg"
    towns.to_file(both, layer="towns")
    towns.to_file(both, layer="villages")
    with pytest.raises(TownLayerError, match=r"only the township layer.*ogr2ogr") as e:
        load_towns(both)
    assert "--layer" not in str(e.value)
    assert load_towns(both, layer="villages").names.tolist() == ["洞口镇"]
    bare = tmp_path / "bare.geojson"
    towns.drop(columns="name").to_file(bare)
    with pytest.raises(TownLayerError, match=r"has no attribute fields\); name it"):
        load_towns(bare)
