"""Time `landgrade build` on the bundled network and on its surveyed-style copy, in one run.

The surveyed-style copy (``tests/surveyed_copy.py``: 700+ pieces with gaps, jitter, service
roads, section names, a GBK shapefile in EPSG:4525) exercises the real-data road model: piece
snapping, junction clusters, field detection. The ratio says what that costs against the clean
network measured in the same process.

    python benchmarks/bench_build.py            # 5 repeats of each (a few seconds)
    python benchmarks/bench_build.py --repeat 20 --dual
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from surveyed_copy import make_surveyed_copy  # noqa: E402

from landgrade.build.builder import BuildInputs, build_from  # noqa: E402


def _time(inputs: BuildInputs, repeat: int) -> float:
    build_from(inputs)  # warm: imports, PROJ database
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        build_from(inputs)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dual", action="store_true",
                    help="draw 文昌路 and 蔡锷路 as dual carriageways")
    args = ap.parse_args()
    county = ROOT / "geo" / "dongkou"
    with tempfile.TemporaryDirectory() as tmp:
        dual = ("文昌路", "蔡锷路") if args.dual else ()
        files = make_surveyed_copy(county, Path(tmp), dual=dual)
        clean = _time(BuildInputs(county=county), args.repeat)
        copy = _time(BuildInputs(county=county, roads=files["roads"], water=files["water"],
                                 landmarks=files["landmarks"], aliases=files["aliases"],
                                 id_field="道路编码"), args.repeat)
    print(f"bundled network (53 roads):       {clean:.3f} s")
    print(f"surveyed-style copy (700+ pieces): {copy:.3f} s  ({copy / clean:.1f}× the bundled)")


if __name__ == "__main__":
    main()
