"""Load test of ``landgrade serve`` on the loopback: requests per second, latency, errors.

Starts the server in a subprocess (127.0.0.1, a free port), waits for ``/api/health``, then runs
two bounded phases, each for ``--seconds``:

1. ``--clients`` concurrent clients (default 16), each sending single-point
   ``GET /api/locate?x=&y=`` on its own keep-alive connection, one request after the other;
2. ``--batch-clients`` concurrent clients (default 4) sending ``POST /api/locate`` with
   ``--batch-size`` points (default 1,000).

Points are uniform random in the grading extent's bounding box (from ``/ogc``), so inside and
outside points both occur. Baseline, measured first in the same run and process: the engine
called directly, without HTTP, the obvious way — ``Engine.locate`` per point (or per 1,000-point
batch) and :func:`landgrade.answer.to_record` per row, serialised with ``json.dumps`` — on one
thread for ``--baseline-seconds``; the figures printed are the service's rates and their ratio
to it. Reports requests/s, points/min and p50/p99 latency per phase, and
errors (anything but a 200 with the expected number of answers; must be 0). The client is a
minimal HTTP/1.1 client on asyncio streams, so that it costs the shared CPU as little as
possible. Targets (2 cores): ≥ 500 single-point requests/s with p99 < 50 ms at 16 clients, and
≥ 1,000,000 points/min through 1,000-point batches.

    python benchmarks/bench_serve.py                 # ~25 s
    python benchmarks/bench_serve.py --seconds 30 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

HOST = "127.0.0.1"  # loopback only: this never loads anyone else's server


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(port: int, extra: list[str]) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "landgrade.cli", "serve", "--host", HOST, "--port", str(port),
           "--max-features", "100000", *extra]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"server exited with {proc.returncode}:\n{err}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/api/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("server did not answer /api/health within 180 s")


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, method: str,
                   path: str, body: bytes = b"") -> tuple[int, bytes]:
    head = (f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: {len(body)}\r\n"
            "Content-Type: application/json\r\n\r\n").encode()
    writer.write(head + body)
    status = int((await reader.readline()).split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        key, _, value = line.partition(b":")
        if key.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def _client(port: int, stop: float, make: object, check: object,
                  lat: list[float], errors: list[str]) -> int:
    reader, writer = await asyncio.open_connection(HOST, port)
    done = 0
    try:
        while time.perf_counter() < stop:
            method, path, body = make()  # type: ignore[operator]
            t0 = time.perf_counter()
            try:
                status, data = await _request(reader, writer, method, path, body)
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as e:
                errors.append(f"{type(e).__name__}: {e}")
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
                continue
            lat.append(time.perf_counter() - t0)
            problem = check(status, data)  # type: ignore[operator]
            if problem:
                errors.append(problem)
            done += 1
    finally:
        writer.close()
    return done


async def phase(port: int, clients: int, seconds: float, make: object,
                check: object) -> dict[str, float]:
    lat: list[float] = []
    errors: list[str] = []
    t0 = time.perf_counter()
    stop = t0 + seconds
    counts = await asyncio.gather(*[_client(port, stop, make, check, lat, errors)
                                    for _ in range(clients)])
    wall = time.perf_counter() - t0
    ms = np.array(lat) * 1000
    return {
        "clients": clients,
        "requests": int(sum(counts)),
        "seconds": round(wall, 2),
        "req_per_s": round(sum(counts) / wall, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 2) if len(ms) else float("nan"),
        "p99_ms": round(float(np.percentile(ms, 99)), 2) if len(ms) else float("nan"),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def baseline(seconds: float, batch_size: int, seed: int) -> dict[str, float]:
    """The engine called directly, the obvious way, one call after the other (see the doc)."""
    from landgrade.engine import load_engine
    from landgrade.engine.answer import to_record

    engine = load_engine()
    x0, y0, x1, y1 = engine.grade_map.extent.to_crs(4326).total_bounds
    rng = np.random.default_rng(seed + 1)
    xs, ys = rng.uniform(x0, x1, batch_size), rng.uniform(y0, y1, batch_size)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        frame = engine.locate(xs[n % batch_size], ys[n % batch_size], crs="EPSG:4326")
        json.dumps(to_record(engine, frame.iloc[0]), ensure_ascii=False)
        n += 1
    single = n / (time.perf_counter() - t0)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        frame = engine.locate(xs, ys, crs="EPSG:4326")
        json.dumps([to_record(engine, frame.iloc[i]) for i in range(len(frame))],
                   ensure_ascii=False)
        n += 1
    per_min = n * batch_size / (time.perf_counter() - t0) * 60
    return {"single_per_s": round(single, 1), "batch_points_per_min": round(per_min)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="duration of each phase")
    ap.add_argument("--clients", type=int, default=16, help="single-point clients")
    ap.add_argument("--batch-clients", type=int, default=4, help="batch clients")
    ap.add_argument("--batch-size", type=int, default=1000, help="points per batch")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--baseline-seconds", type=float, default=3.0,
                    help="duration of each in-process baseline")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--server-arg", action="append", default=[],
                    help="extra argument for `landgrade serve` (repeatable)")
    args = ap.parse_args()
    if args.seconds <= 0 or args.seconds > 600 or not 1 <= args.clients <= 256:
        raise SystemExit("--seconds must be in (0, 600] and --clients in [1, 256]")

    base = baseline(args.baseline_seconds, args.batch_size, args.seed)
    port = free_port()
    proc = start_server(port, args.server_arg)
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/ogc/collections/extent") as r:
            x0, y0, x1, y1 = json.load(r)["extent"]["spatial"]["bbox"][0]
        rng = np.random.default_rng(args.seed)
        pool = 100_000
        xs = np.round(rng.uniform(x0, x1, pool), 7)
        ys = np.round(rng.uniform(y0, y1, pool), 7)
        paths = [f"/api/locate?x={x}&y={y}".encode().decode() for x, y in zip(xs, ys, strict=True)]
        counter = iter(range(10**12))

        def single() -> tuple[str, str, bytes]:
            return "GET", paths[next(counter) % pool], b""

        def single_ok(status: int, data: bytes) -> str:
            if status != 200 or b'"status"' not in data:
                return f"{status}: {data[:200]!r}"
            return ""

        n = args.batch_size
        bodies = []
        for k in range(32):
            i = (k * n) % (pool - n)
            bodies.append(json.dumps({"x": xs[i:i + n].tolist(), "y": ys[i:i + n].tolist(),
                                      "crs": "EPSG:4326"}).encode())
        bcount = iter(range(10**12))

        def batch() -> tuple[str, str, bytes]:
            return "POST", "/api/locate", bodies[next(bcount) % len(bodies)]

        def batch_ok(status: int, data: bytes) -> str:
            if status != 200:
                return f"{status}: {data[:200]!r}"
            if data.count(b"\"inside_extent\"") != n:
                return "wrong number of answers"
            return ""

        async def run() -> dict[str, dict[str, float]]:
            # A short warm-up so that first-request costs are not in the figures.
            await phase(port, 2, 1.0, single, single_ok)
            one = await phase(port, args.clients, args.seconds, single, single_ok)
            many = await phase(port, args.batch_clients, args.seconds, batch, batch_ok)
            many["points_per_min"] = round(many["req_per_s"] * n * 60)
            return {"single_point_get": one, f"batch_{n}_post": many}

        results = asyncio.run(run())
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    one, many = results["single_point_get"], results[f"batch_{args.batch_size}_post"]
    one["baseline_req_per_s"] = base["single_per_s"]
    one["ratio"] = round(one["req_per_s"] / base["single_per_s"], 2)
    many["baseline_points_per_min"] = base["batch_points_per_min"]
    many["ratio"] = round(many["points_per_min"] / base["batch_points_per_min"], 2)
    results["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                          "server_args": args.server_arg}  # type: ignore[assignment]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, r in results.items():
        if name == "machine":
            continue
        if "points_per_min" in r:
            extra = (f", {r['points_per_min']:,} points/min ({r['ratio']}x the in-process "
                     f"baseline's {r['baseline_points_per_min']:,})")
        else:
            extra = f" ({r['ratio']}x the in-process baseline's {r['baseline_req_per_s']})"
        print(f"{name:<18} {r['clients']:>3} clients  {r['requests']:>7} requests in "
              f"{r['seconds']} s: {r['req_per_s']:>8.1f} req/s{extra}, p50 {r['p50_ms']} ms, "
              f"p99 {r['p99_ms']} ms, errors {r['errors']} {r['first_error']}")
    ok = all(r["errors"] == 0 for k, r in results.items() if k != "machine")
    print("errors: none" if ok else "ERRORS: see above")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    main()
