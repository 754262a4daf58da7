"""Hardening of ``landgrade serve``: reproductions of the review findings, each written as the
behaviour a careful operator expects, so each fails until its finding is fixed.

Every test names its finding in a comment. Where the right answer was a choice, the comment says
which one the test takes and why. landgrade internals are imported only in the helpers below
(module paths are being moved); the tests talk HTTP to the app the service factory builds.
"""

from __future__ import annotations

import http.client
import io as bytesio
import json
import os
import socket
import struct
import tempfile
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install '.[serve]')")
pytest.importorskip("uvicorn", reason="the serve extra is not installed (pip install '.[serve]')")
from fastapi.testclient import TestClient
from service_helpers import LiveServer

# A point in Dongkou's grade 1 (README) and one in the county but outside the urban extent.
GRADE1 = (110.575, 27.06)
IN_COUNTY = (110.70, 27.20)


# --- the few landgrade entry points used (paths may move) --------------------------------------
def _load_engine():
    from landgrade.engine import load_engine

    return load_engine()


def _service():
    """(ServiceConfig, create_app): the service's public factory."""
    from landgrade.service.app import ServiceConfig, create_app

    return ServiceConfig, create_app


@pytest.fixture(scope="module")
def engine():
    return _load_engine()


@pytest.fixture(scope="module")
def client(engine):
    _, create_app = _service()
    # Host 127.0.0.1: the address the service listens on by default, so the requests below
    # stay valid once the Host header is checked. 500s come back as responses, not exceptions,
    # so a test fails on the status it got.
    with TestClient(create_app(engine=engine), base_url="http://127.0.0.1",
                    raise_server_exceptions=False) as c:
        yield c


def _point_collection(props: dict | None = None, crs_member: dict | None = None,
                      xy: tuple[float, float] = GRADE1) -> dict:
    fc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": props or {"pid": 1},
        "geometry": {"type": "Point", "coordinates": list(xy)}}]}
    if crs_member is not None:
        fc["crs"] = crs_member
    return fc


def _zip(files: dict[str, bytes]) -> bytes:
    buf = bytesio.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def _shapefile_parts(folder: Path, prj: str | None = None) -> dict[str, bytes]:
    gpd.GeoDataFrame({"pid": [1]}, geometry=[shapely.Point(*GRADE1)],
                     crs="EPSG:4326").to_file(folder / "p.shp")
    if prj is not None:
        (folder / "p.prj").write_text(prj)
    return {f"p.{ext}": (folder / f"p.{ext}").read_bytes() for ext in ("shp", "shx", "dbf", "prj")}


# === Finding: an uploaded file's own CRS can name a server path ================================
# Today: the crs= parameter is guarded (service/app.py CrsCache: codes and names only,
# _CRS_TEXT), but the CRS a file carries — a GeoJSON "crs" member, a shapefile's .prj — goes
# straight to PROJ (io.open_source -> pyogrio.read_info -> files._assign_file -> grade_file ->
# crs.resolve_crs), which opens the grid file the string names. With an optional grid (@path)
# the upload is graded with a 200. Correct: every CRS a request can influence goes through the
# same guard; a CRS that references a file (+nadgrids, +geoidgrids, EXTENSION["PROJ4_GRIDS"],
# a PROJ pipeline, a URL) is a 400 naming the coordinate system problem, and no file is opened.

def _grid_file(tmp_path: Path) -> tuple[Path, float]:
    """A file standing for a server path; its access time set far back so an open-and-read by
    PROJ shows (ext4 relatime updates an atime older than the mtime)."""
    grid = tmp_path / "server_secret.gsb"
    grid.write_bytes(b"not a grid" * 10)
    os.utime(grid, (946684800, time.time()))  # atime 2000-01-01, mtime now
    return grid, os.stat(grid).st_atime


def _opened(grid: Path, atime_before: float, stderr: str) -> bool:
    """True when PROJ opened ``grid``: its atime moved, or PROJ's stderr names it."""
    return os.stat(grid).st_atime != atime_before or str(grid) in stderr


def _says_crs(detail: str) -> bool:
    d = detail.lower()
    return "crs" in d or "coordinate system" in d


@pytest.mark.parametrize("optional", [True, False], ids=["optional-grid@", "required-grid"])
def test_geojson_crs_member_naming_a_server_file_is_refused(client, tmp_path, capfd,
                                                             optional) -> None:
    # Finding: upload CRS names a server path (GeoJSON "crs" member, posted as a body).
    grid, atime = _grid_file(tmp_path)
    proj = f"+proj=longlat +ellps=WGS84 +nadgrids={'@' if optional else ''}{grid} +no_defs"
    fc = _point_collection(crs_member={"type": "name", "properties": {"name": proj}})
    r = client.post("/api/assign", json=fc)
    err = capfd.readouterr().err
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert _says_crs(r.json()["detail"]), r.text[:300]
    assert not _opened(grid, atime, err), f"the server opened {grid} named by the upload's CRS"


def test_geojson_upload_crs_naming_etc_passwd_is_refused_without_opening_it(client,
                                                                             capfd) -> None:
    # Finding: upload CRS names a server path — the issue's own string, as an uploaded file.
    proj = "+proj=longlat +ellps=WGS84 +nadgrids=/etc/passwd"
    fc = _point_collection(crs_member={"type": "name", "properties": {"name": proj}})
    r = client.post("/api/assign",
                    files={"file": ("p.geojson", json.dumps(fc).encode(), "application/geo+json")})
    err = capfd.readouterr().err
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert _says_crs(r.json()["detail"])
    # PROJ says "Unrecognized horizontal grid format for filename '/etc/passwd'" once it has
    # opened and read the file: the guard must refuse the CRS before PROJ sees it.
    assert "/etc/passwd" not in err, "PROJ opened /etc/passwd: " + err[-300:]


@pytest.mark.parametrize("optional", [True, False], ids=["optional-grid@", "required-grid"])
def test_zipped_shapefile_prj_naming_a_server_file_is_refused(client, tmp_path, capfd,
                                                              optional) -> None:
    # Finding: upload CRS names a server path (.prj of a zipped shapefile). GDAL reads a .prj
    # in WKT; the PROJ string's WKT1 form carries the grid as EXTENSION["PROJ4_GRIDS", path].
    import pyproj

    grid, atime = _grid_file(tmp_path)
    proj = f"+proj=longlat +ellps=WGS84 +nadgrids={'@' if optional else ''}{grid} +no_defs"
    prj = pyproj.CRS.from_user_input(proj).to_wkt("WKT1_GDAL")
    assert "PROJ4_GRIDS" in prj
    data = _zip(_shapefile_parts(tmp_path, prj))
    r = client.post("/api/assign", files={"file": ("p.zip", data, "application/zip")})
    err = capfd.readouterr().err
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert _says_crs(r.json()["detail"]), r.text[:300]
    assert not _opened(grid, atime, err), f"the server opened {grid} named by the .prj"


# === Finding: 500s — a JSON number of 4,301+ digits ===========================================
# Today: service/app.py _parse_json catches JSONDecodeError/UnicodeDecodeError/RecursionError
# only; json.loads raises a plain ValueError ("Exceeds the limit (4300 digits) for integer
# string conversion"), which becomes a 500 (guards._unexpected), and Starlette's
# ServerErrorMiddleware re-raises it, so uvicorn resets the keep-alive connection. Correct: 400
# naming the number, and the connection stays usable.
HUGE = "1" * 4301


def test_post_locate_with_a_4301_digit_number_is_a_400(client) -> None:
    # Finding: 500 on a 4,301-digit JSON number (/api/locate).
    body = ('{"x": [' + HUGE + '], "y": [27.06]}').encode()
    r = client.post("/api/locate", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, (r.status_code, r.text[:200])
    assert "digit" in r.json()["detail"] or "number" in r.json()["detail"]


def test_post_assign_with_a_4301_digit_number_is_a_400(client) -> None:
    # Finding: 500 on a 4,301-digit JSON number (/api/assign, in a property).
    body = json.dumps(_point_collection({"pid": 0})).replace('"pid": 0', '"pid": ' + HUGE)
    r = client.post("/api/assign", content=body.encode(),
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400, (r.status_code, r.text[:200])
    assert "digit" in r.json()["detail"] or "number" in r.json()["detail"]


def test_a_4301_digit_number_does_not_reset_the_keep_alive_connection(engine) -> None:
    # Finding: after the 500 the keep-alive connection is reset (a real uvicorn server).
    _, create_app = _service()
    with LiveServer(create_app(engine=engine)) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
        try:
            body = ('{"x": [' + HUGE + '], "y": [27.06]}').encode()
            conn.request("POST", "/api/locate", body, {"Content-Type": "application/json"})
            first = conn.getresponse()
            first.read()
            try:  # the same connection, the next request
                conn.request("GET", "/api/health")
                second = conn.getresponse()
                second.read()
                dropped = None
            except (ConnectionError, http.client.HTTPException) as e:
                dropped = e
            assert first.status == 400 and dropped is None, (
                f"first answer {first.status} (want 400); the keep-alive connection was "
                f"{f'dropped ({dropped!r})' if dropped else 'kept'}")
            assert second.status == 200
        finally:
            conn.close()


# === Finding: 500s — a zip with the encrypted flag set ========================================
# Today: service/files.py _unzip_shapefile catches BadZipFile/OSError/ValueError/EOFError/
# NotImplementedError around archive.open(m); zipfile raises RuntimeError ("File ... is
# encrypted, password required for extraction") -> 500. Correct: 400 saying the zip is
# encrypted (password-protected) and naming the upload.

def _with_encrypted_flag(data: bytes) -> bytes:
    """Set bit 0 (encrypted) of every entry's general-purpose flags, local and central."""
    b = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = b.find(sig)
        while i >= 0:
            struct.pack_into("<H", b, i + off, struct.unpack_from("<H", b, i + off)[0] | 1)
            i = b.find(sig, i + 4)
    return bytes(b)


def test_encrypted_zip_upload_is_a_400_naming_it(client, tmp_path) -> None:
    # Finding: 500 on a zip with the encrypted flag set.
    data = _with_encrypted_flag(_zip(_shapefile_parts(tmp_path)))
    assert all(zi.flag_bits & 1 for zi in zipfile.ZipFile(bytesio.BytesIO(data)).infolist())
    r = client.post("/api/assign", files={"file": ("宗地.zip", data, "application/zip")})
    assert r.status_code == 400, (r.status_code, r.text[:200])
    detail = r.json()["detail"]
    assert "宗地.zip" in detail and ("encrypt" in detail.lower() or "password" in detail.lower())


# === Finding: the service accepts town_grade=-1 where the CLI refuses it =======================
# Today: service/app.py assign -> files.grade_upload -> assign.grade_file, which skips the
# option checks the CLI makes (assign._check_town_options, run only by assign_command): the
# upload is graded (200) with every row's town price missing. Correct: the same check, a 400
# naming town_grade and the grades the town has.

@pytest.mark.parametrize("grade", [-1, 9])
def test_service_refuses_a_town_grade_the_town_does_not_have(client, grade) -> None:
    # Finding: service town_grade=-1 accepted (9, also absent from Table 8, for good measure).
    r = client.post("/api/assign", params={"town": "高沙镇", "town_grade": grade},
                    json=_point_collection(xy=IN_COUNTY))
    assert r.status_code == 400, (r.status_code, r.text[:200])
    assert "town_grade" in r.json()["detail"] or "town grade" in r.json()["detail"]


# === Finding: /api/convert with both x/y and xy silently takes xy ==============================
# Today: service/app.py convert() uses xy when given and ignores x and y; locate_get refuses
# the mix with 400 ("give either xy or x and y, not both"). Correct: the same 400.

def test_convert_with_both_xy_and_x_y_is_a_400(client) -> None:
    # Finding: /api/convert x/y + xy.
    params = {"x": "1", "y": "2", "xy": "110.575,27.06", "from": "EPSG:4326", "to": "EPSG:4546"}
    assert client.get("/api/locate", params={k: params[k] for k in ("x", "y", "xy")}
                      ).status_code == 400  # what locate does today
    r = client.get("/api/convert", params=params)
    assert r.status_code == 400, (r.status_code, r.text[:200])
    assert "xy" in r.json()["detail"]


# === Finding: text/plain accepted on a JSON POST ==============================================
# Today: service/app.py locate_post reads any body as JSON whatever its Content-Type (so a
# browser form on another site can post to it without a CORS preflight). Correct: 415 naming
# the content type; application/json (with a charset) still works.

def test_post_locate_refuses_text_plain_with_415(client) -> None:
    # Finding: text/plain accepted on POST.
    body = json.dumps({"x": [GRADE1[0]], "y": [GRADE1[1]]}).encode()
    ok = client.post("/api/locate", content=body,
                     headers={"Content-Type": "application/json; charset=utf-8"})
    assert ok.status_code == 200, ok.text[:200]
    r = client.post("/api/locate", content=body, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415, (r.status_code, r.text[:200])
    assert "text/plain" in r.json()["detail"]


# === Finding: no Host check (DNS rebinding) ==================================================
# Today: no middleware looks at Host; any name reaches the API. Correct (chosen): by default
# only localhost, 127.0.0.1 and [::1] (any port) and the host the service was started with are
# answered; any other Host gets 421 (Misdirected Request; 400 also accepted) with a JSON detail
# naming the host and the option that allows it. Names a reverse proxy forwards
# (`proxy_set_header Host $host` in the README's nginx block) must then be configurable: the
# second test writes that against a PROPOSED option, ServiceConfig(allowed_hosts=(...)).

@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000"])
def test_local_host_names_are_answered(client, host) -> None:
    # Finding: no Host check — what must keep working.
    r = client.get("/api/health", headers={"Host": host})
    assert r.status_code == 200, (host, r.status_code, r.text[:200])


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example"])
def test_a_foreign_host_header_is_refused(client, host) -> None:
    # Finding: no Host check — `Host: evil.example` must not reach the API.
    r = client.get("/api/health", headers={"Host": host})
    assert r.status_code in (400, 421), (host, r.status_code, r.text[:200])
    assert host.split(":")[0] in r.json()["detail"]


def test_a_configured_host_name_is_answered(engine) -> None:
    # Finding: no Host check — the configured name is allowed. PROPOSED option name:
    # ServiceConfig(allowed_hosts=...) (and `landgrade serve --allowed-host NAME`).
    ServiceConfig, create_app = _service()
    try:
        config = ServiceConfig(allowed_hosts=("gis.example.gov.cn",))
    except TypeError:
        pytest.fail("ServiceConfig has no allowed_hosts option (proposed): no Host check exists")
    with TestClient(create_app(config, engine=engine), base_url="http://127.0.0.1") as c:
        assert c.get("/api/health", headers={"Host": "gis.example.gov.cn"}).status_code == 200
        assert c.get("/api/health", headers={"Host": "evil.example"}).status_code in (400, 421)


# === Finding: no body timeout (stalled uploads held open) =====================================
# Today: guards.BodyLimit bounds the size of a body, not the time it takes; uvicorn has no body
# timeout, so a client that sends headers with a Content-Length and then stalls holds a
# connection (and the app's await on request.body()) open for ever. Correct: a configurable
# timeout (PROPOSED: ServiceConfig(body_timeout_s=...), default 30 s, and `landgrade serve
# --body-timeout S`) after which the server answers 408 and closes, or just closes.

def test_a_stalled_upload_is_disconnected_within_the_body_timeout(engine) -> None:
    # Finding: no body timeout. A real uvicorn server on 127.0.0.1, a raw socket, bounded wait.
    ServiceConfig, create_app = _service()
    try:
        config, timeout, option = ServiceConfig(body_timeout_s=2.0), 2.0, True
    except TypeError:  # the option does not exist yet: show the stall with the default config
        config, timeout, option = ServiceConfig(), 0.0, False
    grace = 6.0
    with LiveServer(create_app(config, engine=engine)) as server:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        try:
            sock.sendall(b"POST /api/locate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                         b'{"x": [110.5')  # ... and nothing more
            sock.settimeout(timeout + grace)
            start = time.monotonic()
            data, closed = b"", False
            try:
                while chunk := sock.recv(4096):  # an answer (408), then the close
                    data += chunk
                closed = True
            except ConnectionError:
                closed = True
            except TimeoutError:
                pass
            waited = time.monotonic() - start
        finally:
            sock.close()
    if not option:
        state = f"still open after {waited:.1f} s" if not closed else "closed"
        pytest.fail("ServiceConfig has no body_timeout_s option (proposed name); with the "
                    f"default config a stalled upload was {state}")
    assert closed, f"a stalled upload was still held open {waited:.1f} s after its headers"
    assert waited < timeout + grace
    if data:  # an answer before closing: 408 Request Timeout
        assert data.startswith(b"HTTP/1.1 408"), data[:80]


# === Finding: kill -9 during an upload leaves the parcels in the temporary folder =============
# Today: uploads are written to tempfile.TemporaryDirectory(prefix="landgrade-serve-") in
# service/files.py grade_upload; only a clean exit removes it, and nothing removes one a killed
# process left. Correct (chosen): at start the service removes landgrade upload folders in the
# temporary directory untouched for over an hour (as `landgrade cache clear` treats its
# temporary files; a younger one may belong to another running server and is left). The test
# uses today's spool location (tempfile.gettempdir()/landgrade-serve-*); if the fix moves the
# spool (e.g. to a landgrade-serve/ folder), move the stale folder below with it.

def test_stale_upload_folders_are_removed_at_start(engine, tmp_path, monkeypatch) -> None:
    # Finding: kill -9 leaves uploaded parcels in the temporary folder for good.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert tempfile.gettempdir() == str(tmp_path)
    stale, fresh = tmp_path / "landgrade-serve-k9stale", tmp_path / "landgrade-serve-k9fresh"
    for folder in (stale, fresh):
        folder.mkdir()
        (folder / "input.shp").write_bytes(b"parcels of a citizen")
    (tmp_path / "someone-else").mkdir()  # not landgrade's: never touched
    two_days_ago = time.time() - 2 * 86400
    os.utime(stale / "input.shp", (two_days_ago, two_days_ago))
    os.utime(stale, (two_days_ago, two_days_ago))
    _, create_app = _service()
    with TestClient(create_app(engine=engine), base_url="http://127.0.0.1") as c:
        assert c.get("/api/health").status_code == 200
    assert not stale.exists(), "a dead process's upload folder (2 days old) was left in place"
    assert fresh.exists(), "a fresh upload folder (maybe another server's) must be left"
    assert (tmp_path / "someone-else").exists()
