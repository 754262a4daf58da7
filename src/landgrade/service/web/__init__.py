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
from landgrade.gazette.labels import SCHEMATIC_NOTE
from landgrade.outputs.map_style import grade_colors, map_title

HERE = Path(__file__).parent

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


def page_config(engine: Engine) -> dict[str, Any]:
    """What the page shows besides the API's answers."""
    gm = engine.grade_map
    book = engine.pricebook
    uses = []
    labels = dict(COLUMN_LABELS)
    if book is not None:
        for u in book.uses:
            zh, en = book.use_label(u, "zh"), book.use_label(u, "en")
            uses.append({"use": u, "label_zh": zh, "label_en": en})
            k, short = use_short(u), zh.removesuffix("用地")  # 商服用地 → 商服地价
            labels[f"p_{k}"] = (f"{short}地价", f"{en} price")
            labels[f"t_{k}"] = (f"{short}年期", f"{en} term")
            labels[f"r_{k}"] = (f"{short}容积率", f"{en} plot ratio")
    for g in engine._prices.grades:
        labels[f"share_{g}"] = (f"{g}级占比", f"share grade {g}")
    return {
        "title": map_title(gm),
        "schematic": gm.schematic,
        "schematic_note": SCHEMATIC_NOTE,
        "colors": {str(g): c for g, c in grade_colors(gm.grades["grade"]).items()},
        "uses": uses,
        "columns": labels,
    }


def web_page(engine: Engine) -> Callable[[], Coroutine[Any, Any, HTMLResponse]]:
    """The ``GET /`` endpoint: the page with the map's configuration written in."""
    config = json.dumps(page_config(engine), ensure_ascii=False).replace("</", "<\\/")
    title = html.escape(map_title(engine.grade_map).splitlines()[0])
    text = (HERE / "index.html").read_text(encoding="utf-8")
    text = text.replace("{{TITLE}}", title).replace("{{CONFIG}}", config)

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
