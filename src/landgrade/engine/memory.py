"""How landgrade's own processes keep memory they have freed (glibc's malloc).

Answering a million rows allocates a few hundred MB of column-sized arrays and frees them when
the chunk is written. By default glibc hands freed memory at the top of its heap back to the
system once more than a few tens of MB are free there, so the next chunk takes every page
again from the kernel: at 1M points those page faults were 0.1 s of a 0.27 s answer
(``benchmarks/bench_assign.py``). :func:`keep_freed_memory` asks glibc to serve arrays up to
32 MiB from the heap and to keep up to 256 MiB of freed heap for reuse (pyarrow's memory pool
keeps memory the same way). :func:`landgrade.engine.load_engine` applies it once per process
(so the CLI, the service, a notebook and landgrade's dask workers all answer at the same
speed); set ``LANDGRADE_KEEP_FREED_MEMORY=0`` to leave your process's allocator alone. dask
workers that landgrade starts also get it through their environment
(:data:`landgrade.jobs.dask.WORKER_ENVIRON`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

MMAP_THRESHOLD = 32 * 2**20
TRIM_THRESHOLD = 256 * 2**20
# glibc's mallopt parameter numbers (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory(mmap_threshold: int = MMAP_THRESHOLD,
                      trim_threshold: int = TRIM_THRESHOLD) -> bool:
    """Set glibc's mmap and trim thresholds for this process; False where there is no glibc
    (macOS, Windows, musl), which leaves the allocator as it was."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # The mmap threshold first: setting either fixes both, and the trim threshold alone
    # would pin the mmap threshold at 128 KiB.
    return bool(mallopt(_M_MMAP_THRESHOLD, int(mmap_threshold))) and bool(
        mallopt(_M_TRIM_THRESHOLD, int(trim_threshold)))


_APPLIED: list[bool] = []


def keep_freed_memory_once() -> bool:
    """:func:`keep_freed_memory` the first time this process asks, unless
    ``LANDGRADE_KEEP_FREED_MEMORY=0``; whether the settings are in force."""
    if not _APPLIED:
        wanted = os.environ.get("LANDGRADE_KEEP_FREED_MEMORY", "1").strip() != "0"
        _APPLIED.append(wanted and keep_freed_memory())
    return _APPLIED[0]
