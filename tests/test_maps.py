"""Static and web maps of a hand-drawn grade map (see synthetic_grade_map.py)."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from PIL import Image
from pyproj import Transformer
from synthetic_grade_map import (
    LABELS_ZH,
    RING_AREAS,
    TABLE6,
    X0,
    Y0,
    synthetic_grade_map,
    table6_legend,
)

from landgrade.gazette.labels import SCHEMATIC_NOTE
from landgrade.outputs.map_html import interactive_map, write_html
from landgrade.outputs.map_print import static_map
from landgrade.outputs.map_style import (
    FOOT_IN,
    TITLE_BAND_IN,
    MapError,
    PriceLegend,
    cjk_font,
    grade_colors,
    map_subtitle,
    map_title,
)

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (Debian: apt-get install chromium)"
)


def _rgb255(hex_color: str) -> np.ndarray:
    return np.array(to_rgb(hex_color)) * 255


def _pixels_near(image: Path, rgb: np.ndarray, tol: float = 6.0) -> int:
    px = np.asarray(Image.open(image).convert("RGB"), dtype=float)
    return int((np.abs(px - rgb).max(axis=2) <= tol).sum())


def _luminance(hex_color: str) -> float:
    r, g, b = to_rgb(hex_color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --- colours, titles -------------------------------------------------------------------------


def test_grade_colours_get_lighter_from_the_best_grade() -> None:
    colors = grade_colors([3, 1, 5, 2, 4, 1])
    assert list(colors) == [1, 2, 3, 4, 5]
    lum = [_luminance(colors[g]) for g in sorted(colors)]
    assert all(a < b for a, b in itertools.pairwise(lum)), lum


def test_title_says_schematic_only_when_it_is() -> None:
    assert SCHEMATIC_NOTE in map_subtitle(synthetic_grade_map(schematic=True), {}, "en")
    assert SCHEMATIC_NOTE not in map_subtitle(synthetic_grade_map(schematic=False), {}, "en")
    assert "示意性" in map_subtitle(synthetic_grade_map(schematic=True), {}, "zh")
    assert "Testshire" in map_title(synthetic_grade_map())
    assert map_title(synthetic_grade_map(), lang="zh") == "测试县城镇土地级别与基准地价图"
    chinese_only = synthetic_grade_map()
    del chinese_only.metadata["county_en"]
    assert "测试县" in map_title(chinese_only)
    assert "测试县" not in map_title(chinese_only, chinese=False)  # no CJK font: no tofu boxes


def test_subtitle_names_document_valuation_date_and_crs(dongkou_dir: Path) -> None:
    import json

    meta = json.loads((dongkou_dir / "metadata.json").read_text(encoding="utf-8"))
    line = map_subtitle(synthetic_grade_map(), meta, "zh")
    assert "文号 洞政发〔2022〕1号" in line and "估价期日 2021-10-01" in line
    # the working CRS in the map's language: Chinese words under zh, pyproj's name under en
    assert "EPSG:4546" in line and "高斯-克吕格投影 3度带 中央经线 111°E" in line
    assert "2000国家大地坐标系" in line and "Gauss" not in line and "degree" not in line
    english = map_subtitle(synthetic_grade_map(), meta, "en")
    assert "CGCS2000 / 3-degree Gauss-Kruger CM 111E (EPSG:4546)" in english


def test_cjk_font_found_when_one_is_installed() -> None:
    fc = shutil.which("fc-list")
    if fc is None:
        pytest.skip("fontconfig not installed")
    listing = subprocess.run([fc, ":lang=zh"], capture_output=True, text=True).stdout
    if not listing.strip():
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-wqy-microhei)")
    assert cjk_font() is not None


# --- static maps -----------------------------------------------------------------------------


def test_png_has_the_page_size_and_each_grade_in_proportion_to_its_area(tmp_path: Path) -> None:
    gm = synthetic_grade_map()
    out = static_map(gm, tmp_path / "m.png", prices=table6_legend(), width_in=10, dpi=150)
    image = Image.open(out)
    # 10 in × 150 dpi wide; the square extent gives a square map 0.68 × 10 in, plus the title
    # band (title, 文号/date/CRS line) and the footer (issuer, schematic note).
    assert image.size == (1500, round((0.68 * 10 + TITLE_BAND_IN + FOOT_IN) * 150))
    counts = {g: _pixels_near(out, _rgb255(c), tol=1) for g, c in grade_colors(range(1, 6)).items()}
    assert all(n > 0 for n in counts.values()), counts
    # Areas by hand: 0.16, 0.48, 0.8, 1.12 and 1.44 km²; routes, labels and the scale bar cover
    # a little of each zone, hence the tolerance.
    for g in range(2, 6):
        ratio = counts[g] / counts[1]
        assert ratio == pytest.approx(RING_AREAS[g] / RING_AREAS[1], rel=0.15), (g, counts)


def test_svg_is_written_with_grade_fills(tmp_path: Path) -> None:
    out = static_map(synthetic_grade_map(), tmp_path / "m.svg", prices=table6_legend(), width_in=8)
    text = out.read_text(encoding="utf-8")
    assert re.search(r'<svg[^>]*width="576pt"', text)  # 8 in × 72 pt
    for color in grade_colors(range(1, 6)).values():
        assert f"fill: {color}" in text


def test_static_map_refuses_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(MapError, match=r"\.png, \.svg or \.pdf"):
        static_map(synthetic_grade_map(), tmp_path / "m.jpg")


def test_static_map_without_prices_or_optional_layers(tmp_path: Path) -> None:
    gm = synthetic_grade_map(schematic=False)
    gm.routes = gm.water = gm.roads = None
    out = static_map(gm, tmp_path / "bare.png")
    assert _pixels_near(out, _rgb255(grade_colors(range(1, 6))[1]), tol=1) > 0


# --- web page --------------------------------------------------------------------------------


def _html(tmp_path: Path, **kw) -> Path:
    fmap = interactive_map(synthetic_grade_map(), prices=table6_legend(), **kw)
    return write_html(fmap, tmp_path / "m.html")


def test_html_loads_nothing_from_the_network(tmp_path: Path) -> None:
    text = _html(tmp_path).read_text(encoding="utf-8")
    # No external script, stylesheet, image or font (links in the attribution are not loads).
    assert not re.search(r"<script[^>]*\ssrc=|<link[^>]*\shref=|<img[^>]*\ssrc=", text)
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", text)
    assert "L.tileLayer" not in text
    assert "Leaflet" in text  # the library itself is inlined
    assert "商服用地 3194" in text  # the legend names grade 1's commercial price (Table 6)


def test_html_uses_a_tile_layer_only_when_asked(tmp_path: Path) -> None:
    url = "https://tiles.example/{z}/{x}/{y}.png"
    text = _html(tmp_path, tiles=url).read_text(encoding="utf-8")
    assert "L.tileLayer" in text and url in text


def _chromium(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--proxy-server=http://127.0.0.1:9",
        "--window-size=1000,800", "--virtual-time-budget=5000", *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@needs_chromium
def test_html_shows_the_grades_offline(tmp_path: Path) -> None:
    page = _html(tmp_path)
    shot = tmp_path / "shot.png"
    _chromium([f"--screenshot={shot}", page.as_uri()], tmp_path)
    assert shot.exists(), "Chromium wrote no screenshot"
    # Zones are drawn at 75 % opacity over Leaflet's #ddd background.
    for grade, color in grade_colors(range(1, 6)).items():
        blended = 0.75 * _rgb255(color) + 0.25 * 221
        assert _pixels_near(shot, blended, tol=8) > 500, f"grade {grade} not on the screenshot"


_CLICK = """
<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var map = %(map)s, p = map.latLngToContainerPoint([%(lat)f, %(lon)f]);
    var box = map.getContainer().getBoundingClientRect();
    var x = box.left + p.x, y = box.top + p.y;
    document.elementFromPoint(x, y).dispatchEvent(
      new MouseEvent("click", {bubbles: true, cancelable: true, clientX: x, clientY: y}));
  }, 200);
});
</script>
"""


def _popup_after_click(tmp_path: Path, dx: float, dy: float) -> str:
    """The popup text after clicking the point (X0 + dx, Y0 + dy) of the synthetic map."""
    page = _html(tmp_path)
    text = page.read_text(encoding="utf-8")
    map_var = re.search(r"var (map_[0-9a-f]+) = L\.map", text).group(1)
    lon, lat = Transformer.from_crs(4546, 4326, always_xy=True).transform(X0 + dx, Y0 + dy)
    script = _CLICK % {"map": map_var, "lat": lat, "lon": lon}
    page.write_text(text.replace("</body>", script + "</body>"), encoding="utf-8")
    dom = _chromium(["--dump-dom", page.as_uri()], tmp_path).stdout
    found = re.search(r'class="leaflet-popup-content"[^>]*>(.*?)</div>\s*</div>', dom, re.S)
    # Thousands separators depend on the browser's locale.
    return re.sub(r"<[^>]+>", " ", found.group(1)).replace(",", "") if found else ""


@needs_chromium
def test_click_in_a_zone_pops_up_its_grade_and_prices(tmp_path: Path) -> None:
    popup = _popup_after_click(tmp_path, 0, 100)  # inside grade 1, off route A01's frontage
    assert "3194" in popup, popup  # Table 6 grade 1 commercial
    assert "1932" in popup, popup  # Table 6 grade 1 residential


@needs_chromium
def test_click_within_standard_depth_pops_up_the_route(tmp_path: Path) -> None:
    popup = _popup_after_click(tmp_path, 50, 10)  # 10 m from A01, whose depth is 20 m
    assert "A01" in popup and "5714" in popup, popup


@needs_chromium
def test_click_outside_the_extent_says_so(tmp_path: Path) -> None:
    popup = _popup_after_click(tmp_path, 0, -1040)  # 40 m beyond the extent's south edge
    assert "Outside the grading extent" in popup, popup


def test_gcj02_tiles_shift_every_layer_onto_them(tmp_path: Path) -> None:
    def first_vertex(page: Path) -> tuple[float, float]:
        found = re.search(r'"coordinates": \[\[\[\[?([\d.]+), ([\d.]+)\]', page.read_text("utf-8"))
        return float(found.group(1)), float(found.group(2))

    url = "https://tiles.example/{z}/{x}/{y}.png"
    wgs = first_vertex(write_html(interactive_map(synthetic_grade_map()), tmp_path / "w.html"))
    gcj = first_vertex(
        write_html(
            interactive_map(synthetic_grade_map(), tiles=url, tiles_crs="gcj02"),
            tmp_path / "g.html",
        )
    )
    to_m = Transformer.from_crs(4326, 4546, always_xy=True)
    (x0, x1), (y0, y1) = zip(to_m.transform(*wgs), to_m.transform(*gcj), strict=True)
    # GCJ-02 sits a few hundred metres from WGS84 around Dongkou (DESIGN.md: about 600 m).
    assert 300 < ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 < 900


# --- command line ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def map_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_grade_map().to_gpkg(tmp_path_factory.mktemp("map") / "synthetic.gpkg")


def test_cli_map_png_from_any_map(map_file: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    out = tmp_path / "m.png"
    result = CliRunner().invoke(app, ["map", "-o", str(out), "--map", str(map_file)])
    assert result.exit_code == 0, result.output
    assert _pixels_near(out, _rgb255(grade_colors(range(1, 6))[3]), tol=1) > 0
    assert "without prices" in result.output  # no --county: said, not silently dropped


def test_cli_map_html_with_county_prices_and_gcj02_tiles(map_file: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    out = tmp_path / "m.html"
    url = "https://tiles.example/{z}/{x}/{y}.png"
    result = CliRunner().invoke(
        app,
        ["map", "-o", str(out), "--map", str(map_file), "--county", "dongkou",
         "--tiles", f"gcj02:{url}"],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert url in text and f"gcj02:{url}" not in text
    assert "3194" in text  # Dongkou Table 6, grade 1 commercial, from the county folder


def test_cli_map_refuses_unknown_formats(map_file: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    result = CliRunner().invoke(app, ["map", "-o", str(tmp_path / "m.jpg"), "--map", str(map_file)])
    assert result.exit_code == 2
    assert ".png, .svg, .pdf or .html" in result.output


def test_without_a_cjk_font_the_legend_falls_back_to_english(
    map_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from landgrade.cli.app import app
    from landgrade.outputs import map_style

    english = map_style.price_legend("dongkou", [1, 2], chinese=False)
    assert english.labels["commercial"] == "Commercial and business services"  # uses.csv
    monkeypatch.setattr(map_style, "cjk_font", lambda: None)
    out = tmp_path / "m.png"
    result = CliRunner().invoke(
        app, ["map", "-o", str(out), "--map", str(map_file), "--county", "dongkou"]
    )
    assert result.exit_code == 0, result.output
    assert "no CJK font" in result.output and "fonts-wqy-microhei" in result.output


def test_route_labels_move_along_their_routes_rather_than_overlap() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import geopandas as gpd
    import matplotlib.pyplot as plt
    from shapely.geometry import LineString

    from landgrade.outputs.map_print import label_routes

    # Two parallel routes 5 m apart: their midpoints' labels would sit on top of each other.
    routes = gpd.GeoDataFrame(
        {"id": ["R1", "R2"]},
        geometry=[LineString([(0, 0), (1000, 0)]), LineString([(0, 5), (1000, 5)])],
        crs="EPSG:4546",
    )
    fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
    try:
        ax.set_xlim(-50, 1050)
        ax.set_ylim(-500, 500)
        texts = {t.get_text(): t.get_position() for t in label_routes(routes, ax)}
    finally:
        plt.close(fig)
    assert set(texts) == {"R1", "R2"}  # every route keeps its label
    assert texts["R1"] == pytest.approx((500, 0))  # the first placed sits mid-way
    assert texts["R2"] == pytest.approx((350, 5))  # the other moved to its next spot (0.35)


def test_no_two_route_labels_overlap_on_the_bundled_map(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from landgrade.engine import load_grade_map
    from landgrade.outputs.map_print import label_routes
    from landgrade.outputs.map_style import print_rc, working_layer

    routes = working_layer(load_grade_map(), "routes")
    for style in ("id", "price"):  # ids only, and id + name + price (far longer)
        # the CJK font throughout, so names are laid out and measured as they are drawn
        with plt.rc_context(print_rc()):
            fig, ax = plt.subplots(figsize=(11.7, 8.3), dpi=100)  # A4 landscape
            try:
                b = routes.total_bounds
                ax.set_xlim(b[0] - 100, b[2] + 100)
                ax.set_ylim(b[1] - 100, b[3] + 100)
                ax.set_aspect("equal")
                texts = label_routes(routes, ax, style=style, fontsize=5)
                renderer = fig.canvas.get_renderer()
                boxes = [t.get_window_extent(renderer) for t in texts if isinstance(t, Text)]
            finally:
                plt.close(fig)
        assert len(boxes) == len(routes)  # every Table 7 route is labelled
        overlaps = [
            (i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
            if boxes[i].overlaps(boxes[j])
        ]
        assert not overlaps, (style, overlaps[:5])


def test_pdf_and_svg_maps_keep_text_as_text(tmp_path: Path) -> None:
    import json

    if cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-wqy-microhei)")
    meta = json.loads((ROOT / "geo" / "dongkou" / "metadata.json").read_text(encoding="utf-8"))
    prices = PriceLegend(table=TABLE6.copy(), labels=dict(LABELS_ZH), lang="zh", metadata=meta)
    svg = static_map(synthetic_grade_map(), tmp_path / "m.svg", prices=prices, paper="A4",
                     landscape=True).read_text(encoding="utf-8")
    assert "<text" in svg  # svg.fonttype none: real text, not glyph paths
    assert "测试县城镇土地级别与基准地价图" in svg and "一级" in svg and "洞政发〔2022〕1号" in svg
    assert "A01" in svg
    # A4 landscape is 297 × 210 mm = 841.9 × 595.3 pt.
    assert re.search(r'<svg[^>]*width="841\.8\d*pt"[^>]*height="595\.2\d*pt"', svg)
    pdf = static_map(synthetic_grade_map(), tmp_path / "m.pdf", prices=prices, paper="A3")
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (Debian: apt-get install poppler-utils)")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "测试县城镇土地级别与基准地价图" in text and "洞政发〔2022〕1号" in text
    assert "2021-10-01" in text and "一级" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "CID TrueType" in fonts and " yes " in fonts  # the CJK font is embedded (type 42)


def test_english_and_chinese_maps_differ_as_expected(tmp_path: Path) -> None:
    if cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-wqy-microhei)")
    zh = static_map(synthetic_grade_map(), tmp_path / "zh.svg", prices=table6_legend(),
                    lang="zh").read_text(encoding="utf-8")
    en = static_map(synthetic_grade_map(), tmp_path / "en.svg", prices=table6_legend(),
                    lang="en").read_text(encoding="utf-8")
    assert "一级" in zh and "Grade 1" not in zh and "基准地价范围界线" in zh
    assert "Grade 1" in en and "一级" not in en and "grading extent" in en


def test_cli_map_names_the_feature_whose_grade_is_not_a_number(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    gm = synthetic_grade_map()
    gm.grades["grade"] = gm.grades["grade"].astype(float)
    gm.grades.loc[2, "grade"] = np.nan  # the third feature, grade 3
    bad = gm.to_gpkg(tmp_path / "nan_grade.gpkg")
    result = CliRunner().invoke(app, ["map", "-o", str(tmp_path / "m.png"), "--map", str(bad)])
    assert result.exit_code == 2, result.output
    assert "nan_grade.gpkg" in result.output and "feature 3" in result.output
    assert not (tmp_path / "m.png").exists()


def test_cli_map_refuses_a_county_whose_table6_lacks_a_grade_of_the_map(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    gm = synthetic_grade_map()
    gm.grades.loc[4, "grade"] = 7  # Dongkou's Table 6 prices grades 1–5 only
    bad = gm.to_gpkg(tmp_path / "grade7.gpkg")
    result = CliRunner().invoke(
        app, ["map", "-o", str(tmp_path / "m.png"), "--map", str(bad), "--county", "dongkou"]
    )
    assert result.exit_code == 2, result.output
    assert "urban_prices.csv" in result.output and "grade 7" in result.output


def test_a_layer_saved_in_degrees_is_drawn_in_metres() -> None:
    from landgrade.outputs.map_style import grades_for_drawing

    gm = synthetic_grade_map()
    gm.grades = gm.grades.to_crs(4326)
    # Back in EPSG:4546 the zones span the 2000 m extent square around (X0, Y0) again.
    bounds = grades_for_drawing(gm).total_bounds
    assert bounds == pytest.approx([X0 - 1000, Y0 - 1000, X0 + 1000, Y0 + 1000], abs=0.01)


@pytest.mark.parametrize("tiles", ["foo", "gcj02:", "https://tiles.example/{z}/{x}.png"])
def test_cli_map_refuses_tiles_that_are_not_an_xyz_url(
    map_file: Path, tmp_path: Path, tiles: str
) -> None:
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    out = tmp_path / "m.html"
    result = CliRunner().invoke(
        app, ["map", "-o", str(out), "--map", str(map_file), "--tiles", tiles]
    )
    assert result.exit_code == 2, result.output
    assert "not an XYZ tile URL" in result.output
    assert not out.exists()


@pytest.mark.parametrize(("paper", "landscape", "mm"), [
    ("A4", False, (210, 297)),
    ("A4", True, (297, 210)),
    ("A3", False, (297, 420)),
])
def test_paper_and_dpi_fix_the_page(tmp_path: Path, paper: str, landscape: bool, mm) -> None:
    out = static_map(synthetic_grade_map(), tmp_path / "p.png", prices=table6_legend(),
                     paper=paper, landscape=landscape, dpi=100)
    # Millimetres at 100 dots per inch (25.4 mm), to the pixel.
    assert Image.open(out).size == pytest.approx([m / 25.4 * 100 for m in mm], abs=1)
    # Every grade is still drawn on the page.
    for color in grade_colors(range(1, 6)).values():
        assert _pixels_near(out, _rgb255(color), tol=1) > 0


def test_cli_map_refuses_an_unknown_paper(map_file: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from landgrade.cli.app import app

    out = tmp_path / "m.pdf"
    result = CliRunner().invoke(app, ["map", "-o", str(out), "--map", str(map_file), "--paper",
                                      "Letter"])
    assert result.exit_code == 2 and "A4, A3" in result.output
    assert not out.exists()


def test_cli_html_page_speaks_the_county_language_unless_told(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from landgrade.cli.app import app

    meta = json.loads((ROOT / "geo" / "dongkou" / "metadata.json").read_text(encoding="utf-8"))
    assert meta["language"] == "zh"
    zh, en = tmp_path / "zh.html", tmp_path / "en.html"
    for out, extra in ((zh, []), (en, ["--lang", "en"])):
        result = CliRunner().invoke(app, ["map", "-o", str(out), *extra])
        assert result.exit_code == 0, result.output
    zh_text, en_text = zh.read_text(encoding="utf-8"), en.read_text(encoding="utf-8")
    assert "洞口县城镇土地级别与基准地价图" in zh_text and "一级 — 商服用地 3194" in zh_text
    assert meta["document"] in zh_text and "元/平方米" in zh_text
    assert "Dongkou urban land grades and benchmark prices" in en_text
    assert "Grade 1 — Commercial and business services 3194" in en_text
    assert "一级" not in en_text


def test_gazette_facts_one_wording_skips_missing_keys_in_order() -> None:
    """The map subtitle, footer, web legend and report head share this wording."""
    from landgrade.gazette.labels import gazette_facts

    meta = {"document": "X〔2022〕1号", "date": "2022-02-07", "issuer": ""}
    assert gazette_facts(meta, ("issuer", "date", "document"), "zh") == [
        "发布日期 2022-02-07", "文号 X〔2022〕1号"]
    assert gazette_facts(None, ("document",), "en") == []


def test_english_legend_line_breaks_between_uses_to_stay_on_the_page() -> None:
    """Table 6 grade 1: commercial 3194, residential 1932; the 49-character first part plus
    ", Residential 1932" is wider than 50 characters, so the legend breaks between the uses."""
    from landgrade.outputs import map_style

    english = map_style.price_legend("dongkou", [1], chinese=False)
    one = map_style.legend_label(1, english, "en")
    assert "\n" not in one and "3194, Residential 1932" in one
    wrapped = map_style.legend_label(1, english, "en", width_chars=50)
    assert wrapped == "Grade 1 — Commercial and business services 3194,\nResidential 1932"


def test_route_price_label_carries_its_unit() -> None:
    """``雪峰中路 5 4112`` reads as a name; the price needs its unit after it."""
    import pandas as pd

    from landgrade.outputs import map_print

    row = pd.Series({"id": "A06", "name": "雪峰中路 5", "price": 4112.0})
    assert map_print.route_label_text(row, "price", "元/平方米") == "A06 雪峰中路 5 4112 元/平方米"
    assert map_print.route_label_text(row, "name", "元/平方米") == "A06 雪峰中路 5"
