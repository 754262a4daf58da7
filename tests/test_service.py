"""`landgrade serve`: the API answers as the CLI does, refuses bad requests with 4xx, and serves
an OGC API – Features that carries Table 6's prices (ASGI test client, bundled Dongkou map)."""

from __future__ import annotations

import io as bytesio
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from service_helpers import interior_point
from typer.testing import CliRunner

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install '.[serve]')")
from fastapi.testclient import TestClient

from landgrade import io
from landgrade.cli.app import app as cli
from landgrade.engine import load_engine
from landgrade.engine.answer import to_record, use_short
from landgrade.engine.pricing import PricingOptions
from landgrade.io.crs import transform
from landgrade.io.webmaps import wgs84_to_bd09, wgs84_to_gcj02
from landgrade.jobs.assign import assign_command
from landgrade.service.app import ServiceConfig, create_app

# The names the test clients send as Host (TestClient's, httpx's and a proxy's): the service
# answers only the names it is told besides localhost and IP addresses.
HOSTS = ("testserver", "t", "gis.example")

runner = CliRunner()


@pytest.fixture(scope="module")
def engine():
    return load_engine()


@pytest.fixture(scope="module")
def client(engine):
    with TestClient(create_app(ServiceConfig(allowed_hosts=HOSTS), engine=engine)) as c:
        yield c


def _cli_locate(x: float, y: float, crs: str) -> dict:
    res = runner.invoke(cli, ["locate", repr(x), repr(y), "--crs", crs, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _points(engine) -> list[tuple[float, float, str]]:
    """A point in each grade (WGS84, and re-expressed in GCJ-02, BD-09 and the working CRS),
    one outside the extent but in the county, one far outside."""
    pts = [(*interior_point(engine, g), "EPSG:4326") for g in (1, 2, 3, 4, 5)]
    lon, lat = interior_point(engine, 1)
    pts.append((*map(float, wgs84_to_gcj02(lon, lat)), "gcj02"))
    pts.append((*map(float, wgs84_to_bd09(lon, lat)), "bd09"))
    pts.append((*map(float, transform(lon, lat, "EPSG:4326", "EPSG:4546")), "EPSG:4546"))
    pts.append((110.70, 27.20, "EPSG:4326"))  # county, not the county seat's extent
    pts.append((116.40, 39.90, "EPSG:4326"))  # Beijing
    return pts


# --- /api/locate ------------------------------------------------------------------------------
def test_get_locate_is_exactly_the_cli_json(client, engine) -> None:
    statuses = set()
    for x, y, crs in _points(engine):
        r = client.get("/api/locate", params={"x": repr(x), "y": repr(y), "crs": crs})
        assert r.status_code == 200, r.text
        assert r.json() == _cli_locate(x, y, crs), (x, y, crs)
        statuses.add(r.json()["status"])
    assert {"ok", "outside_extent", "outside_county"} <= statuses


def test_grade_1_answers_table_6(client, engine) -> None:
    lon, lat = interior_point(engine, 1)
    rec = client.get("/api/locate", params={"x": lon, "y": lat}).json()
    assert rec["grade"] == 1 and rec["status"] == "ok"
    assert rec["prices"] == engine.pricebook.urban_prices(1)  # Table 6, from the data files
    c = engine.pricebook.connotation(1, "residential")
    assert rec["connotation"]["residential"] == {"term_years": c.term_years,
                                                 "plot_ratio": c.plot_ratio}


@pytest.mark.parametrize("sep", [",", "，", ", ", " ", "；"])
def test_pasted_xy_equals_x_and_y(client, engine, sep) -> None:
    lon, lat = interior_point(engine, 2)
    gx, gy = (float(v) for v in wgs84_to_gcj02(lon, lat))
    want = client.get("/api/locate", params={"x": gx, "y": gy, "crs": "gcj02"}).json()
    got = client.get("/api/locate", params={"xy": f"{gx}{sep}{gy}", "crs": "gcj02"})
    assert got.status_code == 200, got.text
    assert got.json() == want and want["grade"] == 2


def test_post_locate_answers_in_order_as_single_points(client, engine) -> None:
    pts = [p for p in _points(engine) if p[2] == "EPSG:4326"]
    xs = [p[0] for p in pts] + [None]
    ys = [p[1] for p in pts] + [27.0]
    r = client.post("/api/locate", json={"x": xs, "y": ys})
    assert r.status_code == 200, r.text
    answers = r.json()["answers"]
    assert len(answers) == len(xs)
    for (x, y, _), a in zip(pts, answers, strict=False):
        assert a == client.get("/api/locate", params={"x": x, "y": y}).json()
    assert answers[-1]["status"] == "null_geometry"  # a blank is a flagged row, not dropped
    frame = engine.locate(xs[:-1], ys[:-1], crs="EPSG:4326")
    assert answers[:-1] == [to_record(engine, frame.iloc[i]) for i in range(len(frame))]


def test_batched_answers_do_not_depend_on_their_neighbours(client, engine) -> None:
    rng = np.random.default_rng(3)
    x0, y0, x1, y1 = engine.grade_map.extent.to_crs(4326).total_bounds
    xs, ys = rng.uniform(x0, x1, 300), rng.uniform(y0, y1, 300)
    whole = client.post("/api/locate", json={"x": xs.tolist(), "y": ys.tolist()}).json()
    rev = client.post("/api/locate", json={"x": xs[::-1].tolist(), "y": ys[::-1].tolist()}).json()
    assert whole["answers"] == rev["answers"][::-1]
    assert len({a["grade"] for a in whole["answers"]}) >= 4


def test_concurrent_requests_coalesced_each_get_their_own_answers(engine) -> None:
    """Many requests in flight at once (mixed CRSs, single points and a batch larger than one
    engine call's slice) are answered together, each with exactly its own points' answers."""
    import asyncio

    import httpx

    from landgrade.service.batch import SLICE_POINTS

    rng = np.random.default_rng(11)
    x0, y0, x1, y1 = engine.grade_map.extent.to_crs(4326).total_bounds
    n_big = 2 * SLICE_POINTS + 123
    bx, by = rng.uniform(x0, x1, n_big), rng.uniform(y0, y1, n_big)
    singles = [(float(rng.uniform(x0, x1)), float(rng.uniform(y0, y1)),
                "gcj02" if i % 3 == 0 else "EPSG:4326") for i in range(60)]

    app = create_app(ServiceConfig(allowed_hosts=HOSTS), engine=engine)

    async def run() -> tuple[list[dict], dict]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            big = c.post("/api/locate", json={"x": bx.tolist(), "y": by.tolist()})
            small = [c.get("/api/locate", params={"x": x, "y": y, "crs": crs})
                     for x, y, crs in singles]
            got = await asyncio.gather(big, *small)
        return [r.json() for r in got[1:]], got[0].json()

    small, big = asyncio.run(run())
    requests = len(singles) + 3  # the batch is three slices
    assert app.state.batcher.engine_calls < requests / 2  # coalesced, not one call each
    for (x, y, crs), rec in zip(singles, small, strict=True):
        assert rec == to_record(engine, engine.locate(x, y, crs=crs).iloc[0])
    frame = engine.locate(bx, by, crs="EPSG:4326")
    assert big["count"] == n_big
    for i in (0, SLICE_POINTS - 1, SLICE_POINTS, n_big - 1):
        assert big["answers"][i] == to_record(engine, frame.iloc[i])
    assert [a["grade"] for a in big["answers"]] == [
        None if pd.isna(g) else int(g) for g in frame["grade"]]


# --- /api/assign ------------------------------------------------------------------------------
def _parcels(engine) -> gpd.GeoDataFrame:
    """Points and parcels in WGS84 with Chinese attributes, a null geometry and a parcel across
    the grade 1 / 2 boundary."""
    p1, p2 = interior_point(engine, 1), interior_point(engine, 2)
    g1 = engine.grade_map.grades.set_index("grade").geometry
    edge = shapely.intersection(g1[1].boundary, g1[2].boundary)
    e = shapely.get_coordinates(edge)[0]
    across = gpd.GeoSeries([shapely.Point(e).buffer(30)], crs=4546).to_crs(4326).iloc[0]
    return gpd.GeoDataFrame(
        {"宗地号": ["DK-1", "DK-2", "DK-3", "DK-4"], "面积": [1.5, 2.0, None, 4.0]},
        geometry=[shapely.Point(p1), shapely.Point(p2).buffer(0.0004), None, across],
        crs="EPSG:4326",
    )


def _cli_assign(tmp_path: Path, src: Path, out_name: str, crs: str | None = None) -> Path:
    out = tmp_path / out_name
    # The API answers with the field codes and the engine's own messages: what `landgrade
    # assign --lang en` writes (the command's default is the county's language).
    assign_command(src, out, crs=crs, progress=False, pricing=PricingOptions(lang="en"))
    return out


def _read(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_parquet(path) if path.suffix == ".parquet" else gpd.read_file(path)


def _same_file_content(a: Path, b: Path) -> None:
    fa, fb = _read(a), _read(b)
    pd.testing.assert_frame_equal(pd.DataFrame(fa.drop(columns="geometry")),
                                  pd.DataFrame(fb.drop(columns="geometry")))
    assert list(fa.geometry.is_empty | fa.geometry.isna()) == list(
        fb.geometry.is_empty | fb.geometry.isna())


def test_assign_feature_collection_is_the_assign_command(client, engine, tmp_path) -> None:
    gdf = _parcels(engine)
    fc = json.loads(gdf.to_json(drop_id=True))
    fc["features"][0]["id"] = "宗地-甲"  # feature ids come back too
    fc["features"][2]["id"] = 7
    r = client.post("/api/assign", json=fc)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    out = r.json()
    assert "lgtmp" not in out.get("name", "")  # the atomic writer's temp name must not leak
    assert len(out["features"]) == len(fc["features"])
    for fin, fout in zip(fc["features"], out["features"], strict=True):
        for k, v in fin["properties"].items():  # every input property kept
            assert fout["properties"][k] == v
    assert [f.get("id") for f in out["features"]] == [f.get("id") for f in fc["features"]]
    grades = [f["properties"]["grade"] for f in out["features"]]
    assert grades[:2] == [1, 2] and grades[2] is None
    assert out["features"][2]["properties"]["status"] == "null_geometry"
    assert 0 < out["features"][3]["properties"]["share_1"] < 1  # straddles grades 1 and 2
    src = tmp_path / "in.geojson"
    src.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    served = tmp_path / "served.geojson"
    served.write_bytes(r.content)
    _same_file_content(served, _cli_assign(tmp_path, src, "cli.geojson"))


def _zip_shapefile(gdf: gpd.GeoDataFrame, folder: Path, stem: str = "宗地") -> bytes:
    io.write_file(gdf, folder / f"{stem}.shp")
    buf = bytesio.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for part in folder.glob(f"{stem}.*"):
            z.write(part, f"data/{part.name}")
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["shp", "gpkg", "csv", "geojson", "parquet"])
def test_uploads_come_back_as_assign_writes_them(client, engine, tmp_path, kind) -> None:
    gdf = _parcels(engine).to_crs(4546)
    if kind == "csv":
        (x1, y1), (x2, y2) = interior_point(engine, 1), interior_point(engine, 2)
        df = pd.DataFrame({"宗地号": ["DK-1", "DK-2"], "经度": [x1, x2], "纬度": [y1, y2]})
        src = tmp_path / "in.csv"
        df.to_csv(src, index=False)
        data, name = src.read_bytes(), "宗地.csv"
    elif kind == "shp":
        gdf = gdf[gdf.geometry.notna() & (gdf.geom_type == "Polygon")]
        shp_dir = tmp_path / "shp"
        shp_dir.mkdir()
        data, name = _zip_shapefile(gdf, shp_dir), "宗地.zip"
        src = shp_dir / "宗地.shp"
    else:
        src = tmp_path / f"in.{kind}"
        io.write_file(gdf, src)
        data, name = src.read_bytes(), f"parcels.{kind}"
    r = client.post("/api/assign", files={"file": (name, data)})
    assert r.status_code == 200, r.text
    out_kind = {"shp": "zip"}.get(kind, kind)
    stem = name.rsplit(".", 1)[0]
    assert _saved_name(r) == f"{stem}_graded.{out_kind}"  # named after the upload
    served = tmp_path / f"served.{out_kind}"
    served.write_bytes(r.content)
    if kind == "shp":
        with zipfile.ZipFile(served) as z:
            assert sorted(z.namelist()) == sorted(
                f"{stem}_graded.{e}" for e in ("shp", "shx", "dbf", "prj", "cpg"))
            z.extractall(tmp_path / "served")
        served = tmp_path / "served" / f"{stem}_graded.shp"
    if kind == "gpkg":  # the layer QGIS lists is the user's name, not "output"
        assert list(pyogrio.list_layers(served)[:, 0]) == [f"{stem}_graded"]
    cli_out = _cli_assign(tmp_path, src, f"cli.{'shp' if kind == 'shp' else kind}")
    if kind == "csv":
        pd.testing.assert_frame_equal(pd.read_csv(served), pd.read_csv(cli_out))
        assert list(pd.read_csv(served)["grade"]) == [1, 2]
    else:
        _same_file_content(served, cli_out)
    assert int(r.headers["x-landgrade-rows"]) == (2 if kind == "csv" else len(_read(cli_out)))


def _saved_name(r) -> str:
    """The file name a browser saves a response as: RFC 6266's filename* (RFC 5987, UTF-8)
    wins over the plain filename."""
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    star = re.search(r"filename\*=UTF-8''([^;\s]+)", disposition)
    assert star, disposition
    return unquote(star.group(1), errors="strict")


@pytest.mark.parametrize(("upload", "fmt", "header"), [
    ("parcels.zip", None,
     "attachment; filename=\"parcels_graded.zip\"; filename*=UTF-8''parcels_graded.zip"),
    # 地 U+5730 = E5 9C B0, 块 U+5757 = E5 9D 97 in UTF-8; the ASCII stand-in keeps no stem
    ("地块.gpkg", None, "attachment; filename=\"graded.gpkg\"; "
     "filename*=UTF-8''%E5%9C%B0%E5%9D%97_graded.gpkg"),
    ("地块.gpkg", "csv", "attachment; filename=\"graded.csv\"; "
     "filename*=UTF-8''%E5%9C%B0%E5%9D%97_graded.csv"),
    # a Windows path as old browsers send it, spaces and brackets: only the name, made safe
    ("C:\\Users\\me\\地块 A(2).csv", None, "attachment; filename=\"A_2_graded.csv\"; "
     "filename*=UTF-8''%E5%9C%B0%E5%9D%97_A_2_graded.csv"),
    # é (U+00E9 = C3 A9) is not ASCII: one _ for it and the _ after it, not caf__graded
    ("café.csv", None, "attachment; filename=\"caf_graded.csv\"; "
     "filename*=UTF-8''caf%C3%A9_graded.csv"),
    ("../../etc/parcels.geojson", "gpkg",
     "attachment; filename=\"parcels_graded.gpkg\"; filename*=UTF-8''parcels_graded.gpkg"),
])
def test_download_named_after_the_upload(client, engine, tmp_path, upload, fmt, header) -> None:
    gdf = _parcels(engine)
    gdf = gdf[gdf.geometry.notna() & (gdf.geom_type == "Polygon")]  # a shapefile holds one kind
    ext = upload.rsplit(".", 1)[1]
    if ext == "zip":
        shp_dir = tmp_path / "shp"
        shp_dir.mkdir()
        data = _zip_shapefile(gdf, shp_dir)
    else:
        src = tmp_path / f"in.{ext}"
        if ext == "csv":
            pd.DataFrame({"x": [interior_point(engine, 1)[0]],
                          "y": [interior_point(engine, 1)[1]]}).to_csv(src, index=False)
        else:
            io.write_file(gdf, src)
        data = src.read_bytes()
    r = client.post("/api/assign", params={"format": fmt} if fmt else {},
                    files={"file": (upload, data)})
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == header
    assert "/" not in _saved_name(r) and "\\" not in _saved_name(r)


@pytest.mark.parametrize(("upload", "layer"), [
    ("-.csv", "upload_graded"),  # GDAL: "The layer name may not contain special characters"
    ("gpkg导出.csv", "_gpkg导出_graded"),  # GDAL: "may not begin with 'gpkg'" (reserved)
])
def test_gpkg_download_of_an_awkward_upload_name(client, engine, tmp_path, upload, layer) -> None:
    """The upload's name becomes the GeoPackage layer's; a name GDAL refuses as a layer is
    changed, not answered with a 400 for a file that is fine."""
    lon, lat = interior_point(engine, 1)
    data = f"x,y\n{lon},{lat}\n".encode()
    r = client.post("/api/assign", params={"format": "gpkg"}, files={"file": (upload, data)})
    assert r.status_code == 200, r.text
    assert _saved_name(r) == f"{layer}.gpkg"
    served = tmp_path / "served.gpkg"
    served.write_bytes(r.content)
    assert list(pyogrio.list_layers(served)[:, 0]) == [layer]
    assert gpd.read_file(served)["grade"].tolist() == [1]


def test_upload_output_format_and_crs_override(client, engine, tmp_path) -> None:
    lon, lat = interior_point(engine, 1)
    gx, gy = (float(v) for v in wgs84_to_gcj02(lon, lat))
    csv = f"name,lng,lat\nA,{gx},{gy}\n".encode()
    r = client.post("/api/assign", params={"format": "gpkg", "crs": "gcj02"},
                    files={"file": ("amap.csv", csv)})
    assert r.status_code == 200, r.text
    (tmp_path / "o.gpkg").write_bytes(r.content)
    out = gpd.read_file(tmp_path / "o.gpkg")
    assert list(out["grade"]) == [1] and list(out["name"]) == ["A"]


def test_zip_member_names_never_become_paths(client, engine, tmp_path) -> None:
    gdf = _parcels(engine).iloc[:1]
    io.write_file(gdf, tmp_path / "p.shp")
    buf = bytesio.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for part in tmp_path.glob("p.*"):
            z.write(part, f"../../escape{part.suffix}")
    r = client.post("/api/assign", files={"file": ("x.zip", buf.getvalue())})
    assert r.status_code == 200, r.text
    assert not list(Path("/tmp").parent.glob("escape.*"))
    assert not (tmp_path.parent / "escape.shp").exists()


def test_zip_bomb_and_two_shapefiles_refused(engine, tmp_path) -> None:
    small = TestClient(create_app(ServiceConfig(max_body_bytes=20_000, allowed_hosts=HOSTS),
                                  engine=engine))
    buf = bytesio.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.shp", b"\0" * 5_000_000)  # compresses to a few kB
        z.writestr("big.shx", b"\0" * 100)
        z.writestr("big.dbf", b"\0" * 100)
    assert len(buf.getvalue()) < 20_000
    r = small.post("/api/assign", files={"file": ("bomb.zip", buf.getvalue())})
    assert r.status_code == 413 and "unpacks to more than" in r.json()["detail"]
    buf = bytesio.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.shp", b"x")
        z.writestr("b.shp", b"x")
    r = small.post("/api/assign", files={"file": ("two.zip", buf.getvalue())})
    assert r.status_code == 400 and "exactly one shapefile" in r.json()["detail"]


# --- bad requests -----------------------------------------------------------------------------
BAD = [
    ("get", "/api/locate", {"params": {"x": "abc", "y": "27"}}, 400, "x: 'abc' is not a number"),
    ("get", "/api/locate", {"params": {"x": "110.5"}}, 400, "y: missing"),
    ("get", "/api/locate", {"params": {"x": "nan", "y": "1"}}, 400, "not a finite number"),
    ("get", "/api/locate", {"params": {"xy": "110.5"}}, 400, "not two numbers"),
    ("get", "/api/locate", {"params": {"xy": "1,2", "x": "1"}}, 400, "not both"),
    ("get", "/api/locate", {"params": {"x": "1", "y": "2", "crs": "EPSG:99999"}}, 400,
     "unknown coordinate system"),
    ("get", "/api/locate", {"params": {"x": "1", "y": "2", "crs": "mars2000"}}, 400,
     "not on Earth"),
    ("get", "/api/locate", {"params": {"x": "1", "y": "2", "crs": "nowhere84"}}, 400,
     "unknown coordinate system"),
    ("get", "/api/locate", {"params": {"x": "1", "y": "2", "crs": "+proj=longlat +init=/etc/x"}},
     400, "not a coordinate system code"),
    ("get", "/api/locate", {"params": {"x": "1", "y": "2", "crs": "/etc/passwd"}}, 400,
     "not a coordinate system code"),
    ("post", "/api/locate", {"content": b"{not json"}, 400, "not valid JSON"),
    ("post", "/api/locate", {"json": [1, 2]}, 400, "give an object"),
    ("post", "/api/locate", {"content": b"[" * 200_000 + b"]" * 200_000}, 400, "nested too deeply"),
    ("post", "/api/assign", {"content": b"[" * 200_000 + b"]" * 200_000}, 400, "nested too deeply"),
    ("post", "/api/locate", {"json": {"x": [1]}}, 400, "missing y"),
    ("post", "/api/locate", {"json": {"x": [1, 2], "y": [1]}}, 400, "x has 2 values but y has 1"),
    ("post", "/api/locate", {"json": {"x": [1, "a"], "y": [1, 2]}}, 400, "x[1]: 'a'"),
    ("post", "/api/locate", {"json": {"x": [1], "y": [1], "crs": 4326}}, 400, "as a string"),
    ("post", "/api/locate", {"json": {"x": [1], "y": [1], "z": 1}}, 400, "unknown key"),
    ("post", "/api/assign", {"json": {"type": "Feature"}}, 400, "FeatureCollection"),
    ("post", "/api/assign", {"json": {"type": "FeatureCollection", "features": []}}, 400,
     "no features"),
    ("post", "/api/assign", {"json": {"type": "FeatureCollection", "features": [1]}}, 400,
     "features[0]: not a GeoJSON Feature"),
    ("post", "/api/assign", {"json": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": "x"},
         "properties": {}}]}}, 400, "features[0].geometry: not a GeoJSON geometry"),
    ("post", "/api/assign", {"json": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[1, 2]]},
         "properties": {}}]}}, 400, "features[0].geometry: not a readable GeoJSON Polygon"),
    ("post", "/api/assign", {"content": b"x=1", "headers": {"content-type": "text/plain"}},
     415, "content type"),
    ("post", "/api/assign", {"files": {"file": ("a.gpkg", b"hello")}}, 400,
     "named .gpkg but is not a GeoPackage"),
    ("post", "/api/assign", {"files": {"file": ("a.zip", b"PK\x03\x04junk")}}, 400,
     "not a readable zip"),
    ("post", "/api/assign", {"files": {"file": ("a.exe", b"MZ")}}, 400, "unknown file type"),
    ("post", "/api/assign", {"files": {"file": ("a.csv", b"")}}, 400, "empty"),
    ("post", "/api/assign", {"files": {"file": ("a.csv", b"x,y\n")}}, 400, "no rows"),
    ("post", "/api/assign", {"files": {"file": (
        "a.geojson", b'{"type": "FeatureCollection", "features": []}')}}, 400, "no rows"),
    ("post", "/api/assign", {"files": {"file": ("a.csv", b"name,foo\nA,1\n")}}, 400, "a.csv"),
    ("post", "/api/assign", {"files": {"file": ("a.geojson", b'{"type": "Feature"')}}, 400,
     "a.geojson"),
    ("post", "/api/assign", {"files": {"upload": ("a.csv", b"x,y\n1,2\n")}}, 400,
     "field `file`"),
    ("post", "/api/assign?format=xlsx", {"files": {"file": ("a.csv", b"x,y\n1,2\n")}}, 400,
     "format"),
    ("post", "/api/assign?crs=/etc/passwd", {"files": {"file": ("a.csv", b"x,y\n1,2\n")}}, 400,
     "not a coordinate system code"),
    ("get", "/api/nothing", {}, 404, "Not Found"),
    ("delete", "/api/locate", {}, 405, "Method Not Allowed"),
    ("get", "/ogc/collections/nope/items", {}, 404, "no collection 'nope'"),
    ("get", "/ogc/collections/routes/items/Z99", {}, 404, "no feature 'Z99'"),
    ("get", "/ogc/collections/routes/items", {"params": {"bbox": "1,2,x,4"}}, 400, "bbox"),
    ("get", "/ogc/collections/routes/items", {"params": {"limit": "0"}}, 400, "limit"),
    ("get", "/ogc/collections/routes/items", {"params": {"offset": "-1"}}, 400, "offset"),
    ("get", "/ogc/collections/routes/items", {"params": {"foo": "1"}}, 400, "unknown parameter"),
    ("get", "/ogc/collections", {"params": {"f": "html"}}, 400, "f=json only"),
]


@pytest.mark.parametrize(("method", "url", "kw", "status", "says"), BAD,
                         ids=[f"{m} {u} {s} {w}" for m, u, _, s, w in BAD])
def test_bad_requests_get_4xx_json_naming_the_problem(client, method, url, kw, status,
                                                      says) -> None:
    r = getattr(client, method)(url, **kw)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert says in detail, detail
    assert "Traceback" not in r.text and "/tmp/" not in detail


def test_body_and_feature_limits(engine) -> None:
    c = TestClient(create_app(ServiceConfig(max_body_bytes=1000, max_features=3,
                                            allowed_hosts=HOSTS), engine=engine))
    r = c.post("/api/locate", content=b"[" + b"1," * 1000 + b"1]",
               headers={"content-type": "application/json"})
    assert r.status_code == 413 and "--max-body-mb" in r.json()["detail"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(10):
            yield b" " * 200

    r = c.post("/api/locate", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    r = c.post("/api/locate", json={"x": [1, 2, 3, 4], "y": [1, 2, 3, 4]})
    assert r.status_code == 413 and "--max-features" in r.json()["detail"]
    csv = b"x,y\n" + b"110.57,27.05\n" * 4
    r = c.post("/api/assign", files={"file": ("p.csv", csv)})
    assert r.status_code == 413 and "--max-features" in r.json()["detail"]
    assert c.post("/api/locate", json={"x": [1, 2, 3], "y": [1, 2, 3]}).status_code == 200


def test_cors_off_unless_asked(engine) -> None:
    hdr = {"Origin": "http://gis.example"}
    off = TestClient(create_app(ServiceConfig(allowed_hosts=HOSTS), engine=engine))
    assert "access-control-allow-origin" not in off.get("/api/health", headers=hdr).headers
    on = TestClient(create_app(ServiceConfig(cors_origins=("http://gis.example",),
                                             allowed_hosts=HOSTS),
                               engine=engine))
    got = on.get("/api/health", headers=hdr).headers
    assert got["access-control-allow-origin"] == "http://gis.example"


def test_prices_are_tables_6_and_8(client, engine) -> None:
    book = engine.pricebook
    p = client.get("/api/prices").json()
    assert [g["grade"] for g in p["urban"]] == list(book.grades)
    for g in p["urban"]:
        assert g["prices"] == book.urban_prices(g["grade"])
        assert g["connotation"]["commercial"]["valuation_date"] == "2021-10-01"
    towns = {t for c in p["towns"] for t in c["towns"]}
    assert towns == set(book.towns["town"])
    c1 = p["towns"][0]
    town = c1["towns"][0]
    assert c1["grades"][0]["prices"] == book.town_prices(town, c1["grades"][0]["grade"])


def test_health_and_docs(client) -> None:
    h = client.get("/api/health").json()
    assert h["status"] == "ok" and h["grades"] == [1, 2, 3, 4, 5] and h["routes"] == 74
    assert h["schematic_network"] is True
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/locate", "/api/assign", "/ogc/collections/{collection_id}/items"} <= set(paths)


def test_convert_matches_crs_module(client, engine) -> None:
    lon, lat = interior_point(engine, 3)
    gx, gy = (float(v) for v in wgs84_to_gcj02(lon, lat))
    r = client.get("/api/convert", params={"xy": f"{gx}，{gy}", "from": "gcj02"}).json()
    assert r["x"] == pytest.approx(lon, abs=1e-9) and r["y"] == pytest.approx(lat, abs=1e-9)


# --- OGC API – Features -----------------------------------------------------------------------
def test_ogc_landing_conformance_collections(client) -> None:
    land = client.get("/ogc").json()
    rels = {link["rel"]: link["href"] for link in land["links"]}
    assert {"self", "conformance", "data", "service-desc"} <= set(rels)
    conf = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conf
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson" in conf
    cols = client.get("/ogc/collections").json()["collections"]
    assert [c["id"] for c in cols] == ["grades", "routes", "extent", "roads", "water"]
    for c in cols:
        assert any(link["rel"] == "items" for link in c["links"])
        x0, y0, x1, y1 = c["extent"]["spatial"]["bbox"][0]
        assert 110 < x0 < x1 < 111 and 26.9 < y0 < y1 < 27.2  # CRS84: lon first


def test_ogc_grades_carry_prices_term_and_plot_ratio(client, engine) -> None:
    fc = client.get("/ogc/collections/grades/items").json()
    book = engine.pricebook
    assert fc["numberMatched"] == fc["numberReturned"] == 5
    for f in fc["features"]:
        p = f["properties"]
        g = p["grade"]
        assert f["id"] == g
        assert p["p_comm"] == book.urban_price(g, "commercial")
        assert p["t_resi"] == book.connotation(g, "residential").term_years
        assert p["r_indu"] == book.connotation(g, "industrial").plot_ratio
        assert p["val_date"] == "2021-10-01"
        # Terms are whole years, integers in the GeoPackage: JSON integers (40, not 40.0), or
        # QGIS types the field as a real number
        for u in book.uses:
            term = p[f"t_{use_short(u)}"]
            assert type(term) is int and term == book.connotation(g, u).term_years, (u, term)
        # CRS84: the geometry contains the grade's interior point given as lon, lat
        assert shapely.geometry.shape(f["geometry"]).contains(
            shapely.Point(interior_point(engine, g)))


def test_ogc_missing_term_is_null_and_the_others_stay_integers(engine) -> None:
    """A price whose connotation gives no term: that grade's t_ is null, not NaN or 0, and the
    column's other values are still integers."""
    from dataclasses import replace

    from landgrade.engine import Engine

    book = engine.pricebook

    class NoTermForGrade5Commercial:
        def __getattr__(self, name):
            return getattr(book, name)

        def connotation(self, grade, use, **kw):
            c = book.connotation(grade, use, **kw)
            return replace(c, term_years=None) if (grade, use) == (5, "commercial") else c

    gapped = Engine(engine.grade_map, NoTermForGrade5Commercial(), index=engine.index,
                    outline=engine.outline)
    c = TestClient(create_app(ServiceConfig(allowed_hosts=HOSTS), engine=gapped))
    raw = c.get("/ogc/collections/grades/items").text
    by_grade = {f["id"]: f["properties"] for f in json.loads(raw)["features"]}
    assert by_grade[5]["t_comm"] is None and '"t_comm":null' in raw
    for g in (1, 2, 3, 4):
        assert by_grade[g]["t_comm"] == book.connotation(g, "commercial").term_years
        assert type(by_grade[g]["t_comm"]) is int
    assert by_grade[5]["p_comm"] == book.urban_price(5, "commercial")  # the price is still there


def test_ogc_paging_follows_next_links_through_every_route(client, engine) -> None:
    url, seen, pages = "/ogc/collections/routes/items?limit=20", [], 0
    while url:
        page = client.get(url).json()
        pages += 1
        assert page["numberMatched"] == 74
        assert page["numberReturned"] == len(page["features"]) <= 20
        seen += [f["id"] for f in page["features"]]
        nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
        url = nxt[0] if nxt else None
    assert pages == 4 and seen == list(engine.grade_map.routes["id"])


def test_ogc_bbox_selects_what_intersects_it(client, engine) -> None:
    lon, lat = interior_point(engine, 1)
    box = (lon - 0.003, lat - 0.003, lon + 0.003, lat + 0.003)
    page = client.get("/ogc/collections/routes/items",
                      params={"bbox": ",".join(map(str, box)), "limit": 1000}).json()
    routes = engine.grade_map.routes.to_crs(4326)
    b = routes.geometry.bounds
    want = routes.loc[(b.maxx >= box[0]) & (b.minx <= box[2]) & (b.maxy >= box[1])
                      & (b.miny <= box[3]), "id"].tolist()
    assert [f["id"] for f in page["features"]] == want
    assert 0 < len(want) < 74 and page["numberMatched"] == len(want)
    one = client.get(f"/ogc/collections/routes/items/{want[0]}").json()
    assert one["properties"]["price"] == engine.pricebook.route(want[0]).price


# --- the command --------------------------------------------------------------------------------
def test_serve_command_answers_as_locate_and_assign(engine, tmp_path) -> None:
    """`landgrade serve` started as the README says, on the loopback, against the CLI."""
    import subprocess
    import sys
    import time
    import urllib.request

    from service_helpers import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "landgrade.cli", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()
            try:
                urllib.request.urlopen(f"{base}/api/health", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "landgrade serve did not start"
                time.sleep(0.3)
        for x, y, crs in _points(engine)[:7]:
            url = f"{base}/api/locate?x={x!r}&y={y!r}&crs={crs}"
            with urllib.request.urlopen(url) as r:
                assert json.load(r) == _cli_locate(x, y, crs)
        gdf = _parcels(engine)
        src = tmp_path / "p.geojson"
        src.write_text(gdf.to_json(drop_id=True), encoding="utf-8")
        req = urllib.request.Request(f"{base}/api/assign", data=src.read_bytes(),
                                     headers={"Content-Type": "application/geo+json"})
        with urllib.request.urlopen(req) as r:
            (tmp_path / "served.geojson").write_bytes(r.read())
        _same_file_content(tmp_path / "served.geojson", _cli_assign(tmp_path, src, "c.geojson"))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_command_with_a_bad_map_is_a_one_line_error(tmp_path) -> None:
    res = runner.invoke(cli, ["serve", "--map", str(tmp_path / "none.gpkg")])
    assert res.exit_code == 2
    assert "no such grade map" in res.output and "Traceback" not in res.output
    res = runner.invoke(cli, ["serve", "--max-features", "0"])
    assert res.exit_code == 2 and "--max-features" in res.output


def test_behind_a_proxy_links_carry_the_sub_path_and_scheme(engine) -> None:
    c = TestClient(create_app(ServiceConfig(allowed_hosts=HOSTS), engine=engine),
                   root_path="/landgrade", base_url="https://gis.example")
    page = c.get("/ogc/collections/routes/items", params={"limit": 50}).json()
    nxt = next(link["href"] for link in page["links"] if link["rel"] == "next")
    assert nxt == "https://gis.example/landgrade/ogc/collections/routes/items?limit=50&offset=50"
    html = c.get("/").text
    assert 'src="static/app/app.js"' in html  # relative: works under any sub-path


def test_a_map_without_county_tables_is_served_without_prices() -> None:
    """A grade map no county folder matches: grades and routes, no prices, nothing breaks."""
    from test_engine import hand_map

    from landgrade.engine import Engine

    c = TestClient(create_app(ServiceConfig(allowed_hosts=HOSTS), engine=Engine(hand_map())))
    assert c.get("/api/health").json()["prices"] is False
    r = c.get("/api/prices")
    assert r.status_code == 404 and "--county" in r.json()["detail"]
    grades = c.get("/ogc/collections/grades/items").json()["features"]
    assert grades and "p_comm" not in grades[0]["properties"]
    assert c.get("/").status_code == 200
    rec = c.post("/api/locate", json={"x": [0.0], "y": [0.0], "crs": "EPSG:4546"}).json()
    assert rec["answers"][0]["prices"] == {}


def test_a_failing_engine_call_fails_only_its_own_requests(engine, monkeypatch) -> None:
    """Coalesced requests in two CRSs; the engine call for one fails: only those requests get
    its error (a 4xx naming it), the others their answers."""
    import asyncio

    import httpx

    from landgrade.errors import LandgradeError

    app = create_app(ServiceConfig(allowed_hosts=HOSTS), engine=engine)
    real = engine.locate

    def locate(x, y, crs="EPSG:4326"):
        if getattr(crs, "offset", None) == "bd09":
            raise LandgradeError("bd09 is down for the test")
        return real(x, y, crs=crs)

    monkeypatch.setattr(engine, "locate", locate)
    lon, lat = interior_point(engine, 1)

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            return await asyncio.gather(*[
                c.get("/api/locate", params={"x": lon, "y": lat,
                                             "crs": "bd09" if i % 2 else "EPSG:4326"})
                for i in range(20)])

    got = asyncio.run(run())
    assert app.state.batcher.engine_calls < 20
    for i, r in enumerate(got):
        if i % 2:
            assert r.status_code == 400 and "bd09 is down" in r.json()["detail"]
        else:
            assert r.status_code == 200 and r.json()["grade"] == 1


@pytest.mark.parametrize("grade", ["-1", "0"])
def test_assign_refuses_a_town_grade_the_command_line_refuses(client, engine, grade) -> None:
    """The service and `landgrade assign` share one check (PricingOptions): a town grade is a
    whole number from 1; anything else is a 400 naming it, before any row is graded."""
    fc = json.loads(_parcels(engine).to_json(drop_id=True))
    r = client.post(f"/api/assign?town=高沙镇&town_grade={grade}", json=fc)
    assert r.status_code == 400, r.text
    assert f"--town-grade {grade}: a town grade is a whole number, 1 or more" in r.json()["detail"]
