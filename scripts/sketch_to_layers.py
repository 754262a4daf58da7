"""Write a county's network layers (GeoJSON) from an editable node-and-sequence sketch.

A sketch is two CSV files in one folder (for the bundled county: ``geo/<county>/schematic/``):

``nodes.csv``     ``node,x,y,note``: named points in the sketch's CRS (default EPSG:4546).
``features.csv``  ``layer,id,name,road_class,nodes,note``: one feature per row; ``layer`` is
                  ``roads``, ``water``, ``landmarks`` or ``extent``; ``nodes`` is the
                  space-separated node sequence. Roads and water are lines; a landmark is a point
                  (one node) or a polygon (three or more); the extent is a polygon.

Junctions are shared nodes: two roads meet exactly where their sequences name the same node, so
moving a junction is editing one row of ``nodes.csv``. The layers are written beside the sketch's
folder as ``roads.geojson``, ``water.geojson``, ``landmarks.geojson`` and ``extent.geojson``, with
the CRS recorded in each file and every feature's ``source`` saying where its geometry comes from.

Usage (from the repository root)::

    python scripts/sketch_to_layers.py geo/dongkou/schematic
    python scripts/sketch_to_layers.py SKETCH_DIR --out OUT_DIR --crs EPSG:4546 \
        --source "schematic reconstruction, not surveyed"
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from landgrade.errors import LandgradeError
from landgrade.io import IOInputError, read_data_table
from landgrade.io.crs import WORKING_EPSG, resolve_crs

LAYERS = ("roads", "water", "landmarks", "extent")
ID_FIELD = {"roads": "road_id", "water": "water_id", "landmarks": "landmark_id",
            "extent": "extent_id"}
DEFAULT_SOURCE = "schematic reconstruction (topology from the gazette, coordinates approximate)"


class SketchError(LandgradeError):
    """A sketch file is wrong; the message names the file, the row and the fix."""


def read_sketch(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The nodes (indexed by name, x/y as floats) and the features of a sketch folder, checked.

    Both tables keep a ``line`` column (the row's line in its file) for error messages.
    """
    paths = {name: folder / f"{name}.csv" for name in ("nodes", "features")}
    for p in paths.values():
        if not p.exists():
            raise SketchError(f"{p}: missing; a sketch folder holds nodes.csv and features.csv")
    try:
        nodes = read_data_table(paths["nodes"], ("node", "x", "y"))
        features = read_data_table(paths["features"], ("layer", "id", "name", "nodes"))
    except IOInputError as e:
        raise SketchError(str(e)) from None
    xy = nodes[["x", "y"]].apply(pd.to_numeric, errors="coerce")
    bad = nodes[~np.isfinite(xy.to_numpy(dtype=float)).all(axis=1)]
    if len(bad):
        r = bad.iloc[0]
        raise SketchError(f"{paths['nodes']}, line {r['line']}: node {r['node']!r} needs numeric "
                          f"x and y, got {r['x']!r}, {r['y']!r}")
    nodes[["x", "y"]] = xy
    dup = nodes[nodes["node"].duplicated()]
    if len(dup):
        raise SketchError(f"{paths['nodes']}, line {dup['line'].iloc[0]}: node "
                          f"{dup['node'].iloc[0]!r} is defined twice")
    bad_layer = features[~features["layer"].isin(LAYERS)]
    if len(bad_layer):
        raise SketchError(f"{paths['features']} row {bad_layer['line'].iloc[0]}: layer "
                          f"{bad_layer['layer'].iloc[0]!r} is not one of {', '.join(LAYERS)}")
    return nodes.set_index("node"), features


def feature_geometries(nodes: pd.DataFrame, features: pd.DataFrame, where: str) -> list:
    """One shapely geometry per feature row, from its node sequence."""
    xy = nodes[["x", "y"]]
    geoms = []
    for row in features.itertuples(index=False):
        i = row.line
        seq = row.nodes.split()
        unknown = [s for s in seq if s not in xy.index]
        if unknown:
            raise SketchError(f"{where} row {i} ({row.id} {row.name}): unknown node(s) "
                              f"{', '.join(unknown)}; add them to nodes.csv")
        coords = xy.loc[seq].to_numpy()
        if row.layer in ("roads", "water"):
            if len(seq) < 2:
                raise SketchError(f"{where} row {i} ({row.id}): a line needs two nodes or more")
            geoms.append(shapely.linestrings(coords))
        elif row.layer == "landmarks" and len(seq) == 1:
            geoms.append(shapely.points(coords[0]))
        else:
            if len(seq) < 3:
                raise SketchError(f"{where} row {i} ({row.id}): a polygon needs three nodes "
                                  "or more")
            poly = shapely.polygons(coords)
            if not poly.is_valid:
                raise SketchError(f"{where} row {i} ({row.id}): the polygon crosses itself "
                                  f"({shapely.is_valid_reason(poly)})")
            geoms.append(shapely.orient_polygons(poly))
    return geoms


def sketch_to_layers(folder: str | Path, out: str | Path | None = None,
                     crs: str = f"EPSG:{WORKING_EPSG}",
                     source: str = DEFAULT_SOURCE) -> dict[str, Path]:
    """Write one GeoJSON file per layer present in the sketch; returns layer → path."""
    folder = Path(folder)
    out = Path(out) if out is not None else folder.parent
    spec = resolve_crs(crs)
    if spec.offset:
        raise SketchError(f"--crs {crs}: a GeoJSON file cannot record {spec.offset}; convert the "
                          "nodes to a true CRS first (landgrade convert)")
    layer_crs = spec.crs
    nodes, features = read_sketch(folder)
    out.mkdir(parents=True, exist_ok=True)
    features = features.assign(
        geometry=feature_geometries(nodes, features, str(folder / "features.csv")))
    written: dict[str, Path] = {}
    for layer in LAYERS:
        rows = features[features["layer"] == layer]
        if rows.empty:
            continue
        cols = {ID_FIELD[layer]: rows["id"], "name": rows["name"]}
        if layer == "roads":
            cols["road_class"] = rows.get("road_class", "")
        cols["note"] = rows.get("note", "")
        cols["source"] = source
        gdf = gpd.GeoDataFrame(pd.DataFrame(cols), geometry=list(rows["geometry"]), crs=layer_crs)
        path = out / f"{layer}.geojson"
        if path.exists():
            path.unlink()
        gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
        written[layer] = path
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sketch", type=Path, help="folder with nodes.csv and features.csv")
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: its parent)")
    ap.add_argument("--crs", default=f"EPSG:{WORKING_EPSG}", help="CRS of the node coordinates")
    ap.add_argument("--source", default=DEFAULT_SOURCE, help="the `source` of every feature")
    args = ap.parse_args(argv)
    try:
        for layer, path in sketch_to_layers(args.sketch, args.out, args.crs, args.source).items():
            print(f"{layer}: {path}")
    except LandgradeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
