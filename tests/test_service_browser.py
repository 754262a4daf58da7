"""The web page in a real browser: Playwright driving the system Chromium (headless).

Load the page, click inside grade 1 and read the popup's grade and Table 6 prices, paste a
GCJ-02 coordinate, upload a small parcel file and read the graded table, download it as CSV.
The page must load nothing but from the service itself. Skips, saying why, without Chromium or
the playwright package.
"""

from __future__ import annotations

import csv
import re
import shutil

import geopandas as gpd
import pytest
import shapely
from service_helpers import LiveServer, interior_point

pytest.importorskip("uvicorn", reason="the serve extra is not installed (pip install '.[serve]')")

from landgrade.engine import load_engine
from landgrade.engine.answer import to_record
from landgrade.engine.pricing import PricingOptions
from landgrade.io.webmaps import wgs84_to_gcj02
from landgrade.outputs.map_style import WATER_COLOR
from landgrade.service.app import create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]


@pytest.mark.skipif(CHROMIUM is None,
                    reason="headless Chromium not installed (Debian: apt-get install chromium)")
def test_web_app_click_paste_upload(tmp_path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the playwright package is not installed")
    engine = load_engine()
    book = engine.pricebook
    with LiveServer(create_app(engine=engine)) as server, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000},
                                    accept_downloads=True)
            foreign: list[str] = []
            page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith(
                (server.url, "data:", "blob:")) else None)
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server.url + "/")
            page.wait_for_function("window.landgradeReady !== undefined")
            page.evaluate("window.landgradeReady")  # the grades and routes are drawn
            assert page.title().startswith("洞口县城镇土地级别与基准地价图")
            # the rivers are drawn: one path per water feature of the map
            rivers = page.locator(f'#map path[stroke="{WATER_COLOR}"]').count()
            assert rivers == len(engine.grade_map.water) > 0
            # the page's words are the county's language: no English sentence left
            assert not re.search(r"\b(Click|Paste|Grade a|Upload|Download)\b",
                                 page.inner_text("body"))

            # -- a click inside grade 1 -------------------------------------------------------
            lon, lat = interior_point(engine, 1)
            px, py = page.evaluate(
                "([lat, lon]) => { const p = window.landgradeMap.latLngToContainerPoint("
                "[lat, lon]); return [p.x, p.y]; }", [lat, lon])
            box = page.locator("#map").bounding_box()
            page.mouse.click(box["x"] + px, box["y"] + py)
            popup = page.locator(".leaflet-popup-content")
            popup.locator(".lg-grade-value").wait_for()
            # the grade in the county's language (一级), its number for machines
            assert popup.locator(".lg-grade-value").inner_text() == "一级"
            assert popup.locator(".lg-grade-value").get_attribute("data-grade") == "1"
            for use, price in book.urban_prices(1).items():  # Table 6, grade 1
                cell = popup.locator(f'tr[data-use="{use}"] .lg-price')
                assert cell.inner_text() == f"{price:g}", use
            term = book.connotation(1, "residential").term_years
            assert f"{term} 年" in popup.locator('tr[data-use="residential"]').inner_text()
            assert "2021-10-01" in popup.locator(".lg-date").inner_text()
            assert "最近路线" in popup.inner_text() and "路线价" in popup.inner_text()
            shown = [float(v) for v in re.findall(r"\d+\.\d{6}",
                                                  popup.locator(".lg-coord").inner_text())]
            # the clicked pixel's position: within two pixels of the point aimed at
            dlon, dlat = page.evaluate(
                "([x, y]) => { const m = window.landgradeMap, a = m.containerPointToLatLng([x, y]),"
                " b = m.containerPointToLatLng([x + 2, y + 2]);"
                " return [Math.abs(b.lng - a.lng), Math.abs(b.lat - a.lat)]; }", [px, py])
            assert abs(shown[0] - lon) <= dlon and abs(shown[1] - lat) <= dlat
            page.screenshot(path=str(tmp_path / "click.png"))

            # -- a GCJ-02 coordinate pasted from AMap ------------------------------------------
            glon, glat = (round(float(v), 6) for v in wgs84_to_gcj02(*interior_point(engine, 2)))
            want = to_record(engine, engine.locate(glon, glat, crs="gcj02").iloc[0])
            page.fill("#lg-xy", f"{glon}，{glat}")  # full-width comma, as pasted
            page.select_option("#lg-crs", "gcj02")
            page.click("#lg-locate")
            result = page.locator("#lg-result .lg-grade-value")
            page.wait_for_function(
                "document.querySelector('#lg-result .lg-coord') && document.querySelector("
                "'#lg-result .lg-coord').textContent.includes('gcj02') || document.querySelector("
                "'#lg-result .lg-coord') && document.querySelector('#lg-result .lg-coord')"
                ".textContent.includes('GCJ-02')")
            assert result.get_attribute("data-grade") == str(want["grade"]) == "2"
            assert result.inner_text() == "二级"
            prices = page.locator("#lg-result .lg-price").all_inner_texts()
            assert prices == [f"{want['prices'][u]:g}" for u in book.uses]

            # -- a parcel file uploaded and graded ---------------------------------------------
            p1, p3 = interior_point(engine, 1), interior_point(engine, 3)
            parcels = gpd.GeoDataFrame(
                {"宗地号": ["DK-1", "DK-2", "DK-3"], "用途": ["商服用地", "住宅", ""]},
                geometry=[shapely.Point(p1), shapely.Point(p3).buffer(0.0003),
                          shapely.Point(116.4, 39.9)], crs="EPSG:4326")
            src = tmp_path / "宗地.geojson"
            parcels.to_file(src, driver="GeoJSON")
            graded = engine.assign(parcels, pricing=PricingOptions(use_field="用途"))
            page.set_input_files("#lg-file", str(src))
            # the file's columns are offered for the land-use field; 用途 prices each row
            page.wait_for_function("document.querySelectorAll('#lg-use-fields option')"
                                   ".length === 2")
            page.fill("#lg-use-field", "用途")
            page.click("#lg-grade")
            page.wait_for_selector("#lg-table tbody tr")
            rows = page.locator("#lg-table tbody tr")
            assert rows.count() == 3
            grades = page.locator('#lg-table tbody td[data-col="grade"]').all_inner_texts()
            assert grades == [str(g) if g is not None else ""
                              for g in graded["grade"].astype(object).where(
                                  graded["grade"].notna(), None)]
            assert grades[:2] == ["1", "3"]
            statuses = page.locator('#lg-table tbody td[data-col="status"]').all_inner_texts()
            assert statuses == list(graded["status"].astype(str))
            # the unanswered row is counted by the row total, not only in the far-right column
            assert f"{statuses[2]} 1" in page.inner_text("#lg-rows")
            ids = page.locator('#lg-table tbody td[data-col="宗地号"]').all_inner_texts()
            assert ids == ["DK-1", "DK-2", "DK-3"]
            # each row priced by its own use (assign --use-field): 商服 grade 1 is Table 6's 3194
            priced = page.locator('#lg-table tbody td[data-col="price"]').all_inner_texts()
            assert priced == [f"{v:g}" if v == v else "" for v in graded["price"]]
            assert priced[0] == "3194"
            # booleans in the page's language: 是/否, never true/false
            inside = page.locator('#lg-table tbody td[data-col="in_extent"]').all_inner_texts()
            assert inside == ["是" if v else "否" for v in graded["in_extent"]] == [
                "是", "是", "否"]
            assert "true" not in page.inner_text("#lg-table").lower().split()
            # no header breaks a character to a line: one line for the label, one for the code
            heights = page.eval_on_selector_all(
                "#lg-table th", "els => els.map(e => e.getBoundingClientRect().height)")
            assert max(heights) - min(heights) < 2, heights
            page.select_option("#lg-format", "csv")
            with page.expect_download() as dl:
                page.click("#lg-download-btn")
            saved = tmp_path / "graded.csv"
            dl.value.save_as(saved)
            # named after the upload, the Chinese name intact (filename*, RFC 6266/5987)
            assert dl.value.suggested_filename == "宗地_graded.csv"
            with saved.open(encoding="utf-8-sig") as f:
                table = list(csv.DictReader(f))
            assert [r["宗地号"] for r in table] == ["DK-1", "DK-2", "DK-3"]
            assert [r["grade"] for r in table][:2] == ["1", "3"]
            page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)
            assert not errors, errors
            assert not foreign, f"loaded from outside the service: {foreign}"
        finally:
            browser.close()
