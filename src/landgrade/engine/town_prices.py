"""Town benchmark prices (Table 8) on the answer rows outside the urban grading extent.

Inside the extent the urban prices (Table 6) are the answer, and a row given a town says the
town was not used; outside it, a row with a town and a usable town grade gets that town's
prices and connotation. How rows name their town and grade is a
:class:`landgrade.engine.pricing.PricingOptions`.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landgrade.engine.answer import STATUSES, status_text
from landgrade.engine.price_columns import PriceColumns, connotation_of, connotation_value
from landgrade.engine.pricing import PricingOptions
from landgrade.errors import LandgradeError
from landgrade.gazette.labels import table_cite


def apply_town_prices(
    answer: pd.DataFrame,
    gdf: gpd.GeoDataFrame,
    pricebook: Any,
    price_columns: PriceColumns,
    pricing: PricingOptions,
    layer_towns: np.ndarray | None = None,
) -> None:
    """Town prices (Table 8), in place, on the rows of ``answer`` outside the urban extent that
    have a town and a town grade; ``layer_towns`` (from ``pricing.towns``, a township layer)
    names each row's town, in a ``town`` column."""
    town, town_grade = pricing.town, pricing.town_grade
    town_field, town_grade_field = pricing.town_field, pricing.town_grade_field
    n = len(answer)
    if layer_towns is not None:
        answer["town"] = layer_towns
    pricing.check_town_prices()
    if not pricing.prices_towns:
        return
    for fld in (town_field, town_grade_field):
        if fld is not None and fld not in gdf.columns:
            raise LandgradeError(
                f"no column {fld!r} for towns; columns present: "
                f"{', '.join(map(str, gdf.columns))}"
            )
    if town_field:
        towns = gdf[town_field].to_numpy(dtype=object)
    elif town is not None:
        towns = np.full(n, town, object)
    else:
        towns = np.asarray(layer_towns, dtype=object)
    tgrades = (
        pd.to_numeric(gdf[town_grade_field], errors="coerce").to_numpy()
        if town_grade_field else np.full(n, np.nan if town_grade is None else town_grade)
    )
    tgrades = tgrades.astype(float)
    named = pd.notna(towns) & (towns != "")
    whole = np.isfinite(tgrades) & (tgrades == np.round(tgrades))
    given = named & whole
    if not named.any() or pricebook is None:
        return
    pc = price_columns
    meta = getattr(pricebook, "metadata", None)
    cite = table_cite(meta, "town_prices", "en")  # " (Table 8)" in Dongkou, or nothing
    for col in ("message", "val_date"):
        answer[col] = answer[col].astype(object)
    # A town whose grade is blank, text or fractional is flagged, not priced as urban land.
    unusable = np.flatnonzero(named & ~whole)
    if len(unusable):
        if town_grade_field:
            raw = gdf[town_grade_field].to_numpy(dtype=object)[unusable]
        else:
            raw = np.full(len(unusable), town_grade, dtype=object)
        answer.loc[unusable, "status"] = "bad_town_grade"
        answer.loc[unusable, "message"] = [
            f"{status_text('bad_town_grade', meta)}: {t!r} grade {g!r} is not a whole number"
            for t, g in zip(towns[unusable], raw, strict=True)
        ]
    # Inside the urban extent the urban benchmark prices (Table 6) are the answer: the town
    # option is not used there, and the row says so.
    urban = given & answer["in_extent"].to_numpy(dtype=bool)
    if urban.any():
        kept = np.flatnonzero(urban)
        note = (answer["message"].iloc[kept].astype(str).to_numpy()
                + "; inside the urban grading extent: urban prices kept, town "
                + pd.Series(towns[kept]).astype(str).to_numpy() + " grade "
                + pd.Series(tgrades[kept].astype(int)).astype(str).to_numpy() + " not used")
        answer.loc[kept, "message"] = note
    given &= ~urban
    keys = pd.DataFrame({"t": towns[given], "g": tgrades[given].astype(int)})
    rows_all = np.flatnonzero(given)
    for (t, g), grp in keys.groupby(["t", "g"]).groups.items():
        rows = rows_all[np.asarray(grp)]
        try:
            cls = pricebook.town_class(t)
            prices = pricebook.town_prices(t, int(g))
        except (KeyError, LookupError, LandgradeError):
            try:
                pricebook.town_class(t)
                status = "bad_town_grade"
            except (KeyError, LookupError, LandgradeError):
                status = "unknown_town"
            answer.loc[rows, "status"] = status
            answer.loc[rows, "message"] = f"{status_text(status, meta)}: {t!r} grade {g}"
            continue
        area = f"town_class_{cls}"
        for u in pc.uses:
            k = pc.short[u]
            c = connotation_of(pricebook, int(g), u, area)
            answer.loc[rows, f"p_{k}"] = float(prices.get(u, np.nan))
            answer.loc[rows, f"t_{k}"] = connotation_value(c, "term_years")
            answer.loc[rows, f"r_{k}"] = connotation_value(c, "plot_ratio")
        answer.loc[rows, "price_src"] = "town"
        answer.loc[rows, "town_cls"] = int(cls)
        answer.loc[rows, "val_date"] = pc.valuation_date
        row_status = answer.loc[rows, "status"]
        moved = rows[row_status.eq("outside_extent").to_numpy()]
        answer.loc[moved, "status"] = "ok"
        answer.loc[moved, "message"] = f"town prices{cite} of {t}, town grade {g}"
        # Outside the county outline the point is not in any of the county's towns (most
        # often a wrong --crs): the town's prices are shown, but the row is not ok.
        beyond = rows[row_status.eq("outside_county").to_numpy()]
        answer.loc[beyond, "message"] = (f"{STATUSES['outside_county']}; town prices"
                                         f"{cite} of {t}, town grade {g} shown unchecked")
