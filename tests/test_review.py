"""The build review page (`landgrade build … --review page.html`) on the real Longgang OSM build.

The expectations come from the build report (which clauses exist, which rows carry warnings,
how many crossing points each ring junction had to choose from) and from the description itself
(four ring items), not from the shapes the page shows.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from landgrade.build.grade_map import GradeMap

DATA = Path(__file__).parent / "data" / "osm"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGGED = ("warning", "unresolved", "stale", "unused", "error")


def _cli(args: list[object]):
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    return CliRunner().invoke(app, [str(a) for a in args])


def _build_args(out: Path) -> list[object]:
    return ["build", "--rules", DATA / "longgang_table5.txt", "--roads", DATA / "longgang.osm.pbf",
            "--water", DATA / "longgang.osm.pbf", "--extent", DATA / "longgang_extent.geojson",
            "--routes", DATA / "longgang_routes.csv", "--quiet", "-o", out]


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("review")
    page = folder / "review.html"
    result = _cli([*_build_args(folder / "longgang.gpkg"), "--review", page])
    assert result.exit_code == 0, result.output
    assert f"wrote {page}" in result.output
    return page, GradeMap.read(folder / "longgang.gpkg").report


def test_the_page_lists_every_clause_and_marks_every_flagged_row(
        review: tuple[Path, pd.DataFrame]) -> None:
    page, report = review
    text = page.read_text(encoding="utf-8")
    heads = report[report["kind"].isin(["ring", "corridor", "region", "residual", "route"])]
    listed = re.findall(r'<div class="clause[^"]*" data-clause="([^"]+)"', text)
    assert listed == heads["clause"].tolist()
    assert set(listed) >= {"1.1", "2.1", "3.1", "4.1", "L01", "L07"}
    # Every row of the report is on the page once; the flagged ones are marked.
    rows = re.findall(r'<div class="row( flagged)?" data-status="([a-z]+)"', text)
    assert len(rows) == len(report)
    assert sorted(s for _, s in rows) == sorted(report["status"])
    assert all(bool(f) == (s in FLAGGED) for f, s in rows)
    flagged = set(report.loc[report["status"].isin(FLAGGED), "clause"])
    marked = set(re.findall(r'<div class="clause flagged" data-clause="([^"]+)"', text))
    assert marked == flagged & set(listed)


def test_the_grades_list_keys_each_grade_to_its_fill_on_the_map(
        review: tuple[Path, pd.DataFrame]) -> None:
    page, report = review
    text = page.read_text(encoding="utf-8")
    swatches = re.findall(r'class="swatch" style="background:(#[0-9a-f]{6})"', text)
    fills = set(re.findall(r'"fillColor": *"(#[0-9a-f]{6})"', text))
    assert len(swatches) == (report["kind"] == "grade").sum() == 4
    assert len(set(swatches)) == 4 and set(swatches) <= fills
    # Best grade darkest: the swatches, listed grade 1 first, get lighter down the list.
    luma = [sum(w * int(c[i:i + 2], 16) for w, i in ((0.3, 1), (0.59, 3), (0.11, 5)))
            for c in swatches]
    assert luma == sorted(luma)


def test_the_page_loads_nothing_from_the_network(review: tuple[Path, pd.DataFrame]) -> None:
    text = review[0].read_text(encoding="utf-8")
    # No external script, stylesheet, image or font (a link in the attribution is not a load).
    assert not re.search(r"<script[^>]*\ssrc=|<link[^>]*\shref=|<img[^>]*\ssrc=", text)
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", text)
    assert "L.tileLayer" not in text
    assert "Leaflet" in text  # the library itself is inlined


def test_a_bad_review_path_fails_before_anything_is_written(tmp_path: Path) -> None:
    result = _cli([*_build_args(tmp_path / "x.gpkg"), "--review", tmp_path / "review.png"])
    assert result.exit_code == 2
    assert "review.png" in result.output and ".html" in result.output
    assert not (tmp_path / "x.gpkg").exists()
    result = _cli([*_build_args(tmp_path / "x.gpkg"), "--review", tmp_path / "no" / "r.html"])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "x.gpkg").exists()


# -- in a browser -------------------------------------------------------------------------------
needs_browser = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (Debian: apt-get install chromium)")


def _open(browser, page_path: Path, requests: list[str]):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.as_uri())
    page.wait_for_function("window.landgradeReview !== undefined")
    assert errors == []
    return page


def _select(page, clause: str) -> dict[str, int]:
    page.click(f'.clause[data-clause="{clause}"] .head')
    page.wait_for_timeout(300)
    return page.evaluate("window.landgradeReview.shown()")


def _map_pixels_near(shot: Path, hex_color: str, tol: float = 30) -> int:
    rgb = np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)
    px = np.asarray(Image.open(shot).convert("RGB"), dtype=float)
    px = px[:, int(px.shape[1] * 0.33):]  # the map, right of the clause list
    return int((np.abs(px - rgb).max(axis=2) <= tol).sum())


@needs_browser
def test_selecting_a_ring_shows_its_stretches_strips_junctions_and_the_other_crossings(
        browser, review: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    page_path, report = review
    requests: list[str] = []
    page = _open(browser, page_path, requests)
    before = tmp_path / "before.png"
    page.screenshot(path=str(before))
    shown = _select(page, "1.1")
    # Four items, each with a stretch and a strip (every item has 含X侧20米).
    assert shown["stretch"] == 4 and shown["strip"] == 4 and shown["area"] == 1
    # One junction taken per pair of neighbours, and every other crossing the report counted.
    junctions = report[(report["clause"] == "1.1") & (report["kind"] == "junction")]
    # A junction met on both carriageways of a dual road is one junction with several
    # crossing points (a note, not a warning); the page shows every point it chose among.
    points = [int(m.group(1)) if (m := re.search(r"(\d+) crossing points", str(f))) else
              int(m.group(1)) if (m := re.match(r"(\d+) crossings", str(w))) else 1
              for f, w in zip(junctions["features"], junctions["warnings"], strict=True)]
    assert shown["junction"] == len(junctions) == 4
    assert shown.get("candidate", 0) == sum(points) - len(points) > 0
    # The selected clause is marked, its report rows are shown, flagged ones highlighted.
    entry = page.locator('.clause[data-clause="1.1"]')
    assert "selected" in entry.get_attribute("class")
    assert entry.locator(".rows").is_visible()
    assert entry.locator(".row.flagged").count() == int(
        report.loc[report["clause"] == "1.1", "status"].isin(FLAGGED).sum())
    after = tmp_path / "after.png"
    page.screenshot(path=str(after))
    # The stretches (blue) and strips (orange) are on the map only once the ring is selected.
    assert _map_pixels_near(before, "#1f5fbf") < 50
    assert _map_pixels_near(after, "#1f5fbf") > 2000
    assert _map_pixels_near(after, "#ffb347", tol=40) > 2000
    assert all(u.startswith(("file:", "data:")) for u in requests), requests


@needs_browser
def test_the_scale_bar_is_in_metres_only(browser, review: tuple[Path, pd.DataFrame]) -> None:
    page = _open(browser, review[0], [])
    bars = page.eval_on_selector_all(".leaflet-control-scale-line",
                                     "els => els.map(e => e.textContent)")
    page.close()
    assert len(bars) == 1, bars  # folium's own control added a second bar, in feet
    assert re.fullmatch(r"\d+ k?m", bars[0]), bars


@needs_browser
def test_selecting_a_route_or_a_corridor_shows_only_its_own_shapes(
        browser, review: tuple[Path, pd.DataFrame]) -> None:
    page = _open(browser, review[0], [])
    shown = _select(page, "L05")
    assert shown["route"] == 1 and shown["junction"] == 2
    assert not {"strip", "stretch", "area"} & set(shown)
    shown = _select(page, "2.1")
    assert {k: shown[k] for k in ("area", "stretch", "junction")} == {
        "area": 1, "stretch": 1, "junction": 2}
    corridor = review[1].set_index("clause").loc["2.1"]
    # "N possible stretches between …", or ends among several carriageway crossings: the ends
    # it did not take are shown as candidates.
    assert (shown.get("candidate", 0) > 0) == (
        "possible stretches" in str(corridor["warnings"])
        or "crossing points" in str(corridor["features"]))
    assert page.locator(".clause.selected").count() == 1


def test_every_clause_and_resolved_route_of_the_dongkou_build_has_shapes_to_show() -> None:
    from landgrade.build.builder import build_county
    from landgrade.outputs.review import _shapes

    gm = build_county()
    report, clauses = gm.report, gm.clauses
    heads = report[report["kind"].isin(["ring", "corridor", "region", "residual"])]
    routes = report[(report["kind"] == "route") & (report["status"] != "unresolved")]
    assert len(routes) == 74
    shapes = pd.DataFrame([f["properties"] for f in _shapes(gm)["features"]])
    roles = shapes.groupby("clause")["role"].agg(set)
    assert set(heads["clause"]) | set(routes["clause"]) <= set(roles.index)
    assert all({"stretch", "junction", "area"} <= roles[c] for c in report.loc[
        report["kind"] == "ring", "clause"])
    assert all({"area"} <= roles[c] for c in heads["clause"])
    assert all({"route", "junction"} <= roles[c] for c in routes["clause"])
    # A route shows its two ends.
    assert (shapes[shapes["role"] == "junction"].groupby("clause").size()[
        routes["clause"]] == 2).all()
    # Every strip a ring item reports (its area) is shown for that item, and nothing else is.
    strips = report[(report["kind"] == "item") & report["area_m2"].notna()
                    & report["clause"].isin(report.loc[report["kind"] == "ring", "clause"])]
    shown = shapes[shapes["role"] == "strip"]
    assert set(zip(strips["clause"], strips["item"], strict=True)) == set(
        zip(shown["clause"], shown["item"], strict=True))
    # Each report row with geometry points at itself: the same clause and kind.
    rows = report.iloc[clauses["report_row"].to_numpy()]
    assert (rows["clause"].to_numpy() == clauses["clause"].to_numpy()).all()
    assert (rows["kind"].to_numpy() == clauses["kind"].to_numpy()).all()
