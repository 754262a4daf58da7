"""Turn a county folder's clean road network into a surveyed-style copy, as analysts receive one.

A surveyed centreline layer (道路中心线) differs from a hand-drawn network in ways that must not
change the grade map. This script makes such a copy of the bundled (schematic) Dongkou network,
with a fixed random seed:

- every road is cut at each junction and about every ``piece_m`` metres (hundreds of pieces),
  each piece drawn in a random direction;
- the pieces miss each other by 0.1–1.0 m, T-junction ends stop 0.3–1.0 m short of the road they
  meet, and every vertex is jittered by up to 0.25 m: gaps from sub-metre up to 1.5 m;
- unnamed roads carry a null name (decisions still pin them by id), and service roads (null
  names, and a few carrying the name of the road they branch from, classed ``service``) hang
  off the named roads;
- roads whose gazette name is one name are drawn as two section names (``桔城路`` →
  ``桔城西路`` + ``桔城东路``), with alias rows ``桔城路,桔城西路`` and ``桔城路,桔城东路``;
- optionally (``dual=True``) some main roads are drawn as two carriageways ``dual_gap_m`` apart;
- field names are Chinese and differ per layer (roads ``道路名称``/``道路编码``/``道路等级``,
  water ``名称``, landmarks ``NAME``); the roads are a GBK shapefile without a ``.cpg`` in the
  zone-prefixed Gauss-Krüger CRS EPSG:4525 (eastings 37xxxxxx.xx), the water a GeoPackage in
  WGS84.

``python tests/surveyed_copy.py OUT_DIR`` writes the copy; ``tests/test_surveyed_copy.py``
builds on it and compares with the clean build.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString
from shapely.ops import substring

# Gazette name → (first section, second section, axis the sections are split along).
SECTIONS: dict[str, tuple[str, str, str]] = {
    "桔城路": ("桔城西路", "桔城东路", "x"),
    "双龙路": ("双龙西路", "双龙东路", "x"),
    "健民路": ("健民南路", "健民北路", "y"),
}
ROAD_FIELDS = {"name": "道路名称", "road_id": "道路编码", "road_class": "道路等级"}


def _cut_positions(line: LineString, others: np.ndarray, piece_m: float,
                   rng: np.random.Generator) -> np.ndarray:
    """Where a road is cut: at every crossing with another road, and every ~piece_m metres."""
    hits = shapely.intersection(line, others)
    pts = shapely.get_parts(shapely.get_parts(hits[~shapely.is_empty(hits)]))
    pts = pts[shapely.get_type_id(pts) == 0] if len(pts) else pts
    at = shapely.line_locate_point(line, pts) if len(pts) else np.empty(0)
    n = int(line.length // piece_m)
    regular = np.linspace(0, line.length, n + 2)[1:-1] + rng.uniform(-20, 20, n)
    cuts = np.sort(np.r_[at, regular])
    cuts = cuts[(cuts > 15) & (cuts < line.length - 15)]
    keep = np.r_[True, np.diff(cuts) > 15] if len(cuts) else np.empty(0, dtype=bool)
    return cuts[keep]


def _jitter(geom: LineString, rng: np.random.Generator, amount: float) -> LineString:
    c = shapely.get_coordinates(geom)
    return LineString(c + rng.uniform(-amount, amount, c.shape) / np.sqrt(2))


def _pieces(line: LineString, cuts: np.ndarray, rng: np.random.Generator,
            t_short: tuple[bool, bool], gap: tuple[float, float],
            jitter: float) -> list[LineString]:
    """The road cut at ``cuts`` with a gap at each cut, T-ends shortened, vertices jittered."""
    bounds = np.r_[0.0, cuts, line.length]
    starts, ends = bounds[:-1].copy(), bounds[1:].copy()
    g = rng.uniform(*gap, len(cuts))
    share = rng.uniform(0, 1, len(cuts))
    ends[:-1] -= g * share
    starts[1:] += g * (1 - share)
    if t_short[0]:
        starts[0] += rng.uniform(0.3, 1.0)
    if t_short[1]:
        ends[-1] -= rng.uniform(0.3, 1.0)
    out = []
    for a, b in zip(starts, ends, strict=True):
        piece = _jitter(substring(line, a, b), rng, jitter)
        out.append(piece.reverse() if rng.uniform() < 0.5 else piece)
    return out


def _t_ends(line: LineString, others: np.ndarray) -> tuple[bool, bool]:
    """Whether each end of a road stops on another road (a T-junction drawn exactly)."""
    ends = shapely.points(shapely.get_coordinates(line)[[0, -1]])
    d = np.array([shapely.distance(e, others).min() if len(others) else np.inf for e in ends])
    return bool(d[0] < 0.01), bool(d[1] < 0.01)


def _to_near_carriageway(line: LineString, carriageways, t_ends: tuple[bool, bool]) -> LineString:
    """A road ending on a dual road's centreline, cut back to the near carriageway (as surveys
    draw a side road: it meets the carriageway on its side)."""
    hits = shapely.get_parts(shapely.intersection(line, carriageways))
    hits = hits[shapely.get_type_id(hits) == 0] if len(hits) else hits
    if not len(hits):
        return line
    at = np.sort(shapely.line_locate_point(line, hits))
    start, end = 0.0, line.length
    # Only an end that stops between the carriageways (none of them beyond it) is cut back.
    if t_ends[0] and at[0] > 1e-6 and at[0] < 30:
        start = at[0]
    if t_ends[1] and line.length - at[-1] > 1e-6 and line.length - at[-1] < 30:
        end = at[-1]
    return substring(line, start, end) if (start, end) != (0.0, line.length) else line


def _section_name(name: str, piece: LineString, centre: tuple[float, float]) -> str:
    first, second, axis = SECTIONS[name]
    mid = shapely.line_interpolate_point(piece, 0.5, normalized=True)
    v = mid.x if axis == "x" else mid.y
    return first if v < (centre[0] if axis == "x" else centre[1]) else second


def _dual(line: LineString, gap_m: float, join: tuple[bool, bool] = (False, False)
          ) -> list[LineString]:
    """Two carriageways ``gap_m`` apart either side of a centreline; at an end in ``join`` both
    run into the centreline's end point (where the road goes on as another road)."""
    out = []
    for d in (gap_m / 2, -gap_m / 2):
        g = shapely.offset_curve(line, d, join_style="mitre")
        if g.geom_type != "LineString" or g.is_empty:
            continue
        c = shapely.get_coordinates(g)
        ends = shapely.get_coordinates(line)[[0, -1]]
        if join[0]:
            c = np.vstack([ends[:1], c])
        if join[1]:
            c = np.vstack([c, ends[1:]])
        out.append(LineString(c))
    return out


def _shared_ends(line: LineString, others: np.ndarray) -> tuple[bool, bool]:
    """Whether each end of a road is also an end of another road (the roads run on)."""
    ends = shapely.points(shapely.get_coordinates(line)[[0, -1]])
    tips = shapely.boundary(others)
    d = [shapely.distance(e, tips).min() if len(others) else np.inf for e in ends]
    return bool(d[0] < 0.01), bool(d[1] < 0.01)


def make_surveyed_copy(county: Path, out: Path, seed: int = 11, piece_m: float = 150.0,
                       dual: tuple[str, ...] = (), dual_gap_m: float = 12.0,
                       service_roads: int = 40) -> dict[str, Path]:
    """Write the surveyed-style copy of ``county``'s network into ``out``; return its files."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    roads = gpd.read_file(county / "roads.geojson").to_crs(4546)
    geoms = roads.geometry.to_numpy()
    rows = []
    dual_roads = roads[roads["name"].isin(dual)].geometry.to_numpy()
    duals = shapely.union_all([c for g in dual_roads for c in _dual(g, dual_gap_m)])
    for i, r in enumerate(roads.itertuples(index=False)):
        line = r.geometry
        others = np.delete(geoms, i)
        t_short = _t_ends(line, others)
        shared = _shared_ends(line, others)
        if r.name not in dual and not duals.is_empty:
            # A T-end on a dual road's side (not where roads end together) is cut back.
            on_dual = _t_ends(line, dual_roads)
            line = _to_near_carriageway(line, duals, (on_dual[0] and not shared[0],
                                                      on_dual[1] and not shared[1]))
        centres = [line] if r.name not in dual else _dual(line, dual_gap_m, shared)
        bx0, by0, bx1, by1 = line.bounds
        for carriageway in centres:
            cuts = _cut_positions(carriageway, others, piece_m, rng)
            for piece in _pieces(carriageway, cuts, rng, t_short, (0.1, 1.0), 0.25):
                name = r.name
                if name in SECTIONS:
                    name = _section_name(name, piece, ((bx0 + bx1) / 2, (by0 + by1) / 2))
                if name == "未命名道路":
                    name = None
                rows.append({"name": name, "road_id": r.road_id, "road_class": r.road_class,
                             "geometry": piece})
    # Service roads: short spurs off named roads; most unnamed, a few with the parent's name.
    named = roads[roads["name"] != "未命名道路"].reset_index(drop=True)
    pick = rng.choice(len(named), service_roads)
    for k, j in enumerate(pick):
        line = named.geometry.iloc[j]
        at = rng.uniform(0.2, 0.8) * line.length
        p = shapely.line_interpolate_point(line, at)
        q = shapely.line_interpolate_point(line, min(line.length, at + 1.0))
        dx, dy = q.x - p.x, q.y - p.y
        norm = np.hypot(dx, dy) or 1.0
        side = 1 if rng.uniform() < 0.5 else -1
        length = rng.uniform(25, 60)
        start = (p.x - side * dy / norm * 0.5, p.y + side * dx / norm * 0.5)
        end = (p.x - side * dy / norm * length, p.y + side * dx / norm * length)
        parent = named["name"].iloc[j] if k % 8 == 0 else None
        rows.append({"name": parent, "road_id": f"S{k:03d}", "road_class": "service",
                     "geometry": LineString([start, end])})
    copy = gpd.GeoDataFrame(rows, geometry="geometry", crs=4546)
    copy = copy.iloc[rng.permutation(len(copy))].reset_index(drop=True)
    copy = copy.rename(columns=ROAD_FIELDS).to_crs(4525)
    files = {"roads": out / "道路中心线.shp"}
    copy.to_file(files["roads"], engine="pyogrio", encoding="GBK")
    files["roads"].with_suffix(".cpg").unlink(missing_ok=True)

    water = gpd.read_file(county / "water.geojson").to_crs(4546)
    wrows = []
    for r in water.itertuples(index=False):
        cuts = _cut_positions(r.geometry, np.empty(0, dtype=object), 400.0, rng)
        for piece in _pieces(r.geometry, cuts, rng, (False, False), (0.1, 1.0), 0.25):
            wrows.append({"名称": r.name, "geometry": piece})
    files["water"] = out / "水系.gpkg"
    gpd.GeoDataFrame(wrows, geometry="geometry", crs=4546).to_crs(4326).to_file(
        files["water"], driver="GPKG", engine="pyogrio")

    land = gpd.read_file(county / "landmarks.geojson")
    files["landmarks"] = out / "landmarks.geojson"
    land.rename(columns={"name": "NAME"}).to_file(files["landmarks"], driver="GeoJSON",
                                                  engine="pyogrio")

    aliases = pd.read_csv(county / "aliases.csv", dtype=str)
    extra = [{"alias": k, "name": s} for k, (a, b, _) in SECTIONS.items() for s in (a, b)]
    files["aliases"] = out / "aliases.csv"
    pd.concat([aliases, pd.DataFrame(extra)]).to_csv(files["aliases"], index=False)
    return files


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("surveyed_copy")
    written = make_surveyed_copy(root / "geo" / "dongkou", target)
    for role, path in written.items():
        print(f"{role}: {path}")
