"""The offline web map (``landgrade map -o FILE.html``) in a real browser: Playwright driving
the system Chromium. It opens whole, its scale is metric, its words follow the language, and a
click answers the point clicked exactly as ``landgrade locate`` does. Skips, saying why,
without Chromium or the playwright package."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import shapely
from PIL import Image

from landgrade.engine import load_engine
from landgrade.engine.answer import to_record
from landgrade.io.crs import transform
from landgrade.outputs.map_html import interactive_map, write_html
from landgrade.outputs.map_style import grade_colors, price_legend

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def engine():
    return load_engine()


@pytest.fixture(scope="module")
def pages(engine, tmp_path_factory) -> dict[str, Path]:
    gm = engine.grade_map
    folder = tmp_path_factory.mktemp("page")
    return {lang: write_html(interactive_map(gm, prices=price_legend(
        "dongkou", gm.grades["grade"], lang=lang), lang=lang), folder / f"{lang}.html")
        for lang in ("zh", "en")}


def _open(browser, page_path: Path, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.as_uri())
    page.wait_for_function("window.landgradeAnswerAt !== undefined")
    page.wait_for_timeout(200)
    assert errors == []
    return page


_DRAWN = """() => {
  const D = JSON.parse(document.getElementById("landgrade-data").textContent);
  const map = window[D.map], layer = window[D.grades_layer];
  const b = layer.getBounds();
  const nw = map.latLngToContainerPoint(b.getNorthWest());
  const se = map.latLngToContainerPoint(b.getSouthEast());
  const box = map.getContainer().getBoundingClientRect();
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  layer.eachLayer((l) => {
    const r = l.getElement().getBoundingClientRect();
    x0 = Math.min(x0, r.left); y0 = Math.min(y0, r.top);
    x1 = Math.max(x1, r.right); y1 = Math.max(y1, r.bottom);
  });
  return {size: [box.width, box.height], view: [innerWidth, innerHeight],
          bounds: [nw.x, nw.y, se.x, se.y], drawn: [x0 - box.left, y0 - box.top,
          x1 - box.left, y1 - box.top],
          scale: [...document.querySelectorAll(".leaflet-control-scale-line")]
                 .map((e) => e.textContent)};
}"""


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (900, 1000)])
def test_the_page_is_whole_on_first_open(browser, pages, tmp_path, width, height) -> None:
    """Before: an animated first fit left the grade polygons clipped to the view they were
    first drawn in (the south of the town missing) until the user panned."""
    page = _open(browser, pages["zh"], width, height)
    got = page.evaluate(_DRAWN)
    shot = tmp_path / "first_open.png"
    page.screenshot(path=str(shot))
    page.close()
    assert got["size"] == got["view"] == [width, height]  # the map fills the window
    x0, y0, x1, y1 = got["bounds"]
    assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height  # every grade is in view
    # ... and drawn whole: the polygons' drawn extent is the layer's, not a clipped part of it
    assert got["drawn"] == pytest.approx(got["bounds"], abs=3)
    assert (x1 - x0) > 0.6 * width or (y1 - y0) > 0.6 * height  # and fills the window
    assert got["scale"] and all(re.fullmatch(r"\d+ k?m", s) for s in got["scale"])
    assert len(got["scale"]) == 1  # no second bar in feet and miles
    # every grade's colour is on the screenshot (zones at 75 % over Leaflet's #ddd)
    px = np.asarray(Image.open(shot).convert("RGB"), dtype=float)
    for grade, color in grade_colors(range(1, 6)).items():
        rgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
        blended = 0.75 * rgb + 0.25 * 221
        assert (np.abs(px - blended).max(axis=2) <= 8).sum() > 300, grade


def test_words_follow_the_language(browser, pages) -> None:
    found = {}
    for lang, path in pages.items():
        page = _open(browser, path, 1280, 800)
        found[lang] = {
            "title": page.title(),
            "layers": page.locator(".leaflet-control-layers-overlays label").all_inner_texts(),
            "legend": page.inner_text("#landgrade-legend"),
            "zoom": page.get_attribute(".leaflet-control-zoom-in", "title"),
        }
        page.close()
    zh, en = found["zh"], found["en"]
    assert zh["title"] == "洞口县城镇土地级别与基准地价图"
    assert [t.strip() for t in zh["layers"]] == [
        "土地级别", "道路", "水系", "路线价标准深度范围", "路线价路段", "基准地价范围界线"]
    assert not re.search(r"[A-Za-z]{3,}", " ".join(zh["layers"]) + zh["legend"]), zh
    assert "一级 — 商服用地 3194" in zh["legend"] and zh["zoom"] == "放大"
    assert "Dongkou urban land grades" in en["title"] and "land grades" in " ".join(en["layers"])
    assert "Grade 1" in en["legend"] and en["zoom"] == "zoom in"


def _near_route(engine, rid: str, offset: float) -> tuple[float, float]:
    """WGS84 lon/lat of the point ``offset`` metres left of route ``rid``'s midpoint."""
    routes = engine.grade_map.routes
    line = routes.loc[routes["id"] == rid].geometry.iloc[0]
    p = line.interpolate(0.5, normalized=True)
    q = line.interpolate(0.5 * line.length + 1.0)
    dx, dy = q.x - p.x, q.y - p.y
    n = np.hypot(dx, dy)
    lon, lat = transform(p.x - dy / n * offset, p.y + dx / n * offset, engine.grade_map.crs,
                         "EPSG:4326")
    return float(lon), float(lat)


def test_a_click_answers_its_point_as_locate_does(browser, pages, engine) -> None:
    """The page's answer at a point is `landgrade locate`'s record: grade, Table 6 prices with
    term and plot ratio, the nearest Table 7 route, its distance (to 0.01 m) and whether its
    road-line price applies; outside the extent, no grade."""
    from service_helpers import interior_point

    points = [interior_point(engine, g) for g in (1, 2, 3, 5)]
    points += [_near_route(engine, "A01", 8.0), _near_route(engine, "B21", 30.0),
               (110.50, 27.10)]  # 8 m (within 20 m) and 30 m from a route; outside the extent
    page = _open(browser, pages["zh"], 1280, 800)
    try:
        for lon, lat in points:
            got = page.evaluate("([x, y]) => window.landgradeAnswerAt(x, y).record", [lon, lat])
            want = to_record(engine, engine.locate(lon, lat).iloc[0])
            for key in ("inside_extent", "grade", "prices", "connotation", "valuation_date",
                        "status", "schematic_network"):
                assert got[key] == want[key], (key, lon, lat, got[key], want[key])
            g, w = got["nearest_route"], want["nearest_route"]
            assert g["id"] == w["id"] and g["distance_m"] == pytest.approx(w["distance_m"],
                                                                          abs=0.011)
            assert (g["applicable"], g["price"]) == (w["applicable"], w["price"])
        # the popup of a click 8 m from A01: grade 1's prices, A01 and its price 5714
        lon, lat = points[4]
        xy = page.evaluate(
            "([lat, lon]) => { const D = JSON.parse(document.getElementById('landgrade-data')"
            ".textContent); const p = window[D.map].latLngToContainerPoint([lat, lon]);"
            " return [p.x, p.y]; }", [lat, lon])
        page.mouse.click(*xy)
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = popup.inner_text()
    finally:
        page.close()
    assert "A01" in text and "5714" in text and "在标准深度以内" in text, text
    assert "3194" in text and "使用年期 40 年" in text  # grade 1, commercial (Tables 1 and 6)
    assert "面积" not in text  # the point, never the zone's area
    assert re.search(r"110\.\d{6}, 27\.\d{6} \(WGS84\)", text)
    assert shapely.Point(lon, lat).distance(shapely.Point(points[4])) == 0
