"""Fuzzing every endpoint of `landgrade serve` with hypothesis: malformed parameters, bodies
and uploads get a 4xx with a JSON message, never a 5xx; the server keeps answering."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install '.[serve]')")
from fastapi.testclient import TestClient

from landgrade.engine import load_engine
from landgrade.service.app import ServiceConfig, create_app

# 60 examples per endpoint keep the file under a minute; LANDGRADE_FUZZ_EXAMPLES=2000 digs deeper.
FUZZ = settings(max_examples=int(os.environ.get("LANDGRADE_FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture(scope="module")
def client():
    app = create_app(ServiceConfig(max_body_bytes=200_000, max_features=500,
                                   allowed_hosts=("testserver",)), engine=load_engine())
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _ok(r) -> None:
    assert r.status_code < 500, (r.request.method, str(r.request.url), r.status_code, r.text)
    if r.status_code >= 400:
        detail = r.json()["detail"]
        assert isinstance(detail, str) and detail and "Traceback" not in detail


numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.integers(-10**30, 10**30).map(str))
value = st.one_of(numbers, st.text(max_size=30),
                  st.sampled_from(["110.575", "27.06", "110.575,27.06", "110.575，27.06", "nan",
                                   "1e400", "", " ", "0x10", "EPSG:4546", "gcj02", "bd09",
                                   "EPSG:4326", "mars2000", "+proj=longlat", "../../etc/passwd",
                                   "1,2,3,4", "-1", "0", "10001", "json", "html"]))
params = st.dictionaries(
    st.sampled_from(["x", "y", "xy", "crs", "from", "to", "bbox", "limit", "offset", "f",
                     "format", "layer", "encoding", "town", "town_grade", "x_field", "foo"]),
    value, max_size=5)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False), st.integers(-10**20, 10**20),
              st.text(max_size=10)),
    lambda children: st.one_of(st.lists(children, max_size=5),
                               st.dictionaries(st.text(max_size=8), children, max_size=5)),
    max_leaves=20)
coords = st.lists(st.one_of(st.none(), st.floats(), st.integers(-10**20, 10**20),
                            st.text(max_size=3)), max_size=8)
geometry = st.one_of(
    st.none(),
    st.fixed_dictionaries({"type": st.sampled_from(["Point", "LineString", "Polygon",
                                                    "MultiPolygon", "Circle", ""]),
                           "coordinates": st.one_of(coords, st.lists(coords, max_size=3),
                                                    st.lists(st.lists(coords, max_size=3),
                                                             max_size=2))}),
    json_values)
feature = st.one_of(
    st.fixed_dictionaries({"type": st.just("Feature"), "geometry": geometry,
                           "properties": st.one_of(st.none(), st.dictionaries(
                               st.text(max_size=6), json_values, max_size=4), json_values)}),
    json_values)
feature_collection = st.fixed_dictionaries(
    {"type": st.sampled_from(["FeatureCollection", "Feature", "x"]),
     "features": st.one_of(st.lists(feature, max_size=6), json_values)})


@FUZZ
@given(path=st.sampled_from(["/api/locate", "/api/convert", "/api/health", "/api/prices", "/",
                             "/ogc", "/ogc/conformance", "/ogc/collections",
                             "/ogc/collections/grades", "/ogc/collections/routes/items",
                             "/ogc/collections/grades/items", "/ogc/collections/extent/items",
                             "/ogc/collections/roads/items"]), query=params)
def test_get_endpoints_with_random_parameters(client, path, query) -> None:
    _ok(client.get(path, params=query))


@FUZZ
@given(segment=st.text(max_size=20), collection=st.sampled_from(["grades", "routes", "x", ""]))
def test_random_paths_and_feature_ids(client, segment, collection) -> None:
    segment = quote(segment, safe="")  # as a client must send it
    _ok(client.get(f"/ogc/collections/{collection}/items/{segment}"))
    _ok(client.get(f"/api/{segment}"))


@FUZZ
@given(body=st.one_of(
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"x": coords, "y": coords},
                          optional={"crs": value}).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=300)))
def test_post_locate_with_random_bodies(client, body) -> None:
    _ok(client.post("/api/locate", content=body, headers={"content-type": "application/json"}))


@FUZZ
@given(body=st.one_of(feature_collection.map(lambda v: json.dumps(v).encode()),
                      json_values.map(lambda v: json.dumps(v).encode()), st.binary(max_size=300)),
       ctype=st.sampled_from(["application/json", "application/geo+json", "text/plain", ""]),
       query=params)
def test_post_assign_with_random_bodies(client, body, ctype, query) -> None:
    _ok(client.post("/api/assign", content=body, params=query,
                    headers={"content-type": ctype} if ctype else {}))


MAGIC = [b"", b"PK\x03\x04", b"SQLite format 3\x00", b"PAR1", b"{", b'{"type":"FeatureCollection"',
         b'{"type":"FeatureCollection","features":[]}', b"x,y\n", b"lon,lat\n110.5,27.0\n"]


@FUZZ
@given(name=st.one_of(st.sampled_from(["a.zip", "a.gpkg", "a.geojson", "a.json", "a.csv",
                                       "a.parquet", "../../a.csv", "a", "宗地.CSV"]),
                      st.text(max_size=12)),
       content=st.one_of(
           st.builds(lambda head, tail: head + tail, st.sampled_from(MAGIC),
                     st.binary(max_size=400)),
           feature_collection.map(lambda v: json.dumps(v).encode())),
       query=params, field=st.sampled_from(["file", "file", "upload"]))
def test_uploads_of_random_files(client, name, content, query, field) -> None:
    _ok(client.post("/api/assign", params=query, files={field: (name, content)}))


def test_still_answering_after_the_fuzz(client) -> None:
    assert client.get("/api/health").json()["status"] == "ok"
    r = client.get("/api/locate", params={"xy": "110.575,27.06"})
    assert r.status_code == 200 and r.json()["status"] in ("ok", "outside_extent")


def test_live_server_keeps_answering_after_malformed_http() -> None:
    """Hundreds of broken requests on real sockets (garbage request lines, lying or missing
    lengths, bodies cut short, oversized headers, random bytes): nothing answered 5xx, and the
    server answers a good request afterwards."""
    import random
    import socket

    pytest.importorskip("uvicorn")
    from service_helpers import LiveServer

    rnd = random.Random(5)
    good = b"GET /api/locate?x=110.575&y=27.06 HTTP/1.1\r\nHost: t\r\n\r\n"
    broken = [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: t\r\n\r\n",
        b"POST /api/locate HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n{}",
        b"POST /api/locate HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"x\": [1",
        b"POST /api/assign HTTP/1.1\r\nHost: t\r\nContent-Type: multipart/form-data; "
        b"boundary=zz\r\nContent-Length: 40\r\n\r\n--zz\r\nContent-Disposition: form-da",
        b"POST /api/locate HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /api/locate?x=" + b"9" * 70_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET /api/locate HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
        b"POST /api/locate HTTP/1.1\r\nHost: t\r\nContent-Length: 999999999999\r\n\r\n",
    ]
    app = create_app(ServiceConfig(max_body_bytes=100_000, allowed_hosts=("t",)),
                     engine=load_engine())
    statuses: list[int] = []
    with LiveServer(app) as server:
        for i in range(300):
            payload = broken[i % len(broken)] if i % 3 else bytes(
                rnd.getrandbits(8) for _ in range(rnd.randint(1, 300)))
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
                try:
                    s.sendall(payload)
                    s.shutdown(socket.SHUT_WR)
                    reply = s.recv(64)
                except OSError:  # the server may hang up on garbage: that is an answer too
                    continue
            if reply.startswith(b"HTTP/1.1 "):
                statuses.append(int(reply[9:12]))
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(good)
            reply = s.recv(65536)
    assert statuses and all(400 <= code < 500 for code in statuses), sorted(set(statuses))
    assert reply.startswith(b"HTTP/1.1 200") and b'"grade"' in reply
