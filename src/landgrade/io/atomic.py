"""Safe output: a user's files are never half-written, mixed or overwritten by their own output.

Every file landgrade writes goes through :class:`AtomicOutput`: the data is written to a
temporary file beside the destination (same folder, so the final move is a rename on one file
system) and moved into place only once complete. An interrupted or failed run removes its
temporary files and leaves the destination as it was; two runs writing one destination each
write their own uniquely named temporary, so the last complete one wins and no mix is possible.

:func:`check_output` refuses, before any work, an output that is or would replace one of the
run's inputs (:func:`input_parts`, :func:`output_parts`). Ctrl-C is remembered
(:func:`note_interrupt`) so that an interrupt swallowed inside C code still stops the commit.
:func:`safe_file_stem` makes a parcel number or an upload's name safe as a file name.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from landgrade.io.formats import IOInputError, cut_to_bytes

# Parts of one shapefile: written, replaced and removed together. The spatial indexes are listed
# so that a stale index of an old file is never left beside new data.
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")
_TEMP_TAG = ".lgtmp-"
# A temporary file younger than this may be another process writing right now (writing keeps
# its mtime fresh, chunk by chunk); an older one is left over from a process that was killed
# mid-write (kill -9, a crash, a QGIS that died), which cleaned up nothing.
STALE_TEMP_SECONDS = 3600


def _temp_stem(path: Path) -> str:
    return f".{path.stem}{_TEMP_TAG}{uuid.uuid4().hex[:12]}"


def remove_stale_temps(path: str | Path, now: float | None = None) -> list[Path]:
    """Remove the temporary files of the destination ``path`` left by a killed run (untouched
    for :data:`STALE_TEMP_SECONDS`); returns them. Files of other names are never touched."""
    import time

    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        return []
    now = time.time() if now is None else now
    ours = re.compile(re.escape(f".{path.stem}{_TEMP_TAG}") + r"[0-9a-f]{12}(\.|$)")
    removed = []
    for p in folder.iterdir():
        if not ours.match(p.name):
            continue
        with contextlib.suppress(OSError):  # gone meanwhile, or not ours to remove
            if now - p.stat().st_mtime > STALE_TEMP_SECONDS:
                p.unlink()
                removed.append(p)
    return removed


def output_parts(path: str | Path) -> list[Path]:
    """The files that writing ``path`` creates or replaces (a shapefile's parts; a GeoPackage's
    journal files). GDAL names a shapefile's parts in lower case whatever the given suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".shp":
        return [path.with_suffix(ext) for ext in SHAPEFILE_PARTS]
    if suffix == ".gpkg":
        return [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]
    return [path]


def input_parts(path: str | Path) -> list[Path]:
    """The files a run reads when given ``path``: a folder's files, a shapefile's parts (any
    letter case), or the file itself."""
    path = Path(path)
    if path.is_dir():
        return [p for p in path.rglob("*") if p.is_file()]
    if path.suffix.lower() == ".shp" and path.parent.is_dir():
        stem = path.stem.casefold()
        return [p for p in path.parent.iterdir() if p.stem.casefold() == stem
                and p.suffix.lower() in (*SHAPEFILE_PARTS, ".xml")] or [path]
    return [path]


def _same_file(a: Path, b: Path) -> bool:
    """Same file, compared case-insensitively: on Windows and macOS names differing only in
    letter case are one file, and GDAL writes a shapefile's parts in lower case anyway."""
    ra, rb = a.resolve(), b.resolve()
    if str(ra).casefold() == str(rb).casefold():
        return True
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def check_output(
    path: str | Path,
    inputs: str | Path | Iterable[str | Path | None] | None = None,
    *,
    suffixes: Iterable[str] | None = None,
) -> None:
    """Refuse, before any work, an output that cannot be written or would replace an input.

    ``inputs`` are the run's inputs: files (a shapefile counts with all its parts), the
    ``--map``, the county folder (all its files). ``suffixes`` limits the output's extension.
    Every refusal is an :class:`IOInputError` naming the file and the fix.
    """
    path = Path(path)
    if suffixes is not None:
        allowed = tuple(s.lower() for s in suffixes)
        if path.suffix.lower() not in allowed:
            raise IOInputError(
                f"{path}: cannot write {path.suffix or 'a file without extension'!r} here; "
                f"use one of {', '.join(allowed)}"
            )
    if path.is_dir():
        raise IOInputError(f"{path}: is a folder; give a file name")
    if not path.parent.exists():
        raise IOInputError(f"{path}: folder {path.parent} does not exist; create it first")
    if inputs is None:
        return
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    read = [p for i in inputs if i is not None for p in input_parts(i)]
    for out in output_parts(path):
        for src in read:
            if _same_file(out, src):
                what = "is the input file" if out == path else f"would replace {src.name}"
                raise IOInputError(
                    f"{path}: the output {what} ({src}), one of this run's inputs, which would "
                    "be lost; give -o another file name or folder"
                )


@contextlib.contextmanager
def _commit_lock(folder: Path) -> Iterator[None]:
    """Serialise the final moves of concurrent writers into one folder, and hold off Ctrl-C
    while a shapefile's parts move, so that its parts always come from one run."""
    fd = None
    try:
        fd = os.open(folder, os.O_RDONLY)
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)
    except (OSError, ImportError):  # no directory locks here (e.g. Windows): moves still atomic
        pass
    blocked = hasattr(signal, "pthread_sigmask")
    if blocked:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        if fd is not None:
            os.close(fd)


_INTERRUPTED: list[int] = []  # signals received by this process (see note_interrupt)


def note_interrupt(signum: int, frame: Any) -> None:
    """Signal handler for SIGINT/SIGTERM: remember the signal, then interrupt as Ctrl-C does.

    Remembering matters because a KeyboardInterrupt raised while C code calls back into Python
    is printed and dropped; :meth:`AtomicOutput.commit` then still refuses to move an output
    into place."""
    _INTERRUPTED.append(signum)
    raise KeyboardInterrupt


def quiet_swallowed_interrupt(unraisable: Any) -> None:
    """``sys.unraisablehook``: a KeyboardInterrupt that C code swallowed (raised inside pyproj's
    logging callback, say) is already remembered by :func:`note_interrupt`; printing its
    traceback would only make a clean Ctrl-C look like a crash. Anything else is printed as
    Python would."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt) and _INTERRUPTED:
        return
    sys.__unraisablehook__(unraisable)


def interrupted() -> bool:
    """Whether this process received SIGINT/SIGTERM (see :func:`note_interrupt`)."""
    return bool(_INTERRUPTED)


def check_interrupted() -> None:
    """Raise KeyboardInterrupt if this process was interrupted (see :func:`note_interrupt`)."""
    if _INTERRUPTED:
        raise KeyboardInterrupt


class AtomicOutput:
    """A temporary path beside ``path`` to write to, moved into place by :meth:`commit`.

    Use as a context manager: the body writes :attr:`tmp` (with any tool); on normal exit the
    file — every part of a shapefile — replaces the destination; on an exception or Ctrl-C the
    temporary files are removed and the destination is left as it was.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        suffix = self.path.suffix.lower() if self.path.suffix.lower() == ".shp" \
            else self.path.suffix
        self.tmp = self.path.parent / f"{_temp_stem(self.path)}{suffix}"
        self.existed = self.path.exists()
        self.done = False
        remove_stale_temps(self.path)  # a killed run's leftovers of this same destination

    def _temp_files(self) -> list[Path]:
        folder, stem = self.tmp.parent, self.tmp.stem
        if not folder.exists():
            return []
        return [p for p in folder.iterdir() if p.name.startswith(stem + ".")
                or p.name.startswith(self.tmp.name)]

    def commit(self) -> Path:
        """Move the finished temporary file(s) into place; returns the destination."""
        check_interrupted()  # an interrupt swallowed on the way must not commit
        if self.path.suffix.lower() == ".shp":
            made = {p.suffix.lower(): p for p in self._temp_files()}
            if ".shp" not in made:
                raise IOInputError(f"{self.path}: nothing was written")
            order = [e for e in SHAPEFILE_PARTS if e != ".shp"] + [".shp"]
            with _commit_lock(self.path.parent):
                for ext in order:  # the .shp last: a reader never sees a .shp without its parts
                    dest = self.path.with_suffix(ext)
                    if ext in made:
                        os.replace(made[ext], dest)
                    else:
                        dest.unlink(missing_ok=True)  # a stale .prj/.cpg/index of the old file
        else:
            if not self.tmp.exists():
                raise IOInputError(f"{self.path}: nothing was written")
            with _commit_lock(self.path.parent):
                os.replace(self.tmp, self.path)
        self.done = True
        self.abort()  # e.g. a GeoPackage's leftover journal
        return self.path

    def abort(self) -> None:
        """Remove the temporary files; the destination is not touched."""
        for p in self._temp_files():
            with contextlib.suppress(OSError):
                p.unlink()

    @property
    def outcome(self) -> str:
        """What happened to the destination, for the message after a failure."""
        if self.done:
            return f"{self.path} was written"
        if self.existed:
            return f"{self.path} not written; the existing file is left as it was"
        return f"{self.path} not written; no partial file left"

    def __enter__(self) -> Path:
        return self.tmp

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self.abort()
            return
        try:
            self.commit()
        except BaseException:
            self.abort()
            raise


def atomic_output(path: str | Path) -> AtomicOutput:
    """``with atomic_output(dest) as tmp: write(tmp)``: see :class:`AtomicOutput`."""
    return AtomicOutput(path)


# Names Windows refuses whatever the extension (CON.pdf, con.1.pdf are the device CON).
_RESERVED_STEMS = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                   *(f"lpt{i}" for i in range(1, 10))}
MAX_STEM_BYTES = 120  # well under the 255-byte file-name limit, with room for a suffix


def safe_file_stem(name: str, max_bytes: int = MAX_STEM_BYTES) -> str:
    """``name`` (a parcel number, an upload's name) made safe as a file stem on any disk: path
    separators, ``..``, control characters, blanks and what Windows refuses become ``_``; cut
    to ``max_bytes`` of UTF-8 on a whole character; a Windows device name gets a leading
    ``_``. Empty when nothing is left: the caller names the fallback."""
    stem = re.sub(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+', "_", name).strip("._ ")
    stem = cut_to_bytes(stem, max_bytes)
    if stem and stem.split(".")[0].casefold() in _RESERVED_STEMS:
        stem = f"_{stem}"
    return stem
