"""One point's answer as a small HTML page: what ``landgrade locate`` prints, for a viewer that
shows HTML (QGIS's Processing results viewer).

The lines are :func:`landgrade.engine.answer.to_text`'s own, so the page says exactly what the
terminal says, in the same language; the page adds the gazette's facts under them.
"""

from __future__ import annotations

import html
from typing import Any

from landgrade.engine.answer import to_text
from landgrade.gazette.labels import gazette_facts, word


def answer_page(engine: Any, record: dict[str, Any], x: float, y: float, crs: str,
                lang: str) -> str:
    """The answer ``record`` at ``x, y`` (in ``crs``) as an HTML document in ``lang``."""
    meta = getattr(engine.pricebook, "metadata", None) or {}
    text = to_text(engine, record, x, y, crs, lang=lang)
    facts = gazette_facts(meta, ("document", "issuer", "date"), lang)
    county = meta.get("county_en" if lang == "en" else "county") or meta.get("county") or ""
    title = html.escape(word("qgis_answer_title", lang, county=county))
    foot = "".join(f"<p class='fact'>{html.escape(f)}</p>" for f in facts)
    return (
        "<!DOCTYPE html>\n"
        f"<html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
        f"<title>{title}</title>"
        "<style>body{font-family:sans-serif} pre{font-size:13px;line-height:1.5}"
        " .fact{color:#555;font-size:12px;margin:0}</style></head>"
        f"<body><h3>{title}</h3><pre>{html.escape(text)}</pre>{foot}</body></html>\n"
    )
