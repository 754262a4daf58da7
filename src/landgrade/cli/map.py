"""``landgrade map``: draw a grade map to print (PNG, SVG, PDF) or as an offline web page."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

# The font is read through its module: one answer (or one replacement) reaches every caller.
import landgrade.outputs.map_style as map_style
from landgrade.build.grade_map import GradeMap
from landgrade.errors import LandgradeError
from landgrade.gazette.county import county_of_map
from landgrade.gazette.labels import default_lang, word
from landgrade.outputs.map_html import interactive_map, write_html
from landgrade.outputs.map_print import static_map
from landgrade.outputs.map_style import (
    HTML_SUFFIXES,
    PAPER_MM,
    ROUTE_LABELS,
    STATIC_SUFFIXES,
    MapError,
    grade_levels,
    prices_for_map,
)

GCJ02_TILES_PREFIX = "gcj02:"
_XYZ_URL = re.compile(r"(?=.*\{z\})(?=.*\{x\})(?=.*\{-?y\})")


def map_command(
    output: str | Path,
    map_path: str | Path | None = None,
    county: str | Path | None = None,
    tiles: str | None = None,
    *,
    lang: str | None = None,
    paper: str | None = None,
    landscape: bool = False,
    dpi: int | None = None,
    route_labels: str = "id",
) -> Path:
    """``landgrade map``: draw the bundled (or ``map_path``) grade map to PNG, SVG, PDF or HTML.

    ``tiles`` is an XYZ URL template for the HTML background; prefix it with ``gcj02:`` for
    tiles of AMap or Tencent maps, which are drawn in GCJ-02. ``lang`` defaults to the county's
    language (metadata.json); ``paper``/``landscape``/``dpi``/``route_labels`` shape a static
    map (see :func:`landgrade.outputs.map_print.static_map`).
    """
    from landgrade.engine.engine import load_grade_map
    from landgrade.gazette.labels import check_lang

    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in STATIC_SUFFIXES + HTML_SUFFIXES:
        raise MapError(f"{output}: give a .png, .svg, .pdf or .html file name")
    if tiles and suffix not in HTML_SUFFIXES:
        raise MapError("--tiles only applies to .html maps")
    if lang is not None:
        check_lang(lang)
    if paper is not None and paper.upper() not in PAPER_MM:
        raise MapError(f"--paper {paper!r}: use one of {', '.join(PAPER_MM)}")
    if route_labels not in ROUTE_LABELS:
        raise MapError(f"--route-labels {route_labels!r}: use one of {', '.join(ROUTE_LABELS)}")
    if dpi is not None and not 30 <= dpi <= 1200:
        raise MapError(f"--dpi {dpi}: give a resolution between 30 and 1200")
    tiles_crs = "EPSG:4326"
    if tiles and tiles.lower().startswith(GCJ02_TILES_PREFIX):
        tiles, tiles_crs = tiles[len(GCJ02_TILES_PREFIX) :], "gcj02"
    if tiles is not None and not _XYZ_URL.search(tiles):
        # Leaflet would request the text as a file name for every tile and show nothing.
        raise MapError(
            f"--tiles {tiles!r}: not an XYZ tile URL; give one with {{z}}, {{x}} and {{y}}, "
            "e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        )
    from landgrade.gazette.county import county_inputs
    from landgrade.io.atomic import check_output

    check_output(output, [map_path, *county_inputs(county)])
    grade_map = load_grade_map(map_path=map_path, county=county)
    grade_levels(grade_map, map_path or "the bundled grade map")
    if lang is None:
        lang = default_lang(_county_metadata(grade_map, county, map_path))
    # HTML is rendered by the browser, which has its own fonts; only matplotlib needs one here.
    chinese = suffix in HTML_SUFFIXES or map_style.cjk_font() is not None
    if not chinese:
        print(
            "note: no CJK font found (Debian: apt-get install fonts-wqy-microhei); "
            "the map's words and use names are in English",
            file=sys.stderr,
        )
        lang = "en"
    # static_map and write_html each write atomically (landgrade.io.atomic_output).
    prices = prices_for_map(grade_map, county, map_path, chinese=chinese, lang=lang)
    if suffix in HTML_SUFFIXES:
        fmap = interactive_map(grade_map, prices=prices, tiles=tiles, tiles_crs=tiles_crs,
                               lang=lang)
        written = write_html(fmap, output)
    else:
        written = static_map(
            grade_map, output, prices=prices, lang=lang, paper=paper, landscape=landscape,
            dpi=dpi or 150, route_labels=route_labels,
        )
    print(word("wrote", lang, path=written))
    return written


def _county_metadata(
    grade_map: GradeMap, county: str | Path | None, map_path: str | Path | None
) -> dict[str, Any]:
    """The metadata.json of the map's county (see :func:`prices_for_map`), or empty."""
    from landgrade.gazette.county import county_folder

    try:
        folder = (
            county_folder(county) if county is not None or map_path is None
            else county_of_map(grade_map.metadata)
        )
        return dict(folder.metadata) if folder is not None else {}
    except LandgradeError:
        return {}


