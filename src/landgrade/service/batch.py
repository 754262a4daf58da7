"""Point answers for the service: concurrent requests coalesced into one engine call.

:meth:`Engine.locate` costs a few milliseconds per call whatever the number of points (building
the answer table), and microseconds per point. Answering each HTTP request with its own call
would cap a single process at a few hundred requests per second. Instead every point request
(one point from ``GET /api/locate``, or a whole ``POST`` batch) is queued; one task drains the
queue, answering everything that arrived while the previous call ran in a single
:meth:`Engine.locate` per coordinate system, on one worker thread so that the event loop keeps
accepting requests. Under no load a request waits for nothing; under load, batches grow and the
per-request cost falls.

Each answer is :func:`landgrade.answer.to_record` of its row: the same object
``landgrade locate --json`` prints. A request that gives the points' land use
(``landgrade locate --use``) is answered in a call with other requests of the same coordinate
system and standard that give one, and its rows priced by
:func:`landgrade.engine.use_prices.use_price`, as the command does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from landgrade.engine.answer import to_record
from landgrade.engine.engine import Engine
from landgrade.engine.use_prices import use_price
from landgrade.io.crs import CrsSpec

# Points per engine call: large enough to amortise its fixed cost (a few ms), small enough that
# one call (~0.1 s at this size) never holds single-point requests back for long. A request with
# more points is answered in slices of this size, one slice per call, with the small requests
# that arrived meanwhile.
SLICE_POINTS = 5_000


@dataclass
class _Job:
    x: np.ndarray
    y: np.ndarray
    crs: CrsSpec
    future: asyncio.Future[list[dict[str, Any]]]
    uses: np.ndarray | None = None  # one land use per point, or None: no use asked
    standard: str | None = None  # the standard the uses' class codes are read in


def answer_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of an answer frame as plain mappings, for :func:`to_record`.

    Column lists zipped into dicts hold the same Python values as ``frame.iloc[i]`` (tests
    check the records are equal) at a fraction of the cost of a Series per row, or of
    ``to_dict("records")``.
    """
    keys = list(frame.columns)
    columns = [frame[c].tolist() for c in keys]
    return [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]


class LocateBatcher:
    """Queue of point requests answered in coalesced :meth:`Engine.locate` calls."""

    def __init__(self, engine: Engine, executor: Executor) -> None:
        self.engine = engine
        self.executor = executor
        self._queue: list[_Job] = []
        self._draining = False
        self.engine_calls = 0  # how many Engine.locate calls answered the requests so far
        self._task: asyncio.Task[None] | None = None  # kept so the drain is not collected

    async def locate(self, x: Sequence[float], y: Sequence[float], crs: CrsSpec, *,
                     uses: Sequence[Any] | None = None, standard: str | None = None
                     ) -> list[dict[str, Any]]:
        """The answer records for these coordinates, in order; with ``uses`` (one land use
        per point, class codes read in ``standard``), each priced by its use."""
        loop = asyncio.get_running_loop()
        xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        us = None if uses is None else np.asarray(list(uses), dtype=object)
        jobs = [_Job(xs[i:i + SLICE_POINTS], ys[i:i + SLICE_POINTS], crs, loop.create_future(),
                     None if us is None else us[i:i + SLICE_POINTS], standard)
                for i in range(0, max(len(xs), 1), SLICE_POINTS)]
        self._queue.extend(jobs)
        if not self._draining:
            self._draining = True
            self._task = loop.create_task(self._drain())
        if len(jobs) == 1:
            return await jobs[0].future
        parts = await asyncio.gather(*(j.future for j in jobs))
        return [r for part in parts for r in part]

    def _take(self) -> list[_Job]:
        """The next call's jobs: queued small requests up to a slice's worth of points, in
        order, plus the oldest large slice, so that neither kind waits for the other for long."""
        batch: list[_Job] = []
        rest: list[_Job] = []
        points, large_taken = 0, False
        for job in self._queue:
            n = len(job.x)
            if n > SLICE_POINTS // 2:
                if not large_taken:
                    batch.append(job)
                    large_taken = True
                    continue
            elif points + n <= SLICE_POINTS:
                batch.append(job)
                points += n
                continue
            rest.append(job)
        self._queue = rest
        return batch

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                batch = self._take()
                try:
                    results = await loop.run_in_executor(self.executor, self._answer, batch)
                except Exception as e:  # handed to each waiting request's own error handling
                    for job in batch:
                        if not job.future.done():
                            job.future.set_exception(e)
                    continue
                for job, records in zip(batch, results, strict=True):
                    if job.future.done():  # a client that went away has been cancelled
                        continue
                    if isinstance(records, Exception):
                        job.future.set_exception(records)
                    else:
                        job.future.set_result(records)
        finally:
            self._draining = False

    def _answer(self, batch: list[_Job]) -> list[list[dict[str, Any]] | Exception]:
        """One engine call per coordinate system in the batch; records split back per job.

        A call that fails fails only the requests in its coordinate system, with its error.
        """
        out: list[list[dict[str, Any]] | Exception] = [[] for _ in batch]
        by_crs: dict[tuple[str, bool, str | None], list[int]] = {}
        for i, job in enumerate(batch):
            key = (job.crs.name + "|" + str(job.crs.offset), job.uses is not None, job.standard)
            by_crs.setdefault(key, []).append(i)
        for members in by_crs.values():
            jobs = [batch[i] for i in members]
            x = np.concatenate([j.x for j in jobs])
            y = np.concatenate([j.y for j in jobs])
            try:
                frame = self.engine.locate(x, y, crs=jobs[0].crs)
                self.engine_calls += 1
                if jobs[0].uses is not None:
                    frame = use_price(frame, np.concatenate([j.uses for j in jobs]),
                                      self.engine.pricebook, standard=jobs[0].standard)
                records = [to_record(self.engine, row) for row in answer_rows(frame)]
            except Exception as e:  # handed to those requests' own error handling
                for i in members:
                    out[i] = e
                continue
            start = 0
            for i, job in zip(members, jobs, strict=True):
                out[i] = records[start:start + len(job.x)]
                start += len(job.x)
        return out
