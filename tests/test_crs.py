"""Coordinate systems: published GCJ-02/BD-09 pairs, exact inverses, EPSG, zone prefixes, CLI."""

from __future__ import annotations

import math
import re

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from typer.testing import CliRunner

from landgrade.cli.app import app
from landgrade.errors import LandgradeError
from landgrade.io import crs, webmaps

# Published reference pairs, (lon, lat) -> (lon, lat). Every pair was computed with the forward
# formulas, so both the forward conversion and the exact inverse must reproduce them.
WGS_TO_GCJ = [
    # googollee/eviltransform python/test.py (given there as lat, lng): Shanghai, Shenzhen, Beijing
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
    # wandergis/coordtransform test/app.js
    ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    # hujiulong/gcoord test/unit/crs/WGS84.spec.ts
    ((123.0, 45.0), (123.00607541, 45.00197815)),
]
GCJ_TO_BD = [
    # wandergis/coordtransform test/app.js
    ((116.404, 39.915), (116.41036949371029, 39.92133699351021)),
    # hujiulong/gcoord test/unit/crs/GCJ02.spec.ts
    ((123.0, 45.0), (123.00636499, 45.00636899)),
    # Alibaba Cloud address-purification TransferCoord API example (6 decimals)
    ((120.026268, 30.279164), (120.032768, 30.285238)),
]
WGS_TO_BD = [
    # hujiulong/gcoord test/unit/crs/WGS84.spec.ts (7 decimals)
    ((123.0, 45.0), (123.0124491, 45.0083293)),
]
REFERENCE = (
    [("EPSG:4326", "gcj02", *p) for p in WGS_TO_GCJ]
    + [("gcj02", "bd09", *p) for p in GCJ_TO_BD]
    + [("WGS84", "BD-09", *p) for p in WGS_TO_BD]
)

DONGKOU_SEAT = (110.57, 27.06)  # county seat, WGS84


def metres_apart(lon1, lat1, lon2, lat2):
    """Distance in metres between lon/lat points, measured in the working CRS."""
    x1, y1 = crs.transform(lon1, lat1, 4326, crs.WORKING_CRS)
    x2, y2 = crs.transform(lon2, lat2, 4326, crs.WORKING_CRS)
    return np.hypot(np.subtract(x1, x2), np.subtract(y1, y2))


def approx_metres(lon1, lat1, lon2, lat2):
    """Local flat-earth distance in metres; precise enough for centimetre-scale differences."""
    dx = (np.asarray(lon1) - lon2) * 111_320.0 * np.cos(np.radians(lat2))
    dy = (np.asarray(lat1) - lat2) * 110_574.0
    return np.hypot(dx, dy)


# --- published pairs ----------------------------------------------------------------------------


@pytest.mark.parametrize(("src", "dst", "given", "expected"), REFERENCE)
def test_reference_pair_forward(src, dst, given, expected):
    x, y = crs.transform(*given, src, dst)
    assert abs(x - expected[0]) < 1e-6
    assert abs(y - expected[1]) < 1e-6


@pytest.mark.parametrize(("src", "dst", "given", "expected"), REFERENCE)
def test_reference_pair_inverse(src, dst, given, expected):
    x, y = crs.transform(*expected, dst, src)
    assert abs(x - given[0]) < 1e-6
    assert abs(y - given[1]) < 1e-6


def test_exact_inverse_beats_the_published_one_step_inverse():
    # Alibaba Cloud's TransferCoord example gives GCJ-02 (120.026268, 30.279164) as WGS84
    # (120.021519, 30.281543): the common one-step inverse. Pushed forward again it misses its
    # GCJ-02 input by more than a metre; the iterated inverse lands on it.
    gcj = (120.026268, 30.279164)
    one_step = (120.021519, 30.281543)
    assert approx_metres(*webmaps.wgs84_to_gcj02(*one_step), *gcj) > 1.0
    exact = webmaps.gcj02_to_wgs84(*gcj)
    assert approx_metres(*webmaps.wgs84_to_gcj02(*exact), *gcj) < 1e-3
    assert 1.0 < approx_metres(*exact, *one_step) < 3.0


# --- round trips and vectorisation --------------------------------------------------------------


@pytest.fixture(scope="module")
def china_points():
    rng = np.random.default_rng(20220207)
    n = 1_000_000
    return rng.uniform(73.0, 135.0, n), rng.uniform(18.0, 53.0, n)


def test_gcj02_round_trip_million_points(china_points, monkeypatch):
    lon, lat = china_points
    calls = []
    forward = webmaps._gcj_forward

    def counting(x, y):
        calls.append(x.size)
        return forward(x, y)

    monkeypatch.setattr(webmaps, "_gcj_forward", counting)
    glon, glat = webmaps.wgs84_to_gcj02(lon, lat)
    wlon, wlat = webmaps.gcj02_to_wgs84(glon, glat)
    # Whole-array passes, not one call per point: a handful of iterations for a million points.
    assert len(calls) <= 1 + webmaps.INVERSE_MAX_ITERATIONS
    assert calls[0] == lon.size
    assert approx_metres(wlon, wlat, lon, lat).max() < 0.01
    assert np.all(approx_metres(glon, glat, lon, lat) > 1.0)  # the offset was applied


def test_bd09_round_trip_million_points(china_points):
    lon, lat = china_points
    blon, blat = crs.transform(lon, lat, "EPSG:4326", "bd09")
    wlon, wlat = crs.transform(blon, blat, "bd09", "EPSG:4326")
    assert approx_metres(wlon, wlat, lon, lat).max() < 0.01


def test_gcj02_bd09_round_trip(china_points):
    lon, lat = (a[:100_000] for a in china_points)
    blon, blat = webmaps.gcj02_to_bd09(lon, lat)
    glon, glat = webmaps.bd09_to_gcj02(blon, blat)
    assert approx_metres(glon, glat, lon, lat).max() < 0.01


def test_inverse_converges_where_the_offset_is_least_smooth():
    # The polynomial has sqrt(|lon - 105|): an infinite slope on the 105°E meridian.
    lon = 105.0 + np.array([-1e-6, -1e-9, 0.0, 1e-9, 1e-6, 1e-3])
    lat = np.full(lon.shape, 30.0)
    glon, glat = webmaps.wgs84_to_gcj02(lon, lat)
    wlon, wlat = webmaps.gcj02_to_wgs84(glon, glat)
    assert approx_metres(wlon, wlat, lon, lat).max() < 0.01


def test_gcj02_equals_wgs84_outside_china_but_baidu_shift_applies():
    lon, lat = np.array([2.3522, 139.6917, -74.006]), np.array([48.8566, 35.6895, 40.7128])
    glon, glat = crs.transform(lon, lat, 4326, "gcj02")
    np.testing.assert_array_equal(glon, lon)
    np.testing.assert_array_equal(glat, lat)
    blon, blat = crs.transform(lon, lat, "gcj02", "bd09")
    assert np.all(approx_metres(blon, blat, lon, lat) > 100.0)
    back = crs.transform(blon, blat, "bd09", "gcj02")
    assert approx_metres(*back, lon, lat).max() < 0.01


def test_offsets_at_dongkou_have_the_documented_magnitude():
    # DESIGN: around Dongkou GCJ-02 is about 600 m and BD-09 about 1.1 km from WGS84.
    gcj = crs.transform(*DONGKOU_SEAT, 4326, "gcj02")
    bd = crs.transform(*DONGKOU_SEAT, 4326, "bd09")
    assert 500.0 < metres_apart(*gcj, *DONGKOU_SEAT) < 700.0
    assert 1000.0 < metres_apart(*bd, *DONGKOU_SEAT) < 1250.0


def test_nan_passes_through_without_breaking_the_array():
    lon = np.array([110.57, np.nan, 110.6])
    lat = np.array([27.06, 27.0, np.nan])
    wlon, wlat = webmaps.gcj02_to_wgs84(lon, lat)
    assert np.isfinite(wlon[0]) and np.isfinite(wlat[0])
    assert np.isnan(wlon[1]) and np.isnan(wlat[2])


# --- EPSG systems and the working CRS -----------------------------------------------------------


def test_working_crs_is_gauss_kruger_cm_111():
    # On the central meridian the easting is the false easting, 500 000 m, and the equator is 0.
    x, y = crs.to_working(111.0, 0.0, "EPSG:4326")
    assert x == pytest.approx(500_000.0, abs=1e-6)
    assert y == pytest.approx(0.0, abs=1e-6)
    # Along the central meridian (scale 1) northings grow by the meridian arc: 0.001° of
    # latitude at 27°N on GRS80/CGCS2000 is rho * dphi, rho = a(1-e²)/(1-e² sin²φ)^1.5.
    a, e2 = 6378137.0, 0.0066943800229
    phi = math.radians(27.0005)
    rho = a * (1 - e2) / (1 - e2 * math.sin(phi) ** 2) ** 1.5
    _, y0 = crs.to_working(111.0, 27.0, 4490)
    _, y1 = crs.to_working(111.0, 27.001, 4490)
    assert y1 - y0 == pytest.approx(rho * math.radians(0.001), abs=1e-3)


def test_epsg_4546_round_trip():
    lon, lat = np.meshgrid(np.linspace(110.1, 111.0, 30), np.linspace(26.8, 27.4, 30))
    x, y = crs.to_working(lon, lat, "WGS84")
    back_lon, back_lat = crs.from_working(x, y, 4326)
    assert np.abs(back_lon - lon.ravel()).max() < 1e-9
    assert np.abs(back_lat - lat.ravel()).max() < 1e-9


def test_scalars_come_back_as_floats_and_arrays_broadcast():
    x, y = crs.transform(110.57, 27.06, 4326, 4546)
    assert type(x) is float and type(y) is float
    xs, ys = crs.transform([110.5, 110.6], 27.0, 4326, 4546)
    assert xs.shape == ys.shape == (2,)
    assert xs[0] < xs[1]


def test_same_system_is_identity():
    x, y = crs.transform([1.5, 2.5], [3.5, 4.5], "gcj02", "GCJ-02")
    np.testing.assert_array_equal(x, [1.5, 2.5])
    np.testing.assert_array_equal(y, [3.5, 4.5])


# --- resolving specs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    ["EPSG:4326", "epsg:4326", "4326", 4326, "WGS84", "wgs 84", "WGS-84",
     pyproj.CRS.from_epsg(4326), "+proj=longlat +datum=WGS84 +no_defs"],
)
def test_resolve_wgs84_forms(spec):
    resolved = crs.resolve_crs(spec)
    assert resolved.epsg == 4326
    assert resolved.offset is None
    assert str(resolved) == "EPSG:4326"


def test_resolve_cgcs2000_and_working():
    assert crs.resolve_crs("CGCS2000").epsg == 4490
    assert crs.resolve_crs("EPSG:4546") == crs.resolve_crs(crs.WORKING_CRS)
    assert crs.resolve_crs(4525).epsg == 4525


@pytest.mark.parametrize(
    ("spec", "offset"),
    [("gcj02", "gcj02"), ("GCJ-02", "gcj02"), ("gcj", "gcj02"), ("amap", "gcj02"),
     ("Tencent", "gcj02"), ("bd09", "bd09"), ("BD-09", "bd09"), ("baidu", "bd09")],
)
def test_resolve_web_map_systems(spec, offset):
    resolved = crs.resolve_crs(spec)
    assert resolved.offset == offset
    assert resolved.is_geographic
    assert resolved.epsg is None


@pytest.mark.parametrize("spec", ["marsian", "EPSG:99999", None, "", 1.5, "bd09mc", 4978])
def test_resolve_rejects_with_a_message(spec):
    with pytest.raises(LandgradeError) as info:
        crs.resolve_crs(spec)
    message = str(info.value)
    if spec not in (None, ""):
        assert str(spec) in message or repr(spec) in message
    if spec in ("marsian", "EPSG:99999", None, ""):
        assert "gcj02" in message and "EPSG" in message


# --- zone prefix and problem detection ----------------------------------------------------------


def test_zone_prefix_easting_is_the_same_place():
    x, y = crs.to_working(*DONGKOU_SEAT, 4326)
    via_4525 = crs.transform(x + 37_000_000.0, y, "EPSG:4525", 4326)
    via_4546 = crs.transform(x, y, "EPSG:4546", 4326)
    assert via_4525 == pytest.approx(via_4546, abs=1e-9)
    fx, fy = crs.fix_zone_prefix([x + 37_000_000.0, x], [y, y])
    np.testing.assert_allclose(fx, [x, x], atol=1e-6)
    np.testing.assert_allclose(fy, [y, y], atol=1e-6)


def test_detect_problems_declared_projected():
    x, y = crs.to_working(*DONGKOU_SEAT, 4326)
    codes = crs.detect_crs_problem(
        [x, x + 37_000_000.0, 110.57, 27.06, 5_000_000.0, np.nan],
        [y, y, 27.06, 110.57, y, y],
        "EPSG:4546",
    )
    assert codes.tolist() == [
        None, "gk_zone_prefix", "looks_geographic", "looks_geographic", "outside_valid_area",
        "not_finite",
    ]
    # Declared as the prefixed system itself, the prefixed easting is right.
    assert crs.detect_crs_problem(x + 37_000_000.0, y, 4525).tolist() == [None]


def test_detect_problems_declared_geographic():
    codes = crs.detect_crs_problem(
        [110.57, 27.06, 457_342.8, 121.47, np.inf],
        [27.06, 110.57, 2_994_351.3, 31.23, 27.0],
        "gcj02",
    )
    assert codes.tolist() == [
        None, "lat_lon_swapped", "not_geographic", "outside_valid_area", "not_finite",
    ]
    assert set(crs.PROBLEMS) >= {c for c in codes.tolist() if c}


def test_looks_like():
    x, y = crs.to_working(110.57, 27.06, 4326)
    assert crs.looks_like([110.5, 110.6], [27.0, 27.1]) == "geographic"
    assert crs.looks_like([27.0, 27.1], [110.5, 110.6]) == "geographic_swapped"
    assert crs.looks_like([x], [y]) == "projected"
    assert crs.looks_like([x + 37_000_000.0], [y]) == "projected_zone_prefix"
    assert crs.looks_like([np.nan], [np.nan]) == "unknown"


# --- GeoDataFrames ------------------------------------------------------------------------------


def layer(crs_label=None):
    geometry = [shapely.Point(110.57, 27.06), shapely.LineString([(110.5, 27.0), (110.6, 27.1)])]
    return gpd.GeoDataFrame({"name": ["seat", "road"]}, geometry=geometry, crs=crs_label)


def test_gdf_without_crs_is_an_error_naming_the_layer():
    with pytest.raises(LandgradeError, match=r"roads\.shp: has no coordinate system"):
        crs.gdf_to_working(layer(), layer="roads.shp")


def test_gdf_gcj02_label_override():
    # AMap data usually arrives labelled EPSG:4326; the caller says it is GCJ-02.
    out = crs.gdf_to_working(layer("EPSG:4326"), "gcj02", layer="amap.geojson")
    assert out.crs.to_epsg() == 4546
    expected = crs.transform(110.57, 27.06, "gcj02", 4546)
    assert (out.geometry.iloc[0].x, out.geometry.iloc[0].y) == pytest.approx(expected, abs=1e-6)
    plain = crs.gdf_to_working(layer("EPSG:4326"))
    assert 500.0 < out.geometry.iloc[0].distance(plain.geometry.iloc[0]) < 700.0


def test_gdf_degrees_versus_metres_mismatch_is_an_error():
    with pytest.raises(LandgradeError, match="degrees"):
        crs.gdf_to_working(layer("EPSG:4546"), "gcj02", layer="x.gpkg")


def test_gdf_round_trip_through_bd09():
    working = crs.gdf_to_working(layer("EPSG:4326"))
    baidu = crs.gdf_from_working(working, "bd09")
    assert baidu.attrs["coordinate_system"] == "bd09"
    back = crs.gdf_to_working(baidu)  # the attrs say BD-09, so no crs argument is needed
    assert back.geometry.iloc[0].distance(working.geometry.iloc[0]) < 0.01
    assert shapely.hausdorff_distance(back.geometry.iloc[1], working.geometry.iloc[1]) < 0.01


# --- the convert command ------------------------------------------------------------------------

runner = CliRunner()


def convert(*args):
    return runner.invoke(app, ["convert", *args])


def test_cli_prints_the_precision_of_the_target_unit():
    """1e-7 degree (about a centimetre) for degrees, a millimetre for metres: the digits
    beyond are noise (before: 116.41024449916938)."""
    result = convert("116.404", "39.915", "--from", "EPSG:4326", "--to", "gcj02")
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["116.4102445", "39.9164043"]
    x, y = crs.transform(116.404, 39.915, 4326, 4546)
    result = convert("116.404", "39.915", "--to", "EPSG:4546")
    assert result.stdout.split() == [f"{x:.3f}", f"{y:.3f}"]
    assert re.fullmatch(r"-?\d+\.\d{3} -?\d+\.\d{3}\n", result.stdout)
    # a foot-based system: a millimetre is 0.0033 ft, so three decimals too
    result = convert("110.575", "27.06", "--to", "EPSG:2249")
    assert re.fullmatch(r"-?\d+\.\d{3} -?\d+\.\d{3}\n", result.stdout), result.stdout


def test_cli_defaults_wgs84_to_working():
    result = convert("110.57", "27.06")
    assert result.exit_code == 0, result.output
    values = [float(t) for t in result.stdout.split()]
    assert values == pytest.approx(list(crs.transform(110.57, 27.06, 4326, 4546)), abs=5e-4)


def test_cli_any_pair():
    x, y = crs.transform(110.57, 27.06, 4326, 4546)
    result = convert(repr(x), repr(y), "--from", "EPSG:4546", "--to", "bd09")
    assert result.exit_code == 0, result.output
    lon, lat = (float(t) for t in result.stdout.split())
    # printed to 1e-7 degree: back within that
    assert crs.transform(lon, lat, "bd09", 4326) == pytest.approx((110.57, 27.06), abs=2e-7)


def test_cli_reads_zone_prefix_with_a_note():
    x, y = crs.transform(110.57, 27.06, 4326, 4546)
    result = convert(repr(x + 37_000_000.0), repr(y), "--from", "EPSG:4546", "--to", "4326")
    assert result.exit_code == 0, result.output
    assert "EPSG:4525" in result.stderr
    assert [float(t) for t in result.stdout.split()] == pytest.approx([110.57, 27.06], abs=1e-7)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["110.57", "27.06", "--from", "marsian"], "marsian"),
        (["27.06", "110.57"], "landgrade convert 110.57 27.06"),
        (["457342.8", "2994351.3", "--from", "WGS84"], "EPSG:4546"),
    ],
)
def test_cli_errors_are_one_line_messages(args, fragment):
    result = convert(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert fragment in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_a_system_not_on_earth_is_refused_by_name() -> None:
    """PROJ knows Mars; a coordinate there can never be graded, so the spec itself is an error
    (it used to surface as a pyproj traceback from the first transform)."""
    with pytest.raises(LandgradeError, match="not on Earth"):
        crs.resolve_crs("IAU_2015:49900")
