"""The HTTP API: the FastAPI application that ``landgrade serve`` runs.

:func:`create_app` loads the engine once (the cached grade map, as ``landgrade locate`` does)
and serves it read-only:

- ``GET /api/locate`` (``x``, ``y`` or ``xy``, ``crs``) — one point: exactly the JSON object
  ``landgrade locate --json`` prints (:func:`landgrade.answer.to_record`);
- ``POST /api/locate`` ``{"x": [...], "y": [...], "crs": ...}`` — many points, answers in order;
- ``POST /api/assign`` — a GeoJSON FeatureCollection, or an uploaded file (zipped shapefile,
  GeoPackage, GeoJSON, CSV, GeoParquet): the same features with the ``assign`` columns, graded
  by the same code as ``landgrade assign`` (:mod:`landgrade.service.files`);
- ``GET /api/prices`` (urban and town price tables, with connotation), ``GET /api/convert``,
  ``GET /api/health``; the OGC API – Features at ``/ogc`` (:mod:`landgrade.service.ogc`); the
  web page at ``/``; OpenAPI docs at ``/docs``.

Robustness: request bodies are bounded (:attr:`ServiceConfig.max_body_bytes`, default 50 MB)
and so are points and features per request (:attr:`ServiceConfig.max_features`). Every bad
request is a 4xx with ``{"detail": "<what is wrong and the fix>"}``; handlers are installed for
validation errors, landgrade errors and anything unexpected (:mod:`landgrade.service.guards`),
so no response carries a traceback. No parameter names a path on the server: coordinate
systems are restricted to codes and names (a PROJ string could name a grid file), an upload's
own CRS is checked as text before GDAL opens it (:mod:`landgrade.service.upload_crs`), and
uploads go to private temporary folders (a dead server's are removed at start). Only requests
addressed to this machine or an allowed name are answered (:attr:`ServiceConfig.allowed_hosts`),
and a body that stalls is dropped (:attr:`ServiceConfig.body_timeout_s`).
Engine calls run on worker threads (points on one, files on another) so the event loop keeps
answering while a large file is graded.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections import OrderedDict
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import numpy as np
import orjson
import shapely
from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from landgrade._version import __version__
from landgrade.engine.engine import Engine, load_engine
from landgrade.engine.pricing import PricingOptions
from landgrade.errors import LandgradeError
from landgrade.io.crs import CrsSpec, check_untrusted_crs, resolve_crs, transform
from landgrade.jobs.read_options import ReadOptions
from landgrade.service.batch import LocateBatcher
from landgrade.service.files import (
    OUTPUT_FORMATS,
    AssignOptions,
    grade_upload,
    remove_stale_uploads,
)
from landgrade.service.guards import (
    BadRequest,
    BodyLimit,
    BodyTimeout,
    HostCheck,
    install_error_handlers,
)
from landgrade.service.use_params import point_uses, use_standard_param

DEFAULT_MAX_BODY_MB = 50
DEFAULT_MAX_FEATURES = 200_000
DEFAULT_BODY_TIMEOUT_S = 30.0
GEOJSON_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                 "MultiPolygon", "GeometryCollection")
# A pasted coordinate: two numbers split by a comma (half or full width), semicolon or space.


@dataclass(frozen=True)
class ServiceConfig:
    """What ``landgrade serve`` was started with; limits are per request."""

    map_path: Path | None = None
    county: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_MB * 1024 * 1024
    max_features: int = DEFAULT_MAX_FEATURES
    cors_origins: tuple[str, ...] = field(default_factory=tuple)
    # Host names answered besides this machine's (localhost, 127.0.0.1, ::1) and IP addresses:
    # a reverse proxy's public name, ``*.example.gov.cn``, or ``*`` for any (guards.HostCheck).
    allowed_hosts: tuple[str, ...] = field(default_factory=tuple)
    # Seconds a request body may stop arriving before the request is dropped (0: never).
    body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S
    lang: str | None = None  # the web page's and the OGC titles' language; None: the county's


# --- helpers -------------------------------------------------------------------------------
def json_response(obj: Any, status: int = 200, media_type: str = "application/json") -> Response:
    """JSON without FastAPI's encoder pass (records are plain already), as UTF-8.

    orjson writes the same JSON as ``json.dumps(..., ensure_ascii=False)`` ten times faster,
    which is most of the cost of a 1,000-point answer.
    """
    return Response(orjson.dumps(obj), status_code=status, media_type=media_type)


def parse_number(name: str, value: str | None) -> float:
    """A finite number from a query parameter, or a 400 naming the parameter."""
    if value is None or not str(value).strip():
        raise BadRequest(f"{name}: missing; give a number, e.g. {name}=110.575")
    try:
        v = float(str(value).strip())
    except ValueError:
        raise BadRequest(f"{name}: {value!r} is not a number") from None
    if not math.isfinite(v):
        raise BadRequest(f"{name}: {value!r} is not a finite number")
    return v


def parse_xy(text: str) -> tuple[float, float]:
    """``110.575,27.06`` as pasted from a web map (:func:`landgrade.crs.parse_xy`)."""
    from landgrade.io.crs import parse_xy as parse_pasted

    try:
        return parse_pasted(text)
    except LandgradeError:
        raise BadRequest(
            f"xy: {text!r} is not two numbers; give them as x,y (e.g. xy=110.575,27.06)"
        ) from None


class CrsCache:
    """Resolved coordinate systems by the text a request gave (bounded: requests choose it)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._cache: OrderedDict[str, CrsSpec] = OrderedDict()

    def __call__(self, text: str | None, name: str = "crs") -> CrsSpec:
        text = (text or "EPSG:4326").strip()
        if text in self._cache:
            self._cache.move_to_end(text)
            return self._cache[text]
        try:  # the one guard for every CRS a request influences (landgrade.io.crs)
            check_untrusted_crs(text, name, code_only=True)
        except LandgradeError as e:
            raise BadRequest(str(e)) from None
        try:  # resolve_crs also refuses systems PROJ cannot relate to Earth (Mars, say)
            spec = resolve_crs(text)
        except LandgradeError as e:
            raise BadRequest(f"{name}: {e}") from None
        self._cache[text] = spec
        if len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return spec


# --- the application -----------------------------------------------------------------------
def create_app(config: ServiceConfig | None = None, engine: Engine | None = None) -> FastAPI:
    """The service over ``engine`` (default: :func:`load_engine` of the config's map/county)."""
    from landgrade.service.ogc import ogc_router
    from landgrade.service.web import web_page, web_static

    config = config or ServiceConfig()
    # Upload folders a killed server (kill -9, a power cut) left behind hold users' parcels.
    remove_stale_uploads()
    if engine is None:
        engine = load_engine(map_path=config.map_path, county=config.county)
    _warm_up(engine)
    pools: list[ThreadPoolExecutor] = []

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        lifespan=lifespan,
        title="landgrade",
        version=__version__,
        description=(
            "Grade, benchmark land prices (城镇基准地价) and nearest road-line price for points "
            "and parcels; OGC API – Features at /ogc; the web page at /."
            + (" The road network of this map is a schematic reconstruction, not a survey."
               if engine.grade_map.schematic else "")
        ),
    )
    state = app.state
    state.engine = engine
    state.config = config
    state.crs = CrsCache()
    # One thread for point answers (the batcher) and one for files, so a large upload does not
    # hold up single points; the engine is read-only and warmed up, so both may use it.
    state.point_pool = ThreadPoolExecutor(1, thread_name_prefix="landgrade-points")
    state.file_pool = ThreadPoolExecutor(1, thread_name_prefix="landgrade-files")
    pools += [state.point_pool, state.file_pool]
    state.batcher = LocateBatcher(engine, state.point_pool)

    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=config.max_body_bytes)
    app.add_middleware(BodyTimeout, seconds=config.body_timeout_s)
    if config.cors_origins:  # outside the limits: a 413 or 408 carries the CORS headers too
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type"])
    app.add_middleware(HostCheck, allowed=config.allowed_hosts)  # last added: outermost

    _api_routes(app)
    app.include_router(ogc_router(engine, config.lang), prefix="/ogc")
    app.add_api_route("/", web_page(engine, config.lang), methods=["GET"],
                      include_in_schema=False, response_class=HTMLResponse)
    for path, mount in web_static().items():
        app.mount(path, mount)
    return app


def _warm_up(engine: Engine) -> None:
    """Build every lazily built index (prepared geometry, route codes) before threads share it."""
    import geopandas as gpd
    import shapely

    extent = engine.grade_map.extent.geometry.iloc[0]
    c = shapely.point_on_surface(extent)
    # The extent is in the map's own working CRS (its county's Gauss-Krüger zone).
    engine.locate([c.x], [c.y], crs=engine.working_crs)
    parcel = gpd.GeoDataFrame(geometry=[c.buffer(5.0)], crs=engine.working_crs)
    engine.assign(parcel)


# Bodies above this are parsed off the event loop (tens of ms and more); smaller ones are not
# worth a thread hop.
_PARSE_IN_THREAD_BYTES = 1 << 20


async def _json_body(request: Request) -> Any:
    body = await request.body()
    if len(body) > _PARSE_IN_THREAD_BYTES:
        return await asyncio.get_running_loop().run_in_executor(None, _parse_json, body)
    return _parse_json(body)


def _parse_json(body: bytes) -> Any:
    if not body.strip():
        raise BadRequest("empty request body; send JSON")
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BadRequest(f"request body is not valid JSON ({e})") from None
    except RecursionError:
        raise BadRequest("request body is JSON nested too deeply to read") from None
    except ValueError:  # Python reads integers of at most 4,300 digits (CVE-2020-10735)
        raise BadRequest("request body holds a number of more than 4,300 digits, more than any "
                         "coordinate or attribute needs; send it as a string") from None


def _require_json(request: Request) -> None:
    """A JSON body must say so: a page on another site can post text/plain or a form to this
    service without asking first (no CORS preflight), but not application/json. A request with
    no Content-Type at all (curl --data-binary without -H) is read as JSON."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype and ctype != "application/json" and not (
            ctype.startswith("application/") and ctype.endswith("+json")):
        raise BadRequest(f"content type {ctype!r}: send the body as application/json", 415)


def _points(name: str, values: Any, limit: int) -> np.ndarray:
    if not isinstance(values, list):
        raise BadRequest(f"{name}: give a JSON array of numbers")
    if len(values) > limit:
        raise BadRequest(
            f"{name}: {len(values)} points; at most {limit} per request "
            "(landgrade serve --max-features)", 413)
    bad = next((i for i, v in enumerate(values)
                if v is not None and (isinstance(v, bool) or not isinstance(v, int | float))),
               None)
    if bad is not None:
        raise BadRequest(f"{name}[{bad}]: {values[bad]!r} is not a number (null for a blank)")
    # A null is a blank coordinate: the engine answers it with status null_geometry.
    try:
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    except OverflowError:
        raise BadRequest(f"{name}: a number too large for a coordinate") from None


def _api_routes(app: FastAPI) -> None:
    state = app.state
    engine: Engine = state.engine
    config: ServiceConfig = state.config

    @app.get("/api/locate", tags=["api"],
             summary="One point: the same JSON object as `landgrade locate --json`")
    async def locate_get(
        x: Annotated[str | None, Query(description="Easting or longitude")] = None,
        y: Annotated[str | None, Query(description="Northing or latitude")] = None,
        xy: Annotated[str | None, Query(
            description="Both, as pasted from a web map: `110.575,27.06`")] = None,
        crs: Annotated[str, Query(
            description="EPSG:4326 (default), EPSG:4546, EPSG:4525, gcj02, bd09, …")
        ] = "EPSG:4326",
        use: Annotated[str | None, Query(
            description="The point's land use (用途, class code or name): its price; a "
                        "road-line price only for the route table's use")] = None,
        use_standard: Annotated[str | None, Query(
            description="Standard of class codes: tdly2017 or ydyh2023")] = None,
    ) -> Response:
        if xy is not None:
            if x is not None or y is not None:
                raise BadRequest("give either xy or x and y, not both")
            px, py = parse_xy(xy)
        else:
            px, py = parse_number("x", x), parse_number("y", y)
        spec = state.crs(crs)
        standard = use_standard_param(use_standard, use is not None)
        records = await state.batcher.locate([px], [py], spec,
                                             uses=None if use is None else [use],
                                             standard=standard)
        return json_response(records[0])

    @app.post("/api/locate", tags=["api"],
              summary="Many points: {\"x\": [...], \"y\": [...], \"crs\": ...}; answers in order",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": {"type": "object", "required": ["x", "y"], "properties": {
                      "x": {"type": "array", "items": {"type": "number", "nullable": True}},
                      "y": {"type": "array", "items": {"type": "number", "nullable": True}},
                      "crs": {"type": "string", "default": "EPSG:4326"}}}}}}})
    async def locate_post(request: Request) -> Response:
        _require_json(request)
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise BadRequest('body: give an object {"x": [...], "y": [...], "crs": "EPSG:4326"}')
        missing = [k for k in ("x", "y") if k not in body]
        if missing:
            raise BadRequest(f"body: missing {' and '.join(missing)}; give "
                             '{"x": [...], "y": [...], "crs": "EPSG:4326"}')
        unknown = sorted(set(body) - {"x", "y", "crs", "use", "use_standard"})
        if unknown:
            raise BadRequest(f"body: unknown key(s) {', '.join(map(str, unknown))}; "
                             "the keys are x, y, crs, use and use_standard")
        crs = body.get("crs", "EPSG:4326")
        if not isinstance(crs, str):
            raise BadRequest("crs: give the coordinate system as a string, e.g. \"gcj02\"")
        xs = _points("x", body["x"], config.max_features)
        ys = _points("y", body["y"], config.max_features)
        if len(xs) != len(ys):
            raise BadRequest(f"x has {len(xs)} values but y has {len(ys)}; give one y per x")
        spec = state.crs(crs)
        uses = point_uses(body.get("use"), len(xs))
        standard = use_standard_param(body.get("use_standard"), uses is not None)
        records = (await state.batcher.locate(xs, ys, spec, uses=uses, standard=standard)
                   if len(xs) else [])
        return json_response({"crs": spec.name, "count": len(records), "answers": records})

    @app.post("/api/assign", tags=["api"],
              summary="Grade a GeoJSON FeatureCollection or an uploaded file",
              description=(
                  "Body: a GeoJSON FeatureCollection (application/json or application/geo+json)"
                  ", or multipart/form-data with a `file` (a zipped shapefile, .gpkg, .geojson, "
                  ".csv or .parquet). Out: every feature with the `landgrade assign` columns, "
                  "one out per feature in, in order; an upload comes back as `format` (default: "
                  "the upload's own format)."),
              openapi_extra={"requestBody": {"content": {
                  "application/geo+json": {"schema": {"type": "object"}},
                  "multipart/form-data": {"schema": {"type": "object", "properties": {
                      "file": {"type": "string", "format": "binary"}}}}}}})
    async def assign(
        request: Request,
        format: Annotated[str | None, Query(
            description=f"Output: {', '.join(OUTPUT_FORMATS)}")] = None,
        crs: Annotated[str | None, Query(description="What the coordinates really are "
                                         "(overrides the file's label), e.g. gcj02")] = None,
        x_field: Annotated[str | None, Query(description="CSV x column")] = None,
        y_field: Annotated[str | None, Query(description="CSV y column")] = None,
        layer: Annotated[str | None, Query(description="GeoPackage layer")] = None,
        encoding: Annotated[str | None, Query(description="Shapefile text encoding")] = None,
        town: Annotated[str | None, Query(description="Town (乡镇) of every row")] = None,
        town_grade: Annotated[int | None, Query(description="Town grade of every row")] = None,
        town_field: Annotated[str | None, Query(description="Column with the town")] = None,
        town_grade_field: Annotated[str | None, Query(
            description="Column with the town grade")] = None,
        use_field: Annotated[str | None, Query(
            description="Column with each feature's land use (用途, class code or name): adds "
                        "price and total")] = None,
        use_standard: Annotated[str | None, Query(
            description="Standard of class codes: tdly2017 or ydyh2023")] = None,
    ) -> Response:
        if crs is not None:
            state.crs(crs)  # a bad code is a 400 before any work
        # Checked here, as the command line checks them: a bad town grade is a 400 before any work.
        opts = AssignOptions(
            crs=crs,
            read=ReadOptions(layer=layer, encoding=encoding, x_field=x_field, y_field=y_field),
            pricing=PricingOptions(town=town, town_grade=town_grade, town_field=town_field,
                                   town_grade_field=town_grade_field,
                                   use_field=use_field or None,
                                   use_standard=use_standard_param(use_standard,
                                                              bool(use_field))))
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        ids: list[Any] | None = None
        if ctype == "multipart/form-data":
            data, filename = await _upload(request)
            out_format = format
        elif ctype in ("application/json", "application/geo+json", ""):
            # Parsing and checking a large collection takes a while: off the event loop.
            data, filename, ids = await asyncio.get_running_loop().run_in_executor(
                state.file_pool, _feature_collection, await request.body(), config.max_features)
            out_format = format or "geojson"
        else:
            raise BadRequest(
                f"content type {ctype!r}: send a GeoJSON FeatureCollection as application/json "
                "or a file as multipart/form-data (field `file`)", 415)
        if out_format is not None and out_format not in OUTPUT_FORMATS:
            raise BadRequest(f"format: {out_format!r}; use one of {', '.join(OUTPUT_FORMATS)}")
        loop = asyncio.get_running_loop()
        graded = await loop.run_in_executor(
            state.file_pool,
            lambda: grade_upload(engine, data, filename, out_format, opts,
                                 max_features=config.max_features,
                                 max_bytes=config.max_body_bytes))
        content = graded.content
        if ids is not None and out_format == "geojson":
            content = _restore_ids(content, ids)
        return Response(content, media_type=graded.media_type, headers={
            "Content-Disposition": _attachment(graded.name),
            "X-Landgrade-Rows": str(graded.rows)})

    @app.get("/api/prices", tags=["api"],
             summary="The urban and town benchmark price tables with their connotation")
    async def prices() -> Response:
        if state.prices is None:
            raise BadRequest("no county tables match this map, so no prices: start the service "
                             "with --county FOLDER", 404)
        return json_response(state.prices)

    @app.get("/api/convert", tags=["api"], summary="Convert one coordinate between systems")
    async def convert(
        x: str | None = None, y: str | None = None, xy: str | None = None,
        from_crs: Annotated[str, Query(alias="from")] = "EPSG:4326",
        to_crs: Annotated[str, Query(alias="to")] = "EPSG:4326",
    ) -> Response:
        if xy is not None and (x is not None or y is not None):
            raise BadRequest("give either xy or x and y, not both")
        px, py = parse_xy(xy) if xy is not None else (parse_number("x", x), parse_number("y", y))
        src, dst = state.crs(from_crs, "from"), state.crs(to_crs, "to")
        cx, cy = transform(px, py, src, dst)
        if not (math.isfinite(cx) and math.isfinite(cy)):
            raise BadRequest(f"({px}, {py}) in {src} has no position in {dst}")
        return json_response({"x": float(cx), "y": float(cy), "crs": dst.name})

    @app.get("/api/health", tags=["api"], summary="Is it up, and on which map")
    async def health() -> Response:
        gm = engine.grade_map
        return json_response({
            "status": "ok",
            "version": __version__,
            "county": gm.metadata.get("county"),
            "grades": sorted(int(g) for g in gm.grades["grade"]),
            "routes": len(engine.routes),
            "prices": engine.pricebook is not None,
            "schematic_network": gm.schematic,
            "limits": {"max_body_bytes": config.max_body_bytes,
                       "max_features": config.max_features},
        })

    state.prices = price_tables(engine)


def _attachment(name: str) -> str:
    """A Content-Disposition for ``name`` (RFC 6266): ``filename*`` in UTF-8 (RFC 5987), which
    browsers prefer, so 地块_graded.gpkg survives; ``filename`` an ASCII stand-in for old ones."""
    # Each run of other characters (and ``_``) becomes one ``_``: 地块_graded → graded,
    # café_graded → caf_graded. The name always ends in ``graded.<ext>``, so something is left.
    ascii_name = re.sub(r"[^A-Za-z0-9.\-]+", "_", name).strip("_.-")
    return (f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(name, safe='')}")


async def _upload(request: Request) -> tuple[bytes, str]:
    try:
        form = await request.form(max_files=1, max_fields=10)
    except Exception as e:  # python-multipart refusing a malformed body
        raise BadRequest(f"multipart body cannot be read ({e}); send the file as field `file`"
                         ) from None
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise BadRequest("multipart body has no file in field `file`")
    data = await upload.read()
    if not data:
        raise BadRequest(f"{upload.filename or 'file'}: the uploaded file is empty")
    return data, upload.filename or "upload"


def _restore_ids(content: bytes, ids: list[Any]) -> bytes:
    """Put the input features' ``id`` members back (GDAL reads them as row ids, not columns);
    the output has one feature per input feature, in order."""
    out = json.loads(content)
    for feature, fid in zip(out["features"], ids, strict=True):
        if fid is not None:
            feature["id"] = fid
    return json.dumps(out, ensure_ascii=False).encode("utf-8")


def _feature_collection(raw: bytes, max_features: int) -> tuple[bytes, str, list[Any] | None]:
    """A posted FeatureCollection checked and re-encoded for :func:`grade_upload`; its ids."""
    body = _parse_json(raw)
    if not isinstance(body, dict) or body.get("type") != "FeatureCollection":
        raise BadRequest('body: give a GeoJSON FeatureCollection ({"type": "FeatureCollection", '
                         '"features": [...]})')
    feats = body.get("features")
    if not isinstance(feats, list):
        raise BadRequest("body: the FeatureCollection's features must be an array")
    if not feats:
        raise BadRequest("body: the FeatureCollection has no features")
    if len(feats) > max_features:
        raise BadRequest(f"body: {len(feats)} features; at most {max_features} per request "
                         "(landgrade serve --max-features)", 413)
    for i, f in enumerate(feats):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            raise BadRequest(f"features[{i}]: not a GeoJSON Feature (type must be 'Feature')")
        g = f.get("geometry")
        if g is not None and not (
            isinstance(g, dict) and g.get("type") in GEOJSON_TYPES
            and isinstance(g.get("geometries" if g["type"] == "GeometryCollection"
                                 else "coordinates"), list)
        ):
            raise BadRequest(f"features[{i}].geometry: not a GeoJSON geometry (a type of "
                             f"{', '.join(GEOJSON_TYPES)} with coordinates), or null")
        props = f.get("properties")
        if props is not None and not isinstance(props, dict):
            raise BadRequest(f"features[{i}].properties: must be an object (or null)")
    # GDAL reads an unreadable geometry as none at all; refuse it instead, naming the feature.
    given = [i for i, f in enumerate(feats) if f.get("geometry") is not None]
    texts = np.array([json.dumps(feats[i]["geometry"]) for i in given], dtype=object)
    parsed = shapely.from_geojson(texts, on_invalid="ignore") if len(texts) else texts
    unread = np.flatnonzero(shapely.is_missing(parsed)) if len(texts) else []
    if len(unread):
        i = given[unread[0]]
        raise BadRequest(f"features[{i}].geometry: not a readable GeoJSON "
                         f"{feats[i]['geometry']['type']} (check its coordinates)")
    ids = [f.get("id") for f in feats]
    # json, not orjson: a property may hold an integer beyond 64 bits, which GDAL reads as text.
    return (json.dumps(body, ensure_ascii=False).encode("utf-8"), "features.geojson",
            ids if any(i is not None for i in ids) else None)


def price_tables(engine: Engine) -> dict[str, Any] | None:
    """The urban and town price tables with the connotation of every price, for
    ``GET /api/prices``."""
    book = engine.pricebook
    if book is None:
        return None
    uses = [{"use": u, "label_zh": book.use_label(u, "zh"), "label_en": book.use_label(u, "en"),
             "definition_zh": book.use_definition(u)} for u in book.uses]

    def grid(table: Any, area: str) -> list[dict[str, Any]]:
        rows = []
        for g in table.index:
            rows.append({
                "grade": int(g),
                "prices": {u: float(table.at[g, u]) for u in book.uses},
                "connotation": {u: book.connotation(int(g), u, area=area).to_dict()
                                for u in book.uses},
            })
        return rows

    towns = book.towns
    classes = [{
        "town_class": int(c),
        "label": book.town_class_label(c),
        "towns": towns.loc[towns["town_class"] == c, "town"].tolist(),
        "grades": grid(book.town_price_table(c), f"town_class_{c}"),
    } for c in book.town_classes]
    return {"county": book.county, "units": book.units, "uses": uses,
            "urban": grid(book.urban_price_table(), "urban"), "towns": classes}
