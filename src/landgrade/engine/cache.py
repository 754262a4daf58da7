"""The on-disk cache of built grade maps and their prepared query index.

Building the bundled county's grade map takes seconds; preparing its query index about a second.
Both are kept, pickled, in the cache folder — ``$LANDGRADE_CACHE``, else ``~/.cache/landgrade`` —
under a key that hashes every file of the county folder (or the ``--map`` file's bytes) together
with landgrade's own code (its modules and grammar), so editing any county file or changing how
maps are built rebuilds, and nothing else does. A cache entry that cannot be read is rebuilt,
never trusted; a cache folder that cannot be written is skipped with a warning, never an error.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import stat
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from landgrade._version import __version__
from landgrade.build.grade_map import GradeMap
from landgrade.gazette.labels import default_lang, word
from landgrade.io.atomic import STALE_TEMP_SECONDS as ATOMIC_STALE_SECONDS

_FORMAT = 1  # bump when the pickled layout changes


def cache_dir() -> Path:
    """The cache folder (created on demand)."""
    root = os.environ.get("LANDGRADE_CACHE") or Path.home() / ".cache" / "landgrade"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


@functools.cache
def _code_digest() -> str:
    """A digest of landgrade's modules and grammar: a rebuilt package never reuses old maps."""
    h = hashlib.sha256()
    package = Path(__file__).parents[1]
    for p in sorted([*package.rglob("*.py"), *package.rglob("*.lark")]):
        h.update(p.relative_to(package).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


# The cache's own files: what `landgrade cache clear` may delete, and nothing else in the folder.
ENTRY_PATTERNS = ("county-*.pkl", "map-*.pkl", "county-*.tmp*", "map-*.tmp*")


def entries(folder: Path | None = None) -> list[Path]:
    """The cache's own files in the cache folder, oldest first (nothing else there)."""
    folder = folder or cache_dir()
    listed = {p for pattern in ENTRY_PATTERNS for p in folder.glob(pattern)}
    found = []
    for p in listed:
        try:
            st = p.stat()
        except FileNotFoundError:  # another process renamed its temporary file into place
            continue
        if stat.S_ISREG(st.st_mode):
            found.append((st.st_mtime, p.name, p))
    return [p for _, _, p in sorted(found)]


def info_lines(lang: str = "en") -> list[str]:
    """``landgrade cache info``: the folder, each entry with its size and date, the total; in
    ``lang``."""
    import datetime as dt

    folder = cache_dir()
    files = entries(folder)
    lines = [word("cache_folder", lang, folder=folder)
             + ("" if os.environ.get("LANDGRADE_CACHE") else word("cache_move", lang))]
    count = total = 0
    for p in files:
        try:
            st = p.stat()
        except FileNotFoundError:  # renamed into place or removed by another process meanwhile
            continue
        when = dt.datetime.fromtimestamp(st.st_mtime).strftime("%Y-%m-%d %H:%M")
        lines.append(f"  {size_text(st.st_size):>9}  {when}  {p.name}")
        count, total = count + 1, total + st.st_size
    lines.append(word("cache_total", lang, n=count, size=size_text(total)))
    return lines


# A temporary file younger than this may be another process writing an entry right now (a map
# is pickled in seconds); an older one is left over from a process that died mid-write. The
# same age as the atomic outputs'.
STALE_TEMP_SECONDS = ATOMIC_STALE_SECONDS


@dataclass
class Cleared:
    """What ``landgrade cache clear`` did: files and bytes removed, temporary files left."""

    removed: int
    size: int
    writing: list[Path]  # fresh temporary files: perhaps being written by another process


def _is_temp(path: Path) -> bool:
    return path.suffix.startswith(".tmp")  # ``<key>.map.tmp<pid>``, see :func:`_store`


def clear(now: float | None = None) -> Cleared:
    """``landgrade cache clear``: delete the cache's complete entries and stale temporary files.

    A temporary file modified within :data:`STALE_TEMP_SECONDS` is left: another process may be
    writing it now (deleting it would fail that write). Other files in the folder
    (``LANDGRADE_CACHE`` may be shared) are left alone.
    """
    now = time.time() if now is None else now
    removed, size, writing = 0, 0, []
    for p in entries():
        try:
            st = p.stat()
        except FileNotFoundError:  # renamed into place or removed by another process meanwhile
            continue
        if _is_temp(p) and now - st.st_mtime < STALE_TEMP_SECONDS:
            writing.append(p)
            continue
        p.unlink(missing_ok=True)
        removed += 1
        size += st.st_size
    return Cleared(removed, size, writing)


def clear_lines(now: float | None = None, lang: str = "en") -> list[str]:
    """``landgrade cache clear``: clear, and say what was removed and what was left, and why;
    in ``lang``."""
    done = clear(now)
    lines = [word("cache_removed", lang, n=done.removed, size=size_text(done.size),
                  folder=cache_dir())]
    if done.writing:
        minutes = STALE_TEMP_SECONDS // 60
        lines.append(word("cache_left", lang, n=len(done.writing), minutes=minutes))
        lines += [f"  {p.name}" for p in done.writing]
    return lines


def size_text(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _hash_files(paths: list[Path], salt: str) -> str:
    h = hashlib.sha256(f"{salt}|{__version__}|{_FORMAT}|{_code_digest()}".encode())
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:24]


def map_key(map_path: str | Path | None = None, county: str | Path | None = None) -> str:
    """The cache key of a grade-map file, or of a county folder's bundled build."""
    if map_path is not None:
        p = Path(map_path)
        if not p.exists():
            from landgrade.build.grade_map import GradeMapError

            raise GradeMapError(f"{p}: no such grade map (build one with `landgrade build`)")
        return "map-" + _hash_files([p], "map")
    from landgrade.gazette.county import county_folder

    folder = county_folder(county)
    # corrections/ (the valuation's tables) never changes the map: editing a rate rebuilds nothing
    files = [p for p in folder.root.rglob("*") if p.is_file()
             and p.relative_to(folder.root).parts[0] != "corrections"]
    return f"county-{folder.root.name}-" + _hash_files(files, "county")


def _load(path: Path) -> Any:
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except Exception:  # a stale or broken entry is rebuilt
        return None


def _usable_cache_dir() -> Path | None:
    """The cache folder, or None (with a warning) when it cannot be made: caching is optional."""
    try:
        return cache_dir()
    except OSError as e:
        _warn_uncached(e)
        return None


def _warn_uncached(error: OSError) -> None:
    from landgrade.gazette.county import county_folder

    lang = default_lang(county_folder(None).metadata)  # no --lang here: the default county's
    print(word("warning_line", lang, text=word("cache_unusable", lang, error=error)),
          file=sys.stderr)


def _store(path: Path, value: Any) -> None:
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    try:
        with tmp.open("wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)  # atomic: concurrent readers see the old entry or the new one
    except OSError as e:  # a full disk or a folder removed meanwhile: the value is still good
        tmp.unlink(missing_ok=True)
        _warn_uncached(e)


def _prune(key: str, folder: Path | None = None) -> None:
    """Drop older entries of the same county (keys differ only in their digest)."""
    prefix = key.rsplit("-", 1)[0] + "-"
    for old in (folder or cache_dir()).glob(f"{prefix}*.pkl"):
        if not old.name.startswith(key):
            old.unlink(missing_ok=True)


def cached_grade_map(
    map_path: str | Path | None = None, county: str | Path | None = None
) -> GradeMap:
    """The grade map of ``map_path``, or the county's built map, from the cache when fresh."""
    return cached_map_and_index(map_path=map_path, county=county, with_index=False)[0]


def cached_map_and_index(
    map_path: str | Path | None = None,
    county: str | Path | None = None,
    *,
    with_index: bool = True,
) -> tuple[GradeMap, Any, str]:
    """The grade map, its prepared :class:`landgrade.grid.GradeIndex` and the cache key."""
    key = map_key(map_path, county)
    folder = _usable_cache_dir()
    map_file = folder / f"{key}.map.pkl" if folder else None
    grade_map = _load(map_file) if map_file else None
    if not isinstance(grade_map, GradeMap):
        if map_path is not None:
            grade_map = GradeMap.read(map_path)
        else:
            from landgrade.build.builder import build_county
            from landgrade.gazette.county import county_folder

            found = county_folder(county)
            lang = default_lang(found.metadata)  # no --lang reaches the cache: the county's
            print(word("cache_building", lang, county=found.name, folder=folder) if folder
                  else word("cache_building_uncached", lang, county=found.name),
                  file=sys.stderr)
            grade_map = build_county(county)
            if folder:
                _prune(key, folder)
        if map_file:
            _store(map_file, grade_map)
    index = None
    if with_index:
        from landgrade.engine.grid import GradeIndex, build_index

        index_file = folder / f"{key}.index.pkl" if folder else None
        index = _load(index_file) if index_file else None
        if not isinstance(index, GradeIndex):
            index = build_index(grade_map)
            if index_file:
                _store(index_file, index)
    return grade_map, index, key
