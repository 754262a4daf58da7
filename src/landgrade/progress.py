"""How far a long run has got, told to whoever is watching, and where it may be stopped.

The work loops (rows streamed by ``assign`` and ``value``, the grades of a build, the pages of a
查询单 or 测算表) call :func:`advance` after each step. With no watcher, that does nothing: the
command line shows its own bar. A host that runs landgrade inside itself (the QGIS Processing
provider, :mod:`landgrade.qgis`) installs a watcher with :func:`watching`; the watcher shows the
fraction and, to stop the run, raises :class:`RunCancelled` from that call. The loops then
unwind as on any error, so their atomic outputs leave no partial file.

The watcher is a context variable: a run in one thread is watched without touching another's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from landgrade.errors import LandgradeError

# (steps done, steps in all or None when unknown, what is being done) → None; may raise.
Watcher = Callable[[int, int | None, str], None]

_WATCHER: ContextVar[Watcher | None] = ContextVar("landgrade_progress", default=None)


class RunCancelled(LandgradeError):
    """The run was stopped by its watcher (a cancel button); nothing was written."""


def advance(done: int, total: int | None, what: str = "") -> None:
    """Tell the watcher, if any, that ``done`` of ``total`` steps of ``what`` are done."""
    watcher = _WATCHER.get()
    if watcher is not None:
        watcher(done, total, what)


@contextmanager
def watching(watcher: Watcher) -> Iterator[None]:
    """Within the block, :func:`advance` calls reach ``watcher``."""
    token = _WATCHER.set(watcher)
    try:
        yield
    finally:
        _WATCHER.reset(token)
