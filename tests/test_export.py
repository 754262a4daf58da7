"""QGIS export of a hand-drawn grade map (see synthetic_grade_map.py)."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from matplotlib.colors import to_rgb
from synthetic_grade_map import RING_AREAS, synthetic_grade_map, table6_legend

from landgrade.build.grade_map import GradeMap
from landgrade.gazette.labels import SCHEMATIC_NOTE
from landgrade.outputs.export import ExportError, export_grade_map
from landgrade.outputs.map_style import grade_colors


def _styles(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault"
        ).fetchall()
    return dict(rows)


def _descriptions(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT table_name, description FROM gpkg_contents").fetchall())


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gpkg") / "dongkou.gpkg"
    export_grade_map(synthetic_grade_map(), out, prices=table6_legend())
    return out


def test_gpkg_reads_back_with_every_layer(gpkg: Path) -> None:
    layers = {name for name, _ in pyogrio.list_layers(gpkg)}
    assert layers >= {"grades", "routes", "extent", "water", "roads", "report", "metadata"}
    assert "layer_styles" in layers
    back = GradeMap.read(gpkg)
    areas = dict(zip(back.grades["grade"], back.grades.geometry.area, strict=True))
    assert areas == pytest.approx(RING_AREAS)
    assert list(back.routes["name"]) == ["桔城路 4", "雪峰中路 5", "洞口大道 1"]
    assert back.schematic


def test_grades_style_categorizes_on_grade_with_the_map_colours(gpkg: Path) -> None:
    qml = ET.fromstring(_styles(gpkg)["grades"])
    renderer = qml.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == "grade"
    categories = renderer.find("categories")
    assert [c.get("value") for c in categories] == ["1", "2", "3", "4", "5"]
    assert "3194" in categories[0].get("label")  # Table 6: grade 1 commercial
    assert "480" in categories[4].get("label")  # Table 6: grade 5 residential
    symbols = {s.get("name"): s for s in renderer.find("symbols")}
    for category, (_grade, hex_color) in zip(
        categories, sorted(grade_colors(range(1, 6)).items()), strict=True
    ):
        symbol = symbols[category.get("symbol")]
        color = next(o.get("value") for o in symbol.iter("Option") if o.get("name") == "color")
        expected = [round(255 * c) for c in to_rgb(hex_color)]
        assert [int(v) for v in color.split(",")[:3]] == expected


def test_routes_style_labels_by_id(gpkg: Path) -> None:
    qml = ET.fromstring(_styles(gpkg)["routes"])
    assert qml.get("labelsEnabled") == "1"
    assert qml.find("labeling/settings/text-style").get("fieldName") == "id"
    assert qml.find("labeling/settings/text-style/text-buffer").get("bufferDraw") == "1"


def test_every_spatial_layer_has_a_default_style(gpkg: Path) -> None:
    assert set(_styles(gpkg)) == {"grades", "routes", "extent", "water", "roads"}


def test_layer_descriptions_say_schematic_only_when_it_is(tmp_path: Path, gpkg: Path) -> None:
    assert SCHEMATIC_NOTE in _descriptions(gpkg)["grades"]
    surveyed = tmp_path / "surveyed.gpkg"
    export_grade_map(synthetic_grade_map(schematic=False), surveyed)
    assert SCHEMATIC_NOTE not in _descriptions(surveyed)["grades"]
    assert "grade zones" in _descriptions(surveyed)["grades"]


def test_water_areas_get_a_fill_style(tmp_path: Path) -> None:
    gm = synthetic_grade_map()
    gm.water = gm.water.set_geometry(gm.water.buffer(15))
    out = tmp_path / "areas.gpkg"
    export_grade_map(gm, out)
    symbol = ET.fromstring(_styles(out)["water"]).find("renderer-v2/symbols/symbol")
    assert symbol.get("type") == "fill"


def test_shapefiles_one_per_layer_in_utf8_with_styles(tmp_path: Path) -> None:
    result = export_grade_map(synthetic_grade_map(), tmp_path / "dk.shp", prices=table6_legend())
    for layer in ("grades", "routes", "extent", "water", "roads"):
        shp = tmp_path / f"dk_{layer}.shp"
        assert shp.exists(), layer
        assert shp.with_suffix(".cpg").read_text().strip().upper() == "UTF-8"
        assert shp.with_suffix(".qml").exists()
    routes = pyogrio.read_dataframe(tmp_path / "dk_routes.shp")
    assert list(routes["name"]) == ["桔城路 4", "雪峰中路 5", "洞口大道 1"]
    assert list(routes["std_depth"]) == [20, 16, 12]
    assert result.renamed["routes"]["standard_depth_m"] == "std_depth"
    report = pd.read_csv(tmp_path / "dk_report.csv", encoding="utf-8-sig")
    assert list(report["clause"]) == ["一级 1", "A01"]
    meta = pd.read_csv(tmp_path / "dk_metadata.csv", encoding="utf-8-sig")
    assert dict(zip(meta["key"], meta["value"], strict=True))["county"] == "测试县"


def test_other_suffixes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"\.gpkg .*\.shp"):
        export_grade_map(synthetic_grade_map(), tmp_path / "out.kml")


def test_cli_export_styles_with_the_county_prices(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    map_file = synthetic_grade_map().to_gpkg(tmp_path / "synthetic.gpkg")
    out = tmp_path / "out.gpkg"
    result = CliRunner().invoke(
        app, ["export", "-o", str(out), "--map", str(map_file), "--county", "dongkou"]
    )
    assert result.exit_code == 0, result.output
    label = ET.fromstring(_styles(out)["grades"]).find("renderer-v2/categories/category")
    assert "3194" in label.get("label")  # Dongkou Table 6, grade 1 commercial


def test_cli_export_refuses_unknown_formats(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    result = CliRunner().invoke(app, ["export", "-o", str(tmp_path / "out.kml")])
    assert result.exit_code == 2
    assert ".gpkg" in result.output


def test_cli_export_refuses_a_map_without_a_grade_column(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    gm = synthetic_grade_map()
    gm.grades = gm.grades.rename(columns={"grade": "level"})
    bad = gm.to_gpkg(tmp_path / "no_grade.gpkg")
    out = tmp_path / "out.gpkg"
    result = CliRunner().invoke(app, ["export", "-o", str(out), "--map", str(bad)])
    assert result.exit_code == 2, result.output
    assert "no_grade.gpkg" in result.output and "`grade` column" in result.output


def test_shapefiles_split_water_that_mixes_lines_and_areas(tmp_path: Path) -> None:
    import geopandas as gpd

    gm = synthetic_grade_map()
    river = gm.water.set_geometry(gm.water.buffer(15)).assign(name=["平溪江 area"])
    gm.water = gpd.GeoDataFrame(pd.concat([gm.water, river], ignore_index=True), crs=gm.water.crs)
    export_grade_map(gm, tmp_path / "dk.shp")
    lines = pyogrio.read_dataframe(tmp_path / "dk_water_lines.shp")
    areas = pyogrio.read_dataframe(tmp_path / "dk_water_areas.shp")
    assert list(lines["name"]) == ["平溪江"] and list(areas["name"]) == ["平溪江 area"]
    line_style = ET.fromstring((tmp_path / "dk_water_lines.qml").read_text(encoding="utf-8"))
    area_style = ET.fromstring((tmp_path / "dk_water_areas.qml").read_text(encoding="utf-8"))
    assert line_style.find("renderer-v2/symbols/symbol").get("type") == "line"
    assert area_style.find("renderer-v2/symbols/symbol").get("type") == "fill"
