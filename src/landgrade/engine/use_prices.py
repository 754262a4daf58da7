"""A row's own land use prices it: ``price``, ``total`` and the road-line price of that use.

``landgrade assign --use-field``, ``report --use``/``--use-field``, ``locate --use`` and the
service's ``use``/``use_field`` all come here, after the engine has answered the rows by
position: each row's use is read once per distinct value by
:func:`landgrade.gazette.use_resolver.read_uses` (gazette uses, class codes and names of the
national standards, everyday names) and selects that use's benchmark price; a road-line price
is kept only for the use the county's route table prices (see :mod:`landgrade.engine.answer`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from landgrade.engine.answer import answer_lang, status_message, status_text, use_short
from landgrade.gazette.labels import table_cite, word


def use_price(
    answer: pd.DataFrame, uses: Any, pricebook: Any, *, standard: str | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """``answer`` with ``price``, ``total``, ``use_key`` and ``use_class`` for each row's use.

    ``uses`` holds one use per row, read by :func:`landgrade.gazette.use_resolver.read_uses`: a
    gazette use (``commercial``, ``商服用地``, ``商服``), a class code of ``standard`` (default:
    the county's ``use_standard``), a class name of either national standard, or an everyday
    name. The row's use selects its ``p_<u>`` column; ``total`` is the price times the parcel's
    area inside the grading extent (``area_m2`` × (1 − ``share_out``)), so a parcel partly
    outside pays only for the priced part; points have no area and no total. A blank use leaves
    both empty; a use that cannot be priced is flagged ``unknown_use`` and a class the county
    splits ``ambiguous_use``, each with a message in ``lang`` saying why and what to give,
    never priced by a guess. The road-line price (``route_px``) stays only on rows of the route
    table's use (and rows with no use); see "Road-line prices belong to their use" above.
    """
    from landgrade.gazette.landuse import route_table_use
    from landgrade.gazette.use_resolver import read_uses

    out = answer.copy()
    n = len(out)
    meta = getattr(pricebook, "metadata", None)
    lang = answer_lang(_BookOnly(pricebook), lang)
    reading = read_uses(uses, pricebook, standard, lang=lang)
    key, status = reading.use, reading.status
    priced = status == "ok"
    price = np.full(n, np.nan)
    for u in pd.unique(key[priced]):  # one column per use, not a lookup per row
        rows = key == u
        price[rows] = out[f"p_{use_short(u)}"].to_numpy(dtype=float)[rows]
    out["price"] = price
    if "area_m2" in out:
        inside = out["area_m2"].to_numpy(dtype=float)
        if "share_out" in out:
            inside = inside * (1 - np.nan_to_num(out["share_out"].to_numpy(dtype=float)))
        out["total"] = np.round(price * inside, 2)
    else:
        out["total"] = np.full(n, np.nan)
    out["use_key"] = pd.array(key, dtype=object)
    out["use_class"] = pd.array(reading.read_as, dtype=object)
    # Rows already flagged (outside the extent, bad geometry) keep their status: no price anyway.
    answered = (out["status"].astype(str) == "ok").to_numpy()
    messages: dict[int, str] = {}
    colon = "：" if lang == "zh" else ": "
    for flag in ("unknown_use", "ambiguous_use"):
        for i in np.flatnonzero((status == flag) & answered):
            messages[i] = f"{status_text(flag, meta, lang)}{colon}{reading.message[i]}"
    if "route_px" in out:
        route_use = route_table_use(pricebook) if pricebook is not None else None
        other_use = (status != "blank") & ((key != route_use) | (route_use is None))
        near = other_use & answered & out["route_in"].to_numpy(dtype=bool)
        if near.any():
            for i in np.flatnonzero(near & priced):
                messages[i] = _route_note(out["message"].iloc[i], out["status"].iloc[i],
                                          key[i], route_use, pricebook, lang)
        px = out["route_px"].to_numpy(dtype=float).copy()
        px[other_use] = np.nan
        out["route_px"] = px
    if messages:
        rows = np.fromiter(messages, dtype=np.int64)
        for col in ("status", "message"):
            out[col] = out[col].astype(object)
        flagged = [i for i in messages if status[i] != "ok"]
        out.iloc[flagged, out.columns.get_loc("status")] = list(status[flagged])
        out.iloc[rows, out.columns.get_loc("message")] = list(messages.values())
    return out


class _BookOnly:
    """What :func:`answer_lang` reads of an engine, for a bare price book."""

    def __init__(self, book: Any) -> None:
        self.pricebook = book


def _route_note(message: Any, status: Any, use: str, route_use: str | None, book: Any,
                lang: str) -> str:
    """A priced row's message, followed by why its nearest route gives it no road-line price."""
    meta = getattr(book, "metadata", None)
    table = table_cite(meta, "routes", lang)
    base = status_message({"status": str(status), "message": str(message)}, lang, meta)
    if route_use is None:
        note = word("use_route_no_use", lang, table=table)
    else:
        note = word("use_route_note", lang, table=table, use=book.use_label(use, lang),
                    route_use=book.use_label(route_use, lang))
    return f"{base}{'；' if lang == 'zh' else '; '}{note}"


