"""Printed maps use their paper: type grows with the sheet, the sheet is filled, and every
route's road and price is on it (the route table) with no two labels on top of each other."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from synthetic_grade_map import synthetic_grade_map, table6_legend

from landgrade.outputs.map_print import fill_frame, static_map
from landgrade.outputs.map_style import PrintStyle, cjk_font, print_style

SQRT2 = math.sqrt(2)


def _font_sizes(svg: str) -> list[float]:
    return [float(v) for v in re.findall(r"font-size: ([\d.]+)px", svg)]


def test_a3_sets_every_size_sqrt2_times_a4() -> None:
    """A3 is A4 scaled by √2 (297 × 420 mm against 210 × 297 mm), and so is its style."""
    a4, a3 = print_style("A4"), print_style("A3", landscape=True)
    assert a4.scale == pytest.approx(1.0) and a3.scale == pytest.approx(SQRT2, rel=1e-3)
    for name in PrintStyle.__dataclass_fields__:
        if name in ("scale", "margin_in", "gap_in"):
            continue
        assert getattr(a3, name) == pytest.approx(SQRT2 * getattr(a4, name), rel=1e-3), name
    assert a4.title_pt == 14 and a4.legend_pt == 7  # the A4 sheet's type, as before
    assert print_style(None, width_in=10).scale == 1.0  # a picture narrower than A4's long side


def test_a3_svg_type_is_larger_than_a4(tmp_path: Path) -> None:
    sizes = {}
    for paper in ("A4", "A3"):
        svg = static_map(synthetic_grade_map(), tmp_path / f"{paper}.svg",
                         prices=table6_legend(), paper=paper, landscape=True, lang="en")
        sizes[paper] = _font_sizes(svg.read_text(encoding="utf-8"))
    a4, a3 = sizes["A4"], sizes["A3"]
    assert max(a3) == pytest.approx(SQRT2 * max(a4), rel=1e-3)  # the title
    assert max(a4) == pytest.approx(14.0)
    # every text of the sheet, smallest to largest, √2 times larger on A3 (route labels that
    # shrank to make room may shrink differently, so compare the sizes each sheet uses most)
    common = lambda s: max(set(s), key=s.count)  # noqa: E731
    assert common(a3) == pytest.approx(SQRT2 * common(a4), rel=1e-3)
    assert min(a3) > min(a4)


def test_fill_frame_widens_the_view_to_the_frame_shape() -> None:
    # a 100 × 50 view in a 4 × 4 inch frame: 50 m more north and south, as much each way
    assert fill_frame((0, 0, 100, 50), 4, 4) == (0, -25, 100, 75)
    assert fill_frame((0, 0, 100, 50), 8, 2) == (-50, 0, 150, 50)


def _blank_share(png: Path, cell_in: float, dpi: int) -> float:
    """The share of the page's cells (``cell_in`` inches square) with nothing drawn in them."""
    px = np.asarray(Image.open(png).convert("L"), dtype=float)
    cell = round(cell_in * dpi)
    h, w = (px.shape[0] // cell) * cell, (px.shape[1] // cell) * cell
    cells = px[:h, :w].reshape(h // cell, cell, w // cell, cell).min(axis=(1, 3))
    return float((cells > 245).mean())


@pytest.mark.parametrize(("paper", "landscape"), [("A4", True), ("A4", False), ("A3", True),
                                                  ("A3", False)])
def test_the_dongkou_sheet_is_filled(tmp_path: Path, paper: str, landscape: bool) -> None:
    """Half-inch cells of the printed A4/A3 sheet (scaled with the paper) with nothing in them:
    the map frame takes what the legend, Table 6 and the route table leave, so under an eighth
    of the sheet is blank (before, a fifth to a third: an A4-sized map on an A3 sheet)."""
    from landgrade.engine import load_grade_map
    from landgrade.outputs.map_style import price_legend

    if cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-wqy-microhei)")
    gm = load_grade_map()
    prices = price_legend("dongkou", gm.grades["grade"], lang="zh")
    out = static_map(gm, tmp_path / "sheet.png", prices=prices, paper=paper,
                     landscape=landscape, dpi=50)
    scale = print_style(paper).scale
    assert _blank_share(out, 0.5 * scale, 50) < 0.125


def test_the_route_table_names_every_route_with_its_price(tmp_path: Path) -> None:
    """``--route-labels id`` labels routes by id on the map; the sheet's route table keys each
    id to its road section and Table 7 price (the synthetic map's three routes)."""
    svg = static_map(synthetic_grade_map(), tmp_path / "m.svg", prices=table6_legend(),
                     paper="A4", landscape=True, lang="zh").read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)  # svg.fonttype none: real text
    for rid, name, price in (("A01", "桔城路 4", "5714"), ("B02", "雪峰中路 5", "2502"),
                             ("C03", "洞口大道 1", "1500")):
        assert rid in texts and name in texts and price in texts, (rid, texts)
    # the title, with the unit of every price (this legend's metadata names none: yuan/m²)
    assert "路线价　单位：yuan/m²" in texts
    assert {"编号", "路段"} <= set(texts)


def test_price_labels_never_overlap_and_fall_back_to_the_id(tmp_path: Path) -> None:
    """With --route-labels price on A4 landscape, the bundled map's 74 labels do not overlap;
    the ones with no room for name and price show the id the route table keys."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from landgrade.engine import load_grade_map
    from landgrade.outputs import map_print

    if cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: apt-get install fonts-wqy-microhei)")
    seen: dict[str, list] = {}
    real = map_print.label_routes

    def spy(routes, ax, **kw):
        texts = real(routes, ax, **kw)
        renderer = ax.figure.canvas.get_renderer()
        seen["boxes"] = [t.get_window_extent(renderer) for t in texts if isinstance(t, Text)]
        seen["texts"] = [t.get_text() for t in texts]
        seen["keyed"] = kw.get("keyed")
        return texts

    gm = load_grade_map()
    try:
        map_print.label_routes = spy
        static_map(gm, tmp_path / "m.png", paper="A4", landscape=True, route_labels="price",
                   dpi=72)
    finally:
        map_print.label_routes = real
        plt.close("all")
    boxes, texts = seen["boxes"], seen["texts"]
    assert seen["keyed"] and len(texts) == len(gm.routes) == 74
    assert not [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
                if boxes[i].overlaps(boxes[j])]
    ids = set(gm.routes["id"])
    assert all(t.split(" ")[0] in ids for t in texts)  # each label starts with its id
