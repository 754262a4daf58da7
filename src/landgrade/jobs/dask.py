"""Scale-out on a dask cluster: the engine over dask-geopandas partitions.

:func:`assign` answers a :class:`dask_geopandas.GeoDataFrame` partition by partition with the
same :meth:`Engine.assign <landgrade.engine.Engine.assign>` a single process uses, so every row
gets exactly the single-process answer; output partitions line up with input partitions, rows
and order kept. :func:`assign_parts` is ``landgrade assign INPUT -o OUTPUT --dask``: INPUT a
folder or glob of parts (GeoParquet, or any file ``landgrade assign`` reads), OUTPUT a folder
receiving one part per input part, each read with the same
:class:`~landgrade.jobs.read_options.ReadOptions`, priced with the same
:class:`~landgrade.engine.pricing.PricingOptions` and answered by the single-process file loop
(:func:`landgrade.jobs.assign.grade_file`), so it is exactly what ``landgrade assign`` writes
and appears only complete.

The engine (grade map, grid index, price book, outline) is loaded once per worker process, by
a loader cached on the map path: on a worker's first task, or up front by :func:`warm_workers`
(``client.run``), never once per partition. A worker reads the map from the local cache
(``~/.cache/landgrade``) or builds it there, so on a cluster the map path must be readable from
every worker (a shared folder), or use the bundled county.

Needs the ``dask`` extra: ``pip install "landgrade[dask]"`` (dask-geopandas, dask.distributed).
"""

from __future__ import annotations

import glob
import os
import sys
import threading
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from landgrade.engine.memory import MMAP_THRESHOLD, TRIM_THRESHOLD
from landgrade.engine.pricing import PricingOptions, pricing_of
from landgrade.errors import LandgradeError
from landgrade.jobs.read_options import ReadOptions


class DaskSetupError(LandgradeError):
    """The dask extra is missing, or a cluster or its input/output folders cannot be used."""


def _require_dask() -> None:
    try:
        import dask_geopandas  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        raise DaskSetupError(
            "--dask needs dask-geopandas and dask.distributed: pip install \"landgrade[dask]\""
        ) from None


@dataclass(frozen=True)
class EngineSpec:
    """What a worker needs to load the engine itself: small, so it travels with every task."""

    map_path: str | None = None
    county: str | None = None


def engine_spec(map_path: str | Path | None, county: str | Path | None) -> EngineSpec:
    """The spec with paths made absolute: workers do not share the caller's directory."""
    def absolute(p: str | Path | None) -> str | None:
        if p is None:
            return None
        return str(Path(p).resolve()) if Path(p).exists() else str(p)  # a county name stays

    return EngineSpec(absolute(map_path), absolute(county))


_ENGINES: dict[EngineSpec, Any] = {}
_LOCK = threading.Lock()


# dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also fixes glibc's mmap
# threshold at 128 KiB: every array of a chunk is then a fresh mmap, and its page faults made a
# worker answer the same part 1.5x slower than one process (bench_dask.py). The workers get
# what the CLI sets for itself (landgrade.engine.memory): arrays up to 32 MiB from the heap, and
# up to 256 MiB of freed heap kept for the next part.
WORKER_ENVIRON = {"MALLOC_MMAP_THRESHOLD_": MMAP_THRESHOLD,
                  "MALLOC_TRIM_THRESHOLD_": TRIM_THRESHOLD}


def local_cluster(workers: int) -> Any:
    """A local cluster of ``workers`` single-threaded worker processes, started with
    :data:`WORKER_ENVIRON`."""
    import dask
    from distributed import LocalCluster

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {})
    with dask.config.set({"distributed.nanny.pre-spawn-environ": {**environ,
                                                                   **WORKER_ENVIRON}}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=None)


def worker_engine(spec: EngineSpec) -> Any:
    """The engine for ``spec`` in this process, loaded on first use (one load per worker)."""
    engine = _ENGINES.get(spec)
    if engine is None:
        with _LOCK:  # worker threads share one engine; the first one loads it
            engine = _ENGINES.get(spec)
            if engine is None:
                from landgrade.engine.engine import load_engine

                engine = load_engine(map_path=spec.map_path, county=spec.county)
                _ENGINES[spec] = engine
    return engine


def warm_workers(client: Any, spec: EngineSpec) -> None:
    """Load the engine on every worker of ``client`` now, once each, before any task runs."""
    client.run(_warm, spec)


def _warm(spec: EngineSpec) -> None:
    worker_engine(spec)


def _assign_partition(part: gpd.GeoDataFrame, spec: EngineSpec, crs: str | None,
                      pricing: PricingOptions, columns: list[str] | None = None
                      ) -> gpd.GeoDataFrame:
    """One partition through the engine, exactly as the single-process ``assign`` does it."""
    from landgrade.jobs.assign import _label_crs

    engine = worker_engine(spec)
    spec_crs = crs or part.crs
    if spec_crs is None:
        raise DaskSetupError("input has no CRS: pass --crs (e.g. EPSG:4326, EPSG:4546, gcj02)")
    out = engine.assign(part, crs=spec_crs, pricing=pricing)
    out = out.set_crs(_label_crs(spec_crs), allow_override=True)
    if columns is not None and list(out.columns) != columns:
        extra = [c for c in out.columns if c not in columns]
        if extra:
            raise DaskSetupError(
                f"a partition answers columns {extra} that the first one does not (points in "
                "one part, parcels in another): split points and parcels into separate inputs"
            )
        out = out.reindex(columns=columns)  # share columns of a parcel-free part stay empty
    return out


def assign(ddf: Any, *, map_path: str | Path | None = None, county: str | None = None,
           crs: str | None = None, pricing: PricingOptions | None = None,
           town: str | None = None, town_grade: int | None = None,
           town_field: str | None = None, town_grade_field: str | None = None) -> Any:
    """Answer every row of a dask-geopandas frame; partition i of the result answers
    partition i of ``ddf``, same rows, same order (lazy: compute or write it). ``pricing``: how
    rows are priced (or the older separate ``town=``… keywords), as :meth:`Engine.assign`."""
    _require_dask()
    spec = engine_spec(map_path, county)
    pricing = pricing_of(pricing, town=town, town_grade=town_grade, town_field=town_field,
                         town_grade_field=town_grade_field)
    # The answer's columns and dtypes, from a few rows of the first partition (parcels add
    # share columns that points do not have, so an empty frame cannot tell).
    sample = ddf.partitions[0].head(64, compute=True) if ddf.npartitions else ddf._meta
    meta = _assign_partition(sample.iloc[:64], spec, crs, pricing).iloc[:0]
    return ddf.map_partitions(_assign_partition, spec, crs, pricing, list(meta.columns),
                              meta=meta, align_dataframes=False)


# --- parts on disk ---------------------------------------------------------------------------
def input_parts(spec: str | Path) -> list[Path]:
    """The parts named by a folder or a glob, in name order: files ``landgrade assign`` reads
    (GeoParquet, CSV, Excel, GeoPackage, GeoJSON, a shapefile's ``.shp``)."""
    from landgrade import io

    text = str(spec)
    path = Path(text)
    if path.is_dir():
        parts = sorted(p for p in path.iterdir()
                       if p.suffix.lower() in io.FORMATS and not p.name.startswith("."))
        where = f"folder {path}"
    else:
        parts = sorted(Path(p) for p in glob.glob(text))
        where = f"pattern {text!r}"
    if not parts:
        raise DaskSetupError(
            f"{where}: no input parts ({', '.join(sorted(io.FORMATS))}); --dask reads a folder "
            "or glob of parts"
        )
    for p in parts:
        io.file_format(p)  # a part of an unknown type is named, with the types read
    return parts


def _answer_file(src: str, dst: str, spec: EngineSpec, crs: str | None, read: ReadOptions,
                 pricing: PricingOptions, chunk_size: int) -> pd.Series:
    """Answer one part into its output part as ``landgrade assign`` answers a file: read with
    ``read``, its pricing options checked against the part, through the single-process file
    loop (:func:`landgrade.jobs.assign.grade_file`: points read from the WKB without shapely
    objects, the geometry passed through, Arrow writes, output only complete); rows per
    status."""
    from landgrade.jobs.assign import check_pricing, grade_file

    source = read.open(Path(src))
    crs = crs or source.crs
    if crs is None and source.is_table:
        crs = "EPSG:4326"  # as landgrade assign reads a CSV or Excel table
    if crs is None:
        raise DaskSetupError(f"{src}: the part has no CRS; pass --crs (e.g. EPSG:4546)")
    engine = worker_engine(spec)
    check_pricing(engine, source, pricing)
    done = grade_file(engine, source, Path(dst), crs, chunk_size=chunk_size, pricing=pricing)
    return done.counts.rename(index=str)


def assign_parts(input_spec: str | Path, output: Path, *, map_path: Path | None = None,
                 county: str | None = None, crs: str | None = None,
                 read: ReadOptions | None = None, pricing: PricingOptions | None = None,
                 chunk_size: int | None = None, scheduler: str | None = None,
                 workers: int | None = None, progress: bool = True) -> pd.Series:
    """``landgrade assign INPUT -o OUTPUT --dask``: one output part per input part, same name.

    Every part is read with ``read`` and priced with ``pricing``, as ``landgrade assign`` reads
    and prices one file, so each output part is what it writes for that part. ``scheduler``: a
    running dask scheduler's address (``tcp://host:8786``); else a local cluster of ``workers``
    processes (default: one per core). Returns rows per status.
    """
    from landgrade import io

    read = read or ReadOptions()
    pricing = pricing or PricingOptions()
    pricing.check_town_prices()  # before any cluster starts; the rest per part, as one file
    if crs is not None and not crs.strip():
        raise LandgradeError("--crs '' names no coordinate system; give e.g. --crs EPSG:4326, "
                             "EPSG:4546 or gcj02, or leave it out to use the parts' own")
    _require_dask()
    from distributed import Client

    parts = input_parts(input_spec)
    output = Path(output)
    if output.suffix.lower() in io.FORMATS or (output.exists() and not output.is_dir()):
        raise DaskSetupError(f"{output}: with --dask the output is a folder that receives one "
                             "part per input part; give a folder name")
    if any(p.resolve().parent == output.resolve() for p in parts):
        raise DaskSetupError(f"{output}: is the input folder; write the output parts elsewhere")
    output.mkdir(parents=True, exist_ok=True)
    spec = engine_spec(map_path, county)
    # The words of every part and of the summary: the county's language unless told (the
    # engine is loaded here once for its county's metadata; workers load their own).
    meta = getattr(worker_engine(spec).pricebook, "metadata", None)
    from landgrade.gazette.labels import lang_for

    pricing = replace(pricing, lang=lang_for(pricing.lang, meta))
    size = io.DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = local_cluster(workers or os.cpu_count() or 1)
            client = Client(cluster)
    except (OSError, TimeoutError) as e:
        raise DaskSetupError(f"cannot reach the dask scheduler {scheduler}: {e}") from None
    try:
        warm_workers(client, spec)
        futures = [client.submit(_answer_file, str(p), str(output / p.name), spec, crs, read,
                                 pricing, size,
                                 key=f"landgrade-assign-{p.name}-{uuid.uuid4().hex[:6]}")
                   for p in parts]
        if progress:  # dask's text bar follows the tasks; it writes to stdout, sent to stderr
            from contextlib import redirect_stdout

            from distributed import progress as dask_progress

            with redirect_stdout(sys.stderr):
                dask_progress(futures, multi=False)
            print(file=sys.stderr)
        counts = pd.concat(client.gather(futures)).groupby(level=0).sum()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    from landgrade.jobs.assign import summary_lines

    for line in summary_lines(counts, output, pricing.lang or "en", meta, parts=len(parts)):
        print(line, file=sys.stderr)
    return counts
