"""Every GeoPackage landgrade writes opens in QGIS 3.22 LTR / GDAL 3.6 as it should.

The files are GeoPackage 1.2 (GDAL 3.6 and QGIS 3.22 warn that a 1.4 file "may only be partially
supported"); ``build`` and ``export`` store the same QGIS styles; the grades layer carries each
use's Table 6 price, term and plot ratio and the valuation date, with the Chinese field aliases
of the county's ``field_aliases.csv``. The checks with GDAL's ``ogrinfo`` and with the system's
QGIS Python (Debian: ``gdal-bin``, ``python3-qgis qgis-providers``) skip when those are absent.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from typer.testing import CliRunner

from landgrade.cli.app import app

runner = CliRunner()
GPKG_1_2 = 10200  # the GeoPackage version in the SQLite user_version header
SYSTEM_PYTHON = "/usr/bin/python3"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _table6(county: Path) -> dict[tuple[int, str], float]:
    return {(int(r["grade"]), r["use"]): float(r["price"])
            for r in _rows(county / "urban_prices.csv")}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, dongkou_dir: Path) -> dict[str, Path]:
    """A build, an export and an assign output of the bundled county, each a GeoPackage."""
    tmp = tmp_path_factory.mktemp("qgis")
    env = {"LANDGRADE_CACHE": str(tmp / "cache")}
    points = gpd.GeoDataFrame(
        {"name": ["a", "b"]}, geometry=[shapely.Point(110.575, 27.06), shapely.Point(110.6, 27.05)],
        crs="EPSG:4326",
    )
    points.to_file(tmp / "points.geojson")
    (tmp / "shp").mkdir()  # landgrade writes into an existing folder only
    out = {"build": tmp / "built.gpkg", "export": tmp / "export.gpkg",
           "assign": tmp / "graded.gpkg"}
    for args in (
        ["build", "--county", str(dongkou_dir), "-o", str(out["build"]), "--quiet"],
        ["export", "-o", str(out["export"])],
        ["export", "-o", str(tmp / "shp" / "export.shp")],
        ["assign", str(tmp / "points.geojson"), "-o", str(out["assign"]), "--no-progress"],
    ):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("kind", ["build", "export", "assign"])
def test_every_geopackage_is_version_1_2(written: dict[str, Path], kind: str) -> None:
    with sqlite3.connect(written[kind]) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == GPKG_1_2
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"


@pytest.mark.parametrize("kind", ["build", "export"])
def test_grades_carry_table_6_prices_and_connotation_as_integers(
    written: dict[str, Path], kind: str, dongkou_dir: Path
) -> None:
    grades = pyogrio.read_dataframe(written[kind], layer="grades")
    info = pyogrio.read_info(written[kind], layer="grades")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["grade"] == types["p_comm"] == types["t_comm"] == "int64"
    table6 = _table6(dongkou_dir)
    by_grade = grades.set_index("grade")
    for g in range(1, 6):
        assert by_grade.at[g, "p_comm"] == table6[(g, "commercial")]
        assert by_grade.at[g, "p_resi"] == table6[(g, "residential")]
    terms = {(r["area"], r["grade"], r["use"]): r for r in _rows(dongkou_dir / "connotation.csv")}
    first = terms[("urban", "1", "commercial")]
    assert by_grade.at[1, "t_comm"] == int(first["term_years"])
    assert by_grade.at[1, "r_comm"] == float(first["plot_ratio"])
    meta = json.loads((dongkou_dir / "metadata.json").read_text(encoding="utf-8"))
    assert set(grades["val_date"]) == {meta["valuation_date"]}
    # areas to 0.01 m²
    assert (grades["area_m2"] * 100).round(6).mod(1).eq(0).all()
    routes = pyogrio.read_dataframe(written[kind], layer="routes", read_geometry=False)
    info = pyogrio.read_info(written[kind], layer="routes")
    assert dict(zip(info["fields"], info["dtypes"], strict=True))["grade"] == "int64"
    assert (routes["length_m"] * 100).round(6).mod(1).eq(0).all()


@pytest.mark.parametrize("kind", ["build", "export"])
def test_styles_are_stored_with_chinese_aliases_from_the_county_data(
    written: dict[str, Path], kind: str, dongkou_dir: Path
) -> None:
    with sqlite3.connect(written[kind]) as db:
        styles = dict(db.execute(
            "SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault").fetchall())
    assert {"grades", "routes", "extent"} <= set(styles)
    aliases = {
        a.get("field"): a.get("name")
        for a in ET.fromstring(styles["grades"].split("\n", 1)[1]).iter("alias")
    }
    data = {(r["layer"], r["field"]): r["alias_zh"]
            for r in _rows(dongkou_dir / "field_aliases.csv")}
    label = {r["use"]: r["label_zh"] for r in _rows(dongkou_dir / "uses.csv")}["commercial"]
    assert aliases["grade"] == data[("grades", "grade")]
    assert aliases["p_comm"] == data[("grades", "p_{use}")].replace("{use}", label)
    # The grade's price is the gazette's 基准地价 (not a parcel's price) and a use label ending
    # in a numeral (公共管理与公共服务用地 I) stays apart from the word after it.
    assert "基准地价" in aliases["p_comm"]
    assert all("I基准" not in a and "I使用" not in a for a in aliases.values())


@pytest.mark.parametrize("kind", ["build", "export"])
def test_metadata_holds_the_gazette_facts_and_no_absolute_path(
    written: dict[str, Path], kind: str, dongkou_dir: Path
) -> None:
    table = pyogrio.read_dataframe(written[kind], layer="metadata", read_geometry=False)
    meta = dict(zip(table["key"], table["value"], strict=True))
    county = json.loads((dongkou_dir / "metadata.json").read_text(encoding="utf-8"))
    for key in ("document", "issuer", "date", "valuation_date"):
        assert meta[key] == county[key]
    assert meta["exported_with"].startswith("landgrade ")
    assert meta["source"] == "table5.txt"  # relative to the county folder
    for value in meta.values():
        assert str(dongkou_dir.parent) not in value and not Path(value).is_absolute()


def test_a_county_folder_elsewhere_leaves_no_absolute_path_in_the_map(
    tmp_path: Path, dongkou_dir: Path
) -> None:
    county = tmp_path / "my county"
    shutil.copytree(dongkou_dir, county)
    out = tmp_path / "out" / "grades.gpkg"
    out.parent.mkdir()
    res = runner.invoke(app, ["build", "--county", str(county), "-o", str(out), "--quiet"],
                        env={"LANDGRADE_CACHE": str(tmp_path / "cache")})
    assert res.exit_code == 0, res.output
    table = pyogrio.read_dataframe(out, layer="metadata", read_geometry=False)
    meta = dict(zip(table["key"], table["value"], strict=True))
    # The folder is recorded relative to the map, so `--map` finds it where both were written.
    assert meta["source"] == "table5.txt" and meta["county_folder"] == "../my county"
    assert not any(str(tmp_path) in v or Path(v).is_absolute() for v in meta.values())
    assert meta["document"] == "洞政发〔2022〕1号"  # the gazette's 文号, from metadata.json


def test_ogrinfo_opens_every_geopackage_without_a_version_warning(
    written: dict[str, Path]
) -> None:
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        pytest.skip("ogrinfo not installed (Debian: apt-get install gdal-bin)")
    for path in written.values():
        done = subprocess.run([ogrinfo, "-ro", "-so", "-al", str(path)], capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert "partially supported" not in done.stderr + done.stdout, path
        assert "Warning" not in done.stderr, done.stderr


QGIS_CHECK = r"""
import json, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
log = []
QgsApplication.messageLog().messageReceived.connect(lambda m, tag, level: log.append(m))
out = {}
for path, layer in json.loads(sys.argv[1]):
    uri = f"{path}|layername={layer}" if layer else path  # a shapefile: its .qml beside it
    lyr = QgsVectorLayer(uri, layer or path, "ogr")
    fields = lyr.fields()
    first = next(lyr.getFeatures(), None)
    renderer = lyr.renderer()
    out[f"{path}:{layer}"] = {
        "valid": lyr.isValid(),
        "renderer": renderer.type() if renderer else None,
        "legend": [item.label() for item in renderer.legendSymbolItems()] if renderer else [],
        "title": lyr.metadata().title(),
        "aliases": {f.name(): lyr.attributeAlias(i) for i, f in enumerate(fields)},
        "types": {f.name(): f.typeName() for f in fields},
        "first": dict(zip(fields.names(), [str(v) for v in first.attributes()])) if first else {},
    }
    del lyr, first
app.processEvents()
print(json.dumps({"layers": out, "log": log}, ensure_ascii=False), flush=True)
app.exitQgis()
"""


def _system_qgis() -> str:
    if not Path(SYSTEM_PYTHON).exists():
        pytest.skip(f"no system Python at {SYSTEM_PYTHON} for QGIS")
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True,
                           check=False, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if probe.returncode != 0:
        pytest.skip("QGIS Python not installed (Debian: apt-get install python3-qgis "
                    "qgis-providers)")
    return SYSTEM_PYTHON


def test_qgis_opens_styled_priced_layers_with_chinese_aliases(
    written: dict[str, Path], dongkou_dir: Path, tmp_path: Path
) -> None:
    python = _system_qgis()
    layers = [[str(written[k]), name] for k in ("build", "export")
              for name in ("grades", "routes", "extent")]
    layers.append([str(written["assign"]), "graded"])
    shp = written["export"].parent / "shp" / "export_grades.shp"
    layers.append([str(shp), None])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp_path))
    done = subprocess.run([python, "-c", QGIS_CHECK, json.dumps(layers)], capture_output=True,
                          text=True, check=False, env=env, timeout=300)
    # The answer is printed before QGIS shuts down (some builds crash on exit; that is theirs).
    assert done.stdout.strip(), f"exit {done.returncode}: {done.stderr[-2000:]}"
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert "partially supported" not in done.stderr + " ".join(report["log"])
    label = {r["use"]: r["label_zh"] for r in _rows(dongkou_dir / "uses.csv")}["commercial"]
    table6 = _table6(dongkou_dir)
    for kind in ("build", "export"):
        grades = report["layers"][f"{written[kind]}:grades"]
        assert grades["valid"] and grades["renderer"] == "categorizedSymbol"
        assert grades["aliases"]["grade"] == "级别"
        assert label in grades["aliases"]["p_comm"]
        assert grades["types"]["grade"].lower().startswith("integer")
        grade = int(grades["first"]["grade"])
        assert float(grades["first"]["p_comm"]) == table6[(grade, "commercial")]
        # the county's language (Chinese) by default: legend and layer title as QGIS shows them
        assert grades["legend"][0] == "一级 — 商服用地 3194，住宅用地 1932（元/平方米）"
        assert grades["title"] == "土地级别"
        routes = report["layers"][f"{written[kind]}:routes"]
        assert routes["valid"] and routes["types"]["grade"].lower().startswith("integer")
        assert routes["aliases"]["price"]
        assert report["layers"][f"{written[kind]}:extent"]["valid"]
    graded = report["layers"][f"{written['assign']}:graded"]
    assert graded["valid"] and graded["renderer"] == "categorizedSymbol"
    assert graded["legend"][0].startswith("一级 — 商服用地")
    assert graded["legend"][-1] == "基准地价范围以外"  # rows without a grade: a grey class
    assert graded["aliases"]["grade"] == "级别" and graded["aliases"]["message"] == "说明"
    assert graded["aliases"]["name"] == ""  # the input's own fields keep their names
    shapefile = report["layers"][f"{shp}:None"]
    assert shapefile["valid"] and shapefile["renderer"] == "categorizedSymbol", shapefile
    assert shapefile["aliases"]["grade"] == "级别" and label in shapefile["aliases"]["p_comm"]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
