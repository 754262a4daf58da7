"""``landgrade locate``: one coordinate's grade, prices and nearest priced road, printed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from landgrade.engine.answer import answer_lang, to_record, to_text
from landgrade.engine.engine import load_engine
from landgrade.engine.pricing import PricingOptions
from landgrade.errors import LandgradeError


def locate_command(
    x: float,
    y: float,
    *,
    crs: str = "EPSG:4326",
    map_path: Path | None = None,
    county: str | None = None,
    as_json: bool = False,
    pricing: PricingOptions | None = None,
) -> dict[str, Any]:
    """``landgrade locate``: print one coordinate's answer, as text or one JSON object.

    With a town and a town grade in ``pricing``, Table 8 prices apply outside the urban extent;
    a town alone (or a township layer) shows that town's prices for every town grade.
    ``pricing.lang`` (``zh``/``en``) is the language of the text; default: the county's.
    """
    pricing = pricing or PricingOptions()
    if not str(crs).strip():
        raise LandgradeError("--crs '' names no coordinate system; give e.g. --crs EPSG:4326")
    engine = load_engine(map_path=map_path, county=county)
    if engine.pricebook is None and engine.no_prices:
        print(f"note: {engine.no_prices}", file=sys.stderr)
    elif engine.pricebook is None:
        print(f"warning: {map_path}: no county tables match this map, so no prices; "
              "pass --county FOLDER", file=sys.stderr)
    if pricing.town_grade is None and pricing.towns is None:
        row = engine.locate(x, y, crs=crs).iloc[0]
    else:
        point = gpd.GeoDataFrame(geometry=[shapely.Point(x, y)])
        row = engine.assign(point, crs=crs, pricing=pricing).iloc[0]
    result = to_record(engine, row, town=pricing.town)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(to_text(engine, result, x, y, crs, lang=answer_lang(engine, pricing.lang)))
    return result
