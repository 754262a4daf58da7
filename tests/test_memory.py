"""landgrade.engine.memory: the CLI's allocator settings keep freed column arrays for reuse."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from landgrade.engine import memory

# Ten rounds of what a chunk does: twenty column-sized (8 MB) arrays, touched, then freed.
# Minor page faults counted over the rounds after the first.
_CHUNKS = """
import resource, sys
import numpy as np
if sys.argv[1] == "keep":
    from landgrade.engine.memory import keep_freed_memory
    assert keep_freed_memory()
def chunk():
    cols = [np.ones(2**20) for _ in range(20)]
    del cols
chunk()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    chunk()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_kept_memory_is_reused_instead_of_faulted_in_again() -> None:
    # glibc's own defaults: no MALLOC_* settings inherited from this process (a dask worker
    # started in-process, say, leaves its own in os.environ).
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}

    def faults(mode: str) -> int:
        out = subprocess.run([sys.executable, "-c", _CHUNKS, mode], capture_output=True,
                             text=True, check=True, env=env)
        return int(out.stdout)

    default, kept = faults("default"), faults("keep")
    pages = 10 * 20 * 2**20 * 8 // 4096  # every page of every round, once
    assert default > pages / 8  # glibc gives much of it back and takes it again
    assert kept < default / 20


def test_no_glibc_leaves_the_allocator_alone(monkeypatch) -> None:
    monkeypatch.setattr(memory.sys, "platform", "darwin")
    assert memory.keep_freed_memory() is False
    monkeypatch.setattr(memory.sys, "platform", "linux")

    def no_libc(*_a, **_k):
        raise OSError("no libc here")

    monkeypatch.setattr(memory.ctypes, "CDLL", no_libc)
    assert memory.keep_freed_memory() is False


def test_load_engine_keeps_memory_once_unless_told_not_to(monkeypatch) -> None:
    calls: list[int] = []

    def fake() -> bool:
        calls.append(1)
        return True

    monkeypatch.setattr(memory, "keep_freed_memory", fake)
    monkeypatch.setattr(memory, "_APPLIED", [])
    monkeypatch.setenv("LANDGRADE_KEEP_FREED_MEMORY", "0")
    assert memory.keep_freed_memory_once() is False and calls == []
    monkeypatch.setattr(memory, "_APPLIED", [])
    monkeypatch.delenv("LANDGRADE_KEEP_FREED_MEMORY")
    assert memory.keep_freed_memory_once() and memory.keep_freed_memory_once()
    assert calls == [1]  # once per process
