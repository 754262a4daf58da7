"""The web page at ``/``: the grade map, a click or a pasted coordinate answered, a file graded.

The page (``index.html``, ``static/app.js``, ``static/app.css``) talks only to this service's own
API, with relative URLs so that it works under a reverse proxy's sub-path. Leaflet is served from
the installed ``xstatic-leaflet`` package: nothing is loaded from a CDN, and no background tiles
are fetched. What the page needs to know about the map (title, grade colours, use labels, the
schematic-network note) is written into it as JSON when the service starts.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from landgrade.engine.answer import use_short
from landgrade.engine.engine import Engine
from landgrade.gazette.labels import grade_label, schematic_note, unit, word
from landgrade.io.crs import GK3_FIRST_EPSG
from landgrade.outputs.map_style import (
    ROUTE_COLOR,
    WATER_COLOR,
    crs_words,
    grade_colors,
    map_title,
)

HERE = Path(__file__).parent
GK3_PREFIXED_FIRST_EPSG = 4513  # CGCS2000 3-degree zones with the zone prefix: 25 … 45

# Chinese label, English label of the answer columns shown in the graded table.
COLUMN_LABELS = {
    "in_extent": ("定级范围内", "in extent"), "grade": ("级别", "grade"),
    "val_date": ("估价期日", "valuation date"), "price_src": ("价格来源", "price source"),
    "town_cls": ("城镇等别", "town class"), "route_id": ("路线", "route"),
    "route_name": ("路线名称", "route name"), "route_m": ("距离(米)", "distance m"),
    "route_in": ("标准深度内", "within depth"), "route_px": ("路线价", "road-line price"),
    "on_bound": ("边界上", "on boundary"), "status": ("状态", "status"),
    "message": ("说明", "message"), "share_out": ("范围外占比", "share outside"),
    "area_m2": ("面积(平方米)", "area m²"),
}


# Interface words the page's script shows (labels.WORDS keys).
SCRIPT_WORDS = (
    "grade", "on_boundary", "use", "prices", "plot_ratio", "valuation_date", "outside_extent",
    "nearest_route", "distance", "m", "standard_depth", "web_within", "web_beyond",
    "road_price", "point", "web_input", "status", "note", "schematic_short", "web_failed_map",
    "web_failed", "web_rows", "web_first_rows", "yes", "no", "legend_grades", "web_years",
    "term", "web_no_file",
)


def page_lang(engine: Engine, lang: str | None = None) -> str:
    """The page's language: ``lang``, else the county's (its metadata's ``language``)."""
    from landgrade.engine.answer import answer_lang

    return answer_lang(engine, lang)


def page_config(engine: Engine, lang: str | None = None) -> dict[str, Any]:
    """What the page shows besides the API's answers, in ``lang`` (default: the county's)."""
    from landgrade.engine.answer import STATUSES, status_text

    lang = page_lang(engine, lang)
    gm = engine.grade_map
    book = engine.pricebook
    meta = getattr(book, "metadata", None)
    uses = []
    labels = {k: v[0 if lang == "zh" else 1] for k, v in COLUMN_LABELS.items()}
    if book is not None:
        for u in book.uses:
            zh, en = book.use_label(u, "zh"), book.use_label(u, "en")
            uses.append({"use": u, "label": zh if lang == "zh" else en,
                         "label_zh": zh, "label_en": en})
            k, short = use_short(u), zh.removesuffix("用地")  # 商服用地 → 商服地价
            labels[f"p_{k}"] = f"{short}地价" if lang == "zh" else f"{en} price"
            labels[f"t_{k}"] = f"{short}年期" if lang == "zh" else f"{en} term"
            labels[f"r_{k}"] = f"{short}容积率" if lang == "zh" else f"{en} plot ratio"
    for g in engine._prices.grades:
        labels[f"share_{g}"] = (f"{grade_label(g, lang)}占比" if lang == "zh"
                                else f"share grade {g}")
    grades = sorted(int(g) for g in gm.grades["grade"])
    return {
        "lang": lang,
        "title": map_title(gm, lang=lang, priced=book is not None),
        "schematic": gm.schematic,
        "schematic_note": schematic_note(meta, lang, word("schematic_short", lang)),
        "colors": {str(g): c for g, c in grade_colors(gm.grades["grade"]).items()},
        "layer_colors": {"water": WATER_COLOR, "routes": ROUTE_COLOR},
        "grade_labels": {str(g): grade_label(g, lang) for g in grades},
        "uses": uses,
        "unit": unit(meta, lang),
        "columns": labels,
        "statuses": {k: status_text(k, meta, lang) for k in STATUSES},
        "words": {k: word(k, lang) for k in SCRIPT_WORDS},
    }


def crs_options(engine: Engine, lang: str) -> str:
    """The coordinate systems a pasted coordinate or a file may be in, as ``<option>``s: WGS84,
    the map's own working CRS and its zone-prefixed twin, GCJ-02 and BD-09."""
    codes = [("EPSG:4326", word("web_crs_wgs84", lang))]
    epsg = engine.working_crs.to_epsg() if hasattr(engine.working_crs, "to_epsg") else None
    if epsg:
        codes.append((f"EPSG:{epsg}", crs_words(epsg, lang)))
        if GK3_FIRST_EPSG <= epsg <= GK3_FIRST_EPSG + 20:  # its zone-prefixed twin
            twin = GK3_PREFIXED_FIRST_EPSG + epsg - GK3_FIRST_EPSG
            codes.append((f"EPSG:{twin}", crs_words(twin, lang)))
    codes += [("gcj02", word("web_crs_gcj02", lang)), ("bd09", word("web_crs_bd09", lang))]
    return "\n".join(f'          <option value="{html.escape(v)}">{html.escape(t)}</option>'
                     for v, t in codes)


def web_page(engine: Engine, lang: str | None = None
             ) -> Callable[[], Coroutine[Any, Any, HTMLResponse]]:
    """The ``GET /`` endpoint: the page with the map's configuration and words written in."""
    import re

    lang = page_lang(engine, lang)
    config = json.dumps(page_config(engine, lang), ensure_ascii=False).replace("</", "<\\/")
    title = html.escape(map_title(engine.grade_map, lang=lang,
                                  priced=engine.pricebook is not None).splitlines()[0])
    text = (HERE / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"\{\{w:(\w+)\}\}", lambda m: html.escape(word(m.group(1), lang)), text)
    text = (text.replace("{{LANG}}", "zh-CN" if lang == "zh" else "en")
            .replace("{{CRS_OPTIONS}}", crs_options(engine, lang))
            .replace("{{TITLE}}", title).replace("{{CONFIG}}", config))

    async def index() -> HTMLResponse:
        return HTMLResponse(text)

    return index


def web_static() -> dict[str, StaticFiles]:
    """Mounts for the page's script and style and for Leaflet (from xstatic-leaflet)."""
    from xstatic.pkg import leaflet as xleaflet

    return {
        "/static/app": StaticFiles(directory=HERE / "static"),
        "/static/leaflet": StaticFiles(directory=xleaflet.BASE_DIR),
    }
