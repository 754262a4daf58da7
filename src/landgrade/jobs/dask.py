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
import shutil
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


# A local cluster of more worker processes than this per core only competes for the cores
# (and each worker holds its own engine, ~0.5 GB): a typo such as --workers 100000 would
# start processes until the machine gives way.
MAX_WORKERS_PER_CORE = 4


def check_workers(workers: int, max_workers: int | None = None) -> None:
    """Refuse a local cluster of more than ``max_workers`` processes (default
    :data:`MAX_WORKERS_PER_CORE` per core of this machine) before any is started."""
    cores = os.cpu_count() or 1
    cap = MAX_WORKERS_PER_CORE * cores if max_workers is None else max_workers
    if workers > cap:
        raise DaskSetupError(
            f"--workers {workers}: more than the {cap} local worker processes this machine's "
            f"{cores} core(s) can use ({MAX_WORKERS_PER_CORE} per core); give at most {cap}, "
            "or run the workers on a cluster and pass --scheduler")


def local_cluster(workers: int, *, max_workers: int | None = None) -> Any:
    """A local cluster of ``workers`` single-threaded worker processes, started with
    :data:`WORKER_ENVIRON`; more than ``max_workers`` (default: :data:`MAX_WORKERS_PER_CORE`
    per core) is refused (:func:`check_workers`)."""
    import dask
    from distributed import LocalCluster

    check_workers(workers, max_workers)

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


@dataclass(frozen=True)
class PartFailed:
    """What :func:`_answer_file` returns for a part it could not answer: the message, which
    names the part. Returned, not raised: a task that raises has its traceback printed by the
    worker, and the other parts would be left half done."""

    message: str


def _answer_file(src: str, dst: str, spec: EngineSpec, crs: str | None, read: ReadOptions,
                 pricing: PricingOptions, chunk_size: int) -> pd.Series | PartFailed:
    """Answer one part into its output part as ``landgrade assign`` answers a file: read with
    ``read``, its pricing options checked against the part, through the single-process file
    loop (:func:`landgrade.jobs.assign.grade_file`: points read from the WKB without shapely
    objects, the geometry passed through, Arrow writes, output only complete); rows per
    status, or :class:`PartFailed`."""
    try:
        return _answer_part(src, dst, spec, crs, read, pricing, chunk_size)
    except LandgradeError as e:
        text = " ".join(str(e).split())  # one line, whatever the library's message held
        return PartFailed(text if Path(src).name in text else f"{src}: {text}")
    except Exception as e:  # GDAL/Arrow refusing the part's bytes: that part, named
        return PartFailed(f"{src}: cannot be read ({type(e).__name__}: {' '.join(str(e).split())})")


def _answer_part(src: str, dst: str, spec: EngineSpec, crs: str | None, read: ReadOptions,
                 pricing: PricingOptions, chunk_size: int) -> pd.Series:
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
    processes (default: one per core; more than :data:`MAX_WORKERS_PER_CORE` per core is
    refused). Returns rows per status.

    All or nothing: the parts are written to a hidden folder inside OUTPUT and moved into place
    only when every part is answered; a part that cannot be read is an error naming it, the
    remaining tasks are released and no part is left in OUTPUT.
    """
    from landgrade import io

    read = read or ReadOptions()
    pricing = pricing or PricingOptions()
    pricing.check_town_prices()  # before any cluster starts; the rest per part, as one file
    if crs is not None and not crs.strip():
        raise LandgradeError("--crs '' names no coordinate system; give e.g. --crs EPSG:4326, "
                             "EPSG:4546 or gcj02, or leave it out to use the parts' own")
    if not scheduler and workers is not None:
        check_workers(workers)
    _require_dask()
    from distributed import Client

    parts = input_parts(input_spec)
    output = Path(output)
    if output.suffix.lower() in io.FORMATS or (output.exists() and not output.is_dir()):
        raise DaskSetupError(f"{output}: with --dask the output is a folder that receives one "
                             "part per input part; give a folder name")
    if any(p.resolve().parent == output.resolve() for p in parts):
        raise DaskSetupError(f"{output}: is the input folder; write the output parts elsewhere")
    made = not output.exists()
    output.mkdir(parents=True, exist_ok=True)
    stage = output / f".landgrade-parts-{uuid.uuid4().hex[:12]}"
    stage.mkdir()
    spec = engine_spec(map_path, county)
    # The words of every part and of the summary: the county's language unless told (the
    # engine is loaded here once for its county's metadata; workers load their own).
    meta = getattr(worker_engine(spec).pricebook, "metadata", None)
    from landgrade.gazette.labels import lang_for

    pricing = replace(pricing, lang=lang_for(pricing.lang, meta))
    size = io.DEFAULT_CHUNK_SIZE if chunk_size is None else chunk_size
    try:
        answered = _run_parts(Client, scheduler, workers, spec, parts, stage, crs, read,
                              pricing, size, progress)
        failed = [a for a in answered if isinstance(a, PartFailed)]
        if failed:
            more = f" (and {len(failed) - 1} more part(s))" if len(failed) > 1 else ""
            raise DaskSetupError(f"{failed[0].message}{more}; no part was written to {output}")
        _move_parts(stage, output, parts)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if made and not any(output.iterdir()):
            output.rmdir()
    counts = pd.concat(answered).groupby(level=0).sum()
    from landgrade.jobs.assign import summary_lines

    for line in summary_lines(counts, output, pricing.lang or "en", meta, parts=len(parts)):
        print(line, file=sys.stderr)
    return counts


def _run_parts(client_type: Any, scheduler: str | None, workers: int | None, spec: EngineSpec,
               parts: list[Path], stage: Path, crs: str | None, read: ReadOptions,
               pricing: PricingOptions, size: int, progress: bool) -> list[Any]:
    """Every part answered into ``stage`` on the cluster, in completion order; at the first
    :class:`PartFailed` the tasks not yet done are released and the answers so far returned."""
    from distributed import as_completed
    from tqdm import tqdm

    cluster = None
    try:
        if scheduler:
            client = client_type(scheduler)
        else:
            cluster = local_cluster(workers or os.cpu_count() or 1)
            client = client_type(cluster)
    except (OSError, TimeoutError) as e:
        raise DaskSetupError(f"cannot reach the dask scheduler {scheduler}: {e}") from None
    answered: list[Any] = []
    try:
        if cluster is not None:  # our own workers: a released task is no news to the user
            client.run(_quiet_released_tasks)
        warm_workers(client, spec)
        futures = [client.submit(_answer_file, str(p), str(stage / p.name), spec, crs, read,
                                 pricing, size,
                                 key=f"landgrade-assign-{p.name}-{uuid.uuid4().hex[:6]}")
                   for p in parts]
        names = {f.key: p for f, p in zip(futures, parts, strict=True)}
        bar = tqdm(total=len(futures), unit="part", file=sys.stderr, leave=False,
                   disable=not progress or not sys.stderr.isatty())
        with bar:
            for future in as_completed(futures):
                try:
                    answer = future.result()
                except Exception as e:  # the worker died or the task was lost
                    answer = PartFailed(f"{names[future.key]}: not answered ({type(e).__name__}"
                                        f": {e})")
                answered.append(answer)
                bar.update(1)
                if isinstance(answer, PartFailed):
                    break  # closing the client releases the tasks not yet done
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return answered


def _quiet_released_tasks() -> None:
    """On a worker of a local cluster: the parts still running when one part failed are
    released as the cluster closes, which distributed logs as a warning ("… ended with
    CancelledError"); the error the user needs is the failed part's, printed once."""
    import logging

    logging.getLogger("distributed.worker.state_machine").setLevel(logging.ERROR)


def _move_parts(stage: Path, output: Path, parts: list[Path]) -> None:
    """The answered parts moved from ``stage`` into ``output``, each with its own files (a
    shapefile's parts, the .shp last) and a stale part of an old shapefile removed."""
    from landgrade.io.atomic import SHAPEFILE_PARTS

    for p in parts:
        staged, dest = stage / p.name, output / p.name
        if dest.suffix.lower() != ".shp":
            os.replace(staged, dest)
            continue
        for ext in [e for e in SHAPEFILE_PARTS if e != ".shp"] + [".shp"]:
            if staged.with_suffix(ext).exists():
                os.replace(staged.with_suffix(ext), dest.with_suffix(ext))
            else:
                dest.with_suffix(ext).unlink(missing_ok=True)
