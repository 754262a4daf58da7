"""``landgrade convert``: one coordinate converted between two systems, with its doubts said."""

from __future__ import annotations

import sys

import numpy as np

from landgrade.errors import LandgradeError
from landgrade.gazette.labels import word
from landgrade.gazette.labels_outputs import CRS_PROBLEMS_ZH
from landgrade.io.crs import (
    PROBLEMS,
    detect_crs_problem,
    fix_zone_prefix,
    prefixed_zone_epsg,
    resolve_crs,
    transform,
)


def convert_command(x: float, y: float, from_crs: str, to_crs: str, lang: str = "en") -> None:
    """Print one coordinate converted between two systems as ``X Y`` at full precision.

    A zone-prefixed easting declared without its prefix is re-read in its zone (with a note on
    stderr); swapped or impossible degrees are an error with the fix; other doubts are warned.
    Notes, warnings and errors are worded in ``lang``.
    """
    src, dst = resolve_crs(from_crs), resolve_crs(to_crs)
    problem = detect_crs_problem(x, y, src)[0]

    def said(code: str) -> str:
        return CRS_PROBLEMS_ZH.get(code, PROBLEMS[code]) if lang == "zh" else PROBLEMS[code]

    if problem == "not_finite":
        raise LandgradeError(f"{x} {y}: {said(problem)}")
    if problem == "lat_lon_swapped":
        command = f"landgrade convert {y!r} {x!r} --from {from_crs} --to {to_crs}"
        raise LandgradeError(word("convert_swapped", lang, x=repr(x), y=repr(y), crs=src,
                                  problem=said(problem), command=command))
    if problem == "not_geographic":
        raise LandgradeError(word("convert_not_geographic", lang, x=repr(x), y=repr(y), crs=src))
    if problem == "gk_zone_prefix":
        zone = int(x // 1e6)
        code = int(prefixed_zone_epsg(np.array([zone]))[0])
        print(word("note_line", lang,
                   text=word("convert_prefix", lang, x=repr(x), zone=zone, code=code)),
              file=sys.stderr)
        x, y = fix_zone_prefix(x, y, src)
    elif problem == "looks_geographic":
        print(word("warning_line", lang, text=word("convert_doubt", lang, x=repr(x), y=repr(y),
                                                   crs=src, problem=said(problem))),
              file=sys.stderr)
    cx, cy = transform(x, y, src, dst)
    if not (np.isfinite(cx) and np.isfinite(cy)):
        raise LandgradeError(word("convert_nowhere", lang, x=repr(x), y=repr(y), crs=src,
                                  to=dst))
    print(f"{cx!r} {cy!r}")
