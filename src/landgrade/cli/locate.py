"""``landgrade locate``: one coordinate's grade, prices and nearest priced road, printed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from landgrade.cli.stdout import emit
from landgrade.engine.answer import answer_lang, to_record, to_text
from landgrade.engine.engine import load_engine
from landgrade.engine.pricing import PricingOptions
from landgrade.engine.use_prices import use_price
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
    use: str | None = None,
) -> dict[str, Any]:
    """``landgrade locate``: print one coordinate's answer, as text or one JSON object.

    With a town and a town grade in ``pricing``, Table 8 prices apply outside the urban extent;
    a town alone (or a township layer) shows that town's prices for every town grade.
    ``pricing.lang`` (``zh``/``en``) is the language of the text; default: the county's.
    ``use``: the point's land use (read as :func:`landgrade.engine.use_prices.use_price` reads
    a row's, codes in ``pricing.use_standard``): adds its price, and keeps the road-line price
    only when the route table prices that use.
    """
    pricing = pricing or PricingOptions()
    engine, result = answer_point(x, y, crs=crs, map_path=map_path, county=county,
                                  pricing=pricing, use=use)
    if as_json:
        emit(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        emit(to_text(engine, result, x, y, crs, lang=answer_lang(engine, pricing.lang)))
    return result


def answer_point(
    x: float,
    y: float,
    *,
    crs: str = "EPSG:4326",
    map_path: Path | None = None,
    county: str | None = None,
    pricing: PricingOptions | None = None,
    use: str | None = None,
) -> tuple[Any, dict[str, Any]]:
    """The engine and the answer record (:func:`landgrade.engine.answer.to_record`) of one
    coordinate, as :func:`locate_command` prints it; notes about missing prices on stderr."""
    pricing = pricing or PricingOptions()
    if pricing.use_standard is not None and use is None:
        raise LandgradeError("--use-standard says how to read --use: give --use too")
    if not str(crs).strip():
        raise LandgradeError("--crs '' names no coordinate system; give e.g. --crs EPSG:4326")
    engine = load_engine(map_path=map_path, county=county)
    if engine.pricebook is None and engine.no_prices:
        print(f"note: {engine.no_prices}", file=sys.stderr)
    elif engine.pricebook is None:
        print(f"warning: {map_path}: no county tables match this map, so no prices; "
              "pass --county FOLDER", file=sys.stderr)
    if pricing.town_grade is None and pricing.towns is None:
        frame = engine.locate(x, y, crs=crs)
    else:
        point = gpd.GeoDataFrame(geometry=[shapely.Point(x, y)])
        frame = engine.assign(point, crs=crs, pricing=pricing)
    if use is not None:
        frame = use_price(frame, [use], engine.pricebook, standard=pricing.use_standard,
                          lang=pricing.lang)
    return engine, to_record(engine, frame.iloc[0], town=pricing.town)
