"""What the QGIS provider's progress bar and cancel button cost: ``assign`` in small chunks.

    python benchmarks/bench_qgis_chunks.py                  # 200,000 points, about a minute
    python benchmarks/bench_qgis_chunks.py --points 50000 --json

The Processing algorithms stream a layer in about ten chunks
(:func:`landgrade.qgis.assign.chunk_rows`, re-stated here because that module imports QGIS) so
the bar moves and a cancel is heard within a chunk, each chunk told to a watcher
(:mod:`landgrade.progress`); the command line streams 200,000 rows at a time and
watches nothing. Both run here on the same seeded points in a GeoPackage (Dongkou's working CRS,
EPSG:4546), through :func:`landgrade.jobs.assign.assign_command` in this process, alternately,
three times each; the outputs must be identical, else exit 1. Prints ``ratio`` = command-line
time / provider time (below 1: the provider's chunks cost that much).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from _common import CRS, machine

from landgrade.engine.engine import load_engine
from landgrade.jobs.assign import assign_command
from landgrade.progress import watching

# The provider's chunking (landgrade.qgis.assign imports QGIS, so it is re-stated, not
# imported): about STEPS chunks, each of at least MIN_CHUNK and at most MAX_CHUNK rows.
MIN_CHUNK, MAX_CHUNK, STEPS = 1000, 200_000, 10
CLI_CHUNK = 200_000


def provider_chunk(rows: int, steps: int = STEPS) -> int:
    return max(MIN_CHUNK, min(MAX_CHUNK, -(-max(rows, 1) // steps)))


def seeded_points(n: int, path: Path) -> Path:
    """``n`` points over the bundled county's extent, with an id."""
    extent = load_engine().grade_map.extent.to_crs(CRS)
    x0, y0, x1, y1 = extent.total_bounds
    rng = np.random.default_rng(1)
    gpd.GeoDataFrame({"id": np.arange(n)}, crs=CRS, geometry=shapely.points(
        rng.uniform(x0, x1, n), rng.uniform(y0, y1, n))).to_file(path, layer="points")
    return path


def timed(source: Path, output: Path, chunk: int, watched: bool) -> float:
    steps: list[int] = []
    start = time.perf_counter()
    if watched:
        with watching(lambda done, total, what: steps.append(done)):
            assign_command(source, output, chunk_size=chunk, progress=False)
    else:
        assign_command(source, output, chunk_size=chunk, progress=False)
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--points", type=int, default=200_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--steps", type=int, default=STEPS, help="chunks per layer to try")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = seeded_points(args.points, folder / "points.gpkg")
        chunk = provider_chunk(args.points, args.steps)
        times: dict[str, list[float]] = {"cli": [], "provider": []}
        for i in range(args.repeat):
            for side, size, watched in (("cli", CLI_CHUNK, False), ("provider", chunk, True)):
                out = folder / f"{side}{i}.gpkg"
                times[side].append(timed(source, out, size, watched))
        cli_rows = gpd.read_file(folder / "cli0.gpkg", layer="cli0")
        ours = gpd.read_file(folder / "provider0.gpkg", layer="provider0")
        same = cli_rows.drop(columns="geometry").equals(ours.drop(columns="geometry"))
    cli, provider = statistics.median(times["cli"]), statistics.median(times["provider"])
    result = {"machine": machine(), "points": args.points, "steps": args.steps,
              "provider_chunk": chunk,
              "cli_s": round(cli, 3), "provider_s": round(provider, 3),
              "ratio": round(cli / provider, 3), "identical": bool(same)}
    print(json.dumps(result, indent=None if args.json else 2, ensure_ascii=False))
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
