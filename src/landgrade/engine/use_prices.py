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

from landgrade.engine.answer import (
    STATUSES,
    answer_lang,
    status_message,
    status_text,
    use_short,
)
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
    from landgrade.gazette.use_resolver import read_use_codes

    out = answer.copy()
    n = len(out)
    meta = getattr(pricebook, "metadata", None)
    lang = answer_lang(_BookOnly(pricebook), lang)
    # Everything per row below is done on codes into the few distinct uses (and statuses,
    # messages): a million rows never become a million strings handled one by one.
    codes, distinct = read_use_codes(uses, pricebook, standard, lang=lang)
    priced_u = distinct.status == "ok"
    price = np.full(n, np.nan)
    for u in pd.unique(distinct.use[priced_u]):  # one column per use, not a lookup per row
        rows = np.isin(codes, np.flatnonzero(distinct.use == u))
        price[rows] = out[f"p_{use_short(u)}"].to_numpy(dtype=float)[rows]
    out["price"] = price
    if "area_m2" in out:
        inside = out["area_m2"].to_numpy(dtype=float)
        if "share_out" in out:
            out_share = np.nan_to_num(out["share_out"].to_numpy(dtype=float))
            # Town prices (Table 8) price the part outside the urban extent, not the inside.
            if "price_src" in out:
                town = (out["price_src"].astype(str) == "town").to_numpy()
                out_share = np.where(town, 1 - out_share, out_share)
            inside = inside * (1 - out_share)
        out["total"] = np.round(price * inside, 2)
    else:
        out["total"] = np.full(n, np.nan)
    out["use_key"] = _categorical(codes, distinct.use)
    out["use_class"] = _categorical(codes, np.where(distinct.read_as == "", None,
                                                    distinct.read_as))
    route_use = route_table_use(pricebook) if pricebook is not None else None
    # The route table's price stays on rows of its use and rows with no use; never on the rest.
    other_u = (distinct.status != "blank") & ((distinct.use != route_use) | (route_use is None))
    other = other_u.take(codes)
    if "route_px" in out:
        px = out["route_px"].to_numpy(dtype=float).copy()
        px[other] = np.nan
        out["route_px"] = px
    near = (other & out["route_in"].to_numpy(dtype=bool) if "route_in" in out
            else np.zeros(n, dtype=bool))
    # Each row's (status, message, use, near a route of another use) decides its new status
    # and message; computed once per distinct combination.
    st_codes, st_names = _codes_of(out["status"])
    msg_codes, msg_texts = _codes_of(out["message"])
    combo = (((st_codes.astype(np.int64) + 1) * (len(msg_texts) + 1) + msg_codes + 1)
             * (len(distinct.use) + 1) + codes) * 2 + near
    _, first, inverse = np.unique(combo, return_index=True, return_inverse=True)
    colon = "：" if lang == "zh" else ": "
    said: list[tuple[Any, Any]] = []
    for i in first:
        was, message, u = st_names[st_codes[i]], msg_texts[msg_codes[i]], codes[i]
        flag = distinct.status[u]
        if was == "ok" and flag in ("unknown_use", "ambiguous_use"):
            said.append((flag, status_text(flag, meta, lang) + colon + distinct.message[u]))
        elif was == "ok" and flag == "ok" and near[i]:
            said.append((was, _route_note(message, was, distinct.use[u], route_use, pricebook,
                                          lang)))
        else:  # rows already flagged (outside the extent, bad geometry) keep their status
            said.append((was, message))
    inverse = inverse.reshape(-1)
    # Statuses keep the engine's categories (every status, in order), so parts of one file
    # answered apart (dask) share them.
    statuses = np.array([s[0] for s in said], dtype=object)
    out["status"] = pd.Categorical.from_codes(
        pd.Index(list(STATUSES)).get_indexer(statuses).take(inverse), categories=list(STATUSES))
    out["message"] = _categorical(inverse, np.array([s[1] for s in said], dtype=object))
    return out


def _codes_of(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A text column as codes into its distinct values (a categorical's own, else factorized)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cats = np.asarray(column.cat.categories.to_numpy(dtype=object), dtype=object)
        return column.cat.codes.to_numpy(), np.append(cats, None)  # code -1: missing
    codes, uniques = pd.factorize(np.asarray(column.to_numpy(dtype=object), dtype=object))
    return codes, np.append(np.asarray(uniques, dtype=object), None)


def _categorical(codes: np.ndarray, values: np.ndarray) -> pd.Categorical:
    """``values[codes]`` as a categorical column, as the engine writes its own text columns;
    None stays missing."""
    cat_codes, cats = pd.factorize(np.asarray(values, dtype=object))
    return pd.Categorical.from_codes(cat_codes.take(codes),
                                     categories=pd.Index(cats, dtype=object))


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


