"""`landgrade serve` as an office meets it: a taken port is said before any address is printed,
uploads are priced by their land-use column, the web page speaks the county's language, and
the OGC API types its fields as the GeoPackage `landgrade export` writes does."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys

import geopandas as gpd
import pyogrio
import pytest
import shapely
from service_helpers import interior_point

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install '.[serve]')")
from fastapi.testclient import TestClient

from landgrade.engine import load_engine
from landgrade.engine.pricing import PricingOptions
from landgrade.service.app import ServiceConfig, create_app


@pytest.fixture(scope="module")
def engine():
    return load_engine()


@pytest.fixture(scope="module")
def client(engine):
    with TestClient(create_app(engine=engine), base_url="http://127.0.0.1") as c:
        yield c


def test_a_taken_port_is_an_error_naming_it_before_any_address(tmp_path) -> None:
    """Before: `serve` printed 'web page http://127.0.0.1:PORT/' and only then found the port
    taken. Now the port is bound first: exit 2, one line naming the port, no address."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "landgrade.cli", "serve", "--port",
                              str(port)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in run.stderr
    assert f"--port {port + 1}" in run.stderr
    assert "http://" not in run.stderr + run.stdout and "Traceback" not in run.stderr


def test_bind_port_refuses_a_port_out_of_range() -> None:
    from landgrade.errors import LandgradeError
    from landgrade.service import bind_port

    with pytest.raises(LandgradeError, match="--port 70000: give a port from 1 to 65535"):
        bind_port("127.0.0.1", 70000)
    sock = bind_port("127.0.0.1", _free_port())  # a free port is taken and handed on
    try:
        host, port = sock.getsockname()
        assert host == "127.0.0.1"
        # a second `serve` started while the first still loads its map (bound, not yet
        # serving): refused, not a second address printed for a port it cannot answer on
        with pytest.raises(LandgradeError, match=f"port {port} on 127.0.0.1 is already in use"):
            bind_port("127.0.0.1", port)
    finally:
        sock.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _parcels(engine) -> gpd.GeoDataFrame:
    p1, p3 = interior_point(engine, 1), interior_point(engine, 3)
    return gpd.GeoDataFrame(
        {"宗地号": ["DK-1", "DK-2", "DK-3", "DK-4"], "用途": ["商服用地", "住宅", "", "火星用地"]},
        geometry=[shapely.Point(p1), shapely.Point(p3).buffer(0.0003), shapely.Point(p1),
                  shapely.Point(p1)], crs="EPSG:4326")


@pytest.mark.parametrize("how", ["json", "upload"])
def test_assign_prices_each_row_by_its_use_field(client, engine, tmp_path, how) -> None:
    """``use_field`` is `assign --use-field`: price and total per row's use, a blank use
    unpriced, an unknown use flagged ``unknown_use`` (the same PricingOptions)."""
    parcels = _parcels(engine)
    want = engine.assign(parcels, pricing=PricingOptions(use_field="用途"))
    if how == "json":
        r = client.post("/api/assign?use_field=用途", json=json.loads(parcels.to_json()))
    else:
        src = tmp_path / "宗地.geojson"
        parcels.to_file(src, driver="GeoJSON")
        with src.open("rb") as f:
            r = client.post("/api/assign", params={"use_field": "用途"},
                            files={"file": ("宗地.geojson", f, "application/geo+json")})
    assert r.status_code == 200, r.text
    got = [f["properties"] for f in r.json()["features"]]
    assert [g["price"] for g in got] == [None if v != v else v for v in want["price"]]
    assert got[0]["price"] == engine.pricebook.urban_price(1, "commercial") == 3194
    assert got[2]["price"] is None and got[2]["status"] == "ok"  # a blank use: no price
    assert got[3]["status"] == "unknown_use"
    # without the option, no price column at all (as the command)
    plain = client.post("/api/assign", json=json.loads(parcels.to_json())).json()
    assert "price" not in plain["features"][0]["properties"]


def test_assign_names_a_use_field_the_file_does_not_have(client, engine) -> None:
    r = client.post("/api/assign?use_field=LANDUSE", json=json.loads(_parcels(engine).to_json()))
    assert r.status_code == 400 and "LANDUSE" in r.json()["detail"]


def test_the_page_speaks_the_county_language_or_the_one_asked(engine) -> None:
    zh = TestClient(create_app(engine=engine), base_url="http://127.0.0.1").get("/").text
    en = TestClient(create_app(ServiceConfig(lang="en"), engine=engine), base_url="http://127.0.0.1").get("/").text
    assert '<html lang="zh-CN">' in zh and "<title>洞口县城镇土地级别与基准地价图 · landgrade" in zh
    for words in ("点击地图查询", "输入坐标", "宗地文件定级", "用途字段", "上传定级", "选择文件"):
        assert words in zh
    # the visible page under zh: no English sentence of the interface is left (names of
    # formats, standards and the product excepted)
    body = re.sub(r"<script.*?</script>|<[^>]+>", " ", zh, flags=re.S)
    left = set(re.findall(r"[A-Za-z]{3,}", body)) - {
        "landgrade", "API", "OGC", "Features", "GeoJSON", "CSV", "Excel", "GeoPackage",
        "Shapefile", "zip", "WGS", "GPS", "GCJ", "EPSG", "CGCS", "DLMC"}
    assert not left, left
    config = json.loads(re.search(r'id="lg-config">(.*?)</script>', zh, re.S).group(1)
                        .replace("<\\/", "</"))
    assert config["words"]["yes"] == "是" and config["words"]["no"] == "否"
    assert config["grade_labels"]["1"] == "一级" and config["columns"]["in_extent"] == "定级范围内"
    assert '<html lang="en">' in en and "Grade a parcel file" in en and "点击地图查询" not in en
    en_config = json.loads(re.search(r'id="lg-config">(.*?)</script>', en, re.S).group(1))
    assert en_config["words"]["yes"] == "true" and en_config["grade_labels"]["1"] == "Grade 1"
    # the map's own coordinate systems are offered, worded in the page's language
    assert '<option value="EPSG:4546">2000国家大地坐标系 高斯-克吕格投影 3度带 中央经线 111°E' in zh
    assert '<option value="EPSG:4525">' in zh


def test_ogc_serves_the_water_and_titles_in_the_county_language(client, engine) -> None:
    cols = {c["id"]: c for c in client.get("/ogc/collections").json()["collections"]}
    assert cols["grades"]["title"] == "土地级别" and cols["water"]["title"] == "水系"
    water = client.get("/ogc/collections/water/items").json()
    assert water["numberMatched"] == len(engine.grade_map.water) > 0
    assert {f["properties"]["name"] for f in water["features"]} == set(
        engine.grade_map.water["name"])
    en = TestClient(create_app(ServiceConfig(lang="en"), engine=engine), base_url="http://127.0.0.1")
    assert en.get("/ogc/collections/grades").json()["title"] == "land grades"


def _json_kind(values: list) -> str:
    values = [v for v in values if v is not None]
    if all(isinstance(v, bool) for v in values) and values:
        return "other"
    if values and all(isinstance(v, int) for v in values):
        return "integer"
    if values and all(isinstance(v, int | float) for v in values):
        return "real"
    return "other"


def test_ogc_field_types_are_the_exported_geopackage_types(client, tmp_path) -> None:
    """Each field's JSON numbers are integers exactly where `landgrade export` writes an
    integer field (grade, whole-yuan prices, terms, routes.grade, standard depth) and real
    numbers where it writes a real one; before, prices came as 3194.0 and routes.grade as
    text."""
    from landgrade.outputs.export import export_command

    gpkg = export_command(tmp_path / "export.gpkg").files[0]
    for layer in ("grades", "routes"):
        info = pyogrio.read_info(gpkg, layer=layer)
        exported = {str(f): "integer" if str(d).startswith("int") else
                    "real" if str(d).startswith("float") else "other"
                    for f, d in zip(info["fields"], info["dtypes"], strict=True)}
        features = client.get(f"/ogc/collections/{layer}/items?limit=1000").json()["features"]
        served = {k: _json_kind([f["properties"].get(k) for f in features])
                  for k in features[0]["properties"]}
        assert served == {k: exported[k] for k in served}, layer
    assert exported["grade"] == exported["price"] == "integer"
