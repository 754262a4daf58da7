"""``landgrade convert``: one coordinate converted between two systems, with its doubts said."""

from __future__ import annotations

import math
import sys

import numpy as np

from landgrade.cli.stdout import emit
from landgrade.errors import LandgradeError
from landgrade.gazette.labels import word
from landgrade.gazette.labels_outputs import CRS_PROBLEMS_ZH
from landgrade.io.crs import (
    PROBLEMS,
    CrsSpec,
    detect_crs_problem,
    fix_zone_prefix,
    prefixed_zone_epsg,
    resolve_crs,
    transform,
)

# What a printed coordinate resolves: a millimetre in metres (or feet), 1e-7 degree (about
# 1 cm on the ground) in degrees; more digits would be noise, not precision.
PROJECTED_RESOLUTION_M = 0.001
GEOGRAPHIC_DECIMALS = 7


def coordinate_decimals(spec: CrsSpec) -> int:
    """Decimals to print a coordinate of ``spec`` with: 7 in degrees (GCJ-02 and BD-09 too),
    a millimetre's worth in the system's linear unit (3 in metres)."""
    if spec.is_geographic:
        return GEOGRAPHIC_DECIMALS
    try:
        metres = float(spec.crs.axis_info[0].unit_conversion_factor) or 1.0
    except (IndexError, AttributeError, TypeError, ValueError):
        metres = 1.0
    return max(0, math.ceil(-math.log10(PROJECTED_RESOLUTION_M / metres) - 1e-9))


def convert_command(x: float, y: float, from_crs: str, to_crs: str, lang: str = "en") -> None:
    """Print one coordinate converted between two systems as ``X Y``, to the precision its
    unit means (:func:`coordinate_decimals`: 455123.456 in metres, 110.5750000 in degrees).

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
    d = coordinate_decimals(dst)
    emit(f"{cx:.{d}f} {cy:.{d}f}")
