"""One point's answer as a small HTML page: what ``landgrade locate`` prints, for a viewer that
shows HTML (QGIS's Processing results viewer).

The words are :func:`landgrade.engine.answer.to_text`'s own, so the page says exactly what the
terminal says, in the same language. The terminal aligns its columns with spaces, counting a
Chinese character as two columns, which no browser font keeps (WenQuanYi's mono font draws a
Chinese character 13 px wide and a Latin letter 7.8 px): the page lays the same columns out as
a table instead, a column being what the terminal separates by two spaces or more. The
gazette's facts follow the table.
"""

from __future__ import annotations

import html
import re
from typing import Any

from landgrade.engine.answer import to_text
from landgrade.gazette.labels import county_name, gazette_facts, word

# Columns of to_text's lines: separated by two spaces or more; a line that begins with spaces
# continues the row above (a use's price under 基准地价).
_GAP = re.compile(r" {2,}")
_NUMBER = re.compile(r"-?[\d,]+(\.\d+)?")


def answer_rows(text: str) -> list[list[str]]:
    """The cells of ``to_text``'s lines: the first cell of a continued line is empty."""
    rows = []
    for line in text.splitlines():
        cells = _GAP.split(line.rstrip())
        if line.startswith(" "):
            cells[0] = ""  # the indentation: a row under the one above
        rows.append(cells)
    return rows


def answer_page(engine: Any, record: dict[str, Any], x: float, y: float, crs: str,
                lang: str) -> str:
    """The answer ``record`` at ``x, y`` (in ``crs``) as an HTML document in ``lang``."""
    meta = getattr(engine.pricebook, "metadata", None) or {}
    rows = answer_rows(to_text(engine, record, x, y, crs, lang=lang))
    width = max(len(r) for r in rows)
    body = []
    for cells in rows:
        tds = []
        for i, cell in enumerate(cells):
            span = f" colspan='{width - i}'" if i == len(cells) - 1 < width - 1 else ""
            number = " class='n'" if _NUMBER.fullmatch(cell) and not span else ""
            tag = "th" if i == 0 else "td"
            tds.append(f"<{tag}{span}{number}>{html.escape(cell)}</{tag}>")
        body.append(f"<tr>{''.join(tds)}</tr>")
    facts = gazette_facts(meta, ("document", "issuer", "date"), lang)
    title = html.escape(word("qgis_answer_title", lang, county=county_name(meta, lang)))
    foot = "".join(f"<p class='fact'>{html.escape(f)}</p>" for f in facts)
    return (
        "<!DOCTYPE html>\n"
        f"<html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>"
        f"<title>{title}</title>"
        "<style>body{font-family:sans-serif;font-size:13px} table{border-collapse:collapse}"
        " th,td{padding:2px 10px 2px 0;text-align:left;vertical-align:top}"
        " th{font-weight:normal;color:#333;white-space:nowrap} td.n{text-align:right}"
        " .fact{color:#555;font-size:12px;margin:0} table{margin-bottom:8px}</style></head>"
        f"<body><h3>{title}</h3><table>{''.join(body)}</table>{foot}</body></html>\n"
    )
