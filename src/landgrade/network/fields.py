"""Which attribute of a layer says what a feature is: its name, its road id, its road class.

Analysts' layers name their attributes every way (``name``, ``名称``, ``道路名称``, ``name:zh``…):
the name field is the one given (``--name-field``, :func:`parse_name_fields`), else found among
:data:`NAME_FIELDS` (:func:`detect_name_field`). ``road_id`` comes from ``--id-field``
(:func:`set_road_ids`). A class attribute (:data:`CLASS_FIELDS`) marks slip, service and similar
roads (:data:`MINOR_ROAD_CLASSES`, OSM ``*_link``), which never belong to a named road
(:func:`minor_roads`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landgrade.network.errors import NetworkError

NameFields = str | Mapping[str, str] | None

# Usual spellings of a name attribute, in order of preference (compared case-insensitively).
NAME_FIELDS: tuple[str, ...] = (
    "name:zh", "name_zh", "name", "名称", "道路名称", "路名", "道路名", "街路名称", "河流名称",
    "水系名称", "地物名称", "标准名称", "road_name", "roadname", "rd_name", "mc", "dlmc", "label",
)
# Attributes that classify a road, and the classes that are never a named gazette road.
CLASS_FIELDS: tuple[str, ...] = ("highway", "fclass", "road_class", "roadclass", "class", "type",
                                 "道路等级", "等级", "类型", "道路类型")
MINOR_ROAD_CLASSES: frozenset[str] = frozenset({
    "service", "services", "track", "path", "footway", "cycleway", "bridleway", "steps",
    "pedestrian", "corridor", "driveway", "parking_aisle", "服务道路", "匝道", "内部道路", "内部路",
    "小区道路", "小区路", "辅路", "人行道", "步行街", "机耕路",
})


def parse_name_fields(values: list[str] | tuple[str, ...] | None) -> dict[str, str]:
    """``--name-field`` values (``FIELD`` or ``LAYER=FIELD``, repeatable) as a layer → field map.

    ``LAYER`` is ``roads``, ``water`` or ``landmarks``, or a layer's file name (with or without
    its extension); a bare ``FIELD`` is the key ``"*"`` (every other layer). Two fields for one
    layer is an error; a ``LAYER`` that names no layer is one when the network is loaded.
    """
    out: dict[str, str] = {}
    for v in values or ():
        layer, sep, fld = v.partition("=")
        key, fld = (layer.strip(), fld.strip()) if sep else ("*", v.strip())
        if sep and not key:
            raise NetworkError(f"--name-field {v!r}: no layer before '=' (roads, water, "
                               "landmarks, or a layer's file name; e.g. roads=道路名称)")
        if not fld:
            raise NetworkError(f"--name-field {v!r}: no field name given")
        if key in out and out[key] != fld:
            which = "every layer" if key == "*" else key
            raise NetworkError(f"--name-field: two fields for {which} ({out[key]!r}, {fld!r})")
        out[key] = fld
    return out


def name_field_map(name_field: NameFields) -> dict[str, str]:
    if name_field is None:
        return {}
    if isinstance(name_field, str):
        return {"*": name_field}
    return dict(name_field)


def detect_name_field(gdf: gpd.GeoDataFrame, label: str, role: str) -> tuple[str, pd.Series]:
    """The first of :data:`NAME_FIELDS` the layer has with any text in it, and its values
    (``name:zh``/``name_zh`` filled from ``name`` where empty, as OpenStreetMap layers need)."""
    lower = {str(c).lower(): c for c in gdf.columns if c != gdf.geometry.name}
    for cand in NAME_FIELDS:
        col = lower.get(cand)
        if col is None:
            continue
        values = gdf[col]
        text = values.map(lambda v: isinstance(v, str) and bool(v.strip()))
        if not text.any():
            continue
        if cand in ("name:zh", "name_zh") and "name" in lower:
            values = values.where(text, gdf[lower["name"]])
        return str(col), values
    if len(gdf) == 0:
        return "name", pd.Series([], dtype=object)
    empty = [str(lower[c]) for c in NAME_FIELDS if c in lower]
    if empty:
        # A field called name with nothing in it (an OSM extract of unnamed ways) is not a
        # missing field: say so, or the user hunts for a field the message itself lists.
        raise NetworkError(
            f"{label}: no feature has a name ({', '.join(empty)} empty in all "
            f"{len(gdf)} features); the grade clauses name roads, so use a layer with names or "
            f"pass --name-field {role}=FIELD"
        )
    raise NetworkError(
        f"{label}: no name field found (fields: "
        f"{', '.join(str(c) for c in gdf.columns if c != gdf.geometry.name)}); "
        f"pass --name-field {role}=FIELD"
    )


def set_road_ids(roads: gpd.GeoDataFrame, id_field: str, label: str, choices: list[str]) -> None:
    """Set ``road_id`` from ``id_field``; pieces sharing an id are one road."""
    if id_field in roads.columns:
        ids = roads[id_field]
        roads["road_id"] = ids.map(lambda v: "" if v is None or (isinstance(v, float) and
                                                                   np.isnan(v)) else _id_text(v))
        if id_field != "road_id":
            choices.append(f"{Path(label).name}: road ids from field {id_field!r}")
        return
    if id_field != "road_id":
        raise NetworkError(
            f"{label}: no id field {id_field!r} (fields: "
            f"{', '.join(str(c) for c in roads.columns if c != roads.geometry.name)}); "
            "pass --id-field FIELD"
        )
    roads["road_id"] = [str(i) for i in range(len(roads))]


def _id_text(v: Any) -> str:
    # A numeric id read as float (12.0) is the id 12, as the analyst writes it in decisions.
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def minor_roads(roads: gpd.GeoDataFrame, choices: list[str], label: str) -> np.ndarray:
    """True for slip, service and similar roads (by a class attribute): never a named road."""
    minor = np.zeros(len(roads), dtype=bool)
    lower = {str(c).lower(): c for c in roads.columns}
    for cand in CLASS_FIELDS:
        col = lower.get(cand)
        if col is None or col == "name":
            continue
        v = roads[col].map(lambda x: x.strip().lower() if isinstance(x, str) else "")
        minor |= (v.isin(MINOR_ROAD_CLASSES) | v.str.endswith("_link")).to_numpy()
    named = minor & (roads["name"] != "").to_numpy()
    if named.any():
        choices.append(f"{Path(label).name}: {int(named.sum())} named slip/service piece(s) "
                       "kept out of the named roads (they never make a junction)")
    return minor
