"""OGC API – Features, Part 1 Core (with GeoJSON), over the grade map's layers.

QGIS (Layer ▸ Add Layer ▸ Add WFS / OGC API – Features Layer) and GDAL's ``OAPIF`` driver read
it. Resources, all JSON (``f=json``, the only encoding offered):

- ``/ogc`` landing page, ``/ogc/conformance``, ``/ogc/collections``;
- ``/ogc/collections/{grades,routes,extent,roads,water}`` and their ``/items`` as GeoJSON in CRS84
  (longitude, latitude on WGS84), with ``bbox`` (CRS84), ``limit`` (1–10000, default 100; a
  larger value is served as 10000) and ``offset`` paging, ``numberMatched``/``numberReturned``
  and ``self``/``next``/``prev`` links; ``/items/{featureId}`` for one feature.

Each grade feature carries the answer columns of that grade's prices (``p_<use>``), their term
(``t_<use>``) and plot ratio (``r_<use>``) and the valuation date (``val_date``), named as in
``landgrade assign`` output (see :mod:`landgrade.engine.answer`). Every layer is the one
``landgrade export`` writes to its GeoPackage (:func:`landgrade.outputs.export.for_qgis`), with
its types: what is an integer there (``grade``, whole-yuan prices, terms, ``routes.grade``, the
standard depth) is a JSON integer here, since QGIS types a field from the numbers it reads, and
null where a price has no term. The collections' titles are in the service's language. Layers
are converted and serialised once at start-up; a page is a slice of prepared feature texts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from landgrade.engine.answer import published_decimals
from landgrade.engine.engine import Engine
from landgrade.gazette.labels import SCHEMATIC_NOTE, unit, word
from landgrade.io.crs import gdf_to_crs
from landgrade.service.guards import BadRequest

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]  # not oas30: FastAPI describes the API in OpenAPI 3.1 (linked as service-desc)
GEOJSON = "application/geo+json"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
ITEM_PARAMS = {"bbox", "limit", "offset", "f"}
# Each collection's title and description words (labels.WORDS keys).
COLLECTION_WORDS = {
    "grades": ("layer_grades", "ogc_grades"),
    "routes": ("layer_routes", "ogc_routes"),
    "extent": ("extent", "ogc_extent"),
    "roads": ("roads", "ogc_roads"),
    "water": ("water", "ogc_water"),
}


@dataclass
class Collection:
    id: str
    title: str
    description: str
    bbox: list[float]
    features: list[str]  # serialised GeoJSON features, in layer order
    ids: dict[str, int]  # feature id → position
    bounds: np.ndarray  # (n, 4) CRS84 bounds per feature


def grade_prices(engine: Engine) -> pd.DataFrame:
    """Per grade, the price, term and plot-ratio answer columns the engine gives in that grade,
    typed as ``landgrade export`` types them: prices are integers where the gazette prints whole
    yuan, terms nullable integers (whole years), plot ratios real numbers."""
    pc = engine._prices
    out = pd.DataFrame(index=pd.Index(pc.grades, name="grade"))
    whole = published_decimals(
        np.concatenate([pc.prices[u].to_numpy(dtype=float) for u in pc.uses])
        if pc.uses else np.array([0.0])) == 0
    for u in pc.uses:
        k = pc.short[u]
        price = pc.prices[u].reindex(out.index).to_numpy(dtype=float)
        out[f"p_{k}"] = pd.array(np.round(price)).astype("Int64") if whole else price
        years = pd.to_numeric(pc.terms[u].reindex(out.index), errors="coerce").round()
        out[f"t_{k}"] = years.astype("Int64").array
        out[f"r_{k}"] = pc.ratios[u].reindex(out.index).to_numpy(dtype=float)
    if pc.uses:
        out["val_date"] = pc.valuation_date
    return out


def _layers(engine: Engine) -> dict[str, gpd.GeoDataFrame]:
    """The layers as ``landgrade export`` hands them on (:func:`for_qgis`: integer grades,
    standard depths and prices), the grades priced by the engine's own price book."""
    from landgrade.outputs.export import for_qgis

    handed = for_qgis(engine.grade_map)
    layers: dict[str, gpd.GeoDataFrame] = {}
    grades = handed.grades.sort_values("grade").reset_index(drop=True)
    grades = grades.drop(columns=[c for c in grades.columns if c.startswith(("p_", "t_", "r_"))
                                  or c == "val_date"])
    prices = grade_prices(engine)
    if len(prices.columns):
        # A map written by `landgrade build` or `export` carries its prices already: the
        # engine's replace them (they are what every answer gives).
        grades = grades.drop(columns=[c for c in prices.columns if c in grades.columns])
        grades = grades.join(prices, on="grade")
    layers["grades"] = grades
    for name in ("routes", "extent", "roads", "water"):
        layer = getattr(handed, name)
        if layer is not None and len(layer):
            layers[name] = layer.reset_index(drop=True)
    return layers


def _feature_ids(name: str, layer: gpd.GeoDataFrame) -> list[Any]:
    if name == "grades":
        return [int(g) for g in layer["grade"]]
    if name == "routes" and "id" in layer and layer["id"].is_unique:
        return [str(v) for v in layer["id"]]
    return list(range(1, len(layer) + 1))


def build_collections(engine: Engine, lang: str | None = None) -> dict[str, Collection]:
    """Every collection, converted to CRS84 and serialised once; titles in ``lang`` (default:
    the county's)."""
    from landgrade.engine.answer import answer_lang

    lang = answer_lang(engine, lang)
    note = (f" ({word('schematic_short', lang)})" if engine.grade_map.schematic else "")
    out: dict[str, Collection] = {}
    for name, layer in _layers(engine).items():
        wgs = gdf_to_crs(layer, "EPSG:4326")
        ids = _feature_ids(name, layer)
        props = pd.DataFrame(wgs.drop(columns=wgs.geometry.name))
        records = (json.loads(props.to_json(orient="records", force_ascii=False))
                   if len(props.columns) else [{}] * len(props))  # pandas gives [] for no columns
        geoms = shapely.to_geojson(wgs.geometry.to_numpy())
        features = [
            '{"type":"Feature","id":' + json.dumps(fid) + ',"geometry":' + (g or "null")
            + ',"properties":' + json.dumps(p, ensure_ascii=False, separators=(",", ":")) + "}"
            for fid, g, p in zip(ids, geoms, records, strict=True)
        ]
        bounds = shapely.bounds(wgs.geometry.to_numpy())
        title, text = COLLECTION_WORDS.get(name, (None, None))
        out[name] = Collection(
            id=name,
            title=word(title, lang) if title else name,
            description=(word(text, lang, unit=unit(getattr(engine.pricebook, "metadata", None),
                                                    lang)) if text else name)
            + (note if name != "extent" else ""),
            bbox=[float(v) for v in wgs.total_bounds],
            features=features,
            ids={str(f): i for i, f in enumerate(ids)},
            bounds=bounds,
        )
    return out


def _url(request: Request, name: str, params: dict[str, Any] | None = None, **path: str) -> str:
    url = str(request.url_for(name, **path))
    return url + ("?" + urlencode(params) if params else "")


def _json(obj: Any, media_type: str = "application/json") -> Response:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return Response(body.encode("utf-8"), media_type=media_type)


def _check_f(f: str | None) -> None:
    if f not in (None, "json"):
        raise BadRequest(f"f={f!r}: this server offers f=json only")


def _collection_json(request: Request, c: Collection) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [c.bbox], "crs": CRS84}},
        "links": [
            {"href": _url(request, "ogc_collection", collection_id=c.id), "rel": "self",
             "type": "application/json", "title": c.title},
            {"href": _url(request, "ogc_items", collection_id=c.id), "rel": "items",
             "type": GEOJSON, "title": f"{c.title} features"},
        ],
    }


def _parse_bbox(text: str) -> tuple[float, float, float, float]:
    try:
        vals = [float(v) for v in text.split(",")]
    except ValueError:
        raise BadRequest(
            f"bbox={text!r}: give four numbers minlon,minlat,maxlon,maxlat") from None
    if len(vals) == 6:  # 3-D bbox: drop the heights
        vals = [vals[0], vals[1], vals[3], vals[4]]
    if len(vals) != 4 or not all(np.isfinite(vals)):
        raise BadRequest(
            f"bbox={text!r}: give four numbers minlon,minlat,maxlon,maxlat")
    x0, y0, x1, y1 = vals
    if y0 > y1:
        raise BadRequest(
            f"bbox={text!r}: the minimum latitude is above the maximum")
    return x0, y0, x1, y1


def _parse_int(name: str, text: str | None, default: int, lowest: int) -> int:
    if text is None:
        return default
    try:
        v = int(text)
    except ValueError:
        raise BadRequest(f"{name}={text!r}: give a whole number") from None
    if v < lowest:
        raise BadRequest(f"{name}={text!r}: must be at least {lowest}")
    return v


def ogc_router(engine: Engine, lang: str | None = None) -> APIRouter:
    """The ``/ogc`` routes over the engine's grade map (titles in ``lang``)."""
    collections = build_collections(engine, lang)
    router = APIRouter(tags=["OGC API – Features"])

    def get(name: str) -> Collection:
        if name not in collections:
            raise BadRequest(f"no collection {name!r}; the collections are "
                             f"{', '.join(collections)}", 404)
        return collections[name]

    @router.get("", name="ogc_landing", summary="Landing page")
    async def landing(request: Request, f: str | None = None) -> Response:
        _check_f(f)
        county = engine.grade_map.metadata.get("county", "")
        return _json({
            "title": f"landgrade {county} benchmark land price grades".replace("  ", " "),
            "description": "Grade zones, road-line price routes, the grading extent and "
                           "roads, with the benchmark prices of each grade."
                           + (f" Note: {SCHEMATIC_NOTE}." if engine.grade_map.schematic else ""),
            "links": [
                {"href": _url(request, "ogc_landing"), "rel": "self",
                 "type": "application/json", "title": "this document"},
                {"href": str(request.url_for("openapi")), "rel": "service-desc",
                 "type": "application/vnd.oai.openapi+json;version=3.1",
                 "title": "the API definition"},
                {"href": str(request.url_for("swagger_ui_html")), "rel": "service-doc",
                 "type": "text/html", "title": "the API documentation"},
                {"href": _url(request, "ogc_conformance"), "rel": "conformance",
                 "type": "application/json", "title": "conformance classes"},
                {"href": _url(request, "ogc_collections"), "rel": "data",
                 "type": "application/json", "title": "the collections"},
            ],
        })

    @router.get("/conformance", name="ogc_conformance", summary="Conformance classes")
    async def conformance(f: str | None = None) -> Response:
        _check_f(f)
        return _json({"conformsTo": CONFORMANCE})

    @router.get("/collections", name="ogc_collections", summary="The collections")
    async def list_collections(request: Request, f: str | None = None) -> Response:
        _check_f(f)
        return _json({
            "links": [{"href": _url(request, "ogc_collections"), "rel": "self",
                       "type": "application/json", "title": "the collections"}],
            "collections": [_collection_json(request, c) for c in collections.values()],
        })

    @router.get("/collections/{collection_id}", name="ogc_collection", summary="A collection")
    async def one_collection(request: Request, collection_id: str,
                             f: str | None = None) -> Response:
        _check_f(f)
        return _json(_collection_json(request, get(collection_id)))

    @router.get("/collections/{collection_id}/items", name="ogc_items",
                summary="Features of a collection (GeoJSON, CRS84)")
    async def items(
        request: Request,
        collection_id: str,
        bbox: Annotated[str | None, Query(
            description="minlon,minlat,maxlon,maxlat (CRS84)")] = None,
        limit: Annotated[str | None, Query(
            description=f"1–{MAX_LIMIT}, default {DEFAULT_LIMIT}")] = None,
        offset: Annotated[str | None, Query(description="features to skip")] = None,
        f: str | None = None,
    ) -> Response:
        c = get(collection_id)
        unknown = sorted(set(request.query_params) - ITEM_PARAMS)
        if unknown:
            raise BadRequest(f"unknown parameter(s) {', '.join(unknown)}; the items take "
                             "bbox, limit, offset and f")
        _check_f(f)
        n = min(_parse_int("limit", limit, DEFAULT_LIMIT, 1), MAX_LIMIT)
        start = _parse_int("offset", offset, 0, 0)
        rows = np.arange(len(c.features))
        if bbox is not None:
            x0, y0, x1, y1 = _parse_bbox(bbox)
            b = c.bounds
            lat = (b[:, 3] >= y0) & (b[:, 1] <= y1)
            if x0 <= x1:
                lon = (b[:, 2] >= x0) & (b[:, 0] <= x1)
            else:  # a box across the antimeridian
                lon = (b[:, 2] >= x0) | (b[:, 0] <= x1)
            rows = rows[lat & lon]
        page = rows[start:start + n]
        base = {k: v for k, v in request.query_params.items() if k != "offset"}
        links = [{"href": _url(request, "ogc_items", dict(request.query_params),
                               collection_id=c.id),
                  "rel": "self", "type": GEOJSON, "title": "this page"},
                 {"href": _url(request, "ogc_collection", collection_id=c.id),
                  "rel": "collection", "type": "application/json", "title": c.title}]
        if start + n < len(rows):
            links.append({"href": _url(request, "ogc_items", {**base, "offset": start + n},
                                       collection_id=c.id),
                          "rel": "next", "type": GEOJSON, "title": "next page"})
        if start > 0:
            links.append({"href": _url(request, "ogc_items",
                                       {**base, "offset": max(start - n, 0)},
                                       collection_id=c.id),
                          "rel": "prev", "type": GEOJSON, "title": "previous page"})
        stamp = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        body = (
            '{"type":"FeatureCollection","features":['
            + ",".join(c.features[i] for i in page)
            + '],"numberMatched":' + str(len(rows)) + ',"numberReturned":' + str(len(page))
            + ',"timeStamp":"' + stamp + '","links":' + json.dumps(links) + "}"
        )
        return Response(body.encode("utf-8"), media_type=GEOJSON)

    @router.get("/collections/{collection_id}/items/{feature_id}", name="ogc_item",
                summary="One feature (GeoJSON, CRS84)")
    async def item(request: Request, collection_id: str, feature_id: str,
                   f: str | None = None) -> Response:
        c = get(collection_id)
        _check_f(f)
        if feature_id not in c.ids:
            raise BadRequest(f"collection {c.id!r} has no feature {feature_id!r}", 404)
        feature = json.loads(c.features[c.ids[feature_id]])
        feature["links"] = [
            {"href": _url(request, "ogc_item", collection_id=c.id, feature_id=feature_id),
             "rel": "self", "type": GEOJSON, "title": "this feature"},
            {"href": _url(request, "ogc_collection", collection_id=c.id),
             "rel": "collection", "type": "application/json", "title": c.title},
        ]
        return _json(feature, GEOJSON)

    return router
